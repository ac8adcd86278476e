/// Revocation by CRL (RFC 5280 §6.3): every link below the trust anchor against the CRLs
/// its issuer signed.
///
/// Of the CRLs that name the issuer and whose scope covers the certificate (§5.2.5
/// issuingDistributionPoint: all, end entities only, CAs only; partial, indirect or
/// unknown-critical scopes are not usable), the most recent decides: the highest cRLNumber,
/// then the latest thisUpdate (§5.2.3: numbers increase), not the first in the input.
/// Candidates are tried in that order until one verifies with the issuer's key; badly
/// signed ones are passed over (one of them still fails the link if nothing verifies). The
/// deciding CRL must be current — thisUpdate <= time <= nextUpdate, and a CRL without
/// nextUpdate is never current (§5.1.2.5) — must carry a non-critical cRLNumber, and must
/// not be a delta CRL. An issuer whose keyUsage lacks cRLSign has no usable CRL: a CRL
/// naming it refuses the link with `crlIssuerLacksCRLSign` (§6.3.3 (f)). A link without a usable CRL passes under `.checkAvailable` and
/// fails with `crlMissing` under `.requireCRL`. Each verification is taken from the
/// signature budget.
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

    /// Where a CRL stands in recency order: cRLNumber, thisUpdate, then its offset (so that
    /// two CRLs never tie and each is tried once).
    struct Rank {
        var offset: Int
        var thisUpdate: Int64
    }

    static func check(
        _ subject: borrowing Certificate, issuer: borrowing Certificate, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy, work: inout ValidationWork
    ) throws(TLSError) {
        // §6.3.3 (f), §4.2.1.3: the CRL issuer's key must be allowed to sign CRLs.
        let maySignCRLs = issuer.extensions.keyUsage.map { $0.contains(.cRLSign) } ?? true
        var sawBadSignature = false
        var below: Rank? = nil
        while true {
            // The most recent candidate below the last one tried.
            var best: Rank? = nil
            var reader = DER(crls)
            while !reader.isAtEnd {
                let offset = crls.count &- reader.reader.remaining
                guard let element = try? reader.next(), element.tag == DER.sequence else {
                    throw .certificate(.malformed(where: .crl))
                }
                let crl = try CRL(der: element.encoded)
                guard DistinguishedName.equal(crl.issuer, issuer.subject), !crl.hasUnknownCriticalExtension,
                      crl.scope.covers(ca: subject.extensions.isCA) else { continue }
                let rank = Rank(offset: offset, thisUpdate: crl.thisUpdate)
                if let below, !precedes(rank, crl.number, below, crls) { continue }
                if let current = best, !precedes(current, number(at: current.offset, crls), rank, crls) { continue }
                best = rank
            }
            guard let chosen = best else { break }
            below = chosen
            let crl = try CRL(der: element(at: chosen.offset, crls))
            // §6.3.3 (f): a keyUsage without cRLSign makes every CRL of this issuer unusable.
            // A CRL for the link exists, so the status is undetermined rather than "no CRL":
            // refused in both revocation modes, as a badly signed CRL is (and as OpenSSL's
            // and Mbed TLS's CRL checks do), without spending a verification.
            guard maySignCRLs else { throw .certificate(.violates(.crlIssuerLacksCRLSign)) }
            try PathValidator.checkAlgorithm(crl.signatureAlgorithm, policy: policy)
            try work.spendSignature()
            guard try PathValidator.verifies(crl.tbs, crl.signatureAlgorithm, crl.signature, by: issuer) else {
                sawBadSignature = true
                continue
            }
            // The issuer's most recent CRL decides.
            if crl.isDelta { throw .certificate(.violates(.deltaCRL)) }
            if crl.number == nil || crl.numberIsCritical { throw .certificate(.violates(.crlNumber)) }
            guard crl.thisUpdate <= policy.time, let next = crl.nextUpdate, policy.time <= next else {
                throw .certificate(.crlExpired)
            }
            if crl.contains(serial: subject.serial) { throw .certificate(.revoked) }
            return
        }
        if sawBadSignature { throw .certificate(.crlBadSignature) }
        if policy.revocation == .requireCRL { throw .certificate(.crlMissing) }
    }

    /// Whether `a` (with cRLNumber `aNumber`) is less recent than `b`.
    static func precedes(_ a: Rank, _ aNumber: Span<UInt8>?, _ b: Rank, _ crls: Span<UInt8>) -> Bool {
        let order = compare(aNumber, number(at: b.offset, crls))
        if order != 0 { return order < 0 }
        if a.thisUpdate != b.thisUpdate { return a.thisUpdate < b.thisUpdate }
        return a.offset < b.offset
    }

    /// The cRLNumber of the CRL at `offset` (the input parsed before, so it parses again).
    @_lifetime(copy crls)
    static func number(at offset: Int, _ crls: Span<UInt8>) -> Span<UInt8>? {
        guard let crl = try? CRL(der: element(at: offset, crls)) else { return nil }
        return crl.number
    }

    @_lifetime(copy crls)
    static func element(at offset: Int, _ crls: Span<UInt8>) throws(TLSError) -> Span<UInt8> {
        var reader = DER(crls.extracting(offset..<crls.count))
        return try reader.next().encoded
    }

    /// Compares two non-negative INTEGER contents by value; an absent number is the lowest.
    static func compare(_ a: Span<UInt8>?, _ b: Span<UInt8>?) -> Int {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        let x = PublicKeyPolicy.magnitude(a)
        let y = PublicKeyPolicy.magnitude(b)
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for i in 0..<x.count where x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
        return 0
    }
}
