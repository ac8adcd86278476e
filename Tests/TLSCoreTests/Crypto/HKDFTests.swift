import Testing
import TLSCore

/// HKDF (RFC 5869 Appendix A.1–A.3, SHA-256) and the TLS 1.3 key schedule of RFC 8448 §3
/// ("Simple 1-RTT Handshake"). Every value was re-derived with Python (hmac/hashlib and
/// cryptography's X25519) from the inputs quoted here before it went in.
@Suite struct HKDFTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let ikm: [UInt8]
        let salt: [UInt8]
        let info: [UInt8]
        let prk: String
        let okm: String
        var testDescription: String { name }
    }

    static let rfc5869: [Vector] = [
        Vector(name: "RFC 5869 A.1", ikm: [UInt8](repeating: 0x0b, count: 22), salt: Array(0x00...0x0c),
               info: Array(0xf0...0xf9),
               prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
               okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Vector(name: "RFC 5869 A.2", ikm: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff),
               prk: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
               okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                   + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                   + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        Vector(name: "RFC 5869 A.3", ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [],
               prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
               okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    @Test(arguments: rfc5869)
    func extractAndExpand(_ v: Vector) throws {
        var n = 0
        let prk = try filled(32) { (o) throws(TLSError) in
            n = try HKDF.extract(.sha256, salt: v.salt.span, inputKeyMaterial: v.ikm.span, into: &o)
        }
        #expect(n == 32)
        #expect(prk.hex == v.prk)
        let okm = try filled(v.okm.count / 2) { (o) throws(TLSError) in
            try HKDF.expand(.sha256, pseudorandomKey: prk.span, info: v.info.span, into: &o)
        }
        #expect(okm.hex == v.okm)
    }

    @Test func expandRefusesMoreThan255Blocks() {
        let prk = [UInt8](repeating: 1, count: 32)
        let error = thrownError { () throws(TLSError) in
            _ = try filled(255 * 32 + 1) { (o) throws(TLSError) in
                try HKDF.expand(.sha256, pseudorandomKey: prk.span, info: [UInt8]().span, into: &o)
            }
        }
        #expect(error != nil)
    }

    // MARK: RFC 8448 §3

    /// ClientHello and ServerHello handshake messages (with their 4-byte headers), RFC 8448 §3.
    static let clientHello = [UInt8](hex: """
        010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef
        6283024dece7000006130113031302010000910000000b000900000673657276
        6572ff01000100000a00140012001d0017001800190100010101020103010400
        230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e
        51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603
        020308040805080604010501060102010402050206020202002d00020101001c
        00024001
        """)
    static let serverHello = [UInt8](hex: """
        020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155
        772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb
        f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304
        """)
    /// The (EC)DHE shared secret of RFC 8448 §3 (X25519 of the client's private key and the
    /// server's share; ECDHETests checks that derivation).
    static let sharedSecret = [UInt8](hex: "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
    static let earlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
    static let derivedEarly = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
    static let handshakeSecret = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
    static let transcriptCHSH = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
    static let clientHandshakeTraffic = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
    static let serverHandshakeTraffic = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
    static let serverHandshakeKey = "3fce516009c21727d0f2e4e86ee403bc"
    static let serverHandshakeIV = "5d313eb2671276ee13000b30"

    @Test func rfc8448KeySchedule() throws {
        #expect(Self.clientHello.count == 196 && Self.serverHello.count == 90)
        let zeros = [UInt8](repeating: 0, count: 32)
        // early_secret = HKDF-Extract(salt = 0, IKM = 32 zero bytes)
        let early = try filled(32) { (o) throws(TLSError) in
            _ = try HKDF.extract(.sha256, salt: zeros.span, inputKeyMaterial: zeros.span, into: &o)
        }
        #expect(early.hex == Self.earlySecret)
        // An empty salt is the same key to HMAC as HashLen zeros.
        let earlyEmptySalt = try filled(32) { (o) throws(TLSError) in
            _ = try HKDF.extract(.sha256, salt: [UInt8]().span, inputKeyMaterial: zeros.span, into: &o)
        }
        #expect(earlyEmptySalt == early)

        // Derive-Secret(early, "derived", "") — the transcript hash of no messages.
        let emptyHash = try digest(.sha256, [])
        let derived = try filled(32) { (o) throws(TLSError) in
            try HKDF.deriveSecret(.sha256, secret: early.span, label: "derived", transcriptHash: emptyHash.span, into: &o)
        }
        #expect(derived.hex == Self.derivedEarly)

        let handshake = try filled(32) { (o) throws(TLSError) in
            _ = try HKDF.extract(.sha256, salt: derived.span, inputKeyMaterial: Self.sharedSecret.span, into: &o)
        }
        #expect(handshake.hex == Self.handshakeSecret)

        var transcript = Digest(.sha256)
        transcript.update(Self.clientHello.span)
        transcript.update(Self.serverHello.span)
        let hash = try filled(32) { (o) throws(TLSError) in _ = try transcript.currentDigest(into: &o) }
        #expect(hash.hex == Self.transcriptCHSH)

        let clientTraffic = try filled(32) { (o) throws(TLSError) in
            try HKDF.deriveSecret(.sha256, secret: handshake.span, label: "c hs traffic", transcriptHash: hash.span, into: &o)
        }
        #expect(clientTraffic.hex == Self.clientHandshakeTraffic)
        let serverTraffic = try filled(32) { (o) throws(TLSError) in
            try HKDF.deriveSecret(.sha256, secret: handshake.span, label: "s hs traffic", transcriptHash: hash.span, into: &o)
        }
        #expect(serverTraffic.hex == Self.serverHandshakeTraffic)

        let key = try filled(16) { (o) throws(TLSError) in
            try HKDF.expandLabel(.sha256, secret: serverTraffic.span, label: "key", context: [UInt8]().span, into: &o)
        }
        #expect(key.hex == Self.serverHandshakeKey)
        let iv = try filled(12) { (o) throws(TLSError) in
            try HKDF.expandLabel(.sha256, secret: serverTraffic.span, label: "iv", context: [UInt8]().span, into: &o)
        }
        #expect(iv.hex == Self.serverHandshakeIV)
    }

    /// Derive-Secret is HKDF-Expand-Label(secret, label, hash, Hash.length).
    @Test func deriveSecretIsExpandLabelOfHashLength() throws {
        let secret = [UInt8](hex: Self.handshakeSecret)
        let hash = [UInt8](hex: Self.transcriptCHSH)
        let a = try filled(32) { (o) throws(TLSError) in
            try HKDF.deriveSecret(.sha256, secret: secret.span, label: "c hs traffic", transcriptHash: hash.span, into: &o)
        }
        let b = try filled(32) { (o) throws(TLSError) in
            try HKDF.expandLabel(.sha256, secret: secret.span, label: "c hs traffic", context: hash.span, into: &o)
        }
        #expect(a == b)
    }
}
