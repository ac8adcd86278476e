/// The TLS 1.2 server handshake (RFC 5246 §7.3), the seed's classic one from the
/// server's side, one state per awaited message:
///
///     ← ① ClientHello
///     ② ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone →
///     ← ⑤ [Certificate]                      ⑥ validate the client's chain, CRLs included
///     ← ④ ClientKeyExchange                  ⑦ the master secret
///     ← ⑥ [CertificateVerify]                 the client's signature
///     ← ⑧ ChangeCipherSpec, Finished
///     ⑨ ChangeCipherSpec, Finished →
///
/// ECDHE suites sign our ephemeral key (RFC 8422 §5.4); RSA key transport decrypts the
/// pre-master secret without revealing whether it decrypted (RFC 5246 §7.4.7.1).
struct Server12: ~Copyable {
    enum State {
        /// ② our first flight.
        case helloFlightDue
        case waitCertificate
        case waitKeyExchange
        case waitCertificateVerify
        case waitChangeCipherSpec
        case waitFinished
        /// ⑨ our ChangeCipherSpec and Finished.
        case finishedDue
        case connected
        case ended
    }

    private var transcript: Transcript
    /// Our ECDHE key pair, from the ClientHello until the ClientKeyExchange.
    private var keyPair: ECDHE? = nil
    /// ⑥ the client's key, from its Certificate until its CertificateVerify.
    private var clientKey: PublicKey? = nil
    /// The pre-master secret until the key schedule, then the master secret.
    private var secret = InlineArray<48, UInt8>(repeating: 0)
    private var serverRandom = InlineArray<32, UInt8>(repeating: 0)
    private var state = State.helloFlightDue
    private(set) var choice: ServerChoice
    private var holdsMasterSecret = false
    private(set) var verifiedCertificateLength = 0
    private var renegotiationsRefused = 0

    /// `resumed`: the session's master secret from the client's ticket (RFC 5077 §3.1);
    /// empty for a full handshake.
    init(
        choice: ServerChoice, message: Span<UInt8>, resumed: Span<UInt8>, settings: borrowing ServerSettings,
        random: inout Random
    ) throws(TLSError) {
        self.choice = choice
        transcript = Transcript()
        transcript.update(message)
        self.choice = try Self.withSessionID(choice, settings: settings, random: &random)
        var randomSpan = serverRandom.mutableSpan
        try random.fill(&randomSpan)
        if settings.serves(.tls13) {
            // RFC 8446 §4.1.3: a server that speaks 1.3 marks a 1.2 answer, so that a 1.3
            // client sees a downgrade an attacker forced.
            for i in 0..<7 { serverRandom[24 &+ i] = ServerHello.downgradeSentinel[i] }
            serverRandom[31] = 1
        }
        if resumed.count == 48 {
            for i in 0..<48 { secret[i] = resumed[i] }
            holdsMasterSecret = true
        } else if let group = choice.group {
            keyPair = try ECDHE(group: group, random: &random)
        }
    }

    /// `choice` with the session ID our ServerHello sends: the resumed session's, or for a
    /// full handshake a fresh one when it will be cached, otherwise none (RFC 5246
    /// §7.4.1.3: the session is then not resumable by ID).
    private static func withSessionID(
        _ choice: ServerChoice, settings: borrowing ServerSettings, random: inout Random
    ) throws(TLSError) -> ServerChoice {
        guard choice.resumption == nil else { return choice }
        var next = choice
        next.sessionIDCount = 0
        if settings.sessionCache.isEnabled, choice.extendedMasterSecret {
            var id = next.sessionID.mutableSpan
            try random.fill(&id)
            next.sessionIDCount = SessionCache.idLength
        }
        return next
    }

    /// The session a TLS 1.2 ClientHello's ticket resumes, if it opens under our keys, is
    /// alive, of TLS 1.2 with extended_master_secret again (RFC 7627 §5.3: only such
    /// sessions are issued) and of a suite the client offers and we serve. Otherwise nil:
    /// a full handshake (RFC 5077 §3.4).
    static func resumable(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings
    ) -> SessionTicket? {
        guard settings.issuesTickets, hello.sessionTicket.count > 0, hello.extendedMasterSecret,
              hello.sessionID.count > 0,
              var ticket = SessionTicket.open(
                hello.sessionTicket, current: settings.currentTicketKey, previous: settings.previousTicketKey)
        else { return nil }
        guard ticket.version == .tls12, ticket.extendedMasterSecret, ticket.secretCount == 48,
              ticket.isValid(at: settings.trust.time), hello.offersSuite(ticket.suite), settings.suites.contains(ticket.suite)
        else {
            ticket.wipe()
            return nil
        }
        return ticket
    }

    /// The session a TLS 1.2 ClientHello's session ID resumes from the cache: alive, with
    /// extended_master_secret asked for again (RFC 7627 §5.3), of a suite the client offers
    /// and we serve. Otherwise nil: a full handshake under a new ID (RFC 5246 §7.4.1.2).
    static func cached(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings
    ) -> SessionTicket? {
        guard hello.extendedMasterSecret, var session = settings.sessionCache.find(hello.sessionID, at: settings.trust.time)
        else { return nil }
        guard hello.offersSuite(session.suite), settings.suites.contains(session.suite) else {
            session.wipe()
            return nil
        }
        return session
    }

    /// Whether a ticket goes out with our Finished: asked for, keys configured, and the
    /// session has extended_master_secret (the only kind worth resuming).
    var issuesTicket: Bool { choice.wantsTickets && choice.extendedMasterSecret && choice.resumption == nil }

    // MARK: ② and ⑨ our flights

    mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        let current = state
        state = .ended
        var progress = HandshakeProgress()
        switch current {
        case .helloFlightDue where choice.resumption != nil:
            // RFC 5246 §7.3, abbreviated: ServerHello, then our ChangeCipherSpec and Finished first.
            var hello = flight.room()
            try ServerHello.write(into: &hello, random: serverRandom.span, choice: choice, keyShare: Span(), settings: settings)
            let helloLength = hello.count
            sent(helloLength, in: &flight, events: &events)
            if let kind = choice.resumption { events.push(HandshakeEvent(.resumed(kind), length: 0, server: true)) }
            try writeFinished(into: &flight, progress: &progress, events: &events)
            state = .waitChangeCipherSpec
        case .helloFlightDue:
            try writeHelloFlight(into: &flight, settings: settings, random: &random, events: &events)
            state = settings.clientAuthentication == .none ? .waitKeyExchange : .waitCertificate
        case .finishedDue:
            if issuesTicket { try writeTicket(into: &flight, settings: settings, random: &random, events: &events) }
            try writeFinished(into: &flight, progress: &progress, events: &events)
            if choice.sessionIDCount > 0 {
                settings.sessionCache.store(
                    id: choice.sessionIDSpan, suite: choice.suite, issuedAt: settings.trust.time, masterSecret: secret.span)
            }
            progress.complete = true
            state = .connected
        default:
            throw .invalidState
        }
        return progress
    }

    /// ⑨ ChangeCipherSpec, then Finished under our new keys.
    private mutating func writeFinished(
        into flight: inout Flight, progress: inout HandshakeProgress, events: inout EventQueue
    ) throws(TLSError) {
            flight.changeKeys(withChangeCipherSpec: true)
            events.push(HandshakeEvent(.changeCipherSpecSent, length: 1, server: true))
            progress.newWriteKeys = true
            let verifyData = try finishedVerifyData(label: "server finished")
            var writer = flight.room()
            try Finished.write(verifyData: verifyData.span, into: &writer)
            let length = writer.count
            sent(length, in: &flight, events: &events)
    }

    /// RFC 5077 §3.3 NewSessionTicket, before our ChangeCipherSpec: the master secret
    /// sealed under the ticket key.
    private mutating func writeTicket(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        var ticket = SessionTicket(
            version: .tls12, suite: choice.suite, extendedMasterSecret: true, issuedAt: settings.trust.time,
            lifetime: settings.ticketLifetime, ageAdd: 0)
        defer { ticket.wipe() }
        for i in 0..<48 { ticket.secret[i] = secret[i] }
        ticket.secretCount = 48
        var writer = flight.room()
        try writer.u8(HandshakeType.newSessionTicket.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u32(ticket.lifetime)
        let sealed = try writer.beginVector(lengthBytes: 2)
        try ticket.seal(key: settings.currentTicketKey, random: &random, into: &writer)
        try writer.endVector(sealed)
        try writer.endVector(body)
        let length = writer.count
        sent(length, in: &flight, events: &events)
        events.push(HandshakeEvent(.sessionTicketIssued(lifetime: ticket.lifetime), length: length, server: true))
    }

    private mutating func writeHelloFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) {
        var hello = flight.room()
        try ServerHello.write(into: &hello, random: serverRandom.span, choice: choice, keyShare: Span(), settings: settings)
        let helloLength = hello.count
        sent(helloLength, in: &flight, events: &events)

        var certificate = flight.room()
        try CertificateMessage.write(settings.chain(choice.credential), into: &certificate)
        let certificateLength = certificate.count
        sent(certificateLength, in: &flight, events: &events)

        if let pair = keyPair.take(), let signature = choice.signature {
            // RFC 8422 §5.4: named_curve, the group, our point; signed with both randoms.
            var writer = flight.room()
            try writer.u8(HandshakeType.serverKeyExchange.rawValue)
            let body = try writer.beginVector(lengthBytes: 3)
            try writer.u8(3)
            try writer.u16(pair.group.rawValue)
            var point = InlineArray<97, UInt8>(repeating: 0)
            var pointSpan = point.mutableSpan
            let pointCount = try pair.writePublicKey(into: &pointSpan)
            try writer.u8(UInt8(truncatingIfNeeded: pointCount))
            try writer.bytes(point.span.extracting(0..<pointCount))
            keyPair = .some(pair)
            var digest = Digest(signature.hash)
            digest.update(choice.clientRandom.span)
            digest.update(serverRandom.span)
            digest.update(writer.written.extracting(4..<writer.count))
            var signed = InlineArray<64, UInt8>(repeating: 0)
            var signedSpan = signed.mutableSpan
            let signedCount = try digest.currentDigest(into: &signedSpan)
            try writer.u16(signature.tlsSignatureScheme)
            let signatureVector = try writer.beginVector(lengthBytes: 2)
            let key = settings.key(choice.credential)
            let signer = settings.signer
            try writer.appendVariable(maximum: writer.freeCapacity) { (room) throws(TLSError) -> Int in
                try Credential.sign(
                    signature, transcriptHash: signed.span.extracting(0..<signedCount), key: key, signer: signer, random: &random,
                    into: &room)
            }
            try writer.endVector(signatureVector)
            try writer.endVector(body)
            let length = writer.count
            sent(length, in: &flight, events: &events)
        }

        if settings.clientAuthentication != .none {
            var request = flight.room()
            try CertificateRequest.write(version: .tls12, anchors: settings.trust.trustAnchors, into: &request)
            let requestLength = request.count
            sent(requestLength, in: &flight, events: &events)
        }

        var done = flight.room()
        try done.u8(HandshakeType.serverHelloDone.rawValue)
        try done.u24(0)
        let doneLength = done.count
        sent(doneLength, in: &flight, events: &events)
    }

    // MARK: ⑤ ⑥ ④ ⑧ the client's flight

    mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        guard let kind = HandshakeType(rawValue: message[0]) else { throw .unexpectedMessage }
        let body = message.extracting(4..<message.count)
        events.push(HandshakeEvent(.received(kind), length: message.count, server: true))
        var progress = HandshakeProgress()
        let current = state
        state = .ended
        switch (current, kind) {
        case (.waitCertificate, .certificate):
            clientKey = try ClientCertificate.check(
                try CertificateMessage.certificateList(body), framing: .tls12, settings: settings,
                kept: &verifiedCertificateLength, events: &events)
            transcript.update(message)
            state = .waitKeyExchange

        case (.waitKeyExchange, .clientKeyExchange):
            let preMasterCount = try agree(body, settings: settings, random: &random)
            transcript.update(message)
            try deriveMasterSecret(preMasterCount: preMasterCount, settings: settings)
            events.push(HandshakeEvent(.keysDerived, length: 0, server: true))
            state = clientKey != nil ? .waitCertificateVerify : .waitChangeCipherSpec

        case (.waitCertificateVerify, .certificateVerify):
            try verifyClientSignature(body)
            transcript.update(message)
            state = .waitChangeCipherSpec

        case (.waitFinished, .finished):
            try Finished.check(body, expected: try finishedVerifyData(label: "client finished").span)
            transcript.update(message)
            if choice.resumption != nil {
                // Abbreviated: the client finishes last.
                progress.complete = true
                state = .connected
            } else {
                progress.flightDue = true
                state = .finishedDue
            }

        case (.connected, .clientHello):
            // RFC 5746 §4.4: renegotiation is refused with a warning, a bounded number of times.
            renegotiationsRefused &+= 1
            guard renegotiationsRefused <= 4 else { throw .renegotiationRefused }
            events.push(HandshakeEvent(.renegotiationRefused, length: 0, server: true))
            progress.warning = .noRenegotiation
            progress.idle = true
            state = .connected

        case (.ended, _):
            throw .invalidState

        default:
            throw .unexpectedMessage
        }
        return progress
    }

    /// ④ ClientKeyExchange: the client's ECDH point, giving the pre-master secret with our
    /// key pair (RFC 8422 §5.7, the point checked on the curve); or RSA's encrypted
    /// pre-master secret. Returns the pre-master secret's length, in `secret`.
    private mutating func agree(
        _ body: Span<UInt8>, settings: borrowing ServerSettings, random: inout Random
    ) throws(TLSError) -> Int {
        var reader = Reader(body)
        if var pair = keyPair.take() {
            let point = try reader.vector(lengthBytes: 1, minimum: 1)
            try reader.expectEnd()
            var secretSpan = secret.mutableSpan
            return try pair.sharedSecret(peerPublicKey: point, random: &random, into: &secretSpan)
        }
        // RFC 5246 §7.4.7.1: whatever the decryption gives — wrong padding, wrong length,
        // a wrong client_version — continue with a random pre-master secret, so that the
        // peer learns nothing until Finished fails (Bleichenbacher).
        let encrypted = try reader.vector(lengthBytes: 2, minimum: 1)
        try reader.expectEnd()
        var fallback = InlineArray<48, UInt8>(repeating: 0)
        var fallbackSpan = fallback.mutableSpan
        defer { secureZero(&fallbackSpan) }
        try random.fill(&fallbackSpan)
        var decrypted = InlineArray<48, UInt8>(repeating: 0)
        var decryptedSpan = decrypted.mutableSpan
        defer { secureZero(&decryptedSpan) }
        var key = try PrivateKey(der: settings.key(choice.credential))
        let length = key.decryptPKCS1v15(encrypted, random: &random, into: &decryptedSpan)
        // Selected byte by byte without branching on which one is good.
        let good: UInt8 = (length == 48 ? 1 : 0) & (decryptedSpan[0] == 3 ? 1 : 0) & (decryptedSpan[1] == 3 ? 1 : 0)
        let mask = 0 &- good
        for i in 0..<48 { secret[i] = (decryptedSpan[i] & mask) | (fallbackSpan[i] & ~mask) }
        return 48
    }

    /// ⑦ (RFC 5246 §8.1, RFC 7627 §4: the session hash runs through ClientKeyExchange).
    private mutating func deriveMasterSecret(preMasterCount: Int, settings: borrowing ServerSettings) throws(TLSError) {
        let suite = choice.suite
        var master = InlineArray<48, UInt8>(repeating: 0)
        var masterSpan = master.mutableSpan
        defer { secureZero(&masterSpan) }
        let sessionHash = try transcript.hash(suite.prfHash)
        try KeySchedule12.deriveMasterSecret(
            suite.prfHash, preMasterSecret: secret.span.extracting(0..<preMasterCount),
            clientRandom: choice.clientRandom.span, serverRandom: serverRandom.span,
            extendedMasterSecret: choice.extendedMasterSecret, sessionHash: sessionHash.span, into: &masterSpan)
        for i in 0..<48 { secret[i] = masterSpan[i] }
        holdsMasterSecret = true
        settings.keyLog?.log(.clientRandom, clientRandom: choice.clientRandom.span, secret: secret.span)
    }

    /// ⑥ CertificateVerify (RFC 5246 §7.4.8): a scheme we listed that suits the client's
    /// key, over every handshake message so far.
    private mutating func verifyClientSignature(_ body: Span<UInt8>) throws(TLSError) {
        var algorithm = SignatureAlgorithm.ecdsa(.sha256)
        let signature = try CertificateVerify.read(body, listed: CertificateRequest.accepts12, algorithm: &algorithm)
        guard var key = clientKey.take() else { throw .invalidState }
        switch (algorithm, key.kind) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1, .rsa), (.rsaPSS, .rsa): break
        default: throw .illegalParameter
        }
        let digest = try transcript.hash(algorithm.hash)
        try key.verify(algorithm, digest: digest.span, signature: signature)
    }

    /// ⑧ The client's ChangeCipherSpec, after its key exchange (and CertificateVerify).
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress {
        guard case .waitChangeCipherSpec = state, holdsMasterSecret else { throw .unexpectedMessage }
        events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1, server: true))
        state = .waitFinished
        var progress = HandshakeProgress()
        progress.newReadKeys = true
        return progress
    }

    mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        guard holdsMasterSecret else { throw .invalidState }
        return try KeySchedule12.recordProtection(
            for: direction == .read ? .client : .server, suite: choice.suite, masterSecret: secret.span,
            clientRandom: choice.clientRandom.span, serverRandom: serverRandom.span)
    }

    private func finishedVerifyData(label: StaticString) throws(TLSError) -> InlineArray<12, UInt8> {
        guard holdsMasterSecret else { throw .invalidState }
        var verifyData = InlineArray<12, UInt8>(repeating: 0)
        var verifySpan = verifyData.mutableSpan
        try KeySchedule12.verifyData(
            choice.suite.prfHash, masterSecret: secret.span, label: label,
            transcriptHash: try transcript.hash(choice.suite.prfHash).span, into: &verifySpan)
        return verifyData
    }

    private mutating func sent(_ length: Int, in flight: inout Flight, events: inout EventQueue) {
        let message = flight.bytes(flight.commit(length))
        transcript.update(message)
        if let kind = HandshakeType(rawValue: message[0]) {
            events.push(HandshakeEvent(.sent(kind), length: message.count, server: true))
        }
    }

    /// The connection ends with a fatal alert, sent or received: its session is not to be
    /// resumed (RFC 5246 §7.2.2), so its cache entry goes.
    func forgetSession(settings: borrowing ServerSettings) {
        if choice.sessionIDCount > 0 { settings.sessionCache.remove(choice.sessionIDSpan) }
    }

    mutating func wipe() {
        var span = secret.mutableSpan
        secureZero(&span)
        holdsMasterSecret = false
        keyPair = nil
        clientKey = nil
        state = .ended
    }
}
