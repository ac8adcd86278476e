/// The TLS 1.3 server handshake (RFC 8446 §2), from a ClientHello whose key share fits
/// (`Server` settles the version and any HelloRetryRequest):
///
///     ← ① ClientHello + key_share            ④ our share, the shared secret
///     ② ServerHello + key_share →            ⑦ handshake keys
///     ② {EncryptedExtensions}, {[CertificateRequest]}, {Certificate}, {CertificateVerify}, ⑨ {Finished} →
///                                             ⑦ application keys (ours at once)
///     ← ⑤ {[Certificate, CertificateVerify]}  ⑥ validate the client's chain, check its signature
///     ← ⑧ {Finished}
///     ⑩ [application data], KeyUpdate
///
/// As in `Client13`, the secrets live here in place so that `wipe` zeroes them; each
/// direction's next traffic secret waits in its slot until the engine installs it.
struct Server13: ~Copyable {
    enum State {
        /// ② our flight.
        case flightDue
        /// ⑤ the client's Certificate (we asked).
        case waitCertificate
        /// ⑥ its CertificateVerify.
        case waitCertificateVerify
        case waitFinished
        /// ⑩ a NewSessionTicket, after the client's Finished.
        case ticketDue
        case connected
        case ended
    }

    private var transcript: Transcript
    /// ⑥ the client's key, from Certificate until CertificateVerify has been checked.
    private var clientKey: PublicKey? = nil
    /// The ECDH shared secret until ② , then the handshake, master and resumption secrets.
    private var secret = InlineArray<48, UInt8>(repeating: 0)
    private var clientTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var serverTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var nextClientTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var nextServerTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var exporterSecret = InlineArray<48, UInt8>(repeating: 0)
    private var publicValue = InlineArray<97, UInt8>(repeating: 0)
    private var publicCount = 0
    private var sharedCount = 0
    /// A resumption's PSK waits in `nextServerTraffic` (free until the master secret) from
    /// the ClientHello to the handshake secret; its length, 0 for none.
    private var pskCount = 0
    private var state = State.flightDue
    let choice: ServerChoice
    private let hash: HashAlgorithm
    /// Our middlebox-compatibility ChangeCipherSpec went out (§D.4), with a HelloRetryRequest.
    private var sentChangeCipherSpec: Bool
    private var receivedChangeCipherSpec: Bool
    private var holdsSecrets = false
    private var hasNextServerTraffic = false
    private var keyUpdateDue = false
    private var keyUpdateRequestsPeer = false
    /// Bytes of the verified client leaf in the caller's region (0: none kept).
    private(set) var verifiedCertificateLength = 0
    let recordsBeforeKeyUpdate: UInt64

    /// ④ Takes over at a ClientHello (hashed into `transcript` here) whose share for
    /// `choice.group` gives the shared secret with a fresh key pair of ours.
    init(
        choice: ServerChoice, hello: borrowing ReceivedClientHello, message: Span<UInt8>, transcript: consuming Transcript,
        psk: Span<UInt8>, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue,
        sentChangeCipherSpec: Bool, receivedChangeCipherSpec: Bool
    ) throws(TLSError) {
        self.choice = choice
        hash = choice.suite.prfHash
        self.transcript = transcript
        self.sentChangeCipherSpec = sentChangeCipherSpec
        self.receivedChangeCipherSpec = receivedChangeCipherSpec
        recordsBeforeKeyUpdate = settings.recordsBeforeKeyUpdate
        self.transcript.update(message)
        pskCount = min(psk.count, 48)
        for i in 0..<pskCount { nextServerTraffic[i] = psk[i] }
        holdsSecrets = true
        if let kind = choice.resumption { events.push(HandshakeEvent(.resumed(kind), length: 0, server: true)) }
        // psk_ke (§4.2.9): the PSK alone, no key share.
        guard let group = choice.group else {
            guard pskCount > 0 else { throw .invalidState }
            return
        }
        guard let share = hello.keyShare(for: group) else { throw .illegalParameter }
        var pair = try ECDHE(group: group, random: &random)
        var publicSpan = publicValue.mutableSpan
        publicCount = try pair.writePublicKey(into: &publicSpan)
        var secretSpan = secret.mutableSpan
        // §4.2.8.1-2: the client's point must be on the curve, X25519's result non-zero.
        sharedCount = try pair.sharedSecret(peerPublicKey: share, random: &random, into: &secretSpan)
        events.push(HandshakeEvent(.keyShareAgreed(group), length: 0, server: true))
    }

    // MARK: ② our flight; KeyUpdate

    mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        let current = state
        state = .ended
        var progress = HandshakeProgress()
        switch current {
        case .flightDue:
            try writeServerFlight(into: &flight, settings: settings, random: &random, events: &events)
            progress.newReadKeys = true
            progress.newWriteKeys = true
            progress.newWriteKeysAfterFlight = true
            state = settings.clientAuthentication == .none || choice.resumption != nil ? .waitFinished : .waitCertificate
        case .ticketDue:
            try writeTicket(into: &flight, settings: settings, random: &random, events: &events)
            state = .connected
        case .connected:
            guard keyUpdateDue else { throw .invalidState }
            keyUpdateDue = false
            var writer = flight.room()
            try writer.u8(HandshakeType.keyUpdate.rawValue)
            try writer.u24(1)
            try writer.u8(keyUpdateRequestsPeer ? 1 : 0)
            let length = writer.count
            _ = flight.commit(length)
            flight.changeKeys(withChangeCipherSpec: false)
            try Self.update(&serverTraffic, hash)
            events.push(HandshakeEvent(.keyUpdateSent(requesting: keyUpdateRequestsPeer), length: length, server: true))
            progress.newWriteKeys = true
            progress.idle = true
            state = .connected
        default:
            throw .invalidState
        }
        return progress
    }

    private mutating func writeServerFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        let hash = self.hash
        var serverRandom = InlineArray<32, UInt8>(repeating: 0)
        var randomSpan = serverRandom.mutableSpan
        try random.fill(&randomSpan)
        var writer = flight.room()
        try ServerHello.write(
            into: &writer, random: serverRandom.span, choice: choice,
            keyShare: publicValue.span.extracting(0..<publicCount), settings: settings)
        let helloLength = writer.count
        sent(helloLength, in: &flight, events: &events)

        // ⑦ the handshake secret from the shared secret, in its place.
        do {
            var shared = secret
            var sharedSpan = shared.mutableSpan
            defer { secureZero(&sharedSpan) }
            var pskSpan = nextServerTraffic.mutableSpan
            defer { secureZero(&pskSpan) }
            var secretSpan = secret.mutableSpan
            try KeySchedule13.deriveHandshakeSecret(
                hash, psk: pskSpan.span.extracting(0..<pskCount), sharedSecret: sharedSpan.span.extracting(0..<sharedCount),
                into: &secretSpan)
            pskCount = 0
        }
        let helloHash = try transcript.hash(hash)
        try Self.derive(&clientTraffic, hash, from: secret, "c hs traffic", helloHash)
        try Self.derive(&serverTraffic, hash, from: secret, "s hs traffic", helloHash)
        log(.clientHandshakeTrafficSecret, clientTraffic, settings)
        log(.serverHandshakeTrafficSecret, serverTraffic, settings)
        events.push(HandshakeEvent(.keysDerived, length: 0, server: true))

        // §D.4: the compatibility ChangeCipherSpec right after our first handshake message,
        // when the client is in compatibility mode (it sent a session ID).
        let compatibility = !sentChangeCipherSpec && choice.sessionIDCount > 0
        flight.changeKeys(withChangeCipherSpec: compatibility)
        if compatibility { events.push(HandshakeEvent(.changeCipherSpecSent, length: 1, server: true)) }
        sentChangeCipherSpec = true

        var extensions = flight.room()
        try EncryptedExtensions.write(choice, settings: settings, into: &extensions)
        let extensionsLength = extensions.count
        sent(extensionsLength, in: &flight, events: &events)

        // Resumed, the PSK authenticates both sides: no certificates (§4.2.11).
        if choice.resumption == nil {
            try writeCertificateFlight(into: &flight, settings: settings, random: &random, events: &events)
        }

        let verifyData = try KeySchedule13.verifyData(
            hash, trafficSecret: serverTraffic.span, transcriptHash: try transcript.hash(hash).span)
        var finished = flight.room()
        try Finished.write(verifyData: verifyData.span, into: &finished)
        let finishedLength = finished.count
        sent(finishedLength, in: &flight, events: &events)

        // ⑦ the master secret and both application secrets over the transcript through our
        // Finished (§7.1); ours replaces the handshake one once the flight is out.
        do {
            var secretSpan = secret.mutableSpan
            try KeySchedule13.advanceToMasterSecret(hash, secret: &secretSpan)
        }
        let finishedHash = try transcript.hash(hash)
        try Self.derive(&nextServerTraffic, hash, from: secret, "s ap traffic", finishedHash)
        try Self.derive(&nextClientTraffic, hash, from: secret, "c ap traffic", finishedHash)
        try Self.derive(&exporterSecret, hash, from: secret, "exp master", finishedHash)
        hasNextServerTraffic = true
        log(.serverTrafficSecret0, nextServerTraffic, settings)
        log(.clientTrafficSecret0, nextClientTraffic, settings)
        log(.exporterSecret, exporterSecret, settings)
    }

    /// [CertificateRequest], Certificate and CertificateVerify (§4.4.3: the server's
    /// context string, then the transcript through Certificate).
    private mutating func writeCertificateFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        let hash = self.hash
        if settings.clientAuthentication != .none {
            var request = flight.room()
            try CertificateRequest.write(version: .tls13, anchors: settings.trust.trustAnchors, into: &request)
            let requestLength = request.count
            sent(requestLength, in: &flight, events: &events)
        }

        var certificate = flight.room()
        try CertificateMessage.write(settings.chain(choice.credential), version: .tls13, into: &certificate)
        let certificateLength = certificate.count
        sent(certificateLength, in: &flight, events: &events)

        // §4.4.3: the server's context string, then the transcript through Certificate.
        guard let signature = choice.signature else { throw .invalidState }
        let transcriptHash = try transcript.hash(hash)
        var digest = Digest(signature.hash)
        let content = CertificateVerify.content13(server: true)
        digest.update(content.span)
        digest.update(transcriptHash.span)
        var signed = InlineArray<64, UInt8>(repeating: 0)
        var signedSpan = signed.mutableSpan
        let signedCount = try digest.currentDigest(into: &signedSpan)
        let key = settings.key(choice.credential)
        let signer = settings.signer
        var verify = flight.room()
        try CertificateVerify.write(signature, into: &verify) { (room) throws(TLSError) -> Int in
            try Credential.sign(
                signature, transcriptHash: signed.span.extracting(0..<signedCount), key: key, signer: signer, random: &random,
                into: &room)
        }
        let verifyLength = verify.count
        sent(verifyLength, in: &flight, events: &events)
    }

    // MARK: ⑤ ⑥ the client's certificate, ⑧ its Finished; ⑩ after

    mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ServerSettings, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        guard let kind = HandshakeType(rawValue: message[0]) else { throw .unexpectedMessage }
        let body = message.extracting(4..<message.count)
        if kind != .keyUpdate { events.push(HandshakeEvent(.received(kind), length: message.count, server: true)) }
        var progress = HandshakeProgress()
        let current = state
        state = .ended
        switch (current, kind) {
        case (.waitCertificate, .certificate):
            clientKey = try ClientCertificate.check(
                try CertificateMessage.certificateList13(body), framing: .tls13, settings: settings,
                kept: &verifiedCertificateLength, events: &events)
            transcript.update(message)
            // §4.4.3: CertificateVerify follows a certificate only.
            state = clientKey != nil ? .waitCertificateVerify : .waitFinished

        case (.waitCertificateVerify, .certificateVerify):
            try verifyClientSignature(body)
            transcript.update(message)
            state = .waitFinished

        case (.waitFinished, .finished):
            let expected = try KeySchedule13.verifyData(
                hash, trafficSecret: clientTraffic.span, transcriptHash: try transcript.hash(hash).span)
            try Finished.check(body, expected: expected.span)
            transcript.update(message)
            var resumption = InlineArray<48, UInt8>(repeating: 0)
            try Self.derive(&resumption, hash, from: secret, "res master", try transcript.hash(hash))
            secret = resumption
            var resumptionSpan = resumption.mutableSpan
            secureZero(&resumptionSpan)
            // The client's application secret replaces its handshake one.
            clientTraffic = nextClientTraffic
            var nextSpan = nextClientTraffic.mutableSpan
            secureZero(&nextSpan)
            progress.newReadKeys = true
            progress.complete = true
            state = .connected
            if choice.wantsTickets {
                progress.flightDue = true
                state = .ticketDue
            }

        case (.connected, .keyUpdate):
            var reader = Reader(body)
            let request = try reader.u8()
            try reader.expectEnd()
            guard request <= 1 else { throw .illegalParameter }
            try Self.update(&clientTraffic, hash)
            events.push(HandshakeEvent(.keyUpdateReceived(requested: request == 1), length: message.count, server: true))
            progress.newReadKeys = true
            progress.idle = true
            if request == 1, !keyUpdateDue {
                keyUpdateDue = true
                keyUpdateRequestsPeer = false
                progress.flightDue = true
            }
            state = .connected

        case (.ended, _):
            throw .invalidState

        default:
            // Out of order, a second ClientHello (§4.1.2 allows one only after a
            // HelloRetryRequest), a 1.2 message, a NewSessionTicket from a client.
            throw .unexpectedMessage
        }
        return progress
    }

    /// ⑥ CertificateVerify (§4.4.3): a scheme we listed that suits the key, over the
    /// client's context string and the transcript through its Certificate.
    private mutating func verifyClientSignature(_ body: Span<UInt8>) throws(TLSError) {
        guard let key = clientKey.take() else { throw .invalidState }
        try CertificateVerify.verify13(body, key: key, signedByServer: false, transcriptHash: try transcript.hash(hash).span)
    }

    /// ⑩ One NewSessionTicket (§4.6.1): its PSK from the resumption master secret and a
    /// one-byte nonce, sealed with the session's suite into the ticket itself.
    private mutating func writeTicket(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        var ageAdd = InlineArray<4, UInt8>(repeating: 0)
        var ageSpan = ageAdd.mutableSpan
        try random.fill(&ageSpan)
        let nonce: InlineArray<1, UInt8> = [0]
        var ticket = SessionTicket(
            version: .tls13, suite: choice.suite, extendedMasterSecret: false, issuedAt: settings.trust.time,
            lifetime: settings.ticketLifetime,
            ageAdd: UInt32(ageAdd[0]) &<< 24 | UInt32(ageAdd[1]) &<< 16 | UInt32(ageAdd[2]) &<< 8 | UInt32(ageAdd[3]))
        defer { ticket.wipe() }
        var pskSpan = ticket.secret.mutableSpan
        try KeySchedule13.ticketPSK(hash, resumptionSecret: secret.span, nonce: nonce.span, into: &pskSpan)
        ticket.secretCount = hash.digestLength
        var writer = flight.room()
        try writer.u8(HandshakeType.newSessionTicket.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u32(ticket.lifetime)
        try writer.u32(ticket.ageAdd)
        try writer.u8(1)
        try writer.bytes(nonce.span)
        let sealed = try writer.beginVector(lengthBytes: 2)
        try ticket.seal(key: settings.currentTicketKey, random: &random, into: &writer)
        try writer.endVector(sealed)
        try writer.u16(0)  // no extensions
        try writer.endVector(body)
        let length = writer.count
        _ = flight.commit(length)
        events.push(HandshakeEvent(.sessionTicketIssued(lifetime: ticket.lifetime), length: length, server: true))
    }

    mutating func requestKeyUpdate(requestingPeer: Bool) throws(TLSError) -> HandshakeProgress {
        guard case .connected = state else { throw .invalidState }
        var progress = HandshakeProgress()
        if !keyUpdateDue {
            keyUpdateDue = true
            keyUpdateRequestsPeer = requestingPeer
            progress.flightDue = true
        }
        return progress
    }

    /// §5: one compatibility ChangeCipherSpec is dropped before the client's Finished.
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress {
        switch state {
        case .waitCertificate, .waitCertificateVerify, .waitFinished:
            guard !receivedChangeCipherSpec else { throw .unexpectedMessage }
            receivedChangeCipherSpec = true
            events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1, server: true))
            return .none
        default:
            throw .unexpectedMessage
        }
    }

    /// The protection of a direction's current traffic secret; handing out our handshake
    /// one moves our application secret in for the engine's next install.
    mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        guard holdsSecrets else { throw .invalidState }
        if direction == .read { return try KeySchedule13.recordProtection(suite: choice.suite, trafficSecret: clientTraffic.span) }
        let protection = try KeySchedule13.recordProtection(suite: choice.suite, trafficSecret: serverTraffic.span)
        if hasNextServerTraffic {
            serverTraffic = nextServerTraffic
            var nextSpan = nextServerTraffic.mutableSpan
            secureZero(&nextSpan)
            hasNextServerTraffic = false
        }
        return protection
    }

    private static func derive(
        _ output: inout InlineArray<48, UInt8>, _ hash: HashAlgorithm, from secret: borrowing InlineArray<48, UInt8>,
        _ label: StaticString, _ transcriptHash: borrowing TranscriptHash
    ) throws(TLSError) {
        var outputSpan = output.mutableSpan
        try KeySchedule13.deriveSecret(
            hash, from: secret.span, label: label, transcriptHash: transcriptHash.span, into: &outputSpan)
    }

    private static func update(_ secret: inout InlineArray<48, UInt8>, _ hash: HashAlgorithm) throws(TLSError) {
        var span = secret.mutableSpan
        try KeySchedule13.updateTrafficSecret(hash, secret: &span)
    }

    private mutating func sent(_ length: Int, in flight: inout Flight, events: inout EventQueue) {
        let message = flight.bytes(flight.commit(length))
        transcript.update(message)
        if let kind = HandshakeType(rawValue: message[0]) {
            events.push(HandshakeEvent(.sent(kind), length: message.count, server: true))
        }
    }

    private func log(_ label: KeyLog.Label, _ value: InlineArray<48, UInt8>, _ settings: borrowing ServerSettings) {
        settings.keyLog?.log(label, clientRandom: choice.clientRandom.span, secret: value.span.extracting(0..<hash.digestLength))
    }

    mutating func wipe() {
        var spans = secret.mutableSpan
        secureZero(&spans)
        spans = clientTraffic.mutableSpan
        secureZero(&spans)
        spans = serverTraffic.mutableSpan
        secureZero(&spans)
        spans = nextClientTraffic.mutableSpan
        secureZero(&spans)
        spans = nextServerTraffic.mutableSpan
        secureZero(&spans)
        spans = exporterSecret.mutableSpan
        secureZero(&spans)
        holdsSecrets = false
        hasNextServerTraffic = false
        clientKey = nil
        state = .ended
    }
}
