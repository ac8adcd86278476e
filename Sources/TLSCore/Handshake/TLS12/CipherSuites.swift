/// A set of cipher suites, offered in the core's fixed preference order (the declaration
/// order of `CipherSuite`: forward-secret ECDSA first, RSA key transport last). A bit set
/// rather than an OptionSet, whose array-literal initialiser allocates.
public struct CipherSuites: Sendable, Equatable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(_ suite: CipherSuite) { rawValue = suite.bit }

    public static let none = CipherSuites(rawValue: 0)
    /// Every forward-secret suite but CCM_8; RSA key transport and CCM_8 (8-byte tags,
    /// "not recommended" by RFC 8447 §5) stay off unless asked for.
    public static let defaults = CipherSuites(rawValue: 0x00EF)
    public static let all = CipherSuites(rawValue: 0x03FF)
    /// Every ECDHE suite.
    public static let ecdhe = CipherSuites(rawValue: 0x00FF)

    public func contains(_ suite: CipherSuite) -> Bool { rawValue & suite.bit != 0 }
    public mutating func insert(_ suite: CipherSuite) { rawValue |= suite.bit }
    public var isEmpty: Bool { rawValue == 0 }
    /// Whether any ECDHE suite is in the set (then supported_groups and ec_point_formats go out).
    public var offersECDHE: Bool { rawValue & CipherSuites.ecdhe.rawValue != 0 }
}
