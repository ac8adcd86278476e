/// A zero-copy view of one DER X.509 v1–v3 certificate (RFC 5280 §4.1): every field is a
/// span into the caller's bytes, parsed once by `init` and checked strictly. Nothing is
/// copied, nothing allocated; the view lives as long as the bytes it borrows.
///
/// Names (issuer, subject) are kept as their DER encodings and compared by
/// `DistinguishedName.equal` (RFC 5280 §7.1, bytes first, then ASCII case and spaces).
public struct Certificate: ~Escapable {
    /// The whole certificate.
    public let der: Span<UInt8>
    /// The tbsCertificate element whole: the bytes the issuer signed.
    public let tbs: Span<UInt8>
    /// 1, 2 or 3.
    public let version: Int
    /// serialNumber's INTEGER contents.
    public let serial: Span<UInt8>
    public let signatureAlgorithm: CertificateSignatureAlgorithm
    /// issuer and subject Names, whole DER elements.
    public let issuer: Span<UInt8>
    public let subject: Span<UInt8>
    /// Validity, Unix seconds (inclusive at both ends, RFC 5280 §4.1.2.5).
    public let notBefore: Int64
    public let notAfter: Int64
    public let publicKey: SubjectPublicKey
    public let extensions: CertificateExtensions
    /// signatureValue's bytes.
    public let signature: Span<UInt8>
    /// Encoding faults that parse (the extensions' and the certificate's own).
    public let flaws: CertificateFlaws

    /// Parses `der`, which must hold exactly one certificate. DER that does not decode throws
    /// `TLSError.certificate(.malformed(where:))`; fields that decode but may not stand
    /// together throw a named rule (`certificateVersion`, `fieldNotInVersion`,
    /// `signatureAlgorithmMismatch`); faults that still parse are `flaws`.
    @_lifetime(copy der)
    public init(der: Span<UInt8>) throws(TLSError) {
        try self.init(der: der, treeChecked: false)
    }

    /// Parses `der` again when it already parsed once as a certificate (a path's members,
    /// read by each policy): the strict pass over the whole tree is not repeated.
    @_lifetime(copy der)
    init(reparsing der: Span<UInt8>) throws(TLSError) {
        try self.init(der: der, treeChecked: true)
    }

    @_lifetime(copy der)
    private init(der: Span<UInt8>, treeChecked: Bool) throws(TLSError) {
        var place = CertificateError.Place.certificate
        do throws(TLSError) {
            // One strict pass over the whole tree first (bounded depth), then the fields.
            if !treeChecked { try DER.checkTree(der) }
            var outer = DER(der)
            var certificate = try outer.nested()
            try outer.expectEnd()
            let tbsEncoded = try certificate.encoded(DER.sequence)
            var tbs = DER(tbsEncoded)
            var fields = try tbs.nested()
            place = .algorithm
            let outerAlgorithm = try certificate.encoded(DER.sequence)
            var algorithmReader = DER(outerAlgorithm)
            let algorithm = try CertificateSignatureAlgorithm.parse(&algorithmReader)
            place = .certificate
            let signature = try certificate.octetAlignedBitString()
            try certificate.expectEnd()

            place = .tbsCertificate
            var version = 1
            var flaws = CertificateFlaws()
            if let explicit = try fields.optional(DER.context(0, constructed: true)) {
                var field = DER(explicit)
                let number = try field.smallInteger()
                try field.expectEnd()
                // §4.1.2.1: v1 (0), v2 (1) or v3 (2); any other is a format this validator
                // does not know.
                guard number <= 2 else { throw .certificate(.violates(.certificateVersion)) }
                version = number &+ 1
                // v1 is the DEFAULT, which DER omits (X.690 §11.5): a flaw, named on a path.
                if version == 1 { flaws.insert(.explicitDefault) }
            }
            let serial = try fields.integerBytes()
            // RFC 5280 §4.1.2.2: a positive INTEGER whose value has at most 20 octets — so
            // 21 content octets when the first is the sign octet 0x00 (a 160-bit random
            // serial), as Go counts.
            let magnitude = serial[0] == 0 ? serial.count &- 1 : serial.count
            if serial[0] & 0x80 != 0 || magnitude > 20 || (serial.count == 1 && serial[0] == 0) {
                flaws.insert(.serialNumber)
            }
            place = .algorithm
            // The signed copy of the algorithm must equal the unsigned one (§4.1.1.2).
            let innerAlgorithm = try fields.encoded(DER.sequence)
            guard OID.equal(innerAlgorithm, outerAlgorithm) else {
                throw .certificate(.violates(.signatureAlgorithmMismatch))
            }

            place = .name
            let issuer = try fields.encoded(DER.sequence)
            place = .validity
            var validity = try fields.nested()
            let notBeforeTag = validity.peekTag() ?? 0
            let notBefore = try Time.seconds(tag: notBeforeTag, try validity.next().contents)
            let notAfterTag = validity.peekTag() ?? 0
            let notAfter = try Time.seconds(tag: notAfterTag, try validity.next().contents)
            try validity.expectEnd()
            // §4.1.2.5: dates through 2049 MUST be UTCTime (UTCTime cannot reach 2050).
            if (notBeforeTag == DER.generalizedTime && notBefore < Time.year2050)
                || (notAfterTag == DER.generalizedTime && notAfter < Time.year2050) {
                flaws.insert(.validityEncoding)
            }
            place = .name
            let subject = try fields.encoded(DER.sequence)
            place = .publicKey
            let publicKey = try SubjectPublicKey(&fields)

            place = .tbsCertificate
            // issuerUniqueID [1], subjectUniqueID [2]: v2 and v3 only (§4.1.2.8), ignored.
            if try fields.optional(DER.context(1, constructed: false)) != nil {
                guard version >= 2 else { throw .certificate(.violates(.fieldNotInVersion)) }
            }
            if try fields.optional(DER.context(2, constructed: false)) != nil {
                guard version >= 2 else { throw .certificate(.violates(.fieldNotInVersion)) }
            }
            place = .extensions
            var list = der.extracting(0..<0)
            var present = false
            if let explicit = try fields.optional(DER.context(3, constructed: true)) {
                // §4.1.2.9: extensions only in v3.
                guard version == 3 else { throw .certificate(.violates(.fieldNotInVersion)) }
                var field = DER(explicit)
                list = try field.contents(DER.sequence)
                try field.expectEnd()
                present = true
            }
            let extensions = try CertificateExtensions(list, present: present, place: &place)
            flaws.insert(extensions.flaws)
            try fields.expectEnd()
            try tbs.expectEnd()

            self.der = der
            self.tbs = tbsEncoded
            self.version = version
            self.serial = serial
            self.signatureAlgorithm = algorithm
            self.issuer = issuer
            self.subject = subject
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.publicKey = publicKey
            self.extensions = extensions
            self.signature = signature
            self.flaws = flaws
        } catch {
            if case .certificate = error { throw error }
            throw .certificate(.malformed(where: place))
        }
    }

    /// Self-issued: subject and issuer are the same name (RFC 5280 §6.1).
    public var isSelfIssued: Bool { DistinguishedName.equal(issuer, subject) }

    /// The subject is an empty SEQUENCE (allowed for end entities named only by their
    /// subjectAltName, §4.1.2.6).
    public var hasEmptySubject: Bool { subject.count == 2 }

    /// The last commonName attribute of the subject (the most specific one), for the
    /// legacy CN fallback of name matching; nil if there is none.
    @_lifetime(copy self)
    public func commonName() -> Span<UInt8>? {
        var result: Span<UInt8>? = nil
        var outer = DER(subject)
        guard var name = try? outer.nested() else { return nil }
        while !name.isAtEnd {
            guard var rdn = try? name.nested(DER.set) else { return nil }
            while !rdn.isAtEnd {
                guard var attribute = try? rdn.nested(),
                      let type = try? attribute.contents(DER.objectIdentifier),
                      let value = try? attribute.next() else { return nil }
                if OID.matches(type, OID.commonName) { result = value.contents }
            }
        }
        return result
    }
}

/// subjectPublicKeyInfo (RFC 5280 §4.1.2.7): the key's kind and its raw numbers, which
/// `PublicKey` imports when a signature is to be checked.
public struct SubjectPublicKey: ~Escapable {
    public enum Kind: Equatable, Sendable {
        case rsa
        case ec(NamedGroup)
        /// Another algorithm or curve; refused with `unsupportedAlgorithm` when used.
        case unsupported
    }

    public let kind: Kind
    /// RSA: the modulus. EC: the encoded point (RFC 5480 §2.2).
    public let first: Span<UInt8>
    /// RSA: the public exponent. EC: empty.
    public let second: Span<UInt8>

    @_lifetime(copy fields)
    init(_ fields: inout DER) throws(TLSError) {
        var info = try fields.nested()
        var algorithm = try info.nested()
        let oid = try algorithm.contents(DER.objectIdentifier)
        let key = try info.octetAlignedBitString()
        try info.expectEnd()
        if OID.matches(oid, OID.rsaEncryption) {
            try algorithm.optionalNull()
            try algorithm.expectEnd()
            // RSAPublicKey (RFC 8017 §A.1.1): two positive INTEGERs.
            var outer = DER(key)
            var numbers = try outer.nested()
            try outer.expectEnd()
            let modulus = try numbers.integerBytes()
            let exponent = try numbers.integerBytes()
            try numbers.expectEnd()
            guard modulus[0] & 0x80 == 0, exponent[0] & 0x80 == 0 else { throw .malformed }
            kind = .rsa
            first = modulus
            second = exponent
        } else if OID.matches(oid, OID.ecPublicKey) {
            // Only namedCurve parameters (RFC 5480 §2.1.1): no implicit or explicit curves.
            let curve = try algorithm.contents(DER.objectIdentifier)
            try algorithm.expectEnd()
            if OID.matches(curve, OID.prime256v1) {
                kind = .ec(.secp256r1)
            } else if OID.matches(curve, OID.secp384r1) {
                kind = .ec(.secp384r1)
            } else {
                kind = .unsupported
            }
            first = key
            second = key.extracting(0..<0)
        } else {
            kind = .unsupported
            first = key
            second = key.extracting(0..<0)
        }
    }
}
