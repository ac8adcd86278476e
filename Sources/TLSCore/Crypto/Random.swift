import CMbedTLS

/// The deterministic random bit generator: Mbed TLS's CTR_DRBG (AES-256 with derivation
/// function, NIST SP 800-90A), seeded and reseeded from the caller's `EntropySource`.
///
/// Mbed TLS 2.28 keeps an AES context inside the DRBG whose round-key pointer points into
/// the context itself, and Swift may move a `~Copyable` value; every entry point re-points
/// it first (`cmbedtls_ctr_drbg_repin`). Swift's `deinit` sees a copy of the value, so the
/// DRBG state in the original storage is zeroed only by `wipe()`.
public struct Random: ~Copyable {
    private var context = mbedtls_ctr_drbg_context()

    public init(entropy: EntropySource, personalization: Span<UInt8>) throws(TLSError) {
        mbedtls_ctr_drbg_init(&context)
        let status = personalization.withPointer { pointer, count in
            mbedtls_ctr_drbg_seed(&context, entropy.function, entropy.context, pointer, count)
        }
        guard status == 0 else { throw .randomFailure }
    }

    deinit {
        var copy = context
        cmbedtls_ctr_drbg_repin(&copy)
        mbedtls_ctr_drbg_free(&copy)
    }

    /// Fills `output` with random bytes.
    public mutating func fill(_ output: inout MutableSpan<UInt8>) throws(TLSError) {
        cmbedtls_ctr_drbg_repin(&context)
        var offset = 0
        // Mbed TLS caps one request at MBEDTLS_CTR_DRBG_MAX_REQUEST bytes.
        while offset < output.count {
            let chunk = min(output.count &- offset, Int(MBEDTLS_CTR_DRBG_MAX_REQUEST))
            var part = output._mutatingExtracting(offset..<(offset &+ chunk))
            let status = part.withPointer { pointer, count in
                mbedtls_ctr_drbg_random(&context, pointer, count)
            }
            guard status == 0 else { throw .randomFailure }
            offset &+= chunk
        }
    }

    /// Zeroes the DRBG state where it lives; the generator is unusable afterwards.
    public mutating func wipe() {
        cmbedtls_ctr_drbg_repin(&context)
        mbedtls_ctr_drbg_free(&context)
    }

    /// Lends Mbed TLS an `f_rng`/`p_rng` pair backed by this generator for one call (ECDHE,
    /// ECDSA blinding, RSA padding).
    mutating func withGenerator<R, E: Error>(
        _ body: (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32,
                 UnsafeMutableRawPointer) throws(E) -> R
    ) throws(E) -> R {
        cmbedtls_ctr_drbg_repin(&context)
        return try withUnsafeMutablePointer(to: &context) { (pointer) throws(E) -> R in
            try body(mbedtls_ctr_drbg_random, UnsafeMutableRawPointer(pointer))
        }
    }
}
