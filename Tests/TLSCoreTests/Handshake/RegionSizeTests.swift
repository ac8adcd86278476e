import Testing
@testable import TLSCore

/// The region sizes the configuration asks for are what the engine then needs: the
/// ClientHello length formula matches what is written, and an output region of exactly
/// `outputRegionSize` carries the ClientHello.
@Suite struct RegionSizeTests {
    static let cases: [(name: String, suites: CipherSuites, fragment: MaxFragmentLength?)] = [
        ("localhost", .defaults, nil),
        ("", .defaults, .bytes512),
        (String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + ".example", .all, .bytes4096),
        ("device.example", CipherSuites(.rsaWithAES128GCMSHA256), nil),
    ]

    @Test(arguments: cases.indices)
    func clientHelloLengthMatchesWhatIsWritten(index: Int) throws {
        let (serverName, suites, fragment) = Self.cases[index]
        let name = Array(serverName.utf8)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span, time: 0,
            suites: suites, maxFragmentLength: fragment)
        try EngineHarness.withStartedEngine(configuration, reassemblySize: 1024) { _, hello in
            // The length is the longest ClientHello: with TLS 1.3 offered, a second one after a
            // HelloRetryRequest (the largest key share, the largest cookie echoed).
            if configuration.settings.offers(.tls13) {
                #expect(hello.count <= 5 + ClientHello.length(configuration.settings))
            } else {
                #expect(hello.count == 5 + ClientHello.length(configuration.settings))
            }
            #expect(configuration.outputRegionSize >= hello.count)
        }
    }
}
