/// ⑥ The client's chain, checked by the server, either version: validated against the
/// client trust anchors and CRLs for clientAuth (dates, CA, each signature, revocation
/// under the configured policy, RFC 5280 §6), its key held to the configured strength and
/// allowed to sign CertificateVerify (RFC 5280 §4.2.1.3). The leaf is copied into the
/// caller's client certificate region when one is configured, for the application to
/// read the identity from (`kept`: its length there).
enum ClientCertificate {
    static func validate(
        _ chain: CertificateChain, settings: borrowing ServerSettings, kept: inout Int, events: inout EventQueue
    ) throws(TLSError) -> PublicKey {
        #if TLSCORE_PSK_ONLY
        throw .certificate(.unknownIssuer)
        #else
        let policy = ValidationPolicy(
            time: settings.trust.time, purpose: .clientAuth, identity: .unspecified, profile: settings.trust.profile,
            revocation: settings.trust.revocation, signatureBudget: settings.trust.signatureBudget)
        let leaf = try PathValidator.validate(
            chain: chain, trustAnchors: settings.trust.trustAnchors, crls: settings.trust.crls, policy: policy)
        if case .rsa = leaf.publicKey.kind, leaf.publicKey.bits < settings.minimumRSAKeyBits {
            throw .certificate(.violates(.rsaKeySize))
        }
        guard leaf.keyUsage.contains(.digitalSignature) else { throw .certificate(.wrongPurpose) }
        let der = chain.leaf()
        let region = settings.clientCertificateRegion
        if region.count > 0 {
            guard der.count <= region.count else { throw .bufferTooSmall(needed: der.count, capacity: region.count) }
            var bytes = region.mutableSpan
            for i in 0..<der.count { bytes[i] = der[i] }
            kept = der.count
        }
        events.push(HandshakeEvent(.clientCertificateValidated, length: der.count, server: true))
        return leaf.publicKey
        #endif
    }
}
