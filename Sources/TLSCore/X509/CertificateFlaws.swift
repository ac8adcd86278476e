/// Encoding faults of a certificate that still parses: recorded by `Certificate` and
/// `CertificateExtensions`, refused by name by `EncodingPolicy` when the certificate is on a
/// path. Parsing does not throw for them so that a chain's faulty candidate is still found
/// as an issuer and the refusal names the rule (`invalid: duplicate-extension`) rather than
/// leaving an unknown issuer. A plain struct rather than an OptionSet (array literals allocate).
public struct CertificateFlaws: Equatable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8 = 0) { self.rawValue = rawValue }

    /// critical FALSE, cA FALSE or version v1 encoded although DER omits DEFAULT values
    /// (X.690 §11.5).
    public static let explicitDefault = CertificateFlaws(rawValue: 1 << 0)
    /// An extension OID twice (RFC 5280 §4.2).
    public static let duplicateExtension = CertificateFlaws(rawValue: 1 << 1)
    /// A validity date through 2049 as GeneralizedTime (RFC 5280 §4.1.2.5).
    public static let validityEncoding = CertificateFlaws(rawValue: 1 << 2)
    /// serialNumber zero, negative or a value longer than 20 octets (RFC 5280 §4.1.2.2).
    public static let serialNumber = CertificateFlaws(rawValue: 1 << 3)

    /// A dNSName constraint that is not a DNS name: a leading period, an empty label
    /// (RFC 5280 §4.2.1.10 reads the form as a domain; "" alone, every name, is allowed).
    public static let nameConstraintSyntax = CertificateFlaws(rawValue: 1 << 4)

    public func contains(_ other: CertificateFlaws) -> Bool { rawValue & other.rawValue == other.rawValue }
    public mutating func insert(_ other: CertificateFlaws) { rawValue |= other.rawValue }
}
