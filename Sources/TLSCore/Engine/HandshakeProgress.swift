/// What a handshake step asks of the engine: the narrow set of commands through which a
/// `HandshakeMachine` changes the record layer (BearSSL's engine and rustls's record layer
/// work this way). The engine carries them out in one place, `Engine.apply`. Small and
/// plain: new keys are announced here and made by the machine when the engine installs
/// them (`HandshakeMachine.recordProtection`), so no key waits in transit.
public struct HandshakeProgress {
    /// The machine has a flight to write now (`HandshakeMachine.writeFlight`). The message
    /// that made it due must end its record: a peer may not send past the end of its flight.
    var flightDue = false
    /// Incoming records are protected with new keys from the next record on.
    var newReadKeys = false
    /// Outgoing records are protected with new keys from the flight's switch point on.
    var newWriteKeys = false
    /// And with newer keys again once the flight is out (TLS 1.3: the handshake keys carry
    /// our flight up to Finished, the application keys what follows).
    var newWriteKeysAfterFlight = false
    /// The handshake is complete: application data may flow. Nothing may follow the
    /// message that completed it in the same record.
    var complete = false
    /// The peer's version is settled and records carry at most this much plaintext
    /// (2^14, or the max_fragment_length both sides agreed on); 0: unchanged.
    var recordLimit: UInt16 = 0
    /// The most plaintext we may send in one record when the peer's limit differs from
    /// ours (RFC 8449's record_size_limit); 0: `recordLimit`.
    var sendLimit: UInt16 = 0
    /// A warning alert to send (a refused renegotiation after the handshake).
    var warning: AlertDescription? = nil
    /// The message gave the application nothing (a ticket, a KeyUpdate, a HelloRequest):
    /// the engine counts it with the other empty records, bounding how long a peer can keep
    /// it busy.
    var idle = false

    static var none: HandshakeProgress { HandshakeProgress() }
}
