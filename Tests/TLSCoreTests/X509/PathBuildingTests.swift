import Foundation
import Testing
import TLSCore

/// Path building with backtracking over built chains: several candidate issuers of the same
/// name, the preference for a matching key identifier, and the work bounds.
@Suite struct X509PathBuildingTests {
    let root = BuiltPKI.root
    let leaf = BuiltPKI.leaf()
    let good = BuiltPKI.intermediate

    /// The same intermediate (name, key, SKI) expired: both candidates verify the leaf's
    /// signature, only the second makes a valid path.
    var stale: [UInt8] {
        BuiltPKI.intermediate { $0.notBefore = DERW.utc("100101000000Z"); $0.notAfter = DERW.utc("200101000000Z") }
    }

    @Test func secondCandidateIntermediate() {
        #expect(PKI.validate([leaf, stale, good], anchors: root) == nil)
        #expect(PKI.validate([leaf, good, stale], anchors: root) == nil)
        // With only the stale copy, its own failure is what is reported.
        #expect(PKI.validate([leaf, stale], anchors: root) == PKI.reason(.expired))
        // Four verifications: leaf by the stale copy, the stale copy by the root (refused
        // by the policies), leaf by the good copy, the good copy by the root.
        #expect(PKI.validate([leaf, stale, good], anchors: root, signatureBudget: 4) == nil)
        #expect(PKI.validate([leaf, stale, good], anchors: root, signatureBudget: 3)
                == PKI.reason(.violates(.signatureBudget)))
    }

    /// A cross-signed intermediate: the same CA certified by an untrusted root and by the
    /// trusted one. The first copy verifies the leaf but leads nowhere; the search goes back.
    @Test func crossSignedIntermediate() {
        let untrustedKey = TestKey("client-ec")
        let byUntrusted = TestCertificate.ca(BuiltPKI.intName, key: BuiltPKI.intKey, issuer: "Untrusted Root",
                                             issuerKey: untrustedKey).signed(by: untrustedKey)
        let untrustedRoot = TestCertificate.ca("Untrusted Root", key: untrustedKey).signed(by: untrustedKey)
        #expect(PKI.validate([leaf, byUntrusted, untrustedRoot, good], anchors: root) == nil)
        #expect(PKI.validate([leaf, byUntrusted, untrustedRoot], anchors: root) == PKI.reason(.unknownIssuer))
        // Trusting only the other root validates through the other copy.
        #expect(PKI.validate([leaf, good, byUntrusted], anchors: untrustedRoot) == nil)
    }

    /// Decoys: intermediates with the issuer's name but other keys, without key identifiers
    /// (so the AKI/SKI preference cannot skip them). Each costs one verification.
    func decoys(_ count: Int) -> [[UInt8]] {
        let keys = ["client-ec", "client-ec-revoked", "int-no-certsign", "int-nc", "nc-ok", "nc-excluded",
                    "nc-outside", "nc-ip-ok", "nc-ip-bad", "server-ec384", "server-wildcard", "server-ip",
                    "server-expired", "server-notyet", "server-wrongname"]
        return (0..<count).map { i in
            var decoy = TestCertificate.ca(BuiltPKI.intName, key: TestKey(keys[i]), issuer: BuiltPKI.rootName,
                                           issuerKey: BuiltPKI.rootKey)
            decoy.extensions.remove(14)
            decoy.extensions.remove(35)
            return decoy.signed(by: BuiltPKI.rootKey)
        }
    }

    @Test func decoyIssuersWithinTheBudget() {
        let noAKI = BuiltPKI.leaf { $0.extensions.remove(35) }
        let many = decoys(14)
        // 14 decoys, the real intermediate last, the root: 16 verifications, the default.
        #expect(PKI.validate([noAKI] + many + [good], anchors: root) == nil)
        #expect(PKI.validate([noAKI] + many + [good], anchors: root, signatureBudget: 15)
                == PKI.reason(.violates(.signatureBudget)))
        // Decoys only: refused by the budget, not after trying them all.
        #expect(PKI.validate([noAKI] + decoys(15), anchors: root, signatureBudget: 8)
                == PKI.reason(.violates(.signatureBudget)))
        // Under the budget, decoys alone are a bad signature.
        #expect(PKI.validate([noAKI] + decoys(3), anchors: root) == PKI.reason(.badSignature))
    }

    /// A candidate whose subjectKeyIdentifier equals the leaf's authorityKeyIdentifier is
    /// tried before the decoys, wherever it is in the chain: two verifications in all.
    @Test func keyIdentifierPreference() {
        var withSKI = decoys(5)
        // Give the decoys a (wrong) subjectKeyIdentifier: tried last, not at all here.
        withSKI = (0..<5).map { i in
            var decoy = TestCertificate.ca(BuiltPKI.intName, key: TestKey(["client-ec", "nc-ok", "nc-outside", "nc-ip-ok", "int-nc"][i]),
                                           issuer: BuiltPKI.rootName, issuerKey: BuiltPKI.rootKey)
            decoy.extensions.remove(35)
            return decoy.signed(by: BuiltPKI.rootKey)
        }
        #expect(PKI.validate([leaf] + withSKI + [good], anchors: root, signatureBudget: 2) == nil)
        // Without identifiers on the leaf, the decoys come first in chain order.
        let noAKI = BuiltPKI.leaf { $0.extensions.remove(35) }
        #expect(PKI.validate([noAKI] + decoys(5) + [good], anchors: root, signatureBudget: 2)
                == PKI.reason(.violates(.signatureBudget)))
    }

    /// An issuer loop (A certifies B, B certifies A) ends: no entry is used twice.
    @Test func issuerLoopEnds() {
        let keyA = TestKey("client-ec"), keyB = TestKey("nc-ok")
        let aByB = TestCertificate.ca("Loop A", key: keyA, issuer: "Loop B", issuerKey: keyB).signed(by: keyB)
        let bByA = TestCertificate.ca("Loop B", key: keyB, issuer: "Loop A", issuerKey: keyA).signed(by: keyA)
        var leafUnderA = TestCertificate.leaf(issuer: "Loop A", issuerKey: keyA)
        leafUnderA.serial = [0x42]
        let start = Date()
        #expect(PKI.validate([leafUnderA.signed(by: keyA), aByB, bByA], anchors: root) == PKI.reason(.unknownIssuer))
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// Thousands of names against thousands of subtrees: refused by the comparison bound
    /// before any comparison, quickly.
    @Test func nameConstraintWorkloadIsBounded() {
        let subtrees = (0..<1500).map { Ext.dns("permitted\($0).example") }
        let constrained = BuiltPKI.intermediate { $0.extensions.append(Ext.nameConstraints(permitted: subtrees)) }
        let names = (0..<1500).map { Ext.dns("host\($0).permitted7.example") } + [Ext.dns("localhost")]
        let heavy = BuiltPKI.leaf { $0.extensions.set(Ext.subjectAltName(names)) }
        let start = Date()
        #expect(PKI.validate([heavy, constrained], anchors: root) == PKI.reason(.violates(.nameConstraintBudget)))
        #expect(Date().timeIntervalSince(start) < 5)
        // A few names under the same constraints are checked (and "localhost" is outside them).
        let light = BuiltPKI.leaf { $0.extensions.set(Ext.subjectAltName([Ext.dns("a.permitted3.example")])) }
        #expect(PKI.validate([light, constrained], anchors: root, name: .host("a.permitted3.example")) == nil)
        #expect(PKI.validate([leaf, constrained], anchors: root) == PKI.reason(.nameConstraintViolation))
        // The budget is the caller's: a large one lets the heavy leaf be computed (and fail).
        #expect(PKI.validate([heavy, constrained], anchors: root, nameConstraintBudget: 4_000_000)
                == PKI.reason(.nameConstraintViolation))
    }

    @Test func builtChainIsValidInBothProfiles() {
        #expect(PKI.validate([leaf, good], anchors: root) == nil)
        #expect(PKI.validate([leaf, good], anchors: root, profile: .webpki) == nil)
    }

    /// RFC 5280 §7.1: an issuer name re-encoded (another string type, case, spaces) still
    /// matches the CA's subject; a different name does not.
    @Test func issuerNamesCompareAsNames() {
        let printable = DERW.seq(DERW.set(DERW.seq(DERW.oid(DERW.commonName), DERW.printable("Built Test Intermediate"))))
        let ca = BuiltPKI.intermediate { $0.subject = printable }
        let reencoded = BuiltPKI.leaf { $0.issuer = DERW.seq(DERW.set(DERW.seq(DERW.oid(DERW.commonName), DERW.utf8("  built  TEST intermediate ")))) }
        #expect(PKI.validate([reencoded, ca], anchors: root) == nil)
        #expect(PKI.validate([reencoded, good], anchors: root) == nil)
        for other in ["Built Test Intermediat", "Built TestIntermediate", "Built Test Intermediate X"] {
            let leaf = BuiltPKI.leaf { $0.issuer = DERW.name(other) }
            #expect(PKI.validate([leaf, ca], anchors: root) == PKI.reason(.unknownIssuer), "\(other)")
        }
    }
}
