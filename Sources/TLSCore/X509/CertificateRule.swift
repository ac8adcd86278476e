/// A rule of RFC 5280, RFC 6125 or the CA/Browser Forum Baseline Requirements that a path
/// broke, beyond the coarse reasons of `CertificateError`: `CertificateError.violates(rule)`
/// names which check fired, and `name` is the stable spelling tools print
/// (`hostsim verify` prints `invalid: <name>`).
public enum CertificateRule: Sendable, Equatable {
    // Work bounds.
    /// Path building spent `ValidationPolicy.signatureBudget` signature verifications
    /// (certificates and CRLs together) without finding a valid path.
    case signatureBudget
    /// Name-constraint checking would take more than `ValidationPolicy.nameConstraintBudget`
    /// name-against-subtree comparisons.
    case nameConstraintBudget

    // Encoding (RFC 5280 §4.1, X.690 §11.5).
    /// A DEFAULT value encoded explicitly: critical FALSE, cA FALSE (DER omits defaults).
    case explicitDefault
    /// The same extension twice (§4.2: "MUST NOT include more than one instance").
    case duplicateExtension
    /// Validity through 2049 not as UTCTime (§4.1.2.5).
    case validityEncoding
    /// serialNumber zero, negative or a value longer than 20 octets (§4.1.2.2).
    case serialNumber

    // Extension placement and criticality.
    /// authorityKeyIdentifier marked critical (§4.2.1.1: MUST be non-critical).
    case authorityKeyIdentifierCritical
    /// subjectKeyIdentifier marked critical (§4.2.1.2: MUST be non-critical).
    case subjectKeyIdentifierCritical
    /// webpki: a certificate other than a self-signed root without authorityKeyIdentifier.
    case authorityKeyIdentifierMissing
    /// webpki: a CA certificate without subjectKeyIdentifier.
    case subjectKeyIdentifierMissing
    /// A CA certificate whose basicConstraints is not critical (§4.2.1.9).
    case basicConstraintsNotCritical
    /// pathLenConstraint without cA, or with a keyUsage lacking keyCertSign (§4.2.1.9).
    case pathLengthWithoutCA
    /// keyCertSign asserted without cA (§4.2.1.3).
    case keyCertSignWithoutCA
    /// nameConstraints in an end-entity certificate (§4.2.1.10: CA certificates only).
    case nameConstraintsInEndEntity
    /// A CA certificate with an empty subject (§4.1.2.6).
    case caEmptySubject
    /// An empty subject without a critical subjectAltName (§4.2.1.6); in webpki also a
    /// critical subjectAltName beside a non-empty subject.
    case subjectAltNameCriticality
    /// policyConstraints not marked critical (§4.2.1.11).
    case policyConstraintsNotCritical
    /// webpki: a CA certificate (cA TRUE) as the end entity.
    case caCertificateAsLeaf
    /// webpki: anyExtendedKeyUsage in the end entity (BR §7.1.2.7.10).
    case anyExtendedKeyUsageInLeaf
    /// webpki: an end entity without extendedKeyUsage (BR §7.1.2.7.10: MUST be present).
    case extendedKeyUsageMissing

    // Keys.
    /// webpki: an RSA modulus below 2048 bits or not a multiple of 8 bits (BR §6.1.5).
    case rsaKeySize
    /// An RSA public exponent that is even, below 3 or not below 2^32.
    case rsaPublicExponent

    // Names.
    /// A dNSName SAN outside the preferred name syntax (§4.2.1.6): an empty label, a
    /// leading period, a character other than letters, digits, hyphens and `*`.
    case dnsNameSyntax
    /// webpki: a subject commonName that is not one of the subjectAltName entries.
    case commonNameNotInSubjectAltName
    // CRLs (RFC 5280 §5.2).
    /// The issuer's most recent CRL has no cRLNumber, or marks it critical (§5.2.3).
    case crlNumber
    /// A delta CRL (deltaCRLIndicator, §5.2.4) from the issuer: not combined with a base
    /// here, so refused rather than ignored (it may list revocations the base does not).
    case deltaCRL

    /// A dNSName name constraint with a leading period or an empty label (§4.2.1.10).
    case nameConstraintSyntax

    /// The spelling tools print.
    public var name: StaticString {
        switch self {
        case .signatureBudget: "signature-verification-budget-exhausted"
        case .nameConstraintBudget: "name-constraint-budget-exhausted"
        case .explicitDefault: "der-explicit-default"
        case .duplicateExtension: "duplicate-extension"
        case .validityEncoding: "validity-time-encoding"
        case .serialNumber: "serial-number"
        case .authorityKeyIdentifierCritical: "authority-key-identifier-critical"
        case .subjectKeyIdentifierCritical: "subject-key-identifier-critical"
        case .authorityKeyIdentifierMissing: "authority-key-identifier-missing"
        case .subjectKeyIdentifierMissing: "subject-key-identifier-missing"
        case .basicConstraintsNotCritical: "basic-constraints-not-critical"
        case .pathLengthWithoutCA: "path-length-without-ca"
        case .keyCertSignWithoutCA: "key-cert-sign-without-ca"
        case .nameConstraintsInEndEntity: "name-constraints-in-end-entity"
        case .caEmptySubject: "ca-empty-subject"
        case .subjectAltNameCriticality: "subject-alt-name-criticality"
        case .policyConstraintsNotCritical: "policy-constraints-not-critical"
        case .caCertificateAsLeaf: "ca-certificate-as-leaf"
        case .anyExtendedKeyUsageInLeaf: "any-extended-key-usage-in-leaf"
        case .extendedKeyUsageMissing: "extended-key-usage-missing"
        case .rsaKeySize: "rsa-key-size"
        case .rsaPublicExponent: "rsa-public-exponent"
        case .dnsNameSyntax: "dns-name-syntax"
        case .commonNameNotInSubjectAltName: "common-name-not-in-subject-alt-name"
        case .nameConstraintSyntax: "name-constraint-syntax"
        case .crlNumber: "crl-number"
        case .deltaCRL: "delta-crl-unsupported"
        }
    }

    public var alert: AlertDescription {
        switch self {
        case .rsaKeySize, .rsaPublicExponent: .unsupportedCertificate
        case .crlNumber, .deltaCRL: .certificateUnknown
        default: .badCertificate
        }
    }
}

#if !hasFeature(Embedded)
/// Host tools print a refusal as `violates(dns-name-syntax)` rather than the qualified case.
extension CertificateRule: CustomStringConvertible {
    public var description: String { "\(name)" }
}
#endif
