/// The TLS 1.2 client handshake (RFC 5246 §7.3), one state per awaited message:
///
///     ① ClientHello →
///     ← ② ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone
///       ③ validate the chain
///     ④ [Certificate], ClientKeyExchange, ⑦ keys, ⑧ ChangeCipherSpec, Finished →
///     ← ⑨ ChangeCipherSpec, Finished
///
/// It sees whole handshake messages (the engine reassembles them) and writes its own into
/// a scratch region that the engine then frames into records.
struct Client12: ~Copyable {
    enum State: Equatable {
        case idle, waitServerHello, waitCertificate, waitKeyExchange, waitServerHelloDone
        case waitChangeCipherSpec, waitFinished, connected
    }

    // Engine state lives in the caller's RAM: wide fields first, then bytes, so that
    // alignment pads as little as possible.
    private var transcript = Transcript()
    private var serverKey: PublicKey?
    private var keys: KeySchedule12?
    private var clientRandom = InlineArray<32, UInt8>(repeating: 0)
    private var serverRandom = InlineArray<32, UInt8>(repeating: 0)
    /// ECDHE: our public value, sent in ClientKeyExchange.
    private var keySharePublic = InlineArray<97, UInt8>(repeating: 0)
    /// The pre-master secret between ServerKeyExchange and the key schedule.
    private var preMaster = InlineArray<48, UInt8>(repeating: 0)
    private var keyShareCount: UInt8 = 0
    private var preMasterCount: UInt8 = 0
    private(set) var state = State.idle
    private(set) var suite: CipherSuite?
    private(set) var extendedMasterSecret = false
    /// max_fragment_length as the server echoed it, or nil (RFC 6066 §4).
    private var negotiatedFragment: MaxFragmentLength?
    private var certificateRequested = false
    /// ⑤ The scheme for CertificateVerify when our certificate answers the request.
    private var clientSignature: SignatureAlgorithm?

    /// The record size limit ServerHello settled: the requested max_fragment_length when
    /// the server echoed it, else the protocol's 2^14.
    var negotiatedMaxPlaintext: Int { negotiatedFragment?.bytes ?? 16384 }
    private var keyShareLength: Int { Int(keyShareCount) }
    private var preMasterLength: Int { Int(preMasterCount) }

    // MARK: ① ClientHello

    mutating func start(
        configuration: borrowing ClientConfiguration, random: inout Random, scratch: inout MutableSpan<UInt8>,
        output: inout RecordOutput, events: inout EventQueue
    ) throws(TLSError) {
        guard state == .idle else { throw .invalidState }
        guard !configuration.suites.isEmpty else { throw .handshakeFailure }
        var randomSpan = clientRandom.mutableSpan
        try random.fill(&randomSpan)
        let length: Int
        do {
            var writer = Writer(reborrowing: &scratch)
            try ClientHello.write(into: &writer, random: clientRandom.span, configuration: configuration)
            length = writer.count
        }
        try emit(scratch.span.extracting(0..<length), output: &output, events: &events)
        state = .waitServerHello
    }

    // MARK: ② the server's flight, ③ validation

    /// Handles one whole handshake message from the server. Returns true when the
    /// server's first flight is complete and the client's flight is due.
    mutating func receive(
        _ message: Span<UInt8>, configuration: borrowing ClientConfiguration, random: inout Random,
        events: inout EventQueue
    ) throws(TLSError) -> Bool {
        let type = message[0]
        let body = message.extracting(4..<message.count)
        // RFC 5246 §7.4.1.1: a HelloRequest during a handshake is ignored and not hashed.
        if type == HandshakeType.helloRequest.rawValue {
            guard body.count == 0 else { throw .malformed }
            return false
        }
        guard let kind = HandshakeType(rawValue: type) else { throw .unexpectedMessage }
        events.push(HandshakeEvent(.received(kind), length: message.count))

        switch (state, kind) {
        case (.waitServerHello, .serverHello):
            let hello = try ServerHello(body: body, configuration: configuration)
            if configuration.requireExtendedMasterSecret, !hello.extendedMasterSecret { throw .handshakeFailure }
            serverRandom = hello.random
            suite = hello.suite
            extendedMasterSecret = hello.extendedMasterSecret
            negotiatedFragment = hello.maxFragmentLength
            transcript.update(message)
            state = .waitCertificate

        case (.waitCertificate, .certificate):
            try validateChain(body, configuration: configuration, events: &events)
            transcript.update(message)
            state = .waitKeyExchange

        case (.waitKeyExchange, .serverKeyExchange):
            // RSA key transport has no ServerKeyExchange (RFC 5246 §7.4.3).
            guard let suite, suite.keyExchange != .rsa else { throw .unexpectedMessage }
            try agreeOnKey(body, random: &random)
            transcript.update(message)
            state = .waitServerHelloDone

        case (.waitKeyExchange, .certificateRequest), (.waitServerHelloDone, .certificateRequest):
            // ECDHE suites need their ServerKeyExchange first.
            if state == .waitKeyExchange, suite?.keyExchange != .rsa { throw .unexpectedMessage }
            let request = try CertificateRequest(body: body)
            certificateRequested = true
            clientSignature = try ClientCredential.choose(for: request, configuration: configuration)
            transcript.update(message)
            state = .waitServerHelloDone

        case (.waitKeyExchange, .serverHelloDone), (.waitServerHelloDone, .serverHelloDone):
            if state == .waitKeyExchange, suite?.keyExchange != .rsa { throw .unexpectedMessage }
            guard body.count == 0 else { throw .malformed }
            transcript.update(message)
            return true

        case (.waitFinished, .finished):
            try checkServerFinished(body)
            transcript.update(message)
            state = .connected

        default:
            throw .unexpectedMessage
        }
        return false
    }

    private mutating func validateChain(
        _ body: Span<UInt8>, configuration: borrowing ClientConfiguration, events: inout EventQueue
    ) throws(TLSError) {
        var reader = Reader(body)
        let chain = try reader.vector(lengthBytes: 3)
        try reader.expectEnd()
        let identity: ValidationPolicy.Identity =
            configuration.serverName.count > 0 ? .dnsName(configuration.serverName)
            : configuration.serverAddress.count > 0 ? .ipAddress(configuration.serverAddress) : .unspecified
        let policy = ValidationPolicy(
            time: configuration.time, purpose: .serverAuth, identity: identity, revocation: configuration.revocation)
        let leaf = try PathValidator.validate(
            chain: chain, trustAnchors: configuration.trustAnchors, crls: configuration.crls, policy: policy)
        guard let suite else { throw .invalidState }
        // The key must suit the key exchange (RFC 5246 §7.4.2): an RSA key that may
        // encipher for RSA transport, an RSA or ECDSA key that may sign for ECDHE.
        switch (suite.keyExchange, leaf.publicKey.kind) {
        case (.rsa, .rsa):
            guard leaf.keyUsage.contains(.keyEncipherment) else { throw .certificate(.wrongPurpose) }
        case (.ecdheRSA, .rsa), (.ecdheECDSA, .ecdsa):
            guard leaf.keyUsage.contains(.digitalSignature) else { throw .certificate(.wrongPurpose) }
        default:
            throw .certificate(.wrongPurpose)
        }
        serverKey = .some(leaf.publicKey)
        events.push(HandshakeEvent(.certificateValidated, length: 0))
    }

    /// Verifies the ServerKeyExchange signature over both randoms and the parameters, then
    /// makes our key pair and the pre-master secret (RFC 8422 §5.4, §5.10).
    private mutating func agreeOnKey(_ body: Span<UInt8>, random: inout Random) throws(TLSError) {
        let exchange = try ServerKeyExchange(body: body)
        guard let keyKind = serverKey?.kind else { throw .invalidState }
        switch (exchange.algorithm, keyKind) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1, .rsa), (.rsaPSS, .rsa): break
        default: throw .illegalParameter
        }
        var digest = Digest(exchange.algorithm.hash)
        digest.update(clientRandom.span)
        digest.update(serverRandom.span)
        digest.update(exchange.parameters)
        var hash = InlineArray<64, UInt8>(repeating: 0)
        var hashSpan = hash.mutableSpan
        let hashLength = try digest.currentDigest(into: &hashSpan)
        let verified: Void? = try serverKey?.verify(
            exchange.algorithm, digest: hash.span.extracting(0..<hashLength), signature: exchange.signature)
        guard verified != nil else { throw .invalidState }

        var pair = try ECDHE(group: exchange.group, random: &random)
        var publicSpan = keySharePublic.mutableSpan
        keyShareCount = UInt8(truncatingIfNeeded: try pair.writePublicKey(into: &publicSpan))
        var secretSpan = preMaster.mutableSpan
        preMasterCount = UInt8(truncatingIfNeeded: try pair.sharedSecret(peerPublicKey: exchange.publicKey, random: &random, into: &secretSpan))
    }

    // MARK: ④ ClientKeyExchange, ⑦ keys, ⑧ ChangeCipherSpec and Finished

    mutating func sendFlight(
        configuration: borrowing ClientConfiguration, random: inout Random, scratch: inout MutableSpan<UInt8>,
        output: inout RecordOutput, events: inout EventQueue
    ) throws(TLSError) {
        guard let suite else { throw .invalidState }
        if certificateRequested {
            // ⑤ Our chain when it suits the request, else an empty Certificate (RFC 5246 §7.4.6).
            let length: Int
            do {
                var writer = Writer(reborrowing: &scratch)
                if clientSignature != nil {
                    try ClientCredential.writeCertificate(configuration.clientCertificateChain, into: &writer)
                } else {
                    try writer.u8(HandshakeType.certificate.rawValue)
                    try writer.u24(3)
                    try writer.u24(0)
                }
                length = writer.count
            }
            try emit(scratch.span.extracting(0..<length), output: &output, events: &events)
        }

        let length: Int
        if suite.keyExchange == .rsa {
            // RFC 5246 §7.4.7.1: client_version (the offered version) ‖ 46 random bytes.
            var secret = preMaster.mutableSpan
            try random.fill(&secret)
            preMaster[0] = 3
            preMaster[1] = 3
            preMasterCount = 48
            guard case .rsa(let modulusLength) = serverKey?.kind else { throw .invalidState }
            guard scratch.count >= 6 &+ modulusLength else {
                throw .bufferTooSmall(needed: 6 &+ modulusLength, capacity: scratch.count)
            }
            scratch[0] = HandshakeType.clientKeyExchange.rawValue
            scratch[1] = 0
            scratch[2] = UInt8(truncatingIfNeeded: (2 &+ modulusLength) >> 8)
            scratch[3] = UInt8(truncatingIfNeeded: 2 &+ modulusLength)
            scratch[4] = UInt8(truncatingIfNeeded: modulusLength >> 8)
            scratch[5] = UInt8(truncatingIfNeeded: modulusLength)
            var encrypted = scratch._mutatingExtracting(6..<(6 &+ modulusLength))
            let encryptedLength = try serverKey?.encryptPKCS1v15(preMaster.span.extracting(0..<48), random: &random, into: &encrypted)
            guard encryptedLength == modulusLength else { throw .invalidState }
            length = 6 &+ modulusLength
        } else {
            var writer = Writer(reborrowing: &scratch)
            try writer.u8(HandshakeType.clientKeyExchange.rawValue)
            try writer.u24(1 &+ keyShareLength)
            try writer.u8(UInt8(keyShareLength))
            try writer.bytes(keySharePublic.span.extracting(0..<keyShareLength))
            length = writer.count
        }
        try emit(scratch.span.extracting(0..<length), output: &output, events: &events)
        // RFC 7627 §4: the session hash covers the messages through ClientKeyExchange,
        // so it is taken before CertificateVerify.
        var sessionHash = InlineArray<48, UInt8>(repeating: 0)
        let sessionHashLength: Int
        do {
            var sessionHashSpan = sessionHash.mutableSpan
            sessionHashLength = try transcript.current(suite.prfHash, into: &sessionHashSpan)
        }

        if let clientSignature {
            // ⑤ CertificateVerify signs every message so far (RFC 5246 §7.4.8).
            var hash = InlineArray<48, UInt8>(repeating: 0)
            let hashLength: Int
            do {
                var hashSpan = hash.mutableSpan
                hashLength = try transcript.current(clientSignature.hash, into: &hashSpan)
            }
            let verifyLength = try ClientCredential.writeCertificateVerify(
                clientSignature, transcriptHash: hash.span.extracting(0..<hashLength), configuration: configuration,
                random: &random, into: &scratch)
            try emit(scratch.span.extracting(0..<verifyLength), output: &output, events: &events)
        }

        // ⑦ master secret and keys.
        let schedule = try KeySchedule12(
            suite: suite, preMasterSecret: preMaster.span.extracting(0..<preMasterLength),
            clientRandom: clientRandom.span, serverRandom: serverRandom.span,
            extendedMasterSecret: extendedMasterSecret, sessionHash: sessionHash.span.extracting(0..<sessionHashLength))
        wipePreMaster()
        let writeState = try schedule.cipherState(for: .client, clientRandom: clientRandom.span, serverRandom: serverRandom.span)
        events.push(HandshakeEvent(.keysDerived, length: 0))

        // ⑧ ChangeCipherSpec, then Finished under the new keys.
        let changeCipherSpec: InlineArray<1, UInt8> = [1]
        try output.appendRecord(.changeCipherSpec, changeCipherSpec.span)
        events.push(HandshakeEvent(.changeCipherSpecSent, length: 1))
        try output.activate(writeState)

        var finished = InlineArray<16, UInt8>(repeating: 0)
        finished[0] = HandshakeType.finished.rawValue
        finished[3] = 12
        var handshakeHash = InlineArray<48, UInt8>(repeating: 0)
        var handshakeHashSpan = handshakeHash.mutableSpan
        let handshakeHashLength = try transcript.current(suite.prfHash, into: &handshakeHashSpan)
        do {
            var finishedSpan = finished.mutableSpan
            var verifyData = finishedSpan._mutatingExtracting(4..<16)
            try schedule.verifyData(
                label: "client finished", transcriptHash: handshakeHash.span.extracting(0..<handshakeHashLength),
                into: &verifyData)
        }
        keys = .some(schedule)
        try emit(finished.span, output: &output, events: &events)
        state = .waitChangeCipherSpec
    }

    // MARK: ⑨ the server's ChangeCipherSpec and Finished

    /// The server's ChangeCipherSpec: from the next record on, the read side is protected.
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> CipherState {
        guard state == .waitChangeCipherSpec else { throw .unexpectedMessage }
        let random = (client: clientRandom, server: serverRandom)
        guard let readState = try keys?.cipherState(for: .server, clientRandom: random.client.span, serverRandom: random.server.span) else {
            throw .invalidState
        }
        events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1))
        state = .waitFinished
        return readState
    }

    private mutating func checkServerFinished(_ body: Span<UInt8>) throws(TLSError) {
        guard body.count == 12 else { throw .malformed }
        guard let suite else { throw .invalidState }
        var handshakeHash = InlineArray<48, UInt8>(repeating: 0)
        var handshakeHashSpan = handshakeHash.mutableSpan
        let handshakeHashLength = try transcript.current(suite.prfHash, into: &handshakeHashSpan)
        var expected = InlineArray<12, UInt8>(repeating: 0)
        var expectedSpan = expected.mutableSpan
        let derived: Void? = try keys?.verifyData(
            label: "server finished", transcriptHash: handshakeHash.span.extracting(0..<handshakeHashLength),
            into: &expectedSpan)
        guard derived != nil else { throw .invalidState }
        // RFC 5246 §7.4.9, compared in constant time.
        guard constantTimeEquals(expected.span, body) else { throw .finishedMismatch }
    }

    // MARK: helpers

    /// Hashes one of our messages into the transcript and queues it.
    private mutating func emit(_ message: Span<UInt8>, output: inout RecordOutput, events: inout EventQueue) throws(TLSError) {
        transcript.update(message)
        try output.appendHandshake(message)
        if let kind = HandshakeType(rawValue: message[0]) {
            events.push(HandshakeEvent(.sent(kind), length: message.count))
        }
    }

    private mutating func wipePreMaster() {
        var span = preMaster.mutableSpan
        secureZero(&span)
        preMasterCount = 0
    }

    /// NSS key log material: the client random and the master secret, once derived.
    mutating func withKeyLogSecrets(_ body: (Span<UInt8>, Span<UInt8>) -> Void) -> Bool {
        let random = clientRandom
        let done: Void? = keys?.withMasterSecret { master in body(random.span, master) }
        return done != nil
    }

    /// Zeroes every secret this handshake holds, in place.
    mutating func wipe() {
        wipePreMaster()
        keys?.wipe()
        keys = nil
    }
}
