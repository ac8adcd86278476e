import Foundation
import TLSCore

/// A small DER writer (and splitter) for certificates built in the tests: every rule the
/// validator enforces gets a certificate that breaks exactly that rule, signed with the
/// fixture keys (Tests/Fixtures/pki/*.key.der) through the core's own PrivateKey.
enum DERW {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let n = content.count
        var out: [UInt8] = [tag]
        if n < 0x80 {
            out.append(UInt8(n))
        } else if n < 0x100 {
            out += [0x81, UInt8(n)]
        } else if n < 0x10000 {
            out += [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out += [0x83, UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        }
        return out + content
    }

    static func seq(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    static func seq(all parts: [[UInt8]]) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    static func set(_ parts: [UInt8]...) -> [UInt8] { tlv(0x31, parts.flatMap { $0 }) }
    static func oid(_ contents: [UInt8]) -> [UInt8] { tlv(0x06, contents) }
    static func integer(_ contents: [UInt8]) -> [UInt8] { tlv(0x02, contents) }
    static func bool(_ value: Bool) -> [UInt8] { tlv(0x01, [value ? 0xFF : 0x00]) }
    static func octets(_ contents: [UInt8]) -> [UInt8] { tlv(0x04, contents) }
    static func bits(_ contents: [UInt8], unused: UInt8 = 0) -> [UInt8] { tlv(0x03, [unused] + contents) }
    static func utf8(_ text: String) -> [UInt8] { tlv(0x0C, Array(text.utf8)) }
    static func printable(_ text: String) -> [UInt8] { tlv(0x13, Array(text.utf8)) }
    static func utc(_ text: String) -> [UInt8] { tlv(0x17, Array(text.utf8)) }
    static func generalized(_ text: String) -> [UInt8] { tlv(0x18, Array(text.utf8)) }
    static func context(_ n: UInt8, constructed: Bool, _ content: [UInt8]) -> [UInt8] {
        tlv((constructed ? 0xA0 : 0x80) | n, content)
    }

    /// A Name of one CN attribute, or the empty Name.
    static func name(_ commonName: String?) -> [UInt8] {
        guard let commonName else { return seq() }
        return seq(set(seq(oid([0x55, 0x04, 0x03]), utf8(commonName))))
    }

    static let organization: [UInt8] = [0x55, 0x04, 0x0A]
    static let commonName: [UInt8] = [0x55, 0x04, 0x03]
    static let emailAddress: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01]

    /// A Name of one attribute per RDN, in order (emailAddress as IA5String, others UTF8String).
    static func name(_ attributes: [([UInt8], String)]) -> [UInt8] {
        seq(all: attributes.map { type, value in
            set(seq(oid(type), type == emailAddress ? tlv(0x16, Array(value.utf8)) : utf8(value)))
        })
    }

    /// The whole TLV elements of a concatenation.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            var n = Int(bytes[i + 1])
            var header = 2
            if n & 0x80 != 0 {
                let count = n & 0x7F
                n = 0
                for k in 0..<count { n = n << 8 | Int(bytes[i + 2 + k]) }
                header += count
            }
            out.append(Array(bytes[i..<(i + header + n)]))
            i += header + n
        }
        return out
    }

    /// The contents of one TLV.
    static func contents(_ element: [UInt8]) -> [UInt8] {
        var header = 2
        if element[1] & 0x80 != 0 { header += Int(element[1] & 0x7F) }
        return Array(element[header...])
    }
}

/// GeneralName and extension bodies (RFC 5280 §4.2).
enum Ext {
    struct Extension {
        var oid: [UInt8]
        /// nil: the DEFAULT (absent); false: FALSE encoded explicitly.
        var critical: Bool?
        var value: [UInt8]
        /// The whole Extension as given, for encodings the fields cannot express.
        var raw: [UInt8]? = nil

        var encoded: [UInt8] {
            if let raw { return raw }
            var parts = DERW.oid(oid)
            if let critical { parts += DERW.bool(critical) }
            return DERW.tlv(0x30, parts + DERW.octets(value))
        }
    }

    static func ce(_ arc: UInt8) -> [UInt8] { [0x55, 0x1D, arc] }

    static func dns(_ name: String) -> [UInt8] { DERW.tlv(0x82, Array(name.utf8)) }
    static func ip(_ octets: [UInt8]) -> [UInt8] { DERW.tlv(0x87, octets) }
    static func email(_ address: String) -> [UInt8] { DERW.tlv(0x81, Array(address.utf8)) }
    static func uri(_ text: String) -> [UInt8] { DERW.tlv(0x86, Array(text.utf8)) }
    static func directory(_ name: [UInt8]) -> [UInt8] { DERW.tlv(0xA4, name) }

    static func basicConstraints(ca: Bool?, pathLength: Int? = nil, critical: Bool? = true) -> Extension {
        var fields: [UInt8] = []
        if let ca { fields += DERW.bool(ca) }
        if let pathLength { fields += DERW.integer([UInt8(pathLength)]) }
        return Extension(oid: ce(19), critical: critical, value: DERW.tlv(0x30, fields))
    }

    /// keyUsage from the bit numbers of RFC 5280 §4.2.1.3 (0 digitalSignature, 5 keyCertSign …).
    static func keyUsage(_ bitNumbers: [Int], critical: Bool? = true) -> Extension {
        let highest = bitNumbers.max() ?? 0
        var bytes = [UInt8](repeating: 0, count: highest / 8 + 1)
        for bit in bitNumbers { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        let unused = UInt8(7 - highest % 8)
        return Extension(oid: ce(15), critical: critical, value: DERW.bits(bytes, unused: unused))
    }

    static let serverAuth: [UInt8] = [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]
    static let clientAuth: [UInt8] = [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02]
    static let anyEKU: [UInt8] = [0x55, 0x1D, 0x25, 0x00]

    static func extendedKeyUsage(_ purposes: [[UInt8]], critical: Bool? = nil) -> Extension {
        Extension(oid: ce(37), critical: critical, value: DERW.seq(all: purposes.map { DERW.oid($0) }))
    }

    static func subjectAltName(_ names: [[UInt8]], critical: Bool? = nil) -> Extension {
        Extension(oid: ce(17), critical: critical, value: DERW.seq(all: names))
    }

    static func subjectKeyIdentifier(_ id: [UInt8], critical: Bool? = nil) -> Extension {
        Extension(oid: ce(14), critical: critical, value: DERW.octets(id))
    }

    static func authorityKeyIdentifier(_ id: [UInt8], critical: Bool? = nil) -> Extension {
        Extension(oid: ce(35), critical: critical, value: DERW.seq(DERW.context(0, constructed: false, id)))
    }

    static func nameConstraints(permitted: [[UInt8]] = [], excluded: [[UInt8]] = [], critical: Bool? = true) -> Extension {
        var fields: [UInt8] = []
        if !permitted.isEmpty { fields += DERW.context(0, constructed: true, permitted.flatMap { DERW.seq($0) }) }
        if !excluded.isEmpty { fields += DERW.context(1, constructed: true, excluded.flatMap { DERW.seq($0) }) }
        return Extension(oid: ce(30), critical: critical, value: DERW.tlv(0x30, fields))
    }

    static func policyConstraints(critical: Bool?) -> Extension {
        Extension(oid: ce(36), critical: critical, value: DERW.seq(DERW.context(0, constructed: false, [0])))
    }

    /// certificatePolicies with one policy OID (2.23.140.1.2.1, CA/B domain-validated).
    static func certificatePolicies(critical: Bool?) -> Extension {
        Extension(oid: ce(32), critical: critical, value: DERW.seq(DERW.seq(DERW.oid([0x67, 0x81, 0x0C, 0x01, 0x02, 0x01]))))
    }

    /// policyMappings: one pair of policy OIDs.
    static func policyMappings(critical: Bool?) -> Extension {
        let policy = DERW.oid([0x67, 0x81, 0x0C, 0x01, 0x02, 0x01])
        return Extension(oid: ce(33), critical: critical, value: DERW.seq(DERW.seq(policy, policy)))
    }

    /// inhibitAnyPolicy (2.5.29.54): SkipCerts 0.
    static func inhibitAnyPolicy(critical: Bool?) -> Extension {
        Extension(oid: ce(54), critical: critical, value: DERW.integer([0]))
    }

    static func privateExtension(_ last: UInt8, critical: Bool? = nil) -> Extension {
        Extension(oid: [0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xB2, 0x03, last], critical: critical, value: DERW.tlv(0x05, []))
    }
}

/// A P-256 fixture key: its PKCS#8 DER (for signing) and its SubjectPublicKeyInfo (taken
/// from the fixture certificate of the same name).
struct TestKey {
    let pkcs8: [UInt8]
    let spki: [UInt8]
    /// A key identifier for SKI / AKI: stable per key.
    let id: [UInt8]

    init(_ fixture: String) {
        pkcs8 = PKI.data(fixture + ".key.der")
        let certificate = DERW.split(PKI.der(fixture))[0]
        let tbs = DERW.split(DERW.contents(DERW.split(DERW.contents(certificate))[0]))
        // [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo
        spki = tbs[6]
        id = Array(spki.suffix(20))
    }

    /// A key that only exists as a SubjectPublicKeyInfo (the leaf's key is never used to
    /// sign during validation): RSA with the given modulus and exponent.
    init(rsaModulus: [UInt8], exponent: [UInt8]) {
        pkcs8 = []
        let rsaAlgorithm = DERW.seq(DERW.oid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]), DERW.tlv(0x05, []))
        spki = DERW.seq(rsaAlgorithm, DERW.bits(DERW.seq(DERW.integer(rsaModulus), DERW.integer(exponent))))
        id = Array(rsaModulus.suffix(20))
    }
}

/// One certificate to build; defaults make a valid P-256 server leaf for "localhost".
struct TestCertificate {
    var serial: [UInt8] = [0x01, 0x23]
    var issuer: [UInt8]
    var subject: [UInt8] = DERW.name("localhost")
    var notBefore: [UInt8] = DERW.utc("200101000000Z")
    var notAfter: [UInt8] = DERW.generalized("20991231235959Z")
    var key: TestKey
    var extensions: [Ext.Extension]
    /// The version INTEGER's contents ([2]: v3); nil omits the field (v1, the DEFAULT).
    var version: [UInt8]? = [2]
    /// The signature algorithm inside tbsCertificate; nil: the one outside (ecdsaWithSHA256).
    var innerAlgorithm: [UInt8]? = nil
    /// issuerUniqueID / subjectUniqueID fields, encoded, after subjectPublicKeyInfo.
    var uniqueIDs: [UInt8] = []

    static let ecdsaWithSHA256 = DERW.seq(DERW.oid([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]))

    /// A leaf for `host` issued by the CA named `issuer` whose key is `issuerKey`.
    static func leaf(issuer: String, issuerKey: TestKey, key: TestKey = TestKey("server-ec"),
                     names: [[UInt8]] = [Ext.dns("localhost")]) -> TestCertificate {
        TestCertificate(
            issuer: DERW.name(issuer), key: key,
            extensions: [
                Ext.basicConstraints(ca: nil, critical: true),
                Ext.keyUsage([0]),
                Ext.extendedKeyUsage([Ext.serverAuth]),
                Ext.subjectKeyIdentifier(key.id),
                Ext.authorityKeyIdentifier(issuerKey.id),
                Ext.subjectAltName(names),
            ])
    }

    /// A CA named `name` with key `key`, issued by `issuer` (itself when nil: a root).
    static func ca(_ name: String, key: TestKey, issuer: String? = nil, issuerKey: TestKey? = nil,
                   pathLength: Int? = nil) -> TestCertificate {
        var extensions = [
            Ext.basicConstraints(ca: true, pathLength: pathLength),
            Ext.keyUsage([5, 6]),
            Ext.subjectKeyIdentifier(key.id),
        ]
        if let issuerKey { extensions.append(Ext.authorityKeyIdentifier(issuerKey.id)) }
        return TestCertificate(
            serial: [0x10, UInt8(truncatingIfNeeded: name.count)], issuer: DERW.name(issuer ?? name),
            subject: DERW.name(name), key: key, extensions: extensions)
    }

    /// The DER certificate signed (ECDSA P-256, SHA-256) with `signer`.
    func signed(by signer: TestKey) -> [UInt8] {
        var tbs = version.map { DERW.context(0, constructed: true, DERW.integer($0)) } ?? []
        tbs += DERW.integer(serial) + (innerAlgorithm ?? Self.ecdsaWithSHA256) + issuer + DERW.seq(notBefore, notAfter)
            + subject + key.spki + uniqueIDs
        if !extensions.isEmpty {
            tbs += DERW.context(3, constructed: true, DERW.seq(all: extensions.map { $0.encoded }))
        }
        let tbsDER = DERW.tlv(0x30, tbs)
        let signature = Self.sign(tbsDER, with: signer.pkcs8)
        return DERW.seq(tbsDER, Self.ecdsaWithSHA256, DERW.bits(signature))
    }

    static func sign(_ message: [UInt8], with pkcs8: [UInt8]) -> [UInt8] {
        do throws(TLSError) {
            var key = try PrivateKey(der: pkcs8.span)
            var random = try makeTestRandom()
            let hash = try digest(.sha256, message)
            var out = [UInt8](repeating: 0, count: 144)
            var span = out.mutableSpan
            let length = try key.sign(.ecdsa(.sha256), digest: hash.span, random: &random, into: &span)
            return Array(out[0..<length])
        } catch {
            fatalError("signing with a fixture key failed: \(error)")
        }
    }
}

/// A small PKI of built certificates under its own root (keyed with other-root-ec's key,
/// which no fixture chain trusts), for the rule and path-building tests.
enum BuiltPKI {
    static let rootKey = TestKey("other-root-ec")
    static let intKey = TestKey("int-sub")
    static let otherKey = TestKey("int-noca")
    static let rootName = "Built Test Root"
    static let intName = "Built Test Intermediate"

    static let root = TestCertificate.ca(rootName, key: rootKey).signed(by: rootKey)
    static let intermediate = TestCertificate.ca(intName, key: intKey, issuer: rootName, issuerKey: rootKey)
        .signed(by: rootKey)

    /// A leaf under `intermediate`, adjusted by `change`.
    static func leaf(_ change: (inout TestCertificate) -> Void = { _ in }) -> [UInt8] {
        var leaf = TestCertificate.leaf(issuer: intName, issuerKey: intKey)
        change(&leaf)
        return leaf.signed(by: intKey)
    }

    /// An intermediate adjusted by `change`, signed by the root.
    static func intermediate(_ change: (inout TestCertificate) -> Void) -> [UInt8] {
        var ca = TestCertificate.ca(intName, key: intKey, issuer: rootName, issuerKey: rootKey)
        change(&ca)
        return ca.signed(by: rootKey)
    }
}

extension Array where Element == Ext.Extension {
    /// Replaces the extension with `oid`'s OID (or appends it).
    mutating func set(_ ext: Ext.Extension) {
        if let i = firstIndex(where: { $0.oid == ext.oid }) { self[i] = ext } else { append(ext) }
    }

    mutating func remove(_ arc: UInt8) { removeAll { $0.oid == Ext.ce(arc) } }
}

/// One CRL to build (RFC 5280 §5.1), by default from the built intermediate, current,
/// cRLNumber 1, listing nothing.
struct TestCRL {
    var issuer: [UInt8] = DERW.name(BuiltPKI.intName)
    var thisUpdate: [UInt8] = DERW.utc("200101000000Z")
    var nextUpdate: [UInt8]? = DERW.generalized("20991231235959Z")
    /// Serial numbers (INTEGER contents) listed as revoked.
    var revoked: [[UInt8]] = []
    var extensions: [Ext.Extension] = [TestCRL.number([1])]

    static func number(_ value: [UInt8], critical: Bool? = nil) -> Ext.Extension {
        Ext.Extension(oid: Ext.ce(20), critical: critical, value: DERW.integer(value))
    }

    static func delta(base: [UInt8]) -> Ext.Extension {
        Ext.Extension(oid: Ext.ce(27), critical: true, value: DERW.integer(base))
    }

    /// issuingDistributionPoint with the given fields (e.g. [0x81, 0x01, 0xFF] onlyContainsUserCerts).
    static func issuingDistributionPoint(_ fields: [UInt8]) -> Ext.Extension {
        Ext.Extension(oid: Ext.ce(28), critical: true, value: DERW.tlv(0x30, fields))
    }

    func signed(by signer: TestKey) -> [UInt8] {
        var tbs = DERW.integer([1]) + TestCertificate.ecdsaWithSHA256 + issuer + thisUpdate
        if let nextUpdate { tbs += nextUpdate }
        if !revoked.isEmpty {
            tbs += DERW.seq(all: revoked.map { DERW.seq(DERW.integer($0), DERW.utc("200101000000Z")) })
        }
        if !extensions.isEmpty {
            tbs += DERW.context(0, constructed: true, DERW.seq(all: extensions.map { $0.encoded }))
        }
        let tbsDER = DERW.tlv(0x30, tbs)
        return DERW.seq(tbsDER, TestCertificate.ecdsaWithSHA256, DERW.bits(TestCertificate.sign(tbsDER, with: signer.pkcs8)))
    }
}
