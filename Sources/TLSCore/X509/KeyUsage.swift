/// The keyUsage bits (RFC 5280 §4.2.1.3), bit n of the ASN.1 BIT STRING at 1 << n. A plain
/// struct rather than an OptionSet: OptionSet's array-literal initializer allocates.
public struct KeyUsage: Equatable, Sendable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
    public static let nonRepudiation = KeyUsage(rawValue: 1 << 1)
    public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
    public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
    public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
    public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
    public static let cRLSign = KeyUsage(rawValue: 1 << 6)
    public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
    public static let decipherOnly = KeyUsage(rawValue: 1 << 8)
    /// What a certificate without the extension allows: everything.
    public static let unrestricted = KeyUsage(rawValue: 0x01FF)

    public func contains(_ other: KeyUsage) -> Bool { rawValue & other.rawValue == other.rawValue }
}
