/// The TLS 1.2 client handshake (RFC 5246 §7.3), one state per awaited message:
///
///     ① ClientHello →
///     ← ② ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone
///       ③ validate the chain
///     ④ [Certificate], ClientKeyExchange, [CertificateVerify], ⑦ keys, ⑧ ChangeCipherSpec, Finished →
///     ← ⑨ ChangeCipherSpec, Finished
///
/// Resuming a session (§7.3's abbreviated handshake, by session ID or RFC 5077 ticket),
/// the master secret comes from the session region and the steps in between go:
///
///     ← ② ServerHello (our session ID echoed), [NewSessionTicket], ⑨ ChangeCipherSpec, Finished
///     ⑧ ChangeCipherSpec, Finished →
///
/// It sees whole handshake messages (the engine deframes them), writes its own into a
/// `Flight`, and asks for record changes through `HandshakeProgress`. What only some steps
/// need and never at once — the server's key, then our ECDHE public value — shares one
/// `KeyExchange` value, so the machine's RAM is the larger of them, not the sum.
struct Client12: ~Copyable {
    /// What is awaited next (① and ② ServerHello are `Client`'s, shared with TLS 1.3).
    enum State {
        case waitCertificate
        /// PSK suites: ServerKeyExchange (a hint; for ECDHE_PSK required, with its
        /// parameters) or, plain PSK without a hint, ServerHelloDone (RFC 4279 §2).
        case waitPSKKeyExchange
        /// PSK suites: ServerHelloDone; no CertificateRequest (RFC 4279 §2).
        case waitPSKServerHelloDone
        /// ECDHE: the ServerKeyExchange, to be verified with the server's key.
        case waitKeyExchange
        /// [CertificateRequest], ServerHelloDone.
        case waitServerHelloDone(ClientAuthentication)
        /// ④–⑧ our flight.
        case flightDue(ClientAuthentication)
        /// [NewSessionTicket], the server's ChangeCipherSpec.
        case waitChangeCipherSpec
        case waitFinished
        /// Resumed: our ChangeCipherSpec and Finished, after the server's.
        case resumedFlightDue
        case connected
        /// Wiped after a failure or close: nothing is accepted.
        case ended
    }

    /// The key exchange's material, which only some states need and never at once.
    enum KeyExchange: ~Copyable {
        case none
        /// The server's key, from ③ until it has been used: to check the ServerKeyExchange
        /// (ECDHE) or to encrypt the pre-master secret to at ④ (RSA, RFC 5246 §7.4.7.1).
        case serverKey(PublicKey)
        /// ECDHE: our public value (at most 97 bytes, P-384) for ClientKeyExchange; the
        /// pre-master secret is already in `secret`.
        case ecdhe(InlineArray<97, UInt8>, count: UInt8)
    }

    /// ⑤ What the server asked of our certificate.
    typealias ClientAuthentication = Credential.Request

    // Shared by every state. Engine state lives in the caller's RAM: wide fields first.
    private var transcript: Transcript
    private var keyExchange = KeyExchange.none
    private var state = State.waitCertificate
    private var clientRandom: InlineArray<32, UInt8>
    private var serverRandom = InlineArray<32, UInt8>(repeating: 0)
    /// The pre-master secret until the key schedule, then the master secret: never both,
    /// and always here, so that `wipe` zeroes it in place.
    private var secret = InlineArray<48, UInt8>(repeating: 0)
    private var secretCount: UInt8 = 0
    private var holdsMasterSecret = false
    private(set) var negotiatedSuite: CipherSuite?
    private(set) var usesExtendedMasterSecret = false
    /// Where the ALPN protocol the server chose lies in the configured list.
    private(set) var applicationProtocol: Range<Int>? = nil
    /// The server's session ID, under which this session may be resumed (stored at the end).
    private var serverSessionID = InlineArray<32, UInt8>(repeating: 0)
    private var serverSessionIDCount: UInt8 = 0
    /// The server answered session_ticket: a NewSessionTicket must precede its ChangeCipherSpec.
    private let promisesTicket: Bool
    private var resumed = false
    /// A session went into the session region, to be sealed at the server's Finished.
    private var storedTicket = false

    /// Takes over from the ClientHello `offer` once ② `hello` chose TLS 1.2.
    init(
        offer: consuming ClientOffer, hello: ServerHello, message: Span<UInt8>,
        settings: borrowing ClientSettings, events: inout EventQueue, progress: inout HandshakeProgress
    ) throws(TLSError) {
        transcript = offer.transcript
        clientRandom = offer.random
        if settings.requireExtendedMasterSecret, !hello.extendedMasterSecret { throw .handshakeFailure }
        serverRandom = hello.random
        negotiatedSuite = hello.suite
        usesExtendedMasterSecret = hello.extendedMasterSecret
        promisesTicket = hello.promisesTicket
        for i in 0..<hello.sessionIDCount { serverSessionID[i] = hello.sessionIDBytes[i] }
        switch hello.suite.keyExchange {
        case .psk, .ecdhePSK: state = .waitPSKKeyExchange
        default: break
        }
        serverSessionIDCount = UInt8(truncatingIfNeeded: hello.sessionIDCount)

        // The version is settled, and so is the record size (RFC 6066 §4).
        applicationProtocol = hello.applicationProtocol
        if let peerLimit = hello.peerRecordLimit {
            progress.recordLimit = ApplicationProtocols.ownRecordLimit(settings, version: .tls12)
            progress.sendLimit = peerLimit
        } else {
            progress.recordLimit = UInt16(hello.maxFragmentLength?.bytes ?? 16384)
        }
        transcript.update(message)
    }

    /// ② The server echoed the session ID sent with our session: the master secret is the
    /// session's, and the server's ChangeCipherSpec comes next.
    mutating func resume(
        _ hello: borrowing ServerHello, settings: borrowing ClientSettings, events: inout EventQueue
    ) throws(TLSError) {
        guard let session = settings.session, session.kind.version == .tls12 else { throw .invalidState }
        // §7.4.1.3: the session's suite; RFC 7627 §5.3: its extended master secret again
        // (only such sessions are stored), or the handshake is aborted.
        guard hello.suite == session.suite else { throw .illegalParameter }
        guard hello.extendedMasterSecret else { throw .handshakeFailure }
        for i in 0..<48 { secret[i] = session.secret[i] }
        secretCount = 48
        holdsMasterSecret = true
        resumed = true
        state = .waitChangeCipherSpec
        events.push(HandshakeEvent(.resumed(session.kind), length: 0))
    }

    // MARK: ④–⑧ our flight

    mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        let current = state
        state = .ended  // until the step succeeds
        switch current {
        case .flightDue(let authentication):
            let progress = try writeKeyExchangeFlight(
                authentication, into: &flight, settings: settings, random: &random, events: &events)
            state = .waitChangeCipherSpec
            return progress
        case .resumedFlightDue:
            guard let suite = negotiatedSuite else { throw .invalidState }
            var progress = HandshakeProgress()
            progress.newWriteKeys = true
            try writeChangeCipherSpecAndFinished(suite: suite, into: &flight, events: &events)
            progress.complete = true
            state = .connected
            return progress
        default:
            throw .invalidState
        }
    }

    private mutating func writeKeyExchangeFlight(
        _ authentication: ClientAuthentication, into flight: inout Flight,
        settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        guard let suite = negotiatedSuite else { throw .invalidState }
        var signature: SignatureAlgorithm? = nil
        if case .requested(let choice) = authentication {
            // ⑤ Our chain when it suits the request, else an empty Certificate (RFC 5246 §7.4.6),
            // and the reason, so that a user can see why the server may refuse.
            var chain = Span<UInt8>()
            switch choice {
            case .sign(let algorithm):
                signature = algorithm
                chain = settings.clientCertificateChain
            case .decline(let reason):
                events.push(HandshakeEvent(.clientCertificateDeclined(reason), length: 0))
            }
            var writer = flight.room()
            try CertificateMessage.write(chain, into: &writer)
            let length = writer.count
            sent(length, in: &flight, events: &events)
        }

        // ④ ClientKeyExchange.
        switch takeKeyExchange() {
        case .serverKey(var serverKey):
            // RFC 5246 §7.4.7.1: client_version (the offered version) ‖ 46 random bytes.
            var preMaster = secret.mutableSpan
            try random.fill(&preMaster)
            secret[0] = 3
            secret[1] = 3
            secretCount = 48
            guard case .rsa(let modulusLength) = serverKey.kind else { throw .invalidState }
            let preMasterSecret = secret
            var writer = flight.room()
            try writer.u8(HandshakeType.clientKeyExchange.rawValue)
            let body = try writer.beginVector(lengthBytes: 3)
            let encrypted = try writer.beginVector(lengthBytes: 2)
            try writer.append(modulusLength) { (room) throws(TLSError) in
                let length = try serverKey.encryptPKCS1v15(preMasterSecret.span, random: &random, into: &room)
                guard length == modulusLength else { throw .invalidState }
            }
            try writer.endVector(encrypted)
            try writer.endVector(body)
            let length = writer.count
            sent(length, in: &flight, events: &events)
        case .none:
            // Plain PSK: the identity alone (RFC 4279 §2).
            guard suite.keyExchange == .psk else { throw .invalidState }
            var writer = flight.room()
            try writer.u8(HandshakeType.clientKeyExchange.rawValue)
            let body = try writer.beginVector(lengthBytes: 3)
            let identity = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(settings.externalPSKIdentity)
            try writer.endVector(identity)
            try writer.endVector(body)
            let length = writer.count
            sent(length, in: &flight, events: &events)
        case .ecdhe(let publicValue, let count):
            var writer = flight.room()
            try writer.u8(HandshakeType.clientKeyExchange.rawValue)
            let body = try writer.beginVector(lengthBytes: 3)
            if suite.keyExchange == .ecdhePSK {
                // RFC 5489 §2: the identity, then the ECDH public value.
                let identity = try writer.beginVector(lengthBytes: 2)
                try writer.bytes(settings.externalPSKIdentity)
                try writer.endVector(identity)
            }
            let point = try writer.beginVector(lengthBytes: 1)
            try writer.bytes(publicValue.span.extracting(0..<Int(count)))
            try writer.endVector(point)
            try writer.endVector(body)
            let length = writer.count
            sent(length, in: &flight, events: &events)
        }

        // ⑦ the master secret. RFC 7627 §4: the session hash covers the messages through
        // ClientKeyExchange, so it is taken before CertificateVerify.
        var master = InlineArray<48, UInt8>(repeating: 0)
        do {
            var masterSpan = master.mutableSpan
            defer { secureZero(&masterSpan) }
            let sessionHash = try transcript.hash(suite.prfHash)
            // The pre-master secret: what `secret` holds, or for the PSK suites (RFC 4279 §2,
            // RFC 5489 §2) other_secret (N zeros, or the ECDH secret) and the PSK, each with a
            // 2-byte length.
            var preMaster = InlineArray<136, UInt8>(repeating: 0)
            var pskSpan = preMaster.mutableSpan
            defer { secureZero(&pskSpan) }
            var preMasterCount = Int(secretCount)
            for i in 0..<preMasterCount { pskSpan[i] = secret[i] }
            if suite.keyExchange == .psk || suite.keyExchange == .ecdhePSK {
                let psk = settings.externalPSKKey
                guard psk.count > 0, psk.count <= 64 else { throw .bufferTooSmall(needed: psk.count, capacity: 64) }
                let otherCount = suite.keyExchange == .psk ? psk.count : Int(secretCount)
                var writer = Writer(reborrowing: &pskSpan)
                try writer.u16(UInt16(truncatingIfNeeded: otherCount))
                if suite.keyExchange == .psk {
                    try writer.zeros(otherCount)
                } else {
                    try writer.bytes(secret.span.extracting(0..<otherCount))
                }
                try writer.u16(UInt16(truncatingIfNeeded: psk.count))
                try writer.bytes(psk)
                preMasterCount = writer.count
            }
            try KeySchedule12.deriveMasterSecret(
                suite.prfHash, preMasterSecret: pskSpan.span.extracting(0..<preMasterCount),
                clientRandom: clientRandom.span, serverRandom: serverRandom.span,
                extendedMasterSecret: usesExtendedMasterSecret, sessionHash: sessionHash.span, into: &masterSpan)
            // The pre-master secret gives way to the master secret, in place.
            wipeSecret()
            for i in 0..<48 { secret[i] = masterSpan[i] }
            secretCount = 48
            holdsMasterSecret = true
            settings.keyLog?.log(.clientRandom, clientRandom: clientRandom.span, secret: secret.span)
        }

        if let signature {
            // ⑤ CertificateVerify signs every message so far (RFC 5246 §7.4.8).
            let key = settings.clientPrivateKey
            let signer = settings.signer
            let hash = try transcript.hash(signature.hash)
            var writer = flight.room()
            try CertificateVerify.write(signature, into: &writer) { (room) throws(TLSError) -> Int in
                try Credential.sign(signature, transcriptHash: hash.span, key: key, signer: signer, random: &random, into: &room)
            }
            let length = writer.count
            sent(length, in: &flight, events: &events)
        }

        var progress = HandshakeProgress()
        progress.newWriteKeys = true
        events.push(HandshakeEvent(.keysDerived, length: 0))

        try writeChangeCipherSpecAndFinished(suite: suite, into: &flight, events: &events)
        return progress
    }

    /// ⑧ ChangeCipherSpec, then our Finished under the new keys (both handshakes end so).
    private mutating func writeChangeCipherSpecAndFinished(
        suite: CipherSuite, into flight: inout Flight, events: inout EventQueue
    ) throws(TLSError) {
        flight.changeKeys(withChangeCipherSpec: true)
        events.push(HandshakeEvent(.changeCipherSpecSent, length: 1))
        let verifyData = try finishedVerifyData(label: "client finished", suite: suite)
        var writer = flight.room()
        try Finished.write(verifyData: verifyData.span, into: &writer)
        let length = writer.count
        sent(length, in: &flight, events: &events)
    }

    // MARK: ② the server's flight, ③ validation, ⑨ its Finished

    mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        let type = message[0]
        let body = message.extracting(4..<message.count)
        if type == HandshakeType.helloRequest.rawValue {
            guard body.count == 0 else { throw .malformed }
            switch state {
            case .ended: throw .invalidState
            // After the handshake: this client never renegotiates, and says so with a
            // no_renegotiation warning (RFC 5246 §7.4.1.1, RFC 5746 §4.2).
            case .connected:
                events.push(HandshakeEvent(.received(.helloRequest), length: message.count))
                events.push(HandshakeEvent(.warningSent(.noRenegotiation), length: 0))
                var progress = HandshakeProgress()
                progress.warning = .noRenegotiation
                progress.idle = true
                return progress
            // During the handshake a HelloRequest is ignored and not hashed (§7.4.1.1).
            default: return .none
            }
        }
        guard let kind = HandshakeType(rawValue: type) else { throw .unexpectedMessage }
        events.push(HandshakeEvent(.received(kind), length: message.count))

        var progress = HandshakeProgress()
        let current = state
        state = .ended  // until the step succeeds
        switch current {
        case .waitCertificate where kind == .certificate:
            keyExchange = .serverKey(try validateChain(body, settings: settings, events: &events))
            transcript.update(message)
            // RSA key transport has no ServerKeyExchange (RFC 5246 §7.4.3).
            state = negotiatedSuite?.keyExchange == .rsa ? .waitServerHelloDone(.notRequested) : .waitKeyExchange

        case .waitPSKKeyExchange where kind == .serverKeyExchange:
            let ecdhe = negotiatedSuite?.keyExchange == .ecdhePSK
            let exchange = try PSKServerKeyExchange(body: body, ecdhe: ecdhe)
            if let group = exchange.group {
                keyExchange = try agree(group: group, serverPublicKey: exchange.publicKey, random: &random)
            }
            transcript.update(message)
            state = .waitPSKServerHelloDone

        case .waitPSKKeyExchange where kind == .serverHelloDone && negotiatedSuite?.keyExchange == .psk,
             .waitPSKServerHelloDone where kind == .serverHelloDone:
            guard body.count == 0 else { throw .malformed }
            transcript.update(message)
            state = .flightDue(.notRequested)
            progress.flightDue = true

        case .waitKeyExchange where kind == .serverKeyExchange:
            guard case .serverKey(var serverKey) = takeKeyExchange() else { throw .invalidState }
            keyExchange = try agreeOnKey(body, serverKey: &serverKey, random: &random)
            transcript.update(message)
            state = .waitServerHelloDone(.notRequested)

        case .waitServerHelloDone(let authentication):
            switch (kind, authentication) {
            // One CertificateRequest at most, after the key exchange (RFC 5246 §7.4.4): a
            // second one finds `.requested` and is an unexpected_message.
            case (.certificateRequest, .notRequested):
                let request = try CertificateRequest(body: body)
                let choice = try Credential.choose(
                    for: request, chain: settings.clientCertificateChain, key: settings.clientPrivateKey,
                    signs: settings.signer != nil)
                transcript.update(message)
                state = .waitServerHelloDone(.requested(choice))
            case (.serverHelloDone, _):
                guard body.count == 0 else { throw .malformed }
                transcript.update(message)
                state = .flightDue(authentication)
                progress.flightDue = true
            default:
                throw .unexpectedMessage
            }

        case .waitChangeCipherSpec where kind == .newSessionTicket && promisesTicket && !storedTicket:
            try receiveTicket(body, settings: settings, events: &events)
            transcript.update(message)
            state = .waitChangeCipherSpec

        case .waitFinished where kind == .finished:
            guard let suite = negotiatedSuite else { throw .invalidState }
            // RFC 5246 §7.4.9, compared in constant time.
            try Finished.check(body, expected: try finishedVerifyData(label: "server finished", suite: suite).span)
            transcript.update(message)
            try storeSession(settings: settings, events: &events)
            if resumed {
                // §7.3: in the abbreviated handshake the server finishes first.
                state = .resumedFlightDue
                progress.flightDue = true
            } else {
                state = .connected
                progress.complete = true
            }

        case .ended:
            throw .invalidState

        default:
            throw .unexpectedMessage
        }
        return progress
    }

    /// ③ The chain, validated (`ServerCertificate`), with a key that suits the suite;
    /// returns that key. The key must suit the key exchange (RFC 5246 §7.4.2): an RSA key
    /// that may encipher for RSA transport, an RSA or ECDSA key that may sign for ECDHE.
    private func validateChain(
        _ body: Span<UInt8>, settings: borrowing ClientSettings, events: inout EventQueue
    ) throws(TLSError) -> PublicKey {
        let chain = try CertificateChain(CertificateMessage.certificateList(body), framing: .tls12)
        let leaf = try ServerCertificate.validate(chain, settings: settings, events: &events)
        guard let suite = negotiatedSuite else { throw .invalidState }
        switch (suite.keyExchange, leaf.publicKey.kind) {
        case (.rsa, .rsa):
            guard leaf.keyUsage.contains(.keyEncipherment) else { throw .certificate(.wrongPurpose) }
        case (.ecdheRSA, .rsa), (.ecdheECDSA, .ecdsa):
            guard leaf.keyUsage.contains(.digitalSignature) else { throw .certificate(.wrongPurpose) }
        default:
            throw .certificate(.wrongPurpose)
        }
        return leaf.publicKey
    }

    /// Verifies the ServerKeyExchange signature over both randoms and the parameters, then
    /// makes our key pair and the pre-master secret (RFC 8422 §5.4, §5.10).
    private mutating func agreeOnKey(
        _ body: Span<UInt8>, serverKey: inout PublicKey, random: inout Random
    ) throws(TLSError) -> KeyExchange {
        let exchange = try ServerKeyExchange(body: body)
        switch (exchange.algorithm, serverKey.kind) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1, .rsa), (.rsaPSS, .rsa): break
        default: throw .illegalParameter
        }
        try serverKey.verify(
            exchange.algorithm, signature: exchange.signature, over: clientRandom.span, serverRandom.span,
            exchange.parameters)
        return try agree(group: exchange.group, serverPublicKey: exchange.publicKey, random: &random)
    }

    /// Our ECDH key pair on `group` and the shared secret with the server's value, which
    /// goes into `secret` (the pre-master secret, or ECDHE_PSK's other_secret).
    private mutating func agree(
        group: NamedGroup, serverPublicKey: Span<UInt8>, random: inout Random
    ) throws(TLSError) -> KeyExchange {
        var pair = try ECDHE(group: group, random: &random)
        var publicValue = InlineArray<97, UInt8>(repeating: 0)
        var publicSpan = publicValue.mutableSpan
        let publicCount = try pair.writePublicKey(into: &publicSpan)
        var secretSpan = secret.mutableSpan
        secretCount = UInt8(truncatingIfNeeded: try pair.sharedSecret(
            peerPublicKey: serverPublicKey, random: &random, into: &secretSpan))
        return .ecdhe(publicValue, count: UInt8(truncatingIfNeeded: publicCount))
    }

    /// ⑨ The server's ChangeCipherSpec: from the next record on, the read side is protected.
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress {
        guard case .waitChangeCipherSpec = state, holdsMasterSecret else { throw .unexpectedMessage }
        events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1))
        state = .waitFinished
        var progress = HandshakeProgress()
        progress.newReadKeys = true
        return progress
    }

    /// Our keys at ⑧ (written under from ChangeCipherSpec on), the server's at ⑨: derived
    /// from the master secret when the engine installs them (RFC 5246 §6.3).
    mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        guard holdsMasterSecret, let suite = negotiatedSuite else { throw .invalidState }
        return try KeySchedule12.recordProtection(
            for: direction == .write ? .client : .server, suite: suite, masterSecret: secret.span,
            clientRandom: clientRandom.span, serverRandom: serverRandom.span)
    }

    // MARK: sessions

    /// RFC 5077 §3.3 NewSessionTicket: lifetime hint and ticket, stored (unsealed: the
    /// handshake is not over) with the master secret, which is already known here.
    private mutating func receiveTicket(
        _ body: Span<UInt8>, settings: borrowing ClientSettings, events: inout EventQueue
    ) throws(TLSError) {
        var reader = Reader(body)
        let hint = try reader.u32()
        let ticket = try reader.vector(lengthBytes: 2)
        try reader.expectEnd()
        guard holdsMasterSecret, let suite = negotiatedSuite else { throw .invalidState }
        // An empty ticket: the server changed its mind (§3.3); what is stored stays.
        guard ticket.count > 0, usesExtendedMasterSecret else { return }
        guard ticket.count <= Session.ticketCapacity else {
            events.push(HandshakeEvent(.ticketTooLong(length: ticket.count), length: 0))
            return
        }
        // A hint of 0 leaves the lifetime unspecified (§3.3): a day, as servers default to.
        let fields = Session.Fields(
            kind: .ticket12, suite: suite, extendedMasterSecret: true, lifetime: hint == 0 ? 86_400 : hint,
            ageAdd: 0, secret: secret.span, sessionID: Span(), ticket: ticket)
        try settings.storeSession(fields, sealed: false)
        storedTicket = true
    }

    /// At the server's Finished: the ticket stored is sealed, or a full handshake's session
    /// is stored under the server's session ID. Only sessions with extended_master_secret
    /// are kept (RFC 7627 §5.3); a resumption by session ID leaves the stored one as it is.
    private mutating func storeSession(settings: borrowing ClientSettings, events: inout EventQueue) throws(TLSError) {
        guard settings.resumes, let suite = negotiatedSuite else { return }
        if storedTicket {
            try settings.sealSession()
            events.push(HandshakeEvent(.sessionStored(.ticket12), length: 0))
        } else if !resumed, serverSessionIDCount > 0, usesExtendedMasterSecret {
            let fields = Session.Fields(
                kind: .sessionID, suite: suite, extendedMasterSecret: true, lifetime: 86_400, ageAdd: 0,
                secret: secret.span, sessionID: serverSessionID.span.extracting(0..<Int(serverSessionIDCount)),
                ticket: Span())
            try settings.storeSession(fields)
            events.push(HandshakeEvent(.sessionStored(.sessionID), length: 0))
        } else if !resumed {
            // A full handshake that left nothing to resume: the session offered, if any,
            // was declined and is of no more use.
            settings.clearSession()
        }
    }

    // MARK: helpers

    /// verify_data under `label` over the transcript so far (RFC 5246 §7.4.9).
    private func finishedVerifyData(label: StaticString, suite: CipherSuite) throws(TLSError) -> InlineArray<12, UInt8> {
        guard holdsMasterSecret else { throw .invalidState }
        var verifyData = InlineArray<12, UInt8>(repeating: 0)
        var verifySpan = verifyData.mutableSpan
        try KeySchedule12.verifyData(
            suite.prfHash, masterSecret: secret.span, label: label, transcriptHash: try transcript.hash(suite.prfHash).span,
            into: &verifySpan)
        return verifyData
    }

    /// Takes the `length` bytes just written into the flight's room as one of our messages:
    /// hashed into the transcript and noted.
    private mutating func sent(_ length: Int, in flight: inout Flight, events: inout EventQueue) {
        let message = flight.bytes(flight.commit(length))
        transcript.update(message)
        if let kind = HandshakeType(rawValue: message[0]) {
            events.push(HandshakeEvent(.sent(kind), length: message.count))
        }
    }

    /// The key material, leaving `.none` in its place.
    private mutating func takeKeyExchange() -> KeyExchange {
        var taken = KeyExchange.none
        swap(&taken, &keyExchange)
        return taken
    }

    private mutating func wipeSecret() {
        var span = secret.mutableSpan
        secureZero(&span)
        secretCount = 0
    }

    /// Zeroes the secret in place and ends the handshake: nothing is accepted afterwards.
    mutating func wipe() {
        wipeSecret()
        holdsMasterSecret = false
        keyExchange = .none
        state = .ended
    }
}
