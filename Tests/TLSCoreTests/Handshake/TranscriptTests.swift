import Testing
@testable import TLSCore

/// The transcript against hashes computed here with `Digest`: what it hashes, the hash of a
/// prefix that is not (yet) part of it (PSK binders), and the message_hash that replaces the
/// first ClientHello after a HelloRetryRequest (RFC 8446 §4.4.1).
@Suite struct TranscriptTests {
    static let clientHello: [UInt8] = [1, 0, 0, 5, 3, 3, 0xAA, 0xBB, 0xCC]
    static let serverHello: [UInt8] = [2, 0, 0, 3, 3, 3, 0x42]

    static func digest(_ hash: HashAlgorithm, _ bytes: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: hash.digestLength)
        var span = out.mutableSpan
        _ = try Digest.hash(hash, bytes.span, into: &span)
        return out
    }

    static func bytes(_ hash: TranscriptHash) -> [UInt8] {
        (0..<hash.count).map { hash.bytes[$0] }
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384])
    func hashesWhatWasAdded(hash: HashAlgorithm) throws {
        var transcript = Transcript()
        transcript.update(Self.clientHello.span)
        transcript.update(Self.serverHello.span)
        #expect(Self.bytes(try transcript.hash(hash)) == (try Self.digest(hash, Self.clientHello + Self.serverHello)))
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384])
    func prefixIsHashedButNotAdded(hash: HashAlgorithm) throws {
        var transcript = Transcript()
        transcript.update(Self.clientHello.span)
        let prefix = Self.serverHello
        #expect(Self.bytes(try transcript.hash(hash, appending: prefix.span))
                == (try Self.digest(hash, Self.clientHello + prefix)))
        // Still only the ClientHello.
        #expect(Self.bytes(try transcript.hash(hash)) == (try Self.digest(hash, Self.clientHello)))
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384])
    func messageHashReplacesTheFirstClientHello(hash: HashAlgorithm) throws {
        var transcript = Transcript()
        transcript.update(Self.clientHello.span)
        transcript.replaceWithMessageHash()
        transcript.update(Self.serverHello.span)
        let synthetic = [254, 0, 0, UInt8(hash.digestLength)] + (try Self.digest(hash, Self.clientHello))
        #expect(Self.bytes(try transcript.hash(hash)) == (try Self.digest(hash, synthetic + Self.serverHello)))
    }
}
