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
    /// A handshake message announces a length no message this engine accepts can have
    /// (more than `HandshakeDeframer.maximumMessageLength`): a decode error, not a region
    /// that is too small.
    case messageTooLong(length: Int)

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
    /// Mbed TLS could not allocate (its code: an *_ALLOC_FAILED one): the heap or the
    /// arena it is given is too small for this handshake.
    case outOfMemory(Int32)

    // X.509.
    /// A certificate, chain or CRL was refused (X509/PathValidator).
    case certificate(CertificateError)

    // Protocol.
    /// A message or record arrived that the state machine does not allow now.
    case unexpectedMessage
    /// A record longer than RFC 5246 §6.2 or the negotiated max_fragment_length allows.
    case recordOverflow
    /// The server chose a version that was not offered.
    case protocolVersion
    /// max_fragment_length or record_size_limit (RFC 8449) was asked for and the server did
    /// not accept it, so records of up
    /// to 2^14 bytes would follow, which the input region (`capacity` bytes) cannot hold
    /// (RFC 6066 §4 leaves the client free to abort; it sends handshake_failure).
    case maxFragmentLengthNotAccepted(capacity: Int)
    /// The server's key is weaker than the configured minimum (RSA modulus bits).
    case weakServerKey(bits: Int)
    /// The server chose something the client did not offer, or a value the RFC forbids.
    case illegalParameter
    /// No suite, group or signature scheme in common, or the server refused the handshake.
    case handshakeFailure
    /// The server answered with an extension the client did not offer (RFC 5246 §7.4.1.4).
    case unsupportedExtension
    /// A message lacks an extension it must carry (a TLS 1.3 ServerHello without key_share,
    /// a CertificateRequest without signature_algorithms: RFC 8446 §9.2).
    case missingExtension
    /// A HelloRetryRequest that would change nothing, name a group that was not offered or
    /// already has a share, or follow another (RFC 8446 §4.1.4).
    case badRetryRequest
    /// The server's random carries the TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3).
    case downgradeDetected
    /// The server's Finished does not match the transcript (RFC 5246 §7.4.9).
    case finishedMismatch
    /// The server asked to renegotiate; this client never does (RFC 5746 §4.2 note).
    case renegotiationRefused
    /// The engine was used out of order (a caller bug, not a peer's).
    case invalidState
    /// A server: the PSK binder does not verify (RFC 8446 §4.2.11.2): the client does not
    /// hold the PSK it names.
    case pskBinderMismatch
    /// A server: the client offered ALPN and none of its protocols is ours (RFC 7301 §3.2).
    case noApplicationProtocol
    /// A server that requires a client certificate got an empty Certificate (TLS 1.3,
    /// RFC 8446 §4.4.2.4; TLS 1.2 answers handshake_failure, RFC 5246 §7.4.6).
    case certificateRequired

    // The peer and the transport.
    /// The peer sent this fatal alert (or close_notify during the handshake).
    case peerAlert(AlertDescription)
    /// The transport reached end of stream where TLS data was still due.
    case connectionClosed
    /// A wait ran past the caller's timeout.
    case timeout
    /// The transport failed with this errno.
    case transport(Int32)

    /// The alert this error sends to the peer (RFC 5246 §7.2.2), or nil when none is sent
    /// because the peer already ended the connection or the transport is gone.
    public var alert: AlertDescription? {
        switch self {
        case .truncated, .malformed, .trailingBytes: .decodeError
        case .bufferTooSmall: .internalError
        case .messageTooLong: .decodeError
        case .badRecordMAC: .badRecordMAC
        case .badSignature: .decryptError
        case .invalidPeerKey: .illegalParameter
        case .unsupportedAlgorithm: .handshakeFailure
        case .randomFailure, .mbedTLS, .outOfMemory: .internalError
        case .certificate(let reason): reason.alert
        case .unexpectedMessage: .unexpectedMessage
        case .recordOverflow: .recordOverflow
        case .protocolVersion: .protocolVersion
        case .maxFragmentLengthNotAccepted: .handshakeFailure
        // RFC 8446 §6.2: "failed specifically because ... parameters more secure than
        // those supported" — the peer's key falls short of what this side requires.
        case .weakServerKey: .insufficientSecurity
        case .illegalParameter, .downgradeDetected: .illegalParameter
        case .handshakeFailure: .handshakeFailure
        case .unsupportedExtension: .unsupportedExtension
        case .missingExtension: .missingExtension
        case .badRetryRequest: .illegalParameter
        case .finishedMismatch: .decryptError
        case .renegotiationRefused: .noRenegotiation
        case .invalidState: .internalError
        case .pskBinderMismatch: .decryptError
        case .noApplicationProtocol: .noApplicationProtocol
        case .certificateRequired: .certificateRequired
        case .peerAlert, .connectionClosed, .timeout, .transport: nil
        }
    }

    /// Maps an Mbed TLS return code: 0 is success, anything else throws.
    @inline(__always)
    static func check(_ code: Int32) throws(TLSError) {
        if code != 0 { throw mbedTLSError(code) }
    }

    /// An Mbed TLS error code as the error it means: an allocation failure (a low-level
    /// MPI_ALLOC_FAILED, alone or under a high-level module's code, or a module's own
    /// *_ALLOC_FAILED) is `outOfMemory`, anything else `mbedTLS`.
    static func mbedTLSError(_ code: Int32) -> TLSError {
        let magnitude = code < 0 ? 0 &- code : code
        let low = magnitude & 0x7F, high = magnitude & 0x7F80
        // MPI -0x0010, ASN1 -0x006A; ECP -0x4D80, PK -0x3F80, CIPHER -0x6180, MD -0x5180,
        // X509 -0x2880, PEM -0x1180, DHM -0x3400.
        let allocation = low == 0x10 || low == 0x6A
            || high == 0x4D80 || high == 0x3F80 || high == 0x6180 || high == 0x5180 || high == 0x2880
            || high == 0x1180 || high == 0x3400
        return allocation ? .outOfMemory(code) : .mbedTLS(code)
    }

    /// `meaning` for a failed Mbed TLS call whose failure says something about the peer's
    /// data (a signature that does not verify, a point not on the curve), unless the call
    /// failed for want of memory: that is our limit, not the peer's fault.
    static func mbedTLSFailure(_ code: Int32, meaning: TLSError) -> TLSError {
        if case .outOfMemory = mbedTLSError(code) { return .outOfMemory(code) }
        return meaning
    }
}
