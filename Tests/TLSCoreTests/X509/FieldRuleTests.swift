import Testing
import TLSCore

/// Certificate fields that decode but may not stand together (RFC 5280 §4.1): each a named
/// rule, where they were `malformed(where: .tbsCertificate / .algorithm / .extensions)`.
@Suite struct X509FieldRuleTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let expected: CertificateError?
        var description: String { label }

        init(_ label: String, _ expected: CertificateError?, _ chain: [[UInt8]]) {
            self.label = label
            self.chain = chain
            self.expected = expected
        }
    }

    static func leaf(_ change: (inout TestCertificate) -> Void) -> [[UInt8]] {
        [BuiltPKI.leaf(change), BuiltPKI.intermediate]
    }

    static let ecdsaWithSHA384 = DERW.seq(DERW.oid([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03]))
    static let subjectUniqueID = DERW.tlv(0x82, [0x00, 0x5A])

    static let cases: [Case] = [
        Case("v3", nil, leaf { _ in }),
        Case("version 4 (INTEGER 3)", .violates(.certificateVersion), leaf { $0.version = [3] }),
        Case("version INTEGER 127", .violates(.certificateVersion), leaf { $0.version = [0x7F] }),
        // §4.1.2.1 with X.690 §11.5: v1 is the DEFAULT; encoded, it is a flaw named on the path.
        Case("v1 encoded explicitly, no extensions", .violates(.explicitDefault), leaf {
            $0.version = [0]
            $0.extensions = []
        }),
        // §4.1.2.9: extensions only in v3.
        Case("v1 (omitted) with extensions", .violates(.fieldNotInVersion), leaf { $0.version = nil }),
        Case("v2 with extensions", .violates(.fieldNotInVersion), leaf { $0.version = [1] }),
        // §4.1.2.8: unique identifiers in v2 and v3 only.
        Case("v1 with a subjectUniqueID", .violates(.fieldNotInVersion), leaf {
            $0.version = nil
            $0.extensions = []
            $0.uniqueIDs = subjectUniqueID
        }),
        Case("v3 with a subjectUniqueID (ignored)", nil, leaf { $0.uniqueIDs = subjectUniqueID }),
        // §4.1.1.2: the signed copy of the algorithm must equal the unsigned one.
        Case("tbsCertificate signature ecdsa-with-SHA384, outer SHA-256", .violates(.signatureAlgorithmMismatch),
             leaf { $0.innerAlgorithm = ecdsaWithSHA384 }),
        // A chain entry that breaks one is no issuer candidate, as one that does not decode.
        Case("intermediate with mismatched algorithms", .unknownIssuer,
             [BuiltPKI.leaf(), BuiltPKI.intermediate { $0.innerAlgorithm = ecdsaWithSHA384 }]),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        for profile in [ValidationPolicy.Profile.rfc5280, .webpki] {
            let result = PKI.validate(c.chain, anchors: BuiltPKI.root, profile: profile)
            #expect(result == c.expected.map { .certificate($0) }, "\(profile): \(c.label)")
        }
    }

    @Test func alerts() {
        #expect(TLSError.certificate(.violates(.certificateVersion)).alert == .unsupportedCertificate)
        #expect(TLSError.certificate(.violates(.fieldNotInVersion)).alert == .badCertificate)
        #expect(TLSError.certificate(.violates(.signatureAlgorithmMismatch)).alert == .badCertificate)
    }
}
