import Testing
import TLSCore
import TLSPlatform

/// The core's client against the core's server, in memory: every byte one engine writes is
/// handed to the other, so both machines are checked against each other for every version,
/// key exchange and client-authentication outcome, with nothing else in between. (The
/// servers and clients of other implementations are in the interop tests.)
@Suite(.serialized) struct ServerLoopbackTests {
    struct Outcome {
        var client: EngineState
        var server: EngineState
        var clientSuite: CipherSuite?
        var serverSuite: CipherSuite?
        var serverGroup: NamedGroup?
        var clientCertificate: [UInt8] = []
        var clientReceived: [UInt8] = []
        var serverReceived: [UInt8] = []
        var serverEvents: [HandshakeEvent] = []
        var serverALPN: [UInt8] = []
    }

    static let serverName: [UInt8] = Array("localhost".utf8)

    /// Runs a handshake between `client` and `server`, then one message each way when both connected.
    static func run(
        _ client: ClientConfiguration, _ server: ServerConfiguration, serverALPN: [UInt8] = [], keyUpdates: Bool = false,
        garbageAfterwards: Bool = false
    ) throws -> Outcome {
        var cIn = [UInt8](repeating: 0, count: client.inputRegionSize)
        var cOut = [UInt8](repeating: 0, count: client.outputRegionSize)
        var cRe = [UInt8](repeating: 0, count: max(client.reassemblyRegionSize, 8192))
        var sIn = [UInt8](repeating: 0, count: server.inputRegionSize)
        var sOut = [UInt8](repeating: 0, count: server.outputRegionSize)
        var sRe = [UInt8](repeating: 0, count: server.reassemblyRegionSize)
        // A raw buffer, so that the test can read it while the engine still borrows it.
        let kept = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2048)
        kept.initialize(repeating: 0)
        defer { kept.deallocate() }
        let serverConfiguration = server.keepingClientCertificate(in: kept.mutableSpan)
        var c = try ClientEngine(
            configuration: client, input: cIn.mutableSpan, output: cOut.mutableSpan, reassembly: cRe.mutableSpan,
            random: try Random(entropy: SystemEntropy.source, personalization: Span()))
        var s = try ServerEngine(
            configuration: serverConfiguration, input: sIn.mutableSpan, output: sOut.mutableSpan,
            reassembly: sRe.mutableSpan, random: try Random(entropy: SystemEntropy.source, personalization: Span()))
        try c.start()
        try s.start()
        var events: [HandshakeEvent] = []
        var rounds = 0
        while rounds < 40 {
            rounds += 1
            var moved = false
            if c.hasOutgoing { moved = true; Self.move(from: &c, to: &s) }
            while let event = s.nextEvent() { events.append(event) }
            if s.hasOutgoing { moved = true; Self.move(from: &s, to: &c) }
            if !moved { break }
        }
        var outcome = Outcome(
            client: c.state, server: s.state, clientSuite: c.negotiatedSuite, serverSuite: s.negotiatedSuite,
            serverGroup: s.negotiatedGroup)
        while let event = s.nextEvent() { events.append(event) }
        outcome.serverEvents = events
        outcome.clientCertificate = Array(kept[0..<s.verifiedPeerCertificateLength])
        if let range = s.negotiatedApplicationProtocol { outcome.serverALPN = Array(serverALPN[range]) }
        guard c.state.isConnected, s.state.isConnected else { return outcome }
        let ping: [UInt8] = Array("ping from client".utf8)
        _ = try c.send(ping.span)
        Self.move(from: &c, to: &s)
        outcome.serverReceived = Self.drain(&s)
        let pong: [UInt8] = Array("pong from server".utf8)
        _ = try s.send(pong.span)
        Self.move(from: &s, to: &c)
        outcome.clientReceived = Self.drain(&c)
        if garbageAfterwards {
            // A protected record that does not open: the server ends with bad_record_mac.
            let record: [UInt8] = [23, 3, 3, 0, 32] + [UInt8](repeating: 0x5a, count: 32)
            var room = s.incomingRoom()
            for i in 0..<record.count { room[i] = record[i] }
            try? s.didReceive(record.count)
            outcome.server = s.state
        }
        if keyUpdates {
            // TLS 1.3 §4.6.3: the server updates and asks the client to; the client answers
            // with its own; data flows under the new keys both ways.
            try s.updateKeys(requestingPeer: true)
            Self.move(from: &s, to: &c)
            _ = Self.drain(&c)
            Self.move(from: &c, to: &s)
            _ = try c.send(ping.span)
            Self.move(from: &c, to: &s)
            outcome.serverReceived += Self.drain(&s)
            try c.updateKeys(requestingPeer: false)
            _ = try s.send(pong.span)
            Self.move(from: &s, to: &c)
            Self.move(from: &c, to: &s)
            outcome.clientReceived += Self.drain(&c)
            while let event = s.nextEvent() { outcome.serverEvents.append(event) }
            outcome.client = c.state
            outcome.server = s.state
        }
        return outcome
    }

    /// Moves all of `a`'s outgoing bytes into `b` (errors end up in `b.state`).
    static func move<A: HandshakeMachine & ~Copyable, B: HandshakeMachine & ~Copyable>(
        from a: inout ScopedEngine<A>, to b: inout ScopedEngine<B>
    ) {
        while a.hasOutgoing {
            let bytes = EngineHarness.bytes(a.outgoing)
            a.didSend(bytes.count)
            var offset = 0
            while offset < bytes.count {
                var room = b.incomingRoom()
                let take = min(room.count, bytes.count - offset)
                if take == 0 { return }
                for i in 0..<take { room[i] = bytes[offset + i] }
                offset += take
                do { try b.didReceive(take) } catch { return }
            }
        }
    }

    static func drain<M: HandshakeMachine & ~Copyable>(_ engine: inout ScopedEngine<M>) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 256)
        var span = buffer.mutableSpan
        let count = (try? engine.receive(into: &span)) ?? 0
        return Array(buffer[0..<count])
    }

    // MARK: configurations

    static let anchors = PKI.anchors
    static let crls = PKI.der("int-ec.crl") + PKI.der("root-ec.crl") + PKI.der("int-rsa.crl")

    static func chain(_ name: String) -> [UInt8] { PKI.chain(name).flatMap { $0 } }
    static func key(_ name: String) -> [UInt8] { PKI.data(name + ".key.der") }

    static func check(
        server: String = "server-ec", clientCertificate: String? = nil, clientAuthentication: ServerSettings.ClientAuthentication = .none,
        clientVersions: TLSVersions = .all, clientSuites: CipherSuites = .defaults, serverSuites: CipherSuites = .defaults,
        clientGroups: NamedGroups = .defaults, serverGroups: NamedGroups = .defaults,
        clientALPN: [UInt8] = [], serverALPN: [UInt8] = [], serverVersions: TLSVersions = .all,
        revocation: ValidationPolicy.Revocation = .checkAvailable, secondServer: String? = nil,
        serverName: [UInt8] = serverName
    ) throws -> Outcome {
        let serverChain = chain(server), serverKey = key(server)
        let secondChain = secondServer.map(chain) ?? [], secondKey = secondServer.map(key) ?? []
        let clientChain = clientCertificate.map(chain) ?? [], clientKey = clientCertificate.map(key) ?? []
        let client = ClientConfiguration(
            serverName: serverName.span, serverAddress: Span(), trustAnchors: anchors.span, crls: Span(),
            time: PKI.time, suites: clientSuites, versions: clientVersions, groups: clientGroups,
            applicationProtocols: clientALPN.span, clientCertificateChain: clientChain.span, clientPrivateKey: clientKey.span)
        let serverConfiguration = ServerConfiguration(
            certificateChain: serverChain.span, privateKey: serverKey.span, clientAuthentication: clientAuthentication,
            clientTrustAnchors: anchors.span, crls: crls.span, time: PKI.time, suites: serverSuites,
            versions: serverVersions, groups: serverGroups, applicationProtocols: serverALPN.span, revocation: revocation)
        if secondServer != nil {
            return try run(client, serverConfiguration.withSecondCertificate(chain: secondChain.span, key: secondKey.span), serverALPN: serverALPN)
        }
        return try run(client, serverConfiguration, serverALPN: serverALPN)
    }

    static func expectExchanged(_ outcome: Outcome) {
        #expect(outcome.client.isConnected, "client: \(outcome.client)")
        #expect(outcome.server.isConnected, "server: \(outcome.server)")
        #expect(outcome.clientSuite == outcome.serverSuite)
        #expect(outcome.serverReceived == Array("ping from client".utf8))
        #expect(outcome.clientReceived == Array("pong from server".utf8))
    }

    // MARK: tests

    @Test func tls13WithEachSuite() throws {
        let suites: [CipherSuite] = [.aes128GCMSHA256, .aes256GCMSHA384, .chacha20Poly1305SHA256, .aes128CCMSHA256, .aes128CCM8SHA256]
        for suite in suites {
            let outcome = try Self.check(clientSuites: CipherSuites(suite), serverSuites: .all)
            Self.expectExchanged(outcome)
            #expect(outcome.serverSuite == suite)
            #expect(outcome.serverGroup == .x25519)
        }
    }

    @Test func keyUpdatesBothWays() throws {
        let chain = Self.chain("server-ec"), key = Self.key("server-ec")
        let client = ClientConfiguration(
            serverName: Self.serverName.span, serverAddress: Span(), trustAnchors: Self.anchors.span, crls: Span(),
            time: PKI.time, versions: .tls13)
        let server = ServerConfiguration(certificateChain: chain.span, privateKey: key.span, time: PKI.time)
        let outcome = try Self.run(client, server, keyUpdates: true)
        #expect(outcome.client.isConnected && outcome.server.isConnected, "\(outcome.client) \(outcome.server)")
        #expect(outcome.serverReceived == Array("ping from client".utf8) + Array("ping from client".utf8))
        #expect(outcome.clientReceived == Array("pong from server".utf8) + Array("pong from server".utf8))
        #expect(outcome.serverEvents.contains { $0.kind == .keyUpdateSent(requesting: true) })
        #expect(outcome.serverEvents.contains { $0.kind == .keyUpdateReceived(requested: false) })
    }

    @Test func tls13WithRSACertificate() throws {
        let outcome = try Self.check(server: "server-rsa")
        Self.expectExchanged(outcome)
        #expect(outcome.serverSuite?.version == .tls13)
    }

    @Test func tls12KeyExchanges() throws {
        let cases: [(String, CipherSuite)] = [
            ("server-ec", .ecdheECDSAWithAES128GCMSHA256), ("server-ec", .ecdheECDSAWithChaCha20Poly1305SHA256),
            ("server-ec", .ecdheECDSAWithAES128CCM), ("server-rsa", .ecdheRSAWithAES256GCMSHA384),
            ("server-rsa", .rsaWithAES128GCMSHA256), ("server-rsa", .rsaWithAES256GCMSHA384),
        ]
        for (server, suite) in cases {
            let outcome = try Self.check(server: server, clientVersions: .tls12, clientSuites: CipherSuites(suite), serverSuites: .all)
            Self.expectExchanged(outcome)
            #expect(outcome.serverSuite == suite, "\(server) \(suite)")
        }
    }

    @Test func tls12ClientOfferingBothGetsTheDowngradeSentinelOnlyWhenServerLacks13() throws {
        // A 1.2-only server answering a client that offered 1.3: no sentinel, accepted.
        let outcome = try Self.check(serverVersions: .tls12)
        Self.expectExchanged(outcome)
        #expect(outcome.serverSuite?.version == .tls12)
    }

    @Test func helloRetryRequestWhenTheShareDoesNotFit() throws {
        var clientGroups = NamedGroups(.secp256r1)
        clientGroups.append(.x25519)
        let outcome = try Self.check(clientGroups: clientGroups, serverGroups: NamedGroups(.x25519))
        Self.expectExchanged(outcome)
        #expect(outcome.serverGroup == .x25519)
        #expect(outcome.serverEvents.contains { $0.kind == .helloRetryRequested(.x25519) })
    }

    @Test func clientCertificateVerifiedBothVersions() throws {
        for versions in [TLSVersions.tls12, .tls13] {
            for client in ["client-ec", "client-rsa"] {
                let outcome = try Self.check(clientCertificate: client, clientAuthentication: .required, clientVersions: versions)
                Self.expectExchanged(outcome)
                #expect(outcome.clientCertificate == PKI.der(client), "\(client) \(versions)")
                #expect(outcome.serverEvents.contains { $0.kind == .clientCertificateValidated && $0.step == 6 })
            }
        }
    }

    @Test func missingClientCertificate() throws {
        let tls13 = try Self.check(clientAuthentication: .required, clientVersions: .tls13)
        #expect(tls13.server == .failed(.certificateRequired))
        #expect(tls13.client == .failed(.peerAlert(.certificateRequired)))
        let tls12 = try Self.check(clientAuthentication: .required, clientVersions: .tls12)
        #expect(tls12.server == .failed(.handshakeFailure))
        #expect(tls12.client == .failed(.peerAlert(.handshakeFailure)))
        // Optional: served without one.
        let optional = try Self.check(clientAuthentication: .optional)
        Self.expectExchanged(optional)
        #expect(optional.clientCertificate.isEmpty)
    }

    @Test func refusedClientCertificates() throws {
        for versions in [TLSVersions.tls12, .tls13] {
            let revoked = try Self.check(clientCertificate: "client-ec-revoked", clientAuthentication: .required, clientVersions: versions)
            #expect(revoked.server == .failed(.certificate(.revoked)))
            #expect(revoked.client == .failed(.peerAlert(.certificateRevoked)))
            // The CertificateRequest names our CAs: the core's client, whose chain reaches none
            // of them, declines and sends none (openssl s_client sends it anyway: the serve
            // tests see unknown_ca).
            let unknown = try Self.check(clientCertificate: "client-unknown", clientAuthentication: .optional, clientVersions: versions)
            Self.expectExchanged(unknown)
            #expect(unknown.clientCertificate.isEmpty)
            #expect(unknown.serverEvents.contains { $0.kind == .clientCertificateAbsent })
            // Expired; EKU serverAuth only; a key not allowed to sign (keyAgreement only).
            let expired = try Self.check(clientCertificate: "client-expired", clientAuthentication: .required, clientVersions: versions)
            #expect(expired.server == .failed(.certificate(.expired)))
            #expect(expired.client == .failed(.peerAlert(.certificateExpired)))
            let serverOnly = try Self.check(
                clientCertificate: "client-serverauth-only", clientAuthentication: .required, clientVersions: versions)
            #expect(serverOnly.server == .failed(.certificate(.violates(.extendedKeyUsageLacksClientAuth))))
            #expect(serverOnly.client == .failed(.peerAlert(.unsupportedCertificate)))
            let noSignature = try Self.check(
                clientCertificate: "client-no-digsig", clientAuthentication: .required, clientVersions: versions)
            #expect(noSignature.server == .failed(.certificate(.violates(.keyUsageLacksDigitalSignature))))
        }
    }

    @Test func applicationProtocolChosenByServerPreference() throws {
        let client: [UInt8] = [8] + Array("http/1.1".utf8) + [2] + Array("h2".utf8)
        let server: [UInt8] = [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8)
        for versions in [TLSVersions.tls12, .tls13] {
            let outcome = try Self.check(clientVersions: versions, clientALPN: client, serverALPN: server)
            Self.expectExchanged(outcome)
            #expect(outcome.serverALPN == [2] + Array("h2".utf8))
        }
        let none = try Self.check(clientALPN: [3] + Array("foo".utf8), serverALPN: server)
        #expect(none.server == .failed(.noApplicationProtocol))
    }

    @Test func certificateChosenByServerNameThenBySignatureAlgorithms() throws {
        // server_name picks the certificate that carries it, in either position.
        Self.expectExchanged(try Self.check(server: "server-wrongname", secondServer: "server-ec"))
        Self.expectExchanged(try Self.check(server: "server-ec", secondServer: "server-wrongname", serverName: Array("other.example".utf8)))
        // A TLS 1.2 client offering only ECDHE_ECDSA gets the EC certificate behind an RSA one,
        // and only ECDHE_RSA the RSA one.
        let ec = try Self.check(server: "server-rsa", clientVersions: .tls12, clientSuites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256), secondServer: "server-ec")
        Self.expectExchanged(ec)
        let rsa = try Self.check(server: "server-ec", clientVersions: .tls12, clientSuites: CipherSuites(.ecdheRSAWithAES128GCMSHA256), secondServer: "server-rsa")
        Self.expectExchanged(rsa)
    }

    /// A "secure element" for the signer tests: the key lives here, outside the core.
    nonisolated(unsafe) static var elementKey: [UInt8] = []
    nonisolated(unsafe) static var elementSignatures = 0
    static let element: Signer.Function = { _, scheme, digest, digestLength, output, capacity in
        guard let digest, let output, let algorithm = SignatureAlgorithm(tlsSignatureScheme: scheme),
              var key = try? PrivateKey(der: ServerLoopbackTests.elementKey.span),
              var random = try? Random(entropy: SystemEntropy.source, personalization: Span()) else { return -1 }
        let digestSpan = Span(_unsafeStart: digest, count: digestLength)
        var outputSpan = MutableSpan(_unsafeStart: output, count: capacity)
        guard let length = try? key.sign(algorithm, digest: digestSpan, random: &random, into: &outputSpan) else { return -1 }
        ServerLoopbackTests.elementSignatures += 1
        return length
    }

    @Test(arguments: [TLSVersions.tls12, .tls13])
    func signerInPlaceOfTheServerKey(versions: TLSVersions) throws {
        Self.elementKey = Self.key("server-ec")
        Self.elementSignatures = 0
        let serverChain = Self.chain("server-ec")
        let client = ClientConfiguration(
            serverName: Self.serverName.span, serverAddress: Span(), trustAnchors: Self.anchors.span, crls: Span(),
            time: PKI.time, versions: versions)
        let server = ServerConfiguration(certificateChain: serverChain.span, privateKey: Span(), time: PKI.time)
            .signing(with: Signer(Self.element))
        Self.expectExchanged(try Self.run(client, server))
        #expect(Self.elementSignatures == 1)
        // A signer that fails ends the handshake with internal_error.
        Self.elementKey = []
        let failing = try Self.run(client, ServerConfiguration(certificateChain: serverChain.span, privateKey: Span(), time: PKI.time)
            .signing(with: Signer(Self.element)))
        #expect(failing.client == .failed(.peerAlert(.internalError)))
    }

    @Test(arguments: [TLSVersions.tls12, .tls13])
    func signerInPlaceOfTheClientKey(versions: TLSVersions) throws {
        Self.elementKey = Self.key("client-ec")
        Self.elementSignatures = 0
        let clientChain = Self.chain("client-ec"), serverChain = Self.chain("server-ec"), serverKey = Self.key("server-ec")
        let client = ClientConfiguration(
            serverName: Self.serverName.span, serverAddress: Span(), trustAnchors: Self.anchors.span, crls: Span(),
            time: PKI.time, versions: versions, clientCertificateChain: clientChain.span, clientPrivateKey: Span())
            .signing(with: Signer(Self.element))
        let server = ServerConfiguration(
            certificateChain: serverChain.span, privateKey: serverKey.span, clientAuthentication: .required,
            clientTrustAnchors: Self.anchors.span, time: PKI.time)
        let outcome = try Self.run(client, server)
        Self.expectExchanged(outcome)
        #expect(outcome.clientCertificate == PKI.der("client-ec"))
        #expect(Self.elementSignatures == 1)
    }

    @Test func noCommonVersionOrSuite() throws {
        let version = try Self.check(clientVersions: .tls12, serverVersions: .tls13)
        #expect(version.server == .failed(.protocolVersion))
        let suite = try Self.check(
            clientVersions: .tls12, clientSuites: CipherSuites(.ecdheRSAWithAES128GCMSHA256), serverSuites: .defaults)
        #expect(suite.server == .failed(.handshakeFailure))  // an EC certificate cannot serve ECDHE_RSA
    }
}
