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

    /// Validation time, seconds since the Unix epoch.
    public var time: Int64
    public var purpose: Purpose
    public var identity: Identity
    /// The longest path in certificates, leaf and trust anchor included; at most
    /// `PathValidator.maximumDepth`.
    public var maxDepth: Int
    /// Match the subject's last commonName when the leaf has no dNSName SAN (RFC 6125
    /// §6.4.4). Off by default, as in browsers.
    public var allowCommonNameFallback: Bool
    /// Accept SHA-1 signatures. Off by default; the crypto layer has no SHA-1, so even when
    /// allowed such a signature cannot be verified and the path fails as unsupported.
    public var allowSHA1: Bool
    public var revocation: Revocation

    @_lifetime(copy identity)
    public init(
        time: Int64, purpose: Purpose = .serverAuth, identity: consuming Identity,
        maxDepth: Int = PathValidator.maximumDepth, allowCommonNameFallback: Bool = false,
        allowSHA1: Bool = false, revocation: Revocation = .checkAvailable
    ) {
        self.time = time
        self.purpose = purpose
        self.identity = identity
        self.maxDepth = maxDepth
        self.allowCommonNameFallback = allowCommonNameFallback
        self.allowSHA1 = allowSHA1
        self.revocation = revocation
    }
}
