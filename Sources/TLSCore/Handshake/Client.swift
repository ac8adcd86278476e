/// The client handshake, both versions: ① the ClientHello offering TLS 1.3 and 1.2 (or
/// the configured one), ② the ServerHello that settles the version — or a
/// HelloRetryRequest, answered with a second ClientHello (RFC 8446 §4.1.4) — then the
/// version's own machine, `Client12` or `Client13`, which takes the offer over. The
/// machines share one slot, so the engine's RAM is the larger of them, not the sum.
public struct Client: ~Copyable, HandshakeMachine {
    public typealias Settings = ClientSettings

    enum Phase: ~Copyable {
        /// ① is due.
        case start
        /// ① sent: ServerHello or HelloRetryRequest awaited.
        case offered(ClientOffer)
        /// A HelloRetryRequest arrived: the second ClientHello is due.
        case retryDue(ClientOffer)
        case tls12(Client12)
        case tls13(Client13)
        /// Wiped after a failure or close: nothing is accepted.
        case ended
    }

    private var phase = Phase.start

    public init() {}

    /// A client that has sent `hello` (a whole ClientHello, whose random and session id are
    /// read from it) with `keyShare` as its key share, the bytes hashed as if written: for
    /// known-answer replays of published traces (RFC 8448), whose ClientHello offers what
    /// this core does not.
    #if DEBUG
    init(replaying hello: Span<UInt8>, keyShare: consuming ECDHE) throws(TLSError) {
        var offer = ClientOffer()
        var reader = Reader(hello)
        guard try reader.u8() == HandshakeType.clientHello.rawValue else { throw .malformed }
        _ = try reader.u24()
        _ = try reader.u16()
        let random = try reader.bytes(32)
        for i in 0..<32 { offer.random[i] = random[i] }
        let session = try reader.vector(lengthBytes: 1)
        guard session.count <= 32 else { throw .malformed }
        for i in 0..<session.count { offer.sessionID[i] = session[i] }
        offer.sessionIDCount = session.count
        offer.keyShare = .some(keyShare)
        offer.transcript.update(hello)
        #if DEBUG
        offer.takesLeafKeyUnvalidated = true
        #endif
        phase = .offered(offer)
    }
    #endif

    public static func regionSizes(_ settings: borrowing ClientSettings) -> (input: Int, output: Int) {
        (settings.inputRegionSize, settings.outputRegionSize)
    }

    // MARK: ① ClientHello, and the flights of the version's machine

    public mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .start:
            var offer = ClientOffer()
            var randomSpan = offer.random.mutableSpan
            try random.fill(&randomSpan)
            let session = Self.usableSession(settings, events: &events)
            if settings.offers(.tls13) {
                // Middlebox compatibility mode (§D.4): a fresh 32-byte legacy_session_id.
                var sessionSpan = offer.sessionID.mutableSpan
                try random.fill(&sessionSpan)
                offer.sessionIDCount = 32
                offer.keyShare = try ECDHE(group: settings.groups[0], random: &random)
            } else if !settings.offers(.tls12) {
                throw .handshakeFailure  // no version with a suite to offer
            }
            if session == nil, settings.hasExternalPSK, settings.offers(.tls13) {
                offer.resumption = .externalPSK
            }
            if let session {
                offer.resumption = session.kind
                if session.kind == .sessionID {
                    // RFC 5246 §7.4.1.2: the session's ID asks for its resumption.
                    for i in 0..<session.sessionID.count { offer.sessionID[i] = session.sessionID[i] }
                    offer.sessionIDCount = session.sessionID.count
                } else if session.kind == .ticket12, offer.sessionIDCount == 0 {
                    // RFC 5077 §3.4: a fresh ID with the ticket; the server echoes it to accept.
                    var sessionSpan = offer.sessionID.mutableSpan
                    try random.fill(&sessionSpan)
                    offer.sessionIDCount = 32
                }
            }
            try Self.writeHello(&offer, into: &flight, settings: settings, events: &events)
            phase = .offered(offer)
            return .none
        case .retryDue(var offer):
            // §D.4: the compatibility ChangeCipherSpec precedes the second ClientHello.
            flight.changeKeys(withChangeCipherSpec: true)
            events.push(HandshakeEvent(.changeCipherSpecSent, length: 1))
            try Self.writeHello(&offer, into: &flight, settings: settings, events: &events)
            phase = .offered(offer)
            return .none
        case .tls12(var machine):
            do {
                let progress = try machine.writeFlight(into: &flight, settings: settings, random: &random, events: &events)
                phase = .tls12(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .tls13(var machine):
            do {
                let progress = try machine.writeFlight(into: &flight, settings: settings, random: &random, events: &events)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .offered(let offer):
            _ = consume offer
            throw .invalidState
        case .ended:
            throw .invalidState
        }
    }

    private static func writeHello(
        _ offer: inout ClientOffer, into flight: inout Flight, settings: borrowing ClientSettings,
        events: inout EventQueue
    ) throws(TLSError) {
        var share = InlineArray<97, UInt8>(repeating: 0)
        var shareCount = 0
        var group: NamedGroup? = nil
        if let pair = offer.keyShare.take() {
            var shareSpan = share.mutableSpan
            shareCount = try pair.writePublicKey(into: &shareSpan)
            group = pair.group
            offer.keyShare = .some(pair)
        }
        var writer = flight.room()
        let publicValue = share.span.extracting(0..<shareCount)
        if offer.resumption == .externalPSK {
            // §4.1.4: after a HelloRetryRequest, only a PSK of the chosen suite's hash.
            if let retrySuite = offer.retrySuite, retrySuite.prfHash != .sha256 { offer.resumption = nil }
            let identity = settings.externalPSKIdentity
            guard identity.count <= Session.ticketCapacity else {
                throw .bufferTooSmall(needed: identity.count, capacity: Session.ticketCapacity)
            }
            // An external PSK has no age: obfuscated_ticket_age is 0 (§4.2.11).
            let offered = offer.resumption != nil
            try Self.write(
                &offer, into: &writer, keyShare: publicValue, group: group,
                resumption: ClientHello.Resumption(
                    asksTicket12: settings.resumes, pskIdentity: offered ? identity : Span(),
                    binderLength: offered ? 32 : 0),
                psk: settings.externalPSKKey, hash: .sha256, external: true, settings: settings)
        } else if offer.resumption != nil, let stored = settings.session {
            var ticket12 = false
            var psk = false
            switch stored.kind {
            case .sessionID, .externalPSK: break
            case .ticket12: ticket12 = true
            case .ticket13:
                if let retrySuite = offer.retrySuite, retrySuite.prfHash != stored.suite.prfHash {
                    offer.resumption = nil
                } else {
                    psk = true
                }
            }
            // §4.2.11.1: the age in milliseconds plus ticket_age_add, modulo 2^32.
            let age = UInt32(truncatingIfNeeded: (settings.trust.time &- stored.issuedAt) &* 1000)
            let resumption = ClientHello.Resumption(
                asksTicket12: settings.resumes, ticket12: ticket12 ? stored.ticket : Span(),
                pskIdentity: psk ? stored.ticket : Span(), obfuscatedTicketAge: age &+ stored.ageAdd,
                binderLength: psk ? stored.suite.prfHash.digestLength : 0)
            try Self.write(
                &offer, into: &writer, keyShare: publicValue, group: group, resumption: resumption, psk: stored.secret,
                hash: stored.suite.prfHash, external: false, settings: settings)
        } else {
            offer.resumption = nil
            try Self.write(
                &offer, into: &writer, keyShare: publicValue, group: group,
                resumption: ClientHello.Resumption(asksTicket12: settings.resumes), psk: Span(), hash: .sha256,
                external: false, settings: settings)
        }
        let length = writer.count
        let message = flight.bytes(flight.commit(length))
        offer.transcript.update(message)
        events.push(HandshakeEvent(.sent(.clientHello), length: message.count))
        if let kind = offer.resumption { events.push(HandshakeEvent(.sessionOffered(kind), length: 0)) }
    }

    /// The ClientHello into `writer`, and when it offers a PSK, the binder (§4.2.11.2): over
    /// the transcript and this ClientHello up to the binders, written after their 2-byte
    /// list length and its own 1-byte length.
    private static func write(
        _ offer: inout ClientOffer, into writer: inout Writer, keyShare: Span<UInt8>, group: NamedGroup?,
        resumption: borrowing ClientHello.Resumption, psk: Span<UInt8>, hash: HashAlgorithm, external: Bool,
        settings: borrowing ClientSettings
    ) throws(TLSError) {
        let binderOffset = try ClientHello.write(
            into: &writer, random: offer.random.span, sessionID: offer.sessionIDSpan, keyShare: keyShare,
            keyShareGroup: group, cookie: offer.cookieSpan, resumption: resumption, configuration: settings)
        guard let binderOffset else { return }
        let truncated = try offer.transcript.hash(hash, appending: writer.written.extracting(0..<binderOffset))
        let binder = try KeySchedule13.binder(hash, psk: psk, external: external, transcriptHash: truncated.span)
        try writer.overwrite(at: binderOffset &+ 3, with: binder.span)
    }

    /// The stored session, when there is one this configuration may offer; otherwise nil,
    /// with the reason as an event when the region held something.
    @_lifetime(borrow settings)
    private static func usableSession(_ settings: borrowing ClientSettings, events: inout EventQueue) -> Session? {
        guard settings.resumes else { return nil }
        do throws(Session.Refusal) {
            let session = try Session(settings.storedSession)
            try session.check(for: settings)
            return session
        } catch {
            if error != .empty { events.push(HandshakeEvent(.sessionNotOffered(error), length: 0)) }
            return nil
        }
    }

    // MARK: ② ServerHello or HelloRetryRequest; then the version's machine

    public mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ClientSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .offered(var offer):
            let type = message[0]
            // A HelloRequest before the version is known is ignored, as TLS 1.2 asks
            // (RFC 5246 §7.4.1.1); TLS 1.3 has none.
            if type == HandshakeType.helloRequest.rawValue, message.count == 4, settings.offers(.tls12) {
                phase = .offered(offer)
                return .none
            }
            guard type == HandshakeType.serverHello.rawValue else { throw .unexpectedMessage }
            let hello = try ServerHello(body: message.extracting(4..<message.count), configuration: settings, offer: offer)
            var progress = HandshakeProgress()
            if hello.isRetryRequest {
                try Self.retry(&offer, hello: hello, message: message, settings: settings, random: &random)
                events.push(HandshakeEvent(.helloRetryRequest(hello.keyShareGroup), length: message.count))
                progress.flightDue = true
                phase = .retryDue(offer)
                return progress
            }
            events.push(HandshakeEvent(.received(.serverHello), length: message.count))
            if let retrySuite = offer.retrySuite {
                // §4.1.4: after a HelloRetryRequest, the same version and suite.
                guard hello.version == .tls13, hello.suite == retrySuite else { throw .illegalParameter }
            }
            if let offered = offer.resumption, !hello.resumesSession {
                events.push(HandshakeEvent(.resumptionDeclined(offered), length: 0))
            }
            switch hello.version {
            case .tls12:
                var machine = try Client12(
                    offer: offer, hello: hello, message: message, settings: settings, events: &events,
                    progress: &progress)
                if hello.resumesSession {
                    do {
                        try machine.resume(hello, settings: settings, events: &events)
                    } catch {
                        machine.wipe()
                        throw error
                    }
                }
                phase = .tls12(machine)
            case .tls13:
                phase = .tls13(try Client13(
                    offer: offer, hello: hello, message: message, settings: settings, random: &random,
                    events: &events, progress: &progress))
            }
            return progress
        case .tls12(var machine):
            do {
                let progress = try machine.receive(message, settings: settings, random: &random, events: &events)
                phase = .tls12(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .tls13(var machine):
            do {
                let progress = try machine.receive(message, settings: settings, random: &random, events: &events)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .ended:
            throw .invalidState
        case .retryDue(let offer):
            _ = consume offer
            throw .unexpectedMessage
        case .start:
            throw .unexpectedMessage
        }
    }

    /// HelloRetryRequest (§4.1.4): the first one only; it must change something — a key
    /// share for a group we offered and have not sent a share for, or a cookie — and the
    /// transcript restarts from message_hash(ClientHello1) followed by it (§4.4.1).
    private static func retry(
        _ offer: inout ClientOffer, hello: ServerHello, message: Span<UInt8>,
        settings: borrowing ClientSettings, random: inout Random
    ) throws(TLSError) {
        guard offer.retrySuite == nil else { throw .unexpectedMessage }  // a second HelloRetryRequest
        let asksForShare = hello.keyShareGroup != nil
        guard asksForShare || hello.cookieCount > 0 else { throw .badRetryRequest }
        if let group = hello.keyShareGroup {
            guard settings.groups.contains(group), group != offer.keyShareGroup else { throw .badRetryRequest }
            offer.keyShare = try ECDHE(group: group, random: &random)
        }
        offer.cookie = hello.cookieBytes
        offer.cookieCount = hello.cookieCount
        offer.retrySuite = hello.suite
        offer.transcript.replaceWithMessageHash()
        offer.transcript.update(message)
    }

    /// TLS 1.2: the server's keys take effect; TLS 1.3: the compatibility record, dropped
    /// once where §D.4 allows it (after a HelloRetryRequest or the ServerHello).
    public mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .tls12(var machine):
            do {
                let progress = try machine.receiveChangeCipherSpec(events: &events)
                phase = .tls12(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .tls13(var machine):
            do {
                let progress = try machine.receiveChangeCipherSpec(events: &events)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .offered(var offer):
            // After a HelloRetryRequest, before the second ServerHello.
            guard offer.retrySuite != nil, !offer.receivedChangeCipherSpec else { throw .unexpectedMessage }
            offer.receivedChangeCipherSpec = true
            events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1))
            phase = .offered(offer)
            return .none
        case .retryDue(let offer):
            _ = consume offer
            throw .unexpectedMessage
        case .start:
            throw .unexpectedMessage
        case .ended:
            throw .unexpectedMessage
        }
    }

    public mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        switch takePhase() {
        case .tls12(var machine):
            do {
                let progress = try machine.recordProtection(for: direction)
                phase = .tls12(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .tls13(var machine):
            do {
                let progress = try machine.recordProtection(for: direction)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case let other:
            phase = other
            throw .invalidState
        }
    }

    public mutating func requestKeyUpdate(requestingPeer: Bool) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .tls13(var machine):
            do {
                let progress = try machine.requestKeyUpdate(requestingPeer: requestingPeer)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case let other:
            phase = other
            throw .invalidState
        }
    }

    // MARK: what was negotiated

    public var negotiatedSuite: CipherSuite? {
        switch phase {
        case .tls12(let machine): machine.negotiatedSuite
        case .tls13(let machine): machine.suite
        default: nil
        }
    }

    public var negotiatedGroup: NamedGroup? {
        switch phase {
        case .tls13(let machine): machine.group
        default: nil
        }
    }

    public var negotiatedApplicationProtocol: Range<Int>? {
        switch phase {
        case .tls12(let machine): machine.applicationProtocol
        case .tls13(let machine): machine.applicationProtocol
        default: nil
        }
    }

    public var usesExtendedMasterSecret: Bool {
        switch phase {
        case .tls12(let machine): machine.usesExtendedMasterSecret
        default: false
        }
    }

    public var recordsBeforeKeyUpdate: UInt64 {
        switch phase {
        case .tls13(let machine): machine.recordsBeforeKeyUpdate
        default: UInt64.max
        }
    }

    /// Zeroes every secret the version's machine holds, in place, and ends the handshake;
    /// a session written but not sealed (the handshake did not end) is wiped too.
    public mutating func wipe(settings: borrowing ClientSettings) {
        settings.clearUnsealedSession()
        switch takePhase() {
        case .tls12(var machine):
            machine.wipe()
            phase = .tls12(machine)
        case .tls13(var machine):
            machine.wipe()
            phase = .tls13(machine)
        case let other:
            // An offer holds no secret but the key share's private key, which Mbed TLS
            // zeroes as the ECDHE owner is freed here.
            _ = consume other
            phase = .ended
        }
    }

    /// The phase, leaving `.ended` in its place until the step that took it puts one back:
    /// a step that fails leaves the machine ended.
    private mutating func takePhase() -> Phase {
        var taken = Phase.ended
        swap(&taken, &phase)
        return taken
    }
}
