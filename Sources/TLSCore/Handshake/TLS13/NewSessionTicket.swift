/// ⑩ NewSessionTicket (RFC 8446 §4.6.1), after the handshake: parsed and checked, and
/// surfaced to the caller as an event; `Client13` stores it in the session region.
struct NewSessionTicket: ~Escapable {
    /// Seconds the ticket may be used for: at most seven days (§4.6.1).
    let lifetime: UInt32
    let ageAdd: UInt32
    let nonce: Span<UInt8>
    let ticket: Span<UInt8>

    @_lifetime(copy body)
    init(body: Span<UInt8>) throws(TLSError) {
        var reader = Reader(body)
        let lifetime = try reader.u32()
        guard lifetime <= 604_800 else { throw .illegalParameter }
        self.lifetime = lifetime
        ageAdd = try reader.u32()
        nonce = try reader.vector(lengthBytes: 1)
        ticket = try reader.vector(lengthBytes: 2, minimum: 1)
        // Extensions: early_data's max_early_data_size, or anything else, which "clients
        // MUST ignore" (§4.6.1) once framed correctly.
        var extensions = try reader.subReader(lengthBytes: 2)
        try reader.expectEnd()
        while !extensions.isAtEnd {
            _ = try extensions.u16()
            _ = try extensions.vector(lengthBytes: 2)
        }
    }
}
