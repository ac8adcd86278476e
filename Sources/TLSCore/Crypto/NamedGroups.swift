/// The key-exchange groups a client offers, in its order of preference: supported_groups
/// lists them all, and a TLS 1.3 ClientHello carries a key share for the first (RFC 8446
/// §4.2.8). Packed into one integer, a group per 4 bits, so that it is plain, comparable
/// and costs no RAM to speak of.
public struct NamedGroups: Sendable, Equatable {
    private var packed: UInt16 = 0
    /// Groups in the list (at most the three this core implements, each once).
    public private(set) var count = 0

    public init() {}

    public init(_ group: NamedGroup) { append(group) }

    /// x25519, then secp256r1, then secp384r1.
    public static var defaults: NamedGroups {
        var groups = NamedGroups(.x25519)
        groups.append(.secp256r1)
        groups.append(.secp384r1)
        return groups
    }

    /// Adds `group` at the end; a group already listed stays where it is.
    public mutating func append(_ group: NamedGroup) {
        guard !contains(group), count < 3 else { return }
        packed |= UInt16(Self.code(group)) << UInt16(4 &* count)
        count &+= 1
    }

    public subscript(_ index: Int) -> NamedGroup {
        switch (packed >> UInt16(4 &* index)) & 0xF {
        case 1: .x25519
        case 2: .secp256r1
        default: .secp384r1
        }
    }

    public func contains(_ group: NamedGroup) -> Bool {
        for i in 0..<count where self[i] == group { return true }
        return false
    }

    public var isEmpty: Bool { count == 0 }

    private static func code(_ group: NamedGroup) -> UInt8 {
        switch group {
        case .x25519: 1
        case .secp256r1: 2
        case .secp384r1: 3
        }
    }
}
