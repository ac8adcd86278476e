/// A TLS 1.2 server's session-ID cache (RFC 5246 §7.3, §7.4.1.2) in the caller's memory:
/// a fixed number of fixed-size entries, no allocation, no per-client state elsewhere. A
/// full handshake with extended_master_secret gives the client a fresh random session ID
/// and, once it completes, stores the master secret under that ID; a later ClientHello
/// naming the ID resumes it. An entry lives `lifetime` seconds; a connection that ends with
/// a fatal alert, sent or received, takes its entry with it (§7.2.2).
///
///     state:u8 (1: in use)  0:u8  suite:u16  issuedAt:u64  id[32]  masterSecret[48]  0[4]
///
/// The cache is direct-mapped: an entry's slot is the ID's first three bytes modulo the
/// number of slots, so a lookup or a store touches one entry whatever the cache's size
/// (the IDs are our own random bytes, spread evenly); a new session takes the slot of the
/// one before it. Engines sharing a cache must run on one thread (a poll loop's table).
/// The region holds master secrets: the caller zeroes it when the cache is retired.
public struct SessionCache {
    /// Bytes per entry: a region of n × `entryLength` bytes holds n sessions.
    public static let entryLength = 96
    static let idLength = 32

    private let region: UnsafeMutableBufferPointer<UInt8>
    /// Seconds an entry may be resumed for.
    let lifetime: UInt32

    init(region: UnsafeMutableBufferPointer<UInt8>, lifetime: UInt32) {
        self.region = region
        self.lifetime = lifetime
    }

    static var none: SessionCache { SessionCache(region: UnsafeMutableBufferPointer(start: nil, count: 0), lifetime: 0) }

    /// Whether the cache has room for one entry at least.
    var isEnabled: Bool { region.count >= Self.entryLength }

    /// The entry the ID maps to, as an offset into the region; nil for a cache of no entry
    /// or an ID that is not ours (not 32 bytes).
    private func slot(_ id: Span<UInt8>) -> Int? {
        guard isEnabled, id.count == Self.idLength else { return nil }
        let index = Int(id[0]) &<< 16 | Int(id[1]) &<< 8 | Int(id[2])
        return index % (region.count / Self.entryLength) &* Self.entryLength
    }

    @_lifetime(borrow self)
    private func entry(at offset: Int) -> MutableSpan<UInt8> {
        let bytes = UnsafeMutableBufferPointer(rebasing: region[offset..<(offset &+ Self.entryLength)])
        return _overrideLifetime(bytes.mutableSpan, borrowing: self)
    }

    /// Stores the session of a completed full handshake under `id`, replacing the slot's
    /// earlier entry.
    func store(id: Span<UInt8>, suite: CipherSuite, issuedAt: Int64, masterSecret: Span<UInt8>) {
        guard let offset = slot(id), masterSecret.count == 48 else { return }
        var entry = entry(at: offset)
        secureZero(&entry)
        entry[2] = UInt8(truncatingIfNeeded: suite.rawValue &>> 8)
        entry[3] = UInt8(truncatingIfNeeded: suite.rawValue)
        var issued = UInt64(bitPattern: issuedAt)
        for i in (4..<12).reversed() {
            entry[i] = UInt8(truncatingIfNeeded: issued)
            issued = issued &>> 8
        }
        for i in 0..<Self.idLength { entry[12 &+ i] = id[i] }
        for i in 0..<48 { entry[44 &+ i] = masterSecret[i] }
        entry[0] = 1
    }

    /// The session stored under `id`, if it is there and alive at `time`: as a ticket's
    /// state (TLS 1.2, extended_master_secret, the master secret), which the caller wipes.
    /// An expired entry found is cleared.
    func find(_ id: Span<UInt8>, at time: Int64) -> SessionTicket? {
        guard let offset = slot(id), region[offset] == 1 else { return nil }
        var entry = entry(at: offset)
        guard constantTimeEquals(entry.span.extracting(12..<44), id) else { return nil }
        var issued: UInt64 = 0
        for i in 4..<12 { issued = issued &<< 8 | UInt64(widening: UInt32(entry[i])) }
        guard let suite = CipherSuite(rawValue: UInt16(entry[2]) &<< 8 | UInt16(entry[3])), suite.version == .tls12 else {
            secureZero(&entry)
            return nil
        }
        var session = SessionTicket(
            version: .tls12, suite: suite, extendedMasterSecret: true, issuedAt: Int64(bitPattern: issued),
            lifetime: lifetime, ageAdd: 0)
        guard session.isValid(at: time) else {
            secureZero(&entry)
            return nil
        }
        for i in 0..<48 { session.secret[i] = entry[44 &+ i] }
        session.secretCount = 48
        return session
    }

    /// Clears the entry stored under `id`, if any: its connection ended with a fatal alert.
    func remove(_ id: Span<UInt8>) {
        guard let offset = slot(id), region[offset] == 1 else { return }
        var entry = entry(at: offset)
        guard constantTimeEquals(entry.span.extracting(12..<44), id) else { return }
        secureZero(&entry)
    }
}
