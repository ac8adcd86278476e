/// The CA/Browser Forum Baseline Requirements for public TLS server certificates, over what
/// `rfc5280` checks: the leaf is no CA and carries an extendedKeyUsage without
/// anyExtendedKeyUsage (BR §7.1.2.7),
/// every certificate of the chain an authorityKeyIdentifier and every intermediate a
/// subjectKeyIdentifier (BR §7.1.2), subjectAltName non-critical beside a non-empty subject
/// (RFC 5280 §4.2.1.6's SHOULD, a MUST in the BR), and the leaf's commonName, when present,
/// one of its subjectAltName entries in canonical form (BR §7.1.4.3: ASCII case folded, an IP
/// address compared as octets, U-labels as their Punycode A-labels).
public struct WebPKIPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 { 0 }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        let leaf = try path.certificate(0)
        if leaf.extensions.isCA { throw .certificate(.violates(.caCertificateAsLeaf)) }
        if leaf.extensions.anyExtendedKeyUsage { throw .certificate(.violates(.anyExtendedKeyUsageInLeaf)) }
        if !leaf.extensions.hasExtendedKeyUsage { throw .certificate(.violates(.extendedKeyUsageMissing)) }
        for i in 0..<path.anchorIndex {
            let certificate = try path.certificate(i)
            let extensions = certificate.extensions
            if extensions.authorityKeyIdentifier == nil { throw .certificate(.violates(.authorityKeyIdentifierMissing)) }
            if i > 0, extensions.subjectKeyIdentifier == nil { throw .certificate(.violates(.subjectKeyIdentifierMissing)) }
            if !certificate.hasEmptySubject, extensions.isCritical(CertificateExtensions.subjectAltNameArc) {
                throw .certificate(.violates(.subjectAltNameCriticality))
            }
        }
        if let commonName = leaf.commonName(), !Self.isListed(commonName, in: leaf) {
            throw .certificate(.violates(.commonNameNotInSubjectAltName))
        }
    }

    /// Whether `commonName` equals a dNSName (ASCII case-insensitively, U-labels encoded)
    /// or, as an IP literal, an iPAddress entry of the leaf's subjectAltName.
    static func isListed(_ commonName: Span<UInt8>, in leaf: borrowing Certificate) -> Bool {
        guard let names = leaf.extensions.subjectAltNames else { return false }
        var literal = InlineArray<16, UInt8>(repeating: 0)
        let length = Hostname.ipLiteral(commonName, into: &literal)
        var reader = DER(names)
        while !reader.isAtEnd {
            guard let name = try? reader.next() else { return false }
            if length > 0 {
                if name.tag == GeneralName.ipAddress, OID.equal(name.contents, literal.span.extracting(0..<length)) { return true }
            } else if name.tag == GeneralName.dnsName, Hostname.sameIDN(commonName: commonName, dnsName: name.contents) {
                return true
            }
        }
        return false
    }
}
