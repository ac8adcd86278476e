import Foundation
import Testing
@testable import TLSCore
import TLSPlatform

/// The defects of the TLS 1.2 client's security review (issue 12), each driven with crafted
/// or real server bytes: close and failure end everything, fatal descriptions are fatal
/// whatever their level, messages come once, weak keys and absurd lengths are refused with
/// the right alert, secrets do not outlive their use.
@Suite struct EngineHardeningTests {
    /// A started storable engine (root-ec trusted, localhost, 2030) in heap memory, so that
    /// its bytes can be inspected; its regions too.
    final class Fixture {
        let name = Array("localhost".utf8)
        let anchors = Fixtures.der("root-ec")
        let none: [UInt8] = []
        let keyLogCapture = KeyLogCapture()
        let regions: [UnsafeMutableBufferPointer<UInt8>]
        let engine: UnsafeMutablePointer<Engine<Client>>
        let clientHello: [UInt8]

        init(suites: CipherSuites = CipherSuites(.ecdheECDSAWithAES128GCMSHA256)) throws {
            // Locals share the arrays' storage, which the fixture keeps alive for the engine.
            let (serverName, trustAnchors, empty) = (name, anchors, none)
            let configuration = ClientConfiguration(
                serverName: serverName.span, serverAddress: empty.span, trustAnchors: trustAnchors.span, crls: empty.span,
                time: 1_893_456_000, suites: suites, keyLog: keyLogCapture.keyLog)
            regions = [configuration.inputRegionSize, configuration.outputRegionSize, 4096].map {
                let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: $0)
                region.initialize(repeating: 0)
                return region
            }
            engine = .allocate(capacity: 1)
            engine.initialize(to: try Engine<Client>(
                unsafeSettings: configuration.settings, input: regions[0], output: regions[1], reassembly: regions[2],
                random: try Random(entropy: SystemEntropy.source, personalization: Span())))
            try engine.pointee.start()
            clientHello = Self.pending(engine.pointee)
            engine.pointee.didSend(clientHello.count)
        }

        deinit {
            engine.deinitialize(count: 1)
            engine.deallocate()
            for region in regions { region.deallocate() }
        }

        var clientRandom: [UInt8] { Array(clientHello[11..<43]) }

        func feed(_ bytes: [UInt8]) throws(TLSError) {
            try Self.feed(&engine.pointee, bytes)
        }

        var outgoing: [UInt8] { Self.pending(engine.pointee) }

        private static func feed(_ engine: inout Engine<Client>, _ bytes: [UInt8]) throws(TLSError) {
            var room = engine.incomingRoom()
            precondition(room.count >= bytes.count)
            for i in bytes.indices { room[i] = bytes[i] }
            try engine.didReceive(bytes.count)
        }

        private static func pending(_ engine: borrowing Engine<Client>) -> [UInt8] {
            EngineHarness.bytes(engine.outgoing)
        }

        /// Whether `secret` occurs anywhere in the engine's own memory or its regions.
        func holdsBytes(_ secret: [UInt8]) -> Bool {
            let engineBytes = UnsafeRawBufferPointer(start: engine, count: MemoryLayout<Engine<Client>>.size)
            return ([Array(engineBytes)] + regions.map { Array($0) }).contains { Self.contains($0, secret) }
        }

        private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard needle.count <= haystack.count else { return false }
            for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
                return true
            }
            return false
        }
    }

    static let serverRandom = [UInt8](repeating: 0x42, count: 32)

    /// ServerHello (with extended_master_secret), Certificate (server-ec, int-ec) and a
    /// validly signed ServerKeyExchange, as records.
    static func serverFlightUntilKeyExchange(clientRandom: [UInt8]) throws -> [UInt8] {
        let hello = EngineTests.serverHello(random: serverRandom, extensions: [0, 23, 0, 0])
        return hello + certificateRecord() + (try keyExchangeRecord(clientRandom: clientRandom))
    }

    static func certificateRecord() -> [UInt8] {
        var list: [UInt8] = []
        for certificate in ["server-ec", "int-ec"].map({ Fixtures.der($0) }) {
            list += [0, UInt8(certificate.count >> 8), UInt8(certificate.count & 0xFF)] + certificate
        }
        return EngineTests.record(22, EngineTests.handshake(11, [0, UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list))
    }

    static func keyExchangeRecord(clientRandom: [UInt8]) throws -> [UInt8] {
        let parameters = try ServerKeyExchangeTests.signedParameters(clientRandom: clientRandom, serverRandom: serverRandom)
        return EngineTests.record(22, EngineTests.handshake(12, parameters))
    }

    static let serverHelloDone = EngineTests.record(22, EngineTests.handshake(14, []))
    /// certificate_types ecdsa_sign, signature_algorithms ecdsa_secp256r1_sha256, no authorities.
    static let certificateRequest = EngineTests.record(22, EngineTests.handshake(13, [1, 64, 0, 2, 4, 3, 0, 0]))

    // MARK: 1. close() ends the handshake

    /// close() after the ServerKeyExchange: the ServerHelloDone that follows is refused, no
    /// flight goes out, no key is derived, and the state never reaches connected.
    @Test func closeMidHandshakeRefusesTheRest() throws {
        let fixture = try Fixture()
        try fixture.feed(try Self.serverFlightUntilKeyExchange(clientRandom: fixture.clientRandom))
        fixture.engine.pointee.close()
        #expect(fixture.outgoing == [21, 3, 3, 0, 2, 1, 0])  // close_notify, nothing else
        #expect(throws: TLSError.invalidState) { try fixture.feed(Self.serverHelloDone) }
        #expect(fixture.engine.pointee.state == .closed)
        #expect(fixture.outgoing == [21, 3, 3, 0, 2, 1, 0])
        #expect(fixture.keyLogCapture.lines.isEmpty)  // no key was ever derived
    }

    /// The key schedule itself refuses a pre-master secret of the wrong length, empty above all.
    @Test(arguments: [0, 1, 31, 47, 49])
    func keyScheduleRefusesWrongLengthPreMaster(length: Int) {
        let preMaster = [UInt8](repeating: 7, count: length)
        var master = [UInt8](repeating: 0, count: 48)
        var masterSpan = master.mutableSpan
        let random = [UInt8](repeating: 1, count: 32)
        #expect(throws: TLSError.invalidState) {
            try KeySchedule12.deriveMasterSecret(
                .sha256, preMasterSecret: preMaster.span, clientRandom: random.span, serverRandom: random.span,
                extendedMasterSecret: false, sessionHash: Span(), into: &masterSpan)
        }
    }

    // MARK: 2. warning alerts with fatal descriptions

    /// Sent at warning level, a description RFC 5246 §7.2.2 lists as fatal still ends the
    /// handshake (RFC 8446 §6: every alert but close_notify and user_canceled is fatal).
    @Test(arguments: [AlertDescription.unexpectedMessage, .badRecordMAC, .handshakeFailure, .badCertificate,
                      .illegalParameter, .internalError])
    func warningWithFatalDescriptionIsFatal(description: AlertDescription) throws {
        try EngineTests.expectFailure(EngineTests.record(21, [1, description.rawValue]), .peerAlert(description), alert: nil)
    }

    /// The genuinely warning ones are passed over.
    @Test(arguments: [UInt8(90), 100, 112])
    func genuineWarningsArePassedOver(code: UInt8) throws {
        try EngineTests.withEngine { engine in
            try EngineTests.feed(&engine, EngineTests.record(21, [1, code]))
            #expect(engine.state == .handshaking)
        }
    }

    // MARK: 3. each message once

    @Test func secondCertificateRequestIsUnexpected() throws {
        let fixture = try Fixture()
        try fixture.feed(try Self.serverFlightUntilKeyExchange(clientRandom: fixture.clientRandom) + Self.certificateRequest)
        #expect(throws: TLSError.unexpectedMessage) { try fixture.feed(Self.certificateRequest) }
        #expect(fixture.outgoing == [21, 3, 3, 0, 2, 2, 10])
    }

    @Test func secondServerKeyExchangeIsUnexpected() throws {
        let fixture = try Fixture()
        try fixture.feed(try Self.serverFlightUntilKeyExchange(clientRandom: fixture.clientRandom))
        #expect(throws: TLSError.unexpectedMessage) {
            try fixture.feed(try Self.keyExchangeRecord(clientRandom: fixture.clientRandom))
        }
        #expect(fixture.outgoing == [21, 3, 3, 0, 2, 2, 10])
    }

    @Test func secondCertificateIsUnexpected() throws {
        let fixture = try Fixture()
        try fixture.feed(EngineTests.serverHello(random: Self.serverRandom, extensions: [0, 23, 0, 0]) + Self.certificateRecord())
        #expect(throws: TLSError.unexpectedMessage) { try fixture.feed(Self.certificateRecord()) }
        #expect(fixture.outgoing == [21, 3, 3, 0, 2, 2, 10])
    }

    // MARK: 4. weak RSA keys, huge exponents

    /// A 1024-bit RSA server (self-signed, made here, trusted as its own anchor): refused
    /// with insufficient_security for ECDHE-RSA and for RSA key transport; accepted when
    /// the configured minimum allows it, so the refusal is the key size and nothing else.
    @Test(arguments: [CipherSuite.ecdheRSAWithAES128GCMSHA256, .rsaWithAES128GCMSHA256])
    func weakRSAServerKeyIsRefused(suite: CipherSuite) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlscore-weak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("weak.key").path
        let certificate = directory.appendingPathComponent("weak.crt").path
        let der = directory.appendingPathComponent("weak.der").path
        try Self.openssl(["req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", key, "-out", certificate,
                          "-days", "36500", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        try Self.openssl(["x509", "-in", certificate, "-outform", "DER", "-out", der])
        let anchor = try [UInt8](Data(contentsOf: URL(fileURLWithPath: der)))
        let arguments = ["-accept", "127.0.0.1:\(TestServer.portPlaceholder)", "-tls1_2", "-cert", certificate, "-key", key,
                         "-cipher", "ALL:@SECLEVEL=0", "-www"]
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            client.anchorDER = anchor
            client.suites = CipherSuites(suite)
            client.time = Int64(Date().timeIntervalSince1970)
            let log = StreamLog()
            client.log = log
            #expect(throws: TLSError.weakServerKey(bits: 1024)) { try client.run(port: server.port).get() }
            // The alert went out: insufficient_security, fatal.
            #expect(log.sent.suffix(7) == [21, 3, 3, 0, 2, 2, 71])
            client.log = nil
            client.minimumRSAKeyBits = 1024
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.suite == suite)
        }
    }

    /// RSA public exponents: odd, at least 3, below 2^32 (decoy issuers with huge exponents
    /// would make every verification expensive).
    @Test func rsaExponentIsBounded() throws {
        // An odd 2048-bit modulus (Mbed TLS checks size and parity of a public key, not primality).
        let modulus: [UInt8] = [0xC3] + [UInt8](repeating: 0x5A, count: 254) + [0x01]
        for bad: [UInt8] in [[1], [2], [0, 0, 1], [1, 0, 0, 0, 1], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [1, 0, 0]] {
            #expect(throws: TLSError.malformed, "exponent \(bad)") { _ = try PublicKey(rsaModulus: modulus.span, exponent: bad.span) }
        }
        for good: [UInt8] in [[3], [1, 0, 1], [0, 1, 0, 1], [0xFF, 0xFF, 0xFF, 0xFF]] {
            let key = try PublicKey(rsaModulus: modulus.span, exponent: good.span)
            #expect(key.bits == 2048)
        }
    }

    // MARK: 5. secrets do not outlive their use

    /// After the client's flight the master secret lies in the engine's memory; once a
    /// failure ends the engine it is gone from the engine and its regions, and no key log
    /// can be had.
    @Test func failureWipesTheMasterSecret() throws {
        let fixture = try Fixture()
        try fixture.feed(try Self.serverFlightUntilKeyExchange(clientRandom: fixture.clientRandom) + Self.serverHelloDone)
        let master = fixture.keyLogCapture.secret(.clientRandom) ?? []
        #expect(master.count == 48)
        #expect(fixture.holdsBytes(master))  // the check can see it while it is there
        fixture.engine.pointee.didSend(fixture.outgoing.count)
        #expect(throws: TLSError.unexpectedMessage) { try fixture.feed(EngineTests.record(23, [1, 2, 3])) }
        #expect(!fixture.holdsBytes(master))
    }

    @Test func closeWipesTheMasterSecret() throws {
        let fixture = try Fixture()
        try fixture.feed(try Self.serverFlightUntilKeyExchange(clientRandom: fixture.clientRandom) + Self.serverHelloDone)
        let master = fixture.keyLogCapture.secret(.clientRandom) ?? []
        #expect(master.count == 48)
        #expect(fixture.holdsBytes(master))
        fixture.engine.pointee.close()
        #expect(!fixture.holdsBytes(master))
    }

    /// The server's close_notify is answered with one close_notify of ours, sealed under
    /// the client's keys (a 2-byte alert, 8-byte explicit nonce and 16-byte tag), before the
    /// keys are dropped — never a plaintext alert after ChangeCipherSpec, never two.
    @Test func closeNotifyIsAnsweredEncrypted() throws {
        let log = StreamLog()
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")) { server in
            var client = ClientHarness()
            client.suites = CipherSuites(.ecdheECDSAWithAES128GCMSHA256)
            client.log = log
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.closedByNotify)
        }
        var records: [(type: UInt8, length: Int)] = []
        var offset = 0
        while offset + 5 <= log.sent.count {
            let length = Int(log.sent[offset + 3]) << 8 | Int(log.sent[offset + 4])
            records.append((log.sent[offset], length))
            offset += 5 + length
        }
        #expect(records.last.map { $0.type == 21 && $0.length == 26 } == true, "\(records)")
        #expect(records.filter { $0.type == 21 }.count == 1)
    }

    /// Once its keys are dropped the record layer writes nothing more: no record can go out
    /// in plaintext after ChangeCipherSpec, nor be framed for keys that are gone.
    @Test func outputWritesNothingOnceItsKeysAreDropped() throws {
        let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
        defer { region.deallocate() }
        var output = RecordOutput(region: region)
        let alert: [UInt8] = [1, 0]
        try output.appendRecord(.alert, alert.span)
        output.deactivate()
        #expect(throws: TLSError.invalidState) { try output.appendRecord(.alert, alert.span) }
        #expect(throws: TLSError.invalidState) { try output.appendHandshake(alert.span) }
        #expect(EngineHarness.bytes(output.pending) == [21, 3, 3, 0, 2, 1, 0])
    }

    // MARK: 6. absurd lengths

    /// A handshake header announcing 9,547,761 bytes: no message is that long, so it is a
    /// decode error, whatever the region; a plausible length that does not fit stays
    /// bufferTooSmall (EngineTests.messageLargerThanReassemblyRegion).
    @Test func absurdMessageLengthIsDecodeError() throws {
        let header: [UInt8] = [11, 0x91, 0xAF, 0xF1]
        try EngineTests.expectFailure(EngineTests.serverHello() + EngineTests.record(22, header + [0, 0, 0]),
                                      .messageTooLong(length: 9_547_761), alert: 50)
        // Spread over records, the header completes in the deframer: the same answer.
        try EngineTests.expectFailure(EngineTests.serverHello() + EngineTests.record(22, [11, 0x91])
                                      + EngineTests.record(22, [0xAF, 0xF1, 0]), .messageTooLong(length: 9_547_761), alert: 50)
    }

    // MARK: 8. CCM_8 is not offered by default

    @Test func ccm8IsOfferedOnlyWhenAsked() throws {
        #expect(!CipherSuites.defaults.contains(.ecdheECDSAWithAES128CCM8))
        let byDefault = try Fixture(suites: .defaults).clientHello
        #expect(!Self.offersSuite(byDefault, 0xC0AE))
        #expect(Self.offersSuite(byDefault, 0xC0AC))
        var asked = CipherSuites.defaults
        asked.insert(.ecdheECDSAWithAES128CCM8)
        #expect(Self.offersSuite(try Fixture(suites: asked).clientHello, 0xC0AE))
    }

    // MARK: 9. IP literals

    @Test func ipLiteralsAreRecognized() {
        let cases: [(String, [UInt8]?)] = [
            ("127.0.0.1", [127, 0, 0, 1]), ("0.0.0.0", [0, 0, 0, 0]), ("255.255.255.255", [255, 255, 255, 255]),
            ("::1", [UInt8](repeating: 0, count: 15) + [1]), ("::", [UInt8](repeating: 0, count: 16)),
            ("2001:db8::ff00:42:8329", [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]),
            ("::ffff:192.0.2.1", [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 192, 0, 2, 1]),
            ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
            ("localhost", nil), ("256.0.0.1", nil), ("1.2.3", nil), ("1.2.3.4.5", nil), ("1..2.3", nil),
            ("example.com", nil), ("1:2:3:4:5:6:7:8:9", nil), ("1::2::3", nil), (":1", nil), ("1:", nil),
            ("12345::", nil), ("10.0.0.1a", nil), ("", nil), ("::g", nil), ("1.2.3.04444", nil),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            let literal = IPAddressLiteral(bytes.span)
            #expect(literal.map { EngineHarness.bytes($0.span) } == expected, "\(text)")
        }
    }

    /// A server name that is an IP literal sends no server_name (RFC 6066 §3) and is matched
    /// against the certificate's iPAddress SANs (server-ip: IP:127.0.0.1).
    @Test func ipLiteralServerNameSendsNoSNI() throws {
        let log = StreamLog()
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ip", chainIssuer: "int-ec")) { server in
            var client = ClientHarness()
            client.serverName = "127.0.0.1"
            client.log = log
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
        let hello = StreamLog.leadingPayloads(of: 22, in: log.sent)
        #expect(!Self.hasExtension(hello, 0))
        // The same check without a network: a DNS name sends it, a literal does not.
        #expect(Self.hasExtension(Array(try Fixture().clientHello.dropFirst(5)), 0))
    }

    // MARK: the validation profile in the configuration

    /// A server chain whose leaf has no extendedKeyUsage: fine under rfc5280, refused under
    /// webpki (Baseline Requirements §7.1.2.7.10), as the client's configuration chooses.
    @Test(arguments: [ValidationPolicy.Profile.rfc5280, .webpki])
    func configuredProfileDecides(profile: ValidationPolicy.Profile) throws {
        let chain = [BuiltPKI.leaf { $0.extensions.remove(37) }, BuiltPKI.intermediate]
        var list: [UInt8] = []
        for certificate in chain { list += [0, UInt8(certificate.count >> 8), UInt8(certificate.count & 0xFF)] + certificate }
        let message = EngineTests.record(22, EngineTests.handshake(11, [0, UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list))
        let anchors = BuiltPKI.root
        let name = Array("localhost".utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
            time: 1_893_456_000, suites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256), profile: profile)
        #expect(configuration.profile == profile)
        try EngineHarness.withStartedEngine(configuration) { engine, _ in
            let flight = EngineTests.serverHello() + message
            if profile == .rfc5280 {
                try EngineHarness.feed(&engine, flight)
                #expect(engine.state == .handshaking)
            } else {
                #expect(throws: TLSError.certificate(.violates(.extendedKeyUsageMissing))) {
                    try EngineHarness.feed(&engine, flight)
                }
            }
        }
    }

    /// The signature budget of the configuration bounds what the server's chain may cost:
    /// server-ec under int-ec under root-ec takes two verifications.
    @Test(arguments: [1, 2])
    func signatureBudgetBoundsTheChain(budget: Int) throws {
        let anchors = Fixtures.der("root-ec")
        let name = Array("localhost".utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
            time: 1_893_456_000, suites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256), signatureBudget: budget)
        try EngineHarness.withStartedEngine(configuration) { engine, _ in
            let flight = EngineTests.serverHello() + Self.certificateRecord()
            if budget >= 2 {
                try EngineHarness.feed(&engine, flight)
                #expect(engine.state == .handshaking)
            } else {
                #expect(throws: TLSError.certificate(.violates(.signatureBudget))) { try EngineHarness.feed(&engine, flight) }
            }
        }
    }

    // MARK: helpers

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TLSError.invalidState }
    }

    /// Whether the ClientHello record `hello` offers `suite`.
    static func offersSuite(_ hello: [UInt8], _ suite: UInt16) -> Bool {
        let body = Array(hello.dropFirst(5 + 4))
        let sessionLength = Int(body[34])
        let suitesStart = 35 + sessionLength
        let count = Int(body[suitesStart]) << 8 | Int(body[suitesStart + 1])
        return stride(from: suitesStart + 2, to: suitesStart + 2 + count, by: 2).contains {
            UInt16(body[$0]) << 8 | UInt16(body[$0 + 1]) == suite
        }
    }

    /// Whether the ClientHello message `hello` (handshake header first) carries extension `type`.
    static func hasExtension(_ hello: [UInt8], _ type: UInt16) -> Bool {
        let body = Array(hello.dropFirst(4))
        var offset = 35 + Int(body[34])
        offset += 2 + (Int(body[offset]) << 8 | Int(body[offset + 1]))
        offset += 1 + Int(body[offset])
        let end = offset + 2 + (Int(body[offset]) << 8 | Int(body[offset + 1]))
        offset += 2
        while offset + 4 <= end {
            if UInt16(body[offset]) << 8 | UInt16(body[offset + 1]) == type { return true }
            offset += 4 + (Int(body[offset + 2]) << 8 | Int(body[offset + 3]))
        }
        return false
    }
}
