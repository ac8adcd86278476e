/// Certificate path validation (RFC 5280 §6) without allocation: path building with
/// backtracking, then the profile's policies on each candidate path.
///
/// The path is built upwards from the leaf, depth first. At each step the candidates for
/// the current certificate's issuer are the trust anchors, then the chain's entries not yet
/// on the path, whose subject matches the current issuer name (`DistinguishedName`, §7.1); within each group those
/// whose subjectKeyIdentifier equals the current authorityKeyIdentifier come first, those
/// without either next, and those whose identifiers differ last (§4.2.1.1: a hint, not a
/// rule). A candidate is taken when its key verifies the current signature. A path that
/// reaches an anchor is checked by the profile's policies; if it fails them, or a step
/// finds no issuer, the search goes back and tries the next candidate — so cross-signed
/// intermediates, a stale copy beside a fresh one, and decoys with the same name cost
/// signatures, not the result. Each verification is taken from
/// `ValidationPolicy.signatureBudget`; when it is spent validation stops with
/// `violates(.signatureBudget)`.
///
/// The path is a fixed InlineArray of chain offsets; certificates are re-parsed (cheap,
/// zero-copy) whenever a check needs them rather than stored.
public enum PathValidator {
    /// The most intermediates handled between leaf and trust anchor.
    public static let maximumIntermediates = 6
    public static let defaultSignatureBudget = 16
    public static let defaultNameConstraintBudget = 65_536

    /// Validates `chain` against `trustAnchors` (concatenated DER certificates) and `crls`
    /// (concatenated DER CRLs, possibly empty) under `policy` and its profile. Returns the
    /// leaf's key and key usage; throws `TLSError.certificate(reason)` when no path passes.
    public static func validate(
        chain: CertificateChain, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy
    ) throws(TLSError) -> ValidatedLeaf {
        switch policy.profile {
        case .rfc5280:
            return try validate(chain: chain, trustAnchors: trustAnchors, crls: crls, policy: policy,
                                checks: ProfilePolicies.rfc5280())
        case .webpki:
            return try validate(chain: chain, trustAnchors: trustAnchors, crls: crls, policy: policy,
                                checks: ProfilePolicies.webpki())
        }
    }

    /// The same with the caller's own composition of policies in place of the profile's.
    public static func validate<Checks: PathPolicy>(
        chain: CertificateChain, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        policy: borrowing ValidationPolicy, checks: Checks
    ) throws(TLSError) -> ValidatedLeaf {
        // The leaf must parse; anything else in the chain is only a candidate.
        _ = try Certificate(der: chain.leaf())
        let limit = min(max(policy.maxIntermediates, 0), maximumIntermediates)
        var work = ValidationWork(signatures: policy.signatureBudget, comparisons: policy.nameConstraintBudget)
        var failure = Failure()
        // Per level k (the certificate at offsets[k] seeks its issuer): where the candidate
        // search stands, as a phase (0–2 anchors by rank, 3–5 chain entries by rank) and an
        // offset to resume from.
        var offsets = InlineArray<8, Int>(repeating: 0)
        var phases = InlineArray<8, Int>(repeating: 0)
        var cursors = InlineArray<8, Int>(repeating: 0)
        var level = 0
        while true {
            let subject = try Certificate(der: chain.certificate(at: offsets[level]))
            var phase = phases[level]
            var cursor = cursors[level]
            let candidate = try nextIssuer(
                of: subject, chain: chain, anchors: trustAnchors, path: offsets, count: level &+ 1,
                mayExtend: level < limit, phase: &phase, cursor: &cursor, policy: policy, work: &work,
                failure: &failure)
            phases[level] = phase
            cursors[level] = cursor
            guard let candidate else {
                // Nothing more at this level: back to the certificate below.
                if level == 0 { break }
                level &-= 1
                continue
            }
            if candidate.isAnchor {
                let path = CertificatePath(
                    chain: chain, anchors: trustAnchors, crls: crls, offsets: offsets, chainCount: level &+ 1,
                    anchorStart: candidate.start, anchorCount: candidate.count)
                do throws(TLSError) {
                    try checkPath(path, policy: policy, checks: checks, work: &work)
                    let leaf = try path.certificate(0)
                    let key = try publicKey(of: leaf)
                    return ValidatedLeaf(publicKey: key, keyUsage: leaf.extensions.keyUsage ?? .unrestricted,
                                         pathLength: path.count)
                } catch {
                    // The budgets and our memory end the search; any other refusal ends this path only.
                    if case .outOfMemory = error { throw error }
                    if case .certificate(.violates(.signatureBudget)) = error { throw error }
                    if case .certificate(.violates(.nameConstraintBudget)) = error { throw error }
                    failure.note(error, rank: Failure.pathRefused)
                }
                continue
            }
            level &+= 1
            offsets[level] = candidate.start
            phases[level] = 0
            cursors[level] = 0
        }
        throw failure.error
    }

    // MARK: Steps

    /// A found issuer: an anchor (offset and length in the anchors) or a chain entry (offset).
    struct Candidate {
        var isAnchor: Bool
        var start: Int
        var count: Int
    }

    /// Why no path passed, kept from the most telling failure seen: a complete path that a
    /// policy refused (the first, i.e. the most preferred) over an algorithm that cannot be
    /// verified, over a path too long, over a signature that failed, over no issuer at all.
    struct Failure {
        static let badSignature = 1
        static let pathTooLong = 2
        static let algorithm = 3
        static let pathRefused = 4

        var rank = 0
        var error = TLSError.certificate(.unknownIssuer)

        mutating func note(_ error: TLSError, rank: Int) {
            guard rank > self.rank else { return }
            self.rank = rank
            self.error = error
        }
    }

    /// The next issuer candidate of `subject` from (`phase`, `cursor`) on whose key verifies
    /// `subject`'s signature, advancing both past it; nil when there is none left.
    static func nextIssuer(
        of subject: borrowing Certificate, chain: CertificateChain, anchors: Span<UInt8>,
        path: InlineArray<8, Int>, count: Int, mayExtend: Bool, phase: inout Int, cursor: inout Int,
        policy: borrowing ValidationPolicy, work: inout ValidationWork, failure: inout Failure
    ) throws(TLSError) -> Candidate? {
        do throws(TLSError) {
            try checkAlgorithm(subject.signatureAlgorithm, policy: policy)
        } catch {
            failure.note(error, rank: Failure.algorithm)
            return nil
        }
        while phase < 6 {
            let rank = phase % 3
            if phase < 3 {
                var reader = DER(anchors.extracting(cursor..<anchors.count))
                while !reader.isAtEnd {
                    let start = cursor
                    guard let element = try? reader.next(), element.tag == DER.sequence else {
                        throw .certificate(.malformed(where: .trustAnchor))
                    }
                    cursor = start &+ element.encoded.count
                    let anchor: Certificate
                    do throws(TLSError) { anchor = try Certificate(der: element.encoded) } catch {
                        throw .certificate(.malformed(where: .trustAnchor))
                    }
                    guard DistinguishedName.equal(anchor.subject, subject.issuer), Self.rank(subject, anchor) == rank else { continue }
                    try work.spendSignature()
                    if try verifies(subject.tbs, subject.signatureAlgorithm, subject.signature, by: anchor) {
                        return Candidate(isAnchor: true, start: start, count: element.encoded.count)
                    }
                    failure.note(.certificate(.badSignature), rank: Failure.badSignature)
                }
            } else {
                var entries = chain.entries(from: cursor)
                while let entry = entries.next() {
                    cursor = entries.offset
                    if entry.offset == 0 || contains(path, count, entry.offset) { continue }
                    // An extra that does not even parse is not our problem unless chosen.
                    guard let candidate = try? Certificate(der: entry.der),
                          DistinguishedName.equal(candidate.subject, subject.issuer), Self.rank(subject, candidate) == rank
                    else { continue }
                    guard mayExtend else {
                        failure.note(.certificate(.violates(.maxIntermediates)), rank: Failure.pathTooLong)
                        continue
                    }
                    try work.spendSignature()
                    if try verifies(subject.tbs, subject.signatureAlgorithm, subject.signature, by: candidate) {
                        return Candidate(isAnchor: false, start: entry.offset, count: 0)
                    }
                    failure.note(.certificate(.badSignature), rank: Failure.badSignature)
                }
            }
            phase &+= 1
            cursor = 0
        }
        return nil
    }

    /// 0: `issuer`'s subjectKeyIdentifier equals `subject`'s authorityKeyIdentifier; 1: one
    /// of them is absent; 2: they differ.
    static func rank(_ subject: borrowing Certificate, _ issuer: borrowing Certificate) -> Int {
        guard let authority = subject.extensions.authorityKeyIdentifier,
              let key = issuer.extensions.subjectKeyIdentifier else { return 1 }
        return OID.equal(authority, key) ? 0 : 2
    }

    /// Critical extensions first (§4.2: every one must be understood by some policy of the
    /// profile), then the policies.
    static func checkPath<Checks: PathPolicy>(
        _ path: borrowing CertificatePath, policy: borrowing ValidationPolicy, checks: Checks,
        work: inout ValidationWork
    ) throws(TLSError) {
        let understood = checks.understoodExtensions
        for i in 0..<path.count {
            let extensions = try path.certificate(i).extensions
            if extensions.hasUnknownCriticalExtension || extensions.criticalArcs & ~understood != 0 {
                throw .certificate(.unsupportedCriticalExtension)
            }
        }
        try checks.check(path, policy, &work)
    }

    /// Refuses SHA-1 and algorithms this validator does not implement.
    static func checkAlgorithm(_ algorithm: CertificateSignatureAlgorithm, policy: borrowing ValidationPolicy) throws(TLSError) {
        switch algorithm {
        case .ecdsa, .rsaPKCS1, .rsaPSS: return
        case .sha1, .unsupported: throw .certificate(.unsupportedAlgorithm)
        }
    }

    /// Whether `issuer`'s key verifies a signature over `signed`. A wrong signature, a key
    /// of the other kind, a key Mbed TLS refuses: all false (the candidate is not the issuer);
    /// only running out of memory throws.
    static func verifies(
        _ signed: Span<UInt8>, _ algorithm: CertificateSignatureAlgorithm, _ signature: Span<UInt8>,
        by issuer: borrowing Certificate
    ) throws(TLSError) -> Bool {
        let scheme: SignatureAlgorithm
        switch algorithm {
        case .ecdsa(let hash): scheme = .ecdsa(hash)
        case .rsaPKCS1(let hash): scheme = .rsaPKCS1(hash)
        case .rsaPSS(let hash): scheme = .rsaPSS(hash)
        case .sha1, .unsupported: return false
        }
        do throws(TLSError) {
            var key = try publicKey(of: issuer)
            var digestStorage = InlineArray<64, UInt8>(repeating: 0)
            var digest = digestStorage.mutableSpan
            let length = try Digest.hash(scheme.hash, signed, into: &digest)
            try key.verify(scheme, digest: digest.span.extracting(0..<length), signature: signature)
            return true
        } catch {
            // Our memory running out says nothing of the signature: it ends the validation.
            if case .outOfMemory = error { throw error }
            return false
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
            if case .outOfMemory = error { throw error }
            // A point off the curve or compressed, an RSA key Mbed TLS refuses.
            throw .certificate(.unsupportedAlgorithm)
        }
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
