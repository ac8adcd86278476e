/// The TLS 1.3 key schedule (RFC 8446 §7.1) over secrets the caller holds in place, so that
/// wiping reaches them: early → handshake → master secret, the traffic secrets derived
/// from each with the transcript hash, the record keys (§7.3), Finished (§4.4.4) and the
/// KeyUpdate step (§7.2). Without a PSK the early secret is HKDF-Extract(0, 0).
enum KeySchedule13 {
    /// Writes the handshake secret for `sharedSecret` (the (EC)DHE output) into `secret`:
    /// HKDF-Extract(Derive-Secret(early, "derived", ""), shared).
    static func deriveHandshakeSecret(
        _ hash: HashAlgorithm, sharedSecret: Span<UInt8>, into secret: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var early = InlineArray<48, UInt8>(repeating: 0)
        var earlySpan = early.mutableSpan
        defer { secureZero(&earlySpan) }
        let zeros = InlineArray<48, UInt8>(repeating: 0)
        let length = hash.digestLength
        _ = try HKDF.extract(
            hash, salt: zeros.span.extracting(0..<length), inputKeyMaterial: zeros.span.extracting(0..<length),
            into: &earlySpan)
        try extractAfterDerived(hash, from: &earlySpan, inputKeyMaterial: sharedSecret, into: &secret)
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
        var emptyHash = InlineArray<48, UInt8>(repeating: 0)
        var emptySpan = emptyHash.mutableSpan
        _ = try Digest.hash(hash, Span(), into: &emptySpan)
        var derived = InlineArray<48, UInt8>(repeating: 0)
        var derivedSpan = derived.mutableSpan
        defer { secureZero(&derivedSpan) }
        try HKDF.deriveSecret(
            hash, secret: previous.span.extracting(0..<length), label: "derived",
            transcriptHash: emptySpan.span.extracting(0..<length), into: &derivedSpan)
        _ = try HKDF.extract(
            hash, salt: derivedSpan.span.extracting(0..<length), inputKeyMaterial: inputKeyMaterial, into: &output)
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
