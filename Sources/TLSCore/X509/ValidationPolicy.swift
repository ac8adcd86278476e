/// What a certificate path must satisfy besides RFC 5280's own rules: when, for what, for
/// whom, and how strictly. It borrows the expected name's bytes, so it is non-escapable.
public struct ValidationPolicy: ~Escapable {
    /// The identity the leaf must carry.
    public enum Identity: ~Escapable {
        /// No name check (a server validating a client certificate, usually).
        case unspecified
        /// A DNS name, ASCII (A-labels for IDNs), matched per RFC 6125.
        case dnsName(Span<UInt8>)
        /// An IP address, 4 or 16 octets, matched against iPAddress SANs.
        case ipAddress(Span<UInt8>)
    }

    /// The EKU the leaf must allow (RFC 5280 §4.2.1.12).
    public enum Purpose: Sendable, Equatable {
        case serverAuth
        case clientAuth
    }

    /// What a link without a CRL means. A CRL that is present but stale or badly signed
    /// fails the path under either choice.
    public enum Revocation: Sendable, Equatable {
        /// Check the CRLs there are; a link with none passes.
        case checkAvailable
        /// Every link must have a valid CRL from its issuer.
        case requireCRL
    }

    /// Which rules beyond RFC 5280 §6 apply (`PathValidator` composes each profile from
    /// small `PathPolicy` values).
    public enum Profile: Sendable, Equatable {
        /// RFC 5280 as private PKIs use it, what most devices meet: the §6 algorithm, the
        /// MUSTs on certificates, no CA/Browser Forum requirements. The default, because a
        /// device usually talks to its own vendor's or operator's PKI, which need not follow
        /// the Baseline Requirements.
        case rfc5280
        /// `rfc5280` plus the CA/Browser Forum Baseline Requirements for public TLS servers:
        /// no common-name fallback, CN among the SANs, no CA certificate as leaf, an
        /// extendedKeyUsage without anyExtendedKeyUsage in the leaf, key identifiers present,
        /// RSA of 2048 bits and up.
        case webpki
    }

    /// Validation time, seconds since the Unix epoch.
    public var time: Int64
    public var purpose: Purpose
    public var identity: Identity
    public var profile: Profile
    /// The most intermediates between the leaf and the trust anchor (0: the leaf directly
    /// under an anchor), as OpenSSL's verify depth counts; at most
    /// `PathValidator.maximumIntermediates`.
    public var maxIntermediates: Int
    /// Signature verifications path building may spend, on certificates and CRLs together,
    /// before it gives up with `violates(.signatureBudget)`: the bound on work a chain of
    /// decoy issuers can cause.
    public var signatureBudget: Int
    /// Name-against-subtree comparisons name constraints may take before the path is
    /// refused with `violates(.nameConstraintBudget)`.
    public var nameConstraintBudget: Int
    /// Match the subject's last commonName when the leaf has no subjectAltName at all (RFC
    /// 6125 §6.4.4). Off by default, as in browsers; `webpki` never falls back.
    public var allowCommonNameFallback: Bool
    /// Accept SHA-1 signatures. Off by default; the crypto layer has no SHA-1, so even when
    /// allowed such a signature cannot be verified and the path fails as unsupported.
    public var allowSHA1: Bool
    public var revocation: Revocation

    @_lifetime(copy identity)
    public init(
        time: Int64, purpose: Purpose = .serverAuth, identity: consuming Identity,
        profile: Profile = .rfc5280, maxIntermediates: Int = PathValidator.maximumIntermediates,
        allowCommonNameFallback: Bool = false, allowSHA1: Bool = false,
        revocation: Revocation = .checkAvailable,
        signatureBudget: Int = PathValidator.defaultSignatureBudget,
        nameConstraintBudget: Int = PathValidator.defaultNameConstraintBudget
    ) {
        self.time = time
        self.purpose = purpose
        self.identity = identity
        self.profile = profile
        self.maxIntermediates = maxIntermediates
        self.signatureBudget = signatureBudget
        self.nameConstraintBudget = nameConstraintBudget
        self.allowCommonNameFallback = allowCommonNameFallback
        self.allowSHA1 = allowSHA1
        self.revocation = revocation
    }
}
