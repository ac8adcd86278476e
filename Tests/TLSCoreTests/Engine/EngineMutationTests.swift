import Foundation
import Testing
import TLSCore

/// A real server's first flight (s_server: ServerHello, Certificate, ServerKeyExchange,
/// ServerHelloDone), damaged thousands of ways and fed to fresh engines in random chunks:
/// every run ends in a typed error with at most the one alert it calls for queued, or waits
/// for more bytes — never a trap, never an accepted forgery.
@Suite struct EngineMutationTests {
    /// The server's plaintext records before its ChangeCipherSpec, as they crossed the wire.
    static func recordedFlight() throws -> [UInt8] {
        let log = StreamLog()
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")) { server in
            var client = ClientHarness()
            client.log = log
            _ = try client.run(port: server.port).get()
        }
        var offset = 0
        let stream = log.received
        while offset + 5 <= stream.count, stream[offset] == 22 {
            offset += 5 + (Int(stream[offset + 3]) << 8 | Int(stream[offset + 4]))
        }
        return Array(stream[0..<offset])
    }

    /// Feeds `bytes` in random chunks; returns the error the engine ended with, if any, and
    /// what it queued for the server.
    static func feed(_ bytes: [UInt8], chunks generator: inout SeededRandom) throws -> (TLSError?, [UInt8]) {
        let anchors = Fixtures.der("root-ec")
        let name = Array("localhost".utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
            time: 1_893_456_000, suites: CipherSuites(.ecdheECDSAWithAES128GCMSHA256))
        return try EngineHarness.withStartedEngine(configuration) { engine, _ in
            var offset = 0
            while offset < bytes.count {
                let size = min(bytes.count - offset, Int.random(in: 1...700, using: &generator))
                do throws(TLSError) {
                    try EngineHarness.feed(&engine, Array(bytes[offset..<(offset + size)]))
                } catch {
                    #expect(engine.state == .failed(error))
                    return (error, EngineHarness.bytes(engine.outgoing))
                }
                offset += size
            }
            return (nil, EngineHarness.bytes(engine.outgoing))
        }
    }

    @Test func damagedFlightsEndTyped() throws {
        let flight = try Self.recordedFlight()
        #expect(flight.count > 1000)
        var generator = SeededRandom(state: 0x5EED)  // the X.509 mutation tests' SplitMix64

        // Undamaged, the flight gets all the way to the ServerKeyExchange signature, which
        // covers the original client random, not this engine's: a replayed flight fails.
        let (baseline, _) = try Self.feed(flight, chunks: &generator)
        #expect(baseline == .badSignature)

        let started = Date()
        var outcomes: [String: Int] = [:]
        var runs = 0
        while runs < 3000, Date().timeIntervalSince(started) < 20 {
            var damaged = flight
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:  // flip bits in one to three bytes
                for _ in 0...Int.random(in: 0...2, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
            case 1:  // cut short
                damaged = Array(damaged[0..<Int.random(in: 0..<damaged.count, using: &generator)])
            case 2:  // a random byte value at a random place
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            default:  // a length field of a record or message pushed up or down
                let at = [3, 4, 6, 7, 8].randomElement(using: &generator)!
                damaged[at] = damaged[at] &+ UInt8.random(in: 1...3, using: &generator)
            }
            let (error, queued) = try Self.feed(damaged, chunks: &generator)
            if let error {
                if let alert = error.alert {
                    #expect(queued == [21, 3, 3, 0, 2, 2, alert.rawValue], "\(error)")
                } else {
                    #expect(queued.isEmpty)
                }
                outcomes["\(error)", default: 0] += 1
            } else {
                // A cut, or a length pushed up, leaves the engine waiting for more bytes; it
                // must not have answered: no client flight means nothing was accepted.
                #expect(queued.isEmpty)
                outcomes["waiting", default: 0] += 1
            }
            runs += 1
        }
        #expect(runs >= 200)
        // The damage reached every layer: records, messages, certificates, the signature.
        #expect(outcomes.count > 10)
    }
}
