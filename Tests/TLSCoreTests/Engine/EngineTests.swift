import Testing
import TLSCore
import TLSPlatform

/// The sans-I/O engine fed crafted server bytes: every malformed or forbidden answer ends
/// the engine with its typed error and queues exactly the fatal alert RFC 5246 prescribes.
@Suite struct EngineTests {
    /// Runs `body` with a started engine (root-ec trusted, localhost, 2030) whose
    /// ClientHello has been taken.
    static func withEngine(
        suites: CipherSuites = CipherSuites(.ecdheECDSAWithAES128GCMSHA256),
        maxFragment: MaxFragmentLength? = nil, reassemblySize: Int = 4096,
        _ body: (inout ClientEngine) throws -> Void
    ) throws {
        let anchors = Fixtures.der("root-ec")
        let name = Array("localhost".utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
            time: 1_893_456_000, suites: suites, maxFragmentLength: maxFragment)
        try EngineHarness.withStartedEngine(configuration, reassemblySize: reassemblySize) { engine, _ in
            try body(&engine)
        }
    }

    static func feed(_ engine: inout ClientEngine, _ bytes: [UInt8]) throws(TLSError) {
        try EngineHarness.feed(&engine, bytes)
    }

    static func bytes(_ span: Span<UInt8>) -> [UInt8] {
        EngineHarness.bytes(span)
    }

    static func record(_ type: UInt8, _ body: [UInt8], version: UInt16 = 0x0303) -> [UInt8] {
        [type, UInt8(version >> 8), UInt8(version & 0xFF), UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    static func serverHello(
        version: UInt16 = 0x0303, random: [UInt8] = [UInt8](repeating: 0x5A, count: 32), suite: UInt16 = 0xC02B,
        compression: UInt8 = 0, extensions: [UInt8]? = []
    ) -> [UInt8] {
        var body = [UInt8(version >> 8), UInt8(version & 0xFF)] + random + [0] + [UInt8(suite >> 8), UInt8(suite & 0xFF), compression]
        if let extensions { body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions }
        return record(22, handshake(2, body))
    }

    /// Feeds `bytes`, expects `error`, and expects the queued alert to be fatal `alert`.
    static func expectFailure(_ bytes: [UInt8], _ error: TLSError, alert: UInt8?,
                              suites: CipherSuites = CipherSuites(.ecdheECDSAWithAES128GCMSHA256),
                              maxFragment: MaxFragmentLength? = nil, reassemblySize: Int = 4096) throws {
        try withEngine(suites: suites, maxFragment: maxFragment, reassemblySize: reassemblySize) { engine in
            #expect(throws: error) { try feed(&engine, bytes) }
            #expect(engine.state == .failed(error))
            let queued = Self.bytes(engine.outgoing)
            if let alert {
                #expect(queued == [21, 3, 3, 0, 2, 2, alert])
            } else {
                #expect(queued.isEmpty)
            }
            // A failed engine stays failed.
            #expect(throws: error) { try feed(&engine, [22]) }
        }
    }

    @Test func suiteNotOffered() throws {
        try Self.expectFailure(Self.serverHello(suite: 0xC02F), .illegalParameter, alert: 47)
    }

    @Test func unknownSuite() throws {
        try Self.expectFailure(Self.serverHello(suite: 0x0005), .illegalParameter, alert: 47)
    }

    @Test func olderVersion() throws {
        try Self.expectFailure(Self.serverHello(version: 0x0302), .protocolVersion, alert: 70)
    }

    @Test func downgradeSentinel() throws {
        let random = [UInt8](repeating: 1, count: 24) + Array("DOWNGRD".utf8) + [0]
        try Self.expectFailure(Self.serverHello(random: random), .downgradeDetected, alert: 47)
    }

    @Test func compressionOtherThanNull() throws {
        try Self.expectFailure(Self.serverHello(compression: 1), .illegalParameter, alert: 47)
    }

    @Test func extensionNotOffered() throws {
        // application_layer_protocol_negotiation (16) was never offered.
        try Self.expectFailure(Self.serverHello(extensions: [0, 16, 0, 0]), .unsupportedExtension, alert: 110)
    }

    @Test func duplicateExtension() throws {
        try Self.expectFailure(Self.serverHello(extensions: [0, 23, 0, 0, 0, 23, 0, 0]), .illegalParameter, alert: 47)
    }

    @Test func renegotiationInfoNotEmpty() throws {
        try Self.expectFailure(Self.serverHello(extensions: [0xFF, 0x01, 0, 2, 1, 7]), .handshakeFailure, alert: 40)
    }

    @Test func maxFragmentLengthEchoDiffers() throws {
        try Self.expectFailure(Self.serverHello(extensions: [0, 1, 0, 1, 2]), .illegalParameter, alert: 47,
                               maxFragment: .bytes512)
    }

    /// max_fragment_length 512 requested, the server ignores it: its records may be 2^14
    /// bytes, which the 541-byte input region cannot hold, so the handshake stops there —
    /// saying so, with handshake_failure (RFC 6066 §4 leaves the client free to abort).
    @Test func maxFragmentLengthIgnoredByServer() throws {
        try Self.expectFailure(Self.serverHello(extensions: []), .maxFragmentLengthNotAccepted(capacity: 541),
                               alert: 40, maxFragment: .bytes512)
    }

    @Test func maxFragmentLengthNotRequested() throws {
        try Self.expectFailure(Self.serverHello(extensions: [0, 1, 0, 1, 1]), .unsupportedExtension, alert: 110)
    }

    @Test func truncatedServerHello() throws {
        // The handshake header claims 10 bytes; the body is a version and a short random.
        try Self.expectFailure(Self.record(22, Self.handshake(2, [3, 3, 1, 2, 3, 4, 5, 6, 7, 8])), .truncated, alert: 50)
    }

    @Test func trailingBytesInServerHello() throws {
        var hello = Self.serverHello(extensions: [])
        // Grow the record and handshake lengths by one and append a stray byte.
        hello[4] += 1
        hello[8] += 1
        hello.append(0)
        try Self.expectFailure(hello, .trailingBytes, alert: 50)
    }

    @Test func recordTooLong() throws {
        try Self.expectFailure([22, 3, 3, 0x48, 0x01], .recordOverflow, alert: 22)
    }

    @Test func recordLongerThanNegotiatedFragmentBeforeProtection() throws {
        // Before ServerHello the limit is still 2^14; 2^14 + 1 is over it.
        try Self.expectFailure([22, 3, 3, 0x40, 0x01], .recordOverflow, alert: 22)
    }

    @Test func unknownContentType() throws {
        try Self.expectFailure([99, 3, 3, 0, 1, 0], .unexpectedMessage, alert: 10)
    }

    @Test func wrongRecordVersion() throws {
        try Self.expectFailure([22, 2, 0, 0, 1, 0], .protocolVersion, alert: 70)
    }

    @Test func finishedBeforeServerHello() throws {
        try Self.expectFailure(Self.record(22, Self.handshake(20, [UInt8](repeating: 0, count: 12))), .unexpectedMessage, alert: 10)
    }

    @Test func changeCipherSpecTooEarly() throws {
        try Self.expectFailure(Self.record(20, [1]), .unexpectedMessage, alert: 10)
    }

    @Test func emptyHandshakeRecord() throws {
        try Self.expectFailure(Self.record(22, []), .unexpectedMessage, alert: 10)
    }

    @Test func applicationDataDuringHandshake() throws {
        try Self.expectFailure(Self.record(23, [1, 2, 3]), .unexpectedMessage, alert: 10)
    }

    @Test func messageLargerThanReassemblyRegion() throws {
        // A Certificate message claiming 5000 bytes against a 4096-byte region.
        let header = [UInt8(11), 0, 0x13, 0x88]
        try Self.expectFailure(Self.serverHello() + Self.record(22, header + [0, 0, 0]),
                               .bufferTooSmall(needed: 5004, capacity: 4096), alert: 80)
    }

    @Test func fatalAlertFromServer() throws {
        try Self.expectFailure(Self.record(21, [2, 40]), .peerAlert(.handshakeFailure), alert: nil)
    }

    /// Warning alerts are passed over (unrecognized_name is what servers send for an SNI
    /// they do not know, RFC 6066 §3), but not forever.
    @Test func warningAlertsArePassedOverBoundedly() throws {
        try Self.withEngine { engine in
            try Self.feed(&engine, Self.record(21, [1, 112]))
            #expect(engine.state == .handshaking)
            #expect(throws: TLSError.unexpectedMessage) {
                for _ in 0..<40 { try Self.feed(&engine, Self.record(21, [1, 112])) }
            }
        }
    }

    @Test func closeNotifyDuringHandshake() throws {
        try Self.expectFailure(Self.record(21, [1, 0]), .peerAlert(.closeNotify), alert: nil)
    }

    @Test func malformedAlert() throws {
        try Self.expectFailure(Self.record(21, [2]), .malformed, alert: 50)
    }

    /// A ServerHello split over three records, byte by byte at the end, is reassembled.
    @Test func serverHelloAcrossRecords() throws {
        try Self.withEngine { engine in
            let hello = Array(Self.serverHello(extensions: [0, 23, 0, 0]).dropFirst(5))
            try Self.feed(&engine, Self.record(22, Array(hello[0..<3])))
            try Self.feed(&engine, Self.record(22, Array(hello[3..<40])))
            try Self.feed(&engine, Self.record(22, Array(hello[40...])))
            #expect(engine.state == .handshaking)
            #expect(engine.negotiatedSuite == .ecdheECDSAWithAES128GCMSHA256)
            let extended = engine.usesExtendedMasterSecret
            #expect(extended)
            // Next, a Certificate the anchors do not reach: unknown CA, alert unknown_ca.
            let leaf = Fixtures.der("server-unknown-ca")
            let entry = [UInt8(0), UInt8(leaf.count >> 8), UInt8(leaf.count & 0xFF)] + leaf
            let list = [UInt8(0), UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)] + entry
            #expect(throws: TLSError.certificate(.unknownIssuer)) {
                try Self.feed(&engine, Self.record(22, Self.handshake(11, list)))
            }
            #expect(Self.bytes(engine.outgoing) == [21, 3, 3, 0, 2, 2, 48])
        }
    }

    /// Bytes that arrive one at a time are handled the same as whole records.
    @Test func byteAtATime() throws {
        try Self.withEngine { engine in
            let hello = Self.serverHello(extensions: [])
            for byte in hello { try Self.feed(&engine, [byte]) }
            #expect(engine.negotiatedSuite == .ecdheECDSAWithAES128GCMSHA256)
            let extended = engine.usesExtendedMasterSecret
            #expect(!extended)
        }
    }

    @Test func regionsTooSmallAreRefused() throws {
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: none.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span, time: 0,
            maxFragmentLength: .bytes1024)
        var input = [UInt8](repeating: 0, count: 100)
        var output = [UInt8](repeating: 0, count: 2000)
        var reassembly = [UInt8](repeating: 0, count: 2000)
        let result = Result { () throws(TLSError) in
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            _ = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random)
        }
        #expect(throws: TLSError.bufferTooSmall(needed: 5 + 1024 + 24, capacity: 100)) { try result.get() }
    }
}
