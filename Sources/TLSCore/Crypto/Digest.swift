import CMbedTLS

/// Incremental SHA-256/384/512 over Mbed TLS's direct SHA contexts (no `md` wrapper, so no
/// allocation). `currentDigest` finishes a copy of the state, which is what the handshake
/// transcript needs: the hash so far, then keep hashing.
public struct Digest: ~Copyable {
    public let algorithm: HashAlgorithm
    private var sha256 = mbedtls_sha256_context()
    private var sha512 = mbedtls_sha512_context()

    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        mbedtls_sha256_init(&sha256)
        mbedtls_sha512_init(&sha512)
        // The start functions only fail on a NULL context.
        switch algorithm {
        case .sha256: _ = mbedtls_sha256_starts_ret(&sha256, 0)
        case .sha384: _ = mbedtls_sha512_starts_ret(&sha512, 1)
        case .sha512: _ = mbedtls_sha512_starts_ret(&sha512, 0)
        }
    }

    deinit {
        var a = sha256, b = sha512
        mbedtls_sha256_free(&a)
        mbedtls_sha512_free(&b)
    }

    public mutating func update(_ bytes: Span<UInt8>) {
        bytes.withPointer { pointer, count in
            switch algorithm {
            case .sha256: _ = mbedtls_sha256_update_ret(&sha256, pointer, count)
            case .sha384, .sha512: _ = mbedtls_sha512_update_ret(&sha512, pointer, count)
            }
        }
    }

    /// Writes the digest of everything so far into `output` and returns its length; the
    /// running state is untouched.
    public func currentDigest(into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let length = algorithm.digestLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        output.withPointer { pointer, _ in
            switch algorithm {
            case .sha256:
                var copy = sha256
                _ = mbedtls_sha256_finish_ret(&copy, pointer)
                mbedtls_sha256_free(&copy)
            case .sha384, .sha512:
                var copy = sha512
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
