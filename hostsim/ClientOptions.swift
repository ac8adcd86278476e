import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// The client options shared by `connect` and the UART commands.
struct ClientOptions: ParsableArguments {
    @Option(help: "Trust anchors (PEM or DER certificates).") var ca: String
    @Option(help: "Name to send as SNI and to match in the certificate (default: HOST unless it is an IP address).")
    var serverName: String?
    @Option(help: "Offer this suite (IANA name); repeat for several. Naming a TLS_RSA_ suite enables RSA key transport.")
    var suite: [String] = []
    @Option(help: "Request max_fragment_length: 512, 1024, 2048 or 4096.") var maxFragment: Int?
    @Option(help: "Application data to send after the handshake.") var request: String = "GET / HTTP/1.0\r\n\r\n"
    @Option(help: "Longest wait for any one read or write, in seconds.") var timeout: Double = 10
    @Option(help: "Append the NSS key log lines for Wireshark to this file (TLS 1.2: CLIENT_RANDOM; TLS 1.3: the traffic secrets).")
    var keylog: String?
    @Option(help: "Offer this version: 1.2 or 1.3; repeat for both (default: both, the server picks).")
    var tls: [String] = []
    @Option(help: "Offer this group: x25519, secp256r1 or secp384r1; repeat for several, in order (the first gets the TLS 1.3 key share; default: all three in that order).")
    var group: [String] = []
    @Option(help: "Offer this ALPN protocol (RFC 7301), e.g. http/1.1 or mqtt; repeatable, in preference order.")
    var alpn: [String] = []
    @Option(help: "Announce record_size_limit (RFC 8449): the largest record plaintext this client takes, 64-16384; the input region shrinks to match (GnuTLS honours it; OpenSSL 3.0 ignores it, and the handshake then fails cleanly).")
    var recordSizeLimit: Int?
    @Option(help: "TLS 1.3: pad each record's inner plaintext to a multiple of N bytes (RFC 8446 §5.4; default none).")
    var recordPadding: Int = 0
    @Flag(help: "Print each handshake message as it is sent or received, with its step.") var trace = false
    @Option(help: "Validation time: RFC 3339 or Unix seconds (default: now).") var time: String?
    @Option(help: "A CRL (PEM or DER) to check the server's chain against; repeatable.") var crl: [String] = []
    @Option(help: "Client certificate chain (PEM or DER, leaf first), sent when the server asks.") var cert: String?
    @Option(help: "The server chain's validation profile: rfc5280 (default: RFC 5280 as private PKIs use it, what a device usually meets) or webpki (adds the CA/Browser Forum Baseline Requirements of public TLS servers).")
    var profile: String = "rfc5280"
    @Option(help: "The client certificate's private key (PEM or DER; PKCS#8, SEC1 or PKCS#1).") var key: String?
    @Flag(help: ArgumentHelp(
        "Accept a response that ends without close_notify (exit 0, not 1).",
        discussion: "Only for a server known to close TCP without close_notify: without close_notify nothing tells a complete response from one cut short on the way (a truncation attack), so by default that ending is reported as a failure."))
    var allowMissingCloseNotify = false

    @Flag(help: "Resume: keep the session the server gives and offer it on the next connection (with --repeat, each resumes from the previous one).")
    var resume = false
    @Option(help: "Session file: loaded when present and valid (else a full handshake, saying why), rewritten after each handshake that gave a session; implies --resume.")
    var session: String?
    @Flag(help: "TLS 1.3 resumption with psk_ke: the PSK alone, no ECDHE (cheaper, but not forward secret; default psk_dhe_ke).")
    var resumePskOnly = false

    @Option(help: "TLS 1.3 external PSK: the identity the server knows it by (with --psk).")
    var pskIdentity: String?
    @Option(help: "TLS 1.3 external PSK: the key, hex (32 bytes or more; SHA-256). The server then needs no certificate, and --ca may be any anchor file.")
    var psk: String?

    var resumes: Bool { resume || session != nil }

    var timeoutMilliseconds: Int { max(1, Int(timeout * 1000)) }

    static func split(_ server: String) throws -> (String, UInt16) {
        guard let colon = server.lastIndex(of: ":"), let port = UInt16(server[server.index(after: colon)...]) else {
            throw ValidationError("expected HOST:PORT, got \(server)")
        }
        var host = String(server[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// The DER objects of a PEM (`label` blocks) or DER file, each of which must parse as
    /// `kind`: a file with none, a block that does not decode, or an object that does not
    /// parse is a usage error, not something to pass over.
    static func objects(
        in path: String, data: Data, label: String, kind: String, parses: (Span<UInt8>) -> Bool
    ) throws -> [[UInt8]] {
        let objects = PEM.objects(in: data, label: label)
        guard !objects.isEmpty else { throw ValidationError("no \(kind) in \(path)") }
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN ") {
            let blocks = text.components(separatedBy: "-----BEGIN \(label)-----").count - 1
            guard blocks == objects.count else {
                throw ValidationError("\(path): a PEM \(label) block does not decode")
            }
        }
        for (index, object) in objects.enumerated() where !parses(object.span) {
            throw ValidationError(objects.count == 1
                ? "no \(kind) in \(path): it does not parse as one (PEM \(label) or DER)"
                : "\(path): object \(index + 1) of \(objects.count) does not parse as a \(kind)")
        }
        return objects
    }

    /// The file's bytes; an unreadable file is a usage error.
    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return data
    }

    /// The certificates of a PEM or DER file, each of which must parse.
    static func certificates(in path: String) throws -> [[UInt8]] {
        try objects(in: path, data: try read(path), label: "CERTIFICATE", kind: "certificate") { der in
            do { _ = try Certificate(der: der); return true } catch { return false }
        }
    }

    /// The CRLs of the files, concatenated DER. A file with no CRL would leave revocation
    /// checking off without a word: refused.
    static func crls(in paths: [String]) throws -> [UInt8] {
        var crls: [UInt8] = []
        for path in paths {
            crls += try objects(in: path, data: try read(path), label: "X509 CRL", kind: "CRL") { der in
                do { _ = try CRL(der: der); return true } catch { return false }
            }.joined()
        }
        return crls
    }

    /// `--suite` names (IANA), or the defaults when there are none.
    static func suites(named names: [String]) throws -> CipherSuites {
        var suites = CipherSuites.none
        for name in names {
            guard let found = CipherSuite.named(name) else { throw ValidationError("unknown suite \(name)") }
            suites.insert(found)
        }
        return suites.isEmpty ? .defaults : suites
    }

    /// `--tls` values, or both versions when there are none.
    static func versions(_ names: [String]) throws -> TLSVersions {
        var versions = TLSVersions(rawValue: 0)
        for name in names {
            switch name {
            case "1.2": versions.insert(.tls12)
            case "1.3": versions.insert(.tls13)
            default: throw ValidationError("--tls must be 1.2 or 1.3")
            }
        }
        return versions.isEmpty ? .all : versions
    }

    /// `--alpn` names as the extension carries the list (a length byte before each name).
    static func applicationProtocols(_ names: [String]) throws -> [UInt8] {
        var protocols: [UInt8] = []
        for name in names {
            guard !name.isEmpty, name.utf8.count <= 255 else { throw ValidationError("--alpn names are 1 to 255 bytes") }
            protocols += [UInt8(name.utf8.count)] + Array(name.utf8)
        }
        return protocols
    }

    /// Reads the files and turns the options into the pieces of a `ClientConfiguration`.
    func load(host: String) throws -> ClientSetup {
        let read = Self.read
        let anchors = try Self.certificates(in: ca)
        let crls = try Self.crls(in: crl)

        let suites = try Self.suites(named: suite)
        let versions = try Self.versions(tls)
        var groups = NamedGroups()
        for name in group {
            switch name {
            case "x25519": groups.append(.x25519)
            case "secp256r1", "P-256", "prime256v1": groups.append(.secp256r1)
            case "secp384r1", "P-384": groups.append(.secp384r1)
            default: throw ValidationError("--group must be x25519, secp256r1 or secp384r1")
            }
        }
        if groups.isEmpty { groups = .defaults }
        let protocols = try Self.applicationProtocols(alpn)
        guard (0...4096).contains(recordPadding) else { throw ValidationError("--record-padding must be 0 to 4096") }
        if let recordSizeLimit, !(64...16384).contains(recordSizeLimit) {
            throw ValidationError("--record-size-limit must be 64 to 16384")
        }

        var fragment: MaxFragmentLength?
        if let maxFragment {
            switch maxFragment {
            case 512: fragment = .bytes512
            case 1024: fragment = .bytes1024
            case 2048: fragment = .bytes2048
            case 4096: fragment = .bytes4096
            default: throw ValidationError("--max-fragment must be 512, 1024, 2048 or 4096")
            }
        }
        let profileValue: ValidationPolicy.Profile
        switch profile {
        case "rfc5280": profileValue = .rfc5280
        case "webpki": profileValue = .webpki
        default: throw ValidationError("--profile must be rfc5280 or webpki")
        }
        var validationTime = Clock.unixSeconds()
        if let time {
            guard let parsed = Verify.parseTime(time) else { throw ValidationError("bad --time \(time)") }
            validationTime = parsed
        }
        var clientChain: [UInt8] = []
        var clientKey: [UInt8] = []
        if let cert {
            guard let key else { throw ValidationError("--cert needs --key") }
            clientChain = Array(PEM.objects(in: try read(cert), label: "CERTIFICATE").joined())
            clientKey = PEM.privateKey(in: try read(key))
            guard !clientChain.isEmpty, !clientKey.isEmpty else { throw ValidationError("no certificate or key in \(cert), \(key)") }
        }
        let (pskIdentityBytes, pskKey) = try Hex.externalPSK(identity: pskIdentity, key: psk)
        let address = Verify.parseIP(host)
        let name = serverName ?? (address == nil ? host : "")
        return ClientSetup(
            serverName: Array(name.utf8), serverAddress: serverName == nil ? (address ?? []) : [],
            anchors: Array(anchors.joined()), crls: crls, time: validationTime, suites: suites,
            versions: versions, groups: groups, applicationProtocols: protocols, recordSizeLimit: recordSizeLimit, recordPadding: recordPadding,
            maxFragmentLength: fragment, profile: profileValue, clientChain: clientChain, clientKey: clientKey,
            keyLogPath: keylog, pskIdentity: pskIdentityBytes, pskKey: pskKey,
            resumes: resumes, sessionPath: session,
            resumptionKeyExchange: resumePskOnly ? .pskOnly : .withECDHE)
    }
}

/// The host-side storage a `ClientConfiguration` borrows.
struct ClientSetup {
    var serverName: [UInt8]
    var serverAddress: [UInt8]
    var anchors: [UInt8]
    var crls: [UInt8]
    var time: Int64
    var suites: CipherSuites
    var versions: TLSVersions = .all
    var groups: NamedGroups = .defaults
    /// `--alpn`, as the extension carries the list (a length byte before each name).
    var applicationProtocols: [UInt8] = []
    var recordSizeLimit: Int? = nil
    var recordPadding = 0
    var maxFragmentLength: MaxFragmentLength?
    var profile: ValidationPolicy.Profile = .rfc5280
    var clientChain: [UInt8] = []
    var clientKey: [UInt8] = []
    /// `--keylog`: the file the engine's key log lines are appended to.
    var keyLogPath: String? = nil
    /// `--psk-identity` / `--psk`: a TLS 1.3 external PSK (empty: none).
    var pskIdentity: [UInt8] = []
    var pskKey: [UInt8] = []
    /// `--resume` / `--session`: a session region is configured.
    var resumes = false
    var sessionPath: String? = nil
    var resumptionKeyExchange: ClientSettings.ResumptionKeyExchange = .withECDHE

    /// A session region: `--session`'s file when it exists (the engine judges what it
    /// holds), else zeros.
    func loadSession() -> [UInt8] {
        var region = [UInt8](repeating: 0, count: Session.capacity)
        if let sessionPath, let data = FileManager.default.contents(atPath: sessionPath) {
            // Longer than any session: not one (the engine refuses the prefix, or its check does).
            for (index, byte) in data.prefix(Session.capacity).enumerated() { region[index] = byte }
        }
        return region
    }

    /// Writes the region's session to `--session`'s file, or removes the file when the
    /// region holds none (the engine wiped a session that failed or was declined).
    func saveSession(_ region: [UInt8]) {
        guard let sessionPath else { return }
        let length: Int? = {
            do throws(Session.Refusal) { return try Session(region.span).length } catch { return nil }
        }()
        if let length {
            FileManager.default.createFile(atPath: sessionPath, contents: Data(region[0..<length]),
                                           attributes: [.posixPermissions: 0o600])
        } else {
            try? FileManager.default.removeItem(atPath: sessionPath)
        }
    }

    func withConfiguration<R>(_ body: (ClientConfiguration) -> R) -> R {
        var unused: [UInt8] = []
        return withConfiguration(session: &unused, body)
    }

    /// The configuration, resuming through `session` when `resumes`.
    func withConfiguration<R>(session: inout [UInt8], _ body: (ClientConfiguration) -> R) -> R {
        let sink = keyLogPath.map { KeyLogFile(path: $0) }
        return withExtendedLifetime(sink) {
            let configuration = ClientConfiguration(
                serverName: serverName.span, serverAddress: serverAddress.span, trustAnchors: anchors.span,
                crls: crls.span, time: time, suites: suites, versions: versions, groups: groups,
                keyLog: sink?.keyLog, recordPadding: recordPadding, recordSizeLimit: recordSizeLimit, applicationProtocols: applicationProtocols.span,
                maxFragmentLength: maxFragmentLength, profile: profile,
                clientCertificateChain: clientChain.span, clientPrivateKey: clientKey.span)
            let withPSK = pskKey.isEmpty
                ? configuration
                : configuration.withExternalPSK(identity: pskIdentity.span, key: pskKey.span)
                    .withResumptionKeyExchange(resumptionKeyExchange)
            guard resumes else { return body(withPSK) }
            return body(withPSK.resuming(session.mutableSpan, keyExchange: resumptionKeyExchange))
        }
    }
}

/// `--keylog`: appends each secret the engine hands over as an NSS key log line
/// ("LABEL <client random> <secret>", hex), the format `-keylogfile` and Wireshark use.
final class KeyLogFile {
    let path: String

    init(path: String) { self.path = path }

    /// The engine's sink, pointing at this object (kept alive by `withConfiguration`).
    var keyLog: KeyLog {
        KeyLog(function: { context, label, random, secret, count in
            guard let context, let random, let secret, let label = KeyLog.Label(rawValue: label) else { return }
            let file = Unmanaged<KeyLogFile>.fromOpaque(context).takeUnretainedValue()
            let randomHex = (0..<32).map { String(format: "%02x", random[$0]) }.joined()
            let secretHex = (0..<count).map { String(format: "%02x", secret[$0]) }.joined()
            ClientSession.appendLine("\(label.name) \(randomHex) \(secretHex)\n", to: file.path)
        }, context: Unmanaged.passUnretained(self).toOpaque())
    }
}
