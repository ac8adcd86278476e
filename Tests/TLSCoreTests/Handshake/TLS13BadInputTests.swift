import Testing
import TLSPlatform
@testable import TLSCore

/// The TLS 1.3 client's bad paths, sans I/O, each ending in its typed error (and so its
/// alert): a ServerHello or HelloRetryRequest that breaks RFC 8446 §4.1.3–§4.1.4, an
/// EncryptedExtensions with what was not offered or does not belong, misplaced records,
/// and post-handshake messages this client never invites. Built on the RFC 8448 trace
/// (`RFC8448ReplayTests`) so that every message but the altered one is genuine.
/// A client that has "sent" the trace's ClientHello (x25519 share, empty session id).
struct Replay: ~Copyable {
    var client: Client
    var random: Random
    var events = EventQueue()

    init() throws {
        let hello = RFC8448.bytes(RFC8448.clientHello)
        let key = RFC8448.bytes(RFC8448.clientPrivateKey)
        let random = try Random(entropy: SystemEntropy.source, personalization: Span())
        let keyShare = try ECDHE(group: .x25519, privateKey: key.span)
        client = try Client(replaying: hello.span, keyShare: keyShare)
        self.random = random
    }

    mutating func receive(_ message: [UInt8], _ settings: ClientSettings) throws(TLSError) -> HandshakeProgress {
        try client.receive(message.span, settings: settings, random: &random, events: &events)
    }

    /// Feeds the trace's server messages from ServerHello on, up to (not including) `last`.
    mutating func receiveServerFlight(_ settings: ClientSettings, upTo last: String? = nil) throws {
        for hex in [RFC8448.serverHello, RFC8448.encryptedExtensions, RFC8448.certificate,
                    RFC8448.certificateVerify, RFC8448.serverFinished] {
            if hex == last { return }
            _ = try receive(RFC8448.bytes(hex), settings)
        }
    }

    /// The whole trace: the server's flight and our Finished.
    mutating func completeHandshake(_ settings: ClientSettings) throws {
        try receiveServerFlight(settings)
        var region = [UInt8](repeating: 0, count: 1024)
        try region.withUnsafeMutableBufferPointer { buffer in
            var flight = Flight(region: buffer)
            _ = try client.writeFlight(into: &flight, settings: settings, random: &random, events: &events)
        }
    }
}


@Suite struct TLS13BadInputTests {
    static func bytes(_ hex: String) -> [UInt8] { RFC8448.bytes(hex) }

    static func withSettings<R>(
        groups: NamedGroups = .defaults, alpn: [UInt8] = [], _ body: (ClientSettings) throws -> R
    ) rethrows -> R {
        let name = Array("server".utf8), none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span,
            time: 1_500_000_000, suites: .defaults, groups: groups, recordSizeLimit: 16384,
            applicationProtocols: alpn.span, minimumRSAKeyBits: 1024)
        return try body(configuration.settings)
    }

    /// A ServerHello/HelloRetryRequest message: legacy fields, then `extensions`.
    static func serverHello(
        random: [UInt8] = bytes(RFC8448.serverRandom), session: [UInt8] = [], suite: UInt16 = 0x1301,
        legacyVersion: UInt16 = 0x0303, extensions: [UInt8]
    ) -> [UInt8] {
        var body = [UInt8(legacyVersion >> 8), UInt8(legacyVersion & 0xFF)] + random + [UInt8(session.count)] + session
        body += [UInt8(suite >> 8), UInt8(suite & 0xFF), 0]
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        return [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static func extensionBytes(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
        [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    static let supportedVersions13 = extensionBytes(43, [3, 4])
    static let serverShare = extensionBytes(51, [0, 29, 0, 32] + bytes(RFC8448.serverPublicKey))
    static let retryRandom = bytes("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    // MARK: ServerHello and HelloRetryRequest

    @Test func serverHelloRules() throws {
        try Self.withSettings { settings in
            let cases: [(String, [UInt8], TLSError)] = [
                // §4.1.3: the echo of our (empty) legacy_session_id, exactly.
                ("session echo", Self.serverHello(session: [1, 2], extensions: Self.supportedVersions13 + Self.serverShare),
                 .illegalParameter),
                // §4.2.1: supported_versions may select only 1.3, and only once.
                ("selects 1.2", Self.serverHello(extensions: Self.extensionBytes(43, [3, 3]) + Self.serverShare), .illegalParameter),
                ("two versions", Self.serverHello(extensions: Self.supportedVersions13 + Self.supportedVersions13 + Self.serverShare),
                 .illegalParameter),
                ("legacy version", Self.serverHello(legacyVersion: 0x0304, extensions: Self.supportedVersions13 + Self.serverShare),
                 .illegalParameter),
                // A 1.2 suite in a 1.3 ServerHello.
                ("1.2 suite", Self.serverHello(suite: 0xC02B, extensions: Self.supportedVersions13 + Self.serverShare),
                 .illegalParameter),
                // §4.2.8: the share must be for our group (we sent x25519).
                ("other group", Self.serverHello(extensions: Self.supportedVersions13
                    + Self.extensionBytes(51, [0, 23, 0, 65, 4] + [UInt8](repeating: 1, count: 64))), .illegalParameter),
                // No share and no PSK: missing_extension (§9.2).
                ("no share", Self.serverHello(extensions: Self.supportedVersions13), .missingExtension),
                // Offered, but not a ServerHello extension.
                ("server_name", Self.serverHello(extensions: Self.supportedVersions13 + Self.serverShare
                    + Self.extensionBytes(0, [])), .illegalParameter),
                // Never offered.
                ("pre_shared_key", Self.serverHello(extensions: Self.supportedVersions13 + Self.serverShare
                    + Self.extensionBytes(41, [0, 0])), .unsupportedExtension),
                // §7.4.2: an all-zero X25519 result (the zero point).
                ("zero point", Self.serverHello(extensions: Self.supportedVersions13
                    + Self.extensionBytes(51, [0, 29, 0, 32] + [UInt8](repeating: 0, count: 32))), .invalidPeerKey),
                // TLS 1.2 from a server that saw our 1.3 offer: the DOWNGRD\1 sentinel (§4.1.3).
                ("downgrade", Self.serverHello(
                    random: [UInt8](repeating: 7, count: 24) + Array("DOWNGRD".utf8) + [1], session: [], suite: 0xC02B,
                    extensions: []), .downgradeDetected),
            ]
            for (label, message, expected) in cases {
                var replay = try Replay()
                #expect(throws: expected, "\(label)") { _ = try replay.receive(message, settings) }
            }
        }
    }

    @Test func helloRetryRequestRules() throws {
        try Self.withSettings { settings in
            let askP256 = Self.serverHello(random: Self.retryRandom, extensions: Self.supportedVersions13
                + Self.extensionBytes(51, [0, 23]))
            // The first is answered with a second ClientHello for the asked group...
            var replay = try Replay()
            let progress = try replay.receive(askP256, settings)
            #expect(progress.flightDue)
            #expect(replay.events.pop()?.kind == .helloRetryRequest(.secp256r1))
            // ...a second one is an unexpected_message (§4.1.4).
            var region = [UInt8](repeating: 0, count: 1024)
            try region.withUnsafeMutableBufferPointer { buffer in
                var flight = Flight(region: buffer)
                _ = try replay.client.writeFlight(into: &flight, settings: settings, random: &replay.random, events: &replay.events)
                // §D.4: the compatibility ChangeCipherSpec goes first.
                #expect(flight.switchPoint == 0 && flight.changeCipherSpec)
                let hello = EngineHarness.bytes(flight.bytes(0..<flight.count))
                #expect(hello.count > 4 && hello[0] == 1)
            }
            #expect(throws: TLSError.unexpectedMessage) { _ = try replay.receive(askP256, settings) }

            let cases: [(String, [UInt8], TLSError)] = [
                // The group we already sent a share for changes nothing.
                ("same group", Self.serverHello(random: Self.retryRandom, extensions: Self.supportedVersions13
                    + Self.extensionBytes(51, [0, 29])), .badRetryRequest),
                // Nothing asked for at all.
                ("empty", Self.serverHello(random: Self.retryRandom, extensions: Self.supportedVersions13), .badRetryRequest),
            ]
            for (label, message, expected) in cases {
                var fresh = try Replay()
                #expect(throws: expected, "\(label)") { _ = try fresh.receive(message, settings) }
            }
        }
        // A group we did not offer.
        try Self.withSettings(groups: NamedGroups(.x25519)) { settings in
            var replay = try Replay()
            let askP384 = Self.serverHello(random: Self.retryRandom, extensions: Self.supportedVersions13
                + Self.extensionBytes(51, [0, 24]))
            #expect(throws: TLSError.badRetryRequest) { _ = try replay.receive(askP384, settings) }
        }
    }

    // MARK: EncryptedExtensions

    /// The trace up to its EncryptedExtensions, then `extensions` in place of the real one.
    static func encryptedExtensions(_ extensions: [UInt8], alpn: [UInt8] = []) throws -> TLSError? {
        try withSettings(alpn: alpn) { (settings) throws -> TLSError? in
            var replay = try Replay()
            _ = try replay.receive(Self.bytes(RFC8448.serverHello), settings)
            let body = [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
            do {
                _ = try replay.receive(Self.handshake(8, body), settings)
                return nil
            } catch {
                return error as? TLSError
            }
        }
    }

    @Test func encryptedExtensionsRules() throws {
        let h2: [UInt8] = [2] + Array("h2".utf8)
        #expect(try Self.encryptedExtensions([]) == nil)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(16, [0, 3] + h2)) == .unsupportedExtension)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(16, [0, 3] + h2), alpn: h2) == nil)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(16, [0, 4, 3] + Array("h2x".utf8)), alpn: h2)
            == .illegalParameter)
        #expect(try Self.encryptedExtensions(Self.serverShare) == .illegalParameter)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(42, [])) == .unsupportedExtension)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(0xFFAA, [])) == .unsupportedExtension)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(0, []) + Self.extensionBytes(0, [])) == .illegalParameter)
        #expect(try Self.encryptedExtensions(Self.extensionBytes(28, [0, 63])) == .illegalParameter)  // RFC 8449 §4
        #expect(try Self.encryptedExtensions(Self.extensionBytes(0, [0])) == .trailingBytes)
    }

    // MARK: after the handshake

    /// The whole trace, then `message` after it.
    static func afterHandshake(_ message: [UInt8]) throws -> TLSError? {
        try withSettings(groups: NamedGroups(.x25519)) { (settings) throws -> TLSError? in
            var replay = try Replay()
            try replay.completeHandshake(settings)
            do {
                _ = try replay.receive(message, settings)
                return nil
            } catch {
                return error as? TLSError
            }
        }
    }

    @Test func postHandshakeRules() throws {
        #expect(try Self.afterHandshake(Self.handshake(24, [0])) == nil)
        #expect(try Self.afterHandshake(Self.handshake(24, [1])) == nil)
        #expect(try Self.afterHandshake(Self.handshake(24, [2])) == .illegalParameter)  // §4.6.3
        #expect(try Self.afterHandshake(Self.handshake(24, [0, 0])) == .trailingBytes)
        // No post_handshake_auth offered: a CertificateRequest is unexpected (§4.6.2).
        #expect(try Self.afterHandshake(Self.handshake(13, [0, 0, 0])) == .unexpectedMessage)
        // A ticket of more than seven days (§4.6.1).
        let longTicket: [UInt8] = [0, 9, 0x3A, 0x81] + [0, 0, 0, 0] + [0] + [0, 1, 9] + [0, 0]
        #expect(try Self.afterHandshake(Self.handshake(4, longTicket)) == .illegalParameter)
        // A second Finished, a ServerHello: out of order.
        #expect(try Self.afterHandshake(Self.bytes(RFC8448.serverFinished)) == .unexpectedMessage)
    }

    /// More NewSessionTickets than `Client13.ticketLimit` end the connection: a server
    /// cannot keep the client parsing tickets forever.
    @Test func ticketsAreBounded() throws {
        try Self.withSettings(groups: NamedGroups(.x25519)) { settings in
            var replay = try Replay()
            try replay.completeHandshake(settings)
            let ticket = Self.bytes(RFC8448.newSessionTicket)
            for _ in 0..<Client13.ticketLimit { _ = try replay.receive(ticket, settings) }
            #expect(throws: TLSError.unexpectedMessage) { _ = try replay.receive(ticket, settings) }
        }
    }
}
