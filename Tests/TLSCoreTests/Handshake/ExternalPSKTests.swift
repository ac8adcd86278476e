import Foundation
import Testing
@testable import TLSCore

/// TLS 1.3 external PSKs (RFC 8446 §4.2.11, SHA-256): the provisioning of small devices
/// without certificates, against `openssl s_server -psk … -nocert` and `gnutls-serv
/// --pskpasswd`; a wrong key or an unknown identity, and the fallback to certificates.
@Suite struct ExternalPSKTests {
    static let key: [UInt8] = (0..<32).map { UInt8($0) }
    static let hexKey = key.map { String(format: "%02x", $0) }.joined()

    static func openSSLPSK(extra: [String] = []) -> [String] {
        ["-accept", "127.0.0.1:\(TestServer.portPlaceholder)", "-tls1_3", "-psk", hexKey, "-psk_identity", "device-1",
         "-nocert"] + extra + ["-www"]
    }

    static func client(identity: String = "device-1", key: [UInt8] = key) -> TLS13Harness {
        var client = TLS13Harness()
        client.externalPSK = (identity, key)
        return client
    }

    static func expectPSKHandshake(_ outcome: TLS13Harness.Outcome) {
        #expect(outcome.version == .tls13)
        #expect(outcome.handshakeEvents.contains { $0.kind == .sessionOffered(.externalPSK) })
        #expect(outcome.handshakeEvents.contains { $0.kind == .resumed(.externalPSK) }, "\(outcome.kinds)")
        #expect(!ResumptionTests.receivedCertificate(outcome))
        #expect(outcome.text.contains("200"))
        #expect(outcome.closedByNotify)
    }

    @Test func openSSLWithoutACertificate() throws {
        try TestServer.withOpenSSL(Self.openSSLPSK()) { server in
            let outcome = try Self.client().run(port: server.port).get()
            Self.expectPSKHandshake(outcome)
            #expect(outcome.group == .x25519)  // psk_dhe_ke
        }
    }

    @Test func openSSLPSKOnly() throws {
        try TestServer.withOpenSSL(Self.openSSLPSK(extra: ["-allow_no_dhe_kex"])) { server in
            var client = Self.client()
            client.resumptionKeyExchange = .pskOnly
            let outcome = try client.run(port: server.port).get()
            Self.expectPSKHandshake(outcome)
            #expect(outcome.group == nil)
        }
    }

    @Test func gnuTLSPSKPassword() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwords = folder.appendingPathComponent("psk.txt").path
        try "device-1:\(Self.hexKey)\n".write(toFile: passwords, atomically: true, encoding: .utf8)
        let arguments = ["--http", "-p", TestServer.portPlaceholder, "--pskpasswd", passwords,
                         "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+PSK"]
        try TestServer.withGnuTLS(arguments) { server in
            Self.expectPSKHandshake(try Self.client().run(port: server.port).get())
        }
    }

    /// A binder made with another key: the server refuses it (openssl: illegal_parameter)
    /// and nothing is accepted.
    @Test func aWrongKeyIsRefusedByTheServer() throws {
        try TestServer.withOpenSSL(Self.openSSLPSK()) { server in
            var wrong = Self.key
            wrong[0] ^= 0xFF
            let result = Self.client(key: wrong).run(port: server.port)
            guard case .failure(let error) = result, case .peerAlert = error else {
                Issue.record("expected the server's alert, got \(result)")
                return
            }
        }
    }

    /// A server with a certificate that does not know the identity answers with a full
    /// handshake, which the client validates as usual.
    @Test func anUnknownIdentityFallsBackToTheCertificate() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(extra: ["-psk", Self.hexKey, "-psk_identity", "other"])) { server in
            let outcome = try Self.client().run(port: server.port).get()
            #expect(outcome.handshakeEvents.contains { $0.kind == .resumptionDeclined(.externalPSK) }, "\(outcome.kinds)")
            #expect(ResumptionTests.receivedCertificate(outcome))
            #expect(outcome.text.contains("200"))
        }
    }

    /// With a session region too: the first connection uses the external PSK and stores the
    /// server's ticket, the next resumes with that ticket.
    @Test func aTicketFromAnExternalPSKHandshakeResumes() throws {
        try TestServer.withOpenSSL(Self.openSSLPSK()) { server in
            let outcomes = try ResumptionTests.runs(2, port: server.port, client: Self.client())
            Self.expectPSKHandshake(outcomes[0])
            #expect(outcomes[0].events.contains { $0.kind == .sessionStored(.ticket13) })
            #expect(outcomes[1].handshakeEvents.contains { $0.kind == .resumed(.ticket13) }, "\(outcomes[1].kinds)")
        }
    }

    // MARK: TLS 1.2 PSK suites (RFC 4279, 5487, 6655, 5489, 7905)

    static let suites12: [(CipherSuite, String, String)] = [
        (.pskWithAES128CCM8, "PSK-AES128-CCM8", "AES-128-CCM-8"),
        (.pskWithAES128CCM, "PSK-AES128-CCM", "AES-128-CCM"),
        (.pskWithAES128GCMSHA256, "PSK-AES128-GCM-SHA256", "AES-128-GCM"),
        (.ecdhePSKWithChaCha20Poly1305SHA256, "ECDHE-PSK-CHACHA20-POLY1305", "CHACHA20-POLY1305"),
    ]

    static func client12(_ suite: CipherSuite, key: [UInt8] = key) -> TLS13Harness {
        var client = Self.client(key: key)
        client.suites = CipherSuites(suite)
        return client
    }

    @Test(arguments: suites12.indices)
    func tls12SuiteWithOpenSSL(index: Int) throws {
        let (suite, openSSLName, _) = Self.suites12[index]
        let arguments = ["-accept", "127.0.0.1:\(TestServer.portPlaceholder)", "-tls1_2", "-psk", Self.hexKey,
                         "-psk_identity", "device-1", "-nocert", "-cipher", "\(openSSLName):@SECLEVEL=0", "-www"]
        try TestServer.withOpenSSL(arguments) { server in
            let outcome = try Self.client12(suite).run(port: server.port).get()
            #expect(outcome.version == .tls12)
            #expect(outcome.suite == suite)
            #expect(!ResumptionTests.receivedCertificate(outcome))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(outcome.closedByNotify)
            // A wrong key: the Finished does not verify on either side; never connected.
            var wrong = Self.key
            wrong[31] ^= 1
            #expect(throws: TLSError.self) { try Self.client12(suite, key: wrong).run(port: server.port).get() }
        }
    }

    @Test(arguments: suites12.indices)
    func tls12SuiteWithGnuTLS(index: Int) throws {
        let (suite, _, cipher) = Self.suites12[index]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psk12-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwords = folder.appendingPathComponent("psk.txt").path
        try "device-1:\(Self.hexKey)\n".write(toFile: passwords, atomically: true, encoding: .utf8)
        let keyExchange = suite.keyExchange == .ecdhePSK ? "ECDHE-PSK" : "PSK"
        let priority = "NONE:+VERS-TLS1.2:+\(keyExchange):+\(cipher):+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL"
        let arguments = ["--http", "-p", TestServer.portPlaceholder, "--pskpasswd", passwords, "--priority", priority]
        try TestServer.withGnuTLS(arguments) { server in
            let outcome = try Self.client12(suite).run(port: server.port).get()
            #expect(outcome.suite == suite)
            #expect(outcome.text.contains("200 OK"))
        }
    }

    /// A PSK suite configured without an external PSK is not offered: nothing could use it.
    @Test func pskSuitesNeedAnExternalPSK() {
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: none.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span, time: 0,
            suites: .all)
        #expect(configuration.settings.offeredSuites.intersection(.psk).isEmpty)
        let identity = Array("device-1".utf8)
        let withPSK = configuration.withExternalPSK(identity: identity.span, key: Self.key.span)
        #expect(withPSK.settings.offeredSuites == .all)
    }
}
