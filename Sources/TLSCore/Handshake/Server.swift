/// The server handshake, both versions: ① the ClientHello read (`ReceivedClientHello`) and
/// answered as `ServerChoice` decides — the version, suite, certificate, group — then the
/// version's own machine, `Server12` or `Server13`. When a TLS 1.3 client sent no share
/// for a group we take, a HelloRetryRequest asks for one (RFC 8446 §4.1.4) and the second
/// ClientHello must follow it. The machines share one slot, as the client's do.
public struct Server: ~Copyable, HandshakeMachine {
    public typealias Settings = ServerSettings

    /// A HelloRetryRequest's context: the transcript (the first ClientHello, to become
    /// message_hash) and what was decided, which the second ClientHello must fit.
    struct Retry: ~Copyable {
        var transcript: Transcript
        var choice: ServerChoice
        var sentChangeCipherSpec = false
        var receivedChangeCipherSpec = false
    }

    enum Phase: ~Copyable {
        /// ① awaited.
        case waitHello
        /// The HelloRetryRequest is due.
        case retryDue(Retry)
        /// ① again, with the share asked for.
        case waitSecondHello(Retry)
        case tls12(Server12)
        case tls13(Server13)
        case ended
    }

    private var phase = Phase.waitHello

    public init() {}

    /// A request may come with the client's close_notify (RFC 8446 §6.1): it is answered.
    public static var keepsWritingAfterPeerClose: Bool { true }

    public static func regionSizes(_ settings: borrowing ServerSettings) -> (input: Int, output: Int) {
        (settings.inputRegionSize, settings.outputRegionSize)
    }

    // MARK: ① the ClientHello

    public mutating func receive(
        _ message: Span<UInt8>, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .waitHello:
            guard message[0] == HandshakeType.clientHello.rawValue else { throw .unexpectedMessage }
            events.push(HandshakeEvent(.received(.clientHello), length: message.count, server: true))
            let hello = try ReceivedClientHello(body: message.extracting(4..<message.count))
            var choice = try ServerChoice.negotiate(hello, settings: settings)
            var progress = HandshakeProgress()
            progress.flightDue = true
            var transcript = Transcript()
            var psk = try PSKAcceptance.accept(hello, message: message, transcript: transcript, choice: &choice, settings: settings)
            if choice.version == .tls13, choice.needsRetry {
                // A PSK is taken, if at all, from the second ClientHello, with its own binder.
                psk.wipe()
                choice.resumption = nil
                transcript.update(message)
                phase = .retryDue(Retry(transcript: transcript, choice: choice))
                return progress
            }
            choice.setRecordLimits(&progress, settings: settings)
            if choice.version == .tls13 {
                defer { psk.wipe() }
                let machine = try Server13(
                    choice: choice, hello: hello, message: message, transcript: transcript,
                    psk: psk.psk, settings: settings, random: &random, events: &events,
                    sentChangeCipherSpec: false, receivedChangeCipherSpec: false)
                phase = .tls13(machine)
            } else {
                // A ticket that resumes: its suite and master secret (none: secretCount 0).
                var session = SessionTicket(
                    version: .tls12, suite: choice.suite, extendedMasterSecret: false, issuedAt: 0, lifetime: 0, ageAdd: 0)
                defer { session.wipe() }
                if let ticket = Server12.resumable(hello, settings: settings) {
                    session = ticket
                    choice.resumption = .ticket12
                } else if let cached = Server12.cached(hello, settings: settings) {
                    session = cached
                    choice.resumption = .sessionID
                }
                if choice.resumption != nil {
                    choice.suite = session.suite
                    choice.group = nil
                }
                phase = .tls12(try Server12(
                    choice: choice, message: message, resumed: session.secretSpan, settings: settings, random: &random))
            }
            return progress
        case .waitSecondHello(let retry):
            guard message[0] == HandshakeType.clientHello.rawValue else { throw .unexpectedMessage }
            events.push(HandshakeEvent(.received(.clientHello), length: message.count, server: true))
            let hello = try ReceivedClientHello(body: message.extracting(4..<message.count))
            var choice = try ServerChoice.negotiate(hello, settings: settings)
            // §4.1.2, §4.1.4: the same version and suite, and a share for the group asked for.
            guard choice.version == .tls13, choice.suite == retry.choice.suite, let group = retry.choice.group,
                  hello.keyShare(for: group) != nil else { throw .illegalParameter }
            choice.group = group
            choice.needsRetry = false
            var progress = HandshakeProgress()
            progress.flightDue = true
            choice.setRecordLimits(&progress, settings: settings)
            var psk = try PSKAcceptance.accept(
                hello, message: message, transcript: retry.transcript, choice: &choice, settings: settings)
            defer { psk.wipe() }
            phase = .tls13(try Server13(
                choice: choice, hello: hello, message: message, transcript: retry.transcript,
                psk: psk.psk, settings: settings, random: &random, events: &events,
                sentChangeCipherSpec: retry.sentChangeCipherSpec, receivedChangeCipherSpec: retry.receivedChangeCipherSpec))
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
                let progress = try machine.receive(message, settings: settings, events: &events)
                phase = .tls13(machine)
                return progress
            } catch {
                machine.wipe()
                throw error
            }
        case .retryDue(let retry):
            _ = consume retry
            throw .unexpectedMessage
        case .ended:
            throw .invalidState
        }
    }

    // MARK: ② our flights

    public mutating func writeFlight(
        into flight: inout Flight, settings: borrowing ServerSettings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress {
        switch takePhase() {
        case .waitHello:
            // A server speaks second: nothing is due at the start.
            phase = .waitHello
            return .none
        case .retryDue(var retry):
            // §4.1.4: the HelloRetryRequest, hashed after message_hash(ClientHello1) (§4.4.1).
            retry.transcript.replaceWithMessageHash()
            var writer = flight.room()
            try ServerHello.write(
                into: &writer, random: ServerHello.retryRequestRandom.span, choice: retry.choice, keyShare: Span(),
                settings: settings)
            let length = writer.count
            let range = flight.commit(length)
            retry.transcript.update(flight.bytes(range))
            if let group = retry.choice.group {
                events.push(HandshakeEvent(.helloRetryRequested(group), length: length, server: true))
            }
            if retry.choice.sessionIDCount > 0 {
                // §D.4: the compatibility ChangeCipherSpec right after our first message.
                flight.changeKeys(withChangeCipherSpec: true)
                retry.sentChangeCipherSpec = true
                events.push(HandshakeEvent(.changeCipherSpecSent, length: 1, server: true))
            }
            phase = .waitSecondHello(retry)
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
        case .waitSecondHello(let retry):
            _ = consume retry
            throw .invalidState
        case .ended:
            throw .invalidState
        }
    }

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
        case .waitSecondHello(var retry):
            // §D.4: a client in compatibility mode sends its one ChangeCipherSpec before
            // the second ClientHello.
            guard !retry.receivedChangeCipherSpec else { throw .unexpectedMessage }
            retry.receivedChangeCipherSpec = true
            events.push(HandshakeEvent(.changeCipherSpecReceived, length: 1, server: true))
            phase = .waitSecondHello(retry)
            return .none
        case let other:
            _ = consume other
            throw .unexpectedMessage
        }
    }

    public mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection {
        switch takePhase() {
        case .tls12(var machine):
            do {
                let protection = try machine.recordProtection(for: direction)
                phase = .tls12(machine)
                return protection
            } catch {
                machine.wipe()
                throw error
            }
        case .tls13(var machine):
            do {
                let protection = try machine.recordProtection(for: direction)
                phase = .tls13(machine)
                return protection
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
        case .tls12(let machine): machine.choice.suite
        case .tls13(let machine): machine.choice.suite
        default: nil
        }
    }

    public var negotiatedGroup: NamedGroup? {
        switch phase {
        case .tls13(let machine): machine.choice.group
        default: nil
        }
    }

    /// Where the chosen protocol lies in the server's own ALPN list.
    public var negotiatedApplicationProtocol: Range<Int>? {
        switch phase {
        case .tls12(let machine): machine.choice.applicationProtocol
        case .tls13(let machine): machine.choice.applicationProtocol
        default: nil
        }
    }

    public var usesExtendedMasterSecret: Bool {
        switch phase {
        case .tls12(let machine): machine.choice.extendedMasterSecret
        default: false
        }
    }

    public var recordsBeforeKeyUpdate: UInt64 {
        switch phase {
        case .tls13(let machine): machine.recordsBeforeKeyUpdate
        default: UInt64.max
        }
    }

    public var verifiedPeerCertificateLength: Int {
        switch phase {
        case .tls12(let machine): machine.verifiedCertificateLength
        case .tls13(let machine): machine.verifiedCertificateLength
        default: 0
        }
    }

    public mutating func forgetSession(settings: borrowing ServerSettings) {
        switch phase {
        case .tls12(let machine): machine.forgetSession(settings: settings)
        default: break
        }
    }

    public mutating func wipe(settings: borrowing ServerSettings) {
        switch takePhase() {
        case .tls12(var machine):
            machine.wipe()
            phase = .tls12(machine)
        case .tls13(var machine):
            machine.wipe()
            phase = .tls13(machine)
        case let other:
            _ = consume other
            phase = .ended
        }
    }

    private mutating func takePhase() -> Phase {
        var taken = Phase.ended
        swap(&taken, &phase)
        return taken
    }
}
