/// CertificateVerify, either role (RFC 5246 §7.4.8, RFC 8446 §4.4.3): the signature scheme
/// and the signature over the transcript.
enum CertificateVerify {
    /// Writes the message; `sign` fills the room it is given and returns the signature's length.
    static func write(
        _ algorithm: SignatureAlgorithm, into writer: inout Writer,
        sign: (inout MutableSpan<UInt8>) throws(TLSError) -> Int
    ) throws(TLSError) {
        try writer.u8(HandshakeType.certificateVerify.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u16(algorithm.tlsSignatureScheme)
        let signature = try writer.beginVector(lengthBytes: 2)
        try writer.appendVariable(maximum: writer.freeCapacity, sign)
        try writer.endVector(signature)
        try writer.endVector(body)
    }
}
