// The server role of the C API (tlscore_server_*): a tlscore_server_config made into the
// core's ServerSettings and installed as a HandleContext<Server>, and the loop's exports, each
// a line over the generic calls of TLSCoreCAPI.swift's Handle (the client's are the same
// calls on HandleContext<Client>). Not in the PSK-only build: a server there would have no
// certificate to authenticate with.
#if !TLSCORE_PSK_ONLY
import CTLSCoreAPI
import TLSCore

@_cdecl("tlscore_server_context_size")
public func tlscoreServerContextSize() -> Int { MemoryLayout<HandleContext<Server>>.size }

@_cdecl("tlscore_server_init")
public func tlscoreServerInit(
    _ memory: UnsafeMutableRawPointer?, _ length: Int, _ configuration: UnsafePointer<tlscore_server_config>?
) -> Int32 {
    guard let configuration else { return TLSCORE_ERR_INVALID_ARGUMENT }
    let (room, refused) = Handle.room(memory, length, for: Server.self)
    guard let room else { return refused }
    let setup = configuration.pointee
    guard let entropy = Handle.entropy(setup.entropy, setup.entropy_ctx),
          let time = Handle.time(setup.time, setup.clock, setup.clock_ctx),
          let settings = ServerSetup.of(setup, time: time)
    else { return TLSCORE_ERR_INVALID_ARGUMENT }
    return HandleContext<Server>.install(
        room, settings: settings, input: setup.input, setup.input_len, output: setup.output, setup.output_len,
        reassembly: setup.reassembly, setup.reassembly_len, entropy: entropy, log: setup.log, logContext: setup.log_ctx)
}

@_cdecl("tlscore_server_want")
public func tlscoreServerWant(_ memory: UnsafeMutableRawPointer?) -> UInt32 { Handle.want(memory, Server.self) }

@_cdecl("tlscore_server_output")
public func tlscoreServerOutput(_ memory: UnsafeMutableRawPointer?, _ length: UnsafeMutablePointer<Int>?) -> UnsafePointer<UInt8>? {
    Handle.output(memory, length, Server.self)
}

@_cdecl("tlscore_server_output_done")
public func tlscoreServerOutputDone(_ memory: UnsafeMutableRawPointer?, _ count: Int) -> Int32 {
    Handle.outputDone(memory, count, Server.self)
}

@_cdecl("tlscore_server_input")
public func tlscoreServerInput(_ memory: UnsafeMutableRawPointer?, _ capacity: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<UInt8>? {
    Handle.input(memory, capacity, Server.self)
}

@_cdecl("tlscore_server_input_done")
public func tlscoreServerInputDone(_ memory: UnsafeMutableRawPointer?, _ count: Int) -> Int32 {
    Handle.inputDone(memory, count, Server.self)
}

@_cdecl("tlscore_server_input_eof")
public func tlscoreServerInputEOF(_ memory: UnsafeMutableRawPointer?) -> Int32 { Handle.inputEOF(memory, Server.self) }

@_cdecl("tlscore_server_send")
public func tlscoreServerSend(_ memory: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: Int) -> Int {
    Handle.send(memory, data, length, Server.self)
}

@_cdecl("tlscore_server_recv")
public func tlscoreServerRecv(_ memory: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ capacity: Int) -> Int {
    Handle.receive(memory, buffer, capacity, Server.self)
}

@_cdecl("tlscore_server_close")
public func tlscoreServerClose(_ memory: UnsafeMutableRawPointer?) -> Int32 { Handle.close(memory, Server.self) }

@_cdecl("tlscore_server_error")
public func tlscoreServerError(_ memory: UnsafeMutableRawPointer?, _ detail: UnsafeMutablePointer<Int32>?) -> Int32 {
    Handle.error(memory, detail, Server.self)
}

@_cdecl("tlscore_server_report")
public func tlscoreServerReport(_ memory: UnsafeMutableRawPointer?, _ report: UnsafeMutablePointer<tlscore_report>?) -> Int32 {
    Handle.report(memory, report, Server.self)
}

@_cdecl("tlscore_server_free")
public func tlscoreServerFree(_ memory: UnsafeMutableRawPointer?) { Handle.free(memory, Server.self) }

/// tlscore_server_config as the core's ServerSettings: nil when a field is out of range.
private enum ServerSetup {
    static func of(_ setup: tlscore_server_config, time: Int64) -> ServerSettings? {
        guard setup.suites & ~UInt32(TLSCORE_SUITES_ALL) == 0,
              setup.versions & ~UInt32(TLSCORE_VERSIONS_ALL) == 0 else { return nil }
        let suites = setup.suites == 0 ? CipherSuites.defaults : CipherSuites(rawValue: setup.suites)
        let versions = setup.versions == 0
            ? TLSVersions.all : TLSVersions(rawValue: UInt8(truncatingIfNeeded: setup.versions))
        let authentication: ServerSettings.ClientAuthentication
        switch setup.client_auth {
        case TLSCORE_CLIENT_AUTH_NONE: authentication = .none
        case TLSCORE_CLIENT_AUTH_OPTIONAL: authentication = .optional
        case TLSCORE_CLIENT_AUTH_REQUIRED: authentication = .required
        default: return nil
        }
        let chain = bytes(setup.chain, setup.chain_len), key = bytes(setup.key, setup.key_len)
        let chain2 = bytes(setup.chain2, setup.chain2_len), key2 = bytes(setup.key2, setup.key2_len)
        let cas = bytes(setup.client_cas, setup.client_cas_len)
        let alpn = bytes(setup.alpn, setup.alpn_len)
        let identity = bytes(setup.psk_identity, setup.psk_identity_len), psk = bytes(setup.psk, setup.psk_len)
        let signs = setup.sign != nil
        guard chain.count > 0, key.count > 0 || signs, chain2.count > 0 || key2.count == 0,
              authentication == .none || cas.count > 0, wellFormed(alpn),
              (identity.count == 0) == (psk.count == 0), psk.count == 0 || (psk.count >= 32 && psk.count <= 64),
              setup.ticket_lifetime <= 604_800, setup.ticket_key != nil || setup.previous_ticket_key == nil
        else { return nil }
        let configuration = ServerConfiguration(
            certificateChain: chain.span, privateKey: key.span, clientAuthentication: authentication,
            clientTrustAnchors: cas.span, crls: bytes(setup.crls, setup.crls_len).span, time: time, suites: suites,
            versions: versions, applicationProtocols: alpn.span)
        let paired = chain2.count == 0
            ? configuration : configuration.withSecondCertificate(chain: chain2.span, key: key2.span)
        let signer = setup.sign.map { Signer($0, context: setup.sign_ctx) }
        let signed = signer == nil ? paired : paired.signing(with: signer!)
        let lifetime = setup.ticket_lifetime == 0 ? 7200 : setup.ticket_lifetime
        let ticketKey = bytes(setup.ticket_key, setup.ticket_key == nil ? 0 : Int(TLSCORE_TICKET_KEY_SIZE))
        let previous = bytes(setup.previous_ticket_key, setup.previous_ticket_key == nil ? 0 : Int(TLSCORE_TICKET_KEY_SIZE))
        let tickets = ticketKey.count == 0
            ? signed : signed.issuingTickets(key: ticketKey.span, previous: previous.span, lifetime: lifetime)
        let keyed = psk.count == 0 ? tickets : tickets.withExternalPSK(identity: identity.span, key: psk.span)
        let cache = UnsafeMutableBufferPointer(start: setup.session_cache, count: setup.session_cache == nil ? 0 : setup.session_cache_len)
        let cached = cache.count == 0 ? keyed : keyed.cachingSessions(in: cache.mutableSpan, lifetime: lifetime)
        guard let leaf = setup.client_certificate, setup.client_certificate_len > 0 else { return cached.settings }
        let region = UnsafeMutableBufferPointer(start: leaf, count: setup.client_certificate_len)
        return cached.keepingClientCertificate(in: region.mutableSpan).settings
    }

    /// An ALPN list as the extension carries it: names of 1...255 bytes, each after its length.
    private static func wellFormed(_ list: UnsafeBufferPointer<UInt8>) -> Bool {
        var at = 0
        while at < list.count {
            let length = Int(list[at])
            guard length > 0, length < list.count &- at else { return false }
            at &+= 1 &+ length
        }
        return true
    }

    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }
}
#endif
