/// What a server connection is set up with: its certificate chain and key, and for ⑥ the
/// client CAs, CRLs and how strictly a client certificate is asked for. Everything it
/// refers to is the caller's memory, borrowed for the engine's lifetime (non-escapable,
/// as `ClientConfiguration`); the engine keeps the same values as `ServerSettings`.
public struct ServerConfiguration: ~Escapable {
    public let settings: ServerSettings

    /// `certificateChain` is concatenated DER, leaf first; `privateKey` the leaf's key (DER:
    /// PKCS#8, SEC1 or PKCS#1). `clientTrustAnchors` and `crls` (concatenated DER) are what
    /// a client certificate is validated against, for clientAuth, at `time`.
    @_lifetime(copy certificateChain, copy privateKey, copy clientTrustAnchors, copy crls, copy applicationProtocols)
    public init(
        certificateChain: Span<UInt8>, privateKey: Span<UInt8>,
        clientAuthentication: ServerSettings.ClientAuthentication = .none,
        clientTrustAnchors: Span<UInt8> = Span(), crls: Span<UInt8> = Span(), time: Int64,
        suites: CipherSuites = .defaults, versions: TLSVersions = .all, groups: NamedGroups = .defaults,
        applicationProtocols: Span<UInt8> = Span(), recordSizeLimit: Int? = nil,
        acceptsMaxFragmentLength: Bool = true, revocation: ValidationPolicy.Revocation = .checkAvailable,
        profile: ValidationPolicy.Profile = .rfc5280, signatureBudget: Int = PathValidator.defaultSignatureBudget,
        minimumRSAKeyBits: Int = 2048, keyLog: KeyLog? = nil, recordsBeforeKeyUpdate: UInt64 = 8_388_608
    ) {
        settings = ServerSettings(
            chain: certificateChain, key: privateKey, clientAuthentication: clientAuthentication,
            trust: TrustConfiguration(
                trustAnchors: clientTrustAnchors, crls: crls, time: time, revocation: revocation, profile: profile,
                signatureBudget: signatureBudget),
            suites: suites, versions: versions, groups: groups, keyLog: keyLog,
            recordSizeLimit: recordSizeLimit.map { UInt16(clamping: $0) }, recordsBeforeKeyUpdate: recordsBeforeKeyUpdate,
            acceptsMaxFragmentLength: acceptsMaxFragmentLength, minimumRSAKeyBits: minimumRSAKeyBits,
            applicationProtocols: applicationProtocols)
    }

    @_lifetime(immortal)
    private init(settings: ServerSettings) {
        self.settings = settings
    }

    /// This configuration with a second certificate and key (an RSA one beside an ECDSA
    /// one, say): each handshake uses the first that the client's signature_algorithms and
    /// the suite allow.
    @_lifetime(copy self, copy chain, copy key)
    public consuming func withSecondCertificate(chain: Span<UInt8>, key: Span<UInt8>) -> ServerConfiguration {
        var next = settings
        next.chainBytes.1 = chain.withUnsafeBufferPointer { $0 }
        next.keyBytes.1 = key.withUnsafeBufferPointer { $0 }
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    /// This configuration keeping the verified client certificate: once ⑥ passes, the
    /// leaf's DER is copied into `region` (its length is `verifiedPeerCertificateLength`
    /// on the engine), for the application to read the subject and SANs from. A leaf longer
    /// than the region is refused (bufferTooSmall), not cut.
    @_lifetime(copy self, copy region)
    public consuming func keepingClientCertificate(in region: consuming MutableSpan<UInt8>) -> ServerConfiguration {
        var bytes = region
        var next = settings
        next.clientCertificateRegion = bytes.withUnsafeMutableBufferPointer { $0 }
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    /// This configuration with our signatures (ServerKeyExchange, CertificateVerify) made
    /// by `signer` (a key in a secure element): the private keys may then be empty.
    @_lifetime(copy self)
    public consuming func signing(with signer: Signer) -> ServerConfiguration {
        var next = settings
        next.signer = signer
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    /// This configuration issuing and taking session tickets (TLS 1.2 RFC 5077, TLS 1.3
    /// NewSessionTicket): sealed under `key` (36 bytes: a 4-byte name, then an AES-256
    /// key), also opened under `previous` while a rotated-out key's tickets live, good for
    /// `lifetime` seconds. A resumed handshake skips certificates on both sides; the
    /// client certificate verified in the full handshake is not carried in the ticket.
    @_lifetime(copy self, copy key, copy previous)
    public consuming func issuingTickets(key: Span<UInt8>, previous: Span<UInt8> = Span(), lifetime: UInt32 = 7200) -> ServerConfiguration {
        var next = settings
        next.ticketKeys = (key.withUnsafeBufferPointer { $0 }, previous.withUnsafeBufferPointer { $0 })
        next.ticketLifetime = min(lifetime, 604_800)
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    /// This configuration keeping TLS 1.2 sessions by ID in `region` (`SessionCache`:
    /// `region.count / SessionCache.entryLength` sessions), each resumable for `lifetime`
    /// seconds: for clients that resume by session ID rather than by ticket. Engines
    /// sharing a region must be driven from one thread.
    @_lifetime(copy self, copy region)
    public consuming func cachingSessions(in region: consuming MutableSpan<UInt8>, lifetime: UInt32 = 7200) -> ServerConfiguration {
        var bytes = region
        var next = settings
        next.sessionCache = SessionCache(region: bytes.withUnsafeMutableBufferPointer { $0 }, lifetime: min(lifetime, 604_800))
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    /// This configuration accepting a TLS 1.3 external PSK (RFC 8446 §4.2.11, SHA-256
    /// suites): a client naming `identity` and proving `key` by its binder is served with
    /// no certificate exchange.
    @_lifetime(copy self, copy identity, copy key)
    public consuming func withExternalPSK(identity: Span<UInt8>, key: Span<UInt8>) -> ServerConfiguration {
        var next = settings
        next.externalPSKBytes = (identity.withUnsafeBufferPointer { $0 }, key.withUnsafeBufferPointer { $0 })
        return _overrideLifetime(ServerConfiguration(settings: next), copying: self)
    }

    public var inputRegionSize: Int { settings.inputRegionSize }
    public var outputRegionSize: Int { settings.outputRegionSize }
    public var reassemblyRegionSize: Int { settings.reassemblyRegionSize }
}
