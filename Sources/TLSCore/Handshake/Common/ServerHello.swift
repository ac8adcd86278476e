/// ② ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3) or HelloRetryRequest (§4.1.4),
/// parsed and checked against what the ClientHello offered: the version (supported_versions
/// for TLS 1.3, the legacy field for 1.2, and the downgrade sentinels), a suite of that
/// version that was offered, null compression, and only extensions that were asked for
/// and belong in this message.
struct ServerHello {
    var version = TLSVersion.tls12
    var random = InlineArray<32, UInt8>(repeating: 0)
    var suite: CipherSuite
    /// A HelloRetryRequest: the random is SHA-256("HelloRetryRequest") (§4.1.3).
    var isRetryRequest = false
    /// TLS 1.3: the server's key share (ServerHello) or the group it asks for (HelloRetryRequest).
    var keyShareGroup: NamedGroup? = nil
    /// The server's public value (copied: at most a P-384 point).
    var keyShareBytes = InlineArray<97, UInt8>(repeating: 0)
    var keyShareCount = 0
    /// A HelloRetryRequest's cookie (copied: see `ClientOffer.cookieCapacity`).
    var cookieBytes = InlineArray<256, UInt8>(repeating: 0)
    var cookieCount = 0

    var keyShare: Span<UInt8> { @_lifetime(borrow self) get { keyShareBytes.span.extracting(0..<keyShareCount) } }
    var cookie: Span<UInt8> { @_lifetime(borrow self) get { cookieBytes.span.extracting(0..<cookieCount) } }
    /// The server took the session offered: TLS 1.2, it echoed the session ID sent with it
    /// (RFC 5246 §7.4.1.3, RFC 5077 §3.4); TLS 1.3, it selected our PSK (§4.2.11).
    var resumesSession = false
    /// TLS 1.2: the server's session_id, under which it may resume this session.
    var sessionIDBytes = InlineArray<32, UInt8>(repeating: 0)
    var sessionIDCount = 0
    var sessionID: Span<UInt8> { @_lifetime(borrow self) get { sessionIDBytes.span.extracting(0..<sessionIDCount) } }
    // TLS 1.2.
    /// The server answered session_ticket: a NewSessionTicket comes before its
    /// ChangeCipherSpec (RFC 5077 §3.2).
    var promisesTicket = false
    var extendedMasterSecret = false
    var secureRenegotiation = false
    var maxFragmentLength: MaxFragmentLength?
    var peerRecordLimit: UInt16?
    var applicationProtocol: Range<Int>?

    init(body: Span<UInt8>, configuration: borrowing ClientSettings, offer: borrowing ClientOffer) throws(TLSError) {
        var reader = Reader(body)
        let legacyVersion = try reader.u16()
        let serverRandom = try reader.bytes(32)
        for i in 0..<32 { random[i] = serverRandom[i] }
        let sessionEcho = try reader.vector(lengthBytes: 1)
        guard sessionEcho.count <= 32 else { throw .malformed }
        for i in 0..<sessionEcho.count { sessionIDBytes[i] = sessionEcho[i] }
        sessionIDCount = sessionEcho.count
        let suiteCode = try reader.u16()
        guard try reader.u8() == 0 else { throw .illegalParameter }
        var extensions = Reader(body.extracting(body.count..<body.count))
        if !reader.isAtEnd { extensions = try reader.subReader(lengthBytes: 2) }
        try reader.expectEnd()

        // RFC 8446 §4.2.1: supported_versions decides, whatever the legacy field says; it
        // is looked for first because it changes what every other extension means.
        var selected: UInt16? = nil
        do {
            var scan = extensions
            while !scan.isAtEnd {
                let type = try scan.u16()
                var data = try scan.subReader(lengthBytes: 2)
                if type == ExtensionType.supportedVersions.rawValue {
                    guard selected == nil else { throw .illegalParameter }
                    selected = try data.u16()
                    try data.expectEnd()
                }
            }
        }
        if let selected {
            // A server may select only what was offered, and never below 1.3 this way.
            guard selected == TLSVersion.tls13.rawValue, configuration.offers(.tls13) else { throw .illegalParameter }
            guard legacyVersion == 0x0303 else { throw .illegalParameter }
            version = .tls13
        } else {
            guard legacyVersion == 0x0303, configuration.offers(.tls12) else { throw .protocolVersion }
            // §4.1.3: "DOWNGRD\1" marks a TLS 1.3 server answering with 1.2 a client it
            // believes offered only 1.2 — an attacker's work when this client offered 1.3 —
            // and "DOWNGRD\0" one forced down to ≤ 1.1, which this client never asks for.
            if Self.hasSentinel(serverRandom, last: 0x00) { throw .downgradeDetected }
            if configuration.offers(.tls13), Self.hasSentinel(serverRandom, last: 0x01) { throw .downgradeDetected }
        }

        guard let suite = CipherSuite(rawValue: suiteCode), suite.version == version,
              configuration.offeredSuites.contains(suite) else {
            throw .illegalParameter  // must be one the client offered, of this version
        }
        self.suite = suite

        if version == .tls13 {
            // §4.1.3: the echo of our legacy_session_id, exactly.
            guard constantTimeEquals(sessionEcho, offer.sessionIDSpan) else { throw .illegalParameter }
            isRetryRequest = Self.isRetryRequestRandom(serverRandom)
            // The extensions of §4.2's table for these messages: supported_versions (read
            // already), key_share, pre_shared_key when we offered one, and a
            // HelloRetryRequest's cookie; anything else does not belong here.
            var seen: UInt32 = 0
            while !extensions.isAtEnd {
                let type = try extensions.u16()
                var data = try extensions.subReader(lengthBytes: 2)
                let bit: UInt32
                switch ExtensionType(rawValue: type) {
                case .supportedVersions:
                    bit = 1
                    _ = try data.u16()
                case .keyShare:
                    bit = 2
                    // A group we listed in supported_groups (§4.2.8, checked by the
                    // machine); its share, or for a HelloRetryRequest the bare group.
                    guard let group = NamedGroup(rawValue: try data.u16()) else { throw .illegalParameter }
                    keyShareGroup = group
                    if !isRetryRequest {
                        // A point of the named group (its length is checked with the point).
                        let share = try data.vector(lengthBytes: 2, minimum: 1)
                        guard share.count <= 97 else { throw .invalidPeerKey }
                        for i in 0..<share.count { keyShareBytes[i] = share[i] }
                        keyShareCount = share.count
                    }
                case .preSharedKey where !isRetryRequest && (offer.resumption == .ticket13 || offer.resumption == .externalPSK):
                    bit = 8
                    // §4.2.11: one identity was offered; any other index is illegal_parameter.
                    guard try data.u16() == 0 else { throw .illegalParameter }
                    resumesSession = true
                case .cookie where isRetryRequest:
                    bit = 4
                    let value = try data.vector(lengthBytes: 2, minimum: 1)
                    guard value.count <= ClientOffer.cookieCapacity else {
                        throw .bufferTooSmall(needed: value.count, capacity: ClientOffer.cookieCapacity)
                    }
                    for i in 0..<value.count { cookieBytes[i] = value[i] }
                    cookieCount = value.count
                // Offered, but not permitted here (ClientHello or EncryptedExtensions only):
                // illegal_parameter (§4.2).
                case .serverName, .maxFragmentLength, .supportedGroups, .signatureAlgorithms,
                     .applicationLayerProtocolNegotiation, .recordSizeLimit, .cookie:
                    throw .illegalParameter
                default:
                    // Never offered (pre_shared_key without a PSK, early_data, anything unknown).
                    throw .unsupportedExtension
                }
                guard seen & bit == 0 else { throw .illegalParameter }
                seen |= bit
                try data.expectEnd()
            }
            // The key share goes with the mode (§4.2.9): a full handshake and psk_dhe_ke carry
            // one (§4.2.8, §9.2); psk_ke, the only mode offered then, none.
            if !isRetryRequest {
                var pskOnly = false
                if resumesSession, configuration.resumptionKeyExchange == .pskOnly { pskOnly = true }
                if keyShareGroup == nil, !pskOnly { throw .missingExtension }
                if keyShareGroup != nil, pskOnly { throw .illegalParameter }
            }
        } else {
            // An echo of our id resumes the session sent with it; with none offered, it
            // would announce a resumption never asked for.
            if sessionEcho.count > 0, constantTimeEquals(sessionEcho, offer.sessionIDSpan) {
                guard offer.resumption == .sessionID || offer.resumption == .ticket12 else { throw .illegalParameter }
                resumesSession = true
            }
            try parse12(&extensions, configuration: configuration)
        }
    }

    /// TLS 1.2 ServerHello extensions: only what was asked for (RFC 5246 §7.4.1.4).
    private mutating func parse12(_ extensions: inout Reader, configuration: borrowing ClientSettings) throws(TLSError) {
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
            case .applicationLayerProtocolNegotiation: 32
            case .recordSizeLimit: 64
            case .sessionTicket: 128
            // Anything the client did not offer (RFC 5246 §7.4.1.4): a server never answers
            // supported_groups or signature_algorithms in TLS 1.2, and the TLS 1.3 ones have
            // no place in a 1.2 ServerHello.
            default: throw .unsupportedExtension
            }
            guard seen & bit == 0 else { throw .illegalParameter }
            seen |= bit
            switch known {
            case .serverName:  // acknowledged: empty (RFC 6066 §3)
                guard configuration.sendsServerName else { throw .unsupportedExtension }
            case .maxFragmentLength:
                guard let requested = configuration.maxFragmentLength else { throw .unsupportedExtension }
                // RFC 6066 §4: the server echoes the requested value or the client aborts.
                guard try data.u8() == requested.rawValue else { throw .illegalParameter }
                maxFragmentLength = requested
            case .ecPointFormats:
                guard configuration.offeredSuites.offersECDHE else { throw .unsupportedExtension }
                var formats = try data.subReader(lengthBytes: 1, minimum: 1)
                var uncompressed = false
                while !formats.isAtEnd { if try formats.u8() == 0 { uncompressed = true } }
                guard uncompressed else { throw .illegalParameter }  // RFC 8422 §5.2
            case .extendedMasterSecret:
                extendedMasterSecret = true
            case .applicationLayerProtocolNegotiation:
                guard configuration.applicationProtocols.count > 0 else { throw .unsupportedExtension }
                applicationProtocol = try ApplicationProtocols.selected(&data, offered: configuration.applicationProtocols)
            case .recordSizeLimit:
                guard configuration.recordSizeLimit != nil else { throw .unsupportedExtension }
                peerRecordLimit = try ApplicationProtocols.peerRecordLimit(&data, version: .tls12)
            case .sessionTicket:
                // Asked for by our session_ticket; empty in a ServerHello (RFC 5077 §3.2).
                guard configuration.resumes else { throw .unsupportedExtension }
                promisesTicket = true
            default:
                // renegotiation_info, asked for by the SCSV: renegotiated_connection must be
                // empty (RFC 5746 §3.4).
                guard try data.vector(lengthBytes: 1).count == 0 else { throw .handshakeFailure }
                secureRenegotiation = true
            }
            try data.expectEnd()
        }
        // RFC 8449 §5: a server that takes record_size_limit ignores max_fragment_length.
        if peerRecordLimit != nil, maxFragmentLength != nil { throw .illegalParameter }
    }

    /// "DOWNGRD", the first seven bytes of the last eight of a downgraded server random
    /// (RFC 8446 §4.1.3); the eighth is 01 for TLS 1.2.
    static let downgradeSentinel: InlineArray<7, UInt8> = [0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44]

    /// SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
    static let retryRequestRandom: InlineArray<32, UInt8> = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    private static func hasSentinel(_ random: Span<UInt8>, last: UInt8) -> Bool {
        for i in 0..<7 where random[24 &+ i] != downgradeSentinel[i] { return false }
        return random[31] == last
    }

    private static func isRetryRequestRandom(_ random: Span<UInt8>) -> Bool {
        for i in 0..<32 where random[i] != retryRequestRandom[i] { return false }
        return true
    }
}

extension ServerHello {
    /// A server's ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3), or its
    /// HelloRetryRequest when `random` is `retryRequestRandom`: the session ID (echoed in
    /// TLS 1.3; in TLS 1.2 the resumed session's, a new one or none), the suite, and the extensions that answer the client's. TLS 1.3 puts
    /// supported_versions and key_share here (the group alone in a HelloRetryRequest);
    /// TLS 1.2 the rest, which 1.3 sends in EncryptedExtensions.
    static func write(
        into writer: inout Writer, random: Span<UInt8>, choice: ServerChoice, keyShare: Span<UInt8>,
        settings: borrowing ServerSettings
    ) throws(TLSError) {
        try writer.u8(HandshakeType.serverHello.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u16(0x0303)
        try writer.bytes(random)
        let session = try writer.beginVector(lengthBytes: 1)
        // TLS 1.3 echoes it (§4.1.3); TLS 1.2 echoes the ID of the session it resumes (RFC
        // 5077 §3.4 for a ticket) or sends the new one `Server12` made, or none.
        try writer.bytes(choice.sessionIDSpan)
        try writer.endVector(session)
        try writer.u16(choice.suite.rawValue)
        try writer.u8(0)
        let extensions = try writer.beginVector(lengthBytes: 2)
        if choice.version == .tls13 {
            try writer.u16(ExtensionType.supportedVersions.rawValue)
            try writer.u16(2)
            try writer.u16(TLSVersion.tls13.rawValue)
            if let group = choice.group {
                try writer.u16(ExtensionType.keyShare.rawValue)
                let data = try writer.beginVector(lengthBytes: 2)
                try writer.u16(group.rawValue)
                if keyShare.count > 0 {
                    let exchange = try writer.beginVector(lengthBytes: 2)
                    try writer.bytes(keyShare)
                    try writer.endVector(exchange)
                }
                try writer.endVector(data)
            }
            if choice.resumption != nil {
                // §4.2.11: the first (and only tried) identity.
                try writer.u16(ExtensionType.preSharedKey.rawValue)
                try writer.u16(2)
                try writer.u16(0)
            }
        } else {
            if choice.secureRenegotiation {
                // RFC 5746 §3.6: an empty renegotiated_connection.
                try writer.u16(ExtensionType.renegotiationInfo.rawValue)
                try writer.u16(1)
                try writer.u8(0)
            }
            if choice.extendedMasterSecret {
                try writer.u16(ExtensionType.extendedMasterSecret.rawValue)
                try writer.u16(0)
            }
            let promisesTicket = choice.wantsTickets && choice.extendedMasterSecret
            if promisesTicket, choice.resumption == nil {
                // RFC 5077 §3.2: empty, promising a NewSessionTicket.
                try writer.u16(ExtensionType.sessionTicket.rawValue)
                try writer.u16(0)
            }
            if choice.answersPointFormats, choice.group != nil {
                try writer.u16(ExtensionType.ecPointFormats.rawValue)  // uncompressed (RFC 8422 §5.2)
                try writer.u16(2)
                try writer.u8(1)
                try writer.u8(0)
            }
            try choice.writeAnswers(into: &writer, settings: settings)
        }
        try writer.endVector(extensions)
        try writer.endVector(body)
    }
}
