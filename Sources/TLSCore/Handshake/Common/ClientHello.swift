/// ① ClientHello (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2): legacy_version 1.2, the client
/// random, the configured suites of the offered versions, and the extensions this client
/// understands. Offering TLS 1.3 adds supported_versions, a key share for the first
/// configured group and a 32-byte legacy_session_id (middlebox compatibility, §D.4);
/// offering 1.2 adds what only 1.2 uses (the renegotiation SCSV, ec_point_formats,
/// extended_master_secret).
enum ClientHello {
    /// The signature schemes offered (RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3), strongest
    /// practical first; they also bound what certificate signatures are acceptable. In TLS
    /// 1.3 the rsa_pkcs1 ones count for certificates only (§4.2.3), which is what a chain of
    /// RSA certificates needs.
    static let signatureSchemes: InlineArray<9, UInt16> = [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
    ]

    /// Writes the whole message (header included). `keyShare` is the key share's public
    /// value (TLS 1.3 offered), `cookie` a HelloRetryRequest's cookie to echo.
    static func write(
        into writer: inout Writer, random: Span<UInt8>, sessionID: Span<UInt8>, keyShare: Span<UInt8>,
        keyShareGroup: NamedGroup?, cookie: Span<UInt8>, configuration: borrowing ClientSettings
    ) throws(TLSError) {
        let offers12 = configuration.offers(.tls12)
        let offers13 = configuration.offers(.tls13)
        try writer.u8(HandshakeType.clientHello.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u16(0x0303)  // legacy_version (RFC 8446 §4.1.2)
        try writer.bytes(random)
        let session = try writer.beginVector(lengthBytes: 1)
        try writer.bytes(sessionID)
        try writer.endVector(session)

        let suites = try writer.beginVector(lengthBytes: 2)
        for i in CipherSuite.preferenceOrder.indices {
            let suite = CipherSuite.preferenceOrder[i]
            if configuration.suites.contains(suite), configuration.versions.contains(suite.version) {
                try writer.u16(suite.rawValue)
            }
        }
        if offers12 {
            // TLS_EMPTY_RENEGOTIATION_INFO_SCSV: the initial-handshake signal of RFC 5746
            // §3.4, 2 bytes where the empty renegotiation_info extension would take 5.
            try writer.u16(0x00FF)
        }
        try writer.endVector(suites)
        try writer.u8(1)  // compression_methods: null only
        try writer.u8(0)

        let extensions = try writer.beginVector(lengthBytes: 2)
        if configuration.sendsServerName {
            // server_name (RFC 6066 §3): one host_name entry.
            try writer.u16(ExtensionType.serverName.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            try writer.u8(0)
            let name = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(configuration.serverName)
            try writer.endVector(name)
            try writer.endVector(list)
            try writer.endVector(data)
        }
        if let maxFragmentLength = configuration.maxFragmentLength {
            try writer.u16(ExtensionType.maxFragmentLength.rawValue)
            try writer.u16(1)
            try writer.u8(maxFragmentLength.rawValue)
        }
        let offersECDHE = configuration.suites.offersECDHE
        let ecdhe12 = offers12 && offersECDHE
        if ecdhe12 || offers13 {
            try writer.u16(ExtensionType.supportedGroups.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            let groups = configuration.groups
            for i in 0..<groups.count { try writer.u16(groups[i].rawValue) }
            try writer.endVector(list)
            try writer.endVector(data)
        }
        if ecdhe12 {
            try writer.u16(ExtensionType.ecPointFormats.rawValue)  // uncompressed only (RFC 8422 §5.1.2)
            try writer.u16(2)
            try writer.u8(1)
            try writer.u8(0)
        }
        try writer.u16(ExtensionType.signatureAlgorithms.rawValue)
        let data = try writer.beginVector(lengthBytes: 2)
        let list = try writer.beginVector(lengthBytes: 2)
        for i in signatureSchemes.indices { try writer.u16(signatureSchemes[i]) }
        try writer.endVector(list)
        try writer.endVector(data)
        if offers12 {
            try writer.u16(ExtensionType.extendedMasterSecret.rawValue)
            try writer.u16(0)
        }
        let protocols = configuration.applicationProtocols
        if protocols.count > 0 {
            // application_layer_protocol_negotiation (RFC 7301 §3.1): the configured list.
            try writer.u16(ExtensionType.applicationLayerProtocolNegotiation.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(protocols)
            try writer.endVector(list)
            try writer.endVector(data)
        }
        if let limit = configuration.recordSizeLimit {
            // record_size_limit (RFC 8449 §4): the same value for either version, so that
            // the input region holds what a 1.2 server sends; in 1.3 it counts the inner
            // content type, so content there is one byte less.
            try writer.u16(ExtensionType.recordSizeLimit.rawValue)
            try writer.u16(2)
            try writer.u16(limit)
        }
        if offers13, let keyShareGroup {
            try writer.u16(ExtensionType.supportedVersions.rawValue)
            let versions = try writer.beginVector(lengthBytes: 2)
            let versionList = try writer.beginVector(lengthBytes: 1)
            try writer.u16(TLSVersion.tls13.rawValue)
            if offers12 { try writer.u16(TLSVersion.tls12.rawValue) }
            try writer.endVector(versionList)
            try writer.endVector(versions)
            if cookie.count > 0 {
                try writer.u16(ExtensionType.cookie.rawValue)
                let cookieData = try writer.beginVector(lengthBytes: 2)
                let cookieVector = try writer.beginVector(lengthBytes: 2)
                try writer.bytes(cookie)
                try writer.endVector(cookieVector)
                try writer.endVector(cookieData)
            }
            // key_share (RFC 8446 §4.2.8): one KeyShareEntry, for the first group.
            try writer.u16(ExtensionType.keyShare.rawValue)
            let shareData = try writer.beginVector(lengthBytes: 2)
            let shares = try writer.beginVector(lengthBytes: 2)
            try writer.u16(keyShareGroup.rawValue)
            let exchange = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(keyShare)
            try writer.endVector(exchange)
            try writer.endVector(shares)
            try writer.endVector(shareData)
        }
        try writer.endVector(extensions)
        try writer.endVector(body)
    }

    /// The longest ClientHello `configuration` can make, header included — a second one
    /// after a HelloRetryRequest carries the largest key share and a cookie — counted by the
    /// code that writes it: it sizes the output region.
    static func length(_ configuration: borrowing ClientSettings) -> Int {
        var writer = Writer(counting: ())
        let zeros = InlineArray<256, UInt8>(repeating: 0)
        let offers13 = configuration.offers(.tls13)
        // A counting writer has room for anything; only a server name over 64 KB fails,
        // and the count so far is as good an answer as any for that.
        try? write(
            into: &writer, random: zeros.span.extracting(0..<32), sessionID: zeros.span.extracting(0..<(offers13 ? 32 : 0)),
            keyShare: zeros.span.extracting(0..<NamedGroup.secp384r1.publicKeyLength),
            keyShareGroup: offers13 ? .secp384r1 : nil,
            cookie: zeros.span.extracting(0..<(offers13 ? ClientOffer.cookieCapacity : 0)),
            configuration: configuration)
        return writer.count
    }

    static func offers(_ scheme: UInt16) -> Bool {
        for i in signatureSchemes.indices where signatureSchemes[i] == scheme { return true }
        return false
    }
}
