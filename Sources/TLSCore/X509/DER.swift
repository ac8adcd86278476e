/// Strict DER (X.690 §10) over the one bounds-checked `Reader`: a reader over the contents
/// of one constructed value that hands out its children as spans of the caller's memory.
///
/// Everything BER allows and DER does not is refused: indefinite lengths, lengths in more
/// bytes than needed, high-tag-number forms (X.509 never needs them). A length beyond the
/// input is `truncated`; any other structural fault is `malformed`; bytes left where a
/// structure must end are `trailingBytes`. Certificate and CRL parsers turn these into
/// `CertificateError.malformed(where:)` for the place they were reading.
public struct DER: ~Escapable {
    var reader: Reader

    /// Deepest nesting `checkTree` accepts. X.509 structures nest at most about six levels
    /// (RSA-PSS parameters are the deepest); a bound keeps the recursion's stack fixed.
    public static let maxDepth = 8

    // Universal tags used by X.509 (X.690 §8, X.680 §8.6).
    public static let boolean: UInt8 = 0x01
    public static let integer: UInt8 = 0x02
    public static let bitString: UInt8 = 0x03
    public static let octetString: UInt8 = 0x04
    public static let null: UInt8 = 0x05
    public static let objectIdentifier: UInt8 = 0x06
    public static let utf8String: UInt8 = 0x0C
    public static let printableString: UInt8 = 0x13
    public static let ia5String: UInt8 = 0x16
    public static let utcTime: UInt8 = 0x17
    public static let generalizedTime: UInt8 = 0x18
    public static let sequence: UInt8 = 0x30
    public static let set: UInt8 = 0x31

    /// Context-specific tag `[n]`, constructed or primitive.
    @inline(__always)
    public static func context(_ n: UInt8, constructed: Bool) -> UInt8 {
        (constructed ? 0xA0 : 0x80) | n
    }

    @_lifetime(copy contents)
    public init(_ contents: Span<UInt8>) {
        reader = Reader(contents)
    }

    public var isAtEnd: Bool { reader.isAtEnd }

    /// The tag of the next element, or nil at the end.
    public func peekTag() -> UInt8? {
        reader.isAtEnd ? nil : try? reader.peek()
    }

    /// The next element, whatever its tag.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func next() throws(TLSError) -> DERElement {
        let start = reader.offset
        let tag = try reader.u8()
        // Tag number 31 announces the multi-byte high-tag-number form (X.690 §8.1.2.4).
        guard tag & 0x1F != 0x1F else { throw .malformed }
        let length = try readLength()
        let contents = try reader.bytes(length)
        let whole = reader.bytes.extracting(start..<reader.offset)
        return DERElement(tag: tag, contents: contents, encoded: whole)
    }

    /// The next element's contents, which must carry `tag`.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func contents(_ tag: UInt8) throws(TLSError) -> Span<UInt8> {
        guard peekTag() == tag else { throw .malformed }
        return try next().contents
    }

    /// The next element whole (tag, length and contents), which must carry `tag`: what a
    /// signature covers and what names compare by.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func encoded(_ tag: UInt8) throws(TLSError) -> Span<UInt8> {
        guard peekTag() == tag else { throw .malformed }
        return try next().encoded
    }

    /// The contents of the next element if it carries `tag`, nil (consuming nothing) if not.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func optional(_ tag: UInt8) throws(TLSError) -> Span<UInt8>? {
        guard peekTag() == tag else { return nil }
        return try next().contents
    }

    /// A reader over the next constructed element's contents (SEQUENCE by default).
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func nested(_ tag: UInt8 = DER.sequence) throws(TLSError) -> DER {
        guard tag & 0x20 != 0 else { throw .malformed }
        return DER(try contents(tag))
    }

    /// Throws unless every byte was consumed.
    public func expectEnd() throws(TLSError) {
        try reader.expectEnd()
    }

    // X.690 §8.1.3 and §10.1: definite form, minimal number of length octets.
    @_lifetime(self: copy self)
    mutating func readLength() throws(TLSError) -> Int {
        let first = try reader.u8()
        if first < 0x80 { return Int(first) }
        let count = Int(first & 0x7F)
        // 0x80 is the indefinite form; more than 3 octets would be 16 MiB or more, which no
        // certificate, CRL or TLS message (uint24 lengths) can be.
        guard count >= 1, count <= 3 else { throw .malformed }
        let value = try reader.bigEndian(count)
        // Minimal: the long form only from 128 up, and no leading zero octet.
        guard value >= 0x80, value >> (8 * (count &- 1)) != 0 else { throw .malformed }
        guard value <= reader.remaining else { throw .truncated }
        return value
    }

    // MARK: Primitive values

    /// An INTEGER's contents: non-empty and minimal (X.690 §8.3.2). Sign is left to the caller.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func integerBytes() throws(TLSError) -> Span<UInt8> {
        let bytes = try contents(DER.integer)
        try DER.checkInteger(bytes)
        return bytes
    }

    public static func checkInteger(_ bytes: Span<UInt8>) throws(TLSError) {
        guard bytes.count > 0 else { throw .malformed }
        if bytes.count > 1 {
            let a = bytes[0], b = bytes[1] & 0x80
            guard !(a == 0 && b == 0), !(a == 0xFF && b != 0) else { throw .malformed }
        }
    }

    /// A small non-negative INTEGER (versions, path lengths, salt lengths), at most 2^23 so
    /// that it fits an `Int` everywhere.
    @_lifetime(self: copy self)
    public mutating func smallInteger() throws(TLSError) -> Int {
        let bytes = try integerBytes()
        guard bytes[0] & 0x80 == 0, bytes.count <= 3 else { throw .malformed }
        var value = 0
        for i in 0..<bytes.count { value = value << 8 | Int(bytes[i]) }
        return value
    }

    /// A BOOLEAN: DER allows only 0x00 and 0xFF (X.690 §11.1).
    @_lifetime(self: copy self)
    public mutating func boolean() throws(TLSError) -> Bool {
        let bytes = try contents(DER.boolean)
        guard bytes.count == 1 else { throw .malformed }
        switch bytes[0] {
        case 0x00: return false
        case 0xFF: return true
        default: throw .malformed
        }
    }

    /// A BIT STRING with no unused bits (signatures, public keys): its bytes after the
    /// unused-bits octet.
    @_lifetime(self: copy self)
    @_lifetime(copy self)
    public mutating func octetAlignedBitString() throws(TLSError) -> Span<UInt8> {
        let bytes = try contents(DER.bitString)
        guard bytes.count >= 1, bytes[0] == 0 else { throw .malformed }
        return bytes.extracting(1..<bytes.count)
    }

    /// A named-bit BIT STRING (keyUsage) as a mask with bit n of the ASN.1 list at 1 << n.
    /// DER drops trailing zero bits, so the last used bit must be set (X.690 §11.2.2).
    @_lifetime(self: copy self)
    public mutating func namedBits() throws(TLSError) -> UInt16 {
        let bytes = try contents(DER.bitString)
        guard bytes.count >= 1, bytes.count <= 3 else { throw .malformed }
        let unused = Int(bytes[0])
        guard unused <= 7 else { throw .malformed }
        if bytes.count == 1 {
            guard unused == 0 else { throw .malformed }
            return 0
        }
        let last = bytes[bytes.count &- 1]
        guard last & UInt8(truncatingIfNeeded: (1 << unused) &- 1) == 0,
              last & UInt8(truncatingIfNeeded: 1 << unused) != 0 else { throw .malformed }
        var mask: UInt16 = 0
        for i in 1..<bytes.count {
            let byte = bytes[i]
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                mask |= 1 << UInt16((i &- 1) &* 8 &+ bit)
            }
        }
        return mask
    }

    /// Consumes a NULL if one comes next (absent-or-NULL algorithm parameters).
    @_lifetime(self: copy self)
    public mutating func optionalNull() throws(TLSError) {
        if let null = try optional(DER.null) {
            guard null.count == 0 else { throw .malformed }
        }
    }

    // MARK: Whole-tree check

    /// Walks every element of `bytes`, recursing into constructed ones up to `maxDepth`
    /// levels, so that one strict pass proves the whole encoding well-formed before any
    /// field is trusted. Primitive contents (OCTET STRING extension values) are parsed
    /// later by the code that knows their type.
    public static func checkTree(_ bytes: Span<UInt8>, depth: Int = 0) throws(TLSError) {
        guard depth <= maxDepth else { throw .malformed }
        var der = DER(bytes)
        while !der.isAtEnd {
            let element = try der.next()
            if element.tag & 0x20 != 0 {
                try checkTree(element.contents, depth: depth &+ 1)
            }
        }
    }
}

/// One DER element: its tag, its contents, and its whole encoding.
public struct DERElement: ~Escapable {
    public let tag: UInt8
    public let contents: Span<UInt8>
    public let encoded: Span<UInt8>

    @_lifetime(copy contents, copy encoded)
    init(tag: UInt8, contents: Span<UInt8>, encoded: Span<UInt8>) {
        self.tag = tag
        self.contents = contents
        self.encoded = encoded
    }
}
