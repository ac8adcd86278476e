/// The outgoing half of the record layer over the caller's output region: frames messages
/// into records no longer than the negotiated fragment limit, seals them once the write
/// state is active, and queues the bytes for the transport ("what must be sent / I sent n").
struct RecordOutput: ~Copyable, ~Escapable {
    private var region: MutableSpan<UInt8>
    /// Bytes before `sent` have gone to the transport; `queued` is the end of what is ready.
    private var sent = 0
    private var queued = 0
    /// The start of a plaintext handshake record still open for more messages, or -1.
    private var openRecord = -1
    private var writeState: CipherState?
    /// Per-record expansion under the write state (0 before ChangeCipherSpec).
    private var explicitNonceLength = 0
    private var tagLength = 0
    /// The largest plaintext fragment to send (RFC 5246 §6.2.1, RFC 6066 §4).
    var maxFragment = 16384

    @_lifetime(copy region)
    init(region: consuming MutableSpan<UInt8>) {
        self.region = region
    }

    var pending: Span<UInt8> {
        @_lifetime(borrow self) get { region.span.extracting(sent..<queued) }
    }

    var hasPending: Bool { sent < queued }
    var isProtected: Bool { tagLength > 0 }

    /// Protects every later record with `state` (after our ChangeCipherSpec).
    mutating func activate(_ state: consuming CipherState) throws(TLSError) {
        try close()
        explicitNonceLength = state.explicitNonceLength
        tagLength = state.tagLength
        writeState = consume state
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
            for i in 0..<take { region[queued &+ i] = message[offset &+ i] }
            queued &+= take
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
        for i in 0..<body.count { region[queued &+ i] = body[i] }
        queued &+= body.count
        try close()
    }

    /// Closes the open record: writes its length, or seals it under the write state.
    mutating func close() throws(TLSError) {
        guard openRecord >= 0 else { return }
        let start = openRecord
        openRecord = -1
        let plaintext = queued &- start &- 5 &- explicitNonceLength
        if var state = writeState.take() {
            var record = region._mutatingExtracting(start..<(queued &+ tagLength))
            let sealed = Result { () throws(TLSError) in try state.seal(record: &record, plaintextCount: plaintext) }
            writeState = consume state
            _ = try sealed.get()
            queued &+= tagLength
        } else {
            region[start &+ 3] = UInt8(truncatingIfNeeded: plaintext >> 8)
            region[start &+ 4] = UInt8(truncatingIfNeeded: plaintext)
        }
    }

    private mutating func begin(_ type: ContentType) throws(TLSError) {
        let explicit = explicitNonceLength
        try reserve(5 &+ explicit)
        openRecord = queued
        region[queued] = type.rawValue
        region[queued &+ 1] = 3  // TLS 1.2 record version (RFC 5246 §6.2.1)
        region[queued &+ 2] = 3
        region[queued &+ 3] = 0
        region[queued &+ 4] = 0
        queued &+= 5 &+ explicit
    }

    private func reserve(_ count: Int) throws(TLSError) {
        guard queued &+ count <= region.count else {
            throw .bufferTooSmall(needed: queued &+ count, capacity: region.count)
        }
    }
}
