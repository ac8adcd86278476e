import Foundation
import Testing
import TLSCore

/// The TLS 1.3 client (and its version negotiation) against real `openssl s_server -tls1_3`
/// (OpenSSL 3.0) and `gnutls-serv` peers on 127.0.0.1, through the real engine, driver and
/// TCP transport (`TLS13Harness`).
@Suite struct TLS13InteropTests {
    /// s_server arguments: `openSSLArguments` with `version` (`-tls1_3`, `-tls1_2` or none
    /// for both) in place of its `-tls1_2`.
    static func openSSL(
        certificate: String = "server-ec", issuer: String? = "int-ec", version: String? = "-tls1_3",
        extra: [String] = [], service: String = "-www"
    ) -> [String] {
        var arguments = TestServer.openSSLArguments(
            certificate: certificate, chainIssuer: issuer, extra: extra, service: service)
        let index = arguments.firstIndex(of: "-tls1_2")!
        if let version { arguments[index] = version } else { arguments.remove(at: index) }
        return arguments
    }

    static let tls13Priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3"

    static func groups(_ list: NamedGroup...) -> NamedGroups {
        var groups = NamedGroups()
        for group in list { groups.append(group) }
        return groups
    }

    // MARK: 1. Suites

    static let suites: [(CipherSuite, String)] = [
        (.aes128GCMSHA256, "TLS_AES_128_GCM_SHA256"),
        (.aes256GCMSHA384, "TLS_AES_256_GCM_SHA384"),
        (.chacha20Poly1305SHA256, "TLS_CHACHA20_POLY1305_SHA256"),
        (.aes128CCMSHA256, "TLS_AES_128_CCM_SHA256"),
        (.aes128CCM8SHA256, "TLS_AES_128_CCM_8_SHA256"),
    ]

    @Test(arguments: suites.indices)
    func everySuiteWithOpenSSL(index: Int) throws {
        let (suite, name) = Self.suites[index]
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-ciphersuites", name])) { server in
            var client = TLS13Harness()
            // CCM_8 is off by default: offered only when asked for.
            if suite == .aes128CCM8SHA256 { client.suites.insert(suite) }
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.suite == suite)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(outcome.closedByNotify)
        }
    }

    /// Without CCM_8 among the client's suites, a server that allows only CCM_8 has no suite in common.
    @Test func ccm8IsNotOfferedByDefault() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-ciphersuites", "TLS_AES_128_CCM_8_SHA256"])) { server in
            let result = TLS13Harness().run(port: server.port)
            #expect(throws: TLSError.peerAlert(.handshakeFailure)) { try result.get() }
        }
    }

    // MARK: 2. Groups

    static let groupCases: [(NamedGroup, String)] = [(.x25519, "X25519"), (.secp256r1, "P-256"), (.secp384r1, "P-384")]

    @Test(arguments: groupCases.indices)
    func everyGroupWithOpenSSL(index: Int) throws {
        let (group, name) = Self.groupCases[index]
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-groups", name])) { server in
            var client = TLS13Harness()
            var groups = NamedGroups(group)
            for other in [NamedGroup.x25519, .secp256r1, .secp384r1] { groups.append(other) }
            client.groups = groups
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.group == group)
            #expect(outcome.kinds.contains(.keyShareAgreed(group)))
            #expect(!outcome.kinds.contains { if case .helloRetryRequest = $0 { true } else { false } })
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    // MARK: 3. HelloRetryRequest

    @Test func helloRetryRequestForP384() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-groups", "P-384"])) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let retries = outcome.kinds.filter { if case .helloRetryRequest = $0 { true } else { false } }
            #expect(retries == [.helloRetryRequest(.secp384r1)])
            #expect(outcome.kinds.filter { $0 == .sent(.clientHello) }.count == 2)
            #expect(outcome.group == .secp384r1)
            #expect(outcome.kinds.contains(.keyShareAgreed(.secp384r1)))
            #expect(outcome.version == .tls13)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// A client that offers only x25519 cannot be asked for a P-384 share: the server has no
    /// group in common and refuses the handshake.
    @Test func noCommonGroup() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-groups", "P-384"])) { server in
            var client = TLS13Harness()
            client.groups = NamedGroups(.x25519)
            let log = EventLog()
            client.eventLog = log
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.handshakeFailure)) { try result.get() }
            #expect(!log.events.contains { if case .helloRetryRequest = $0.kind { true } else { false } })
        }
    }

    /// A HelloRetryRequest under every suite: the restarted transcript (message_hash) is
    /// the suite's hash, SHA-384 included.
    @Test(arguments: suites.indices)
    func helloRetryRequestUnderEverySuite(index: Int) throws {
        let (suite, name) = Self.suites[index]
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-groups", "P-384", "-ciphersuites", name])) { server in
            var client = TLS13Harness()
            if suite == .aes128CCM8SHA256 { client.suites.insert(suite) }
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.suite == suite)
            #expect(outcome.kinds.filter { if case .helloRetryRequest = $0 { true } else { false } } == [.helloRetryRequest(.secp384r1)])
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// A retry to each other group: (server's only group, client's list).
    static let retries: [(String, [NamedGroup], NamedGroup)] = [
        ("P-256", [.x25519, .secp256r1, .secp384r1], .secp256r1),
        ("X25519", [.secp256r1, .x25519], .x25519),
        ("X25519", [.secp384r1, .secp256r1, .x25519], .x25519),
        ("P-256", [.secp384r1, .secp256r1], .secp256r1),
    ]

    @Test(arguments: retries.indices)
    func helloRetryRequestToEachGroup(index: Int) throws {
        let (serverGroup, clientGroups, expected) = Self.retries[index]
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-groups", serverGroup])) { server in
            var client = TLS13Harness()
            var groups = NamedGroups()
            for group in clientGroups { groups.append(group) }
            client.groups = groups
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.kinds.filter { if case .helloRetryRequest = $0 { true } else { false } } == [.helloRetryRequest(expected)])
            #expect(outcome.group == expected)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// The server's name is checked in TLS 1.3 as in 1.2.
    @Test func wrongServerName() throws {
        try TestServer.withOpenSSL(Self.openSSL()) { server in
            var client = TLS13Harness()
            client.serverName = "other.example"
            let result = client.run(port: server.port)
            #expect(throws: TLSError.certificate(.nameMismatch)) { try result.get() }
            // bad_certificate (42) reached the server.
            #expect(server.waitForOutput("alert number 42"), "\(server.output)")
        }
    }

    /// A tampered server certificate signature: refused with bad_certificate.
    @Test func tamperedServerCertificate() throws {
        try TestServer.withOpenSSL(Self.openSSL(certificate: "server-ec-tampered", issuer: "int-ec")) { server in
            let result = TLS13Harness().run(port: server.port)
            #expect(throws: TLSError.certificate(.badSignature)) { try result.get() }
            #expect(server.waitForOutput("alert number 42"), "\(server.output)")
        }
    }

    /// A server without middlebox compatibility (`-no_middlebox`) sends no ChangeCipherSpec;
    /// with it, one (after its ServerHello or HelloRetryRequest), which the client drops once.
    @Test(arguments: [true, false], [false, true])
    func middleboxCompatibility(compatible: Bool, retry: Bool) throws {
        var extra = compatible ? [] : ["-no_middlebox"]
        if retry { extra += ["-groups", "P-384"] }
        try TestServer.withOpenSSL(Self.openSSL(extra: extra)) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let received = outcome.kinds.filter { $0 == .changeCipherSpecReceived }.count
            #expect(received == (compatible ? 1 : 0), "\(outcome.kinds)")
            #expect(outcome.kinds.contains(.helloRetryRequest(.secp384r1)) == retry)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    // MARK: 4. Chains

    static let chains: [(String, String, String)] = [
        ("server-ec", "int-ec", "root-ec"),
        ("server-ec384", "int-ec384", "root-ec"),
        ("server-rsa", "int-rsa", "root-rsa"),
        ("server-rsa-pss", "int-rsa", "root-rsa"),
    ]

    @Test(arguments: chains.indices)
    func serverChains(index: Int) throws {
        let (certificate, issuer, root) = Self.chains[index]
        try TestServer.withOpenSSL(Self.openSSL(certificate: certificate, issuer: issuer)) { server in
            var client = TLS13Harness()
            client.anchors = [root]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.kinds.contains(.certificateValidated))
            #expect(outcome.kinds.contains(.received(.certificateVerify)))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// The server's CertificateVerify pinned to one scheme (`-sigalgs`): each of the
    /// TLS 1.3 schemes the client offers for these keys verifies. RSA is always RSA-PSS in
    /// TLS 1.3 (RFC 8446 §4.4.3).
    static let schemes: [(String, String, String, String)] = [
        ("server-ec", "int-ec", "root-ec", "ecdsa_secp256r1_sha256"),
        ("server-ec384", "int-ec384", "root-ec", "ecdsa_secp384r1_sha384"),
        ("server-rsa", "int-rsa", "root-rsa", "rsa_pss_rsae_sha256"),
        ("server-rsa", "int-rsa", "root-rsa", "rsa_pss_rsae_sha384"),
        ("server-rsa", "int-rsa", "root-rsa", "rsa_pss_rsae_sha512"),
    ]

    @Test(arguments: schemes.indices)
    func serverSignatureSchemes(index: Int) throws {
        let (certificate, issuer, root, scheme) = Self.schemes[index]
        try TestServer.withOpenSSL(Self.openSSL(certificate: certificate, issuer: issuer, extra: ["-sigalgs", scheme])) { server in
            var client = TLS13Harness()
            client.anchors = [root]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.kinds.contains(.received(.certificateVerify)))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test(arguments: chains.indices)
    func wrongTrustAnchor(index: Int) throws {
        let (certificate, issuer, root) = Self.chains[index]
        try TestServer.withOpenSSL(Self.openSSL(certificate: certificate, issuer: issuer)) { server in
            var client = TLS13Harness()
            client.anchors = [root == "root-ec" ? "root-rsa" : "root-ec"]
            let result = client.run(port: server.port)
            #expect(throws: TLSError.certificate(.unknownIssuer)) { try result.get() }
            #expect(TLSError.certificate(.unknownIssuer).alert == .unknownCA)
            // The alert went out: s_server logs it (alert 48, unknown CA).
            #expect(server.waitForOutput("alert number 48") || server.waitForOutput("unknown ca"), "\(server.output)")
        }
    }

    /// s_server pads every TLS 1.3 record (`-record_padding`): the client finds the content
    /// type behind the zeros (RFC 8446 §5.4), in handshake and application records alike.
    @Test(arguments: [64, 512, 4096])
    func paddedRecords(blockSize: Int) throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-record_padding", String(blockSize)])) { server in
            let log = StreamLog()
            var client = TLS13Harness()
            client.log = log
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(outcome.closedByNotify)
            // The padding is there: some protected record is a whole multiple of the block plus the tag.
            var offset = 0
            var padded = false
            while offset + 5 <= log.received.count {
                let length = Int(log.received[offset + 3]) << 8 | Int(log.received[offset + 4])
                if log.received[offset] == 23, (length - 16) % blockSize == 0 { padded = true }
                offset += 5 + length
            }
            #expect(padded)
        }
    }

    // MARK: 5. Client certificates

    static var verifyingServer: [String] {
        openSSL(extra: ["-Verify", "1", "-verify_return_error", "-CAfile", ClientAuthTests.trustFile, "-crl_check"])
    }

    @Test(arguments: ["client-ec", "client-rsa"])
    func clientCertificateAccepted(certificate: String) throws {
        try TestServer.withOpenSSL(Self.verifyingServer) { server in
            var client = TLS13Harness()
            client.clientCertificate = certificate
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.kinds.contains(.received(.certificateRequest)))
            #expect(outcome.kinds.contains(.sent(.certificate)))
            #expect(outcome.kinds.contains(.sent(.certificateVerify)))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            // s_server's page names the client's CertificateVerify: RSA-PSS for the RSA key
            // (PKCS#1 v1.5 is not allowed in TLS 1.3).
            let type = certificate == "client-rsa" ? "RSA-PSS" : "ECDSA"
            #expect(outcome.text.contains("Peer signature type: \(type)\n"), "\(outcome.text.prefix(3000))")
        }
    }

    @Test func revokedClientCertificate() throws {
        try TestServer.withOpenSSL(Self.verifyingServer) { server in
            var client = TLS13Harness()
            client.clientCertificate = "client-ec-revoked"
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.certificateRevoked)) { try result.get() }
        }
    }

    @Test func noClientCertificate() throws {
        try TestServer.withOpenSSL(Self.verifyingServer) { server in
            let log = EventLog()
            var client = TLS13Harness()
            client.eventLog = log
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.certificateRequired)) { try result.get() }
            #expect(log.events.contains { $0.kind == .clientCertificateDeclined(.noCertificateConfigured) })
        }
    }

    // MARK: Region sizes and fragmented flights

    /// The regions exactly as the configuration asks for them (a board's sizing), every
    /// chain, with and without a client certificate: s_server's encrypted flight arrives in
    /// whole records, read where they lie.
    @Test(arguments: chains.indices, [nil, "client-ec", "client-rsa"])
    func configuredRegionSizes(index: Int, certificate: String?) throws {
        let (leaf, issuer, root) = Self.chains[index]
        var arguments = Self.openSSL(certificate: leaf, issuer: issuer)
        if certificate != nil {
            arguments = Self.openSSL(certificate: leaf, issuer: issuer, extra: [
                "-Verify", "1", "-verify_return_error", "-CAfile", ClientAuthTests.trustFile, "-crl_check",
            ])
        }
        try TestServer.withOpenSSL(arguments) { server in
            var client = TLS13Harness()
            client.anchors = [root]
            client.clientCertificate = certificate
            client.reassemblySize = nil
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// s_server cuts its records at 512 bytes: the encrypted Certificate spans records and
    /// is reassembled (16 KB region) ...
    @Test func serverFragmentsSmall() throws {
        try TestServer.withOpenSSL(Self.openSSL(certificate: "server-rsa", issuer: "int-rsa", extra: ["-max_send_frag", "512"])) { server in
            var client = TLS13Harness()
            client.anchors = ["root-rsa"]
            let log = StreamLog()
            client.log = log
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
            #expect(log.received.count > 3000)
        }
    }

    /// ... and a reassembly region of the configuration's 1 KB is too small for it: the
    /// error names the room there was.
    @Test func fragmentedCertificateNeedsReassemblyRoom() throws {
        try TestServer.withOpenSSL(Self.openSSL(certificate: "server-rsa", issuer: "int-rsa", extra: ["-max_send_frag", "512"])) { server in
            var client = TLS13Harness()
            client.anchors = ["root-rsa"]
            client.reassemblySize = nil
            let result = client.run(port: server.port)
            guard case .failure(.bufferTooSmall(let needed, let capacity)) = result else {
                Issue.record("\(result)")
                return
            }
            #expect(capacity == 1024)
            #expect(needed > 1024, "\(needed)")
        }
    }

    /// A HelloRetryRequest and a client certificate in one handshake: the certificate
    /// request and the client's signature follow the restarted transcript.
    @Test(arguments: ["client-ec", "client-rsa"])
    func helloRetryRequestWithClientCertificate(certificate: String) throws {
        let arguments = Self.openSSL(extra: [
            "-groups", "P-384", "-Verify", "1", "-verify_return_error", "-CAfile", ClientAuthTests.trustFile, "-crl_check",
        ])
        try TestServer.withOpenSSL(arguments) { server in
            var client = TLS13Harness()
            client.clientCertificate = certificate
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.kinds.contains(.helloRetryRequest(.secp384r1)))
            #expect(outcome.kinds.contains(.sent(.certificateVerify)))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// A chain that reaches none of the request's certificate_authorities (OpenSSL sends
    /// its CA file's names) is not sent: an empty Certificate, which the server refuses.
    @Test func clientCertificateFromUnknownCA() throws {
        try TestServer.withOpenSSL(Self.verifyingServer) { server in
            let log = EventLog()
            var client = TLS13Harness()
            client.clientCertificate = "client-unknown"
            client.eventLog = log
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.certificateRequired)) { try result.get() }
            #expect(log.events.contains { $0.kind == .clientCertificateDeclined(.authorityNotRequested) })
            #expect(!log.events.contains { $0.kind == .sent(.certificateVerify) })
        }
    }

    /// The server's signature_algorithms in its CertificateRequest (`-client_sigalgs`).
    static let clientSchemes: [(String, String, ClientCertificateDeclined?)] = [
        ("client-rsa", "rsa_pss_rsae_sha256", nil),
        ("client-rsa", "rsa_pss_rsae_sha384", nil),
        // TLS 1.3 hashes the signed content with the scheme's hash: SHA-512 serves (in 1.2
        // the client keeps to the SHA-256/384 of its transcript).
        ("client-rsa", "rsa_pss_rsae_sha512", nil),
        ("client-ec", "ecdsa_secp256r1_sha256", nil),
        ("client-rsa", "ecdsa_secp256r1_sha256", .noCommonSignatureScheme),
        ("client-ec", "rsa_pss_rsae_sha256", .noCommonSignatureScheme),
    ]

    @Test(arguments: clientSchemes.indices)
    func clientSignatureSchemes(index: Int) throws {
        let (certificate, scheme, declined) = Self.clientSchemes[index]
        let arguments = Self.openSSL(extra: [
            "-Verify", "1", "-verify_return_error", "-CAfile", ClientAuthTests.trustFile, "-crl_check",
            "-client_sigalgs", scheme,
        ])
        try TestServer.withOpenSSL(arguments) { server in
            let log = EventLog()
            var client = TLS13Harness()
            client.clientCertificate = certificate
            client.eventLog = log
            let result = client.run(port: server.port)
            if let declined {
                #expect(throws: TLSError.peerAlert(.certificateRequired)) { try result.get() }
                #expect(log.events.contains { $0.kind == .clientCertificateDeclined(declined) })
            } else {
                let outcome = try result.get()
                #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
                let digest = String(scheme.suffix(6)).uppercased()  // SHA256 / SHA384 / SHA512
                #expect(outcome.text.contains("Peer signing digest: \(digest)\n"), "\(outcome.text.prefix(3000))")
            }
        }
    }

    // MARK: 6. KeyUpdate

    /// s_server in its interactive mode: what it reads on stdin goes to the client (`k`/`K`
    /// alone on a line send a KeyUpdate), what it receives goes to its stdout.
    static var interactiveServer: [String] { openSSL(service: "-ign_eof") }

    static func keyUpdateEvents(_ kinds: [HandshakeEvent.Kind]) -> [HandshakeEvent.Kind] {
        kinds.filter {
            switch $0 {
            case .keyUpdateReceived, .keyUpdateSent: true
            default: false
            }
        }
    }

    @Test(arguments: [false, true])
    func serverKeyUpdate(requested: Bool) throws {
        try TestServer.withOpenSSL(Self.interactiveServer) { server in
            let steps: [TLS13Harness.Step] = [
                .write("hello-1\n"),
                .action { server.waitForOutput("hello-1") },
                .action { server.type(requested ? "K\n" : "k\n"); usleep(300_000) },
                .action { server.type("after-update\n") },
                .read(until: "after-update"),
                .write("hello-2\n"),
                .action { server.waitForOutput("hello-2") },
                .action { server.type("second\n") },
                .read(until: "second"),
            ]
            let outcome = try TLS13Harness().run(port: server.port, steps: steps).get()
            #expect(outcome.version == .tls13)
            let expected: [HandshakeEvent.Kind] = requested
                ? [.keyUpdateReceived(requested: true), .keyUpdateSent(requesting: false)]
                : [.keyUpdateReceived(requested: false)]
            #expect(Self.keyUpdateEvents(outcome.kinds) == expected)
            #expect(outcome.text.contains("after-update\n"))
            #expect(outcome.text.contains("second\n"))
            #expect(server.output.contains("hello-2"), "\(server.output)")
        }
    }

    /// The client's own KeyUpdate; asking for the server's brings one back before the
    /// server's next data, not asking brings none.
    @Test(arguments: [true, false])
    func clientKeyUpdate(requestingPeer: Bool) throws {
        try TestServer.withOpenSSL(Self.interactiveServer) { server in
            let steps: [TLS13Harness.Step] = [
                .write("before\n"),
                .action { server.waitForOutput("before") },
                .updateKeys(requestingPeer: requestingPeer),
                .write("after\n"),
                .action { server.waitForOutput("after") },
                .action { server.type("reply\n") },
                .read(until: "reply"),
                .write("again\n"),
                .action { server.waitForOutput("again") },
            ]
            let outcome = try TLS13Harness().run(port: server.port, steps: steps).get()
            let expected: [HandshakeEvent.Kind] = requestingPeer
                ? [.keyUpdateSent(requesting: true), .keyUpdateReceived(requested: false)]
                : [.keyUpdateSent(requesting: false)]
            #expect(Self.keyUpdateEvents(outcome.kinds) == expected)
            #expect(outcome.text.contains("reply\n"))
            #expect(server.output.contains("after"), "\(server.output)")
            #expect(server.output.contains("again"), "\(server.output)")
        }
    }

    /// TLS 1.2 has no KeyUpdate: asking for one is a caller error.
    @Test func updateKeysOnTLS12() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: "-tls1_2", service: "-ign_eof")) { server in
            let result = TLS13Harness().run(port: server.port, steps: [.updateKeys(requestingPeer: false)])
            #expect(throws: TLSError.invalidState) { try result.get() }
        }
    }

    /// With a limit of 4 records per key, ten records make the client update its keys by
    /// itself; the echo server (`-rev`) still answers every line.
    @Test func automaticKeyUpdate() throws {
        try TestServer.withOpenSSL(Self.openSSL(service: "-rev")) { server in
            var client = TLS13Harness()
            client.recordsBeforeKeyUpdate = 4
            var steps: [TLS13Harness.Step] = []
            for i in 0..<10 {
                steps.append(.write("line\(i)\n"))
                steps.append(.read(until: String("line\(i)".reversed())))
            }
            let outcome = try client.run(port: server.port, steps: steps).get()
            // Four application records per key: the updates go out before the 5th and the
            // 9th of the ten, without asking the server for its own.
            #expect(Self.keyUpdateEvents(outcome.kinds) == [.keyUpdateSent(requesting: false), .keyUpdateSent(requesting: false)],
                    "\(outcome.kinds)")
            for i in 0..<10 { #expect(outcome.text.contains(String("line\(i)".reversed()))) }
        }
    }

    /// Five KeyUpdates that each request ours: five answered, in order, data flowing between.
    @Test func repeatedRequestedKeyUpdates() throws {
        try TestServer.withOpenSSL(Self.interactiveServer) { server in
            var steps: [TLS13Harness.Step] = []
            for i in 0..<5 {
                steps.append(.action { server.type("K\n"); usleep(200_000) })
                steps.append(.action { server.type("round-\(i)\n") })
                steps.append(.read(until: "round-\(i)"))
                steps.append(.write("ack-\(i)\n"))
                steps.append(.action { server.waitForOutput("ack-\(i)") })
            }
            let outcome = try TLS13Harness().run(port: server.port, steps: steps).get()
            let pair: [HandshakeEvent.Kind] = [.keyUpdateReceived(requested: true), .keyUpdateSent(requesting: false)]
            #expect(Self.keyUpdateEvents(outcome.kinds) == Array([[HandshakeEvent.Kind]](repeating: pair, count: 5).joined()))
            #expect(server.output.contains("ack-4"), "\(server.output)")
        }
    }

    /// 40 KB each way through the echo server: full-size records from the server, the
    /// client's writes cut to its output region, with automatic key updates on the way.
    @Test func bulkTransfer() throws {
        try TestServer.withOpenSSL(Self.openSSL(service: "-rev")) { server in
            var client = TLS13Harness()
            client.recordsBeforeKeyUpdate = 16
            client.timeoutMilliseconds = 10_000
            let line = (0..<4000).map { String($0 % 10) }.joined()
            var steps: [TLS13Harness.Step] = []
            for i in 0..<10 {
                steps.append(.write("\(i)" + line + "\n"))
                steps.append(.read(until: String(("\(i)" + line).reversed())))
            }
            let outcome = try client.run(port: server.port, steps: steps).get()
            #expect(outcome.response.count >= 10 * 4001)
            #expect(Self.keyUpdateEvents(outcome.kinds).count >= 2)
        }
    }

    // MARK: 7. Tickets

    @Test func sessionTicketsAfterHandshake() throws {
        try TestServer.withOpenSSL(Self.openSSL()) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let tickets = outcome.kinds.filter { if case .sessionTicket = $0 { true } else { false } }
            #expect(tickets == [.sessionTicket(lifetime: 7200), .sessionTicket(lifetime: 7200)])
            #expect(!outcome.handshakeEvents.contains { if case .sessionTicket = $0.kind { true } else { false } })
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    // MARK: Key log

    /// The client's NSS key log lines are the server's (`-keylogfile`), label for label.
    @Test func keyLogMatchesOpenSSL() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlscore-keylog-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = KeyLogCapture()
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-keylogfile", path])) { server in
            var client = TLS13Harness()
            client.keyLog = capture
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
        let serverLines = Set(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") })
        let clientLines = capture.text.split(separator: "\n").map(String.init)
        let labels = Set(clientLines.compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(labels.isSuperset(of: ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                       "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"]), "\(labels)")
        for line in clientLines { #expect(serverLines.contains(line), "\(line) not in \(serverLines)") }
    }

    /// `-num_tickets N`: exactly N tickets, none with 0.
    @Test(arguments: [0, 1, 5])
    func ticketCount(count: Int) throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-num_tickets", String(count)])) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let tickets = outcome.kinds.filter { if case .sessionTicket = $0 { true } else { false } }
            #expect(tickets == Array(repeating: .sessionTicket(lifetime: 7200), count: count))
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// GnuTLS 3.7 sends two tickets by default, each valid for 6 hours (21600 s).
    @Test func gnuTLSTicket() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let tickets = outcome.kinds.filter { if case .sessionTicket = $0 { true } else { false } }
            #expect(tickets == [.sessionTicket(lifetime: 21600), .sessionTicket(lifetime: 21600)], "\(outcome.kinds)")
        }
    }

    /// Tickets that allow early data carry the early_data extension (RFC 8446 §4.6.1):
    /// parsed and passed over.
    @Test func ticketsWithEarlyDataExtension() throws {
        // s_server allows -early_data only in its interactive mode.
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-early_data"], service: "-ign_eof")) { server in
            let steps: [TLS13Harness.Step] = [
                .write("hello\n"),
                .action { server.waitForOutput("hello") },
                .action { server.type("world\n") },
                .read(until: "world"),
            ]
            let outcome = try TLS13Harness().run(port: server.port, steps: steps).get()
            let tickets = outcome.kinds.filter { if case .sessionTicket = $0 { true } else { false } }
            #expect(tickets == [.sessionTicket(lifetime: 7200), .sessionTicket(lifetime: 7200)])
            #expect(outcome.text.contains("world\n"))
        }
    }

    // MARK: 8. GnuTLS and record_size_limit

    @Test func gnuTLS13() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.suite.map { CipherSuites.tls13.contains($0) } == true)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    @Test(arguments: [512, 1024, 4096])
    func gnuTLSHonoursRecordSizeLimit(limit: Int) throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.recordSizeLimit = limit
            client.reassemblySize = nil
            let log = StreamLog()
            client.log = log
            // gnutls-serv's page quotes the request's header: a 3 KB header makes a page of
            // more than 3 KB, which needs several records of at most 1 KB.
            let padding = String(repeating: "x", count: 3000)
            let request = "GET / HTTP/1.0\r\nX-Padding: \(padding)\r\n\r\n"
            let outcome = try client.run(port: server.port, steps: [.write(request), .readToEnd]).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
            #expect(outcome.text.contains(padding))
            #expect(outcome.response.count > 3000, "\(outcome.response.count)")
            // Every record the server sent fits the limit (content and type, + 16 tag).
            var offset = 0
            var largest = 0
            while offset + 5 <= log.received.count {
                let length = Int(log.received[offset + 3]) << 8 | Int(log.received[offset + 4])
                largest = max(largest, length)
                offset += 5 + length
            }
            #expect(largest <= limit + 16, "\(largest)")
            #expect(largest > limit / 2, "\(largest)")
        }
    }

    /// GnuTLS ignores a record_size_limit below 512 (it omits the extension from its answer,
    /// lib/ext/record_size_limit.c): the client, whose input region holds only records of
    /// its limit (and at least 512 bytes of plaintext, for the unprotected ServerHello), ends
    /// cleanly, as with a server that ignored max_fragment_length.
    @Test(arguments: [257, 511])
    func gnuTLSIgnoresSmallRecordSizeLimit(limit: Int) throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.recordSizeLimit = limit
            client.reassemblySize = nil
            let result = client.run(port: server.port)
            #expect(throws: TLSError.maxFragmentLengthNotAccepted(capacity: 5 + 512 + 24)) { try result.get() }
        }
    }

    /// record_size_limit 64 (the smallest RFC 8449 allows): the server's plaintext
    /// ServerHello (122 bytes with an x25519 share) is outside the limit ("Unprotected
    /// messages are not subject to this limit", RFC 8449 §4), so the input region the
    /// configuration asks for takes 512 bytes of plaintext even so (5 + 512 + 24), the
    /// ServerHello is read, and GnuTLS's silence on limits below 512 ends the handshake
    /// cleanly, as for 257.
    @Test func recordSizeLimit64RegionHoldsServerHello() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            let log = StreamLog()
            var client = TLS13Harness()
            client.recordSizeLimit = 64
            client.reassemblySize = nil
            client.log = log
            let result = client.run(port: server.port)
            // The first record from the server is the plaintext ServerHello, larger than 5 + 64 + 24.
            #expect(log.received.count >= 6 && log.received[0] == 22 && log.received[5] == 2)
            if log.received.count >= 5 {
                let recordLength = 5 + (Int(log.received[3]) << 8 | Int(log.received[4]))
                #expect(recordLength > 93 && recordLength <= 541, "\(recordLength)")
            }
            #expect(throws: TLSError.maxFragmentLengthNotAccepted(capacity: 5 + 512 + 24)) { try result.get() }
        }
    }

    @Test func openSSLIgnoresRecordSizeLimit() throws {
        try TestServer.withOpenSSL(Self.openSSL()) { server in
            var client = TLS13Harness()
            client.recordSizeLimit = 1024
            client.reassemblySize = nil
            let result = client.run(port: server.port)
            #expect(throws: TLSError.maxFragmentLengthNotAccepted(capacity: 5 + 1024 + 24)) { try result.get() }
        }
    }

    static let gnuTLSCiphers: [(CipherSuite, String)] = [
        (.aes128GCMSHA256, "AES-128-GCM"),
        (.aes256GCMSHA384, "AES-256-GCM"),
        (.chacha20Poly1305SHA256, "CHACHA20-POLY1305"),
        (.aes128CCMSHA256, "AES-128-CCM"),
        (.aes128CCM8SHA256, "AES-128-CCM-8"),
    ]

    @Test(arguments: gnuTLSCiphers.indices)
    func everySuiteWithGnuTLS(index: Int) throws {
        let (suite, cipher) = Self.gnuTLSCiphers[index]
        let priority = "\(Self.tls13Priority):-CIPHER-ALL:+\(cipher)"
        try TestServer.withGnuTLS(TestServer.gnuTLSArguments(certificate: "server-ec", priority: priority)) { server in
            var client = TLS13Harness()
            if suite == .aes128CCM8SHA256 { client.suites.insert(suite) }
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.suite == suite)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    /// gnutls-serv with P-384 only: a HelloRetryRequest for it, as with OpenSSL.
    @Test func helloRetryRequestWithGnuTLS() throws {
        let priority = "\(Self.tls13Priority):-GROUP-ALL:+GROUP-SECP384R1"
        try TestServer.withGnuTLS(TestServer.gnuTLSArguments(certificate: "server-ec", priority: priority)) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            let retries = outcome.kinds.filter { if case .helloRetryRequest = $0 { true } else { false } }
            #expect(retries == [.helloRetryRequest(.secp384r1)])
            #expect(outcome.group == .secp384r1)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    static var gnuTLSVerifying: [String] {
        TestServer.gnuTLSArguments(certificate: "server-ec", priority: tls13Priority, extra: [
            "--x509cafile", Fixtures.pki("ca-bundle.pem"), "--x509crlfile", Fixtures.pki("int-ec.crl"),
            "--require-client-cert", "--verify-client-cert",
        ])
    }

    @Test(arguments: ["client-ec", "client-rsa"])
    func clientCertificateWithGnuTLS(certificate: String) throws {
        try TestServer.withGnuTLS(Self.gnuTLSVerifying) { server in
            var client = TLS13Harness()
            client.clientCertificate = certificate
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.kinds.contains(.sent(.certificateVerify)))
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    @Test func revokedClientCertificateWithGnuTLS() throws {
        try TestServer.withGnuTLS(Self.gnuTLSVerifying) { server in
            var client = TLS13Harness()
            client.clientCertificate = "client-ec-revoked"
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.accessDenied)) { try result.get() }
        }
    }

    @Test func noClientCertificateWithGnuTLS() throws {
        try TestServer.withGnuTLS(Self.gnuTLSVerifying) { server in
            let result = TLS13Harness().run(port: server.port)
            #expect(throws: TLSError.peerAlert(.certificateRequired)) { try result.get() }
        }
    }

    /// ALPN and record_size_limit in TLS 1.2 (the ServerHello carries them there).
    @Test func alpnOverTLS12() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: "-tls1_2", extra: ["-alpn", "h2,http/1.1"])) { server in
            var client = TLS13Harness()
            client.applicationProtocols = ["http/1.1"]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls12)
            #expect(outcome.applicationProtocol == "http/1.1")
        }
    }

    @Test func gnuTLSRecordSizeLimitOverTLS12() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.recordSizeLimit = 1024
            client.reassemblySize = nil
            let padding = String(repeating: "y", count: 3000)
            let request = "GET / HTTP/1.0\r\nX-Padding: \(padding)\r\n\r\n"
            let outcome = try client.run(port: server.port, steps: [.write(request), .readToEnd]).get()
            #expect(outcome.version == .tls12)
            #expect(outcome.text.contains(padding))
        }
    }

    /// The server's own record_size_limit (`--recordsize 512`, announced when the client
    /// announces one; GnuTLS announces 513 in TLS 1.3, its size plus the content type): the
    /// client's records stay within it (512 + type + 16-byte tag = 529 bytes). The control
    /// without `--recordsize`: larger records.
    @Test(arguments: [512, nil] as [Int?])
    func clientHonoursGnuTLSRecordSizeLimit(serverLimit: Int?) throws {
        let arguments = TestServer.gnuTLSArguments(
            certificate: "server-ec", priority: Self.tls13Priority,
            extra: serverLimit.map { ["--recordsize", String($0)] } ?? [])
        try TestServer.withGnuTLS(arguments) { server in
            let log = StreamLog()
            var client = TLS13Harness()
            client.recordSizeLimit = 16384
            client.log = log
            let padding = String(repeating: "z", count: 3000)
            let request = "GET / HTTP/1.0\r\nX-Padding: \(padding)\r\n\r\n"
            let outcome = try client.run(port: server.port, steps: [.write(request), .readToEnd]).get()
            #expect(outcome.text.contains(padding))
            var offset = 0
            var largest = 0
            while offset + 5 <= log.sent.count {
                let length = Int(log.sent[offset + 3]) << 8 | Int(log.sent[offset + 4])
                if offset > 0 { largest = max(largest, length) }  // not the ClientHello
                offset += 5 + length
            }
            if serverLimit != nil {
                #expect(largest == 512 + 1 + 16, "\(largest)")
            } else {
                #expect(largest > 512 + 1 + 16, "\(largest)")
            }
        }
    }

    /// max_fragment_length (RFC 6066) in TLS 1.3, answered in EncryptedExtensions: OpenSSL
    /// and GnuTLS keep to 512 bytes, and the regions the configuration asks for suffice.
    @Test(arguments: [true, false])
    func maxFragmentLength512(openSSL: Bool) throws {
        let body = { (server: TestServer) throws -> Void in
            let log = StreamLog()
            var client = TLS13Harness()
            client.maxFragment = .bytes512
            client.reassemblySize = nil
            client.log = log
            let padding = String(repeating: "m", count: 2000)
            let request = "GET / HTTP/1.0\r\nX-Padding: \(padding)\r\n\r\n"
            let outcome = try client.run(port: server.port, steps: [.write(request), .readToEnd]).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.contains(openSSL ? "HTTP/1.0 200 ok" : "HTTP/1.0 200 OK"))
            var offset = 0
            var largest = 0
            while offset + 5 <= log.received.count {
                let length = Int(log.received[offset + 3]) << 8 | Int(log.received[offset + 4])
                largest = max(largest, length)
                offset += 5 + length
            }
            #expect(largest <= 512 + 1 + 16, "\(largest)")
        }
        if openSSL {
            try TestServer.withOpenSSL(Self.openSSL(), body: body)
        } else {
            try TestServer.withGnuTLS(TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority), body: body)
        }
    }

    /// Both limits offered: GnuTLS takes record_size_limit and ignores max_fragment_length
    /// (RFC 8449 §5); the client accepts that.
    @Test func recordSizeLimitWinsOverMaxFragmentLength() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.maxFragment = .bytes1024
            client.recordSizeLimit = 1024
            client.reassemblySize = nil
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    // MARK: 9. Version negotiation

    @Test func tls12OnlyServerGetsTLS12() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: "-tls1_2")) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            #expect(outcome.version == .tls12)
            #expect(outcome.suite.map { CipherSuites.tls12.contains($0) } == true)
            #expect(outcome.group == nil)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test func bothVersionsServerGetsTLS13() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: nil)) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            #expect(outcome.version == .tls13)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test func tls13OnlyClientAgainstTLS12Server() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: "-tls1_2")) { server in
            var client = TLS13Harness()
            client.versions = .tls13
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.protocolVersion)) { try result.get() }
        }
    }

    @Test func tls12OnlyClientAgainstTLS13Server() throws {
        try TestServer.withOpenSSL(Self.openSSL()) { server in
            var client = TLS13Harness()
            client.versions = .tls12
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.protocolVersion)) { try result.get() }
        }
    }

    @Test func tls12OnlyClientAgainstGnuTLS13Server() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: Self.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.versions = .tls12
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.handshakeFailure)) { try result.get() }
        }
    }

    /// GnuTLS (1.2 only) sees only TLS 1.3 suites, none of its own: handshake_failure, not
    /// protocol_version as OpenSSL says.
    @Test func tls13OnlyClientAgainstGnuTLS12Server() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.versions = .tls13
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.handshakeFailure)) { try result.get() }
        }
    }

    @Test func gnuTLS12OnlyServerGetsTLS12() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
        try TestServer.withGnuTLS(arguments) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            #expect(outcome.version == .tls12)
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }

    // MARK: 10. Downgrade sentinel

    @Test func downgradeSentinelIsCaught() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: nil)) { server in
            try RecordRelay.with(upstream: server.port, clientToServer: RecordRelay.stripVersionExtensions) { relay in
                let log = StreamLog()
                var client = TLS13Harness()
                client.log = log
                let result = client.run(port: relay.port)
                #expect(throws: TLSError.downgradeDetected) { try result.get() }
                #expect(TLSError.downgradeDetected.alert == .illegalParameter)
                #expect(relay.rewrites == 1)
                // The server did answer TLS 1.2 with the sentinel in its random.
                let received = StreamLog.messages(StreamLog.leadingPayloads(of: 22, in: log.received))
                if let hello = received.first, hello.0 == 2, hello.1.count >= 38 {
                    #expect(hello.1[4] == 3 && hello.1[5] == 3)
                    #expect(Array(hello.1[30..<38]) == Array("DOWNGRD".utf8) + [1])
                } else {
                    Issue.record("no ServerHello: \(received.map(\.0))")
                }
                // And the client said illegal_parameter (47).
                #expect(log.sent.suffix(7).first == 21 && log.sent.last == 47, "\(log.sent.suffix(7))")
            }
        }
    }

    /// The control: the same rewrite in front of a TLS 1.2-only server, which sets no
    /// sentinel. The relay breaks nothing the client can see at the ServerHello; but with
    /// extended_master_secret the master secret hashes the original ClientHello (RFC 7627),
    /// so the two sides' keys differ and the server cannot open the client's Finished:
    /// bad_record_mac. The sentinel is what lets the client stop at the ServerHello.
    @Test func strippedHelloToTLS12ServerFailsAtFinished() throws {
        try TestServer.withOpenSSL(Self.openSSL(version: "-tls1_2")) { server in
            try RecordRelay.with(upstream: server.port, clientToServer: RecordRelay.stripVersionExtensions) { relay in
                let log = EventLog()
                var client = TLS13Harness()
                client.eventLog = log
                let result = client.run(port: relay.port)
                #expect(throws: TLSError.peerAlert(.badRecordMAC)) { try result.get() }
                #expect(relay.rewrites == 1)
                #expect(log.events.contains { $0.kind == .received(.serverHello) })
                #expect(log.events.contains { $0.kind == .sent(.finished) })
            }
        }
    }

    /// The relay's rewrite keeps a well-formed hello: without it nothing is removed.
    @Test func downgradeRelayStripsOnlyTheVersionExtensions() {
        // Record(ClientHello(version, random, session 0, suites [0x1301], compression [0],
        // extensions [43: 03 02 03 04], [0: 00 00], [51: 00 00])).
        var body: [UInt8] = [3, 3] + [UInt8](repeating: 7, count: 32) + [0, 0, 2, 0x13, 0x01, 1, 0]
        let extensions: [UInt8] = [0, 43, 0, 3, 2, 3, 4, 0, 0, 0, 0, 0, 51, 0, 0]
        body += [0, UInt8(extensions.count)] + extensions
        let handshake: [UInt8] = [1, 0, 0, UInt8(body.count)] + body
        let record: [UInt8] = [22, 3, 1, 0, UInt8(handshake.count)] + handshake
        let stripped = RecordRelay.strip(record)
        let expectedBody = Array(body[0..<(body.count - extensions.count - 2)]) + [0, 4, 0, 0, 0, 0]
        let expected: [UInt8] = [22, 3, 1, 0, UInt8(expectedBody.count + 4), 1, 0, 0, UInt8(expectedBody.count)] + expectedBody
        #expect(stripped == expected)
    }

    // MARK: 11. ALPN

    @Test func alpnSelectsOfferedProtocol() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-alpn", "h2,http/1.1"])) { server in
            var client = TLS13Harness()
            client.applicationProtocols = ["http/1.1"]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.applicationProtocol == "http/1.1")
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test func alpnSecondOfTwo() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-alpn", "http/1.1"])) { server in
            var client = TLS13Harness()
            client.applicationProtocols = ["h2", "http/1.1"]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.applicationProtocol == "http/1.1")
        }
    }

    /// No name in common: OpenSSL 3.0's s_server refuses with no_application_protocol
    /// (RFC 7301 §3.2) rather than going on without ALPN.
    @Test func alpnNoOverlap() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-alpn", "http/1.1"])) { server in
            var client = TLS13Harness()
            client.applicationProtocols = ["h2x"]
            let result = client.run(port: server.port)
            #expect(throws: TLSError.peerAlert(.noApplicationProtocol)) { try result.get() }
        }
    }

    /// The client without ALPN against a server that has some: no extension either way.
    @Test func alpnNotOffered() throws {
        try TestServer.withOpenSSL(Self.openSSL(extra: ["-alpn", "http/1.1"])) { server in
            let outcome = try TLS13Harness().run(port: server.port).get()
            #expect(outcome.applicationProtocol == nil)
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test func alpnWithGnuTLS() throws {
        let arguments = TestServer.gnuTLSArguments(
            certificate: "server-ec", priority: Self.tls13Priority, extra: ["--alpn", "http/1.1"])
        try TestServer.withGnuTLS(arguments) { server in
            var client = TLS13Harness()
            client.applicationProtocols = ["h2", "http/1.1"]
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.applicationProtocol == "http/1.1")
            #expect(outcome.text.contains("HTTP/1.0 200 OK"))
        }
    }
}
