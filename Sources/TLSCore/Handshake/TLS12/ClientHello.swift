/// ① ClientHello (RFC 5246 §7.4.1.2): TLS 1.2, the client random, the configured suites,
/// and the extensions this client understands.
enum ClientHello {
    /// The signature schemes offered (RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3), strongest
    /// practical first; they also bound what certificate signatures are acceptable.
    static let signatureSchemes: InlineArray<9, UInt16> = [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
    ]

    /// The groups offered in supported_groups (RFC 8422 §5.1.1), most preferred first.
    static let groups: InlineArray<3, NamedGroup> = [.x25519, .secp256r1, .secp384r1]

    /// Writes the whole message (header included) and returns its length.
    static func write(
        into writer: inout Writer, random: Span<UInt8>, configuration: borrowing ClientSettings
    ) throws(TLSError) {
        try writer.u8(HandshakeType.clientHello.rawValue)
        let body = try writer.beginVector(lengthBytes: 3)
        try writer.u16(0x0303)
        try writer.bytes(random)
        try writer.u8(0)  // no session id: this client does not resume (yet)

        let suites = try writer.beginVector(lengthBytes: 2)
        for i in CipherSuite.preferenceOrder.indices {
            let suite = CipherSuite.preferenceOrder[i]
            if configuration.suites.contains(suite) { try writer.u16(suite.rawValue) }
        }
        // TLS_EMPTY_RENEGOTIATION_INFO_SCSV: the initial-handshake signal of RFC 5746 §3.4,
        // 2 bytes where the empty renegotiation_info extension would take 5.
        try writer.u16(0x00FF)
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
        if configuration.suites.offersECDHE {
            try writer.u16(ExtensionType.supportedGroups.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            for i in groups.indices { try writer.u16(groups[i].rawValue) }
            try writer.endVector(list)
            try writer.endVector(data)
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
        try writer.u16(ExtensionType.extendedMasterSecret.rawValue)
        try writer.u16(0)
        try writer.endVector(extensions)
        try writer.endVector(body)
    }

    /// The length `write` produces for `configuration`, header included, counted by the
    /// same code that writes it: it sizes the output region.
    static func length(_ configuration: borrowing ClientSettings) -> Int {
        var writer = Writer(counting: ())
        let random = InlineArray<32, UInt8>(repeating: 0)
        // A counting writer has room for anything; only a server name over 64 KB fails,
        // and the count so far is as good an answer as any for that.
        try? write(into: &writer, random: random.span, configuration: configuration)
        return writer.count
    }

    static func offers(_ scheme: UInt16) -> Bool {
        for i in signatureSchemes.indices where signatureSchemes[i] == scheme { return true }
        return false
    }
}
