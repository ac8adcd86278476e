/// One small set of checks on a complete candidate path (leaf to trust anchor), in the
/// manner of swift-certificates' `VerifierPolicy`: path building is shared, and a profile is
/// the policies it combines (`AllOf`) — through generics, as Embedded Swift has no
/// existentials. A policy throws `TLSError.certificate(reason)` to refuse the path; path
/// building then tries the next candidate path.
public protocol PathPolicy {
    /// id-ce extensions (bit n for 2.5.29.n) this policy processes. A certificate on the
    /// path with a critical extension that no policy of the profile claims is refused
    /// (RFC 5280 §4.2: a critical extension not recognised MUST be rejected).
    var understoodExtensions: UInt64 { get }

    func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError)
}

extension PathPolicy {
    /// The bit of id-ce arc `n` in `understoodExtensions`.
    @inline(__always)
    public static func arc(_ n: UInt8) -> UInt64 { 1 &<< UInt64(widening: UInt32(n)) }
}
