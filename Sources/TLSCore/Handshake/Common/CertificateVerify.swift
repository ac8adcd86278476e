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

extension CertificateVerify {
    /// What a TLS 1.3 CertificateVerify signs before the transcript hash (RFC 8446 §4.4.3):
    /// 64 spaces, the context string of the signer's role, a zero byte.
    static func content13(server: Bool) -> InlineArray<98, UInt8> {
        var prefix = InlineArray<98, UInt8>(repeating: 0x20)
        let context: StaticString = server ? "TLS 1.3, server CertificateVerify" : "TLS 1.3, client CertificateVerify"
        let bytes = context.utf8Start
        for i in 0..<context.utf8CodeUnitCount { prefix[64 &+ i] = bytes[i] }
        prefix[97] = 0
        return prefix
    }

    /// Whether a TLS 1.3 CertificateVerify may use `algorithm` with `key`: RSA only as
    /// PSS, and ECDSA only on the curve the scheme names (§4.2.3).
    static func suits13(_ algorithm: SignatureAlgorithm, _ key: PublicKey.Kind) -> Bool {
        switch (algorithm, key) {
        case (.rsaPSS, .rsa): true
        case (.ecdsa(.sha256), .ecdsa(.secp256r1)), (.ecdsa(.sha384), .ecdsa(.secp384r1)): true
        default: false
        }
    }
}
