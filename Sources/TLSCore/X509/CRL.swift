/// A zero-copy view of one DER certificate revocation list (RFC 5280 §5.1). The validator
/// checks its signature with the issuing CA's key and its update times against the
/// validation time before trusting `contains(serial:)`.
public struct CRL: ~Escapable {
    public let der: Span<UInt8>
    /// tbsCertList whole: the signed bytes.
    public let tbs: Span<UInt8>
    public let signatureAlgorithm: CertificateSignatureAlgorithm
    /// The issuer Name, whole DER element; compared by bytes with the CA's subject.
    public let issuer: Span<UInt8>
    public let thisUpdate: Int64
    /// nil when absent (RFC 5280 §5.1.2.5 requires it of conforming CRLs, but it may be missing).
    public let nextUpdate: Int64?
    /// revokedCertificates' entries, concatenated; empty when the CRL lists none.
    public let revoked: Span<UInt8>
    /// A critical CRL or entry extension not processed here (issuingDistributionPoint,
    /// deltaCRLIndicator, certificateIssuer …): such a CRL's scope is not the plain one this
    /// validator assumes, so it is not used (§5.2, §5.3).
    public let hasUnknownCriticalExtension: Bool
    public let signature: Span<UInt8>

    @_lifetime(copy der)
    public init(der: Span<UInt8>) throws(TLSError) {
        do throws(TLSError) {
            try DER.checkTree(der)
            var outer = DER(der)
            var list = try outer.nested()
            try outer.expectEnd()
            let tbsEncoded = try list.encoded(DER.sequence)
            let outerAlgorithm = try list.encoded(DER.sequence)
            var algorithmReader = DER(outerAlgorithm)
            signatureAlgorithm = try CertificateSignatureAlgorithm.parse(&algorithmReader)
            signature = try list.octetAlignedBitString()
            try list.expectEnd()

            var tbsReader = DER(tbsEncoded)
            var fields = try tbsReader.nested()
            try tbsReader.expectEnd()
            var version = 1
            if fields.peekTag() == DER.integer {
                version = try fields.smallInteger() &+ 1
                guard version == 2 else { throw .malformed }
            }
            guard OID.equal(try fields.encoded(DER.sequence), outerAlgorithm) else { throw .malformed }
            issuer = try fields.encoded(DER.sequence)
            let thisTag = fields.peekTag() ?? 0
            thisUpdate = try Time.seconds(tag: thisTag, try fields.next().contents)
            if let tag = fields.peekTag(), tag == DER.utcTime || tag == DER.generalizedTime {
                nextUpdate = try Time.seconds(tag: tag, try fields.next().contents)
            } else {
                nextUpdate = nil
            }
            var unknownCritical = false
            var entries = der.extracting(0..<0)
            if fields.peekTag() == DER.sequence {
                entries = try fields.contents(DER.sequence)
                var reader = DER(entries)
                while !reader.isAtEnd {
                    var entry = try reader.nested()
                    _ = try entry.integerBytes()
                    let tag = entry.peekTag() ?? 0
                    _ = try Time.seconds(tag: tag, try entry.next().contents)
                    if let extensions = try entry.optional(DER.sequence) {
                        guard version == 2 else { throw .malformed }
                        if try Self.hasUnknownCritical(extensions) { unknownCritical = true }
                    }
                    try entry.expectEnd()
                }
            }
            if let explicit = try fields.optional(DER.context(0, constructed: true)) {
                guard version == 2 else { throw .malformed }
                var field = DER(explicit)
                let extensions = try field.contents(DER.sequence)
                try field.expectEnd()
                if try Self.hasUnknownCritical(extensions) { unknownCritical = true }
            }
            try fields.expectEnd()
            self.der = der
            self.tbs = tbsEncoded
            self.revoked = entries
            self.hasUnknownCriticalExtension = unknownCritical
        } catch {
            throw .certificate(.malformed(where: .crl))
        }
    }

    /// Whether the revoked list holds `serial` (INTEGER contents, compared by bytes: DER
    /// makes the encoding of a number unique).
    public func contains(serial: Span<UInt8>) -> Bool {
        var reader = DER(revoked)
        while !reader.isAtEnd {
            guard var entry = try? reader.nested(), let listed = try? entry.integerBytes() else { return false }
            if OID.equal(listed, serial) { return true }
        }
        return false
    }

    /// Extensions whose critical flag is set and which are not ones known to be harmless
    /// here: cRLNumber (20), reasonCode (21), invalidityDate (24), authorityKeyIdentifier (35).
    static func hasUnknownCritical(_ list: Span<UInt8>) throws(TLSError) -> Bool {
        var reader = DER(list)
        var found = false
        while !reader.isAtEnd {
            var ext = try reader.nested()
            let oid = try ext.contents(DER.objectIdentifier)
            var critical = false
            if ext.peekTag() == DER.boolean { critical = try ext.boolean() }
            _ = try ext.contents(DER.octetString)
            try ext.expectEnd()
            guard critical else { continue }
            switch OID.certificateExtension(oid) {
            case 20, 21, 24, 35: break
            default: found = true
            }
        }
        return found
    }
}
