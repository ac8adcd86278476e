import Foundation
import Testing
import TLSCore

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

    /// Built certificates as a PEM file in a fresh temporary directory.
    func pemFile(_ certificates: [[UInt8]], _ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("x509-verify-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = certificates.map {
            "-----BEGIN CERTIFICATE-----\n" + Data($0).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
                + "\n-----END CERTIFICATE-----\n"
        }.joined()
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Each purpose and path-length check prints its own rule (they were wrongPurpose and
    /// pathTooLong).
    @Test(arguments: [
        ("server-clientauth-only", "server", "extended-key-usage-lacks-server-auth"),
        ("server-ec", "client", "extended-key-usage-lacks-client-auth"),
        ("server-no-digsig", "server", "key-usage-lacks-digital-signature"),
        ("server-under-no-certsign", "server", "ca-key-usage-lacks-key-cert-sign"),
        ("server-under-sub", "server", "path-length-constraint-exceeded"),
    ])
    func purposeAndPathRules(_ leaf: String, _ purpose: String, _ rule: String) throws {
        var arguments = ["--ca", path("ca-bundle.pem"), "--time", "2030-01-01T00:00:00Z",
                         "--chain", path("\(leaf).chain.pem"), "--purpose", purpose]
        if purpose == "server" { arguments += ["--host", "localhost"] }
        let (status, output) = try run(arguments)
        #expect(status == 1 && output == "invalid: \(rule)\n", "\(leaf): \(output)")
    }

    @Test func maxDepthCountsIntermediates() throws {
        let common = ["--ca", path("ca-bundle.pem"), "--time", "2030-01-01T00:00:00Z", "--host", "localhost",
                      "--chain", path("server-ec.chain.pem")]
        var (status, output) = try run(common + ["--max-depth", "0"])
        #expect(status == 1 && output == "invalid: path-longer-than-max-intermediates\n")
        (status, output) = try run(common + ["--max-depth", "1"])
        #expect(status == 0 && output == "valid\n")
        (status, _) = try run(common + ["--max-depth", "-1"])
        #expect(status == 2)
    }

    @Test func profilesAndNamedRules() throws {
        let root = try pemFile([BuiltPKI.root], "root.pem")
        let cnElsewhere = try pemFile([BuiltPKI.leaf { $0.subject = DERW.name("www.example.com") }, BuiltPKI.intermediate],
                                      "cn-elsewhere.pem")
        let common = ["--ca", root, "--time", "1893456000", "--host", "localhost"]
        var (status, output) = try run(common + ["--chain", cnElsewhere])
        #expect(status == 0 && output == "valid\n")
        (status, output) = try run(common + ["--chain", cnElsewhere, "--profile", "rfc5280"])
        #expect(status == 0 && output == "valid\n")
        (status, output) = try run(common + ["--chain", cnElsewhere, "--profile", "webpki"])
        #expect(status == 1 && output == "invalid: common-name-not-in-subject-alt-name\n")
        (status, _) = try run(common + ["--chain", cnElsewhere, "--profile", "browser"])
        #expect(status == 2)

        let underscore = try pemFile([BuiltPKI.leaf { $0.extensions.set(Ext.subjectAltName([Ext.dns("a_b.example")])) },
                                      BuiltPKI.intermediate], "underscore.pem")
        (status, output) = try run(common + ["--chain", underscore])
        #expect(status == 1 && output == "invalid: dns-name-syntax\n")

        // A stale copy of the intermediate before the good one: four verifications.
        let stale = BuiltPKI.intermediate { $0.notAfter = DERW.utc("200101000000Z") }
        let both = try pemFile([BuiltPKI.leaf(), stale, BuiltPKI.intermediate], "stale-and-good.pem")
        (status, output) = try run(common + ["--chain", both])
        #expect(status == 0 && output == "valid\n")
        (status, output) = try run(common + ["--chain", both, "--signature-budget", "3"])
        #expect(status == 1 && output == "invalid: signature-verification-budget-exhausted\n")
        (status, _) = try run(common + ["--chain", both, "--signature-budget", "0"])
        #expect(status == 2)
    }

    /// A CRL from an issuer whose keyUsage lacks cRLSign: not used, and with --require-crl
    /// the refusal names the rule (RFC 5280 §6.3.3 (f)).
    @Test func crlIssuerWithoutCRLSign() throws {
        let root = try pemFile([BuiltPKI.root], "root-crl.pem")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("x509-verify-\(getpid())")
        func crlFile(_ der: [UInt8], _ name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(der).write(to: url)
            return url.path
        }
        let crls = ["--crl", try crlFile(TestCRL().signed(by: BuiltPKI.intKey), "int.crl"),
                    "--crl", try crlFile(TestCRL(issuer: DERW.name(BuiltPKI.rootName)).signed(by: BuiltPKI.rootKey), "root.crl")]
        let common = ["--ca", root, "--time", "1893456000", "--host", "localhost", "--require-crl"] + crls
        let good = try pemFile([BuiltPKI.leaf(), BuiltPKI.intermediate], "crl-good.pem")
        var (status, output) = try run(common + ["--chain", good])
        #expect(status == 0 && output == "valid\n")
        let noCRLSign = try pemFile([BuiltPKI.leaf(), BuiltPKI.intermediate { $0.extensions.set(Ext.keyUsage([5])) }],
                                    "crl-no-crlsign.pem")
        (status, output) = try run(common + ["--chain", noCRLSign])
        #expect(status == 1 && output == "invalid: crl-issuer-lacks-crl-sign\n")
    }
}
