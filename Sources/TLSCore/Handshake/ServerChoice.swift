/// ② What a server decides from a ClientHello, before it answers: the version (RFC 8446
/// §4.2.1, or legacy_version for a TLS 1.2 client), the suite in our order of preference,
/// the certificate and signature scheme the client's signature_algorithms allow, the
/// group (and whether a HelloRetryRequest must ask for its share, §4.1.4), ALPN (RFC 7301
/// §3.2), the record limits (RFC 6066 §4, RFC 8449 §4), extended_master_secret (RFC 7627)
/// and secure renegotiation (RFC 5746). Plain values only: the ClientHello's bytes are
/// gone once the message is handled.
struct ServerChoice {
    var version: TLSVersion
    var suite: CipherSuite
    /// The ECDHE group (TLS 1.2 ECDHE suites, TLS 1.3); nil for RSA key transport.
    var group: NamedGroup?
    /// TLS 1.3: the client sent no share for `group`: a HelloRetryRequest asks for one.
    var needsRetry = false
    /// Which configured certificate answers.
    var credential = 0
    /// The scheme our signature uses (ServerKeyExchange, CertificateVerify); nil for RSA
    /// key transport, which signs nothing.
    var signature: SignatureAlgorithm?
    /// Where the chosen ALPN protocol lies in our list, length byte first.
    var applicationProtocol: Range<Int>? = nil
    var maxFragmentLength: MaxFragmentLength? = nil
    /// The client's record_size_limit, as the most content we may send in one record;
    /// we answer with our own (RFC 8449 §4).
    var peerRecordLimit: UInt16? = nil
    var extendedMasterSecret = false
    /// The client signalled RFC 5746 (SCSV or an empty renegotiation_info): we answer.
    var secureRenegotiation = false
    /// TLS 1.2: the client sent ec_point_formats, which we answer (RFC 8422 §5.2).
    var answersPointFormats = false
    /// The handshake resumes (a TLS 1.3 ticket or external PSK, a TLS 1.2 ticket).
    var resumption: Session.Kind? = nil
    /// The client sent psk_key_exchange_modes (1.3) or session_ticket (1.2): tickets are of
    /// use to it, and issued when keys are configured.
    var wantsTickets = false
    var clientRandom = InlineArray<32, UInt8>(repeating: 0)
    var sessionID = InlineArray<32, UInt8>(repeating: 0)
    var sessionIDCount = 0

    var sessionIDSpan: Span<UInt8> { @_lifetime(borrow self) get { sessionID.span.extracting(0..<sessionIDCount) } }

    /// Decides, or throws the alert's error: protocol_version when no version is common,
    /// handshake_failure when no suite, group or scheme is, no_application_protocol when
    /// ALPN was offered and none of ours is in it.
    static func negotiate(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings
    ) throws(TLSError) -> ServerChoice {
        let version: TLSVersion
        if hello.hasSupportedVersions {
            // §4.2.1: supported_versions decides; legacy_version is ignored.
            if hello.offersVersion(.tls13), settings.serves(.tls13) {
                version = .tls13
            } else if hello.offersVersion(.tls12), settings.serves(.tls12) {
                version = .tls12
            } else {
                throw .protocolVersion
            }
        } else {
            // A TLS 1.2 client (RFC 5246 §E.1): 3,3 or above; nothing older is spoken here.
            guard hello.legacyVersion >= 0x0303, settings.serves(.tls12) else { throw .protocolVersion }
            version = .tls12
        }
        var choice = ServerChoice(version: version, suite: .aes128GCMSHA256, group: nil, signature: nil)
        for i in 0..<32 { choice.clientRandom[i] = hello.random[i] }
        for i in 0..<hello.sessionID.count { choice.sessionID[i] = hello.sessionID[i] }
        choice.sessionIDCount = hello.sessionID.count
        // With two certificates, the one whose names match server_name is tried first
        // (RFC 6066 §3); otherwise the configured order holds.
        var first = 0
        if settings.credentialCount > 1, hello.serverName.count > 0 {
            let firstNames = try Self.names(settings, 0, hello.serverName)
            if !firstNames, try Self.names(settings, 1, hello.serverName) { first = 1 }
        }
        if version == .tls13 {
            try choice.choose13(hello, settings: settings, first: first)
        } else {
            try choice.choose12(hello, settings: settings, first: first)
        }
        try choice.chooseExtensions(hello, settings: settings)
        choice.wantsTickets = settings.issuesTickets && (version == .tls13 ? hello.pskModes != 0 : hello.hasSessionTicket)
        return choice
    }

    /// TLS 1.3: our first suite the client offers; our first group the client sent a
    /// share for, else our first it supports (a HelloRetryRequest); the first certificate
    /// with a scheme the client accepts (§4.2.3: RSA as PSS, ECDSA on its own curve).
    private mutating func choose13(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings, first: Int
    ) throws(TLSError) {
        // §4.1.2: a TLS 1.3 ClientHello carries exactly the null compression method.
        guard hello.onlyNullCompression else { throw .illegalParameter }
        guard let suite = Self.firstSuite(hello, settings, version: .tls13, keyKind: nil) else { throw .handshakeFailure }
        self.suite = suite
        // §9.2: a certificate-based handshake needs these (no PSK is taken here).
        guard hello.hasSupportedGroups, hello.hasKeyShare, hello.hasSignatureAlgorithms else {
            throw .missingExtension
        }
        for i in 0..<settings.groups.count where hello.keyShare(for: settings.groups[i]) != nil {
            group = settings.groups[i]
            break
        }
        if group == nil {
            for i in 0..<settings.groups.count where hello.offersGroup(settings.groups[i]) {
                group = settings.groups[i]
                needsRetry = true
                break
            }
        }
        guard group != nil else { throw .handshakeFailure }
        for position in 0..<settings.credentialCount {
            let index = (first &+ position) % settings.credentialCount
            let kind = try Self.keyKind(settings, index)
            let candidates: InlineArray<3, UInt16>
            switch kind {
            case .rsa: candidates = [0x0804, 0x0805, 0x0806]
            case .ec(.secp256r1): candidates = [0x0403, 0x0403, 0x0403]
            case .ec(.secp384r1): candidates = [0x0503, 0x0503, 0x0503]
            default: continue
            }
            for j in candidates.indices where hello.offersScheme(candidates[j]) {
                credential = index
                signature = SignatureAlgorithm(tlsSignatureScheme: candidates[j])
                return
            }
        }
        throw .handshakeFailure
    }

    /// TLS 1.2: our first suite the client offers that a certificate of ours can serve:
    /// ECDHE_ECDSA with an EC key, ECDHE_RSA and RSA transport with an RSA key; for ECDHE a
    /// group in common (RFC 8422 §5.1.1: without supported_groups, P-256) and a scheme
    /// the client accepts (RFC 5246 §7.4.1.4.1: without signature_algorithms only SHA-1,
    /// which this core does not sign with).
    private mutating func choose12(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings, first: Int
    ) throws(TLSError) {
        for position in 0..<settings.credentialCount {
            let index = (first &+ position) % settings.credentialCount
            let kind = try Self.keyKind(settings, index)
            var from = 0
            while let suite = Self.firstSuite(hello, settings, version: .tls12, keyKind: kind, from: &from) {
                if suite.keyExchange == .rsa {
                    // RSA key transport decrypts with the key itself: not through a signer.
                    guard settings.key(index).count > 0 else { continue }
                    self.suite = suite
                    credential = index
                    return
                }
                guard let group = Self.commonGroup12(hello, settings) else { continue }
                let candidates: InlineArray<4, UInt16> =
                    kind == .rsa ? [0x0804, 0x0805, 0x0401, 0x0501] : [0x0403, 0x0503, 0x0403, 0x0503]
                for j in candidates.indices where hello.offersScheme(candidates[j]) {
                    self.suite = suite
                    self.group = group
                    credential = index
                    signature = SignatureAlgorithm(tlsSignatureScheme: candidates[j])
                    return
                }
            }
        }
        throw .handshakeFailure
    }

    private static func commonGroup12(_ hello: borrowing ReceivedClientHello, _ settings: borrowing ServerSettings) -> NamedGroup? {
        if !hello.hasSupportedGroups { return settings.groups.contains(.secp256r1) ? .secp256r1 : nil }
        for i in 0..<settings.groups.count where hello.offersGroup(settings.groups[i]) { return settings.groups[i] }
        return nil
    }

    private static func firstSuite(
        _ hello: borrowing ReceivedClientHello, _ settings: borrowing ServerSettings, version: TLSVersion,
        keyKind: SubjectPublicKey.Kind?
    ) -> CipherSuite? {
        var from = 0
        return firstSuite(hello, settings, version: version, keyKind: keyKind, from: &from)
    }

    /// The first suite from position `from` of our preference order that is configured,
    /// offered, of `version` and (TLS 1.2) servable with a key of `keyKind`; `from` moves past it.
    private static func firstSuite(
        _ hello: borrowing ReceivedClientHello, _ settings: borrowing ServerSettings, version: TLSVersion,
        keyKind: SubjectPublicKey.Kind?, from: inout Int
    ) -> CipherSuite? {
        let order = CipherSuite.preferenceOrder
        while from < order.count {
            let suite = order[from]
            from &+= 1
            guard suite.version == version, settings.suites.contains(suite), hello.offersSuite(suite) else { continue }
            switch (suite.keyExchange, keyKind) {
            case (.keyShare, _): return suite
            case (.ecdheECDSA, .ec(_)?): return suite
            case (.ecdheRSA, .rsa?), (.rsa, .rsa?): return suite
            default: continue
            }
        }
        return nil
    }

    /// Whether credential `index`'s leaf has a dNSName matching `serverName` (RFC 6125 §6.4).
    private static func names(_ settings: borrowing ServerSettings, _ index: Int, _ serverName: Span<UInt8>) throws(TLSError) -> Bool {
        var chain = DER(settings.chain(index))
        let leaf = try Certificate(der: try chain.encoded(DER.sequence))
        guard let names = leaf.extensions.subjectAltNames else { return false }
        var reader = DER(names)
        while reader.peekTag() != nil {
            let element = try reader.next()
            if element.tag == DER.context(2, constructed: false),
               Hostname.matches(reference: serverName, pattern: element.contents) { return true }
        }
        return false
    }

    /// The key type of credential `index`'s leaf.
    static func keyKind(_ settings: borrowing ServerSettings, _ index: Int) throws(TLSError) -> SubjectPublicKey.Kind {
        var chain = DER(settings.chain(index))
        let leaf = try Certificate(der: try chain.encoded(DER.sequence))
        return leaf.publicKey.kind
    }

    private mutating func chooseExtensions(
        _ hello: borrowing ReceivedClientHello, settings: borrowing ServerSettings
    ) throws(TLSError) {
        let ours = settings.applicationProtocols
        if hello.applicationProtocols.count > 0, ours.count > 0 {
            // RFC 7301 §3.2: our first protocol the client offers; none: no_application_protocol.
            var offset = 0
            while offset < ours.count, applicationProtocol == nil {
                let end = min(ours.count, offset &+ 1 &+ Int(ours[offset]))
                var names = Reader(hello.applicationProtocols)
                while !names.isAtEnd {
                    guard let name = try? names.vector(lengthBytes: 1) else { break }
                    if name.count == end &- offset &- 1, constantTimeEquals(name, ours.extracting((offset &+ 1)..<end)) {
                        applicationProtocol = offset..<end
                        break
                    }
                }
                offset = end
            }
            guard applicationProtocol != nil else { throw .noApplicationProtocol }
        }
        if let limit = hello.recordSizeLimit {
            // RFC 8449 §5: record_size_limit wins over max_fragment_length.
            let content = version == .tls13 ? limit &- 1 : limit
            peerRecordLimit = min(content, 16384)
        } else if let requested = hello.maxFragmentLength, settings.acceptsMaxFragmentLength {
            maxFragmentLength = requested
        }
        if version == .tls12 {
            extendedMasterSecret = hello.extendedMasterSecret
            if hello.hasRenegotiationInfo {
                // RFC 5746 §3.6: an initial handshake's renegotiated_connection is empty.
                guard hello.renegotiationInfo.count == 0 else { throw .handshakeFailure }
                secureRenegotiation = true
            }
            if hello.renegotiationSCSV { secureRenegotiation = true }
            answersPointFormats = hello.sentPointFormats
        }
    }

    /// The answers to ALPN, max_fragment_length and record_size_limit, as extensions: in
    /// the TLS 1.2 ServerHello or the TLS 1.3 EncryptedExtensions.
    func writeAnswers(into writer: inout Writer, settings: borrowing ServerSettings) throws(TLSError) {
        if let range = applicationProtocol {
            try writer.u16(ExtensionType.applicationLayerProtocolNegotiation.rawValue)
            let data = try writer.beginVector(lengthBytes: 2)
            let list = try writer.beginVector(lengthBytes: 2)
            try writer.bytes(settings.applicationProtocols.extracting(range))
            try writer.endVector(list)
            try writer.endVector(data)
        }
        if let maxFragmentLength {
            try writer.u16(ExtensionType.maxFragmentLength.rawValue)
            try writer.u16(1)
            try writer.u8(maxFragmentLength.rawValue)
        }
        if peerRecordLimit != nil {
            // RFC 8449 §4: ours, counted as the peer counts it (with 1.3's content type).
            try writer.u16(ExtensionType.recordSizeLimit.rawValue)
            try writer.u16(2)
            try writer.u16(UInt16(ownRecordLimit(settings)) &+ (version == .tls13 ? 1 : 0))
        }
    }

    /// The most content a client may send us in one record once this is answered.
    func ownRecordLimit(_ settings: borrowing ServerSettings) -> Int {
        if let maxFragmentLength { return maxFragmentLength.bytes }
        guard peerRecordLimit != nil else { return 16384 }
        return min(settings.maxPlaintext, 16384)
    }

    /// The engine's record limits for `progress` (RFC 6066 §4, RFC 8449 §4).
    func setRecordLimits(_ progress: inout HandshakeProgress, settings: borrowing ServerSettings) {
        progress.recordLimit = UInt16(ownRecordLimit(settings))
        if let peerRecordLimit { progress.sendLimit = peerRecordLimit }
    }
}
