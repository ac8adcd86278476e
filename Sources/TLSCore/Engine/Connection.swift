/// A monotonic clock in milliseconds (TLSPlatform's `Clock.monotonicMilliseconds` on
/// Linux, a tick counter on a board).
public typealias MonotonicClock = @convention(c) () -> Int64

/// The blocking driver: runs a `ClientEngine` over any `Transport`, every wait bounded by
/// the caller's timeout, and — given a clock — the whole handshake bounded too, so that a
/// peer trickling one byte per wait cannot hold the device. On failure it sends the alert
/// the engine queued (best effort) before rethrowing.
public struct Connection<T: Transport & ~Copyable>: ~Copyable, ~Escapable {
    public var engine: ClientEngine
    public var transport: T
    /// The longest any single send or receive may wait.
    public var timeoutMilliseconds: Int
    /// The longest the whole handshake may take, enforced when a clock is given.
    public var handshakeTimeoutMilliseconds: Int
    public var clock: MonotonicClock?
    private var deadline: Int64?

    @_lifetime(copy engine)
    public init(
        engine: consuming ClientEngine, transport: consuming T, timeoutMilliseconds: Int,
        handshakeTimeoutMilliseconds: Int = 60_000, clock: MonotonicClock? = nil
    ) {
        self.engine = engine
        self.transport = transport
        self.timeoutMilliseconds = timeoutMilliseconds
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
        self.clock = clock
    }

    /// The wait allowed now: the per-wait timeout, cut to what is left of the handshake.
    private func waitBudget() throws(TLSError) -> Int {
        guard let deadline, let clock else { return timeoutMilliseconds }
        let left = deadline &- clock()
        guard left > 0 else { throw .timeout }
        return left < Int64(widening: timeoutMilliseconds) ? Int(truncatingIfNeeded: left) : timeoutMilliseconds
    }

    /// Runs the handshake to completion. `onEvent` sees each handshake step as it happens.
    public mutating func handshake(onEvent: (HandshakeEvent) -> Void = { _ in }) throws(TLSError) {
        do {
            if let clock { deadline = clock() &+ Int64(widening: handshakeTimeoutMilliseconds) }
            defer { deadline = nil }
            try engine.start()
            while true {
                while let event = engine.nextEvent() { onEvent(event) }
                try flush()
                if engine.state.isConnected { break }
                try fill(endOfStream: .connectionClosed)
            }
            while let event = engine.nextEvent() { onEvent(event) }
        } catch {
            while let event = engine.nextEvent() { onEvent(event) }
            abandon()
            throw error
        }
    }

    /// Sends all of `data` as application data.
    public mutating func write(_ data: Span<UInt8>) throws(TLSError) {
        var offset = 0
        do {
            while offset < data.count {
                offset &+= try engine.send(data.extracting(offset..<data.count))
                try flush()
            }
        } catch {
            abandon()
            throw error
        }
    }

    /// Receives application data into `buffer`; returns 0 once the server has closed
    /// (close_notify) — and then also when the transport ended without one, which a caller
    /// can tell apart by `engine.state` (`.closed` only after close_notify).
    public mutating func read(into buffer: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        guard buffer.count > 0 else { return 0 }
        do {
            while true {
                let count = try engine.receive(into: &buffer)
                if count > 0 { return count }
                try flush()  // e.g. a no_renegotiation warning
                if engine.state.isClosed { return 0 }
                if try !fill(endOfStream: nil) { return 0 }
            }
        } catch {
            abandon()
            throw error
        }
    }

    /// Sends close_notify (RFC 5246 §7.2.1) and wipes the engine's secrets.
    public mutating func close() {
        engine.close()
        try? flush()
    }

    private mutating func flush() throws(TLSError) {
        while engine.hasOutgoing {
            let budget = try waitBudget()
            let sent = try transport.send(engine.outgoing, timeoutMilliseconds: budget)
            engine.didSend(sent)
        }
    }

    /// Reads once from the transport into the engine. At end of stream, throws
    /// `endOfStream` when given, else returns false.
    @discardableResult
    private mutating func fill(endOfStream: TLSError?) throws(TLSError) -> Bool {
        let budget = try waitBudget()
        var room = engine.incomingRoom()
        guard room.count > 0 else { throw .invalidState }
        let received = try transport.receive(into: &room, timeoutMilliseconds: budget)
        if received == 0 {
            if let endOfStream { throw endOfStream }
            return false
        }
        try engine.didReceive(received)
        return true
    }

    /// After a failure: sends whatever the engine queued (its fatal alert), ignoring errors.
    private mutating func abandon() {
        try? flush()
    }
}
