/// ⑤ The client's own certificate: whether the configured chain answers a
/// CertificateRequest, and the signature scheme for CertificateVerify (RFC 5246 §7.4.4,
/// §7.4.6, §7.4.8); and the two messages themselves.
enum ClientCredential {
    /// The scheme to sign with, or nil to answer with an empty Certificate: no chain
    /// configured, a key type the request does not list, no common scheme, or a chain that
    /// reaches none of the request's certificate_authorities.
    static func choose(
        for request: borrowing CertificateRequest, configuration: borrowing ClientConfiguration
    ) throws(TLSError) -> SignatureAlgorithm? {
        guard configuration.clientCertificateChain.count > 0, configuration.clientPrivateKey.count > 0 else { return nil }
        var chain = DER(configuration.clientCertificateChain)
        let leaf = try Certificate(der: try chain.encoded(DER.sequence))
        // Our preference within what the server lists; the transcript keeps SHA-256 and
        // SHA-384, so the scheme's hash is one of those.
        let preferences: InlineArray<4, UInt16>
        switch leaf.publicKey.kind {
        case .rsa:
            guard request.acceptsRSA else { return nil }
            preferences = [0x0804, 0x0805, 0x0401, 0x0501]
        case .ec:
            guard request.acceptsECDSA else { return nil }
            preferences = [0x0403, 0x0503, 0x0403, 0x0503]
        case .unsupported:
            return nil
        }
        guard try reachesAuthority(request.authorities, configuration.clientCertificateChain) else { return nil }
        for i in preferences.indices where request.offers(preferences[i]) {
            return SignatureAlgorithm(tlsSignatureScheme: preferences[i])
        }
        return nil
    }

    /// Whether some certificate of the chain was issued by (or is) one of the listed CAs.
    /// An empty list means any CA (RFC 5246 §7.4.4).
    private static func reachesAuthority(_ authorities: Span<UInt8>, _ chain: Span<UInt8>) throws(TLSError) -> Bool {
        guard authorities.count > 0 else { return true }
        var certificates = DER(chain)
        while certificates.peekTag() != nil {
            let certificate = try Certificate(der: try certificates.encoded(DER.sequence))
            var names = Reader(authorities)
            while !names.isAtEnd {
                let name = try names.vector(lengthBytes: 2, minimum: 1)
                if OID.equal(name, certificate.issuer) || OID.equal(name, certificate.subject) { return true }
            }
        }
        return false
    }

    /// Certificate (RFC 5246 §7.4.6): the configured chain as a certificate_list.
    static func writeCertificate(_ chain: Span<UInt8>, into writer: inout Writer) throws(TLSError) {
        try writer.u8(HandshakeType.certificate.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        let list = try writer.beginVector(lengthBytes: 3)
        var certificates = DER(chain)
        while certificates.peekTag() != nil {
            let certificate = try certificates.encoded(DER.sequence)
            try writer.u24(certificate.count)
            try writer.bytes(certificate)
        }
        try writer.endVector(list)
        try writer.endVector(body)
    }

    /// CertificateVerify (RFC 5246 §7.4.8): the signature over the transcript so far.
    /// Writes the whole message into `scratch` and returns its length.
    static func writeCertificateVerify(
        _ algorithm: SignatureAlgorithm, transcriptHash: Span<UInt8>, configuration: borrowing ClientConfiguration,
        random: inout Random, into scratch: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        var key = try PrivateKey(der: configuration.clientPrivateKey)
        switch (algorithm, key.kind) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1, .rsa), (.rsaPSS, .rsa): break
        default: throw .unsupportedAlgorithm  // the key does not match the certificate
        }
        guard scratch.count > 8 else { throw .bufferTooSmall(needed: 9, capacity: scratch.count) }
        var signature = scratch._mutatingExtracting(8..<scratch.count)
        let signatureLength = try key.sign(algorithm, digest: transcriptHash, random: &random, into: &signature)
        let bodyLength = 4 &+ signatureLength
        scratch[0] = HandshakeType.certificateVerify.rawValue
        scratch[1] = UInt8(truncatingIfNeeded: bodyLength >> 16)
        scratch[2] = UInt8(truncatingIfNeeded: bodyLength >> 8)
        scratch[3] = UInt8(truncatingIfNeeded: bodyLength)
        scratch[4] = UInt8(truncatingIfNeeded: algorithm.tlsSignatureScheme >> 8)
        scratch[5] = UInt8(truncatingIfNeeded: algorithm.tlsSignatureScheme)
        scratch[6] = UInt8(truncatingIfNeeded: signatureLength >> 8)
        scratch[7] = UInt8(truncatingIfNeeded: signatureLength)
        return 8 &+ signatureLength
    }
}
