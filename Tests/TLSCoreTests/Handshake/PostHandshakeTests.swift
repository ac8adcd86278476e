import Foundation
import Testing
import TLSCore
import TLSPlatform

/// Handshake messages after the handshake: a real `openssl s_server` asked (on its stdin) to
/// renegotiate sends HelloRequest; the client never renegotiates, answers no_renegotiation
/// (RFC 5746 §4.2), and says both in its events, so a trace can show them.
@Suite struct PostHandshakeTests {
    @Test func helloRequestIsAnsweredAndTraced() throws {
        let arguments = TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec", service: "-ign_eof")
        try TestServer.withOpenSSL(arguments) { server in
            let anchors = Fixtures.der("root-ec")
            let name = Array("localhost".utf8)
            let none: [UInt8] = []
            let configuration = ClientConfiguration(
                serverName: name.span, serverAddress: none.span, trustAnchors: anchors.span, crls: none.span,
                time: 1_893_456_000)
            var input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
            var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
            var reassembly = [UInt8](repeating: 0, count: configuration.reassemblyRegionSize)
            let engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan,
                random: try Random(entropy: SystemEntropy.source, personalization: Span()))
            let tcp = try TCPTransport(host: Array("127.0.0.1".utf8).span, port: server.port, timeoutMilliseconds: 5000)
            var connection = Connection(engine: engine, transport: tcp, timeoutMilliseconds: 5000)
            try connection.handshake()
            while connection.engine.nextEvent() != nil {}
            // TLS 1.2 has no KeyUpdate: asking is refused as a caller's mistake, and the
            // connection goes on (the exchange below runs on it).
            #expect(connection.engine.negotiatedVersion == .tls12)
            #expect(throws: TLSError.invalidState) { try connection.engine.updateKeys(requestingPeer: false) }
            #expect(connection.engine.state.isConnected)

            server.type("r\n")
            // Whatever s_server makes of the refusal (OpenSSL ends a renegotiation it asked
            // for with handshake_failure), the client has answered and said so.
            var chunk = [UInt8](repeating: 0, count: 256)
            var span = chunk.mutableSpan
            let outcome = Result { () throws(TLSError) in try connection.read(into: &span) }
            var events: [HandshakeEvent] = []
            while let event = connection.engine.nextEvent() { events.append(event) }
            #expect(events.map(\.kind) == [.received(.helloRequest), .warningSent(.noRenegotiation)], "\(outcome)")
            #expect(events.allSatisfy { $0.step == 10 })
            connection.close()
        }
    }
}
