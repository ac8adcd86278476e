/// Bounds-checked writer into a caller-owned region. Running out of room throws
/// `bufferTooSmall` with the size that was needed; it never traps. A counting writer
/// (`Writer(counting:)`) stores nothing and only counts: the code that writes a message
/// also sizes it, so no length formula can drift from what is written.
public struct Writer: ~Copyable, ~Escapable {
    public private(set) var buffer: MutableSpan<UInt8>
    public private(set) var count: Int = 0
    /// Only count: every write succeeds and nothing is stored.
    public let isCounting: Bool

    /// A writer that only counts the bytes it is given.
    @_lifetime(immortal)
    public init(counting: Void) {
        buffer = MutableSpan()
        isCounting = true
    }

    @_lifetime(copy buffer)
    public init(_ buffer: consuming MutableSpan<UInt8>) {
        self.buffer = buffer
        isCounting = false
    }

    /// A writer over all of `buffer` that borrows it rather than taking it, so the caller
    /// can read what was written once the writer is gone.
    @_lifetime(&buffer)
    public init(reborrowing buffer: inout MutableSpan<UInt8>) {
        self.buffer = buffer._mutatingExtracting(0..<buffer.count)
        isCounting = false
    }

    /// What was written so far (nothing for a counting writer).
    public var written: Span<UInt8> {
        @_lifetime(borrow self) get { isCounting ? buffer.span.extracting(0..<0) : buffer.span.extracting(0..<count) }
    }

    public var capacity: Int { buffer.count }
    public var freeCapacity: Int { isCounting ? Int.max &- count : buffer.count &- count }

    @_lifetime(self: copy self)
    public mutating func u8(_ value: UInt8) throws(TLSError) {
        try reserve(1)
        if !isCounting { buffer[count] = value }
        count &+= 1
    }

    @_lifetime(self: copy self)
    public mutating func u16(_ value: UInt16) throws(TLSError) {
        try bigEndian(UInt32(value), width: 2)
    }

    @_lifetime(self: copy self)
    public mutating func u24(_ value: Int) throws(TLSError) {
        guard value >= 0, value < 1 << 24 else { throw .malformed }
        try bigEndian(UInt32(value), width: 3)
    }

    @_lifetime(self: copy self)
    public mutating func u32(_ value: UInt32) throws(TLSError) {
        try bigEndian(value, width: 4)
    }

    @_lifetime(self: copy self)
    public mutating func bigEndian(_ value: UInt32, width: Int) throws(TLSError) {
        guard width >= 0, width <= 4 else { throw .malformed }
        try reserve(width)
        for i in 0..<width where !isCounting {
            buffer[count &+ i] = UInt8(truncatingIfNeeded: value >> (8 * (width &- 1 &- i)))
        }
        count &+= width
    }

    @_lifetime(self: copy self)
    public mutating func bytes(_ source: Span<UInt8>) throws(TLSError) {
        try reserve(source.count)
        for i in 0..<source.count where !isCounting { buffer[count &+ i] = source[i] }
        count &+= source.count
    }

    @_lifetime(self: copy self)
    public mutating func bytes(_ source: StaticString) throws(TLSError) {
        let n = source.utf8CodeUnitCount
        try reserve(n)
        let base = source.utf8Start
        for i in 0..<n where !isCounting { buffer[count &+ i] = base[i] }
        count &+= n
    }

    @_lifetime(self: copy self)
    /// Replaces bytes already written at `offset` (a PSK binder, which covers what precedes it).
    public mutating func overwrite(at offset: Int, with bytes: Span<UInt8>) throws(TLSError) {
        guard offset >= 0, offset &+ bytes.count <= count else { throw .invalidState }
        if isCounting { return }
        for i in 0..<bytes.count { buffer[offset &+ i] = bytes[i] }
    }

    public mutating func zeros(_ n: Int) throws(TLSError) {
        try reserve(n)
        for i in 0..<n where !isCounting { buffer[count &+ i] = 0 }
        count &+= n
    }

    /// Opens a TLS vector: writes a zero length of `lengthBytes` bytes and returns where it
    /// is, so that `endVector` can fill in the length once the contents are written.
    @_lifetime(self: copy self)
    public mutating func beginVector(lengthBytes: Int) throws(TLSError) -> VectorMark {
        let mark = VectorMark(position: count, lengthBytes: lengthBytes)
        try zeros(lengthBytes)
        return mark
    }

    @_lifetime(self: copy self)
    public mutating func endVector(_ mark: VectorMark) throws(TLSError) {
        let length = count &- mark.position &- mark.lengthBytes
        guard length >= 0, length < 1 << (8 * mark.lengthBytes) else { throw .malformed }
        for i in 0..<mark.lengthBytes where !isCounting {
            buffer[mark.position &+ i] = UInt8(truncatingIfNeeded: length >> (8 * (mark.lengthBytes &- 1 &- i)))
        }
    }

    /// Hands `body` the next `n` bytes of room (for primitives that write in place) and
    /// counts them as written. A counting writer only counts them.
    @_lifetime(self: copy self)
    public mutating func append(
        _ n: Int, _ body: (inout MutableSpan<UInt8>) throws(TLSError) -> Void
    ) throws(TLSError) {
        try reserve(n)
        if isCounting {
            count &+= n
            return
        }
        var room = buffer._mutatingExtracting(count..<(count &+ n))
        try body(&room)
        count &+= n
    }

    /// Hands `body` up to `maximum` bytes of room for a primitive whose output length is
    /// known only once written (a signature), and counts what it says it wrote.
    @_lifetime(self: copy self)
    public mutating func appendVariable(
        maximum: Int, _ body: (inout MutableSpan<UInt8>) throws(TLSError) -> Int
    ) throws(TLSError) {
        guard !isCounting else { throw .invalidState }
        try reserve(maximum)
        var room = buffer._mutatingExtracting(count..<(count &+ maximum))
        let written = try body(&room)
        guard written >= 0, written <= maximum else { throw .invalidState }
        count &+= written
    }

    /// Throws `bufferTooSmall` unless `n` more bytes fit.
    public func reserve(_ n: Int) throws(TLSError) {
        guard n >= 0, n <= freeCapacity else {
            throw .bufferTooSmall(needed: count &+ n, capacity: buffer.count)
        }
    }

    /// Where an open vector's length prefix sits.
    public struct VectorMark {
        public let position: Int
        public let lengthBytes: Int
    }
}
