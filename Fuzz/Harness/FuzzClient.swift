/// The client engine as the engine targets and the flight recorder run it: one of
/// four fixed configurations ("profiles"), randomness from a DRBG seeded with fixed bytes
/// (so a run reproduces, and a flight recorded from a real server replays to the end:
/// the same client random and ECDHE key give the same keys, and the server's Finished
/// verifies), and regions sized as a device sizes them.
///
/// An engine target is `FuzzClient.withEngine(profile:)` + `FuzzClient.feed(_:stream:chunk:)`
/// (`feed` drives a server engine as well: the server target);
/// what is specific to a target is its input format and the properties it adds.
enum FuzzClient {
    /// Profiles, the low two bits of an engine target's first byte. Each has a recorded
    /// flight in Fuzz/flights/client12-PROFILE.bin (scripts/fuzz-record-flights.sh), the
    /// seed that replays to application data.
    ///   0 ecdsa:    server-ec chain, the default suites (s_server picks ECDHE-ECDSA-AES128-GCM)
    ///   1 rsa:      server-rsa chain, every suite, s_server forced to RSA key transport
    ///   2 mfl:      server-rsa chain, ECDHE-RSA-AES256-GCM-SHA384, max_fragment_length 1024
    ///   3 clientauth: server-ec chain, ECDHE-ECDSA-AES128-CCM, the server asks for a client
    ///               certificate and gets client-ec, extended master secret required
    static let profiles = ["ecdsa", "rsa", "mfl", "clientauth"]

    static let anchors: [UInt8] = FuzzFixtures.rootEC + FuzzFixtures.rootRSA
    static let serverName: [UInt8] = Array("localhost".utf8)
    static let clientChain: [UInt8] = FuzzFixtures.clientEC + FuzzFixtures.intEC
    static let clientKey: [UInt8] = FuzzFixtures.clientECKey
    static let none: [UInt8] = []
    /// 2030-01-01, inside every long-lived fixture's validity (Tests/Fixtures/pki/README.md).
    static let time: Int64 = 1_893_456_000

    /// The same bytes on every call: a DRBG seeded from it yields one fixed stream.
    static let fixedEntropy: EntropySource.Function = { _, buffer, count in
        guard let buffer else { return -1 }
        for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: i &* 29 &+ 11) }
        return 0
    }

    static func random() -> Random {
        do throws(TLSError) {
            return try Random(entropy: EntropySource(function: fixedEntropy, context: nil), personalization: Span())
        } catch {
            fuzzFail("a DRBG seeds from fixed entropy", file: #fileID, line: #line)
        }
    }

    /// Runs `body` with a started engine of `profile` (0...3), its ClientHello taken off
    /// the output and handed over.
    static func withEngine<R>(profile: Int, _ body: (inout ClientEngine, _ clientHello: [UInt8]) -> R) -> R {
        withEngine(profile: profile, anchors: anchors.span, name: serverName.span, chain: clientChain.span,
                   key: clientKey.span, none: none.span, body)
    }

    /// Spans as parameters: their lifetimes then cover the engine's.
    private static func withEngine<R>(
        profile: Int, anchors: Span<UInt8>, name: Span<UInt8>, chain: Span<UInt8>, key: Span<UInt8>,
        none: Span<UInt8>, _ body: (inout ClientEngine, _ clientHello: [UInt8]) -> R
    ) -> R {
        let clientAuth = profile == 3
        var suites = CipherSuites.defaults
        var fragment: MaxFragmentLength? = nil
        switch profile {
        case 1: suites = .all
        case 2:
            suites = CipherSuites(.ecdheRSAWithAES256GCMSHA384)
            fragment = .bytes1024
        case 3: suites = CipherSuites(.ecdheECDSAWithAES128CCM)
        default: break
        }
        // TLS 1.2 only: the recorded flights (Fuzz/flights) answer the 1.2 ClientHello these
        // profiles made before TLS 1.3 existed (the same bytes: no TLS 1.3 extension, the
        // same DRBG draws), so that their Finished still verifies.
        let configuration = ClientConfiguration(
            serverName: name, serverAddress: none, trustAnchors: anchors, crls: none, time: time, suites: suites,
            versions: .tls12, maxFragmentLength: fragment, requireExtendedMasterSecret: clientAuth,
            clientCertificateChain: clientAuth ? chain : none, clientPrivateKey: clientAuth ? key : none)
        var input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var reassembly = [UInt8](repeating: 0, count: configuration.reassemblyRegionSize)
        do throws(TLSError) {
            var engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random())
            try engine.start()
            fuzzRequire(engine.hasOutgoing && engine.outgoing[0] == 22, "start queues the ClientHello")
            var hello: [UInt8] = []
            do {
                let out = engine.outgoing
                for i in 0..<out.count { hello.append(out[i]) }
            }
            engine.didSend(hello.count)
            return body(&engine, hello)
        } catch {
            fuzzFail("an engine over configured regions starts", file: #fileID, line: #line)
        }
    }

    /// What a stream did to an engine, and what the engine answered.
    struct Outcome {
        var error: TLSError?
        /// Every record the engine queued after its ClientHello, as (content type, length).
        var sentRecords: [(type: UInt8, length: Int)] = []
        var received: [HandshakeEvent.Kind] = []
        var applicationData: [UInt8] = []
    }

    /// Feeds `stream` to `engine` in pieces of `chunk` bytes (as many as the input region
    /// takes), sends whatever it queues, reads whatever application data it holds, and
    /// checks the engine properties of issue 19 as it goes: a failure ends the engine in
    /// `.failed` with at most one alert queued, the last record; nothing is queued after
    /// that; a handshaking engine with nothing to send waits for input.
    static func feed<M: HandshakeMachine & ~Copyable>(
        _ engine: inout ScopedEngine<M>, stream: Span<UInt8>, chunk: Int
    ) -> Outcome {
        var outcome = Outcome()
        var offset = 0
        var stalls = 0
        while offset < stream.count {
            var room = engine.incomingRoom()
            let n = min(room.count, max(1, chunk), stream.count &- offset)
            for i in 0..<n { room[i] = stream[offset &+ i] }
            offset &+= n
            var failure: TLSError? = nil
            do throws(TLSError) { try engine.didReceive(n) } catch { failure = error }
            if failure == nil {
                failure = readApplicationData(&engine, into: &outcome)
            }
            let wasConnected = engine.state == .connected
            let queued = drain(&engine, into: &outcome)
            if let error = failure {
                fuzzRequire(engine.state == .failed(error), "a thrown error leaves the engine failed with it")
                // Connected, the engine may have answered HelloRequests with warnings first.
                // Under TLS 1.3 keys an alert goes out sealed: an application_data record of
                // the alert, its inner type and the tag (2 + 1 + 16 bytes, no padding here).
                func isAlert(_ record: (type: UInt8, length: Int)) -> Bool {
                    record.type == 21 || (record.type == 23 && record.length == 19)
                }
                let alerts = queued.filter(isAlert).count
                if error.alert == nil {
                    fuzzRequire(alerts == 0 || wasConnected, "a failure without an alert queues none")
                } else {
                    fuzzRequire(queued.last.map(isAlert) ?? false, "the alert is the last record queued")
                    fuzzRequire(alerts == 1 || wasConnected, "a failure queues exactly one alert")
                }
                // The engine stays failed and silent.
                var again = engine.incomingRoom()
                if again.count > 0 { again[0] = 22 }
                fuzzRequire((try? engine.didReceive(again.count > 0 ? 1 : 0)) == nil, "a failed engine refuses input")
                fuzzRequire(!engine.hasOutgoing, "a failed engine queues nothing more")
                outcome.error = error
                return outcome
            }
            if n == 0 {
                // Room 0: application data waits; it was read above, so this cannot repeat.
                stalls &+= 1
                fuzzRequire(stalls < 4, "the input region frees up once data is read")
            } else {
                stalls = 0
            }
        }
        switch engine.state {
        case .handshaking:
            fuzzRequire(engine.wantsInput, "a handshaking engine with nothing to send waits for bytes")
        case .connected, .closed:
            break
        case .idle, .failed:
            fuzzFail("an engine that threw nothing is handshaking, connected or closed", file: #fileID, line: #line)
        }
        return outcome
    }

    static func readApplicationData<M: HandshakeMachine & ~Copyable>(
        _ engine: inout ScopedEngine<M>, into outcome: inout Outcome
    ) -> TLSError? {
        var buffer = [UInt8](repeating: 0, count: 512)
        while engine.hasReceivedData {
            var span = buffer.mutableSpan
            let n: Int
            do throws(TLSError) { n = try engine.receive(into: &span) } catch { return error }
            guard n > 0 else { break }
            if outcome.applicationData.count < 65536 { outcome.applicationData += buffer[0..<n] }
        }
        return nil
    }

    /// Takes everything queued off the output; returns its records (also noted in `outcome`).
    @discardableResult
    static func drain<M: HandshakeMachine & ~Copyable>(
        _ engine: inout ScopedEngine<M>, into outcome: inout Outcome
    ) -> [(type: UInt8, length: Int)] {
        while let event = engine.nextEvent() { outcome.received.append(event.kind) }
        guard engine.hasOutgoing else { return [] }
        var records: [(type: UInt8, length: Int)] = []
        var count = 0
        do {
            let out = engine.outgoing
            count = out.count
            var at = 0
            while at &+ 5 <= out.count {
                let length = Int(out[at &+ 3]) << 8 | Int(out[at &+ 4])
                fuzzRequire(at &+ 5 &+ length <= out.count, "only whole records are queued")
                records.append((out[at], length))
                at &+= 5 &+ length
            }
            fuzzRequire(at == out.count, "only whole records are queued")
        }
        engine.didSend(count)
        outcome.sentRecords += records
        return records
    }
}
