import Foundation
import Testing
import TLSCore
import TLSPlatform

/// An application_data record before any handshake: framed like TLS, but not a valid start,
/// so a server answers with a fatal unexpected_message alert (or just closes).
private let garbageRecord: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x05, 0xDE, 0xAD, 0xBE, 0xEF, 0x00]

/// Sends `bytes` to 127.0.0.1:`port` and collects the reply until the server closes, the
/// connection resets, or nothing arrives for a while.
private func exchange(_ bytes: [UInt8], port: UInt16) throws -> [UInt8] {
    let host = Array("127.0.0.1".utf8)
    var transport = try TCPTransport(host: host.span, port: port, timeoutMilliseconds: 5000)
    var done = 0
    while done < bytes.count {
        done += try transport.send(bytes.span.extracting(done...), timeoutMilliseconds: 5000)
    }
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 512)
    while reply.count < 4096 {
        switch receiveSome(&transport, into: &chunk) {
        case .success(0), .failure(.transport(ECONNRESET)), .failure(.timeout):
            return reply
        case .success(let got):
            reply += chunk[..<got]
        case .failure(let error):
            throw error
        }
    }
    return reply
}

private func receiveSome(_ transport: inout TCPTransport, into chunk: inout [UInt8]) -> Result<Int, TLSError> {
    var span = chunk.mutableSpan
    do {
        return .success(try transport.receive(into: &span, timeoutMilliseconds: 5000))
    } catch {
        return .failure(error)
    }
}

private func processIsGone(_ pid: Int32) -> Bool {
    kill(pid, 0) == -1 && errno == ESRCH
}

@Suite("TestServer")
struct TestServerTests {
    @Test func openSSLAnswersGarbageWithAnAlertAndIsStoppedAfterwards() throws {
        let (reply, server) = try TestServer.withOpenSSL(
            TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec",
                                        cipher: "ECDHE-ECDSA-AES128-GCM-SHA256")
        ) { server in
            #expect(server.port != 0)
            #expect(server.isRunning)
            return (try exchange(garbageRecord, port: server.port), server)
        }
        // A fatal (2) unexpected_message (10) alert record.
        #expect(reply.first == 0x15, "reply \(reply), log:\n\(server.output)")
        #expect(reply == [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0A])
        #expect(server.output.contains("unexpected message"), "log:\n\(server.output)")
        #expect(!server.isRunning)
        #expect(server.terminatingSignal == SIGTERM)
        #expect(processIsGone(server.processIdentifier))
    }

    @Test func gnuTLSAnswersOrClosesAndIsStoppedAfterwards() throws {
        let priority = TestServer.gnuTLSPriority(keyExchange: "RSA", cipher: "AES-128-GCM")
        let (reply, server) = try TestServer.withGnuTLS(
            TestServer.gnuTLSArguments(certificate: "server-rsa", priority: priority)
        ) { server in
            #expect(server.isRunning)
            return (try exchange(garbageRecord, port: server.port), server)
        }
        // GnuTLS either closes or sends an alert; whatever came must be an alert record.
        if !reply.isEmpty { #expect(reply.first == 0x15, "reply \(reply)") }
        #expect(server.output.contains("listening on IPv4"), "log:\n\(server.output)")
        #expect(!server.isRunning)
        // gnutls-serv catches SIGTERM and exits by itself ("Exiting via signal 15").
        #expect(server.terminatingSignal != SIGKILL)
        #expect(processIsGone(server.processIdentifier))
    }

    @Test func serverIsStoppedWhenTheBodyThrows() throws {
        struct Deliberate: Error {
            let processIdentifier: Int32
        }
        let arguments = TestServer.openSSLArguments(certificate: "server-rsa", chainIssuer: "int-rsa")
        do {
            try TestServer.withOpenSSL(arguments) { server in
                throw Deliberate(processIdentifier: server.processIdentifier)
            }
            Issue.record("the body's error was not rethrown")
        } catch let error as Deliberate {
            #expect(error.processIdentifier > 0)
            #expect(processIsGone(error.processIdentifier))
        }
    }

    @Test func parallelServersGetDistinctPorts() throws {
        let arguments = TestServer.gnuTLSArguments(certificate: "server-ec")
        try TestServer.withGnuTLS(arguments) { first in
            try TestServer.withGnuTLS(arguments) { second in
                #expect(first.port != second.port)
                #expect(first.isRunning && second.isRunning)
            }
        }
    }

    @Test func startFailureReportsTheServerLog() {
        let failure = #expect(throws: TestServer.Failure.self) {
            try TestServer.withOpenSSL(["-cert", Fixtures.pki("no-such-file.crt"), "-www"]) { _ in }
        }
        #expect(failure?.description.contains("no-such-file") == true, "\(String(describing: failure))")
    }

    @Test func fixturePathsResolveFromTheSourceTree() {
        #expect(FileManager.default.fileExists(atPath: Fixtures.pki("server-ec.crt")))
        #expect(FileManager.default.fileExists(atPath: Fixtures.pki("README.md")))
    }

    @Test func priorityStringNamesOneSuite() {
        #expect(TestServer.gnuTLSPriority(keyExchange: "ECDHE-ECDSA", cipher: "AES-128-GCM")
            == "NONE:+VERS-TLS1.2:+ECDHE-ECDSA:+AES-128-GCM:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:+CTYPE-X509")
    }
}
