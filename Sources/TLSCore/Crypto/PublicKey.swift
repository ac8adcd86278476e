import CMbedTLS

/// A peer's public key, RSA or ECDSA on P-256/P-384, built from the raw components the
/// certificate parser finds in a SubjectPublicKeyInfo. Verifies signatures over a digest
/// and encrypts the RSA key-transport pre-master secret.
///
/// Operations are `mutating` because Mbed TLS caches precomputed multiples of the
/// generator inside the group on first use.
public struct PublicKey: ~Copyable {
    public enum Kind: Sendable, Equatable {
        case rsa(modulusLength: Int)
        case ecdsa(NamedGroup)
    }

    public private(set) var kind: Kind
    private var rsa = mbedtls_rsa_context()
    private var ec = mbedtls_ecp_keypair()

    /// RSA from its big-endian modulus and public exponent (leading zeros allowed).
    public init(rsaModulus: Span<UInt8>, exponent: Span<UInt8>) throws(TLSError) {
        kind = .rsa(modulusLength: 0)
        mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0)
        mbedtls_ecp_keypair_init(&ec)
        let status = rsaModulus.withPointer { modulus, modulusCount in
            exponent.withPointer { exponentPointer, exponentCount in
                mbedtls_rsa_import_raw(&rsa, modulus, modulusCount, nil, 0, nil, 0, nil, 0, exponentPointer, exponentCount)
            }
        }
        guard status == 0, mbedtls_rsa_complete(&rsa) == 0, mbedtls_rsa_check_pubkey(&rsa) == 0 else {
            throw .malformed
        }
        kind = .rsa(modulusLength: mbedtls_rsa_get_len(&rsa))
    }

    /// ECDSA from an uncompressed point (0x04‖X‖Y) on secp256r1 or secp384r1.
    public init(curve: NamedGroup, point: Span<UInt8>) throws(TLSError) {
        kind = .ecdsa(curve)
        mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0)
        mbedtls_ecp_keypair_init(&ec)
        guard curve != .x25519 else { throw .unsupportedAlgorithm }
        guard point.count == curve.publicKeyLength, point[0] == 0x04 else { throw .malformed }
        try TLSError.check(mbedtls_ecp_group_load(&ec.grp, curve.mbedTLSID))
        let status = point.withPointer { pointer, count in
            mbedtls_ecp_point_read_binary(&ec.grp, &ec.Q, pointer, count)
        }
        guard status == 0, mbedtls_ecp_check_pubkey(&ec.grp, &ec.Q) == 0 else { throw .malformed }
    }

    deinit {
        var r = rsa, e = ec
        mbedtls_rsa_free(&r)
        mbedtls_ecp_keypair_free(&e)
    }

    /// Verifies `signature` over `digest` (the message hashed with `algorithm.hash`).
    /// Anything that is not a valid signature by this key, including a malformed or
    /// wrong-length one, throws `badSignature`; a key that cannot make this kind of
    /// signature throws `unsupportedAlgorithm`.
    public mutating func verify(
        _ algorithm: SignatureAlgorithm, digest: Span<UInt8>, signature: Span<UInt8>
    ) throws(TLSError) {
        let hash = algorithm.hash
        guard digest.count == hash.digestLength else { throw .malformed }
        let status: Int32
        switch (algorithm, kind) {
        case (.ecdsa, .ecdsa):
            // Mbed TLS parses the DER Ecdsa-Sig-Value strictly (lengths, trailing bytes).
            status = digest.withPointer { digestPointer, digestCount in
                signature.withPointer { signaturePointer, signatureCount in
                    mbedtls_ecdsa_read_signature(&ec, digestPointer, digestCount, signaturePointer, signatureCount)
                }
            }
        case (.rsaPKCS1, .rsa(let modulusLength)), (.rsaPSS, .rsa(let modulusLength)):
            // Mbed TLS reads exactly the modulus length from the pointer: check it here.
            guard signature.count == modulusLength else { throw .badSignature }
            let isPSS = if case .rsaPSS = algorithm { true } else { false }
            status = digest.withPointer { digestPointer, digestCount in
                signature.withPointer { signaturePointer, _ in
                    isPSS
                        ? mbedtls_rsa_rsassa_pss_verify_ext(
                            &rsa, nil, nil, MBEDTLS_RSA_PUBLIC, hash.mbedTLSType, UInt32(digestCount),
                            digestPointer, hash.mbedTLSType, Int32(digestCount), signaturePointer)
                        : mbedtls_rsa_rsassa_pkcs1_v15_verify(
                            &rsa, nil, nil, MBEDTLS_RSA_PUBLIC, hash.mbedTLSType, UInt32(digestCount),
                            digestPointer, signaturePointer)
                }
            }
        default:
            throw .unsupportedAlgorithm
        }
        guard status == 0 else { throw .badSignature }
    }

    /// RSA PKCS#1 v1.5 encryption of `message` (the TLS 1.2 pre-master secret, RFC 5246
    /// §7.4.7.1). Writes and returns the modulus length.
    public mutating func encryptPKCS1v15(
        _ message: Span<UInt8>, random: inout Random, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        guard case .rsa(let modulusLength) = kind else { throw .unsupportedAlgorithm }
        guard output.count >= modulusLength else {
            throw .bufferTooSmall(needed: modulusLength, capacity: output.count)
        }
        guard message.count <= modulusLength &- 11 else { throw .malformed }
        let status = message.withPointer { messagePointer, messageCount in
            output.withPointer { outputPointer, _ in
                random.withGenerator { generator, state in
                    mbedtls_rsa_pkcs1_encrypt(
                        &rsa, generator, state, MBEDTLS_RSA_PUBLIC, messageCount, messagePointer, outputPointer)
                }
            }
        }
        try TLSError.check(status)
        return modulusLength
    }
}
