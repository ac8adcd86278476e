/// What the leaf's key may be used for: extendedKeyUsage must allow the policy's purpose
/// (RFC 5280 §4.2.1.12; absent or anyExtendedKeyUsage allows any), and keyUsage must allow
/// a TLS key: digitalSignature for an EC key (ECDHE, TLS 1.3 CertificateVerify), and for
/// RSA digitalSignature or keyEncipherment (key transport, which the handshake decides with
/// `ValidatedLeaf.keyUsage`).
public struct LeafUsagePolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 {
        Self.arc(CertificateExtensions.extendedKeyUsageArc) | Self.arc(CertificateExtensions.keyUsageArc)
    }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        let leaf = try path.certificate(0)
        let extensions = leaf.extensions
        if extensions.hasExtendedKeyUsage && !extensions.anyExtendedKeyUsage {
            let allowed = policy.purpose == .serverAuth ? extensions.serverAuth : extensions.clientAuth
            if !allowed {
                throw .certificate(.violates(policy.purpose == .serverAuth
                    ? .extendedKeyUsageLacksServerAuth : .extendedKeyUsageLacksClientAuth))
            }
        }
        let usage = extensions.keyUsage ?? .unrestricted
        switch leaf.publicKey.kind {
        case .ec:
            if !usage.contains(.digitalSignature) { throw .certificate(.violates(.keyUsageLacksDigitalSignature)) }
        case .rsa:
            if !usage.contains(.digitalSignature) && !usage.contains(.keyEncipherment) {
                throw .certificate(.violates(.keyUsageLacksSignatureAndEncipherment))
            }
        case .unsupported:
            throw .certificate(.unsupportedAlgorithm)
        }
    }
}
