/// The peer's certificates as they arrived, leaf first, without copying them: a view over
/// the bytes of one of three framings. The framing is checked whole, once, by `init`
/// (every length inside the input, every entry non-empty, at most `maximumCount` entries),
/// so that path building can then walk the entries as often as it needs without failing.
///
/// The order after the leaf is not trusted: RFC 8446 §4.4.2 and RFC 5246 §7.4.2 as
/// practised let servers send intermediates in any order and with unrelated extras, so the
/// validator searches the entries rather than walking them as a path.
public struct CertificateChain: ~Escapable {
    public enum Framing: Sendable, Equatable {
        /// TLS 1.2 Certificate.certificate_list contents: entries of uint24 length + DER
        /// (RFC 5246 §7.4.2).
        case tls12
        /// TLS 1.3 Certificate.certificate_list contents: CertificateEntry = uint24-length
        /// cert_data + uint16-length extensions (RFC 8446 §4.4.2). Only X.509 entries (the
        /// default certificate type); the extensions (OCSP status, SCTs) are framed-checked
        /// and skipped.
        case tls13
        /// Concatenated DER certificates (a PEM file decoded, a configured chain).
        case der
    }

    /// More entries than this is refused (`violates(.chainEntryCount)`): it bounds the issuer
    /// search (each step of path building scans every entry), and real chains have two to four.
    public static let maximumCount = 16

    public let bytes: Span<UInt8>
    public let framing: Framing
    /// Entries, leaf included; at least one.
    public let count: Int

    /// Checks the framing of `bytes`; throws `.certificate(.malformed(where: .chain))` when
    /// a length runs past the input, an entry is empty or there are no entries, and
    /// `.certificate(.violates(.chainEntryCount))` past `maximumCount` entries (the framing
    /// read so far was good: a limit, not a decoding fault). The DER inside each entry is
    /// not parsed here.
    @_lifetime(copy bytes)
    public init(_ bytes: Span<UInt8>, framing: Framing) throws(TLSError) {
        var entries = 0
        var reader = Reader(bytes)
        while !reader.isAtEnd {
            do throws(TLSError) {
                _ = try Self.readEntry(&reader, framing)
            } catch {
                throw .certificate(.malformed(where: .chain))
            }
            entries &+= 1
            guard entries <= Self.maximumCount else { throw .certificate(.violates(.chainEntryCount)) }
        }
        guard entries > 0 else { throw .certificate(.malformed(where: .chain)) }
        self.bytes = bytes
        self.framing = framing
        self.count = entries
    }

    /// The leaf's DER.
    @_lifetime(copy self)
    public func leaf() -> Span<UInt8> {
        // `init` proved the first entry is there.
        var reader = Reader(bytes)
        if let der = try? Self.readEntry(&reader, framing) { return der }
        return bytes.extracting(0..<0)
    }

    /// The DER of the entry that starts at `offset`, an offset handed out by `entries()`.
    @_lifetime(copy self)
    public func certificate(at offset: Int) throws(TLSError) -> Span<UInt8> {
        var reader = Reader(bytes)
        do throws(TLSError) {
            try reader.skip(offset)
            return try Self.readEntry(&reader, framing)
        } catch {
            throw .certificate(.malformed(where: .chain))
        }
    }

    /// The entries in the order they arrived.
    @_lifetime(copy self)
    public func entries() -> Iterator {
        Iterator(bytes: bytes, framing: framing, from: 0)
    }

    /// The entries from the one at `offset` (an entry's offset, or where the previous
    /// iteration stopped) on.
    @_lifetime(copy self)
    public func entries(from offset: Int) -> Iterator {
        Iterator(bytes: bytes, framing: framing, from: offset)
    }

    /// One entry: where it starts in `bytes` (its identity during path building) and its DER.
    public struct Entry: ~Escapable {
        public let offset: Int
        public let der: Span<UInt8>

        @_lifetime(copy der)
        init(offset: Int, der: Span<UInt8>) {
            self.offset = offset
            self.der = der
        }
    }

    public struct Iterator: ~Escapable {
        var reader: Reader
        let framing: Framing

        @_lifetime(copy bytes)
        init(bytes: Span<UInt8>, framing: Framing, from offset: Int) {
            reader = Reader(bytes.extracting(0..<bytes.count))
            self.framing = framing
            if (try? reader.skip(offset)) == nil { _ = reader.rest() }
        }

        /// Where the next entry starts (the end of the bytes after the last).
        public var offset: Int { reader.offset }

        /// The next entry, nil after the last.
        @_lifetime(self: copy self)
        @_lifetime(copy self)
        public mutating func next() -> Entry? {
            guard !reader.isAtEnd else { return nil }
            let offset = reader.offset
            guard let der = try? CertificateChain.readEntry(&reader, framing) else { return nil }
            return Entry(offset: offset, der: der)
        }
    }

    /// Reads one entry's DER and moves past the entry.
    @_lifetime(copy reader)
    @_lifetime(reader: copy reader)
    static func readEntry(_ reader: inout Reader, _ framing: Framing) throws(TLSError) -> Span<UInt8> {
        switch framing {
        case .tls12:
            return try reader.vector(lengthBytes: 3, minimum: 1)
        case .tls13:
            let der = try reader.vector(lengthBytes: 3, minimum: 1)
            // Extension extensions<0..2^16-1>, each a uint16 type and a uint16-length body.
            var extensions = try reader.subReader(lengthBytes: 2)
            while !extensions.isAtEnd {
                _ = try extensions.u16()
                _ = try extensions.vector(lengthBytes: 2)
            }
            return der
        case .der:
            // One SEQUENCE with a definite, minimal length; its contents are parsed later.
            var der = DER(reader.bytes.extracting(reader.offset..<reader.bytes.count))
            let element = try der.next()
            guard element.tag == DER.sequence, element.contents.count > 0 else { throw .malformed }
            return try reader.bytes(element.encoded.count)
        }
    }
}
