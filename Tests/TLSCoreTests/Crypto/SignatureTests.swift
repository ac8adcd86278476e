import Testing
import TLSCore

/// Signature verification and signing.
/// ECDSA known answers: RFC 6979 A.2.5 (P-256, SHA-256, message "sample") and A.2.6 (P-384,
/// SHA-384, "sample"); the (r, s) pairs are DER-encoded as Ecdsa-Sig-Value (RFC 3279 §2.2.3)
/// with Python's `cryptography` (`encode_dss_signature`), which also verified them and whose
/// deterministic signing reproduced the same r and s. RSA: see `TestKeys`.
@Suite struct SignatureTests {
    /// RFC 6979 A.2.5, SHA-256, "sample": r = EFD48B2A…EAF3716, s = F7CB1C94…43ACDA8, as DER.
    static let p256SampleSignature = [UInt8](hex: """
        3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716
        022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8
        """)
    /// RFC 6979 A.2.6, SHA-384, "sample": r = 94EDBB92…0FABE46, s = 99EF4AEB…8628AC8, as DER.
    static let p384SampleSignature = [UInt8](hex: """
        306602310094edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46
        02310099ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8
        """)
    static let sample = Array("sample".utf8)
    static let test = Array("test".utf8)

    struct ECDSAVector: Sendable, CustomTestStringConvertible {
        let name: String
        let curve: NamedGroup
        let hash: HashAlgorithm
        let point: [UInt8]
        let signature: [UInt8]
        var testDescription: String { name }
    }

    static let ecdsaVectors: [ECDSAVector] = [
        ECDSAVector(name: "RFC 6979 A.2.5 P-256 SHA-256", curve: .secp256r1, hash: .sha256,
                    point: TestKeys.p256Point, signature: p256SampleSignature),
        ECDSAVector(name: "RFC 6979 A.2.6 P-384 SHA-384", curve: .secp384r1, hash: .sha384,
                    point: TestKeys.p384Point, signature: p384SampleSignature),
    ]

    static func verifyECDSA(_ v: ECDSAVector, digest: [UInt8], signature: [UInt8]) -> TLSError? {
        thrownError { () throws(TLSError) in
            var key = try PublicKey(curve: v.curve, point: v.point.span)
            try key.verify(.ecdsa(v.hash), digest: digest.span, signature: signature.span)
        }
    }

    @Test(arguments: ecdsaVectors)
    func ecdsaKnownAnswer(_ v: ECDSAVector) throws {
        let digest = try TLSCoreTests.digest(v.hash, Self.sample)
        #expect(Self.verifyECDSA(v, digest: digest, signature: v.signature) == nil)
    }

    @Test(arguments: ecdsaVectors)
    func ecdsaEveryFlippedBitFails(_ v: ECDSAVector) throws {
        let digest = try TLSCoreTests.digest(v.hash, Self.sample)
        var key = try PublicKey(curve: v.curve, point: v.point.span)
        var accepted: [Int] = []
        for bit in 0..<(v.signature.count * 8) {
            var bad = v.signature
            bad[bit / 8] ^= UInt8(1 << (bit % 8))
            let error = thrownError { () throws(TLSError) in
                try key.verify(.ecdsa(v.hash), digest: digest.span, signature: bad.span)
            }
            if error != .badSignature { accepted.append(bit) }
        }
        #expect(accepted.isEmpty, "bits whose flip did not give badSignature: \(accepted)")
    }

    @Test(arguments: ecdsaVectors)
    func ecdsaRefusals(_ v: ECDSAVector) throws {
        let digest = try TLSCoreTests.digest(v.hash, Self.sample)
        #expect(Self.verifyECDSA(v, digest: digest, signature: Array(v.signature.dropLast())) == .badSignature, "truncated")
        #expect(Self.verifyECDSA(v, digest: digest, signature: Array(v.signature.prefix(8))) == .badSignature, "8 bytes")
        #expect(Self.verifyECDSA(v, digest: digest, signature: []) == .badSignature, "empty")
        #expect(Self.verifyECDSA(v, digest: digest, signature: v.signature + [0]) == .badSignature, "trailing byte")
        // The raw r||s form is not DER.
        let half = v.point.count / 2
        let raw = [UInt8](repeating: 0x5a, count: half * 2)
        #expect(Self.verifyECDSA(v, digest: digest, signature: raw) == .badSignature, "raw r||s")
        let other = try TLSCoreTests.digest(v.hash, Self.test)
        #expect(Self.verifyECDSA(v, digest: other, signature: v.signature) == .badSignature, "digest of \"test\"")
        var flippedDigest = digest
        flippedDigest[0] ^= 1
        #expect(Self.verifyECDSA(v, digest: flippedDigest, signature: v.signature) == .badSignature, "flipped digest bit")
        // A digest of the wrong length for the algorithm's hash is refused (any error).
        #expect(Self.verifyECDSA(v, digest: Array(digest.dropLast()), signature: v.signature) != nil, "short digest")
    }

    @Test func ecdsaSignatureDoesNotVerifyUnderAnotherKey() throws {
        // RFC 5903 §8.1's g^i (P-256) and §8.2's g^i (P-384) as the "other" keys.
        let otherP256 = [0x04] + [UInt8](hex: "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
            + "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3")
        let otherP384 = [0x04] + [UInt8](hex:
            "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA"
            + "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C")
        let d256 = try digest(.sha256, Self.sample)
        let d384 = try digest(.sha384, Self.sample)
        let e1 = thrownError { () throws(TLSError) in
            var key = try PublicKey(curve: .secp256r1, point: otherP256.span)
            try key.verify(.ecdsa(.sha256), digest: d256.span, signature: Self.p256SampleSignature.span)
        }
        #expect(e1 == .badSignature)
        let e2 = thrownError { () throws(TLSError) in
            var key = try PublicKey(curve: .secp384r1, point: otherP384.span)
            try key.verify(.ecdsa(.sha384), digest: d384.span, signature: Self.p384SampleSignature.span)
        }
        #expect(e2 == .badSignature)
    }

    @Test func publicKeyRefusesBadPoints() {
        var offCurve = TestKeys.p256Point
        offCurve[64] ^= 1
        for (name, point) in [("off curve", offCurve), ("compressed", [0x02] + Array(TestKeys.p256Point[1..<33])),
                              ("0x00", [0x00]), ("short", Array(TestKeys.p256Point.dropLast())),
                              ("P-384 point on P-256", TestKeys.p384Point)] {
            let error = thrownError { () throws(TLSError) in _ = try PublicKey(curve: .secp256r1, point: point.span) }
            #expect(error != nil, "\(name)")
        }
        let point = TestKeys.p256Point
        #expect(thrownError { () throws(TLSError) in _ = try PublicKey(curve: .x25519, point: point.span) } != nil,
                "X25519 is not a signature curve")
    }

    // MARK: RSA

    struct RSAVector: Sendable, CustomTestStringConvertible {
        let algorithm: SignatureAlgorithm
        let signature: [UInt8]
        var testDescription: String { "\(algorithm)" }
    }

    static let rsaVectors: [RSAVector] = [
        RSAVector(algorithm: .rsaPKCS1(.sha256), signature: TestKeys.sig_pkcs1_sha256),
        RSAVector(algorithm: .rsaPKCS1(.sha384), signature: TestKeys.sig_pkcs1_sha384),
        RSAVector(algorithm: .rsaPKCS1(.sha512), signature: TestKeys.sig_pkcs1_sha512),
        RSAVector(algorithm: .rsaPSS(.sha256), signature: TestKeys.sig_pss_sha256),
        RSAVector(algorithm: .rsaPSS(.sha384), signature: TestKeys.sig_pss_sha384),
    ]

    static func verifyRSA(_ algorithm: SignatureAlgorithm, modulus: [UInt8] = TestKeys.rsaModulus,
                          digest: [UInt8], signature: [UInt8]) -> TLSError? {
        thrownError { () throws(TLSError) in
            let exponent = TestKeys.rsaExponent
            var key = try PublicKey(rsaModulus: modulus.span, exponent: exponent.span)
            try key.verify(algorithm, digest: digest.span, signature: signature.span)
        }
    }

    @Test(arguments: rsaVectors)
    func rsaKnownSignatures(_ v: RSAVector) throws {
        let digest = try TLSCoreTests.digest(v.algorithm.hash, TestKeys.rsaMessage)
        #expect(Self.verifyRSA(v.algorithm, digest: digest, signature: v.signature) == nil)
        // Leading zero bytes on the modulus and exponent are allowed.
        let e = thrownError { () throws(TLSError) in
            let modulus = [0, 0] + TestKeys.rsaModulus
            let exponent = [0] + TestKeys.rsaExponent
            var key = try PublicKey(rsaModulus: modulus.span, exponent: exponent.span)
            try key.verify(v.algorithm, digest: digest.span, signature: v.signature.span)
        }
        #expect(e == nil)
    }

    @Test(arguments: rsaVectors)
    func rsaRefusals(_ v: RSAVector) throws {
        let digest = try TLSCoreTests.digest(v.algorithm.hash, TestKeys.rsaMessage)
        for byte in [0, 1, 100, 200, 255] {
            var bad = v.signature
            bad[byte] ^= 0x10
            #expect(Self.verifyRSA(v.algorithm, digest: digest, signature: bad) == .badSignature, "flipped bit in byte \(byte)")
        }
        #expect(Self.verifyRSA(v.algorithm, digest: digest, signature: Array(v.signature.dropLast())) == .badSignature, "truncated")
        #expect(Self.verifyRSA(v.algorithm, digest: digest, signature: v.signature + [0]) == .badSignature, "one byte long")
        #expect(Self.verifyRSA(v.algorithm, digest: digest, signature: []) == .badSignature, "empty")
        var badDigest = digest
        badDigest[digest.count - 1] ^= 1
        #expect(Self.verifyRSA(v.algorithm, digest: badDigest, signature: v.signature) == .badSignature, "other digest")
        #expect(Self.verifyRSA(v.algorithm, modulus: TestKeys.otherRSAModulus, digest: digest, signature: v.signature)
            == .badSignature, "another key")
        // The same signature under the other padding scheme fails.
        let swapped: SignatureAlgorithm = switch v.algorithm {
        case .rsaPKCS1(let h): .rsaPSS(h)
        default: .rsaPKCS1(v.algorithm.hash)
        }
        #expect(Self.verifyRSA(swapped, digest: digest, signature: v.signature) == .badSignature, "as \(swapped)")
        // An ECDSA algorithm on an RSA key is refused.
        #expect(Self.verifyRSA(.ecdsa(v.algorithm.hash), digest: digest, signature: v.signature) != nil)
    }

    @Test func pkcs1SignatureUnderAnotherHashFails() throws {
        let d384 = try digest(.sha384, TestKeys.rsaMessage)
        #expect(Self.verifyRSA(.rsaPKCS1(.sha384), digest: d384, signature: TestKeys.sig_pkcs1_sha256) == .badSignature)
    }

    // MARK: Signing

    static let rsaAlgorithms: [SignatureAlgorithm] = [
        .rsaPKCS1(.sha256), .rsaPKCS1(.sha384), .rsaPKCS1(.sha512), .rsaPSS(.sha256), .rsaPSS(.sha384), .rsaPSS(.sha512),
    ]

    /// PKCS#1 RSAPrivateKey, cut out of the PKCS#8 PrivateKeyInfo: its OCTET STRING
    /// (04 82 04 a7) starts at byte 22.
    static var rsaPKCS1Key: [UInt8] {
        let p8 = TestKeys.rsaPKCS8
        precondition(Array(p8[22..<26]) == [0x04, 0x82, 0x04, 0xa7] && p8.count == 26 + 0x04a7)
        return Array(p8[26...])
    }

    @Test(arguments: rsaAlgorithms, [false, true])
    func rsaSignAndVerify(_ algorithm: SignatureAlgorithm, _ pkcs1Encoding: Bool) throws {
        let der = pkcs1Encoding ? Self.rsaPKCS1Key : TestKeys.rsaPKCS8
        var key = try PrivateKey(der: der.span)
        var random = try makeTestRandom()
        let digest = try TLSCoreTests.digest(algorithm.hash, TestKeys.rsaMessage)
        var n = 0
        let signature = try filled(256) { (o) throws(TLSError) in
            n = try key.sign(algorithm, digest: digest.span, random: &random, into: &o)
        }
        #expect(n == 256)
        #expect(Self.verifyRSA(algorithm, digest: digest, signature: signature) == nil)
        #expect(Self.verifyRSA(algorithm, modulus: TestKeys.otherRSAModulus, digest: digest, signature: signature) == .badSignature)
        if case .rsaPKCS1 = algorithm, algorithm.hash != .sha512 {
            // PKCS#1 v1.5 is deterministic: the same bytes Python made.
            #expect(signature == (algorithm.hash == .sha256 ? TestKeys.sig_pkcs1_sha256 : TestKeys.sig_pkcs1_sha384))
        }
        if case .rsaPKCS1(.sha512) = algorithm { #expect(signature == TestKeys.sig_pkcs1_sha512) }
    }

    struct ECKey: Sendable, CustomTestStringConvertible {
        let name: String
        let der: [UInt8]
        let curve: NamedGroup
        let point: [UInt8]
        let hash: HashAlgorithm
        var testDescription: String { name }
    }

    static let ecKeys: [ECKey] = [
        ECKey(name: "P-256 PKCS#8", der: TestKeys.p256PKCS8, curve: .secp256r1, point: TestKeys.p256Point, hash: .sha256),
        ECKey(name: "P-256 SEC1", der: TestKeys.p256SEC1, curve: .secp256r1, point: TestKeys.p256Point, hash: .sha256),
        ECKey(name: "P-384 PKCS#8", der: TestKeys.p384PKCS8, curve: .secp384r1, point: TestKeys.p384Point, hash: .sha384),
    ]

    @Test(arguments: ecKeys)
    func ecdsaSignAndVerify(_ k: ECKey) throws {
        var key = try PrivateKey(der: k.der.span)
        var random = try makeTestRandom()
        let digest = try TLSCoreTests.digest(k.hash, Self.sample)
        var signatures: [[UInt8]] = []
        for _ in 0..<2 {
            var n = 0
            let out = try filled(160) { (o) throws(TLSError) in
                n = try key.sign(.ecdsa(k.hash), digest: digest.span, random: &random, into: &o)
            }
            let signature = Array(out.prefix(n))
            #expect(signature.first == 0x30 && n > 8 && n <= (k.curve == .secp256r1 ? 72 : 104))
            let v = ECDSAVector(name: k.name, curve: k.curve, hash: k.hash, point: k.point, signature: signature)
            #expect(Self.verifyECDSA(v, digest: digest, signature: signature) == nil)
            let other = try TLSCoreTests.digest(k.hash, Self.test)
            #expect(Self.verifyECDSA(v, digest: other, signature: signature) == .badSignature)
            signatures.append(signature)
        }
        // An ECDSA signature by the EC key does not verify under the RSA key, nor an RSA
        // algorithm on this key.
        #expect(Self.verifyRSA(.rsaPKCS1(k.hash), digest: digest, signature: signatures[0]) == .badSignature)
        let e = thrownError { () throws(TLSError) in
            _ = try filled(256) { (o) throws(TLSError) in
                _ = try key.sign(.rsaPKCS1(k.hash), digest: digest.span, random: &random, into: &o)
            }
        }
        #expect(e != nil)
    }

    @Test func rsaSignatureBufferTooSmall() throws {
        let der = TestKeys.rsaPKCS8
        var key = try PrivateKey(der: der.span)
        var random = try makeTestRandom()
        let digest = try TLSCoreTests.digest(.sha256, TestKeys.rsaMessage)
        let e = thrownError { () throws(TLSError) in
            _ = try filled(255) { (o) throws(TLSError) in
                _ = try key.sign(.rsaPKCS1(.sha256), digest: digest.span, random: &random, into: &o)
            }
        }
        #expect(e == .bufferTooSmall(needed: 256, capacity: 255))
    }

    @Test func privateKeyRefusesGarbage() {
        for (name, der) in [("empty", []), ("truncated PKCS#8", Array(TestKeys.p256PKCS8.dropLast(10))),
                            ("not DER", [UInt8](repeating: 0x41, count: 40))] as [(String, [UInt8])] {
            let e = thrownError { () throws(TLSError) in _ = try PrivateKey(der: der.span) }
            #expect(e != nil, "\(name)")
        }
    }

    /// A DER value ends where its outer SEQUENCE ends; bytes after it are not part of the key.
    /// Mbed TLS 2.28's `mbedtls_pk_parse_key` ignores them, so the wrapper checks first.
    @Test func privateKeyRefusesTrailingBytes() {
        for (name, der) in [("PKCS#8 + 00", TestKeys.p256PKCS8 + [0]), ("SEC1 + 00", TestKeys.p256SEC1 + [0]),
                            ("RSA PKCS#8 + 00", TestKeys.rsaPKCS8 + [0])] as [(String, [UInt8])] {
            let e = thrownError { () throws(TLSError) in _ = try PrivateKey(der: der.span) }
            #expect(e != nil, "\(name)")
        }
    }

    // MARK: SignatureScheme codes (RFC 8446 §4.2.3)

    @Test func signatureSchemeCodes() {
        let table: [(UInt16, SignatureAlgorithm)] = [
            (0x0403, .ecdsa(.sha256)), (0x0503, .ecdsa(.sha384)), (0x0603, .ecdsa(.sha512)),
            (0x0401, .rsaPKCS1(.sha256)), (0x0501, .rsaPKCS1(.sha384)), (0x0601, .rsaPKCS1(.sha512)),
            (0x0804, .rsaPSS(.sha256)), (0x0805, .rsaPSS(.sha384)), (0x0806, .rsaPSS(.sha512)),
        ]
        for (code, algorithm) in table {
            #expect(SignatureAlgorithm(tlsSignatureScheme: code) == algorithm, "0x\(String(code, radix: 16))")
            #expect(algorithm.tlsSignatureScheme == code)
        }
        #expect(SignatureAlgorithm.ecdsa(.sha384).hash == .sha384)
        #expect(SignatureAlgorithm.rsaPSS(.sha512).hash == .sha512)
        // rsa_pkcs1_sha1, ecdsa_sha1, ed25519, ed448, rsa_pss_pss_*, unassigned values.
        for code: UInt16 in [0x0201, 0x0203, 0x0202, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0000, 0x0402, 0x0703, 0xffff] {
            #expect(SignatureAlgorithm(tlsSignatureScheme: code) == nil, "0x\(String(code, radix: 16))")
        }
    }
}
