import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// A pty, a gateway from its master to the server, and the device's end: the simulated UART
/// that `uart` and `demo` run the core over, in one process.
enum SimulatedUART {
    /// Connects the gateway to `host:port`, runs `device` with the slave's path while the
    /// gateway's threads run, then waits (bounded) for the gateway to close both sides.
    /// A server that cannot be reached is returned as the TLS error the connection gave.
    static func run<R>(
        host: String, port: UInt16, line: LineSettings, timeoutMilliseconds: Int,
        log: @escaping (String) -> Void = { print("gateway: \($0)", to: &standardError) },
        device: (_ path: String, _ gateway: Gateway) -> Result<R, TLSError>
    ) throws -> (result: Result<R, TLSError>, gatewayEnd: String, counts: Gateway.Counters) {
        let socket: Int32
        do {
            socket = try Gateway.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            return (.failure(error), "no server", Gateway.Counters())
        }
        return try run(socket: socket, line: line, log: log, device: device)
    }

    /// The same over a connected `socket` (owned from now on): for `uart-serve`, a client
    /// the listener accepted.
    static func run<R>(
        socket: Int32, socketName: String = "server", line: LineSettings,
        log: @escaping (String) -> Void = { print("gateway: \($0)", to: &standardError) },
        device: (_ path: String, _ gateway: Gateway) -> Result<R, TLSError>
    ) throws -> (result: Result<R, TLSError>, gatewayEnd: String, counts: Gateway.Counters) {
        let pty: PseudoTerminal
        do {
            pty = try PseudoTerminal.open()
        } catch {
            close(socket)
            throw error
        }
        let gateway = Gateway(device: pty.master, holding: pty.slave, server: socket, settings: line)
        gateway.log = log
        gateway.socketName = socketName
        gateway.start()
        let result = device(pty.path, gateway)
        // The device has closed its end; without the gateway's own hold the master now
        // reads the hang-up and the gateway winds down.
        gateway.releaseSlave()
        let end = gateway.wait(timeoutMilliseconds: 5000)
        return (result, end, gateway.counts)
    }

    /// The device's transport on the slave: raw 8N1, at the line's speed when termios has a
    /// constant for it (a pty ignores it; the gateway does the pacing).
    static func openDevice(_ path: String, baud: Int) throws(TLSError) -> TTYTransport {
        let speed: Int? = TTYTransport.speed(forBaud: baud) == nil ? nil : baud
        return try TTYTransport(path: Array(path.utf8).span, baud: speed)
    }
}

/// `hostsim uart`: the gateway (threads) and the core as the device (over `TTYTransport` on
/// the pty's slave) in one process, end to end.
struct UART: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uart",
        abstract: "Runs the core over a simulated UART (pty + gateway) to HOST:PORT: handshake, request, response.",
        discussion: """
            Exit status: 0 success, 1 TLS failure (the reason names the error and alert) or a \
            response that ended without close_notify (see --allow-missing-close-notify), 2 usage errors.
            """
    )

    @Option(help: "The server, HOST:PORT.") var server: String
    @OptionGroup var line: LineOptions
    @OptionGroup var options: ClientOptions

    func run() throws {
        let (host, port) = try ClientOptions.split(server)
        let setup = try options.load(host: host)
        var session = setup.loadSession()
        let settings = try line.settings()
        signal(SIGPIPE, SIG_IGN)
        let outcome: (result: Result<ClientSession.Outcome, TLSError>, gatewayEnd: String, counts: Gateway.Counters)
        do {
            outcome = try SimulatedUART.run(
                host: host, port: port, line: settings, timeoutMilliseconds: options.timeoutMilliseconds
            ) { path, gateway in
                setup.withConfiguration(session: &session) { configuration in
                    Result { () throws(TLSError) -> ClientSession.Outcome in
                        let transport = try SimulatedUART.openDevice(path, baud: settings.baud)
                        gateway.releaseSlave()
                        return try ClientSession.run(configuration: configuration, transport: transport, options: options)
                    }
                }
            }
        } catch let failure as GatewayFailure {
            print("hostsim: \(failure)", to: &standardError)
            throw ExitCode(1)
        }
        setup.saveSession(session)
        if options.trace {
            print("gateway: \(outcome.gatewayEnd); line bytes: \(outcome.counts.delivered[.up]!) device → server, \(outcome.counts.delivered[.down]!) server → device",
                  to: &standardError)
        }
        try ClientSession.report(outcome.result, options: options)
    }
}

/// `hostsim gateway`: the serial-to-TCP bridge on its own, for a device in another process
/// (or on a board at the end of a real serial line); with `--offload`, the gateway runs TLS
/// for several plain-text devices (OffloadGateway.swift).
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Bridges a pty (--pty, its path printed as `pty: PATH`) or a tty (--tty PATH) to a TCP server; with --offload, runs TLS for each line.",
        discussion: """
            Paces each direction at the baud rate (8N1), adds latency, injects faults, and ends \
            when either side closes. Exit status: 0 after a close, 1 when the server cannot be \
            reached or the line fails, 2 usage errors. With --offload: the devices speak plain \
            bytes, --pty may be repeated (one line each) and --tty too; lines are numbered from \
            1, the ptys first, then the ttys in order; one TLS client per line, all in one poll \
            loop; exit 0 when every line ended cleanly, 1 when any failed.
            """
    )

    @Flag(help: "Create a pseudo-terminal pair and bridge its master; the device opens the printed slave path (repeatable with --offload).")
    var pty: Int
    @Option(help: "Bridge an existing serial device, e.g. /dev/ttyUSB0 (repeatable with --offload).") var tty: [String] = []
    @Option(help: "The server, HOST:PORT.") var server: String
    @OptionGroup var line: LineOptions
    @Option(help: "Longest wait to connect to the server (--offload: to connect and handshake), in seconds.") var timeout: Double = 10
    @Option(help: "End after this many seconds with no byte either way.") var idle: Double = 120

    @Flag(help: "Offload TLS: each device speaks plain bytes; the gateway is the TLS client for each line.")
    var offload = false
    @Option(help: "--offload: trust anchors (PEM or DER certificates).") var ca: String?
    @Option(help: "--offload: client certificate chain for every line (see --device-cert).") var cert: String?
    @Option(help: "--offload: the client certificate's private key for every line.") var key: String?
    @Option(name: .customLong("device-cert"), help: "--offload: LINE:FILE, line LINE's own client chain (overrides --cert); repeatable.")
    var deviceCerts: [String] = []
    @Option(name: .customLong("device-key"), help: "--offload: LINE:FILE, line LINE's own key (with --device-cert); repeatable.")
    var deviceKeys: [String] = []
    @Option(name: .customLong("line-fault"), help: "--offload: LINE:SPEC, a fault (as --fault) on line LINE only; repeatable. --fault applies to every line.")
    var lineFaults: [String] = []
    @Option(help: "--offload: name to send as SNI and to match in the certificate (default: HOST unless it is an IP address).")
    var serverName: String?
    @Option(help: "--offload: offer this version, 1.2 or 1.3; repeat for both (default both).") var tls: [String] = []
    @Option(help: "--offload: offer this suite (IANA name); repeatable.") var suite: [String] = []
    @Option(help: "--offload: offer this group; repeatable.") var group: [String] = []
    @Option(help: "--offload: offer this ALPN protocol; repeatable.") var alpn: [String] = []
    @Option(help: "--offload: a CRL to check the server's chain against; repeatable.") var crl: [String] = []
    @Option(help: "--offload: validation time, RFC 3339 or Unix seconds (default now).") var time: String?
    @Option(help: "--offload: append the NSS key log lines to this file.") var keylog: String?
    @Flag(help: "--offload: print each line's handshake steps and its negotiated parameters.") var trace = false

    func validate() throws {
        if offload {
            if pty + tty.count < 1 { throw ValidationError("--offload needs at least one --pty or --tty PATH") }
            if pty + tty.count > 64 { throw ValidationError("--offload takes at most 64 lines") }
            if ca == nil { throw ValidationError("--offload needs --ca FILE") }
        } else {
            if pty + tty.count != 1 { throw ValidationError("give exactly one of --pty and --tty PATH (several only with --offload)") }
            let offloadOnly = ca != nil || cert != nil || key != nil || !deviceCerts.isEmpty || !deviceKeys.isEmpty
                || !lineFaults.isEmpty || serverName != nil || !tls.isEmpty || !suite.isEmpty || !group.isEmpty
                || !alpn.isEmpty || !crl.isEmpty || time != nil || keylog != nil || trace
            if offloadOnly { throw ValidationError("the TLS options (--ca, --cert, --trace, ...) need --offload") }
        }
    }

    /// `LINE:VALUE` options, by line number (1...lines); a line named twice is a usage error.
    static func perLine(_ values: [String], option: String, lines: Int) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for value in values {
            guard let colon = value.firstIndex(of: ":"), let number = Int(value[..<colon]), (1...lines).contains(number) else {
                throw ValidationError("\(option) wants LINE:VALUE with LINE from 1 to \(lines), got \(value)")
            }
            result[number, default: ""] += (result[number] == nil ? "" : "\n") + String(value[value.index(after: colon)...])
        }
        return result
    }

    /// The offload gateway: a client setup per line from the same options `connect` takes.
    func runOffload() throws {
        let (host, port) = try ClientOptions.split(server)
        let base = try line.settings()
        let count = pty + tty.count
        let certs = try Self.perLine(deviceCerts, option: "--device-cert", lines: count)
        let keys = try Self.perLine(deviceKeys, option: "--device-key", lines: count)
        let faults = try Self.perLine(lineFaults, option: "--line-fault", lines: count)
        if certs.values.contains(where: { $0.contains("\n") }) || keys.values.contains(where: { $0.contains("\n") }) {
            throw ValidationError("--device-cert and --device-key name each line once")
        }
        guard Set(certs.keys) == Set(keys.keys) else { throw ValidationError("each --device-cert needs a --device-key for its line") }
        var common = ["--ca", ca!, "--timeout", String(timeout)]
        if let serverName { common += ["--server-name", serverName] }
        for (flag, values) in [("--tls", tls), ("--suite", suite), ("--group", group), ("--alpn", alpn), ("--crl", crl)] {
            for value in values { common += [flag, value] }
        }
        if let time { common += ["--time", time] }
        if let keylog { common += ["--keylog", keylog] }
        var setups: [ClientSetup] = []
        var settings: [LineSettings] = []
        for number in 1...count {
            var arguments = common
            if let file = certs[number], let keyFile = keys[number] {
                arguments += ["--cert", file, "--key", keyFile]
            } else if let cert {
                arguments += ["--cert", cert] + (key.map { ["--key", $0] } ?? [])
            }
            let options = try ClientOptions.parse(arguments)
            setups.append(try options.load(host: host))
            var lineSettings = base
            lineSettings.seed = base.seed &+ UInt64(number - 1)
            for spec in (faults[number] ?? "").split(separator: "\n") {
                lineSettings.faults.append(try LineFault(parsing: String(spec)))
            }
            settings.append(lineSettings)
        }
        signal(SIGPIPE, SIG_IGN)
        var specs: [OffloadGateway.LineSpec] = []
        func closeAll() {
            for spec in specs {
                close(spec.device)
                if spec.hold >= 0 { close(spec.hold) }
            }
        }
        for index in 0..<count {
            if index < pty {
                let pair: PseudoTerminal
                do { pair = try PseudoTerminal.open() } catch {
                    closeAll()
                    throw error
                }
                specs.append(.init(device: pair.master, hold: pair.slave, path: pair.path, setup: setups[index], settings: settings[index]))
            } else {
                let path = tty[index - pty]
                do {
                    let transport = try SimulatedUART.openDevice(path, baud: base.baud)
                    let device = fcntl(transport.fileDescriptor, F_DUPFD_CLOEXEC, 0)
                    specs.append(.init(device: device, hold: -1, path: nil, setup: setups[index], settings: settings[index]))
                } catch {
                    print("hostsim: cannot open \(path): \(error.summary)", to: &standardError)
                    closeAll()
                    throw ExitCode(1)
                }
            }
        }
        for spec in specs {
            if let path = spec.path { FileHandle.standardOutput.write(Data("pty: \(path)\n".utf8)) }
        }
        let clean = OffloadGateway.run(lines: specs, host: host, port: port, connectMilliseconds: max(1, Int(timeout * 1000)),
                                       idleMilliseconds: max(1, Int(idle * 1000)), trace: trace)
        if !clean { throw ExitCode(1) }
    }

    func run() throws {
        if offload { return try runOffload() }
        let (host, port) = try ClientOptions.split(server)
        let settings = try line.settings()
        signal(SIGPIPE, SIG_IGN)
        var device: Int32
        var hold: Int32 = -1
        var path: String?
        if pty == 1 {
            let pair = try PseudoTerminal.open()
            device = pair.master
            hold = pair.slave
            path = pair.path
        } else {
            do {
                let transport = try SimulatedUART.openDevice(tty[0], baud: settings.baud)
                device = fcntl(transport.fileDescriptor, F_DUPFD_CLOEXEC, 0)
            } catch {
                print("hostsim: cannot open \(tty[0]): \(error.summary)", to: &standardError)
                throw ExitCode(1)
            }
        }
        let socket: Int32
        do {
            socket = try Gateway.connect(host: host, port: port, timeoutMilliseconds: max(1, Int(timeout * 1000)))
        } catch {
            print("hostsim: cannot reach \(server): \(error.summary)", to: &standardError)
            close(device)
            if hold >= 0 { close(hold) }
            throw ExitCode(1)
        }
        let gateway = Gateway(device: device, holding: hold, server: socket, settings: settings)
        gateway.idleMilliseconds = max(1, Int(idle * 1000))
        if let path {
            // Unbuffered, so that whoever reads our stdout through a pipe sees it at once.
            FileHandle.standardOutput.write(Data("pty: \(path)\n".utf8))
        }
        let end = gateway.run()
        print("gateway: \(end)", to: &standardError)
        if end.contains("failed") { throw ExitCode(1) }
    }
}
