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
    /// A received CertificateVerify body (RFC 5246 §7.4.8, RFC 8446 §4.4.3), checked to be
    /// whole: a scheme the receiver listed (`listed`) that this core implements — else
    /// illegal_parameter — into `algorithm`; returns the signature.
    @_lifetime(copy body)
    static func read(
        _ body: Span<UInt8>, listed: (UInt16) -> Bool, algorithm: inout SignatureAlgorithm
    ) throws(TLSError) -> Span<UInt8> {
        var reader = Reader(body)
        let scheme = try reader.u16()
        let signature = try reader.vector(lengthBytes: 2, minimum: 1)
        try reader.expectEnd()
        guard listed(scheme), let named = SignatureAlgorithm(tlsSignatureScheme: scheme) else { throw .illegalParameter }
        algorithm = named
        return signature
    }

    /// Checks a TLS 1.3 CertificateVerify from the peer (§4.4.3), either role: a scheme we
    /// offered (the ClientHello's list, which a server's CertificateRequest repeats) that
    /// suits the key — RSA-PSS, or ECDSA on the curve the scheme names — over the signer's
    /// context string and `transcriptHash` (through the peer's Certificate).
    static func verify13(
        _ body: Span<UInt8>, key: consuming PublicKey, signedByServer: Bool, transcriptHash: Span<UInt8>
    ) throws(TLSError) {
        var algorithm = SignatureAlgorithm.ecdsa(.sha256)
        let signature = try read(body, listed: ClientHello.offers, algorithm: &algorithm)
        guard suits13(algorithm, key.kind) else { throw .illegalParameter }
        let content = content13(server: signedByServer)
        try key.verify(algorithm, signature: signature, over: content.span, transcriptHash)
    }

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
