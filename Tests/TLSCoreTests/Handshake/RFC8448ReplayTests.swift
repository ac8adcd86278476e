import Testing
import TLSPlatform
@testable import TLSCore

/// RFC 8448 §3, "Simple 1-RTT Handshake", replayed through the client machine sans I/O: the
/// trace's ClientHello stands for ours (it offers groups, suites and extensions this core
/// does not, so ours cannot be byte-equal; its random and X25519 key are injected), then
/// every server record goes in as the trace has it. Everything the client derives and
/// writes after that must equal the RFC: the five logged secrets, the server's records
/// opened with our keys, our Finished record, our application data record.
///
/// One seam, debug builds only (`Client.init(replaying:keyShare:)`): the trace's server
/// certificate is self-signed with CA:FALSE and no subjectAltName, which no trust setup
/// accepts, so its key is taken as validated. Its CertificateVerify signature is checked
/// for real.
@Suite struct RFC8448ReplayTests {
    static func bytes(_ hex: String) -> [UInt8] { RFC8448.bytes(hex) }

    /// The settings the trace's server answers: SNI sent ("server" is acknowledged in
    /// EncryptedExtensions), record_size_limit offered (EncryptedExtensions carries 0x4001),
    /// 1024-bit RSA accepted (the trace's key), the certificate's validity in 2017.
    static func withSettings<R>(_ body: (ClientSettings) throws -> R) rethrows -> R {
        let name = Array("server".utf8), none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span,
            time: 1_500_000_000, suites: CipherSuites(.aes128GCMSHA256), versions: .tls13,
            groups: NamedGroups(.x25519), recordSizeLimit: 16384, minimumRSAKeyBits: 1024)
        return try body(configuration.settings)
    }

    /// A record's plaintext after opening it with `protection` (header from the record).
    static func open(_ record: [UInt8], _ protection: inout RecordProtection) throws -> (type: UInt8, body: [UInt8]) {
        var buffer = record
        let header: InlineArray<5, UInt8> = [record[0], record[1], record[2], record[3], record[4]]
        var all = buffer.mutableSpan
        var fragment = all._mutatingExtracting(5..<record.count)
        let opened = try protection.open(header: header, fragment: &fragment)
        return (opened.type, Array(buffer[(5 + opened.start)..<(5 + opened.start + opened.count)]))
    }

    /// `plaintext` sealed as one record of `type` under `protection`.
    static func seal(_ type: ContentType, _ plaintext: [UInt8], _ protection: inout RecordProtection) throws -> [UInt8] {
        var record = [type.rawValue, 3, 3, 0, 0] + plaintext + [UInt8](repeating: 0, count: 17)
        var span = record.mutableSpan
        let sealed = try protection.seal(record: &span, plaintextCount: plaintext.count)
        return Array(record[0..<(5 + sealed)])
    }

    @Test func simpleOneRTTHandshake() throws {
        let keyLog = KeyLogCapture()
        let name = Array("server".utf8), none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span,
            time: 1_500_000_000, suites: CipherSuites(.aes128GCMSHA256), versions: .tls13,
            groups: NamedGroups(.x25519), keyLog: keyLog.keyLog, recordSizeLimit: 16384, minimumRSAKeyBits: 1024)
        let settings = configuration.settings
        var random = try Random(entropy: SystemEntropy.source, personalization: Span())
        var events = EventQueue()
        let hello = Self.bytes(RFC8448.clientHello)
        let privateKey = Self.bytes(RFC8448.clientPrivateKey)
        var client = try Client(replaying: hello.span, keyShare: try ECDHE(group: .x25519, privateKey: privateKey.span))

        // ② ServerHello: the handshake secrets (checked through the key log below).
        let serverHelloRecord = Self.bytes(RFC8448.serverHelloRecord)
        let serverHello = Array(serverHelloRecord[5...])
        #expect(serverHello == Self.bytes(RFC8448.serverHello))
        var progress = try client.receive(serverHello.span, settings: settings, random: &random, events: &events)
        #expect(progress.newReadKeys && !progress.flightDue)
        #expect(client.negotiatedSuite == .aes128GCMSHA256)
        #expect(client.negotiatedGroup == .x25519)

        // The server's one protected record: EncryptedExtensions … Finished, in order.
        var serverHandshake = try client.recordProtection(for: .read)
        let flight = try Self.open(Self.bytes(RFC8448.serverEncryptedRecord), &serverHandshake)
        #expect(flight.type == ContentType.handshake.rawValue)
        #expect(flight.body == Self.bytes(RFC8448.serverHandshakePayload))
        for message in [RFC8448.encryptedExtensions, RFC8448.certificate, RFC8448.certificateVerify, RFC8448.serverFinished] {
            let bytes = Self.bytes(message)
            progress = try client.receive(bytes.span, settings: settings, random: &random, events: &events)
        }
        #expect(progress.flightDue && progress.newReadKeys)
        var serverApplication = try client.recordProtection(for: .read)

        // ⑧ our Finished, under our handshake keys; then our application keys.
        var region = [UInt8](repeating: 0, count: 1024)
        let finished: [UInt8] = try region.withUnsafeMutableBufferPointer { buffer in
            var staging = Flight(region: buffer)
            progress = try client.writeFlight(into: &staging, settings: settings, random: &random, events: &events)
            #expect(staging.switchPoint == 0)
            return EngineHarness.bytes(staging.bytes(0..<staging.count))
        }
        #expect(progress.newWriteKeys && progress.newWriteKeysAfterFlight && progress.complete)
        #expect(finished == Self.bytes(RFC8448.clientFinished))
        var clientHandshake = try client.recordProtection(for: .write)
        #expect(try Self.seal(.handshake, finished, &clientHandshake) == Self.bytes(RFC8448.clientFinishedRecord))
        var clientApplication = try client.recordProtection(for: .write)

        // The secrets, as `-keylogfile` would log them for this connection.
        let clientRandom = Self.bytes(RFC8448.clientRandom)
        #expect(keyLog.lines.allSatisfy { $0.clientRandom == clientRandom })
        #expect(keyLog.secret(.clientHandshakeTrafficSecret) == Self.bytes(RFC8448.clientHandshakeTrafficSecret))
        #expect(keyLog.secret(.serverHandshakeTrafficSecret) == Self.bytes(RFC8448.serverHandshakeTrafficSecret))
        #expect(keyLog.secret(.clientTrafficSecret0) == Self.bytes(RFC8448.clientApplicationTrafficSecret))
        #expect(keyLog.secret(.serverTrafficSecret0) == Self.bytes(RFC8448.serverApplicationTrafficSecret))
        #expect(keyLog.secret(.exporterSecret) == Self.bytes(RFC8448.exporterMasterSecret))

        // ⑩ the ticket (server application key, sequence 0) and 50 bytes each way.
        let ticket = try Self.open(Self.bytes(RFC8448.newSessionTicketRecord), &serverApplication)
        #expect(ticket.body == Self.bytes(RFC8448.newSessionTicket))
        progress = try client.receive(ticket.body.span, settings: settings, random: &random, events: &events)
        #expect(progress.idle)
        let data = Self.bytes(RFC8448.applicationData)
        #expect(try Self.seal(.applicationData, data, &clientApplication) == Self.bytes(RFC8448.clientApplicationDataRecord))
        let received = try Self.open(Self.bytes(RFC8448.serverApplicationDataRecord), &serverApplication)
        #expect(received.type == ContentType.applicationData.rawValue && received.body == data)
        #expect(try Self.seal(.alert, [1, 0], &clientApplication) == Self.bytes(RFC8448.clientAlertRecord))

        var kinds: [HandshakeEvent.Kind] = []
        while let event = events.pop() { kinds.append(event.kind) }
        #expect(kinds.contains(.keyShareAgreed(.x25519)))
        #expect(kinds.contains(.sessionTicket(lifetime: 30)))
        #expect(kinds.contains(.sent(.finished)))
        #expect(!kinds.contains(.certificateValidated))  // the seam: the key was taken, not validated
    }

    /// A flipped bit in the server's Finished ends the replay in decrypt_error.
    @Test func alteredServerFinishedIsRefused() throws {
        try Self.withSettings { settings in
            var replay = try Replay()
            try replay.receiveServerFlight(settings, upTo: RFC8448.serverFinished)
            var finished = Self.bytes(RFC8448.serverFinished)
            finished[20] ^= 1
            #expect(throws: TLSError.finishedMismatch) { _ = try replay.receive(finished, settings) }
            #expect(TLSError.finishedMismatch.alert == .decryptError)
        }
    }

    /// A CertificateVerify whose signature does not verify ends the replay in decrypt_error.
    @Test func alteredCertificateVerifyIsRefused() throws {
        try Self.withSettings { settings in
            var replay = try Replay()
            try replay.receiveServerFlight(settings, upTo: RFC8448.certificateVerify)
            var verify = Self.bytes(RFC8448.certificateVerify)
            verify[40] ^= 0x80
            #expect(throws: TLSError.badSignature) { _ = try replay.receive(verify, settings) }
        }
    }
}

/// The same trace through the whole engine — records in, records out — from the ServerHello
/// record on: our Finished, application data and close_notify records equal the RFC's (after
/// the one compatibility ChangeCipherSpec the RFC's client does not send), and the server's
/// application data comes out of `receive`.
@Suite struct RFC8448EngineReplayTests {
    final class Fixture {
        let name = Array("server".utf8), none: [UInt8] = []
        let regions: [UnsafeMutableBufferPointer<UInt8>]
        let engine: UnsafeMutablePointer<Engine<Client>>

        init() throws {
            let (serverName, empty) = (name, none)
            let configuration = ClientConfiguration(
                serverName: serverName.span, serverAddress: empty.span, trustAnchors: empty.span, crls: empty.span,
                time: 1_500_000_000, suites: CipherSuites(.aes128GCMSHA256), versions: .tls13,
                groups: NamedGroups(.x25519), recordSizeLimit: 16384, minimumRSAKeyBits: 1024)
            regions = [configuration.inputRegionSize, configuration.outputRegionSize, 4096].map {
                let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: $0)
                region.initialize(repeating: 0)
                return region
            }
            let hello = RFC8448.bytes(RFC8448.clientHello)
            let key = RFC8448.bytes(RFC8448.clientPrivateKey)
            let client = try Client(replaying: hello.span, keyShare: try ECDHE(group: .x25519, privateKey: key.span))
            engine = .allocate(capacity: 1)
            engine.initialize(to: try Engine<Client>(
                unsafeSettings: configuration.settings, input: regions[0], output: regions[1], reassembly: regions[2],
                random: try Random(entropy: SystemEntropy.source, personalization: Span()), replaying: client))
        }

        deinit {
            engine.deinitialize(count: 1)
            engine.deallocate()
            for region in regions { region.deallocate() }
        }

        func feed(_ hex: String) throws(TLSError) { try feed(RFC8448.bytes(hex)) }

        func feed(_ bytes: [UInt8]) throws(TLSError) { try Self.feed(&engine.pointee, bytes) }

        private static func feed(_ engine: inout Engine<Client>, _ bytes: [UInt8]) throws(TLSError) {
            var room = engine.incomingRoom()
            precondition(room.count >= bytes.count)
            for i in bytes.indices { room[i] = bytes[i] }
            try engine.didReceive(bytes.count)
        }

        /// What the engine queued, taken off.
        func takeOutgoing() -> [UInt8] {
            let bytes = Self.pending(engine.pointee)
            engine.pointee.didSend(bytes.count)
            return bytes
        }

        private static func pending(_ engine: borrowing Engine<Client>) -> [UInt8] {
            EngineHarness.bytes(engine.outgoing)
        }
    }

    static let changeCipherSpec: [UInt8] = [20, 3, 3, 0, 1, 1]

    @Test func recordsEqualTheTrace() throws {
        let fixture = try Fixture()
        try fixture.feed(RFC8448.serverHelloRecord)
        #expect(fixture.takeOutgoing().isEmpty)
        try fixture.feed(RFC8448.serverEncryptedRecord)
        #expect(fixture.takeOutgoing() == Self.changeCipherSpec + RFC8448.bytes(RFC8448.clientFinishedRecord))
        #expect(fixture.engine.pointee.state == .connected)
        #expect(fixture.engine.pointee.negotiatedVersion == .tls13)

        try fixture.feed(RFC8448.newSessionTicketRecord + RFC8448.serverApplicationDataRecord)
        var buffer = [UInt8](repeating: 0, count: 100)
        var span = buffer.mutableSpan
        let count = try fixture.engine.pointee.receive(into: &span)
        #expect(Array(buffer[0..<count]) == RFC8448.bytes(RFC8448.applicationData))

        let data = RFC8448.bytes(RFC8448.applicationData)
        #expect(try fixture.engine.pointee.send(data.span) == data.count)
        #expect(fixture.takeOutgoing() == RFC8448.bytes(RFC8448.clientApplicationDataRecord))
        fixture.engine.pointee.close()
        #expect(fixture.takeOutgoing() == RFC8448.bytes(RFC8448.clientAlertRecord))
    }

    /// RFC 8446 §6.2: in TLS 1.3 every alert but close_notify and user_canceled is an error,
    /// whatever its level — a warning unrecognized_name (which TLS 1.2 passes over) ends the
    /// connection. The alert is sealed under the server's application key at sequence 2
    /// (after the trace's ticket and data).
    @Test func warningAlertsAreErrors() throws {
        for (description, fatal) in [(AlertDescription.unrecognizedName, true), (.userCanceled, false)] {
            let fixture = try Fixture()
            try fixture.feed(RFC8448.serverHelloRecord)
            try fixture.feed(RFC8448.serverEncryptedRecord)
            _ = fixture.takeOutgoing()
            try fixture.feed(RFC8448.newSessionTicketRecord + RFC8448.serverApplicationDataRecord)
            var buffer = [UInt8](repeating: 0, count: 100)
            var span = buffer.mutableSpan
            #expect(try fixture.engine.pointee.receive(into: &span) == 50)
            var server = KeySchedule13Protection.serverApplication()
            _ = try RFC8448ReplayTests.seal(.handshake, [0], &server)
            _ = try RFC8448ReplayTests.seal(.applicationData, [0], &server)
            let alert = try RFC8448ReplayTests.seal(.alert, [1, description.rawValue], &server)
            if fatal {
                #expect(throws: TLSError.peerAlert(description)) { try fixture.feed(alert) }
            } else {
                try fixture.feed(alert)
                #expect(fixture.engine.pointee.state == .connected)
            }
        }
    }
}

/// The trace's server application protection, from its secret.
enum KeySchedule13Protection {
    static func serverApplication() -> RecordProtection {
        let secret = RFC8448.bytes(RFC8448.serverApplicationTrafficSecret)
        // The trace's own values cannot fail to make a protection.
        return try! KeySchedule13.recordProtection(suite: .aes128GCMSHA256, trafficSecret: secret.span)
    }
}
