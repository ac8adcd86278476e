import Foundation
import TLSCore
import TLSPlatform

/// Paths of the committed test fixtures, found from this source file so that tests do not
/// depend on the working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // TLSCoreTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// `Tests/Fixtures/pki/<name>`, e.g. `pki("server-ec.crt")`.
    static func pki(_ name: String) -> String {
        root.appendingPathComponent("pki").appendingPathComponent(name).path
    }
}

/// A real TLS server (`openssl s_server` or `gnutls-serv`) on 127.0.0.1 at an ephemeral port,
/// alive for the duration of one `with…` call and stopped when it returns or throws.
///
///     try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec",
///                                                            chainIssuer: "int-ec")) { server in
///         var transport = try TCPTransport(host: ..., port: server.port, ...)
///         ...
///     }
///
/// The server's stdout and stderr go to one log, readable while it runs and after it stopped
/// (`output`), e.g. to see which alert it logged.
final class TestServer: @unchecked Sendable {
    /// Stands for the port in arguments: `-accept 127.0.0.1:{PORT}` for s_server, `-p {PORT}`
    /// for gnutls-serv. Without it the helper adds the port option itself.
    static let portPlaceholder = "{PORT}"
    /// How long a server has to start listening.
    static let startTimeout: TimeInterval = 10
    /// How long SIGTERM has before SIGKILL follows.
    static let stopGracePeriod: TimeInterval = 3

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The TCP port it listens on; connect to 127.0.0.1.
    let port: UInt16
    /// The server process's id; after the `with…` call returns it no longer exists.
    let processIdentifier: Int32
    /// The executable and arguments it was started with, for failure messages.
    let commandLine: String

    private let process: Process
    private let input: Pipe
    private let logURL: URL
    private let lock = NSLock()
    private var finalOutput: String?

    private init(process: Process, input: Pipe, logURL: URL, port: UInt16, commandLine: String) {
        self.process = process
        self.input = input
        self.logURL = logURL
        self.port = port
        self.processIdentifier = process.processIdentifier
        self.commandLine = commandLine
    }

    deinit { stop() }

    /// Everything the server wrote to stdout and stderr so far (all of it once stopped).
    var output: String {
        lock.lock()
        defer { lock.unlock() }
        if let finalOutput { return finalOutput }
        return Self.read(logURL)
    }

    /// Writes `text` to the server's standard input (s_server's commands: "r" renegotiates).
    func type(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Whether the process still runs.
    var isRunning: Bool { process.isRunning }

    /// After `stop`: the signal that ended the server (SIGTERM normally, SIGKILL if it ignored
    /// SIGTERM), or nil when it exited by itself (gnutls-serv catches SIGTERM and exits).
    var terminatingSignal: Int32? {
        process.isRunning || process.terminationReason != .uncaughtSignal ? nil : process.terminationStatus
    }

    // MARK: Running a server for the duration of a closure

    /// Runs `openssl s_server` with `arguments` (everything after `s_server`) for the duration
    /// of `body`. The port comes from the kernel: `{PORT}` is replaced by 0 and the helper
    /// reads the port from s_server's `ACCEPT host:port` line, so no other test can take it.
    static func withOpenSSL<R>(_ arguments: [String], body: (TestServer) throws -> R) throws -> R {
        let server = try startOpenSSL(arguments)
        defer { server.stop() }
        return try body(server)
    }

    /// Runs `gnutls-serv` with `arguments` (which must include `--http` or `--echo`) for the
    /// duration of `body`. gnutls-serv cannot bind port 0 and report it, so the helper picks a
    /// free port, and tries another if the server could not bind it after all.
    static func withGnuTLS<R>(_ arguments: [String], body: (TestServer) throws -> R) throws -> R {
        let server = try startGnuTLS(arguments)
        defer { server.stop() }
        return try body(server)
    }

    /// Starts `hostsim serve --listen 127.0.0.1:0` (or `command`: `uart-serve`) with
    /// `arguments`; the port comes from its `listening on 127.0.0.1:PORT` line. The caller
    /// stops it (`stop()`, then `exitStatus`).
    static func startHostSimServer(_ arguments: [String], command: String = "serve") throws -> TestServer {
        guard let binary = HostSimProcess.binary else {
            throw Failure(description: "hostsim binary not found; build it with swift build --build-tests")
        }
        let started = try launch(binary, [command, "--listen", "127.0.0.1:0"] + arguments)
        return try started.listening(lineStarting: "listening on 127.0.0.1:")
    }

    /// After `stop`: the exit status when the server exited by itself (nil while it runs or
    /// when a signal ended it).
    var exitStatus: Int32? {
        process.isRunning || process.terminationReason != .exit ? nil : process.terminationStatus
    }

    // MARK: Argument presets

    /// s_server arguments for a TLS 1.2 server with the fixture `certificate` (`NAME.crt`),
    /// its key (`key` or `certificate`, `.key`), the issuer to send after it (`ISSUER.crt`;
    /// s_server's `-cert` reads only the first certificate of a file), an optional OpenSSL
    /// cipher string, extra options, and the service (`-www` or `-rev`).
    static func openSSLArguments(
        certificate: String,
        key: String? = nil,
        chainIssuer: String? = nil,
        cipher: String? = nil,
        extra: [String] = [],
        service: String = "-www"
    ) -> [String] {
        var arguments = ["-accept", "127.0.0.1:\(portPlaceholder)", "-tls1_2",
                         "-cert", Fixtures.pki("\(certificate).crt")]
        if let chainIssuer { arguments += ["-cert_chain", Fixtures.pki("\(chainIssuer).crt")] }
        arguments += ["-key", Fixtures.pki("\(key ?? certificate).key")]
        if let cipher { arguments += ["-cipher", cipher] }
        return arguments + extra + [service]
    }

    /// gnutls-serv arguments for the fixture `certificate` (its whole `NAME.chain.pem` is
    /// sent), its key, an optional priority string (see `gnuTLSPriority`), extra options and
    /// the service (`--http` or `--echo`).
    static func gnuTLSArguments(
        certificate: String,
        key: String? = nil,
        priority: String? = nil,
        extra: [String] = [],
        service: String = "--http"
    ) -> [String] {
        var arguments = [service, "-p", portPlaceholder,
                         "--x509certfile", Fixtures.pki("\(certificate).chain.pem"),
                         "--x509keyfile", Fixtures.pki("\(key ?? certificate).key")]
        if let priority { arguments += ["--priority", priority] }
        return arguments + extra
    }

    /// A GnuTLS priority string allowing exactly one version, key exchange, cipher and MAC,
    /// e.g. `gnuTLSPriority(keyExchange: "ECDHE-ECDSA", cipher: "AES-128-GCM")` or
    /// `gnuTLSPriority(keyExchange: "RSA", cipher: "AES-128-CBC", mac: "SHA256")`.
    static func gnuTLSPriority(
        keyExchange: String,
        cipher: String,
        mac: String = "AEAD",
        version: String = "VERS-TLS1.2",
        groups: String = "GROUP-ALL",
        signatures: String = "SIGN-ALL"
    ) -> String {
        "NONE:+\(version):+\(keyExchange):+\(cipher):+\(mac):+\(signatures):+\(groups):+COMP-NULL:+CTYPE-X509"
    }

    // MARK: Starting

    private static func startOpenSSL(_ arguments: [String]) throws -> TestServer {
        var arguments = arguments
        if !arguments.contains(where: { $0.contains(portPlaceholder) }) && !arguments.contains("-accept") {
            arguments = ["-accept", "127.0.0.1:\(portPlaceholder)"] + arguments
        }
        arguments = arguments.map { $0.replacingOccurrences(of: portPlaceholder, with: "0") }
        let started = try launch(executable: "openssl", ["s_server"] + arguments)
        // "ACCEPT 127.0.0.1:40323" once it listens.
        return try started.listening(lineStarting: "ACCEPT ")
    }

    private static func startGnuTLS(_ arguments: [String]) throws -> TestServer {
        var lastFailure = Failure(description: "gnutls-serv did not start")
        for _ in 0..<5 {
            let port = try freePort()
            var concrete = arguments
            if !concrete.contains(where: { $0.contains(portPlaceholder) }) {
                concrete = ["-p", portPlaceholder] + concrete
            }
            concrete = concrete.map { $0.replacingOccurrences(of: portPlaceholder, with: String(port)) }
            let started = try launch(executable: "gnutls-serv", concrete)
            do {
                _ = try started.waitUntilReady { output in
                    // gnutls-serv reports each listening socket on stderr (unbuffered):
                    // "HTTP Server listening on IPv4 0.0.0.0 port N...done", or "...bind() failed"
                    // when the port was taken after freePort released it.
                    if output.contains("bind() failed") || output.contains("Address already in use") {
                        return .portTaken
                    }
                    if output.contains("IPv4 0.0.0.0 port \(port)...done") {
                        return canConnect(port: port) ? .ready(port) : .waiting
                    }
                    return .waiting
                }
                return TestServer(process: started.process, input: started.input, logURL: started.logURL,
                                  port: port, commandLine: started.commandLine)
            } catch let failure as PortTaken {
                started.abandon()
                lastFailure = Failure(description: "port \(port) was taken: \(failure.output)")
            } catch {
                started.abandon()
                throw error
            }
        }
        throw lastFailure
    }

    private enum Readiness {
        case waiting
        case ready(UInt16)
        case portTaken
    }

    private struct PortTaken: Error {
        let output: String
    }

    /// A launched process that is not yet known to listen.
    private struct Launched {
        let process: Process
        let input: Pipe
        let logURL: URL
        let commandLine: String

        func waitUntilReady(_ check: (String) -> Readiness) throws -> UInt16 {
            let deadline = Date().addingTimeInterval(TestServer.startTimeout)
            while true {
                let output = TestServer.read(logURL)
                switch check(output) {
                case .ready(let port): return port
                case .portTaken: throw PortTaken(output: output)
                case .waiting: break
                }
                if !process.isRunning {
                    let finalOutput = TestServer.read(logURL)
                    if finalOutput.contains("Address already in use") { throw PortTaken(output: finalOutput) }
                    throw Failure(description: "\(commandLine) exited with status \(process.terminationStatus) before listening:\n\(finalOutput)")
                }
                if Date() > deadline {
                    throw Failure(description: "\(commandLine) did not listen within \(TestServer.startTimeout) s:\n\(output)")
                }
                usleep(20_000)
            }
        }

        /// The server, once it printed a line starting with `prefix` and ending in `:PORT`.
        func listening(lineStarting prefix: String) throws -> TestServer {
            do {
                let port = try waitUntilReady { output in
                    for line in output.split(whereSeparator: \.isNewline) where line.hasPrefix(prefix) {
                        if let colon = line.lastIndex(of: ":"), let port = UInt16(line[line.index(after: colon)...]) {
                            return .ready(port)
                        }
                    }
                    return .waiting
                }
                return TestServer(process: process, input: input, logURL: logURL, port: port, commandLine: commandLine)
            } catch {
                abandon()
                throw error
            }
        }

        /// Stops a process that never became a `TestServer`.
        func abandon() {
            TestServer.terminate(process)
            try? input.fileHandleForWriting.close()
            try? FileManager.default.removeItem(at: logURL)
        }
    }

    private static func launch(executable name: String, _ arguments: [String]) throws -> Launched {
        guard let executable = findExecutable(name) else {
            throw Failure(description: "\(name) is not installed (scripts/setup.sh installs it)")
        }
        return try launch(executable, arguments)
    }

    private static func launch(_ executable: URL, _ arguments: [String]) throws -> Launched {
        let name = executable.lastPathComponent
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("tlscore-\(name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw Failure(description: "cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let input = Pipe()  // held open and never written: s_server reads commands from stdin
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        // Test threads (libdispatch workers) block most signals, and a spawned process inherits
        // the mask: SIGTERM would then never reach the server. Spawn with nothing blocked.
        var unblocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        try? input.fileHandleForReading.close()
        let commandLine = ([executable.path] + arguments).joined(separator: " ")
        return Launched(process: process, input: input, logURL: logURL, commandLine: commandLine)
    }

    // MARK: Stopping

    /// SIGTERM, then SIGKILL after the grace period; returns once the process is reaped.
    /// Safe to call more than once.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        if finalOutput != nil { return }
        Self.terminate(process)
        try? input.fileHandleForWriting.close()
        finalOutput = Self.read(logURL)
        try? FileManager.default.removeItem(at: logURL)
    }

    private static func terminate(_ process: Process) {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(stopGracePeriod)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
    }

    // MARK: Helpers

    private static func read(_ url: URL) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// A port that was free on all IPv4 addresses a moment ago (gnutls-serv binds 0.0.0.0).
    private static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else { throw Failure(description: "bind: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether 127.0.0.1:`port` accepts a TCP connection (closed again at once).
    private static func canConnect(port: UInt16) -> Bool {
        let host = Array("127.0.0.1".utf8)
        do {
            _ = try TCPTransport(host: host.span, port: port, timeoutMilliseconds: 1000)
            return true
        } catch {
            return false
        }
    }
}
