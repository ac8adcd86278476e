/// A server name that is an IP address written out: "192.0.2.1", "2001:db8::1",
/// "::ffff:192.0.2.1". RFC 6066 §3 forbids such literals in server_name, and RFC 6125 §6.1
/// matches them against iPAddress SANs only, never as DNS names, so the client must know
/// one when it sees one. Strict: what inet_pton(3) accepts, no brackets, no zone.
struct IPAddressLiteral {
    /// The address in network order: 4 bytes (IPv4) or 16 (IPv6).
    private(set) var bytes = InlineArray<16, UInt8>(repeating: 0)
    private(set) var count = 0

    /// No address (count 0).
    init() {}

    /// Parses `text`; nil when it is not an IP literal (a DNS name, or garbage).
    init?(_ text: Span<UInt8>) {
        guard text.count <= 45 else { return nil }  // the longest IPv6 text form
        if Self.parseIPv4(text, into: &bytes, at: 0) {
            count = 4
        } else if Self.parseIPv6(text, into: &bytes) {
            count = 16
        } else {
            return nil
        }
    }

    var span: Span<UInt8> {
        @_lifetime(borrow self) get { bytes.span.extracting(0..<count) }
    }

    /// Four decimal octets, 0–255, one to three digits each, written at `at`.
    private static func parseIPv4(_ text: Span<UInt8>, into bytes: inout InlineArray<16, UInt8>, at: Int) -> Bool {
        var octet = 0, digits = 0, parts = 0
        for i in 0..<(text.count &+ 1) {
            let c: UInt8 = i < text.count ? text[i] : UInt8(ascii: ".")
            if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                octet = octet &* 10 &+ Int(c &- UInt8(ascii: "0"))
                digits &+= 1
                guard digits <= 3, octet <= 255 else { return false }
            } else if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 4 else { return false }
                bytes[at &+ parts] = UInt8(truncatingIfNeeded: octet)
                parts &+= 1
                octet = 0
                digits = 0
            } else {
                return false
            }
        }
        return parts == 4
    }

    /// Eight groups of one to four hex digits; one "::" may stand for one or more zero
    /// groups, and the last 32 bits may be written as IPv4 (RFC 4291 §2.2).
    private static func parseIPv6(_ text: Span<UInt8>, into bytes: inout InlineArray<16, UInt8>) -> Bool {
        guard text.count >= 2 else { return false }
        var groups = InlineArray<8, UInt16>(repeating: 0)
        var count = 0
        var gap = -1  // where "::" stands, as a group index
        var i = 0
        if text[0] == UInt8(ascii: ":") {
            guard text[1] == UInt8(ascii: ":") else { return false }
            gap = 0
            i = 2
        }
        while i < text.count {
            // An IPv4 tail: the rest holds a dot and no colon, after at most six groups.
            var hasDot = false, hasColon = false
            for j in i..<text.count {
                if text[j] == UInt8(ascii: ".") { hasDot = true }
                if text[j] == UInt8(ascii: ":") { hasColon = true }
            }
            if hasDot, !hasColon {
                guard count <= 6 else { return false }
                var tail = InlineArray<16, UInt8>(repeating: 0)
                guard parseIPv4(text.extracting(i..<text.count), into: &tail, at: 0) else { return false }
                groups[count] = UInt16(tail[0]) << 8 | UInt16(tail[1])
                groups[count &+ 1] = UInt16(tail[2]) << 8 | UInt16(tail[3])
                count &+= 2
                i = text.count
                break
            }
            var value = 0, digits = 0
            while i < text.count, let digit = hexValue(text[i]) {
                value = value << 4 | digit
                digits &+= 1
                guard digits <= 4 else { return false }
                i &+= 1
            }
            guard digits > 0, count < 8 else { return false }
            groups[count] = UInt16(truncatingIfNeeded: value)
            count &+= 1
            guard i < text.count else { break }
            guard text[i] == UInt8(ascii: ":"), i &+ 1 < text.count else { return false }
            i &+= 1
            if text[i] == UInt8(ascii: ":") {
                guard gap < 0 else { return false }
                gap = count
                i &+= 1
            }
        }
        if gap >= 0 {
            guard count < 8 else { return false }
            // Move the groups after the gap to the end; zeros fill the gap.
            let after = count &- gap
            for k in 0..<after { groups[7 &- k] = groups[count &- 1 &- k] }
            for k in gap..<(8 &- after) { groups[k] = 0 }
        } else {
            guard count == 8 else { return false }
        }
        for k in 0..<8 {
            bytes[2 &* k] = UInt8(truncatingIfNeeded: groups[k] >> 8)
            bytes[2 &* k &+ 1] = UInt8(truncatingIfNeeded: groups[k])
        }
        return true
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(c &- UInt8(ascii: "a")) &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(c &- UInt8(ascii: "A")) &+ 10
        default: nil
        }
    }
}
