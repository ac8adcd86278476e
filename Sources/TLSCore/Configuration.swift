/// What a client connection is set up with. Everything it refers to is the caller's memory
/// (anchors, CRLs, the server name), borrowed for the engine's lifetime, so it is
/// non-escapable; nothing here is copied or allocated.
public struct ClientConfiguration: ~Escapable {
    /// The server's DNS name: sent as server_name (RFC 6066 §3) and matched against the
    /// certificate. Empty sends no SNI and, with `serverAddress` empty too, skips the name check.
    public var serverName: Span<UInt8>
    /// An IP address (4 or 16 bytes) the certificate must carry as an iPAddress SAN, for
    /// servers reached by address. Used when `serverName` is empty.
    public var serverAddress: Span<UInt8>
    /// Trust anchors: concatenated DER certificates.
    public var trustAnchors: Span<UInt8>
    /// Certificate revocation lists: concatenated DER CRLs (may be empty).
    public var crls: Span<UInt8>
    /// The time certificates are checked at, seconds since the Unix epoch (a board without
    /// a clock passes its build time or last known time).
    public var time: Int64
    /// The suites offered, in the core's preference order.
    public var suites: CipherSuites
    /// max_fragment_length to request, or nil for full 16 KB records.
    public var maxFragmentLength: MaxFragmentLength?
    /// What a certificate link without a CRL means.
    public var revocation: ValidationPolicy.Revocation
    /// Abort when the server does not negotiate extended_master_secret (RFC 7627 §5.3).
    public var requireExtendedMasterSecret: Bool
    /// The client's certificate chain, concatenated DER, leaf first; sent when a server asks
    /// (CertificateRequest) and the leaf suits the request. Empty: no client certificate.
    public var clientCertificateChain: Span<UInt8>
    /// The leaf's private key, DER (PKCS#8, SEC1 or PKCS#1), parsed only to sign
    /// CertificateVerify.
    public var clientPrivateKey: Span<UInt8>

    @_lifetime(copy serverName, copy serverAddress, copy trustAnchors, copy crls)
    public init(
        serverName: Span<UInt8>, serverAddress: Span<UInt8>, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        time: Int64, suites: CipherSuites = .defaults, maxFragmentLength: MaxFragmentLength? = nil,
        revocation: ValidationPolicy.Revocation = .checkAvailable, requireExtendedMasterSecret: Bool = false
    ) {
        self.init(
            serverName: serverName, serverAddress: serverAddress, trustAnchors: trustAnchors, crls: crls, time: time,
            suites: suites, maxFragmentLength: maxFragmentLength, revocation: revocation,
            requireExtendedMasterSecret: requireExtendedMasterSecret, clientCertificateChain: Span(),
            clientPrivateKey: Span())
    }

    /// A configuration with a client certificate chain and its private key.
    @_lifetime(copy serverName, copy serverAddress, copy trustAnchors, copy crls, copy clientCertificateChain, copy clientPrivateKey)
    public init(
        serverName: Span<UInt8>, serverAddress: Span<UInt8>, trustAnchors: Span<UInt8>, crls: Span<UInt8>,
        time: Int64, suites: CipherSuites = .defaults, maxFragmentLength: MaxFragmentLength? = nil,
        revocation: ValidationPolicy.Revocation = .checkAvailable, requireExtendedMasterSecret: Bool = false,
        clientCertificateChain: Span<UInt8>, clientPrivateKey: Span<UInt8>
    ) {
        self.serverName = serverName
        self.serverAddress = serverAddress
        self.trustAnchors = trustAnchors
        self.crls = crls
        self.time = time
        self.suites = suites
        self.maxFragmentLength = maxFragmentLength
        self.revocation = revocation
        self.requireExtendedMasterSecret = requireExtendedMasterSecret
        self.clientCertificateChain = clientCertificateChain
        self.clientPrivateKey = clientPrivateKey
    }

    /// The largest plaintext fragment either side may send once negotiated.
    public var maxPlaintext: Int { maxFragmentLength?.bytes ?? 16384 }

    /// Bytes the input region needs: one whole record of the largest ciphertext this client
    /// accepts (plaintext limit plus 8-byte explicit nonce and 16-byte tag) with its header.
    public var inputRegionSize: Int { 5 &+ maxPlaintext &+ 24 }

    /// A reassembly region for the usual case. The engine reads every message that arrives
    /// whole in one record where it lies, so this region holds the client's own messages
    /// while they are staged (1 KB, or the certificate chain's Certificate message) and any
    /// server message that spans records: with max_fragment_length, the server's
    /// Certificate message, for which 4 KB covers chains of two or three certificates. A
    /// server whose messages span records needs the largest of them; a region too small
    /// ends the handshake with `bufferTooSmall` naming the size.
    public var reassemblyRegionSize: Int {
        let staging = max(1024, 7 &+ clientCertificateChain.count &+ 3 &* 8)
        let incoming = maxFragmentLength == nil ? 0 : 4096
        return max(staging, incoming)
    }

    /// Bytes the output region needs: room for the client's largest flight, which the
    /// engine queues whole, and at least 512 bytes so that application data is not cut into
    /// tiny records. It need not hold a full record: application data is cut into records
    /// that fit the room there is, so a larger region only means fewer, larger records.
    public var outputRegionSize: Int {
        // ClientHello in its record.
        let hello = 5 &+ ClientHello.length(configuration: self)
        // [empty Certificate] + ClientKeyExchange in one record, ChangeCipherSpec, Finished
        // (8-byte explicit nonce, 12-byte verify_data with its header, 16-byte tag): the
        // ECDHE public value is at most 97 bytes (P-384); RSA key transport sends the
        // pre-master secret encrypted to the server's key, up to 512 bytes (RSA-4096).
        let rsa = suites.contains(.rsaWithAES128GCMSHA256) || suites.contains(.rsaWithAES256GCMSHA384)
        let keyExchange = rsa ? 4 &+ 2 &+ 512 : 4 &+ 1 &+ 97
        var flight = 5 &+ 7 &+ keyExchange &+ 6 &+ 45
        if clientCertificateChain.count > 0 {
            // Our chain (split into records of maxPlaintext) and CertificateVerify (≤ 520).
            let certificate = 7 &+ clientCertificateChain.count &+ 3 &* 8
            flight &+= certificate &+ 520 &+ (certificate / maxPlaintext &+ 2) &* 5
        }
        return max(512, max(hello, flight))
    }
}
