/// Server identity matching (RFC 6125 §6.4): a reference DNS name against dNSName
/// identifiers, and an IP address against iPAddress identifiers (RFC 5280 §4.2.1.6).
///
/// Stricter than RFC 6125 allows, as browsers are: a wildcard only as the whole left-most
/// label ("*.example.com", never "f*.example.com" or "www.*.example.com"), standing for
/// exactly one label, and never over a single-label suffix ("*.com").
public enum Hostname {
    /// Whether `reference` (the name the caller asked for) matches `pattern` (a dNSName
    /// or common name from the certificate). Case-insensitive ASCII; one trailing dot on
    /// either side is ignored. A malformed reference never matches.
    public static func matches(reference: Span<UInt8>, pattern: Span<UInt8>) -> Bool {
        let reference = trimmingDot(reference)
        let pattern = trimmingDot(pattern)
        guard isValidReference(reference), pattern.count > 0 else { return false }
        if pattern.count >= 2, pattern[0] == 0x2A, pattern[1] == 0x2E {  // "*."
            let suffix = pattern.extracting(2..<pattern.count)
            // The suffix must be a name of two labels or more, itself free of wildcards.
            guard hasDot(suffix), !contains(suffix, 0x2A) else { return false }
            // The wildcard takes the reference's whole first label, which must be non-empty.
            var firstDot = -1
            for i in 0..<reference.count where reference[i] == 0x2E {
                firstDot = i
                break
            }
            guard firstDot > 0 else { return false }
            return equalFolded(reference.extracting((firstDot &+ 1)..<reference.count), suffix)
        }
        guard !contains(pattern, 0x2A) else { return false }
        return equalFolded(reference, pattern)
    }

    /// Letters, digits, hyphens and underscores in non-empty labels of at most 63 bytes,
    /// 253 bytes in all (RFC 1035 §2.3.4, with "_" as seen in practice); no wildcard.
    public static func isValidReference(_ name: Span<UInt8>) -> Bool {
        hasLabelSyntax(name, alsoAllowing: 0x5F)  // "_"
    }

    /// Byte equality of two IP addresses (4 or 16 octets).
    public static func matches(address: Span<UInt8>, san: Span<UInt8>) -> Bool {
        (address.count == 4 || address.count == 16) && OID.equal(address, san)
    }

    @_lifetime(copy name)
    static func trimmingDot(_ name: Span<UInt8>) -> Span<UInt8> {
        if name.count > 1, name[name.count &- 1] == 0x2E { return name.extracting(0..<(name.count &- 1)) }
        return name
    }

    static func hasDot(_ name: Span<UInt8>) -> Bool { contains(name, 0x2E) }

    static func contains(_ name: Span<UInt8>, _ byte: UInt8) -> Bool {
        for i in 0..<name.count where name[i] == byte { return true }
        return false
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// ASCII case-insensitive equality (RFC 4343).
    public static func equalFolded(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where lower(a[i]) != lower(b[i]) { return false }
        return true
    }

    /// Whether `name` is `domain` or ends with "." + `domain`: the dNSName subtree rule of
    /// RFC 5280 §4.2.1.10 (labels added on the left). A constraint written with a leading
    /// dot (".example.com", common in practice) admits only names below it; an empty one
    /// admits everything.
    public static func isWithin(_ name: Span<UInt8>, domain: Span<UInt8>) -> Bool {
        let name = trimmingDot(name)
        let domain = trimmingDot(domain)
        if domain.count == 0 { return true }
        if domain[0] == 0x2E {
            guard name.count > domain.count else { return false }
            return equalFolded(name.extracting((name.count &- domain.count)..<name.count), domain)
        }
        if name.count == domain.count { return equalFolded(name, domain) }
        guard name.count > domain.count, name[name.count &- domain.count &- 1] == 0x2E else { return false }
        return equalFolded(name.extracting((name.count &- domain.count)..<name.count), domain)
    }

    /// Whether a dNSName from a certificate has the preferred name syntax (RFC 5280
    /// §4.2.1.6, RFC 1034 §3.5): non-empty labels of letters, digits and hyphens (no
    /// underscore, no leading or trailing period, no empty label), at most 63 bytes each and
    /// 253 in all. `*` is let through: where a wildcard may stand is for matching to judge.
    public static func isValidDNSName(_ name: Span<UInt8>) -> Bool {
        hasLabelSyntax(name, alsoAllowing: 0x2A)  // "*"
    }

    /// Non-empty labels of letters, digits, hyphens and `extra`, at most 63 bytes each and
    /// 253 in all.
    private static func hasLabelSyntax(_ name: Span<UInt8>, alsoAllowing extra: UInt8) -> Bool {
        guard name.count > 0, name.count <= 253 else { return false }
        var label = 0
        for i in 0..<name.count {
            let c = name[i]
            if c == 0x2E {
                guard label > 0 else { return false }
                label = 0
                continue
            }
            let ok = (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D || c == extra
            guard ok else { return false }
            label &+= 1
            guard label <= 63 else { return false }
        }
        return label > 0
    }

    /// A dNSName constraint's syntax: a DNS name without wildcards (no leading period, no
    /// empty label, letters, digits and hyphens).
    public static func isValidConstraint(_ name: Span<UInt8>) -> Bool {
        isValidDNSName(name) && !contains(name, 0x2A)
    }

    /// Parses an IP literal (RFC 6125 §6.1: an IP address reference is matched against
    /// iPAddress identifiers only, never as a DNS name) as the whole core reads one
    /// (`IPAddressLiteral`: what inet_pton accepts). Writes the octets to `out` and returns 4
    /// or 16, or 0 when `text` is neither.
    public static func ipLiteral(_ text: Span<UInt8>, into out: inout InlineArray<16, UInt8>) -> Int {
        guard let literal = IPAddressLiteral(text) else { return 0 }
        let bytes = literal.span
        for i in 0..<bytes.count { out[i] = bytes[i] }
        return bytes.count
    }

    // MARK: IDNs in common names

    /// Whether a commonName that may hold U-labels (UTF-8) names the same host as a dNSName
    /// in A-labels: label by label, an ASCII label compared case-insensitively, any other
    /// converted with Punycode (RFC 3492) to "xn--…" first. CA/B Forum BR §7.1.4.3 lets a CN
    /// carry the Unicode form of a SAN entry. Only ASCII is case-folded: there is no IDNA
    /// mapping (UTS #46) or normalisation, so a U-label that is not already in its mapped
    /// form does not match.
    public static func sameIDN(commonName: Span<UInt8>, dnsName: Span<UInt8>) -> Bool {
        let name = trimmingDot(commonName)
        let san = trimmingDot(dnsName)
        var i = 0
        var j = 0
        while true {
            var endI = i
            while endI < name.count, name[endI] != 0x2E { endI &+= 1 }
            var endJ = j
            while endJ < san.count, san[endJ] != 0x2E { endJ &+= 1 }
            let label = name.extracting(i..<endI)
            let expected = san.extracting(j..<endJ)
            guard label.count > 0, expected.count > 0, labelMatches(label, expected) else { return false }
            let lastI = endI == name.count
            let lastJ = endJ == san.count
            if lastI || lastJ { return lastI && lastJ }
            i = endI &+ 1
            j = endJ &+ 1
        }
    }

    static func labelMatches(_ label: Span<UInt8>, _ aLabel: Span<UInt8>) -> Bool {
        var ascii = true
        for k in 0..<label.count where label[k] >= 0x80 { ascii = false }
        if ascii { return equalFolded(label, aLabel) }
        var encoded = InlineArray<64, UInt8>(repeating: 0)
        guard let length = punycode(label, into: &encoded) else { return false }
        return equalFolded(encoded.span.extracting(0..<length), aLabel)
    }

    /// "xn--" and the Punycode of one UTF-8 label (RFC 3492 §6.3), ASCII lowercased; nil if
    /// the label is not valid UTF-8 or does not fit a 63-byte DNS label.
    static func punycode(_ label: Span<UInt8>, into out: inout InlineArray<64, UInt8>) -> Int? {
        var points = InlineArray<63, UInt32>(repeating: 0)
        var count = 0
        var k = 0
        while k < label.count {
            let lead = label[k]
            var point: UInt32
            var extra: Int
            switch lead {
            case 0x00..<0x80: point = UInt32(lead); extra = 0
            case 0xC2..<0xE0: point = UInt32(lead & 0x1F); extra = 1
            case 0xE0..<0xF0: point = UInt32(lead & 0x0F); extra = 2
            case 0xF0..<0xF5: point = UInt32(lead & 0x07); extra = 3
            default: return nil
            }
            guard k &+ extra < label.count, count < 63 else { return nil }
            var e = 1
            while e <= extra {
                let byte = label[k &+ e]
                guard byte & 0xC0 == 0x80 else { return nil }
                point = point << 6 | UInt32(byte & 0x3F)
                e &+= 1
            }
            // Overlong forms, surrogates, beyond U+10FFFF.
            let minimum: UInt32 = extra == 0 ? 0 : (extra == 1 ? 0x80 : (extra == 2 ? 0x800 : 0x10000))
            guard point >= minimum, point <= 0x10FFFF, !(point >= 0xD800 && point <= 0xDFFF) else { return nil }
            points[count] = point >= 0x41 && point <= 0x5A ? point | 0x20 : point
            count &+= 1
            k &+= extra &+ 1
        }
        let base: UInt32 = 36, tMin: UInt32 = 1, tMax: UInt32 = 26
        var length = 0
        out[0] = 0x78; out[1] = 0x6E; out[2] = 0x2D; out[3] = 0x2D  // "xn--"
        length = 4
        var basic = 0
        for p in 0..<count where points[p] < 0x80 {
            guard emit(UInt8(points[p]), &out, &length) else { return nil }
            basic &+= 1
        }
        if basic > 0 { guard emit(0x2D, &out, &length) else { return nil } }
        var n: UInt32 = 0x80
        var delta: UInt32 = 0
        var bias: UInt32 = 72
        var handled = basic
        while handled < count {
            var m: UInt32 = 0x10FFFF
            for p in 0..<count where points[p] >= n && points[p] < m { m = points[p] }
            delta &+= (m &- n) &* UInt32(handled &+ 1)
            n = m
            for p in 0..<count {
                if points[p] < n { delta &+= 1 }
                guard points[p] == n else { continue }
                var q = delta
                var kk = base
                while true {
                    let t = kk <= bias ? tMin : (kk >= bias &+ tMax ? tMax : kk &- bias)
                    if q < t { break }
                    guard emit(digit(t &+ (q &- t) % (base &- t)), &out, &length) else { return nil }
                    q = (q &- t) / (base &- t)
                    kk &+= base
                }
                guard emit(digit(q), &out, &length) else { return nil }
                bias = adapt(delta, UInt32(handled &+ 1), first: handled == basic)
                delta = 0
                handled &+= 1
            }
            delta &+= 1
            n &+= 1
        }
        return length
    }

    static func emit(_ byte: UInt8, _ out: inout InlineArray<64, UInt8>, _ length: inout Int) -> Bool {
        guard length < 63 else { return false }
        out[length] = byte
        length &+= 1
        return true
    }

    static func digit(_ d: UInt32) -> UInt8 { d < 26 ? UInt8(truncatingIfNeeded: d) &+ 0x61 : UInt8(truncatingIfNeeded: d &- 26) &+ 0x30 }

    static func adapt(_ delta: UInt32, _ points: UInt32, first: Bool) -> UInt32 {
        var delta = first ? delta / 700 : delta / 2
        delta &+= delta / points
        var k: UInt32 = 0
        while delta > ((36 &- 1) &* 26) / 2 {
            delta /= 36 &- 1
            k &+= 36
        }
        return k &+ (36 &- 1 &+ 1) &* delta / (delta &+ 38)
    }
}
