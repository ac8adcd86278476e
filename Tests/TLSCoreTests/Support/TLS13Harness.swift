import Foundation
import TLSCore
import TLSPlatform

/// Runs the core's client (TLS 1.3 and 1.2 on one engine) in-process against a real server
/// on 127.0.0.1, like `ClientHarness`, with the TLS 1.3 settings (versions, groups, key
/// updates, record_size_limit, ALPN) and a script of steps after the handshake, so that a
/// test can interleave the server's stdin commands with reads and writes. Every handshake
/// event is kept, the ones after the handshake too (tickets, key updates), also on failure.
struct TLS13Harness {
    var anchors = ["root-ec"]
    var serverName = "localhost"
    var suites = CipherSuites.defaults
    var versions = TLSVersions.all
    var groups = NamedGroups.defaults
    var recordsBeforeKeyUpdate: UInt64 = 8_388_608
    var recordSizeLimit: Int?
    var maxFragment: MaxFragmentLength?
    /// ALPN names, in order; sent as a ProtocolNameList.
    var applicationProtocols: [String] = []
    var crls: [String] = []
    /// 2030-01-01T00:00:00Z: inside every long-lived fixture's validity.
    var time: Int64 = 1_893_456_000
    var timeoutMilliseconds = 5000
    /// Client certificate chain (leaf and its issuer) and key by fixture name.
    var clientCertificate: String?
    /// Region sizes: nil means what the configuration asks for.
    var inputSize: Int?
    var reassemblySize: Int? = 16384
    var log: StreamLog?
    /// Receives the secrets (NSS key log lines); keep it alive for the run.
    var keyLog: KeyLogCapture?
    /// Receives every event as it is drained, also when the run fails.
    var eventLog: EventLog?
    /// A session region to resume from and store into (nil: no resumption).
    var session: SessionStore?
    var resumptionKeyExchange = ClientSettings.ResumptionKeyExchange.withECDHE
    /// A TLS 1.3 external PSK: identity and key (nil: none).
    var externalPSK: (identity: String, key: [UInt8])?

    enum Step {
        /// Sends the text as application data (one `write`).
        case write(String)
        /// Reads until the response so far contains the text (a timeout fails the run).
        case read(until: String)
        /// Reads until the server closes.
        case readToEnd
        /// `Engine.updateKeys(requestingPeer:)`; the KeyUpdate goes out with the next write.
        case updateKeys(requestingPeer: Bool)
        /// Anything else: typing at the server, waiting for its output.
        case action(() -> Void)
    }

    static var httpRequest: [Step] { [.write("GET / HTTP/1.0\r\n\r\n"), .readToEnd] }

    struct Outcome {
        var version: TLSVersion?
        var suite: CipherSuite?
        var group: NamedGroup?
        /// The name the server chose from our ALPN list, read through the engine's range.
        var applicationProtocol: String?
        var response: [UInt8] = []
        var closedByNotify = false
        /// Events up to the end of the handshake.
        var handshakeEvents: [HandshakeEvent] = []
        /// Every event, the handshake's and the ones after it.
        var events: [HandshakeEvent] = []
        var text: String { String(decoding: response, as: UTF8.self) }
        var kinds: [HandshakeEvent.Kind] { events.map(\.kind) }
    }

    static func protocolNameList(_ names: [String]) -> [UInt8] {
        names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    func run(port: UInt16, steps: [Step] = httpRequest) -> Result<Outcome, TLSError> {
        let anchorBytes = anchors.flatMap { Fixtures.der($0) }
        let crlBytes = crls.flatMap { Fixtures.der($0) }
        let name = Array(serverName.utf8)
        let none: [UInt8] = []
        let alpn = Self.protocolNameList(applicationProtocols)
        var chainBytes: [UInt8] = []
        var keyBytes: [UInt8] = []
        if let clientCertificate {
            let issuer = Fixtures.issuer(of: clientCertificate)
            chainBytes = Fixtures.der(clientCertificate) + (issuer.map { Fixtures.der($0) } ?? [])
            keyBytes = Fixtures.der("\(clientCertificate).key.der")
        }
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: none.span, trustAnchors: anchorBytes.span, crls: crlBytes.span,
            time: time, suites: suites, versions: versions, groups: groups, keyLog: keyLog?.keyLog,
            recordsBeforeKeyUpdate: recordsBeforeKeyUpdate, recordSizeLimit: recordSizeLimit,
            applicationProtocols: alpn.span, maxFragmentLength: maxFragment, clientCertificateChain: chainBytes.span, clientPrivateKey: keyBytes.span)
        let pskIdentity = Array((externalPSK?.identity ?? "").utf8)
        let pskKey = externalPSK?.key ?? []
        let withPSK = externalPSK == nil
            ? configuration
            : configuration.withExternalPSK(identity: pskIdentity.span, key: pskKey.span)
                .withResumptionKeyExchange(resumptionKeyExchange)
        guard let session else { return run(configuration: withPSK, alpn: alpn, port: port, steps: steps) }
        var region = session.bytes
        defer { session.bytes = region }
        return run(
            configuration: withPSK.resuming(region.mutableSpan, keyExchange: resumptionKeyExchange), alpn: alpn,
            port: port, steps: steps)
    }

    private func run(
        configuration: ClientConfiguration, alpn: [UInt8], port: UInt16, steps: [Step]
    ) -> Result<Outcome, TLSError> {
        var outcome = Outcome()
        let eventLog = self.eventLog
        let result = Result { () throws(TLSError) -> Void in
            var input = [UInt8](repeating: 0, count: inputSize ?? configuration.inputRegionSize)
            var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
            var reassembly = [UInt8](repeating: 0, count: reassemblySize ?? configuration.reassemblyRegionSize)
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            let engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random)
            let tcp = try TCPTransport(host: Array("127.0.0.1".utf8).span, port: port, timeoutMilliseconds: timeoutMilliseconds)
            let transport = FaultyTransport(inner: tcp, fault: nil, log: log)
            var connection = Connection(
                engine: engine, transport: transport, timeoutMilliseconds: timeoutMilliseconds,
                clock: { Clock.monotonicMilliseconds() })
            defer {
                while let event = connection.engine.nextEvent() {
                    outcome.events.append(event)
                    eventLog?.events.append(event)
                }
            }
            try connection.handshake {
                outcome.events.append($0)
                eventLog?.events.append($0)
            }
            outcome.handshakeEvents = outcome.events
            outcome.version = connection.engine.negotiatedVersion
            outcome.suite = connection.engine.negotiatedSuite
            outcome.group = connection.engine.negotiatedGroup
            if let range = connection.engine.negotiatedApplicationProtocol {
                outcome.applicationProtocol = String(decoding: alpn[(range.lowerBound + 1)..<range.upperBound], as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 2048)
            for step in steps {
                switch step {
                case .write(let text):
                    let bytes = Array(text.utf8)
                    try connection.write(bytes.span)
                case .read(let until):
                    let start = outcome.response.count
                    while !String(decoding: outcome.response[start...], as: UTF8.self).contains(until) {
                        var span = chunk.mutableSpan
                        let count = try connection.read(into: &span)
                        if count == 0 { throw .connectionClosed }
                        outcome.response += chunk[0..<count]
                        while let event = connection.engine.nextEvent() {
                            outcome.events.append(event)
                            eventLog?.events.append(event)
                        }
                    }
                case .readToEnd:
                    while true {
                        var span = chunk.mutableSpan
                        let count = try connection.read(into: &span)
                        if count == 0 { break }
                        outcome.response += chunk[0..<count]
                        while let event = connection.engine.nextEvent() {
                            outcome.events.append(event)
                            eventLog?.events.append(event)
                        }
                    }
                    outcome.closedByNotify = connection.engine.state == .closed
                case .updateKeys(let requestingPeer):
                    try connection.engine.updateKeys(requestingPeer: requestingPeer)
                case .action(let body):
                    body()
                }
                while let event = connection.engine.nextEvent() {
                    outcome.events.append(event)
                    eventLog?.events.append(event)
                }
            }
            connection.close()
        }
        return result.map { outcome }
    }
}

extension TestServer {
    /// Waits (up to `seconds`) until the server's output contains `text`; whether it did.
    @discardableResult
    func waitForOutput(_ text: String, seconds: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.contains(text) { return true }
            usleep(20_000)
        }
        return output.contains(text)
    }
}
