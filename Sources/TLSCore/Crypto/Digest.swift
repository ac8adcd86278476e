import CMbedTLS

/// Incremental SHA-256/384/512 over Mbed TLS's direct SHA contexts (no `md` wrapper, so no
/// allocation). `currentDigest` finishes a copy of the state, which is what the handshake
/// transcript needs: the hash so far, then keep hashing.
public struct Digest: ~Copyable {
    public let algorithm: HashAlgorithm
    /// Only the context the algorithm needs: the transcript keeps two digests in the
    /// engine's state, so their size is RAM the caller pays for.
    private var state: State

    private enum State {
        case sha256(mbedtls_sha256_context)
        case sha512(mbedtls_sha512_context)
    }

    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        // The start functions only fail on a NULL context.
        switch algorithm {
        case .sha256:
            var context = mbedtls_sha256_context()
            mbedtls_sha256_init(&context)
            _ = mbedtls_sha256_starts_ret(&context, 0)
            state = .sha256(context)
        case .sha384, .sha512:
            var context = mbedtls_sha512_context()
            mbedtls_sha512_init(&context)
            _ = mbedtls_sha512_starts_ret(&context, algorithm == .sha384 ? 1 : 0)
            state = .sha512(context)
        }
    }

    deinit {
        switch state {
        case .sha256(var context): mbedtls_sha256_free(&context)
        case .sha512(var context): mbedtls_sha512_free(&context)
        }
    }

    public mutating func update(_ bytes: Span<UInt8>) {
        bytes.withPointer { pointer, count in
            switch state {
            case .sha256(var context):
                _ = mbedtls_sha256_update_ret(&context, pointer, count)
                state = .sha256(context)
            case .sha512(var context):
                _ = mbedtls_sha512_update_ret(&context, pointer, count)
                state = .sha512(context)
            }
        }
    }

    /// Writes the digest of everything so far into `output` and returns its length; the
    /// running state is untouched.
    public func currentDigest(into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let length = algorithm.digestLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        output.withPointer { pointer, _ in
            switch state {
            case .sha256(var copy):
                _ = mbedtls_sha256_finish_ret(&copy, pointer)
                mbedtls_sha256_free(&copy)
            case .sha512(var copy):
                _ = mbedtls_sha512_finish_ret(&copy, pointer)
                mbedtls_sha512_free(&copy)
            }
        }
        return length
    }

    /// One-shot hash of `bytes`.
    public static func hash(
        _ algorithm: HashAlgorithm, _ bytes: Span<UInt8>, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        var digest = Digest(algorithm)
        digest.update(bytes)
        return try digest.currentDigest(into: &output)
    }
}
