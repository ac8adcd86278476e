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
    }

    public let kind: Kind
    // Stored narrow: the engine keeps a ring of these in the caller's RAM.
    private let storedLength: UInt32

    /// Bytes of the message including its 4-byte header (0 for derived steps).
    public var length: Int { Int(storedLength) }

    init(_ kind: Kind, length: Int) {
        self.kind = kind
        storedLength = UInt32(truncatingIfNeeded: length)
    }

    /// The step of the classic handshake, 1…10.
    public var step: Int {
        switch kind {
        case .sent(.clientHello): 1
        case .received(.finished): 9
        case .received: 2
        case .certificateValidated: 3
        case .sent(.clientKeyExchange): 4
        case .sent(.certificate), .sent(.certificateVerify): 5
        case .keysDerived: 7
        case .sent, .changeCipherSpecSent: 8
        case .changeCipherSpecReceived: 9
        }
    }
}
