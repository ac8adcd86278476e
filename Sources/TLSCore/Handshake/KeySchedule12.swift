/// The TLS 1.2 key schedule: master secret (RFC 5246 §8.1, or RFC 7627 §4 with
/// extended_master_secret), key block (§6.3) and Finished verify_data (§7.4.9).
struct KeySchedule12: ~Copyable {
    let suite: CipherSuite
    private(set) var masterSecret = InlineArray<48, UInt8>(repeating: 0)

    /// Derives the master secret from the pre-master secret. With extended_master_secret
    /// the seed is `sessionHash`, the transcript hash through ClientKeyExchange; without,
    /// the two randoms.
    init(
        suite: CipherSuite, preMasterSecret: Span<UInt8>, clientRandom: Span<UInt8>, serverRandom: Span<UInt8>,
        extendedMasterSecret: Bool, sessionHash: Span<UInt8>
    ) throws(TLSError) {
        self.suite = suite
        var master = masterSecret.mutableSpan
        if extendedMasterSecret {
            try PRF.derive(suite.prfHash, secret: preMasterSecret, label: "extended master secret",
                           seed: sessionHash, seed2: Span(), into: &master)
        } else {
            try PRF.derive(suite.prfHash, secret: preMasterSecret, label: "master secret",
                           seed: clientRandom, seed2: serverRandom, into: &master)
        }
    }

    enum Side { case client, server }

    /// One side's write state from the key block (AEAD suites: no MAC keys). Derived when
    /// needed — the server's only at its ChangeCipherSpec — so no pending state waits in
    /// RAM; the key block is wiped before returning.
    func cipherState(for side: Side, clientRandom: Span<UInt8>, serverRandom: Span<UInt8>) throws(TLSError) -> CipherState {
        let keyLength = suite.aead.keyLength
        let ivLength = suite.fixedIVLength
        var block = InlineArray<88, UInt8>(repeating: 0)  // 2 × (32 + 12) at most
        var blockSpan = block.mutableSpan
        defer { secureZero(&blockSpan) }
        let total = 2 &* (keyLength &+ ivLength)
        var used = blockSpan._mutatingExtracting(0..<total)
        // key_block seed is server_random + client_random (RFC 5246 §6.3); its layout is
        // client key, server key, client IV, server IV.
        try PRF.derive(suite.prfHash, secret: masterSecret.span, label: "key expansion",
                       seed: serverRandom, seed2: clientRandom, into: &used)
        let view = blockSpan.span
        let keyStart = side == .client ? 0 : keyLength
        let ivStart = 2 &* keyLength &+ (side == .client ? 0 : ivLength)
        return try CipherState(
            suite: suite, key: view.extracting(keyStart..<(keyStart &+ keyLength)),
            iv: view.extracting(ivStart..<(ivStart &+ ivLength)))
    }

    /// verify_data = PRF(master_secret, label, Hash(handshake_messages))[0..11].
    func verifyData(label: StaticString, transcriptHash: Span<UInt8>, into output: inout MutableSpan<UInt8>) throws(TLSError) {
        var twelve = output._mutatingExtracting(0..<12)
        try PRF.derive(suite.prfHash, secret: masterSecret.span, label: label,
                       seed: transcriptHash, seed2: Span(), into: &twelve)
    }

    func withMasterSecret<R>(_ body: (Span<UInt8>) -> R) -> R {
        body(masterSecret.span)
    }

    /// Zeroes the master secret in place (deinit sees only a copy).
    mutating func wipe() {
        var span = masterSecret.mutableSpan
        secureZero(&span)
    }
}
