/// The TLS 1.3 client handshake (RFC 8446 §2), one state per awaited message, from the
/// ServerHello on (① and the HelloRetryRequest are `Client`'s, shared with TLS 1.2):
///
///     ① ClientHello + key_share →
///     ← ② ServerHello + key_share          ④ the shared secret; ⑦ handshake keys
///     ← ② {EncryptedExtensions}, {[CertificateRequest]}, {Certificate}
///       ③ validate the chain; {CertificateVerify} proves the key
///     ← ⑨ {Finished}                        ⑦ application keys
///     ⑤ {[Certificate, CertificateVerify]}, ⑧ {Finished} →
///     ⑩ [application data], KeyUpdate, NewSessionTicket
///
/// The secrets live here, in place, so that `wipe` zeroes them: one slot goes handshake →
/// master → resumption master secret; each direction's traffic secret is replaced as its
/// keys change (handshake, application, each KeyUpdate). The client's application secret
/// waits in `nextClientTraffic` between the server's Finished and ours.
struct Client13: ~Copyable {
    enum State {
        case waitEncryptedExtensions
        /// [CertificateRequest], Certificate.
        case waitCertificateOrRequest
        case waitCertificate(Credential.Request)
        case waitCertificateVerify(Credential.Request)
        case waitFinished(Credential.Request)
        /// ⑤ ⑧ our flight.
        case flightDue(Credential.Request)
        case connected
        /// Wiped after a failure or close: nothing is accepted.
        case ended
    }

    /// NewSessionTickets accepted on one connection; a server sends one or two.
    static let ticketLimit = 8

    // Wide fields first: this is engine state, in the caller's RAM.
    private var transcript: Transcript
    /// The server's key from Certificate until CertificateVerify has been checked.
    private var serverKey: PublicKey? = nil
    private var secret = InlineArray<48, UInt8>(repeating: 0)
    private var clientTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var serverTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var nextClientTraffic = InlineArray<48, UInt8>(repeating: 0)
    private var exporterSecret = InlineArray<48, UInt8>(repeating: 0)
    private var clientRandom: InlineArray<32, UInt8>
    private var state = State.waitEncryptedExtensions
    let suite: CipherSuite
    /// The key-exchange group; nil for a psk_ke resumption, which has none.
    let group: NamedGroup?
    /// The server took our PSK (§4.2.11): no certificates in this handshake.
    private let resumed: Bool
    /// Where the ALPN protocol the server chose lies in the configured list.
    private(set) var applicationProtocol: Range<Int>? = nil
    /// Whether our middlebox-compatibility ChangeCipherSpec went out (after a HelloRetryRequest).
    private var sentChangeCipherSpec: Bool
    private var receivedChangeCipherSpec = false
    private var holdsSecrets = false
    private var hasNextClientTraffic = false
    private var ticketsReceived = 0
    #if DEBUG
    /// See `ClientOffer.takesLeafKeyUnvalidated` (the RFC 8448 replay only).
    private var takesLeafKeyUnvalidated = false
    #endif
    /// A KeyUpdate of ours is due, asking the server to update too when `requestingPeer`.
    private var keyUpdateDue = false
    private var keyUpdateRequestsPeer = false
    /// Records under one write key before the engine updates it (RFC 8446 §5.5).
    let recordsBeforeKeyUpdate: UInt64
    /// Our records' inner plaintext is padded to a multiple of this (0: none).
    let paddingBlock: UInt16

    /// The suite's hash, kept apart from `suite` so that reading it while a secret is
    /// being written is visibly a different access.
    private let hash: HashAlgorithm

    /// ② Takes over from `offer` at a TLS 1.3 ServerHello: ④ the shared secret with the
    /// server's share, ⑦ the handshake secret and both handshake traffic secrets; the read
    /// keys change after this message (§5.1: it must end its record).
    init(
        offer: consuming ClientOffer, hello: ServerHello, message: Span<UInt8>,
        settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue,
        progress: inout HandshakeProgress
    ) throws(TLSError) {
        suite = hello.suite
        hash = hello.suite.prfHash
        group = hello.keyShareGroup
        resumed = hello.resumesSession
        recordsBeforeKeyUpdate = settings.recordsBeforeKeyUpdate
        paddingBlock = settings.recordPadding
        clientRandom = offer.random
        sentChangeCipherSpec = offer.retrySuite != nil
        #if DEBUG
        takesLeafKeyUnvalidated = offer.takesLeafKeyUnvalidated
        #endif
        let offered = offer.resumption
        let keyShare = offer.keyShare
        transcript = offer.transcript
        transcript.update(message)
        let hash = self.hash
        var shared = InlineArray<48, UInt8>(repeating: 0)
        var sharedSpan = shared.mutableSpan
        defer { secureZero(&sharedSpan) }
        var sharedCount = 0
        if let serverGroup = hello.keyShareGroup {
            // The share must be for the group our key share is for (§4.2.8: "MUST be in the
            // same group as the KeyShareEntry value offered by the client").
            guard var pair = keyShare, serverGroup == pair.group else { throw .illegalParameter }
            sharedCount = try pair.sharedSecret(peerPublicKey: hello.keyShare, random: &random, into: &sharedSpan)
            events.push(HandshakeEvent(.keyShareAgreed(serverGroup), length: 0))
        }
        if resumed, offered == .externalPSK {
            // §4.2.11: the suite's hash must be the PSK's (SHA-256 for an external one).
            guard hash == .sha256 else { throw .illegalParameter }
            var secretSpan = secret.mutableSpan
            try KeySchedule13.deriveHandshakeSecret(
                hash, psk: settings.externalPSKKey, sharedSecret: sharedSpan.span.extracting(0..<sharedCount),
                into: &secretSpan)
            events.push(HandshakeEvent(.resumed(.externalPSK), length: 0))
        } else if resumed {
            // §4.2.11: the suite must have the hash the PSK was made with.
            guard let session = settings.session, session.kind == .ticket13 else { throw .invalidState }
            guard session.suite.prfHash == hash else { throw .illegalParameter }
            var secretSpan = secret.mutableSpan
            try KeySchedule13.deriveHandshakeSecret(
                hash, psk: session.secret, sharedSecret: sharedSpan.span.extracting(0..<sharedCount), into: &secretSpan)
            events.push(HandshakeEvent(.resumed(.ticket13), length: 0))
        } else {
            var secretSpan = secret.mutableSpan
            try KeySchedule13.deriveHandshakeSecret(
                hash, sharedSecret: sharedSpan.span.extracting(0..<sharedCount), into: &secretSpan)
        }
        holdsSecrets = true
        let transcriptHash = try transcript.hash(hash)
        try Self.derive(&clientTraffic, hash, from: secret, "c hs traffic", transcriptHash)
        try Self.derive(&serverTraffic, hash, from: secret, "s hs traffic", transcriptHash)
        log(.clientHandshakeTrafficSecret, clientTraffic, settings)
        log(.serverHandshakeTrafficSecret, serverTraffic, settings)
        events.push(HandshakeEvent(.keysDerived, length: 0))
        progress.newReadKeys = true
    }

    // MARK: ② the server's encrypted flight, ③ its certificate, ⑨ its Finished; ⑩ after

    mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        guard let kind = HandshakeType(rawValue: message[0]) else { throw .unexpectedMessage }
        let body = message.extracting(4..<message.count)
        // After the handshake the message's own event says more (the ticket's lifetime,
        // whether an update was requested).
        if kind != .newSessionTicket, kind != .keyUpdate { events.push(HandshakeEvent(.received(kind), length: message.count)) }
        var progress = HandshakeProgress()
        let current = state
        state = .ended  // until the step succeeds
        switch (current, kind) {
        case (.waitEncryptedExtensions, .encryptedExtensions):
            let extensions = try EncryptedExtensions(body: body, configuration: settings)
            // The record size is settled here in TLS 1.3 (max_fragment_length, RFC 6066 §4).
            if let peerLimit = extensions.peerRecordLimit {
                progress.recordLimit = ApplicationProtocols.ownRecordLimit(settings, version: .tls13)
                progress.sendLimit = peerLimit
            } else {
                progress.recordLimit = UInt16(extensions.maxFragmentLength?.bytes ?? 16384)
            }
            applicationProtocol = extensions.applicationProtocol
            transcript.update(message)
            // Resumed with a PSK, the server authenticates by it alone: neither Certificate
            // nor CertificateRequest may come (§4.3.2, §4.4.2).
            state = resumed ? .waitFinished(.notRequested) : .waitCertificateOrRequest

        case (.waitCertificateOrRequest, .certificateRequest):
            let request = try CertificateRequest(tls13: body)
            let choice = try Credential.choose(
                for: request, chain: settings.clientCertificateChain, key: settings.clientPrivateKey,
                signs: settings.signer != nil, version: .tls13)
            transcript.update(message)
            state = .waitCertificate(.requested(choice))

        case (.waitCertificateOrRequest, .certificate), (.waitCertificate, .certificate):
            let request: Credential.Request = if case .waitCertificate(let r) = current { r } else { .notRequested }
            // §4.4.2.4: an empty Certificate from the server is a decode_error.
            let list = try CertificateMessage.certificateList13(body)
            guard list.count > 0 else { throw .malformed }
            let chain = try CertificateChain(list, framing: .tls13)
            #if DEBUG
            if takesLeafKeyUnvalidated {
                serverKey = .some(try PathValidator.publicKey(of: try Certificate(der: chain.leaf())))
                transcript.update(message)
                state = .waitCertificateVerify(request)
                return progress
            }
            #endif
            let leaf = try ServerCertificate.validate(chain, settings: settings, events: &events)
            // The key signs CertificateVerify: it must be allowed to (RFC 5280 §4.2.1.3).
            guard leaf.keyUsage.contains(.digitalSignature) else { throw .certificate(.wrongPurpose) }
            serverKey = .some(leaf.publicKey)
            transcript.update(message)
            state = .waitCertificateVerify(request)

        case (.waitCertificateVerify(let request), .certificateVerify):
            try verifyServerSignature(body)
            transcript.update(message)
            state = .waitFinished(request)

        case (.waitFinished(let request), .finished):
            // §4.4.4, compared in constant time.
            let expected = try KeySchedule13.verifyData(
                hash, trafficSecret: serverTraffic.span, transcriptHash: try transcript.hash(hash).span)
            try Finished.check(body, expected: expected.span)
            transcript.update(message)
            try deriveApplicationSecrets(settings: settings)
            progress.newReadKeys = true
            progress.flightDue = true
            state = .flightDue(request)

        case (.connected, .newSessionTicket):
            let ticket = try NewSessionTicket(body: body)
            ticketsReceived &+= 1
            guard ticketsReceived <= Self.ticketLimit else { throw .unexpectedMessage }
            events.push(HandshakeEvent(.sessionTicket(lifetime: ticket.lifetime), length: message.count))
            try store(ticket, settings: settings, events: &events)
            progress.idle = true
            state = .connected

        case (.connected, .keyUpdate):
            // §4.6.3: update_not_requested (0) or update_requested (1), nothing else.
            var reader = Reader(body)
            let request = try reader.u8()
            try reader.expectEnd()
            guard request <= 1 else { throw .illegalParameter }
            try Self.update(&serverTraffic, hash)
            events.push(HandshakeEvent(.keyUpdateReceived(requested: request == 1), length: message.count))
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
            // Out of order, a 1.2-only message, or a post-handshake CertificateRequest,
            // which this client never invites (no post_handshake_auth, §4.6.2).
            throw .unexpectedMessage
        }
        return progress
    }

    /// ③ CertificateVerify (§4.4.3): a scheme we offered that suits the key (RSA-PSS, or
    /// ECDSA on the curve the scheme names), and the signature over the 1.3 context string
    /// and the transcript through Certificate.
    private mutating func verifyServerSignature(_ body: Span<UInt8>) throws(TLSError) {
        guard let key = serverKey.take() else { throw .invalidState }
        try CertificateVerify.verify13(body, key: key, signedByServer: true, transcriptHash: try transcript.hash(hash).span)
    }

    /// ⑦ At the server's Finished: the master secret in place of the handshake secret, the
    /// server's application secret in place of its handshake one, ours kept aside until
    /// our Finished is out, and the exporter secret (§7.1).
    private mutating func deriveApplicationSecrets(settings: borrowing ClientSettings) throws(TLSError) {
        let hash = self.hash
        do {
            var secretSpan = secret.mutableSpan
            try KeySchedule13.advanceToMasterSecret(hash, secret: &secretSpan)
        }
        let transcriptHash = try transcript.hash(hash)
        try Self.derive(&serverTraffic, hash, from: secret, "s ap traffic", transcriptHash)
        try Self.derive(&nextClientTraffic, hash, from: secret, "c ap traffic", transcriptHash)
        hasNextClientTraffic = true
        try Self.derive(&exporterSecret, hash, from: secret, "exp master", transcriptHash)
        log(.clientTrafficSecret0, nextClientTraffic, settings)
        log(.serverTrafficSecret0, serverTraffic, settings)
        log(.exporterSecret, exporterSecret, settings)
    }

    // MARK: ⑤ ⑧ our flight; KeyUpdate

    mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        let current = state
        state = .ended  // until the step succeeds
        var progress = HandshakeProgress()
        switch current {
        case .flightDue(let request):
            // §D.4: our one ChangeCipherSpec goes out just before the first encrypted record,
            // unless it already preceded a second ClientHello.
            flight.changeKeys(withChangeCipherSpec: !sentChangeCipherSpec)
            if !sentChangeCipherSpec { events.push(HandshakeEvent(.changeCipherSpecSent, length: 1)) }
            sentChangeCipherSpec = true
            progress.newWriteKeys = true
            try writeClientFlight(request, into: &flight, settings: settings, random: &random, events: &events)
            progress.newWriteKeysAfterFlight = true
            progress.complete = true
            state = .connected
        case .connected:
            guard keyUpdateDue else { throw .invalidState }
            keyUpdateDue = false
            let requestingPeer = keyUpdateRequestsPeer
            // §4.6.3: the KeyUpdate goes out under the old keys; ours change after it.
            var writer = flight.room()
            try writer.u8(HandshakeType.keyUpdate.rawValue)
            try writer.u24(1)
            try writer.u8(requestingPeer ? 1 : 0)
            let length = writer.count
            _ = flight.commit(length)
            flight.changeKeys(withChangeCipherSpec: false)
            try Self.update(&clientTraffic, hash)
            events.push(HandshakeEvent(.keyUpdateSent(requesting: requestingPeer), length: length))
            progress.newWriteKeys = true
            progress.idle = true
            state = .connected
        default:
            throw .invalidState
        }
        return progress
    }

    /// ⑤ [Certificate, CertificateVerify] as the request allows, ⑧ Finished; then the
    /// resumption master secret over the whole transcript (§7.1) in place of the master.
    private mutating func writeClientFlight(
        _ request: Credential.Request, into flight: inout Flight, settings: borrowing ClientSettings,
        random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        if case .requested(let choice) = request {
            var signature: SignatureAlgorithm? = nil
            var chain = Span<UInt8>()
            switch choice {
            case .sign(let algorithm):
                signature = algorithm
                chain = settings.clientCertificateChain
            case .decline(let reason):
                // §4.4.2.4: an empty Certificate; the server decides (certificate_required).
                events.push(HandshakeEvent(.clientCertificateDeclined(reason), length: 0))
            }
            var writer = flight.room()
            try CertificateMessage.write(chain, version: .tls13, into: &writer)
            let length = writer.count
            sent(length, in: &flight, events: &events)
            if let signature {
                let key = settings.clientPrivateKey
                let signer = settings.signer
                let transcriptHash = try transcript.hash(hash)
                var digest = Digest(signature.hash)
                let content = CertificateVerify.content13(server: false)
                digest.update(content.span)
                digest.update(transcriptHash.span)
                var signed = InlineArray<64, UInt8>(repeating: 0)
                var signedSpan = signed.mutableSpan
                let signedCount = try digest.currentDigest(into: &signedSpan)
                var verifyWriter = flight.room()
                try CertificateVerify.write(signature, into: &verifyWriter) { (room) throws(TLSError) -> Int in
                    try Credential.sign(
                        signature, transcriptHash: signed.span.extracting(0..<signedCount), key: key, signer: signer, random: &random,
                        into: &room)
                }
                let verifyLength = verifyWriter.count
                sent(verifyLength, in: &flight, events: &events)
            }
        }
        let verifyData = try KeySchedule13.verifyData(
            hash, trafficSecret: clientTraffic.span, transcriptHash: try transcript.hash(hash).span)
        var writer = flight.room()
        try Finished.write(verifyData: verifyData.span, into: &writer)
        let length = writer.count
        sent(length, in: &flight, events: &events)

        var resumption = InlineArray<48, UInt8>(repeating: 0)
        try Self.derive(&resumption, hash, from: secret, "res master", try transcript.hash(hash))
        secret = resumption
        var resumptionSpan = resumption.mutableSpan
        secureZero(&resumptionSpan)
    }

    /// ⑩ A NewSessionTicket into the session region, with its PSK from the resumption
    /// master secret (§4.6.1); each replaces the last. A lifetime of 0 means "do not use".
    private func store(
        _ ticket: borrowing NewSessionTicket, settings: borrowing ClientSettings, events: inout EventQueue
    ) throws(TLSError) {
        guard settings.resumes, ticket.lifetime > 0 else { return }
        guard ticket.ticket.count <= Session.ticketCapacity else {
            events.push(HandshakeEvent(.ticketTooLong(length: ticket.ticket.count), length: 0))
            return
        }
        var psk = InlineArray<48, UInt8>(repeating: 0)
        var pskSpan = psk.mutableSpan
        defer { secureZero(&pskSpan) }
        try KeySchedule13.ticketPSK(hash, resumptionSecret: secret.span, nonce: ticket.nonce, into: &pskSpan)
        let fields = Session.Fields(
            kind: .ticket13, suite: suite, extendedMasterSecret: false, lifetime: ticket.lifetime,
            ageAdd: ticket.ageAdd, secret: pskSpan.span.extracting(0..<hash.digestLength), sessionID: Span(),
            ticket: ticket.ticket)
        try settings.storeSession(fields)
        events.push(HandshakeEvent(.sessionStored(.ticket13), length: 0))
    }

    /// Asks for a KeyUpdate of ours, optionally requesting the server's (§4.6.3).
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

    /// §D.4 / §5: one ChangeCipherSpec is dropped between the ServerHello and the
    /// server's Finished; any other is an unexpected_message.
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress {
        switch state {
        case .waitEncryptedExtensions, .waitCertificateOrRequest, .waitCertificate, .waitCertificateVerify,
             .waitFinished:
            guard !receivedChangeCipherSpec else { throw .unexpectedMessage }
            receivedChangeCipherSpec = true
            events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1))
            return .none
        default:
            throw .unexpectedMessage
        }
    }

    /// The protection of a direction's current traffic secret. Our handshake secret is
    /// used once, for the flight that ends with our Finished; handing it out moves our
    /// application secret in, for the engine's next install.
    mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        guard holdsSecrets else { throw .invalidState }
        if direction == .read { return try KeySchedule13.recordProtection(suite: suite, trafficSecret: serverTraffic.span) }
        let protection = try KeySchedule13.recordProtection(
            suite: suite, trafficSecret: clientTraffic.span, paddingBlock: paddingBlock)
        if hasNextClientTraffic {
            for i in 0..<48 { clientTraffic[i] = nextClientTraffic[i] }
            var nextSpan = nextClientTraffic.mutableSpan
            secureZero(&nextSpan)
            hasNextClientTraffic = false
        }
        return protection
    }

    // MARK: helpers

    /// Derive-Secret(`secret`, `label`, transcript hash) into `output`.
    private static func derive(
        _ output: inout InlineArray<48, UInt8>, _ hash: HashAlgorithm, from secret: borrowing InlineArray<48, UInt8>,
        _ label: StaticString, _ transcriptHash: borrowing TranscriptHash
    ) throws(TLSError) {
        var outputSpan = output.mutableSpan
        try KeySchedule13.deriveSecret(
            hash, from: secret.span, label: label, transcriptHash: transcriptHash.span, into: &outputSpan)
    }

    /// The next generation of a traffic secret, in place (KeyUpdate, §7.2).
    private static func update(_ secret: inout InlineArray<48, UInt8>, _ hash: HashAlgorithm) throws(TLSError) {
        var span = secret.mutableSpan
        try KeySchedule13.updateTrafficSecret(hash, secret: &span)
    }

    /// Takes the `length` bytes just written into the flight's room as one of our
    /// messages: hashed into the transcript and noted.
    private mutating func sent(_ length: Int, in flight: inout Flight, events: inout EventQueue) {
        let message = flight.bytes(flight.commit(length))
        transcript.update(message)
        if let kind = HandshakeType(rawValue: message[0]) {
            events.push(HandshakeEvent(.sent(kind), length: message.count))
        }
    }

    private func log(_ label: KeyLog.Label, _ value: InlineArray<48, UInt8>, _ settings: borrowing ClientSettings) {
        settings.keyLog?.log(label, clientRandom: clientRandom.span, secret: value.span.extracting(0..<hash.digestLength))
    }

    /// Zeroes every secret in place and ends the handshake: nothing is accepted afterwards.
    mutating func wipe() {
        var spans = secret.mutableSpan
        secureZero(&spans)
        spans = clientTraffic.mutableSpan
        secureZero(&spans)
        spans = serverTraffic.mutableSpan
        secureZero(&spans)
        spans = nextClientTraffic.mutableSpan
        secureZero(&spans)
        spans = exporterSecret.mutableSpan
        secureZero(&spans)
        holdsSecrets = false
        hasNextClientTraffic = false
        serverKey = nil
        state = .ended
    }
}
