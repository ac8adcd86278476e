/// Host-name matching (Sources/TLSCore/X509/Hostname.swift) and the dNSName/iPAddress
/// subtree rule of name constraints. Input: one byte of options, then the reference name,
/// a NUL byte, and the pattern (or constraint base). Besides "no trap", the properties
/// that define RFC 6125 matching here:
/// - a match needs a valid reference and never a "*" in it; a pattern without a wildcard
///   matches only the same name up to ASCII case, and a wildcard stands for exactly one
///   non-empty label in front of a suffix of two labels or more;
/// - matching ignores ASCII case and one trailing dot on the reference;
/// - every valid reference matches itself, and every name lies within itself as a domain.
@_cdecl("fuzz_hostname")
public func fuzz_hostname(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzHostname.run($0) }
}

enum FuzzHostname {
    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let options = input.byte()
        let rest = input.rest()
        var split = rest.count
        for i in 0..<rest.count where rest[i] == 0 {
            split = i
            break
        }
        let reference = rest.extracting(0..<split)
        let pattern = rest.extracting(min(split &+ 1, rest.count)..<rest.count)

        let matched = Hostname.matches(reference: reference, pattern: pattern)
        let valid = Hostname.isValidReference(Hostname.trimmingDot(reference))
        if matched {
            fuzzRequire(valid, "only a valid reference matches")
            fuzzRequire(!Hostname.contains(reference, 0x2A), "a reference with * never matches")
            let r = labels(Hostname.trimmingDot(reference)), p = labels(Hostname.trimmingDot(pattern))
            fuzzRequire(r == p, "a match has as many labels as the pattern (a wildcard is one label)")
            if !isWildcard(pattern) {
                fuzzRequire(Hostname.equalFolded(Hostname.trimmingDot(reference), Hostname.trimmingDot(pattern)),
                            "without a wildcard only the same name matches")
            } else {
                fuzzRequire(p >= 3, "a wildcard needs a suffix of two labels or more")
            }
        }
        if valid {
            fuzzRequire(Hostname.matches(reference: reference, pattern: reference), "a valid name matches itself")
        }

        // Case and trailing-dot invariance, on copies.
        var flipped = [UInt8](repeating: 0, count: reference.count)
        for i in 0..<reference.count { flipped[i] = flipCase(reference[i], options) }
        fuzzRequire(Hostname.matches(reference: flipped.span, pattern: pattern) == matched, "matching ignores ASCII case")
        if reference.count > 0, reference[reference.count &- 1] != 0x2E {
            flipped.append(0x2E)
            fuzzRequire(Hostname.matches(reference: flipped.span, pattern: pattern) == matched, "one trailing dot is ignored")
        }

        // The dNSName subtree rule, and IP subtrees (address ‖ mask).
        let within = Hostname.isWithin(reference, domain: pattern)
        if within, pattern.count > 0, pattern[0] != 0x2E {
            let name = Hostname.trimmingDot(reference), domain = Hostname.trimmingDot(pattern)
            fuzzRequire(name.count >= domain.count, "a name within a domain is at least as long")
        }
        if reference.count > 0, reference[0] != 0x2E {
            fuzzRequire(Hostname.isWithin(reference, domain: reference), "a name lies within itself")
        }
        _ = NameConstraints.covers(tag: GeneralName.dnsName, pattern, reference, excluding: options & 1 != 0)
        _ = NameConstraints.covers(tag: GeneralName.ipAddress, pattern, reference, excluding: false)
        _ = Hostname.matches(address: reference, san: pattern)
    }

    static func isWildcard(_ pattern: Span<UInt8>) -> Bool {
        pattern.count >= 2 && pattern[0] == 0x2A && pattern[1] == 0x2E
    }

    static func labels(_ name: Span<UInt8>) -> Int {
        var n = 1
        for i in 0..<name.count where name[i] == 0x2E { n &+= 1 }
        return n
    }

    /// Swaps the case of ASCII letters chosen by the option bits.
    static func flipCase(_ c: UInt8, _ options: UInt8) -> UInt8 {
        let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
        return letter && (options & 2 != 0 || c & 1 == 0) ? c ^ 0x20 : c
    }
}
