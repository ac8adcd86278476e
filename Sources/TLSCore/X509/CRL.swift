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
    /// A critical CRL or entry extension not processed here (certificateIssuer, an
    /// unknown one …): such a CRL's scope is not the plain one this validator assumes, so it
    /// is not used (§5.2, §5.3).
    public let hasUnknownCriticalExtension: Bool
    public let signature: Span<UInt8>
    /// cRLNumber's INTEGER contents (§5.2.3), nil when absent, and whether it was marked
    /// critical (conforming issuers MUST include it, non-critical).
    public let number: Span<UInt8>?
    public let numberIsCritical: Bool
    /// A deltaCRLIndicator is present (§5.2.4): a delta CRL, which this validator does not
    /// combine with a base and refuses.
    public let isDelta: Bool
    /// issuingDistributionPoint (§5.2.5): which certificates the CRL covers.
    public let scope: Scope

    /// The certificates a CRL covers, from its issuingDistributionPoint.
    public enum Scope: Sendable, Equatable {
        /// No issuingDistributionPoint: every certificate of the issuer.
        case all
        /// onlyContainsUserCerts: end entities only.
        case endEntities
        /// onlyContainsCACerts: CA certificates only.
        case authorities
        /// A distribution point, onlySomeReasons, indirectCRL or attribute certificates:
        /// a partial or indirect scope this validator cannot tell a certificate is in.
        case unsupported

        public func covers(ca: Bool) -> Bool {
            switch self {
            case .all: true
            case .endEntities: !ca
            case .authorities: ca
            case .unsupported: false
            }
        }
    }

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
            var number: Span<UInt8>? = nil
            var numberIsCritical = false
            var isDelta = false
            var scope = Scope.all
            if let explicit = try fields.optional(DER.context(0, constructed: true)) {
                guard version == 2 else { throw .malformed }
                var field = DER(explicit)
                let extensions = try field.contents(DER.sequence)
                try field.expectEnd()
                var reader = DER(extensions)
                var seen: UInt64 = 0
                while !reader.isAtEnd {
                    var ext = try reader.nested()
                    let oid = try ext.contents(DER.objectIdentifier)
                    var critical = false
                    if ext.peekTag() == DER.boolean { critical = try ext.boolean() }
                    let value = try ext.contents(DER.octetString)
                    try ext.expectEnd()
                    guard let arc = OID.certificateExtension(oid), arc < 64 else {
                        if critical { unknownCritical = true }
                        continue
                    }
                    // §5.2: one instance of each.
                    guard seen & (1 &<< UInt64(widening: UInt32(arc))) == 0 else { throw .malformed }
                    seen |= 1 &<< UInt64(widening: UInt32(arc))
                    var body = DER(value)
                    switch arc {
                    case 20:
                        number = try body.integerBytes()
                        numberIsCritical = critical
                    case 27:
                        _ = try body.integerBytes()
                        isDelta = true
                    case 28:
                        scope = try Self.scope(&body)
                    case 35:
                        _ = try body.next()
                    default:
                        if critical { unknownCritical = true }
                        continue
                    }
                    try body.expectEnd()
                }
            }
            try fields.expectEnd()
            self.der = der
            self.tbs = tbsEncoded
            self.revoked = entries
            self.hasUnknownCriticalExtension = unknownCritical
            self.number = number
            self.numberIsCritical = numberIsCritical
            self.isDelta = isDelta
            self.scope = scope
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

    /// Entry extensions whose critical flag is set and which are not known to be harmless
    /// here: reasonCode (21), invalidityDate (24). certificateIssuer (29) makes the CRL
    /// indirect, which is not supported.
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
            case 21, 24: break
            default: found = true
            }
        }
        return found
    }

    /// IssuingDistributionPoint (§5.2.5): [0] distributionPoint, [1] onlyContainsUserCerts,
    /// [2] onlyContainsCACerts, [3] onlySomeReasons, [4] indirectCRL, [5]
    /// onlyContainsAttributeCerts, the BOOLEANs DEFAULT FALSE.
    @_lifetime(body: copy body)
    static func scope(_ body: inout DER) throws(TLSError) -> Scope {
        var fields = try body.nested()
        var scope = Scope.all
        var partial = false
        while !fields.isAtEnd {
            let element = try fields.next()
            switch element.tag {
            case 0xA0, 0x83: partial = true  // a distribution point, some reasons only
            case 0x81, 0x82, 0x84, 0x85:
                guard element.contents.count == 1, element.contents[0] == 0xFF else { throw .malformed }
                switch element.tag {
                case 0x81: scope = scope == .all ? .endEntities : .unsupported
                case 0x82: scope = scope == .all ? .authorities : .unsupported
                default: partial = true  // indirect, attribute certificates
                }
            default: throw .malformed
            }
        }
        return partial ? .unsupported : scope
    }
}
