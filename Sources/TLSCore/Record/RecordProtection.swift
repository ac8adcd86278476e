/// How one direction's records are protected once its keys are active: the only thing the
/// record layer seals and opens with, handed to it by the handshake through
/// `HandshakeProgress`. The TLS 1.2 case frames records with an explicit nonce and the 1.2
/// additional data (`CipherState`); TLS 1.3 (RFC 8446 §5.2: nonce = IV ⊕ sequence,
/// additional data = the record header, the inner content type) becomes a second case.
public enum RecordProtection: ~Copyable {
    case tls12(CipherState)

    /// Bytes between the record header and the plaintext (the explicit nonce).
    var explicitNonceLength: Int {
        switch self {
        case .tls12(let state): state.explicitNonceLength
        }
    }

    var tagLength: Int {
        switch self {
        case .tls12(let state): state.tagLength
        }
    }

    /// Bytes a record grows by under this protection.
    var overhead: Int { explicitNonceLength &+ tagLength }

    /// Seals the record whose header starts `record` in place (see `CipherState.seal`).
    mutating func seal(record: inout MutableSpan<UInt8>, plaintextCount: Int) throws(TLSError) -> Int {
        switch consume self {
        case .tls12(var state):
            let sealed = Result { () throws(TLSError) in try state.seal(record: &record, plaintextCount: plaintextCount) }
            self = .tls12(state)
            return try sealed.get()
        }
    }

    /// Opens a record's fragment in place; returns the plaintext's range within it.
    mutating func open(type: UInt8, fragment: inout MutableSpan<UInt8>) throws(TLSError) -> (start: Int, count: Int) {
        switch consume self {
        case .tls12(var state):
            let opened = Result { () throws(TLSError) in try state.open(type: type, fragment: &fragment) }
            self = .tls12(state)
            return try opened.get()
        }
    }
}

/// Which way records go: what the engine reads, or what it writes.
public enum RecordDirection {
    case read, write
}
