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

    public let kind: Kind
    /// The key's size: the RSA modulus's bits, or the curve's.
    public let bits: Int
    /// One context or the other, not both: the engine keeps the server's key for the
    /// handshake, in the caller's RAM.
    private var key: Key

    private enum Key {
        case rsa(mbedtls_rsa_context)
        case ec(mbedtls_ecp_keypair)
    }

    /// RSA from its big-endian modulus and public exponent (leading zeros allowed). The
    /// exponent must be odd, at least 3 and below 2^32: a huge exponent makes every
    /// verification cost what the peer chooses (decoy issuers in a chain), and no real
    /// key needs one (NIST SP 800-56B bounds it by 2^256; 65537 is the norm).
    public init(rsaModulus: Span<UInt8>, exponent: Span<UInt8>) throws(TLSError) {
        var first = 0
        while first < exponent.count, exponent[first] == 0 { first &+= 1 }
        let significant = exponent.count &- first
        guard significant >= 1, significant <= 4, exponent[exponent.count &- 1] & 1 == 1,
              significant > 1 || exponent[exponent.count &- 1] >= 3
        else { throw .malformed }
        var context = mbedtls_rsa_context()
        mbedtls_rsa_init(&context, MBEDTLS_RSA_PKCS_V15, 0)
        let status = rsaModulus.withPointer { modulus, modulusCount in
            exponent.withPointer { exponentPointer, exponentCount in
                mbedtls_rsa_import_raw(&context, modulus, modulusCount, nil, 0, nil, 0, nil, 0, exponentPointer, exponentCount)
            }
        }
        var checked = status
        if checked == 0 { checked = mbedtls_rsa_complete(&context) }
        if checked == 0 { checked = mbedtls_rsa_check_pubkey(&context) }
        guard checked == 0 else {
            mbedtls_rsa_free(&context)
            throw TLSError.mbedTLSFailure(checked, meaning: .malformed)
        }
        kind = .rsa(modulusLength: mbedtls_rsa_get_len(&context))
        bits = mbedtls_mpi_bitlen(&context.N)
        key = .rsa(context)
    }

    /// ECDSA from an uncompressed point (0x04‖X‖Y) on secp256r1 or secp384r1.
    public init(curve: NamedGroup, point: Span<UInt8>) throws(TLSError) {
        guard curve != .x25519 else { throw .unsupportedAlgorithm }
        guard point.count == curve.publicKeyLength, point[0] == 0x04 else { throw .malformed }
        var keypair = mbedtls_ecp_keypair()
        mbedtls_ecp_keypair_init(&keypair)
        var status = mbedtls_ecp_group_load(&keypair.grp, curve.mbedTLSID)
        if status == 0 {
            status = point.withPointer { pointer, count in
                mbedtls_ecp_point_read_binary(&keypair.grp, &keypair.Q, pointer, count)
            }
        }
        if status == 0 { status = mbedtls_ecp_check_pubkey(&keypair.grp, &keypair.Q) }
        guard status == 0 else {
            mbedtls_ecp_keypair_free(&keypair)
            throw TLSError.mbedTLSFailure(status, meaning: .malformed)
        }
        kind = .ecdsa(curve)
        bits = keypair.grp.pbits
        key = .ec(keypair)
    }

    deinit {
        switch key {
        case .rsa(var context): mbedtls_rsa_free(&context)
        case .ec(var keypair): mbedtls_ecp_keypair_free(&keypair)
        }
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
        switch (algorithm, key) {
        case (.ecdsa, .ec(var keypair)):
            // Mbed TLS parses the DER Ecdsa-Sig-Value strictly (lengths, trailing bytes).
            status = digest.withPointer { digestPointer, digestCount in
                signature.withPointer { signaturePointer, signatureCount in
                    mbedtls_ecdsa_read_signature(&keypair, digestPointer, digestCount, signaturePointer, signatureCount)
                }
            }
            key = .ec(keypair)  // keep what Mbed TLS cached in the group
        case (.rsaPKCS1, .rsa(var context)), (.rsaPSS, .rsa(var context)):
            // Mbed TLS reads exactly the modulus length from the pointer: check it here.
            guard signature.count == mbedtls_rsa_get_len(&context) else { throw .badSignature }
            let isPSS = if case .rsaPSS = algorithm { true } else { false }
            status = digest.withPointer { digestPointer, digestCount in
                signature.withPointer { signaturePointer, _ in
                    isPSS
                        ? mbedtls_rsa_rsassa_pss_verify_ext(
                            &context, nil, nil, MBEDTLS_RSA_PUBLIC, hash.mbedTLSType, UInt32(digestCount),
                            digestPointer, hash.mbedTLSType, Int32(digestCount), signaturePointer)
                        : mbedtls_rsa_rsassa_pkcs1_v15_verify(
                            &context, nil, nil, MBEDTLS_RSA_PUBLIC, hash.mbedTLSType, UInt32(digestCount),
                            digestPointer, signaturePointer)
                }
            }
            key = .rsa(context)
        default:
            throw .unsupportedAlgorithm
        }
        guard status == 0 else { throw TLSError.mbedTLSFailure(status, meaning: .badSignature) }
    }

    /// Hashes the signed message — given in up to three parts, as TLS signs them — with
    /// the scheme's hash, then verifies `signature` over it: "hash then verify", for every
    /// signed structure (ServerKeyExchange, certificates, CertificateVerify).
    public mutating func verify(
        _ algorithm: SignatureAlgorithm, signature: Span<UInt8>, over first: Span<UInt8>,
        _ second: Span<UInt8> = Span(), _ third: Span<UInt8> = Span()
    ) throws(TLSError) {
        var digest = Digest(algorithm.hash)
        digest.update(first)
        digest.update(second)
        digest.update(third)
        var hash = InlineArray<64, UInt8>(repeating: 0)
        var hashSpan = hash.mutableSpan
        let hashLength = try digest.currentDigest(into: &hashSpan)
        try verify(algorithm, digest: hash.span.extracting(0..<hashLength), signature: signature)
    }

    /// RSA PKCS#1 v1.5 encryption of `message` (the TLS 1.2 pre-master secret, RFC 5246
    /// §7.4.7.1). Writes and returns the modulus length.
    public mutating func encryptPKCS1v15(
        _ message: Span<UInt8>, random: inout Random, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        guard case .rsa(var context) = key, case .rsa(let modulusLength) = kind else { throw .unsupportedAlgorithm }
        guard output.count >= modulusLength else {
            throw .bufferTooSmall(needed: modulusLength, capacity: output.count)
        }
        guard message.count <= modulusLength &- 11 else { throw .malformed }
        let status = message.withPointer { messagePointer, messageCount in
            output.withPointer { outputPointer, _ in
                random.withGenerator { generator, state in
                    mbedtls_rsa_pkcs1_encrypt(
                        &context, generator, state, MBEDTLS_RSA_PUBLIC, messageCount, messagePointer, outputPointer)
                }
            }
        }
        key = .rsa(context)
        try TLSError.check(status)
        return modulusLength
    }
}
