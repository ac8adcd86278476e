/// What an engine is doing, as its caller sees it.
public enum EngineState: Equatable, Sendable {
    case idle, handshaking, connected
    /// close_notify was received or sent: no more application data either way.
    case closed
    case failed(TLSError)

    // Matched, not compared: `==` would link the derived equality of every `TLSError`
    // case into a board's image.
    public var isConnected: Bool { if case .connected = self { true } else { false } }
    public var isClosed: Bool { if case .closed = self { true } else { false } }
}

/// The sans-I/O TLS engine, one for every role and version: generic over the handshake it
/// runs (`Client` or `Server`, TLS 1.3 and 1.2), which it changes only through `HandshakeProgress`. It owns no
/// memory: the caller hands it three regions — record input, record output, handshake
/// reassembly — and the settings, and moves bytes between the engine and any transport:
///
///     engine.start()
///     loop:
///       send engine.outgoing; engine.didSend(n)                — "what must be sent / I sent n"
///       read into engine.incomingRoom(); engine.didReceive(n)  — "where do bytes go / I wrote n"
///
/// Application data goes in with `send` and comes out with `receive`. Any failure ends the
/// engine in `.failed` with the fatal alert queued in `outgoing`; `close()` queues
/// close_notify. Either way the secrets and record keys are wiped and every later input is
/// refused.
///
/// This is the storable form: it keeps the caller's memory as buffers, so it can live in a
/// C handle, a gateway's table of connections or a device's long-lived session. The
/// contract (what the compiler checks for `ScopedEngine`, e.g. `ClientEngine`): the three
/// regions and every byte the settings refer to (names, anchors, CRLs, chain, key) stay
/// valid, unmoved and otherwise untouched for as long as the engine exists. Every access
/// to them is still bounds-checked.
public struct Engine<Machine: HandshakeMachine & ~Copyable>: ~Copyable {
    public typealias State = EngineState

    // The engine's own state is RAM the caller provides; fields are ordered so that
    // alignment pads little.
    private let settings: Machine.Settings
    private var random: Random
    private var output: RecordOutput
    private var deframer: HandshakeDeframer
    /// Consecutive records that carried nothing (empty application data, warning alerts):
    /// bounded so that a peer cannot keep the engine busy forever.
    private var idleRecords = 0
    private var machine = Machine()
    private var input: RecordInput
    private var events = EventQueue()
    public private(set) var state = State.idle
    /// TLS 1.3, a machine that keeps writing after the peer's close_notify: it came, the
    /// state is `.closed` for input, and `send` and `close()` still work (RFC 8446 §6.1).
    private var writeSideOpen = false

    /// Prepares an engine over the caller's regions (see the type's contract). The input
    /// region must hold one whole record and the output region the largest flight (the
    /// settings' `inputRegionSize` and `outputRegionSize`); the reassembly region the
    /// largest handshake message that spans records, and the machine's flights.
    public init(
        unsafeSettings settings: Machine.Settings, input: UnsafeMutableBufferPointer<UInt8>,
        output: UnsafeMutableBufferPointer<UInt8>, reassembly: UnsafeMutableBufferPointer<UInt8>,
        random: consuming Random
    ) throws(TLSError) {
        self.settings = settings
        self.input = RecordInput(region: input)
        self.output = RecordOutput(region: output)
        self.deframer = HandshakeDeframer(region: reassembly)
        self.random = random
        let needed = Machine.regionSizes(settings)
        guard input.count >= needed.input else { throw .bufferTooSmall(needed: needed.input, capacity: input.count) }
        guard output.count >= needed.output else { throw .bufferTooSmall(needed: needed.output, capacity: output.count) }
    }

    #if DEBUG
    /// Debug builds only, for known-answer replays: an engine over `machine`, which has
    /// already sent its first flight (`Client.init(replaying:keyShare:)`), handshaking.
    init(
        unsafeSettings settings: Machine.Settings, input: UnsafeMutableBufferPointer<UInt8>,
        output: UnsafeMutableBufferPointer<UInt8>, reassembly: UnsafeMutableBufferPointer<UInt8>,
        random: consuming Random, replaying machine: consuming Machine
    ) throws(TLSError) {
        try self.init(unsafeSettings: settings, input: input, output: output, reassembly: reassembly, random: random)
        self.machine = machine
        state = .handshaking
    }
    #endif

    /// Queues the first flight (a client's ClientHello).
    public mutating func start() throws(TLSError) {
        guard case .idle = state else { throw .invalidState }
        state = .handshaking
        try guarded { (engine: inout Self) throws(TLSError) in try engine.writeFlight() }
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
    /// opened and acted on. Throws the error that ended the engine, if one did; after
    /// `close()` every input is refused.
    public mutating func didReceive(_ count: Int) throws(TLSError) {
        input.didReceive(count)
        try guarded { (engine: inout Self) throws(TLSError) in try engine.processRecords() }
    }

    // MARK: application data

    /// Queues as much of `data` as the output region takes now, in records of at most the
    /// negotiated fragment length, and returns how much was taken (0: send `outgoing` first).
    public mutating func send(_ data: Span<UInt8>) throws(TLSError) -> Int {
        guard state.isConnected || writeSideOpen else { throw .invalidState }
        var offset = 0
        while offset < data.count {
            if output.sealedRecords >= machine.recordsBeforeKeyUpdate {
                // RFC 8446 §5.5: new keys before the AEAD's limit, without asking the peer's.
                try guarded { (engine: inout Self) throws(TLSError) in
                    try engine.apply(try engine.machine.requestKeyUpdate(requestingPeer: false), followed: false)
                }
            }
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
        if !input.hasPlaintext, count > 0, state.isConnected {
            // Records that arrived behind the one just drained.
            try guarded { (engine: inout Self) throws(TLSError) in try engine.processRecords() }
        }
        return count
    }

    public var hasReceivedData: Bool { input.hasPlaintext }

    /// Queues close_notify (RFC 5246 §7.2.1) unless the engine already answered the peer's,
    /// then wipes the secrets and drops the record keys. The engine accepts no input afterwards.
    public mutating func close() {
        switch state {
        // A closed engine has sent its close_notify already (in answer to the peer's),
        // unless its write side stayed open.
        case .connected, .handshaking:
            try? output.appendRecord(.alert, Alerts.closeNotify.span)
        case .closed where writeSideOpen:
            try? output.appendRecord(.alert, Alerts.closeNotify.span)
        default:
            break
        }
        writeSideOpen = false
        if case .failed = state {} else { state = .closed }
        end()
    }

    /// TLS 1.3: sends a KeyUpdate and moves our writes to the next keys (RFC 8446 §4.6.3);
    /// `requestingPeer` asks the server to update its own too. The engine also does this
    /// by itself before a key reaches the AEAD's limit (`recordsBeforeKeyUpdate`).
    /// `invalidState` before the handshake ends or on TLS 1.2, and the connection goes on.
    public mutating func updateKeys(requestingPeer: Bool) throws(TLSError) {
        // A caller's mistake, refused without ending the connection.
        guard state.isConnected, negotiatedVersion == .tls13 else { throw .invalidState }
        try guarded { (engine: inout Self) throws(TLSError) in
            try engine.apply(try engine.machine.requestKeyUpdate(requestingPeer: requestingPeer), followed: false)
        }
    }

    // MARK: introspection

    /// The next handshake event, for tracing; nil when none is queued.
    public mutating func nextEvent() -> HandshakeEvent? { events.pop() }

    /// The suite the peer chose, once it has.
    public var negotiatedSuite: CipherSuite? { machine.negotiatedSuite }

    /// The version the peer chose, once it has.
    public var negotiatedVersion: TLSVersion? { machine.negotiatedSuite?.version }

    /// The TLS 1.3 key-exchange group, once the ServerHello named it.
    public var negotiatedGroup: NamedGroup? { machine.negotiatedGroup }

    /// Whether extended_master_secret was negotiated (RFC 7627).
    public var usesExtendedMasterSecret: Bool { machine.usesExtendedMasterSecret }

    /// The index in the offered ALPN list of the protocol the server chose; nil when none.
    public var negotiatedApplicationProtocol: Range<Int>? { machine.negotiatedApplicationProtocol }

    /// A server: bytes of the verified client certificate in the configured region (0: none).
    public var verifiedPeerCertificateLength: Int { machine.verifiedPeerCertificateLength }

    // MARK: the data path: records → deframer → machine → progress → records

    private mutating func processRecords() throws(TLSError) {
        while !input.hasPlaintext, let record = try input.nextRecord() {
            switch ContentType(rawValue: record.type) {
            case .handshake:
                // RFC 5246 §6.2.1: no empty handshake fragments.
                guard record.count > 0 else { throw .unexpectedMessage }
                try processHandshakeRecord(start: record.start, count: record.count)
            case .changeCipherSpec:
                // A message may not straddle the key change; the body is exactly 1.
                guard deframer.isEmpty else { throw .unexpectedMessage }
                guard record.count == 1, input.bytes(start: record.start, count: 1)[0] == 1 else { throw .malformed }
                try apply(try machine.receiveChangeCipherSpec(events: &events), followed: false)
            case .alert:
                try receiveAlert(start: record.start, count: record.count)
                if state.isClosed { return }
            case .applicationData:
                guard state.isConnected else { throw .unexpectedMessage }
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

    /// Whole messages are handled where they lie; the rest goes to the deframer.
    private mutating func processHandshakeRecord(start: Int, count: Int) throws(TLSError) {
        var offset = 0
        while deframer.isEmpty,
              let length = try HandshakeDeframer.wholeMessageLength(input.bytes(start: start &+ offset, count: count &- offset)) {
            let progress = try machine.receive(
                input.bytes(start: start &+ offset, count: length), settings: settings, random: &random, events: &events)
            try apply(progress, followed: count &- offset > length)
            offset &+= length
        }
        guard offset < count else { return }
        try deframer.append(input.bytes(start: start &+ offset, count: count &- offset))
        while let length = try deframer.nextMessageLength() {
            let progress = try Self.deliver(
                length, from: deframer, to: &machine, settings: settings, random: &random, events: &events)
            deframer.drop(length)
            try apply(progress, followed: !deframer.isEmpty)
        }
    }

    /// Hands the first `length` reassembled bytes to the machine. Static, so that the borrow
    /// of the deframer and the machine's mutation are visibly disjoint.
    private static func deliver(
        _ length: Int, from deframer: borrowing HandshakeDeframer, to machine: inout Machine,
        settings: borrowing Machine.Settings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        try machine.receive(deframer.message(length), settings: settings, random: &random, events: &events)
    }

    /// Has the machine write its flight into the staging room, then frames it: the messages
    /// before the key change, the change, the rest.
    private mutating func writeFlight() throws(TLSError) {
        var flight = Flight(region: try deframer.stagingRegion())
        let progress = try machine.writeFlight(into: &flight, settings: settings, random: &random, events: &events)
        let switchPoint = flight.switchPoint ?? flight.count
        try output.appendHandshake(flight.bytes(0..<switchPoint))
        if flight.changeCipherSpec {
            let changeCipherSpec: InlineArray<1, UInt8> = [1]
            try output.appendRecord(.changeCipherSpec, changeCipherSpec.span)
        }
        try apply(progress, followed: false, flightTail: flight.bytes(switchPoint..<flight.count))
    }

    /// Carries out what the machine asked for — the one place where record protection and
    /// record limits change. `followed`: more handshake bytes came after the message in its
    /// record; `flightTail`: the part of a flight that goes out under the new write keys.
    private mutating func apply(
        _ progress: HandshakeProgress, followed: Bool, flightTail: Span<UInt8> = Span()
    ) throws(TLSError) {
        // A key change, the end of the peer's flight and the end of the handshake each end
        // a record: messages may not straddle them (RFC 5246 §7.4, RFC 8446 §5.1).
        if followed, progress.flightDue || progress.complete || progress.newReadKeys {
            throw .unexpectedMessage
        }
        if progress.recordLimit > 0 {
            // A peer that ignored max_fragment_length may send 2^14-byte records, which an
            // input region sized for the smaller limit cannot hold: say so now, not mid-stream.
            let limit = Int(progress.recordLimit)
            input.versionLocked = true
            let needed = 5 &+ limit &+ 24
            guard input.capacity >= needed else {
                // Only a limit the peer did not lower can outgrow a region sized for the
                // configuration: it ignored max_fragment_length (RFC 6066 §4).
                throw limit == 16384 ? .maxFragmentLengthNotAccepted(capacity: input.capacity)
                    : .bufferTooSmall(needed: needed, capacity: input.capacity)
            }
            input.maxFragment = limit
            output.maxFragment = progress.sendLimit > 0 ? Int(progress.sendLimit) : limit
        }
        if progress.idle { try countIdleRecord() } else { idleRecords = 0 }
        if progress.newReadKeys { input.activate(try machine.recordProtection(for: .read)) }
        if progress.newWriteKeys { try output.activate(try machine.recordProtection(for: .write)) }
        try output.appendHandshake(flightTail)
        if progress.newWriteKeysAfterFlight { try output.activate(try machine.recordProtection(for: .write)) }
        if let warning = progress.warning {
            let alert: InlineArray<2, UInt8> = [1, warning.rawValue]
            try output.appendRecord(.alert, alert.span)
        }
        if progress.complete { state = .connected }
        if progress.flightDue { try writeFlight() }
    }

    private mutating func receiveAlert(start: Int, count: Int) throws(TLSError) {
        guard count == 2 else { throw .malformed }
        let level = input.bytes(start: start, count: 2)[0]
        let description = AlertDescription(rawValue: input.bytes(start: start, count: 2)[1])
        if description == .closeNotify {
            // Before the handshake ends, a close is a failure; after, an orderly end, answered
            // at once with our own close_notify under the current keys (RFC 5246 §7.2.1),
            // before the keys go.
            guard state.isConnected else { throw .peerAlert(.closeNotify) }
            if Machine.keepsWritingAfterPeerClose, machine.negotiatedSuite?.version == .tls13 {
                // RFC 8446 §6.1: the peer closed its direction; ours closes with `close()`.
                state = .closed
                writeSideOpen = true
                return
            }
            try output.appendRecord(.alert, Alerts.closeNotify.span)
            state = .closed
            end()
            return
        }
        // Fatal alerts, and unknown ones, end the connection (RFC 5246 §7.2). So does a
        // warning whose description is always fatal (§7.2.2 lists unexpected_message,
        // bad_record_mac, handshake_failure… as fatal; RFC 8446 §6 treats every alert but
        // close_notify and user_canceled as fatal). Only the genuinely warning ones —
        // unrecognized_name for an SNI the server does not know, no_renegotiation,
        // user_canceled — are passed over, a bounded number of times.
        guard level == 1, let description else { throw .peerAlert(description ?? .internalError) }
        // TLS 1.3 (§6.2): every error alert is fatal "regardless of the AlertLevel"; only
        // user_canceled, a closure alert, is not an error.
        let tls13 = machine.negotiatedSuite?.version == .tls13
        switch description {
        case .userCanceled: try countIdleRecord()
        case .unrecognizedName where !tls13, .noRenegotiation where !tls13: try countIdleRecord()
        default: throw .peerAlert(description)
        }
    }

    private mutating func countIdleRecord() throws(TLSError) {
        idleRecords &+= 1
        guard idleRecords <= 32 else { throw .unexpectedMessage }
    }

    /// Wipes the handshake's secrets and the DRBG in place and drops both directions' record
    /// keys (Mbed TLS zeroes the AEAD contexts as it frees them). What is queued stays queued.
    private mutating func end() {
        machine.wipe(settings: settings)
        random.wipe()
        input.deactivate()
        output.deactivate()
    }

    /// Runs `body`; on failure, ends the engine, queues the alert the error calls for and
    /// wipes the secrets, then rethrows. A closed or failed engine runs nothing.
    private mutating func guarded(_ body: (inout Self) throws(TLSError) -> Void) throws(TLSError) {
        switch state {
        case .failed(let error): throw error
        case .closed: throw .invalidState
        default: break
        }
        do {
            try body(&self)
            // Handshake messages are packed into an open record; close it so that what
            // is queued is complete records only.
            try output.close()
        } catch {
            if let alert = error.alert {
                let fatal: InlineArray<2, UInt8> = [2, alert.rawValue]
                try? output.appendRecord(.alert, fatal.span)
                machine.forgetSession(settings: settings)
            } else if case .peerAlert = error {
                machine.forgetSession(settings: settings)
            }
            state = .failed(error)
            end()
            throw error
        }
    }
}

/// Fixed alert records.
private enum Alerts {
    static let closeNotify: InlineArray<2, UInt8> = [1, 0]
}
