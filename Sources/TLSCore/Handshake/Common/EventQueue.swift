/// A small ring of handshake events for tracing. When the caller does not drain it, the
/// oldest events are dropped: tracing never blocks or fails the handshake.
public struct EventQueue {
    private var events = InlineArray<16, HandshakeEvent?>(repeating: nil)
    private var head: UInt8 = 0
    private var count: UInt8 = 0

    mutating func push(_ event: HandshakeEvent) {
        if count == 16 {
            head = (head &+ 1) & 15
            count &-= 1
        }
        events[Int((head &+ count) & 15)] = event
        count &+= 1
    }

    mutating func pop() -> HandshakeEvent? {
        guard count > 0 else { return nil }
        let event = events[Int(head)]
        events[Int(head)] = nil
        head = (head &+ 1) & 15
        count &-= 1
        return event
    }
}
