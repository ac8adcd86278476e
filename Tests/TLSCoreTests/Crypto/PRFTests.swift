import CMbedTLS
import Testing
import TLSCore

/// TLS 1.2 PRF (RFC 5246 §5). Known answers: the P_SHA256 and P_SHA384 vectors posted to
/// the IETF TLS working group list ("TLS 1.2 test vectors", 2010,
/// https://www.ietf.org/mail-archive/web/tls/current/msg03416.html), re-computed with a
/// Python P_hash and checked against `mbedtls_ssl_tls_prf` below. Everything else is a
/// cross-check against Mbed TLS's own PRF.
@Suite struct PRFTests {
    static let secret256 = [UInt8](hex: "9bbe436ba940f017b17652849a71db35")
    static let seed256 = [UInt8](hex: "a0ba9f936cda311827a6f796ffd5198c")
    static let expected256 =
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
        + "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
        + "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
        + "87347b66"
    static let secret384 = [UInt8](hex: "b80b733d6ceefcdc71566ea48e5567df")
    static let seed384 = [UInt8](hex: "cd665cf6a8447dd6ff8b27555edb7465")
    static let expected384 =
        "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
        + "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
        + "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
        + "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
        + "91c8f3a26854308d5eaa3be85e0990703d73e56f"

    /// Mbed TLS's PRF over label || seed (the label as a C string).
    static func reference(_ hash: HashAlgorithm, secret: [UInt8], label: String, seed: [UInt8], count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let type = hash == .sha384 ? MBEDTLS_SSL_TLS_PRF_SHA384 : MBEDTLS_SSL_TLS_PRF_SHA256
        let status = secret.withUnsafeBufferPointer { s in
            seed.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer { d in
                    mbedtls_ssl_tls_prf(type, s.baseAddress, s.count, label, r.baseAddress, r.count, d.baseAddress, d.count)
                }
            }
        }
        #expect(status == 0)
        return out
    }

    @Test func publishedSHA256Vector() throws {
        let out = try filled(100) { (o) throws(TLSError) in
            try PRF.derive(.sha256, secret: Self.secret256.span, label: "test label",
                           seed: Self.seed256.span, seed2: [UInt8]().span, into: &o)
        }
        #expect(out.hex == Self.expected256)
        #expect(Self.reference(.sha256, secret: Self.secret256, label: "test label", seed: Self.seed256, count: 100).hex
            == Self.expected256)
    }

    @Test func publishedSHA384Vector() throws {
        let out = try filled(148) { (o) throws(TLSError) in
            try PRF.derive(.sha384, secret: Self.secret384.span, label: "test label",
                           seed: Self.seed384.span, seed2: [UInt8]().span, into: &o)
        }
        #expect(out.hex == Self.expected384)
        #expect(Self.reference(.sha384, secret: Self.secret384, label: "test label", seed: Self.seed384, count: 148).hex
            == Self.expected384)
    }

    /// A 48-byte secret and 64-byte random, like a master secret and the two hello randoms.
    static let secret = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    static let random = (0..<64).map { UInt8(truncatingIfNeeded: 0xF0 &- $0 &* 3) }

    @Test(arguments: [HashAlgorithm.sha256, .sha384], [12, 48, 104, 200])
    func matchesMbedTLSWithSeedWhole(_ hash: HashAlgorithm, _ count: Int) throws {
        let out = try filled(count) { (o) throws(TLSError) in
            try PRF.derive(hash, secret: Self.secret.span, label: "key expansion",
                           seed: Self.random.span, seed2: [UInt8]().span, into: &o)
        }
        #expect(out == Self.reference(hash, secret: Self.secret, label: "key expansion", seed: Self.random, count: count))
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384], [12, 48, 104, 200])
    func matchesMbedTLSWithSeedSplit(_ hash: HashAlgorithm, _ count: Int) throws {
        // Split points: the usual client_random || server_random halves, and uneven ones.
        for split in [32, 0, 1, 63, 64] {
            let first = Array(Self.random[..<split])
            let second = Array(Self.random[split...])
            let out = try filled(count) { (o) throws(TLSError) in
                try PRF.derive(hash, secret: Self.secret.span, label: "master secret",
                               seed: first.span, seed2: second.span, into: &o)
            }
            #expect(out == Self.reference(hash, secret: Self.secret, label: "master secret", seed: Self.random, count: count),
                    "split at \(split)")
        }
    }

    @Test func shorterOutputIsPrefix() throws {
        let long = try filled(100) { (o) throws(TLSError) in
            try PRF.derive(.sha256, secret: Self.secret256.span, label: "test label",
                           seed: Self.seed256.span, seed2: [UInt8]().span, into: &o)
        }
        let short = try filled(12) { (o) throws(TLSError) in
            try PRF.derive(.sha256, secret: Self.secret256.span, label: "test label",
                           seed: Self.seed256.span, seed2: [UInt8]().span, into: &o)
        }
        #expect(Array(long.prefix(12)) == short)
    }
}
