import Foundation
import Testing

/// `hostsim verify` exit statuses: 0 valid, 1 invalid, 2 usage errors or unreadable files.
/// Runs the binary built next to the test bundle (swift build --build-tests builds both).
@Suite struct X509HostSimVerifyTests {
    static var binary: URL? {
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("hostsim"))
            dir = dir.deletingLastPathComponent()
        }
        let root = PKI.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for scratch in [".build-x509", ".build"] {
            candidates.append(root.appendingPathComponent("\(scratch)/debug/hostsim"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func run(_ arguments: [String]) throws -> (Int32, String) {
        guard let binary = Self.binary else {
            Issue.record("hostsim binary not found; build it with swift build --build-tests")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["verify"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func path(_ name: String) -> String { PKI.directory.appendingPathComponent(name).path }

    @Test func exitStatuses() throws {
        let common = ["--ca", path("ca-bundle.pem"), "--time", "2030-01-01T00:00:00Z"]
        var (status, output) = try run(common + ["--chain", path("server-ec.chain.pem"), "--host", "localhost"])
        #expect(status == 0 && output == "valid\n")
        (status, output) = try run(common + ["--chain", path("server-ip.chain.pem"), "--ip", "::1"])
        #expect(status == 0)
        (status, output) = try run(common + ["--chain", path("server-ec-revoked.chain.pem"), "--host", "localhost",
                                             "--crl", path("int-ec.crl"), "--crl", path("root-ec.crl.der")])
        #expect(status == 1 && output == "invalid: revoked\n")
        (status, output) = try run(common + ["--chain", path("server-expired.chain.pem"), "--host", "localhost"])
        #expect(status == 1 && output == "invalid: expired\n")
        (status, output) = try run(["--ca", path("ca-bundle.pem"), "--time", "1893456000",
                                    "--chain", path("client-ec.chain.pem"), "--purpose", "client"])
        #expect(status == 0)
        (status, _) = try run(common + ["--chain", "/nonexistent.pem"])
        #expect(status == 2)
        (status, _) = try run(common + ["--chain", path("server-ec.chain.pem"), "--purpose", "both"])
        #expect(status == 2)
        (status, _) = try run(common + ["--chain", path("server-ec.chain.pem"), "--no-such-flag"])
        #expect(status == 2)
        (status, _) = try run(["--chain", path("server-ec.chain.pem")])
        #expect(status == 2)
        (status, _) = try run(common + ["--chain", path("server-ec.chain.pem"), "--time", "yesterday"])
        #expect(status == 2)
    }
}
