import Testing
import TLSCore
import TLSPlatform

/// A server faces the internet: every malformed or hostile ClientHello, and every message
/// out of order, ends the connection with the alert the RFCs name — queued as the last
/// record — and nothing else. Each case is a crafted record fed to a fresh server engine.
@Suite struct ServerBadInputTests {
    /// The record(s) the server wrote and the state it ended in, after `input`.
    static func serve(_ input: [UInt8], versions: TLSVersions = .all, groups: NamedGroups = .defaults) -> (EngineState, [UInt8]) {
        let chain = ServerLoopbackTests.chain("server-ec"), key = ServerLoopbackTests.key("server-ec")
        let configuration = ServerConfiguration(
            certificateChain: chain.span, privateKey: key.span, time: PKI.time, versions: versions, groups: groups)
        var sIn = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var sOut = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var sRe = [UInt8](repeating: 0, count: configuration.reassemblyRegionSize)
        guard let random = try? Random(entropy: SystemEntropy.source, personalization: Span()),
              var engine = try? ServerEngine(
                configuration: configuration, input: sIn.mutableSpan, output: sOut.mutableSpan,
                reassembly: sRe.mutableSpan, random: random)
        else { return (.idle, []) }
        try? engine.start()
        var offset = 0
        while offset < input.count {
            var room = engine.incomingRoom()
            let take = min(room.count, input.count - offset)
            if take == 0 { break }
            for i in 0..<take { room[i] = input[offset + i] }
            offset += take
            do { try engine.didReceive(take) } catch { break }
        }
        let out = EngineHarness.bytes(engine.outgoing)
        return (engine.state, out)
    }

    /// The fatal alert at the end of what the server wrote, or nil.
    static func alert(_ out: [UInt8]) -> AlertDescription? {
        guard out.count >= 7, out[out.count - 7] == 21, out[out.count - 2] == 2 else { return nil }
        return AlertDescription(rawValue: out[out.count - 1])
    }

    // MARK: a ClientHello builder

    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func vector16(_ b: [UInt8]) -> [UInt8] { u16(b.count) + b }
    static func ext(_ type: Int, _ data: [UInt8]) -> [UInt8] { u16(type) + vector16(data) }

    static let x25519Share: [UInt8] = (0..<32).map { UInt8($0 &* 7 &+ 9) }
    static let versions13 = ext(43, [4, 3, 4, 3, 3])
    static let groups = ext(10, vector16(u16(29) + u16(23)))
    static let schemes = ext(13, vector16(u16(0x0403) + u16(0x0804)))
    static func keyShare(_ group: Int = 29, _ share: [UInt8] = x25519Share) -> [UInt8] {
        ext(51, vector16(u16(group) + vector16(share)))
    }

    static func hello(
        version: Int = 0x0303, suites: [Int] = [0x1301, 0xC02B], compression: [UInt8] = [0],
        extensions: [[UInt8]]? = nil, sessionID: [UInt8] = [], recordVersion: Int = 0x0301
    ) -> [UInt8] {
        let exts = (extensions ?? [versions13, groups, schemes, keyShare()]).flatMap { $0 }
        var body = u16(version) + [UInt8](repeating: 0x42, count: 32) + [UInt8(sessionID.count)] + sessionID
        body += vector16(suites.flatMap { u16($0) })
        body += [UInt8(compression.count)] + compression
        body += vector16(exts)
        let message = [1, 0] + u16(body.count) + body
        return [22] + u16(recordVersion) + u16(message.count) + message
    }

    static func expect(_ input: [UInt8], _ alert: AlertDescription, versions: TLSVersions = .all,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let (state, out) = serve(input, versions: versions)
        #expect(!state.isConnected, sourceLocation: sourceLocation)
        if case .failed = state {} else { Issue.record("not failed: \(state)", sourceLocation: sourceLocation) }
        #expect(Self.alert(out) == alert, "state \(state)", sourceLocation: sourceLocation)
    }

    // MARK: tests

    @Test func wellFormedHelloGetsAnAnswer() {
        let (state, out) = Self.serve(Self.hello())
        #expect(state == .handshaking)
        #expect(out.first == 22)  // ServerHello
        #expect(Self.alert(out) == nil)
    }

    @Test func malformedLengths() {
        var truncated = Self.hello()
        truncated[truncated.count - 34] = 0xFF  // the key share's length now overruns its extension
        Self.expect(truncated, .decodeError)
        Self.expect(Self.hello(suites: []), .decodeError)
        // An odd cipher_suites length.
        var odd = Self.hello()
        odd[5 + 4 + 2 + 32 + 1 + 1] = 5
        Self.expect(odd, .decodeError)
        // Bytes after the extensions.
        var trailing = Self.hello()
        trailing += [0]
        trailing[3...4] = ArraySlice(Self.u16(trailing.count - 5))
        let bodyLength = trailing.count - 9
        trailing[6...8] = [UInt8(bodyLength >> 16), UInt8(bodyLength >> 8 & 0xFF), UInt8(bodyLength & 0xFF)]
        Self.expect(trailing, .decodeError)
        // A session ID over 32 bytes.
        Self.expect(Self.hello(sessionID: [UInt8](repeating: 1, count: 33)), .illegalParameter)
    }

    @Test func sslv2HelloAndGarbage() {
        // An SSLv2-compatible CLIENT-HELLO (RFC 5246 §E.2): not a TLS record.
        Self.expect([0x80, 0x2E, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10] + [UInt8](repeating: 0, count: 37), .unexpectedMessage)
        Self.expect([UInt8](repeating: 0x41, count: 64), .unexpectedMessage)
        // A record version that is not 3,x.
        Self.expect([22, 2, 0, 0, 4, 1, 0, 0, 0], .protocolVersion)
        // An empty handshake record, and a first message that is not a ClientHello.
        Self.expect([22, 3, 1, 0, 0], .unexpectedMessage)
        Self.expect([22, 3, 1, 0, 16, 20, 0, 0, 12] + [UInt8](repeating: 0, count: 12), .unexpectedMessage)
        // Application data before the handshake.
        Self.expect([23, 3, 3, 0, 4, 1, 2, 3, 4], .unexpectedMessage)
        // A record longer than 2^14 + expansion.
        Self.expect([22, 3, 1, 0x48, 0x01] + [UInt8](repeating: 0, count: 16), .recordOverflow)
    }

    @Test func oversizedHelloMessage() {
        // A handshake header announcing 1 MB: refused at once, not buffered.
        Self.expect([22, 3, 1, 0, 8, 1, 0x10, 0, 0, 3, 3, 0, 0], .decodeError)
    }

    @Test func duplicatedAndMisplacedExtensions() {
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.groups, Self.schemes, Self.keyShare()]), .illegalParameter)
        // An unknown extension twice is a duplicate too.
        Self.expect(Self.hello(extensions: [Self.ext(0x7A7A, []), Self.versions13, Self.groups, Self.schemes, Self.keyShare(), Self.ext(0x7A7A, [])]), .illegalParameter)
        // pre_shared_key not last (RFC 8446 §4.2.11).
        let psk = Self.ext(41, Self.vector16(Self.vector16([0x41]) + [0, 0, 0, 0]) + Self.vector16([32] + [UInt8](repeating: 0, count: 32)))
        Self.expect(Self.hello(extensions: [Self.versions13, psk, Self.groups, Self.schemes, Self.keyShare()]), .illegalParameter)
        // Last but without psk_key_exchange_modes (§4.2.9).
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes, Self.keyShare(), psk]), .missingExtension)
        // Unknown extensions alone are skipped (GREASE).
        let (state, out) = Self.serve(Self.hello(extensions: [Self.ext(0x0A0A, [1, 2]), Self.versions13, Self.groups, Self.schemes, Self.keyShare(), Self.ext(0xFAFA, [])]))
        #expect(state == .handshaking && Self.alert(out) == nil)
    }

    @Test func keyShares() {
        // All-zero X25519 share: the shared secret would be zero (RFC 8446 §7.4.2).
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes, Self.keyShare(29, [UInt8](repeating: 0, count: 32))]), .illegalParameter)
        // A P-256 share that is not on the curve.
        let offCurve = [4] + [UInt8](repeating: 1, count: 64)
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes, Self.keyShare(23, offCurve)]), .illegalParameter)
        // A share for a group not in supported_groups, and a group twice.
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes, Self.keyShare(24, [UInt8](repeating: 4, count: 97))]), .illegalParameter)
        let twice = Self.ext(51, Self.vector16(Self.u16(29) + Self.vector16(Self.x25519Share) + Self.u16(29) + Self.vector16(Self.x25519Share)))
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes, twice]), .illegalParameter)
        // TLS 1.3 without key_share at all (RFC 8446 §9.2).
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.schemes]), .missingExtension)
    }

    @Test func nothingInCommon() {
        // No common suite; no common group; no common version.
        Self.expect(Self.hello(suites: [0x0005, 0x002F]), .handshakeFailure)
        Self.expect(Self.hello(extensions: [Self.versions13, Self.ext(10, Self.vector16(Self.u16(25))), Self.schemes, Self.ext(51, Self.vector16([]))]), .handshakeFailure)
        Self.expect(Self.hello(extensions: [Self.ext(43, [2, 3, 2]), Self.groups, Self.schemes]), .protocolVersion)
        Self.expect(Self.hello(version: 0x0302, extensions: [Self.groups, Self.schemes]), .protocolVersion)
        // A TLS 1.3-only server and a TLS 1.2 client.
        Self.expect(Self.hello(suites: [0xC02B], extensions: [Self.groups, Self.schemes]), .protocolVersion, versions: .tls13)
        // No signature scheme the certificate can make.
        Self.expect(Self.hello(extensions: [Self.versions13, Self.groups, Self.ext(13, Self.vector16(Self.u16(0x0807))), Self.keyShare()]), .handshakeFailure)
    }

    @Test func compressionAndRenegotiation() {
        Self.expect(Self.hello(compression: [1]), .illegalParameter)
        // TLS 1.3 with deflate offered besides null (RFC 8446 §4.1.2).
        Self.expect(Self.hello(compression: [1, 0]), .illegalParameter)
        // TLS 1.2: a renegotiation_info that is not empty in an initial handshake (RFC 5746 §3.6).
        Self.expect(Self.hello(suites: [0xC02B], extensions: [Self.groups, Self.schemes, Self.ext(0xFF01, [1, 7])]), .handshakeFailure)
    }

    @Test func helloSplitAcrossRecordsIsReassembled() {
        let record = Self.hello()
        let message = Array(record[5...])
        let first = Array(message[0..<40]), second = Array(message[40...])
        let split = [22, 3, 1] + Self.u16(first.count) + first + [22, 3, 1] + Self.u16(second.count) + second
        let (state, out) = Self.serve(split)
        #expect(state == .handshaking)
        #expect(Self.alert(out) == nil)
    }

    @Test func bytesAfterTheHelloInItsRecord() {
        // The ClientHello ends the client's flight: nothing may follow it in its record.
        var record = Self.hello()
        record += [20, 0, 0, 0]
        record[3...4] = ArraySlice(Self.u16(record.count - 5))
        Self.expect(record, .unexpectedMessage)
    }
}
