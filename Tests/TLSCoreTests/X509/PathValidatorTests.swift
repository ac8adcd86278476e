import Foundation
import Testing
import TLSCore

@Suite struct X509PathValidatorTests {
    struct Case: CustomStringConvertible, Sendable {
        let leaf: String
        let name: String?
        let ip: [UInt8]?
        let purpose: ValidationPolicy.Purpose
        let expected: CertificateError?
        var description: String { "\(leaf) \(name ?? ip.map { "\($0)" } ?? "-") -> \(expected.map { "\($0)" } ?? "valid")" }

        init(_ leaf: String, host name: String? = "localhost", ip: [UInt8]? = nil,
             purpose: ValidationPolicy.Purpose = .serverAuth, expect expected: CertificateError?) {
            self.leaf = leaf; self.name = name; self.ip = ip; self.purpose = purpose; self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("server-ec", expect: nil),
        Case("server-ec384", expect: nil),
        Case("server-rsa", expect: nil),
        Case("server-rsa-pss", expect: nil),
        Case("server-rsa-sha512", expect: nil),
        Case("server-sha1", expect: .unsupportedAlgorithm),
        Case("server-expired", expect: .expired),
        Case("server-notyet", expect: .notYetValid),
        Case("server-wrongname", expect: .nameMismatch),
        Case("server-wrongname", host: "other.example", expect: nil),
        Case("server-cn-only", expect: .nameMismatch),
        Case("server-unknown-ca", expect: .unknownIssuer),
        Case("client-unknown", host: nil, purpose: .clientAuth, expect: .unknownIssuer),
        Case("server-clientauth-only", expect: .violates(.extendedKeyUsageLacksServerAuth)),
        Case("server-unknown-critical", expect: .unsupportedCriticalExtension),
        Case("server-ec-tampered", expect: .badSignature),
        Case("server-no-digsig", expect: .violates(.keyUsageLacksDigitalSignature)),
        Case("server-wildcard", expect: .nameMismatch),
        Case("server-wildcard", host: "www.example.com", expect: nil),
        Case("server-wildcard", host: "WWW.Example.COM.", expect: nil),
        Case("server-wildcard", host: "example.com", expect: .nameMismatch),
        Case("server-wildcard", host: "a.b.example.com", expect: .nameMismatch),
        Case("server-wildcard-tld", host: "example.com", expect: .nameMismatch),
        Case("server-wildcard-partial", host: "foo.example.com", expect: .nameMismatch),
        Case("server-wildcard-inner", host: "a.b.example.com", expect: .nameMismatch),
        Case("server-ip", expect: .nameMismatch),
        Case("server-ip", host: nil, ip: [127, 0, 0, 1], expect: nil),
        Case("server-ip", host: nil, ip: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], expect: nil),
        Case("server-ip", host: nil, ip: [127, 0, 0, 2], expect: .nameMismatch),
        Case("server-ec", host: nil, ip: [127, 0, 0, 1], expect: nil),
        Case("server-under-noca", expect: .issuerNotCA),
        Case("server-under-no-certsign", expect: .violates(.caKeyUsageLacksKeyCertSign)),
        Case("server-under-sub", expect: .violates(.pathLengthConstraint)),
        Case("nc-ok", host: "www.example.com", expect: nil),
        Case("nc-excluded", host: "x.bad.example.com", expect: .nameConstraintViolation),
        Case("nc-outside", host: "www.other.org", expect: .nameConstraintViolation),
        Case("nc-ip-ok", host: nil, ip: [10, 1, 2, 3], expect: nil),
        Case("nc-ip-bad", host: nil, ip: [192, 168, 1, 1], expect: .nameConstraintViolation),
        Case("client-ec", host: nil, purpose: .clientAuth, expect: nil),
        Case("client-rsa", host: nil, purpose: .clientAuth, expect: nil),
        Case("client-ec", host: nil, purpose: .serverAuth, expect: .violates(.extendedKeyUsageLacksServerAuth)),
        Case("server-ec", host: nil, purpose: .clientAuth, expect: .violates(.extendedKeyUsageLacksClientAuth)),
    ]

    @Test(arguments: cases)
    func fixture(_ c: Case) {
        let name: PKI.Name = c.ip.map { .ip($0) } ?? c.name.map { .host($0) } ?? .none
        let result = PKI.validate(PKI.chain(c.leaf), name: name, purpose: c.purpose)
        #expect(result == c.expected.map { .certificate($0) }, "\(c)")
    }

    @Test func reasonsMapToAlerts() {
        #expect(TLSError.certificate(.expired).alert == .certificateExpired)
        #expect(TLSError.certificate(.notYetValid).alert == .certificateExpired)
        #expect(TLSError.certificate(.unknownIssuer).alert == .unknownCA)
        #expect(TLSError.certificate(.badSignature).alert == .badCertificate)
        #expect(TLSError.certificate(.revoked).alert == .certificateRevoked)
        #expect(TLSError.certificate(.unsupportedAlgorithm).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.wrongPurpose).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.unsupportedCriticalExtension).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.malformed(where: .tbsCertificate)).alert == .decodeError)
        #expect(TLSError.certificate(.crlMissing).alert == .certificateUnknown)
    }

    @Test func returnsLeafKeyAndUsage() throws {
        for (leaf, usage) in [("server-ec", KeyUsage.digitalSignature.rawValue),
                              ("server-rsa", KeyUsage.digitalSignature.rawValue | KeyUsage.keyEncipherment.rawValue)] {
            let list = PKI.list(PKI.chain(leaf))
            let anchors = PKI.anchors
            let host = Array("localhost".utf8)
            let policy = ValidationPolicy(time: PKI.time, identity: .dnsName(host.span))
            let chain = try CertificateChain(list.span, framing: .tls12)
            let result = try PathValidator.validate(chain: chain, trustAnchors: anchors.span, crls: [UInt8]().span, policy: policy)
            #expect(result.keyUsage.rawValue == usage)
            #expect(result.pathLength == 3)
        }
    }

    @Test func rsaChainTimeAndIssuerFailures() {
        #expect(PKI.validate(PKI.chain("server-rsa"), time: 4_200_000_000) == PKI.reason(.expired))
        #expect(PKI.validate(PKI.chain("server-rsa"), time: 1_500_000_000) == PKI.reason(.notYetValid))
        #expect(PKI.validate(PKI.chain("server-rsa"), anchors: PKI.der("root-ec")) == PKI.reason(.unknownIssuer))
        var tampered = PKI.chain("server-rsa")
        tampered[0][tampered[0].count - 1] ^= 0x01
        #expect(PKI.validate(tampered) == PKI.reason(.badSignature))
        var tamperedPSS = PKI.chain("server-rsa-pss")
        tamperedPSS[0][tamperedPSS[0].count - 1] ^= 0x01
        #expect(PKI.validate(tamperedPSS) == PKI.reason(.badSignature))
        #expect(PKI.validate(PKI.chain("server-rsa"), name: .host("other.example")) == PKI.reason(.nameMismatch))
        #expect(PKI.validate(PKI.chain("client-rsa"), name: .none, purpose: .serverAuth)
                == PKI.reason(.violates(.extendedKeyUsageLacksServerAuth)))
        // A tampered intermediate: the leaf's issuer still matches by name, the root's signature fails.
        var badIntermediate = PKI.chain("server-rsa")
        badIntermediate[1][badIntermediate[1].count - 1] ^= 0x01
        #expect(PKI.validate(badIntermediate) == PKI.reason(.badSignature))
    }

    @Test func shuffledIntermediatesAndExtras() {
        let leaf = PKI.der("server-ec")
        let extras = [PKI.der("int-rsa"), PKI.der("other-root-ec"), PKI.der("int-ec384"), PKI.der("int-nc")]
        #expect(PKI.validate([leaf] + extras + [PKI.der("int-ec")]) == nil)
        #expect(PKI.validate([leaf, PKI.der("root-ec")] + extras.reversed() + [PKI.der("int-ec")]) == nil)
        // The leaf alone, its issuer missing.
        #expect(PKI.validate([leaf] + extras) == PKI.reason(.unknownIssuer))
        // pathLen violation found through a shuffled chain as well.
        #expect(PKI.validate([PKI.der("server-under-sub"), PKI.der("int-ec"), PKI.der("int-rsa"), PKI.der("int-sub")])
                == PKI.reason(.violates(.pathLengthConstraint)))
        // The same intermediate twice does not loop.
        #expect(PKI.validate([leaf, PKI.der("int-ec"), PKI.der("int-ec")]) == nil)
        // RSA chain with EC extras.
        #expect(PKI.validate([PKI.der("server-rsa"), PKI.der("int-ec"), PKI.der("int-rsa")]) == nil)
    }

    /// The limit counts intermediates (issue 18, as OpenSSL's verify depth does); it used to
    /// count every certificate with the leaf and the anchor, where 2 meant what 0 means now.
    @Test func maxIntermediates() {
        #expect(PKI.validate(PKI.chain("server-ec"), maxIntermediates: 0) == PKI.reason(.violates(.maxIntermediates)))
        #expect(PKI.validate(PKI.chain("server-ec"), maxIntermediates: 1) == nil)
        #expect(PKI.validate(PKI.chain("server-ec"), maxIntermediates: 100) == nil)
        #expect(PKI.validate(PKI.chain("server-under-sub"), maxIntermediates: 1) == PKI.reason(.violates(.maxIntermediates)))
    }

    @Test func commonNameFallbackOnlyWhenAllowed() {
        #expect(PKI.validate(PKI.chain("server-cn-only")) == PKI.reason(.nameMismatch))
        #expect(PKI.validate(PKI.chain("server-cn-only"), cnFallback: true) == nil)
        #expect(PKI.validate(PKI.chain("server-cn-only"), name: .host("other"), cnFallback: true) == PKI.reason(.nameMismatch))
        // A certificate with a DNS SAN never falls back to its CN.
        #expect(PKI.validate(PKI.chain("server-wrongname"), name: .host("server-wrongname"), cnFallback: true)
                == PKI.reason(.nameMismatch))
    }

    @Test func revocation() {
        let intCRL = PKI.der("int-ec.crl")
        let rootCRL = PKI.der("root-ec.crl")
        let chain = PKI.chain("server-ec")
        #expect(PKI.validate(chain, crls: intCRL + rootCRL) == nil)
        #expect(PKI.validate(chain, crls: intCRL + rootCRL, revocation: .requireCRL) == nil)
        #expect(PKI.validate(chain, crls: rootCRL + intCRL, revocation: .requireCRL) == nil)
        #expect(PKI.validate(PKI.chain("server-ec-revoked"), crls: intCRL) == PKI.reason(.revoked))
        #expect(PKI.validate(PKI.chain("server-ec-revoked")) == nil)
        #expect(PKI.validate(PKI.chain("client-ec-revoked"), crls: rootCRL + intCRL, name: .none, purpose: .clientAuth)
                == PKI.reason(.revoked))
        #expect(PKI.validate(PKI.chain("client-ec"), crls: intCRL, name: .none, purpose: .clientAuth) == nil)
        // Missing CRLs under both policies.
        #expect(PKI.validate(chain) == nil)
        #expect(PKI.validate(chain, revocation: .requireCRL) == PKI.reason(.crlMissing))
        #expect(PKI.validate(chain, crls: intCRL, revocation: .requireCRL) == PKI.reason(.crlMissing))
        #expect(PKI.validate(chain, crls: rootCRL, revocation: .requireCRL) == PKI.reason(.crlMissing))
        // Stale and forged CRLs fail under either policy.
        #expect(PKI.validate(chain, crls: PKI.der("int-ec-expired.crl")) == PKI.reason(.crlExpired))
        #expect(PKI.validate(chain, crls: PKI.der("int-ec-wrongkey.crl")) == PKI.reason(.crlBadSignature))
        #expect(PKI.validate(chain, crls: PKI.der("int-ec-wrongkey.crl"), revocation: .requireCRL)
                == PKI.reason(.crlBadSignature))
        // A good CRL next to a bad one decides.
        #expect(PKI.validate(chain, crls: PKI.der("int-ec-wrongkey.crl") + intCRL) == nil)
        // RSA chain.
        #expect(PKI.validate(PKI.chain("server-rsa"), crls: PKI.der("int-rsa.crl")) == nil)
        // PEM CRL bundle parsed by the test helper.
        let bundle = PKI.pem("crl-bundle.pem", label: "X509 CRL").flatMap { $0 }
        #expect(PKI.validate(PKI.chain("server-ec-revoked"), crls: bundle) == PKI.reason(.revoked))
        // Malformed CRL input is reported as such.
        #expect(PKI.validate(chain, crls: Array(intCRL.dropLast())) == PKI.reason(.malformed(where: .crl)))
    }

    @Test func chainFraming() {
        let leaf = PKI.der("server-ec")
        let good = PKI.list([leaf, PKI.der("int-ec")])
        for bad in [[], Array(good.dropLast()), good + [0], [0, 0, 0] + good] as [[UInt8]] {
            let host = Array("localhost".utf8)
            let anchors = PKI.anchors
            let policy = ValidationPolicy(time: PKI.time, identity: .dnsName(host.span))
            #expect(throws: TLSError.certificate(.malformed(where: .chain))) {
                let chain = try CertificateChain(bad.span, framing: .tls12)
                _ = try PathValidator.validate(chain: chain, trustAnchors: anchors.span, crls: [UInt8]().span, policy: policy)
            }
        }
    }
}
