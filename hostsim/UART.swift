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
/// (or on a board at the end of a real serial line).
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Bridges a pty (--pty, its path printed as `pty: PATH`) or a tty (--tty PATH) to a TCP server.",
        discussion: """
            Paces each direction at the baud rate (8N1), adds latency, injects faults, and ends \
            when either side closes. Exit status: 0 after a close, 1 when the server cannot be \
            reached or the line fails, 2 usage errors.
            """
    )

    @Flag(help: "Create a pseudo-terminal pair and bridge its master; the device opens the printed slave path.")
    var pty = false
    @Option(help: "Bridge an existing serial device, e.g. /dev/ttyUSB0.") var tty: String?
    @Option(help: "The server, HOST:PORT.") var server: String
    @OptionGroup var line: LineOptions
    @Option(help: "Longest wait to connect to the server, in seconds.") var timeout: Double = 10
    @Option(help: "End after this many seconds with no byte either way.") var idle: Double = 120

    func validate() throws {
        if pty == (tty != nil) { throw ValidationError("give exactly one of --pty and --tty PATH") }
    }

    func run() throws {
        let (host, port) = try ClientOptions.split(server)
        let settings = try line.settings()
        signal(SIGPIPE, SIG_IGN)
        var device: Int32
        var hold: Int32 = -1
        var path: String?
        if pty {
            let pair = try PseudoTerminal.open()
            device = pair.master
            hold = pair.slave
            path = pair.path
        } else {
            do {
                let transport = try SimulatedUART.openDevice(tty!, baud: settings.baud)
                device = fcntl(transport.fileDescriptor, F_DUPFD_CLOEXEC, 0)
            } catch {
                print("hostsim: cannot open \(tty!): \(error.summary)", to: &standardError)
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
