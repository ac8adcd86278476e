/// A set of cipher suites, offered in the core's fixed preference order (the declaration
/// order of `CipherSuite`: forward-secret ECDSA first, RSA key transport last). A bit set
/// rather than an OptionSet, whose array-literal initialiser allocates.
public struct CipherSuites: Sendable, Equatable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(_ suite: CipherSuite) { rawValue = suite.bit }

    public static let none = CipherSuites(rawValue: 0)
    /// Every forward-secret suite but the CCM_8 ones; RSA key transport and CCM_8 (8-byte
    /// tags, "not recommended" by RFC 8447 §5, off by default in RFC 8446 §B.4's spirit)
    /// stay off unless asked for.
    public static let defaults = CipherSuites(rawValue: 0x3CEF)
    public static let all = CipherSuites(rawValue: 0x7_FFFF)
    /// Every TLS 1.2 ECDHE suite (ECDHE_PSK included).
    public static let ecdhe = CipherSuites(rawValue: 0x4_00FF)
    /// Every TLS 1.2 suite.
    public static let tls12 = CipherSuites(rawValue: 0x7_83FF)
    /// The TLS 1.2 PSK suites (offered only with an external PSK configured).
    public static let psk = CipherSuites(rawValue: 0x7_8000)
    /// Every TLS 1.3 suite.
    public static let tls13 = CipherSuites(rawValue: 0x7C00)

    public func contains(_ suite: CipherSuite) -> Bool { rawValue & suite.bit != 0 }
    public mutating func insert(_ suite: CipherSuite) { rawValue |= suite.bit }
    public var isEmpty: Bool { rawValue == 0 }
    public func intersection(_ other: CipherSuites) -> CipherSuites { CipherSuites(rawValue: rawValue & other.rawValue) }
    /// Whether any ECDHE suite is in the set (then supported_groups and ec_point_formats go out).
    public var offersECDHE: Bool { rawValue & CipherSuites.ecdhe.rawValue != 0 }
    /// The suites of one version.
    public func only(_ version: TLSVersion) -> CipherSuites {
        CipherSuites(rawValue: rawValue & (version == .tls13 ? CipherSuites.tls13 : CipherSuites.tls12).rawValue)
    }
}
