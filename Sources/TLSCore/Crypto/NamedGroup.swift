import CMbedTLS

/// The key-exchange groups offered in supported_groups (RFC 8422 §5.1.1, RFC 7748), with
/// their TLS code points.
public enum NamedGroup: UInt16, Sendable {
    case secp256r1 = 23
    case secp384r1 = 24
    case x25519 = 29

    /// Bytes of the public value in TLS: an uncompressed point (0x04‖X‖Y) or the X25519
    /// u-coordinate.
    public var publicKeyLength: Int {
        switch self {
        case .secp256r1: 65
        case .secp384r1: 97
        case .x25519: 32
        }
    }

    /// Bytes of the shared secret: the field size (RFC 8422 §5.10, RFC 7748 §6.1).
    public var sharedSecretLength: Int {
        switch self {
        case .secp256r1, .x25519: 32
        case .secp384r1: 48
        }
    }

    var mbedTLSID: mbedtls_ecp_group_id {
        switch self {
        case .secp256r1: MBEDTLS_ECP_DP_SECP256R1
        case .secp384r1: MBEDTLS_ECP_DP_SECP384R1
        case .x25519: MBEDTLS_ECP_DP_CURVE25519
        }
    }
}
