/// ② EncryptedExtensions (RFC 8446 §4.3.1): the server's answers to what the ClientHello
/// offered that does not shape the key exchange. Only what was offered may come back
/// (unsupported_extension otherwise, §4.2), each once, and only extensions that belong in
/// this message (illegal_parameter for one that does not).
struct EncryptedExtensions {
    var maxFragmentLength: MaxFragmentLength?
    /// The server's record_size_limit, as plaintext we may send per record (RFC 8449).
    var peerRecordLimit: UInt16?
    /// Where the protocol the server selected lies in our ALPN list (RFC 7301).
    var applicationProtocol: Range<Int>?

    init(body: Span<UInt8>, configuration: borrowing ClientSettings) throws(TLSError) {
        var reader = Reader(body)
        var extensions = try reader.subReader(lengthBytes: 2)
        try reader.expectEnd()
        var seen: UInt32 = 0
        while !extensions.isAtEnd {
            let type = try extensions.u16()
            var data = try extensions.subReader(lengthBytes: 2)
            guard let known = ExtensionType(rawValue: type) else { throw .unsupportedExtension }
            let bit: UInt32
            switch known {
            case .serverName:
                // Acknowledged: empty (RFC 6066 §3).
                guard configuration.sendsServerName else { throw .unsupportedExtension }
                bit = 1
            case .maxFragmentLength:
                guard let requested = configuration.maxFragmentLength else { throw .unsupportedExtension }
                // RFC 6066 §4: the server echoes the requested value or the client aborts.
                guard try data.u8() == requested.rawValue else { throw .illegalParameter }
                maxFragmentLength = requested
                bit = 2
            case .supportedGroups:
                // The server's preference, for a later connection (§4.2.7); not acted on.
                let groups = try data.vector(lengthBytes: 2, minimum: 2)
                guard groups.count % 2 == 0 else { throw .malformed }
                bit = 4
            case .applicationLayerProtocolNegotiation:
                guard configuration.applicationProtocols.count > 0 else { throw .unsupportedExtension }
                applicationProtocol = try ApplicationProtocols.selected(&data, offered: configuration.applicationProtocols)
                bit = 8
            case .recordSizeLimit:
                guard configuration.recordSizeLimit != nil else { throw .unsupportedExtension }
                peerRecordLimit = try ApplicationProtocols.peerRecordLimit(&data, version: .tls13)
                bit = 16
            case .earlyData, .postHandshakeAuth:
                // Never offered by this client.
                throw .unsupportedExtension
            case .preSharedKey, .pskKeyExchangeModes, .sessionTicket,
                 .ecPointFormats, .extendedMasterSecret, .renegotiationInfo, .signatureAlgorithms,
                 .signatureAlgorithmsCert, .certificateAuthorities, .supportedVersions, .keyShare, .cookie:
                // Offered perhaps, but not an EncryptedExtensions extension (§4.2's table).
                throw .illegalParameter
            }
            guard seen & bit == 0 else { throw .illegalParameter }
            seen |= bit
            try data.expectEnd()
        }
        // RFC 8449 §5: a server that takes record_size_limit ignores max_fragment_length.
        if peerRecordLimit != nil, maxFragmentLength != nil { throw .illegalParameter }
    }
}

extension EncryptedExtensions {
    /// A server's EncryptedExtensions: the answers `choice` negotiated (ALPN,
    /// max_fragment_length, record_size_limit).
    static func write(_ choice: borrowing ServerChoice, settings: borrowing ServerSettings, into writer: inout Writer) throws(TLSError) {
        try writer.u8(HandshakeType.encryptedExtensions.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        let extensions = try writer.beginVector(lengthBytes: 2)
        try choice.writeAnswers(into: &writer, settings: settings)
        try writer.endVector(extensions)
        try writer.endVector(body)
    }
}
