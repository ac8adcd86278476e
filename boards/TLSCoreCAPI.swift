// The C API of boards/include/tlscore.h, as @_cdecl exports over TLSCore: the handle API
// (tlscore_client_*; the server's tlscore_server_* are in TLSCoreCAPIServer.swift, both thin
// exports over one generic HandleContext<Machine>), the error codes and their names. Compiled as Embedded Swift with
// -no-allocations by scripts/build-boards.sh twice per board, with TLSCoreCAPIServer.swift
// (tlscore_server_init): with -D TLSCORE_POSIX beside TLSCoreCAPIPOSIX.swift
// (tlscore_client_run, the fd transport) into libtlscore.a, where a zero entropy or clock
// callback means getrandom / the system clock; and alone into libtlscore-noposix.a, which
// calls nothing of the OS. The PSK-only build (-D TLSCORE_PSK_ONLY) has no server role.
// See the header for the shape and why.
import CTLSCoreAPI
import TLSCore
#if TLSCORE_POSIX
import TLSPlatform
#endif

// MARK: the handle: one context type for both roles

/// A role a handle can hold: the machine, and the check word its contexts carry (so that a
/// context's first word says which engine follows it).
protocol HandleRole: HandshakeMachine, ~Copyable {
    static var live: UInt32 { get }
}

extension Client: HandleRole {
    static var live: UInt32 { 0x746c_7363 }  // "tlsc"
}

#if !TLSCORE_PSK_ONLY
extension Server: HandleRole {
    static var live: UInt32 { 0x746c_7373 }  // "tlss"
}
#endif

/// What a caller's context memory holds: a check word, then the engine and what the C API
/// adds around it; the same for a client and a server (`Engine<Client>` or
/// `Engine<Server>`). Initialised in place by tlscore_client_init / tlscore_server_init and
/// never moved afterwards (Random re-pins its DRBG on every call anyway).
struct HandleContext<Machine: HandleRole & ~Copyable>: ~Copyable {
    /// `Machine.live` while initialised: a call on memory that init never filled, or
    /// after tlscore_free, is refused instead of reading garbage as an engine.
    var magic: UInt32
    /// The first fatal condition (TLSCORE_ERR_*, 0: none) and its detail. The engine's own
    /// failures are also in `engine.state`; this adds the ones the API sees (end of stream).
    var status: Int32 = 0
    var detail: Int32 = 0
    /// A client's: what answered a CertificateRequest (report.client_certificate).
    var clientCertificate = UInt8(TLSCORE_CLIENT_CERT_NOT_REQUESTED)
    /// TLSCORE_RESUMED_* and the reason a stored session was not offered (report).
    var resumed = UInt8(TLSCORE_RESUMED_NONE)
    var sessionRefused: Int8 = 0
    /// The transport ended (tlscore_input_eof).
    var endOfStream = false
    /// The stream ended after the handshake without the peer's close_notify.
    var truncated = false
    /// The peer's close_notify arrived (report.closed_by_notify).
    var peerClosed = false
    var announcedConnected = false
    /// The peer's certificate chain was validated (a client's by a server, ⑥; the server's by a client).
    var peerCertificateVerified = false
    var log: tlscore_log_fn?
    var logContext: UnsafeMutableRawPointer?
    var engine: Engine<Machine>

    init(engine: consuming Engine<Machine>, log: tlscore_log_fn?, logContext: UnsafeMutableRawPointer?) {
        magic = Machine.live
        self.engine = engine
        self.log = log
        self.logContext = logContext
    }

    func say(_ message: StaticString) {
        guard let log else { return }
        log(logContext, UnsafeRawPointer(message.utf8Start).assumingMemoryBound(to: CChar.self))
    }

    /// Records a failure (the first one wins) and logs it.
    mutating func fail(_ code: Int32, _ detail: Int32) {
        guard status == 0 else { return }
        status = code
        self.detail = detail
        if let log { log(logContext, tlscoreStrerror(code)) }
    }

    /// Drains the engine's handshake events: what the report says (a client's answer to a
    /// CertificateRequest, resumption, a verified peer certificate) and the log hook's lines.
    mutating func drainEvents() {
        while let event = engine.nextEvent() {
            switch event.kind {
            case .sent(.certificate) where !event.byServer:
                // An empty Certificate is 7 bytes (TLS 1.2) or 8 (TLS 1.3, with its request
                // context); a declined request was reported just before it and stays.
                if event.length > 8, clientCertificate == UInt8(TLSCORE_CLIENT_CERT_NOT_REQUESTED) {
                    clientCertificate = UInt8(TLSCORE_CLIENT_CERT_SENT)
                }
            case .clientCertificateDeclined(let reason):
                clientCertificate = switch reason {
                case .noCertificateConfigured: UInt8(TLSCORE_CLIENT_CERT_NONE_CONFIGURED)
                case .keyTypeNotRequested: UInt8(TLSCORE_CLIENT_CERT_KEY_TYPE_NOT_ASKED)
                case .authorityNotRequested: UInt8(TLSCORE_CLIENT_CERT_AUTHORITY_NOT_ASKED)
                case .noCommonSignatureScheme: UInt8(TLSCORE_CLIENT_CERT_NO_COMMON_SCHEME)
                }
                say("tlscore: the server asked for a client certificate; an empty one went out")
            case .resumed(let kind):
                resumed = switch kind {
                case .sessionID: UInt8(TLSCORE_RESUMED_SESSION_ID)
                case .ticket12: UInt8(TLSCORE_RESUMED_TICKET)
                case .ticket13: UInt8(TLSCORE_RESUMED_PSK)
                case .externalPSK: UInt8(TLSCORE_RESUMED_EXTERNAL_PSK)
                }
                say("tlscore: resumed: no certificate exchange")
            case .sessionNotOffered(let reason):
                sessionRefused = Int8(truncatingIfNeeded: sessionCode(reason))
                say("tlscore: the stored session was not offered")
            case .resumptionDeclined: say("tlscore: the server declined the session: full handshake")
            case .sessionStored: say("tlscore: session stored")
            case .certificateValidated:
                peerCertificateVerified = true
                say("tlscore: server certificate chain validated")
            case .clientCertificateValidated:
                peerCertificateVerified = true
                say("tlscore: client certificate chain validated")
            case .clientCertificateAbsent: say("tlscore: the client sent no certificate")
            case .helloRetryRequest, .helloRetryRequested: say("tlscore: HelloRetryRequest: another key share group")
            case .keyUpdateReceived: say("tlscore: KeyUpdate received")
            case .keyUpdateSent: say("tlscore: KeyUpdate sent")
            default: break
            }
        }
        if !announcedConnected, engine.state.isConnected {
            announcedConnected = true
            say("tlscore: handshake complete")
        }
    }

    /// The output the engine holds: a pointer into the caller's output region.
    func pendingOutput() -> UnsafeBufferPointer<UInt8> {
        engine.outgoing.withUnsafeBufferPointer { $0 }
    }

    /// The room for incoming bytes: a pointer into the caller's input region.
    mutating func inputRoom() -> UnsafeMutableBufferPointer<UInt8> {
        var room = engine.incomingRoom()
        return room.withUnsafeMutableBufferPointer { $0 }
    }

    /// Runs an engine step; a failure it ends the engine with is kept, a refused call
    /// (.invalidState on a live engine) only returned.
    mutating func step(_ body: (inout Engine<Machine>) throws(TLSError) -> Void) -> Int32 {
        let wasClosed = engine.state.isClosed
        do throws(TLSError) {
            try body(&engine)
            drainEvents()
            if !wasClosed, engine.state.isClosed, !peerClosed {
                peerClosed = true
                say("tlscore: close_notify received")
            }
            return TLSCORE_OK
        } catch {
            drainEvents()
            let (code, detail) = ErrorCode.of(error)
            if case .failed = engine.state { fail(code, detail) }
            return code
        }
    }

    /// The fatal condition already reached, if any.
    var failure: Int32? {
        if status != 0 && !truncated { return status }
        if case .failed(let error) = engine.state { return ErrorCode.of(error).0 }
        return nil
    }

    // MARK: the calls of the loop, one per tlscore_* function

    var want: UInt32 {
        var want: UInt32 = 0
        if engine.hasOutgoing { want |= UInt32(TLSCORE_WANT_WRITE) }
        if engine.hasReceivedData { want |= UInt32(TLSCORE_STATE_DATA) }
        switch engine.state {
        case .failed:
            want |= UInt32(TLSCORE_STATE_FAILED)
        case .closed:
            want |= UInt32(TLSCORE_STATE_CLOSED)
        case .connected:
            want |= UInt32(TLSCORE_STATE_CONNECTED)
            if truncated {
                want |= UInt32(TLSCORE_STATE_TRUNCATED)
            } else if engine.wantsInput {
                want |= UInt32(TLSCORE_WANT_READ)
            }
            if want == UInt32(TLSCORE_STATE_CONNECTED | TLSCORE_WANT_READ) { want |= UInt32(TLSCORE_STATE_IDLE) }
        case .handshaking, .idle:
            if status != 0 {
                want |= UInt32(TLSCORE_STATE_FAILED)
            } else if engine.wantsInput {
                want |= UInt32(TLSCORE_WANT_READ)
            }
        }
        return want
    }

    func output(_ length: UnsafeMutablePointer<Int>?) -> UnsafePointer<UInt8>? {
        guard engine.hasOutgoing else { return nil }
        let pending = pendingOutput()
        length?.pointee = pending.count
        return pending.baseAddress
    }

    mutating func outputDone(_ count: Int) -> Int32 {
        guard count >= 0, count <= pendingOutput().count else { return TLSCORE_ERR_INVALID_ARGUMENT }
        engine.didSend(count)
        return TLSCORE_OK
    }

    mutating func input(_ capacity: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<UInt8>? {
        guard want & UInt32(TLSCORE_WANT_READ) != 0 else { return nil }
        let region = inputRoom()
        capacity?.pointee = region.count
        return region.baseAddress
    }

    mutating func inputDone(_ count: Int) -> Int32 {
        if count == 0 { return TLSCORE_OK }
        guard want & UInt32(TLSCORE_WANT_READ) != 0 else { return TLSCORE_ERR_INVALID_STATE }
        guard count > 0, count <= inputRoom().count else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return step { (engine) throws(TLSError) in try engine.didReceive(count) }
    }

    mutating func inputEOF() -> Int32 {
        if endOfStream { return TLSCORE_OK }
        endOfStream = true
        switch engine.state {
        case .connected:
            // Nothing tells a whole response from one an attacker cut short: its own condition,
            // not a failure and not a close.
            truncated = true
            say("tlscore: the stream ended without close_notify")
            return TLSCORE_ERR_STREAM_TRUNCATED
        case .handshaking, .idle:
            fail(TLSCORE_ERR_CONNECTION_CLOSED, 0)
            return TLSCORE_ERR_CONNECTION_CLOSED
        case .closed, .failed:
            return TLSCORE_OK
        }
    }

    mutating func send(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if let failure { return Int(failure) }
        var taken = 0
        let status = step { (engine) throws(TLSError) in taken = try engine.send(bytes.span) }
        return status == TLSCORE_OK ? taken : Int(status)
    }

    mutating func receive(_ region: UnsafeMutableBufferPointer<UInt8>) -> Int {
        if !engine.hasReceivedData, let failure { return Int(failure) }
        var count = 0
        let status = step { (engine) throws(TLSError) in
            var room = region.mutableSpan
            count = try engine.receive(into: &room)
        }
        return status == TLSCORE_OK || count > 0 ? count : Int(status)
    }

    func error(_ detail: UnsafeMutablePointer<Int32>?) -> Int32 {
        if status != 0 {
            detail?.pointee = self.detail
            return status
        }
        return truncated ? TLSCORE_ERR_STREAM_TRUNCATED : TLSCORE_OK
    }

    func report(_ report: inout tlscore_report) -> Int32 {
        report.suite = engine.negotiatedSuite?.rawValue ?? 0
        report.version = engine.negotiatedVersion?.rawValue ?? 0
        report.group = engine.negotiatedGroup?.rawValue ?? 0
        report.extended_master_secret = engine.usesExtendedMasterSecret ? 1 : 0
        report.closed_by_notify = peerClosed ? 1 : 0
        report.client_certificate = clientCertificate
        report.resumed = resumed
        report.session_refused = sessionRefused
        report.peer_certificate_verified = peerCertificateVerified ? 1 : 0
        report.peer_certificate_len = UInt32(truncatingIfNeeded: engine.verifiedPeerCertificateLength)
        if let chosen = engine.negotiatedApplicationProtocol {
            report.alpn_offset = UInt16(truncatingIfNeeded: chosen.lowerBound)
            report.alpn_len = UInt8(truncatingIfNeeded: chosen.count)
        }
        return error(&report.detail)
    }

    /// Sets up a context of this role in `memory` over the caller's regions and queues the
    /// first flight (a client's ClientHello; a server's is nothing: it waits for one).
    /// `length` and the alignment were checked by `Handle.room`.
    static func install(
        _ memory: UnsafeMutableRawPointer, settings: Machine.Settings, input: UnsafeMutablePointer<UInt8>?,
        _ inputLength: Int, output: UnsafeMutablePointer<UInt8>?, _ outputLength: Int,
        reassembly: UnsafeMutablePointer<UInt8>?, _ reassemblyLength: Int, entropy: EntropySource,
        log: tlscore_log_fn?, logContext: UnsafeMutableRawPointer?
    ) -> Int32 {
        guard let input, let output, let reassembly else { return TLSCORE_ERR_INVALID_ARGUMENT }
        let personalization: InlineArray<7, UInt8> = [0x74, 0x6c, 0x73, 0x63, 0x6f, 0x72, 0x65]  // "tlscore"
        do throws(TLSError) {
            let random = try Random(entropy: entropy, personalization: personalization.span)
            let engine = try Engine<Machine>(
                unsafeSettings: settings, input: UnsafeMutableBufferPointer(start: input, count: inputLength),
                output: UnsafeMutableBufferPointer(start: output, count: outputLength),
                reassembly: UnsafeMutableBufferPointer(start: reassembly, count: reassemblyLength), random: random)
            let context = memory.bindMemory(to: Self.self, capacity: 1)
            context.initialize(to: Self(engine: engine, log: log, logContext: logContext))
            // The first flight's failure (e.g. a region too small for it) is kept in the
            // context like any later one, so init succeeds and want says FAILED.
            _ = context.pointee.step { (engine) throws(TLSError) in try engine.start() }
            return TLSCORE_OK
        } catch {
            return ErrorCode.of(error).0
        }
    }
}

/// The handle API's calls for either role, generic over the machine: each exported
/// tlscore_client_* / tlscore_server_* function is one line over one of these. Separate
/// exports per role (not one set that looks at the context's role) keep a client-only
/// firmware free of the server's code: --gc-sections drops what no call reaches.
enum Handle {
    /// The context at `pointer` if init made one of `role` there.
    static func context<Machine: HandleRole & ~Copyable>(
        _ pointer: UnsafeMutableRawPointer?, _ role: Machine.Type
    ) -> UnsafeMutablePointer<HandleContext<Machine>>? {
        guard let pointer, Int(bitPattern: pointer) % MemoryLayout<HandleContext<Machine>>.alignment == 0,
              pointer.load(as: UInt32.self) == Machine.live else { return nil }
        return pointer.assumingMemoryBound(to: HandleContext<Machine>.self)
    }

    static func want<Machine: HandleRole & ~Copyable>(_ memory: UnsafeMutableRawPointer?, _ role: Machine.Type) -> UInt32 {
        guard let context = context(memory, role) else { return UInt32(TLSCORE_STATE_FAILED) }
        return context.pointee.want
    }

    static func output<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ length: UnsafeMutablePointer<Int>?, _ role: Machine.Type
    ) -> UnsafePointer<UInt8>? {
        length?.pointee = 0
        return context(memory, role)?.pointee.output(length)
    }

    static func outputDone<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ count: Int, _ role: Machine.Type
    ) -> Int32 {
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return context.pointee.outputDone(count)
    }

    static func input<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ capacity: UnsafeMutablePointer<Int>?, _ role: Machine.Type
    ) -> UnsafeMutablePointer<UInt8>? {
        capacity?.pointee = 0
        guard let context = context(memory, role) else { return nil }
        return context.pointee.input(capacity)
    }

    static func inputDone<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ count: Int, _ role: Machine.Type
    ) -> Int32 {
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return context.pointee.inputDone(count)
    }

    static func inputEOF<Machine: HandleRole & ~Copyable>(_ memory: UnsafeMutableRawPointer?, _ role: Machine.Type) -> Int32 {
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return context.pointee.inputEOF()
    }

    static func send<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ role: Machine.Type
    ) -> Int {
        guard let context = context(memory, role), length >= 0, data != nil || length == 0 else {
            return Int(TLSCORE_ERR_INVALID_ARGUMENT)
        }
        return context.pointee.send(UnsafeBufferPointer(start: data, count: length))
    }

    static func receive<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ role: Machine.Type
    ) -> Int {
        guard let context = context(memory, role), capacity >= 0, buffer != nil || capacity == 0 else {
            return Int(TLSCORE_ERR_INVALID_ARGUMENT)
        }
        return context.pointee.receive(UnsafeMutableBufferPointer(start: buffer, count: capacity))
    }

    static func close<Machine: HandleRole & ~Copyable>(_ memory: UnsafeMutableRawPointer?, _ role: Machine.Type) -> Int32 {
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        context.pointee.engine.close()
        return TLSCORE_OK
    }

    static func error<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ detail: UnsafeMutablePointer<Int32>?, _ role: Machine.Type
    ) -> Int32 {
        detail?.pointee = 0
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return context.pointee.error(detail)
    }

    static func report<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ report: UnsafeMutablePointer<tlscore_report>?, _ role: Machine.Type
    ) -> Int32 {
        guard let report else { return TLSCORE_ERR_INVALID_ARGUMENT }
        report.pointee = tlscore_report()
        guard let context = context(memory, role) else { return TLSCORE_ERR_INVALID_ARGUMENT }
        return context.pointee.report(&report.pointee)
    }

    /// close() wipes the handshake secrets, the DRBG and the record keys in place; the
    /// deinitialisation then frees what Mbed TLS allocated inside them, and the memory is zeroed.
    static func free<Machine: HandleRole & ~Copyable>(_ memory: UnsafeMutableRawPointer?, _ role: Machine.Type) {
        guard let context = context(memory, role) else { return }
        context.pointee.engine.close()
        context.deinitialize(count: 1)
        UnsafeMutableRawPointer(context).initializeMemory(
            as: UInt8.self, repeating: 0, count: MemoryLayout<HandleContext<Machine>>.size)
    }

    /// Checks the caller's context memory for a context of `role` (size, alignment) and
    /// marks it not live until an engine is in place: a failed init leaves nothing to call.
    static func room<Machine: HandleRole & ~Copyable>(
        _ memory: UnsafeMutableRawPointer?, _ length: Int, for role: Machine.Type
    ) -> (UnsafeMutableRawPointer?, Int32) {
        guard let memory else { return (nil, TLSCORE_ERR_INVALID_ARGUMENT) }
        guard length >= MemoryLayout<HandleContext<Machine>>.size else { return (nil, TLSCORE_ERR_CONTEXT_TOO_SMALL) }
        guard Int(bitPattern: memory) % MemoryLayout<HandleContext<Machine>>.alignment == 0 else {
            return (nil, TLSCORE_ERR_INVALID_ARGUMENT)
        }
        memory.initializeMemory(as: UInt32.self, repeating: 0, count: 1)
        return (memory, TLSCORE_OK)
    }

    /// The entropy callback, or the system's where there is one (nil: none).
    static func entropy(_ function: tlscore_entropy_fn?, _ context: UnsafeMutableRawPointer?) -> EntropySource? {
        if let function { return EntropySource(function: function, context: context) }
        #if TLSCORE_POSIX
        return SystemEntropy.source
        #else
        return nil  // no default source without the POSIX pieces
        #endif
    }

    /// The validation time: `time`, else the clock callback's, else the system's (nil: none).
    static func time(_ time: Int64, _ clock: tlscore_clock_fn?, _ context: UnsafeMutableRawPointer?) -> Int64? {
        if time != 0 { return time }
        if let clock { return clock(context) }
        #if TLSCORE_POSIX
        return Clock.unixSeconds()
        #else
        return nil  // no time to validate certificates at
        #endif
    }
}

/// The header's code for why a session does not load or was not offered.
func sessionCode(_ reason: Session.Refusal) -> Int32 {
    switch reason {
    case .empty: TLSCORE_ERR_SESSION_EMPTY
    case .truncated: TLSCORE_ERR_SESSION_TRUNCATED
    case .malformed: TLSCORE_ERR_SESSION_MALFORMED
    case .unknownFormat: TLSCORE_ERR_SESSION_UNKNOWN_FORMAT
    case .corrupt: TLSCORE_ERR_SESSION_CORRUPT
    case .expired: TLSCORE_ERR_SESSION_EXPIRED
    case .notYetValid: TLSCORE_ERR_SESSION_NOT_YET_VALID
    case .otherServer: TLSCORE_ERR_SESSION_OTHER_SERVER
    case .otherTrust: TLSCORE_ERR_SESSION_OTHER_TRUST
    case .notOffered: TLSCORE_ERR_SESSION_NOT_OFFERED
    }
}

@_cdecl("tlscore_session_length")
public func tlscoreSessionLength(_ session: UnsafePointer<UInt8>?, _ length: Int) -> Int {
    guard let session else { return Int(TLSCORE_ERR_SESSION_EMPTY) }
    do throws(Session.Refusal) {
        return try Session(UnsafeBufferPointer(start: session, count: length).span).length
    } catch {
        return Int(sessionCode(error))
    }
}

// MARK: the client's init

@_cdecl("tlscore_client_context_size")
public func tlscoreClientContextSize() -> Int { MemoryLayout<HandleContext<Client>>.size }

@_cdecl("tlscore_client_init")
public func tlscoreClientInit(
    _ memory: UnsafeMutableRawPointer?, _ length: Int, _ configuration: UnsafePointer<tlscore_config>?
) -> Int32 {
    guard let configuration else { return TLSCORE_ERR_INVALID_ARGUMENT }
    let (room, refused) = Handle.room(memory, length, for: Client.self)
    guard let room else { return refused }
    let setup = configuration.pointee
    guard let entropy = Handle.entropy(setup.entropy, setup.entropy_ctx),
          let time = Handle.time(setup.time, setup.clock, setup.clock_ctx),
          setup.anchors != nil, setup.anchors_len > 0,
          let settings = Settings.of(setup, time: time)
    else { return TLSCORE_ERR_INVALID_ARGUMENT }
    return HandleContext<Client>.install(
        room, settings: settings, input: setup.input, setup.input_len, output: setup.output, setup.output_len,
        reassembly: setup.reassembly, setup.reassembly_len, entropy: entropy, log: setup.log, logContext: setup.log_ctx)
}

// MARK: the client's loop (the server's, tlscore_server_*, is in TLSCoreCAPIServer.swift)

@_cdecl("tlscore_client_want")
public func tlscoreClientWant(_ memory: UnsafeMutableRawPointer?) -> UInt32 { Handle.want(memory, Client.self) }

@_cdecl("tlscore_client_output")
public func tlscoreClientOutput(_ memory: UnsafeMutableRawPointer?, _ length: UnsafeMutablePointer<Int>?) -> UnsafePointer<UInt8>? {
    Handle.output(memory, length, Client.self)
}

@_cdecl("tlscore_client_output_done")
public func tlscoreClientOutputDone(_ memory: UnsafeMutableRawPointer?, _ count: Int) -> Int32 {
    Handle.outputDone(memory, count, Client.self)
}

@_cdecl("tlscore_client_input")
public func tlscoreClientInput(_ memory: UnsafeMutableRawPointer?, _ capacity: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<UInt8>? {
    Handle.input(memory, capacity, Client.self)
}

@_cdecl("tlscore_client_input_done")
public func tlscoreClientInputDone(_ memory: UnsafeMutableRawPointer?, _ count: Int) -> Int32 {
    Handle.inputDone(memory, count, Client.self)
}

@_cdecl("tlscore_client_input_eof")
public func tlscoreClientInputEOF(_ memory: UnsafeMutableRawPointer?) -> Int32 { Handle.inputEOF(memory, Client.self) }

@_cdecl("tlscore_client_send")
public func tlscoreClientSend(_ memory: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: Int) -> Int {
    Handle.send(memory, data, length, Client.self)
}

@_cdecl("tlscore_client_recv")
public func tlscoreClientRecv(_ memory: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ capacity: Int) -> Int {
    Handle.receive(memory, buffer, capacity, Client.self)
}

@_cdecl("tlscore_client_close")
public func tlscoreClientClose(_ memory: UnsafeMutableRawPointer?) -> Int32 { Handle.close(memory, Client.self) }

@_cdecl("tlscore_client_error")
public func tlscoreClientError(_ memory: UnsafeMutableRawPointer?, _ detail: UnsafeMutablePointer<Int32>?) -> Int32 {
    Handle.error(memory, detail, Client.self)
}

@_cdecl("tlscore_client_report")
public func tlscoreClientReport(_ memory: UnsafeMutableRawPointer?, _ report: UnsafeMutablePointer<tlscore_report>?) -> Int32 {
    Handle.report(memory, report, Client.self)
}

@_cdecl("tlscore_client_free")
public func tlscoreClientFree(_ memory: UnsafeMutableRawPointer?) { Handle.free(memory, Client.self) }

/// tlscore_config as the core's ClientSettings: nil when a field is out of range.
private enum Settings {
    static func of(_ setup: tlscore_config, time: Int64) -> ClientSettings? {
        guard setup.suites & ~UInt32(TLSCORE_SUITES_ALL) == 0 else { return nil }
        var fragment: MaxFragmentLength? = nil
        switch setup.max_fragment_length {
        case 0: fragment = nil
        case 512: fragment = .bytes512
        case 1024: fragment = .bytes1024
        case 2048: fragment = .bytes2048
        case 4096: fragment = .bytes4096
        default: return nil
        }
        let suites = setup.suites == 0
            ? CipherSuites.defaults : CipherSuites(rawValue: setup.suites)
        guard setup.versions & ~UInt32(TLSCORE_VERSIONS_ALL) == 0 else { return nil }
        let versions = setup.versions == 0 ? TLSVersions.all : TLSVersions(rawValue: UInt8(truncatingIfNeeded: setup.versions))
        // The key share's group first, then the others in the default order.
        var groups = NamedGroups()
        switch setup.key_share_group {
        case 0, TLSCORE_GROUP_X25519: groups.append(.x25519)
        case TLSCORE_GROUP_SECP256R1: groups.append(.secp256r1)
        case TLSCORE_GROUP_SECP384R1: groups.append(.secp384r1)
        default: return nil
        }
        groups.append(.x25519)
        groups.append(.secp256r1)
        groups.append(.secp384r1)

        var nameCount = 0
        if let name = setup.server_name { while name[nameCount] != 0 { nameCount &+= 1 } }
        let name = UnsafeBufferPointer(
            start: UnsafeRawPointer(setup.server_name)?.assumingMemoryBound(to: UInt8.self), count: nameCount)
        let address = bytes(setup.server_address, setup.server_address_len)
        let anchors = bytes(setup.anchors, setup.anchors_len)
        let crls = bytes(setup.crls, setup.crls_len)
        let chain = bytes(setup.client_chain, setup.client_chain_len)
        let key = bytes(setup.client_key, setup.client_key_len)
        let identity = bytes(setup.psk_identity, setup.psk_identity_len)
        let psk = bytes(setup.psk, setup.psk_len)
        guard (identity.count == 0) == (psk.count == 0), psk.count <= 64 else { return nil }
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: address.span, trustAnchors: anchors.span, crls: crls.span,
            time: time, suites: suites, versions: versions, groups: groups, maxFragmentLength: fragment,
            minimumRSAKeyBits: setup.min_rsa_bits == 0 ? 2048 : Int(setup.min_rsa_bits),
            clientCertificateChain: chain.span, clientPrivateKey: key.span)
        let keyExchange: ClientSettings.ResumptionKeyExchange = setup.psk_only != 0 ? .pskOnly : .withECDHE
        let withPSK = psk.count == 0
            ? configuration.withResumptionKeyExchange(keyExchange)
            : configuration.withExternalPSK(identity: identity.span, key: psk.span).withResumptionKeyExchange(keyExchange)
        let signer = setup.sign.map { Signer($0, context: setup.sign_ctx) }
        let signed = signer == nil ? withPSK : withPSK.signing(with: signer!)
        guard let session = setup.session else { return signed.settings }
        guard setup.session_len >= Session.capacity else { return nil }
        let region = UnsafeMutableBufferPointer(start: session, count: setup.session_len)
        return signed.resuming(region.mutableSpan, keyExchange: keyExchange).settings
    }

    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }
}

// MARK: error codes

enum ErrorCode {
    /// The header's code for `error`, and its detail (errno, Mbed TLS code, bytes needed, the
    /// number of a named certificate rule).
    static func of(_ error: TLSError) -> (Int32, Int32) {
        switch error {
        case .truncated: (TLSCORE_ERR_TRUNCATED, 0)
        case .malformed: (TLSCORE_ERR_MALFORMED, 0)
        case .trailingBytes: (TLSCORE_ERR_TRAILING_BYTES, 0)
        case .bufferTooSmall(let needed, _): (TLSCORE_ERR_BUFFER_TOO_SMALL, Int32(truncatingIfNeeded: needed))
        case .messageTooLong(let length): (TLSCORE_ERR_MESSAGE_TOO_LONG, Int32(truncatingIfNeeded: length))
        case .badRecordMAC: (TLSCORE_ERR_BAD_RECORD_MAC, 0)
        case .badSignature: (TLSCORE_ERR_BAD_SIGNATURE, 0)
        case .invalidPeerKey: (TLSCORE_ERR_INVALID_PEER_KEY, 0)
        case .unsupportedAlgorithm: (TLSCORE_ERR_UNSUPPORTED_ALGORITHM, 0)
        case .randomFailure: (TLSCORE_ERR_RANDOM_FAILURE, 0)
        case .mbedTLS(let code): (TLSCORE_ERR_MBEDTLS, code)
        case .outOfMemory(let code): (TLSCORE_ERR_OUT_OF_MEMORY, code)
        case .certificate(.violates(let rule)): (TLSCORE_ERR_CERT_RULE, Int32(rule.rawValue))
        case .certificate(let reason): (certificate(reason), 0)
        case .unexpectedMessage: (TLSCORE_ERR_UNEXPECTED_MESSAGE, 0)
        case .recordOverflow: (TLSCORE_ERR_RECORD_OVERFLOW, 0)
        case .protocolVersion: (TLSCORE_ERR_PROTOCOL_VERSION, 0)
        case .maxFragmentLengthNotAccepted(let capacity): (TLSCORE_ERR_MAX_FRAGMENT_NOT_ACCEPTED, Int32(truncatingIfNeeded: capacity))
        case .weakServerKey(let bits): (TLSCORE_ERR_WEAK_SERVER_KEY, Int32(truncatingIfNeeded: bits))
        case .illegalParameter: (TLSCORE_ERR_ILLEGAL_PARAMETER, 0)
        case .handshakeFailure: (TLSCORE_ERR_HANDSHAKE_FAILURE, 0)
        case .unsupportedExtension: (TLSCORE_ERR_UNSUPPORTED_EXTENSION, 0)
        case .missingExtension: (TLSCORE_ERR_MISSING_EXTENSION, 0)
        case .badRetryRequest: (TLSCORE_ERR_BAD_RETRY_REQUEST, 0)
        case .downgradeDetected: (TLSCORE_ERR_DOWNGRADE_DETECTED, 0)
        case .finishedMismatch: (TLSCORE_ERR_FINISHED_MISMATCH, 0)
        // The C server takes no PSK; were it to, the binder is the PSK's Finished.
        case .pskBinderMismatch: (TLSCORE_ERR_FINISHED_MISMATCH, 1)
        case .renegotiationRefused: (TLSCORE_ERR_RENEGOTIATION_REFUSED, 0)
        case .invalidState: (TLSCORE_ERR_INVALID_STATE, 0)
        case .noApplicationProtocol: (TLSCORE_ERR_NO_APPLICATION_PROTOCOL, 0)
        case .certificateRequired: (TLSCORE_ERR_CERTIFICATE_REQUIRED, 0)
        case .peerAlert(let alert): (TLSCORE_ERR_PEER_ALERT_BASE &- Int32(truncatingIfNeeded: alert.rawValue), 0)
        case .connectionClosed: (TLSCORE_ERR_CONNECTION_CLOSED, 0)
        case .timeout: (TLSCORE_ERR_TIMEOUT, 0)
        case .transport(let code): (TLSCORE_ERR_TRANSPORT, code)
        }
    }

    private static func certificate(_ reason: CertificateError) -> Int32 {
        switch reason {
        case .expired: TLSCORE_ERR_CERT_EXPIRED
        case .notYetValid: TLSCORE_ERR_CERT_NOT_YET_VALID
        case .unknownIssuer: TLSCORE_ERR_CERT_UNKNOWN_ISSUER
        case .badSignature: TLSCORE_ERR_CERT_BAD_SIGNATURE
        case .issuerNotCA: TLSCORE_ERR_CERT_ISSUER_NOT_CA
        case .nameMismatch: TLSCORE_ERR_CERT_NAME_MISMATCH
        case .wrongPurpose: TLSCORE_ERR_CERT_WRONG_PURPOSE
        case .revoked: TLSCORE_ERR_CERT_REVOKED
        case .unsupportedCriticalExtension: TLSCORE_ERR_CERT_UNSUPPORTED_CRITICAL_EXTENSION
        case .unsupportedAlgorithm: TLSCORE_ERR_CERT_UNSUPPORTED_ALGORITHM
        case .crlExpired: TLSCORE_ERR_CERT_CRL_EXPIRED
        case .crlMissing: TLSCORE_ERR_CERT_CRL_MISSING
        case .crlBadSignature: TLSCORE_ERR_CERT_CRL_BAD_SIGNATURE
        case .nameConstraintViolation: TLSCORE_ERR_CERT_NAME_CONSTRAINT
        case .violates: TLSCORE_ERR_CERT_RULE
        case .malformed(where: .trustAnchor): TLSCORE_ERR_CERT_BAD_ANCHOR
        case .malformed: TLSCORE_ERR_CERT_MALFORMED
        }
    }
}

// MARK: tlscore_strerror

@_cdecl("tlscore_strerror")
public func tlscoreStrerror(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    if code <= TLSCORE_ERR_PEER_ALERT_BASE && code > TLSCORE_ERR_PEER_ALERT_BASE &- 256 {
        text = alertText(UInt8(truncatingIfNeeded: TLSCORE_ERR_PEER_ALERT_BASE &- code))
    } else {
        text = codeText(code)
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

private func codeText(_ code: Int32) -> StaticString {
    switch code {
    case TLSCORE_OK: "success"
    case TLSCORE_ERR_TRUNCATED: "truncated message from the peer"
    case TLSCORE_ERR_MALFORMED: "malformed message from the peer"
    case TLSCORE_ERR_TRAILING_BYTES: "trailing bytes after a message"
    case TLSCORE_ERR_BUFFER_TOO_SMALL: "a region is too small (report.detail: bytes needed)"
    case TLSCORE_ERR_BAD_RECORD_MAC: "bad record MAC"
    case TLSCORE_ERR_BAD_SIGNATURE: "the server's signature does not verify"
    case TLSCORE_ERR_INVALID_PEER_KEY: "invalid peer key share"
    case TLSCORE_ERR_UNSUPPORTED_ALGORITHM: "unsupported algorithm"
    case TLSCORE_ERR_RANDOM_FAILURE: "random generator or entropy failure"
    case TLSCORE_ERR_MBEDTLS: "Mbed TLS error (report.detail: its code)"
    case TLSCORE_ERR_UNEXPECTED_MESSAGE: "unexpected message"
    case TLSCORE_ERR_RECORD_OVERFLOW: "record overflow"
    case TLSCORE_ERR_PROTOCOL_VERSION: "the server chose no version offered"
    case TLSCORE_ERR_ILLEGAL_PARAMETER: "illegal parameter from the server"
    case TLSCORE_ERR_HANDSHAKE_FAILURE: "handshake failure: nothing in common"
    case TLSCORE_ERR_UNSUPPORTED_EXTENSION: "unsolicited extension from the server"
    case TLSCORE_ERR_DOWNGRADE_DETECTED: "downgrade detected (the server's random carries the TLS 1.3 sentinel)"
    case TLSCORE_ERR_FINISHED_MISMATCH: "the server's Finished does not match"
    case TLSCORE_ERR_RENEGOTIATION_REFUSED: "renegotiation refused"
    case TLSCORE_ERR_INVALID_STATE: "engine used out of order"
    case TLSCORE_ERR_CONNECTION_CLOSED: "connection closed during the handshake"
    case TLSCORE_ERR_TIMEOUT: "timed out"
    case TLSCORE_ERR_TRANSPORT: "transport failure (report.detail: errno)"
    case TLSCORE_ERR_INVALID_ARGUMENT: "invalid argument"
    case TLSCORE_ERR_ABORTED: "aborted by the session function"
    case TLSCORE_ERR_MESSAGE_TOO_LONG: "a handshake message length exceeds anything this engine accepts (report.detail: the length)"
    case TLSCORE_ERR_MAX_FRAGMENT_NOT_ACCEPTED: "the server did not accept max_fragment_length: records up to 16 KB would follow (report.detail: input region bytes)"
    case TLSCORE_ERR_WEAK_SERVER_KEY: "the server's RSA key is below the minimum (report.detail: its bits)"
    case TLSCORE_ERR_MISSING_EXTENSION: "a message from the server lacks a required extension"
    case TLSCORE_ERR_BAD_RETRY_REQUEST: "bad HelloRetryRequest from the server"
    case TLSCORE_ERR_CONTEXT_TOO_SMALL: "the context is smaller than its role's tlscore_*_context_size()"
    case TLSCORE_ERR_STREAM_TRUNCATED: "the stream ended without close_notify: what was received may be truncated"
    case TLSCORE_ERR_SESSION_EMPTY: "session: none stored"
    case TLSCORE_ERR_SESSION_TRUNCATED: "session: truncated"
    case TLSCORE_ERR_SESSION_MALFORMED: "session: malformed (not a session)"
    case TLSCORE_ERR_SESSION_UNKNOWN_FORMAT: "session: unknown format version"
    case TLSCORE_ERR_SESSION_CORRUPT: "session: its check does not match (corrupted or written in part)"
    case TLSCORE_ERR_SESSION_EXPIRED: "session: expired"
    case TLSCORE_ERR_SESSION_NOT_YET_VALID: "session: stored after the validation time"
    case TLSCORE_ERR_SESSION_OTHER_SERVER: "session: for another server"
    case TLSCORE_ERR_SESSION_OTHER_TRUST: "session: validated under other trust anchors"
    case TLSCORE_ERR_SESSION_NOT_OFFERED: "session: its version or suite is not configured"
    case TLSCORE_ERR_NO_APPLICATION_PROTOCOL: "no application protocol in common (ALPN)"
    case TLSCORE_ERR_CERTIFICATE_REQUIRED: "a client certificate is required and none was sent"
    case TLSCORE_ERR_OUT_OF_MEMORY: "out of memory: Mbed TLS's heap or arena is too small for this handshake"
    case TLSCORE_ERR_CERT_EXPIRED: "certificate: expired"
    case TLSCORE_ERR_CERT_NOT_YET_VALID: "certificate: not yet valid"
    case TLSCORE_ERR_CERT_UNKNOWN_ISSUER: "certificate: unknown issuer (no trust anchor issues the chain)"
    case TLSCORE_ERR_CERT_BAD_SIGNATURE: "certificate: bad signature"
    case TLSCORE_ERR_CERT_ISSUER_NOT_CA: "certificate: issuer is not a CA"
    case TLSCORE_ERR_CERT_PATH_TOO_LONG: "certificate: path too long (retired: now TLSCORE_ERR_CERT_RULE)"
    case TLSCORE_ERR_CERT_NAME_MISMATCH: "certificate: name mismatch"
    case TLSCORE_ERR_CERT_WRONG_PURPOSE: "certificate: key usage does not allow the negotiated key exchange"
    case TLSCORE_ERR_CERT_REVOKED: "certificate: revoked"
    case TLSCORE_ERR_CERT_UNSUPPORTED_CRITICAL_EXTENSION: "certificate: unsupported critical extension"
    case TLSCORE_ERR_CERT_UNSUPPORTED_ALGORITHM: "certificate: unsupported or refused algorithm"
    case TLSCORE_ERR_CERT_CRL_EXPIRED: "certificate: CRL out of date"
    case TLSCORE_ERR_CERT_CRL_MISSING: "certificate: CRL missing"
    case TLSCORE_ERR_CERT_CRL_BAD_SIGNATURE: "certificate: CRL signature does not verify"
    case TLSCORE_ERR_CERT_NAME_CONSTRAINT: "certificate: name constraint violated"
    case TLSCORE_ERR_CERT_MALFORMED: "certificate: malformed DER"
    case TLSCORE_ERR_CERT_BAD_ANCHOR: "certificate: a trust anchor does not decode"
    case TLSCORE_ERR_CERT_RULE: "certificate: refused by a named rule (report.detail: its number, see tlscore_cert_rule_name)"
    default: "unknown error code"
    }
}

// MARK: tlscore_cert_rule_name

/// The rule's stable name (`CertificateRule.name`, what `hostsim verify` prints) for the
/// number in `report.detail` beside TLSCORE_ERR_CERT_RULE: a StaticString, NUL-terminated,
/// nothing allocated.
@_cdecl("tlscore_cert_rule_name")
public func tlscoreCertRuleName(_ rule: Int32) -> UnsafePointer<CChar> {
    var text: StaticString = "unknown certificate rule"
    if rule > 0 && rule <= Int32(UInt8.max), let known = CertificateRule(rawValue: UInt8(truncatingIfNeeded: rule)) {
        text = known.name
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

private func alertText(_ description: UInt8) -> StaticString {
    switch AlertDescription(rawValue: description) {
    case .closeNotify: "peer alert: close_notify during the handshake"
    case .unexpectedMessage: "peer alert: unexpected_message"
    case .badRecordMAC: "peer alert: bad_record_mac"
    case .recordOverflow: "peer alert: record_overflow"
    case .handshakeFailure: "peer alert: handshake_failure"
    case .badCertificate: "peer alert: bad_certificate"
    case .unsupportedCertificate: "peer alert: unsupported_certificate"
    case .certificateRevoked: "peer alert: certificate_revoked"
    case .certificateExpired: "peer alert: certificate_expired"
    case .certificateUnknown: "peer alert: certificate_unknown"
    case .illegalParameter: "peer alert: illegal_parameter"
    case .unknownCA: "peer alert: unknown_ca"
    case .accessDenied: "peer alert: access_denied"
    case .decodeError: "peer alert: decode_error"
    case .decryptError: "peer alert: decrypt_error"
    case .protocolVersion: "peer alert: protocol_version"
    case .insufficientSecurity: "peer alert: insufficient_security"
    case .internalError: "peer alert: internal_error"
    case .inappropriateFallback: "peer alert: inappropriate_fallback"
    case .userCanceled: "peer alert: user_canceled"
    case .noRenegotiation: "peer alert: no_renegotiation"
    case .missingExtension: "peer alert: missing_extension"
    case .unsupportedExtension: "peer alert: unsupported_extension"
    case .unrecognizedName: "peer alert: unrecognized_name"
    case .badCertificateStatusResponse: "peer alert: bad_certificate_status_response"
    case .unknownPSKIdentity: "peer alert: unknown_psk_identity"
    case .certificateRequired: "peer alert: certificate_required"
    case .noApplicationProtocol: "peer alert: no_application_protocol"
    case nil: "peer alert: unknown description"
    }
}
