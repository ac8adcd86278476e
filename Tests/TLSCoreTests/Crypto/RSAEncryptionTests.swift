import CMbedTLS
import Testing
import TLSCore

/// RSA PKCS#1 v1.5 encryption (TLS 1.2 RSA key transport, RFC 5246 §7.4.7.1): the wrapper
/// encrypts under `TestKeys`' public key and Mbed TLS's own pk layer decrypts with the
/// private key, here in the test.
@Suite struct RSAEncryptionTests {
    /// Blinding randomness for Mbed TLS's private-key operation in the reference decryption.
    static let blindingRandom: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = {
        _, buffer, count in
        guard let buffer else { return -1 }
        var generator = SystemRandomNumberGenerator()
        for i in 0..<count { buffer[i] = UInt8.random(in: 0...255, using: &generator) }
        return 0
    }

    /// Decrypts with `mbedtls_pk_parse_key` / `mbedtls_pk_decrypt` on the PKCS#8 key.
    static func referenceDecrypt(_ ciphertext: [UInt8]) -> [UInt8]? {
        let pk = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)
        mbedtls_pk_init(pk)
        defer {
            mbedtls_pk_free(pk)
            pk.deallocate()
        }
        let der = TestKeys.rsaPKCS8
        let parsed = der.withUnsafeBufferPointer { mbedtls_pk_parse_key(pk, $0.baseAddress, $0.count, nil, 0) }
        #expect(parsed == 0)
        guard parsed == 0 else { return nil }
        var plaintext = [UInt8](repeating: 0, count: 256)
        var length = 0
        let status = ciphertext.withUnsafeBufferPointer { c in
            plaintext.withUnsafeMutableBufferPointer { p in
                mbedtls_pk_decrypt(pk, c.baseAddress, c.count, p.baseAddress, &length, p.count, blindingRandom, nil)
            }
        }
        guard status == 0 else { return nil }
        return Array(plaintext.prefix(length))
    }

    static func encrypt(_ message: [UInt8], random: inout Random) throws(TLSError) -> [UInt8] {
        let modulus = TestKeys.rsaModulus, exponent = TestKeys.rsaExponent
        var key = try PublicKey(rsaModulus: modulus.span, exponent: exponent.span)
        var n = 0
        let out = try filled(256) { (o) throws(TLSError) in
            n = try key.encryptPKCS1v15(message.span, random: &random, into: &o)
        }
        #expect(n == 256)
        return out
    }

    /// A TLS 1.2 pre-master secret: client_version 3,3 then 46 bytes.
    static let preMasterSecret: [UInt8] = [0x03, 0x03] + (0..<46).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }

    @Test func encryptsAPreMasterSecretThatMbedTLSDecrypts() throws {
        var random = try makeTestRandom()
        let ciphertext = try Self.encrypt(Self.preMasterSecret, random: &random)
        #expect(Self.referenceDecrypt(ciphertext) == Self.preMasterSecret)
    }

    @Test func paddingIsRandom() throws {
        var random = try makeTestRandom()
        let first = try Self.encrypt(Self.preMasterSecret, random: &random)
        let second = try Self.encrypt(Self.preMasterSecret, random: &random)
        #expect(first != second)
        #expect(Self.referenceDecrypt(first) == Self.preMasterSecret)
        #expect(Self.referenceDecrypt(second) == Self.preMasterSecret)
    }

    @Test func otherMessageLengths() throws {
        var random = try makeTestRandom()
        for count in [0, 1, 245] {  // 245 = 256 - 11, the PKCS#1 v1.5 maximum
            let message = [UInt8](repeating: 0xA5, count: count)
            let ciphertext = try Self.encrypt(message, random: &random)
            #expect(Self.referenceDecrypt(ciphertext) == message, "\(count) bytes")
        }
        let tooLong = thrownError { () throws(TLSError) in
            _ = try Self.encrypt([UInt8](repeating: 1, count: 246), random: &random)
        }
        #expect(tooLong != nil)
    }

    @Test func outputTooSmall() throws {
        var random = try makeTestRandom()
        let modulus = TestKeys.rsaModulus, exponent = TestKeys.rsaExponent
        var key = try PublicKey(rsaModulus: modulus.span, exponent: exponent.span)
        let message = Self.preMasterSecret
        let error = thrownError { () throws(TLSError) in
            _ = try filled(255) { (o) throws(TLSError) in
                _ = try key.encryptPKCS1v15(message.span, random: &random, into: &o)
            }
        }
        #expect(error == .bufferTooSmall(needed: 256, capacity: 255))
    }

    @Test func ecKeyCannotEncrypt() throws {
        var random = try makeTestRandom()
        let point = TestKeys.p256Point
        var key = try PublicKey(curve: .secp256r1, point: point.span)
        let message = Self.preMasterSecret
        let error = thrownError { () throws(TLSError) in
            _ = try filled(256) { (o) throws(TLSError) in
                _ = try key.encryptPKCS1v15(message.span, random: &random, into: &o)
            }
        }
        #expect(error != nil)
    }
}
