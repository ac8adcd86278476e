import Foundation
import TLSCore

/// The test PKI in Tests/Fixtures/pki (see its README) and helpers to feed it to the core.
enum PKI {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pki")

    /// 2030-01-01T00:00:00Z, the README's validation time.
    static let time: Int64 = 1_893_456_000

    static func data(_ name: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))) ?? []
    }

    static func der(_ name: String) -> [UInt8] { data(name + ".der") }

    /// The certificates of a PEM file, DER each.
    static func pem(_ name: String, label: String = "CERTIFICATE") -> [[UInt8]] {
        let text = String(decoding: data(name), as: UTF8.self)
        var result: [[UInt8]] = []
        var rest = Substring(text)
        while let start = rest.range(of: "-----BEGIN \(label)-----"),
              let stop = rest[start.upperBound...].range(of: "-----END \(label)-----") {
            let body = rest[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
            if let decoded = Data(base64Encoded: String(body)) { result.append([UInt8](decoded)) }
            rest = rest[stop.upperBound...]
        }
        return result
    }

    /// A TLS certificate_list body.
    static func list(_ certificates: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for der in certificates {
            out += [UInt8(der.count >> 16 & 0xFF), UInt8(der.count >> 8 & 0xFF), UInt8(der.count & 0xFF)]
            out += der
        }
        return out
    }

    static func chain(_ leaf: String) -> [[UInt8]] { pem(leaf + ".chain.pem") }

    static var anchors: [UInt8] { der("root-ec") + der("root-rsa") }

    enum Name {
        case none, host(String), ip([UInt8])
    }

    /// Runs the validator; nil on success, the reason otherwise.
    static func validate(
        _ certificates: [[UInt8]], anchors: [UInt8] = PKI.anchors, crls: [UInt8] = [], name: Name = .host("localhost"),
        purpose: ValidationPolicy.Purpose = .serverAuth, time: Int64 = PKI.time,
        maxIntermediates: Int = PathValidator.maximumIntermediates, profile: ValidationPolicy.Profile = .rfc5280,
        cnFallback: Bool = false, revocation: ValidationPolicy.Revocation = .checkAvailable,
        signatureBudget: Int = PathValidator.defaultSignatureBudget,
        nameConstraintBudget: Int = PathValidator.defaultNameConstraintBudget
    ) -> TLSError? {
        let list = PKI.list(certificates)
        var nameBytes: [UInt8] = []
        if case .host(let host) = name { nameBytes = Array(host.utf8) }
        if case .ip(let address) = name { nameBytes = address }
        let kind: Int
        switch name {
        case .none: kind = 0
        case .host: kind = 1
        case .ip: kind = 2
        }
        return run(list.span, anchors.span, crls.span, nameBytes.span, kind: kind, purpose: purpose, time: time,
                   maxIntermediates: maxIntermediates, profile: profile, cnFallback: cnFallback, revocation: revocation,
                   signatureBudget: signatureBudget, nameConstraintBudget: nameConstraintBudget)
    }

    /// Spans as parameters: their lifetimes then cover the whole body.
    static func run(
        _ list: Span<UInt8>, _ anchors: Span<UInt8>, _ crls: Span<UInt8>, _ name: Span<UInt8>, kind: Int,
        purpose: ValidationPolicy.Purpose, time: Int64, maxIntermediates: Int = PathValidator.maximumIntermediates,
        profile: ValidationPolicy.Profile = .rfc5280, cnFallback: Bool, revocation: ValidationPolicy.Revocation,
        signatureBudget: Int = PathValidator.defaultSignatureBudget,
        nameConstraintBudget: Int = PathValidator.defaultNameConstraintBudget,
        framing: CertificateChain.Framing = .tls12
    ) -> TLSError? {
        let identity: ValidationPolicy.Identity =
            kind == 0 ? .unspecified : (kind == 1 ? .dnsName(name) : .ipAddress(name))
        let policy = ValidationPolicy(
            time: time, purpose: purpose, identity: identity, profile: profile, maxIntermediates: maxIntermediates,
            allowCommonNameFallback: cnFallback, revocation: revocation, signatureBudget: signatureBudget,
            nameConstraintBudget: nameConstraintBudget)
        do {
            let chain = try CertificateChain(list, framing: framing)
            _ = try PathValidator.validate(chain: chain, trustAnchors: anchors, crls: crls, policy: policy)
            return nil
        } catch {
            return error
        }
    }

    static func reason(_ r: CertificateError) -> TLSError { .certificate(r) }
}

/// Deterministic generator for the mutation tests (SplitMix64).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
