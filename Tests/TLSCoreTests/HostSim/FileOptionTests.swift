import Foundation
import Testing

/// `--crl` and `--ca` files of `connect` and `uart` must hold what they are for: a CRL file
/// that holds no CRL used to be passed over (revocation checking silently off), a CA file of
/// garbage reached the handshake. Both are usage errors now: exit 2, one line naming the file,
/// before any connection.
@Suite struct HostSimFileOptionTests {
    /// Files that hold no CRL (or no certificate), written once per test into a folder.
    struct Files {
        let folder: URL
        let empty: String
        let text: String
        let notDER: String
        let badBlock: String

        init() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-options-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.folder = folder
            func write(_ name: String, _ bytes: [UInt8]) throws -> String {
                let url = folder.appendingPathComponent(name)
                try Data(bytes).write(to: url)
                return url.path
            }
            empty = try write("empty", [])
            text = try write("notes.txt", Array("revocation list to follow\n".utf8))
            notDER = try write("short.der", [0x30, 0x03, 0x02, 0x01, 0x05])  // a DER SEQUENCE, not a CRL
            // A good CRL block, then one whose base64 does not decode.
            let good = try String(contentsOfFile: Fixtures.pki("int-ec.crl"), encoding: .utf8)
            badBlock = try write("bad-block.pem", Array((good + "-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n").utf8))
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    /// Runs each command with `--crl FILE` (or `--ca FILE`) and expects exit 2 with one line
    /// that names FILE. Port 1 has no server: a run that got past the files would exit 1.
    func expectRefused(option: String, files: [String], ca: String = Fixtures.pki("root-ec.crt")) throws {
        for file in files {
            for command in [["connect", "127.0.0.1:1"], ["uart", "--server", "127.0.0.1:1"]] {
                var arguments = command + ["--timeout", "2"]
                arguments += option == "--ca" ? ["--ca", file] : ["--ca", ca, "--crl", file]
                let run = try HostSimProcess.run(arguments, limit: 20)
                let lines = run.errors.split(separator: "\n")
                #expect(run.status == 2, "\(command[0]) \(option) \(file): \(run.status) \(run.errors)")
                #expect(lines.count == 1 && lines[0].hasPrefix("hostsim: ") && lines[0].contains(file),
                        "\(command[0]) \(option) \(file): \(run.errors)")
            }
        }
    }

    @Test func crlFilesWithoutACRLAreRefused() throws {
        let files = try Files()
        defer { files.remove() }
        try expectRefused(option: "--crl", files: [
            Fixtures.pki("root-ec.crt"),  // PEM, but a certificate
            Fixtures.pki("server-ec.key"),
            files.empty, files.text, files.notDER, files.badBlock,
        ])
    }

    /// The point of the refusal: given a certificate instead of the CRL, connect used to reach
    /// a server whose certificate is revoked and print its response.
    @Test func aRevokedServerIsNotReachedThroughAWrongCRLFile() throws {
        let arguments = TestServer.openSSLArguments(certificate: "server-ec-revoked",
                                                    chainIssuer: "int-ec")
        try TestServer.withOpenSSL(arguments) { server in
            let connect = ["connect", "127.0.0.1:\(server.port)", "--ca", Fixtures.pki("root-ec.crt"),
                           "--server-name", "localhost", "--time", "1893456000"]
            var run = try HostSimProcess.run(connect + ["--crl", Fixtures.pki("int-ec.crl")])
            #expect(run.status == 1 && run.errors.contains("revoked"), "\(run.errors)")
            run = try HostSimProcess.run(connect + ["--crl", Fixtures.pki("int-ec.crt")])
            #expect(run.status == 2, "\(run.errors)")
            #expect(run.output.isEmpty)
            #expect(run.errors == "hostsim: no CRL in \(Fixtures.pki("int-ec.crt"))\n", "\(run.errors)")
        }
    }

    @Test func caFilesWithoutACertificateAreRefused() throws {
        let files = try Files()
        defer { files.remove() }
        try expectRefused(option: "--ca", files: [
            files.text, files.notDER,  // were taken as DER and failed only in the handshake
            Fixtures.pki("int-ec.crl"), files.empty,  // already refused
        ])
    }
}
