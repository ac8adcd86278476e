import Testing
import TLSCore
import TLSPlatform

/// ② ServerKeyExchange through the sans-I/O engine with a real chain (server-ec, int-ec) and
/// signatures made here with the fixture server key: the good case reaches the client's
/// flight, every bad one ends typed with the prescribed alert.
@Suite struct ServerKeyExchangeTests {
    static let serverRandom = [UInt8](repeating: 0x42, count: 32)

    /// Runs ClientHello, ServerHello, Certificate, then the ServerKeyExchange `body` builds
    /// from (client random, server random), then ServerHelloDone. Returns the error, if
    /// any, and what the engine queued after the ClientHello.
    static func exchange(
        reassemblySize: Int = 4096, _ body: ([UInt8], [UInt8]) throws -> [UInt8]
    ) throws -> (TLSError?, [UInt8]) {
        let anchors = Fixtures.der("root-ec")
        let name = Array("localhost".utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
            time: 1_893_456_000, suites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256))
        return try EngineHarness.withStartedEngine(configuration, reassemblySize: reassemblySize) { engine, hello in
            let clientRandom = Array(hello[11..<43])

            let serverHello = EngineTests.serverHello(random: serverRandom, extensions: [0, 23, 0, 0])
            var list: [UInt8] = []
            for certificate in ["server-ec", "int-ec"].map({ Fixtures.der($0) }) {
                list += [0, UInt8(certificate.count >> 8), UInt8(certificate.count & 0xFF)] + certificate
            }
            let certificate = EngineTests.record(22, EngineTests.handshake(11, [0, UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list))
            let keyExchange = EngineTests.record(22, EngineTests.handshake(12, try body(clientRandom, serverRandom)))
            let done = EngineTests.record(22, EngineTests.handshake(14, []))
            do throws(TLSError) {
                try EngineTests.feed(&engine, serverHello + certificate)
                try EngineTests.feed(&engine, keyExchange)
                try EngineTests.feed(&engine, done)
                return (nil, EngineTests.bytes(engine.outgoing))
            } catch {
                return (error, EngineTests.bytes(engine.outgoing))
            }
        }
    }

    /// ServerECDHParams ‖ scheme ‖ signature, signed with the fixture server key.
    static func signedParameters(
        curveType: UInt8 = 3, group: UInt16 = 23, point: [UInt8]? = nil, scheme: UInt16 = 0x0403,
        clientRandom: [UInt8], serverRandom: [UInt8]
    ) throws -> [UInt8] {
        var publicKey = point ?? []
        if point == nil {
            var random = try Random(entropy: SystemEntropy.source, personalization: Span())
            let pair = try ECDHE(group: .secp256r1, random: &random)
            publicKey = [UInt8](repeating: 0, count: 65)
            var span = publicKey.mutableSpan
            _ = try pair.writePublicKey(into: &span)
        }
        let parameters = [curveType, UInt8(group >> 8), UInt8(group & 0xFF), UInt8(publicKey.count)] + publicKey
        let signed = clientRandom + serverRandom + parameters
        var digest = [UInt8](repeating: 0, count: 32)
        do {
            var span = digest.mutableSpan
            _ = try Digest.hash(.sha256, signed.span, into: &span)
        }
        let keyDER = Fixtures.der("server-ec.key.der")
        var key = try PrivateKey(der: keyDER.span)
        var random = try Random(entropy: SystemEntropy.source, personalization: Span())
        var signature = [UInt8](repeating: 0, count: 160)
        let length: Int
        do {
            var span = signature.mutableSpan
            length = try key.sign(.ecdsa(.sha256), digest: digest.span, random: &random, into: &span)
        }
        return parameters + [UInt8(scheme >> 8), UInt8(scheme & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF)]
            + signature[0..<length]
    }

    static func expect(_ result: (TLSError?, [UInt8]), _ error: TLSError, alert: UInt8) {
        #expect(result.0 == error)
        #expect(result.1 == [21, 3, 3, 0, 2, 2, alert])
    }

    @Test func goodKeyExchangeLeadsToTheClientFlight() throws {
        let (error, queued) = try Self.exchange { try Self.signedParameters(clientRandom: $0, serverRandom: $1) }
        #expect(error == nil)
        // ClientKeyExchange (plaintext handshake record), ChangeCipherSpec, then Finished
        // under the new keys (8-byte explicit nonce + 16 bytes + 16-byte tag).
        #expect(queued.first == 22)
        let keyExchangeRecord = 5 + (Int(queued[3]) << 8 | Int(queued[4]))
        #expect(Array(queued[keyExchangeRecord..<(keyExchangeRecord + 6)]) == [20, 3, 3, 0, 1, 1])
        #expect(Array(queued[(keyExchangeRecord + 6)...]).count == 5 + 8 + 16 + 16)
    }

    /// The Certificate message (about 1.4 KB here) arrives whole in one record, so it is
    /// read where it lies: a 512-byte reassembly region, which only stages the client's own
    /// messages, is enough.
    @Test func wholeMessagesNeedNoReassemblyRoom() throws {
        let (error, queued) = try Self.exchange(reassemblySize: 512) {
            try Self.signedParameters(clientRandom: $0, serverRandom: $1)
        }
        #expect(error == nil)
        #expect(queued.first == 22)
    }

    @Test func pointOffTheCurve() throws {
        var random = try Random(entropy: SystemEntropy.source, personalization: Span())
        let pair = try ECDHE(group: .secp256r1, random: &random)
        var point = [UInt8](repeating: 0, count: 65)
        do {
            var span = point.mutableSpan
            _ = try pair.writePublicKey(into: &span)
        }
        point[64] ^= 1
        let result = try Self.exchange { try Self.signedParameters(point: point, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .invalidPeerKey, alert: 47)
    }

    @Test func compressedPoint() throws {
        let point = [UInt8(2)] + [UInt8](repeating: 7, count: 32)
        let result = try Self.exchange { try Self.signedParameters(point: point, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .invalidPeerKey, alert: 47)
    }

    /// Signed over another server random: a replayed or forged ServerKeyExchange.
    @Test func signatureOverOtherRandoms() throws {
        let result = try Self.exchange { client, _ in
            try Self.signedParameters(clientRandom: client, serverRandom: [UInt8](repeating: 0x43, count: 32))
        }
        Self.expect(result, .badSignature, alert: 51)
    }

    @Test func schemeNotOffered() throws {
        // ecdsa_sha1 (0x0203) is not in signature_algorithms.
        let result = try Self.exchange { try Self.signedParameters(scheme: 0x0203, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .illegalParameter, alert: 47)
    }

    @Test func schemeForAnotherKeyType() throws {
        // rsa_pkcs1_sha256 for an ECDSA certificate.
        let result = try Self.exchange { try Self.signedParameters(scheme: 0x0401, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .illegalParameter, alert: 47)
    }

    @Test func explicitCurveParameters() throws {
        let result = try Self.exchange { try Self.signedParameters(curveType: 1, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .illegalParameter, alert: 47)
    }

    @Test func groupNotOffered() throws {
        // secp521r1 (25) was never offered.
        let result = try Self.exchange { try Self.signedParameters(group: 25, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .illegalParameter, alert: 47)
    }

    @Test func groupAndPointDisagree() throws {
        // A P-256 point announced as secp384r1: wrong length for the group.
        let result = try Self.exchange { try Self.signedParameters(group: 24, clientRandom: $0, serverRandom: $1) }
        Self.expect(result, .invalidPeerKey, alert: 47)
    }
}
