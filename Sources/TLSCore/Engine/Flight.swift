/// The handshake messages of one flight, written by the machine into the staging room the
/// engine lends it (the reassembly region, free whenever a flight is due), for the engine
/// to frame into records. A flight may change write protection once, part way: TLS 1.2's
/// ChangeCipherSpec before Finished.
public struct Flight: ~Copyable {
    private let region: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written so far: whole messages, each with its header.
    private(set) var count = 0
    /// Where write protection changes (messages before it go out under the old one).
    private(set) var switchPoint: Int? = nil
    /// Whether a ChangeCipherSpec record goes out at the switch point (TLS 1.2).
    private(set) var changeCipherSpec = false

    init(region: UnsafeMutableBufferPointer<UInt8>) {
        self.region = region
    }

    /// A writer over the free room, for the next message.
    @_lifetime(&self)
    mutating func room() -> Writer {
        let base = region
        var all = base.mutableSpan
        return _overrideLifetime(Writer(all._mutatingExtracting(count..<all.count)), mutating: &self)
    }

    /// Takes the `length` bytes just written into `room()` as one message; returns where it lies.
    mutating func commit(_ length: Int) -> Range<Int> {
        let start = count
        count = min(count &+ max(length, 0), region.count)
        return start..<count
    }

    /// The bytes of `range`, as written.
    @_lifetime(borrow self)
    func bytes(_ range: Range<Int>) -> Span<UInt8> {
        _overrideLifetime(UnsafeBufferPointer(region).span.extracting(range), borrowing: self)
    }

    /// Marks that write protection changes here, after a ChangeCipherSpec when asked.
    mutating func changeKeys(withChangeCipherSpec: Bool) {
        switchPoint = count
        changeCipherSpec = withChangeCipherSpec
    }
}
