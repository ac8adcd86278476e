/// The strict DER reader (Sources/TLSCore/X509/DER.swift) on arbitrary bytes: the
/// whole-tree check, a walk of every element through the typed readers, and three
/// properties. Every span handed out is a piece of the input; every element the reader
/// accepts re-encodes to exactly its bytes (DER has one encoding, so a header the reader
/// takes must be the minimal one); and `checkTree` accepts exactly the inputs whose walk,
/// nested to `DER.maxDepth`, never fails.
@_cdecl("fuzz_der")
public func fuzz_der(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzDER.run($0) }
}

enum FuzzDER {
    static func run(_ input: Span<UInt8>) {
        let accepted: Bool
        do throws(TLSError) {
            try DER.checkTree(input)
            accepted = true
        } catch {
            accepted = false
        }
        let walked = walk(input, within: input, depth: 0)
        fuzzRequire(accepted == walked, "checkTree accepts exactly what a full walk accepts")
    }

    /// Reads every element of `bytes`; false at the first structural fault.
    static func walk(_ bytes: Span<UInt8>, within whole: Span<UInt8>, depth: Int) -> Bool {
        guard depth <= DER.maxDepth else { return false }
        var der = DER(bytes)
        while !der.isAtEnd {
            guard let tag = der.peekTag() else { return false }
            probe(der, tag: tag)
            let element: DERElement
            do throws(TLSError) { element = try der.next() } catch { return false }
            fuzzRequire(element.tag == tag, "next() returns the peeked tag")
            fuzzRequire(fuzzLiesWithin(element.encoded, whole), "encoded lies within the input")
            fuzzRequire(fuzzLiesWithin(element.contents, element.encoded), "contents lie within the element")
            fuzzRequire(reencodes(element), "an accepted element re-encodes to its own bytes")
            if tag & 0x20 != 0, !walk(element.contents, within: whole, depth: depth &+ 1) { return false }
        }
        return true
    }

    /// Runs the typed readers that fit `tag` on a copy of the reader: each either throws or
    /// returns something consistent; none may trap.
    static func probe(_ der: DER, tag: UInt8) {
        switch tag {
        case DER.integer:
            var a = der
            if let bytes = try? a.integerBytes() {
                fuzzRequire(bytes.count > 0, "an INTEGER has contents")
            }
            var b = der
            if let value = try? b.smallInteger() {
                fuzzRequire(value >= 0 && value < 1 << 23, "smallInteger stays below 2^23")
            }
        case DER.boolean:
            var a = der
            _ = try? a.boolean()
        case DER.bitString:
            var a = der
            _ = try? a.octetAlignedBitString()
            var b = der
            if let mask = try? b.namedBits() {
                _ = KeyUsage(rawValue: mask).contains(.keyCertSign)
            }
        case DER.null:
            var a = der
            _ = try? a.optionalNull()
        case DER.utcTime, DER.generalizedTime:
            var a = der
            if let contents = try? a.contents(tag), let seconds = try? Time.seconds(tag: tag, contents) {
                // Years 0..9999 only: well inside Int64.
                fuzzRequire(seconds > -62_200_000_000 && seconds < 253_403_000_000, "times stay within years 0-9999")
            }
        case DER.objectIdentifier:
            var a = der
            if let oid = try? a.contents(tag) {
                _ = OID.certificateExtension(oid)
                _ = OID.matches(oid, OID.rsaEncryption)
            }
        case DER.sequence:
            // An AlgorithmIdentifier parse on any SEQUENCE.
            var a = der
            _ = try? CertificateSignatureAlgorithm.parse(&a)
            var b = der
            if let nested = try? b.nested() {
                _ = try? nested.expectEnd()
            }
        default:
            var a = der
            _ = try? a.optional(tag)
        }
    }

    /// Whether tag ‖ minimal DER length ‖ contents equals the element's own encoding.
    static func reencodes(_ element: DERElement) -> Bool {
        let encoded = element.encoded
        let length = element.contents.count
        var header = InlineArray<5, UInt8>(repeating: 0)
        var count = 0
        header[0] = element.tag
        if length < 0x80 {
            header[1] = UInt8(length)
            count = 2
        } else {
            var octets = 0
            var v = length
            while v > 0 { octets &+= 1; v >>= 8 }
            guard octets <= 3 else { return false }
            header[1] = 0x80 | UInt8(octets)
            for i in 0..<octets { header[2 &+ i] = UInt8(truncatingIfNeeded: length >> (8 &* (octets &- 1 &- i))) }
            count = 2 &+ octets
        }
        guard encoded.count == count &+ length else { return false }
        for i in 0..<count where encoded[i] != header[i] { return false }
        for i in 0..<length where encoded[count &+ i] != element.contents[i] { return false }
        return true
    }
}
