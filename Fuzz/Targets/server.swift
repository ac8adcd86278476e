/// The server engine from the first byte a client sends: ClientHello parsing
/// (`ReceivedClientHello`), negotiation (`ServerChoice`), HelloRetryRequest, PSK and ticket
/// acceptance, the server's flight (signatures included), and whatever the input sends
/// after — in the clear, so mutations reach every check that runs before the client's keys
/// are in use. A server faces the internet: this is its first line.
///
/// Input: a config byte — bits 0-1 the versions served (both, 1.2, 1.3, both), bit 2 client
/// authentication required, bit 3 an RSA certificate beside the EC one, bit 4 ticket keys,
/// bit 5 an external PSK ("device-1", 32 bytes of 0x11), bit 6 a TLS 1.2 session cache
/// holding one session under the ID of 32 bytes of 0x42 (AES-128-GCM, ECDSA) — a chunk byte (the transport's
/// piece size, ×13), then the client's byte stream.
///
/// Properties (`FuzzClient.feed`): no trap; a failure leaves the engine failed with at
/// most one alert, the last record, and nothing queued after; a handshaking engine with
/// nothing to send waits for input; and a server never reaches `connected` on this input
/// (it would need the client's Finished under keys the input cannot know).
@_cdecl("fuzz_server")
public func fuzz_server(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzServer.run($0) }
}

enum FuzzServer {
    static let chainEC: [UInt8] = FuzzFixtures.serverEC + FuzzFixtures.intEC
    static let chainRSA: [UInt8] = FuzzFixtures.serverRSA + FuzzFixtures.intRSA
    static let anchors: [UInt8] = FuzzFixtures.rootEC + FuzzFixtures.rootRSA
    static let crls: [UInt8] = FuzzFixtures.intECCRL + FuzzFixtures.rootECCRL
    static let ticketKey: [UInt8] = (0..<36).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) }
    static let pskIdentity: [UInt8] = Array("device-1".utf8)
    static let pskKey: [UInt8] = [UInt8](repeating: 0x11, count: 32)
    static let cachedID = [UInt8](repeating: 0x42, count: 32)
    static let cachedMasterSecret = [UInt8](repeating: 0x33, count: 48)

    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let config = input.byte()
        let chunk = max(1, Int(input.byte()) &* 13)
        let stream = input.rest()
        let versions: TLSVersions = [TLSVersions.all, .tls12, .tls13, .all][Int(config & 3)]
        let ticketKey = config & 0x10 != 0 ? Self.ticketKey : []
        let identity = config & 0x20 != 0 ? pskIdentity : [], key = config & 0x20 != 0 ? pskKey : []
        let second = config & 8 != 0 ? chainRSA : [], secondKey = config & 8 != 0 ? FuzzFixtures.serverRSAKey : []
        var configuration = ServerConfiguration(
            certificateChain: chainEC.span, privateKey: FuzzFixtures.serverECKey.span,
            clientAuthentication: config & 4 != 0 ? .required : .none, clientTrustAnchors: anchors.span, crls: crls.span,
            time: FuzzClient.time, suites: .all, versions: versions)
            .issuingTickets(key: ticketKey.span)
            .withExternalPSK(identity: identity.span, key: key.span)
        if second.count > 0 { configuration = configuration.withSecondCertificate(chain: second.span, key: secondKey.span) }
        var cache = [UInt8](repeating: 0, count: config & 0x40 != 0 ? 2 * SessionCache.entryLength : 0)
        if cache.count > 0 {
            cache.withUnsafeMutableBufferPointer { region in
                SessionCache(region: region, lifetime: 7200).store(
                    id: Self.cachedID.span, suite: .ecdheECDSAWithAES128GCMSHA256, issuedAt: FuzzClient.time,
                    masterSecret: Self.cachedMasterSecret.span)
            }
        }
        configuration = configuration.cachingSessions(in: cache.mutableSpan)
        var regionIn = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var regionOut = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var reassembly = [UInt8](repeating: 0, count: configuration.reassemblyRegionSize)
        do throws(TLSError) {
            var engine = try ServerEngine(
                configuration: configuration, input: regionIn.mutableSpan, output: regionOut.mutableSpan,
                reassembly: reassembly.mutableSpan, random: FuzzClient.random())
            try engine.start()
            fuzzRequire(!engine.hasOutgoing, "a server speaks second")
            let outcome = FuzzClient.feed(&engine, stream: stream, chunk: chunk)
            fuzzRequire(outcome.error != nil || !engine.state.isConnected, "no connection without the client's Finished")
        } catch {
            fuzzFail("a server engine over regions of its own sizes starts", file: #fileID, line: #line)
        }
    }
}
