/// What a peer's certificate chain is validated against, the same for both roles: the trust
/// anchors, the CRLs, the validation time and what a missing CRL means. It refers to the
/// caller's memory (made from spans by `ClientConfiguration`, and kept by an engine as long
/// as the engine lives).
public struct TrustConfiguration {
    private let anchorBytes: UnsafeBufferPointer<UInt8>
    private let crlBytes: UnsafeBufferPointer<UInt8>
    /// The time certificates are checked at, seconds since the Unix epoch (a board without
    /// a clock passes its build time or last known time).
    public let time: Int64
    /// What a certificate link without a CRL means.
    public let revocation: ValidationPolicy.Revocation
    /// Which rules a chain must follow: `rfc5280` (private PKIs, the default) or `webpki`
    /// (the CA/Browser Forum Baseline Requirements, for public servers).
    public let profile: ValidationPolicy.Profile
    /// Signature verifications (certificates and CRLs) path building may spend on the
    /// peer's chain: a bound on the work a peer can cause (decoy issuers), however the chain
    /// is built. The handshake adds one (ServerKeyExchange or CertificateVerify).
    public let signatureBudget: Int

    init(
        trustAnchors: Span<UInt8>, crls: Span<UInt8>, time: Int64, revocation: ValidationPolicy.Revocation,
        profile: ValidationPolicy.Profile, signatureBudget: Int
    ) {
        anchorBytes = trustAnchors.withUnsafeBufferPointer { $0 }
        crlBytes = crls.withUnsafeBufferPointer { $0 }
        self.time = time
        self.revocation = revocation
        self.profile = profile
        self.signatureBudget = signatureBudget
    }

    /// Trust anchors: concatenated DER certificates.
    var trustAnchors: Span<UInt8> {
        @_lifetime(borrow self) get { _overrideLifetime(anchorBytes.span, borrowing: self) }
    }

    /// Certificate revocation lists: concatenated DER CRLs (may be empty).
    var crls: Span<UInt8> {
        @_lifetime(borrow self) get { _overrideLifetime(crlBytes.span, borrowing: self) }
    }
}
