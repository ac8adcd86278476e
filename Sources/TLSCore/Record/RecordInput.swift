/// The incoming half of the record layer over the caller's input region ("where do
/// incoming bytes go / I wrote n"): finds complete records, enforces the length limits,
/// opens protected records in place, and holds decrypted application data until read.
///
/// The region is kept as the caller's buffer (so that an engine can be stored, see
/// `Engine`); every access goes through a bounds-checked span made from it.
struct RecordInput: ~Copyable {
    private let region: UnsafeMutableBufferPointer<UInt8>
    /// Bytes received so far; bytes before `parsed` belong to records already handled.
    private var filled = 0
    private var parsed = 0
    /// Decrypted application data waiting for the caller, as a range of the region.
    private(set) var plaintextStart = 0
    private(set) var plaintextEnd = 0
    private var protection: RecordProtection?
    private var overhead = 0
    /// The largest plaintext fragment accepted (RFC 5246 §6.2.1, RFC 6066 §4).
    var maxFragment = 16384
    /// Whether the peer's version is settled (ServerHello), after which every record must
    /// carry 3,3.
    var versionLocked = false

    init(region: UnsafeMutableBufferPointer<UInt8>) {
        self.region = region
    }

    var capacity: Int { region.count }

    /// Opens every later record with `protection`.
    mutating func activate(_ protection: consuming RecordProtection) {
        overhead = protection.overhead
        self.protection = consume protection
    }

    /// Drops the read keys (after a failure or close): the AEAD context is freed, which
    /// zeroes its key schedule.
    mutating func deactivate() {
        protection = nil
        overhead = 0
    }

    /// Where the transport should write next. Compacts first, so the room is as large as
    /// possible; empty while application data waits to be read or the region is full.
    @_lifetime(&self)
    mutating func room() -> MutableSpan<UInt8> {
        let base = region
        var bytes = base.mutableSpan
        if plaintextStart == plaintextEnd, parsed > 0 {
            let remaining = filled &- parsed
            for i in 0..<remaining { bytes[i] = bytes[parsed &+ i] }
            filled = remaining
            parsed = 0
            plaintextStart = 0
            plaintextEnd = 0
        }
        return _overrideLifetime(bytes._mutatingExtracting(filled..<bytes.count), mutating: &self)
    }

    mutating func didReceive(_ count: Int) {
        filled = min(filled &+ max(count, 0), region.count)
    }

    var hasPlaintext: Bool { plaintextStart < plaintextEnd }

    /// Copies waiting application data out and returns how much.
    mutating func readPlaintext(into output: inout MutableSpan<UInt8>) -> Int {
        let bytes = UnsafeBufferPointer(region).span
        let count = min(output.count, plaintextEnd &- plaintextStart)
        for i in 0..<count { output[i] = bytes[plaintextStart &+ i] }
        plaintextStart &+= count
        return count
    }

    /// The next complete record, opened: its type and the plaintext's range within the
    /// region (valid until the next call). Nil when more bytes are needed.
    mutating func nextRecord() throws(TLSError) -> (type: UInt8, start: Int, count: Int)? {
        let base = region
        var bytes = base.mutableSpan
        guard filled &- parsed >= 5 else { return nil }
        let type = bytes[parsed]
        guard type >= 20, type <= 23 else { throw .unexpectedMessage }
        // Before ServerHello the record version may be 3,1..3,3 (RFC 5246 Appendix E.1).
        let major = bytes[parsed &+ 1], minor = bytes[parsed &+ 2]
        guard major == 3, versionLocked ? minor == 3 : (minor >= 1 && minor <= 3) else { throw .protocolVersion }
        let length = Int(bytes[parsed &+ 3]) << 8 | Int(bytes[parsed &+ 4])
        // RFC 5246 §6.2.3: ciphertext may exceed the plaintext limit by the expansion only.
        let limit = maxFragment &+ overhead
        guard length <= limit else { throw .recordOverflow }
        guard 5 &+ length <= bytes.count else { throw .bufferTooSmall(needed: 5 &+ length, capacity: bytes.count) }
        guard filled &- parsed >= 5 &+ length else { return nil }
        let fragmentStart = parsed &+ 5
        parsed = fragmentStart &+ length
        guard var state = protection.take() else { return (type, fragmentStart, length) }
        if state.isTLS13 {
            // RFC 8446 §5: protected records are application_data; only the middlebox
            // ChangeCipherSpec travels in the clear (the machine decides whether it may).
            if type == ContentType.changeCipherSpec.rawValue {
                protection = consume state
                return (type, fragmentStart, length)
            }
            guard type == ContentType.applicationData.rawValue else {
                protection = consume state
                throw .unexpectedMessage
            }
        }
        let header: InlineArray<5, UInt8> = [type, major, minor, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        var fragment = bytes._mutatingExtracting(fragmentStart..<(fragmentStart &+ length))
        let result = Result { () throws(TLSError) in try state.open(header: header, fragment: &fragment) }
        protection = consume state
        let opened = try result.get()
        guard opened.count <= maxFragment else { throw .recordOverflow }
        return (opened.type, fragmentStart &+ opened.start, opened.count)
    }

    /// Marks a decrypted application-data range as waiting for the caller.
    mutating func holdPlaintext(start: Int, count: Int) {
        plaintextStart = start
        plaintextEnd = start &+ count
    }

    /// The bytes of a record returned by `nextRecord`.
    @_lifetime(borrow self)
    func bytes(start: Int, count: Int) -> Span<UInt8> {
        let bytes = UnsafeBufferPointer(region).span.extracting(start..<(start &+ count))
        return _overrideLifetime(bytes, borrowing: self)
    }
}
