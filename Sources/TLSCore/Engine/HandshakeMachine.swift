/// A handshake of one role and version, as the engine drives it. It sees whole handshake
/// messages (the engine deframes them) and writes its own into a `Flight`; it never
/// touches records or the transport. What it needs of the record layer it asks for in the
/// `HandshakeProgress` it answers with — the only way a handshake changes record
/// protection or limits — so the engine never looks at a handshake state.
///
/// Implemented inside TLSCore only (`Client` and `Server`, both versions); the protocol is public
/// because the storable `Engine` is generic over it.
public protocol HandshakeMachine: ~Copyable {
    /// What the machine is set up with (`ClientSettings` for a client).
    associatedtype Settings

    /// A machine before its first flight.
    init()

    /// Bytes the input and output regions need for `settings` (the engine checks them).
    static func regionSizes(_ settings: borrowing Settings) -> (input: Int, output: Int)

    /// Writes the flight that is due — the first one when nothing has happened yet — into
    /// `flight`, marking where write protection changes.
    mutating func writeFlight(
        into flight: inout Flight, settings: borrowing Settings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress

    /// Handles one whole handshake message (header included), during the handshake or after it.
    mutating func receive(
        _ message: Span<UInt8>, settings: borrowing Settings, random: inout Random, events: inout EventQueue
    ) throws(TLSError) -> HandshakeProgress

    /// The protection for one direction's new keys, made when the engine installs them
    /// after a progress announced them (`newReadKeys`, `newWriteKeys`).
    mutating func recordProtection(for direction: RecordDirection) throws(TLSError) -> RecordProtection

    /// Handles a ChangeCipherSpec record (TLS 1.2: the peer's keys take effect; TLS 1.3:
    /// the compatibility record, dropped where allowed).
    mutating func receiveChangeCipherSpec(events: inout EventQueue) throws(TLSError) -> HandshakeProgress

    /// Asks for a key update of our own after the handshake (TLS 1.3 KeyUpdate), also
    /// requesting the peer's when `requestingPeer`; `invalidState` where there is none.
    mutating func requestKeyUpdate(requestingPeer: Bool) throws(TLSError) -> HandshakeProgress

    /// The suite negotiated so far (its version is the connection's), for the caller.
    var negotiatedSuite: CipherSuite? { get }

    /// The key-exchange group of a TLS 1.3 handshake, once known.
    var negotiatedGroup: NamedGroup? { get }

    /// Where the ALPN protocol the server chose (RFC 7301) lies in the settings' list,
    /// its length byte first; nil when none was.
    var negotiatedApplicationProtocol: Range<Int>? { get }

    /// Whether extended_master_secret was negotiated (RFC 7627).
    var usesExtendedMasterSecret: Bool { get }

    /// Records sealed under one write key after which the engine asks for a key update
    /// (RFC 8446 §5.5's AEAD limits); `UInt64.max` when keys never change.
    var recordsBeforeKeyUpdate: UInt64 { get }

    /// Whether, after the peer's TLS 1.3 close_notify, the engine keeps its write side open
    /// until `close()` (RFC 8446 §6.1 lets each side close its own direction): a server
    /// answering a request that came with the client's close_notify. TLS 1.2 answers at
    /// once (RFC 5246 §7.2.1).
    static var keepsWritingAfterPeerClose: Bool { get }

    /// A server: bytes of the verified client leaf copied into the configured region (0:
    /// none, or not kept).
    var verifiedPeerCertificateLength: Int { get }

    /// The connection ends with a fatal alert, sent or received (not a transport failure or
    /// a timeout): a TLS 1.2 server forgets its session (RFC 5246 §7.2.2). Called before
    /// `wipe(settings:)`.
    mutating func forgetSession(settings: borrowing Settings)
    /// Zeroes every secret the machine holds, in place, and ends it: nothing it receives
    /// afterwards is accepted.
    mutating func wipe(settings: borrowing Settings)
}

extension HandshakeMachine where Self: ~Copyable {
    public var verifiedPeerCertificateLength: Int { 0 }
    public static var keepsWritingAfterPeerClose: Bool { false }
    public mutating func forgetSession(settings: borrowing Settings) {}
}
