import Foundation
import Testing
import TLSCore

/// Which CRL decides (RFC 5280 §5.2, §6.3): the most recent usable one from the issuer, in
/// scope, conforming; over built CRLs for the built chain.
@Suite struct X509CRLSelectionTests {
    static let leafSerial: [UInt8] = [0x01, 0x23]
    static let chain = [BuiltPKI.leaf(), BuiltPKI.intermediate]
    /// The root's CRL for the intermediate's link, for `.requireCRL` cases.
    static let rootCRL = TestCRL(issuer: DERW.name(BuiltPKI.rootName)).signed(by: BuiltPKI.rootKey)

    static func crl(_ number: UInt8, revoking: Bool = false, _ change: (inout TestCRL) -> Void = { _ in }) -> [UInt8] {
        var crl = TestCRL(revoked: revoking ? [leafSerial] : [], extensions: [TestCRL.number([number])])
        change(&crl)
        return crl.signed(by: BuiltPKI.intKey)
    }

    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let crls: [[UInt8]]
        let revocation: ValidationPolicy.Revocation
        let expected: CertificateError?
        var description: String { label }

        init(_ label: String, _ crls: [[UInt8]], require: Bool = false, expect expected: CertificateError?) {
            self.label = label
            self.crls = crls + (require ? [X509CRLSelectionTests.rootCRL] : [])
            self.revocation = require ? .requireCRL : .checkAvailable
            self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("one clean CRL", [crl(1)], require: true, expect: nil),
        Case("one CRL listing the leaf", [crl(1, revoking: true)], expect: .revoked),
        // The most recent by cRLNumber, whatever the order.
        Case("newer clean after older revoking", [crl(1, revoking: true), crl(2)], expect: nil),
        Case("newer clean before older revoking", [crl(2), crl(1, revoking: true)], expect: nil),
        Case("newer revoking after older clean", [crl(1), crl(2, revoking: true)], expect: .revoked),
        Case("newer revoking before older clean", [crl(2, revoking: true), crl(1)], expect: .revoked),
        Case("cRLNumber compared as a number", [crl(0x7F, revoking: true), crl(1) /* 1 < 127 */], expect: .revoked),
        Case("same number, later thisUpdate", [crl(3), crl(3, revoking: true) { $0.thisUpdate = DERW.utc("210101000000Z") }],
             expect: .revoked),
        // Badly signed candidates are passed over.
        Case("forged newest, genuine older", [
            { var c = TestCRL(extensions: [TestCRL.number([9])]); c.revoked = []; return c.signed(by: BuiltPKI.otherKey) }(),
            crl(1, revoking: true),
        ], expect: .revoked),
        Case("forged only", [TestCRL().signed(by: BuiltPKI.otherKey)], expect: .crlBadSignature),
        // Conformance of the deciding CRL.
        Case("no cRLNumber", [crl(1) { $0.extensions = [] }], expect: .violates(.crlNumber)),
        Case("critical cRLNumber", [crl(1) { $0.extensions = [TestCRL.number([1], critical: true)] }],
             expect: .violates(.crlNumber)),
        Case("no nextUpdate: not current", [crl(1) { $0.nextUpdate = nil }], expect: .crlExpired),
        Case("past nextUpdate", [crl(1) { $0.nextUpdate = DERW.utc("210101000000Z") }], expect: .crlExpired),
        Case("delta CRL", [crl(1), crl(2) { $0.extensions.append(TestCRL.delta(base: [1])) }],
             expect: .violates(.deltaCRL)),
        // Scope (issuingDistributionPoint).
        Case("only user certificates, listing the leaf", [crl(1, revoking: true) {
            $0.extensions.append(TestCRL.issuingDistributionPoint([0x81, 0x01, 0xFF]))
        }], expect: .revoked),
        Case("only CA certificates: not for the leaf", [crl(1, revoking: true) {
            $0.extensions.append(TestCRL.issuingDistributionPoint([0x82, 0x01, 0xFF]))
        }], expect: nil),
        Case("only CA certificates, CRL required", [crl(1) {
            $0.extensions.append(TestCRL.issuingDistributionPoint([0x82, 0x01, 0xFF]))
        }], require: true, expect: .crlMissing),
        Case("a distribution point (partial scope), CRL required", [crl(1) {
            $0.extensions.append(TestCRL.issuingDistributionPoint(DERW.context(0, constructed: true, DERW.context(0, constructed: true, Ext.uri("http://crl.example/1")))))
        }], require: true, expect: .crlMissing),
        Case("unknown critical extension, CRL required", [crl(1) {
            $0.extensions.append(Ext.privateExtension(7, critical: true))
        }], require: true, expect: .crlMissing),
        Case("unknown critical extension, available only", [crl(1, revoking: true) {
            $0.extensions.append(Ext.privateExtension(7, critical: true))
        }], expect: nil),
        Case("a usable CRL beside an unusable one", [
            crl(2) { $0.extensions.append(TestCRL.issuingDistributionPoint([0x82, 0x01, 0xFF])) }, crl(1, revoking: true),
        ], expect: .revoked),
    ]

    @Test(arguments: cases)
    func selection(_ c: Case) {
        #expect(PKI.validate(Self.chain, anchors: BuiltPKI.root, crls: c.crls.flatMap { $0 }, revocation: c.revocation)
                == c.expected.map { .certificate($0) }, "\(c.label)")
    }

    /// §6.3.3 (f): a CRL issuer whose keyUsage lacks cRLSign has no usable CRL; a CRL naming
    /// it refuses the link by name in both revocation modes.
    struct SignerCase: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let anchor: [UInt8]
        let crls: [[UInt8]]
        let revocation: ValidationPolicy.Revocation
        let expected: CertificateError?
        var description: String { label }
    }

    static func withUsage(_ bits: [Int]?) -> (inout TestCertificate) -> Void {
        { if let bits { $0.extensions.set(Ext.keyUsage(bits)) } else { $0.extensions.remove(15) } }
    }

    static let signerCases: [SignerCase] = {
        let keyCertSignOnly = [BuiltPKI.leaf(), BuiltPKI.intermediate(withUsage([5]))]
        let withCRLSign = [BuiltPKI.leaf(), BuiltPKI.intermediate(withUsage([5, 6]))]
        let noKeyUsage = [BuiltPKI.leaf(), BuiltPKI.intermediate(withUsage(nil))]
        var rootCertSignOnly = TestCertificate.ca(BuiltPKI.rootName, key: BuiltPKI.rootKey)
        rootCertSignOnly.extensions.set(Ext.keyUsage([5]))
        let anchorCertSignOnly = rootCertSignOnly.signed(by: BuiltPKI.rootKey)
        return [
            SignerCase(label: "keyCertSign and cRLSign, CRL required", chain: withCRLSign, anchor: BuiltPKI.root,
                       crls: [crl(1), rootCRL], revocation: .requireCRL, expected: nil),
            SignerCase(label: "no keyUsage (every use), CRL required", chain: noKeyUsage, anchor: BuiltPKI.root,
                       crls: [crl(1), rootCRL], revocation: .requireCRL, expected: nil),
            SignerCase(label: "keyCertSign only, CRL required", chain: keyCertSignOnly, anchor: BuiltPKI.root,
                       crls: [crl(1), rootCRL], revocation: .requireCRL, expected: .violates(.crlIssuerLacksCRLSign)),
            SignerCase(label: "keyCertSign only, available only", chain: keyCertSignOnly, anchor: BuiltPKI.root,
                       crls: [crl(1)], revocation: .checkAvailable, expected: .violates(.crlIssuerLacksCRLSign)),
            // The CRL would list the leaf: it is still not used.
            SignerCase(label: "keyCertSign only, revoking CRL", chain: keyCertSignOnly, anchor: BuiltPKI.root,
                       crls: [crl(1, revoking: true)], revocation: .checkAvailable,
                       expected: .violates(.crlIssuerLacksCRLSign)),
            SignerCase(label: "keyCertSign only, no CRL, available only", chain: keyCertSignOnly, anchor: BuiltPKI.root,
                       crls: [], revocation: .checkAvailable, expected: nil),
            SignerCase(label: "keyCertSign only, no CRL, required", chain: keyCertSignOnly, anchor: BuiltPKI.root,
                       crls: [rootCRL], revocation: .requireCRL, expected: .crlMissing),
            // The trust anchor as the CRL issuer of the intermediate's link.
            SignerCase(label: "anchor keyCertSign only, its CRL required", chain: chain, anchor: anchorCertSignOnly,
                       crls: [crl(1), rootCRL], revocation: .requireCRL, expected: .violates(.crlIssuerLacksCRLSign)),
            SignerCase(label: "anchor keyCertSign only, no CRL of its own", chain: chain, anchor: anchorCertSignOnly,
                       crls: [crl(1)], revocation: .checkAvailable, expected: nil),
        ]
    }()

    @Test(arguments: signerCases)
    func crlSignerKeyUsage(_ c: SignerCase) {
        #expect(PKI.validate(c.chain, anchors: c.anchor, crls: c.crls.flatMap { $0 }, revocation: c.revocation)
                == c.expected.map { .certificate($0) }, "\(c.label)")
        #expect(TLSError.certificate(.violates(.crlIssuerLacksCRLSign)).alert == .certificateUnknown)
    }

    /// Each CRL checked costs a verification from the budget.
    @Test func crlSignaturesCountAgainstTheBudget() {
        let crls = [Self.crl(3), Self.crl(2), Self.crl(1)].flatMap { $0 }
        // Path: leaf and intermediate (2), then the newest CRL (1).
        #expect(PKI.validate(Self.chain, anchors: BuiltPKI.root, crls: crls, signatureBudget: 3) == nil)
        #expect(PKI.validate(Self.chain, anchors: BuiltPKI.root, crls: crls, signatureBudget: 2)
                == PKI.reason(.violates(.signatureBudget)))
    }
}
