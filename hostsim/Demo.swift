import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// `hostsim demo`: the README's main command. An `openssl s_server` on loopback with the
/// committed test PKI, the core as a device on a simulated UART through the gateway, the
/// handshake's steps as they happen, and what it cost on the line and in RAM.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "TLS 1.3 (or 1.2, --tls 1.2) through the core over a simulated UART to openssl s_server, step by step.",
        discussion: """
            Exit status: 0 success, 1 TLS failure (the typed reason is printed) or a response that \
            ended without close_notify (see --allow-missing-close-notify), 2 usage errors.
            """
    )

    @OptionGroup var line: LineOptions
    @Option(help: "Offer this suite (IANA name); repeatable. A TLS_RSA_ or ECDHE_RSA suite uses the RSA server certificate.")
    var suite: [String] = []
    @Option(help: "Request max_fragment_length: 512, 1024, 2048 or 4096.") var maxFragment: Int?
    @Option(help: "Offer this version: 1.2 or 1.3; repeatable (default: both; the demo's server speaks both and picks 1.3).")
    var tls: [String] = []
    @Option(help: "Offer this group (x25519, secp256r1, secp384r1); repeatable, the first gets the key share.")
    var group: [String] = []
    @Option(help: "The test PKI folder (default: Tests/Fixtures/pki of this source tree).") var fixtures: String?
    @Option(help: "Longest wait for any one read or write, in seconds.") var timeout: Double = 10
    @Option(help: "Application data to send after the handshake.") var request: String = "GET / HTTP/1.0\r\n\r\n"
    @Option(help: "How many lines of the response to show.") var lines: Int = 6
    @Flag(help: ArgumentHelp(
        "Accept a response that ends without close_notify (exit 0, not 1).",
        discussion: "The demo's s_server sends close_notify; a line fault can keep it from the device. Without close_notify nothing tells a complete response from one cut short on the way (a truncation attack), so by default that ending is reported as a failure."))
    var allowMissingCloseNotify = false
    @Flag(help: "Then a second connection that resumes the first one's session (a TLS 1.3 ticket, or a TLS 1.2 ticket with --tls 1.2), with both handshake times side by side.")
    var resume = false
    @Option(help: "Session file, as connect's: loaded when present and valid, rewritten after the exchange (a device's flash across reboots). Each demo starts a new s_server with new ticket keys, so a file from an earlier run is offered and declined: the fallback to a full handshake.")
    var session: String?

    static var defaultFixtures: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // hostsim
            .deletingLastPathComponent()  // repository
            .appendingPathComponent("Tests/Fixtures/pki").path
    }

    func run() throws {
        let settings = try line.settings()
        let folder = fixtures ?? Self.defaultFixtures
        func fixture(_ name: String) throws -> String {
            let path = (folder as NSString).appendingPathComponent(name)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("missing fixture \(path) (see --fixtures)")
            }
            return path
        }
        let usesRSA = suite.contains { $0.contains("_RSA_") }
        var arguments = ["--ca", try fixture(usesRSA ? "ca-bundle.pem" : "root-ec.crt"),
                         "--timeout", String(timeout), "--request", request]
        for name in suite { arguments += ["--suite", name] }
        if let maxFragment { arguments += ["--max-fragment", String(maxFragment)] }
        for version in tls { arguments += ["--tls", version] }
        for name in group { arguments += ["--group", name] }
        if allowMissingCloseNotify { arguments.append("--allow-missing-close-notify") }
        if resume { arguments.append("--resume") }
        if let session { arguments += ["--session", session] }
        let options = try ClientOptions.parse(arguments)
        let setup = try options.load(host: "127.0.0.1")

        var serverArguments = ["-accept", "127.0.0.1:0",
                               "-cert", try fixture("server-ec.crt"), "-cert_chain", try fixture("int-ec.crt"),
                               "-key", try fixture("server-ec.key")]
        if usesRSA {
            serverArguments += ["-dcert", try fixture("server-rsa.crt"), "-dcert_chain", try fixture("int-rsa.crt"),
                                "-dkey", try fixture("server-rsa.key")]
        }
        serverArguments.append("-www")

        signal(SIGPIPE, SIG_IGN)
        let server: DemoServer
        do {
            server = try DemoServer.start(serverArguments)
        } catch {
            print("hostsim: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        defer { server.stop() }
        let interrupts = DemoServer.stopOnSignals(server)
        defer { interrupts.forEach { $0.cancel() } }

        let bytesPerSecond = settings.bytesPerSecond
        print("hostsim demo: \(tls == ["1.2"] ? "TLS 1.2" : tls == ["1.3"] ? "TLS 1.3" : "TLS 1.3 and 1.2 offered") through the core over a simulated UART")
        print("  server  openssl s_server on 127.0.0.1:\(server.port) (pid \(server.processIdentifier)): server-ec via int-ec\(usesRSA ? ", server-rsa via int-rsa" : "")")
        var lineDescription = "\(settings.baud) baud 8N1 (\(Int(bytesPerSecond)) bytes/s)"
        if settings.latencyMilliseconds > 0 { lineDescription += ", \(settings.latencyMilliseconds) ms latency" }
        if !settings.faults.isEmpty { lineDescription += ", faults: \(settings.faults.map(\.text).joined(separator: " "))" }
        print("  line    \(lineDescription)")

        var session = setup.loadSession()
        defer { setup.saveSession(session) }
        let first = try exchangeOverTheLine(
            server: server, settings: settings, options: options, setup: setup, session: &session)
        guard resume else { return }
        print("\n── a second connection, resuming the first one's session ──\n")
        let second = try exchangeOverTheLine(
            server: server, settings: settings, options: options, setup: setup, session: &session)
        let bytes = { (report: DemoReport) in report.handshakeSent + report.handshakeReceived }
        print("\nfull handshake    \(String(format: "%.3f s", first.handshakeSeconds)), \(bytes(first)) bytes on the line")
        print("resumed handshake \(String(format: "%.3f s", second.handshakeSeconds)), \(bytes(second)) bytes on the line\(second.resumed.map { " (resumed: \($0.name))" } ?? " (not resumed)")")
    }

    /// One exchange through a fresh gateway and line, printed step by step, then its summary.
    private func exchangeOverTheLine(
        server: DemoServer, settings: LineSettings, options: ClientOptions, setup: ClientSetup, session: inout [UInt8]
    ) throws -> DemoReport {
        let clock = DemoClock()
        let meter = LineMeter(baud: settings.baud, clock: clock)
        var report = DemoReport()
        let outcome: (result: Result<DemoReport, TLSError>, gatewayEnd: String, counts: Gateway.Counters)
        do {
            outcome = try SimulatedUART.run(
                host: "127.0.0.1", port: server.port, line: settings, timeoutMilliseconds: options.timeoutMilliseconds,
                log: { print("  \(clock.stamp)     gateway: \($0)") }
            ) { path, gateway in
                print("  device  \(path) (raw 8N1) ⇄ gateway ⇄ TCP 127.0.0.1:\(server.port)\n")
                return setup.withConfiguration(session: &session) { configuration in
                    Result { () throws(TLSError) -> DemoReport in
                        let device = try SimulatedUART.openDevice(path, baud: settings.baud)
                        gateway.releaseSlave()
                        clock.reset()
                        try Self.exchange(configuration: configuration, transport: MeteredTransport(inner: device, meter: meter),
                                          options: options, meter: meter, clock: clock, report: &report)
                        return report
                    }
                }
            }
        } catch let failure as GatewayFailure {
            print("hostsim: \(failure)", to: &standardError)
            throw ExitCode(1)
        }

        switch outcome.result {
        case .failure(let error):
            print("\n  \(clock.stamp)  failed after \(byteCount(meter.sent)) sent, \(meter.received) received")
            print("hostsim: TLS failure: \(error.summary)")
            print("hostsim: TLS failure: \(error.summary)", to: &standardError)
            throw ExitCode(1)
        case .success(let report):
            printSummary(report, meter: meter, settings: settings)
            if !report.closedByNotify && !options.allowMissingCloseNotify {
                print("\nhostsim: \(ClientSession.truncationMessage)")
                print("hostsim: \(ClientSession.truncationMessage)", to: &standardError)
                throw ExitCode(1)
            }
            return report
        }
    }

    private func printSummary(_ report: DemoReport, meter: LineMeter, settings: LineSettings) {
        if let suite = report.suite {
            print("\n" + negotiatedLine(
                suite: suite, group: report.group, extendedMasterSecret: report.extendedMasterSecret, resumed: report.resumed))
        }
        let text = String(decoding: report.response, as: UTF8.self)
        let shown = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix(lines)
        print("\nresponse (\(byteCount(report.response.count))), first lines:")
        for line in shown { print("  | \(line)") }

        let handshakeBytes = report.handshakeSent + report.handshakeReceived
        let floor = Double(handshakeBytes) * 10 / Double(settings.baud)
        print("\nsummary")
        print("  bytes     device → server \(meter.sent), server → device \(meter.received) (handshake: \(report.handshakeSent) up, \(report.handshakeReceived) down)")
        print(String(format: "  handshake %.3f s; wire-time floor at %d baud %.3f s (%d bytes × 10 / %d)",
                     report.handshakeSeconds, settings.baud, floor, handshakeBytes, settings.baud))
        print(String(format: "  exchange  %.3f s in all", report.totalSeconds))
        let engine = MemoryLayout<ClientEngine>.size
        let total = report.inputRegion + report.outputRegion + report.reassemblyRegion + engine
        print("  RAM       input region \(report.inputRegion) + output region \(report.outputRegion) + reassembly \(report.reassemblyRegion) + ClientEngine state \(engine) = \(total) bytes")
        print("            (Mbed TLS's own heap for bignums and cipher contexts is not included)")
    }

    /// One exchange, like `ClientSession.run`, with each step stamped as it happens.
    private static func exchange(
        configuration: ClientConfiguration, transport: consuming MeteredTransport<TTYTransport>,
        options: ClientOptions, meter: LineMeter, clock: DemoClock, report: inout DemoReport
    ) throws(TLSError) {
        report.inputRegion = configuration.inputRegionSize
        report.outputRegion = configuration.outputRegionSize
        // The README's profiles: with 16 KB records every server message arrives whole and
        // is read in place, so the region only stages the client's own (1 KB); with
        // max_fragment_length the server's Certificate spans records (4 KB).
        report.reassemblyRegion = configuration.reassemblyRegionSize
        var input = [UInt8](repeating: 0, count: report.inputRegion)
        var output = [UInt8](repeating: 0, count: report.outputRegion)
        var reassembly = [UInt8](repeating: 0, count: report.reassemblyRegion)
        let random = try Random(entropy: SystemEntropy.source, personalization: Array("hostsim demo".utf8).span)
        let engine = try ClientEngine(
            configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
            reassembly: reassembly.mutableSpan, random: random)
        var connection = Connection(
            engine: engine, transport: transport, timeoutMilliseconds: options.timeoutMilliseconds,
            clock: { Clock.monotonicMilliseconds() })
        var resumed: Session.Kind? = nil
        try connection.handshake { event in
            if case .resumed(let kind) = event.kind { resumed = kind }
            print("  \(clock.stamp)  \(event.line)")
        }
        report.resumed = resumed
        report.handshakeSeconds = clock.seconds
        report.handshakeSent = meter.sent
        report.handshakeReceived = meter.received
        report.suite = connection.engine.negotiatedSuite
        report.group = connection.engine.negotiatedGroup
        report.extendedMasterSecret = connection.engine.usesExtendedMasterSecret
        print("  \(clock.stamp)     handshake complete")
        let request = Array(options.request.utf8)
        try connection.write(request.span)
        print("  \(clock.stamp)  ⑩ → application data (\(byteCount(request.count)))")
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var span = chunk.mutableSpan
            let count = try connection.read(into: &span)
            if count == 0 { break }
            report.response += chunk[0..<count]
        }
        // After close_notify the engine is closed; a line that just ended leaves it connected.
        report.closedByNotify = connection.engine.state.isClosed
        print("  \(clock.stamp)  ⑩ ← application data (\(byteCount(report.response.count)))\(ClientSession.closeNote(report.closedByNotify))")
        connection.close()
        report.totalSeconds = clock.seconds
    }
}

/// What the demo measured.
struct DemoReport {
    var suite: CipherSuite?
    var group: NamedGroup?
    var extendedMasterSecret = false
    var resumed: Session.Kind?
    var response: [UInt8] = []
    var closedByNotify = false
    var handshakeSeconds = 0.0
    var totalSeconds = 0.0
    var handshakeSent = 0
    var handshakeReceived = 0
    var inputRegion = 0
    var outputRegion = 0
    var reassemblyRegion = 0
}

/// Seconds since the exchange started, as "+1.234 s".
final class DemoClock: @unchecked Sendable {
    private var start = Gateway.now()
    func reset() { start = Gateway.now() }
    var seconds: Double { Double(Gateway.now() - start) / 1e9 }
    var stamp: String { String(format: "+%7.3f s", seconds) }
}

/// Counts the device's bytes each way and, for records that take a while on the line,
/// shows how much of the record being received has arrived (its header gives its length).
final class LineMeter: @unchecked Sendable {
    private(set) var sent = 0
    private(set) var received = 0
    private let baud: Int
    private let clock: DemoClock
    private var header = [UInt8]()
    private var recordLength = 0
    private var recordDone = 0
    private var nextQuarter = 1

    init(baud: Int, clock: DemoClock) {
        self.baud = baud
        self.clock = clock
    }

    func didSend(_ count: Int) { sent += count }

    func didReceive(_ bytes: Span<UInt8>) {
        received += bytes.count
        var index = 0
        while index < bytes.count {
            if header.count < 5 {
                header.append(bytes[index])
                index += 1
                if header.count == 5 {
                    recordLength = Int(header[3]) << 8 | Int(header[4])
                    recordDone = 0
                    nextQuarter = 1
                }
                continue
            }
            let take = min(recordLength - recordDone, bytes.count - index)
            recordDone += take
            index += take
            // Only records that need a second or more on the line are worth a progress line.
            if recordLength * 10 >= baud {
                while nextQuarter < 4 && recordDone * 4 >= recordLength * nextQuarter {
                    print("  \(clock.stamp)     … receiving a \(recordLength)-byte record: \(recordDone)/\(recordLength) bytes (\(nextQuarter * 25)%)")
                    nextQuarter += 1
                }
            }
            if recordDone >= recordLength { header.removeAll(keepingCapacity: true) }
        }
    }
}

/// The device's transport with the meter between it and the engine.
struct MeteredTransport<Inner: Transport & ~Copyable>: Transport, ~Copyable {
    var inner: Inner
    let meter: LineMeter

    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        let count = try inner.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
        meter.didSend(count)
        return count
    }

    mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        let count = try inner.receive(into: &buffer, timeoutMilliseconds: timeoutMilliseconds)
        if count > 0 { meter.didReceive(buffer.span.extracting(0..<count)) }
        return count
    }
}

/// The demo's `openssl s_server`, on an ephemeral loopback port, stopped on every way out.
final class DemoServer: @unchecked Sendable {
    let port: UInt16
    var processIdentifier: Int32 { process.processIdentifier }
    private let process: Process
    private let input: Pipe
    private let logURL: URL
    private let lock = NSLock()
    private var stopped = false

    private init(process: Process, input: Pipe, logURL: URL, port: UInt16) {
        self.process = process
        self.input = input
        self.logURL = logURL
        self.port = port
    }

    /// Starts `openssl s_server ARGUMENTS` and reads the port from its `ACCEPT 127.0.0.1:PORT`
    /// line, waiting at most 10 s.
    static func start(_ arguments: [String]) throws -> DemoServer {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("hostsim-demo-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw GatewayFailure("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let input = Pipe()  // held open: s_server reads commands from stdin and stops at its end
        let process = Process()
        guard let openssl = Self.findExecutable("openssl") else {
            throw GatewayFailure("openssl is not installed (scripts/setup.sh installs it)")
        }
        process.executableURL = openssl
        process.arguments = ["s_server"] + arguments
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        // Ignored and blocked signals stay so across exec (a test runner may block SIGTERM):
        // make sure the server can be stopped.
        signal(SIGTERM, SIG_DFL)
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &terminate, nil)
        try process.run()
        try? input.fileHandleForReading.close()
        let server = DemoServer(process: process, input: input, logURL: logURL, port: 0)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("ACCEPT ") {
                if let colon = line.lastIndex(of: ":"), let port = UInt16(line[line.index(after: colon)...]) {
                    return DemoServer(process: process, input: input, logURL: logURL, port: port)
                }
            }
            if !process.isRunning {
                server.stop()
                throw GatewayFailure("openssl s_server exited with status \(process.terminationStatus):\n\(text)")
            }
            usleep(20_000)
        }
        server.stop()
        throw GatewayFailure("openssl s_server did not listen within 10 s")
    }

    /// SIGTERM, SIGKILL after 3 s; returns once the process is gone. Safe to call twice.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        if stopped { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? input.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Ctrl-C or SIGTERM: stop the server, then exit with the signal's status.
    static func stopOnSignals(_ server: DemoServer) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                server.stop()
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    private static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
