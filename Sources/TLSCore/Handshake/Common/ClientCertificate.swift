/// ⑥ The client's chain, checked by the server, either version: validated against the
/// client trust anchors and CRLs for clientAuth (dates, CA, each signature, revocation
/// under the configured policy, RFC 5280 §6), its key held to the configured strength and
/// allowed to sign CertificateVerify (RFC 5280 §4.2.1.3). The leaf is copied into the
/// caller's client certificate region when one is configured, for the application to
/// read the identity from (`kept`: its length there).
enum ClientCertificate {
    /// ⑤ the client's Certificate message's list, either version: empty, the client sent
    /// none — served when the certificate is optional (nil), otherwise refused with the
    /// version's error (RFC 5246 §7.4.6: handshake_failure; RFC 8446 §4.4.2.4:
    /// certificate_required); else ⑥ the chain validated, its key returned.
    static func check(
        _ list: Span<UInt8>, framing: CertificateChain.Framing, settings: borrowing ServerSettings, kept: inout Int,
        events: inout EventQueue
    ) throws(TLSError) -> PublicKey? {
        guard list.count > 0 else {
            events.push(HandshakeEvent(.clientCertificateAbsent, length: 0, server: true))
            guard settings.clientAuthentication == .optional else {
                throw framing == .tls13 ? .certificateRequired : .handshakeFailure
            }
            return nil
        }
        return try validate(CertificateChain(list, framing: framing), settings: settings, kept: &kept, events: &events)
    }

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
