/// Test vectors of RFC 8448 §3, "Simple 1-RTT Handshake", and §4's PSK binder (M. Thomson, "Example Handshake Traces for
/// TLS 1.3", January 2019): a full X25519 + TLS_AES_128_GCM_SHA256 handshake with an RSA-PSS server
/// certificate, one NewSessionTicket, 50 bytes of application data each way, and close_notify alerts.
///
/// Every value is the RFC's hex dump with the spaces removed, in lower case. Before they went in they
/// were checked with Python (hashlib/hmac and `cryptography`): record and handshake header lengths;
/// the X25519 key pairs and shared secret; the whole HKDF key schedule from the transcript hashes of
/// the messages; both Finished verify_data; the CertificateVerify RSA-PSS signature against the
/// certificate; and every protected record opened (and re-sealed) with AES-128-GCM under the keys and
/// sequence numbers below. Byte counts in the comments are the RFC's "(N octets)".
enum RFC8448 {

    // MARK: Client: key pair and ClientHello

    /// {client} create an ephemeral x25519 key pair: private key (32 octets).
    static let clientPrivateKey = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"
    /// {client} create an ephemeral x25519 key pair: public key (32 octets); the key_share in the ClientHello.
    static let clientPublicKey = "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"
    /// The ClientHello's random (32 octets): `clientHello` bytes 6..<38.
    static let clientRandom = "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"
    /// {client} construct a ClientHello handshake message (196 octets, header included).
    static let clientHello = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001"
    /// {client} send handshake record: complete record (201 octets), legacy record version 0x0301.
    static let clientHelloRecord = "16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001"

    // MARK: Server: key pair and ServerHello

    /// {server} create an ephemeral x25519 key pair: private key (32 octets).
    static let serverPrivateKey = "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"
    /// {server} create an ephemeral x25519 key pair: public key (32 octets); the key_share in the ServerHello.
    static let serverPublicKey = "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"
    /// The ServerHello's random (32 octets): `serverHello` bytes 6..<38.
    static let serverRandom = "a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"
    /// {server} construct a ServerHello handshake message (90 octets, header included).
    static let serverHello = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
    /// {server} send handshake record: complete record (95 octets).
    static let serverHelloRecord = "160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"

    // MARK: Key schedule (SHA-256)

    /// {server} extract secret "handshake": IKM (32 octets), the X25519 ECDHE shared secret.
    static let sharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"
    /// {server} extract secret "early": secret (32 octets); salt 0, IKM 32 zero octets (no PSK).
    static let earlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
    /// {server} derive secret for handshake "tls13 derived": hash (32 octets), SHA-256 of the empty string.
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// {server} derive secret for handshake "tls13 derived": expanded (32 octets), the salt of the handshake secret.
    static let derivedEarlySecret = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
    /// {server} extract secret "handshake": secret (32 octets).
    static let handshakeSecret = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
    /// Transcript hash of ClientHello..ServerHello (32 octets): the context of "c hs traffic"/"s hs traffic".
    static let helloHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
    /// {server} derive secret "tls13 c hs traffic": expanded (32 octets).
    static let clientHandshakeTrafficSecret = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
    /// {server} derive secret "tls13 s hs traffic": expanded (32 octets).
    static let serverHandshakeTrafficSecret = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
    /// {server} derive secret for master "tls13 derived": expanded (32 octets), the salt of the master secret.
    static let derivedHandshakeSecret = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4"
    /// {server} extract secret "master": secret (32 octets).
    static let masterSecret = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"
    /// Transcript hash of ClientHello..server Finished (32 octets): the context of "c ap traffic", "s ap traffic" and "exp master".
    static let serverFinishedTranscriptHash = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
    /// {server} derive secret "tls13 c ap traffic": expanded (32 octets).
    static let clientApplicationTrafficSecret = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
    /// {server} derive secret "tls13 s ap traffic": expanded (32 octets).
    static let serverApplicationTrafficSecret = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
    /// {server} derive secret "tls13 exp master": expanded (32 octets).
    static let exporterMasterSecret = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"
    /// Transcript hash of ClientHello..client Finished (32 octets): the context of "res master".
    static let clientFinishedTranscriptHash = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d"
    /// {client} derive secret "tls13 res master": expanded (32 octets).
    static let resumptionMasterSecret = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c"
    /// {server} generate resumption secret "tls13 resumption": expanded (32 octets); the PSK of the ticket (nonce 00 00).
    static let resumptionPSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"

    // MARK: Traffic keys and IVs (AES-128-GCM)

    /// {server} derive write traffic keys for handshake data: key expanded (16 octets).
    static let serverHandshakeKey = "3fce516009c21727d0f2e4e86ee403bc"
    /// {server} derive write traffic keys for handshake data: iv expanded (12 octets).
    static let serverHandshakeIV = "5d313eb2671276ee13000b30"
    /// {server} derive read traffic keys for handshake data: key expanded (16 octets).
    static let clientHandshakeKey = "dbfaa693d1762c5b666af5d950258d01"
    /// {server} derive read traffic keys for handshake data: iv expanded (12 octets).
    static let clientHandshakeIV = "5bd3c71b836e0b76bb73265f"
    /// {server} derive write traffic keys for application data: key expanded (16 octets).
    static let serverApplicationKey = "9f02283b6c9c07efc26bb9f2ac92e356"
    /// {server} derive write traffic keys for application data: iv expanded (12 octets).
    static let serverApplicationIV = "cf782b88dd83549aadf1e984"
    /// {client} derive write traffic keys for application data: key expanded (16 octets).
    static let clientApplicationKey = "17422dda596ed5d9acd890e3c63f5051"
    /// {client} derive write traffic keys for application data: iv expanded (12 octets).
    static let clientApplicationIV = "5b78923dee08579033e523d9"

    // MARK: Server flight (protected under the server handshake key, sequence number 0)

    /// {server} construct an EncryptedExtensions handshake message (40 octets).
    static let encryptedExtensions = "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000"
    /// {server} construct a Certificate handshake message (445 octets): one RSA certificate, CN "rsa".
    static let certificate = "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
    /// {server} construct a CertificateVerify handshake message (136 octets): rsa_pss_rsae_sha256.
    static let certificateVerify = "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3"
    /// {server} calculate finished "tls13 finished": expanded (32 octets), the server finished_key.
    static let serverFinishedKey = "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"
    /// {server} calculate finished "tls13 finished": finished (32 octets), the server verify_data.
    static let serverFinishedVerifyData = "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
    /// {server} construct a Finished handshake message (36 octets).
    static let serverFinished = "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
    /// {server} send handshake record: payload (657 octets), EncryptedExtensions..Finished, before protection.
    static let serverHandshakePayload = encryptedExtensions + certificate + certificateVerify + serverFinished
    /// {server} send handshake record: complete record (679 octets), EncryptedExtensions..Finished in one protected record.
    static let serverEncryptedRecord = "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b"

    // MARK: Client Finished (protected under the client handshake key, sequence number 0)

    /// {client} calculate finished "tls13 finished": expanded (32 octets), the client finished_key.
    static let clientFinishedKey = "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4"
    /// {client} calculate finished "tls13 finished": finished (32 octets), the client verify_data.
    static let clientFinishedVerifyData = "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"
    /// {client} construct a Finished handshake message (36 octets).
    static let clientFinished = "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"
    /// {client} send handshake record: complete record (58 octets).
    static let clientFinishedRecord = "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546"

    // MARK: NewSessionTicket (server application key, sequence number 0)

    /// {server} construct a NewSessionTicket handshake message (205 octets): lifetime 30 s, age_add 0xfad6aac5, nonce 00 00, early_data max 1024.
    static let newSessionTicket = "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d3570008002a000400000400"
    /// {server} send handshake record: complete record (227 octets).
    static let newSessionTicketRecord = "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f"

    // MARK: Application data (client application key seq 0; server application key seq 1)

    /// {client}/{server} send application_data record: payload (50 octets), 00 01 02 .. 31.
    static let applicationData = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031"
    /// {client} send application_data record: complete record (72 octets).
    static let clientApplicationDataRecord = "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4"
    /// {server} send application_data record: complete record (72 octets).
    static let serverApplicationDataRecord = "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d"

    // MARK: Alerts (close_notify, payload 01 00): client application key seq 1; server application key seq 2

    /// {client} send alert record: complete record (24 octets).
    static let clientAlertRecord = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3"
    /// {server} send alert record: complete record (24 octets).
    static let serverAlertRecord = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9"

    // MARK: §4, "Resumed 0-RTT Handshake": the PSK binder (resumes §3's ticket, SHA-256)

    /// {client} extract secret "early": secret (32 octets); salt 0, IKM `resumptionPSK`.
    static let resumedEarlySecret = "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c"
    /// {client} construct a ClientHello handshake message: ClientHello (477 octets), header
    /// included, up to the binders (its pre_shared_key ends after the one identity, §3's ticket,
    /// obfuscated_ticket_age 0xfad6aacb): the "ClientHello prefix" the binder covers.
    static let resumedClientHelloPrefix = "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95000006130113031302010001cd0000000b0009000006736572766572ff01000100000a00140012001d00170018001901000101010201030104003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c0002400100150057000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb"
    /// {client} calculate PSK binder: binder hash (32 octets), the hash of the prefix.
    static let binderHash = "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14"
    /// {client} calculate PSK binder: PRK (32 octets), Derive-Secret(early, "res binder", "").
    static let binderKey = "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256"
    /// {client} calculate PSK binder: expanded (32 octets), the finished key of the binder key.
    static let binderFinishedKey = "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa"
    /// {client} calculate PSK binder: finished (32 octets), the binder.
    static let binder = "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"
    /// {client} send handshake record: the ClientHello (512 octets) is the prefix, then the
    /// binders vector (00 21) holding the one 32-octet binder (20 ..).
    static let resumedClientHello = resumedClientHelloPrefix + "002120" + binder

    /// The bytes of one of the hex strings above. Anything but an even count of hex digits is a
    /// mistake in a vector: trap.
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            default: preconditionFailure("RFC8448.bytes: not a hex digit")
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        precondition(high == nil, "RFC8448.bytes: odd number of hex digits")
        return out
    }
}
