/// ② CertificateRequest (RFC 5246 §7.4.4): the certificate types and signature schemes the
/// server accepts for a client certificate, and the CAs it trusts.
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

    func offers(_ scheme: UInt16) -> Bool {
        var i = 0
        while i &+ 1 < signatureSchemes.count {
            if UInt16(signatureSchemes[i]) << 8 | UInt16(signatureSchemes[i &+ 1]) == scheme { return true }
            i &+= 2
        }
        return false
    }
}
