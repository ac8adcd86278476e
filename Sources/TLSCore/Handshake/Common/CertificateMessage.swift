/// The Certificate message, either role (RFC 5246 §7.4.2 and §7.4.6): a certificate_list of
/// DER certificates, leaf first, each with a 3-byte length. TLS 1.3 adds a request context
/// and per-entry extensions (RFC 8446 §4.4.2) here.
enum CertificateMessage {
    /// The certificate_list of a TLS 1.2 Certificate body, checked to be the whole body.
    @_lifetime(copy body)
    static func certificateList(_ body: Span<UInt8>) throws(TLSError) -> Span<UInt8> {
        var reader = Reader(body)
        let list = try reader.vector(lengthBytes: 3)
        try reader.expectEnd()
        return list
    }

    /// The certificate_list of a TLS 1.3 Certificate body (RFC 8446 §4.4.2), checked to be
    /// the whole body, with an empty certificate_request_context (a handshake's own
    /// Certificate) and entries without extensions: this client asks for none (no
    /// status_request, no SCTs), and an unsolicited one is unsupported_extension (§4.2).
    @_lifetime(copy body)
    static func certificateList13(_ body: Span<UInt8>) throws(TLSError) -> Span<UInt8> {
        var reader = Reader(body)
        guard try reader.vector(lengthBytes: 1).count == 0 else { throw .illegalParameter }
        let list = try reader.vector(lengthBytes: 3)
        try reader.expectEnd()
        var entries = Reader(list)
        while !entries.isAtEnd {
            _ = try entries.vector(lengthBytes: 3, minimum: 1)
            guard try entries.vector(lengthBytes: 2).count == 0 else { throw .unsupportedExtension }
        }
        return list
    }

    /// Writes a Certificate message carrying `chain` (concatenated DER, leaf first); an
    /// empty chain writes the empty message (RFC 5246 §7.4.6, RFC 8446 §4.4.2). TLS 1.3
    /// adds the empty certificate_request_context and each entry's empty extensions.
    static func write(_ chain: Span<UInt8>, version: TLSVersion = .tls12, into writer: inout Writer) throws(TLSError) {
        try writer.u8(HandshakeType.certificate.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        if version == .tls13 { try writer.u8(0) }
        let list = try writer.beginVector(lengthBytes: 3)
        var certificates = DER(chain)
        while certificates.peekTag() != nil {
            let certificate = try certificates.encoded(DER.sequence)
            try writer.u24(certificate.count)
            try writer.bytes(certificate)
            if version == .tls13 { try writer.u16(0) }
        }
        try writer.endVector(list)
        try writer.endVector(body)
    }
}
