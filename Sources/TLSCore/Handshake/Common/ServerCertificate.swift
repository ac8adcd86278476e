/// ③ The server's chain, either version: validated against the trust settings for the
/// configured name as a serverAuth chain, and its key held to the configured strength.
/// Each version then checks what the key must be allowed to do for its key exchange.
enum ServerCertificate {
    static func validate(
        _ chain: CertificateChain, settings: borrowing ClientSettings, events: inout EventQueue
    ) throws(TLSError) -> ValidatedLeaf {
        #if TLSCORE_PSK_ONLY
        // A PSK-only build (boards' libtlscore-psk.a) validates no certificate and links no
        // path validation: a server that answers with one is not trusted.
        throw .certificate(.unknownIssuer)
        #else
        let policy = ValidationPolicy(
            time: settings.trust.time, purpose: .serverAuth, identity: settings.identity,
            profile: settings.trust.profile, revocation: settings.trust.revocation,
            signatureBudget: settings.trust.signatureBudget)
        let leaf = try PathValidator.validate(
            chain: chain, trustAnchors: settings.trust.trustAnchors, crls: settings.trust.crls, policy: policy)
        // A small RSA key would carry the pre-master secret or sign the key exchange: the
        // handshake refuses it whatever the chain's validity.
        if case .rsa = leaf.publicKey.kind, leaf.publicKey.bits < settings.minimumRSAKeyBits {
            throw .weakServerKey(bits: leaf.publicKey.bits)
        }
        events.push(HandshakeEvent(.certificateValidated, length: 0))
        return leaf
        #endif
    }
}
