/// ② ServerKeyExchange for ECDHE suites (RFC 8422 §5.4): the server's ephemeral public
/// value on a named group, signed together with both randoms by the certificate's key.
struct ServerKeyExchange: ~Escapable {
    let group: NamedGroup
    let publicKey: Span<UInt8>
    /// The ServerECDHParams bytes, as signed.
    let parameters: Span<UInt8>
    let algorithm: SignatureAlgorithm
    let signature: Span<UInt8>

    @_lifetime(copy body)
    init(body: Span<UInt8>) throws(TLSError) {
        var reader = Reader(body)
        // ECCurveType: only named_curve (3) is allowed (RFC 8422 §5.4).
        guard try reader.u8() == 3 else { throw .illegalParameter }
        // A group the client did not offer is refused (RFC 8422 §5.4).
        guard let group = NamedGroup(rawValue: try reader.u16()) else { throw .illegalParameter }
        let point = try reader.vector(lengthBytes: 1, minimum: 1)
        let parametersLength = reader.offset
        let scheme = try reader.u16()
        // The scheme must be one the client offered in signature_algorithms (RFC 5246 §7.4.3).
        guard ClientHello.offers(scheme), let algorithm = SignatureAlgorithm(tlsSignatureScheme: scheme) else {
            throw .illegalParameter
        }
        let signature = try reader.vector(lengthBytes: 2, minimum: 1)
        try reader.expectEnd()
        self.group = group
        self.publicKey = point
        self.parameters = body.extracting(0..<parametersLength)
        self.algorithm = algorithm
        self.signature = signature
    }
}
