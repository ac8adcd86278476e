/// ② CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2): the certificate types and
/// signature schemes the server accepts for a client certificate, and the CAs it trusts.
/// TLS 1.3 names no certificate types (any key that can sign) and carries the rest as
/// extensions.
struct CertificateRequest: ~Escapable {
    /// certificate_types includes rsa_sign (1).
    let acceptsRSA: Bool
    /// certificate_types includes ecdsa_sign (64).
    let acceptsECDSA: Bool
    /// supported_signature_algorithms: u16 code points.
    let signatureSchemes: Span<UInt8>
    /// certificate_authorities: DistinguishedName<1..2^16-1> entries.
    let authorities: Span<UInt8>

    @_lifetime(copy body)
    init(body: Span<UInt8>) throws(TLSError) {
        var reader = Reader(body)
        var types = try reader.subReader(lengthBytes: 1, minimum: 1)
        var rsa = false, ecdsa = false
        while !types.isAtEnd {
            switch try types.u8() {
            case 1: rsa = true
            case 64: ecdsa = true
            default: break
            }
        }
        let schemes = try reader.vector(lengthBytes: 2, minimum: 2)
        guard schemes.count % 2 == 0 else { throw .malformed }
        let authorities = try reader.vector(lengthBytes: 2)
        try reader.expectEnd()
        acceptsRSA = rsa
        acceptsECDSA = ecdsa
        signatureSchemes = schemes
        self.authorities = authorities
    }

    /// TLS 1.3: certificate_request_context (empty during the handshake, §4.3.2) and the
    /// extensions: signature_algorithms (required, §9.2), certificate_authorities; others
    /// are ignored as §4.3.2 asks ("Clients MUST ignore unrecognized extensions").
    @_lifetime(copy body)
    init(tls13 body: Span<UInt8>) throws(TLSError) {
        var reader = Reader(body)
        guard try reader.vector(lengthBytes: 1).count == 0 else { throw .illegalParameter }
        var extensions = try reader.subReader(lengthBytes: 2)
        try reader.expectEnd()
        var schemes: Span<UInt8>? = nil
        var authorities = Span<UInt8>()
        var seen: UInt8 = 0
        while !extensions.isAtEnd {
            let type = try extensions.u16()
            var data = try extensions.subReader(lengthBytes: 2)
            switch ExtensionType(rawValue: type) {
            case .signatureAlgorithms:
                guard seen & 1 == 0 else { throw .illegalParameter }
                seen |= 1
                let list = try data.vector(lengthBytes: 2, minimum: 2)
                guard list.count % 2 == 0 else { throw .malformed }
                schemes = list
                try data.expectEnd()
            case .certificateAuthorities:
                guard seen & 2 == 0 else { throw .illegalParameter }
                seen |= 2
                authorities = try data.vector(lengthBytes: 2, minimum: 3)
                try data.expectEnd()
            default:
                break
            }
        }
        guard let schemes else { throw .missingExtension }
        acceptsRSA = true
        acceptsECDSA = true
        signatureSchemes = schemes
        self.authorities = authorities
    }

    func offers(_ scheme: UInt16) -> Bool {
        var i = 0
        while i &+ 1 < signatureSchemes.count {
            if UInt16(signatureSchemes[i]) << 8 | UInt16(signatureSchemes[i &+ 1]) == scheme { return true }
            i &+= 2
        }
        return false
    }
}

extension CertificateRequest {
    /// The schemes a TLS 1.2 server accepts in a client's CertificateVerify: it signs the
    /// transcript hash, which runs as SHA-256 and SHA-384 only. TLS 1.3 lists the schemes a
    /// ClientHello offers (its rsa_pkcs1 entries count for the chain's certificates only,
    /// §4.2.3, which an RSA client chain needs).
    static let schemes12: InlineArray<6, UInt16> = [0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501]

    static func accepts12(_ scheme: UInt16) -> Bool {
        for i in schemes12.indices where schemes12[i] == scheme { return true }
        return false
    }

    /// ⑤ The server's CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2): certificate
    /// types rsa_sign and ecdsa_sign (1.2), the schemes above, and certificate_authorities
    /// naming the subjects of the client trust anchors (so that a client with several
    /// certificates picks one we can validate).
    static func write(version: TLSVersion, anchors: Span<UInt8>, into writer: inout Writer) throws(TLSError) {
        try writer.u8(HandshakeType.certificateRequest.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        if version == .tls13 {
            try writer.u8(0)  // certificate_request_context: empty in the handshake
            let extensions = try writer.beginVector(lengthBytes: 2)
            try writer.u16(ExtensionType.signatureAlgorithms.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            for i in ClientHello.signatureSchemes.indices { try writer.u16(ClientHello.signatureSchemes[i]) }
            try writer.endVector(list)
            try writer.endVector(data)
            if anchors.count > 0 {
                try writer.u16(ExtensionType.certificateAuthorities.rawValue)
                let authorities = try writer.beginVector(lengthBytes: 2)
                try writeAuthorities(anchors, into: &writer)
                try writer.endVector(authorities)
            }
            try writer.endVector(extensions)
        } else {
            let types = try writer.beginVector(lengthBytes: 1)
            try writer.u8(1)   // rsa_sign
            try writer.u8(64)  // ecdsa_sign
            try writer.endVector(types)
            let list = try writer.beginVector(lengthBytes: 2)
            for i in schemes12.indices { try writer.u16(schemes12[i]) }
            try writer.endVector(list)
            try writeAuthorities(anchors, into: &writer)
        }
        try writer.endVector(body)
    }

    /// DistinguishedName certificate_authorities<0..2^16-1>: each anchor's subject.
    private static func writeAuthorities(_ anchors: Span<UInt8>, into writer: inout Writer) throws(TLSError) {
        let names = try writer.beginVector(lengthBytes: 2)
        var certificates = DER(anchors)
        while certificates.peekTag() != nil {
            let anchor = try Certificate(der: try certificates.encoded(DER.sequence))
            let name = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(anchor.subject)
            try writer.endVector(name)
        }
        try writer.endVector(names)
    }
}
