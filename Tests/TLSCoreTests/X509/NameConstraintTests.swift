import Foundation
import Testing
import TLSCore

/// Name constraints per form (RFC 5280 §4.2.1.10) over built chains: a constrained
/// intermediate under the built root, and a leaf with the names under test.
@Suite struct X509NameConstraintTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let chain: [[UInt8]]
        let name: PKI.Name
        let expected: CertificateError?
        var description: String { label }
    }

    static func make(_ label: String, permitted: [[UInt8]] = [], excluded: [[UInt8]] = [],
                     name: PKI.Name = .none, expect expected: CertificateError?,
                     leaf change: (inout TestCertificate) -> Void) -> Case {
        let ca = BuiltPKI.intermediate { $0.extensions.append(Ext.nameConstraints(permitted: permitted, excluded: excluded)) }
        let leaf = BuiltPKI.leaf(change)
        return Case(label: label, chain: [leaf, ca], name: name, expected: expected)
    }

    static func emails(_ addresses: String...) -> (inout TestCertificate) -> Void {
        { $0.extensions.set(Ext.subjectAltName(addresses.map { Ext.email($0) })) }
    }

    static func subject(_ attributes: [([UInt8], String)], san: Bool = false) -> (inout TestCertificate) -> Void {
        {
            $0.subject = DERW.name(attributes)
            if !san { $0.extensions.remove(17) }
        }
    }

    static func uris(_ texts: String...) -> (inout TestCertificate) -> Void {
        { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost")] + texts.map { Ext.uri($0) })) }
    }

    // GeneralName forms this validator does not process (RFC 5280 §4.2.1.6).
    static let otherName = DERW.tlv(0xA0, DERW.oid([0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09])
                                    + DERW.context(0, constructed: true, DERW.utf8("x@example.com")))
    static let x400Address = DERW.tlv(0xA3, DERW.seq())
    static let ediPartyName = DERW.tlv(0xA5, DERW.context(1, constructed: true, DERW.utf8("party")))
    static let registeredID = DERW.tlv(0x88, [0x2B, 0x06, 0x01, 0x04, 0x01])

    static let goodOrg = Ext.directory(DERW.name([(DERW.organization, "Good Org")]))
    static let badOrg = Ext.directory(DERW.name([(DERW.organization, "Bad Org")]))

    static let cases: [Case] = [
        // rfc822Name: a host, a domain below, one mailbox.
        make("mailbox on the permitted host", permitted: [Ext.email("example.com")], expect: nil,
             leaf: emails("a@example.com")),
        make("mailbox below the permitted host", permitted: [Ext.email("example.com")],
             expect: .nameConstraintViolation, leaf: emails("a@sub.example.com")),
        make("mailbox below a permitted .domain", permitted: [Ext.email(".example.com")], expect: nil,
             leaf: emails("a@sub.example.com")),
        make("mailbox on the .domain itself", permitted: [Ext.email(".example.com")],
             expect: .nameConstraintViolation, leaf: emails("a@example.com")),
        make("the permitted mailbox, host in another case", permitted: [Ext.email("alice@example.com")], expect: nil,
             leaf: emails("alice@EXAMPLE.com")),
        make("local part in another case", permitted: [Ext.email("alice@example.com")],
             expect: .nameConstraintViolation, leaf: emails("Alice@example.com")),
        make("excluded host", excluded: [Ext.email("bad.example")], expect: .nameConstraintViolation,
             leaf: emails("x@good.example", "x@bad.example")),
        make("outside the excluded host", excluded: [Ext.email("bad.example")], expect: nil,
             leaf: emails("x@good.example")),
        make("not a mailbox, permitted list", permitted: [Ext.email("example.com")],
             expect: .nameConstraintViolation, leaf: emails("example.com")),
        make("not a mailbox, excluded list", excluded: [Ext.email("bad.example")],
             expect: .nameConstraintViolation, leaf: emails("a@b@bad.example")),
        make("DNS names untouched by rfc822 constraints", permitted: [Ext.email("example.com")],
             name: .host("localhost"), expect: nil, leaf: { _ in }),
        // The subject's emailAddress when there is no subjectAltName.
        make("subject emailAddress permitted", permitted: [Ext.email("example.com")], expect: nil,
             leaf: subject([(DERW.commonName, "device"), (DERW.emailAddress, "ops@example.com")])),
        make("subject emailAddress outside", permitted: [Ext.email("example.com")],
             expect: .nameConstraintViolation,
             leaf: subject([(DERW.commonName, "device"), (DERW.emailAddress, "ops@other.org")])),
        make("subject emailAddress ignored beside a SAN", permitted: [Ext.email("example.com")],
             name: .host("localhost"), expect: nil,
             leaf: subject([(DERW.commonName, "localhost"), (DERW.emailAddress, "ops@other.org")], san: true)),
        // directoryName: the subject DN and directoryName SANs.
        make("subject within the permitted directory", permitted: [goodOrg], expect: nil,
             leaf: subject([(DERW.organization, "Good Org"), (DERW.commonName, "device")])),
        make("subject outside the permitted directory", permitted: [goodOrg], expect: .nameConstraintViolation,
             leaf: subject([(DERW.organization, "Bad Org"), (DERW.commonName, "device")])),
        make("subject shorter than the constraint", permitted: [Ext.directory(DERW.name([(DERW.organization, "Good Org"), (DERW.commonName, "device")]))],
             expect: .nameConstraintViolation, leaf: subject([(DERW.organization, "Good Org")])),
        make("subject in the excluded directory", excluded: [badOrg], expect: .nameConstraintViolation,
             leaf: subject([(DERW.organization, "Bad Org"), (DERW.commonName, "device")])),
        make("empty subject, directory constraints", permitted: [goodOrg], name: .host("localhost"), expect: nil, leaf: {
            $0.subject = DERW.name(nil)
            $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost")], critical: true))
        }),
        make("directoryName SAN outside", permitted: [goodOrg], expect: .nameConstraintViolation, leaf: {
            $0.subject = DERW.name([(DERW.organization, "Good Org")])
            $0.extensions.set(Ext.subjectAltName([Ext.directory(DERW.name([(DERW.organization, "Bad Org")]))]))
        }),
        // Malformed dNSName constraints.
        make("dNSName constraint with a leading period", permitted: [Ext.dns(".example.com")],
             name: .host("www.example.com"), expect: .violates(.nameConstraintSyntax),
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.dns("www.example.com")])) }),
        make("dNSName constraint with an empty label", excluded: [Ext.dns("bad..example")],
             expect: .violates(.nameConstraintSyntax), leaf: { _ in }),
        make("empty dNSName constraint: every name", permitted: [Ext.dns("")], name: .host("localhost"),
             expect: nil, leaf: { _ in }),
        // uniformResourceIdentifier: the URI's host against a host or a ".domain" (§4.2.1.10).
        make("URI host equal to the permitted host", permitted: [Ext.uri("example.com")], expect: nil,
             leaf: uris("https://EXAMPLE.com:8443/x")),
        make("URI host below a permitted host", permitted: [Ext.uri("example.com")],
             expect: .nameConstraintViolation, leaf: uris("https://www.example.com/")),
        make("URI host below a permitted .domain", permitted: [Ext.uri(".example.com")], expect: nil,
             leaf: uris("https://user@a.www.example.com/p?q#f")),
        make("URI host the .domain itself", permitted: [Ext.uri(".example.com")],
             expect: .nameConstraintViolation, leaf: uris("https://example.com/")),
        make("URI host in the excluded .domain", excluded: [Ext.uri(".bad.example")],
             expect: .nameConstraintViolation, leaf: uris("https://good.example/", "ftp://x.bad.example")),
        make("URI host outside the excluded .domain", excluded: [Ext.uri(".bad.example")], expect: nil,
             leaf: uris("https://good.example/")),
        // No FQDN host: rejected whichever list constrains URIs.
        make("URI with an IPv6 literal host", permitted: [Ext.uri(".example.com")],
             expect: .nameConstraintViolation, leaf: uris("https://[::1]/")),
        make("URI with an IPv4 host", excluded: [Ext.uri(".bad.example")],
             expect: .nameConstraintViolation, leaf: uris("https://10.0.0.1/")),
        make("URI without an authority", excluded: [Ext.uri(".bad.example")],
             expect: .nameConstraintViolation, leaf: uris("urn:isbn:0451450523")),
        make("URI constraint that is not a host", permitted: [Ext.uri("https://example.com/")],
             expect: .nameConstraintViolation, leaf: uris("https://example.com/")),
        make("URI constraint, no URI name", permitted: [Ext.uri("example.com")], name: .host("localhost"),
             expect: nil, leaf: { _ in }),
        // Forms not processed: refused by name when the leaf has a name of that form.
        make("otherName constraint, otherName name", permitted: [otherName], expect: .violates(.nameConstraintFormNotProcessed),
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), otherName])) }),
        make("x400Address constraint, x400Address name", excluded: [x400Address],
             expect: .violates(.nameConstraintFormNotProcessed),
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), x400Address])) }),
        make("ediPartyName constraint, ediPartyName name", permitted: [ediPartyName],
             expect: .violates(.nameConstraintFormNotProcessed),
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), ediPartyName])) }),
        make("registeredID constraint, registeredID name", permitted: [registeredID],
             expect: .violates(.nameConstraintFormNotProcessed),
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.dns("localhost"), registeredID])) }),
        make("registeredID constraint, no registeredID name", permitted: [registeredID], name: .host("localhost"),
             expect: nil, leaf: { _ in }),
        // iPAddress constraints reach an IP literal given as the host name.
        make("IP literal host inside", permitted: [Ext.ip([10, 0, 0, 0, 255, 0, 0, 0])], name: .host("10.1.2.3"),
             expect: nil, leaf: { $0.extensions.set(Ext.subjectAltName([Ext.ip([10, 1, 2, 3])])) }),
        make("IP literal host outside", permitted: [Ext.ip([10, 0, 0, 0, 255, 0, 0, 0])], name: .host("192.168.1.1"),
             expect: .nameConstraintViolation,
             leaf: { $0.extensions.set(Ext.subjectAltName([Ext.ip([192, 168, 1, 1])])) }),
    ]

    @Test(arguments: cases)
    func constraint(_ c: Case) {
        #expect(TLSError.certificate(.violates(.nameConstraintFormNotProcessed)).alert == .unsupportedCertificate)
        #expect(PKI.validate(c.chain, anchors: BuiltPKI.root, name: c.name, purpose: .serverAuth)
                == c.expected.map { .certificate($0) }, "\(c.label)")
    }
}
