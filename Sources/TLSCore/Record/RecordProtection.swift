/// How one direction's records are protected once its keys are active: the only thing the
/// record layer seals and opens with, handed to it by the handshake through
/// `HandshakeProgress`. The TLS 1.2 case frames records with an explicit nonce and the 1.2
/// additional data; the TLS 1.3 case (RFC 8446 §5.2) with nonce = IV ⊕ sequence, the
/// record header as additional data and the content type inside. Both over `CipherState`.
public enum RecordProtection: ~Copyable {
    case tls12(CipherState)
    case tls13(CipherState)

    /// Bytes between the record header and the plaintext (TLS 1.2's explicit nonce).
    var explicitNonceLength: Int {
        switch self {
        case .tls12(let state): state.explicitNonceLength
        case .tls13: 0
        }
    }

    /// Most bytes after the plaintext: the tag, and in TLS 1.3 the inner content type and
    /// any padding first.
    var trailerLength: Int {
        switch self {
        case .tls12(let state): state.tagLength
        case .tls13(let state): 1 &+ state.tagLength &+ max(0, Int(state.paddingBlock) &- 1)
        }
    }

    /// Bytes a record grows by under this protection. For TLS 1.3 this is also the most a
    /// valid record grows by: TLSInnerPlaintext may not exceed 2^14 + 1 bytes (§5.4), so
    /// padding never makes a valid record longer than content limit + type + tag.
    var overhead: Int {
        switch self {
        case .tls12(let state): state.explicitNonceLength &+ state.tagLength
        case .tls13(let state): 1 &+ state.tagLength
        }
    }

    var isTLS13: Bool {
        switch self {
        case .tls12: false
        case .tls13: true
        }
    }

    /// Seals the record whose header starts `record` in place; returns the fragment length.
    /// `innerLimit` bounds TLS 1.3's padded inner plaintext.
    mutating func seal(record: inout MutableSpan<UInt8>, plaintextCount: Int, innerLimit: Int = 16385) throws(TLSError) -> Int {
        switch consume self {
        case .tls12(var state):
            let sealed = Result { () throws(TLSError) in try state.seal(record: &record, plaintextCount: plaintextCount) }
            self = .tls12(state)
            return try sealed.get()
        case .tls13(var state):
            let sealed = Result { () throws(TLSError) in
                try state.sealInner(record: &record, plaintextCount: plaintextCount, innerLimit: innerLimit)
            }
            self = .tls13(state)
            return try sealed.get()
        }
    }

    /// Opens a record's fragment in place: its content type (TLS 1.3: the inner one) and the
    /// plaintext's range within the fragment. `header` is the record's 5-byte header.
    mutating func open(
        header: InlineArray<5, UInt8>, fragment: inout MutableSpan<UInt8>
    ) throws(TLSError) -> (type: UInt8, start: Int, count: Int) {
        switch consume self {
        case .tls12(var state):
            let opened = Result { () throws(TLSError) in try state.open(type: header[0], fragment: &fragment) }
            self = .tls12(state)
            let range = try opened.get()
            return (header[0], range.start, range.count)
        case .tls13(var state):
            let opened = Result { () throws(TLSError) in try state.openInner(header: header, fragment: &fragment) }
            self = .tls13(state)
            let inner = try opened.get()
            return (inner.type, 0, inner.count)
        }
    }

    /// Records sealed so far: TLS 1.3 updates its keys before the AEAD limits (§5.5).
    var sequence: UInt64 {
        switch self {
        case .tls12(let state): state.sequence
        case .tls13(let state): state.sequence
        }
    }
}

/// Which way records go: what the engine reads, or what it writes.
public enum RecordDirection {
    case read, write
}
