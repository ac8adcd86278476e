import Testing
@testable import TLSCore

/// RFC 8448 §4, "Resumed 0-RTT Handshake", as far as this client goes (it sends no early
/// data): the PSK of §3's ticket and the binder of §4's ClientHello, through the functions
/// the client uses when it offers a ticket (`KeySchedule13.ticketPSK`, `KeySchedule13.binder`
/// over the hash of the ClientHello truncated before its binders, RFC 8446 §4.2.11.2), and
/// the early secret and binder key the RFC lists on the way (§7.1).
@Suite struct RFC8448ResumptionTests {
    static func bytes(_ span: Span<UInt8>) -> [UInt8] { (0..<span.count).map { span[$0] } }

    /// §3's NewSessionTicket: its ticket_nonce and ticket, read from the message.
    static var ticket: (nonce: [UInt8], identity: [UInt8]) {
        let message = RFC8448.bytes(RFC8448.newSessionTicket)
        // type(1) length(3) lifetime(4) age_add(4) nonce<0..255> ticket<1..2^16-1> extensions
        var at = 12
        let nonce = Array(message[(at + 1)..<(at + 1 + Int(message[at]))])
        at += 1 + nonce.count
        let length = Int(message[at]) << 8 | Int(message[at + 1])
        return (nonce, Array(message[(at + 2)..<(at + 2 + length)]))
    }

    @Test func ticketPSKFromTheResumptionMasterSecret() throws {
        let secret = RFC8448.bytes(RFC8448.resumptionMasterSecret)
        let nonce = Self.ticket.nonce
        #expect(nonce == [0, 0])
        var psk = [UInt8](repeating: 0, count: 48)
        var pskSpan = psk.mutableSpan
        try KeySchedule13.ticketPSK(.sha256, resumptionSecret: secret.span, nonce: nonce.span, into: &pskSpan)
        #expect(Array(psk[0..<32]) == RFC8448.bytes(RFC8448.resumptionPSK), "\(psk.hex)")
    }

    /// The early secret and the binder key, with the HKDF steps `KeySchedule13.binder` takes.
    @Test func earlySecretAndBinderKeyOfThePSK() throws {
        let psk = RFC8448.bytes(RFC8448.resumptionPSK)
        let zeros = [UInt8](repeating: 0, count: 32)
        var early = [UInt8](repeating: 0, count: 32)
        var earlySpan = early.mutableSpan
        _ = try HKDF.extract(.sha256, salt: zeros.span, inputKeyMaterial: psk.span, into: &earlySpan)
        #expect(early == RFC8448.bytes(RFC8448.resumedEarlySecret), "\(early.hex)")
        let emptyHash = RFC8448.bytes(RFC8448.emptyHash)
        var key = [UInt8](repeating: 0, count: 32)
        var keySpan = key.mutableSpan
        try HKDF.deriveSecret(.sha256, secret: early.span, label: "res binder", transcriptHash: emptyHash.span, into: &keySpan)
        #expect(key == RFC8448.bytes(RFC8448.binderKey), "\(key.hex)")
        var finishedKey = [UInt8](repeating: 0, count: 32)
        var finishedSpan = finishedKey.mutableSpan
        try HKDF.expandLabel(.sha256, secret: key.span, label: "finished", context: Span(), into: &finishedSpan)
        #expect(finishedKey == RFC8448.bytes(RFC8448.binderFinishedKey), "\(finishedKey.hex)")
    }

    /// The binder of §4's ClientHello, from the PSK derived from §3 and the hash of the
    /// ClientHello truncated before its binders.
    @Test func binderOfTheResumedClientHello() throws {
        let hello = RFC8448.bytes(RFC8448.resumedClientHello)
        #expect(hello.count == 512 && Int(hello[1]) << 16 | Int(hello[2]) << 8 | Int(hello[3]) == hello.count - 4)
        // The binders are the last extension's tail: 00 21 (their length), 20 (one binder's).
        let truncated = Array(hello[0..<(hello.count - 35)])
        #expect(Array(hello[truncated.count..<(truncated.count + 3)]) == [0x00, 0x21, 0x20])
        #expect(truncated == RFC8448.bytes(RFC8448.resumedClientHelloPrefix))
        // The identity offered is §3's ticket.
        let ticket = Self.ticket.identity
        #expect(truncated.count > ticket.count + 6)
        let identity = Array(truncated[(truncated.count - 4 - ticket.count)..<(truncated.count - 4)])
        #expect(identity == ticket)

        var digest = [UInt8](repeating: 0, count: 32)
        var digestSpan = digest.mutableSpan
        _ = try Digest.hash(.sha256, truncated.span, into: &digestSpan)
        #expect(digest == RFC8448.bytes(RFC8448.binderHash), "\(digest.hex)")

        let secret = RFC8448.bytes(RFC8448.resumptionMasterSecret)
        let nonce = Self.ticket.nonce
        var psk = [UInt8](repeating: 0, count: 32)
        var pskSpan = psk.mutableSpan
        try KeySchedule13.ticketPSK(.sha256, resumptionSecret: secret.span, nonce: nonce.span, into: &pskSpan)
        let binder = try KeySchedule13.binder(.sha256, psk: psk.span, external: false, transcriptHash: digest.span)
        let computed = Self.bytes(binder.span)
        #expect(computed == Array(hello[(hello.count - 32)...]), "\(computed.hex)")
        #expect(computed == RFC8448.bytes(RFC8448.binder))

        // An external PSK's binder ("ext binder") is another: the label keeps them apart.
        let external = try KeySchedule13.binder(.sha256, psk: psk.span, external: true, transcriptHash: digest.span)
        #expect(Self.bytes(external.span) != computed)
    }
}
