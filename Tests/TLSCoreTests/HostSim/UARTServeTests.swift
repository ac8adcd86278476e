import Foundation
import Testing

/// `hostsim uart-serve`: the core as the TLS server behind the simulated UART (a gateway from
/// each accepted TCP client to a pty), against openssl s_client and the core's own client.
@Suite(.serialized) struct UARTServeTests {
    static let anchors = Fixtures.pki("ca-bundle.pem")
    static let server = ServeCommandTests.ecServer + ["--baud", "115200"]

    /// Runs `body` against `hostsim uart-serve ARGUMENTS`; then waits (bounded) for it to end
    /// by itself (--count) or stops it; returns its log and exit status.
    static func withUARTServer(_ arguments: [String], _ body: (TestServer) throws -> Void) throws -> (log: String, status: Int32?) {
        let server = try TestServer.startHostSimServer(arguments, command: "uart-serve")
        defer { server.stop() }
        try body(server)
        let deadline = Date().addingTimeInterval(15)
        while server.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!server.isRunning, "uart-serve still running 15 s after its last client")
        server.stop()
        return (server.output, server.exitStatus)
    }

    @Test func openSSLAndHostSimClientsGetTheAnswer() throws {
        let (log, status) = try Self.withUARTServer(Self.server + ["--count", "3"]) { server in
            for (version, suite) in [("-tls1_3", "TLS_AES_128_GCM_SHA256"), ("-tls1_2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")] {
                let text = try ServeCommandTests.sClientRun(server.port, [version])
                ServeCommandTests.expectAnswer(text, version: version == "-tls1_3" ? "TLS 1.3" : "TLS 1.2", suite: suite)
                #expect(text.contains("resumed: no\n"), "\(text)")
            }
            let run = try HostSimProcess.run(["connect", "127.0.0.1:\(server.port)", "--ca", Self.anchors,
                                              "--server-name", "localhost"], limit: 20)
            #expect(run.status == 0, "\(run.errors)")
            ServeCommandTests.expectAnswer(run.output, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256")
        }
        #expect(status == 0, "\(log)")
        #expect(log.components(separatedBy: "→ 200").count - 1 == 3, "\(log)")
    }

    /// Tickets through the line: the core's client resumes on its second connection.
    @Test func hostSimClientResumes() throws {
        let (log, status) = try Self.withUARTServer(Self.server + ["--count", "2", "--ticket-key", ServeCommandTests.ticketKey]) { server in
            let run = try HostSimProcess.run(["connect", "127.0.0.1:\(server.port)", "--ca", Self.anchors, "--server-name", "localhost",
                                              "--resume", "--repeat", "2"], limit: 30)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.errors.contains("1 of 2 handshakes resumed"), "\(run.errors)")
        }
        #expect(status == 0, "\(log)")
        #expect(log.contains("→ 200, resumed: ticket"), "\(log)")
    }

    /// A flipped byte on the line: the device's handshake ends in a typed error, the client
    /// fails, and uart-serve (--count 1) exits 1 with the reason, all bounded.
    @Test(arguments: ["up:flip@300", "down:flip@100", "up:truncate@200"])
    func faultEndsInTypedError(fault: String) throws {
        let start = Date()
        let (log, status) = try Self.withUARTServer(Self.server + ["--count", "1", "--fault", fault, "--timeout", "2000"]) { server in
            let text = try ServeCommandTests.sClientRun(server.port, ["-tls1_3"])
            #expect(!text.contains("HTTP/1.0 200"), "\(text)")
        }
        #expect(status == 1, "\(fault): \(String(describing: status)) \(log)")
        #expect(log.contains("handshake failed: "), "\(log)")
        #expect(log.contains("hostsim: 1 of 1 connections failed"), "\(log)")
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func badOptionsAreUsageErrors() throws {
        for extra in [["--count", "0"], ["--baud", "10"], ["--fault", "sideways@3"], ["--ticket-key", "00"]] {
            let run = try HostSimProcess.run(["uart-serve"] + ServeCommandTests.ecServer + extra, limit: 10)
            #expect(run.status == 2, "\(extra): \(run.status) \(run.errors)")
        }
    }
}
