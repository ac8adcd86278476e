/// The one bounds-checked reader every peer byte goes through: TLS records, handshake
/// messages, extensions and DER. It consumes a borrowed `Span`; sub-vectors come back as
/// spans of the same memory, so nothing is copied and nothing is allocated.
public struct Reader: ~Escapable {
    public private(set) var bytes: Span<UInt8>
    public private(set) var offset: Int = 0

    @_lifetime(copy bytes)
    public init(_ bytes: Span<UInt8>) {
        self.bytes = bytes
    }

    public var remaining: Int { bytes.count &- offset }
    public var isAtEnd: Bool { offset == bytes.count }

    /// The next byte without consuming it.
    public func peek() throws(TLSError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        return bytes[offset]
    }

    @_lifetime(self: copy self)
    public mutating func u8() throws(TLSError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        let value = bytes[offset]
        offset &+= 1
        return value
    }

    @_lifetime(self: copy self)
    public mutating func u16() throws(TLSError) -> UInt16 {
        UInt16(truncatingIfNeeded: try bigEndian(2))
    }

    @_lifetime(self: copy self)
    public mutating func u24() throws(TLSError) -> Int {
        try bigEndian(3)
    }

    @_lifetime(self: copy self)
    public mutating func u32() throws(TLSError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[offset &+ i]) }
        offset &+= 4
        return value
    }

    /// An unsigned big-endian integer of `width` bytes, at most 3 so that it fits an `Int`
    /// on 32-bit targets too (TLS lengths are 1, 2 or 3 bytes).
    @_lifetime(self: copy self)
    public mutating func bigEndian(_ width: Int) throws(TLSError) -> Int {
        guard width >= 0, width <= 3 else { throw .malformed }
        guard width <= remaining else { throw .truncated }
        var value = 0
        for i in 0..<width { value = value << 8 | Int(bytes[offset &+ i]) }
        offset &+= width
        return value
    }

    /// The next `count` bytes.
    @_lifetime(copy self)
    @_lifetime(self: copy self)
    public mutating func bytes(_ count: Int) throws(TLSError) -> Span<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated }
        let slice = bytes.extracting(offset..<(offset &+ count))
        offset &+= count
        return slice
    }

    /// Everything not yet consumed.
    @_lifetime(copy self)
    @_lifetime(self: copy self)
    public mutating func rest() -> Span<UInt8> {
        let slice = bytes.extracting(offset..<bytes.count)
        offset = bytes.count
        return slice
    }

    @_lifetime(self: copy self)
    public mutating func skip(_ count: Int) throws(TLSError) {
        guard count >= 0, count <= remaining else { throw .truncated }
        offset &+= count
    }

    /// A TLS vector `<floor..2^(8*lengthBytes)-1>`: a big-endian length of `lengthBytes`
    /// bytes, then that many bytes (RFC 5246 §4.3).
    @_lifetime(copy self)
    @_lifetime(self: copy self)
    public mutating func vector(lengthBytes: Int, minimum: Int = 0) throws(TLSError) -> Span<UInt8> {
        let length = try bigEndian(lengthBytes)
        guard length >= minimum else { throw .malformed }
        return try bytes(length)
    }

    /// A reader over a TLS vector's contents, for vectors of structures.
    @_lifetime(copy self)
    @_lifetime(self: copy self)
    public mutating func subReader(lengthBytes: Int, minimum: Int = 0) throws(TLSError) -> Reader {
        Reader(try vector(lengthBytes: lengthBytes, minimum: minimum))
    }

    /// Throws unless every byte was consumed: structures that must end here do.
    public func expectEnd() throws(TLSError) {
        guard isAtEnd else { throw .trailingBytes }
    }
}
