import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// The server role's options, shared by `serve` (TCP) and `uart-serve` (the device as the
/// server over the simulated serial line).
struct ServeOptions: ParsableArguments {
    @Option(help: "Server certificate chain (PEM or DER, leaf first).") var cert: String
    @Option(help: "The chain's private key (PEM or DER; PKCS#8, SEC1 or PKCS#1).") var key: String
    @Option(help: "A second chain (an RSA one beside an ECDSA one, say).") var cert2: String?
    @Option(help: "The second chain's key.") var key2: String?
    @Option(name: .customLong("client-ca"), help: "Trust anchors for client certificates (PEM or DER).")
    var clientCA: String?
    @Option(help: "A CRL (PEM or DER) to check client chains against; repeatable.") var crl: [String] = []
    @Option(help: "none, optional or required (optional and required need --client-ca).") var clientAuth = "none"
    @Flag(help: "Every link of a client chain must have a valid CRL from its issuer.") var requireCrl = false
    @Option(help: "Accept this version: 1.2 or 1.3; repeat for both (default both).") var tls: [String] = []
    @Option(help: "Accept this suite (IANA name); repeatable. Naming a TLS_RSA_ suite enables RSA key transport.")
    var suite: [String] = []
    @Option(help: "Offer this ALPN protocol; repeatable, in preference order.") var alpn: [String] = []
    @Option(help: "Issue and take session tickets (TLS 1.2 RFC 5077, TLS 1.3): the ticket key, 72 hex digits (a 4-byte name, then an AES-256 key).")
    var ticketKey: String?
    @Option(help: "A rotated-out ticket key (72 hex digits) whose tickets are still taken (needs --ticket-key).")
    var previousTicketKey: String?
    @Option(help: "Lifetime of the tickets issued and the sessions cached, in seconds, 1-604800 (default 7200).")
    var ticketLifetime: Int?
    @Option(help: "Keep this many TLS 1.2 sessions by ID for clients that resume without tickets (96 bytes each; default 0: none).")
    var sessionCache = 0
    @Option(help: "TLS 1.3 external PSK: the identity clients name it by (with --psk).") var pskIdentity: String?
    @Option(help: "TLS 1.3 external PSK: the key, hex (32 bytes or more; SHA-256 suites).") var psk: String?
    @Option(help: "Per connection: longest time without any byte in either direction, in ms.") var timeout = 10_000
    @Option(help: "Per connection: longest whole handshake, in ms (default: --timeout).") var handshakeTimeout: Int?
    @Flag(help: "Print each connection's server-side handshake steps on stderr.") var trace = false

    /// Checks the options and reads the files (usage errors, exit 2, for anything wrong).
    func load() throws -> (files: ServerFiles, options: ServerOptions) {
        guard timeout >= 1, (handshakeTimeout ?? 1) >= 1 else { throw ValidationError("timeouts must be at least 1 ms") }
        let authentication: ServerSettings.ClientAuthentication
        switch clientAuth {
        case "none": authentication = .none
        case "optional": authentication = .optional
        case "required": authentication = .required
        default: throw ValidationError("--client-auth must be none, optional or required")
        }
        if authentication != .none && clientCA == nil { throw ValidationError("--client-auth \(clientAuth) needs --client-ca") }
        guard (cert2 == nil) == (key2 == nil) else { throw ValidationError("--cert2 and --key2 go together") }

        var ticket: [UInt8] = [], previous: [UInt8] = []
        if let ticketKey {
            guard let bytes = Hex.bytes(ticketKey), bytes.count == 36 else {
                throw ValidationError("--ticket-key must be 72 hex digits (36 bytes: a 4-byte name and an AES-256 key)")
            }
            ticket = bytes
        } else if previousTicketKey != nil {
            throw ValidationError("--previous-ticket-key needs --ticket-key")
        } else if ticketLifetime != nil && sessionCache == 0 {
            throw ValidationError("--ticket-lifetime needs --ticket-key or --session-cache")
        }
        if let previousTicketKey {
            guard let bytes = Hex.bytes(previousTicketKey), bytes.count == 36 else {
                throw ValidationError("--previous-ticket-key must be 72 hex digits (36 bytes)")
            }
            previous = bytes
        }
        let lifetime = ticketLifetime ?? 7200
        guard lifetime >= 1, lifetime <= 604_800 else { throw ValidationError("--ticket-lifetime must be from 1 to 604800 seconds") }
        guard sessionCache >= 0, sessionCache <= 65_536 else { throw ValidationError("--session-cache must be from 0 to 65536 sessions") }
        let (pskIdentityBytes, pskKey) = try Hex.externalPSK(identity: pskIdentity, key: psk)

        func keyFile(_ path: String) throws -> [UInt8] {
            let key = PEM.privateKey(in: try ClientOptions.read(path))
            guard !key.isEmpty else { throw ValidationError("no private key in \(path)") }
            return key
        }
        let files = ServerFiles(
            chain: Array(try ClientOptions.certificates(in: cert).joined()), key: try keyFile(key),
            secondChain: try cert2.map { Array(try ClientOptions.certificates(in: $0).joined()) } ?? [],
            secondKey: try key2.map(keyFile) ?? [],
            anchors: try clientCA.map { Array(try ClientOptions.certificates(in: $0).joined()) } ?? [],
            crls: try ClientOptions.crls(in: crl), protocols: try ClientOptions.applicationProtocols(alpn),
            ticketKey: ticket, previousTicketKey: previous, pskIdentity: pskIdentityBytes, pskKey: pskKey,
            sessionCacheBytes: sessionCache * SessionCache.entryLength)
        let options = ServerOptions(
            authentication: authentication, revocation: requireCrl ? .requireCRL : .checkAvailable,
            suites: try ClientOptions.suites(named: suite), versions: try ClientOptions.versions(tls),
            idleMilliseconds: Int64(timeout), handshakeMilliseconds: Int64(handshakeTimeout ?? timeout), trace: trace,
            ticketLifetime: UInt32(lifetime))
        return (files, options)
    }
}

/// Hex option values.
enum Hex {
    /// The bytes of an even number of hex digits, or nil.
    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// `--psk-identity` and `--psk` (both or neither; a key of 32 bytes or more): the
    /// identity's and the key's bytes, empty for none.
    static func externalPSK(identity: String?, key: String?) throws -> (identity: [UInt8], key: [UInt8]) {
        guard identity != nil || key != nil else { return ([], []) }
        guard let identity, let key, !identity.isEmpty else { throw ValidationError("--psk and --psk-identity go together") }
        guard identity.utf8.count <= 255 else { throw ValidationError("--psk-identity must be at most 255 bytes") }
        guard let bytes = bytes(key), bytes.count >= 32 else { throw ValidationError("--psk must be hex, 32 bytes or more") }
        return (Array(identity.utf8), bytes)
    }
}

/// What one server connection's answer and log line say, read from its engine once the
/// handshake is done: shared by `serve` and `uart-serve`.
struct ServedConnection {
    var suite: CipherSuite?
    var protocolName: String?
    var clientSubject: String?
    var resumed: Session.Kind?

    init(engine: borrowing Engine<Server>, files: ServerFiles, certificate: UnsafeMutableBufferPointer<UInt8>?,
         resumed: Session.Kind?) {
        suite = engine.negotiatedSuite
        protocolName = engine.negotiatedApplicationProtocol.map { files.protocolName($0) }
        let length = engine.verifiedPeerCertificateLength
        if length > 0, let certificate, length <= certificate.count {
            clientSubject = DistinguishedNameText.subject(ofCertificate: Array(certificate[0..<length]))
        }
        self.resumed = resumed
    }

    /// A server-side `.resumed` event, kept in `resumed`; other events leave it.
    static func note(_ event: HandshakeEvent, resumed: inout Session.Kind?) {
        if event.byServer, case .resumed(let kind) = event.kind { resumed = kind }
    }

    static func resumptionName(_ kind: Session.Kind?) -> String {
        switch kind {
        case nil: "no"
        case .ticket12?, .ticket13?: "ticket"
        case .externalPSK?: "external PSK"
        case .sessionID?: "session ID"
        }
    }

    /// "TLS 1.3 TLS_AES_128_GCM_SHA256, ALPN http/1.1".
    var negotiated: String {
        guard let suite else { return "not negotiated" }
        var text = "\(suite.version.name) \(suite.name)"
        if let protocolName { text += ", ALPN \(protocolName)" }
        return text
    }

    var clientLine: String { "client: \(clientSubject ?? "none")" }

    /// The text/plain body: version, suite, ALPN, client certificate, resumption.
    var body: String {
        var lines: [String] = []
        if let suite {
            lines.append("version: \(suite.version.name)")
            lines.append("suite: \(suite.name)")
        }
        if let protocolName { lines.append("alpn: \(protocolName)") }
        lines.append(clientLine)
        lines.append("resumed: \(Self.resumptionName(resumed))")
        return lines.map { $0 + "\n" }.joined()
    }

    var response: [UInt8] {
        let body = self.body
        return Array("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// The log line of an answered request (its first line `requestLine`).
    func answeredLine(_ requestLine: String) -> String {
        let resumption = resumed == nil ? "" : ", resumed: \(Self.resumptionName(resumed))"
        return "\(negotiated), \(clientLine), \"\(requestLine)\" → 200\(resumption)"
    }

    /// The first line of a request whose headers end at `end`.
    static func requestLine(_ request: [UInt8], end: Int) -> String {
        String(decoding: request[0..<end].prefix { $0 != 13 }, as: UTF8.self)
    }
}
