import CMbedTLS

/// The AEAD ciphers of the supported suites (RFC 5288, 6655, 7905; RFC 8446 §5.3).
public enum AEADAlgorithm: Sendable, Equatable {
    case aes128GCM, aes256GCM, chacha20Poly1305, aes128CCM, aes128CCM8

    public var keyLength: Int {
        switch self {
        case .aes128GCM, .aes128CCM, .aes128CCM8: 16
        case .aes256GCM, .chacha20Poly1305: 32
        }
    }

    public var tagLength: Int { self == .aes128CCM8 ? 8 : 16 }

    var cipherType: mbedtls_cipher_type_t {
        switch self {
        case .aes128GCM: MBEDTLS_CIPHER_AES_128_GCM
        case .aes256GCM: MBEDTLS_CIPHER_AES_256_GCM
        case .chacha20Poly1305: MBEDTLS_CIPHER_CHACHA20_POLY1305
        case .aes128CCM, .aes128CCM8: MBEDTLS_CIPHER_AES_128_CCM
        }
    }
}
