/// ② A TLS 1.3 server taking a client's pre-shared key (RFC 8446 §4.2.11): a ticket it
/// issued, opened under its ticket keys and still within its lifetime, or the configured
/// external PSK named by its identity; then the binder, which proves the client holds the
/// PSK, over the transcript through the ClientHello truncated before the binders
/// (§4.2.11.2), compared in constant time. Only the first identity is tried: a bound on
/// the work a ClientHello can cause (one ticket opening, one binder). A PSK that is not
/// taken leaves a full handshake; a binder that does not verify is `pskBinderMismatch` (decrypt_error).
struct PSKAcceptance: ~Copyable {
    /// nil: no PSK is taken (a full handshake).
    let kind: Session.Kind?
    let hash: HashAlgorithm
    private var secret = InlineArray<48, UInt8>(repeating: 0)
    private var count = 0

    var psk: Span<UInt8> { @_lifetime(borrow self) get { secret.span.extracting(0..<count) } }

    static var none: PSKAcceptance { PSKAcceptance(kind: nil, hash: .sha256, secret: Span()) }

    private init(kind: Session.Kind?, hash: HashAlgorithm, secret: Span<UInt8>) {
        self.kind = kind
        self.hash = hash
        count = min(secret.count, 48)
        for i in 0..<count { self.secret[i] = secret[i] }
    }

    /// Zeroes the PSK; the caller does so as soon as the handshake secret is made.
    mutating func wipe() {
        var span = secret.mutableSpan
        secureZero(&span)
        count = 0
    }

    /// The PSK `hello` (the whole `message`, after `transcript`) may resume with under
    /// `choice`, whose suite and key exchange it adjusts; `none` for a full handshake.
    static func accept(
        _ hello: borrowing ReceivedClientHello, message: Span<UInt8>, transcript: borrowing Transcript,
        choice: inout ServerChoice, settings: borrowing ServerSettings
    ) throws(TLSError) -> PSKAcceptance {
        guard choice.version == .tls13, hello.hasPreSharedKey else { return .none }
        // §4.2.9: a PSK without psk_key_exchange_modes is refused outright.
        guard hello.pskModes != 0 else { throw .missingExtension }
        var identities = Reader(hello.pskIdentities)
        var binders = Reader(hello.pskBinders)
        let identity = try identities.vector(lengthBytes: 2, minimum: 1)
        _ = try identities.u32()  // obfuscated_ticket_age: no 0-RTT here, so the lifetime suffices
        let binder = try binders.vector(lengthBytes: 1, minimum: 32)
        // §4.2.11: as many binders as identities, each well formed.
        var remaining = 0
        while !identities.isAtEnd {
            _ = try identities.vector(lengthBytes: 2, minimum: 1)
            _ = try identities.u32()
            remaining &+= 1
            guard remaining < 16 else { throw .malformed }
        }
        while !binders.isAtEnd {
            _ = try binders.vector(lengthBytes: 1, minimum: 32)
            remaining &-= 1
        }
        guard remaining == 0 else { throw .illegalParameter }

        var psk = PSKAcceptance.none
        let external = settings.externalPSKIdentity
        if external.count > 0, identity.count == external.count, constantTimeEquals(identity, external) {
            psk = PSKAcceptance(kind: .externalPSK, hash: .sha256, secret: settings.externalPSKKey)
        } else if settings.issuesTickets,
                  var ticket = SessionTicket.open(identity, current: settings.currentTicketKey, previous: settings.previousTicketKey) {
            if ticket.version == .tls13, ticket.isValid(at: settings.trust.time) {
                psk = PSKAcceptance(kind: .ticket13, hash: ticket.suite.prfHash, secret: ticket.secretSpan)
            }
            ticket.wipe()
        }
        guard let kind = psk.kind else { return .none }
        // §4.2.11: a suite with the PSK's hash; our first such the client offers.
        if choice.suite.prfHash != psk.hash {
            var found: CipherSuite? = nil
            for i in CipherSuite.preferenceOrder.indices {
                let suite = CipherSuite.preferenceOrder[i]
                if suite.version == .tls13, suite.prfHash == psk.hash, settings.suites.contains(suite), hello.offersSuite(suite) {
                    found = suite
                    break
                }
            }
            guard let found else {
                psk.wipe()
                return .none
            }
            choice.suite = found
        }
        // §4.2.9: psk_dhe_ke when the client allows it and sent a share we take; else psk_ke.
        if hello.pskModes & 2 != 0, choice.group != nil, !choice.needsRetry {
            // With (EC)DHE: the group and share stay as chosen.
        } else if hello.pskModes & 1 != 0 {
            choice.group = nil
            choice.needsRetry = false
        } else if !choice.needsRetry {
            psk.wipe()
            return .none
        }
        let truncated = message.extracting(0..<(4 &+ hello.binderOffset))
        do throws(TLSError) {
            let expected = try KeySchedule13.binder(
                psk.hash, psk: psk.psk, external: kind == .externalPSK,
                transcriptHash: try transcript.hash(psk.hash, appending: truncated).span)
            guard binder.count == psk.hash.digestLength, constantTimeEquals(binder, expected.span) else {
                throw .pskBinderMismatch
            }
        } catch {
            psk.wipe()
            throw error
        }
        choice.resumption = kind
        return psk
    }
}
