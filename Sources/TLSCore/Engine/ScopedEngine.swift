/// The safe form of `Engine`, for code that holds a connection in a scope: it borrows the
/// caller's regions and configuration as spans, so the compiler proves that they outlive
/// it (it is non-escapable). Everything else is `Engine`'s, unchanged.
public struct ScopedEngine<Machine: HandshakeMachine & ~Copyable>: ~Copyable, ~Escapable {
    public typealias State = EngineState

    private var engine: Engine<Machine>

    @_lifetime(immortal)
    private init(engine: consuming Engine<Machine>) {
        self.engine = engine
    }

    public var state: State { engine.state }
    public mutating func start() throws(TLSError) { try engine.start() }
    public var outgoing: Span<UInt8> { @_lifetime(borrow self) get { engine.outgoing } }
    public var hasOutgoing: Bool { engine.hasOutgoing }
    public mutating func didSend(_ count: Int) { engine.didSend(count) }
    public var wantsInput: Bool { engine.wantsInput }
    @_lifetime(&self)
    public mutating func incomingRoom() -> MutableSpan<UInt8> { engine.incomingRoom() }
    public mutating func didReceive(_ count: Int) throws(TLSError) { try engine.didReceive(count) }
    public mutating func send(_ data: Span<UInt8>) throws(TLSError) -> Int { try engine.send(data) }
    public mutating func receive(into buffer: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        try engine.receive(into: &buffer)
    }
    public var hasReceivedData: Bool { engine.hasReceivedData }
    public mutating func close() { engine.close() }
    public mutating func nextEvent() -> HandshakeEvent? { engine.nextEvent() }
    public var negotiatedSuite: CipherSuite? { engine.negotiatedSuite }
    public var negotiatedVersion: TLSVersion? { engine.negotiatedVersion }
    public var negotiatedGroup: NamedGroup? { engine.negotiatedGroup }
    public var usesExtendedMasterSecret: Bool { engine.usesExtendedMasterSecret }
    /// Where the chosen ALPN protocol lies in the configuration's list (length byte first).
    public var negotiatedApplicationProtocol: Range<Int>? { engine.negotiatedApplicationProtocol }
    public mutating func updateKeys(requestingPeer: Bool) throws(TLSError) { try engine.updateKeys(requestingPeer: requestingPeer) }
    /// A server: bytes of the verified client certificate in the configured region (0: none).
    public var verifiedPeerCertificateLength: Int { engine.verifiedPeerCertificateLength }
}

/// The TLS client over spans the caller owns (see `Engine` for the storable form).
public typealias ClientEngine = ScopedEngine<Client>

extension ScopedEngine where Machine == Client {
    /// Prepares a client over the caller's regions. The input region must hold one whole
    /// record (`configuration.inputRegionSize`), the output region the client's largest
    /// flight (`outputRegionSize`), and the reassembly region the largest handshake message
    /// that spans records and the client's staged flight (`reassemblyRegionSize`).
    @_lifetime(copy configuration, copy input, copy output, copy reassembly)
    public init(
        configuration: ClientConfiguration, input: consuming MutableSpan<UInt8>,
        output: consuming MutableSpan<UInt8>, reassembly: consuming MutableSpan<UInt8>, random: consuming Random
    ) throws(TLSError) {
        let engine = try Engine<Client>(
            unsafeSettings: configuration.settings, input: input.withUnsafeMutableBufferPointer { $0 },
            output: output.withUnsafeMutableBufferPointer { $0 },
            reassembly: reassembly.withUnsafeMutableBufferPointer { $0 }, random: random)
        self = _overrideLifetime(ScopedEngine(engine: engine), copying: configuration)
    }
}

/// The TLS server over spans the caller owns.
public typealias ServerEngine = ScopedEngine<Server>

extension ScopedEngine where Machine == Server {
    /// Prepares a server over the caller's regions (`configuration.inputRegionSize`,
    /// `outputRegionSize`, `reassemblyRegionSize`). `start()` then waits for a ClientHello.
    @_lifetime(copy configuration, copy input, copy output, copy reassembly)
    public init(
        configuration: ServerConfiguration, input: consuming MutableSpan<UInt8>,
        output: consuming MutableSpan<UInt8>, reassembly: consuming MutableSpan<UInt8>, random: consuming Random
    ) throws(TLSError) {
        let engine = try Engine<Server>(
            unsafeSettings: configuration.settings, input: input.withUnsafeMutableBufferPointer { $0 },
            output: output.withUnsafeMutableBufferPointer { $0 },
            reassembly: reassembly.withUnsafeMutableBufferPointer { $0 }, random: random)
        self = _overrideLifetime(ScopedEngine(engine: engine), copying: configuration)
    }
}
