// The C API of boards/include/tlscore.h, as @_cdecl exports over TLSCore and TLSPlatform.
// Compiled as Embedded Swift with -no-allocations by scripts/build-boards.sh, one object per
// board, archived into libtlscore.a beside the core. See the header for the shape and why.
import CPOSIX
import CTLSCoreAPI
import TLSCore
import TLSPlatform

// MARK: tlscore_client_run

@_cdecl("tlscore_client_run")
public func tlscoreClientRun(
    _ configuration: UnsafePointer<tlscore_config>?, _ io: UnsafePointer<tlscore_io>?,
    _ session: tlscore_session_fn?, _ context: UnsafeMutableRawPointer?,
    _ report: UnsafeMutablePointer<tlscore_report>?
) -> Int32 {
    report?.pointee = tlscore_report()
    guard let configuration, let io, let session else { return TLSCORE_ERR_INVALID_ARGUMENT }
    let setup = io.pointee
    guard setup.timeout_ms > 0 else { return TLSCORE_ERR_INVALID_ARGUMENT }
    if let read = setup.read, let write = setup.write {
        return BoardClient.run(
            configuration.pointee, transport: BoardTransport(read: read, write: write, context: setup.io_ctx),
            timeout: Int(setup.timeout_ms), session: session, context: context, report: report)
    }
    guard setup.fd >= 0 else { return TLSCORE_ERR_INVALID_ARGUMENT }
    var descriptor = setup.fd
    let flags = cposix_fcntl_int(descriptor, F_GETFL, 0)
    if flags >= 0 && flags & O_NONBLOCK == 0 { _ = cposix_fcntl_int(descriptor, F_SETFL, flags | O_NONBLOCK) }
    return withUnsafeMutablePointer(to: &descriptor) { pointer in
        BoardClient.run(
            configuration.pointee,
            transport: BoardTransport(read: FileDescriptorIO.read, write: FileDescriptorIO.write, context: UnsafeMutableRawPointer(pointer)),
            timeout: Int(setup.timeout_ms), session: session, context: context, report: report)
    }
}

/// One connection, start to close_notify, inside this frame: the engine borrows the
/// caller's regions and cannot leave it (see the header).
private enum BoardClient {
    static func run(
        _ setup: tlscore_config, transport: consuming BoardTransport, timeout: Int, session: tlscore_session_fn,
        context: UnsafeMutableRawPointer?, report: UnsafeMutablePointer<tlscore_report>?
    ) -> Int32 {
        guard setup.anchors != nil, setup.anchors_len > 0, setup.input != nil, setup.output != nil,
              setup.reassembly != nil, setup.suites & ~UInt32(TLSCORE_SUITES_ALL) == 0
        else { return TLSCORE_ERR_INVALID_ARGUMENT }
        var fragment: MaxFragmentLength? = nil
        switch setup.max_fragment_length {
        case 0: fragment = nil
        case 512: fragment = .bytes512
        case 1024: fragment = .bytes1024
        case 2048: fragment = .bytes2048
        case 4096: fragment = .bytes4096
        default: return TLSCORE_ERR_INVALID_ARGUMENT
        }
        let suites = setup.suites == 0
            ? CipherSuites.defaults : CipherSuites(rawValue: UInt16(truncatingIfNeeded: setup.suites))
        guard setup.versions & ~UInt32(TLSCORE_VERSIONS_ALL) == 0 else { return TLSCORE_ERR_INVALID_ARGUMENT }
        let versions = setup.versions == 0 ? TLSVersions.all : TLSVersions(rawValue: UInt8(truncatingIfNeeded: setup.versions))
        // The key share's group first, then the others in the default order.
        var groups = NamedGroups()
        switch setup.key_share_group {
        case 0, TLSCORE_GROUP_X25519: groups.append(.x25519)
        case TLSCORE_GROUP_SECP256R1: groups.append(.secp256r1)
        case TLSCORE_GROUP_SECP384R1: groups.append(.secp384r1)
        default: return TLSCORE_ERR_INVALID_ARGUMENT
        }
        groups.append(.x25519)
        groups.append(.secp256r1)
        groups.append(.secp384r1)

        var nameCount = 0
        if let name = setup.server_name { nameCount = strlen(name) }
        let name = UnsafeBufferPointer(
            start: UnsafeRawPointer(setup.server_name)?.assumingMemoryBound(to: UInt8.self), count: nameCount)
        let address = bytes(setup.server_address, setup.server_address_len)
        let anchors = bytes(setup.anchors, setup.anchors_len)
        let crls = bytes(setup.crls, setup.crls_len)
        let chain = bytes(setup.client_chain, setup.client_chain_len)
        let key = bytes(setup.client_key, setup.client_key_len)
        let input = UnsafeMutableBufferPointer(start: setup.input, count: setup.input_len)
        let output = UnsafeMutableBufferPointer(start: setup.output, count: setup.output_len)
        let reassembly = UnsafeMutableBufferPointer(start: setup.reassembly, count: setup.reassembly_len)
        let personalization: InlineArray<7, UInt8> = [0x74, 0x6c, 0x73, 0x63, 0x6f, 0x72, 0x65]  // "tlscore"

        do throws(TLSError) {
            let configuration = ClientConfiguration(
                serverName: name.span, serverAddress: address.span, trustAnchors: anchors.span, crls: crls.span,
                time: setup.time, suites: suites, versions: versions, groups: groups, maxFragmentLength: fragment,
                minimumRSAKeyBits: setup.min_rsa_bits == 0 ? 2048 : Int(setup.min_rsa_bits),
                clientCertificateChain: chain.span, clientPrivateKey: key.span)
            let random = try Random(entropy: SystemEntropy.source, personalization: personalization.span)
            let engine = try ClientEngine(
                configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
                reassembly: reassembly.mutableSpan, random: random)
            var connection = Connection(
                engine: engine, transport: transport, timeoutMilliseconds: timeout,
                clock: { Clock.monotonicMilliseconds() })
            var clientCertificate = UInt8(TLSCORE_CLIENT_CERT_NOT_REQUESTED)
            defer { report?.pointee.client_certificate = clientCertificate }
            try connection.handshake { event in
                switch event.kind {
                case .sent(.certificate):
                    // An empty Certificate is 7 bytes; a declined request is reported below.
                    if event.length > 7 { clientCertificate = UInt8(TLSCORE_CLIENT_CERT_SENT) }
                case .clientCertificateDeclined(let reason):
                    clientCertificate = switch reason {
                    case .noCertificateConfigured: UInt8(TLSCORE_CLIENT_CERT_NONE_CONFIGURED)
                    case .keyTypeNotRequested: UInt8(TLSCORE_CLIENT_CERT_KEY_TYPE_NOT_ASKED)
                    case .authorityNotRequested: UInt8(TLSCORE_CLIENT_CERT_AUTHORITY_NOT_ASKED)
                    case .noCommonSignatureScheme: UInt8(TLSCORE_CLIENT_CERT_NO_COMMON_SCHEME)
                    }
                default:
                    break
                }
            }
            report?.pointee.suite = connection.engine.negotiatedSuite?.rawValue ?? 0
            report?.pointee.extended_master_secret = connection.engine.usesExtendedMasterSecret ? 1 : 0
            report?.pointee.version = connection.engine.negotiatedVersion?.rawValue ?? 0
            report?.pointee.group = connection.engine.negotiatedGroup?.rawValue ?? 0

            var reply: UnsafePointer<UInt8>? = nil
            var replyCount = 0
            var verdict = session(context, Int32(TLSCORE_EVENT_CONNECTED), nil, 0, &reply, &replyCount)
            var chunk = InlineArray<512, UInt8>(repeating: 0)
            while true {
                if verdict < 0 {
                    connection.close()
                    return TLSCORE_ERR_ABORTED
                }
                if let pending = reply, replyCount > 0 {
                    try connection.write(UnsafeBufferPointer(start: pending, count: replyCount).span)
                }
                reply = nil
                replyCount = 0
                if verdict == TLSCORE_DONE {
                    connection.close()
                    return TLSCORE_OK
                }
                var room = chunk.mutableSpan
                let count = try connection.read(into: &room)
                if count == 0 {
                    report?.pointee.closed_by_notify = connection.engine.state.isClosed ? 1 : 0
                    _ = session(context, Int32(TLSCORE_EVENT_CLOSED), nil, 0, &reply, &replyCount)
                    connection.close()
                    return TLSCORE_OK
                }
                verdict = room.withUnsafeBufferPointer { received in
                    session(context, Int32(TLSCORE_EVENT_DATA), received.baseAddress, count, &reply, &replyCount)
                }
            }
        } catch {
            let (code, detail) = ErrorCode.of(error)
            report?.pointee.detail = detail
            return code
        }
    }

    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }
}

// MARK: transports

/// tlscore_io as a `Transport`: the caller's callbacks, or the file-descriptor ones below.
/// One concrete type, so the generic `Connection` is specialised once.
private struct BoardTransport: Transport, ~Copyable {
    let read: tlscore_read_fn
    let write: tlscore_write_fn
    let context: UnsafeMutableRawPointer?

    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if bytes.isEmpty { return 0 }
        let write = self.write, context = self.context
        let timeout = Int32(truncatingIfNeeded: timeoutMilliseconds)
        let sent = bytes.withUnsafeBufferPointer { write(context, $0.baseAddress, $0.count, timeout) }
        if sent > 0 { return sent }
        throw sent == 0 ? .connectionClosed : Self.failure(sent)
    }

    mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if buffer.isEmpty { throw .bufferTooSmall(needed: 1, capacity: 0) }
        let read = self.read, context = self.context
        let timeout = Int32(truncatingIfNeeded: timeoutMilliseconds)
        let received = buffer.withUnsafeMutableBufferPointer { read(context, $0.baseAddress, $0.count, timeout) }
        if received >= 0 { return received }
        throw Self.failure(received)
    }

    private static func failure(_ result: Int) -> TLSError {
        result == Int(TLSCORE_IO_TIMEOUT) ? .timeout : .transport(cposix_errno())
    }
}

/// poll/read/write over the caller's descriptor (context points at it). A socket is written
/// with MSG_NOSIGNAL so that a closed peer is an error, not SIGPIPE.
private enum FileDescriptorIO {
    static let read: tlscore_read_fn = { context, buffer, capacity, timeout in
        guard let context else { return Int(TLSCORE_IO_FAILED) }
        let descriptor = context.load(as: Int32.self)
        while true {
            let ready = wait(descriptor, Int16(POLLIN), timeout)
            if ready != 0 { return ready }
            let count = CPOSIX.read(descriptor, buffer, capacity)
            if count >= 0 { return count }
            let code = cposix_errno()
            if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            // A pty whose other side closed reads EIO: its end of stream.
            if code == EIO { return 0 }
            return Int(TLSCORE_IO_FAILED)
        }
    }

    static let write: tlscore_write_fn = { context, buffer, count, timeout in
        guard let context else { return Int(TLSCORE_IO_FAILED) }
        let descriptor = context.load(as: Int32.self)
        while true {
            let ready = wait(descriptor, Int16(POLLOUT), timeout)
            if ready != 0 { return ready }
            var sent = CPOSIX.send(descriptor, buffer, count, Int32(MSG_NOSIGNAL))
            if sent < 0 && cposix_errno() == ENOTSOCK { sent = CPOSIX.write(descriptor, buffer, count) }
            if sent > 0 { return sent }
            let code = cposix_errno()
            if sent == 0 || code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            return Int(TLSCORE_IO_FAILED)
        }
    }

    /// 0 when ready, else the callback result for a timeout or a failure.
    private static func wait(_ descriptor: Int32, _ events: Int16, _ timeout: Int32) -> Int {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return 0 }
            if ready == 0 { return Int(TLSCORE_IO_TIMEOUT) }
            if cposix_errno() != EINTR { return Int(TLSCORE_IO_FAILED) }
        }
    }
}

// MARK: error codes

private enum ErrorCode {
    /// The header's code for `error`, and its detail (errno, Mbed TLS code, bytes needed, the
    /// number of a named certificate rule).
    static func of(_ error: TLSError) -> (Int32, Int32) {
        switch error {
        case .truncated: (TLSCORE_ERR_TRUNCATED, 0)
        case .malformed: (TLSCORE_ERR_MALFORMED, 0)
        case .trailingBytes: (TLSCORE_ERR_TRAILING_BYTES, 0)
        case .bufferTooSmall(let needed, _): (TLSCORE_ERR_BUFFER_TOO_SMALL, Int32(truncatingIfNeeded: needed))
        case .messageTooLong(let length): (TLSCORE_ERR_MESSAGE_TOO_LONG, Int32(truncatingIfNeeded: length))
        case .badRecordMAC: (TLSCORE_ERR_BAD_RECORD_MAC, 0)
        case .badSignature: (TLSCORE_ERR_BAD_SIGNATURE, 0)
        case .invalidPeerKey: (TLSCORE_ERR_INVALID_PEER_KEY, 0)
        case .unsupportedAlgorithm: (TLSCORE_ERR_UNSUPPORTED_ALGORITHM, 0)
        case .randomFailure: (TLSCORE_ERR_RANDOM_FAILURE, 0)
        case .mbedTLS(let code): (TLSCORE_ERR_MBEDTLS, code)
        case .certificate(.violates(let rule)): (TLSCORE_ERR_CERT_RULE, Int32(rule.rawValue))
        case .certificate(let reason): (certificate(reason), 0)
        case .unexpectedMessage: (TLSCORE_ERR_UNEXPECTED_MESSAGE, 0)
        case .recordOverflow: (TLSCORE_ERR_RECORD_OVERFLOW, 0)
        case .protocolVersion: (TLSCORE_ERR_PROTOCOL_VERSION, 0)
        case .maxFragmentLengthNotAccepted(let capacity): (TLSCORE_ERR_MAX_FRAGMENT_NOT_ACCEPTED, Int32(truncatingIfNeeded: capacity))
        case .weakServerKey(let bits): (TLSCORE_ERR_WEAK_SERVER_KEY, Int32(truncatingIfNeeded: bits))
        case .illegalParameter: (TLSCORE_ERR_ILLEGAL_PARAMETER, 0)
        case .handshakeFailure: (TLSCORE_ERR_HANDSHAKE_FAILURE, 0)
        case .unsupportedExtension: (TLSCORE_ERR_UNSUPPORTED_EXTENSION, 0)
        case .missingExtension: (TLSCORE_ERR_MISSING_EXTENSION, 0)
        case .badRetryRequest: (TLSCORE_ERR_BAD_RETRY_REQUEST, 0)
        case .downgradeDetected: (TLSCORE_ERR_DOWNGRADE_DETECTED, 0)
        case .finishedMismatch: (TLSCORE_ERR_FINISHED_MISMATCH, 0)
        case .renegotiationRefused: (TLSCORE_ERR_RENEGOTIATION_REFUSED, 0)
        case .invalidState: (TLSCORE_ERR_INVALID_STATE, 0)
        case .peerAlert(let alert): (TLSCORE_ERR_PEER_ALERT_BASE &- Int32(truncatingIfNeeded: alert.rawValue), 0)
        case .connectionClosed: (TLSCORE_ERR_CONNECTION_CLOSED, 0)
        case .timeout: (TLSCORE_ERR_TIMEOUT, 0)
        case .transport(let code): (TLSCORE_ERR_TRANSPORT, code)
        }
    }

    private static func certificate(_ reason: CertificateError) -> Int32 {
        switch reason {
        case .expired: TLSCORE_ERR_CERT_EXPIRED
        case .notYetValid: TLSCORE_ERR_CERT_NOT_YET_VALID
        case .unknownIssuer: TLSCORE_ERR_CERT_UNKNOWN_ISSUER
        case .badSignature: TLSCORE_ERR_CERT_BAD_SIGNATURE
        case .issuerNotCA: TLSCORE_ERR_CERT_ISSUER_NOT_CA
        case .nameMismatch: TLSCORE_ERR_CERT_NAME_MISMATCH
        case .wrongPurpose: TLSCORE_ERR_CERT_WRONG_PURPOSE
        case .revoked: TLSCORE_ERR_CERT_REVOKED
        case .unsupportedCriticalExtension: TLSCORE_ERR_CERT_UNSUPPORTED_CRITICAL_EXTENSION
        case .unsupportedAlgorithm: TLSCORE_ERR_CERT_UNSUPPORTED_ALGORITHM
        case .crlExpired: TLSCORE_ERR_CERT_CRL_EXPIRED
        case .crlMissing: TLSCORE_ERR_CERT_CRL_MISSING
        case .crlBadSignature: TLSCORE_ERR_CERT_CRL_BAD_SIGNATURE
        case .nameConstraintViolation: TLSCORE_ERR_CERT_NAME_CONSTRAINT
        case .violates: TLSCORE_ERR_CERT_RULE
        case .malformed(where: .trustAnchor): TLSCORE_ERR_CERT_BAD_ANCHOR
        case .malformed: TLSCORE_ERR_CERT_MALFORMED
        }
    }
}

// MARK: tlscore_strerror

@_cdecl("tlscore_strerror")
public func tlscoreStrerror(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    if code <= TLSCORE_ERR_PEER_ALERT_BASE && code > TLSCORE_ERR_PEER_ALERT_BASE &- 256 {
        text = alertText(UInt8(truncatingIfNeeded: TLSCORE_ERR_PEER_ALERT_BASE &- code))
    } else {
        text = codeText(code)
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

private func codeText(_ code: Int32) -> StaticString {
    switch code {
    case TLSCORE_OK: "success"
    case TLSCORE_ERR_TRUNCATED: "truncated message from the peer"
    case TLSCORE_ERR_MALFORMED: "malformed message from the peer"
    case TLSCORE_ERR_TRAILING_BYTES: "trailing bytes after a message"
    case TLSCORE_ERR_BUFFER_TOO_SMALL: "a region is too small (report.detail: bytes needed)"
    case TLSCORE_ERR_BAD_RECORD_MAC: "bad record MAC"
    case TLSCORE_ERR_BAD_SIGNATURE: "the server's signature does not verify"
    case TLSCORE_ERR_INVALID_PEER_KEY: "invalid peer key share"
    case TLSCORE_ERR_UNSUPPORTED_ALGORITHM: "unsupported algorithm"
    case TLSCORE_ERR_RANDOM_FAILURE: "random generator or entropy failure"
    case TLSCORE_ERR_MBEDTLS: "Mbed TLS error (report.detail: its code)"
    case TLSCORE_ERR_UNEXPECTED_MESSAGE: "unexpected message"
    case TLSCORE_ERR_RECORD_OVERFLOW: "record overflow"
    case TLSCORE_ERR_PROTOCOL_VERSION: "the server chose no version offered"
    case TLSCORE_ERR_ILLEGAL_PARAMETER: "illegal parameter from the server"
    case TLSCORE_ERR_HANDSHAKE_FAILURE: "handshake failure: nothing in common"
    case TLSCORE_ERR_UNSUPPORTED_EXTENSION: "unsolicited extension from the server"
    case TLSCORE_ERR_DOWNGRADE_DETECTED: "downgrade detected (the server's random carries the TLS 1.3 sentinel)"
    case TLSCORE_ERR_FINISHED_MISMATCH: "the server's Finished does not match"
    case TLSCORE_ERR_RENEGOTIATION_REFUSED: "renegotiation refused"
    case TLSCORE_ERR_INVALID_STATE: "engine used out of order"
    case TLSCORE_ERR_CONNECTION_CLOSED: "connection closed during the handshake"
    case TLSCORE_ERR_TIMEOUT: "timed out"
    case TLSCORE_ERR_TRANSPORT: "transport failure (report.detail: errno)"
    case TLSCORE_ERR_INVALID_ARGUMENT: "invalid argument"
    case TLSCORE_ERR_ABORTED: "aborted by the session function"
    case TLSCORE_ERR_MESSAGE_TOO_LONG: "a handshake message length exceeds anything this engine accepts (report.detail: the length)"
    case TLSCORE_ERR_MAX_FRAGMENT_NOT_ACCEPTED: "the server did not accept max_fragment_length: records up to 16 KB would follow (report.detail: input region bytes)"
    case TLSCORE_ERR_WEAK_SERVER_KEY: "the server's RSA key is below the minimum (report.detail: its bits)"
    case TLSCORE_ERR_MISSING_EXTENSION: "a message from the server lacks a required extension"
    case TLSCORE_ERR_BAD_RETRY_REQUEST: "bad HelloRetryRequest from the server"
    case TLSCORE_ERR_CERT_EXPIRED: "certificate: expired"
    case TLSCORE_ERR_CERT_NOT_YET_VALID: "certificate: not yet valid"
    case TLSCORE_ERR_CERT_UNKNOWN_ISSUER: "certificate: unknown issuer (no trust anchor issues the chain)"
    case TLSCORE_ERR_CERT_BAD_SIGNATURE: "certificate: bad signature"
    case TLSCORE_ERR_CERT_ISSUER_NOT_CA: "certificate: issuer is not a CA"
    case TLSCORE_ERR_CERT_PATH_TOO_LONG: "certificate: path too long (retired: now TLSCORE_ERR_CERT_RULE)"
    case TLSCORE_ERR_CERT_NAME_MISMATCH: "certificate: name mismatch"
    case TLSCORE_ERR_CERT_WRONG_PURPOSE: "certificate: key usage does not allow the negotiated key exchange"
    case TLSCORE_ERR_CERT_REVOKED: "certificate: revoked"
    case TLSCORE_ERR_CERT_UNSUPPORTED_CRITICAL_EXTENSION: "certificate: unsupported critical extension"
    case TLSCORE_ERR_CERT_UNSUPPORTED_ALGORITHM: "certificate: unsupported or refused algorithm"
    case TLSCORE_ERR_CERT_CRL_EXPIRED: "certificate: CRL out of date"
    case TLSCORE_ERR_CERT_CRL_MISSING: "certificate: CRL missing"
    case TLSCORE_ERR_CERT_CRL_BAD_SIGNATURE: "certificate: CRL signature does not verify"
    case TLSCORE_ERR_CERT_NAME_CONSTRAINT: "certificate: name constraint violated"
    case TLSCORE_ERR_CERT_MALFORMED: "certificate: malformed DER"
    case TLSCORE_ERR_CERT_BAD_ANCHOR: "certificate: a trust anchor does not decode"
    case TLSCORE_ERR_CERT_RULE: "certificate: refused by a named rule (report.detail: its number, see tlscore_cert_rule_name)"
    default: "unknown error code"
    }
}

// MARK: tlscore_cert_rule_name

/// The rule's stable name (`CertificateRule.name`, what `hostsim verify` prints) for the
/// number in `report.detail` beside TLSCORE_ERR_CERT_RULE: a StaticString, NUL-terminated,
/// nothing allocated.
@_cdecl("tlscore_cert_rule_name")
public func tlscoreCertRuleName(_ rule: Int32) -> UnsafePointer<CChar> {
    var text: StaticString = "unknown certificate rule"
    if rule > 0 && rule <= Int32(UInt8.max), let known = CertificateRule(rawValue: UInt8(truncatingIfNeeded: rule)) {
        text = known.name
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

private func alertText(_ description: UInt8) -> StaticString {
    switch AlertDescription(rawValue: description) {
    case .closeNotify: "peer alert: close_notify during the handshake"
    case .unexpectedMessage: "peer alert: unexpected_message"
    case .badRecordMAC: "peer alert: bad_record_mac"
    case .recordOverflow: "peer alert: record_overflow"
    case .handshakeFailure: "peer alert: handshake_failure"
    case .badCertificate: "peer alert: bad_certificate"
    case .unsupportedCertificate: "peer alert: unsupported_certificate"
    case .certificateRevoked: "peer alert: certificate_revoked"
    case .certificateExpired: "peer alert: certificate_expired"
    case .certificateUnknown: "peer alert: certificate_unknown"
    case .illegalParameter: "peer alert: illegal_parameter"
    case .unknownCA: "peer alert: unknown_ca"
    case .accessDenied: "peer alert: access_denied"
    case .decodeError: "peer alert: decode_error"
    case .decryptError: "peer alert: decrypt_error"
    case .protocolVersion: "peer alert: protocol_version"
    case .insufficientSecurity: "peer alert: insufficient_security"
    case .internalError: "peer alert: internal_error"
    case .inappropriateFallback: "peer alert: inappropriate_fallback"
    case .userCanceled: "peer alert: user_canceled"
    case .noRenegotiation: "peer alert: no_renegotiation"
    case .missingExtension: "peer alert: missing_extension"
    case .unsupportedExtension: "peer alert: unsupported_extension"
    case .unrecognizedName: "peer alert: unrecognized_name"
    case .badCertificateStatusResponse: "peer alert: bad_certificate_status_response"
    case .unknownPSKIdentity: "peer alert: unknown_psk_identity"
    case .certificateRequired: "peer alert: certificate_required"
    case .noApplicationProtocol: "peer alert: no_application_protocol"
    case nil: "peer alert: unknown description"
    }
}
