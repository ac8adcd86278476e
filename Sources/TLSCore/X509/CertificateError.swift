/// Why a certificate, a chain or a CRL was refused. Each reason is distinct so that callers
/// and tests can tell them apart, and each knows the alert it sends (RFC 5246 §7.2.2,
/// RFC 8446 §6.2).
public enum CertificateError: Error, Equatable, Sendable {
    /// The validation time is after notAfter.
    case expired
    /// The validation time is before notBefore.
    case notYetValid
    /// No trust anchor issues the chain's last certificate.
    case unknownIssuer
    /// An issuer's name matched but its key does not verify the signature.
    case badSignature
    /// An issuer lacks basicConstraints cA (RFC 5280 §4.2.1.9).
    case issuerNotCA
    /// The leaf does not carry the expected DNS name or IP address.
    case nameMismatch
    /// The leaf's keyUsage does not allow the key exchange the handshake negotiated
    /// (RFC 5246 §7.4.2: keyEncipherment for RSA key transport). Path validation names its
    /// own purpose checks instead (`violates(.extendedKeyUsageLacksServerAuth)` and the like).
    case wrongPurpose
    /// A CRL lists the certificate.
    case revoked
    /// A critical extension this validator does not process (RFC 5280 §4.2).
    case unsupportedCriticalExtension
    /// A signature or key algorithm refused by policy or not implemented (SHA-1, MD5,
    /// an unknown curve).
    case unsupportedAlgorithm
    /// The only CRLs for an issuer are outside thisUpdate..nextUpdate.
    case crlExpired
    /// No CRL for a link while the policy requires one.
    case crlMissing
    /// A CRL names the issuer but its key does not verify the CRL.
    case crlBadSignature
    /// A name outside a CA's permitted subtrees or inside its excluded ones (RFC 5280 §4.2.1.10).
    case nameConstraintViolation
    /// A rule of the validation profile, named (see `CertificateRule`).
    case violates(CertificateRule)
    /// DER that does not decode, and where.
    case malformed(where: Place)

    /// Where a decoding failure happened.
    public enum Place: Sendable, Equatable {
        /// The chain's framing (`CertificateChain`: TLS 1.2 or 1.3 certificate_list, or DER).
        case chain
        /// The outer Certificate SEQUENCE or its signature fields.
        case certificate
        case tbsCertificate
        case algorithm
        case name
        case validity
        case publicKey
        /// The Extensions list or an Extension's framing (extnID, extnValue).
        case extensions
        /// An Extension's critical field is not a DER BOOLEAN (X.690 §11.1: one octet, 0x00
        /// or 0xFF).
        case extensionCritical
        /// Bytes after an extension's value: after extnValue inside the Extension, or after
        /// the decoded value inside extnValue (RFC 5280 §4.2: the value is one element).
        case extensionTrailingBytes
        /// The value of basicConstraints, keyUsage, extendedKeyUsage, or a key identifier
        /// (subject or authority), does not decode.
        case basicConstraints
        case keyUsage
        case extendedKeyUsage
        case keyIdentifier
        case subjectAltName
        case nameConstraints
        case trustAnchor
        case crl
    }

    public var alert: AlertDescription {
        switch self {
        case .expired, .notYetValid: .certificateExpired
        case .unknownIssuer: .unknownCA
        case .badSignature, .issuerNotCA, .nameMismatch, .nameConstraintViolation:
            .badCertificate
        case .wrongPurpose, .unsupportedCriticalExtension, .unsupportedAlgorithm: .unsupportedCertificate
        case .revoked: .certificateRevoked
        case .crlExpired, .crlMissing, .crlBadSignature: .certificateUnknown
        case .violates(let rule): rule.alert
        case .malformed(let place):
            switch place {
            // Our own configuration is broken, not the peer's message.
            case .trustAnchor: .internalError
            case .crl: .certificateUnknown
            default: .decodeError
            }
        }
    }
}
