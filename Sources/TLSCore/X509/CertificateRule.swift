/// A rule of RFC 5280, RFC 6125 or the CA/Browser Forum Baseline Requirements that a path
/// broke, beyond the coarse reasons of `CertificateError`: `CertificateError.violates(rule)`
/// names which check fired, and `name` is the stable spelling tools print
/// (`hostsim verify` prints `invalid: <name>`).
///
/// The raw value is the rule's stable number, which the C API reports in `report.detail`
/// beside `TLSCORE_ERR_CERT_RULE` (`tlscore_cert_rule_name` spells it): a rule keeps its
/// number for good, and a new rule takes the next free one.
public enum CertificateRule: UInt8, Sendable, Equatable {
    // Work bounds.
    /// Path building spent `ValidationPolicy.signatureBudget` signature verifications
    /// (certificates and CRLs together) without finding a valid path.
    case signatureBudget = 1
    /// Name-constraint checking would take more than `ValidationPolicy.nameConstraintBudget`
    /// name-against-subtree comparisons.
    case nameConstraintBudget = 2

    // Encoding (RFC 5280 §4.1, X.690 §11.5).
    /// A DEFAULT value encoded explicitly: critical FALSE, cA FALSE, version v1 (DER omits
    /// defaults).
    case explicitDefault = 3
    /// The same extension twice (§4.2: "MUST NOT include more than one instance").
    case duplicateExtension = 4
    /// Validity through 2049 not as UTCTime (§4.1.2.5).
    case validityEncoding = 5
    /// serialNumber zero, negative or a value longer than 20 octets (§4.1.2.2).
    case serialNumber = 6

    // Extension placement and criticality.
    /// authorityKeyIdentifier marked critical (§4.2.1.1: MUST be non-critical).
    case authorityKeyIdentifierCritical = 7
    /// subjectKeyIdentifier marked critical (§4.2.1.2: MUST be non-critical).
    case subjectKeyIdentifierCritical = 8
    /// webpki: a certificate other than a self-signed root without authorityKeyIdentifier.
    case authorityKeyIdentifierMissing = 9
    /// webpki: a CA certificate without subjectKeyIdentifier.
    case subjectKeyIdentifierMissing = 10
    /// A CA certificate whose basicConstraints is not critical (§4.2.1.9).
    case basicConstraintsNotCritical = 11
    /// pathLenConstraint without cA, or with a keyUsage lacking keyCertSign (§4.2.1.9).
    case pathLengthWithoutCA = 12
    /// keyCertSign asserted without cA (§4.2.1.3).
    case keyCertSignWithoutCA = 13
    /// nameConstraints in an end-entity certificate (§4.2.1.10: CA certificates only).
    case nameConstraintsInEndEntity = 14
    /// A CA certificate with an empty subject (§4.1.2.6).
    case caEmptySubject = 15
    /// An empty subject without a critical subjectAltName (§4.2.1.6); in webpki also a
    /// critical subjectAltName beside a non-empty subject.
    case subjectAltNameCriticality = 16
    /// policyConstraints not marked critical (§4.2.1.11).
    case policyConstraintsNotCritical = 17
    /// webpki: a CA certificate (cA TRUE) as the end entity.
    case caCertificateAsLeaf = 18
    /// webpki: anyExtendedKeyUsage in the end entity (BR §7.1.2.7.10).
    case anyExtendedKeyUsageInLeaf = 19
    /// webpki: an end entity without extendedKeyUsage (BR §7.1.2.7.10: MUST be present).
    case extendedKeyUsageMissing = 20

    // Keys.
    /// webpki: an RSA modulus below 2048 bits or not a multiple of 8 bits (BR §6.1.5).
    case rsaKeySize = 21
    /// An RSA public exponent that is even, below 3 or not below 2^32.
    case rsaPublicExponent = 22

    // Names.
    /// A dNSName SAN outside the preferred name syntax (§4.2.1.6): an empty label, a
    /// leading period, a character other than letters, digits, hyphens and `*`.
    case dnsNameSyntax = 23
    /// webpki: a subject commonName that is not one of the subjectAltName entries.
    case commonNameNotInSubjectAltName = 24
    // CRLs (RFC 5280 §5.2).
    /// The issuer's most recent CRL has no cRLNumber, or marks it critical (§5.2.3).
    case crlNumber = 25
    /// A delta CRL (deltaCRLIndicator, §5.2.4) from the issuer: not combined with a base
    /// here, so refused rather than ignored (it may list revocations the base does not).
    case deltaCRL = 26

    /// A dNSName name constraint with a leading period or an empty label (§4.2.1.10).
    case nameConstraintSyntax = 27

    // Purpose (RFC 5280 §4.2.1.3, §4.2.1.12; RFC 5246 §7.4.2, RFC 8446 §4.4.2.2). The leaf
    // rules answer unsupported_certificate (the certificate is not of a kind usable here);
    // a CA that may not sign certificates makes the path itself bad, as `issuerNotCA` does.
    /// The leaf's extendedKeyUsage has neither id-kp-serverAuth nor anyExtendedKeyUsage
    /// (validating a server).
    case extendedKeyUsageLacksServerAuth = 28
    /// The leaf's extendedKeyUsage has neither id-kp-clientAuth nor anyExtendedKeyUsage
    /// (validating a client).
    case extendedKeyUsageLacksClientAuth = 29
    /// An EC leaf whose keyUsage lacks digitalSignature (ECDHE signing and CertificateVerify
    /// both sign; an EC key never transports a key in TLS).
    case keyUsageLacksDigitalSignature = 30
    /// An RSA leaf whose keyUsage has neither digitalSignature nor keyEncipherment.
    case keyUsageLacksSignatureAndEncipherment = 31
    /// A CA on the path (intermediate or anchor) whose keyUsage is present without
    /// keyCertSign (§6.1.4 (n)).
    case caKeyUsageLacksKeyCertSign = 32

    // Path length (RFC 5280 §6.1.4 (l), (m)).
    /// The only paths found need more intermediates than `ValidationPolicy.maxIntermediates`
    /// (hostsim `--max-depth`) allows: a local limit, not a certificate's.
    case maxIntermediates = 33
    /// More non-self-issued intermediates below a CA than its pathLenConstraint allows
    /// (self-issued ones do not count, §6.1.4 (l)).
    case pathLengthConstraint = 34

    // Certificate fields that decode but may not stand together (RFC 5280 §4.1); refused
    // while parsing, so a chain entry breaking one is no issuer candidate.
    /// A version other than v1, v2 or v3 (§4.1.2.1). unsupported_certificate: a format this
    /// validator does not know, not a corrupt one.
    case certificateVersion = 35
    /// issuerUniqueID or subjectUniqueID in a v1 certificate (§4.1.2.8: v2 and v3 only), or
    /// extensions in a certificate that is not v3 (§4.1.2.9).
    case fieldNotInVersion = 36
    /// The signature AlgorithmIdentifier inside tbsCertificate differs from the one outside
    /// it (§4.1.1.2: "MUST contain the same algorithm identifier"), which the signature does
    /// not cover.
    case signatureAlgorithmMismatch = 37

    /// A CRL for a link, signed (by name) by an issuer whose keyUsage is present without
    /// cRLSign: the issuer may not sign CRLs (§6.3.3 (f), §4.2.1.3), so its CRLs are not
    /// used, and the link's revocation status cannot be decided.
    case crlIssuerLacksCRLSign = 38

    // Policy processing (RFC 5280 §6.1.3 (d)–(f), §6.1.4 (a)–(b), (h)–(j)): not done here.
    /// A policyMappings extension in a chain certificate (or a critical one in the anchor):
    /// its §6.1.4 (a) checks and the mapping itself are not processed.
    case policyMappingsNotProcessed = 39
    /// A critical policyConstraints (§4.2.1.11): requireExplicitPolicy and
    /// inhibitPolicyMapping need the policy tree, which is not built.
    case policyConstraintsNotProcessed = 40

    // Work bounds on what a certificate list can hold (they were `malformed`).
    /// More than `CertificateExtensions.maximumCount` extensions in one certificate (the
    /// duplicate search is pairwise).
    case extensionCount = 41
    /// More than `CertificateChain.maximumCount` entries in the peer's certificate list
    /// (each step of path building scans every entry).
    case chainEntryCount = 42

    /// A CA constrains a name form this validator does not process (otherName, x400Address,
    /// ediPartyName, registeredID) and a certificate below it carries a name of that form
    /// (§4.2.1.10: process the constraint or reject the certificate).
    case nameConstraintFormNotProcessed = 43

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
        case .extendedKeyUsageLacksServerAuth: "extended-key-usage-lacks-server-auth"
        case .extendedKeyUsageLacksClientAuth: "extended-key-usage-lacks-client-auth"
        case .keyUsageLacksDigitalSignature: "key-usage-lacks-digital-signature"
        case .keyUsageLacksSignatureAndEncipherment: "key-usage-lacks-digital-signature-and-key-encipherment"
        case .caKeyUsageLacksKeyCertSign: "ca-key-usage-lacks-key-cert-sign"
        case .maxIntermediates: "path-longer-than-max-intermediates"
        case .pathLengthConstraint: "path-length-constraint-exceeded"
        case .certificateVersion: "certificate-version"
        case .fieldNotInVersion: "field-not-in-certificate-version"
        case .signatureAlgorithmMismatch: "signature-algorithm-mismatch"
        case .crlIssuerLacksCRLSign: "crl-issuer-lacks-crl-sign"
        case .policyMappingsNotProcessed: "policy-mappings-not-processed"
        case .policyConstraintsNotProcessed: "policy-constraints-not-processed"
        case .extensionCount: "too-many-extensions"
        case .chainEntryCount: "too-many-chain-entries"
        case .nameConstraintFormNotProcessed: "name-constraint-form-not-processed"
        }
    }

    public var alert: AlertDescription {
        switch self {
        case .rsaKeySize, .rsaPublicExponent: .unsupportedCertificate
        case .extendedKeyUsageLacksServerAuth, .extendedKeyUsageLacksClientAuth, .keyUsageLacksDigitalSignature,
             .keyUsageLacksSignatureAndEncipherment: .unsupportedCertificate
        case .certificateVersion, .nameConstraintFormNotProcessed: .unsupportedCertificate
        case .crlNumber, .deltaCRL, .crlIssuerLacksCRLSign: .certificateUnknown
        case .policyMappingsNotProcessed, .policyConstraintsNotProcessed: .unsupportedCertificate
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
