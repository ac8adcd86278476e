/// Finished, either role and version (RFC 5246 §7.4.9, RFC 8446 §4.4.4): verify_data over
/// the transcript, checked in constant time.
enum Finished {
    static func write(verifyData: Span<UInt8>, into writer: inout Writer) throws(TLSError) {
        try writer.u8(HandshakeType.finished.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.bytes(verifyData)
        try writer.endVector(body)
    }

    /// Checks a received Finished body against the verify_data expected of the peer.
    static func check(_ body: Span<UInt8>, expected: Span<UInt8>) throws(TLSError) {
        guard body.count == expected.count else { throw .malformed }
        guard constantTimeEquals(expected, body) else { throw .finishedMismatch }
    }
}
