/// ⑤ Our own certificate, either role: whether the configured chain answers the peer's
/// CertificateRequest, the signature scheme for CertificateVerify (RFC 5246 §7.4.4,
/// §7.4.6, §7.4.8), and the signature itself. The chain and key are the caller's DER.
/// The key is DER in RAM, parsed only to sign, or a `Signer` the caller implements (a key
/// in a secure element), which then signs instead.
enum Credential {
    /// The scheme to sign with, or why the answer is an empty Certificate.
    enum Choice {
        case sign(SignatureAlgorithm)
        case decline(ClientCertificateDeclined)
    }

    /// What a server asked of our certificate, as a handshake remembers it until its flight.
    enum Request {
        case notRequested
        /// Requested: the scheme to sign with, or why an empty Certificate goes out.
        case requested(Choice)
    }

    /// What to answer `request` with: a scheme to sign with, or an empty Certificate
    /// because no chain is configured, the request lists no type of our key, no scheme is
    /// common, or the chain reaches none of the request's certificate_authorities. TLS 1.3
    /// signs RSA with PSS only and ECDSA with the hash its curve names (RFC 8446 §4.2.3).
    static func choose(
        for request: borrowing CertificateRequest, chain: Span<UInt8>, key: Span<UInt8>, signs: Bool = false,
        version: TLSVersion = .tls12
    ) throws(TLSError) -> Choice {
        #if TLSCORE_PSK_ONLY
        // A PSK-only build has no certificate of its own to offer.
        return .decline(.noCertificateConfigured)
        #else
        guard chain.count > 0, key.count > 0 || signs else { return .decline(.noCertificateConfigured) }
        let configuredChain = chain
        var chain = DER(configuredChain)
        let leaf = try Certificate(der: try chain.encoded(DER.sequence))
        // Our preference within what the server lists; the 1.2 transcript keeps SHA-256
        // and SHA-384, so there the scheme's hash is one of those.
        let preferences: InlineArray<4, UInt16>
        switch (leaf.publicKey.kind, version) {
        case (.rsa, _):
            guard request.acceptsRSA else { return .decline(.keyTypeNotRequested) }
            // TLS 1.3 signs with RSA-PSS only (RFC 8446 §4.2.3), over content hashed with the
            // scheme's own hash, so SHA-512 serves too; TLS 1.2 signs the transcript hash,
            // which is SHA-256 or SHA-384 here.
            if version == .tls13 {
                preferences = [0x0804, 0x0805, 0x0806, 0x0804]
            } else {
                preferences = [0x0804, 0x0805, 0x0401, 0x0501]
            }
        case (.ec(let curve), .tls13):
            guard request.acceptsECDSA else { return .decline(.keyTypeNotRequested) }
            let scheme: UInt16 = curve == .secp384r1 ? 0x0503 : 0x0403
            preferences = [scheme, scheme, scheme, scheme]
        case (.ec, .tls12):
            guard request.acceptsECDSA else { return .decline(.keyTypeNotRequested) }
            preferences = [0x0403, 0x0503, 0x0403, 0x0503]
        case (.unsupported, _):
            return .decline(.keyTypeNotRequested)
        }
        guard try reachesAuthority(request.authorities, configuredChain) else { return .decline(.authorityNotRequested) }
        for i in preferences.indices where request.offers(preferences[i]) {
            if let algorithm = SignatureAlgorithm(tlsSignatureScheme: preferences[i]) { return .sign(algorithm) }
        }
        return .decline(.noCommonSignatureScheme)
        #endif
    }

    /// Whether some certificate of the chain was issued by (or is) one of the listed CAs.
    /// An empty list means any CA (RFC 5246 §7.4.4).
    private static func reachesAuthority(_ authorities: Span<UInt8>, _ chain: Span<UInt8>) throws(TLSError) -> Bool {
        guard authorities.count > 0 else { return true }
        var certificates = DER(chain)
        while certificates.peekTag() != nil {
            let certificate = try Certificate(der: try certificates.encoded(DER.sequence))
            var names = Reader(authorities)
            while !names.isAtEnd {
                let name = try names.vector(lengthBytes: 2, minimum: 1)
                if OID.equal(name, certificate.issuer) || OID.equal(name, certificate.subject) { return true }
            }
        }
        return false
    }

    /// Signs `transcriptHash` with the caller's `signer`, or else `key` (DER); returns the length.
    static func sign(
        _ algorithm: SignatureAlgorithm, transcriptHash: Span<UInt8>, key keyDER: Span<UInt8>, signer: Signer?,
        random: inout Random, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        #if TLSCORE_PSK_ONLY
        throw .invalidState  // `choose` never picks a scheme in a PSK-only build
        #else
        if let signer { return try signer.sign(algorithm, digest: transcriptHash, into: &output) }
        var key = try PrivateKey(der: keyDER)
        switch (algorithm, key.kind) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1, .rsa), (.rsaPSS, .rsa): break
        default: throw .unsupportedAlgorithm  // the key does not match the certificate
        }
        return try key.sign(algorithm, digest: transcriptHash, random: &random, into: &output)
        #endif
    }
}
