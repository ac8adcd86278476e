/// Cuts the handshake byte stream into whole messages (RFC 5246 §6.2.1: a message may span
/// records, and a record may hold several). A message that lies whole in one record is read
/// where it lies, in the input region; only one that continues into the next record is
/// copied here, into the reassembly region. The same region stages the machine's flights,
/// which are written only when no peer message is pending.
struct HandshakeDeframer: ~Copyable {
    private let region: UnsafeMutableBufferPointer<UInt8>
    /// Bytes of a message still being reassembled.
    private(set) var count = 0

    /// The longest handshake message this engine accepts, header included. The largest a
    /// peer sends is its Certificate message: 64 KB covers chains of several RSA-4096
    /// certificates. A longer announced length is a decode error whatever the region's
    /// size; a plausible one that does not fit the region is `bufferTooSmall`.
    static let maximumMessageLength = 65536

    init(region: UnsafeMutableBufferPointer<UInt8>) {
        self.region = region
    }

    var capacity: Int { region.count }
    var isEmpty: Bool { count == 0 }

    /// The length (header included) of the whole message at the front of `bytes`, or nil
    /// when not all of it is there.
    static func wholeMessageLength(_ bytes: Span<UInt8>) throws(TLSError) -> Int? {
        guard bytes.count >= 4 else { return nil }
        let length = try checkedLength(bytes)
        return bytes.count >= length ? length : nil
    }

    /// Appends the rest of a record's handshake bytes.
    mutating func append(_ bytes: Span<UInt8>) throws(TLSError) {
        let base = region
        var room = base.mutableSpan
        guard count &+ bytes.count <= room.count else {
            // Name the whole message when its header is already here.
            let needed = count >= 4 ? try Self.checkedLength(room.span) : count &+ bytes.count
            throw .bufferTooSmall(needed: max(needed, count &+ bytes.count), capacity: room.count)
        }
        for i in 0..<bytes.count { room[count &+ i] = bytes[i] }
        count &+= bytes.count
    }

    /// The length of the first reassembled message once it is complete, else nil.
    func nextMessageLength() throws(TLSError) -> Int? {
        guard count >= 4 else { return nil }
        let length = try Self.checkedLength(UnsafeBufferPointer(region).span)
        guard length <= region.count else { throw .bufferTooSmall(needed: length, capacity: region.count) }
        return count >= length ? length : nil
    }

    /// The first `length` reassembled bytes.
    @_lifetime(borrow self)
    func message(_ length: Int) -> Span<UInt8> {
        _overrideLifetime(UnsafeBufferPointer(region).span.extracting(0..<length), borrowing: self)
    }

    /// Drops the first message, keeping what follows it.
    mutating func drop(_ length: Int) {
        let base = region
        var bytes = base.mutableSpan
        let remaining = count &- length
        for i in 0..<remaining { bytes[i] = bytes[length &+ i] }
        count = remaining
    }

    /// The whole region as staging room for a flight; only while no message is pending.
    func stagingRegion() throws(TLSError) -> UnsafeMutableBufferPointer<UInt8> {
        guard count == 0 else { throw .unexpectedMessage }
        return region
    }

    /// The whole length (header included) that the handshake header at the front of
    /// `header` announces, refused when no message this engine accepts is that long.
    private static func checkedLength(_ header: Span<UInt8>) throws(TLSError) -> Int {
        let length = 4 &+ (Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3]))
        guard length <= maximumMessageLength else { throw .messageTooLong(length: length &- 4) }
        return length
    }
}
