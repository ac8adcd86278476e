import Foundation
import TLSCore
import TLSPlatform

/// Runs the core's TLS 1.2 client in-process against a real server on 127.0.0.1: the
/// engine, the blocking driver and the TCP transport, with buffers sized like a board's.
struct ClientHarness {
    /// Trust anchors by fixture name (`NAME.der`).
    var anchors = ["root-ec"]
    var serverName = "localhost"
    var serverAddress: [UInt8] = []
    var suites = CipherSuites.defaults
    var maxFragment: MaxFragmentLength?
    var crls: [String] = []
    var revocation = ValidationPolicy.Revocation.checkAvailable
    /// 2030-01-01T00:00:00Z: inside every long-lived fixture's validity.
    var time: Int64 = 1_893_456_000
    var timeoutMilliseconds = 5000
    var request = "GET / HTTP/1.0\r\n\r\n"
    /// Region sizes; nil means what the configuration asks for.
    var inputSize: Int?
    var reassemblySize = 16384
    /// Damage to the stream from the server.
    var fault: FaultyTransport<TCPTransport>.Fault?

    struct Outcome {
        var suite: CipherSuite?
        var extendedMasterSecret = false
        var response: [UInt8] = []
        var closedByNotify = false
        var events: [HandshakeEvent] = []
        var text: String { String(decoding: response, as: UTF8.self) }
    }

    func run(port: UInt16) -> Result<Outcome, TLSError> {
        let anchorBytes = anchors.flatMap { Fixtures.der($0) }
        let crlBytes = crls.flatMap { Fixtures.der($0) }
        let name = Array(serverName.utf8)
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: serverAddress.span, trustAnchors: anchorBytes.span,
            crls: crlBytes.span, time: time, suites: suites, maxFragmentLength: maxFragment, revocation: revocation)
        return Result { () throws(TLSError) -> Outcome in
            var input = [UInt8](repeating: 0, count: inputSize ?? configuration.inputRegionSize)
            var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
            var reassembly = [UInt8](repeating: 0, count: reassemblySize)
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            let engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random)
            let tcp = try TCPTransport(host: Array("127.0.0.1".utf8).span, port: port, timeoutMilliseconds: timeoutMilliseconds)
            let transport = FaultyTransport(inner: tcp, fault: fault)
            var connection = Connection(engine: engine, transport: transport, timeoutMilliseconds: timeoutMilliseconds)
            var outcome = Outcome()
            var events: [HandshakeEvent] = []
            try connection.handshake { events.append($0) }
            outcome.events = events
            outcome.suite = connection.engine.negotiatedSuite
            outcome.extendedMasterSecret = connection.engine.usesExtendedMasterSecret
            let requestBytes = Array(request.utf8)
            try connection.write(requestBytes.span)
            var chunk = [UInt8](repeating: 0, count: 2048)
            while true {
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
    private var received = 0
    // Record tracking for `.protectedRecord`.
    private var header: [UInt8] = []
    private var remaining = 0
    private var currentType: UInt8 = 0
    private var afterChangeCipherSpec = false
    private var done = false

    init(inner: consuming Inner, fault: Fault?) {
        self.inner = inner
        self.fault = fault
    }

    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        try inner.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
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
        return count
    }
}

extension Fixtures {
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
