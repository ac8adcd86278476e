import Foundation
import TLSCore
import TLSPlatform

/// Runs the core's TLS 1.2 client in-process against a real server on 127.0.0.1: the
/// engine, the blocking driver and the TCP transport, with buffers sized like a board's.
struct ClientHarness {
    /// Trust anchors by fixture name (`NAME.der`).
    var anchors = ["root-ec"]
    /// Trust anchors as DER, in place of `anchors` (certificates made by a test).
    var anchorDER: [UInt8]?
    /// The smallest RSA server key accepted.
    var minimumRSAKeyBits = 2048
    var serverName = "localhost"
    var serverAddress: [UInt8] = []
    var suites = CipherSuites.defaults
    var maxFragment: MaxFragmentLength?
    var crls: [String] = []
    var revocation = ValidationPolicy.Revocation.checkAvailable
    /// 2030-01-01T00:00:00Z: inside every long-lived fixture's validity.
    var time: Int64 = 1_893_456_000
    var timeoutMilliseconds = 5000
    var handshakeTimeoutMilliseconds = 60_000
    var request = "GET / HTTP/1.0\r\n\r\n"
    /// Region sizes; nil means what the configuration asks for.
    var inputSize: Int?
    var reassemblySize = 16384
    /// Size the reassembly region as the configuration suggests, not `reassemblySize`.
    var suggestedReassembly = false
    /// Damage to the stream from the server.
    var fault: FaultyTransport<TCPTransport>.Fault?
    /// Client certificate chain (`NAME.chain.pem` as DER certificates) and key by fixture name.
    var clientCertificate: String?
    /// Receives a copy of every byte sent and received.
    var log: StreamLog?
    /// Receives every handshake event, also when the handshake fails.
    var eventLog: EventLog?
    /// Stop reading after this many response bytes (for echo servers, which do not close).
    var responseLength: Int?

    struct Outcome {
        var suite: CipherSuite?
        var extendedMasterSecret = false
        var response: [UInt8] = []
        var closedByNotify = false
        var events: [HandshakeEvent] = []
        var text: String { String(decoding: response, as: UTF8.self) }
    }

    func run(port: UInt16) -> Result<Outcome, TLSError> {
        let anchorBytes = anchorDER ?? anchors.flatMap { Fixtures.der($0) }
        let crlBytes = crls.flatMap { Fixtures.der($0) }
        let name = Array(serverName.utf8)
        var chainBytes: [UInt8] = []
        var keyBytes: [UInt8] = []
        if let clientCertificate {
            let issuer = Fixtures.issuer(of: clientCertificate)
            chainBytes = Fixtures.der(clientCertificate) + (issuer.map { Fixtures.der($0) } ?? [])
            keyBytes = Fixtures.der("\(clientCertificate).key.der")
        }
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: serverAddress.span, trustAnchors: anchorBytes.span,
            crls: crlBytes.span, time: time, suites: suites, maxFragmentLength: maxFragment, revocation: revocation,
            minimumRSAKeyBits: minimumRSAKeyBits, clientCertificateChain: chainBytes.span, clientPrivateKey: keyBytes.span)
        return Result { () throws(TLSError) -> Outcome in
            var input = [UInt8](repeating: 0, count: inputSize ?? configuration.inputRegionSize)
            var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
            var reassembly = [UInt8](
                repeating: 0, count: suggestedReassembly ? configuration.reassemblyRegionSize : reassemblySize)
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            let engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random)
            let tcp = try TCPTransport(host: Array("127.0.0.1".utf8).span, port: port, timeoutMilliseconds: timeoutMilliseconds)
            let transport = FaultyTransport(inner: tcp, fault: fault, log: log)
            var connection = Connection(
                engine: engine, transport: transport, timeoutMilliseconds: timeoutMilliseconds,
                handshakeTimeoutMilliseconds: handshakeTimeoutMilliseconds, clock: { Clock.monotonicMilliseconds() })
            var outcome = Outcome()
            var events: [HandshakeEvent] = []
            try connection.handshake {
                events.append($0)
                eventLog?.events.append($0)
            }
            outcome.events = events
            outcome.suite = connection.engine.negotiatedSuite
            outcome.extendedMasterSecret = connection.engine.usesExtendedMasterSecret
            let requestBytes = Array(request.utf8)
            try connection.write(requestBytes.span)
            var chunk = [UInt8](repeating: 0, count: 2048)
            while outcome.response.count < (responseLength ?? Int.max) {
                var span = chunk.mutableSpan
                let count = try connection.read(into: &span)
                if count == 0 { break }
                outcome.response += chunk[0..<count]
            }
            outcome.closedByNotify = connection.engine.state == .closed
            connection.close()
            return outcome
        }
    }
}

/// A transport that passes everything through, except for one flipped bit in the stream
/// from the server: a corrupted record from a real server.
struct FaultyTransport<Inner: Transport & ~Copyable>: Transport, ~Copyable {
    enum Fault {
        /// Flip the lowest bit of the byte at this offset of the received stream.
        case byte(Int)
        /// Flip the last byte (part of the AEAD tag) of the first record of this content
        /// type that follows the server's ChangeCipherSpec: 22 is its Finished, 23 data.
        case protectedRecord(UInt8)
    }

    var inner: Inner
    let fault: Fault?
    let log: StreamLog?
    private var received = 0
    // Record tracking for `.protectedRecord`.
    private var header: [UInt8] = []
    private var remaining = 0
    private var currentType: UInt8 = 0
    private var afterChangeCipherSpec = false
    private var done = false

    init(inner: consuming Inner, fault: Fault?, log: StreamLog? = nil) {
        self.inner = inner
        self.fault = fault
        self.log = log
    }

    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        let count = try inner.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
        log?.sent += (0..<count).map { bytes[$0] }
        return count
    }

    mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        let count = try inner.receive(into: &buffer, timeoutMilliseconds: timeoutMilliseconds)
        switch fault {
        case .byte(let target):
            if target >= received, target < received + count { buffer[target - received] ^= 0x01 }
        case .protectedRecord(let type):
            for i in 0..<count {
                if remaining == 0 {
                    header.append(buffer[i])
                    if header.count == 5 {
                        currentType = header[0]
                        remaining = Int(header[3]) << 8 | Int(header[4])
                        header = []
                    }
                    continue
                }
                remaining -= 1
                if remaining == 0 {
                    if !done, afterChangeCipherSpec, currentType == type {
                        buffer[i] ^= 0x01
                        done = true
                    }
                    if currentType == 20 { afterChangeCipherSpec = true }
                }
            }
        case nil:
            break
        }
        received += count
        log?.received += (0..<count).map { buffer[$0] }
        return count
    }
}

/// Both directions of a connection, as they went over the wire.
/// The handshake events of a run, kept also when it fails.
final class EventLog: @unchecked Sendable {
    var events: [HandshakeEvent] = []
}

final class StreamLog: @unchecked Sendable {
    var sent: [UInt8] = []
    var received: [UInt8] = []

    /// The payloads of the leading records of `type` in `stream`, concatenated, up to the
    /// first record of another type that is not `type` (e.g. the plaintext handshake
    /// before ChangeCipherSpec).
    static func leadingPayloads(of type: UInt8, in stream: [UInt8]) -> [UInt8] {
        var offset = 0
        var payload: [UInt8] = []
        while offset + 5 <= stream.count, stream[offset] == type {
            let length = Int(stream[offset + 3]) << 8 | Int(stream[offset + 4])
            payload += stream[(offset + 5)..<min(stream.count, offset + 5 + length)]
            offset += 5 + length
        }
        return payload
    }

    /// Splits concatenated handshake messages into (type, whole message) pairs.
    static func messages(_ bytes: [UInt8]) -> [(UInt8, [UInt8])] {
        var result: [(UInt8, [UInt8])] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard offset + 4 + length <= bytes.count else { break }
            result.append((bytes[offset], Array(bytes[offset..<(offset + 4 + length)])))
            offset += 4 + length
        }
        return result
    }
}

extension Fixtures {
    /// The issuing intermediate of a client or server fixture, from its name.
    static func issuer(of name: String) -> String? {
        switch name {
        case "client-ec", "client-ec-revoked", "server-ec", "server-expired", "server-ec-revoked": "int-ec"
        case "client-rsa", "server-rsa": "int-rsa"
        case "client-unknown", "server-unknown-ca": "other-root-ec"
        default: nil
        }
    }

    /// The bytes of a DER fixture (`Tests/Fixtures/pki/NAME.der`, or `NAME` itself when it
    /// has an extension).
    static func der(_ name: String) -> [UInt8] {
        let file = name.contains(".") ? name : "\(name).der"
        guard let data = FileManager.default.contents(atPath: pki(file)) else {
            preconditionFailure("missing fixture \(file)")
        }
        return [UInt8](data)
    }
}
