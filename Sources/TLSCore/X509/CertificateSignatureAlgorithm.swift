/// The signature algorithm of a certificate or CRL, from its AlgorithmIdentifier
/// (RFC 5280 §4.1.1.2, RFC 4055, RFC 5758).
public enum CertificateSignatureAlgorithm: Equatable, Sendable {
    case ecdsa(HashAlgorithm)
    case rsaPKCS1(HashAlgorithm)
    /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash: the only
    /// parameter set accepted (it is the one TLS 1.3 and the CA/B Forum allow).
    case rsaPSS(HashAlgorithm)
    /// sha1WithRSAEncryption or ecdsa-with-SHA1: refused unless the policy allows SHA-1.
    case sha1
    /// MD5, PSS with other parameters, or an algorithm this validator does not know.
    case unsupported

    /// Reads one AlgorithmIdentifier SEQUENCE. Structural faults throw; well-formed but
    /// unknown algorithms come back as `.unsupported` so that the validator can say so.
    @_lifetime(der: copy der)
    public static func parse(_ der: inout DER) throws(TLSError) -> CertificateSignatureAlgorithm {
        var algorithm = try der.nested()
        let oid = try algorithm.contents(DER.objectIdentifier)
        let result: CertificateSignatureAlgorithm
        if OID.matches(oid, OID.ecdsaWithSHA256) {
            result = .ecdsa(.sha256)
        } else if OID.matches(oid, OID.ecdsaWithSHA384) {
            result = .ecdsa(.sha384)
        } else if OID.matches(oid, OID.ecdsaWithSHA512) {
            result = .ecdsa(.sha512)
        } else if OID.matches(oid, OID.ecdsaWithSHA1) {
            result = .sha1
        } else if OID.matches(oid, OID.rsassaPSS) {
            var params = try algorithm.nested()
            result = try pssParameters(&params)
        } else {
            // RSA PKCS#1 v1.5 parameters are NULL (RFC 4055 §5); absent is tolerated.
            try algorithm.optionalNull()
            if OID.matches(oid, OID.sha256WithRSA) {
                result = .rsaPKCS1(.sha256)
            } else if OID.matches(oid, OID.sha384WithRSA) {
                result = .rsaPKCS1(.sha384)
            } else if OID.matches(oid, OID.sha512WithRSA) {
                result = .rsaPKCS1(.sha512)
            } else if OID.matches(oid, OID.sha1WithRSA) {
                result = .sha1
            } else {
                result = .unsupported
                // Unknown parameters are skipped, not judged.
                while !algorithm.isAtEnd { _ = try algorithm.next() }
            }
        }
        // ECDSA parameters must be absent (RFC 5758 §3.2).
        try algorithm.expectEnd()
        return result
    }

    /// RSASSA-PSS-params (RFC 4055 §3.1). Every field has a SHA-1 default, which is refused.
    @_lifetime(params: copy params)
    static func pssParameters(_ params: inout DER) throws(TLSError) -> CertificateSignatureAlgorithm {
        guard let hashContents = try params.optional(DER.context(0, constructed: true)) else {
            while !params.isAtEnd { _ = try params.next() }
            return .unsupported
        }
        var hashField = DER(hashContents)
        let hash = try hashAlgorithm(&hashField)
        try hashField.expectEnd()
        var mgfHash: HashAlgorithm? = nil
        if let mgfField = try params.optional(DER.context(1, constructed: true)) {
            var field = DER(mgfField)
            var mgf = try field.nested()
            let oid = try mgf.contents(DER.objectIdentifier)
            if OID.matches(oid, OID.mgf1) { mgfHash = try hashAlgorithm(&mgf) } else { _ = try mgf.next() }
            try mgf.expectEnd()
            try field.expectEnd()
        }
        var salt = 20
        if let saltField = try params.optional(DER.context(2, constructed: true)) {
            var field = DER(saltField)
            salt = try field.smallInteger()
            try field.expectEnd()
        }
        if let trailerField = try params.optional(DER.context(3, constructed: true)) {
            var field = DER(trailerField)
            guard try field.smallInteger() == 1 else { throw .malformed }
            try field.expectEnd()
        }
        try params.expectEnd()
        guard let hash, let mgfHash, hash == mgfHash, salt == hash.digestLength else { return .unsupported }
        return .rsaPSS(hash)
    }

    /// A hash AlgorithmIdentifier; nil for hashes other than SHA-256/384/512.
    @_lifetime(der: copy der)
    static func hashAlgorithm(_ der: inout DER) throws(TLSError) -> HashAlgorithm? {
        var algorithm = try der.nested()
        let oid = try algorithm.contents(DER.objectIdentifier)
        try algorithm.optionalNull()
        try algorithm.expectEnd()
        if OID.matches(oid, OID.sha256) { return .sha256 }
        if OID.matches(oid, OID.sha384) { return .sha384 }
        if OID.matches(oid, OID.sha512) { return .sha512 }
        return nil
    }
}
