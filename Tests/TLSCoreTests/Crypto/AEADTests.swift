import Testing
import TLSCore

/// AEAD known answers, each re-computed with Python's `cryptography` (AESGCM, AESCCM,
/// ChaCha20Poly1305) before it went in:
/// - AES-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (the NIST GCM
///   submission), Appendix B test cases 2, 3, 4 (AES-128) and 14, 15, 16 (AES-256).
/// - AES-CCM_8: NIST SP 800-38C Appendix C, Example 3 (12-byte nonce, 8-byte tag).
/// - AES-CCM (16-byte tag, 12-byte nonce): Project Wycheproof `testvectors/aes_ccm_test.json`,
///   group ivSize 96 / keySize 128 / tagSize 128, tcId 24 and 34.
/// - ChaCha20-Poly1305: RFC 8439 §2.8.2.
@Suite struct AEADTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: AEADAlgorithm
        let key: [UInt8]
        let nonce: [UInt8]
        let aad: [UInt8]
        let plaintext: [UInt8]
        let sealed: [UInt8]  // ciphertext || tag
        var testDescription: String { name }
    }

    static let gcmP = """
        d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
        1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255
        """
    static let gcmP60 = [UInt8](hex: gcmP).prefix(60)
    static let gcmK = "feffe9928665731c6d6a8f9467308308"
    static let gcmIV = [UInt8](hex: "cafebabefacedbaddecaf888")
    static let gcmA = [UInt8](hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2")
    static let gcmC3 = """
        42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
        21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985
        """
    static let gcmC15 = """
        522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
        8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad
        """

    static let vectors: [Vector] = [
        Vector(name: "GCM test case 2", algorithm: .aes128GCM, key: [UInt8](repeating: 0, count: 16),
               nonce: [UInt8](repeating: 0, count: 12), aad: [], plaintext: [UInt8](repeating: 0, count: 16),
               sealed: [UInt8](hex: "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf")),
        Vector(name: "GCM test case 3", algorithm: .aes128GCM, key: [UInt8](hex: gcmK), nonce: gcmIV, aad: [],
               plaintext: [UInt8](hex: gcmP),
               sealed: [UInt8](hex: gcmC3 + "4d5c2af327cd64a62cf35abd2ba6fab4")),
        Vector(name: "GCM test case 4", algorithm: .aes128GCM, key: [UInt8](hex: gcmK), nonce: gcmIV, aad: gcmA,
               plaintext: Array(gcmP60),
               sealed: Array([UInt8](hex: gcmC3).prefix(60)) + [UInt8](hex: "5bc94fbc3221a5db94fae95ae7121a47")),
        Vector(name: "GCM test case 14", algorithm: .aes256GCM, key: [UInt8](repeating: 0, count: 32),
               nonce: [UInt8](repeating: 0, count: 12), aad: [], plaintext: [UInt8](repeating: 0, count: 16),
               sealed: [UInt8](hex: "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")),
        Vector(name: "GCM test case 15", algorithm: .aes256GCM, key: [UInt8](hex: gcmK + gcmK), nonce: gcmIV, aad: [],
               plaintext: [UInt8](hex: gcmP),
               sealed: [UInt8](hex: gcmC15 + "b094dac5d93471bdec1a502270e3cc6c")),
        Vector(name: "GCM test case 16", algorithm: .aes256GCM, key: [UInt8](hex: gcmK + gcmK), nonce: gcmIV, aad: gcmA,
               plaintext: Array(gcmP60),
               sealed: Array([UInt8](hex: gcmC15).prefix(60)) + [UInt8](hex: "76fc6ece0f4e1768cddf8853bb2d551b")),
        Vector(name: "SP 800-38C example 3 (CCM_8)", algorithm: .aes128CCM8,
               key: [UInt8](hex: "404142434445464748494a4b4c4d4e4f"),
               nonce: [UInt8](hex: "101112131415161718191a1b"),
               aad: [UInt8](hex: "000102030405060708090a0b0c0d0e0f10111213"),
               plaintext: [UInt8](hex: "202122232425262728292a2b2c2d2e2f3031323334353637"),
               sealed: [UInt8](hex: "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5" + "484392fbc1b09951")),
        Vector(name: "Wycheproof AES-CCM tcId 24", algorithm: .aes128CCM,
               key: [UInt8](hex: "a3fd2fdcce8a63bfe4eb2db7e42adbe1"),
               nonce: [UInt8](hex: "690e7ad1e05d0d4ab4552cf7"),
               aad: [UInt8](hex: "ab91ec8cc73373"),
               plaintext: [UInt8](hex: "be0231b5c7861f0af7b6381479d25b77"),
               sealed: [UInt8](hex: "a884f769fcc727839d59711fa3cb5ee0" + "f2017e3bd10bb1b43fdcc0feeffc9c68")),
        Vector(name: "Wycheproof AES-CCM tcId 34", algorithm: .aes128CCM,
               key: [UInt8](hex: "875b0b4a84150524eb1f50f9d8de1388"),
               nonce: [UInt8](hex: "fdc5014ed1ad706129d57322"),
               aad: [UInt8](hex: "35a6d9829c8449c4402e385cc5c6fe98"),
               plaintext: [UInt8](hex: "2f575dfb2dbe9d238de576fc63e4ac32"),
               sealed: [UInt8](hex: "3469c3ff738aa32aacc1ac48d89b1d75" + "fa68720a3171a54c4b3690bffde7b610")),
        Vector(name: "RFC 8439 2.8.2", algorithm: .chacha20Poly1305,
               key: Array(0x80...0x9f),
               nonce: [UInt8](hex: "070000004041424344454647"),
               aad: [UInt8](hex: "50515253c0c1c2c3c4c5c6c7"),
               plaintext: Array(("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for"
                   + " the future, sunscreen would be it.").utf8),
               sealed: [UInt8](hex: """
                   d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
                   3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
                   92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
                   3ff4def08e4b7a9de576d26586cec64b6116
                   1ae10b594f09e26a7e902ecbd0600691
                   """)),
    ]

    static let algorithms: [AEADAlgorithm] = [.aes128GCM, .aes256GCM, .chacha20Poly1305, .aes128CCM, .aes128CCM8]

    @Test func lengths() {
        #expect(AEADAlgorithm.aes128GCM.keyLength == 16 && AEADAlgorithm.aes128GCM.tagLength == 16)
        #expect(AEADAlgorithm.aes256GCM.keyLength == 32 && AEADAlgorithm.aes256GCM.tagLength == 16)
        #expect(AEADAlgorithm.chacha20Poly1305.keyLength == 32 && AEADAlgorithm.chacha20Poly1305.tagLength == 16)
        #expect(AEADAlgorithm.aes128CCM.keyLength == 16 && AEADAlgorithm.aes128CCM.tagLength == 16)
        #expect(AEADAlgorithm.aes128CCM8.keyLength == 16 && AEADAlgorithm.aes128CCM8.tagLength == 8)
        for v in Self.vectors { #expect(v.sealed.count == v.plaintext.count + v.algorithm.tagLength, "\(v.name)") }
    }

    /// Opens `sealed` with the vector's key; returns the error, or nil and checks the plaintext.
    static func open(_ v: Vector, nonce: [UInt8]? = nil, aad: [UInt8]? = nil, sealed: [UInt8]) -> TLSError? {
        thrownError { () throws(TLSError) in
            var aead = try AEAD(v.algorithm, key: v.key.span)
            var buffer = sealed
            let nonce = nonce ?? v.nonce
            let aad = aad ?? v.aad
            let n: Int
            do {
                var span = buffer.mutableSpan
                n = try aead.open(nonce: nonce.span, aad: aad.span, buffer: &span)
            }
            #expect(n == v.plaintext.count)
            #expect(Array(buffer.prefix(n)) == v.plaintext)
        }
    }

    @Test(arguments: vectors)
    func sealInPlace(_ v: Vector) throws {
        var aead = try AEAD(v.algorithm, key: v.key.span)
        // Exactly plaintext + tag, and with spare room after it.
        for spare in [0, 5] {
            var buffer = v.plaintext + [UInt8](repeating: 0xEE, count: v.algorithm.tagLength + spare)
            let n: Int
            do {
                var span = buffer.mutableSpan
                n = try aead.seal(nonce: v.nonce.span, aad: v.aad.span, buffer: &span, plaintextCount: v.plaintext.count)
            }
            #expect(n == v.sealed.count)
            #expect(Array(buffer.prefix(n)).hex == v.sealed.hex)
            #expect(buffer.suffix(spare).allSatisfy { $0 == 0xEE }, "bytes past the tag untouched")
        }
    }

    @Test(arguments: vectors)
    func openInPlace(_ v: Vector) {
        #expect(Self.open(v, sealed: v.sealed) == nil)
    }

    @Test(arguments: vectors)
    func tamperingIsBadRecordMAC(_ v: Vector) {
        var tag = v.sealed
        tag[tag.count - 1] ^= 0x01
        #expect(Self.open(v, sealed: tag) == .badRecordMAC, "flipped tag bit")
        var tagFirst = v.sealed
        tagFirst[v.plaintext.count] ^= 0x80
        #expect(Self.open(v, sealed: tagFirst) == .badRecordMAC, "flipped first tag bit")

        var body = v.sealed
        body[0] ^= 0x04
        #expect(Self.open(v, sealed: body) == .badRecordMAC, "flipped ciphertext bit")

        let aad = v.aad.isEmpty ? [0x00] : [v.aad[0] ^ 0x01] + v.aad.dropFirst()
        #expect(Self.open(v, aad: aad, sealed: v.sealed) == .badRecordMAC, "changed AAD")
        #expect(Self.open(v, aad: v.aad + [0], sealed: v.sealed) == .badRecordMAC, "longer AAD")

        var nonce = v.nonce
        nonce[nonce.count - 1] ^= 0x01
        #expect(Self.open(v, nonce: nonce, sealed: v.sealed) == .badRecordMAC, "wrong nonce")

        #expect(Self.open(v, sealed: Array(v.sealed.dropLast())) == .badRecordMAC, "one byte short")
        #expect(Self.open(v, sealed: Array(v.sealed.prefix(v.algorithm.tagLength - 1))) == .badRecordMAC,
                "shorter than a tag")
    }

    @Test(arguments: algorithms)
    func sealNeedsRoomForTheTag(_ algorithm: AEADAlgorithm) throws {
        var aead = try AEAD(algorithm, key: [UInt8](repeating: 7, count: algorithm.keyLength).span)
        let nonce = [UInt8](repeating: 1, count: 12)
        for plaintextCount in [0, 10] {
            let capacity = plaintextCount + algorithm.tagLength - 1
            let error = thrownError { () throws(TLSError) in
                var buffer = [UInt8](repeating: 0x55, count: capacity)
                var span = buffer.mutableSpan
                _ = try aead.seal(nonce: nonce.span, aad: [UInt8]().span, buffer: &span, plaintextCount: plaintextCount)
            }
            #expect(error == .bufferTooSmall(needed: plaintextCount + algorithm.tagLength, capacity: capacity))
        }
    }

    @Test(arguments: algorithms)
    func wrongKeyLengthThrows(_ algorithm: AEADAlgorithm) {
        for length in [0, algorithm.keyLength - 1, algorithm.keyLength + 1, algorithm.keyLength == 16 ? 32 : 16] {
            let error = thrownError { () throws(TLSError) in
                _ = try AEAD(algorithm, key: [UInt8](repeating: 1, count: length).span)
            }
            #expect(error != nil, "key of \(length) bytes for \(algorithm)")
        }
    }

    @Test(arguments: algorithms, [0, 1, 15, 16, 17, 1000])
    func roundTrip(_ algorithm: AEADAlgorithm, _ count: Int) throws {
        let key = (0..<algorithm.keyLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        let nonce = (0..<12).map { UInt8(truncatingIfNeeded: 0xA0 &+ $0) }
        let aad = Array("record header".utf8)
        let plaintext = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var sealer = try AEAD(algorithm, key: key.span)
        var buffer = plaintext + [UInt8](repeating: 0, count: algorithm.tagLength)
        do {
            var span = buffer.mutableSpan
            #expect(try sealer.seal(nonce: nonce.span, aad: aad.span, buffer: &span, plaintextCount: count)
                == count + algorithm.tagLength)
        }
        if count > 0 { #expect(Array(buffer.prefix(count)) != plaintext) }
        // A separate instance with the same key opens it.
        var opener = try AEAD(algorithm, key: key.span)
        var opened = buffer
        do {
            var span = opened.mutableSpan
            #expect(try opener.open(nonce: nonce.span, aad: aad.span, buffer: &span) == count)
        }
        #expect(Array(opened.prefix(count)) == plaintext)
        // The same instance seals a second record the same way (state does not leak across calls).
        var again = plaintext + [UInt8](repeating: 0, count: algorithm.tagLength)
        do {
            var span = again.mutableSpan
            _ = try sealer.seal(nonce: nonce.span, aad: aad.span, buffer: &span, plaintextCount: count)
        }
        #expect(again == buffer)
        // And refuses the record under another key.
        var otherKey = key
        otherKey[0] ^= 1
        var stranger = try AEAD(algorithm, key: otherKey.span)
        let error = thrownError { () throws(TLSError) in
            var copy = buffer
            var span = copy.mutableSpan
            _ = try stranger.open(nonce: nonce.span, aad: aad.span, buffer: &span)
        }
        #expect(error == .badRecordMAC)
    }
}
