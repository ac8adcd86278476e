import Testing
@testable import TLSCore

/// The session region's format (`Session`): what is stored reads back, and nothing else
/// loads — a cut, flipped, foreign or stale region is refused with its reason, never
/// accepted and never a crash.
@Suite struct SessionFormatTests {
    static let anchors = Fixtures.der("root-ec")
    static let name = Array("localhost".utf8)
    static let time: Int64 = 1_893_456_000

    /// A region holding a TLS 1.3 session for "localhost" under root-ec, stored at `time`.
    static func stored(ticket: [UInt8] = Array(repeating: 0xA5, count: 200), lifetime: UInt32 = 7200) throws -> [UInt8] {
        var region = [UInt8](repeating: 0xEE, count: Session.capacity)
        try withSettings { settings in
            let secret = [UInt8](repeating: 7, count: 32)
            let fields = Session.Fields(
                kind: .ticket13, suite: .aes128GCMSHA256, extendedMasterSecret: false, lifetime: lifetime,
                ageAdd: 0x0102_0304, secret: secret.span, sessionID: Span(), ticket: ticket.span)
            var span = region.mutableSpan
            try Session.store(fields, settings: settings, sealed: true, into: &span)
        }
        return region
    }

    static func withSettings(
        name: [UInt8] = name, anchors: [UInt8] = anchors, time: Int64 = time, suites: CipherSuites = .defaults,
        _ body: (ClientSettings) throws -> Void
    ) throws {
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span, time: time,
            suites: suites)
        try body(configuration.settings)
    }

    static func refusal(_ bytes: [UInt8]) -> Session.Refusal? {
        do throws(Session.Refusal) {
            _ = try Session(bytes.span)
            return nil
        } catch {
            return error
        }
    }

    @Test func whatIsStoredReadsBack() throws {
        let region = try Self.stored()
        let session = try Session(region.span)
        #expect(session.kind == .ticket13)
        #expect(session.suite == .aes128GCMSHA256)
        #expect(session.issuedAt == Self.time)
        #expect(session.lifetime == 7200)
        #expect(session.ageAdd == 0x0102_0304)
        #expect((0..<session.serverName.count).map { session.serverName[$0] } == Self.name)
        #expect(session.ticket.count == 200)
        #expect(session.secret.count == 32)
        #expect(session.length == Session.headerLength + 33 + 1 + 10 + 202 + Session.checkLength)
        // The rest of the region was wiped before the write.
        #expect(region[session.length...].allSatisfy { $0 == 0 })
        try Self.withSettings { settings in try session.check(for: settings) }
    }

    @Test func zerosAreNoSession() {
        #expect(Self.refusal([UInt8](repeating: 0, count: Session.capacity)) == .empty)
        #expect(Self.refusal([]) == .empty)
    }

    @Test func everyCutIsRefused() throws {
        let region = try Self.stored()
        let length = try Session(region.span).length
        for cut in 0..<length {
            let reason = Self.refusal(Array(region[0..<cut]))
            #expect(reason != nil, "a session cut at \(cut) bytes loaded")
            if cut >= 5 { #expect(reason == .truncated) }
        }
    }

    @Test func everyFlippedBitIsRefused() throws {
        let region = try Self.stored()
        let length = try Session(region.span).length
        for index in 0..<length {
            for bit in 0..<8 {
                var copy = region
                copy[index] ^= UInt8(1 << bit)
                #expect(Self.refusal(copy) != nil, "byte \(index) bit \(bit) flipped loaded")
            }
        }
    }

    @Test func anotherFormatVersionIsRefused() throws {
        var region = try Self.stored()
        region[2] = 2
        #expect(Self.refusal(region) == .unknownFormat)
        region[0] = 0x55
        #expect(Self.refusal(region) == .malformed)
    }

    @Test func anUnsealedSessionDoesNotLoad() throws {
        var region = [UInt8](repeating: 0, count: Session.capacity)
        try Self.withSettings { settings in
            let secret = [UInt8](repeating: 7, count: 48)
            let ticket = [UInt8](repeating: 1, count: 100)
            let fields = Session.Fields(
                kind: .ticket12, suite: .ecdheECDSAWithAES128GCMSHA256, extendedMasterSecret: true, lifetime: 100,
                ageAdd: 0, secret: secret.span, sessionID: Span(), ticket: ticket.span)
            var span = region.mutableSpan
            try Session.store(fields, settings: settings, sealed: false, into: &span)
            #expect(Self.refusal(region) == .corrupt)
            span = region.mutableSpan
            try Session.seal(&span)
        }
        #expect(Self.refusal(region) == nil)
    }

    @Test func aTicketOverTheCapacityIsNotStored() throws {
        #expect(throws: TLSError.bufferTooSmall(needed: Session.ticketCapacity + 1, capacity: Session.ticketCapacity)) {
            _ = try Self.stored(ticket: Array(repeating: 1, count: Session.ticketCapacity + 1))
        }
        let region = try Self.stored(ticket: Array(repeating: 1, count: Session.ticketCapacity))
        #expect(Self.refusal(region) == nil)
    }

    @Test func clearWipesTheSecret() throws {
        var region = try Self.stored()
        var span = region.mutableSpan
        Session.clear(&span)
        #expect(region.allSatisfy { $0 == 0 })
    }

    /// `check(for:)`: for this server, these anchors, its lifetime, a suite offered.
    @Test func checkRefusesWhatDoesNotBelong() throws {
        let region = try Self.stored()
        func reason(_ settings: ClientSettings) -> Session.Refusal? {
            do throws(Session.Refusal) {
                try Session(region.span).check(for: settings)
                return nil
            } catch {
                return error
            }
        }
        try Self.withSettings(time: Self.time + 7199) { #expect(reason($0) == nil) }
        try Self.withSettings(time: Self.time + 7200) { #expect(reason($0) == .expired) }
        try Self.withSettings(time: Self.time - 1) { #expect(reason($0) == .notYetValid) }
        try Self.withSettings(name: Array("localhost.".utf8)) { #expect(reason($0) == .otherServer) }
        try Self.withSettings(anchors: Fixtures.der("root-rsa")) { #expect(reason($0) == .otherTrust) }
        try Self.withSettings(suites: .tls12) { #expect(reason($0) == .notOffered) }
    }

    /// A session stored under a clock far in the past and checked now is expired: the age is
    /// not `now - issuedAt` in Int64, which overflowed and trapped (the session fuzz target's
    /// crash, Fuzz/crashes/session). Near its end, the same session is still live.
    @Test func aSessionFromFarInThePastIsExpiredNotATrap() throws {
        let stored = Int64.min + 5
        var region = [UInt8](repeating: 0, count: Session.capacity)
        try Self.withSettings(time: stored) { settings in
            let secret = [UInt8](repeating: 7, count: 32)
            let ticket = [UInt8](repeating: 1, count: 8)
            let fields = Session.Fields(
                kind: .ticket13, suite: .aes128GCMSHA256, extendedMasterSecret: false, lifetime: .max,
                ageAdd: 0, secret: secret.span, sessionID: Span(), ticket: ticket.span)
            var span = region.mutableSpan
            try Session.store(fields, settings: settings, sealed: true, into: &span)
        }
        func reason(_ settings: ClientSettings) -> Session.Refusal? {
            do throws(Session.Refusal) {
                try Session(region.span).check(for: settings)
                return nil
            } catch {
                return error
            }
        }
        try Self.withSettings { #expect(reason($0) == .expired) }
        try Self.withSettings(time: Int64.max) { #expect(reason($0) == .expired) }
        try Self.withSettings(time: stored + Int64(UInt32.max) - 1) { #expect(reason($0) == nil) }
        try Self.withSettings(time: stored + Int64(UInt32.max)) { #expect(reason($0) == .expired) }
    }
}
