import CMbedTLS

/// The caller's own private key (client certificates, tests), parsed from DER the caller
/// holds. Mbed TLS keeps the parsed key on its heap and zeroes it in `mbedtls_pk_free`.
public struct PrivateKey: ~Copyable {
    public private(set) var kind: PublicKey.Kind
    private var context = mbedtls_pk_context()

    /// PKCS#8, SEC1 (EC) or PKCS#1 (RSA) DER, unencrypted.
    public init(der: Span<UInt8>) throws(TLSError) {
        kind = .rsa(modulusLength: 0)
        mbedtls_pk_init(&context)
        // Mbed TLS ignores bytes after the key's outer SEQUENCE; DER must end there.
        var outer = DER(der)
        _ = try outer.encoded(DER.sequence)
        try outer.expectEnd()
        let status = der.withPointer { pointer, count in
            mbedtls_pk_parse_key(&context, pointer, count, nil, 0)
        }
        guard status == 0 else { throw TLSError.mbedTLSFailure(status, meaning: .malformed) }
        switch mbedtls_pk_get_type(&context) {
        case MBEDTLS_PK_RSA:
            kind = .rsa(modulusLength: mbedtls_rsa_get_len(mbedtls_pk_rsa(context)))
        case MBEDTLS_PK_ECKEY, MBEDTLS_PK_ECDSA:
            switch mbedtls_pk_ec(context).pointee.grp.id {
            case MBEDTLS_ECP_DP_SECP256R1: kind = .ecdsa(.secp256r1)
            case MBEDTLS_ECP_DP_SECP384R1: kind = .ecdsa(.secp384r1)
            default: throw .unsupportedAlgorithm
            }
        default:
            throw .unsupportedAlgorithm
        }
    }

    deinit {
        var copy = context
        mbedtls_pk_free(&copy)
    }

    /// Signs `digest` (the message hashed with `algorithm.hash`): ECDSA as a DER
    /// Ecdsa-Sig-Value, RSA as modulus-length bytes. Returns the signature's length.
    public mutating func sign(
        _ algorithm: SignatureAlgorithm, digest: Span<UInt8>, random: inout Random,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        let hash = algorithm.hash
        guard digest.count == hash.digestLength else { throw .malformed }
        switch (algorithm, kind) {
        case (.ecdsa, .ecdsa):
            // Mbed TLS writes up to MBEDTLS_ECDSA_MAX_LEN bytes without a bound: sign into
            // a local buffer of that size, then copy what fits.
            var signature = InlineArray<144, UInt8>(repeating: 0)
            var length = 0
            let ec = mbedtls_pk_ec(context)
            var signatureSpan = signature.mutableSpan
            let status = digest.withPointer { digestPointer, digestCount in
                signatureSpan.withPointer { signaturePointer, _ in
                    random.withGenerator { generator, state in
                        mbedtls_ecdsa_write_signature(
                            ec, hash.mbedTLSType, digestPointer, digestCount, signaturePointer, &length,
                            generator, state)
                    }
                }
            }
            try TLSError.check(status)
            guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
            for i in 0..<length { output[i] = signature[i] }
            return length
        case (.rsaPKCS1, .rsa(let modulusLength)), (.rsaPSS, .rsa(let modulusLength)):
            guard output.count >= modulusLength else {
                throw .bufferTooSmall(needed: modulusLength, capacity: output.count)
            }
            let rsa = mbedtls_pk_rsa(context)
            let isPSS = if case .rsaPSS = algorithm { true } else { false }
            // The MGF1 hash of PSS comes from the context's padding setting.
            mbedtls_rsa_set_padding(rsa, isPSS ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15, Int32(bitPattern: hash.mbedTLSType.rawValue))
            let status = digest.withPointer { digestPointer, digestCount in
                output.withPointer { outputPointer, _ in
                    random.withGenerator { generator, state in
                        isPSS
                            ? mbedtls_rsa_rsassa_pss_sign_ext(
                                rsa, generator, state, hash.mbedTLSType, UInt32(digestCount), digestPointer,
                                Int32(digestCount), outputPointer)
                            : mbedtls_rsa_rsassa_pkcs1_v15_sign(
                                rsa, generator, state, MBEDTLS_RSA_PRIVATE, hash.mbedTLSType,
                                UInt32(digestCount), digestPointer, outputPointer)
                    }
                }
            }
            try TLSError.check(status)
            return modulusLength
        default:
            throw .unsupportedAlgorithm
        }
    }

    /// RSA PKCS#1 v1.5 decryption (a TLS 1.2 EncryptedPreMasterSecret, RFC 5246 §7.4.7.1):
    /// writes the message into `output` and returns its length, or nil when the
    /// ciphertext's length or padding is wrong. The caller must not let the two outcomes
    /// differ in what the peer sees (Bleichenbacher): it goes on with a random secret.
    public mutating func decryptPKCS1v15(
        _ ciphertext: Span<UInt8>, random: inout Random, into output: inout MutableSpan<UInt8>
    ) -> Int? {
        guard case .rsa(let modulusLength) = kind, ciphertext.count == modulusLength else { return nil }
        let rsa = mbedtls_pk_rsa(context)
        mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V15, 0)
        var length = 0
        let status = ciphertext.withPointer { inputPointer, _ in
            output.withPointer { outputPointer, outputCount in
                random.withGenerator { generator, state in
                    mbedtls_rsa_pkcs1_decrypt(
                        rsa, generator, state, MBEDTLS_RSA_PRIVATE, &length, inputPointer, outputPointer, outputCount)
                }
            }
        }
        return status == 0 ? length : nil
    }
}
