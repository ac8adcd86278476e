import Testing
import TLSCore
import TLSPlatform

/// Resumption issued by the core's server, taken by the core's client: TLS 1.3 tickets
/// (psk_dhe_ke and psk_ke), ticket-key rotation, and external PSKs, with the failures a
/// server must tell apart — an unknown or stale ticket falls back to a full handshake, a
/// wrong binder is a decrypt_error.
@Suite(.serialized) struct ServerResumptionTests {
    static let ticketKey: [UInt8] = Array("key1".utf8) + (0..<32).map { UInt8($0) }
    static let nextTicketKey: [UInt8] = Array("key2".utf8) + (0..<32).map { UInt8(200 - $0) }

    static let chain = ServerLoopbackTests.chain("server-ec"), key = ServerLoopbackTests.key("server-ec")

    /// One connection: the client with `region` (nil: no resumption) or an external PSK,
    /// the server at `time` with the ticket keys or external PSK given (empty: none).
    static func connect(
        region: inout [UInt8], resumes: Bool = true, keyExchange: ClientSettings.ResumptionKeyExchange = .withECDHE,
        clientPSK: ([UInt8], [UInt8])? = nil, time: Int64 = PKI.time, ticketKey: [UInt8] = [], previous: [UInt8] = [],
        lifetime: UInt32 = 7200, serverPSK: ([UInt8], [UInt8])? = nil, versions: TLSVersions = .tls13
    ) throws -> ServerLoopbackTests.Outcome {
        var server = ServerConfiguration(certificateChain: chain.span, privateKey: key.span, time: time)
        if !ticketKey.isEmpty {
            server = server.issuingTickets(key: ticketKey.span, previous: previous.span, lifetime: lifetime)
        }
        let pskIdentity = serverPSK?.0 ?? [], pskKey = serverPSK?.1 ?? []
        if serverPSK != nil { server = server.withExternalPSK(identity: pskIdentity.span, key: pskKey.span) }
        let clientIdentity = clientPSK?.0 ?? [], clientKey = clientPSK?.1 ?? []
        let name = ServerLoopbackTests.serverName, anchors = ServerLoopbackTests.anchors
        if clientPSK != nil {
            let client = ClientConfiguration(
                serverName: name.span, serverAddress: Span(), trustAnchors: anchors.span, crls: Span(), time: PKI.time,
                versions: .tls13)
            return try ServerLoopbackTests.run(client.withExternalPSK(identity: clientIdentity.span, key: clientKey.span), server)
        }
        let client = ClientConfiguration(
            serverName: name.span, serverAddress: Span(), trustAnchors: anchors.span, crls: Span(), time: PKI.time,
            versions: versions)
        var session = region
        defer { region = session }
        return try ServerLoopbackTests.run(client.resuming(session.mutableSpan, keyExchange: keyExchange), server)
    }

    static func resumed(_ outcome: ServerLoopbackTests.Outcome) -> Session.Kind? {
        for event in outcome.serverEvents { if case .resumed(let kind) = event.kind { return kind } }
        return nil
    }

    @Test(arguments: [ClientSettings.ResumptionKeyExchange.withECDHE, .pskOnly])
    func ticketIssuedThenResumed(keyExchange: ClientSettings.ResumptionKeyExchange) throws {
        var region = [UInt8](repeating: 0, count: Session.capacity)
        let first = try Self.connect(region: &region, keyExchange: keyExchange, ticketKey: Self.ticketKey)
        ServerLoopbackTests.expectExchanged(first)
        #expect(first.serverEvents.contains { if case .sessionTicketIssued = $0.kind { true } else { false } })
        #expect(Self.resumed(first) == nil)
        let second = try Self.connect(region: &region, keyExchange: keyExchange, time: PKI.time + 60, ticketKey: Self.ticketKey)
        ServerLoopbackTests.expectExchanged(second)
        #expect(Self.resumed(second) == .ticket13)
        #expect(!second.serverEvents.contains { $0.kind == .sent(.certificate) })
        #expect(second.serverGroup == (keyExchange == .pskOnly ? nil : .x25519))

        // Rotated: the old key as `previous` still opens it; a server without it does a full handshake.
        let rotated = try Self.connect(
            region: &region, keyExchange: keyExchange, time: PKI.time + 120, ticketKey: Self.nextTicketKey,
            previous: Self.ticketKey)
        ServerLoopbackTests.expectExchanged(rotated)
        #expect(Self.resumed(rotated) == .ticket13)
        // The rotated connection stored a ticket of key2; key3 knows neither.
        let unknown = try Self.connect(
            region: &region, keyExchange: keyExchange, time: PKI.time + 180, ticketKey: Array("key3".utf8) + [UInt8](repeating: 9, count: 32))
        ServerLoopbackTests.expectExchanged(unknown)
        #expect(Self.resumed(unknown) == nil)
    }

    @Test func tls12TicketIssuedThenResumed() throws {
        var region = [UInt8](repeating: 0, count: Session.capacity)
        let first = try Self.connect(region: &region, ticketKey: Self.ticketKey, versions: .tls12)
        ServerLoopbackTests.expectExchanged(first)
        #expect(first.serverEvents.contains { if case .sessionTicketIssued = $0.kind { true } else { false } })
        let second = try Self.connect(region: &region, time: PKI.time + 60, ticketKey: Self.ticketKey, versions: .tls12)
        ServerLoopbackTests.expectExchanged(second)
        #expect(Self.resumed(second) == .ticket12)
        #expect(!second.serverEvents.contains { $0.kind == .sent(.certificate) })
        // Under another ticket key the ticket opens to nothing: a full handshake (RFC 5077 §3.4).
        let other = try Self.connect(region: &region, ticketKey: Self.nextTicketKey, versions: .tls12)
        ServerLoopbackTests.expectExchanged(other)
        #expect(Self.resumed(other) == nil)
    }

    @Test func expiredTicketIsAFullHandshake() throws {
        var region = [UInt8](repeating: 0, count: Session.capacity)
        _ = try Self.connect(region: &region, ticketKey: Self.ticketKey, lifetime: 100)
        // The client's clock (the PKI time) still offers it; the server's says 200 s later.
        let late = try Self.connect(region: &region, time: PKI.time + 200, ticketKey: Self.ticketKey, lifetime: 100)
        ServerLoopbackTests.expectExchanged(late)
        #expect(Self.resumed(late) == nil)
    }

    @Test func externalPSK() throws {
        let identity: [UInt8] = Array("device-42".utf8)
        let secret: [UInt8] = (0..<32).map { UInt8($0 &* 3) }
        let wrong: [UInt8] = (0..<32).map { UInt8($0 &* 5) }
        var none: [UInt8] = []
        let outcome = try Self.connect(region: &none, clientPSK: (identity, secret), serverPSK: (identity, secret))
        ServerLoopbackTests.expectExchanged(outcome)
        #expect(Self.resumed(outcome) == .externalPSK)
        // The same identity with another key: the binder does not verify (§4.2.11.2).
        let bad = try Self.connect(region: &none, clientPSK: (identity, wrong), serverPSK: (identity, secret))
        #expect(bad.server == .failed(.pskBinderMismatch))
        #expect(bad.client == .failed(.peerAlert(.decryptError)))
        // An identity the server does not know: certificates instead.
        let other = try Self.connect(region: &none, clientPSK: (Array("device-7".utf8), secret), serverPSK: (identity, secret))
        ServerLoopbackTests.expectExchanged(other)
        #expect(Self.resumed(other) == nil)
    }
}
