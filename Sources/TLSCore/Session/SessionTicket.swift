/// A ticket a server issues (RFC 5077 §4's recommended construction, for TLS 1.2 tickets
/// and TLS 1.3 NewSessionTicket alike): the session's state sealed under the caller's
/// ticket key with AES-256-GCM, so that the server keeps no per-client memory. The client
/// gets it back opaque; only a server holding the key can read or forge one.
///
///     key_name[4]  nonce[12]  AES-256-GCM(state)[70]  tag[16]          (102 bytes)
///     state: version:u16  suite:u16  flags:u8  issuedAt:u64  lifetime:u32  ageAdd:u32
///            secretLength:u8  secret[48] (TLS 1.2: the master secret; 1.3: the PSK)
///
/// The caller's key is 36 bytes: a 4-byte name (which key sealed a ticket, so that a
/// rotated-out key can still open its tickets while they live) and the 32-byte AES key.
/// Keys rotate by configuring a new `current` and moving the old one to `previous`.
struct SessionTicket {
    static let keyLength = 36
    static let stateLength = 2 &+ 2 &+ 1 &+ 8 &+ 4 &+ 4 &+ 1 &+ 48
    static let length = 4 &+ 12 &+ stateLength &+ 16

    var version: TLSVersion
    var suite: CipherSuite
    var extendedMasterSecret: Bool
    var issuedAt: Int64
    var lifetime: UInt32
    var ageAdd: UInt32
    var secret = InlineArray<48, UInt8>(repeating: 0)
    var secretCount = 0

    var secretSpan: Span<UInt8> { @_lifetime(borrow self) get { secret.span.extracting(0..<secretCount) } }

    mutating func wipe() {
        var span = secret.mutableSpan
        secureZero(&span)
        secretCount = 0
    }

    /// Writes the sealed ticket (`length` bytes) under `key` into `writer`.
    func seal(key: Span<UInt8>, random: inout Random, into writer: inout Writer) throws(TLSError) {
        guard key.count == Self.keyLength else { throw .invalidState }
        var buffer = InlineArray<102, UInt8>(repeating: 0)
        var bytes = buffer.mutableSpan
        defer { secureZero(&bytes) }
        for i in 0..<4 { bytes[i] = key[i] }
        var nonce = bytes._mutatingExtracting(4..<16)
        try random.fill(&nonce)
        do {
            var state = Writer(bytes._mutatingExtracting(16..<(16 &+ Self.stateLength)))
            try state.u16(version.rawValue)
            try state.u16(suite.rawValue)
            try state.u8(extendedMasterSecret ? 1 : 0)
            let issued = UInt64(bitPattern: issuedAt)
            try state.u32(UInt32(truncatingIfNeeded: issued &>> 32))
            try state.u32(UInt32(truncatingIfNeeded: issued))
            try state.u32(lifetime)
            try state.u32(ageAdd)
            try state.u8(UInt8(truncatingIfNeeded: secretCount))
            try state.bytes(secret.span)
        }
        var aead = try AEAD(.aes256GCM, key: key.extracting(4..<Self.keyLength))
        let nameAndNonce = InlineArray<16, UInt8> { bytes[$0] }
        var sealed = bytes._mutatingExtracting(16..<Self.length)
        _ = try aead.seal(
            nonce: nameAndNonce.span.extracting(4..<16), aad: nameAndNonce.span.extracting(0..<4), buffer: &sealed,
            plaintextCount: Self.stateLength)
        try writer.bytes(bytes.span)
    }

    /// Opens `ticket` with whichever of `keys` (each `keyLength` bytes, empty: none) named
    /// it; nil for a ticket of another key, a forged or damaged one, or a state that does
    /// not read: the handshake then goes on in full, as RFC 5077 §3.4 asks.
    static func open(_ ticket: Span<UInt8>, current: Span<UInt8>, previous: Span<UInt8>) -> SessionTicket? {
        guard ticket.count == length else { return nil }
        let key: Span<UInt8>
        if current.count == keyLength, constantTimeEquals(current.extracting(0..<4), ticket.extracting(0..<4)) {
            key = current
        } else if previous.count == keyLength, constantTimeEquals(previous.extracting(0..<4), ticket.extracting(0..<4)) {
            key = previous
        } else {
            return nil
        }
        var buffer = InlineArray<86, UInt8>(repeating: 0)  // the sealed state and its tag
        var bytes = buffer.mutableSpan
        defer { secureZero(&bytes) }
        for i in 0..<86 { bytes[i] = ticket[16 &+ i] }
        guard var aead = try? AEAD(.aes256GCM, key: key.extracting(4..<keyLength)),
              let count = try? aead.open(nonce: ticket.extracting(4..<16), aad: ticket.extracting(0..<4), buffer: &bytes),
              count == stateLength else { return nil }
        var reader = Reader(bytes.span.extracting(0..<stateLength))
        guard let versionCode = try? reader.u16(), let version = TLSVersion(rawValue: versionCode),
              let suiteCode = try? reader.u16(), let suite = CipherSuite(rawValue: suiteCode), suite.version == version,
              let flags = try? reader.u8(), let high = try? reader.u32(), let low = try? reader.u32(),
              let lifetime = try? reader.u32(), let ageAdd = try? reader.u32(), let secretCount = try? reader.u8(),
              secretCount <= 48, let secret = try? reader.bytes(48) else { return nil }
        var state = SessionTicket(
            version: version, suite: suite, extendedMasterSecret: flags & 1 != 0,
            issuedAt: Int64(bitPattern: UInt64(widening: high) &<< 32 | UInt64(widening: low)), lifetime: lifetime,
            ageAdd: ageAdd)
        for i in 0..<48 { state.secret[i] = secret[i] }
        state.secretCount = Int(secretCount)
        return state
    }

    /// Whether the ticket is still within its lifetime at `time` (seconds), counted as an
    /// unsigned difference so that far-apart times cannot overflow (as `Session.check`). A
    /// ticket from up to a minute in the future passes: servers sharing a ticket key need
    /// not share a clock to the second.
    func isValid(at time: Int64) -> Bool {
        let now = UInt64(bitPattern: time), issued = UInt64(bitPattern: issuedAt)
        if time < issuedAt { return issued &- now <= 60 }
        return now &- issued <= UInt64(widening: lifetime)
    }
}
