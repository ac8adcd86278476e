/// The fuzzer's bytes read front to back as a small structured input: option bytes,
/// lengths, pieces, the rest. Reads past the end yield zeros and empty pieces, never a
/// failure, so that every byte string is a valid input and libFuzzer's mutations of any
/// length stay meaningful.
struct FuzzInput: ~Escapable {
    private let bytes: Span<UInt8>
    private(set) var offset = 0

    @_lifetime(copy bytes)
    init(_ bytes: Span<UInt8>) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count &- offset }
    var isAtEnd: Bool { offset >= bytes.count }

    /// The next byte, or 0 past the end.
    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset &+= 1 }
        return bytes[offset]
    }

    /// The next two bytes, big-endian.
    mutating func u16() -> Int {
        Int(byte()) << 8 | Int(byte())
    }

    /// The next `count` bytes, fewer at the end.
    @_lifetime(copy self)
    mutating func take(_ count: Int) -> Span<UInt8> {
        let n = max(0, min(count, remaining))
        let piece = bytes.extracting(offset..<(offset &+ n))
        offset &+= n
        return piece
    }

    /// Everything not yet read.
    @_lifetime(copy self)
    mutating func rest() -> Span<UInt8> {
        take(remaining)
    }
}
