import Foundation

extension Array where Element == UInt8 {
    /// Bytes from hexadecimal text; whitespace (as in RFC listings) is skipped. Anything else
    /// that is not a hex digit, or an odd digit count, is a typo in a test vector: trap.
    init(hex text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for c in text.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            default: preconditionFailure("not a hex digit: \(Character(UnicodeScalar(c)))")
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        precondition(high == nil, "odd number of hex digits")
        self = bytes
    }

    /// Lower-case hex, for readable failure messages.
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
