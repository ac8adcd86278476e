import Foundation
import Testing
import TLSCore

/// One built chain per rule, each breaking exactly that rule, under both profiles.
@Suite struct X509ProfileRuleTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let name: PKI.Name
        let rfc5280: CertificateError?
        let webpki: CertificateError?
        var description: String { label }

        init(_ label: String, name: PKI.Name = .host("localhost"), rfc5280: CertificateError?,
             webpki: CertificateError? = .none, sameInWebPKI: Bool = true,
             _ chain: () -> [[UInt8]]) {
            self.label = label
            self.chain = chain()
            self.name = name
            self.rfc5280 = rfc5280
            self.webpki = sameInWebPKI ? rfc5280 : webpki
        }
    }

    static func leaf(_ change: (inout TestCertificate) -> Void) -> () -> [[UInt8]] {
        let chain = [BuiltPKI.leaf(change), BuiltPKI.intermediate]
        return { chain }
    }

    static func ca(_ change: (inout TestCertificate) -> Void) -> () -> [[UInt8]] {
        let chain = [BuiltPKI.leaf(), BuiltPKI.intermediate(change)]
        return { chain }
    }

    static func rsaLeaf(modulusBits: Int, exponent: [UInt8]) -> () -> [[UInt8]] {
        leaf {
            // An odd modulus of exactly `modulusBits` bits (the leaf's key never signs here).
            let bytes = (modulusBits + 7) / 8
            var modulus = [UInt8](repeating: 0xA5, count: bytes)
            let top = modulusBits % 8 == 0 ? 8 : modulusBits % 8
            modulus[0] = UInt8((1 << top) - 1) & 0xC5 | UInt8(1 << (top - 1))
            modulus[bytes - 1] |= 1
            if modulus[0] & 0x80 != 0 { modulus.insert(0, at: 0) }
            $0.key = TestKey(rsaModulus: modulus, exponent: exponent)
            $0.extensions.set(Ext.keyUsage([0, 2]))
        }
    }

    static let cases: [Case] = [
        Case("baseline", rfc5280: nil, leaf { _ in }),
        // Encoding.
        Case("explicit critical FALSE", rfc5280: .violates(.explicitDefault), leaf {
            $0.extensions.set(Ext.extendedKeyUsage([Ext.serverAuth], critical: false))
        }),
        Case("explicit cA FALSE", rfc5280: .violates(.explicitDefault), leaf {
            $0.extensions.set(Ext.basicConstraints(ca: false))
        }),
        Case("duplicate private extension", rfc5280: .violates(.duplicateExtension), leaf {
            $0.extensions += [Ext.privateExtension(1), Ext.privateExtension(1)]
        }),
        Case("duplicate keyUsage", rfc5280: .violates(.duplicateExtension), leaf {
            $0.extensions.append(Ext.keyUsage([0]))
        }),
        Case("GeneralizedTime before 2050", rfc5280: .violates(.validityEncoding), leaf {
            $0.notBefore = DERW.generalized("20200101000000Z")
        }),
        Case("serial zero", rfc5280: .violates(.serialNumber), leaf { $0.serial = [0x00] }),
        Case("serial negative", rfc5280: .violates(.serialNumber), leaf { $0.serial = [0xFF, 0x01] }),
        Case("serial value of 21 octets", rfc5280: .violates(.serialNumber), leaf {
            $0.serial = [0x01] + [UInt8](repeating: 0x81, count: 20)
        }),
        Case("serial value of 20 octets", rfc5280: nil, leaf { $0.serial = [0x7F] + [UInt8](repeating: 0x81, count: 19) }),
        Case("serial value of 20 octets after a sign octet", rfc5280: nil, leaf {
            $0.serial = [0x00] + [UInt8](repeating: 0x81, count: 20)
        }),
        // Placement and criticality.
        Case("AKI critical", rfc5280: .violates(.authorityKeyIdentifierCritical), leaf {
            $0.extensions.set(Ext.authorityKeyIdentifier(BuiltPKI.intKey.id, critical: true))
        }),
        Case("SKI critical", rfc5280: .violates(.subjectKeyIdentifierCritical), ca {
            $0.extensions.set(Ext.subjectKeyIdentifier(BuiltPKI.intKey.id, critical: true))
        }),
        Case("end entity with keyCertSign", rfc5280: .violates(.keyCertSignWithoutCA), leaf {
            $0.extensions.set(Ext.keyUsage([0, 5]))
        }),
        Case("pathLenConstraint without cA", rfc5280: .violates(.pathLengthWithoutCA), leaf {
            $0.extensions.set(Ext.basicConstraints(ca: nil, pathLength: 0))
        }),
        Case("name constraints in an end entity", rfc5280: .violates(.nameConstraintsInEndEntity), leaf {
            $0.extensions.append(Ext.nameConstraints(permitted: [Ext.dns("localhost")]))
        }),
        Case("CA with an empty subject", rfc5280: .violates(.caEmptySubject)) {
            let key = BuiltPKI.intKey
            var ca = TestCertificate.ca(BuiltPKI.intName, key: key, issuer: BuiltPKI.rootName, issuerKey: BuiltPKI.rootKey)
            ca.subject = DERW.name(nil)
            var leaf = TestCertificate.leaf(issuer: BuiltPKI.intName, issuerKey: key)
            leaf.issuer = DERW.name(nil)
            return [leaf.signed(by: key), ca.signed(by: BuiltPKI.rootKey)]
        },
        Case("empty subject, SAN not critical", rfc5280: .violates(.subjectAltNameCriticality), leaf {
            $0.subject = DERW.name(nil)
        }),
        Case("empty subject, SAN critical", rfc5280: nil, leaf {
            $0.subject = DERW.name(nil)
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost")], critical: true))
        }),
        Case("policyConstraints not critical", rfc5280: .violates(.policyConstraintsNotCritical), ca {
            $0.extensions.append(Ext.policyConstraints(critical: nil))
        }),
        // No policy processing (RFC 5280 §6.1): what could make it fail is refused by name.
        Case("policyConstraints critical (not processed)", rfc5280: .violates(.policyConstraintsNotProcessed), ca {
            $0.extensions.append(Ext.policyConstraints(critical: true))
        }),
        Case("critical certificatePolicies (RFC 5280 §6.1 cannot fail on them here)", rfc5280: nil, ca {
            $0.extensions.append(Ext.certificatePolicies(critical: true))
        }),
        Case("critical inhibitAnyPolicy (only prunes the policy tree)", rfc5280: nil, ca {
            $0.extensions.append(Ext.certificatePolicies(critical: true))
            $0.extensions.append(Ext.inhibitAnyPolicy(critical: true))
        }),
        Case("critical policyMappings (not processed)", rfc5280: .violates(.policyMappingsNotProcessed), ca {
            $0.extensions.append(Ext.policyMappings(critical: true))
        }),
        Case("non-critical policyMappings (§6.1.4 (a) not checked)", rfc5280: .violates(.policyMappingsNotProcessed), ca {
            $0.extensions.append(Ext.policyMappings(critical: nil))
        }),
        Case("critical policyMappings in the leaf", rfc5280: .violates(.policyMappingsNotProcessed), leaf {
            $0.extensions.append(Ext.policyMappings(critical: true))
        }),
        Case("CA basicConstraints not critical", rfc5280: .violates(.basicConstraintsNotCritical), ca {
            $0.extensions.set(Ext.basicConstraints(ca: true, critical: nil))
        }),
        Case("CA certificate as leaf", rfc5280: nil, webpki: .violates(.caCertificateAsLeaf), sameInWebPKI: false, leaf {
            $0.extensions.set(Ext.basicConstraints(ca: true))
            $0.extensions.set(Ext.keyUsage([0, 5]))
        }),
        Case("anyExtendedKeyUsage in the leaf", rfc5280: nil, webpki: .violates(.anyExtendedKeyUsageInLeaf),
             sameInWebPKI: false, leaf { $0.extensions.set(Ext.extendedKeyUsage([Ext.anyEKU])) }),
        Case("leaf without EKU", rfc5280: nil, webpki: .violates(.extendedKeyUsageMissing), sameInWebPKI: false,
             leaf { $0.extensions.remove(37) }),
        Case("leaf without AKI", rfc5280: nil, webpki: .violates(.authorityKeyIdentifierMissing), sameInWebPKI: false,
             leaf { $0.extensions.remove(35) }),
        Case("intermediate without SKI", rfc5280: nil, webpki: .violates(.subjectKeyIdentifierMissing), sameInWebPKI: false,
             ca { $0.extensions.remove(14) }),
        Case("SAN critical beside a subject", rfc5280: nil, webpki: .violates(.subjectAltNameCriticality), sameInWebPKI: false,
             leaf { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost")], critical: true)) }),
        // Identity.
        Case("CN not among the SANs", rfc5280: nil, webpki: .violates(.commonNameNotInSubjectAltName), sameInWebPKI: false,
             leaf { $0.subject = DERW.name("www.example.com") }),
        Case("CN in another case than the SAN", rfc5280: nil, leaf { $0.subject = DERW.name("LocalHost") }),
        Case("CN the U-label form of the SAN", name: .host("xn--bcher-kva.example"), rfc5280: nil, leaf {
            $0.subject = DERW.name("bücher.example")
            $0.extensions.set(Ext.subjectAltName([Ext.dns("xn--bcher-kva.example")]))
        }),
        Case("CN another U-label", name: .host("xn--bcher-kva.example"), rfc5280: nil,
             webpki: .violates(.commonNameNotInSubjectAltName), sameInWebPKI: false, leaf {
            $0.subject = DERW.name("büchen.example")
            $0.extensions.set(Ext.subjectAltName([Ext.dns("xn--bcher-kva.example")]))
        }),
        Case("CN an IP address in the SANs", name: .ip([127, 0, 0, 1]), rfc5280: nil, leaf {
            $0.subject = DERW.name("127.0.0.1")
            $0.extensions.set(Ext.subjectAltName([Ext.ip([127, 0, 0, 1])]))
        }),
        Case("CN an IPv6 address in the SANs", name: .ip([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), rfc5280: nil, leaf {
            $0.subject = DERW.name("::1")
            $0.extensions.set(Ext.subjectAltName([Ext.ip([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])]))
        }),
        Case("SAN with an underscore", rfc5280: .violates(.dnsNameSyntax), leaf {
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), Ext.dns("bad_name.example")]))
        }),
        Case("SAN with a leading period", rfc5280: .violates(.dnsNameSyntax), leaf {
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), Ext.dns(".example.com")]))
        }),
        Case("SAN with an empty label", rfc5280: .violates(.dnsNameSyntax), leaf {
            $0.extensions.set(Ext.subjectAltName([Ext.dns("a..example.com"), Ext.dns("localhost")]))
        }),
        Case("IP literal reference against a dNSName", name: .host("127.0.0.1"), rfc5280: .nameMismatch, leaf {
            $0.subject = DERW.name(nil)
            $0.extensions.set(Ext.subjectAltName([Ext.dns("127.0.0.1")], critical: true))
        }),
        Case("IP literal reference against an iPAddress", name: .host("127.0.0.1"), rfc5280: nil, leaf {
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), Ext.ip([127, 0, 0, 1])]))
        }),
        Case("IPv6 literal reference", name: .host("::1"), rfc5280: nil, leaf {
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), Ext.ip([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])]))
        }),
        // Keys.
        Case("RSA-2048", rfc5280: nil, rsaLeaf(modulusBits: 2048, exponent: [0x01, 0x00, 0x01])),
        Case("RSA-1024", rfc5280: nil, webpki: .violates(.rsaKeySize), sameInWebPKI: false,
             rsaLeaf(modulusBits: 1024, exponent: [0x01, 0x00, 0x01])),
        Case("RSA-2047", rfc5280: nil, webpki: .violates(.rsaKeySize), sameInWebPKI: false,
             rsaLeaf(modulusBits: 2047, exponent: [0x01, 0x00, 0x01])),
        Case("RSA exponent even", rfc5280: .violates(.rsaPublicExponent), rsaLeaf(modulusBits: 2048, exponent: [0x01, 0x00, 0x00])),
        Case("RSA exponent 1", rfc5280: .violates(.rsaPublicExponent), rsaLeaf(modulusBits: 2048, exponent: [0x01])),
        Case("RSA exponent of 264 bits", rfc5280: .violates(.rsaPublicExponent),
             rsaLeaf(modulusBits: 2048, exponent: [0x01] + [UInt8](repeating: 0, count: 32) + [0x01])),
        Case("RSA exponent of 33 bits", rfc5280: .violates(.rsaPublicExponent),
             rsaLeaf(modulusBits: 2048, exponent: [0x01, 0x00, 0x00, 0x00, 0x01])),
        Case("RSA exponent 2^32 - 1", rfc5280: nil, rsaLeaf(modulusBits: 2048, exponent: [0x00, 0xFF, 0xFF, 0xFF, 0xFF])),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        let chain = c.chain
        let name = c.name
        #expect(PKI.validate(chain, anchors: BuiltPKI.root, name: name, profile: .rfc5280)
                == c.rfc5280.map { .certificate($0) }, "rfc5280: \(c.label)")
        #expect(PKI.validate(chain, anchors: BuiltPKI.root, name: name, profile: .webpki)
                == c.webpki.map { .certificate($0) }, "webpki: \(c.label)")
    }

    /// The common-name fallback: only without any SAN, only when asked, never in webpki.
    @Test func commonNameFallback() {
        let cnOnly = [BuiltPKI.leaf { $0.extensions.remove(17) }, BuiltPKI.intermediate]
        let cnAndIP = [BuiltPKI.leaf { $0.extensions.set(Ext.subjectAltName([Ext.ip([10, 0, 0, 1])])) },
                       BuiltPKI.intermediate]
        #expect(PKI.validate(cnOnly, anchors: BuiltPKI.root, cnFallback: true) == nil)
        #expect(PKI.validate(cnOnly, anchors: BuiltPKI.root) == PKI.reason(.nameMismatch))
        #expect(PKI.validate(cnOnly, anchors: BuiltPKI.root, profile: .webpki, cnFallback: true) == PKI.reason(.nameMismatch))
        // Any SAN, even an iPAddress one, turns the fallback off (RFC 6125 §6.4.4).
        #expect(PKI.validate(cnAndIP, anchors: BuiltPKI.root, cnFallback: true) == PKI.reason(.nameMismatch))
        // An IP literal reference never matches the CN either.
        let cnIP = [BuiltPKI.leaf { $0.subject = DERW.name("10.0.0.1"); $0.extensions.remove(17) }, BuiltPKI.intermediate]
        #expect(PKI.validate(cnIP, anchors: BuiltPKI.root, name: .host("10.0.0.1"), cnFallback: true)
                == PKI.reason(.nameMismatch))
    }

    @Test func ruleNamesAreDistinct() {
        // Every rule by its stable number (the C API's report.detail): numbered from 1 without gaps.
        let rules = (1...UInt8.max).compactMap(CertificateRule.init(rawValue:))
        #expect(rules.count == 43)
        #expect(rules.map(\.rawValue) == Array(1...UInt8(rules.count)))
        let names = Set(rules.map { "\($0.name)" })
        #expect(names.count == rules.count)
        #expect(TLSError.certificate(.violates(.rsaKeySize)).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.violates(.dnsNameSyntax)).alert == .badCertificate)
        #expect(TLSError.certificate(.violates(.policyMappingsNotProcessed)).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.violates(.policyConstraintsNotProcessed)).alert == .unsupportedCertificate)
    }

    /// Punycode (RFC 3492) vectors through the CN comparison.
    @Test func internationalizedCommonNames() {
        func same(_ commonName: String, _ dnsName: String) -> Bool {
            Hostname.sameIDN(commonName: Array(commonName.utf8).span, dnsName: Array(dnsName.utf8).span)
        }
        #expect(same("bücher.example", "xn--bcher-kva.example"))
        #expect(same("münchen.de", "XN--MNCHEN-3YA.de"))
        #expect(same("例え.テスト", "xn--r8jz45g.xn--zckzah"))
        #expect(same("Bücher.example", "xn--bcher-kva.example"))
        #expect(same("www.example.com", "WWW.example.com"))
        #expect(!same("bucher.example", "xn--bcher-kva.example"))
        #expect(!same("bücher.example", "xn--bcher-kva.example.org"))
        #expect(!same("bücher..example", "xn--bcher-kva..example"))
        // No IDNA mapping: a non-ASCII capital is not folded.
        #expect(!same("BÜCHER.example", "xn--bcher-kva.example"))
        // Not UTF-8.
        let latin1: [UInt8] = [0x62, 0xFC, 0x63], encoded = Array("xn--bc-kva".utf8)
        let matched = Hostname.sameIDN(commonName: latin1.span, dnsName: encoded.span)
        #expect(!matched)
    }
}
