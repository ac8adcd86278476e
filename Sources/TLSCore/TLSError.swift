import CMbedTLS

/// The one error type of the core. Every throwing function uses `throws(TLSError)`, and every
/// case knows the alert it causes, so a failure deep in a parser reaches the peer correctly.
public enum TLSError: Error, Equatable, Sendable {
    // Decoding peer bytes.
    /// Input ended before a field did.
    case truncated
    /// A field holds a value the protocol forbids (a length that does not add up, a bad tag).
    case malformed
    /// Bytes were left over after a structure that must end there.
    case trailingBytes
    /// A caller-owned region cannot hold what must go in it.
    case bufferTooSmall(needed: Int, capacity: Int)

    // Cryptography.
    /// An AEAD tag or a Finished MAC did not verify.
    case badRecordMAC
    /// A signature did not verify.
    case badSignature
    /// A peer's public value is not a valid point or key of its group.
    case invalidPeerKey
    /// A key, group, hash or scheme that this build does not implement.
    case unsupportedAlgorithm
    /// The DRBG or its entropy source failed.
    case randomFailure
    /// Mbed TLS returned an error that has no more specific meaning here.
    case mbedTLS(Int32)

    // X.509.
    /// A certificate, chain or CRL was refused (X509/PathValidator).
    case certificate(CertificateError)

    /// The alert this error sends to the peer (RFC 5246 §7.2.2).
    public var alert: AlertDescription {
        switch self {
        case .truncated, .malformed, .trailingBytes: .decodeError
        case .bufferTooSmall: .internalError
        case .badRecordMAC: .badRecordMAC
        case .badSignature: .decryptError
        case .invalidPeerKey: .illegalParameter
        case .unsupportedAlgorithm: .handshakeFailure
        case .randomFailure, .mbedTLS: .internalError
        case .certificate(let reason): reason.alert
        }
    }

    /// Maps an Mbed TLS return code: 0 is success, anything else throws.
    @inline(__always)
    static func check(_ code: Int32) throws(TLSError) {
        if code != 0 { throw .mbedTLS(code) }
    }
}
