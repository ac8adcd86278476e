import Foundation
import Testing
import TLSCore

/// Resumption (issue 15) against real servers: TLS 1.3 tickets (PSK, psk_dhe_ke and psk_ke),
/// TLS 1.2 session tickets (RFC 5077) and session IDs (RFC 5246 §7.3), with `openssl
/// s_server` and `gnutls-serv` on 127.0.0.1; each connection resumes from the session the
/// previous one stored in the same session region. Then the sessions that must not be
/// offered (expired, another server, other anchors) and what the region holds afterwards.
@Suite struct ResumptionTests {
    /// Runs `count` connections through one session region; returns each outcome.
    static func runs(
        _ count: Int, port: UInt16, client: TLS13Harness = TLS13Harness(), store: SessionStore = SessionStore()
    ) throws -> [TLS13Harness.Outcome] {
        var client = client
        client.session = store
        return try (0..<count).map { _ in try client.run(port: port).get() }
    }

    /// Handshake bytes both ways (every message's length, as the events report them).
    static func handshakeBytes(_ outcome: TLS13Harness.Outcome) -> Int {
        outcome.handshakeEvents.reduce(0) { total, event in
            switch event.kind {
            case .sent, .received: total + event.length
            default: total
            }
        }
    }

    static func receivedCertificate(_ outcome: TLS13Harness.Outcome) -> Bool {
        outcome.handshakeEvents.contains { $0.kind == .received(.certificate) }
    }

    /// The first run is full and stores `kind`; the later ones offer it, are resumed without
    /// a Certificate message, and cost fewer bytes.
    static func expectResumption(_ outcomes: [TLS13Harness.Outcome], kind: Session.Kind) {
        let first = outcomes[0]
        #expect(receivedCertificate(first))
        #expect(first.events.contains { $0.kind == .sessionStored(kind) }, "\(first.kinds)")
        #expect(!first.handshakeEvents.contains { $0.kind == .resumed(kind) })
        for later in outcomes.dropFirst() {
            #expect(later.handshakeEvents.contains { $0.kind == .sessionOffered(kind) }, "\(later.kinds)")
            #expect(later.handshakeEvents.contains { $0.kind == .resumed(kind) }, "\(later.kinds)")
            #expect(!receivedCertificate(later))
            #expect(handshakeBytes(later) < handshakeBytes(first))
            #expect(later.text.contains("200"))
            #expect(later.closedByNotify)
        }
    }

    // MARK: TLS 1.3

    @Test func openSSLTLS13TicketsResumeWithECDHE() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL()) { server in
            let outcomes = try Self.runs(3, port: server.port)
            Self.expectResumption(outcomes, kind: .ticket13)
            // psk_dhe_ke: a fresh key share every time.
            for outcome in outcomes { #expect(outcome.group == .x25519) }
        }
    }

    @Test func openSSLTLS13PSKOnlyWhenTheServerAllowsIt() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(extra: ["-allow_no_dhe_kex"])) { server in
            var client = TLS13Harness()
            client.resumptionKeyExchange = .pskOnly
            let outcomes = try Self.runs(2, port: server.port, client: client)
            Self.expectResumption(outcomes, kind: .ticket13)
            #expect(outcomes[1].group == nil)
            #expect(!outcomes[1].handshakeEvents.contains { if case .keyShareAgreed = $0.kind { true } else { false } })
        }
    }

    /// A server that will not resume without (EC)DHE declines a psk_ke-only offer: a clean
    /// full handshake, which stores a new ticket.
    @Test func openSSLTLS13DeclinesPSKOnly() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL()) { server in
            var client = TLS13Harness()
            client.resumptionKeyExchange = .pskOnly
            let outcomes = try Self.runs(2, port: server.port, client: client)
            let second = outcomes[1]
            #expect(second.handshakeEvents.contains { $0.kind == .resumptionDeclined(.ticket13) }, "\(second.kinds)")
            #expect(Self.receivedCertificate(second))
            #expect(second.events.contains { $0.kind == .sessionStored(.ticket13) })
            #expect(second.text.contains("200"))
        }
    }

    @Test func gnuTLSTLS13TicketsResume() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: TLS13InteropTests.tls13Priority)
        try TestServer.withGnuTLS(arguments) { server in
            Self.expectResumption(try Self.runs(3, port: server.port), kind: .ticket13)
        }
    }

    // MARK: TLS 1.2

    @Test func openSSLTLS12TicketsResume() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(version: "-tls1_2")) { server in
            let outcomes = try Self.runs(3, port: server.port)
            Self.expectResumption(outcomes, kind: .ticket12)
            for outcome in outcomes { #expect(outcome.version == .tls12) }
        }
    }

    @Test func openSSLTLS12SessionIDsResume() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(version: "-tls1_2", extra: ["-no_ticket"])) { server in
            Self.expectResumption(try Self.runs(3, port: server.port), kind: .sessionID)
        }
    }

    @Test func gnuTLSTLS12TicketsResume() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
        try TestServer.withGnuTLS(arguments) { server in
            Self.expectResumption(try Self.runs(3, port: server.port), kind: .ticket12)
        }
    }

    @Test func gnuTLSTLS12SessionIDsResume() throws {
        let arguments = TestServer.gnuTLSArguments(
            certificate: "server-ec", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2", extra: ["--noticket"])
        try TestServer.withGnuTLS(arguments) { server in
            Self.expectResumption(try Self.runs(3, port: server.port), kind: .sessionID)
        }
    }

    /// Only sessions with extended_master_secret are stored (RFC 7627 §5.3): a server
    /// without it gives nothing to resume, and nothing is offered next time.
    @Test func noSessionWithoutExtendedMasterSecret() throws {
        let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH"
        try TestServer.withGnuTLS(TestServer.gnuTLSArguments(certificate: "server-ec", priority: priority)) { server in
            let store = SessionStore()
            let outcomes = try Self.runs(2, port: server.port, store: store)
            for outcome in outcomes {
                #expect(!outcome.events.contains { if case .sessionStored = $0.kind { true } else { false } })
                #expect(!outcome.handshakeEvents.contains { if case .sessionOffered = $0.kind { true } else { false } })
                #expect(Self.receivedCertificate(outcome))
            }
            #expect(store.bytes.allSatisfy { $0 == 0 })
        }
    }

    // MARK: sessions that are not offered

    /// Stores a TLS 1.3 session with the default client, then runs `second`: the session is
    /// refused for `reason` and the handshake is a full one that succeeds.
    static func expectNotOffered(_ reason: Session.Refusal, second: TLS13Harness, mutate: (inout [UInt8]) -> Void = { _ in }) throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL()) { server in
            let store = SessionStore()
            _ = try runs(1, port: server.port, store: store)
            mutate(&store.bytes)
            let outcome = try runs(1, port: server.port, client: second, store: store)[0]
            #expect(outcome.handshakeEvents.contains { $0.kind == .sessionNotOffered(reason) }, "\(outcome.kinds)")
            #expect(!outcome.handshakeEvents.contains { if case .sessionOffered = $0.kind { true } else { false } })
            #expect(receivedCertificate(outcome))
            #expect(outcome.text.contains("200"))
        }
    }

    @Test func anExpiredTicketIsNotOffered() throws {
        var later = TLS13Harness()
        later.time += 7200  // OpenSSL's tickets live 7200 s
        try Self.expectNotOffered(.expired, second: later)
    }

    @Test func aSessionIsNotOfferedBeforeItWasStored() throws {
        var earlier = TLS13Harness()
        earlier.time -= 1
        try Self.expectNotOffered(.notYetValid, second: earlier)
    }

    @Test func aSessionIsNotOfferedToAnotherServerName() throws {
        var other = TLS13Harness()
        other.serverName = "127.0.0.1"  // the certificate names both
        try Self.expectNotOffered(.otherServer, second: other)
    }

    @Test func aSessionIsNotOfferedUnderOtherTrustAnchors() throws {
        var other = TLS13Harness()
        other.anchors = ["root-ec", "root-rsa"]
        try Self.expectNotOffered(.otherTrust, second: other)
    }

    @Test func aSessionOfAVersionNotOfferedIsNotOffered() throws {
        var other = TLS13Harness()
        other.versions = .tls12
        // The TLS 1.3 server then refuses the handshake itself; the point is the refusal.
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(version: nil)) { server in
            let store = SessionStore()
            _ = try Self.runs(1, port: server.port, store: store)
            let outcome = try Self.runs(1, port: server.port, client: other, store: store)[0]
            #expect(outcome.handshakeEvents.contains { $0.kind == .sessionNotOffered(.notOffered) })
            #expect(outcome.version == .tls12)
        }
    }

    @Test func aCorruptedSessionIsNotOffered() throws {
        try Self.expectNotOffered(.corrupt, second: TLS13Harness()) { bytes in bytes[40] ^= 1 }
    }
}

/// A session region shared by several runs of a harness (tests may use a class).
final class SessionStore {
    var bytes = [UInt8](repeating: 0, count: Session.capacity)
}
