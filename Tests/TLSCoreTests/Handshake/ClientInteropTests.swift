import Foundation
import Testing
import TLSCore

/// The TLS 1.2 client against real OpenSSL and GnuTLS servers on 127.0.0.1.
@Suite struct ClientInteropTests {
    /// Each suite with the certificate it needs: (suite, server fixture, its issuer, root).
    static let suites: [(CipherSuite, String, String, String)] = [
        (.ecdheECDSAWithAES128GCMSHA256, "server-ec", "int-ec", "root-ec"),
        (.ecdheECDSAWithAES256GCMSHA384, "server-ec384", "int-ec384", "root-ec"),
        (.ecdheECDSAWithChaCha20Poly1305SHA256, "server-ec", "int-ec", "root-ec"),
        (.ecdheECDSAWithAES128CCM, "server-ec", "int-ec", "root-ec"),
        (.ecdheECDSAWithAES128CCM8, "server-ec384", "int-ec384", "root-ec"),
        (.ecdheRSAWithAES128GCMSHA256, "server-rsa", "int-rsa", "root-rsa"),
        (.ecdheRSAWithAES256GCMSHA384, "server-rsa", "int-rsa", "root-rsa"),
        (.ecdheRSAWithChaCha20Poly1305SHA256, "server-rsa", "int-rsa", "root-rsa"),
        (.rsaWithAES128GCMSHA256, "server-rsa", "int-rsa", "root-rsa"),
        (.rsaWithAES256GCMSHA384, "server-rsa", "int-rsa", "root-rsa"),
    ]

    @Test(arguments: suites.indices)
    func everySuiteWithOpenSSL(index: Int) throws {
        let (suite, certificate, issuer, root) = Self.suites[index]
        let arguments = TestServer.openSSLArguments(certificate: certificate, chainIssuer: issuer, cipher: "ALL")
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            client.anchors = [root]
            client.suites = CipherSuites(suite)
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.suite == suite)
            #expect(outcome.extendedMasterSecret)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(outcome.closedByNotify)
        }
    }

    /// GnuTLS names for each suite's key exchange and cipher.
    static func gnuTLSPriority(_ suite: CipherSuite) -> String {
        let keyExchange = switch suite.keyExchange {
        case .ecdheECDSA: "ECDHE-ECDSA"
        case .ecdheRSA: "ECDHE-RSA"
        case .rsa: "RSA"
        case .keyShare: "ECDHE-ECDSA:+ECDHE-RSA"
        case .psk: "PSK"
        case .ecdhePSK: "ECDHE-PSK"
        }
        let cipher = switch suite.aead {
        case .aes128GCM: "AES-128-GCM"
        case .aes256GCM: "AES-256-GCM"
        case .chacha20Poly1305: "CHACHA20-POLY1305"
        case .aes128CCM: "AES-128-CCM"
        case .aes128CCM8: "AES-128-CCM-8"
        }
        return TestServer.gnuTLSPriority(keyExchange: keyExchange, cipher: cipher)
    }

    @Test(arguments: suites.indices)
    func everySuiteWithGnuTLS(index: Int) throws {
        let (suite, certificate, _, root) = Self.suites[index]
        let arguments = TestServer.gnuTLSArguments(certificate: certificate, priority: Self.gnuTLSPriority(suite))
        try TestServer.withGnuTLS(arguments) { server in
            var client = ClientHarness()
            client.anchors = [root]
            client.suites = CipherSuites(suite)
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.suite == suite)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    @Test func handshakeStepsInOrder() throws {
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")) { server in
            let outcome = try ClientHarness().run(port: server.port).get()
            let steps = outcome.events.map(\.step)
            #expect(steps == [1, 2, 2, 3, 2, 2, 4, 7, 8, 8, 9, 9])
            #expect(outcome.events.first?.kind == .sent(.clientHello))
            #expect(outcome.events.last?.kind == .received(.finished))
        }
    }

    /// The server splits every record at 512 bytes: its Certificate message spans records.
    @Test func serverFragmentsSmall() throws {
        let arguments = TestServer.openSSLArguments(
            certificate: "server-rsa", chainIssuer: "int-rsa", extra: ["-max_send_frag", "512"])
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            client.anchors = ["root-rsa"]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// max_fragment_length 512 (RFC 6066): the input region holds exactly one 512-byte
    /// record, so a single larger record from the server would fail the exchange.
    @Test func maxFragmentLength512() throws {
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")) { server in
            var client = ClientHarness()
            client.maxFragment = .bytes512
            client.inputSize = 5 + 512 + 24
            client.reassemblySize = 2048
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(outcome.response.count > 2048)
        }
    }

    /// 40 000 bytes of application data through a 1 024-byte output region: the engine cuts
    /// them into records that fit, and GnuTLS echoes every line back.
    @Test func largeWriteThroughSmallOutputRegion() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", service: "--echo")
        try TestServer.withGnuTLS(arguments) { server in
            var client = ClientHarness()
            let payload = (0..<400).map { line in String(repeating: "\(line % 10)", count: 99) + "\n" }.joined()
            client.request = payload
            client.responseLength = payload.utf8.count
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text == payload)
        }
    }

    /// A server that sends each message whole in a record needs no reassembly room: 600
    /// bytes (the client's own ClientHello and key exchange are staged there) are enough for
    /// the RSA chain's 1.8 KB Certificate message.
    @Test func smallReassemblyRegionWithWholeRecords() throws {
        let arguments = TestServer.openSSLArguments(certificate: "server-rsa", chainIssuer: "int-rsa")
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            client.anchors = ["root-rsa"]
            client.reassemblySize = 600
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// A server that splits its Certificate message across records needs it reassembled:
    /// with 600 bytes of room that is a clear bufferTooSmall, naming the message's size.
    @Test func splitMessageNeedsReassemblyRoom() throws {
        let arguments = TestServer.openSSLArguments(
            certificate: "server-rsa", chainIssuer: "int-rsa", extra: ["-max_send_frag", "512"])
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            client.anchors = ["root-rsa"]
            client.reassemblySize = 600
            guard case .failure(let error) = client.run(port: server.port) else { Issue.record("succeeded"); return }
            guard case .bufferTooSmall(let needed, let capacity) = error else { Issue.record("got \(error)"); return }
            #expect(capacity == 600 && needed > 1700)
            #expect(error.alert == .internalError)
        }
    }

    @Test func serverAddressMatchesIPAddressSAN() throws {
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ip", chainIssuer: "int-ec")) { server in
            var client = ClientHarness()
            client.serverName = ""
            client.serverAddress = [127, 0, 0, 1]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }
}
