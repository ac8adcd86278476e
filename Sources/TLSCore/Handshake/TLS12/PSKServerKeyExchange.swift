/// ② ServerKeyExchange of the TLS 1.2 PSK suites: a psk_identity_hint (RFC 4279 §2), and for
/// ECDHE_PSK the server's ephemeral ECDH parameters after it, unsigned — the PSK in the
/// key schedule is what authenticates them (RFC 5489 §2).
struct PSKServerKeyExchange: ~Escapable {
    /// A hint the client may use to pick an identity; this client has one, so it is only read.
    let hint: Span<UInt8>
    /// ECDHE_PSK: the group and the server's public value.
    let group: NamedGroup?
    let publicKey: Span<UInt8>

    @_lifetime(copy body)
    init(body: Span<UInt8>, ecdhe: Bool) throws(TLSError) {
        var reader = Reader(body)
        hint = try reader.vector(lengthBytes: 2)
        if ecdhe {
            // ECCurveType named_curve (3) and a group the client offered (RFC 8422 §5.4).
            guard try reader.u8() == 3 else { throw .illegalParameter }
            guard let group = NamedGroup(rawValue: try reader.u16()) else { throw .illegalParameter }
            self.group = group
            publicKey = try reader.vector(lengthBytes: 1, minimum: 1)
        } else {
            group = nil
            publicKey = Span()
        }
        try reader.expectEnd()
    }
}
