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

    /// What a ClientHello carries to resume a session, or to be given one.
    struct Resumption: ~Escapable {
        /// TLS 1.2: send session_ticket (RFC 5077 §3.2) with `ticket12`: empty asks for one.
        let asksTicket12: Bool
        let ticket12: Span<UInt8>
        /// TLS 1.3: the PSK identity (a ticket) for pre_shared_key (§4.2.11), empty for none,
        /// its obfuscated age and the binder's length (the suite hash's).
        let pskIdentity: Span<UInt8>
        let obfuscatedTicketAge: UInt32
        let binderLength: Int

        @_lifetime(copy ticket12, copy pskIdentity)
        init(
            asksTicket12: Bool, ticket12: Span<UInt8> = Span(), pskIdentity: Span<UInt8> = Span(),
            obfuscatedTicketAge: UInt32 = 0, binderLength: Int = 0
        ) {
            self.asksTicket12 = asksTicket12
            self.ticket12 = ticket12
            self.pskIdentity = pskIdentity
            self.obfuscatedTicketAge = obfuscatedTicketAge
            self.binderLength = binderLength
        }
    }

    /// Writes the whole message (header included). `keyShare` is the key share's public
    /// value (TLS 1.3 offered), `cookie` a HelloRetryRequest's cookie to echo. With a PSK,
    /// the binder goes out as zeros and its offset in the message is returned: the binder
    /// covers the message up to there (§4.2.11.2), so it is computed and written after.
    @discardableResult
    static func write(
        into writer: inout Writer, random: Span<UInt8>, sessionID: Span<UInt8>, keyShare: Span<UInt8>,
        keyShareGroup: NamedGroup?, cookie: Span<UInt8>, resumption: borrowing Resumption,
        configuration: borrowing ClientSettings
    ) throws(TLSError) -> Int? {
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
            if configuration.offeredSuites.contains(suite), configuration.versions.contains(suite.version) {
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
        let offersECDHE = configuration.offeredSuites.offersECDHE
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
        if offers12 && resumption.asksTicket12 {
            try writer.u16(ExtensionType.sessionTicket.rawValue)
            let ticket = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(resumption.ticket12)
            try writer.endVector(ticket)
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
        var binderOffset: Int? = nil
        if offers13, configuration.offersPSKModes {
            // psk_key_exchange_modes (§4.2.9): needed for the server to issue tickets at all.
            try writer.u16(ExtensionType.pskKeyExchangeModes.rawValue)
            try writer.u16(2)
            try writer.u8(1)
            try writer.u8(configuration.resumptionKeyExchange == .withECDHE ? 1 : 0)  // psk_dhe_ke / psk_ke
            if resumption.pskIdentity.count > 0 {
                // pre_shared_key (§4.2.11), last of all: one identity and its binder.
                try writer.u16(ExtensionType.preSharedKey.rawValue)
                let data = try writer.beginVector(lengthBytes: 2)
                let identities = try writer.beginVector(lengthBytes: 2)
                let identity = try writer.beginVector(lengthBytes: 2)
                try writer.bytes(resumption.pskIdentity)
                try writer.endVector(identity)
                try writer.u32(resumption.obfuscatedTicketAge)
                try writer.endVector(identities)
                binderOffset = writer.count
                let binders = try writer.beginVector(lengthBytes: 2)
                let binder = try writer.beginVector(lengthBytes: 1)
                try writer.zeros(resumption.binderLength)
                try writer.endVector(binder)
                try writer.endVector(binders)
                try writer.endVector(data)
            }
        }
        try writer.endVector(extensions)
        try writer.endVector(body)
        return binderOffset
    }

    /// The longest ClientHello `configuration` can make, header included — a second one
    /// after a HelloRetryRequest carries the largest key share and a cookie — counted by the
    /// code that writes it: it sizes the output region.
    static func length(_ configuration: borrowing ClientSettings) -> Int {
        let zeros = InlineArray<1024, UInt8>(repeating: 0)
        let offers13 = configuration.offers(.tls13)
        let resumes = configuration.resumes
        var longest = 0
        // A stored session is of one version: its ticket goes in one extension or the other.
        // The longest identity offered: a stored ticket, or the external PSK's.
        let identityLength = max(resumes ? Session.ticketCapacity : 0, configuration.externalPSKIdentity.count)
        let ticket = zeros.span.extracting(0..<min(identityLength, 1024))
        for version in 0..<(identityLength > 0 ? 2 : 1) {
            let resumption = Resumption(
                asksTicket12: resumes, ticket12: version == 0 && resumes ? ticket : Span(),
                pskIdentity: version == 1 ? ticket : Span(), binderLength: version == 1 ? 48 : 0)
            var writer = Writer(counting: ())
            // A counting writer has room for anything; only a server name over 64 KB fails,
            // and the count so far is as good an answer as any for that.
            _ = try? write(
                into: &writer, random: zeros.span.extracting(0..<32),
                sessionID: zeros.span.extracting(0..<(offers13 || resumes ? 32 : 0)),
                keyShare: zeros.span.extracting(0..<NamedGroup.secp384r1.publicKeyLength),
                keyShareGroup: offers13 ? .secp384r1 : nil,
                cookie: zeros.span.extracting(0..<(offers13 ? ClientOffer.cookieCapacity : 0)),
                resumption: resumption, configuration: configuration)
            longest = max(longest, writer.count)
        }
        return longest
    }

    static func offers(_ scheme: UInt16) -> Bool {
        for i in signatureSchemes.indices where signatureSchemes[i] == scheme { return true }
        return false
    }
}
