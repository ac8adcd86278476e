/// The MUSTs of RFC 5280 §4.2 on where extensions go and how they are marked, for the
/// chain's certificates (the trust anchor is the caller's and taken as it is). Path
/// building reads the key identifiers, so this policy is the one that claims them.
public struct ExtensionPlacementPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 {
        Self.arc(CertificateExtensions.subjectKeyIdentifierArc) | Self.arc(CertificateExtensions.authorityKeyIdentifierArc)
    }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.anchorIndex {
            let certificate = try path.certificate(i)
            let extensions = certificate.extensions
            // §4.2.1.1, §4.2.1.2: "Conforming CAs MUST mark this extension as non-critical."
            if extensions.isCritical(CertificateExtensions.authorityKeyIdentifierArc) {
                throw .certificate(.violates(.authorityKeyIdentifierCritical))
            }
            if extensions.isCritical(CertificateExtensions.subjectKeyIdentifierArc) {
                throw .certificate(.violates(.subjectKeyIdentifierCritical))
            }
            let canSign = extensions.keyUsage.map { $0.contains(.keyCertSign) } ?? true
            // §4.2.1.3: keyCertSign only with cA; §4.2.1.9: pathLenConstraint only with cA
            // and a key that may sign certificates.
            if let usage = extensions.keyUsage, usage.contains(.keyCertSign), !extensions.isCA {
                throw .certificate(.violates(.keyCertSignWithoutCA))
            }
            if extensions.pathLength != nil, !extensions.isCA || !canSign {
                throw .certificate(.violates(.pathLengthWithoutCA))
            }
            // §4.2.1.10: name constraints "MUST be used only in a CA certificate".
            if extensions.has(CertificateExtensions.nameConstraintsArc), !extensions.isCA {
                throw .certificate(.violates(.nameConstraintsInEndEntity))
            }
            // §4.1.2.6: a CA's subject is a non-empty name; §4.2.1.6: an empty subject needs
            // a critical subjectAltName.
            if certificate.hasEmptySubject {
                if extensions.isCA { throw .certificate(.violates(.caEmptySubject)) }
                if !extensions.isCritical(CertificateExtensions.subjectAltNameArc) {
                    throw .certificate(.violates(.subjectAltNameCriticality))
                }
            }
            // §4.2.1.11: "Conforming CAs MUST mark this extension as critical." (No policy
            // here processes policyConstraints, so a critical one is refused too, by
            // `CertificatePoliciesPolicy`: either way such a path is refused, with the
            // reason that applies.)
            if extensions.has(CertificateExtensions.policyConstraintsArc),
               !extensions.isCritical(CertificateExtensions.policyConstraintsArc) {
                throw .certificate(.violates(.policyConstraintsNotCritical))
            }
            // §4.2.1.9: CAs whose keys verify certificate signatures mark it critical.
            if i > 0, extensions.isCA, !extensions.isCritical(CertificateExtensions.basicConstraintsArc) {
                throw .certificate(.violates(.basicConstraintsNotCritical))
            }
        }
    }
}
