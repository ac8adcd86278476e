/// The session region's reader (Sources/TLSCore/Session/Session.swift): `Session(_:)` on the
/// input as a region, and, for a session that loads, `check(for:)` under fixed settings
/// (anchors root-ec, server name "localhost", every version and the default suites, at
/// `FuzzSession.time`: those of the seeds, sessions hostsim stored from `openssl s_server`).
/// Besides "no trap", the properties:
/// - a session that loads lies inside the input, at most `capacity` bytes, with the fields
///   its kind needs (secret length, session ID or ticket, suite of the kind's version);
/// - it loads the same again; cut by a byte it is `.truncated`; any one byte of it changed,
///   it does not load (magic, format, length or check);
/// - stored again from its fields under the fixed settings it loads with the same fields
///   and this server's name, and is refused by `check` only as `.notOffered` (its suite or,
///   TLS 1.2, no extended master secret) or `.expired` (a lifetime of 0);
/// - `check` refuses only for the reasons it has, and passes only what these settings offer.
@_cdecl("fuzz_session")
public func fuzz_session(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzSession.run($0) }
}

enum FuzzSession {
    /// The seeds' sessions were stored at 1893456000 (2030-01-01); a minute later.
    static let time: Int64 = 1_893_456_060
    static let anchors: [UInt8] = FuzzFixtures.rootEC
    static let serverName: [UInt8] = Array("localhost".utf8)
    static let none: [UInt8] = []
    /// The arrays above are never freed: the settings' buffers stay valid.
    static let settings: ClientSettings = ClientConfiguration(
        serverName: serverName.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span, time: time
    ).settings

    /// The input as it is, then the input with its check written over (`Session.seal`), so
    /// that the fields behind the check are fuzzed too: a mutation almost never keeps an
    /// 8-byte SHA-256 check right.
    static func run(_ input: Span<UInt8>) {
        examine(input)
        var sealed = [UInt8](repeating: 0, count: min(input.count, Session.capacity))
        for i in 0..<sealed.count { sealed[i] = input[i] }
        var sealedSpan = sealed.mutableSpan
        guard (try? Session.seal(&sealedSpan)) != nil else { return }
        examine(sealed.span)
    }

    static func examine(_ input: Span<UInt8>) {
        let settings = Self.settings
        let session: Session
        do throws(Session.Refusal) {
            session = try Session(input)
        } catch {
            switch error {
            case .empty, .truncated, .malformed, .unknownFormat, .corrupt: return
            default: fuzzFail("loading refuses only for what the bytes are", file: #fileID, line: #line)
            }
        }
        let length = session.length
        fuzzRequire(length <= input.count && length <= Session.capacity, "a session lies inside the input")
        fuzzRequire(length >= Session.headerLength &+ Session.checkLength, "a session has its header and check")
        let whole = input.extracting(0..<length)
        fuzzRequire(fuzzLiesWithin(session.anchorsDigest, whole) && fuzzLiesWithin(session.secret, whole)
                    && fuzzLiesWithin(session.sessionID, whole) && fuzzLiesWithin(session.serverName, whole)
                    && fuzzLiesWithin(session.ticket, whole), "every field lies inside the session")
        fuzzRequire(session.anchorsDigest.count == 32, "anchors is a SHA-256")
        fuzzRequire(session.suite.version == session.kind.version, "the suite is of the kind's version")
        let secretLength = session.kind == .ticket13 ? session.suite.prfHash.digestLength : 48
        fuzzRequire(session.secret.count == secretLength, "the secret is the kind's length")
        fuzzRequire(session.sessionID.count <= 32 && session.ticket.count <= Session.ticketCapacity, "IDs and tickets fit")
        if session.kind == .sessionID {
            fuzzRequire(session.sessionID.count > 0 && session.ticket.count == 0, "a session-ID session has an ID only")
        } else {
            fuzzRequire(session.ticket.count > 0, "a ticket session has a ticket")
        }
        do throws(Session.Refusal) {
            let again = try Session(input)
            fuzzRequire(again.length == length && again.kind == session.kind, "a session loads the same again")
        } catch {
            fuzzFail("a session loads again", file: #fileID, line: #line)
        }

        // Cut by one byte, and each of a few single bytes changed: refused.
        var copy = [UInt8](repeating: 0, count: length)
        for i in 0..<length { copy[i] = input[i] }
        do throws(Session.Refusal) {
            _ = try Session(copy.span.extracting(0..<(length &- 1)))
            fuzzFail("a cut session does not load", file: #fileID, line: #line)
        } catch {
            fuzzRequire(error == .truncated, "a cut session is truncated")
        }
        var sum = 0
        for i in 0..<length { sum = sum &+ Int(input[i]) }
        for position in [0, 2, 3, 4, sum % length, length &- 1] {
            copy[position] ^= UInt8(truncatingIfNeeded: sum) | 1
            do throws(Session.Refusal) {
                _ = try Session(copy.span)
                fuzzFail("a session with a byte changed does not load", file: #fileID, line: #line)
            } catch {
                fuzzRequire(error != .empty || position < 2, "a changed session is not empty")
            }
            copy[position] = input[position]
        }

        checkProperties(session, settings)
        restore(session, settings)
    }

    /// `check(for:)`: a refusal has its cause; a pass means these settings offer the session.
    static func checkProperties(_ session: borrowing Session, _ settings: ClientSettings) {
        do throws(Session.Refusal) {
            try session.check(for: settings)
        } catch {
            switch error {
            case .notYetValid: fuzzRequire(session.issuedAt > time, "notYetValid: stored after now")
            case .expired: fuzzRequire(session.issuedAt <= time, "expired: not before it was stored")
            case .otherServer: fuzzRequire(!constantTimeEquals(session.serverName, serverName.span), "otherServer: another name")
            case .otherTrust, .notOffered: break
            default: fuzzFail("check refuses only for what the session is for", file: #fileID, line: #line)
            }
            return
        }
        fuzzRequire(session.issuedAt <= time && time &- session.issuedAt < Int64(session.lifetime), "a passed session is live")
        fuzzRequire(constantTimeEquals(session.serverName, serverName.span), "a passed session is this server's")
        fuzzRequire(settings.suites.contains(session.suite) && settings.offers(session.kind.version), "a passed session is offered")
        fuzzRequire(session.kind.version == .tls13 || session.extendedMasterSecret, "a passed TLS 1.2 session has EMS")
    }

    /// Stored again from its fields: it loads with the same fields, for this server, now.
    static func restore(_ session: borrowing Session, _ settings: ClientSettings) {
        var region = [UInt8](repeating: 0xA5, count: Session.capacity)
        var regionSpan = region.mutableSpan
        let fields = Session.Fields(
            kind: session.kind, suite: session.suite, extendedMasterSecret: session.extendedMasterSecret,
            lifetime: session.lifetime, ageAdd: session.ageAdd, secret: session.secret, sessionID: session.sessionID,
            ticket: session.ticket)
        do throws(TLSError) {
            try Session.store(fields, settings: settings, sealed: true, into: &regionSpan)
        } catch {
            fuzzFail("a loaded session stores again", file: #fileID, line: #line)
        }
        let length = compareStored(region.span, session, settings)
        for i in length..<region.count { fuzzRequire(region[i] == 0, "the rest of the region is wiped") }
    }

    /// The session stored from `session`'s fields in `region`; its length.
    static func compareStored(_ region: Span<UInt8>, _ session: borrowing Session, _ settings: ClientSettings) -> Int {
        let stored: Session
        do throws(Session.Refusal) {
            stored = try Session(region)
        } catch {
            fuzzFail("a stored session loads", file: #fileID, line: #line)
        }
        fuzzRequire(stored.kind == session.kind && stored.suite == session.suite, "kind and suite survive a store")
        fuzzRequire(stored.extendedMasterSecret == session.extendedMasterSecret, "the EMS flag survives a store")
        fuzzRequire(stored.lifetime == session.lifetime && stored.ageAdd == session.ageAdd, "lifetime and age_add survive")
        fuzzRequire(constantTimeEquals(stored.secret, session.secret), "the secret survives a store")
        fuzzRequire(constantTimeEquals(stored.sessionID, session.sessionID), "the session ID survives a store")
        fuzzRequire(constantTimeEquals(stored.ticket, session.ticket), "the ticket survives a store")
        fuzzRequire(constantTimeEquals(stored.serverName, serverName.span) && stored.issuedAt == time, "stored for now, here")
        do throws(Session.Refusal) {
            try stored.check(for: settings)
        } catch {
            fuzzRequire(error == .notOffered || (error == .expired && stored.lifetime == 0),
                        "a session stored now, here, is refused only for its suite, EMS or a zero lifetime")
        }
        return stored.length
    }
}
