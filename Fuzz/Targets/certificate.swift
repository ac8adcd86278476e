/// Certificate(der:) on arbitrary bytes, and for a certificate that parses everything
/// that reads its fields later without a signature check: the subject's common name, the
/// key import into Mbed TLS, and name constraints with the certificate as its own CA (its subtrees against its own
/// names). Properties: every span of the view lies inside the input, the version is 1..3,
/// and v1/v2 certificates carry no extensions.
@_cdecl("fuzz_certificate")
public func fuzz_certificate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzCertificate.run($0) }
}

enum FuzzCertificate {
    static func run(_ input: Span<UInt8>) {
        let certificate: Certificate
        do throws(TLSError) {
            certificate = try Certificate(der: input)
        } catch {
            if case .certificate(.malformed) = error { return }
            // Fields that decode but may not stand together, and the extension-count bound,
            // are named rules.
            guard case .certificate(.violates) = error else {
                fuzzFail("a parse failure is certificate(.malformed) or a named rule", file: #fileID, line: #line)
            }
            return
        }
        check(certificate, input)
        exercise(certificate)
    }

    static func check(_ c: borrowing Certificate, _ input: Span<UInt8>) {
        fuzzRequire(c.der.count == input.count, "the view covers the whole input")
        // Spans cannot go in an array: one check each.
        fuzzRequire(fuzzLiesWithin(c.serial, input), "serial lies inside the input")
        fuzzRequire(fuzzLiesWithin(c.issuer, c.tbs), "issuer lies inside tbs")
        fuzzRequire(fuzzLiesWithin(c.subject, c.tbs), "subject lies inside tbs")
        fuzzRequire(fuzzLiesWithin(c.signature, input), "signature lies inside the input")
        fuzzRequire(fuzzLiesWithin(c.publicKey.first, c.tbs), "key lies inside tbs")
        fuzzRequire(fuzzLiesWithin(c.publicKey.second, c.tbs), "key lies inside tbs")
        fuzzRequire(fuzzLiesWithin(c.tbs, input) && c.tbs.count < input.count, "tbs is a part of the certificate")
        fuzzRequire(c.version >= 1 && c.version <= 3, "version is 1, 2 or 3")
        fuzzRequire(c.issuer.count >= 2 && c.issuer[0] == DER.sequence, "issuer is a SEQUENCE")
        fuzzRequire(c.subject.count >= 2 && c.subject[0] == DER.sequence, "subject is a SEQUENCE")
        // A negative, zero or over-long serial parses, marked as a flaw (RFC 5280 §4.1.2.2; the
        // policy decides): not marked, it is positive with at most 20 value octets.
        fuzzRequire(c.serial.count >= 1, "serial is not empty")
        fuzzRequire(c.flaws.contains(.serialNumber) ||
                        (c.serial[0] & 0x80 == 0 && c.serial.count <= 21 && !(c.serial.count == 1 && c.serial[0] == 0)),
                    "a serial that is not positive with at most 20 octets is flagged")
        let e = c.extensions
        if c.version < 3 {
            fuzzRequire(!e.isCA && e.keyUsage == nil && !e.hasExtendedKeyUsage && e.subjectAltNames == nil,
                        "v1/v2 certificates carry no extensions")
        }
        if let names = e.subjectAltNames { fuzzRequire(fuzzLiesWithin(names, input), "SANs lie inside") }
        if let p = e.permittedSubtrees { fuzzRequire(fuzzLiesWithin(p, input), "permitted subtrees lie inside") }
        if let x = e.excludedSubtrees { fuzzRequire(fuzzLiesWithin(x, input), "excluded subtrees lie inside") }
        if let s = e.subjectKeyIdentifier { fuzzRequire(fuzzLiesWithin(s, input), "SKI lies inside") }
        if let a = e.authorityKeyIdentifier { fuzzRequire(fuzzLiesWithin(a, input), "AKI lies inside") }
        if let limit = e.pathLength { fuzzRequire(limit >= 0, "pathLength is non-negative") }
        if let cn = c.commonName() { fuzzRequire(fuzzLiesWithin(cn, c.subject), "the common name lies in the subject") }
    }

    /// What the validator does with a parsed certificate besides checking signatures (the
    /// identity policy runs in the path target, over whole paths).
    static func exercise(_ c: borrowing Certificate) {
        _ = c.isSelfIssued
        _ = PathValidator.rank(c, c)
        _ = try? PathValidator.publicKey(of: c)
        var work = ValidationWork(signatures: 16, comparisons: 65_536)
        _ = try? NameConstraints.check(ca: c, subject: c, commonName: nil, work: &work)
        if let cn = c.commonName() {
            _ = try? NameConstraints.check(ca: c, subject: c, commonName: cn, work: &work)
        }
    }
}
