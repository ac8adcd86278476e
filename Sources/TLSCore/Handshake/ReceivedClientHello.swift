/// ① A client's ClientHello as a server reads it (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2):
/// every field and the extensions the server acts on, as spans of the message, checked
/// for what the RFCs refuse — lengths that do not add up, an extension twice,
/// pre_shared_key anywhere but last, a key share for a group not in supported_groups or
/// twice, compression without null. Unknown extensions are skipped (GREASE, RFC 8701).
/// The server decides from it and keeps only its decisions: the message's bytes do not
/// outlive the call that handles it.
struct ReceivedClientHello: ~Escapable {
    let legacyVersion: UInt16
    let random: Span<UInt8>
    let sessionID: Span<UInt8>
    /// cipher_suites, 2 bytes each.
    let suites: Span<UInt8>
    /// Only the null method (a TLS 1.3 client must send exactly that, §4.1.2).
    let onlyNullCompression: Bool
    var serverName: Span<UInt8>
    var supportedGroups: Span<UInt8>
    var signatureSchemes: Span<UInt8>
    /// The client_shares list (KeyShareEntry each), checked.
    var keyShares: Span<UInt8>
    var supportedVersions: Span<UInt8>
    var applicationProtocols: Span<UInt8>
    var cookie: Span<UInt8>
    var maxFragmentLength: MaxFragmentLength? = nil
    var recordSizeLimit: UInt16? = nil
    var extendedMasterSecret = false
    /// renegotiation_info was present, with this renegotiated_connection (RFC 5746 §3.2).
    var hasRenegotiationInfo = false
    var renegotiationInfo: Span<UInt8>
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV among the suites (RFC 5746 §3.3).
    let renegotiationSCSV: Bool
    var hasSupportedVersions = false
    var hasSupportedGroups = false
    var hasSignatureAlgorithms = false
    var hasKeyShare = false
    var offersEarlyData = false
    /// psk_key_exchange_modes (§4.2.9) as bits: 1 psk_ke, 2 psk_dhe_ke.
    var pskModes: UInt8 = 0
    /// pre_shared_key (§4.2.11): the identities and binders lists, and where the binders
    /// list starts in the body (the binder covers the message before it).
    var pskIdentities: Span<UInt8>
    var pskBinders: Span<UInt8>
    var binderOffset = 0
    var hasPreSharedKey = false
    /// session_ticket (RFC 5077 §3.2): present, with this ticket (empty: asks for one).
    var hasSessionTicket = false
    var sessionTicket: Span<UInt8>
    /// ec_point_formats was sent (RFC 8422 §5.1.2), with uncompressed among them.
    var sentPointFormats = false

    /// Extensions looked at in one ClientHello at most: a bound on the work of the
    /// duplicate check (real clients send about twenty).
    static let extensionLimit = 64

    @_lifetime(copy body)
    init(body: Span<UInt8>) throws(TLSError) {
        let none = body.extracting(0..<0)
        serverName = none
        supportedGroups = none
        signatureSchemes = none
        keyShares = none
        supportedVersions = none
        applicationProtocols = none
        cookie = none
        renegotiationInfo = none
        pskIdentities = none
        pskBinders = none
        sessionTicket = none
        var reader = Reader(body)
        legacyVersion = try reader.u16()
        random = try reader.bytes(32)
        let session = try reader.vector(lengthBytes: 1)
        guard session.count <= 32 else { throw .illegalParameter }
        sessionID = session
        let suites = try reader.vector(lengthBytes: 2, minimum: 2)
        guard suites.count % 2 == 0 else { throw .malformed }
        self.suites = suites
        var scsv = false
        var i = 0
        while i &+ 1 < suites.count {
            if suites[i] == 0x00, suites[i &+ 1] == 0xFF { scsv = true }
            i &+= 2
        }
        renegotiationSCSV = scsv
        let compression = try reader.vector(lengthBytes: 1, minimum: 1)
        var hasNull = false
        for j in 0..<compression.count where compression[j] == 0 { hasNull = true }
        // RFC 5246 §7.4.1.2: null must be among them.
        guard hasNull else { throw .illegalParameter }
        onlyNullCompression = compression.count == 1
        // No extensions at all is a valid (old) TLS 1.2 ClientHello.
        guard !reader.isAtEnd else { return }
        let extensionsStart = reader.offset &+ 2
        var extensions = try reader.subReader(lengthBytes: 2)
        try reader.expectEnd()
        let all = extensions.rest()
        extensions = Reader(all)
        var count = 0
        var sawPreSharedKey = false
        while !extensions.isAtEnd {
            // §4.2.11: pre_shared_key must be the last extension.
            guard !sawPreSharedKey else { throw .illegalParameter }
            let start = extensions.offset
            let type = try extensions.u16()
            var data = try extensions.subReader(lengthBytes: 2)
            count &+= 1
            guard count <= Self.extensionLimit else { throw .malformed }
            // RFC 5246 §7.4.1.4, RFC 8446 §4.2: no extension type twice.
            try Self.checkNotSeen(type, in: all.extracting(0..<start))
            switch ExtensionType(rawValue: type) {
            case .serverName:
                // RFC 6066 §3: a list with one host_name (0) entry.
                var list = try data.subReader(lengthBytes: 2, minimum: 1)
                while !list.isAtEnd {
                    let nameType = try list.u8()
                    let name = try list.vector(lengthBytes: 2, minimum: 1)
                    if nameType == 0 {
                        guard serverName.count == 0 else { throw .illegalParameter }
                        serverName = name
                    }
                }
            case .supportedGroups:
                let list = try data.vector(lengthBytes: 2, minimum: 2)
                guard list.count % 2 == 0 else { throw .malformed }
                supportedGroups = list
                hasSupportedGroups = true
            case .signatureAlgorithms:
                let list = try data.vector(lengthBytes: 2, minimum: 2)
                guard list.count % 2 == 0 else { throw .malformed }
                signatureSchemes = list
                hasSignatureAlgorithms = true
            case .keyShare:
                keyShares = try data.vector(lengthBytes: 2)
                hasKeyShare = true
            case .supportedVersions:
                let list = try data.vector(lengthBytes: 1, minimum: 2)
                guard list.count % 2 == 0 else { throw .malformed }
                supportedVersions = list
                hasSupportedVersions = true
            case .applicationLayerProtocolNegotiation:
                // RFC 7301 §3.1: a non-empty list of non-empty names.
                let list = try data.vector(lengthBytes: 2, minimum: 2)
                var names = Reader(list)
                while !names.isAtEnd { _ = try names.vector(lengthBytes: 1, minimum: 1) }
                applicationProtocols = list
            case .cookie:
                cookie = try data.vector(lengthBytes: 2, minimum: 1)
            case .maxFragmentLength:
                // RFC 6066 §4: an unknown value is an illegal_parameter.
                guard let value = MaxFragmentLength(rawValue: try data.u8()) else { throw .illegalParameter }
                maxFragmentLength = value
            case .recordSizeLimit:
                let limit = try data.u16()
                // RFC 8449 §4: below 64 is an illegal_parameter.
                guard limit >= 64 else { throw .illegalParameter }
                recordSizeLimit = limit
            case .extendedMasterSecret:
                extendedMasterSecret = true
            case .renegotiationInfo:
                renegotiationInfo = try data.vector(lengthBytes: 1)
                hasRenegotiationInfo = true
            case .preSharedKey:
                sawPreSharedKey = true
                pskIdentities = try data.vector(lengthBytes: 2, minimum: 7)
                // The binders list starts here: extension data start + the identities vector.
                binderOffset = extensionsStart &+ start &+ 4 &+ 2 &+ pskIdentities.count
                pskBinders = try data.vector(lengthBytes: 2, minimum: 33)
                hasPreSharedKey = true
            case .pskKeyExchangeModes:
                let modes = try data.vector(lengthBytes: 1, minimum: 1)
                for j in 0..<modes.count where modes[j] <= 1 { pskModes |= modes[j] == 0 ? 1 : 2 }
            case .sessionTicket:
                hasSessionTicket = true
                sessionTicket = data.rest()
            case .earlyData:
                offersEarlyData = true
            case .ecPointFormats:
                // RFC 8422 §5.1.2: uncompressed (0) must be among them.
                let formats = try data.vector(lengthBytes: 1, minimum: 1)
                var uncompressed = false
                for j in 0..<formats.count where formats[j] == 0 { uncompressed = true }
                guard uncompressed else { throw .illegalParameter }
                sentPointFormats = true
            default:
                // Read, not interpreted:
                // status_request, padding, GREASE and the rest.
                _ = data.rest()
            }
            try data.expectEnd()
        }
        try checkKeyShares()
    }

    /// §4.2.8: each entry's group at most once and among supported_groups; entries well formed.
    private func checkKeyShares() throws(TLSError) {
        var entries = Reader(keyShares)
        var seen = 0
        var count = 0
        while !entries.isAtEnd {
            let group = try entries.u16()
            _ = try entries.vector(lengthBytes: 2, minimum: 1)
            count &+= 1
            guard count <= 16 else { throw .malformed }
            guard Self.contains(supportedGroups, group) else { throw .illegalParameter }
            if let known = NamedGroup(rawValue: group) {
                let bit = known == .x25519 ? 1 : known == .secp256r1 ? 2 : 4
                guard seen & bit == 0 else { throw .illegalParameter }
                seen |= bit
            }
        }
    }

    /// The key share the client sent for `group`, if it sent one.
    @_lifetime(copy self)
    func keyShare(for group: NamedGroup) -> Span<UInt8>? {
        var entries = Reader(keyShares)
        while !entries.isAtEnd {
            guard let code = try? entries.u16(), let share = try? entries.vector(lengthBytes: 2) else { return nil }
            if code == group.rawValue { return share }
        }
        return nil
    }

    func offersSuite(_ suite: CipherSuite) -> Bool { Self.contains(suites, suite.rawValue) }
    func offersGroup(_ group: NamedGroup) -> Bool { Self.contains(supportedGroups, group.rawValue) }
    func offersScheme(_ scheme: UInt16) -> Bool { Self.contains(signatureSchemes, scheme) }
    func offersVersion(_ version: TLSVersion) -> Bool { Self.contains(supportedVersions, version.rawValue) }

    /// Whether a list of 2-byte code points holds `value`.
    static func contains(_ list: Span<UInt8>, _ value: UInt16) -> Bool {
        var i = 0
        while i &+ 1 < list.count {
            if UInt16(list[i]) &<< 8 | UInt16(list[i &+ 1]) == value { return true }
            i &+= 2
        }
        return false
    }

    /// Throws if an extension of `type` is among the extensions in `before`.
    private static func checkNotSeen(_ type: UInt16, in before: Span<UInt8>) throws(TLSError) {
        var reader = Reader(before)
        while !reader.isAtEnd {
            guard try reader.u16() != type else { throw .illegalParameter }
            _ = try reader.vector(lengthBytes: 2)
        }
    }
}
