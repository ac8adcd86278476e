import Testing
import TLSCore

/// Each way an Extension can fail to decode has its own `malformed(where:)` place, and what
/// decodes but is refused has its own rule (RFC 5280 §4.1, §4.2; X.690 §11), on the leaf of
/// a built chain (a faulty leaf is reported; a faulty intermediate is no issuer candidate).
@Suite struct X509ExtensionEncodingTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let expected: CertificateError?
        var description: String { label }

        init(_ label: String, _ expected: CertificateError?, _ change: (inout TestCertificate) -> Void) {
            self.label = label
            self.chain = [BuiltPKI.leaf(change), BuiltPKI.intermediate]
            self.expected = expected
        }
    }

    static let keyUsageOID = Ext.ce(15)
    /// digitalSignature: BIT STRING 07 80.
    static let keyUsageValue = DERW.bits([0x80], unused: 7)

    /// A keyUsage Extension assembled from its parts.
    static func keyUsage(_ parts: [UInt8]...) -> Ext.Extension {
        Ext.Extension(oid: keyUsageOID, critical: nil, value: [], raw: DERW.seq(all: parts))
    }

    static func replacing(_ arc: UInt8, value: [UInt8]) -> (inout TestCertificate) -> Void {
        { $0.extensions.set(Ext.Extension(oid: Ext.ce(arc), critical: arc == 19 ? true : nil, value: value)) }
    }

    static let cases: [Case] = [
        Case("baseline", nil, { _ in }),
        Case("critical TRUE as 0xFF", nil, { $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.bool(true),
                                                                       DERW.octets(keyUsageValue))) }),
        // X.690 §11.1: TRUE is 0xFF, in one octet.
        Case("critical BOOLEAN 0x01", .malformed(where: .extensionCritical), {
            $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.tlv(0x01, [0x01]), DERW.octets(keyUsageValue)))
        }),
        Case("critical BOOLEAN of two octets", .malformed(where: .extensionCritical), {
            $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.tlv(0x01, [0xFF, 0xFF]), DERW.octets(keyUsageValue)))
        }),
        // X.690 §11.5: the DEFAULT FALSE encoded; decodes, refused by name.
        Case("critical FALSE encoded", .violates(.explicitDefault), {
            $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.bool(false), DERW.octets(keyUsageValue)))
        }),
        Case("an element after extnValue", .malformed(where: .extensionTrailingBytes), {
            $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.octets(keyUsageValue), DERW.tlv(0x05, [])))
        }),
        Case("bytes after the value inside extnValue", .malformed(where: .extensionTrailingBytes),
             replacing(15, value: keyUsageValue + [0x05, 0x00])),
        Case("bytes after the subjectAltName inside extnValue", .malformed(where: .extensionTrailingBytes),
             replacing(17, value: DERW.seq(Ext.dns("localhost")) + [0x05, 0x00])),
        Case("extnValue not an OCTET STRING", .malformed(where: .extensions), {
            $0.extensions.set(keyUsage(DERW.oid(keyUsageOID), DERW.tlv(0x05, [])))
        }),
        // §4.2: one instance of each extension; decodes, refused by name.
        Case("keyUsage twice", .violates(.duplicateExtension), { $0.extensions.append(Ext.keyUsage([0])) }),
        // A value that does not decode names its extension.
        Case("basicConstraints cA BOOLEAN 0x01", .malformed(where: .basicConstraints),
             replacing(19, value: DERW.seq(DERW.tlv(0x01, [0x01])))),
        Case("basicConstraints not a SEQUENCE", .malformed(where: .basicConstraints),
             replacing(19, value: DERW.tlv(0x05, []))),
        Case("keyUsage with a trailing zero bit", .malformed(where: .keyUsage),
             replacing(15, value: DERW.bits([0x80], unused: 6))),
        Case("extendedKeyUsage empty", .malformed(where: .extendedKeyUsage), replacing(37, value: DERW.seq())),
        Case("subjectKeyIdentifier not an OCTET STRING", .malformed(where: .keyIdentifier),
             replacing(14, value: DERW.integer([1]))),
        Case("authorityKeyIdentifier not a SEQUENCE", .malformed(where: .keyIdentifier),
             replacing(35, value: DERW.octets([1, 2, 3]))),
        // A work bound: the duplicate search is pairwise.
        Case("as many extensions as allowed", nil, { leaf in
            let room = CertificateExtensions.maximumCount - leaf.extensions.count
            for i in 0..<room { leaf.extensions.append(Ext.privateExtension(UInt8(i))) }
        }),
        Case("one extension more", .violates(.extensionCount), { leaf in
            let room = CertificateExtensions.maximumCount - leaf.extensions.count
            for i in 0...room { leaf.extensions.append(Ext.privateExtension(UInt8(i))) }
        }),
    ]

    @Test(arguments: cases)
    func encoding(_ c: Case) {
        #expect(PKI.validate(c.chain, anchors: BuiltPKI.root) == c.expected.map { .certificate($0) }, "\(c.label)")
    }

    @Test func placesAndRulesAreDistinct() {
        let places: [CertificateError.Place] = [.extensions, .extensionCritical, .extensionTrailingBytes,
                                                .basicConstraints, .keyUsage, .extendedKeyUsage, .keyIdentifier]
        for (i, a) in places.enumerated() {
            for b in places[(i + 1)...] { #expect(a != b) }
            #expect(TLSError.certificate(.malformed(where: a)).alert == .decodeError)
        }
        #expect(TLSError.certificate(.violates(.extensionCount)).alert == .badCertificate)
        #expect(TLSError.certificate(.violates(.chainEntryCount)).alert == .badCertificate)
        #expect("\(CertificateRule.extensionCount.name)" == "too-many-extensions")
        #expect("\(CertificateRule.chainEntryCount.name)" == "too-many-chain-entries")
    }
}
