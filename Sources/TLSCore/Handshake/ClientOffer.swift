/// What a client's ClientHello offered, kept from ① until the server's answer settles the
/// version: the transcript so far, the random, the legacy session id of middlebox
/// compatibility mode (RFC 8446 §D.4), the TLS 1.3 key share's private key, and after a
/// HelloRetryRequest the cookie to echo and the suite it named. The version's machine
/// takes it over (`Client12`, `Client13`).
struct ClientOffer: ~Copyable {
    /// Longest HelloRetryRequest cookie echoed (RFC 8446 §4.2.2 allows 2^16 - 1; servers
    /// send none, or a few dozen bytes when stateless). Longer ones fail the handshake
    /// with `bufferTooSmall` rather than cost every engine 64 KB.
    static let cookieCapacity = 256

    var transcript = Transcript()
    var random = InlineArray<32, UInt8>(repeating: 0)
    var sessionID = InlineArray<32, UInt8>(repeating: 0)
    var sessionIDCount = 0
    /// The key share's key pair, while TLS 1.3 is offered.
    var keyShare: ECDHE? = nil
    var cookie = InlineArray<256, UInt8>(repeating: 0)
    var cookieCount = 0
    /// The suite a HelloRetryRequest named: the ServerHello must name it again (§4.1.4).
    var retrySuite: CipherSuite? = nil
    /// The compatibility ChangeCipherSpec after the HelloRetryRequest was dropped (§D.4).
    var receivedChangeCipherSpec = false
    /// The stored session the last ClientHello offered (its secret stays in the session
    /// region: the machine reads it there if the server takes it).
    var resumption: Session.Kind? = nil
    #if DEBUG
    /// Debug builds only, for the RFC 8448 replay: the trace's certificate is self-signed
    /// with CA:FALSE and no subjectAltName, so no trust setup accepts it; the replay takes
    /// the leaf's key as validated and checks everything after it for real.
    var takesLeafKeyUnvalidated = false
    #endif

    init() {}

    var sessionIDSpan: Span<UInt8> {
        @_lifetime(borrow self) get { sessionID.span.extracting(0..<sessionIDCount) }
    }

    var cookieSpan: Span<UInt8> {
        @_lifetime(borrow self) get { cookie.span.extracting(0..<cookieCount) }
    }

    var keyShareGroup: NamedGroup? {
        switch keyShare {
        case .some(let pair): pair.group
        case .none: nil
        }
    }
}
