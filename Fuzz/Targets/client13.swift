/// The TLS 1.3 client's encrypted handshake, on the RFC 8448 §3 trace: the engine has
/// "sent" the trace's ClientHello (its X25519 key injected, the debug-only replay seam) and
/// received the trace's ServerHello; the input is the server's plaintext handshake from
/// EncryptedExtensions on, which the harness seals as the server would — records of at
/// most 2^14 bytes under the trace's server handshake key — and feeds in. So mutations reach
/// EncryptedExtensions, Certificate (1.3 entries), CertificateVerify and Finished parsing
/// behind a valid AEAD. Seed: the trace's own flight (Fuzz/corpus/client13).
///
/// Properties: no trap; an engine that fails queues exactly one alert and nothing after
/// it; an engine that ends connected was given the trace's flight — its Finished verified
/// over exactly those bytes.
@_cdecl("fuzz_client13")
public func fuzz_client13(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzClient13.run($0) }
}

enum FuzzClient13 {
    static let clientHello = RFC8448.bytes(RFC8448.clientHello)
    static let clientKey = RFC8448.bytes(RFC8448.clientPrivateKey)
    static let serverHelloRecord = RFC8448.bytes(RFC8448.serverHelloRecord)
    static let serverHandshakeSecret = RFC8448.bytes(RFC8448.serverHandshakeTrafficSecret)
    static let flight = RFC8448.bytes(RFC8448.serverHandshakePayload)

    static func run(_ bytes: Span<UInt8>) {
        var payload = [UInt8](repeating: 0, count: bytes.count)
        for i in 0..<bytes.count { payload[i] = bytes[i] }
        let name = Array("server".utf8), none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span,
            time: 1_500_000_000, suites: CipherSuites(.aes128GCMSHA256), versions: .tls13,
            groups: NamedGroups(.x25519), recordSizeLimit: 16384, minimumRSAKeyBits: 1024)
        var input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var reassembly = [UInt8](repeating: 0, count: 4096)
        let connected = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                reassembly.withUnsafeMutableBufferPointer { reassembly in
                    feed(payload, settings: configuration.settings, input: input, output: output, reassembly: reassembly)
                }
            }
        }
        if connected {
            fuzzRequire(payload.starts(with: flight), "connected only on the flight the Finished covers")
        }
    }

    static func feed(
        _ payload: [UInt8], settings: ClientSettings, input: UnsafeMutableBufferPointer<UInt8>,
        output: UnsafeMutableBufferPointer<UInt8>, reassembly: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        do throws(TLSError) {
            let random = FuzzClient.random()
            let client = try Client(replaying: clientHello.span, keyShare: try ECDHE(group: .x25519, privateKey: clientKey.span))
            var engine = try Engine<Client>(
                unsafeSettings: settings, input: input, output: output, reassembly: reassembly, random: random,
                replaying: client)
            try deliver(serverHelloRecord, to: &engine)
            var server = try KeySchedule13.recordProtection(suite: .aes128GCMSHA256, trafficSecret: serverHandshakeSecret.span)
            var offset = 0
            while offset < payload.count {
                let take = min(16384, payload.count &- offset)
                var record = [22, 3, 3, 0, 0] + payload[offset..<(offset &+ take)] + [UInt8](repeating: 0, count: 17)
                var span = record.mutableSpan
                let sealed = try server.seal(record: &span, plaintextCount: take)
                offset &+= take
                let failure = Result { () throws(TLSError) in try deliver(Array(record[0..<(5 &+ sealed)]), to: &engine) }
                if case .failure = failure {
                    // A failed engine queued its alert and takes nothing more.
                    guard case .failed = engine.state else { return false }
                    fuzzRequire(!pending(engine).isEmpty, "a failure queues its alert")
                    let after = Result { () throws(TLSError) in try deliver(serverHelloRecord, to: &engine) }
                    fuzzRequire(after.isFailure, "a failed engine refuses input")
                    return false
                }
            }
            return engine.state.isConnected
        } catch {
            return false
        }
    }

    static func deliver(_ bytes: [UInt8], to engine: inout Engine<Client>) throws(TLSError) {
        var room = engine.incomingRoom()
        guard room.count >= bytes.count else { throw .bufferTooSmall(needed: bytes.count, capacity: room.count) }
        for i in bytes.indices { room[i] = bytes[i] }
        try engine.didReceive(bytes.count)
        engine.didSend(pending(engine).count)
    }

    static func pending(_ engine: borrowing Engine<Client>) -> [UInt8] {
        let outgoing = engine.outgoing
        var bytes = [UInt8](repeating: 0, count: outgoing.count)
        for i in 0..<outgoing.count { bytes[i] = outgoing[i] }
        return bytes
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
