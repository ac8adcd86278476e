import Foundation
import Testing

/// `hostsim connect --resume / --session FILE / --psk-identity --psk`: a session kept
/// across processes in a file, what the trace says when it resumes and when it cannot.
@Suite struct ResumeCommandTests {
    static func connect(_ port: UInt16, _ extra: [String]) throws -> HostSimProcess.Run {
        try HostSimProcess.run([
            "connect", "127.0.0.1:\(port)", "--ca", Fixtures.pki("root-ec.crt"), "--server-name", "localhost",
            "--trace",
        ] + extra)
    }

    static func withFolder<R>(_ body: (URL) throws -> R) throws -> R {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    @Test func aSessionFileResumesInTheNextProcess() throws {
        try Self.withFolder { folder in
            let file = folder.appendingPathComponent("session.bin").path
            try TestServer.withOpenSSL(TLS13InteropTests.openSSL()) { server in
                let first = try Self.connect(server.port, ["--session", file])
                #expect(first.status == 0, "\(first.errors)")
                #expect(first.errors.contains("② ← certificate"))
                #expect(!first.errors.contains("resumed ("))
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)

                let second = try Self.connect(server.port, ["--session", file])
                #expect(second.status == 0, "\(second.errors)")
                #expect(second.errors.contains("negotiated TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519), resumed (PSK)"))
                #expect(!second.errors.contains("② ← certificate"))
                #expect(second.output.hasPrefix("HTTP/1.0 200 ok"))

                // A flipped byte: refused with its reason on a line of its own, full handshake.
                var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                bytes[20] ^= 0x40
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                let third = try Self.connect(server.port, ["--session", file])
                #expect(third.status == 0, "\(third.errors)")
                #expect(third.errors.contains(
                    "full handshake: the stored session was not offered: its check does not match"), "\(third.errors)")
                #expect(third.errors.contains("② ← certificate"))
                // ...and the file holds the new session again.
                let fourth = try Self.connect(server.port, ["--session", file])
                #expect(fourth.errors.contains("resumed (PSK)"))
            }
        }
    }

    @Test func aForeignFileIsNotASession() throws {
        try Self.withFolder { folder in
            let file = folder.appendingPathComponent("session.bin").path
            try Data("not a session at all, just text".utf8).write(to: URL(fileURLWithPath: file))
            try TestServer.withOpenSSL(TLS13InteropTests.openSSL(version: "-tls1_2")) { server in
                let run = try Self.connect(server.port, ["--session", file])
                #expect(run.status == 0, "\(run.errors)")
                #expect(run.errors.contains("full handshake: the stored session was not offered: it is not a session (malformed)"))
                #expect(run.errors.contains("session stored (ticket)"))
            }
        }
    }

    @Test func repeatResumesEachFromThePrevious() throws {
        try TestServer.withOpenSSL(TLS13InteropTests.openSSL(version: "-tls1_2", extra: ["-no_ticket"])) { server in
            let run = try Self.connect(server.port, ["--resume", "--repeat", "3", "--quiet"])
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.errors.contains("hostsim: 2 of 3 handshakes resumed"))
            #expect(run.errors.contains("with extended_master_secret, resumed (session ID)"))
        }
    }

    @Test func externalPSKWithoutCertificates() throws {
        try TestServer.withOpenSSL(ExternalPSKTests.openSSLPSK()) { server in
            let run = try Self.connect(server.port, ["--psk-identity", "device-1", "--psk", ExternalPSKTests.hexKey])
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.errors.contains("   offering the external PSK"))
            #expect(run.errors.contains("resumed (external PSK)"))
            #expect(!run.errors.contains("← certificate"))
            let usage = try Self.connect(server.port, ["--psk", ExternalPSKTests.hexKey])
            #expect(usage.status == 2)
            #expect(usage.errors.contains("--psk and --psk-identity go together"))
        }
    }

    /// `hostsim demo --resume`: a full handshake, then one resumed from its ticket, over the
    /// simulated serial line, with both times and byte counts.
    @Test func demoResumesOverTheSerialLine() throws {
        let run = try HostSimProcess.run(["demo", "--resume", "--timeout", "5"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("── a second connection, resuming the first one's session ──"))
        #expect(run.output.contains("negotiated TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519), resumed (PSK)"))
        #expect(run.output.contains("full handshake    "))
        #expect(run.output.contains("bytes on the line (resumed: PSK)"), "\(run.output)")
        #expect(!UARTSimulatorTests.demoServerAlive(run.output))
        // The resumed handshake moves fewer bytes than the full one.
        let counts = run.output.split(separator: "\n").filter { $0.contains("bytes on the line") }.compactMap { line in
            line.split(separator: ",").last?.split(separator: " ").first.flatMap { Int($0) }
        }
        #expect(counts.count == 2 && counts[1] < counts[0], "\(counts)")
    }
}
