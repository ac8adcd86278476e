import Foundation
import Testing
@testable import TLSCore

/// `boards/include/tlscore.h` states region sizes as macros, for firmware that declares its
/// regions statically; the Swift core computes them in `ClientConfiguration`. These tests
/// hold the macros to the formulas, so the two cannot drift apart.
@Suite struct CHeaderSizesTests {
    static let header: String = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("boards/include/tlscore.h")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The value of `#define NAME 1024u` (hex or decimal), or nil.
    static func macro(_ name: String) -> Int? {
        for line in header.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "#define", words[1] == name else { continue }
            var value = words[2]
            if value.hasSuffix("u") { value = value.dropLast() }
            return value.hasPrefix("0x") ? Int(value.dropFirst(2), radix: 16) : Int(value)
        }
        return nil
    }

    /// The constant `c` of `#define TLSCORE_RECORD_REGION_SIZE(plaintext) ((size_t)(plaintext) + cu)`.
    static var recordOverhead: Int? {
        for line in header.split(separator: "\n") where line.hasPrefix("#define TLSCORE_RECORD_REGION_SIZE(plaintext)") {
            guard let plus = line.lastIndex(of: "+") else { return nil }
            return Int(line[line.index(after: plus)...].filter(\.isNumber))
        }
        return nil
    }

    static func configuration(
        serverName: [UInt8], suites: CipherSuites, fragment: MaxFragmentLength?, chain: [UInt8] = [],
        _ body: (borrowing ClientConfiguration) -> Void
    ) {
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: serverName.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span,
            time: 0, suites: suites, maxFragmentLength: fragment, clientCertificateChain: chain.span,
            clientPrivateKey: none.span)
        body(configuration)
    }

    @Test func headerIsRead() {
        #expect(!Self.header.isEmpty, "boards/include/tlscore.h not found beside the tests")
    }

    @Test(arguments: [nil, MaxFragmentLength.bytes512, .bytes1024, .bytes2048, .bytes4096])
    func recordRegionMatchesInputRegionSize(fragment: MaxFragmentLength?) throws {
        let overhead = try #require(Self.recordOverhead)
        Self.configuration(serverName: [], suites: .defaults, fragment: fragment) { configuration in
            #expect(configuration.maxPlaintext + overhead == configuration.inputRegionSize)
        }
    }

    @Test func reassemblyMacrosMatchTheFormula() throws {
        let plain = try #require(Self.macro("TLSCORE_REASSEMBLY_REGION_SIZE"))
        let fragmented = try #require(Self.macro("TLSCORE_REASSEMBLY_REGION_SIZE_MAX_FRAGMENT"))
        Self.configuration(serverName: Array("localhost".utf8), suites: .defaults, fragment: nil) {
            #expect($0.reassemblyRegionSize == plain)
        }
        Self.configuration(serverName: Array("localhost".utf8), suites: .defaults, fragment: .bytes512) {
            #expect($0.reassemblyRegionSize == fragmented)
        }
        // "With a client certificate ... the chain's length plus 1085 bytes."
        let chain = [UInt8](repeating: 0x30, count: 2000)
        Self.configuration(serverName: [], suites: .defaults, fragment: nil, chain: chain) {
            #expect($0.reassemblyRegionSize == chain.count + 1085)
        }
    }

    /// The header promises an output region for every suite and any server name (up to the
    /// 255 bytes of a DNS name) without a client certificate.
    @Test func outputMacroCoversEveryFlightWithoutClientCertificate() throws {
        let output = try #require(Self.macro("TLSCORE_OUTPUT_REGION_SIZE"))
        let longest = [UInt8](repeating: UInt8(ascii: "a"), count: 255)
        for fragment in [nil, MaxFragmentLength.bytes512, .bytes4096] {
            Self.configuration(serverName: longest, suites: .all, fragment: fragment) {
                #expect($0.outputRegionSize <= output)
            }
        }
    }

    /// With a session region and a PSK identity of 128 bytes, every suite, the longest name.
    @Test func sessionMacrosMatchTheCore() throws {
        #expect(Self.macro("TLSCORE_SESSION_SIZE") == Session.capacity)
        #expect(Self.macro("TLSCORE_TICKET_KEY_SIZE") == SessionTicket.keyLength)
        #expect(Self.macro("TLSCORE_SESSION_CACHE_ENTRY_SIZE") == SessionCache.entryLength)
        let output = try #require(Self.macro("TLSCORE_OUTPUT_REGION_SIZE_SESSION"))
        let longest = [UInt8](repeating: UInt8(ascii: "a"), count: 255)
        let identity = [UInt8](repeating: 1, count: 128)
        let key = [UInt8](repeating: 2, count: 32)
        var region = [UInt8](repeating: 0, count: Session.capacity)
        let none: [UInt8] = []
        let configuration = ClientConfiguration(
            serverName: longest.span, serverAddress: none.span, trustAnchors: none.span, crls: none.span, time: 0,
            suites: .all
        ).withExternalPSK(identity: identity.span, key: key.span).resuming(region.mutableSpan)
        #expect(configuration.outputRegionSize <= output)
        #expect(configuration.outputRegionSize > Self.macro("TLSCORE_OUTPUT_REGION_SIZE")!)
    }

    @Test func suiteMacrosMatchTheCore() {
        #expect(Self.macro("TLSCORE_SUITES_PSK") == Int(CipherSuites.psk.rawValue))
        #expect(Self.macro("TLSCORE_SUITES_DEFAULT") == Int(CipherSuites.defaults.rawValue))
        #expect(Self.macro("TLSCORE_SUITES_ALL") == Int(CipherSuites.all.rawValue))
    }

    @Test func versionAndGroupMacrosMatchTheCore() {
        #expect(Self.macro("TLSCORE_TLS12") == Int(TLSVersions.tls12.rawValue))
        #expect(Self.macro("TLSCORE_TLS13") == Int(TLSVersions.tls13.rawValue))
        #expect(Self.macro("TLSCORE_VERSIONS_ALL") == Int(TLSVersions.all.rawValue))
        #expect(Self.macro("TLSCORE_GROUP_X25519") == Int(NamedGroup.x25519.rawValue))
        #expect(Self.macro("TLSCORE_GROUP_SECP256R1") == Int(NamedGroup.secp256r1.rawValue))
        #expect(Self.macro("TLSCORE_GROUP_SECP384R1") == Int(NamedGroup.secp384r1.rawValue))
    }

    /// The protocol error codes `#define TLSCORE_ERR_NAME (-n)` below the certificate range:
    /// one per TLSError case (the certificate and peer-alert cases have ranges of their own),
    /// numbered -1, -2, ... without gaps or repeats, new ones at the end.
    @Test func protocolErrorCodesAreContiguous() throws {
        var codes: [Int] = []
        for line in Self.header.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "#define", words[1].hasPrefix("TLSCORE_ERR_"),
                  words[2].hasPrefix("(-"), words[2].hasSuffix(")"),
                  let value = Int(words[2].dropFirst(2).dropLast()), value < 100 else { continue }
            codes.append(-value)
        }
        #expect(codes == Array(stride(from: -1, through: -codes.count, by: -1)))
        // TLSError's cases less .certificate and .peerAlert, plus the C API's own four
        // (invalid argument, aborted, context too small, stream truncated) and the ten
        // reasons a session is not loaded or offered (Session.Refusal).
        #expect(codes.count == 45)
    }

    /// The unsigned literals (`1536u`) of the `#define NAME...` line, in order.
    static func literals(_ name: String) -> [Int] {
        for line in header.split(separator: "\n") where line.hasPrefix("#define \(name) ") || line.hasPrefix("#define \(name)(") {
            var values: [Int] = [], digits = ""
            for character in line.dropFirst("#define \(name)".count) {
                if character.isNumber { digits.append(character); continue }
                if character == "u", let value = Int(digits) { values.append(value) }
                digits = ""
            }
            return values
        }
        return []
    }

    /// The two figures of `#define NAME ((size_t)(sizeof(void *) == 8 ? Au : Bu))`.
    static func contextSizes(_ name: String) -> (bits64: Int, bits32: Int)? {
        let figures = literals(name)
        return figures.count == 2 ? (figures[0], figures[1]) : nil
    }

    /// The handle API's context is the engine plus the C API's fields before it (a check
    /// word, the error and its detail, four flags, the log hook and its context: 32 bytes
    /// on a 64-bit target). boards/tests/handle-test.c checks the exact figure on each board
    /// against tlscore_client_context_size(); this holds the 64-bit one to the host's engine.
    @Test func contextSizeMacroHoldsTheEngine() throws {
        let sizes = try #require(Self.contextSizes("TLSCORE_CLIENT_CONTEXT_SIZE"))
        #expect(MemoryLayout<Int>.size == 8)
        #expect(sizes.bits64 >= MemoryLayout<Engine<Client>>.size + 32)
        #expect(sizes.bits64 <= MemoryLayout<Engine<Client>>.size + 64)
        #expect(sizes.bits32 < sizes.bits64)
    }

    // MARK: the server role

    static func serverConfiguration(
        chain: Int, secondChain: Int = 0, clientCAs: Int, authentication: ServerSettings.ClientAuthentication,
        _ body: (borrowing ServerConfiguration) -> Void
    ) {
        let first = [UInt8](repeating: 0x30, count: chain), second = [UInt8](repeating: 0x30, count: secondChain)
        let key = [UInt8](repeating: 0x30, count: 121), cas = [UInt8](repeating: 0x30, count: clientCAs)
        let configuration = ServerConfiguration(
            certificateChain: first.span, privateKey: key.span, clientAuthentication: authentication,
            clientTrustAnchors: cas.span, time: 0)
        if secondChain > 0 {
            body(configuration.withSecondCertificate(chain: second.span, key: key.span))
        } else {
            body(configuration)
        }
    }

    /// (chain, second chain, client CAs, authentication) and the header's `certs` for them:
    /// the longer chain, plus the client CAs when a certificate is asked for.
    static let serverCases: [(Int, Int, Int, ServerSettings.ClientAuthentication, Int)] = [
        (0, 0, 0, .none, 0), (900, 0, 0, .none, 900), (1400, 0, 600, .none, 1400), (1400, 0, 600, .optional, 2000),
        (1400, 2600, 600, .required, 3200), (3000, 1000, 5000, .required, 8000), (16000, 0, 0, .none, 16000),
    ]

    @Test func serverInputMacroIsTheCoresFigure() throws {
        let input = try #require(Self.macro("TLSCORE_SERVER_INPUT_REGION_SIZE"))
        Self.serverConfiguration(chain: 1000, clientCAs: 0, authentication: .none) {
            #expect($0.inputRegionSize == input)
        }
        #expect(input == 16384 + (Self.recordOverhead ?? 0), "TLSCORE_RECORD_REGION_SIZE(16384)")
    }

    /// `TLSCORE_SERVER_OUTPUT_REGION_SIZE(certs)` = certs + certs / D + C: never below the core's
    /// figure, and not far above it.
    @Test func serverOutputMacroCoversTheCore() throws {
        let figures = Self.literals("TLSCORE_SERVER_OUTPUT_REGION_SIZE")
        try #require(figures.count == 2)
        for (chain, second, cas, authentication, certs) in Self.serverCases {
            let macro = certs + certs / figures[0] + figures[1]
            Self.serverConfiguration(chain: chain, secondChain: second, clientCAs: cas, authentication: authentication) {
                #expect($0.outputRegionSize <= macro, "certs \(certs)")
                #expect(macro - $0.outputRegionSize < 160 + certs / 32, "certs \(certs)")
            }
        }
    }

    /// `TLSCORE_SERVER_REASSEMBLY_REGION_SIZE(certs)` = certs + A > B ? certs + A : B, exactly the core's.
    @Test func serverReassemblyMacroIsTheCoresFigure() throws {
        let figures = Self.literals("TLSCORE_SERVER_REASSEMBLY_REGION_SIZE")
        try #require(figures.count == 4 && figures[0] == figures[2] && figures[1] == figures[3])
        for (chain, second, cas, authentication, certs) in Self.serverCases {
            let macro = certs + figures[0] > figures[1] ? certs + figures[0] : figures[1]
            Self.serverConfiguration(chain: chain, secondChain: second, clientCAs: cas, authentication: authentication) {
                #expect($0.reassemblyRegionSize == macro, "certs \(certs)")
            }
        }
    }

    /// The server context is the same C API fields around `Engine<Server>`;
    /// boards/tests/server-handle-test.c checks the exact figure on each board.
    @Test func serverContextSizeMacroHoldsTheEngine() throws {
        let sizes = try #require(Self.contextSizes("TLSCORE_SERVER_CONTEXT_SIZE"))
        #expect(sizes.bits64 >= MemoryLayout<Engine<Server>>.size + 32)
        #expect(sizes.bits64 <= MemoryLayout<Engine<Server>>.size + 64)
        #expect(sizes.bits32 < sizes.bits64)
        #expect(Self.macro("TLSCORE_CLIENT_AUTH_NONE") == 0)
        #expect(Self.macro("TLSCORE_CLIENT_AUTH_OPTIONAL") == 1)
        #expect(Self.macro("TLSCORE_CLIENT_AUTH_REQUIRED") == 2)
    }
}
