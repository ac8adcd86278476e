import TLSCore

extension AlertDescription {
    /// The RFC's name for the alert, as people grep for it.
    var name: String {
        switch self {
        case .closeNotify: "close_notify"
        case .unexpectedMessage: "unexpected_message"
        case .badRecordMAC: "bad_record_mac"
        case .recordOverflow: "record_overflow"
        case .handshakeFailure: "handshake_failure"
        case .badCertificate: "bad_certificate"
        case .unsupportedCertificate: "unsupported_certificate"
        case .certificateRevoked: "certificate_revoked"
        case .certificateExpired: "certificate_expired"
        case .certificateUnknown: "certificate_unknown"
        case .illegalParameter: "illegal_parameter"
        case .unknownCA: "unknown_ca"
        case .accessDenied: "access_denied"
        case .decodeError: "decode_error"
        case .decryptError: "decrypt_error"
        case .protocolVersion: "protocol_version"
        case .insufficientSecurity: "insufficient_security"
        case .internalError: "internal_error"
        case .inappropriateFallback: "inappropriate_fallback"
        case .userCanceled: "user_canceled"
        case .noRenegotiation: "no_renegotiation"
        case .missingExtension: "missing_extension"
        case .unsupportedExtension: "unsupported_extension"
        case .unrecognizedName: "unrecognized_name"
        case .badCertificateStatusResponse: "bad_certificate_status_response"
        case .unknownPSKIdentity: "unknown_psk_identity"
        case .certificateRequired: "certificate_required"
        case .noApplicationProtocol: "no_application_protocol"
        }
    }
}

extension TLSError {
    /// One line naming the cause and the alert, for people reading a log.
    var summary: String {
        switch self {
        case .peerAlert(let alert): return "the server sent a fatal alert: \(alert.name)"
        case .connectionClosed: return "the server closed the connection (no alert)"
        case .timeout: return "timed out waiting for the peer (no alert)"
        case .transport(let code): return "transport error errno \(code) (no alert)"
        case .messageTooLong(let length):
            return "handshake message length \(length) exceeds anything this engine accepts (sent alert decode_error)"
        case .maxFragmentLengthNotAccepted(let capacity):
            return "the server did not accept max_fragment_length or record_size_limit: records up to 16 KB would follow, and the input region holds \(capacity) bytes (sent alert handshake_failure)"
        case .outOfMemory(let code):
            return "out of memory: Mbed TLS could not allocate (code -0x\(String(-Int(code), radix: 16, uppercase: true))); its heap or arena is too small (sent alert internal_error)"
        case .weakServerKey(let bits):
            return "the server's RSA key has \(bits) bits, below the minimum (sent alert insufficient_security)"
        default:
            let cause: String = if case .certificate(let reason) = self { "certificate \(reason)" } else { "\(self)" }
            return "\(cause) (sent alert \(alert?.name ?? "none"))"
        }
    }
}

extension HandshakeEvent {
    /// "② ← ServerHello (93 bytes)" and the like.
    var line: String {
        let circled = ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩"][max(0, min(9, step - 1))]
        let what: String = switch kind {
        case .sent(let type): "→ \(type)"
        case .received(let type): "← \(type)"
        case .changeCipherSpecSent: "→ ChangeCipherSpec"
        case .changeCipherSpecReceived: "← ChangeCipherSpec"
        case .certificateValidated: "   server certificate chain validated"
        case .keysDerived: "   secrets and record keys derived"
        case .clientCertificateDeclined(let reason): "   no client certificate sent (empty Certificate): \(reason.explanation)"
        case .warningSent(let alert): "→ warning alert \(alert.name)"
        case .helloRetryRequest(let group):
            "← HelloRetryRequest" + (group.map { ": the server asks for a \($0.name) key share" } ?? " (cookie only)")
        case .keyShareAgreed(let group): "   \(group.name) shared secret from the key shares"
        case .keyUpdateReceived(let requested): "← KeyUpdate" + (requested ? " (update_requested)" : "")
        case .keyUpdateSent(let requesting): "→ KeyUpdate" + (requesting ? " (update_requested)" : "")
        case .sessionTicket(let lifetime): "← NewSessionTicket (lifetime \(lifetime) s)"
        case .sessionOffered(let kind): kind == .externalPSK ? "   offering the external PSK" : "   offering the stored session (\(kind.name))"
        case .sessionNotOffered(let reason): "   full handshake: the stored session was not offered: \(reason.explanation)"
        case .resumed(let kind): "   the server resumed the session (\(kind.name)): no certificate exchange"
        case .resumptionDeclined(let kind): "   full handshake: the server declined the session offered (\(kind.name))"
        case .sessionStored(let kind): "   session stored (\(kind.name))"
        case .ticketTooLong(let length): "   ticket of \(byteCount(length)) not stored (over \(Session.ticketCapacity))"
        case .clientCertificateValidated: "   client certificate chain validated (CA, dates, signatures, CRL)"
        case .clientCertificateAbsent: "   no client certificate (optional)"
        case .helloRetryRequested(let group): "→ HelloRetryRequest: asking for a \(group.name) key share"
        case .renegotiationRefused: "   renegotiation refused (no_renegotiation)"
        case .sessionTicketIssued(let lifetime): "→ NewSessionTicket (lifetime \(lifetime) s)"
        }
        return length > 0 ? "\(circled) \(what) (\(byteCount(length)))" : "\(circled) \(what)"
    }
}

extension NamedGroup {
    var name: String {
        switch self {
        case .x25519: "x25519"
        case .secp256r1: "secp256r1"
        case .secp384r1: "secp384r1"
        }
    }
}

/// "negotiated TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519)", "negotiated TLS 1.2
/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with extended_master_secret".
func negotiatedLine(
    suite: CipherSuite, group: NamedGroup?, extendedMasterSecret: Bool, resumed: Session.Kind? = nil
) -> String {
    var line = "negotiated \(suite.version.name) \(suite.name)"
    if let group { line += " (\(group.name))" }
    if extendedMasterSecret { line += " with extended_master_secret" }
    if let resumed { line += ", resumed (\(resumed.name))" }
    return line
}

extension Session.Kind {
    /// How a trace names the way a session resumes: by session ID or ticket (TLS 1.2), by
    /// PSK (a TLS 1.3 ticket's resumption PSK).
    var name: String {
        switch self {
        case .sessionID: "session ID"
        case .ticket12: "ticket"
        case .ticket13: "PSK"
        case .externalPSK: "external PSK"
        }
    }
}

extension Session.Refusal {
    var explanation: String {
        switch self {
        case .empty: "none stored"
        case .truncated: "it is truncated"
        case .malformed: "it is not a session (malformed)"
        case .unknownFormat: "an unknown session format version"
        case .corrupt: "its check does not match (corrupted or written in part)"
        case .expired: "it has expired"
        case .notYetValid: "it was stored after the validation time"
        case .otherServer: "it belongs to another server name"
        case .otherTrust: "it was validated under other trust anchors"
        case .notOffered: "its version or suite is not offered (or it lacks extended_master_secret)"
        }
    }
}

extension CipherSuite {
    /// The suite with this IANA name, as `--suite` takes it.
    static func named(_ name: String) -> CipherSuite? {
        for i in preferenceOrder.indices where "\(preferenceOrder[i].name)" == name { return preferenceOrder[i] }
        return nil
    }
}

/// "1 byte", "93 bytes": counts in traces read as English (a ChangeCipherSpec is one byte).
func byteCount(_ count: Int) -> String { count == 1 ? "1 byte" : "\(count) bytes" }

extension ClientCertificateDeclined {
    var explanation: String {
        switch self {
        case .noCertificateConfigured: "none is configured (--cert/--key)"
        case .keyTypeNotRequested: "the server's certificate_types do not include our key's type"
        case .authorityNotRequested: "our chain reaches none of the server's certificate_authorities"
        case .noCommonSignatureScheme: "no signature scheme of ours is in the server's list"
        }
    }
}
