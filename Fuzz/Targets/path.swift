/// Path validation (PathValidator, RFC 5280 §6) of a fuzzed chain against fixed trust
/// anchors, the test PKI's root-ec and root-rsa, at the PKI's validation time. Input: one
/// policy byte, then the chain as a TLS 1.2 certificate_list body (uint24 length + DER per
/// certificate, leaf first). With the policy's top bit set, a uint16 length and that many
/// bytes of fuzzed CRLs come before the chain; otherwise the PKI's own CRLs (int-ec,
/// int-rsa, root-ec) are checked. The seeds are the PKI's real chains, so mutations start
/// from paths whose signatures verify and reach the checks after them.
///
/// Properties: a refusal is a `TLSError.certificate` reason (so that it maps to a
/// certificate alert); an accepted path has two to `maxIntermediates` + 2 certificates (leaf,
/// intermediates, anchor), the leaf first in the list, inside its validity at the validation time.
@_cdecl("fuzz_path")
public func fuzz_path(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzPath.run($0) }
}

enum FuzzPath {
    static let anchors: [UInt8] = FuzzFixtures.rootEC + FuzzFixtures.rootRSA
    static let crls: [UInt8] = FuzzFixtures.intECCRL + FuzzFixtures.intRSACRL + FuzzFixtures.rootECCRL
    static let time: Int64 = 1_893_456_000  // 2030-01-01, Tests/Fixtures/pki/README.md
    static let names: [[UInt8]] = [Array("localhost".utf8), [127, 0, 0, 1], [], Array("www.example.com".utf8)]
    static let intermediates = [6, 0, 1, 2]

    /// The one call into the validator: the list framed as TLS 1.2 frames it.
    static func validate(
        certificateList: Span<UInt8>, anchors: Span<UInt8>, crls: Span<UInt8>, policy: borrowing ValidationPolicy
    ) throws(TLSError) -> ValidatedLeaf {
        let chain = try CertificateChain(certificateList, framing: .tls12)
        return try PathValidator.validate(chain: chain, trustAnchors: anchors, crls: crls, policy: policy)
    }

    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let options = input.byte()
        let name = names[Int(options & 3)]
        if options & 0x80 != 0 {
            let fuzzedCRLs = input.take(input.u16())
            check(input.rest(), crls: fuzzedCRLs, anchors: anchors.span, name: name.span, options)
        } else {
            check(input.rest(), crls: crls.span, anchors: anchors.span, name: name.span, options)
        }
    }

    /// Spans as parameters: their lifetimes then cover the whole body.
    static func check(_ list: Span<UInt8>, crls: Span<UInt8>, anchors: Span<UInt8>, name: Span<UInt8>, _ options: UInt8) {
        let kind = options & 3
        let identity: ValidationPolicy.Identity =
            kind == 1 ? .ipAddress(name) : kind == 2 ? .unspecified : .dnsName(name)
        let maxIntermediates = intermediates[Int(options >> 5 & 3)]
        let policy = ValidationPolicy(
            time: time, purpose: options & 4 != 0 ? .clientAuth : .serverAuth, identity: identity,
            maxIntermediates: maxIntermediates, allowCommonNameFallback: options & 8 != 0,
            revocation: options & 0x10 != 0 ? .requireCRL : .checkAvailable)
        do throws(TLSError) {
            let leaf = try validate(certificateList: list, anchors: anchors, crls: crls, policy: policy)
            fuzzRequire(leaf.pathLength >= 2 && leaf.pathLength <= maxIntermediates + 2,
                        "a path has 2...maxIntermediates + 2 certificates")
            var reader = Reader(list)
            guard let first = try? reader.vector(lengthBytes: 3, minimum: 1),
                  let certificate = try? Certificate(der: first) else {
                fuzzFail("an accepted list starts with a certificate", file: #fileID, line: #line)
            }
            fuzzRequire(certificate.notBefore <= time && time <= certificate.notAfter, "the leaf is valid now")
        } catch {
            guard case .certificate = error else {
                fuzzFail("a refusal is a certificate reason", file: #fileID, line: #line)
            }
        }
    }
}
