/// The cipher suites this core implements, all AEAD: TLS 1.2's (RFC 5288, 5289, 6655, 7251,
/// 7905), whose names fix the key exchange, and TLS 1.3's (RFC 8446 §B.4), which name only
/// the AEAD and the hash. RSA key transport is the seed's classic handshake: offered only
/// when configured. The TLS 1.2 PSK suites (RFC 4279, 5487, 6655, 5489, 7905) are what
/// certificate-free devices use; they are offered only with an external PSK configured.
public enum CipherSuite: UInt16, Sendable {
    case aes128GCMSHA256 = 0x1301
    case aes256GCMSHA384 = 0x1302
    case chacha20Poly1305SHA256 = 0x1303
    case aes128CCMSHA256 = 0x1304
    case aes128CCM8SHA256 = 0x1305
    case ecdheECDSAWithAES128GCMSHA256 = 0xC02B
    case ecdheECDSAWithAES256GCMSHA384 = 0xC02C
    case ecdheECDSAWithChaCha20Poly1305SHA256 = 0xCCA9
    case ecdheECDSAWithAES128CCM = 0xC0AC
    case ecdheECDSAWithAES128CCM8 = 0xC0AE
    case ecdheRSAWithAES128GCMSHA256 = 0xC02F
    case ecdheRSAWithAES256GCMSHA384 = 0xC030
    case ecdheRSAWithChaCha20Poly1305SHA256 = 0xCCA8
    case rsaWithAES128GCMSHA256 = 0x009C
    case rsaWithAES256GCMSHA384 = 0x009D
    case pskWithAES128CCM8 = 0xC0A8
    case pskWithAES128CCM = 0xC0A4
    case pskWithAES128GCMSHA256 = 0x00A8
    case ecdhePSKWithChaCha20Poly1305SHA256 = 0xCCAC

    /// Every suite, most preferred first: the order a ClientHello offers them in (TLS 1.3's
    /// first; a server picks within the version it negotiates).
    public static let preferenceOrder: InlineArray<19, CipherSuite> = [
        .aes128GCMSHA256, .aes256GCMSHA384, .chacha20Poly1305SHA256, .aes128CCMSHA256, .aes128CCM8SHA256,
        .ecdheECDSAWithAES128GCMSHA256, .ecdheECDSAWithAES256GCMSHA384, .ecdheECDSAWithChaCha20Poly1305SHA256,
        .ecdheRSAWithAES128GCMSHA256, .ecdheRSAWithAES256GCMSHA384, .ecdheRSAWithChaCha20Poly1305SHA256,
        .ecdheECDSAWithAES128CCM, .ecdheECDSAWithAES128CCM8,
        .ecdhePSKWithChaCha20Poly1305SHA256, .pskWithAES128GCMSHA256, .pskWithAES128CCM, .pskWithAES128CCM8,
        .rsaWithAES128GCMSHA256, .rsaWithAES256GCMSHA384,
    ]

    public enum KeyExchange: Sendable, Equatable {
        /// Ephemeral ECDH signed with the certificate's ECDSA key.
        case ecdheECDSA
        /// Ephemeral ECDH signed with the certificate's RSA key.
        case ecdheRSA
        /// The pre-master secret encrypted to the certificate's RSA key (no forward secrecy).
        case rsa
        /// TLS 1.3: a key share of a negotiated group, and any certificate key that signs
        /// (RFC 8446 §4.1.1 negotiates them apart from the suite).
        case keyShare
        /// TLS 1.2 pre-shared key alone (RFC 4279 §2): no certificate, no forward secrecy.
        case psk
        /// TLS 1.2 ephemeral ECDH authenticated by a pre-shared key (RFC 5489 §2).
        case ecdhePSK
    }

    /// The protocol version the suite belongs to.
    public var version: TLSVersion { rawValue >> 8 == 0x13 ? .tls13 : .tls12 }

    public var keyExchange: KeyExchange {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256, .ecdheECDSAWithAES256GCMSHA384,
             .ecdheECDSAWithChaCha20Poly1305SHA256, .ecdheECDSAWithAES128CCM, .ecdheECDSAWithAES128CCM8:
            .ecdheECDSA
        case .ecdheRSAWithAES128GCMSHA256, .ecdheRSAWithAES256GCMSHA384, .ecdheRSAWithChaCha20Poly1305SHA256:
            .ecdheRSA
        case .rsaWithAES128GCMSHA256, .rsaWithAES256GCMSHA384:
            .rsa
        case .aes128GCMSHA256, .aes256GCMSHA384, .chacha20Poly1305SHA256, .aes128CCMSHA256, .aes128CCM8SHA256:
            .keyShare
        case .pskWithAES128CCM8, .pskWithAES128CCM, .pskWithAES128GCMSHA256: .psk
        case .ecdhePSKWithChaCha20Poly1305SHA256: .ecdhePSK
        }
    }

    public var aead: AEADAlgorithm {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256, .ecdheRSAWithAES128GCMSHA256, .rsaWithAES128GCMSHA256, .aes128GCMSHA256,
             .pskWithAES128GCMSHA256:
            .aes128GCM
        case .ecdheECDSAWithAES256GCMSHA384, .ecdheRSAWithAES256GCMSHA384, .rsaWithAES256GCMSHA384, .aes256GCMSHA384:
            .aes256GCM
        case .ecdheECDSAWithChaCha20Poly1305SHA256, .ecdheRSAWithChaCha20Poly1305SHA256, .chacha20Poly1305SHA256,
             .ecdhePSKWithChaCha20Poly1305SHA256:
            .chacha20Poly1305
        case .ecdheECDSAWithAES128CCM, .aes128CCMSHA256, .pskWithAES128CCM: .aes128CCM
        case .ecdheECDSAWithAES128CCM8, .aes128CCM8SHA256, .pskWithAES128CCM8: .aes128CCM8
        }
    }

    /// The handshake's hash: TLS 1.2's PRF and Finished hash (RFC 5246 §5: SHA-256 unless
    /// the suite names SHA-384), TLS 1.3's HKDF and transcript hash (RFC 8446 §7.1).
    public var prfHash: HashAlgorithm {
        switch self {
        case .ecdheECDSAWithAES256GCMSHA384, .ecdheRSAWithAES256GCMSHA384, .rsaWithAES256GCMSHA384, .aes256GCMSHA384: .sha384
        default: .sha256
        }
    }

    /// The IANA name, as `hostsim connect --suite` takes it.
    public var name: StaticString {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case .ecdheECDSAWithAES256GCMSHA384: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case .ecdheECDSAWithChaCha20Poly1305SHA256: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case .ecdheECDSAWithAES128CCM: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"
        case .ecdheECDSAWithAES128CCM8: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"
        case .ecdheRSAWithAES128GCMSHA256: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case .ecdheRSAWithAES256GCMSHA384: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case .ecdheRSAWithChaCha20Poly1305SHA256: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case .rsaWithAES128GCMSHA256: "TLS_RSA_WITH_AES_128_GCM_SHA256"
        case .rsaWithAES256GCMSHA384: "TLS_RSA_WITH_AES_256_GCM_SHA384"
        case .aes128GCMSHA256: "TLS_AES_128_GCM_SHA256"
        case .aes256GCMSHA384: "TLS_AES_256_GCM_SHA384"
        case .chacha20Poly1305SHA256: "TLS_CHACHA20_POLY1305_SHA256"
        case .aes128CCMSHA256: "TLS_AES_128_CCM_SHA256"
        case .aes128CCM8SHA256: "TLS_AES_128_CCM_8_SHA256"
        case .pskWithAES128CCM8: "TLS_PSK_WITH_AES_128_CCM_8"
        case .pskWithAES128CCM: "TLS_PSK_WITH_AES_128_CCM"
        case .pskWithAES128GCMSHA256: "TLS_PSK_WITH_AES_128_GCM_SHA256"
        case .ecdhePSKWithChaCha20Poly1305SHA256: "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"
        }
    }

    /// Bit of this suite in a `CipherSuites` set.
    var bit: UInt32 {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256: 1 << 0
        case .ecdheECDSAWithAES256GCMSHA384: 1 << 1
        case .ecdheECDSAWithChaCha20Poly1305SHA256: 1 << 2
        case .ecdheECDSAWithAES128CCM: 1 << 3
        case .ecdheECDSAWithAES128CCM8: 1 << 4
        case .ecdheRSAWithAES128GCMSHA256: 1 << 5
        case .ecdheRSAWithAES256GCMSHA384: 1 << 6
        case .ecdheRSAWithChaCha20Poly1305SHA256: 1 << 7
        case .rsaWithAES128GCMSHA256: 1 << 8
        case .rsaWithAES256GCMSHA384: 1 << 9
        case .aes128GCMSHA256: 1 << 10
        case .aes256GCMSHA384: 1 << 11
        case .chacha20Poly1305SHA256: 1 << 12
        case .aes128CCMSHA256: 1 << 13
        case .aes128CCM8SHA256: 1 << 14
        case .pskWithAES128CCM8: 1 << 15
        case .pskWithAES128CCM: 1 << 16
        case .pskWithAES128GCMSHA256: 1 << 17
        case .ecdhePSKWithChaCha20Poly1305SHA256: 1 << 18
        }
    }
}
