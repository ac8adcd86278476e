/// The TLS 1.2 client engine (today's public ClientEngine API) fed a server's byte stream.
/// Input: a profile byte (low two bits: FuzzClient.profiles), a chunk byte (the stream is
/// fed in pieces of 1 + 7 × n bytes; 0 feeds as much as the region takes), then the bytes
/// the server sends. Seeds are flights recorded from openssl s_server and gnutls-serv against this very
/// configuration and randomness (Fuzz/flights), which replay all the way to application
/// data, so mutations start from a handshake that completes.
///
/// Properties, besides those FuzzClient.feed checks on every engine (one alert at most,
/// failed or waiting at the end): an engine that ends connected (or closed after it) has
/// received the server's Finished, and that Finished was checked: the same stream with one
/// byte of the server's plaintext handshake changed, or with the Finished record's last
/// (tag) byte changed, never ends connected.
@_cdecl("fuzz_client12")
public func fuzz_client12(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzClient12.run($0) }
}

enum FuzzClient12 {
    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let profile = Int(input.byte() & 3)
        let c = Int(input.byte())
        let chunk = c == 0 ? Int.max : 1 &+ 7 &* c
        let stream = input.rest()
        let (connected, outcome) = feed(profile: profile, stream: stream, chunk: chunk)
        guard connected else { return }
        fuzzRequire(outcome.received.contains(.received(.finished)), "connected only after the server's Finished")
        // The Finished was checked: damage the transcript, or the Finished record itself.
        var damaged = [UInt8](repeating: 0, count: stream.count)
        for i in 0..<stream.count { damaged[i] = stream[i] }
        let (handshakeBytes, finishedEnd) = layout(stream)
        if handshakeBytes.count > 0 {
            let at = handshakeBytes[stream.count % handshakeBytes.count]
            damaged[at] ^= 0x01
            fuzzRequire(!feed(profile: profile, stream: damaged.span, chunk: chunk).connected,
                        "connected only on the transcript the Finished covers")
            damaged[at] ^= 0x01
        }
        if let end = finishedEnd {
            damaged[end &- 1] ^= 0x01
            fuzzRequire(!feed(profile: profile, stream: damaged.span, chunk: chunk).connected,
                        "connected only with a Finished that verifies")
        }
    }

    static func feed(profile: Int, stream: Span<UInt8>, chunk: Int) -> (connected: Bool, outcome: FuzzClient.Outcome) {
        FuzzClient.withEngine(profile: profile) { engine, _ in
            let outcome = FuzzClient.feed(&engine, stream: stream, chunk: chunk)
            return (engine.state == .connected || engine.state == .closed, outcome)
        }
    }

    /// Where the server's plaintext handshake bytes lie in `stream` (record payloads before
    /// the first ChangeCipherSpec), and the end of the first handshake record after it (the
    /// encrypted Finished).
    static func layout(_ stream: Span<UInt8>) -> (handshakeBytes: [Int], finishedEnd: Int?) {
        var positions: [Int] = []
        var at = 0
        var sawChangeCipherSpec = false
        while at &+ 5 <= stream.count {
            let type = stream[at]
            let length = Int(stream[at &+ 3]) << 8 | Int(stream[at &+ 4])
            let end = at &+ 5 &+ length
            guard end <= stream.count else { break }
            if sawChangeCipherSpec, type == 22 { return (positions, end) }
            if type == 20 { sawChangeCipherSpec = true }
            if type == 22, !sawChangeCipherSpec { positions += Array((at &+ 5)..<end) }
            at = end
        }
        return (positions, nil)
    }
}
