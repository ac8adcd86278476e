import Foundation
import Testing
import TLSCore

/// A server that answers a resumption attempt inconsistently (issue 15, "Bad input"): a real
/// `openssl s_server` whose plaintext ServerHello a `RecordRelay` rewrites, on a connection
/// that offers the session a first, clean run stored (or, for an answer to an offer never
/// made, offers none). Each rewrite must end in the core's error and alert at the
/// ServerHello, and the session region afterwards holds what it held before: no session is
/// stored from a failed handshake, and the one stored before is left intact, since
/// `Client.wipe(settings:)` clears the region only when it does not hold a whole, sealed
/// session (`ClientSettings.clearUnsealedSession`), and `clearSession` runs only at the end
/// of a full TLS 1.2 handshake that succeeded.
@Suite struct ResumptionBadServerTests {
    /// A ServerHello (handshake body after the 4-byte header) taken apart, to be rewritten.
    struct Hello {
        var head: [UInt8]  // legacy_version and random
        var sessionID: [UInt8]
        var suite: UInt16
        var compression: UInt8
        var extensions: [(type: UInt16, data: [UInt8])]

        init?(_ body: [UInt8]) {
            func u16(_ i: Int) -> Int { Int(body[i]) << 8 | Int(body[i + 1]) }
            guard body.count >= 35 else { return nil }
            head = Array(body[0..<34])
            let idEnd = 35 + Int(body[34])
            guard idEnd + 5 <= body.count else { return nil }
            sessionID = Array(body[35..<idEnd])
            suite = UInt16(u16(idEnd))
            compression = body[idEnd + 2]
            let end = idEnd + 5 + u16(idEnd + 3)
            guard end == body.count else { return nil }
            extensions = []
            var at = idEnd + 5
            while at + 4 <= end {
                let next = at + 4 + u16(at + 2)
                guard next <= end else { return nil }
                extensions.append((UInt16(u16(at)), Array(body[(at + 4)..<next])))
                at = next
            }
            guard at == end else { return nil }
        }

        var body: [UInt8] {
            var block: [UInt8] = []
            for (type, data) in extensions {
                block += [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
            }
            return head + [UInt8(sessionID.count)] + sessionID + [UInt8(suite >> 8), UInt8(suite & 0xFF), compression]
                + [UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
        }

        func has(_ type: UInt16) -> Bool { extensions.contains { $0.type == type } }
        mutating func remove(_ type: UInt16) { extensions.removeAll { $0.type == type } }
    }

    /// An edit of the ServerHello: false when the hello is not what the edit expects (it is
    /// then forwarded unchanged, and the test sees no rewrite). It runs on the relay's thread.
    typealias Edit = @Sendable (inout Hello) -> Bool

    /// Rewrites the ServerHello at the start of the server's handshake records with `edit`
    /// (any messages after it in the same record stay); every other record passes.
    static func rewritingServerHello(_ edit: @escaping Edit) -> RecordRelay.Transform {
        { record in
            guard record.count >= 9, record[0] == 22, record[5] == 2 else { return .forward(record) }
            let length = Int(record[6]) << 16 | Int(record[7]) << 8 | Int(record[8])
            guard 9 + length <= record.count, var hello = Hello(Array(record[9..<(9 + length)])) else {
                return .forward(record)
            }
            guard edit(&hello) else { return .forward(record) }
            let body = hello.body
            let handshake = [2, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)]
                + body + record[(9 + length)...]
            return .forward([22, record[1], record[2], UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake)
        }
    }

    /// The legacy_session_id of the client's ClientHello, as the relay saw it go by.
    final class SeenSessionID: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        var value: [UInt8] {
            lock.lock()
            defer { lock.unlock() }
            return bytes
        }

        var transform: RecordRelay.Transform {
            { [self] record in
                if record.count > 43, record[0] == 22, record[5] == 1 {
                    let count = Int(record[43])
                    if 44 + count <= record.count {
                        lock.lock()
                        bytes = Array(record[44..<(44 + count)])
                        lock.unlock()
                    }
                }
                return .forward(record)
            }
        }
    }

    struct Attempt {
        var result: Result<TLS13Harness.Outcome, TLSError>
        var events: [HandshakeEvent]
        var sent: [UInt8]
        var rewrites: Int
    }

    /// Starts `server`, stores a session with a clean run unless `store` is false, then runs
    /// once more through a relay that rewrites the ServerHello with `edit`. Returns that
    /// run, the region as the first run left it and as the second one did.
    static func attempt(
        server arguments: [String], store: Bool = true, seen: SeenSessionID? = nil,
        edit: @escaping Edit
    ) throws -> (attempt: Attempt, before: [UInt8], after: [UInt8]) {
        try TestServer.withOpenSSL(arguments) { server in
            let region = SessionStore()
            var client = TLS13Harness()
            client.session = region
            if store {
                let first = try client.run(port: server.port).get()
                #expect(first.events.contains { if case .sessionStored = $0.kind { true } else { false } }, "\(first.kinds)")
                #expect(!region.bytes.allSatisfy { $0 == 0 })
            }
            let before = region.bytes
            return try RecordRelay.with(
                upstream: server.port, clientToServer: seen?.transform, serverToClient: rewritingServerHello(edit)
            ) { relay in
                let log = StreamLog()
                let events = EventLog()
                client.log = log
                client.eventLog = events
                let result = client.run(port: relay.port)
                return (Attempt(result: result, events: events.events, sent: log.sent, rewrites: relay.rewrites), before, region.bytes)
            }
        }
    }

    /// The run failed with `error`, after sending its alert in the clear, at the ServerHello;
    /// nothing was stored and the region is as it was.
    static func expectRefused(
        _ run: (attempt: Attempt, before: [UInt8], after: [UInt8]), _ error: TLSError, offered: Session.Kind?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let attempt = run.attempt
        #expect(throws: error, sourceLocation: sourceLocation) { try attempt.result.get() }
        #expect(attempt.rewrites == 1, "the relay rewrote no ServerHello", sourceLocation: sourceLocation)
        let alert = error.alert?.rawValue ?? 0
        #expect(Array(attempt.sent.suffix(7)) == [21, 3, 3, 0, 2, 2, alert], "\(attempt.sent.suffix(7))", sourceLocation: sourceLocation)
        let kinds = attempt.events.map(\.kind)
        // Refused at the ServerHello: the ClientHello is all the client sent before its alert.
        #expect(!kinds.contains { if case .sent(let type) = $0 { type != .clientHello } else { false } }, "\(kinds)",
                sourceLocation: sourceLocation)
        if let offered {
            #expect(kinds.contains(.sessionOffered(offered)), "\(kinds)", sourceLocation: sourceLocation)
        } else {
            #expect(!kinds.contains { if case .sessionOffered = $0 { true } else { false } }, sourceLocation: sourceLocation)
        }
        #expect(!kinds.contains { if case .resumed = $0 { true } else { false } }, "\(kinds)", sourceLocation: sourceLocation)
        #expect(!kinds.contains { if case .sessionStored = $0 { true } else { false } }, "\(kinds)", sourceLocation: sourceLocation)
        #expect(run.after == run.before, "the session region changed", sourceLocation: sourceLocation)
    }

    static let tls13 = TLS13InteropTests.openSSL(extra: ["-ciphersuites", "TLS_AES_128_GCM_SHA256"])
    static let tls12 = TLS13InteropTests.openSSL(
        version: "-tls1_2", extra: ["-no_ticket", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
    /// The same with RFC 5077 tickets: the resumed ServerHello echoes the session ID the
    /// client sent with its ticket (§3.4).
    static let tls12Tickets = TLS13InteropTests.openSSL(version: "-tls1_2", extra: ["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
    static let tls12Resumptions: [([String], Session.Kind)] = [(tls12, .sessionID), (tls12Tickets, .ticket12)]

    // MARK: the control

    /// The relay with an edit that changes nothing: the session is resumed (so the failures
    /// below come from the edits, not from the relay).
    @Test func anUneditedServerHelloResumes() throws {
        for arguments in [Self.tls13, Self.tls12, Self.tls12Tickets] {
            let run = try Self.attempt(server: arguments) { _ in false }
            let outcome = try run.attempt.result.get()
            #expect(outcome.handshakeEvents.contains { if case .resumed = $0.kind { true } else { false } }, "\(outcome.kinds)")
            #expect(outcome.text.contains("200"))
            #expect(run.attempt.rewrites == 0)
        }
    }

    // MARK: TLS 1.3

    /// §4.2.11: selected_identity must be one the client offered; only 0 was.
    @Test func tls13SelectedIdentityNotOffered() throws {
        let run = try Self.attempt(server: Self.tls13) { hello in
            guard let i = hello.extensions.firstIndex(where: { $0.type == 41 }), hello.extensions[i].data == [0, 0] else { return false }
            hello.extensions[i].data = [0, 1]
            return true
        }
        Self.expectRefused(run, .illegalParameter, offered: .ticket13)
    }

    /// §4.2.11: the selected suite's hash must be the PSK's (a SHA-256 ticket, SHA-384 suite).
    @Test func tls13SuiteOfAnotherHashWithThePSK() throws {
        let run = try Self.attempt(server: Self.tls13) { hello in
            guard hello.suite == 0x1301, hello.has(41) else { return false }
            hello.suite = 0x1302
            return true
        }
        Self.expectRefused(run, .illegalParameter, offered: .ticket13)
    }

    /// §4.2.9, §4.2.8: psk_dhe_ke was the only mode offered, so a key_share must come back.
    @Test func tls13KeyShareRemovedUnderPSKDHE() throws {
        let run = try Self.attempt(server: Self.tls13) { hello in
            guard hello.has(41), hello.has(51) else { return false }
            hello.remove(51)
            return true
        }
        Self.expectRefused(run, .missingExtension, offered: .ticket13)
    }

    /// §4.2: a ServerHello's pre_shared_key answers one in the ClientHello; with none sent,
    /// it is an extension never offered (§4.1.4: unsupported_extension).
    @Test func tls13PreSharedKeyNeverOffered() throws {
        let run = try Self.attempt(server: Self.tls13, store: false) { hello in
            guard !hello.has(41) else { return false }
            hello.extensions.append((41, [0, 0]))
            return true
        }
        Self.expectRefused(run, .unsupportedExtension, offered: nil)
        #expect(run.after.allSatisfy { $0 == 0 })
    }

    // MARK: TLS 1.2

    /// RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
    @Test func tls12ResumedWithAnotherSuite() throws {
        for (arguments, kind) in Self.tls12Resumptions {
            let run = try Self.attempt(server: arguments) { hello in
                guard hello.suite == 0xC02B, !hello.sessionID.isEmpty else { return false }
                hello.suite = 0xC02C
                return true
            }
            Self.expectRefused(run, .illegalParameter, offered: kind)
        }
    }

    /// RFC 7627 §5.3: a session made with extended_master_secret resumed without it: the
    /// client aborts with handshake_failure.
    @Test func tls12ResumedWithoutExtendedMasterSecret() throws {
        for (arguments, kind) in Self.tls12Resumptions {
            let run = try Self.attempt(server: arguments) { hello in
                guard hello.has(23) else { return false }
                hello.remove(23)
                return true
            }
            Self.expectRefused(run, .handshakeFailure, offered: kind)
        }
    }

    /// RFC 5246 §7.4.1.3: the server echoes a session ID to resume the session sent with it;
    /// the client sent none (its 32 bytes are TLS 1.3's compatibility id, RFC 8446 §D.4), so
    /// the echo announces a resumption never asked for.
    @Test func tls12EchoOfASessionIDNeverOffered() throws {
        let seen = SeenSessionID()
        let run = try Self.attempt(server: Self.tls12, store: false, seen: seen) { hello in
            let sent = seen.value
            guard sent.count == 32, hello.sessionID != sent else { return false }
            hello.sessionID = sent
            return true
        }
        Self.expectRefused(run, .illegalParameter, offered: nil)
        #expect(run.after.allSatisfy { $0 == 0 })
    }
}
