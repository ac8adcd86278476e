/// Revocation by CRL (RFC 5280 §6.3): every link below the trust anchor against the CRLs
/// its issuer signed. The first CRL from the issuer that verifies and is current decides;
/// a stale or badly signed one fails the path unless a good one is also there; a link
/// without any passes under `.checkAvailable` and fails under `.requireCRL`. Each CRL
/// signature checked is taken from the signature budget.
public struct RevocationPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 { 0 }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.anchorIndex {
            let subject = try path.certificate(i)
            let issuer = try path.certificate(i &+ 1)
            try Self.check(subject, issuer: issuer, crls: path.crls, policy: policy, work: &work)
        }
    }

    static func check(
        _ subject: borrowing Certificate, issuer: borrowing Certificate, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy, work: inout ValidationWork
    ) throws(TLSError) {
        var sawBadSignature = false
        var sawExpired = false
        var reader = DER(crls)
        while !reader.isAtEnd {
            guard let element = try? reader.next(), element.tag == DER.sequence else {
                throw .certificate(.malformed(where: .crl))
            }
            let crl = try CRL(der: element.encoded)
            guard OID.equal(crl.issuer, issuer.subject), !crl.hasUnknownCriticalExtension else { continue }
            try PathValidator.checkAlgorithm(crl.signatureAlgorithm, policy: policy)
            // §6.3.3 (f): the CRL issuer's key must be allowed to sign CRLs.
            if let usage = issuer.extensions.keyUsage, !usage.contains(.cRLSign) {
                sawBadSignature = true
                continue
            }
            try work.spendSignature()
            guard PathValidator.verifies(crl.tbs, crl.signatureAlgorithm, crl.signature, by: issuer) else {
                sawBadSignature = true
                continue
            }
            var current = crl.thisUpdate <= policy.time
            if let next = crl.nextUpdate, next < policy.time { current = false }
            guard current else {
                sawExpired = true
                continue
            }
            if crl.contains(serial: subject.serial) { throw .certificate(.revoked) }
            return
        }
        if sawBadSignature { throw .certificate(.crlBadSignature) }
        if sawExpired { throw .certificate(.crlExpired) }
        if policy.revocation == .requireCRL { throw .certificate(.crlMissing) }
    }
}
