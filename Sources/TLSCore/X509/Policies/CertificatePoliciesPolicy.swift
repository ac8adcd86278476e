/// certificatePolicies and inhibitAnyPolicy (RFC 5280 §4.2.1.4, §4.2.1.14), claimed as
/// understood so that a path with them critical is not refused. This validator runs §6.1
/// with user-initial-policy-set anyPolicy and initial-explicit-policy FALSE; then the
/// policy tree only matters when a certificate on the path requires an explicit policy,
/// which only policyConstraints can do (§6.1.4 (i), §6.1.5 (b)) — and no policy of the
/// profiles claims policyConstraints, nor policyMappings, whose §6.1.4 (a) checks are not
/// made here. So explicit_policy stays above zero and §6.1.5 (g) succeeds without the tree.
public struct CertificatePoliciesPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 {
        Self.arc(CertificateExtensions.certificatePoliciesArc) | Self.arc(54)
    }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {}
}
