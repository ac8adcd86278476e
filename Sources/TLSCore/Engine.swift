/// The sans-I/O TLS 1.2 client. It owns no memory: the caller hands it three regions —
/// record input, record output, handshake reassembly — and the configuration, and moves
/// bytes between the engine and any transport:
///
///     engine.start()
///     loop:
///       send engine.outgoing; engine.didSend(n)          — "what must be sent / I sent n"
///       read into engine.incomingRoom(); engine.didReceive(n) — "where do bytes go / I wrote n"
///
/// Application data goes in with `send` and comes out with `receive`. Any failure ends
/// the engine in `.failed` with the fatal alert queued in `outgoing`; secrets are wiped.
public struct ClientEngine: ~Copyable, ~Escapable {
    public enum State: Equatable, Sendable {
        case idle, handshaking, connected
        /// close_notify was received or sent: no more application data either way.
        case closed
        case failed(TLSError)
    }

    // The engine's own state is RAM the caller provides; fields are ordered so that
    // alignment pads little.
    private let configuration: ClientConfiguration
    private var random: Random
    private var output: RecordOutput
    private var reassembly: MutableSpan<UInt8>
    private var reassembled = 0
    /// Consecutive records that carried nothing (empty application data, warning alerts):
    /// bounded so that a peer cannot keep the engine busy forever.
    private var idleRecords = 0
    private var client = Client12()
    private var input: RecordInput
    private var events = EventQueue()
    public private(set) var state = State.idle

    /// Prepares a client over the caller's regions. The input region must hold one whole
    /// record (`configuration.inputRegionSize`), the output region the client's largest
    /// flight (`outputRegionSize`), and the reassembly region the largest handshake message
    /// expected (the server's Certificate message: a few KB).
    @_lifetime(copy configuration, copy input, copy output, copy reassembly)
    public init(
        configuration: ClientConfiguration, input: consuming MutableSpan<UInt8>,
        output: consuming MutableSpan<UInt8>, reassembly: consuming MutableSpan<UInt8>, random: consuming Random
    ) throws(TLSError) {
        let inputCount = input.count, outputCount = output.count
        self.configuration = configuration
        self.input = RecordInput(region: input)
        self.output = RecordOutput(region: output)
        self.reassembly = reassembly
        self.random = random
        guard inputCount >= configuration.inputRegionSize else {
            throw .bufferTooSmall(needed: configuration.inputRegionSize, capacity: inputCount)
        }
        guard outputCount >= configuration.outputRegionSize else {
            throw .bufferTooSmall(needed: configuration.outputRegionSize, capacity: outputCount)
        }
    }

    /// Queues the ClientHello.
    public mutating func start() throws(TLSError) {
        guard state == .idle else { throw .invalidState }
        state = .handshaking
        try guarded { (engine: inout ClientEngine) throws(TLSError) in
            try engine.client.start(
                configuration: engine.configuration, random: &engine.random, scratch: &engine.reassembly,
                output: &engine.output, events: &engine.events)
        }
    }

    // MARK: bytes out

    /// Bytes to hand to the transport, in order.
    public var outgoing: Span<UInt8> {
        @_lifetime(borrow self) get { output.pending }
    }

    public var hasOutgoing: Bool { output.hasPending }

    public mutating func didSend(_ count: Int) {
        output.didSend(count)
    }

    // MARK: bytes in

    /// Whether the engine can make progress only with more bytes from the peer.
    public var wantsInput: Bool {
        switch state {
        case .handshaking: !output.hasPending
        case .connected: !input.hasPlaintext
        default: false
        }
    }

    /// Where the transport should write incoming bytes; then call `didReceive`.
    @_lifetime(&self)
    public mutating func incomingRoom() -> MutableSpan<UInt8> {
        input.room()
    }

    /// Processes `count` bytes written into `incomingRoom()`: every complete record is
    /// opened and acted on. Throws the error that ended the engine, if one did.
    public mutating func didReceive(_ count: Int) throws(TLSError) {
        input.didReceive(count)
        try guarded { (engine: inout ClientEngine) throws(TLSError) in try engine.processRecords() }
    }

    // MARK: application data

    /// Queues as much of `data` as the output region takes now, in records of at most the
    /// negotiated fragment length, and returns how much was taken (0: send `outgoing` first).
    public mutating func send(_ data: Span<UInt8>) throws(TLSError) -> Int {
        guard state == .connected else { throw .invalidState }
        var offset = 0
        while offset < data.count {
            let take = min(output.freePlaintext, data.count &- offset)
            guard take > 0 else { break }
            try output.appendRecord(.applicationData, data.extracting(offset..<(offset &+ take)))
            offset &+= take
        }
        return offset
    }

    /// Copies received application data into `buffer` and returns how much (0: none yet).
    public mutating func receive(into buffer: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let count = input.readPlaintext(into: &buffer)
        if !input.hasPlaintext, count > 0 {
            // Records that arrived behind the one just drained.
            try guarded { (engine: inout ClientEngine) throws(TLSError) in try engine.processRecords() }
        }
        return count
    }

    public var hasReceivedData: Bool { input.hasPlaintext }

    /// Queues close_notify (RFC 5246 §7.2.1) and wipes the secrets.
    public mutating func close() {
        switch state {
        case .connected, .handshaking, .closed:
            try? output.appendRecord(.alert, Alerts.closeNotify.span)
        default:
            break
        }
        if case .failed = state {} else { state = .closed }
        client.wipe()
        random.wipe()
    }

    // MARK: introspection

    /// The next handshake event, for tracing; nil when none is queued.
    public mutating func nextEvent() -> HandshakeEvent? { events.pop() }

    /// The suite the server chose, once it has.
    public var negotiatedSuite: CipherSuite? { client.suite }

    /// Whether extended_master_secret was negotiated (RFC 7627).
    public var usesExtendedMasterSecret: Bool { client.extendedMasterSecret }

    /// Hands `body` the client random and master secret (NSS key log format), once the
    /// keys exist and until the engine is closed. Returns false when there are none.
    public mutating func withKeyLogSecrets(_ body: (_ clientRandom: Span<UInt8>, _ masterSecret: Span<UInt8>) -> Void) -> Bool {
        client.withKeyLogSecrets(body)
    }

    // MARK: the data path: records → messages → state machine → records

    private mutating func processRecords() throws(TLSError) {
        while !input.hasPlaintext, let record = try input.nextRecord() {
            switch ContentType(rawValue: record.type) {
            case .handshake:
                // RFC 5246 §6.2.1: no empty handshake fragments.
                guard record.count > 0 else { throw .unexpectedMessage }
                try processHandshakeRecord(start: record.start, count: record.count)
                idleRecords = 0
            case .changeCipherSpec:
                // A message may not straddle the key change; the body is exactly 1.
                guard reassembled == 0 else { throw .unexpectedMessage }
                guard record.count == 1, input.bytes(start: record.start, count: 1)[0] == 1 else { throw .malformed }
                input.activate(try client.receiveChangeCipherSpec(events: &events))
            case .alert:
                try receiveAlert(start: record.start, count: record.count)
                if state == .closed { return }
            case .applicationData:
                guard state == .connected, client.state == .connected else { throw .unexpectedMessage }
                if record.count == 0 {
                    try countIdleRecord()
                } else {
                    input.holdPlaintext(start: record.start, count: record.count)
                    idleRecords = 0
                }
            case nil:
                throw .unexpectedMessage
            }
        }
    }

    /// Whole messages are handled where they lie, in the input region; only a message that
    /// continues into the next record is copied to the reassembly region. So that region
    /// must hold only messages that span records (and the client's own, staged there), not
    /// every server message.
    private mutating func processHandshakeRecord(start: Int, count: Int) throws(TLSError) {
        var offset = 0
        while reassembled == 0, count &- offset >= 4 {
            let length = 4 &+ Self.bodyLength(input.bytes(start: start &+ offset, count: 4))
            guard count &- offset >= length else { break }
            let type = input.bytes(start: start &+ offset, count: 1)[0]
            try handle(type, length: length, at: start &+ offset, followed: count &- offset > length)
            offset &+= length
        }
        guard offset < count else { return }
        try appendHandshakeBytes(start: start &+ offset, count: count &- offset)
        try processHandshakeMessages()
    }

    private mutating func appendHandshakeBytes(start: Int, count: Int) throws(TLSError) {
        guard reassembled &+ count <= reassembly.count else {
            // Name the whole message when its header is already here.
            let needed = reassembled >= 4 ? 4 &+ Self.bodyLength(reassembly.span) : reassembled &+ count
            throw .bufferTooSmall(needed: max(needed, reassembled &+ count), capacity: reassembly.count)
        }
        let bytes = input.bytes(start: start, count: count)
        for i in 0..<count { reassembly[reassembled &+ i] = bytes[i] }
        reassembled &+= count
    }

    private mutating func processHandshakeMessages() throws(TLSError) {
        while reassembled >= 4 {
            let length = 4 &+ Self.bodyLength(reassembly.span)
            guard length <= reassembly.count else {
                throw .bufferTooSmall(needed: length, capacity: reassembly.count)
            }
            guard reassembled >= length else { return }
            try handle(reassembly[0], length: length, at: nil, followed: reassembled > length)
            dropReassembled(length)
        }
    }

    /// One whole message of `length` bytes, at `start` in the input region or (nil) at the
    /// front of the reassembly region; `followed` when more handshake bytes come after it.
    private mutating func handle(_ type: UInt8, length: Int, at start: Int?, followed: Bool) throws(TLSError) {
        if state == .connected {
            // After the handshake only HelloRequest may come, and this client never
            // renegotiates: it answers with a no_renegotiation warning (RFC 5246 §7.4.1.1).
            guard type == HandshakeType.helloRequest.rawValue, length == 4 else { throw .unexpectedMessage }
            try output.appendRecord(.alert, Alerts.noRenegotiation.span)
            return
        }
        let flightDue: Bool
        if let start {
            flightDue = try Self.deliver(
                input.bytes(start: start, count: length), to: &client, configuration: configuration,
                random: &random, events: &events)
        } else {
            flightDue = try Self.deliver(
                length, from: &reassembly, to: &client, configuration: configuration, random: &random,
                events: &events)
        }
        if client.state == .waitServerHelloDone || client.state == .waitCertificate {
            // ServerHello has fixed the version and the record size. A server that
            // ignored max_fragment_length may send 2^14-byte records, which an input
            // region sized for the smaller limit cannot hold: say so now, not mid-stream.
            input.versionLocked = true
            let limit = client.negotiatedMaxPlaintext
            let needed = 5 &+ limit &+ 24
            guard input.capacity >= needed else { throw .bufferTooSmall(needed: needed, capacity: input.capacity) }
            input.maxFragment = limit
            output.maxFragment = limit
        }
        if flightDue {
            // ServerHelloDone ends the server's flight: nothing may follow it yet. The
            // reassembly region is free now, and stages the client's flight.
            guard !followed else { throw .unexpectedMessage }
            try client.sendFlight(
                configuration: configuration, random: &random, scratch: &reassembly, output: &output,
                events: &events)
        }
        if client.state == .connected {
            state = .connected
            guard !followed else { throw .unexpectedMessage }
        }
    }

    /// The uint24 body length of the handshake header at the front of `header`.
    private static func bodyLength(_ header: Span<UInt8>) -> Int {
        Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
    }

    /// Hands a message lying in the input region to the state machine.
    private static func deliver(
        _ message: Span<UInt8>, to client: inout Client12, configuration: borrowing ClientConfiguration,
        random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> Bool {
        try client.receive(message, configuration: configuration, random: &random, events: &events)
    }

    /// Hands the first `length` reassembled bytes to the state machine. Static, so that the
    /// borrow of the region and the state machine's mutation are visibly disjoint.
    private static func deliver(
        _ length: Int, from reassembly: inout MutableSpan<UInt8>, to client: inout Client12,
        configuration: borrowing ClientConfiguration, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> Bool {
        try client.receive(
            reassembly.span.extracting(0..<length), configuration: configuration, random: &random, events: &events)
    }

    private mutating func dropReassembled(_ count: Int) {
        let remaining = reassembled &- count
        for i in 0..<remaining { reassembly[i] = reassembly[count &+ i] }
        reassembled = remaining
    }

    private mutating func receiveAlert(start: Int, count: Int) throws(TLSError) {
        guard count == 2 else { throw .malformed }
        let level = input.bytes(start: start, count: 2)[0]
        let description = AlertDescription(rawValue: input.bytes(start: start, count: 2)[1])
        if description == .closeNotify {
            // Before the handshake ends, a close is a failure; after, an orderly end.
            guard state == .connected else { throw .peerAlert(.closeNotify) }
            state = .closed
            return
        }
        // Fatal alerts, and unknown ones, end the connection (RFC 5246 §7.2). Warnings
        // (unrecognized_name for an SNI the server does not know, no_renegotiation…) are
        // noted and passed over, a bounded number of times.
        guard level == 1, description != nil else { throw .peerAlert(description ?? .internalError) }
        try countIdleRecord()
    }

    private mutating func countIdleRecord() throws(TLSError) {
        idleRecords &+= 1
        guard idleRecords <= 32 else { throw .unexpectedMessage }
    }

    /// Runs `body`; on failure, ends the engine, queues the alert the error calls for and
    /// wipes the secrets, then rethrows.
    private mutating func guarded(_ body: (inout ClientEngine) throws(TLSError) -> Void) throws(TLSError) {
        if case .failed(let error) = state { throw error }
        do {
            try body(&self)
            // Handshake messages are packed into an open record; close it so that what
            // is queued is complete records only.
            try output.close()
        } catch {
            if let alert = error.alert {
                var fatal: InlineArray<2, UInt8> = [2, alert.rawValue]
                fatal[1] = alert.rawValue
                try? output.appendRecord(.alert, fatal.span)
            }
            state = .failed(error)
            client.wipe()
            random.wipe()
            throw error
        }
    }
}

/// Fixed alert records.
private enum Alerts {
    static let closeNotify: InlineArray<2, UInt8> = [1, 0]
    static let noRenegotiation: InlineArray<2, UInt8> = [1, 100]
}
