/// Name constraints of every CA on the path, the trust anchor's included, over the
/// certificates below it except self-issued intermediates (RFC 5280 §6.1.3 (b)–(c),
/// §6.1.4 (g)), bounded by `ValidationPolicy.nameConstraintBudget`. When the identity is
/// matched against the leaf's commonName (`IdentityPolicy`'s fallback), the constraints
/// apply to that name as well.
public struct NameConstraintsPolicy: PathPolicy {
    public let commonNameFallback: Bool

    public init(commonNameFallback: Bool) { self.commonNameFallback = commonNameFallback }

    public var understoodExtensions: UInt64 { Self.arc(CertificateExtensions.nameConstraintsArc) }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        let leaf = try path.certificate(0)
        let usesCommonName = IdentityPolicy.usesCommonName(leaf, policy, allowed: commonNameFallback)
        for i in 1..<path.count {
            let ca = try path.certificate(i)
            guard ca.extensions.permittedSubtrees != nil || ca.extensions.excludedSubtrees != nil else { continue }
            for j in 0..<i {
                let subject = try path.certificate(j)
                if j > 0 && subject.isSelfIssued { continue }
                if j == 0, usesCommonName, let commonName = subject.commonName() {
                    try NameConstraints.check(ca: ca, subject: subject, commonName: commonName, work: &work)
                } else {
                    try NameConstraints.check(ca: ca, subject: subject, commonName: nil, work: &work)
                }
            }
        }
    }
}
