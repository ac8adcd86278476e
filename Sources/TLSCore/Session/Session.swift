/// A resumable session, as it lies in the caller's session region: the bytes a board keeps
/// in flash across deep sleep, and the one form the engine reads and writes. `Session` is a
/// checked, zero-copy view of those bytes; the engine writes a new session into the region
/// when one becomes resumable (a TLS 1.2 handshake with a session ID or ticket, each TLS 1.3
/// NewSessionTicket), wiping the old one first.
///
/// Format 1, big-endian, `capacity` bytes at most:
///
///     "TS" 1  length:u16  kind:u8  suite:u16  flags:u8  issuedAt:u64  lifetime:u32  ageAdd:u32
///     anchors:32  secret<1>  sessionID<1>  serverName<1>  ticket<2>  check:8
///
/// `check` is the first 8 bytes of SHA-256 over everything before it: it catches flash
/// corruption and torn writes (a session is written check last), not an attacker — the
/// region holds the master secret or resumption PSK in clear, so protecting it at rest is
/// the caller's part. `anchors` is SHA-256 of the trust anchors the server's chain was
/// validated under; with the server name it binds the session to one server and one trust
/// setup, so it is never offered anywhere else.
public struct Session: ~Escapable {
    /// Bytes a session region needs.
    public static let capacity = headerLength + (1 + 48) + (1 + 32) + (1 + 255) + (2 + ticketCapacity) + checkLength
    /// The longest ticket kept: OpenSSL's are about 180 (TLS 1.2) and 230 bytes (TLS 1.3),
    /// several hundred more when they carry a client certificate. A longer one is not stored
    /// (the next connection is a full handshake) rather than cost every region more.
    public static let ticketCapacity = 1024

    static let formatVersion: UInt8 = 1
    static let headerLength = 3 + 2 + 1 + 2 + 1 + 8 + 4 + 4 + 32
    static let checkLength = 8

    public enum Kind: UInt8, Sendable {
        /// TLS 1.2, resumed by session ID (RFC 5246 §7.3).
        case sessionID = 1
        /// TLS 1.2, resumed by ticket (RFC 5077).
        case ticket12 = 2
        /// TLS 1.3, a ticket and its resumption PSK (RFC 8446 §4.6.1).
        case ticket13 = 3
        /// TLS 1.3, the configuration's external PSK (§4.2.11): offered, never stored.
        case externalPSK = 4

        public var version: TLSVersion { self == .ticket13 || self == .externalPSK ? .tls13 : .tls12 }
    }

    public let kind: Kind
    public let suite: CipherSuite
    /// TLS 1.2: the session used extended_master_secret (always, for a stored one).
    public let extendedMasterSecret: Bool
    /// When it was stored, seconds since the Unix epoch (the configuration's time).
    public let issuedAt: Int64
    /// Seconds it may be offered for after `issuedAt` (a ticket's lifetime, §4.6.1).
    public let lifetime: UInt32
    /// TLS 1.3: ticket_age_add, to obfuscate the age (§4.2.11.1).
    let ageAdd: UInt32
    let anchorsDigest: Span<UInt8>
    /// The master secret (TLS 1.2) or the resumption PSK (TLS 1.3).
    let secret: Span<UInt8>
    let sessionID: Span<UInt8>
    public let serverName: Span<UInt8>
    let ticket: Span<UInt8>
    /// Bytes of the region the session occupies.
    public let length: Int

    /// Reads a session from the start of `bytes`, refusing anything that is not exactly one
    /// whole, intact session of a format this build knows.
    @_lifetime(copy bytes)
    public init(_ bytes: Span<UInt8>) throws(Session.Refusal) {
        guard bytes.count >= 5, bytes[0] != 0 || bytes[1] != 0 else { throw .empty }
        guard bytes[0] == 0x54, bytes[1] == 0x53 else { throw .malformed }
        guard bytes[2] == Self.formatVersion else { throw .unknownFormat }
        let length = Int(bytes[3]) << 8 | Int(bytes[4])
        guard length >= Self.headerLength + Self.checkLength, length <= Self.capacity else { throw .malformed }
        guard length <= bytes.count else { throw .truncated }
        let body = bytes.extracting(0..<(length - Self.checkLength))
        var digest = InlineArray<32, UInt8>(repeating: 0)
        var digestSpan = digest.mutableSpan
        guard (try? Digest.hash(.sha256, body, into: &digestSpan)) != nil else { throw .malformed }
        var differs: UInt8 = 0
        for i in 0..<Self.checkLength { differs |= digest[i] ^ bytes[length - Self.checkLength + i] }
        guard differs == 0 else { throw .corrupt }

        do throws(TLSError) {
            var reader = Reader(body)
            try reader.skip(5)
            guard let kind = Kind(rawValue: try reader.u8()), kind != .externalPSK else { throw TLSError.malformed }
            guard let suite = CipherSuite(rawValue: try reader.u16()), suite.version == kind.version else {
                throw TLSError.malformed
            }
            let flags = try reader.u8()
            // Widening and masking shifts: generic conversions and a plain 64-bit `<<`
            // allocate in 32-bit Embedded builds (Widening.swift).
            let high = UInt64(widening: try reader.u32())
            let issuedAt = Int64(bitPattern: high &<< 32 | UInt64(widening: try reader.u32()))
            let lifetime = try reader.u32()
            let ageAdd = try reader.u32()
            let anchors = try reader.bytes(32)
            let secret = try reader.vector(lengthBytes: 1, minimum: 32)
            let sessionID = try reader.vector(lengthBytes: 1)
            let serverName = try reader.vector(lengthBytes: 1)
            let ticket = try reader.vector(lengthBytes: 2)
            try reader.expectEnd()
            // What each kind needs to be offered at all.
            guard secret.count == (kind == .ticket13 ? suite.prfHash.digestLength : 48), sessionID.count <= 32,
                  ticket.count <= Self.ticketCapacity else { throw TLSError.malformed }
            switch kind {
            case .sessionID: guard sessionID.count > 0, ticket.count == 0 else { throw TLSError.malformed }
            case .ticket12, .ticket13, .externalPSK: guard ticket.count > 0 else { throw TLSError.malformed }
            }
            self.kind = kind
            self.suite = suite
            self.extendedMasterSecret = flags & 1 != 0
            self.issuedAt = issuedAt
            self.lifetime = lifetime
            self.ageAdd = ageAdd
            self.anchorsDigest = anchors
            self.secret = secret
            self.sessionID = sessionID
            self.serverName = serverName
            self.ticket = ticket
            self.length = length
        } catch {
            // Inside a body whose length and check hold, any decoding failure is a bad field.
            throw .malformed
        }
    }

    /// Whether this session may be offered under `settings` at its time: for the same
    /// server and trust anchors, unexpired, of a version and suite offered, and (TLS 1.2)
    /// with extended_master_secret, without which resumption is unsafe (RFC 7627 §5.3).
    func check(for settings: borrowing ClientSettings) throws(Session.Refusal) {
        let now = settings.trust.time
        guard now >= issuedAt else { throw .notYetValid }
        // The age against the lifetime (RFC 8446 §4.6.1, RFC 5077 §3.3), as an unsigned
        // difference: exact once now >= issuedAt, where a signed `now - issuedAt` overflows
        // and traps for times far apart (a stored issuedAt far in the past: the fuzzer's
        // 0x8000000070dbd880, Fuzz/crashes/session).
        let age = UInt64(bitPattern: now) &- UInt64(bitPattern: issuedAt)
        guard age < UInt64(widening: lifetime) else { throw .expired }
        guard constantTimeEquals(serverName, settings.sessionServerName) else { throw .otherServer }
        var digest = InlineArray<32, UInt8>(repeating: 0)
        guard (try? Self.anchorsDigest(settings, into: &digest)) != nil,
              constantTimeEquals(anchorsDigest, digest.span) else { throw .otherTrust }
        guard settings.offers(kind.version), settings.offeredSuites.contains(suite) else { throw .notOffered }
        if kind.version == .tls12, !extendedMasterSecret { throw .notOffered }
    }

    /// SHA-256 of the trust anchors (`anchors` of the format).
    static func anchorsDigest(_ settings: borrowing ClientSettings, into digest: inout InlineArray<32, UInt8>) throws(TLSError) {
        var span = digest.mutableSpan
        _ = try Digest.hash(.sha256, settings.trust.trustAnchors, into: &span)
    }

    /// What is stored: the fields of the format, in the engine's hands.
    struct Fields: ~Escapable {
        var kind: Kind
        var suite: CipherSuite
        var extendedMasterSecret: Bool
        var lifetime: UInt32
        var ageAdd: UInt32 = 0
        var secret: Span<UInt8>
        var sessionID: Span<UInt8>
        var ticket: Span<UInt8>

        @_lifetime(copy secret, copy sessionID, copy ticket)
        init(kind: Kind, suite: CipherSuite, extendedMasterSecret: Bool, lifetime: UInt32, ageAdd: UInt32,
             secret: Span<UInt8>, sessionID: Span<UInt8>, ticket: Span<UInt8>) {
            self.kind = kind
            self.suite = suite
            self.extendedMasterSecret = extendedMasterSecret
            self.lifetime = lifetime
            self.ageAdd = ageAdd
            self.secret = secret
            self.sessionID = sessionID
            self.ticket = ticket
        }
    }

    /// Replaces whatever `region` held (wiped first) by a session for `settings`' server,
    /// trust anchors and time. A ticket over `ticketCapacity` is refused with
    /// `bufferTooSmall` and the region is left wiped. Unless `sealed`, the check is left
    /// out until `seal`: the session does not load before the handshake that made it ends.
    static func store(
        _ fields: borrowing Fields, settings: borrowing ClientSettings, sealed: Bool,
        into region: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        secureZero(&region)
        guard fields.ticket.count <= ticketCapacity else {
            throw .bufferTooSmall(needed: fields.ticket.count, capacity: ticketCapacity)
        }
        guard region.count >= capacity else { throw .bufferTooSmall(needed: capacity, capacity: region.count) }
        var anchors = InlineArray<32, UInt8>(repeating: 0)
        try anchorsDigest(settings, into: &anchors)
        let name = settings.sessionServerName
        var length = 0
        do {
            var writer = Writer(reborrowing: &region)
            try writer.u8(0x54)
            try writer.u8(0x53)
            try writer.u8(formatVersion)
            try writer.u16(0)  // the length, once known
            try writer.u8(fields.kind.rawValue)
            try writer.u16(fields.suite.rawValue)
            try writer.u8(fields.extendedMasterSecret ? 1 : 0)
            let issuedAt = UInt64(bitPattern: settings.trust.time)
            try writer.u32(UInt32(truncatingIfNeeded: issuedAt &>> 32))
            try writer.u32(UInt32(truncatingIfNeeded: issuedAt))
            try writer.u32(fields.lifetime)
            try writer.u32(fields.ageAdd)
            try writer.bytes(anchors.span)
            for part in 0..<3 {
                let vector = try writer.beginVector(lengthBytes: 1)
                try writer.bytes(part == 0 ? fields.secret : part == 1 ? fields.sessionID : name)
                try writer.endVector(vector)
            }
            let ticket = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(fields.ticket)
            try writer.endVector(ticket)
            length = writer.count &+ checkLength
        }
        region[3] = UInt8(truncatingIfNeeded: length >> 8)
        region[4] = UInt8(truncatingIfNeeded: length)
        if sealed { try seal(&region) }
    }

    /// Writes the check of the session in `region`: it goes in last, so a write cut short
    /// leaves a session that does not load.
    static func seal(_ region: inout MutableSpan<UInt8>) throws(TLSError) {
        guard region.count >= headerLength else { throw .invalidState }
        let length = Int(region[3]) << 8 | Int(region[4])
        guard length >= headerLength &+ checkLength, length <= region.count else { throw .invalidState }
        var digest = InlineArray<32, UInt8>(repeating: 0)
        var digestSpan = digest.mutableSpan
        _ = try Digest.hash(.sha256, region.span.extracting(0..<(length &- checkLength)), into: &digestSpan)
        for i in 0..<checkLength { region[length &- checkLength &+ i] = digest[i] }
    }

    /// Zeroes a session region: the secret with it.
    public static func clear(_ region: inout MutableSpan<UInt8>) {
        secureZero(&region)
    }

    /// Why a session was not offered (the handshake is then a full one).
    public enum Refusal: Error, Sendable, Equatable {
        /// The region holds no session (all zeros: never stored, or cleared).
        case empty
        /// Shorter than the length it announces.
        case truncated
        /// Not a session of this format: bad magic, lengths or fields.
        case malformed
        /// A format version this build does not know.
        case unknownFormat
        /// The check does not match: corrupted or written only in part.
        case corrupt
        /// Its lifetime has passed.
        case expired
        /// Stored after the configuration's time (a clock that went back).
        case notYetValid
        /// For another server name or address.
        case otherServer
        /// Validated under other trust anchors.
        case otherTrust
        /// Its version or suite is not offered by this configuration (or, TLS 1.2, it
        /// lacks extended_master_secret).
        case notOffered
    }
}
