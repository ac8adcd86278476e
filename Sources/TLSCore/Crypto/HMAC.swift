import CMbedTLS

/// HMAC-SHA-256/384/512 over Mbed TLS's `md` layer (which allocates its inner and outer
/// states; that is Mbed TLS's allocation, freed and zeroed by `mbedtls_md_free`).
public struct HMAC: ~Copyable {
    public let algorithm: HashAlgorithm
    private var context = mbedtls_md_context_t()

    public init(_ algorithm: HashAlgorithm, key: Span<UInt8>) throws(TLSError) {
        self.algorithm = algorithm
        mbedtls_md_init(&context)
        guard let info = mbedtls_md_info_from_type(algorithm.mbedTLSType) else { throw .unsupportedAlgorithm }
        try TLSError.check(mbedtls_md_setup(&context, info, 1))
        try key.withPointer { (pointer, count) throws(TLSError) in
            try TLSError.check(mbedtls_md_hmac_starts(&context, pointer, count))
        }
    }

    deinit {
        var copy = context
        mbedtls_md_free(&copy)
    }

    public mutating func update(_ bytes: Span<UInt8>) throws(TLSError) {
        try bytes.withPointer { (pointer, count) throws(TLSError) in
            try TLSError.check(mbedtls_md_hmac_update(&context, pointer, count))
        }
    }

    mutating func update(_ label: StaticString) throws(TLSError) {
        try label.withPointer { (pointer, count) throws(TLSError) in
            try TLSError.check(mbedtls_md_hmac_update(&context, pointer, count))
        }
    }

    /// Writes the MAC (`algorithm.digestLength` bytes) and resets for the next message
    /// under the same key.
    public mutating func finish(into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let length = algorithm.digestLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        try output.withPointer { (pointer, _) throws(TLSError) in
            try TLSError.check(mbedtls_md_hmac_finish(&context, pointer))
        }
        try TLSError.check(mbedtls_md_hmac_reset(&context))
        return length
    }

    public static func authenticate(
        _ algorithm: HashAlgorithm, key: Span<UInt8>, message: Span<UInt8>,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        var hmac = try HMAC(algorithm, key: key)
        try hmac.update(message)
        return try hmac.finish(into: &output)
    }
}
