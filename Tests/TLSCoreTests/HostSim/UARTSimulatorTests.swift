import Foundation
import Testing

/// `hostsim uart` and `hostsim demo`: the core over a pty through the gateway to a real
/// `openssl s_server`, paced at the baud rate, with injected faults. Runs the hostsim binary
/// built next to the test bundle (swift build --build-tests builds both).
@Suite(.serialized) struct UARTSimulatorTests {
    typealias Run = HostSimProcess.Run

    func hostsim(_ arguments: [String], limit: TimeInterval = 40) throws -> Run {
        try HostSimProcess.run(arguments, limit: limit)
    }

    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    func uart(_ port: UInt16, _ extra: [String]) throws -> Run {
        try hostsim(["uart", "--server", "127.0.0.1:\(port)", "--ca", Fixtures.pki("root-ec.crt")] + extra)
    }

    static let echoServer = TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec", service: "-rev")
    /// `-rev` answers a line reversed and closes (with close_notify) on CLOSE: a short exchange.
    static let echoRequest = ["--request", "hello\nCLOSE\n"]

    @Test func handshakeAndResponseAt115200() throws {
        try TestServer.withOpenSSL(TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec")) { server in
            let run = try uart(server.port, ["--baud", "115200"])
            #expect(run.exited)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    /// At 9600 baud a byte takes 10/9600 s on the wire in each direction, so an exchange of
    /// B bytes needs at least B/960 s (a lower bound; each direction alone must take that).
    @Test func pacingAt9600IsReal() throws {
        try TestServer.withOpenSSL(Self.echoServer) { server in
            let run = try uart(server.port, ["--baud", "9600", "--trace"] + Self.echoRequest)
            #expect(run.exited)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output == "olleh\n")
            // "gateway: ...; line bytes: U device → server, D server → device"
            guard let line = run.errors.split(separator: "\n").first(where: { $0.contains("line bytes:") }) else {
                Issue.record("no line byte counts in \(run.errors)")
                return
            }
            let numbers = line.split(separator: ":").last!.split(separator: " ").compactMap { Int($0) }
            #expect(numbers.count == 2)
            let (up, down) = (numbers[0], numbers[1])
            #expect(up > 200 && down > 1000)
            #expect(run.seconds >= Double(down) / 960)
            #expect(run.seconds >= Double(up) / 960)
        }
    }

    /// Each fault kind in each direction ends in a typed error of the expected class, in a
    /// bounded time, with hostsim gone; the server survives each run and is stopped after.
    @Test func faultsEndInTypedErrors() throws {
        let cases: [(fault: String, expected: [String])] = [
            ("down:flip@300", ["certificate", "bad_certificate", "decode_error", "bad_record_mac"]),
            ("up:flip@150", ["bad_record_mac", "decrypt_error", "handshake_failure", "decode_error", "closed"]),
            ("down:drop@50", ["illegal_parameter", "decode_error", "timed out", "unexpected_message"]),
            ("up:drop@20", ["timed out", "decode_error", "closed"]),
            ("down:truncate@500", ["closed the connection"]),
            ("up:truncate@100", ["decode_error", "closed the connection", "timed out"]),
            ("down:stall@200:4000", ["timed out"]),
            ("up:stall@50:4000", ["timed out"]),
            ("down:noise:0.01", ["decode_error", "bad_record_mac", "certificate", "illegal_parameter",
                                 "unexpected_message", "timed out", "record_overflow", "decrypt_error"]),
            ("up:noise:0.02", ["bad_record_mac", "decode_error", "decrypt_error", "handshake_failure",
                               "illegal_parameter", "unexpected_message", "closed", "timed out"]),
        ]
        var serverPID: Int32 = 0
        try TestServer.withOpenSSL(Self.echoServer) { server in
            serverPID = server.processIdentifier
            for (fault, expected) in cases {
                let run = try uart(server.port, ["--fault", fault, "--seed", "7", "--timeout", "1.5"] + Self.echoRequest)
                #expect(run.exited, "\(fault): hostsim still running")
                #expect(run.status == 1, "\(fault): \(run.status) \(run.errors)")
                let reason = run.errors.split(separator: "\n").first { $0.contains("TLS failure") }.map(String.init) ?? ""
                #expect(expected.contains { reason.contains($0) }, "\(fault): \(reason)")
                #expect(server.isRunning, "\(fault): s_server died")
            }
            // The same line without a fault still works afterwards.
            let run = try uart(server.port, Self.echoRequest)
            #expect(run.status == 0 && run.output == "olleh\n", "\(run.errors)")
        }
        #expect(!Self.processExists(serverPID))
    }

    /// The same fault and seed hit the same bytes: noise is reproducible.
    @Test func noiseIsReproducible() throws {
        try TestServer.withOpenSSL(Self.echoServer) { server in
            var notes: [[Substring]] = []
            for _ in 0..<2 {
                let run = try uart(server.port, ["--fault", "down:noise:0.005", "--seed", "42", "--timeout", "1.5"] + Self.echoRequest)
                notes.append(run.errors.split(separator: "\n").filter { $0.contains("noise hit byte") })
            }
            #expect(!notes[0].isEmpty)
            #expect(notes[0] == notes[1])
        }
    }

    @Test func demoRunsToCompletion() throws {
        let run = try hostsim(["demo"])
        #expect(run.exited)
        #expect(run.status == 0, "\(run.errors)")
        for marker in ["①", "②", "③", "④", "⑦", "⑧", "⑨", "⑩", "negotiated TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519)", "HTTP/1.0 200 ok",
                       "summary", "wire-time floor at 115200 baud", "RAM", "ClientEngine state"] {
            #expect(run.output.contains(marker), "missing \(marker)")
        }
        #expect(!Self.demoServerAlive(run.output))
    }

    /// TLS 1.2 carries the certificate in the clear, so a flipped bit there is a certificate
    /// failure; TLS 1.3 encrypts it, so the same flip fails the record's tag.
    @Test func demoWithAFaultEndsInTheTypedReason() throws {
        let run = try hostsim(["demo", "--tls", "1.2", "--fault", "down:flip@300", "--timeout", "2"])
        #expect(run.exited)
        #expect(run.status == 1)
        #expect(run.output.contains("TLS failure: certificate"), "\(run.output)")
        #expect(!Self.demoServerAlive(run.output))
        let encrypted = try hostsim(["demo", "--fault", "down:flip@300", "--timeout", "2"])
        #expect(encrypted.status == 1)
        #expect(encrypted.output.contains("badRecordMAC (sent alert bad_record_mac)"), "\(encrypted.output)")
        #expect(!Self.demoServerAlive(encrypted.output))
    }

    /// The demo prints its server's pid ("(pid N)"); after the demo it must be gone.
    static func demoServerAlive(_ output: String) -> Bool {
        guard let range = output.range(of: "(pid ") else {
            Issue.record("no server pid in the demo's output")
            return false
        }
        let digits = output[range.upperBound...].prefix { $0.isNumber }
        guard let pid = Int32(digits) else { return false }
        return processExists(pid)
    }
}
