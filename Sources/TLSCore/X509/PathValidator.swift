/// Certificate path validation (RFC 5280 §6) without allocation.
///
/// The peer's chain arrives as the body of a TLS 1.2 Certificate message's certificate_list
/// (entries of uint24 length + DER, leaf first, the rest in any order and possibly with
/// unrelated extras). The path is built upwards from the leaf: at each step the issuer is
/// the first trust anchor, else the first unused chain entry, whose subject equals the
/// current issuer name and whose key verifies the current signature — so extras and
/// shuffling cost only parsing. The path is a fixed InlineArray of offsets; certificates
/// are re-parsed (cheap, zero-copy) whenever a check needs them rather than stored.
public enum PathValidator {
    /// The longest path handled, leaf and trust anchor included.
    public static let maximumDepth = 8

    /// Validates `chain` against `trustAnchors` (concatenated DER certificates) and `crls`
    /// (concatenated DER CRLs, possibly empty) under `policy`. Returns the leaf's key and
    /// key usage; throws `TLSError.certificate(reason)` when the path is refused.
    public static func validate(
        chain: Span<UInt8>, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy
    ) throws(TLSError) -> ValidatedLeaf {
        let depthLimit = min(max(policy.maxDepth, 2), maximumDepth)
        // Framing first: every entry non-empty, lengths adding up exactly.
        var entries = 0
        do throws(TLSError) {
            var reader = Reader(chain)
            while !reader.isAtEnd {
                _ = try reader.vector(lengthBytes: 3, minimum: 1)
                entries &+= 1
            }
        } catch {
            throw .certificate(.malformed(where: .chain))
        }
        guard entries > 0 else { throw .certificate(.malformed(where: .chain)) }

        // path[k]: offset of the k-th certificate's length prefix in `chain`; the anchor
        // that ends the path is kept apart as an offset into `trustAnchors`.
        var path = InlineArray<8, Int>(repeating: 0)
        var count = 1
        var anchorStart = -1
        var anchorCount = 0
        while anchorStart < 0 {
            let current = try Certificate(der: entry(chain, at: path[count &- 1]))
            try checkAlgorithm(current.signatureAlgorithm, policy: policy)
            var sawBadSignature = false

            // A trust anchor first: the shortest path wins.
            var anchors = DER(trustAnchors)
            while !anchors.isAtEnd {
                let start = trustAnchors.count &- anchors.reader.remaining
                guard let element = try? anchors.next(), element.tag == DER.sequence else {
                    throw .certificate(.malformed(where: .trustAnchor))
                }
                let anchor: Certificate
                do throws(TLSError) { anchor = try Certificate(der: element.encoded) } catch {
                    throw .certificate(.malformed(where: .trustAnchor))
                }
                guard mayIssue(anchor, current) else { continue }
                if try verifies(current.tbs, current.signatureAlgorithm, current.signature, by: anchor) {
                    anchorStart = start
                    anchorCount = element.encoded.count
                    break
                }
                sawBadSignature = true
            }
            if anchorStart >= 0 { break }

            // Otherwise an intermediate from the chain, not already on the path.
            guard count &+ 1 < depthLimit else { throw .certificate(.pathTooLong) }
            var found = -1
            var reader = Reader(chain)
            while !reader.isAtEnd {
                let offset = reader.offset
                let body = try reader.vector(lengthBytes: 3, minimum: 1)
                if offset == 0 || contains(path, count, offset) { continue }
                // An unrelated extra that does not even parse is not our problem unless chosen.
                guard let candidate = try? Certificate(der: body), mayIssue(candidate, current) else { continue }
                if try verifies(current.tbs, current.signatureAlgorithm, current.signature, by: candidate) {
                    found = offset
                    break
                }
                sawBadSignature = true
            }
            guard found >= 0 else {
                throw .certificate(sawBadSignature ? .badSignature : .unknownIssuer)
            }
            path[count] = found
            count &+= 1
        }
        let total = count &+ 1  // with the anchor

        // Per-certificate checks, leaf to anchor (§6.1.3, §6.1.4).
        for i in 0..<total {
            let certificate = try certificateAt(i, path: path, count: count, chain: chain,
                                                anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
            // Validity is checked for the anchor too, as OpenSSL and Mbed TLS do.
            if policy.time < certificate.notBefore { throw .certificate(.notYetValid) }
            if policy.time > certificate.notAfter { throw .certificate(.expired) }
            if certificate.extensions.hasUnknownCriticalExtension {
                throw .certificate(.unsupportedCriticalExtension)
            }
            guard i > 0 else { continue }
            // Issuers: cA (§4.2.1.9; a v1 anchor has no extensions and is trusted as is),
            // keyCertSign (§4.2.1.3), pathLenConstraint counted in non-self-issued
            // intermediates below (§6.1.4 (l)–(m)).
            let isV1Anchor = i == count && certificate.version < 3
            if !certificate.extensions.isCA && !isV1Anchor { throw .certificate(.issuerNotCA) }
            if let usage = certificate.extensions.keyUsage, !usage.contains(.keyCertSign) {
                throw .certificate(.wrongPurpose)
            }
            if let limit = certificate.extensions.pathLength {
                var below = 0
                for j in 1..<i {
                    let intermediate = try certificateAt(j, path: path, count: count, chain: chain,
                                                         anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
                    if !intermediate.isSelfIssued { below &+= 1 }
                }
                if below > limit { throw .certificate(.pathTooLong) }
            }
        }

        // The leaf: purpose, identity, name constraints from every CA above.
        let leaf = try Certificate(der: entry(chain, at: 0))
        let extensions = leaf.extensions
        if extensions.hasExtendedKeyUsage && !extensions.anyExtendedKeyUsage {
            let allowed = policy.purpose == .serverAuth ? extensions.serverAuth : extensions.clientAuth
            if !allowed { throw .certificate(.wrongPurpose) }
        }
        let usage = extensions.keyUsage ?? .unrestricted
        // ECDHE and TLS 1.3 need signatures from an EC key; an RSA key may instead serve
        // for key transport (keyEncipherment), which the handshake decides with `keyUsage`.
        switch leaf.publicKey.kind {
        case .ec:
            if !usage.contains(.digitalSignature) { throw .certificate(.wrongPurpose) }
        case .rsa:
            if !usage.contains(.digitalSignature) && !usage.contains(.keyEncipherment) {
                throw .certificate(.wrongPurpose)
            }
        case .unsupported:
            throw .certificate(.unsupportedAlgorithm)
        }
        let usedCommonName = try checkIdentity(leaf, policy: policy)

        for i in 1..<total {
            let ca = try certificateAt(i, path: path, count: count, chain: chain,
                                       anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
            guard ca.extensions.permittedSubtrees != nil || ca.extensions.excludedSubtrees != nil else { continue }
            // §6.1.3 (b)–(c): every certificate below, except self-issued intermediates.
            for j in 0..<i {
                let subject = try certificateAt(j, path: path, count: count, chain: chain,
                                                anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
                if j > 0 && subject.isSelfIssued { continue }
                if j == 0, usedCommonName, let commonName = subject.commonName() {
                    try NameConstraints.check(ca: ca, subject: subject, commonName: commonName)
                } else {
                    try NameConstraints.check(ca: ca, subject: subject, commonName: nil)
                }
            }
        }

        // Revocation: every link below the anchor, against its issuer's CRLs.
        for i in 0..<count {
            let subject = try certificateAt(i, path: path, count: count, chain: chain,
                                            anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
            let issuer = try certificateAt(i &+ 1, path: path, count: count, chain: chain,
                                           anchors: trustAnchors, anchorStart: anchorStart, anchorCount: anchorCount)
            try checkRevocation(subject, issuer: issuer, crls: crls, policy: policy)
        }

        let key = try publicKey(of: leaf)
        return ValidatedLeaf(publicKey: key, keyUsage: usage, pathLength: total)
    }

    // MARK: Steps

    /// The leaf's identity against the policy's; returns whether the common name was used.
    static func checkIdentity(_ leaf: borrowing Certificate, policy: borrowing ValidationPolicy) throws(TLSError) -> Bool {
        switch policy.identity {
        case .unspecified:
            return false
        case .ipAddress(let address):
            if let names = leaf.extensions.subjectAltNames {
                var reader = DER(names)
                while !reader.isAtEnd {
                    guard let name = try? reader.next() else { break }
                    if name.tag == GeneralName.ipAddress, Hostname.matches(address: address, san: name.contents) {
                        return false
                    }
                }
            }
            throw .certificate(.nameMismatch)
        case .dnsName(let reference):
            var sawDNSName = false
            if let names = leaf.extensions.subjectAltNames {
                var reader = DER(names)
                while !reader.isAtEnd {
                    guard let name = try? reader.next() else { break }
                    guard name.tag == GeneralName.dnsName else { continue }
                    sawDNSName = true
                    if Hostname.matches(reference: reference, pattern: name.contents) { return false }
                }
            }
            // RFC 6125 §6.4.4: the CN only when no DNS-ID is presented, and only if allowed.
            if !sawDNSName, policy.allowCommonNameFallback, let commonName = leaf.commonName(),
               Hostname.matches(reference: reference, pattern: commonName) {
                return true
            }
            throw .certificate(.nameMismatch)
        }
    }

    /// CRLs from `issuer` for `subject`: the first one that verifies and is current decides.
    static func checkRevocation(
        _ subject: borrowing Certificate, issuer: borrowing Certificate, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy
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
            try checkAlgorithm(crl.signatureAlgorithm, policy: policy)
            // §6.3.3 (f): the CRL issuer's key must be allowed to sign CRLs.
            if let usage = issuer.extensions.keyUsage, !usage.contains(.cRLSign) {
                sawBadSignature = true
                continue
            }
            guard try verifies(crl.tbs, crl.signatureAlgorithm, crl.signature, by: issuer) else {
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

    /// Refuses SHA-1 unless allowed, and algorithms this validator does not implement.
    static func checkAlgorithm(_ algorithm: CertificateSignatureAlgorithm, policy: borrowing ValidationPolicy) throws(TLSError) {
        switch algorithm {
        case .ecdsa, .rsaPKCS1, .rsaPSS: return
        case .sha1, .unsupported: throw .certificate(.unsupportedAlgorithm)
        }
    }

    /// Whether `issuer` may have issued `subject` by name: subject's issuer equals issuer's
    /// subject, and the key identifiers agree when both are present (§4.2.1.1).
    static func mayIssue(_ issuer: borrowing Certificate, _ subject: borrowing Certificate) -> Bool {
        guard OID.equal(issuer.subject, subject.issuer) else { return false }
        if let authority = subject.extensions.authorityKeyIdentifier,
           let key = issuer.extensions.subjectKeyIdentifier, !OID.equal(authority, key) {
            return false
        }
        return true
    }

    /// Whether `issuer`'s key verifies a signature over `signed`. A wrong signature is
    /// false; a key or algorithm that cannot be used throws.
    static func verifies(
        _ signed: Span<UInt8>, _ algorithm: CertificateSignatureAlgorithm, _ signature: Span<UInt8>,
        by issuer: borrowing Certificate
    ) throws(TLSError) -> Bool {
        let scheme: SignatureAlgorithm
        switch algorithm {
        case .ecdsa(let hash): scheme = .ecdsa(hash)
        case .rsaPKCS1(let hash): scheme = .rsaPKCS1(hash)
        case .rsaPSS(let hash): scheme = .rsaPSS(hash)
        case .sha1, .unsupported: throw .certificate(.unsupportedAlgorithm)
        }
        var key = try publicKey(of: issuer)
        var digestStorage = InlineArray<64, UInt8>(repeating: 0)
        var digest = digestStorage.mutableSpan
        let length = try Digest.hash(scheme.hash, signed, into: &digest)
        do {
            try key.verify(scheme, digest: digest.span.extracting(0..<length), signature: signature)
            return true
        } catch {
            // A key of the other kind (an RSA issuer of an ECDSA signature) is a mismatch,
            // not an unsupported algorithm.
            switch error {
            case .badSignature, .unsupportedAlgorithm, .malformed: return false
            default: throw error
            }
        }
    }

    /// The Mbed TLS key of a certificate's subjectPublicKeyInfo.
    static func publicKey(of certificate: borrowing Certificate) throws(TLSError) -> PublicKey {
        let info = certificate.publicKey
        do throws(TLSError) {
            switch info.kind {
            case .rsa: return try PublicKey(rsaModulus: info.first, exponent: info.second)
            case .ec(let group): return try PublicKey(curve: group, point: info.first)
            case .unsupported: throw .certificate(.unsupportedAlgorithm)
            }
        } catch {
            if case .certificate = error { throw error }
            // A point off the curve or compressed, an RSA key Mbed TLS refuses.
            throw .certificate(.unsupportedAlgorithm)
        }
    }

    // MARK: Path storage

    /// The DER of the chain entry whose length prefix is at `offset`.
    @_lifetime(copy chain)
    static func entry(_ chain: Span<UInt8>, at offset: Int) throws(TLSError) -> Span<UInt8> {
        var reader = Reader(chain)
        try reader.skip(offset)
        return try reader.vector(lengthBytes: 3, minimum: 1)
    }

    /// The k-th certificate of the path: chain entries, then the anchor at k == count.
    @_lifetime(copy chain, copy anchors)
    static func certificateAt(
        _ k: Int, path: InlineArray<8, Int>, count: Int, chain: Span<UInt8>,
        anchors: Span<UInt8>, anchorStart: Int, anchorCount: Int
    ) throws(TLSError) -> Certificate {
        if k < count { return try Certificate(der: entry(chain, at: path[k])) }
        return try Certificate(der: anchors.extracting(anchorStart..<(anchorStart &+ anchorCount)))
    }

    static func contains(_ path: InlineArray<8, Int>, _ count: Int, _ offset: Int) -> Bool {
        for k in 0..<count where path[k] == offset { return true }
        return false
    }
}

/// What a successful validation hands the handshake: the leaf's key, and its keyUsage so
/// that RSA key transport can insist on keyEncipherment (RFC 5246 §7.4.2).
public struct ValidatedLeaf: ~Copyable {
    public var publicKey: PublicKey
    /// The leaf's keyUsage, `.unrestricted` when it has none.
    public let keyUsage: KeyUsage
    /// Certificates in the validated path, leaf and trust anchor included.
    public let pathLength: Int
}
