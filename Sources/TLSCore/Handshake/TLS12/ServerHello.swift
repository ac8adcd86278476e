/// ② ServerHello (RFC 5246 §7.4.1.3), parsed and checked against what the ClientHello
/// offered: the version, a suite that was offered, null compression, and only extensions
/// that were asked for.
struct ServerHello {
    var random = InlineArray<32, UInt8>(repeating: 0)
    var suite: CipherSuite
    var extendedMasterSecret = false
    var secureRenegotiation = false
    var maxFragmentLength: MaxFragmentLength?

    init(body: Span<UInt8>, configuration: borrowing ClientSettings) throws(TLSError) {
        var reader = Reader(body)
        let version = try reader.u16()
        // This client speaks TLS 1.2 only; a server choosing anything else is refused.
        guard version == 0x0303 else { throw .protocolVersion }
        let serverRandom = try reader.bytes(32)
        for i in 0..<32 { random[i] = serverRandom[i] }
        // RFC 8446 §4.1.3: "DOWNGRD\0" marks a TLS 1.2+ server forced down to ≤ 1.1, which
        // this client never asks for. ("DOWNGRD\1", a TLS 1.3 server answering a
        // 1.2-only ClientHello, is legitimate until this client offers TLS 1.3.)
        if Self.hasSentinel(serverRandom, last: 0x00) { throw .downgradeDetected }
        // session_id<0..32>: not resumed here, but its length is still checked.
        guard try reader.vector(lengthBytes: 1).count <= 32 else { throw .malformed }
        guard let suite = CipherSuite(rawValue: try reader.u16()), configuration.suites.contains(suite) else {
            throw .illegalParameter  // RFC 5246 §7.4.1.3: must be one the client offered
        }
        self.suite = suite
        guard try reader.u8() == 0 else { throw .illegalParameter }
        if reader.isAtEnd { return }

        var extensions = try reader.subReader(lengthBytes: 2)
        try reader.expectEnd()
        var seen: UInt32 = 0
        while !extensions.isAtEnd {
            let type = try extensions.u16()
            var data = try extensions.subReader(lengthBytes: 2)
            // RFC 5246 §7.4.1.4: at most one extension of each type.
            guard let known = ExtensionType(rawValue: type) else { throw .unsupportedExtension }
            let bit: UInt32 = switch known {
            case .serverName: 1
            case .maxFragmentLength: 2
            case .ecPointFormats: 4
            case .extendedMasterSecret: 8
            case .renegotiationInfo: 16
            // Anything the client did not offer (RFC 5246 §7.4.1.4): a server never answers
            // supported_groups or signature_algorithms in TLS 1.2.
            case .supportedGroups, .signatureAlgorithms: throw .unsupportedExtension
            }
            guard seen & bit == 0 else { throw .illegalParameter }
            seen |= bit
            switch known {
            case .serverName:  // acknowledged: empty (RFC 6066 §3)
                guard configuration.sendsServerName else { throw .unsupportedExtension }
                try data.expectEnd()
            case .maxFragmentLength:
                guard let requested = configuration.maxFragmentLength else { throw .unsupportedExtension }
                // RFC 6066 §4: the server echoes the requested value or the client aborts.
                guard try data.u8() == requested.rawValue else { throw .illegalParameter }
                maxFragmentLength = requested
            case .ecPointFormats:
                guard configuration.suites.offersECDHE else { throw .unsupportedExtension }
                var formats = try data.subReader(lengthBytes: 1, minimum: 1)
                var uncompressed = false
                while !formats.isAtEnd { if try formats.u8() == 0 { uncompressed = true } }
                guard uncompressed else { throw .illegalParameter }  // RFC 8422 §5.2
            case .extendedMasterSecret:
                extendedMasterSecret = true
            case .renegotiationInfo, .supportedGroups, .signatureAlgorithms:
                // renegotiation_info, asked for by the SCSV: renegotiated_connection must be
                // empty (RFC 5746 §3.4).
                guard try data.vector(lengthBytes: 1).count == 0 else { throw .handshakeFailure }
                secureRenegotiation = true
            }
            try data.expectEnd()
        }
    }

    private static func hasSentinel(_ random: Span<UInt8>, last: UInt8) -> Bool {
        let sentinel: InlineArray<7, UInt8> = [0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44]  // "DOWNGRD"
        for i in 0..<7 where random[24 &+ i] != sentinel[i] { return false }
        return random[31] == last
    }
}
