/// The TLS 1.3 key schedule (RFC 8446 §7.1) over secrets the caller holds in place, so that
/// wiping reaches them: early → handshake → master secret, the traffic secrets derived
/// from each with the transcript hash, the record keys (§7.3), Finished (§4.4.4) and the
/// KeyUpdate step (§7.2). The early secret is HKDF-Extract(0, PSK), or HKDF-Extract(0, 0)
/// without a PSK.
enum KeySchedule13 {
    /// The early secret of `psk` (empty: none) into `early`.
    private static func deriveEarlySecret(
        _ hash: HashAlgorithm, psk: Span<UInt8>, into early: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        let zeros = InlineArray<48, UInt8>(repeating: 0)
        let length = hash.digestLength
        _ = try HKDF.extract(
            hash, salt: zeros.span.extracting(0..<length),
            inputKeyMaterial: psk.count > 0 ? psk : zeros.span.extracting(0..<length), into: &early)
    }

    /// Writes the handshake secret into `secret`: HKDF-Extract(Derive-Secret(early,
    /// "derived", ""), shared), the early secret from `psk` (empty: none) and `sharedSecret`
    /// the (EC)DHE output (empty for psk_ke: zeros, §7.1).
    static func deriveHandshakeSecret(
        _ hash: HashAlgorithm, psk: Span<UInt8> = Span(), sharedSecret: Span<UInt8>,
        into secret: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var early = InlineArray<48, UInt8>(repeating: 0)
        var earlySpan = early.mutableSpan
        defer { secureZero(&earlySpan) }
        try deriveEarlySecret(hash, psk: psk, into: &earlySpan)
        let zeros = InlineArray<48, UInt8>(repeating: 0)
        let shared = sharedSecret.count > 0 ? sharedSecret : zeros.span.extracting(0..<hash.digestLength)
        try extractAfterDerived(hash, from: &earlySpan, inputKeyMaterial: shared, into: &secret)
    }

    /// A PSK binder (§4.2.11.2): the Finished computation keyed by the binder key
    /// Derive-Secret(early, "res binder" | "ext binder", "") over `transcriptHash`, the hash
    /// of the transcript through the truncated ClientHello.
    static func binder(
        _ hash: HashAlgorithm, psk: Span<UInt8>, external: Bool, transcriptHash: Span<UInt8>
    ) throws(TLSError) -> TranscriptHash {
        let length = hash.digestLength
        var early = InlineArray<48, UInt8>(repeating: 0)
        var earlySpan = early.mutableSpan
        defer { secureZero(&earlySpan) }
        try deriveEarlySecret(hash, psk: psk, into: &earlySpan)
        var binderKey = InlineArray<48, UInt8>(repeating: 0)
        var keySpan = binderKey.mutableSpan
        defer { secureZero(&keySpan) }
        try deriveSecretOfNothing(
            hash, from: earlySpan.span.extracting(0..<length), label: external ? "ext binder" : "res binder",
            into: &keySpan)
        return try verifyData(hash, trafficSecret: keySpan.span, transcriptHash: transcriptHash)
    }

    /// The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption",
    /// ticket_nonce, Hash.length) (§4.6.1).
    static func ticketPSK(
        _ hash: HashAlgorithm, resumptionSecret: Span<UInt8>, nonce: Span<UInt8>, into psk: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var output = psk._mutatingExtracting(0..<hash.digestLength)
        try HKDF.expandLabel(
            hash, secret: resumptionSecret.extracting(0..<hash.digestLength), label: "resumption", context: nonce,
            into: &output)
    }

    /// Replaces the handshake secret in `secret` by the master secret, in place:
    /// HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0).
    static func advanceToMasterSecret(_ hash: HashAlgorithm, secret: inout MutableSpan<UInt8>) throws(TLSError) {
        let zeros = InlineArray<48, UInt8>(repeating: 0)
        var handshake = InlineArray<48, UInt8>(repeating: 0)
        var handshakeSpan = handshake.mutableSpan
        defer { secureZero(&handshakeSpan) }
        for i in 0..<hash.digestLength { handshakeSpan[i] = secret[i] }
        try extractAfterDerived(
            hash, from: &handshakeSpan, inputKeyMaterial: zeros.span.extracting(0..<hash.digestLength), into: &secret)
    }

    /// HKDF-Extract(Derive-Secret(`previous`, "derived", Hash("")), ikm) into `output`.
    private static func extractAfterDerived(
        _ hash: HashAlgorithm, from previous: inout MutableSpan<UInt8>, inputKeyMaterial: Span<UInt8>,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        let length = hash.digestLength
        var derived = InlineArray<48, UInt8>(repeating: 0)
        var derivedSpan = derived.mutableSpan
        defer { secureZero(&derivedSpan) }
        try deriveSecretOfNothing(hash, from: previous.span.extracting(0..<length), label: "derived", into: &derivedSpan)
        _ = try HKDF.extract(
            hash, salt: derivedSpan.span.extracting(0..<length), inputKeyMaterial: inputKeyMaterial, into: &output)
    }

    /// Derive-Secret(`secret`, `label`, "") into `output`: over the hash of no messages
    /// ("derived", the binder keys).
    private static func deriveSecretOfNothing(
        _ hash: HashAlgorithm, from secret: Span<UInt8>, label: StaticString, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var emptyHash = InlineArray<48, UInt8>(repeating: 0)
        var emptySpan = emptyHash.mutableSpan
        _ = try Digest.hash(hash, Span(), into: &emptySpan)
        try HKDF.deriveSecret(
            hash, secret: secret, label: label, transcriptHash: emptySpan.span.extracting(0..<hash.digestLength),
            into: &output)
    }

    /// Derive-Secret(secret, label, transcript hash) into `output` (a traffic, exporter or
    /// resumption secret).
    static func deriveSecret(
        _ hash: HashAlgorithm, from secret: Span<UInt8>, label: StaticString, transcriptHash: Span<UInt8>,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        try HKDF.deriveSecret(
            hash, secret: secret.extracting(0..<hash.digestLength), label: label, transcriptHash: transcriptHash,
            into: &output)
    }

    /// The record protection of a traffic secret: key and IV by HKDF-Expand-Label (§7.3),
    /// wiped once the AEAD holds the key; writes padded to `paddingBlock` (§5.4).
    static func recordProtection(
        suite: CipherSuite, trafficSecret: Span<UInt8>, paddingBlock: UInt16 = 0
    ) throws(TLSError) -> RecordProtection {
        let hash = suite.prfHash
        var key = InlineArray<32, UInt8>(repeating: 0)
        var iv = InlineArray<12, UInt8>(repeating: 0)
        var keySpan = key.mutableSpan
        var ivSpan = iv.mutableSpan
        defer {
            secureZero(&keySpan)
            secureZero(&ivSpan)
        }
        let secret = trafficSecret.extracting(0..<hash.digestLength)
        var keyPart = keySpan._mutatingExtracting(0..<suite.aead.keyLength)
        try HKDF.expandLabel(hash, secret: secret, label: "key", context: Span(), into: &keyPart)
        try HKDF.expandLabel(hash, secret: secret, label: "iv", context: Span(), into: &ivSpan)
        var state = try CipherState(suite.aead, key: keySpan.span.extracting(0..<suite.aead.keyLength), iv: ivSpan.span)
        state.paddingBlock = paddingBlock
        return .tls13(state)
    }

    /// Finished verify_data = HMAC(HKDF-Expand-Label(base key, "finished", "", Hash.length),
    /// transcript hash) (§4.4.4).
    static func verifyData(
        _ hash: HashAlgorithm, trafficSecret: Span<UInt8>, transcriptHash: Span<UInt8>
    ) throws(TLSError) -> TranscriptHash {
        let length = hash.digestLength
        var finishedKey = InlineArray<48, UInt8>(repeating: 0)
        var keySpan = finishedKey.mutableSpan
        defer { secureZero(&keySpan) }
        var keyPart = keySpan._mutatingExtracting(0..<length)
        try HKDF.expandLabel(
            hash, secret: trafficSecret.extracting(0..<length), label: "finished", context: Span(), into: &keyPart)
        var result = TranscriptHash()
        var output = result.bytes.mutableSpan
        result.count = try HMAC.authenticate(
            hash, key: keySpan.span.extracting(0..<length), message: transcriptHash, into: &output)
        return result
    }

    /// application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "",
    /// Hash.length), in place (§7.2).
    static func updateTrafficSecret(_ hash: HashAlgorithm, secret: inout MutableSpan<UInt8>) throws(TLSError) {
        let length = hash.digestLength
        var current = InlineArray<48, UInt8>(repeating: 0)
        var currentSpan = current.mutableSpan
        defer { secureZero(&currentSpan) }
        for i in 0..<length { currentSpan[i] = secret[i] }
        var next = secret._mutatingExtracting(0..<length)
        try HKDF.expandLabel(
            hash, secret: currentSpan.span.extracting(0..<length), label: "traffic upd", context: Span(), into: &next)
    }
}
