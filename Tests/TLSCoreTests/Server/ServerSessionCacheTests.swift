import Foundation
import Testing
@testable import TLSCore
import TLSPlatform

/// The TLS 1.2 session-ID cache in the server's caller memory (`SessionCache`), taken by
/// the core's client: a full handshake under a fresh ID, then a resumption by that ID; and
/// what must not resume — an expired entry, a suite no longer offered, a session whose
/// connection ended with a fatal alert (RFC 5246 §7.2.2), an ID evicted by another.
@Suite struct ServerSessionCacheTests {
    static let chain = ServerLoopbackTests.chain("server-ec"), key = ServerLoopbackTests.key("server-ec")

    static func connect(
        session: inout [UInt8], cache: inout [UInt8], time: Int64 = PKI.time, lifetime: UInt32 = 7200,
        clientSuites: CipherSuites = .defaults, garbageAfterwards: Bool = false
    ) throws -> ServerLoopbackTests.Outcome {
        let name = ServerLoopbackTests.serverName, anchors = ServerLoopbackTests.anchors
        let client = ClientConfiguration(
            serverName: name.span, serverAddress: Span(), trustAnchors: anchors.span, crls: Span(), time: PKI.time,
            suites: clientSuites, versions: .tls12)
        var region = session, entries = cache
        defer {
            session = region
            cache = entries
        }
        let server = ServerConfiguration(certificateChain: chain.span, privateKey: key.span, time: time)
            .cachingSessions(in: entries.mutableSpan, lifetime: lifetime)
        return try ServerLoopbackTests.run(
            client.resuming(region.mutableSpan, keyExchange: .withECDHE), server, garbageAfterwards: garbageAfterwards)
    }

    static func fresh() -> (session: [UInt8], cache: [UInt8]) {
        ([UInt8](repeating: 0, count: Session.capacity), [UInt8](repeating: 0, count: 4 * SessionCache.entryLength))
    }

    /// Entries in use (their first byte is 1).
    static func used(_ cache: [UInt8]) -> Int {
        stride(from: 0, to: cache.count, by: SessionCache.entryLength).filter { cache[$0] == 1 }.count
    }

    @Test func fullHandshakeIsCachedThenResumedByID() throws {
        var (session, cache) = Self.fresh()
        let first = try Self.connect(session: &session, cache: &cache)
        ServerLoopbackTests.expectExchanged(first)
        #expect(ServerResumptionTests.resumed(first) == nil)
        #expect(Self.used(cache) == 1)
        let second = try Self.connect(session: &session, cache: &cache, time: PKI.time + 60)
        ServerLoopbackTests.expectExchanged(second)
        #expect(ServerResumptionTests.resumed(second) == .sessionID)
        #expect(!second.serverEvents.contains { $0.kind == .sent(.certificate) })
        #expect(second.serverSuite == first.serverSuite)
        // A resumption stores nothing new: the same entry serves again.
        #expect(Self.used(cache) == 1)
        let third = try Self.connect(session: &session, cache: &cache, time: PKI.time + 120)
        #expect(ServerResumptionTests.resumed(third) == .sessionID)
    }

    @Test func expiredEntryIsAFullHandshakeAndCleared() throws {
        var (session, cache) = Self.fresh()
        _ = try Self.connect(session: &session, cache: &cache, lifetime: 100)
        #expect(Self.used(cache) == 1)
        let late = try Self.connect(session: &session, cache: &cache, time: PKI.time + 101, lifetime: 100)
        ServerLoopbackTests.expectExchanged(late)
        #expect(ServerResumptionTests.resumed(late) == nil)
        #expect(late.serverEvents.contains { $0.kind == .sent(.certificate) })
        // The late full handshake cached its own session in place of the expired one (or beside it).
        #expect(Self.used(cache) >= 1)
    }

    @Test func suiteNoLongerOfferedIsAFullHandshake() throws {
        var (session, cache) = Self.fresh()
        let first = try Self.connect(session: &session, cache: &cache, clientSuites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256))
        ServerLoopbackTests.expectExchanged(first)
        var again = session
        // The stored session names AES-128-GCM; a client offering only ChaCha20 cannot resume it.
        let other = try Self.connect(
            session: &again, cache: &cache, clientSuites: CipherSuites(.ecdheECDSAWithChaCha20Poly1305SHA256))
        #expect(ServerResumptionTests.resumed(other) == nil)
    }

    @Test func fatalAlertForgetsTheSession() throws {
        var (session, cache) = Self.fresh()
        let first = try Self.connect(session: &session, cache: &cache, garbageAfterwards: true)
        #expect(first.server == .failed(.badRecordMAC))
        #expect(Self.used(cache) == 0)
        #expect(cache.allSatisfy { $0 == 0 }, "the master secret is wiped with its entry")
        let next = try Self.connect(session: &session, cache: &cache)
        ServerLoopbackTests.expectExchanged(next)
        #expect(ServerResumptionTests.resumed(next) == nil)
    }

    @Test func resumedConnectionEndingInAFatalAlertForgetsItToo() throws {
        var (session, cache) = Self.fresh()
        _ = try Self.connect(session: &session, cache: &cache)
        let resumed = try Self.connect(session: &session, cache: &cache, garbageAfterwards: true)
        #expect(ServerResumptionTests.resumed(resumed) == .sessionID)
        #expect(resumed.server == .failed(.badRecordMAC))
        #expect(Self.used(cache) == 0)
    }

    @Test func oneSlotCacheKeepsTheLatestSession() throws {
        var first = [UInt8](repeating: 0, count: Session.capacity)
        var second = first
        var cache = [UInt8](repeating: 0, count: SessionCache.entryLength)
        _ = try Self.connect(session: &first, cache: &cache)
        _ = try Self.connect(session: &second, cache: &cache)
        let evicted = try Self.connect(session: &first, cache: &cache)
        #expect(ServerResumptionTests.resumed(evicted) == nil, "the second session took the only slot")
        ServerLoopbackTests.expectExchanged(evicted)
    }

    /// A real gnutls-cli ClientHello (the fuzz seed `gnutls-cached-41`, its session ID set to
    /// 32 bytes of 0x42) against a cache holding that ID: the server answers with the
    /// abbreviated handshake — ServerHello echoing the ID, then ChangeCipherSpec and Finished.
    @Test func gnutlsHelloNamingACachedIDIsResumed() throws {
        let seed = Array(try Data(contentsOf: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/server/gnutls-cached-41")))
        let hello = Array(seed[2...])
        let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2 * SessionCache.entryLength)
        region.initialize(repeating: 0)
        defer { region.deallocate() }
        let id = [UInt8](repeating: 0x42, count: 32)
        SessionCache(region: region, lifetime: 7200).store(
            id: id.span, suite: .ecdheECDSAWithAES128GCMSHA256, issuedAt: PKI.time, masterSecret: [UInt8](repeating: 0x33, count: 48).span)
        let configuration = ServerConfiguration(
            certificateChain: Self.chain.span, privateKey: Self.key.span, time: PKI.time + 10, versions: .tls12)
            .cachingSessions(in: region.mutableSpan)
        var sIn = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var sOut = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var sRe = [UInt8](repeating: 0, count: configuration.reassemblyRegionSize)
        var engine = try ServerEngine(
            configuration: configuration, input: sIn.mutableSpan, output: sOut.mutableSpan, reassembly: sRe.mutableSpan,
            random: try Random(entropy: SystemEntropy.source, personalization: Span()))
        try engine.start()
        var room = engine.incomingRoom()
        for i in 0..<hello.count { room[i] = hello[i] }
        try engine.didReceive(hello.count)
        var events: [HandshakeEvent] = []
        while let event = engine.nextEvent() { events.append(event) }
        #expect(events.contains { $0.kind == .resumed(.sessionID) }, "\(events)")
        #expect(!events.contains { $0.kind == .sent(.certificate) })
        let out = EngineHarness.bytes(engine.outgoing)
        // ServerHello: record(5) handshake(4) version(2) random(32), then the echoed ID.
        #expect(out.count > 76 && out[43] == 32 && Array(out[44..<76]) == id)
        #expect(out.contains(20), "a ChangeCipherSpec record follows")
    }

    @Test func cacheDirectly() throws {
        let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 3 * SessionCache.entryLength)
        region.initialize(repeating: 0)
        defer { region.deallocate() }
        let cache = SessionCache(region: region, lifetime: 10)
        let id: [UInt8] = (0..<32).map { UInt8($0) }
        let master: [UInt8] = (0..<48).map { UInt8(100 + $0) }
        cache.store(id: id.span, suite: .ecdheECDSAWithAES128GCMSHA256, issuedAt: 1000, masterSecret: master.span)
        let hit = cache.find(id.span, at: 1005)
        #expect(hit != nil)
        guard var found = hit else { return }
        var secret: [UInt8] = []
        for i in 0..<found.secretCount { secret.append(found.secret[i]) }
        #expect(secret == master)
        #expect(found.suite == .ecdheECDSAWithAES128GCMSHA256)
        found.wipe()
        // Another ID in the same slot does not match; a short ID is not ours.
        var other = id
        other[31] ^= 1
        #expect(cache.find(other.span, at: 1005) == nil)
        let short = Array(id[0..<16])
        #expect(cache.find(short.span, at: 1005) == nil)
        cache.remove(other.span)
        #expect(cache.find(id.span, at: 1005) != nil, "removing another ID leaves the entry")
        // A minute of clock skew is tolerated (as tickets); past the lifetime it is gone for good.
        #expect(cache.find(id.span, at: 960) != nil)
        #expect(cache.find(id.span, at: 1011) == nil)
        #expect(cache.find(id.span, at: 1005) == nil)
        // An empty region caches nothing.
        #expect(!SessionCache.none.isEnabled)
    }
}
