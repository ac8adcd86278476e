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

    /// TLS 1.3: the trace names the 1.3 messages with the seed's steps and the negotiated
    /// version, suite and group; the key log holds the lines `s_server -keylogfile` writes
    /// for the same connection, each of them.
    @Test func tls13TraceAndKeyLogMatchTheServer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("connect13-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let serverLog = folder.appendingPathComponent("server.keylog").path
        let clientLog = folder.appendingPathComponent("client.keylog").path
        var arguments = TestServer.openSSLArguments(
            certificate: "server-ec", chainIssuer: "int-ec", extra: ["-keylogfile", serverLog, "-groups", "P-384:X25519"])
        arguments[arguments.firstIndex(of: "-tls1_2")!] = "-tls1_3"
        let run = try TestServer.withOpenSSL(arguments) { server in
            try HostSimProcess.run([
                "connect", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost",
                "--time", "1893456000", "--trace", "--keylog", clientLog, "--group", "secp256r1", "--group", "secp384r1",
            ])
        }
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.hasPrefix("HTTP/1.0 200 ok"))
        for line in ["① → clientHello", "② ← HelloRetryRequest: the server asks for a secp384r1 key share",
                     "② ← serverHello", "④    secp384r1 shared secret", "② ← encryptedExtensions",
                     "③    server certificate chain validated", "③ ← certificateVerify", "⑨ ← finished",
                     "⑧ → finished", "negotiated TLS 1.3 TLS_AES_128_GCM_SHA256 (secp384r1)",
                     "⑩ ← NewSessionTicket (lifetime", "⑩ ← application data"] {
            #expect(run.errors.contains(line), "missing trace line \(line)")
        }
        let client = try String(contentsOfFile: clientLog, encoding: .utf8)
        let server = try String(contentsOfFile: serverLog, encoding: .utf8)
        let clientLines = Set(client.split(separator: "\n").map(String.init))
        let serverLines = Set(server.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        #expect(clientLines.map { String($0.prefix { $0 != " " }) }.sorted() == [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"])
        #expect(clientLines == serverLines)
    }

    /// `--record-padding`: s_server reads the client's padded TLS 1.3 records (Finished,
    /// request, close_notify: each 1 024 bytes of inner plaintext) and answers. (The padded
    /// lengths themselves are checked in RecordLayer13Tests.)
    @Test func paddedRecordsAreReadByOpenSSL() throws {
        var arguments = TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")
        arguments[arguments.firstIndex(of: "-tls1_2")!] = "-tls1_3"
        let run = try TestServer.withOpenSSL(arguments) { server in
            try HostSimProcess.run([
                "connect", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost",
                "--time", "1893456000", "--record-padding", "1024",
            ])
        }
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.hasPrefix("HTTP/1.0 200 ok"))
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
