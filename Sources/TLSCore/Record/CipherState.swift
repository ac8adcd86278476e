/// AEAD protection of one direction: the AEAD key, the IV, the sequence number, and the
/// two framings. TLS 1.2 (RFC 5246 §6.2.3.3): the IV material from the key block, the
/// 8-byte explicit nonce of GCM/CCM (RFC 5288 §3) or ChaCha20-Poly1305's XORed nonce (RFC
/// 7905 §2), the 1.2 additional data. TLS 1.3 (RFC 8446 §5.2): nonce = IV ⊕ sequence, the
/// record header as additional data, the true content type inside. `RecordProtection`'s
/// case says which framing.
public struct CipherState: ~Copyable {
    // Wide fields first: two of these live in the engine's state.
    private var aead: AEAD
    private(set) var sequence: UInt64 = 0
    /// The fixed IV: GCM/CCM's 4-byte salt, or ChaCha20-Poly1305's 12-byte IV.
    private var fixedIV = InlineArray<12, UInt8>(repeating: 0)
    let algorithm: AEADAlgorithm
    /// The nonce is IV ⊕ sequence (TLS 1.3, TLS 1.2 ChaCha20-Poly1305), not salt ‖ explicit.
    private let xorsSequence: Bool
    /// TLS 1.3 writes: TLSInnerPlaintext is padded with zeros to a multiple of this (0 or 1:
    /// no padding), hiding record lengths to that granularity (RFC 8446 §5.4).
    var paddingBlock: UInt16 = 0

    /// Bytes of write IV from the TLS 1.2 key block: the 4-byte implicit salt of GCM/CCM
    /// (RFC 5288 §3, RFC 6655 §3) or ChaCha20-Poly1305's 12-byte IV (RFC 7905 §2).
    static func fixedIVLength(_ algorithm: AEADAlgorithm) -> Int { algorithm == .chacha20Poly1305 ? 12 : 4 }

    /// `iv`: TLS 1.2's fixed IV (`fixedIVLength`), or TLS 1.3's 12-byte write IV.
    init(_ algorithm: AEADAlgorithm, key: Span<UInt8>, iv: Span<UInt8>) throws(TLSError) {
        guard iv.count == Self.fixedIVLength(algorithm) || iv.count == 12 else { throw .malformed }
        let aead = try AEAD(algorithm, key: key)
        xorsSequence = iv.count == 12
        self.algorithm = algorithm
        self.aead = aead
        for i in 0..<iv.count { fixedIV[i] = iv[i] }
    }

    /// Bytes of nonce sent in each TLS 1.2 record: 8 for GCM/CCM, none for ChaCha20-Poly1305.
    var explicitNonceLength: Int { xorsSequence ? 0 : 8 }
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

    /// TLS 1.3: seals the record whose header starts `record`, with `plaintextCount` bytes
    /// of content after it, in place: the content type moves inside (TLSInnerPlaintext,
    /// padded to `paddingBlock`), the header becomes application_data with the sealed length, and that
    /// header is the additional data (RFC 8446 §5.2). `record` must have room for the
    /// type byte and the tag (and the padding). Returns the sealed length.
    mutating func sealInner(
        record: inout MutableSpan<UInt8>, plaintextCount: Int, innerLimit: Int = 16385
    ) throws(TLSError) -> Int {
        var nonce = InlineArray<12, UInt8>(repeating: 0)
        buildNonce(&nonce)
        record[5 &+ plaintextCount] = record[0]
        // Padding up to the block, within the room the record layer left (which keeps the
        // inner plaintext within the peer's limit).
        var innerCount = plaintextCount &+ 1
        if paddingBlock > 1 {
            let block = Int(paddingBlock)
            let padded = (innerCount &+ block &- 1) / block &* block
            // (Two-argument min: the variadic one builds an array.)
            innerCount = max(innerCount, min(min(padded, innerLimit), record.count &- 5 &- tagLength))
            for i in (plaintextCount &+ 1)..<innerCount { record[5 &+ i] = 0 }
        }
        let sealedCount = innerCount &+ tagLength
        record[0] = ContentType.applicationData.rawValue
        record[3] = UInt8(truncatingIfNeeded: sealedCount >> 8)
        record[4] = UInt8(truncatingIfNeeded: sealedCount)
        var aad = InlineArray<5, UInt8>(repeating: 0)
        for i in 0..<5 { aad[i] = record[i] }
        var body = record._mutatingExtracting(5..<record.count)
        let sealed = try aead.seal(nonce: nonce.span, aad: aad.span, buffer: &body, plaintextCount: innerCount)
        try advance()
        return sealed
    }

    /// TLS 1.3: opens the fragment of an application_data record whose header is `header`,
    /// in place, and finds the true content type after the content, past any zero padding
    /// (RFC 8446 §5.4). Returns the type and the content's count (it starts the fragment).
    mutating func openInner(
        header: InlineArray<5, UInt8>, fragment: inout MutableSpan<UInt8>
    ) throws(TLSError) -> (type: UInt8, count: Int) {
        guard fragment.count >= tagLength else { throw .badRecordMAC }
        var nonce = InlineArray<12, UInt8>(repeating: 0)
        buildNonce(&nonce)
        let opened = try aead.open(nonce: nonce.span, aad: header.span, buffer: &fragment)
        try advance()
        var end = opened
        while end > 0, fragment[end &- 1] == 0 { end &-= 1 }
        // All padding and no type: "MUST terminate the connection with an
        // unexpected_message alert" (§5.4).
        guard end > 0 else { throw .unexpectedMessage }
        return (fragment[end &- 1], end &- 1)
    }

    private mutating func advance() throws(TLSError) {
        // RFC 5246 §6.1: a sequence number must not wrap; renegotiation is the remedy and
        // this client does not renegotiate, so the connection ends instead.
        guard sequence != UInt64.max else { throw .invalidState }
        sequence &+= 1
    }

    /// TLS 1.2 GCM/CCM: salt ‖ explicit (RFC 5288 §3); ChaCha20-Poly1305 and every TLS 1.3
    /// suite: IV ⊕ (0⁴ ‖ seq) (RFC 7905 §2, RFC 8446 §5.3).
    private func buildNonce(_ nonce: inout InlineArray<12, UInt8>) {
        if xorsSequence {
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
