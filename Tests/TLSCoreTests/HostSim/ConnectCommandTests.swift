import Foundation
import Testing

/// `hostsim connect`: the response on stdout, the seed's steps with --trace, a key log that
/// matches the server's own, and the exit statuses 0 / 1 / 2.
@Suite struct ConnectCommandTests {
    @Test func traceAndKeyLogMatchTheServer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("connect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let serverLog = folder.appendingPathComponent("server.keylog").path
        let clientLog = folder.appendingPathComponent("client.keylog").path
        let arguments = TestServer.openSSLArguments(
            certificate: "server-ec", chainIssuer: "int-ec", extra: ["-keylogfile", serverLog])
        let run = try TestServer.withOpenSSL(arguments) { server in
            try HostSimProcess.run([
                "connect", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost",
                "--time", "1893456000", "--trace", "--keylog", clientLog,
            ])
        }
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("HTTP/1.0 200 ok"))
        for line in ["① → clientHello", "② ← certificate", "③    server certificate chain validated",
                     "④ → clientKeyExchange", "⑧ → ChangeCipherSpec", "⑨ ← finished", "⑩ ← application data"] {
            #expect(run.errors.contains(line), "missing trace line \(line)")
        }
        let client = try String(contentsOfFile: clientLog, encoding: .utf8)
        let server = try String(contentsOfFile: serverLog, encoding: .utf8)
        let fields = client.split(separator: " ")
        #expect(fields.count == 3 && fields[0] == "CLIENT_RANDOM" && fields[1].count == 64 && fields[2].count == 97)
        // s_server writes the same NSS line for the same session.
        #expect(server.contains(client.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func wrongAnchorExitsOneWithTheReason() throws {
        let arguments = TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")
        let run = try TestServer.withOpenSSL(arguments) { server in
            try HostSimProcess.run([
                "connect", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-rsa.crt"), "--server-name", "localhost",
                "--time", "1893456000",
            ])
        }
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.errors.contains("certificate unknownIssuer") && run.errors.contains("unknown_ca"), "\(run.errors)")
    }

    @Test func usageErrorsExitTwo() throws {
        let ca = Fixtures.pki("root-ec.crt")
        for arguments in [
            ["connect", "127.0.0.1:1"],  // no --ca
            ["connect", "127.0.0.1:1", "--ca", ca, "--max-fragment", "300"],
            ["connect", "no-port", "--ca", ca],
            ["connect", "127.0.0.1:1", "--ca", "/nonexistent/ca.pem"],
            ["connect", "127.0.0.1:1", "--ca", ca, "--suite", "TLS_NULL_WITH_NULL_NULL"],
        ] {
            let run = try HostSimProcess.run(arguments, limit: 20)
            #expect(run.status == 2, "\(arguments): \(run.errors)")
        }
    }
}
