import CMbedTLS

/// The running hash of the handshake messages (RFC 5246 §7.4.9, RFC 8446 §4.4.1). The PRF hash is known only
/// once ServerHello names the suite, after ClientHello has been hashed, so both candidate
/// hashes run until then. The two Mbed TLS contexts are held directly (324 bytes) rather
/// than as two `Digest`s: this is engine state, in the caller's RAM. SHA contexts own no
/// heap, so there is nothing to free (and a `deinit` here trips Swift 6.3's optimizer in
/// release builds: "inlining a resilient function into a fragile function").
struct Transcript: ~Copyable {
    private var sha256 = mbedtls_sha256_context()
    private var sha384 = mbedtls_sha512_context()

    init() {
        mbedtls_sha256_init(&sha256)
        mbedtls_sha512_init(&sha384)
        // The start functions only fail on a NULL context.
        _ = mbedtls_sha256_starts_ret(&sha256, 0)
        _ = mbedtls_sha512_starts_ret(&sha384, 1)
    }

    mutating func update(_ message: Span<UInt8>) {
        message.withPointer { pointer, count in
            _ = mbedtls_sha256_update_ret(&sha256, pointer, count)
            _ = mbedtls_sha512_update_ret(&sha384, pointer, count)
        }
    }

    /// The hash of all messages so far under `hash` (SHA-256 or SHA-384), followed by
    /// `extra` (bytes not, or not yet, part of the transcript); the running hashes go on.
    private func current(
        _ hash: HashAlgorithm, appending extra: Span<UInt8>, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        guard hash != .sha512 else { throw .unsupportedAlgorithm }
        let length = hash.digestLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        output.withPointer { pointer, _ in
            extra.withPointer { extraPointer, extraCount in
                if hash == .sha256 {
                    var copy = sha256
                    _ = mbedtls_sha256_update_ret(&copy, extraPointer, extraCount)
                    _ = mbedtls_sha256_finish_ret(&copy, pointer)
                } else {
                    var copy = sha384
                    _ = mbedtls_sha512_update_ret(&copy, extraPointer, extraCount)
                    _ = mbedtls_sha512_finish_ret(&copy, pointer)
                }
            }
        }
        return length
    }

    /// The hash of the transcript followed by `prefix`, without adding `prefix` to it:
    /// a TLS 1.3 PSK binder covers the ClientHello up to its binders (RFC 8446 §4.2.11.2).
    func hash(_ hash: HashAlgorithm, appending prefix: Span<UInt8>) throws(TLSError) -> TranscriptHash {
        var result = TranscriptHash()
        var digest = result.bytes.mutableSpan
        result.count = try current(hash, appending: prefix, into: &digest)
        return result
    }

    /// Replaces everything hashed so far (the first ClientHello) by the synthetic
    /// message_hash message that stands for it after a HelloRetryRequest (RFC 8446 §4.4.1):
    /// handshake type 254, a 3-byte length, Hash(ClientHello1) — in each running hash.
    mutating func replaceWithMessageHash() {
        var digest = InlineArray<48, UInt8>(repeating: 0)
        do {
            var digestSpan = digest.mutableSpan
            digestSpan.withPointer { pointer, _ in _ = mbedtls_sha256_finish_ret(&sha256, pointer) }
        }
        _ = mbedtls_sha256_starts_ret(&sha256, 0)
        let header256: InlineArray<4, UInt8> = [254, 0, 0, 32]
        header256.span.withPointer { pointer, count in _ = mbedtls_sha256_update_ret(&sha256, pointer, count) }
        digest.span.extracting(0..<32).withPointer { pointer, count in _ = mbedtls_sha256_update_ret(&sha256, pointer, count) }
        do {
            var digestSpan = digest.mutableSpan
            digestSpan.withPointer { pointer, _ in _ = mbedtls_sha512_finish_ret(&sha384, pointer) }
        }
        _ = mbedtls_sha512_starts_ret(&sha384, 1)
        let header384: InlineArray<4, UInt8> = [254, 0, 0, 48]
        header384.span.withPointer { pointer, count in _ = mbedtls_sha512_update_ret(&sha384, pointer, count) }
        digest.span.withPointer { pointer, count in _ = mbedtls_sha512_update_ret(&sha384, pointer, count) }
    }

    /// The hash of all messages so far under `hash`: the one way the handshake reads the
    /// transcript (CertificateVerify, Finished, the session hash).
    func hash(_ hash: HashAlgorithm) throws(TLSError) -> TranscriptHash {
        var result = TranscriptHash()
        var digest = result.bytes.mutableSpan
        result.count = try current(hash, appending: Span(), into: &digest)
        return result
    }
}

/// A transcript hash, by value (SHA-256 or SHA-384).
struct TranscriptHash {
    var bytes = InlineArray<48, UInt8>(repeating: 0)
    var count = 0

    var span: Span<UInt8> {
        @_lifetime(borrow self) get { bytes.span.extracting(0..<count) }
    }
}
