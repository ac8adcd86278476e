/// The v3 extensions path validation needs (RFC 5280 §4.2), parsed out of a certificate's
/// Extensions. Name lists stay spans of GeneralName elements, read again when matched.
public struct CertificateExtensions: ~Escapable {
    /// basicConstraints cA (§4.2.1.9); false when the extension is absent.
    public var isCA: Bool
    /// pathLenConstraint; nil when absent (no limit).
    public var pathLength: Int?
    /// keyUsage (§4.2.1.3); nil when absent, which allows every use.
    public var keyUsage: KeyUsage?
    /// extendedKeyUsage (§4.2.1.12); `hasExtendedKeyUsage` false means any purpose.
    public var hasExtendedKeyUsage: Bool
    public var serverAuth: Bool
    public var clientAuth: Bool
    public var anyExtendedKeyUsage: Bool
    /// subjectAltName's GeneralName elements (§4.2.1.6), concatenated; nil when absent.
    public var subjectAltNames: Optional<Span<UInt8>>
    /// nameConstraints (§4.2.1.10): the GeneralSubtree elements of each list.
    public var permittedSubtrees: Optional<Span<UInt8>>
    public var excludedSubtrees: Optional<Span<UInt8>>
    /// subjectKeyIdentifier / authorityKeyIdentifier keyIdentifier (§4.2.1.1–2), which
    /// narrow the issuer search when both sides carry them.
    public var subjectKeyIdentifier: Optional<Span<UInt8>>
    public var authorityKeyIdentifier: Optional<Span<UInt8>>
    /// A critical extension outside id-ce (or an id-ce arc of 64 and up): no policy
    /// processes those, so the validator refuses the certificate (§4.2: "MUST reject").
    public var hasUnknownCriticalExtension: Bool
    /// id-ce extensions (2.5.29.n) present, and those marked critical: bit n. Which critical
    /// ones are acceptable is up to the profile's policies (`PathPolicy.understoodExtensions`).
    public var presentArcs: UInt64
    public var criticalArcs: UInt64
    /// Encoding faults that parse but that profiles refuse by name (`CertificateFlaws`).
    public var flaws: CertificateFlaws

    /// At most this many extensions: duplicates are searched pairwise (`violates(.extensionCount)`
    /// past it).
    public static let maximumCount = 48

    /// Parses the contents of the Extensions SEQUENCE; an empty span stands for a
    /// certificate without extensions (v1, v2, or v3 without the field).
    @_lifetime(copy list)
    init(_ list: Span<UInt8>, present: Bool, place: inout CertificateError.Place) throws(TLSError) {
        isCA = false
        pathLength = nil
        keyUsage = nil
        hasExtendedKeyUsage = false
        serverAuth = false
        clientAuth = false
        anyExtendedKeyUsage = false
        subjectAltNames = nil
        permittedSubtrees = nil
        excludedSubtrees = nil
        subjectKeyIdentifier = nil
        authorityKeyIdentifier = nil
        hasUnknownCriticalExtension = false
        presentArcs = 0
        criticalArcs = 0
        flaws = CertificateFlaws()
        if present { try parse(list, place: &place) }
    }

    // id-ce arcs (2.5.29.n).
    static let subjectKeyIdentifierArc: UInt8 = 14
    static let keyUsageArc: UInt8 = 15
    static let subjectAltNameArc: UInt8 = 17
    static let basicConstraintsArc: UInt8 = 19
    static let nameConstraintsArc: UInt8 = 30
    static let certificatePoliciesArc: UInt8 = 32
    static let authorityKeyIdentifierArc: UInt8 = 35
    static let extendedKeyUsageArc: UInt8 = 37
    static let policyConstraintsArc: UInt8 = 36
    static let policyMappingsArc: UInt8 = 33
    static let inhibitAnyPolicyArc: UInt8 = 54

    /// Whether id-ce extension `arc` is present / critical.
    public func has(_ arc: UInt8) -> Bool { arc < 64 && presentArcs & (1 &<< UInt64(widening: UInt32(arc))) != 0 }
    public func isCritical(_ arc: UInt8) -> Bool { arc < 64 && criticalArcs & (1 &<< UInt64(widening: UInt32(arc))) != 0 }

    /// Sets `place` to the extension being read so that a failure names it: the list's framing
    /// (`.extensions`), a critical field that is not a DER BOOLEAN (`.extensionCritical`), an
    /// extension value that does not decode (`.basicConstraints`, `.keyUsage`, …), bytes left
    /// after a value (`.extensionTrailingBytes`).
    @_lifetime(self: copy self, copy list)
    mutating func parse(_ list: Span<UInt8>, place: inout CertificateError.Place) throws(TLSError) {
        var extensions = DER(list)
        // SIZE (1..MAX) (§4.1).
        guard !extensions.isAtEnd else { throw .malformed }
        var count = 0
        while !extensions.isAtEnd {
            place = .extensions
            let start = list.count &- extensions.reader.remaining
            var ext = try extensions.nested()
            let oid = try ext.contents(DER.objectIdentifier)
            var critical = false
            if ext.peekTag() == DER.boolean {
                // X.690 §11.1: one octet, 0xFF for TRUE; BER's other non-zero values are not DER.
                place = .extensionCritical
                critical = try ext.boolean()
                place = .extensions
                // critical DEFAULT FALSE: DER leaves it out (X.690 §11.5).
                if !critical { flaws.insert(.explicitDefault) }
            }
            let value = try ext.contents(DER.octetString)
            place = .extensionTrailingBytes
            try ext.expectEnd()
            place = .extensions
            count &+= 1
            // A work bound (the duplicate search below is pairwise), not an encoding fault.
            guard count <= Self.maximumCount else { throw .certificate(.violates(.extensionCount)) }
            // §4.2: at most one instance of a given extension, whatever its OID.
            if Self.occurs(oid, in: list.extracting(0..<start)) { flaws.insert(.duplicateExtension) }
            guard let arc = OID.certificateExtension(oid), arc < 64 else {
                if critical { hasUnknownCriticalExtension = true }
                continue
            }
            let bit = (1 as UInt64) &<< UInt64(widening: UInt32(arc))
            // The first instance is the one parsed; a second is only flagged.
            guard presentArcs & bit == 0 else { continue }
            presentArcs |= bit
            if critical { criticalArcs |= bit }
            var body = DER(value)
            switch arc {
            case Self.basicConstraintsArc:
                place = .basicConstraints
                var fields = try body.nested()
                // cA DEFAULT FALSE: an explicit FALSE parses, and is flagged (X.690 §11.5).
                if fields.peekTag() == DER.boolean {
                    isCA = try fields.boolean()
                    if !isCA { flaws.insert(.explicitDefault) }
                }
                if fields.peekTag() == DER.integer { pathLength = try fields.smallInteger() }
                try fields.expectEnd()
            case Self.keyUsageArc:
                place = .keyUsage
                keyUsage = KeyUsage(rawValue: try body.namedBits())
            case Self.extendedKeyUsageArc:
                place = .extendedKeyUsage
                var purposes = try body.nested()
                guard !purposes.isAtEnd else { throw .malformed }
                hasExtendedKeyUsage = true
                while !purposes.isAtEnd {
                    let purpose = try purposes.contents(DER.objectIdentifier)
                    if OID.matches(purpose, OID.serverAuth) { serverAuth = true }
                    if OID.matches(purpose, OID.clientAuth) { clientAuth = true }
                    if OID.matches(purpose, OID.anyExtendedKeyUsage) { anyExtendedKeyUsage = true }
                }
            case Self.subjectAltNameArc:
                place = .subjectAltName
                let names = try body.contents(DER.sequence)
                try Self.checkGeneralNames(names, constraint: false)
                guard !DER(names).isAtEnd else { throw .malformed }
                subjectAltNames = names
            case Self.nameConstraintsArc:
                place = .nameConstraints
                var fields = try body.nested()
                if let permitted = try fields.optional(DER.context(0, constructed: true)) {
                    try Self.checkSubtrees(permitted, flaws: &flaws)
                    permittedSubtrees = permitted
                }
                if let excluded = try fields.optional(DER.context(1, constructed: true)) {
                    try Self.checkSubtrees(excluded, flaws: &flaws)
                    excludedSubtrees = excluded
                }
                try fields.expectEnd()
                // §4.2.1.10: at least one of the two lists.
                guard permittedSubtrees != nil || excludedSubtrees != nil else { throw .malformed }
            case Self.subjectKeyIdentifierArc:
                place = .keyIdentifier
                subjectKeyIdentifier = try body.contents(DER.octetString)
            case Self.authorityKeyIdentifierArc:
                place = .keyIdentifier
                var fields = try body.nested()
                authorityKeyIdentifier = try fields.optional(DER.context(0, constructed: false))
                // authorityCertIssuer [1] and authorityCertSerialNumber [2] are not used.
                while !fields.isAtEnd { _ = try fields.next() }
            default:
                // Known or not, an id-ce extension without a parser here is recorded in
                // `presentArcs` / `criticalArcs`; `CertificatePoliciesPolicy` decides on the
                // policy extensions (no policy processing: policyMappings and a critical
                // policyConstraints are refused by name).
                continue
            }
            // The value decoded, and something follows it inside extnValue.
            place = .extensionTrailingBytes
            try body.expectEnd()
        }
    }

    /// Whether an extension with `oid` is among the Extension elements of `list`.
    static func occurs(_ oid: Span<UInt8>, in list: Span<UInt8>) -> Bool {
        var reader = DER(list)
        while !reader.isAtEnd {
            guard var ext = try? reader.nested(), let other = try? ext.contents(DER.objectIdentifier) else { return false }
            if OID.equal(oid, other) { return true }
        }
        return false
    }

    /// Each element a GeneralName (§4.2.1.6) with the shapes matched later checked now:
    /// dNSName printable ASCII, iPAddress 4 or 16 octets (8 or 32 with the mask of a
    /// constraint, §4.2.1.10).
    static func checkGeneralNames(_ names: Span<UInt8>, constraint: Bool) throws(TLSError) {
        var reader = DER(names)
        while !reader.isAtEnd {
            let name = try reader.next()
            // Context-specific tags [0]...[8] only.
            guard name.tag & 0xC0 == 0x80, name.tag & 0x1F <= 8 else { throw .malformed }
            switch name.tag {
            case GeneralName.dnsName:
                for i in 0..<name.contents.count {
                    let c = name.contents[i]
                    guard c > 0x20, c < 0x7F else { throw .malformed }
                }
            case GeneralName.ipAddress:
                let n = name.contents.count
                guard constraint ? (n == 8 || n == 32) : (n == 4 || n == 16) else { throw .malformed }
            default:
                break
            }
            if constraint { try reader.expectEnd() }
        }
    }

    /// GeneralSubtrees: SEQUENCE OF GeneralSubtree { base, minimum [0] DEFAULT 0, maximum [1] };
    /// RFC 5280 requires minimum absent (0) and maximum absent.
    static func checkSubtrees(_ subtrees: Span<UInt8>, flaws: inout CertificateFlaws) throws(TLSError) {
        var reader = DER(subtrees)
        guard !reader.isAtEnd else { throw .malformed }
        while !reader.isAtEnd {
            let subtree = try reader.contents(DER.sequence)
            try checkGeneralNames(subtree, constraint: true)
            guard !DER(subtree).isAtEnd else { throw .malformed }
            var base = DER(subtree)
            let name = try base.next()
            if name.tag == GeneralName.dnsName, name.contents.count > 0, !Hostname.isValidConstraint(name.contents) {
                flaws.insert(.nameConstraintSyntax)
            }
        }
    }
}

/// GeneralName tags (RFC 5280 §4.2.1.6) as they appear in SAN and name constraints.
public enum GeneralName {
    public static let rfc822Name: UInt8 = 0x81
    public static let dnsName: UInt8 = 0x82
    public static let directoryName: UInt8 = 0xA4
    public static let uniformResourceIdentifier: UInt8 = 0x86
    public static let ipAddress: UInt8 = 0x87
}
