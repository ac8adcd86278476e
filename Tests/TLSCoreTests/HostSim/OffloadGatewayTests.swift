import Foundation
import Testing

/// `hostsim gateway --offload`: plain-text devices on ptys, the gateway the TLS client of
/// each line (one thread, one poll loop), against a real `openssl s_server -www` that
/// requires a client certificate. Every process is stopped and every wait bounded.
@Suite(.serialized) struct OffloadGatewayTests {
    static let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)

    /// s_server -www for `version`, requiring a client certificate from the test PKI.
    static func server(_ version: String) -> [String] {
        TestServer.openSSLArguments(
            certificate: "server-ec", chainIssuer: "int-ec",
            extra: ["-Verify", "1", "-verify_return_error", "-CAfile", Fixtures.pki("ca-bundle.pem")])
            .filter { $0 != "-tls1_2" } + [version]
    }

    /// Starts the gateway and returns it with the pty paths it printed (bounded wait).
    static func startGateway(_ arguments: [String], lines: Int) throws -> (HostSimProcess.Started, [String]) {
        guard let binary = HostSimProcess.binary else {
            throw TestServer.Failure(description: "hostsim binary not found; build it with swift build --build-tests")
        }
        let started = try HostSimProcess.start(binary, ["gateway", "--offload"] + arguments)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOf: started.folder.appendingPathComponent("out"), encoding: .utf8)) ?? ""
            let paths = text.split(separator: "\n").filter { $0.hasPrefix("pty: ") }.map { String($0.dropFirst(5)) }
            if paths.count == lines { return (started, paths) }
            if !started.process.isRunning { break }
            usleep(10_000)
        }
        let run = started.wait(limit: 0)
        throw TestServer.Failure(description: "the gateway printed no \(lines) pty paths: \(run.output) \(run.errors)")
    }

    /// The devices: each opens its pty, writes `request` (when given), and reads until the
    /// gateway hangs up its line; all at once, in one loop, within `limit` seconds.
    static func devices(_ paths: [String], request: [UInt8]?, limit: TimeInterval = 10) -> [String] {
        let descriptors = paths.map { open($0, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        defer { for descriptor in descriptors where descriptor >= 0 { close(descriptor) } }
        var received = Array(repeating: [UInt8](), count: paths.count)
        var reading = descriptors.map { $0 >= 0 }
        if let request {
            for descriptor in descriptors where descriptor >= 0 {
                _ = request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(limit)
        while reading.contains(true) && Date() < deadline {
            var entries = descriptors.enumerated().filter { reading[$0.offset] }.map { pollfd(fd: $0.element, events: Int16(POLLIN), revents: 0) }
            _ = poll(&entries, nfds_t(entries.count), 50)
            for entry in entries where entry.revents != 0 {
                let index = descriptors.firstIndex(of: entry.fd)!
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    received[index] += buffer[0..<count]
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    reading[index] = false  // EIO: the gateway hung up the line
                }
            }
        }
        return received.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Four devices at once: three get the whole answer; the fourth's client certificate is
    /// from a CA the server does not trust, and only its line fails, with the server's alert;
    /// the third's line flips the answer's first byte on the way down (a per-line fault).
    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func fourDevicesOneFailing(version: String) throws {
        let start = Date()
        try TestServer.withOpenSSL(Self.server(version)) { server in
            let (gateway, paths) = try Self.startGateway(
                ["--pty", "--pty", "--pty", "--pty", "--server", "127.0.0.1:\(server.port)",
                 "--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost",
                 "--cert", Fixtures.pki("client-ec.chain.pem"), "--key", Fixtures.pki("client-ec.key"),
                 "--device-cert", "4:\(Fixtures.pki("client-unknown.chain.pem"))",
                 "--device-key", "4:\(Fixtures.pki("client-unknown.key"))",
                 "--line-fault", "3:down:flip@0", "--baud", "921600", "--timeout", "5", "--trace"], lines: 4)
            let answers = Self.devices(paths, request: Self.request)
            let run = gateway.wait(limit: 10)
            #expect(run.exited, "\(run.errors)")
            #expect(run.status == 1, "\(run.errors)")
            for index in 0..<2 {
                #expect(answers[index].hasPrefix("HTTP/1.0 200 ok"), "line \(index + 1): \(answers[index]) \(run.errors)")
                #expect(answers[index].contains("</HTML>"), "line \(index + 1) incomplete: \(answers[index])")
            }
            // 'H' with its lowest bit flipped.
            #expect(answers[2].hasPrefix("ITTP/1.0 200 ok"), "\(answers[2]) \(run.errors)")
            #expect(answers[2].contains("</HTML>"), "line 3 incomplete: \(answers[2])")
            #expect(!answers[3].contains("HTTP/1.0"), "\(answers[3])")
            let errors = run.errors.split(separator: "\n")
            #expect(errors.contains { $0.hasPrefix("gateway: line 4: ") && $0.contains("alert") }, "\(run.errors)")
            #expect(!errors.contains { ($0.hasPrefix("gateway: line 1: ") || $0.hasPrefix("gateway: line 2: "))
                && ($0.contains("alert") || $0.contains("failed")) }, "\(run.errors)")
            #expect(errors.contains { $0 == "gateway: line 3: down: flipped byte 0" }, "\(run.errors)")
            #expect(errors.contains { $0 == "gateway: 1 of 4 lines failed" }, "\(run.errors)")
            let negotiated = version == "-tls1_2" ? "negotiated TLS 1.2" : "negotiated TLS 1.3"
            for number in 1...3 {
                #expect(errors.contains { $0.hasPrefix("gateway: line \(number):    \(negotiated)") }, "\(run.errors)")
            }
        }
        #expect(Date().timeIntervalSince(start) < 20)
    }

    /// A device that sends nothing: its connected line is ended by `--idle` with a timeout
    /// of its own, while the other line, written to meanwhile, gets its whole answer.
    @Test func silentDeviceTimesOutAlone() throws {
        let start = Date()
        try TestServer.withOpenSSL(Self.server("-tls1_3")) { server in
            let (gateway, paths) = try Self.startGateway(
                ["--pty", "--pty", "--server", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-ec.crt"),
                 "--server-name", "localhost", "--cert", Fixtures.pki("client-ec.chain.pem"),
                 "--key", Fixtures.pki("client-ec.key"), "--baud", "921600", "--timeout", "5", "--idle", "1"], lines: 2)
            // The silent device opens its line and never writes.
            let silent = open(paths[1], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            defer { if silent >= 0 { close(silent) } }
            let answers = Self.devices([paths[0]], request: Self.request, limit: 8)
            let run = gateway.wait(limit: 10)
            #expect(run.exited, "\(run.errors)")
            #expect(run.status == 1, "\(run.errors)")
            #expect(answers[0].hasPrefix("HTTP/1.0 200 ok") && answers[0].contains("</HTML>"), "\(answers[0]) \(run.errors)")
            let errors = run.errors.split(separator: "\n")
            #expect(errors.contains { $0.hasPrefix("gateway: line 2: ") && $0.contains("(idle timeout)") }, "\(run.errors)")
            #expect(!errors.contains { $0.hasPrefix("gateway: line 1: ") && $0.contains("timeout") }, "\(run.errors)")
            #expect(errors.contains { $0 == "gateway: 1 of 2 lines failed" }, "\(run.errors)")
        }
        #expect(Date().timeIntervalSince(start) < 15)
    }

    /// Trust anchors that do not reach the server's chain: every line reports the
    /// certificate error, the gateway exits 1 and hangs up the lines, promptly.
    @Test func wrongCAIsALineCertificateError() throws {
        let start = Date()
        try TestServer.withOpenSSL(Self.server("-tls1_3")) { server in
            let (gateway, paths) = try Self.startGateway(
                ["--pty", "--pty", "--server", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("other-root-ec.crt"),
                 "--server-name", "localhost", "--cert", Fixtures.pki("client-ec.chain.pem"),
                 "--key", Fixtures.pki("client-ec.key"), "--timeout", "5"], lines: 2)
            let answers = Self.devices(paths, request: nil, limit: 8)
            let run = gateway.wait(limit: 10)
            #expect(run.exited, "\(run.errors)")
            #expect(run.status == 1, "\(run.errors)")
            #expect(answers == ["", ""])
            for number in 1...2 {
                #expect(run.errors.contains("gateway: line \(number): certificate"), "\(run.errors)")
            }
            #expect(run.errors.contains("unknown_ca") || run.errors.contains("bad_certificate"), "\(run.errors)")
        }
        #expect(Date().timeIntervalSince(start) < 15)
    }

    /// Usage: the TLS options need --offload, and pass-through still takes exactly one line.
    @Test func usageErrors() throws {
        for arguments in [["--pty", "--pty", "--server", "127.0.0.1:1"],
                          ["--pty", "--server", "127.0.0.1:1", "--ca", Fixtures.pki("root-ec.crt")],
                          ["--offload", "--server", "127.0.0.1:1", "--ca", Fixtures.pki("root-ec.crt")],
                          ["--offload", "--pty", "--server", "127.0.0.1:1"],
                          ["--offload", "--pty", "--server", "127.0.0.1:1", "--ca", Fixtures.pki("root-ec.crt"),
                           "--line-fault", "2:flip@0"]] {
            let run = try HostSimProcess.run(["gateway"] + arguments, limit: 10)
            #expect(run.status == 2, "\(arguments): \(run.status) \(run.errors)")
        }
    }

    /// Pass-through is unchanged: one pty bridged byte for byte to a TCP listener.
    @Test func passThroughStillBridges() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        guard let binary = HostSimProcess.binary else { Issue.record("no hostsim"); return }
        let started = try HostSimProcess.start(binary, ["gateway", "--pty", "--server", "127.0.0.1:\(port)", "--idle", "5"])
        var path: String?
        let deadline = Date().addingTimeInterval(10)
        while path == nil && Date() < deadline && started.process.isRunning {
            let text = (try? String(contentsOf: started.folder.appendingPathComponent("out"), encoding: .utf8)) ?? ""
            path = text.split(separator: "\n").first { $0.hasPrefix("pty: ") }.map { String($0.dropFirst(5)) }
            usleep(10_000)
        }
        guard let path else {
            let run = started.wait(limit: 0)
            Issue.record("no pty path: \(run.errors)")
            return
        }
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 5000) == 1)
        let connection = accept(listener, nil, nil)
        defer { if connection >= 0 { close(connection) } }
        try #require(connection >= 0)
        let device = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(device >= 0)
        _ = Array("ping".utf8).withUnsafeBytes { write(device, $0.baseAddress, $0.count) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 16)
        var got: [UInt8] = []
        while got.count < 4 {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            got += buffer[0..<count]
        }
        #expect(got == Array("ping".utf8))
        _ = Array("pong".utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var back: [UInt8] = []
        var deviceEntry = pollfd(fd: device, events: Int16(POLLIN), revents: 0)
        while back.count < 4 && poll(&deviceEntry, 1, 5000) == 1 {
            let count = buffer.withUnsafeMutableBytes { read(device, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            back += buffer[0..<count]
        }
        #expect(back == Array("pong".utf8))
        close(device)
        let run = started.wait(limit: 10)
        #expect(run.exited, "\(run.errors)")
        #expect(run.status == 0, "\(run.errors)")
    }
}
