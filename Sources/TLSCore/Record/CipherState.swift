/// TLS 1.2 AEAD protection of one direction (RFC 5246 §6.2.3.3): the AEAD key, the IV
/// material from the key block, the sequence number (§6.1), the 8-byte explicit nonce of
/// GCM/CCM (RFC 5288 §3) or ChaCha20-Poly1305's XORed nonce (RFC 7905 §2), and the 1.2
/// additional data. `RecordProtection.tls12` carries it.
public struct CipherState: ~Copyable {
    // Wide fields first: two of these live in the engine's state.
    private var aead: AEAD
    private(set) var sequence: UInt64 = 0
    /// The fixed IV: GCM/CCM's 4-byte salt, or ChaCha20-Poly1305's 12-byte IV.
    private var fixedIV = InlineArray<12, UInt8>(repeating: 0)
    let algorithm: AEADAlgorithm

    /// Bytes of write IV from the TLS 1.2 key block: the 4-byte implicit salt of GCM/CCM
    /// (RFC 5288 §3, RFC 6655 §3) or ChaCha20-Poly1305's 12-byte IV (RFC 7905 §2).
    static func fixedIVLength(_ algorithm: AEADAlgorithm) -> Int { algorithm == .chacha20Poly1305 ? 12 : 4 }

    init(_ algorithm: AEADAlgorithm, key: Span<UInt8>, iv: Span<UInt8>) throws(TLSError) {
        guard iv.count == Self.fixedIVLength(algorithm) else { throw .malformed }
        let aead = try AEAD(algorithm, key: key)
        self.algorithm = algorithm
        self.aead = aead
        for i in 0..<iv.count { fixedIV[i] = iv[i] }
    }

    /// Bytes of nonce sent in each record: 8 for GCM/CCM, none for ChaCha20-Poly1305.
    var explicitNonceLength: Int { algorithm == .chacha20Poly1305 ? 0 : 8 }
    var tagLength: Int { algorithm.tagLength }

    /// Seals the record whose 5-byte header starts `record` and whose plaintext follows the
    /// explicit-nonce room, in place. `record` spans header, nonce room, plaintext and room
    /// for the tag. Returns the fragment length written into the header.
    mutating func seal(record: inout MutableSpan<UInt8>, plaintextCount: Int) throws(TLSError) -> Int {
        let explicit = explicitNonceLength
        var nonce = InlineArray<12, UInt8>(repeating: 0)
        var aad = InlineArray<13, UInt8>(repeating: 0)
        buildNonce(&nonce)
        buildAAD(&aad, type: record[0], plaintextCount: plaintextCount)
        // GCM/CCM: the explicit nonce is the sequence number (RFC 5288 §3 allows it, and a
        // counter can never repeat under one key).
        for i in 0..<explicit { record[5 &+ i] = nonce[4 &+ i] }
        let bodyStart = 5 &+ explicit
        var body = record._mutatingExtracting(bodyStart..<record.count)
        let sealed = try aead.seal(nonce: nonce.span, aad: aad.span, buffer: &body, plaintextCount: plaintextCount)
        try advance()
        let fragment = explicit &+ sealed
        record[3] = UInt8(truncatingIfNeeded: fragment >> 8)
        record[4] = UInt8(truncatingIfNeeded: fragment)
        return fragment
    }

    /// Opens `fragment` (explicit nonce, ciphertext, tag) of a record of `type`, in place.
    /// Returns where the plaintext starts within the fragment and how long it is.
    mutating func open(type: UInt8, fragment: inout MutableSpan<UInt8>) throws(TLSError) -> (start: Int, count: Int) {
        let explicit = explicitNonceLength
        guard fragment.count >= explicit &+ tagLength else { throw .badRecordMAC }
        var nonce = InlineArray<12, UInt8>(repeating: 0)
        var aad = InlineArray<13, UInt8>(repeating: 0)
        buildNonce(&nonce)
        // GCM/CCM: the sender's explicit nonce replaces the sequence-number default.
        for i in 0..<explicit { nonce[4 &+ i] = fragment[i] }
        let plaintextCount = fragment.count &- explicit &- tagLength
        buildAAD(&aad, type: type, plaintextCount: plaintextCount)
        var body = fragment._mutatingExtracting(explicit..<fragment.count)
        let opened = try aead.open(nonce: nonce.span, aad: aad.span, buffer: &body)
        try advance()
        return (explicit, opened)
    }

    private mutating func advance() throws(TLSError) {
        // RFC 5246 §6.1: a sequence number must not wrap; renegotiation is the remedy and
        // this client does not renegotiate, so the connection ends instead.
        guard sequence != UInt64.max else { throw .invalidState }
        sequence &+= 1
    }

    /// GCM/CCM: salt ‖ explicit (RFC 5288 §3); ChaCha20-Poly1305: IV ⊕ (0⁴ ‖ seq) (RFC 7905 §2).
    private func buildNonce(_ nonce: inout InlineArray<12, UInt8>) {
        if algorithm == .chacha20Poly1305 {
            for i in 0..<12 { nonce[i] = fixedIV[i] }
            for i in 0..<8 { nonce[4 &+ i] ^= sequenceByte(i) }
        } else {
            for i in 0..<4 { nonce[i] = fixedIV[i] }
            for i in 0..<8 { nonce[4 &+ i] = sequenceByte(i) }
        }
    }

    /// additional_data = seq_num ‖ type ‖ version ‖ length (RFC 5246 §6.2.3.3).
    private func buildAAD(_ aad: inout InlineArray<13, UInt8>, type: UInt8, plaintextCount: Int) {
        for i in 0..<8 { aad[i] = sequenceByte(i) }
        aad[8] = type
        aad[9] = 3
        aad[10] = 3
        aad[11] = UInt8(truncatingIfNeeded: plaintextCount >> 8)
        aad[12] = UInt8(truncatingIfNeeded: plaintextCount)
    }

    /// Byte `i` (0 = most significant) of the big-endian sequence number.
    private func sequenceByte(_ i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: sequence &>> UInt64(_truncatingBits: UInt(56 &- 8 &* i)))
    }
}
