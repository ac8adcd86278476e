import CMbedTLS

/// One AEAD key, sealing and opening in place in the caller's buffer. Mbed TLS's cipher
/// layer keeps the expanded key on its heap (one allocation per key, inside Mbed TLS), so
/// this owner can move freely; `mbedtls_cipher_free` zeroes that key schedule.
public struct AEAD: ~Copyable {
    public let algorithm: AEADAlgorithm
    private var context = mbedtls_cipher_context_t()

    public init(_ algorithm: AEADAlgorithm, key: Span<UInt8>) throws(TLSError) {
        self.algorithm = algorithm
        mbedtls_cipher_init(&context)
        guard key.count == algorithm.keyLength else { throw .malformed }
        guard let info = mbedtls_cipher_info_from_type(algorithm.cipherType) else { throw .unsupportedAlgorithm }
        try TLSError.check(mbedtls_cipher_setup(&context, info))
        try key.withPointer { (pointer, count) throws(TLSError) in
            try TLSError.check(mbedtls_cipher_setkey(&context, pointer, Int32(count * 8), MBEDTLS_ENCRYPT))
        }
    }

    deinit {
        var copy = context
        mbedtls_cipher_free(&copy)
    }

    /// `buffer[0..<plaintextCount]` holds the plaintext; afterwards
    /// `buffer[0..<plaintextCount + tagLength]` holds ciphertext and tag. Returns that count.
    public mutating func seal(
        nonce: Span<UInt8>, aad: Span<UInt8>, buffer: inout MutableSpan<UInt8>, plaintextCount: Int
    ) throws(TLSError) -> Int {
        let tagLength = algorithm.tagLength
        guard plaintextCount >= 0, plaintextCount <= buffer.count else { throw .malformed }
        let sealedCount = plaintextCount &+ tagLength
        guard sealedCount <= buffer.count else { throw .bufferTooSmall(needed: sealedCount, capacity: buffer.count) }
        var written = 0
        try nonce.withPointer { (noncePointer, nonceCount) throws(TLSError) in
            try aad.withPointer { (aadPointer, aadCount) throws(TLSError) in
                try buffer.withPointer { (pointer, capacity) throws(TLSError) in
                    try TLSError.check(mbedtls_cipher_auth_encrypt_ext(
                        &context, noncePointer, nonceCount, aadPointer, aadCount,
                        pointer, plaintextCount, pointer, capacity, &written, tagLength))
                }
            }
        }
        guard written == sealedCount else { throw .mbedTLS(0) }
        return sealedCount
    }

    /// `buffer` holds ciphertext and tag; on success its first bytes hold the plaintext and
    /// their count is returned. A wrong tag (or input shorter than a tag) is
    /// `badRecordMAC`, and the buffer's plaintext must then be ignored.
    public mutating func open(
        nonce: Span<UInt8>, aad: Span<UInt8>, buffer: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        let tagLength = algorithm.tagLength
        guard buffer.count >= tagLength else { throw .badRecordMAC }
        var written = 0
        let status = nonce.withPointer { noncePointer, nonceCount in
            aad.withPointer { aadPointer, aadCount in
                buffer.withPointer { pointer, count in
                    mbedtls_cipher_auth_decrypt_ext(
                        &context, noncePointer, nonceCount, aadPointer, aadCount,
                        pointer, count, pointer, count, &written, tagLength)
                }
            }
        }
        switch status {
        case 0: return written
        case MBEDTLS_ERR_CIPHER_AUTH_FAILED: throw .badRecordMAC
        default: throw TLSError.mbedTLSError(status)
        }
    }
}
