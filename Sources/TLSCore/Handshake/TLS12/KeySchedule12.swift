/// The TLS 1.2 key schedule over a master secret the caller holds (the client keeps it in
/// place, so that wiping reaches it): the master secret (RFC 5246 §8.1, or RFC 7627 §4
/// with extended_master_secret), the key block (§6.3) and Finished verify_data (§7.4.9).
enum KeySchedule12 {
    /// Derives the 48-byte master secret from the pre-master secret. With
    /// extended_master_secret the seed is `sessionHash`, the transcript hash through
    /// ClientKeyExchange; without, the two randoms.
    static func deriveMasterSecret(
        _ hash: HashAlgorithm, preMasterSecret: Span<UInt8>, clientRandom: Span<UInt8>, serverRandom: Span<UInt8>,
        extendedMasterSecret: Bool, sessionHash: Span<UInt8>, into master: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        // A pre-master secret is an ECDH x-coordinate (32 bytes for X25519 and P-256, 48 for
        // P-384), RSA's 48 bytes (§7.4.7.1), or a PSK suite's other_secret and PSK, each
        // non-empty with its 2-byte length (RFC 4279 §2, RFC 5489 §2); anything else — an
        // empty one above all — means the handshake went wrong, and no key may come of it.
        let count = preMasterSecret.count
        guard count == 32 || count == 48 || Self.isPSKPreMaster(preMasterSecret), master.count == 48 else {
            throw .invalidState
        }
        if extendedMasterSecret {
            try PRF.derive(hash, secret: preMasterSecret, label: "extended master secret",
                           seed: sessionHash, seed2: Span(), into: &master)
        } else {
            try PRF.derive(hash, secret: preMasterSecret, label: "master secret",
                           seed: clientRandom, seed2: serverRandom, into: &master)
        }
    }

    /// uint16 n, other_secret[n], uint16 m, psk[m], with n and m at least 1.
    private static func isPSKPreMaster(_ bytes: Span<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 6 else { return false }
        let other = Int(bytes[0]) << 8 | Int(bytes[1])
        guard other >= 1, 4 &+ other < count else { return false }
        let psk = Int(bytes[2 &+ other]) << 8 | Int(bytes[3 &+ other])
        return psk >= 1 && 4 &+ other &+ psk == count
    }

    enum Side { case client, server }

    /// One side's record protection from the key block (AEAD suites: no MAC keys). Derived
    /// when needed — the server's only at its ChangeCipherSpec — so no pending state waits
    /// in RAM; the key block is wiped before returning.
    static func recordProtection(
        for side: Side, suite: CipherSuite, masterSecret: Span<UInt8>, clientRandom: Span<UInt8>,
        serverRandom: Span<UInt8>
    ) throws(TLSError) -> RecordProtection {
        let keyLength = suite.aead.keyLength
        let ivLength = CipherState.fixedIVLength(suite.aead)
        var block = InlineArray<88, UInt8>(repeating: 0)  // 2 × (32 + 12) at most
        var blockSpan = block.mutableSpan
        defer { secureZero(&blockSpan) }
        let total = 2 &* (keyLength &+ ivLength)
        var used = blockSpan._mutatingExtracting(0..<total)
        // key_block seed is server_random + client_random (RFC 5246 §6.3); its layout is
        // client key, server key, client IV, server IV.
        try PRF.derive(suite.prfHash, secret: masterSecret, label: "key expansion",
                       seed: serverRandom, seed2: clientRandom, into: &used)
        let view = blockSpan.span
        let keyStart = side == .client ? 0 : keyLength
        let ivStart = 2 &* keyLength &+ (side == .client ? 0 : ivLength)
        return .tls12(try CipherState(
            suite.aead, key: view.extracting(keyStart..<(keyStart &+ keyLength)),
            iv: view.extracting(ivStart..<(ivStart &+ ivLength))))
    }

    /// verify_data = PRF(master_secret, label, Hash(handshake_messages))[0..11].
    static func verifyData(
        _ hash: HashAlgorithm, masterSecret: Span<UInt8>, label: StaticString, transcriptHash: Span<UInt8>,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var twelve = output._mutatingExtracting(0..<12)
        try PRF.derive(hash, secret: masterSecret, label: label, seed: transcriptHash, seed2: Span(), into: &twelve)
    }
}
