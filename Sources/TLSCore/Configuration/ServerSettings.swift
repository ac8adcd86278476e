/// A server's configuration as an engine keeps it: the values of `ServerConfiguration`,
/// with the caller's memory (chains, keys, client CAs, CRLs, ALPN list, the client
/// certificate region) held as buffers. Made only by `ServerConfiguration`, whose lifetime
/// rules guarantee that memory for engines used in a scope; a stored `Engine<Server>`
/// relies on its caller for that, as a client's does.
public struct ServerSettings {
    /// Up to two certificates (an ECDSA one and an RSA one, say): the first that suits the
    /// client's signature_algorithms and the suite is used.
    var chainBytes: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)
    var keyBytes: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)
    private let alpnBytes: UnsafeBufferPointer<UInt8>
    /// Where the verified client leaf goes (DER), or empty: not kept.
    var clientCertificateRegion: UnsafeMutableBufferPointer<UInt8>
    /// Signs for the certificates in place of their keys (a secure element); a certificate
    /// without its key then serves ECDHE and TLS 1.3 only (RSA key transport decrypts).
    public internal(set) var signer: Signer? = nil
    /// Ticket keys (`SessionTicket.keyLength` bytes each): tickets are sealed under
    /// `current` and opened under either; empty: no tickets issued or taken.
    var ticketKeys = (UnsafeBufferPointer<UInt8>(start: nil, count: 0), UnsafeBufferPointer<UInt8>(start: nil, count: 0))
    /// Seconds a ticket is good for (RFC 8446 §4.6.1: at most seven days).
    public internal(set) var ticketLifetime: UInt32 = 7200
    /// TLS 1.2 sessions kept by ID in the caller's memory; none: IDs are not issued.
    var sessionCache = SessionCache.none
    /// TLS 1.3 external PSK (§4.2.11, SHA-256): the identity a client names and the key.
    var externalPSKBytes = (UnsafeBufferPointer<UInt8>(start: nil, count: 0), UnsafeBufferPointer<UInt8>(start: nil, count: 0))
    /// The client CAs, the CRLs, the time and what a missing CRL means (⑥).
    public let trust: TrustConfiguration
    public let clientAuthentication: ClientAuthentication
    public let suites: CipherSuites
    public let versions: TLSVersions
    /// Key-exchange groups in our order of preference.
    public let groups: NamedGroups
    public let keyLog: KeyLog?
    /// record_size_limit sent back to a client that announced one (RFC 8449), or nil:
    /// 2^14.
    public let recordSizeLimit: UInt16?
    public let recordsBeforeKeyUpdate: UInt64
    /// Whether a max_fragment_length request is honoured (RFC 6066 §4); off, it is ignored.
    public let acceptsMaxFragmentLength: Bool
    /// The smallest RSA modulus accepted for a client's key, in bits.
    public let minimumRSAKeyBits: Int

    /// Whether the server asks for a client certificate, and whether it must come (⑥).
    public enum ClientAuthentication: Sendable, Equatable {
        /// No CertificateRequest.
        case none
        /// Asked for; a client without one is served, a bad one refused.
        case optional
        /// Asked for; a client without one is refused (handshake_failure in TLS 1.2,
        /// certificate_required in TLS 1.3).
        case required
    }

    init(
        chain: Span<UInt8>, key: Span<UInt8>, clientAuthentication: ClientAuthentication, trust: TrustConfiguration, suites: CipherSuites,
        versions: TLSVersions, groups: NamedGroups, keyLog: KeyLog?, recordSizeLimit: UInt16?,
        recordsBeforeKeyUpdate: UInt64, acceptsMaxFragmentLength: Bool, minimumRSAKeyBits: Int,
        applicationProtocols: Span<UInt8>
    ) {
        let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        chainBytes = (chain.withUnsafeBufferPointer { $0 }, none)
        keyBytes = (key.withUnsafeBufferPointer { $0 }, none)
        alpnBytes = applicationProtocols.withUnsafeBufferPointer { $0 }
        clientCertificateRegion = UnsafeMutableBufferPointer(start: nil, count: 0)
        self.clientAuthentication = clientAuthentication
        self.trust = trust
        self.suites = suites.intersection(CipherSuites(rawValue: CipherSuites.all.rawValue & ~CipherSuites.psk.rawValue))
        self.versions = versions
        self.groups = groups
        self.keyLog = keyLog
        self.recordSizeLimit = recordSizeLimit.map { min(max($0, 64), 16384) }
        self.recordsBeforeKeyUpdate = recordsBeforeKeyUpdate == 0 ? 1 : recordsBeforeKeyUpdate
        self.acceptsMaxFragmentLength = acceptsMaxFragmentLength
        self.minimumRSAKeyBits = minimumRSAKeyBits
    }

    /// Certificates configured (1 or 2).
    var credentialCount: Int { chainBytes.1.count > 0 && (keyBytes.1.count > 0 || signer != nil) ? 2 : 1 }

    /// The chain (concatenated DER, leaf first) of credential `index`.
    @_lifetime(borrow self)
    func chain(_ index: Int) -> Span<UInt8> {
        _overrideLifetime((index == 0 ? chainBytes.0 : chainBytes.1).span, borrowing: self)
    }

    /// The private key (DER) of credential `index`.
    @_lifetime(borrow self)
    func key(_ index: Int) -> Span<UInt8> {
        _overrideLifetime((index == 0 ? keyBytes.0 : keyBytes.1).span, borrowing: self)
    }

    var issuesTickets: Bool { ticketKeys.0.count == SessionTicket.keyLength }
    var currentTicketKey: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(ticketKeys.0.span, borrowing: self) } }
    var previousTicketKey: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(ticketKeys.1.span, borrowing: self) } }
    var externalPSKIdentity: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(externalPSKBytes.0.span, borrowing: self) } }
    var externalPSKKey: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(externalPSKBytes.1.span, borrowing: self) } }

    /// The ALPN protocols we serve, each with its length byte, most preferred first.
    var applicationProtocols: Span<UInt8> { @_lifetime(borrow self) get { _overrideLifetime(alpnBytes.span, borrowing: self) } }

    /// Whether `version` can be negotiated: configured, with a suite of it.
    func serves(_ version: TLSVersion) -> Bool {
        versions.contains(version) && !suites.only(version).isEmpty && (version == .tls12 || !groups.isEmpty)
    }

    /// The largest plaintext a client may send us in one record.
    public var maxPlaintext: Int { Int(recordSizeLimit ?? 16384) }

    /// Bytes the input region needs: one whole record of the largest ciphertext accepted.
    /// A client's first flight is unprotected and not bound by our record_size_limit,
    /// which it learns only from our answer: the region takes 2^14 unless the limit is
    /// what the caller relies on clients to honour from the start (max_fragment_length
    /// clients send small records from the first).
    public var inputRegionSize: Int { 5 &+ 16384 &+ 24 }

    /// The largest of the configured chains, in bytes.
    private var longestChain: Int { max(chainBytes.0.count, credentialCount > 1 ? chainBytes.1.count : 0) }

    /// Bytes our CertificateRequest's certificate_authorities take: the anchors' subjects.
    private var authoritiesLength: Int { clientAuthentication == .none ? 0 : trust.trustAnchors.count }

    /// Our largest flight, messages only: ServerHello (≤ 160 with a P-384 share and every
    /// extension), EncryptedExtensions (≤ 40 with a 255-byte ALPN name: 300), the
    /// CertificateRequest (signature schemes and the CA names), Certificate (chain and 5
    /// bytes per certificate, up to 8), ServerKeyExchange or CertificateVerify (≤ 4 + 4 +
    /// 512 + 100 for an RSA-4096 signature and a P-384 point), Finished (52), ServerHelloDone.
    var flightLength: Int {
        160 &+ 300 &+ (authoritiesLength &+ 64) &+ (11 &+ longestChain &+ 40) &+ 620 &+ 56
    }

    /// Bytes the output region needs: the whole flight in records (our record limit may cut
    /// the chain in several), and at least 512 for application data.
    public var outputRegionSize: Int {
        let records = flightLength / 512 &+ 6
        return max(512, flightLength &+ records &* 22)
    }

    /// The reassembly region: our flight is staged there, and a client message that spans
    /// records (a long client chain in small records) must fit; 4 KB covers chains of two
    /// or three certificates.
    public var reassemblyRegionSize: Int { max(flightLength, 4096) }
}
