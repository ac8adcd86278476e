/// One step of the handshake as it happens, for tracing and demos: what was sent or
/// received, how long it was, and which step of the classic handshake it serves
/// (① ClientHello … ⑩ application data). The engine queues a few; the driver drains them.
public struct HandshakeEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case sent(HandshakeType)
        case received(HandshakeType)
        case changeCipherSpecSent
        case changeCipherSpecReceived
        /// ③ the server's chain was validated.
        case certificateValidated
        /// ⑦ the master secret and record keys were derived.
        case keysDerived
        /// ⑤ the server asked for a certificate and the empty Certificate went out instead:
        /// the configured one does not answer its request (RFC 5246 §7.4.6).
        case clientCertificateDeclined(ClientCertificateDeclined)
        /// After the handshake: a warning alert went out (no_renegotiation to a HelloRequest).
        case warningSent(AlertDescription)
        /// ② TLS 1.3: the server asked for a second ClientHello, with a key share for this
        /// group (nil: only a cookie to echo).
        case helloRetryRequest(NamedGroup?)
        /// ④ TLS 1.3: the key shares gave the shared secret, on this group.
        case keyShareAgreed(NamedGroup)
        /// ⑩ TLS 1.3: the server's KeyUpdate; `requested`: it asked for ours.
        case keyUpdateReceived(requested: Bool)
        /// ⑩ TLS 1.3: our KeyUpdate went out; `requesting`: asking for the server's.
        case keyUpdateSent(requesting: Bool)
        /// ⑩ TLS 1.3: a NewSessionTicket, valid for `lifetime` seconds.
        case sessionTicket(lifetime: UInt32)
        /// ① the stored session went out in the ClientHello.
        case sessionOffered(Session.Kind)
        /// ① the session region holds a session that was not offered, and why: the
        /// handshake is a full one.
        case sessionNotOffered(Session.Refusal)
        /// ② the server resumed the session offered: no certificates, no key transport.
        case resumed(Session.Kind)
        /// ② the server did not take the session offered: a full handshake follows.
        case resumptionDeclined(Session.Kind)
        /// A session the server gave is in the session region (sealed once the handshake ends).
        case sessionStored(Session.Kind)
        /// A ticket longer than `Session.ticketCapacity` was not stored.
        case ticketTooLong(length: Int)
        /// ⑥ (a server) the client's chain was validated, CRLs included; `length` is the leaf's.
        case clientCertificateValidated
        /// ⑤ (a server) the client sent an empty Certificate (the handshake fails next when one is required).
        case clientCertificateAbsent
        /// ② (a server) a HelloRetryRequest went out, asking for a share of this group.
        case helloRetryRequested(NamedGroup)
        /// ⑩ (a server) a ticket went out, valid for `lifetime` seconds.
        case sessionTicketIssued(lifetime: UInt32)
        /// (a server) a ClientHello after the handshake: renegotiation refused (no_renegotiation).
        case renegotiationRefused
    }

    public let kind: Kind
    // Stored narrow: the engine keeps a ring of these in the caller's RAM.
    /// The length in the low 31 bits; the top bit says a server noted it (handshake
    /// messages are under 2^24 bytes), so that the role costs no RAM in the queue.
    private let storedLength: UInt32

    /// Whether a server's machine noted it (the steps are counted from its side).
    public var byServer: Bool { storedLength & 0x8000_0000 != 0 }

    /// Bytes of the message including its 4-byte header (0 for derived steps).
    public var length: Int { Int(storedLength & 0x7FFF_FFFF) }

    init(_ kind: Kind, length: Int, server: Bool = false) {
        self.kind = kind
        storedLength = UInt32(truncatingIfNeeded: length) & 0x7FFF_FFFF | (server ? 0x8000_0000 : 0)
    }

    /// The step of the classic handshake, 1…10.
    public var step: Int { byServer ? serverStep : clientStep }

    /// The step as a server sees it: ① the ClientHello it receives, ② its answer, ④ the
    /// client's key exchange, ⑤ the client's certificate, ⑥ its check, ⑦ keys, ⑧ the
    /// client's Finished, ⑨ ours, ⑩ data.
    private var serverStep: Int {
        switch kind {
        case .received(.clientHello): 1
        case .received(.clientKeyExchange), .keyShareAgreed: 4
        case .received(.certificate), .clientCertificateAbsent: 5
        case .received(.certificateVerify), .clientCertificateValidated: 6
        case .keysDerived: 7
        case .received(.finished), .changeCipherSpecReceived: 8
        case .sent(.finished), .changeCipherSpecSent: 9
        case .keyUpdateReceived, .keyUpdateSent, .renegotiationRefused, .warningSent, .sessionTicketIssued: 10
        case .received: 10
        default: 2
        }
    }

    private var clientStep: Int {
        switch kind {
        case .sent(.clientHello): 1
        case .received(.finished): 9
        case .received(.helloRequest), .received(.newSessionTicket), .received(.keyUpdate), .sent(.keyUpdate): 10
        case .keyUpdateReceived, .keyUpdateSent, .sessionTicket, .sessionStored, .ticketTooLong: 10
        case .sessionOffered, .sessionNotOffered: 1
        case .resumed, .resumptionDeclined: 2
        case .received(.certificateVerify): 3
        case .received, .helloRetryRequest: 2
        case .certificateValidated: 3
        case .keyShareAgreed: 4
        case .sent(.clientKeyExchange): 4
        case .sent(.certificate), .sent(.certificateVerify), .clientCertificateDeclined: 5
        case .keysDerived: 7
        case .sent, .changeCipherSpecSent: 8
        case .changeCipherSpecReceived: 9
        case .warningSent: 10
        case .clientCertificateValidated, .clientCertificateAbsent, .renegotiationRefused, .sessionTicketIssued: 10
        case .helloRetryRequested: 2
        }
    }
}

/// Why a client answered a CertificateRequest with an empty Certificate.
public enum ClientCertificateDeclined: Sendable, Equatable {
    /// No chain and key were configured.
    case noCertificateConfigured
    /// The request's certificate_types do not include our key's type.
    case keyTypeNotRequested
    /// Our chain reaches none of the request's certificate_authorities.
    case authorityNotRequested
    /// No signature scheme of ours is in the request's list.
    case noCommonSignatureScheme
}
