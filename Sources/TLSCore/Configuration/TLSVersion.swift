/// A protocol version this core speaks, by its wire code (RFC 8446 §4.2.1).
public enum TLSVersion: UInt16, Sendable {
    case tls12 = 0x0303
    case tls13 = 0x0304

    public var name: StaticString {
        switch self {
        case .tls12: "TLS 1.2"
        case .tls13: "TLS 1.3"
        }
    }
}

/// The versions a client offers: both by default (supported_versions, RFC 8446 §4.2.1),
/// or one of them. A bit set, as `CipherSuites` is.
public struct TLSVersions: Sendable, Equatable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ version: TLSVersion) { rawValue = version == .tls12 ? 1 : 2 }

    public static let tls12 = TLSVersions(.tls12)
    public static let tls13 = TLSVersions(.tls13)
    public static let all = TLSVersions(rawValue: 3)

    public func contains(_ version: TLSVersion) -> Bool { rawValue & TLSVersions(version).rawValue != 0 }
    public mutating func insert(_ version: TLSVersion) { rawValue |= TLSVersions(version).rawValue }
    public var isEmpty: Bool { rawValue & 3 == 0 }
}
