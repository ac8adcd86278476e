/// A client's configuration as an engine keeps it: the values of `ClientConfiguration`,
/// with the caller's memory (names, anchors, CRLs, chain, key) held as buffers. It is made
/// only by `ClientConfiguration`, whose lifetime rules guarantee that memory for engines
/// used in a scope; an engine in storable form (`Engine`) relies on its caller for that.
public struct ClientSettings {
    private let serverNameBytes: UnsafeBufferPointer<UInt8>
    private let serverAddressBytes: UnsafeBufferPointer<UInt8>
    private let chainBytes: UnsafeBufferPointer<UInt8>
    private let keyBytes: UnsafeBufferPointer<UInt8>
    private let alpnBytes: UnsafeBufferPointer<UInt8>
    /// The caller's session region (`Session.capacity` bytes), or nil: no resumption.
    var sessionBytes: UnsafeMutableBufferPointer<UInt8>?
    /// TLS 1.3 external PSK (§4.2.11): its identity and key (SHA-256), or empty.
    var externalPSKIdentityBytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    var externalPSKKeyBytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The server name as an address, when it is an IP literal (else empty).
    private let serverNameAddress: IPAddressLiteral
    /// Anchors, CRLs, time and revocation: the settings a server validating clients shares.
    public let trust: TrustConfiguration
    public let suites: CipherSuites
    /// The versions offered; what is offered of each also needs a suite of it in `suites`.
    public let versions: TLSVersions
    /// The groups offered, the TLS 1.3 key share for the first.
    public let groups: NamedGroups
    /// Where derived secrets go for traffic analysis (nil: nowhere).
    public let keyLog: KeyLog?
    /// TLS 1.3: records sealed under one write key before the engine sends a KeyUpdate.
    /// RFC 8446 §5.5 bounds AES-GCM at 2^24.5 full records per key; 2^23 keeps every suite
    /// (CCM's limits are tighter) well inside. Lower it only to exercise the update.
    public let recordsBeforeKeyUpdate: UInt64
    /// TLS 1.3: our records' inner plaintext is padded with zeros to a multiple of this many
    /// bytes (RFC 8446 §5.4), so that an observer sees lengths only to that granularity; 0
    /// (the default) pads nothing. Costs up to that many bytes per record, on the line and
    /// in the output region.
    public let recordPadding: UInt16
    public let maxFragmentLength: MaxFragmentLength?
    /// record_size_limit to announce (RFC 8449): the largest record plaintext this client
    /// takes, 64…16384; nil announces none.
    public let recordSizeLimit: UInt16?
    public let requireExtendedMasterSecret: Bool
    /// The smallest RSA modulus accepted for the server's key, in bits: it encrypts the
    /// pre-master secret (RSA key transport) or signs the key exchange.
    public let minimumRSAKeyBits: Int
    /// Signs CertificateVerify in place of `clientPrivateKey` (a key in a secure element).
    public internal(set) var signer: Signer? = nil
    /// TLS 1.3 resumption: how the PSK is used (RFC 8446 §4.2.9).
    public internal(set) var resumptionKeyExchange: ResumptionKeyExchange

    /// psk_dhe_ke: a fresh key share with the PSK, so that the resumed connection has forward
    /// secrecy (the default); psk_ke: the PSK alone, which saves the ECDHE work but leaves the
    /// traffic readable to whoever later learns the ticket's key.
    public enum ResumptionKeyExchange: Sendable {
        case withECDHE
        case pskOnly
    }

    init(
        serverName: Span<UInt8>, serverAddress: Span<UInt8>, trust: TrustConfiguration, suites: CipherSuites,
        versions: TLSVersions, groups: NamedGroups, keyLog: KeyLog?, recordsBeforeKeyUpdate: UInt64, recordPadding: UInt16,
        recordSizeLimit: UInt16?, applicationProtocols: Span<UInt8>, maxFragmentLength: MaxFragmentLength?, requireExtendedMasterSecret: Bool, minimumRSAKeyBits: Int,
        clientCertificateChain: Span<UInt8>, clientPrivateKey: Span<UInt8>
    ) {
        sessionBytes = nil
        resumptionKeyExchange = .withECDHE
        serverNameBytes = serverName.withUnsafeBufferPointer { $0 }
        serverAddressBytes = serverAddress.withUnsafeBufferPointer { $0 }
        chainBytes = clientCertificateChain.withUnsafeBufferPointer { $0 }
        keyBytes = clientPrivateKey.withUnsafeBufferPointer { $0 }
        alpnBytes = applicationProtocols.withUnsafeBufferPointer { $0 }
        self.recordSizeLimit = recordSizeLimit.map { min(max($0, 64), 16384) }
        serverNameAddress = IPAddressLiteral(serverName) ?? IPAddressLiteral()
        self.trust = trust
        self.suites = suites
        self.versions = versions
        self.groups = groups
        self.keyLog = keyLog
        self.recordsBeforeKeyUpdate = recordsBeforeKeyUpdate == 0 ? 1 : recordsBeforeKeyUpdate
        self.recordPadding = recordPadding
        self.maxFragmentLength = maxFragmentLength
        self.requireExtendedMasterSecret = requireExtendedMasterSecret
        self.minimumRSAKeyBits = minimumRSAKeyBits
    }

    var serverName: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(serverNameBytes.span, borrowing: self) } }
    var serverAddress: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(serverAddressBytes.span, borrowing: self) } }
    var clientCertificateChain: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(chainBytes.span, borrowing: self) } }
    var clientPrivateKey: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(keyBytes.span, borrowing: self) } }
    /// The ALPN protocols offered, as the extension's ProtocolNameList carries them: each a
    /// 1-byte length and the name (RFC 7301 §3.1). Empty offers none.
    var applicationProtocols: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(alpnBytes.span, borrowing: self) } }

    /// Whether a session region was configured: resumption is asked for.
    var resumes: Bool { sessionBytes != nil }

    /// Whether a TLS 1.3 external PSK is configured (it is offered when no stored session is).
    var hasExternalPSK: Bool { externalPSKIdentityBytes.count > 0 && externalPSKKeyBytes.count > 0 }
    var externalPSKIdentity: Span<UInt8> {
        @_lifetime(borrow self) get { _overrideLifetime(externalPSKIdentityBytes.span, borrowing: self) }
    }
    var externalPSKKey: Span<UInt8> {
        @_lifetime(borrow self) get { _overrideLifetime(externalPSKKeyBytes.span, borrowing: self) }
    }
    /// The suites a ClientHello carries: the configured ones, the TLS 1.2 PSK suites only
    /// with an external PSK to use them with.
    var offeredSuites: CipherSuites {
        #if TLSCORE_PSK_ONLY
        // No certificate suites in a PSK-only build: TLS 1.2 PSK suites and TLS 1.3 (PSK) only.
        let usable = CipherSuites(rawValue: CipherSuites.psk.rawValue | CipherSuites.tls13.rawValue)
        return hasExternalPSK ? suites.intersection(usable) : suites.intersection(.tls13)
        #else
        hasExternalPSK ? suites : CipherSuites(rawValue: suites.rawValue & ~CipherSuites.psk.rawValue)
        #endif
    }

    /// Whether psk_key_exchange_modes goes out: a PSK may be offered or a ticket received.
    var offersPSKModes: Bool { resumes || hasExternalPSK }

    /// The session region's bytes (empty without one).
    var storedSession: Span<UInt8> {
        @_lifetime(borrow self) get {
            guard let sessionBytes else { return _overrideLifetime(Span(), borrowing: self) }
            return _overrideLifetime(UnsafeBufferPointer(sessionBytes).span, borrowing: self)
        }
    }

    /// The session the region holds, if it reads as one (not checked for this server).
    var session: Session? {
        @_lifetime(borrow self) get {
            do throws(Session.Refusal) {
                return try Session(storedSession)
            } catch {
                return nil
            }
        }
    }

    /// Replaces the stored session by one made of `fields` (the region is wiped first).
    func storeSession(_ fields: borrowing Session.Fields, sealed: Bool = true) throws(TLSError) {
        guard let base = sessionBytes else { return }
        var region = base.mutableSpan
        do {
            try Session.store(fields, settings: self, sealed: sealed, into: &region)
        } catch {
            Session.clear(&region)
            throw error
        }
    }

    /// Zeroes the session region unless it holds an intact session: what a failed
    /// handshake left written but not sealed (a TLS 1.2 ticket before the server's Finished).
    func clearUnsealedSession() {
        guard let base = sessionBytes, session == nil else { return }
        var region = base.mutableSpan
        Session.clear(&region)
    }

    /// Zeroes the session region.
    func clearSession() {
        guard let base = sessionBytes else { return }
        var region = base.mutableSpan
        Session.clear(&region)
    }

    /// Seals a session written with `sealed: false` once the handshake that made it is done.
    func sealSession() throws(TLSError) {
        guard let base = sessionBytes else { return }
        var region = base.mutableSpan
        try Session.seal(&region)
    }

    /// Who a session belongs to: the server name, or the address when there is none.
    var sessionServerName: Span<UInt8> {
        @_lifetime(borrow self) get { serverName.count > 0 ? serverName : serverAddress }
    }

    /// Whether server_name goes out: a DNS name was configured. An IP literal never does
    /// (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName").
    var sendsServerName: Bool { serverName.count > 0 && serverNameAddress.count == 0 }

    /// Whether the ClientHello offers `version`: configured, with a suite of it (and for
    /// TLS 1.3 a group for the key share).
    func offers(_ version: TLSVersion) -> Bool {
        versions.contains(version) && !offeredSuites.only(version).isEmpty && (version == .tls12 || !groups.isEmpty)
    }

    /// Who the server's certificate must name: the DNS name; or the address, when the
    /// server name is an IP literal or only `serverAddress` is given, matched against
    /// iPAddress SANs only (RFC 6125 §6.1); or no one.
    var identity: ValidationPolicy.Identity {
        @_lifetime(borrow self) get {
            // The literal's bytes are this value's own: no lifetime needs overriding.
            if serverNameAddress.count > 0 { return .ipAddress(serverNameAddress.span) }
            if serverName.count > 0 { return .dnsName(serverName) }
            if serverAddress.count > 0 { return .ipAddress(serverAddress) }
            return .unspecified
        }
    }

    /// The largest plaintext fragment either side may send once negotiated.
    public var maxPlaintext: Int { min(maxFragmentLength?.bytes ?? 16384, Int(recordSizeLimit ?? 16384)) }

    /// Bytes the input region needs: one whole record of the largest ciphertext this client
    /// accepts (plaintext limit plus 8-byte explicit nonce and 16-byte tag) with its header.
    /// record_size_limit binds protected records only (RFC 8449 §4), and a TLS 1.3 server's
    /// ServerHello or HelloRetryRequest (up to about 400 bytes with a cookie) comes before
    /// any: below 512 the region still takes 512 of plaintext. (In TLS 1.2 the server's whole
    /// first flight is unprotected: max_fragment_length, which binds every record, is the
    /// way to bound it there.)
    public var inputRegionSize: Int {
        let unprotected = recordSizeLimit == nil ? 0 : 512
        return 5 &+ max(maxPlaintext, unprotected) &+ 24
    }

    /// A reassembly region for the usual case. The engine reads every message that arrives
    /// whole in one record where it lies, so this region holds the client's own flight while
    /// it is staged (1 KB; with a client certificate, the chain plus 1 085 bytes) and any
    /// server message that spans records: with max_fragment_length, the server's
    /// Certificate message, for which 4 KB covers chains of two or three certificates. A
    /// server whose messages span records needs the largest of them; a region too small
    /// ends the handshake with `bufferTooSmall` naming the size.
    public var reassemblyRegionSize: Int {
        var staging = 1024
        if clientCertificateChain.count > 0 {
            // The whole flight is staged: Certificate (7 + chain + 3 per certificate, up to
            // 8), ClientKeyExchange (RSA-4096 transport: 4 + 2 + 512), CertificateVerify
            // (4 + 4 + an RSA-4096 signature) and Finished (16).
            staging = max(staging, 7 &+ clientCertificateChain.count &+ 3 &* 8 &+ 518 &+ 520 &+ 16)
        }
        let incoming = maxPlaintext == 16384 ? 0 : 4096
        return max(staging, incoming)
    }

    /// Bytes the output region needs: room for the client's largest flight, which the
    /// engine queues whole, and at least 512 bytes so that application data is not cut into
    /// tiny records. It need not hold a full record: application data is cut into records
    /// that fit the room there is, so a larger region only means fewer, larger records.
    public var outputRegionSize: Int {
        // ClientHello in its record.
        let hello = 5 &+ ClientHello.length(self)
        // [empty Certificate] + ClientKeyExchange in one record, ChangeCipherSpec, Finished
        // (8-byte explicit nonce, 12-byte verify_data with its header, 16-byte tag): the
        // ECDHE public value is at most 97 bytes (P-384); RSA key transport sends the
        // pre-master secret encrypted to the server's key, up to 512 bytes (RSA-4096).
        let rsa = suites.contains(.rsaWithAES128GCMSHA256) || suites.contains(.rsaWithAES256GCMSHA384)
        var keyExchange = rsa ? 4 &+ 2 &+ 512 : 4 &+ 1 &+ 97
        // PSK suites: the identity goes first (RFC 4279 §2, RFC 5489 §2).
        if !offeredSuites.only(.tls12).intersection(.psk).isEmpty {
            keyExchange = max(keyExchange, 4 &+ 2 &+ externalPSKIdentity.count &+ 1 &+ 97)
        }
        var flight = 5 &+ 7 &+ keyExchange &+ 6 &+ 45
        if clientCertificateChain.count > 0 {
            // Our chain (split into records of maxPlaintext) and CertificateVerify (≤ 520).
            let certificate = 7 &+ clientCertificateChain.count &+ 3 &* 8
            flight &+= certificate &+ 520 &+ (certificate / maxPlaintext &+ 2) &* 5
        }
        if recordPadding > 1, offers(.tls13) {
            // TLS 1.3 padding: each protected record of the flight may grow by a block.
            let certificate = clientCertificateChain.count > 0 ? 7 &+ clientCertificateChain.count &+ 5 &* 8 : 0
            let records = clientCertificateChain.count > 0 ? certificate / maxPlaintext &+ 3 : 1
            flight &+= records &* Int(recordPadding)
        }
        return max(512, max(hello, flight))
    }
}
