/// What makes a certificate an issuer (RFC 5280 §6.1.4 (k)–(n)): basicConstraints cA
/// (§4.2.1.9; a v1 trust anchor has no extensions and is trusted as it is), keyUsage
/// keyCertSign when keyUsage is present (§4.2.1.3), and each pathLenConstraint against the
/// non-self-issued intermediates below it.
public struct BasicConstraintsPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 {
        Self.arc(CertificateExtensions.basicConstraintsArc) | Self.arc(CertificateExtensions.keyUsageArc)
    }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 1..<path.count {
            let certificate = try path.certificate(i)
            let isV1Anchor = i == path.anchorIndex && certificate.version < 3
            if !certificate.extensions.isCA && !isV1Anchor { throw .certificate(.issuerNotCA) }
            if let usage = certificate.extensions.keyUsage, !usage.contains(.keyCertSign) {
                throw .certificate(.violates(.caKeyUsageLacksKeyCertSign))
            }
            guard let limit = certificate.extensions.pathLength else { continue }
            // §6.1.4 (l): self-issued intermediates do not count.
            var below = 0
            for j in 1..<i {
                if !(try path.certificate(j).isSelfIssued) { below &+= 1 }
            }
            if below > limit { throw .certificate(.violates(.pathLengthConstraint)) }
        }
    }
}
