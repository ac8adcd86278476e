import CMbedTLS

/// The hashes the protocol uses: SHA-256 and SHA-384 for TLS suites and the transcript,
/// SHA-512 for certificate and RSA signatures.
public enum HashAlgorithm: Sendable, Equatable {
    case sha256, sha384, sha512

    public var digestLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The longest digest of any case: sizes stack buffers that hold "a digest".
    public static let maximumDigestLength = 64

    var mbedTLSType: mbedtls_md_type_t {
        switch self {
        case .sha256: MBEDTLS_MD_SHA256
        case .sha384: MBEDTLS_MD_SHA384
        case .sha512: MBEDTLS_MD_SHA512
        }
    }
}
