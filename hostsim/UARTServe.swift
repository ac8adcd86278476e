import ArgumentParser
import CPOSIX
import Foundation
import TLSCore
import TLSPlatform

/// `hostsim uart-serve`: the device as the TLS server over the simulated serial line. Each
/// accepted TCP client is bridged by a gateway to a pty whose slave the core serves on, over
/// `TTYTransport`, with a small blocking driver.
struct UARTServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uart-serve",
        abstract: "Serves HTTPS/1.0 from the core as a device behind a simulated UART (pty + gateway), one TCP client at a time.",
        discussion: """
            Prints "listening on HOST:PORT" once bound. Each accepted connection goes through a \
            gateway (paced at --baud, with --latency and --fault; `up` is device → client) to a \
            pty; the core opens the slave as the server: handshake, one HTTP request, the same \
            text/plain answer as `serve`, close_notify. One log line per connection on stderr. \
            Ends after --count connections, or on SIGINT/SIGTERM. Exit status: 0 when every \
            connection was answered, 1 when any failed (its line names the typed error and \
            the alert), 2 usage errors.
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (IPv4; port 0 picks a free one).") var listen = "127.0.0.1:0"
    @OptionGroup var server: ServeOptions
    @OptionGroup var line: LineOptions
    @Option(help: "Serve this many connections, then exit (default: until SIGINT or SIGTERM).") var count: Int?

    func run() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        let (host, port) = try ClientOptions.split(listen)
        let (files, options) = try server.load()
        let settings = try line.settings()
        let device = try UARTServerDevice(files: files, options: options)
        let listener = try Listener(host: host, port: port)
        defer { close(listener.descriptor) }
        FileHandle.standardOutput.write(Data("listening on \(host):\(listener.port)\n".utf8))
        StopSignal.install()
        var served = 0
        var failed = 0
        while count.map({ served < $0 }) ?? true, let (socket, peer) = Self.nextClient(listener.descriptor) {
            served += 1
            let outcome: (result: Result<String, TLSError>, gatewayEnd: String, counts: Gateway.Counters)
            do {
                outcome = try SimulatedUART.run(socket: socket, socketName: "client", line: settings) { path, gateway in
                    Result { () throws(TLSError) -> String in
                        var transport = try SimulatedUART.openDevice(path, baud: settings.baud)
                        gateway.releaseSlave()
                        return try device.serve(over: &transport, peer: peer)
                    }
                }
            } catch let failure as GatewayFailure {
                print("hostsim: \(failure)", to: &standardError)
                throw ExitCode(1)
            }
            switch outcome.result {
            case .success(let text):
                device.log("\(peer): \(text)")
            case .failure(let error):
                failed += 1
                device.log("\(peer): \(device.connected ? "failed" : "handshake failed"): \(ServeLoop.describe(error))")
            }
            if options.trace {
                device.log("\(peer): gateway \(outcome.gatewayEnd); line bytes: \(outcome.counts.delivered[.up]!) device → client, \(outcome.counts.delivered[.down]!) client → device")
            }
        }
        if failed > 0 {
            print("hostsim: \(failed) of \(served) connections failed", to: &standardError)
            throw ExitCode(1)
        }
    }

    /// Waits for the next client (in 100 ms slices, so that a stop signal is seen); nil once stopped.
    static func nextClient(_ listener: Int32) -> (descriptor: Int32, peer: String)? {
        while !StopSignal.requested {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 100) > 0, let client = Listener.accept(listener) { return client }
        }
        return nil
    }
}

/// The device's side: one `Engine<Server>` at a time over a serial transport, in regions made
/// once. Every wait is bounded: the handshake by --handshake-timeout, each read by --timeout.
final class UARTServerDevice {
    static let lingerMilliseconds = 1000

    let files: ServerFiles
    let options: ServerOptions
    let memory: SlotMemory
    /// Whether the last connection got through its handshake.
    private(set) var connected = false
    private var resumed: Session.Kind?

    init(files: ServerFiles, options: ServerOptions) throws(TLSError) {
        self.files = files
        self.options = options
        memory = try SlotMemory(files: files, options: options)
    }

    deinit { memory.free() }

    func log(_ line: String) { print("uart-serve: \(line)", to: &standardError) }

    /// Serves one connection; returns its log line (after the peer).
    func serve<T: Transport & ~Copyable>(over transport: inout T, peer: String) throws(TLSError) -> String {
        connected = false
        resumed = nil
        let random = try Random(entropy: SystemEntropy.source, personalization: Span())
        var engine = try Engine<Server>(
            unsafeSettings: files.settings(options, certificate: memory.certificate), input: memory.input,
            output: memory.output, reassembly: memory.reassembly, random: random)
        do {
            let deadline = Clock.monotonicMilliseconds() + options.handshakeMilliseconds
            try engine.start()
            while !engine.state.isConnected && !engine.state.isClosed {
                try step(&engine, &transport, peer: peer, deadline: deadline)
            }
            connected = true
            var served = ServedConnection(engine: engine, files: files, certificate: memory.certificate, resumed: resumed)
            if options.trace { log("\(peer)    \(served.negotiated)") }
            var request: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            var end = ServeLoop.headerEnd(request)
            while end == nil {
                if request.count > ServeLoop.requestLimit {
                    engine.close()
                    try flush(&engine, &transport)
                    return "\(served.negotiated), request headers over \(ServeLoop.requestLimit) bytes: closed"
                }
                if engine.hasReceivedData {
                    var span = chunk.mutableSpan
                    let count = try engine.receive(into: &span)
                    request += chunk[0..<count]
                    end = ServeLoop.headerEnd(request)
                } else if engine.state.isClosed {
                    break
                } else {
                    try step(&engine, &transport, peer: peer, deadline: nil)
                }
            }
            // As `serve`: after the client's close_notify only TLS 1.3 still sends.
            guard let end, !engine.state.isClosed || engine.negotiatedVersion == .tls13 else {
                engine.close()
                try flush(&engine, &transport)
                return "\(served.negotiated), the client sent close_notify before an answerable request: not answered"
            }
            served.resumed = resumed
            let response = served.response
            var offset = 0
            while offset < response.count {
                offset += try engine.send(response.span.extracting(offset..<response.count))
                try flush(&engine, &transport)
            }
            engine.close()
            try flush(&engine, &transport)
            linger(&transport)
            return served.answeredLine(ServedConnection.requestLine(request, end: end))
        } catch {
            events(&engine, peer: peer)
            // The alert the engine queued, best effort, then the error.
            if engine.hasOutgoing { _ = try? sendQueued(&engine, &transport, timeoutMilliseconds: 500) }
            throw error
        }
    }

    /// Sends what is queued; then, when the engine wants input, feeds it what arrives
    /// within the per-read timeout, cut to what is left of `deadline`.
    private func step<T: Transport & ~Copyable>(
        _ engine: inout Engine<Server>, _ transport: inout T, peer: String, deadline: Int64?
    ) throws(TLSError) {
        events(&engine, peer: peer)
        if case .failed(let error) = engine.state { throw error }
        try flush(&engine, &transport)
        // The handshake's steps end when it does; later ones wait for the request.
        if deadline != nil && (engine.state.isConnected || engine.state.isClosed) { return }
        var budget = options.idleMilliseconds
        if let deadline { budget = min(budget, deadline - Clock.monotonicMilliseconds()) }
        guard budget > 0 else { throw .timeout }
        // Nothing to wait for (the engine is not handshaking or connected): the callers see its state.
        guard engine.wantsInput else {
            if engine.state.isClosed { return }
            throw .connectionClosed
        }
        let count = try Self.receive(into: &engine, from: &transport, timeoutMilliseconds: Int(budget))
        if count == 0 { throw .connectionClosed }
        try engine.didReceive(count)
        events(&engine, peer: peer)
    }

    private func events(_ engine: inout Engine<Server>, peer: String) {
        while let event = engine.nextEvent() {
            ServedConnection.note(event, resumed: &resumed)
            if options.trace { log("\(peer) \(event.line)") }
        }
    }

    private func flush<T: Transport & ~Copyable>(_ engine: inout Engine<Server>, _ transport: inout T) throws(TLSError) {
        try sendQueued(&engine, &transport, timeoutMilliseconds: Int(options.idleMilliseconds))
    }

    private func sendQueued<T: Transport & ~Copyable>(
        _ engine: inout Engine<Server>, _ transport: inout T, timeoutMilliseconds: Int
    ) throws(TLSError) {
        while engine.hasOutgoing {
            let sent = try transport.send(engine.outgoing, timeoutMilliseconds: timeoutMilliseconds)
            engine.didSend(sent)
        }
    }

    private static func receive<T: Transport & ~Copyable>(
        into engine: inout Engine<Server>, from transport: inout T, timeoutMilliseconds: Int
    ) throws(TLSError) -> Int {
        var room = engine.incomingRoom()
        return try transport.receive(into: &room, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// After close_notify: reads and drops what the client still sends until it closes, at
    /// most `lingerMilliseconds` (hanging up at once could cut the last bytes off the line).
    private func linger<T: Transport & ~Copyable>(_ transport: inout T) {
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Clock.monotonicMilliseconds() + Int64(Self.lingerMilliseconds)
        while true {
            let left = deadline - Clock.monotonicMilliseconds()
            if left <= 0 { return }
            var span = buffer.mutableSpan
            guard let count = try? transport.receive(into: &span, timeoutMilliseconds: Int(left)), count > 0 else { return }
        }
    }
}
