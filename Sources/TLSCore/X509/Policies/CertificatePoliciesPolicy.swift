/// certificatePolicies and inhibitAnyPolicy (RFC 5280 §4.2.1.4, §4.2.1.14), claimed as
/// understood so that a path with them critical is not refused. This validator runs §6.1
/// with user-initial-policy-set anyPolicy and initial-explicit-policy FALSE; then the
/// policy tree only matters when a certificate on the path requires an explicit policy,
/// which only policyConstraints can do (§6.1.4 (i), §6.1.5 (b)) — and this policy refuses
/// every path with a critical policyConstraints (`policyConstraintsNotProcessed`) and every
/// chain certificate with policyMappings, whose §6.1.4 (a) checks are not made here
/// (`policyMappingsNotProcessed`). So explicit_policy stays above zero and §6.1.5 (g)
/// succeeds without the tree.
public struct CertificatePoliciesPolicy: PathPolicy {
    public init() {}

    // policyMappings and policyConstraints are claimed only so that a path with them is
    // refused by name (`check`) rather than as an unknown critical extension.
    public var understoodExtensions: UInt64 {
        Self.arc(CertificateExtensions.certificatePoliciesArc) | Self.arc(CertificateExtensions.inhibitAnyPolicyArc)
            | Self.arc(CertificateExtensions.policyMappingsArc) | Self.arc(CertificateExtensions.policyConstraintsArc)
    }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.count {
            let extensions = try path.certificate(i).extensions
            // §6.1.4 (a): a mapping to or from anyPolicy fails the path, critical or not;
            // that check is not made, so every policyMappings in the chain is refused. The
            // anchor's extensions are the caller's and only a critical one counts (§4.2).
            let inChain = i < path.anchorIndex
            if extensions.has(CertificateExtensions.policyMappingsArc),
               inChain || extensions.isCritical(CertificateExtensions.policyMappingsArc) {
                throw .certificate(.violates(.policyMappingsNotProcessed))
            }
            // §6.1.4 (i): requireExplicitPolicy is the one way explicit_policy reaches zero.
            // (A non-critical one in the chain was refused already: `policyConstraintsNotCritical`.)
            if extensions.isCritical(CertificateExtensions.policyConstraintsArc) {
                throw .certificate(.violates(.policyConstraintsNotProcessed))
            }
        }
    }
}
