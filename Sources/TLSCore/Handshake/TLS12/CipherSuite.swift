/// The TLS 1.2 cipher suites this core implements, all AEAD (RFC 5288, 5289, 6655, 7251,
/// 7905). RSA key transport is the seed's classic handshake: offered only when configured.
public enum CipherSuite: UInt16, Sendable {
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

    /// Every suite, most preferred first: the order a ClientHello offers them in.
    public static let preferenceOrder: InlineArray<10, CipherSuite> = [
        .ecdheECDSAWithAES128GCMSHA256, .ecdheECDSAWithAES256GCMSHA384, .ecdheECDSAWithChaCha20Poly1305SHA256,
        .ecdheRSAWithAES128GCMSHA256, .ecdheRSAWithAES256GCMSHA384, .ecdheRSAWithChaCha20Poly1305SHA256,
        .ecdheECDSAWithAES128CCM, .ecdheECDSAWithAES128CCM8,
        .rsaWithAES128GCMSHA256, .rsaWithAES256GCMSHA384,
    ]

    public enum KeyExchange: Sendable, Equatable {
        /// Ephemeral ECDH signed with the certificate's ECDSA key.
        case ecdheECDSA
        /// Ephemeral ECDH signed with the certificate's RSA key.
        case ecdheRSA
        /// The pre-master secret encrypted to the certificate's RSA key (no forward secrecy).
        case rsa
    }

    public var keyExchange: KeyExchange {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256, .ecdheECDSAWithAES256GCMSHA384,
             .ecdheECDSAWithChaCha20Poly1305SHA256, .ecdheECDSAWithAES128CCM, .ecdheECDSAWithAES128CCM8:
            .ecdheECDSA
        case .ecdheRSAWithAES128GCMSHA256, .ecdheRSAWithAES256GCMSHA384, .ecdheRSAWithChaCha20Poly1305SHA256:
            .ecdheRSA
        case .rsaWithAES128GCMSHA256, .rsaWithAES256GCMSHA384:
            .rsa
        }
    }

    public var aead: AEADAlgorithm {
        switch self {
        case .ecdheECDSAWithAES128GCMSHA256, .ecdheRSAWithAES128GCMSHA256, .rsaWithAES128GCMSHA256: .aes128GCM
        case .ecdheECDSAWithAES256GCMSHA384, .ecdheRSAWithAES256GCMSHA384, .rsaWithAES256GCMSHA384: .aes256GCM
        case .ecdheECDSAWithChaCha20Poly1305SHA256, .ecdheRSAWithChaCha20Poly1305SHA256: .chacha20Poly1305
        case .ecdheECDSAWithAES128CCM: .aes128CCM
        case .ecdheECDSAWithAES128CCM8: .aes128CCM8
        }
    }

    /// The PRF and Finished hash (RFC 5246 §5: SHA-256 unless the suite names SHA-384).
    public var prfHash: HashAlgorithm {
        switch self {
        case .ecdheECDSAWithAES256GCMSHA384, .ecdheRSAWithAES256GCMSHA384, .rsaWithAES256GCMSHA384: .sha384
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
        }
    }

    /// Bit of this suite in a `CipherSuites` set.
    var bit: UInt16 {
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
        }
    }
}
