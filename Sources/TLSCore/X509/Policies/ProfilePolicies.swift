/// The two profiles as compositions of policies. The order is the order of the checks, so
/// the first refusal of a path is the most basic one: encoding, validity, issuers, then the
/// leaf's use, identity, name constraints, and revocation last (it costs signatures).
public enum ProfilePolicies {
    /// `ValidationPolicy.Profile.rfc5280`.
    public static func rfc5280() -> some PathPolicy { core(webpki: false) }

    /// `ValidationPolicy.Profile.webpki`: the same policies, the common-name fallback
    /// off and RSA keys of 2048 bits and up, plus `WebPKIPolicy`.
    public static func webpki() -> some PathPolicy { AllOf(core(webpki: true), WebPKIPolicy()) }

    static func core(webpki: Bool) -> some PathPolicy {
        let certificates = AllOf(
            AllOf(EncodingPolicy(), ValidityPolicy()),
            AllOf(AllOf(BasicConstraintsPolicy(), ExtensionPlacementPolicy()),
                  PublicKeyPolicy(minimumRSABits: webpki ? 2048 : 0)))
        let leaf = AllOf(
            AllOf(LeafUsagePolicy(), IdentityPolicy(commonNameFallback: !webpki)),
            NameConstraintsPolicy(commonNameFallback: !webpki))
        return AllOf(AllOf(AllOf(certificates, CertificatePoliciesPolicy()), leaf), RevocationPolicy())
    }
}
