import Testing
import TLSCore

/// (EC)DHE known answers, each re-computed with Python's `cryptography` before it went in:
/// X25519 from RFC 7748 §5.2 (the two single-iteration vectors) and §6.1 (Alice and Bob);
/// P-256 and P-384 from RFC 5903 §8.1 and §8.2 (i, g^i, r, g^r, g^ir).
@Suite struct ECDHETests {
    /// Imports `privateKey`, checks the public value it writes, and returns the shared secret
    /// with `peer`.
    static func agree(_ group: NamedGroup, privateKey: [UInt8], expectedPublic: [UInt8]?, peer: [UInt8]) throws(TLSError) -> [UInt8] {
        var key = try ECDHE(group: group, privateKey: privateKey.span)
        #expect(key.group == group)
        if let expectedPublic {
            var n = 0
            let pub = try filled(group.publicKeyLength) { (o) throws(TLSError) in n = try key.writePublicKey(into: &o) }
            #expect(n == group.publicKeyLength)
            #expect(pub.hex == expectedPublic.hex)
        }
        var random = try makeTestRandom()
        var n = 0
        let secret = try filled(group.sharedSecretLength) { (o) throws(TLSError) in
            n = try key.sharedSecret(peerPublicKey: peer.span, random: &random, into: &o)
        }
        #expect(n == group.sharedSecretLength)
        return secret
    }

    /// The error `sharedSecret` throws for `peer`, using a valid own key on `group`.
    static func refusal(_ group: NamedGroup, peer: [UInt8]) -> TLSError? {
        thrownError { () throws(TLSError) in
            var random = try makeTestRandom()
            var key = try ECDHE(group: group, random: &random)
            _ = try filled(group.sharedSecretLength) { (o) throws(TLSError) in
                _ = try key.sharedSecret(peerPublicKey: peer.span, random: &random, into: &o)
            }
        }
    }

    @Test func groupLengths() {
        #expect(NamedGroup.secp256r1.rawValue == 23 && NamedGroup.secp384r1.rawValue == 24 && NamedGroup.x25519.rawValue == 29)
        #expect(NamedGroup.secp256r1.publicKeyLength == 65 && NamedGroup.secp256r1.sharedSecretLength == 32)
        #expect(NamedGroup.secp384r1.publicKeyLength == 97 && NamedGroup.secp384r1.sharedSecretLength == 48)
        #expect(NamedGroup.x25519.publicKeyLength == 32 && NamedGroup.x25519.sharedSecretLength == 32)
    }

    // MARK: X25519

    @Test func rfc7748Section5_2() throws {
        // Scalars are used as given; the import clamps them (RFC 7748 §5).
        #expect(try Self.agree(.x25519,
            privateKey: [UInt8](hex: "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), expectedPublic: nil,
            peer: [UInt8](hex: "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")).hex
            == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        // The u-coordinate's top bit is set here and must be masked (RFC 7748 §5).
        #expect(try Self.agree(.x25519,
            privateKey: [UInt8](hex: "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"), expectedPublic: nil,
            peer: [UInt8](hex: "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")).hex
            == "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")
    }

    static let alicePrivate = [UInt8](hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    static let alicePublic = [UInt8](hex: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    static let bobPrivate = [UInt8](hex: "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    static let bobPublic = [UInt8](hex: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    static let aliceBobShared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

    @Test func rfc7748Section6_1() throws {
        #expect(try Self.agree(.x25519, privateKey: Self.alicePrivate, expectedPublic: Self.alicePublic, peer: Self.bobPublic).hex
            == Self.aliceBobShared)
        #expect(try Self.agree(.x25519, privateKey: Self.bobPrivate, expectedPublic: Self.bobPublic, peer: Self.alicePublic).hex
            == Self.aliceBobShared)
    }

    /// RFC 8448 §3: the client's X25519 key and the server's share give the trace's shared
    /// secret (the IKM of HKDFTests' handshake secret).
    @Test func rfc8448SharedSecret() throws {
        #expect(try Self.agree(.x25519,
            privateKey: [UInt8](hex: "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"),
            expectedPublic: [UInt8](hex: "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"),
            peer: [UInt8](hex: "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f")).hex
            == "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
    }

    // MARK: NIST curves (RFC 5903)

    struct NISTVector: Sendable, CustomTestStringConvertible {
        let name: String
        let group: NamedGroup
        let i: String, gix: String, giy: String
        let r: String, grx: String, gry: String
        let girx: String
        var testDescription: String { name }
    }

    static let nist: [NISTVector] = [
        NISTVector(name: "RFC 5903 8.1 (P-256)", group: .secp256r1,
            i: "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
            gix: "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
            giy: "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
            r: "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
            grx: "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
            gry: "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
            girx: "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"),
        NISTVector(name: "RFC 5903 8.2 (P-384)", group: .secp384r1,
            i: "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
            gix: "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA",
            giy: "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
            r: "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
            grx: "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571",
            gry: "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
            girx: "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"),
    ]

    @Test(arguments: nist)
    func rfc5903(_ v: NISTVector) throws {
        let gi = [0x04] + [UInt8](hex: v.gix + v.giy)
        let gr = [0x04] + [UInt8](hex: v.grx + v.gry)
        #expect(try Self.agree(v.group, privateKey: [UInt8](hex: v.i), expectedPublic: gi, peer: gr).hex == v.girx.lowercased())
        #expect(try Self.agree(v.group, privateKey: [UInt8](hex: v.r), expectedPublic: gr, peer: gi).hex == v.girx.lowercased())
    }

    @Test(arguments: nist)
    func nistPeerKeyRefusals(_ v: NISTVector) {
        let x = [UInt8](hex: v.gix), y = [UInt8](hex: v.giy)
        let good = [0x04] + x + y
        #expect(Self.refusal(v.group, peer: Array(good.dropFirst())) == .invalidPeerKey, "no prefix (wrong length)")
        #expect(Self.refusal(v.group, peer: Array(good.dropLast())) == .invalidPeerKey, "one byte short")
        #expect(Self.refusal(v.group, peer: good + [0]) == .invalidPeerKey, "one byte long")
        #expect(Self.refusal(v.group, peer: []) == .invalidPeerKey, "empty")
        #expect(Self.refusal(v.group, peer: [0x00]) == .invalidPeerKey, "0x00 alone (the point at infinity)")
        #expect(Self.refusal(v.group, peer: [0x03] + x) == .invalidPeerKey, "compressed encoding")
        #expect(Self.refusal(v.group, peer: [0x02] + x + y) == .invalidPeerKey, "0x02 prefix on a full-length point")
        #expect(Self.refusal(v.group, peer: [0x06] + x + y) == .invalidPeerKey, "hybrid encoding")
        var offCurve = good
        offCurve[offCurve.count - 1] ^= 0x01
        #expect(Self.refusal(v.group, peer: offCurve) == .invalidPeerKey, "flipped y bit: off the curve")
        var offCurveX = good
        offCurveX[1] ^= 0x80
        #expect(Self.refusal(v.group, peer: offCurveX) == .invalidPeerKey, "flipped x bit: off the curve")
        #expect(Self.refusal(v.group, peer: [0x04] + [UInt8](repeating: 0, count: x.count * 2)) == .invalidPeerKey,
                "(0, 0)")
        #expect(Self.refusal(v.group, peer: [0x04] + [UInt8](repeating: 0xff, count: x.count * 2)) == .invalidPeerKey,
                "coordinates above p")
        // And the good point is accepted by the same path.
        #expect(Self.refusal(v.group, peer: good) == nil)
    }

    @Test func x25519PeerKeyRefusals() {
        #expect(Self.refusal(.x25519, peer: Array(Self.bobPublic.dropLast())) == .invalidPeerKey, "31 bytes")
        #expect(Self.refusal(.x25519, peer: Self.bobPublic + [0]) == .invalidPeerKey, "33 bytes")
        #expect(Self.refusal(.x25519, peer: []) == .invalidPeerKey, "empty")
        #expect(Self.refusal(.x25519, peer: [0x04] + Self.bobPublic) == .invalidPeerKey, "prefixed")
        // Low-order points give an all-zero secret, which RFC 7748 §6.1 / RFC 8446 §7.4.2 refuse:
        // u = 0 and u = 1 (Python's X25519 refuses both too).
        #expect(Self.refusal(.x25519, peer: [UInt8](repeating: 0, count: 32)) == .invalidPeerKey, "u = 0")
        #expect(Self.refusal(.x25519, peer: [1] + [UInt8](repeating: 0, count: 31)) == .invalidPeerKey, "u = 1")
        #expect(Self.refusal(.x25519, peer: Self.bobPublic) == nil)
    }

    @Test func importRefusesBadPrivateKeys() {
        #expect(thrownError { () throws(TLSError) in _ = try ECDHE(group: .x25519, privateKey: [UInt8](repeating: 1, count: 31).span) } != nil)
        #expect(thrownError { () throws(TLSError) in _ = try ECDHE(group: .secp256r1, privateKey: [UInt8](repeating: 0, count: 32).span) } != nil,
                "zero scalar")
        #expect(thrownError { () throws(TLSError) in _ = try ECDHE(group: .secp256r1, privateKey: [UInt8](repeating: 0xff, count: 32).span) } != nil,
                "scalar above the order")
    }

    @Test(arguments: [NamedGroup.secp256r1, .secp384r1, .x25519])
    func freshPairsAgree(_ group: NamedGroup) throws {
        var random = try makeTestRandom()
        var alice = try ECDHE(group: group, random: &random)
        var bob = try ECDHE(group: group, random: &random)
        let alicePub = try filled(group.publicKeyLength) { (o) throws(TLSError) in _ = try alice.writePublicKey(into: &o) }
        let bobPub = try filled(group.publicKeyLength) { (o) throws(TLSError) in _ = try bob.writePublicKey(into: &o) }
        #expect(alicePub != bobPub)
        if group != .x25519 { #expect(alicePub[0] == 0x04) }
        let a = try filled(group.sharedSecretLength) { (o) throws(TLSError) in
            _ = try alice.sharedSecret(peerPublicKey: bobPub.span, random: &random, into: &o)
        }
        let b = try filled(group.sharedSecretLength) { (o) throws(TLSError) in
            _ = try bob.sharedSecret(peerPublicKey: alicePub.span, random: &random, into: &o)
        }
        #expect(a == b)
        #expect(a.contains { $0 != 0 })
        // Moving the key pair keeps it usable.
        let moved = consume alice
        var movedAgain = moved
        let c = try filled(group.sharedSecretLength) { (o) throws(TLSError) in
            _ = try movedAgain.sharedSecret(peerPublicKey: bobPub.span, random: &random, into: &o)
        }
        #expect(c == a)
    }

    @Test func outputTooSmall() throws {
        var random = try makeTestRandom()
        let key = try ECDHE(group: .secp256r1, random: &random)
        let error = thrownError { () throws(TLSError) in
            _ = try filled(64) { (o) throws(TLSError) in _ = try key.writePublicKey(into: &o) }
        }
        #expect(error == .bufferTooSmall(needed: 65, capacity: 64))
    }
}
