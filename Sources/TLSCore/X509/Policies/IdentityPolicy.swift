/// The leaf against the identity the caller expects (RFC 6125 §6, RFC 5280 §4.2.1.6).
///
/// - Every dNSName in the leaf's subjectAltName must have the preferred name syntax.
/// - A DNS reference that is an IP literal ("192.0.2.1", "2001:db8::1") is matched against
///   iPAddress entries only, never as a DNS name (RFC 6125 §6.1 / RFC 9525 §6.2).
/// - The subject's commonName is a fallback only when the profile allows it
///   (`commonNameFallback`), the policy asks for it, and the leaf has no subjectAltName at
///   all (RFC 6125 §6.4.4).
public struct IdentityPolicy: PathPolicy {
    public let commonNameFallback: Bool

    public init(commonNameFallback: Bool) { self.commonNameFallback = commonNameFallback }

    public var understoodExtensions: UInt64 { Self.arc(CertificateExtensions.subjectAltNameArc) }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        let leaf = try path.certificate(0)
        if let names = leaf.extensions.subjectAltNames {
            var reader = DER(names)
            while !reader.isAtEnd {
                guard let name = try? reader.next() else { throw .certificate(.malformed(where: .subjectAltName)) }
                if name.tag == GeneralName.dnsName, !Hostname.isValidDNSName(name.contents) {
                    throw .certificate(.violates(.dnsNameSyntax))
                }
            }
        }
        switch policy.identity {
        case .unspecified:
            return
        case .ipAddress(let address):
            if Self.hasIPAddress(leaf, address) { return }
        case .dnsName(let reference):
            var literal = InlineArray<16, UInt8>(repeating: 0)
            let length = Hostname.ipLiteral(reference, into: &literal)
            if length > 0 {
                if Self.hasIPAddress(leaf, literal.span.extracting(0..<length)) { return }
                throw .certificate(.nameMismatch)
            }
            if let names = leaf.extensions.subjectAltNames {
                var reader = DER(names)
                while !reader.isAtEnd {
                    guard let name = try? reader.next() else { break }
                    if name.tag == GeneralName.dnsName, Hostname.matches(reference: reference, pattern: name.contents) {
                        return
                    }
                }
            }
            if Self.usesCommonName(leaf, policy, allowed: commonNameFallback), let commonName = leaf.commonName(),
               Hostname.matches(reference: reference, pattern: commonName) {
                return
            }
        }
        throw .certificate(.nameMismatch)
    }

    /// Whether the identity is to be looked for in the leaf's commonName: a DNS reference
    /// that is not an IP literal, a leaf without subjectAltName, and the fallback allowed by
    /// both the profile and the policy. Name constraints then apply to that commonName too.
    static func usesCommonName(_ leaf: borrowing Certificate, _ policy: borrowing ValidationPolicy, allowed: Bool) -> Bool {
        guard allowed, policy.allowCommonNameFallback, leaf.extensions.subjectAltNames == nil else { return false }
        guard case .dnsName(let reference) = policy.identity else { return false }
        var literal = InlineArray<16, UInt8>(repeating: 0)
        return Hostname.ipLiteral(reference, into: &literal) == 0
    }

    static func hasIPAddress(_ leaf: borrowing Certificate, _ address: Span<UInt8>) -> Bool {
        guard let names = leaf.extensions.subjectAltNames else { return false }
        var reader = DER(names)
        while !reader.isAtEnd {
            guard let name = try? reader.next() else { return false }
            if name.tag == GeneralName.ipAddress, Hostname.matches(address: address, san: name.contents) { return true }
        }
        return false
    }
}
