/// What a client connection is set up with. Everything it refers to is the caller's memory
/// (anchors, CRLs, the server name, the client's chain and key), borrowed for the engine's
/// lifetime, so it is non-escapable; nothing here is copied or allocated. The engine keeps
/// the same values as `ClientSettings`.
public struct ClientConfiguration: ~Escapable {
    /// The values, with the caller's memory held as buffers: what an engine stores.
    public let settings: ClientSettings

    @_lifetime(copy serverName, copy serverAddress, copy trustAnchors, copy crls, copy applicationProtocols)
    public init(
        serverName: Span<UInt8>, serverAddress: Span<UInt8>, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        time: Int64, suites: CipherSuites = .defaults, versions: TLSVersions = .all,
        groups: NamedGroups = .defaults, keyLog: KeyLog? = nil, recordsBeforeKeyUpdate: UInt64 = 8_388_608,
        recordPadding: Int = 0, recordSizeLimit: Int? = nil, applicationProtocols: Span<UInt8> = Span(), maxFragmentLength: MaxFragmentLength? = nil,
        revocation: ValidationPolicy.Revocation = .checkAvailable, requireExtendedMasterSecret: Bool = false,
        minimumRSAKeyBits: Int = 2048, profile: ValidationPolicy.Profile = .rfc5280,
        signatureBudget: Int = PathValidator.defaultSignatureBudget
    ) {
        self.init(
            serverName: serverName, serverAddress: serverAddress, trustAnchors: trustAnchors, crls: crls, time: time,
            suites: suites, versions: versions, groups: groups, keyLog: keyLog, recordsBeforeKeyUpdate: recordsBeforeKeyUpdate,
            recordPadding: recordPadding, recordSizeLimit: recordSizeLimit, applicationProtocols: applicationProtocols,
            maxFragmentLength: maxFragmentLength, revocation: revocation,
            requireExtendedMasterSecret: requireExtendedMasterSecret, minimumRSAKeyBits: minimumRSAKeyBits,
            profile: profile, signatureBudget: signatureBudget, clientCertificateChain: Span(), clientPrivateKey: Span())
    }

    /// A configuration with a client certificate chain and its private key.
    @_lifetime(copy serverName, copy serverAddress, copy trustAnchors, copy crls, copy applicationProtocols, copy clientCertificateChain, copy clientPrivateKey)
    public init(
        serverName: Span<UInt8>, serverAddress: Span<UInt8>, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        time: Int64, suites: CipherSuites = .defaults, versions: TLSVersions = .all,
        groups: NamedGroups = .defaults, keyLog: KeyLog? = nil, recordsBeforeKeyUpdate: UInt64 = 8_388_608,
        recordPadding: Int = 0, recordSizeLimit: Int? = nil, applicationProtocols: Span<UInt8> = Span(), maxFragmentLength: MaxFragmentLength? = nil,
        revocation: ValidationPolicy.Revocation = .checkAvailable, requireExtendedMasterSecret: Bool = false,
        minimumRSAKeyBits: Int = 2048, profile: ValidationPolicy.Profile = .rfc5280,
        signatureBudget: Int = PathValidator.defaultSignatureBudget,
        clientCertificateChain: Span<UInt8>, clientPrivateKey: Span<UInt8>
    ) {
        settings = ClientSettings(
            serverName: serverName, serverAddress: serverAddress,
            trust: TrustConfiguration(
                trustAnchors: trustAnchors, crls: crls, time: time, revocation: revocation, profile: profile,
                signatureBudget: signatureBudget),
            suites: suites, versions: versions, groups: groups, keyLog: keyLog, recordsBeforeKeyUpdate: recordsBeforeKeyUpdate,
            recordPadding: UInt16(clamping: max(0, recordPadding)), recordSizeLimit: recordSizeLimit.map { UInt16(clamping: $0) }, applicationProtocols: applicationProtocols,
            maxFragmentLength: maxFragmentLength,
            requireExtendedMasterSecret: requireExtendedMasterSecret, minimumRSAKeyBits: minimumRSAKeyBits,
            clientCertificateChain: clientCertificateChain, clientPrivateKey: clientPrivateKey)
    }

    /// This configuration with resumption: `session` is the caller's session region
    /// (`Session.capacity` bytes, zeroed the first time), which the engine reads to offer
    /// the session it holds (when it is for this server and trust setup and unexpired) and
    /// rewrites whenever the server gives a new one. The region is what a device keeps in
    /// flash between connections; it holds the session's secret in clear.
    @_lifetime(copy self, copy session)
    public consuming func resuming(
        _ session: consuming MutableSpan<UInt8>,
        keyExchange: ClientSettings.ResumptionKeyExchange = .withECDHE
    ) -> ClientConfiguration {
        var region = session
        var settings = self.settings
        settings.sessionBytes = region.withUnsafeMutableBufferPointer { $0 }
        settings.resumptionKeyExchange = keyExchange
        return _overrideLifetime(ClientConfiguration(settings: settings), copying: self)
    }

    /// This configuration with a TLS 1.3 external PSK (RFC 8446 §4.2.11, SHA-256): `identity`
    /// as the server knows it and the `key`, 32 bytes or more. It is offered (with a binder
    /// under "ext binder") whenever no stored session is; a server that takes it sends no
    /// certificate, so a PSK-only device needs no trust anchors. Servers that decline fall
    /// back to certificates. `resumptionKeyExchange` applies to it as to tickets.
    @_lifetime(copy self, copy identity, copy key)
    public consuming func withExternalPSK(identity: Span<UInt8>, key: Span<UInt8>) -> ClientConfiguration {
        var settings = self.settings
        settings.externalPSKIdentityBytes = identity.withUnsafeBufferPointer { $0 }
        settings.externalPSKKeyBytes = key.withUnsafeBufferPointer { $0 }
        return _overrideLifetime(ClientConfiguration(settings: settings), copying: self)
    }

    /// The resumption key exchange (psk_dhe_ke / psk_ke) for an external PSK without a
    /// session region.
    @_lifetime(copy self)
    public consuming func withResumptionKeyExchange(_ keyExchange: ClientSettings.ResumptionKeyExchange) -> ClientConfiguration {
        var settings = self.settings
        settings.resumptionKeyExchange = keyExchange
        return _overrideLifetime(ClientConfiguration(settings: settings), copying: self)
    }

    /// This configuration with the client certificate's signatures made by `signer` (a key
    /// in a secure element or TPM): `clientPrivateKey` may then be empty.
    @_lifetime(copy self)
    public consuming func signing(with signer: Signer) -> ClientConfiguration {
        var settings = self.settings
        settings.signer = signer
        return _overrideLifetime(ClientConfiguration(settings: settings), copying: self)
    }

    @_lifetime(immortal)
    private init(settings: ClientSettings) {
        self.settings = settings
    }

    /// The server's DNS name: sent as server_name (RFC 6066 §3) and matched against the
    /// certificate. Empty sends no SNI and, with `serverAddress` empty too, skips the name check.
    public var serverName: Span<UInt8> { @_lifetime(copy self) get { _overrideLifetime(settings.serverName, copying: self) } }
    /// An IP address (4 or 16 bytes) the certificate must carry as an iPAddress SAN, for
    /// servers reached by address. Used when `serverName` is empty.
    public var serverAddress: Span<UInt8> { @_lifetime(copy self) get { _overrideLifetime(settings.serverAddress, copying: self) } }
    /// Trust anchors: concatenated DER certificates.
    public var trustAnchors: Span<UInt8> { @_lifetime(copy self) get { _overrideLifetime(settings.trust.trustAnchors, copying: self) } }
    /// Certificate revocation lists: concatenated DER CRLs (may be empty).
    public var crls: Span<UInt8> { @_lifetime(copy self) get { _overrideLifetime(settings.trust.crls, copying: self) } }
    /// The client's certificate chain, concatenated DER, leaf first; sent when a server asks
    /// (CertificateRequest) and the leaf suits the request. Empty: no client certificate.
    public var clientCertificateChain: Span<UInt8> {
        @_lifetime(copy self) get { _overrideLifetime(settings.clientCertificateChain, copying: self) }
    }
    /// The leaf's private key, DER (PKCS#8, SEC1 or PKCS#1), parsed only to sign CertificateVerify.
    public var clientPrivateKey: Span<UInt8> {
        @_lifetime(copy self) get { _overrideLifetime(settings.clientPrivateKey, copying: self) }
    }
    /// The time certificates are checked at, seconds since the Unix epoch.
    public var time: Int64 { settings.trust.time }
    /// The suites offered, in the core's preference order.
    public var suites: CipherSuites { settings.suites }
    /// The versions offered (both by default; the server picks).
    public var versions: TLSVersions { settings.versions }
    /// The groups offered, most preferred first; TLS 1.3's key share is for the first.
    public var groups: NamedGroups { settings.groups }
    /// The ALPN protocols offered (RFC 7301), each with its length byte before it.
    public var applicationProtocols: Span<UInt8> {
        @_lifetime(copy self) get { _overrideLifetime(settings.applicationProtocols, copying: self) }
    }
    /// record_size_limit announced (RFC 8449), or nil.
    public var recordSizeLimit: Int? { settings.recordSizeLimit.map { Int($0) } }
    /// max_fragment_length to request, or nil for full 16 KB records.
    public var maxFragmentLength: MaxFragmentLength? { settings.maxFragmentLength }
    /// What a certificate link without a CRL means.
    public var revocation: ValidationPolicy.Revocation { settings.trust.revocation }
    /// The validation profile of the server's chain (`rfc5280` unless asked otherwise).
    public var profile: ValidationPolicy.Profile { settings.trust.profile }
    /// Signature verifications path building may spend on the server's chain (default 16).
    public var signatureBudget: Int { settings.trust.signatureBudget }
    /// Abort when the server does not negotiate extended_master_secret (RFC 7627 §5.3).
    public var requireExtendedMasterSecret: Bool { settings.requireExtendedMasterSecret }
    /// The smallest RSA modulus accepted for the server's key, in bits (default 2048).
    public var minimumRSAKeyBits: Int { settings.minimumRSAKeyBits }

    /// The largest plaintext fragment either side may send once negotiated.
    public var maxPlaintext: Int { settings.maxPlaintext }
    /// Bytes the input region needs (see `ClientSettings.inputRegionSize`).
    public var inputRegionSize: Int { settings.inputRegionSize }
    /// A reassembly region for the usual case (see `ClientSettings.reassemblyRegionSize`).
    public var reassemblyRegionSize: Int { settings.reassemblyRegionSize }
    /// Bytes the output region needs (see `ClientSettings.outputRegionSize`).
    public var outputRegionSize: Int { settings.outputRegionSize }
}
