import Foundation
import Testing

/// `hostsim verify` exit statuses: 0 valid, 1 invalid, 2 usage errors or unreadable files.
/// Runs the binary built next to the test bundle (swift build --build-tests builds both).
@Suite struct X509HostSimVerifyTests {
    func run(_ arguments: [String]) throws -> (Int32, String) {
        let run = try HostSimProcess.run(["verify"] + arguments)
        return (run.status, run.output)
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
