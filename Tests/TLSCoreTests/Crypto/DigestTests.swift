import Testing
import TLSCore

/// Known answers from FIPS 180-2 (SHA-256: B.1 "abc", B.2 the 448-bit message; SHA-384: D.1
/// "abc", D.2 the 896-bit message; SHA-512: C.1 "abc", C.2 the 896-bit message). Every value
/// was re-computed with Python's hashlib before it went in.
@Suite struct DigestTests {
    static let abc = Array("abc".utf8)
    /// FIPS 180-2 B.2: 448 bits.
    static let message448 = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    /// FIPS 180-2 C.2 / D.2: 896 bits.
    static let message896 = Array(
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
            + "klmnopqrlmnopqrsmnopqrstnopqrstu").utf8)

    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: HashAlgorithm
        let message: [UInt8]
        let expected: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "SHA-256 abc (B.1)", algorithm: .sha256, message: abc,
               expected: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(name: "SHA-256 448-bit (B.2)", algorithm: .sha256, message: message448,
               expected: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        Vector(name: "SHA-384 abc (D.1)", algorithm: .sha384, message: abc,
               expected: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                   + "8086072ba1e7cc2358baeca134c825a7"),
        Vector(name: "SHA-384 896-bit (D.2)", algorithm: .sha384, message: message896,
               expected: "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
                   + "fcc7c71a557e2db966c3e9fa91746039"),
        Vector(name: "SHA-512 abc (C.1)", algorithm: .sha512, message: abc,
               expected: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                   + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        Vector(name: "SHA-512 896-bit (C.2)", algorithm: .sha512, message: message896,
               expected: "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                   + "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
        // FIPS 180-2 gives SHA-384/512 only the 896-bit message; these two values for the
        // 448-bit message come from Python's hashlib (OpenSSL), as a second implementation.
        Vector(name: "SHA-384 448-bit (hashlib)", algorithm: .sha384, message: message448,
               expected: "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6"
                   + "b0455a8520bc4e6f5fe95b1fe3c8452b"),
        Vector(name: "SHA-512 448-bit (hashlib)", algorithm: .sha512, message: message448,
               expected: "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                   + "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"),
    ]

    @Test(arguments: vectors)
    func oneShot(_ v: Vector) throws {
        var out = [UInt8](repeating: 0, count: 64)
        let n: Int
        do {
            var span = out.mutableSpan
            n = try Digest.hash(v.algorithm, v.message.span, into: &span)
        }
        #expect(n == v.algorithm.digestLength)
        #expect(Array(out[..<n]).hex == v.expected)
    }

    @Test(arguments: vectors)
    func incrementalInPiecesEqualsOneShot(_ v: Vector) throws {
        var digest = Digest(v.algorithm)
        #expect(digest.algorithm == v.algorithm)
        // Pieces of 0, 1, 2, 3, ... bytes until the message is used up.
        var offset = 0
        var size = 0
        while offset < v.message.count {
            let end = min(offset + size, v.message.count)
            let piece = Array(v.message[offset..<end])
            digest.update(piece.span)
            offset = end
            size += 1
        }
        let out = try filled(v.algorithm.digestLength) { (span) throws(TLSError) in
            #expect(try digest.currentDigest(into: &span) == v.algorithm.digestLength)
        }
        #expect(out.hex == v.expected)
    }

    /// The transcript-hash use: a digest taken mid-stream is the hash of the prefix, and the
    /// running state carries on to the hash of the whole message.
    @Test(arguments: [HashAlgorithm.sha256, .sha384, .sha512])
    func currentDigestMidStreamThenContinue(_ algorithm: HashAlgorithm) throws {
        let message = Self.message896
        let prefix = Array(message[..<37])
        let rest = Array(message[37...])
        var digest = Digest(algorithm)
        digest.update(prefix.span)
        let mid = try filled(algorithm.digestLength) { (span) throws(TLSError) in
            _ = try digest.currentDigest(into: &span)
        }
        #expect(mid == (try TLSCoreTests.digest(algorithm, prefix)))
        // Asking twice does not disturb the state.
        let midAgain = try filled(algorithm.digestLength) { (span) throws(TLSError) in
            _ = try digest.currentDigest(into: &span)
        }
        #expect(midAgain == mid)
        digest.update(rest.span)
        let full = try filled(algorithm.digestLength) { (span) throws(TLSError) in
            _ = try digest.currentDigest(into: &span)
        }
        #expect(full == (try TLSCoreTests.digest(algorithm, message)))
        if algorithm == .sha384 {
            #expect(full.hex == "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
                + "fcc7c71a557e2db966c3e9fa91746039")
        }
    }

    @Test func emptyMessage() throws {
        // SHA-256("") (FIPS 180-2 padding of the empty message; the TLS 1.3 empty transcript hash).
        #expect(try digest(.sha256, []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384, .sha512])
    func outputTooSmallThrows(_ algorithm: HashAlgorithm) {
        let error = thrownError { () throws(TLSError) in
            _ = try filled(algorithm.digestLength - 1) { (span) throws(TLSError) in
                _ = try Digest.hash(algorithm, Self.abc.span, into: &span)
            }
        }
        #expect(error != nil)
        let error2 = thrownError { () throws(TLSError) in
            let d = Digest(algorithm)
            _ = try filled(algorithm.digestLength - 1) { (span) throws(TLSError) in
                _ = try d.currentDigest(into: &span)
            }
        }
        #expect(error2 != nil)
    }

    @Test func digestLengths() {
        #expect(HashAlgorithm.sha256.digestLength == 32)
        #expect(HashAlgorithm.sha384.digestLength == 48)
        #expect(HashAlgorithm.sha512.digestLength == 64)
    }
}
