/// ALPN (RFC 7301) and record_size_limit (RFC 8449) as a client offers and reads them, in
/// either version's answer (TLS 1.2 ServerHello, TLS 1.3 EncryptedExtensions).
enum ApplicationProtocols {
    /// The protocol the server selected: a ProtocolNameList of exactly one name that we
    /// offered (RFC 7301 §3.1, §3.2). Returns where that name lies in our list (its length
    /// byte first), which is all the handshake keeps.
    static func selected(_ data: inout Reader, offered: Span<UInt8>) throws(TLSError) -> Range<Int> {
        var list = try data.subReader(lengthBytes: 2, minimum: 2)
        let name = try list.vector(lengthBytes: 1, minimum: 1)
        try list.expectEnd()
        var offset = 0
        while offset < offered.count {
            let length = Int(offered[offset])
            let end = offset &+ 1 &+ length
            guard end <= offered.count else { break }
            if length == name.count, constantTimeEquals(offered.extracting((offset &+ 1)..<end), name) {
                return offset..<end
            }
            offset = end
        }
        // Not one of ours: RFC 7301 §3.2 has the client abort.
        throw .illegalParameter
    }

    /// The peer's record_size_limit (RFC 8449 §4): below 64 is an illegal_parameter.
    /// Returns the most plaintext we may put in one record: the limit, less the content
    /// type byte in TLS 1.3 (the limit counts TLSInnerPlaintext), at most 2^14.
    static func peerRecordLimit(_ data: inout Reader, version: TLSVersion) throws(TLSError) -> UInt16 {
        let limit = try data.u16()
        guard limit >= 64 else { throw .illegalParameter }
        let content = version == .tls13 ? limit &- 1 : limit
        return min(content, 16384)
    }

    /// What our own record_size_limit lets the peer send in one record's content.
    static func ownRecordLimit(_ settings: borrowing ClientSettings, version: TLSVersion) -> UInt16 {
        guard let limit = settings.recordSizeLimit else { return 16384 }
        return version == .tls13 ? limit &- 1 : limit
    }
}
