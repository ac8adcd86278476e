import Foundation
import Testing
import TLSCore
import TLSPlatform

/// Every way the exchange must fail ends with its own typed error, the alert RFC 5246
/// prescribes reaching the server, and no hang.
@Suite struct ClientFailureTests {
    static func openSSL(_ certificate: String, _ issuer: String, extra: [String] = []) -> [String] {
        TestServer.openSSLArguments(certificate: certificate, chainIssuer: issuer, extra: extra)
    }

    /// Runs the client against s_server and returns its error and the server's log.
    static func failure(_ arguments: [String], _ configure: (inout ClientHarness) -> Void = { _ in }) throws -> (TLSError, String) {
        try TestServer.withOpenSSL(arguments) { server in
            var client = ClientHarness()
            configure(&client)
            guard case .failure(let error) = client.run(port: server.port) else {
                Issue.record("the exchange succeeded")
                return (TLSError.invalidState, server.output)
            }
            // Give s_server a moment to log the alert it received.
            Thread.sleep(forTimeInterval: 0.2)
            return (error, server.output)
        }
    }

    @Test func wrongHostName() throws {
        let (error, log) = try Self.failure(Self.openSSL("server-ec", "int-ec")) { $0.serverName = "other.example" }
        #expect(error == .certificate(.nameMismatch))
        #expect(error.alert == .badCertificate)
        #expect(log.contains("bad certificate"))
    }

    @Test func expiredServerCertificate() throws {
        let (error, log) = try Self.failure(Self.openSSL("server-expired", "int-ec"))
        #expect(error == .certificate(.expired))
        #expect(log.contains("certificate expired"))
    }

    @Test func unknownCA() throws {
        let (error, log) = try Self.failure(Self.openSSL("server-unknown-ca", "other-root-ec"))
        #expect(error == .certificate(.unknownIssuer))
        #expect(log.contains("unknown ca"))
    }

    /// The server is limited to a suite the client does not offer: it refuses the hello.
    @Test func noSuiteInCommon() throws {
        let arguments = TestServer.openSSLArguments(certificate: "server-rsa", chainIssuer: "int-rsa", cipher: "AES128-GCM-SHA256")
        let (error, _) = try Self.failure(arguments) { $0.anchors = ["root-rsa"] }
        #expect(error == .peerAlert(.handshakeFailure))
    }

    /// One bit flipped in the server's encrypted Finished: bad_record_mac, and the alert
    /// reaches the server (it is still in its handshake, reading).
    @Test func corruptedFinishedRecord() throws {
        // -msg makes s_server print every record it receives, decrypted.
        let (error, log) = try Self.failure(Self.openSSL("server-ec", "int-ec", extra: ["-msg"])) { client in
            client.fault = .protectedRecord(22)
        }
        #expect(error == .badRecordMAC)
        #expect(error.alert == .badRecordMAC)
        #expect(log.contains("fatal bad_record_mac"))
    }

    /// One bit flipped in the response: bad_record_mac, no data from that record released.
    @Test func corruptedApplicationData() throws {
        let (error, _) = try Self.failure(Self.openSSL("server-ec", "int-ec")) { client in
            client.fault = .protectedRecord(23)
        }
        #expect(error == .badRecordMAC)
    }

    /// One bit flipped in the plaintext ServerKeyExchange signature area: the signature
    /// check fails (decrypt_error) — the client never reaches its own flight.
    @Test func corruptedServerKeyExchange() throws {
        // ServerHello record (5 + 93) and Certificate (5 + 991 for server-ec) come first when
        // s_server sends one message per record; byte 1200 lies inside ServerKeyExchange.
        let (error, _) = try Self.failure(Self.openSSL("server-ec", "int-ec")) { client in
            client.fault = .byte(1200)
        }
        #expect(error == .badSignature || error == .malformed || error == .invalidPeerKey, "got \(error)")
    }

    /// The server requires a client certificate and the client has none: its fatal alert.
    @Test func fatalAlertFromServer() throws {
        let (error, _) = try Self.failure(Self.openSSL("server-ec", "int-ec", extra: [
            "-Verify", "1", "-verify_return_error", "-CAfile", Fixtures.pki("root-ec.crt"),
        ]))
        #expect(error == .peerAlert(.handshakeFailure))
        #expect(error.alert == nil)
    }

    /// A server that accepts and then closes: connectionClosed.
    @Test func serverClosesMidHandshake() throws {
        let listener = try BareListener()
        let port = listener.port
        let thread = Thread {
            let fd = listener.acceptOne()
            var buffer = [UInt8](repeating: 0, count: 64)
            _ = read(fd, &buffer, 64)
            close(fd)
        }
        thread.start()
        var client = ClientHarness()
        client.timeoutMilliseconds = 5000
        guard case .failure(let error) = client.run(port: port) else { Issue.record("succeeded"); return }
        #expect(error == .connectionClosed || error == .transport(ECONNRESET))
    }

    /// A server that accepts and never answers: timeout, within the configured wait.
    @Test func stallingServer() throws {
        let listener = try BareListener()
        let port = listener.port
        let holder = Thread {
            let fd = listener.acceptOne()
            Thread.sleep(forTimeInterval: 3)
            close(fd)
        }
        holder.start()
        var client = ClientHarness()
        client.timeoutMilliseconds = 300
        let started = Date()
        guard case .failure(let error) = client.run(port: port) else { Issue.record("succeeded"); return }
        #expect(error == .timeout)
        #expect(Date().timeIntervalSince(started) < 2.5)
    }
}

extension ClientFailureTests {
    /// A server that trickles a byte every 100 ms never lets a single wait time out; the
    /// handshake deadline ends it.
    @Test func tricklingServerHitsTheHandshakeDeadline() throws {
        let listener = try BareListener()
        let port = listener.port
        let trickler = Thread {
            let fd = listener.acceptOne()
            var buffer = [UInt8](repeating: 0, count: 512)
            _ = read(fd, &buffer, 512)
            // A handshake record header promising 16 000 bytes, then one byte at a time.
            // send with MSG_NOSIGNAL: once the client has gone, no SIGPIPE for the runner.
            let header: [UInt8] = [22, 3, 3, 0x3E, 0x80]
            _ = send(fd, header, header.count, Int32(MSG_NOSIGNAL))
            for _ in 0..<100 {
                var byte: UInt8 = 2
                if send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) != 1 { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            close(fd)
        }
        trickler.start()
        var client = ClientHarness()
        client.timeoutMilliseconds = 500
        client.handshakeTimeoutMilliseconds = 1000
        let started = Date()
        guard case .failure(let error) = client.run(port: port) else { Issue.record("succeeded"); return }
        #expect(error == .timeout)
        #expect(Date().timeIntervalSince(started) < 5)
    }
}

/// A bare TCP listener on 127.0.0.1 at an ephemeral port, for misbehaving "servers".
final class BareListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw TLSError.transport(errno)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    func acceptOne() -> Int32 { accept(fd, nil, nil) }

    deinit { close(fd) }
}
