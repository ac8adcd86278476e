/// The outgoing half of the record layer over the caller's output region: frames messages
/// into records no longer than the negotiated fragment limit, seals them once write
/// protection is active, and queues the bytes for the transport ("what must be sent / I
/// sent n").
///
/// The region is kept as the caller's buffer (so that an engine can be stored, see
/// `Engine`); every access goes through a bounds-checked span made from it.
struct RecordOutput: ~Copyable {
    private let region: UnsafeMutableBufferPointer<UInt8>
    /// Bytes before `sent` have gone to the transport; `queued` is the end of what is ready.
    private var sent = 0
    private var queued = 0
    /// The start of a plaintext handshake record still open for more messages, or -1.
    private var openRecord = -1
    private var protection: RecordProtection?
    /// Per-record expansion under the write protection (0 before it is active): the
    /// explicit nonce before the plaintext, the tag (TLS 1.3: type byte and tag) after it.
    private var explicitNonceLength = 0
    private var tagLength = 0
    /// The keys were dropped: no more records.
    private var ended = false
    /// The largest plaintext fragment to send (RFC 5246 §6.2.1, RFC 6066 §4).
    var maxFragment = 16384

    init(region: UnsafeMutableBufferPointer<UInt8>) {
        self.region = region
    }

    var pending: Span<UInt8> {
        @_lifetime(borrow self) get {
            let bytes = UnsafeBufferPointer(region).span.extracting(sent..<queued)
            return _overrideLifetime(bytes, borrowing: self)
        }
    }

    var hasPending: Bool { sent < queued }

    /// Records sealed under the current write keys (0 in plaintext).
    var sealedRecords: UInt64 {
        switch protection {
        case .some(let protection): protection.sequence
        case .none: 0
        }
    }
    var isProtected: Bool { tagLength > 0 }

    /// Protects every later record with `protection`; the open record, if any, is closed
    /// under the previous one first.
    mutating func activate(_ protection: consuming RecordProtection) throws(TLSError) {
        try close()
        explicitNonceLength = protection.explicitNonceLength
        tagLength = protection.trailerLength
        self.protection = consume protection
    }

    /// Drops the write keys (after a failure or close): what is queued stays queued, and
    /// nothing more may be: a record written now would go out unprotected, or framed for
    /// keys that are gone.
    mutating func deactivate() {
        protection = nil
        ended = true
    }

    mutating func didSend(_ count: Int) {
        sent = min(sent &+ max(count, 0), queued)
        if sent == queued, openRecord < 0 {
            sent = 0
            queued = 0
        }
    }

    /// Bytes of plaintext that can still be queued as records right now.
    var freePlaintext: Int {
        let room = region.count &- queued &- 5 &- (explicitNonceLength &+ tagLength)
        return max(0, min(room, maxFragment))
    }

    /// Queues a handshake message, splitting it over records when it is longer than the
    /// fragment limit and packing it after earlier messages while in plaintext.
    mutating func appendHandshake(_ message: Span<UInt8>) throws(TLSError) {
        var offset = 0
        while offset < message.count {
            if openRecord < 0 { try begin(.handshake) }
            let used = queued &- openRecord &- 5 &- explicitNonceLength
            let room = maxFragment &- used
            if room == 0 {
                try close()
                continue
            }
            let take = min(room, message.count &- offset)
            try reserve(take &+ tagLength)
            copy(message.extracting(offset..<(offset &+ take)))
            offset &+= take
        }
        // Encrypted messages go out one per record, so that sealing happens once.
        if isProtected { try close() }
    }

    /// Queues a complete non-handshake record: ChangeCipherSpec, an alert, or a fragment
    /// of application data (at most `maxFragment` bytes).
    mutating func appendRecord(_ type: ContentType, _ body: Span<UInt8>) throws(TLSError) {
        try close()
        guard body.count <= maxFragment else { throw .invalidState }
        try begin(type)
        try reserve(body.count &+ tagLength)
        copy(body)
        try close()
    }

    /// Closes the open record: writes its length, or seals it under the write protection.
    mutating func close() throws(TLSError) {
        guard openRecord >= 0 else { return }
        let start = openRecord
        openRecord = -1
        let plaintext = queued &- start &- 5 &- explicitNonceLength
        let base = region
        var bytes = base.mutableSpan
        if var state = protection.take() {
            var record = bytes._mutatingExtracting(start..<(queued &+ tagLength))
            // TLS 1.3 padding stays within the peer's limit on TLSInnerPlaintext (RFC 8449 §4).
            let innerLimit = maxFragment &+ 1
            let sealed = Result { () throws(TLSError) in
                try state.seal(record: &record, plaintextCount: plaintext, innerLimit: innerLimit)
            }
            protection = consume state
            // The fragment, as sealed: with padding it may be shorter than the room reserved.
            queued = start &+ 5 &+ (try sealed.get())
        } else {
            bytes[start &+ 3] = UInt8(truncatingIfNeeded: plaintext >> 8)
            bytes[start &+ 4] = UInt8(truncatingIfNeeded: plaintext)
        }
    }

    private mutating func begin(_ type: ContentType) throws(TLSError) {
        guard !ended else { throw .invalidState }
        let explicit = explicitNonceLength
        try reserve(5 &+ explicit)
        openRecord = queued
        let header: InlineArray<5, UInt8> = [type.rawValue, 3, 3, 0, 0]  // TLS 1.2 record version (RFC 5246 §6.2.1)
        copy(header.span)
        queued &+= explicit
    }

    /// Appends `source` at `queued` (room already reserved).
    private mutating func copy(_ source: Span<UInt8>) {
        let base = region
        var bytes = base.mutableSpan
        for i in 0..<source.count { bytes[queued &+ i] = source[i] }
        queued &+= source.count
    }

    private func reserve(_ count: Int) throws(TLSError) {
        guard queued &+ count <= region.count else {
            throw .bufferTooSmall(needed: queued &+ count, capacity: region.count)
        }
    }
}
