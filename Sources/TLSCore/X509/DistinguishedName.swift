/// Name comparison for path building and CRL matching (RFC 5280 §7.1): two Names match when
/// they have the same RDNs in the same order, each RDN the same attributes, each attribute
/// the same type and a matching value. Byte equality is the fast path and the common case
/// (a CA copies its subject into what it issues); when the bytes differ, string values of
/// type PrintableString, UTF8String or IA5String compare as RFC 4518 prepares them in the
/// ASCII range: case folded, leading and trailing spaces dropped, inner runs of spaces as
/// one. Bytes outside ASCII compare exactly (no Unicode normalisation or folding), and other
/// value types compare by their encodings: a simplification that can fail to match a CA
/// that re-encodes its own name beyond this, never match two different names.
public enum DistinguishedName {
    /// Whether two whole Name encodings (SEQUENCE OF RDN) match.
    public static func equal(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
        if OID.equal(a, b) { return true }
        var outerA = DER(a)
        var outerB = DER(b)
        guard var rdnsA = try? outerA.nested(), var rdnsB = try? outerB.nested() else { return false }
        while !rdnsA.isAtEnd {
            guard let rdnA = try? rdnsA.next(), let rdnB = try? rdnsB.next() else { return false }
            guard rdnEqual(rdnA.encoded, rdnB.encoded) else { return false }
        }
        return rdnsB.isAtEnd
    }

    /// One RelativeDistinguishedName (SET OF AttributeTypeAndValue) against another, the
    /// attributes in the same order.
    public static func rdnEqual(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
        if OID.equal(a, b) { return true }
        var outerA = DER(a)
        var outerB = DER(b)
        guard var attributesA = try? outerA.nested(DER.set), var attributesB = try? outerB.nested(DER.set) else {
            return false
        }
        while !attributesA.isAtEnd {
            guard var attributeA = try? attributesA.nested(), var attributeB = try? attributesB.nested(),
                  let typeA = try? attributeA.contents(DER.objectIdentifier),
                  let typeB = try? attributeB.contents(DER.objectIdentifier),
                  OID.equal(typeA, typeB),
                  let valueA = try? attributeA.next(), let valueB = try? attributeB.next(),
                  attributeA.isAtEnd, attributeB.isAtEnd
            else { return false }
            if OID.equal(valueA.encoded, valueB.encoded) { continue }
            guard isString(valueA.tag), isString(valueB.tag), stringEqual(valueA.contents, valueB.contents) else {
                return false
            }
        }
        return attributesB.isAtEnd
    }

    static func isString(_ tag: UInt8) -> Bool {
        tag == DER.printableString || tag == DER.utf8String || tag == DER.ia5String
    }

    /// caseIgnoreMatch after RFC 4518's insignificant-space handling, ASCII only.
    static func stringEqual(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
        var i = 0
        var j = 0
        // Leading spaces.
        while i < a.count, a[i] == 0x20 { i &+= 1 }
        while j < b.count, b[j] == 0x20 { j &+= 1 }
        while true {
            let endA = i == a.count
            let endB = j == b.count
            if endA || endB {
                // Trailing spaces on the side that is not done.
                while i < a.count, a[i] == 0x20 { i &+= 1 }
                while j < b.count, b[j] == 0x20 { j &+= 1 }
                return i == a.count && j == b.count
            }
            if a[i] == 0x20 || b[j] == 0x20 {
                // A run of spaces matches a run of spaces, unless it ends the string.
                guard a[i] == 0x20, b[j] == 0x20 else { return false }
                while i < a.count, a[i] == 0x20 { i &+= 1 }
                while j < b.count, b[j] == 0x20 { j &+= 1 }
                if i == a.count || j == b.count { return i == a.count && j == b.count }
                continue
            }
            guard Hostname.lower(a[i]) == Hostname.lower(b[j]) else { return false }
            i &+= 1
            j &+= 1
        }
    }
}
