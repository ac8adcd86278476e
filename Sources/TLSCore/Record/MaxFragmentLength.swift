/// The max_fragment_length extension's values (RFC 6066 §4): a smaller record size for
/// devices with little RAM, which shrinks every region the engine needs.
public enum MaxFragmentLength: UInt8, Sendable {
    case bytes512 = 1
    case bytes1024 = 2
    case bytes2048 = 3
    case bytes4096 = 4

    public var bytes: Int { 1 << (8 &+ Int(rawValue)) }
}
