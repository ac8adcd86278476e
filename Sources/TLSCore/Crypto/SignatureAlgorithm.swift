import CMbedTLS

/// A signature algorithm as the protocol and certificates use it. RSA-PSS always means
/// MGF1 with the same hash and a salt as long as the hash (RFC 8446 §4.2.3).
public enum SignatureAlgorithm: Sendable, Equatable {
    case ecdsa(HashAlgorithm)
    case rsaPKCS1(HashAlgorithm)
    case rsaPSS(HashAlgorithm)

    /// From a TLS SignatureScheme code point (RFC 8446 §4.2.3); nil for schemes this core
    /// does not implement (SHA-1, SHA-224, EdDSA, rsa_pss_pss_*).
    public init?(tlsSignatureScheme code: UInt16) {
        switch code {
        case 0x0403: self = .ecdsa(.sha256)
        case 0x0503: self = .ecdsa(.sha384)
        case 0x0603: self = .ecdsa(.sha512)
        case 0x0401: self = .rsaPKCS1(.sha256)
        case 0x0501: self = .rsaPKCS1(.sha384)
        case 0x0601: self = .rsaPKCS1(.sha512)
        case 0x0804: self = .rsaPSS(.sha256)
        case 0x0805: self = .rsaPSS(.sha384)
        case 0x0806: self = .rsaPSS(.sha512)
        default: return nil
        }
    }

    public var tlsSignatureScheme: UInt16 {
        switch self {
        case .ecdsa(.sha256): 0x0403
        case .ecdsa(.sha384): 0x0503
        case .ecdsa(.sha512): 0x0603
        case .rsaPKCS1(.sha256): 0x0401
        case .rsaPKCS1(.sha384): 0x0501
        case .rsaPKCS1(.sha512): 0x0601
        case .rsaPSS(.sha256): 0x0804
        case .rsaPSS(.sha384): 0x0805
        case .rsaPSS(.sha512): 0x0806
        }
    }

    public var hash: HashAlgorithm {
        switch self {
        case .ecdsa(let hash), .rsaPKCS1(let hash), .rsaPSS(let hash): hash
        }
    }
}
