import ArgumentParser
import Foundation
import TLSCore

/// `hostsim verify`: validates a PEM chain against PEM roots with the core's PathValidator.
/// Exit status 0 valid, 1 invalid, 2 usage errors or unreadable files.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Validates a certificate chain (RFC 5280 path validation in the core)."
    )

    // Options are read as strings and checked in `run`, and stray arguments are collected,
    // so that usage errors exit 2 here rather than with ArgumentParser's own status 64.
    @Option(help: "Trusted roots, PEM (several certificates allowed).") var ca: String?
    @Option(help: "The chain, PEM, leaf first.") var chain: String?
    @Option(help: "Expected DNS name (an IP literal here is matched against IP SANs only).") var host: String?
    @Option(help: "Expected IP address (IPv4 or IPv6).") var ip: String?
    @Option(help: "Validation time: RFC 3339 (2030-01-01T00:00:00Z) or Unix seconds; default now.") var time: String?
    @Option(help: "A CRL file, PEM or DER (repeatable).") var crl: [String] = []
    @Option(help: "server or client.") var purpose: String = "server"
    @Option(name: .customLong("max-depth"),
            help: "Most intermediates between the leaf and a trusted root (0: the leaf directly under a root), as OpenSSL's -verify_depth counts; default and ceiling 6.")
    var maxDepth: String?
    @Option(help: "rfc5280 (default: RFC 5280 as private PKIs use it, what a device usually meets) or webpki (adds the CA/Browser Forum Baseline Requirements of public TLS servers).")
    var profile: String = "rfc5280"
    @Option(name: .customLong("signature-budget"), help: "Signature verifications path building may spend (default 16).")
    var signatureBudget: String?
    @Flag(name: .customLong("cn-fallback"), help: "Match the subject CN when the leaf has no SAN at all (never with --profile webpki).") var cnFallback = false
    @Flag(name: .customLong("require-crl"), help: "Fail links without a usable CRL from their issuer (in scope, current, conforming).") var requireCRL = false
    @Option(name: .customLong("repeat"), help: .hidden) var repetitions: String?
    @Argument(parsing: .allUnrecognized, help: .hidden) var unexpected: [String] = []

    func run() throws {
        func fail(_ message: String) -> ExitCode {
            print("error: \(message)", to: &standardError)
            return ExitCode(2)
        }
        guard unexpected.isEmpty else { throw fail("unexpected arguments: \(unexpected.joined(separator: " "))") }
        guard let ca, let chain else { throw fail("--ca and --chain are required") }
        guard host == nil || ip == nil else { throw fail("--host and --ip are exclusive") }
        var depth = PathValidator.maximumIntermediates
        if let maxDepth {
            guard let value = Int(maxDepth), value >= 0 else { throw fail("bad --max-depth \(maxDepth)") }
            depth = value
        }
        var budget = PathValidator.defaultSignatureBudget
        if let signatureBudget {
            guard let value = Int(signatureBudget), value >= 1 else { throw fail("bad --signature-budget \(signatureBudget)") }
            budget = value
        }
        let profileValue: ValidationPolicy.Profile
        switch profile {
        case "rfc5280": profileValue = .rfc5280
        case "webpki": profileValue = .webpki
        default: throw fail("--profile must be rfc5280 or webpki")
        }
        guard let caData = FileManager.default.contents(atPath: ca) else { throw fail("cannot read \(ca)") }
        guard let chainData = FileManager.default.contents(atPath: chain) else { throw fail("cannot read \(chain)") }
        let roots = PEM.objects(in: caData, label: "CERTIFICATE")
        let certificates = PEM.objects(in: chainData, label: "CERTIFICATE")
        guard !roots.isEmpty else { throw fail("no certificate in \(ca)") }
        guard !certificates.isEmpty else { throw fail("no certificate in \(chain)") }
        var crlBytes: [UInt8] = []
        for path in crl {
            guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read \(path)") }
            let objects = PEM.objects(in: data, label: "X509 CRL")
            guard !objects.isEmpty else { throw fail("no CRL in \(path)") }
            for object in objects { crlBytes += object }
        }
        let seconds: Int64
        if let time {
            guard let parsed = Self.parseTime(time) else { throw fail("bad --time \(time)") }
            seconds = parsed
        } else {
            seconds = Int64(Date().timeIntervalSince1970)
        }
        let purposeValue: ValidationPolicy.Purpose
        switch purpose {
        case "server": purposeValue = .serverAuth
        case "client": purposeValue = .clientAuth
        default: throw fail("--purpose must be server or client")
        }
        var address: [UInt8] = []
        if let ip {
            guard let bytes = Self.parseIP(ip) else { throw fail("bad --ip \(ip)") }
            address = bytes
        }
        let hostBytes = Array((host ?? "").utf8)
        let anchorBytes = roots.flatMap { $0 }
        let list = certificates.flatMap { $0 }

        // Benchmarks (Benchmarks/x509): extra validations of the same inputs, so that
        // callgrind's per-run figure is (cost at N - cost at 1) / (N - 1).
        if let repetitions {
            guard let count = Int(repetitions), count >= 1 else { throw fail("bad --repeat \(repetitions)") }
            for _ in 1..<count {
                _ = Self.validate(
                    list: list, anchors: anchorBytes, crls: crlBytes, time: seconds, purpose: purposeValue,
                    host: host == nil ? nil : hostBytes, ip: ip == nil ? nil : address, maxDepth: depth,
                    profile: profileValue, signatureBudget: budget, cnFallback: cnFallback, requireCRL: requireCRL)
            }
        }
        let outcome: Result<Void, TLSError> = Self.validate(
            list: list, anchors: anchorBytes, crls: crlBytes, time: seconds, purpose: purposeValue,
            host: host == nil ? nil : hostBytes, ip: ip == nil ? nil : address, maxDepth: depth,
            profile: profileValue, signatureBudget: budget, cnFallback: cnFallback, requireCRL: requireCRL)
        switch outcome {
        case .success:
            print("valid")
        case .failure(let error):
            print("invalid: \(Self.describe(error))")
            throw ExitCode(1)
        }
    }

    static func validate(
        list: [UInt8], anchors: [UInt8], crls: [UInt8], time: Int64, purpose: ValidationPolicy.Purpose,
        host: [UInt8]?, ip: [UInt8]?, maxDepth: Int, profile: ValidationPolicy.Profile, signatureBudget: Int,
        cnFallback: Bool, requireCRL: Bool
    ) -> Result<Void, TLSError> {
        let empty: [UInt8] = []
        let name = host ?? ip ?? empty
        let nameSpan = name.span
        let identity: ValidationPolicy.Identity =
            host != nil ? .dnsName(nameSpan) : (ip != nil ? .ipAddress(nameSpan) : .unspecified)
        let policy = ValidationPolicy(
            time: time, purpose: purpose, identity: identity, profile: profile, maxIntermediates: maxDepth,
            allowCommonNameFallback: cnFallback, revocation: requireCRL ? .requireCRL : .checkAvailable,
            signatureBudget: signatureBudget)
        do {
            let chain = try CertificateChain(list.span, framing: .der)
            _ = try PathValidator.validate(chain: chain, trustAnchors: anchors.span, crls: crls.span, policy: policy)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    static func describe(_ error: TLSError) -> String {
        if case .certificate(let reason) = error {
            if case .malformed(let place) = reason { return "malformed(\(place))" }
            if case .violates(let rule) = reason { return "\(rule.name)" }
            return "\(reason)"
        }
        return "\(error)"
    }

    /// RFC 3339 (UTC or with offset) or an integer of Unix seconds.
    static func parseTime(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        return nil
    }

    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

nonisolated(unsafe) var standardError = StandardError()

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
