import Foundation
import Testing
import TLSCore
import TLSPlatform

/// `hostsim serve`: the core's server role against real clients (openssl s_client,
/// gnutls-cli, curl) on 127.0.0.1. Every test starts its own server on an ephemeral port,
/// stops it with SIGTERM and checks that it exited 0.
@Suite struct ServeCommandTests {
    static let anchors = Fixtures.pki("ca-bundle.pem")
    static let request = Data("GET / HTTP/1.0\r\n\r\n".utf8)
    static let ecServer = ["--cert", Fixtures.pki("server-ec.chain.pem"), "--key", Fixtures.pki("server-ec.key")]
    static let rsaServer = ["--cert2", Fixtures.pki("server-rsa.chain.pem"), "--key2", Fixtures.pki("server-rsa.key")]
    static let clientAuthentication = [
        "--client-ca", anchors, "--crl", Fixtures.pki("crl-bundle.pem"),
    ]

    /// Runs `body` against `hostsim serve ARGUMENTS`, then stops the server and expects exit
    /// status 0; returns what the server logged.
    @discardableResult
    static func withServer(_ arguments: [String], _ body: (TestServer) throws -> Void) throws -> String {
        let server = try TestServer.startHostSimServer(arguments)
        defer { server.stop() }
        try body(server)
        server.stop()
        #expect(server.exitStatus == 0, "hostsim serve did not exit 0 on SIGTERM:\n\(server.output)")
        return server.output
    }

    // The clients on PATH (scripts/requirements.txt lists them).
    static let openssl = TestServer.findExecutable("openssl") ?? URL(fileURLWithPath: "/nonexistent/openssl")
    static let gnutlsCLI = TestServer.findExecutable("gnutls-cli") ?? URL(fileURLWithPath: "/nonexistent/gnutls-cli")
    static let curl = TestServer.findExecutable("curl") ?? URL(fileURLWithPath: "/nonexistent/curl")

    /// `openssl s_client` sending the request; stdout and stderr together.
    static func sClient(_ port: UInt16, _ extra: [String]) throws -> HostSimProcess.Started {
        try HostSimProcess.start(openssl, [
            "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", anchors,
            "-verify_return_error", "-ign_eof",
        ] + extra, input: request)
    }

    static func sClientRun(_ port: UInt16, _ extra: [String]) throws -> String {
        let run = try sClient(port, extra).wait(limit: 20)
        #expect(run.exited, "s_client did not end within 20 s")
        return run.output + run.errors
    }

    /// The client certificate options of s_client for fixture `name` (its issuer goes as
    /// `-cert_chain`: `-cert` reads only a file's first certificate).
    static func clientCertificate(_ name: String, issuer: String = "int-ec") -> [String] {
        ["-cert", Fixtures.pki("\(name).crt"), "-key", Fixtures.pki("\(name).key"), "-cert_chain", Fixtures.pki("\(issuer).crt")]
    }

    static func expectAnswer(_ text: String, version: String, suite: String, client: String = "client: none",
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.contains("HTTP/1.0 200 OK"), "no 200 answer:\n\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("version: \(version)\n"), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("suite: \(suite)\n"), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains(client), "\(text)", sourceLocation: sourceLocation)
    }

    // MARK: versions and suites

    @Test func openSSLTLS13EachDefaultSuite() throws {
        let log = try Self.withServer(Self.ecServer) { server in
            for suite in ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"] {
                let text = try Self.sClientRun(server.port, ["-tls1_3", "-ciphersuites", suite])
                Self.expectAnswer(text, version: "TLS 1.3", suite: suite)
            }
        }
        #expect(log.contains("TLS 1.3 TLS_CHACHA20_POLY1305_SHA256, client: none, \"GET / HTTP/1.0\" → 200"), "\(log)")
    }

    /// One server with an ECDSA and an RSA chain: each TLS 1.2 key exchange picks its own.
    @Test func openSSLTLS12SuiteFamilies() throws {
        let suites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                      "TLS_RSA_WITH_AES_128_GCM_SHA256"]
        try Self.withServer(Self.ecServer + Self.rsaServer + suites.flatMap { ["--suite", $0] }) { server in
            for (cipher, suite) in zip(["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "AES128-GCM-SHA256"], suites) {
                let text = try Self.sClientRun(server.port, ["-tls1_2", "-cipher", cipher])
                Self.expectAnswer(text, version: "TLS 1.2", suite: suite)
            }
        }
    }

    /// RSA key transport with the RSA chain alone.
    @Test func openSSLRSAKeyTransport() throws {
        let arguments = ["--cert", Fixtures.pki("server-rsa.chain.pem"), "--key", Fixtures.pki("server-rsa.key"),
                         "--suite", "TLS_RSA_WITH_AES_128_GCM_SHA256", "--tls", "1.2"]
        try Self.withServer(arguments) { server in
            let text = try Self.sClientRun(server.port, ["-tls1_2", "-cipher", "AES128-GCM-SHA256"])
            Self.expectAnswer(text, version: "TLS 1.2", suite: "TLS_RSA_WITH_AES_128_GCM_SHA256")
        }
    }

    @Test func gnuTLSClient() throws {
        try Self.withServer(Self.ecServer) { server in
            for (version, priority) in [("TLS 1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2"), ("TLS 1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3")] {
                // Input held open; the half-close case is the test below.
                let run = try HostSimProcess.start(Self.gnutlsCLI, [
                    "-p", "\(server.port)", "localhost", "--x509cafile", Self.anchors, "--priority", priority,
                ], input: Self.request, holdingInputOpen: true).wait(limit: 20)
                #expect(run.exited)
                Self.expectAnswer(run.output, version: version, suite: version == "TLS 1.2"
                                  ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256")
            }
        }
    }

    /// gnutls-cli with TLS 1.3 sends close_notify as soon as its input ends, in the same
    /// flight as the request: a TLS 1.3 half-close (RFC 8446 §6.1), which the server's
    /// engine honours — it answers, then sends its own close_notify.
    @Test func gnuTLS13HalfCloseAfterRequest() throws {
        try Self.withServer(Self.ecServer) { server in
            let run = try HostSimProcess.start(Self.gnutlsCLI, [
                "-p", "\(server.port)", "localhost", "--x509cafile", Self.anchors, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3",
            ], input: Self.request).wait(limit: 20)
            #expect(run.exited)
            Self.expectAnswer(run.output, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256")
        }
    }

    @Test func curlClient() throws {
        try Self.withServer(Self.ecServer) { server in
            for extra in [[], ["--http1.0"]] {
                let run = try HostSimProcess.start(Self.curl, [
                    "-sS", "--max-time", "15", "--cacert", Self.anchors, "https://localhost:\(server.port)/",
                ] + extra).wait(limit: 20)
                #expect(run.status == 0, "curl \(extra): \(run.errors)")
                #expect(run.output.contains("version: TLS 1.3\n"), "\(run.output)")
                #expect(run.output.contains("suite: TLS_AES_128_GCM_SHA256\n"), "\(run.output)")
            }
        }
    }

    // MARK: client certificates

    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func clientCertificates(version: String) throws {
        let log = try Self.withServer(Self.ecServer + Self.clientAuthentication + ["--client-auth", "required", "--trace"]) { server in
            let good = try Self.sClientRun(server.port, [version] + Self.clientCertificate("client-ec"))
            Self.expectAnswer(good, version: version == "-tls1_2" ? "TLS 1.2" : "TLS 1.3",
                              suite: version == "-tls1_2" ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256",
                              client: "client: CN=device-1,O=TLSCore Test PKI")
            let revoked = try Self.sClientRun(server.port, [version] + Self.clientCertificate("client-ec-revoked"))
            #expect(revoked.contains("alert certificate revoked"), "\(revoked)")
            #expect(!revoked.contains("HTTP/1.0 200"))
            let none = try Self.sClientRun(server.port, [version])
            #expect(none.contains(version == "-tls1_2" ? "alert handshake failure" : "alert certificate required"), "\(none)")
            #expect(!none.contains("HTTP/1.0 200"))
            let unknown = try Self.sClientRun(server.port, [version] + Self.clientCertificate("client-unknown", issuer: "other-root-ec"))
            #expect(unknown.contains("alert unknown ca"), "\(unknown)")
            #expect(!unknown.contains("HTTP/1.0 200"))
        }
        for line in ["① ← clientHello", "⑤ ← certificate", "⑥    client certificate chain validated", "⑥ ← certificateVerify",
                     "client: CN=device-1,O=TLSCore Test PKI", "certificate revoked (sent alert certificate_revoked)",
                     "(sent alert unknown_ca)", "⑥ ✗ client certificate refused: certificate revoked",
                     "⑥ ✗ client certificate refused: certificate" /* unknown CA */] {
            #expect(log.contains(line), "server log lacks \(line):\n\(log)")
        }
        let missing = version == "-tls1_2" ? "⑥ ✗ client certificate refused: handshakeFailure"
            : "⑥ ✗ client certificate refused: certificateRequired"
        #expect(log.contains(missing), "server log lacks \(missing):\n\(log)")
    }

    @Test func optionalClientCertificate() throws {
        try Self.withServer(Self.ecServer + Self.clientAuthentication + ["--client-auth", "optional"]) { server in
            let none = try Self.sClientRun(server.port, ["-tls1_3"])
            Self.expectAnswer(none, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256", client: "client: none")
            let good = try Self.sClientRun(server.port, ["-tls1_2"] + Self.clientCertificate("client-ec"))
            Self.expectAnswer(good, version: "TLS 1.2", suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                              client: "client: CN=device-1")
        }
    }

    @Test func applicationProtocol() throws {
        try Self.withServer(Self.ecServer + ["--alpn", "http/1.1"]) { server in
            for version in ["-tls1_2", "-tls1_3"] {
                let text = try Self.sClientRun(server.port, [version, "-alpn", "h2,http/1.1"])
                #expect(text.contains("alpn: http/1.1\n"), "\(text)")
                #expect(text.contains("ALPN protocol: http/1.1"), "\(text)")
            }
        }
    }

    // MARK: many clients at once

    /// 16 connections at once in 16 slots: 13 s_client (both versions, some with a client
    /// certificate), one silent, one garbage, one half a ClientHello that stalls. The good
    /// ones are answered, the hostile ones closed (garbage at once, the stalled ones at the
    /// idle timeout), and a last client is still served.
    @Test func sixteenConcurrentClientsSomeHostile() throws {
        let arguments = Self.ecServer + Self.clientAuthentication
            + ["--client-auth", "optional", "--max-connections", "16", "--timeout", "1500"]
        let log = try Self.withServer(arguments) { server in
            let host = Array("127.0.0.1".utf8)
            var silent = try TCPTransport(host: host.span, port: server.port, timeoutMilliseconds: 5000)
            var garbage = try TCPTransport(host: host.span, port: server.port, timeoutMilliseconds: 5000)
            var half = try TCPTransport(host: host.span, port: server.port, timeoutMilliseconds: 5000)
            let junk = [UInt8](repeating: 0x47, count: 300)
            _ = try garbage.send(junk.span, timeoutMilliseconds: 2000)
            // A handshake record announcing 200 bytes, and a ClientHello header announcing
            // 196, of which only the version and part of the random arrive.
            let partial: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03]
                + [UInt8](repeating: 0x5A, count: 20)
            _ = try half.send(partial.span, timeoutMilliseconds: 2000)

            let started = try (0..<13).map { index in
                var extra = [index % 2 == 0 ? "-tls1_3" : "-tls1_2"]
                if index % 3 == 0 { extra += Self.clientCertificate("client-ec") }
                return try Self.sClient(server.port, extra)
            }
            let runs = started.map { $0.wait(limit: 30) }
            for (index, run) in runs.enumerated() {
                #expect(run.exited, "client \(index) did not end")
                #expect(run.output.contains("HTTP/1.0 200 OK"), "client \(index):\n\(run.output)\(run.errors)")
                if index % 3 == 0 { #expect(run.output.contains("client: CN=device-1")) }
            }
            // Each hostile connection ends from the server's side (end of stream or reset)
            // well within its 1.5 s idle timeout plus slack.
            let garbageClosed = Self.closedByServer(&garbage)
            #expect(garbageClosed, "the garbage connection stayed open")
            let silentClosed = Self.closedByServer(&silent)
            #expect(silentClosed, "the silent connection stayed open")
            let halfClosed = Self.closedByServer(&half)
            #expect(halfClosed, "the half ClientHello connection stayed open")

            let last = try Self.sClientRun(server.port, ["-tls1_3"])
            Self.expectAnswer(last, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256")
        }
        #expect(log.components(separatedBy: "→ 200").count - 1 == 14, "\(log)")
        #expect(log.components(separatedBy: "not complete after 1500 ms").count - 1 == 2, "\(log)")
        #expect(log.contains("handshake failed: unexpectedMessage (sent alert unexpected_message)"), "\(log)")
    }

    /// Slow clients that keep sending (slowloris): four connections trickle a ClientHello
    /// one byte every 150 ms, so the 1 s idle timeout never fires; the 2 s handshake
    /// deadline cuts each of them, while s_client connections made meanwhile are served at
    /// once. The trickling runs on its own thread; every wait is bounded.
    @Test func tricklingClientsAreCutAtTheHandshakeDeadline() throws {
        let arguments = Self.ecServer + ["--max-connections", "8", "--timeout", "1000", "--handshake-timeout", "2000"]
        let log = try Self.withServer(arguments) { server in
            // A record announcing 512 bytes and a ClientHello header: a prefix that stays valid.
            let prefix: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
                + [UInt8](repeating: 0x5A, count: 40)
            let sockets = try (0..<4).map { _ in try Self.rawConnection(port: server.port) }
            defer { for socket in sockets { close(socket) } }
            let start = Date()
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                var cut = [Bool](repeating: false, count: sockets.count)
                for byte in prefix where Date().timeIntervalSince(start) < 6 && !cut.allSatisfy({ $0 }) {
                    for (index, socket) in sockets.enumerated() where !cut[index] {
                        var one = byte
                        if send(socket, &one, 1, Int32(MSG_NOSIGNAL)) != 1 { cut[index] = true }
                    }
                    usleep(150_000)
                }
                done.signal()
            }
            for version in ["-tls1_3", "-tls1_2", "-tls1_3"] {
                let text = try Self.sClientRun(server.port, [version])
                #expect(text.contains("HTTP/1.0 200 OK"), "\(text)")
            }
            #expect(Date().timeIntervalSince(start) < 1.9, "the served clients waited for the tricklers")
            for (index, socket) in sockets.enumerated() {
                #expect(Self.rawClosedByServer(socket), "trickler \(index) stayed open")
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed > 1.9 && elapsed < 6, "the tricklers were cut after \(elapsed) s, not at the 2 s deadline")
            #expect(done.wait(timeout: .now() + 10) == .success)
        }
        #expect(log.components(separatedBy: "not complete after 2000 ms").count - 1 == 4, "\(log)")
        #expect(log.components(separatedBy: "→ 200").count - 1 == 3, "\(log)")
    }

    /// A blocking IPv4 TCP connection to 127.0.0.1:`port`, for byte-level clients.
    static func rawConnection(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socket >= 0, connected == 0 else { throw TLSError.transport(errno) }
        return socket
    }

    /// Whether the server ends `socket` (end of stream or reset) within 6 s.
    static func rawClosedByServer(_ socket: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(6)
        var buffer = [UInt8](repeating: 0, count: 512)
        while Date() < deadline {
            var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 500) > 0 else { continue }
            if recv(socket, &buffer, buffer.count, 0) <= 0 { return true }
        }
        return false
    }

    /// A full table: with one slot held by a silent client, the next connection waits in the
    /// listen backlog and is served once the silent one times out. SIGTERM with a connection
    /// still open (a second silent one) still ends the server with status 0.
    @Test func fullTableLeavesConnectionsInTheBacklog() throws {
        let log = try Self.withServer(Self.ecServer + ["--max-connections", "1", "--timeout", "1000"]) { server in
            let host = Array("127.0.0.1".utf8)
            let silent = try TCPTransport(host: host.span, port: server.port, timeoutMilliseconds: 5000)
            usleep(100_000)
            let start = Date()
            let text = try Self.sClientRun(server.port, ["-tls1_3"])
            Self.expectAnswer(text, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256")
            #expect(Date().timeIntervalSince(start) > 0.7, "served before the silent client's slot was free")
            _ = consume silent
            let open = try TCPTransport(host: host.span, port: server.port, timeoutMilliseconds: 5000)
            usleep(200_000)
            server.stop()
            _ = consume open
        }
        #expect(log.contains("server stopping, connection closed"), "\(log)")
    }

    // MARK: resumption and external PSK

    static let ticketKey = String(repeating: "5a", count: 36)
    static let otherTicketKey = String(repeating: "a5", count: 36)
    static let pskKey = String(repeating: "3c", count: 32)

    /// s_client twice with one session file: a full handshake that stores the ticket (the
    /// response read, so that a TLS 1.3 NewSessionTicket has arrived), then one offering it.
    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func openSSLResumesByTicket(version: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-sess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("session.pem").path
        let log = try Self.withServer(Self.ecServer + ["--ticket-key", Self.ticketKey, "--ticket-lifetime", "600"]) { server in
            let first = try Self.sClientRun(server.port, [version, "-sess_out", file])
            #expect(first.contains("resumed: no\n"), "\(first)")
            #expect(first.contains("lifetime hint: 600"), "\(first)")
            let second = try Self.sClientRun(server.port, [version, "-sess_in", file])
            #expect(second.contains("resumed: ticket\n"), "\(second)")
            #expect(second.contains("Reused, TLSv1."), "\(second)")
        }
        #expect(log.contains("→ 200, resumed: ticket"), "\(log)")
        // Another ticket key (a restarted server that rotated it out): a full handshake.
        try Self.withServer(Self.ecServer + ["--ticket-key", Self.otherTicketKey]) { server in
            let third = try Self.sClientRun(server.port, [version, "-sess_in", file])
            Self.expectAnswer(third, version: version == "-tls1_2" ? "TLS 1.2" : "TLS 1.3",
                              suite: version == "-tls1_2" ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256")
            #expect(third.contains("resumed: no\n"), "\(third)")
            #expect(third.contains("New, TLSv1."), "\(third)")
        }
        // The old key as --previous-ticket-key still opens it.
        try Self.withServer(Self.ecServer + ["--ticket-key", Self.otherTicketKey, "--previous-ticket-key", Self.ticketKey]) { server in
            let fourth = try Self.sClientRun(server.port, [version, "-sess_in", file])
            #expect(fourth.contains("resumed: ticket\n"), "\(fourth)")
        }
    }

    /// s_client without tickets (`-no_ticket`) resumes TLS 1.2 by session ID from
    /// `--session-cache`; without the cache the same client gets a full handshake.
    @Test func openSSLResumesBySessionID() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-sid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("session.pem").path
        let log = try Self.withServer(Self.ecServer + ["--session-cache", "4"]) { server in
            let first = try Self.sClientRun(server.port, ["-tls1_2", "-no_ticket", "-sess_out", file])
            #expect(first.contains("resumed: no\n"), "\(first)")
            let second = try Self.sClientRun(server.port, ["-tls1_2", "-no_ticket", "-sess_in", file])
            #expect(second.contains("resumed: session ID\n"), "\(second)")
            #expect(second.contains("Reused, TLSv1.2"), "\(second)")
        }
        #expect(log.contains("→ 200, resumed: session ID"), "\(log)")
        try Self.withServer(Self.ecServer) { server in
            let uncached = try Self.sClientRun(server.port, ["-tls1_2", "-no_ticket", "-sess_in", file])
            #expect(uncached.contains("resumed: no\n"), "\(uncached)")
            #expect(uncached.contains("New, TLSv1.2"), "\(uncached)")
        }
    }

    @Test func openSSLExternalPSK() throws {
        let log = try Self.withServer(Self.ecServer + ["--psk-identity", "dev", "--psk", Self.pskKey]) { server in
            let good = try Self.sClientRun(server.port, ["-tls1_3", "-psk_identity", "dev", "-psk", Self.pskKey])
            Self.expectAnswer(good, version: "TLS 1.3", suite: "TLS_AES_128_GCM_SHA256")
            #expect(good.contains("resumed: external PSK\n"), "\(good)")
            let wrong = try Self.sClientRun(server.port, ["-tls1_3", "-psk_identity", "dev", "-psk", String(repeating: "3d", count: 32)])
            #expect(wrong.contains("alert decrypt error"), "\(wrong)")
            #expect(!wrong.contains("HTTP/1.0 200"))
        }
        #expect(log.contains("→ 200, resumed: external PSK"), "\(log)")
        #expect(log.contains("(sent alert decrypt_error)"), "\(log)")
    }

    /// The core's client against the core's server, both versions; resuming with --repeat 2.
    @Test(arguments: ["1.2", "1.3"])
    func hostSimClient(version: String) throws {
        try Self.withServer(Self.ecServer + ["--ticket-key", Self.ticketKey]) { server in
            let connect = ["connect", "127.0.0.1:\(server.port)", "--ca", Self.anchors, "--server-name", "localhost", "--tls", version]
            let plain = try HostSimProcess.run(connect, limit: 20)
            #expect(plain.status == 0, "\(plain.errors)")
            Self.expectAnswer(plain.output, version: "TLS \(version)",
                              suite: version == "1.2" ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256")
            let twice = try HostSimProcess.run(connect + ["--resume", "--repeat", "2"], limit: 20)
            #expect(twice.status == 0, "\(twice.errors)")
            #expect(twice.errors.contains("1 of 2 handshakes resumed"), "\(twice.errors)")
        }
        // External PSK from the core's client.
        try Self.withServer(Self.ecServer + ["--psk-identity", "dev", "--psk", Self.pskKey]) { server in
            let run = try HostSimProcess.run(["connect", "127.0.0.1:\(server.port)", "--ca", Self.anchors, "--server-name", "localhost",
                                              "--psk-identity", "dev", "--psk", Self.pskKey], limit: 20)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.contains("resumed: external PSK\n"), "\(run.output)")
        }
    }

    @Test(arguments: [
        ["--ticket-key", "abcd"], ["--ticket-key", String(repeating: "zz", count: 36)],
        ["--previous-ticket-key", String(repeating: "00", count: 36)],
        ["--ticket-key", String(repeating: "00", count: 36), "--ticket-lifetime", "0"],
        ["--psk", String(repeating: "00", count: 32)], ["--psk-identity", "dev", "--psk", "0011"],
    ])
    func badResumptionOptionsAreUsageErrors(extra: [String]) throws {
        let run = try HostSimProcess.run(["serve"] + Self.ecServer + extra, limit: 10)
        #expect(run.status == 2, "\(extra): \(run.status) \(run.errors)")
        #expect(!run.output.contains("listening"))
    }

    /// Reads until the server ends the connection (true), or 6 s pass (false). Bytes it
    /// sends first (an alert) are read and dropped.
    static func closedByServer(_ transport: inout TCPTransport) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Date().addingTimeInterval(6)
        while Date() < deadline {
            var span = buffer.mutableSpan
            do {
                if try transport.receive(into: &span, timeoutMilliseconds: 500) == 0 { return true }
            } catch TLSError.timeout {
                continue
            } catch {
                return true  // reset
            }
        }
        return false
    }
}
