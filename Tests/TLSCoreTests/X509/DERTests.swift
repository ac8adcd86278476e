import Foundation
import Testing
import TLSCore

@Suite struct X509DERTests {
    static let malformedCertificate = TLSError.certificate(.malformed(where: .certificate))

    func parse(_ bytes: [UInt8]) -> TLSError? {
        do {
            _ = try Certificate(der: bytes.span)
            return nil
        } catch {
            return error
        }
    }

    func tree(_ bytes: [UInt8]) -> TLSError? {
        do {
            try DER.checkTree(bytes.span)
            return nil
        } catch {
            return error
        }
    }

    // #expect cannot capture non-escapable values: facts are read into plain locals first.
    @Test func parsesFixtureFields() throws {
        let der = PKI.der("server-ec")
        let certificate = try Certificate(der: der.span)
        let version = certificate.version
        let serial = Array(0..<certificate.serial.count).map { certificate.serial[$0] }
        let algorithm = certificate.signatureAlgorithm
        let (notBefore, notAfter) = (certificate.notBefore, certificate.notAfter)
        let kind = certificate.publicKey.kind
        let pointLength = certificate.publicKey.first.count
        let extensions = certificate.extensions
        let isCA = extensions.isCA
        let keyUsage = extensions.keyUsage
        let serverAuth = extensions.hasExtendedKeyUsage && extensions.serverAuth
        let hasSAN = extensions.subjectAltNames != nil
        let tbsCount = certificate.tbs.count
        let selfIssued = certificate.isSelfIssued
        #expect(version == 3)
        #expect(serial == [0x10, 0x07])
        #expect(algorithm == .ecdsa(.sha256))
        #expect(notBefore == 1_577_836_800)       // 2020-01-01T00:00:00Z, UTCTime
        #expect(notAfter == 4_102_444_799)        // 2099-12-31T23:59:59Z, GeneralizedTime
        #expect(kind == .ec(.secp256r1))
        #expect(pointLength == 65)
        #expect(!isCA)
        #expect(keyUsage == .digitalSignature)
        #expect(serverAuth)
        #expect(hasSAN)
        #expect(tbsCount < der.count)
        #expect(!selfIssued)

        let intermediate = try Certificate(der: PKI.der("int-ec").span)
        let intCA = intermediate.extensions.isCA && intermediate.extensions.pathLength == 0
        let intUsage = intermediate.extensions.keyUsage
        let issuerMatches = OID.equal(certificate.issuer, intermediate.subject)
        #expect(intCA)
        #expect(intUsage == KeyUsage(rawValue: KeyUsage.keyCertSign.rawValue | KeyUsage.cRLSign.rawValue))
        #expect(issuerMatches)

        let rsa = try Certificate(der: PKI.der("server-rsa-pss").span)
        let rsaAlgorithm = rsa.signatureAlgorithm
        let rsaKind = rsa.publicKey.kind
        #expect(rsaAlgorithm == .rsaPSS(.sha256))
        #expect(rsaKind == .rsa)
        let sha1 = try Certificate(der: PKI.der("server-sha1").span).signatureAlgorithm
        #expect(sha1 == .sha1)
        let p384 = try Certificate(der: PKI.der("server-ec384").span).publicKey.kind
        #expect(p384 == .ec(.secp384r1))
        let rootSelfIssued = try Certificate(der: PKI.der("root-ec").span).isSelfIssued
        #expect(rootSelfIssued)
        let nc = try Certificate(der: PKI.der("int-nc").span)
        let constrained = nc.extensions.permittedSubtrees != nil && nc.extensions.excludedSubtrees != nil
        #expect(constrained)
        let unknownCritical = try Certificate(der: PKI.der("server-unknown-critical").span).extensions.hasUnknownCriticalExtension
        #expect(unknownCritical)
    }

    @Test func truncatedAtEveryOffset() {
        for name in ["server-ec", "server-rsa-pss", "int-nc"] {
            let der = PKI.der(name)
            for n in 0..<der.count {
                let result = parse(Array(der[0..<n]))
                guard case .certificate(.malformed)? = result else {
                    Issue.record("\(name) truncated to \(n) bytes: \(String(describing: result))")
                    return
                }
            }
        }
    }

    @Test func lengthForms() {
        // Indefinite, over-long, leading zero, beyond the input, five length octets.
        #expect(tree([0x30, 0x80, 0x00, 0x00]) == .malformed)
        #expect(tree([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]) == .malformed)
        #expect(tree([0x04, 0x82, 0x00, 0x81] + [UInt8](repeating: 0, count: 0x81)) == .malformed)
        #expect(tree([0x04, 0x81, 0x80] + [UInt8](repeating: 0, count: 0x7F)) == .truncated)
        #expect(tree([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]) == .malformed)
        #expect(tree([0x30, 0x83, 0xFF, 0xFF, 0xFF]) == .truncated)
        #expect(tree([0x30, 0x05, 0x01]) == .truncated)
        // Minimal long form is fine.
        #expect(tree([0x04, 0x81, 0x80] + [UInt8](repeating: 0, count: 0x80)) == nil)
        // High tag number form.
        #expect(tree([0x1F, 0x81, 0x00, 0x00]) == .malformed)
        #expect(tree([0xBF, 0x20, 0x00]) == .malformed)
    }

    @Test func rejectsCorruptedCertificates() {
        let der = PKI.der("server-ec")
        // Trailing data after the certificate.
        #expect(parse(der + [0x00]) == Self.malformedCertificate)
        // An over-long outer length for the same content.
        let body = Array(der[4...])
        #expect(der[0] == 0x30 && der[1] == 0x82)
        #expect(parse([0x30, 0x83, 0x00, der[2], der[3]] + body) == Self.malformedCertificate)
        // An outer length one beyond the input.
        var longer = der
        longer[3] &+= 1
        #expect(parse(longer) == Self.malformedCertificate)
        #expect(parse([]) == Self.malformedCertificate)
        #expect(parse([0x30, 0x00]) == Self.malformedCertificate)
    }

    @Test func nestingIsBounded() {
        func nested(_ depth: Int) -> [UInt8] {
            var bytes: [UInt8] = [0x05, 0x00]
            for _ in 0..<depth { bytes = [0x30, UInt8(bytes.count)] + bytes }
            return bytes
        }
        #expect(tree(nested(DER.maxDepth)) == nil)
        #expect(tree(nested(DER.maxDepth + 1)) == .malformed)
        #expect(tree(nested(60)) == .malformed)
        // Deep nesting inside an otherwise valid certificate's extension list is refused too.
        #expect(parse([0x30, 0x80] + nested(40)) == Self.malformedCertificate)
    }

    @Test func primitives() throws {
        var der = DER([0x02, 0x02, 0x00, 0x7F].span)
        #expect(throws: TLSError.malformed) { _ = try der.integerBytes() }
        der = DER([0x02, 0x00].span)
        #expect(throws: TLSError.malformed) { _ = try der.integerBytes() }
        der = DER([0x01, 0x01, 0x01].span)
        #expect(throws: TLSError.malformed) { _ = try der.boolean() }
        der = DER([0x03, 0x02, 0x05, 0xA0].span)   // keyUsage with the last used bit set
        #expect(try der.namedBits() == 0b101)
        der = DER([0x03, 0x02, 0x04, 0xA0].span)   // trailing zero bit kept: not DER
        #expect(throws: TLSError.malformed) { _ = try der.namedBits() }
    }

    @Test func times() throws {
        func utc(_ s: String) throws -> Int64 { try Time.seconds(tag: DER.utcTime, Array(s.utf8).span) }
        func gen(_ s: String) throws -> Int64 { try Time.seconds(tag: DER.generalizedTime, Array(s.utf8).span) }
        #expect(try utc("700101000000Z") == 0)
        #expect(try utc("500101000000Z") == -631_152_000)      // 1950
        #expect(try utc("491231235959Z") == 2_524_607_999)     // 2049
        #expect(try gen("20300101000000Z") == 1_893_456_000)
        #expect(try gen("20000229120000Z") == 951_825_600)
        #expect(try gen("99991231235959Z") == 253_402_300_799)
        for bad in ["7001010000Z", "700101000000", "700101000000+0100", "701301000000Z", "700132000000Z",
                    "700101240000Z", "700101006000Z", "700101000060Z", "7a0101000000Z", "700229000000Z"] {
            #expect(throws: TLSError.malformed, "\(bad)") { _ = try utc(bad) }
        }
        for bad in ["20300101000000.5Z", "203001010000Z", "20300101000000", "19000229000000Z"] {
            #expect(throws: TLSError.malformed, "\(bad)") { _ = try gen(bad) }
        }
        #expect(throws: TLSError.malformed) { _ = try Time.seconds(tag: 0x13, Array("700101000000Z".utf8).span) }
    }

    @Test func hostnames() {
        func m(_ reference: String, _ pattern: String) -> Bool {
            Hostname.matches(reference: Array(reference.utf8).span, pattern: Array(pattern.utf8).span)
        }
        #expect(m("localhost", "localhost"))
        #expect(m("LocalHost", "localHOST"))
        #expect(m("www.example.com.", "www.example.com"))
        #expect(m("www.example.com", "*.example.com"))
        #expect(!m("example.com", "*.example.com"))
        #expect(!m("a.b.example.com", "*.example.com"))
        #expect(!m(".example.com", "*.example.com"))
        #expect(!m("example.com", "*.com"))
        #expect(!m("com", "*"))
        #expect(!m("foo.example.com", "f*.example.com"))
        #expect(!m("a.b.example.com", "a.*.example.com"))
        #expect(!m("*.example.com", "*.example.com"))
        #expect(!m("www.example.com", "www.example.co"))
        #expect(!m("", ""))
        #expect(!m("a..b", "a..b"))
        func within(_ name: String, _ domain: String) -> Bool {
            Hostname.isWithin(Array(name.utf8).span, domain: Array(domain.utf8).span)
        }
        #expect(within("www.example.com", "example.com"))
        #expect(within("example.com", "example.com"))
        #expect(!within("badexample.com", "example.com"))
        #expect(within("x.example.com", ".example.com"))
        #expect(!within("example.com", ".example.com"))
        #expect(within("anything", ""))
    }

    @Test func crlView() throws {
        let der = PKI.der("int-ec.crl")
        let crl = try CRL(der: der.span)
        let (thisUpdate, nextUpdate) = (crl.thisUpdate, crl.nextUpdate)
        let algorithm = crl.signatureAlgorithm
        let unknownCritical = crl.hasUnknownCriticalExtension
        let revokedDER = PKI.der("server-ec-revoked"), goodDER = PKI.der("server-ec")
        let revoked = try Certificate(der: revokedDER.span)
        let good = try Certificate(der: goodDER.span)
        let listsRevoked = crl.contains(serial: revoked.serial)
        let listsGood = crl.contains(serial: good.serial)
        #expect(thisUpdate == 1_577_836_800)
        #expect(nextUpdate == 4_102_444_799)
        #expect(algorithm == .ecdsa(.sha256))
        #expect(!unknownCritical)
        #expect(listsRevoked)
        #expect(!listsGood)
        for n in 0..<der.count {
            #expect(throws: TLSError.certificate(.malformed(where: .crl))) { _ = try CRL(der: Array(der[0..<n]).span) }
        }
    }
}
