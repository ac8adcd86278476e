/// The TLS 1.2 client engine (today's public ClientEngine API) fed a server's byte stream.
/// Input: a profile byte (low two bits: FuzzClient.profiles), a chunk byte (the stream is
/// fed in pieces of 1 + 7 × n bytes; 0 feeds as much as the region takes), then the bytes
/// the server sends. Seeds are flights recorded from openssl s_server against this very
/// configuration and randomness (Fuzz/flights), which replay all the way to application
/// data, so mutations start from a handshake that completes.
///
/// Properties, besides those FuzzClient.feed checks on every engine (one alert at most,
/// failed or waiting at the end): the engine is connected only if the server's handshake
/// messages before its ChangeCipherSpec are exactly the recorded flight's — any other
/// transcript has no valid Finished — and never reports a Finished it did not get.
@_cdecl("fuzz_client12")
public func fuzz_client12(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzClient12.run($0) }
}

enum FuzzClient12 {
    static let flights: [[UInt8]] = [
        FuzzFixtures.flightECDSA, FuzzFixtures.flightRSA, FuzzFixtures.flightMFL, FuzzFixtures.flightClientAuth,
    ]
    /// Each recorded flight's handshake bytes before the server's ChangeCipherSpec.
    static let transcripts: [[UInt8]] = flights.map { plaintextHandshake($0.span) }

    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let profile = Int(input.byte() & 3)
        let c = Int(input.byte())
        let chunk = c == 0 ? Int.max : 1 &+ 7 &* c
        let stream = input.rest()
        let outcome = FuzzClient.withEngine(profile: profile) { engine, _ in
            let outcome = FuzzClient.feed(&engine, stream: stream, chunk: chunk)
            if engine.state == .connected || engine.state == .closed {
                fuzzRequire(plaintextHandshake(stream) == transcripts[profile],
                            "connected only on the recorded server flight (a valid Finished)")
            }
            return outcome
        }
        if outcome.received.contains(.received(.finished)) {
            fuzzRequire(plaintextHandshake(stream) == transcripts[profile], "a Finished verifies only on the recorded transcript")
        }
    }

    /// The payloads of the handshake records before the first ChangeCipherSpec record,
    /// concatenated: what the transcript hashes of the server's side.
    static func plaintextHandshake(_ stream: Span<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        while at &+ 5 <= stream.count {
            let type = stream[at]
            let length = Int(stream[at &+ 3]) << 8 | Int(stream[at &+ 4])
            if type == 20 { break }
            let end = min(stream.count, at &+ 5 &+ length)
            if type == 22 { for i in (at &+ 5)..<end { out.append(stream[i]) } }
            at = end
        }
        return out
    }
}
