import Testing
import TLSCore

/// The purpose and path-length checks, one named rule each (they were `wrongPurpose` and
/// `pathTooLong`), on built chains under both profiles, with the alert each rule sends.
@Suite struct X509PurposeAndPathRuleTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let purpose: ValidationPolicy.Purpose
        let maxIntermediates: Int
        let expected: CertificateError?
        var description: String { label }

        init(_ label: String, purpose: ValidationPolicy.Purpose = .serverAuth,
             maxIntermediates: Int = PathValidator.maximumIntermediates, _ expected: CertificateError?,
             _ chain: () -> [[UInt8]]) {
            self.label = label
            self.chain = chain()
            self.purpose = purpose
            self.maxIntermediates = maxIntermediates
            self.expected = expected
        }
    }

    static let subName = "Built Test Sub-Intermediate"
    static let subKey = BuiltPKI.otherKey

    static func leaf(_ change: (inout TestCertificate) -> Void) -> () -> [[UInt8]] {
        let chain = [BuiltPKI.leaf(change), BuiltPKI.intermediate]
        return { chain }
    }

    /// leaf ← sub ← intermediate (adjusted by `change`) ← root; `selfIssued` makes the sub
    /// a self-issued certificate (its subject the intermediate's name, another key).
    static func twoIntermediates(selfIssued: Bool = false, _ change: (inout TestCertificate) -> Void = { _ in })
        -> () -> [[UInt8]] {
        let name = selfIssued ? BuiltPKI.intName : subName
        let sub = TestCertificate.ca(name, key: subKey, issuer: BuiltPKI.intName, issuerKey: BuiltPKI.intKey)
            .signed(by: BuiltPKI.intKey)
        var leaf = TestCertificate.leaf(issuer: name, issuerKey: subKey)
        leaf.serial = [0x02, 0x01]
        let chain = [leaf.signed(by: subKey), sub, BuiltPKI.intermediate(change)]
        return { chain }
    }

    static func rsaLeaf(keyUsage: [Int]) -> () -> [[UInt8]] {
        leaf {
            $0.key = TestKey(rsaModulus: [0x00, 0xC5] + [UInt8](repeating: 0xA5, count: 254) + [0x01],
                             exponent: [0x01, 0x00, 0x01])
            $0.extensions.set(Ext.keyUsage(keyUsage))
        }
    }

    static let cases: [Case] = [
        Case("baseline", nil, leaf { _ in }),
        // extendedKeyUsage against the purpose (RFC 5280 §4.2.1.12).
        Case("EKU clientAuth only, as a server", .violates(.extendedKeyUsageLacksServerAuth), leaf {
            $0.extensions.set(Ext.extendedKeyUsage([Ext.clientAuth]))
        }),
        Case("EKU serverAuth only, as a client", purpose: .clientAuth, .violates(.extendedKeyUsageLacksClientAuth),
             leaf { _ in }),
        Case("EKU serverAuth and clientAuth, as a client", purpose: .clientAuth, nil, leaf {
            $0.extensions.set(Ext.extendedKeyUsage([Ext.serverAuth, Ext.clientAuth]))
        }),
        // keyUsage against the key (RFC 5280 §4.2.1.3).
        Case("EC leaf with keyEncipherment only", .violates(.keyUsageLacksDigitalSignature), leaf {
            $0.extensions.set(Ext.keyUsage([2]))
        }),
        Case("EC leaf with keyAgreement only", .violates(.keyUsageLacksDigitalSignature), leaf {
            $0.extensions.set(Ext.keyUsage([4]))
        }),
        Case("RSA leaf with keyAgreement only", .violates(.keyUsageLacksSignatureAndEncipherment),
             rsaLeaf(keyUsage: [4])),
        Case("RSA leaf with keyEncipherment only", nil, rsaLeaf(keyUsage: [2])),
        Case("RSA leaf with digitalSignature only", nil, rsaLeaf(keyUsage: [0])),
        // An issuer's keyUsage (§6.1.4 (n)).
        Case("intermediate with cRLSign only", .violates(.caKeyUsageLacksKeyCertSign), {
            [BuiltPKI.leaf(), BuiltPKI.intermediate { $0.extensions.set(Ext.keyUsage([6])) }]
        }),
        Case("intermediate with digitalSignature only", .violates(.caKeyUsageLacksKeyCertSign), {
            [BuiltPKI.leaf(), BuiltPKI.intermediate { $0.extensions.set(Ext.keyUsage([0])) }]
        }),
        // Depth: maxIntermediates counts intermediates (0: the leaf directly under an anchor).
        Case("one intermediate, at most 0", maxIntermediates: 0, .violates(.maxIntermediates), leaf { _ in }),
        Case("two intermediates, at most 1", maxIntermediates: 1, .violates(.maxIntermediates), twoIntermediates()),
        Case("two intermediates, at most 2", maxIntermediates: 2, nil, twoIntermediates()),
        // pathLenConstraint (§6.1.4 (l), (m)).
        Case("pathLenConstraint 0 above another intermediate", .violates(.pathLengthConstraint),
             twoIntermediates { $0.extensions.set(Ext.basicConstraints(ca: true, pathLength: 0)) }),
        Case("pathLenConstraint 1 above another intermediate", nil,
             twoIntermediates { $0.extensions.set(Ext.basicConstraints(ca: true, pathLength: 1)) }),
        Case("pathLenConstraint 0 above a self-issued intermediate (it does not count)", nil,
             twoIntermediates(selfIssued: true) { $0.extensions.set(Ext.basicConstraints(ca: true, pathLength: 0)) }),
        // Both limits at once: the local maximum is reported when no path fits in it.
        Case("pathLenConstraint 0 and at most 1", maxIntermediates: 1, .violates(.maxIntermediates),
             twoIntermediates { $0.extensions.set(Ext.basicConstraints(ca: true, pathLength: 0)) }),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        for profile in [ValidationPolicy.Profile.rfc5280, .webpki] {
            let result = PKI.validate(c.chain, anchors: BuiltPKI.root, name: c.purpose == .serverAuth ? .host("localhost") : .none,
                                      purpose: c.purpose, maxIntermediates: c.maxIntermediates, profile: profile)
            #expect(result == c.expected.map { .certificate($0) }, "\(profile): \(c.label)")
        }
    }

    /// The alerts (RFC 5246 §7.2.2, RFC 8446 §6.2): a leaf whose key may not be used for TLS
    /// here is unsupported_certificate; a path that may not exist is bad_certificate.
    @Test(arguments: [
        (CertificateRule.extendedKeyUsageLacksServerAuth, AlertDescription.unsupportedCertificate),
        (.extendedKeyUsageLacksClientAuth, .unsupportedCertificate),
        (.keyUsageLacksDigitalSignature, .unsupportedCertificate),
        (.keyUsageLacksSignatureAndEncipherment, .unsupportedCertificate),
        (.caKeyUsageLacksKeyCertSign, .badCertificate),
        (.maxIntermediates, .badCertificate),
        (.pathLengthConstraint, .badCertificate),
    ])
    func alert(_ rule: CertificateRule, _ alert: AlertDescription) {
        #expect(TLSError.certificate(.violates(rule)).alert == alert)
    }

    /// The client leaves of Tests/Fixtures/pki for a server's client authentication, each
    /// with its chain (leaf + int-ec) against the fixture anchors, validated as a client at
    /// the README's time under `rfc5280` (`webpki` is for public servers: it refuses client-ec
    /// itself, whose CN is no SAN). client-no-digsig (EC key, keyUsage keyAgreement only) is
    /// refused by the validator itself, not only by the TLS layer.
    @Test(arguments: [
        ("client-ec", nil),
        ("client-expired", CertificateError.expired),
        ("client-serverauth-only", .violates(.extendedKeyUsageLacksClientAuth)),
        ("client-no-digsig", .violates(.keyUsageLacksDigitalSignature)),
    ] as [(String, CertificateError?)])
    func clientFixture(_ leaf: String, _ expected: CertificateError?) {
        let chain = PKI.chain(leaf)
        #expect(chain.count == 2, "\(leaf).chain.pem")
        let result = PKI.validate(chain, name: .none, purpose: .clientAuth, profile: .rfc5280)
        #expect(result == expected.map { .certificate($0) }, "\(leaf)")
    }

    /// The wrong-purpose leaf is a good server certificate (no SAN, so with no identity to
    /// check), and the no-digitalSignature one fails as a server for its EKU first: each
    /// fixture differs from a valid client in the one way its name says.
    @Test func clientFixturesAsServer() {
        #expect(PKI.validate(PKI.chain("client-serverauth-only"), name: .none, purpose: .serverAuth) == nil)
        #expect(PKI.validate(PKI.chain("client-no-digsig"), name: .none, purpose: .serverAuth)
                == .certificate(.violates(.extendedKeyUsageLacksServerAuth)))
    }
}
