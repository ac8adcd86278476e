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
