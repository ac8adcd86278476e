import Foundation
import Testing

/// A response that ends without close_notify is reported: `connect`, `uart` and `demo` exit 1
/// with one line saying so (the response is still printed), unless
/// --allow-missing-close-notify is given. The peer is a real `openssl s_server -www` behind
/// a `RecordRelay` cutting at the server's first alert, which removes the server's close_notify and ends TCP with a FIN, or
/// (for the demo, whose server is its own) a line fault on the close_notify record.
@Suite struct HostSimTruncationTests {
    static let message = "hostsim: connection closed without close_notify: the response may be truncated"
    static let server = TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")
    static let client = ["--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost", "--time", "1893456000"]

    /// Runs `body` with a relay in front of an s_server -www; both are stopped after it.
    func withTruncatingServer<R>(_ body: (RecordRelay) throws -> R) throws -> R {
        try TestServer.withOpenSSL(Self.server) { server in
            try RecordRelay.with(upstream: server.port, serverToClient: RecordRelay.cutAtFirstAlert, body: body)
        }
    }

    /// The whole -www page arrived: its first line and its last.
    func expectWholeResponse(_ run: HostSimProcess.Run, _ label: String) {
        #expect(run.output.hasPrefix("HTTP/1.0 200 ok"), "\(label): \(run.output.prefix(80))")
        #expect(run.output.contains("</BODY></HTML>"), "\(label): the response is not whole")
    }

    @Test func connectReportsAResponseWithoutCloseNotify() throws {
        try withTruncatingServer { relay in
            let target = "127.0.0.1:\(relay.port)"
            var run = try HostSimProcess.run(["connect", target, "--trace"] + Self.client)
            #expect(run.exited)
            #expect(run.status == 1, "\(run.errors)")
            expectWholeResponse(run, "connect")
            #expect(run.errors.contains("⑩ ← application data"))
            #expect(run.errors.contains(", then the connection closed without close_notify"))
            #expect(run.errors.split(separator: "\n").last.map(String.init) == Self.message, "\(run.errors)")
            #expect(relay.ends == 1, "the relay did not remove a close_notify")

            // --quiet prints no response but still fails, whichever of the runs was cut.
            run = try HostSimProcess.run(["connect", target, "--quiet", "--repeat", "2"] + Self.client)
            #expect(run.status == 1, "\(run.errors)")
            #expect(run.output.isEmpty)
            #expect(run.errors.contains(Self.message), "\(run.errors)")

            // Opted in: the same ending is accepted.
            run = try HostSimProcess.run(["connect", target, "--allow-missing-close-notify"] + Self.client)
            #expect(run.status == 0, "\(run.errors)")
            expectWholeResponse(run, "connect --allow-missing-close-notify")
            #expect(!run.errors.contains("close_notify"), "\(run.errors)")
            #expect(relay.ends == 4)
        }
    }

    /// Through the gateway: the relay's FIN reaches the gateway, which lets the device read
    /// what was delivered (its linger) and then hangs up the pty: end of stream on the line.
    @Test func uartReportsAResponseWithoutCloseNotify() throws {
        try withTruncatingServer { relay in
            let uart = ["uart", "--server", "127.0.0.1:\(relay.port)"] + Self.client
            var run = try HostSimProcess.run(uart)
            #expect(run.exited)
            #expect(run.status == 1, "\(run.errors)")
            expectWholeResponse(run, "uart")
            #expect(run.errors.split(separator: "\n").last.map(String.init) == Self.message, "\(run.errors)")
            #expect(relay.ends == 1)

            run = try HostSimProcess.run(uart + ["--allow-missing-close-notify"])
            #expect(run.status == 0, "\(run.errors)")
            expectWholeResponse(run, "uart --allow-missing-close-notify")
            #expect(relay.ends == 2)
        }
    }

    /// The demo's own s_server sends close_notify (and then waits for the device's before it
    /// closes TCP), so here the line is cut instead: `truncate@3500` ends the server's stream
    /// inside its response, after the handshake (about 1.3 KB) and well before the response's
    /// end (about 5.6 KB), and the gateway hangs up the pty. How much of the response the
    /// device reads before the hang-up varies; that the ending is reported does not.
    @Test func demoReportsAResponseCutOnTheLine() throws {
        let demo = ["demo", "--timeout", "5"]
        let fault = ["--fault", "down:truncate@3500"]
        var run = try HostSimProcess.run(demo + fault)
        #expect(run.exited)
        #expect(run.status == 1, "\(run.errors)")
        #expect(run.output.contains("handshake complete"), "\(run.output)")
        #expect(run.output.contains("gateway: down: injected truncate at byte 3500"), "\(run.output)")
        #expect(run.output.contains(", then the connection closed without close_notify"), "\(run.output)")
        #expect(run.output.contains(Self.message))
        #expect(run.errors.trimmingCharacters(in: .newlines) == Self.message, "\(run.errors)")
        #expect(!UARTSimulatorTests.demoServerAlive(run.output))

        run = try HostSimProcess.run(demo + fault + ["--allow-missing-close-notify"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains(", then the connection closed without close_notify"))
        #expect(!run.output.contains(Self.message))
        #expect(!UARTSimulatorTests.demoServerAlive(run.output))
    }
}
