import CMbedTLS
import Foundation
import Testing
import TLSCore

/// ⑤ Client certificates against servers that require and check them, CRL included.
@Suite struct ClientAuthTests {
    /// s_server's CA file carries the roots and the CRLs, so that `-crl_check` finds the CRL
    /// of whichever intermediate issued the client certificate.
    static let trustFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlscore-client-auth-\(getpid()).pem").path
        let parts = ["ca-bundle.pem", "int-ec.crl", "root-ec.crl", "int-rsa.crl"]
        let text = parts.map { (try? String(contentsOfFile: Fixtures.pki($0), encoding: .utf8)) ?? "" }.joined()
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }()

    static var openSSLVerifying: [String] {
        TestServer.openSSLArguments(certificate: "server-ec", chainIssuer: "int-ec", extra: [
            "-Verify", "1", "-verify_return_error", "-CAfile", trustFile, "-crl_check",
        ])
    }

    static var gnuTLSVerifying: [String] {
        TestServer.gnuTLSArguments(certificate: "server-ec", extra: [
            "--x509cafile", Fixtures.pki("ca-bundle.pem"), "--x509crlfile", Fixtures.pki("int-ec.crl"),
            "--require-client-cert", "--verify-client-cert",
        ])
    }

    static func withClient(
        _ certificate: String?, openSSL: Bool, eventLog: EventLog? = nil
    ) throws -> Result<ClientHarness.Outcome, TLSError> {
        let body = { (server: TestServer) -> Result<ClientHarness.Outcome, TLSError> in
            var client = ClientHarness()
            client.clientCertificate = certificate
            client.eventLog = eventLog
            return client.run(port: server.port)
        }
        return openSSL ? try TestServer.withOpenSSL(openSSLVerifying, body: body)
                       : try TestServer.withGnuTLS(gnuTLSVerifying, body: body)
    }

    @Test(arguments: [true, false], ["client-ec", "client-rsa"])
    func goodCertificateIsAccepted(openSSL: Bool, certificate: String) throws {
        let outcome = try Self.withClient(certificate, openSSL: openSSL).get()
        #expect(outcome.text.contains("HTTP/1.0 200"))
        #expect(outcome.events.contains { $0.kind == .sent(.certificateVerify) && $0.step == 5 })
    }

    /// An RSA client chain with max_fragment_length 512: the Certificate message spans
    /// records, and the whole flight fits the output region the configuration asks for.
    /// With the reassembly region the configuration suggests, which also stages the
    /// client's whole flight (Certificate, ClientKeyExchange, CertificateVerify, Finished).
    @Test(arguments: ["client-ec", "client-rsa"])
    func suggestedReassemblyRegionHoldsTheFlight(certificate: String) throws {
        try TestServer.withOpenSSL(Self.openSSLVerifying) { server in
            var client = ClientHarness()
            client.clientCertificate = certificate
            client.suggestedReassembly = true
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.hasPrefix("HTTP/1.0 200 ok"))
        }
    }

    @Test func clientChainWithSmallRecords() throws {
        try TestServer.withOpenSSL(Self.openSSLVerifying) { server in
            var client = ClientHarness()
            client.clientCertificate = "client-rsa"
            client.maxFragment = .bytes512
            let outcome = try client.run(port: server.port).get()
            #expect(outcome.text.contains("HTTP/1.0 200"))
        }
    }

    @Test func revokedCertificateWithOpenSSL() throws {
        let result = try Self.withClient("client-ec-revoked", openSSL: true)
        #expect(throws: TLSError.peerAlert(.certificateRevoked)) { try result.get() }
    }

    @Test func revokedCertificateWithGnuTLS() throws {
        // GnuTLS reports a revoked client certificate as access_denied (INTEROP.md).
        let result = try Self.withClient("client-ec-revoked", openSSL: false)
        #expect(throws: TLSError.peerAlert(.accessDenied)) { try result.get() }
    }

    @Test func noCertificateConfigured() throws {
        let log = EventLog()
        #expect(throws: TLSError.peerAlert(.handshakeFailure)) { try Self.withClient(nil, openSSL: true, eventLog: log).get() }
        // The trace says why an empty Certificate went out.
        #expect(log.events.contains { $0.kind == .clientCertificateDeclined(.noCertificateConfigured) && $0.step == 5 })
        let gnutls = try Self.withClient(nil, openSSL: false)
        guard case .failure(.peerAlert(let alert)) = gnutls else { Issue.record("gnutls: \(gnutls)"); return }
        #expect(alert == .decodeError || alert == .handshakeFailure || alert == .certificateRequired)
    }

    /// A chain that reaches none of the server's certificate_authorities is not sent: the
    /// client answers with an empty Certificate and the server refuses that.
    @Test func certificateFromUnknownCA() throws {
        let log = EventLog()
        #expect(throws: TLSError.peerAlert(.handshakeFailure)) {
            try Self.withClient("client-unknown", openSSL: true, eventLog: log).get()
        }
        #expect(log.events.contains { $0.kind == .clientCertificateDeclined(.authorityNotRequested) })
        #expect(log.events.contains { $0.kind == .sent(.certificate) && $0.length == 7 })
        let gnutls = try Self.withClient("client-unknown", openSSL: false)
        guard case .failure(.peerAlert) = gnutls else { Issue.record("gnutls: \(gnutls)"); return }
    }

    /// The CertificateVerify the client sent, checked with Mbed TLS directly against the
    /// SHA-256 of the handshake messages before it, as recorded off the wire.
    @Test(arguments: ["client-ec", "client-rsa"])
    func certificateVerifySignsTheTranscript(certificate: String) throws {
        let log = StreamLog()
        try TestServer.withOpenSSL(Self.openSSLVerifying) { server in
            var client = ClientHarness()
            client.clientCertificate = certificate
            client.log = log
            _ = try client.run(port: server.port).get()
        }
        let sent = StreamLog.messages(StreamLog.leadingPayloads(of: 22, in: log.sent))
        let received = StreamLog.messages(StreamLog.leadingPayloads(of: 22, in: log.received))
        #expect(sent.map(\.0) == [1, 11, 16, 15])
        #expect(received.map(\.0).last == 14)
        let transcript = sent[0].1 + received.flatMap(\.1) + sent[1].1 + sent[2].1
        let verify = sent[3].1
        let scheme = UInt16(verify[4]) << 8 | UInt16(verify[5])
        let signatureLength = Int(verify[6]) << 8 | Int(verify[7])
        let signature = Array(verify[8...])
        #expect(signature.count == signatureLength)

        // SHA-256 of the transcript; the scheme must be a SHA-256 one.
        #expect(scheme == 0x0403 || scheme == 0x0804 || scheme == 0x0401)
        var hash = [UInt8](repeating: 0, count: 32)
        #expect(mbedtls_sha256_ret(transcript, transcript.count, &hash, 0) == 0)

        var certificateContext = mbedtls_x509_crt()
        mbedtls_x509_crt_init(&certificateContext)
        defer { mbedtls_x509_crt_free(&certificateContext) }
        let der = Fixtures.der(certificate)
        #expect(mbedtls_x509_crt_parse_der(&certificateContext, der, der.count) == 0)
        var status: Int32
        if scheme == 0x0804 {
            var options = mbedtls_pk_rsassa_pss_options(mgf1_hash_id: MBEDTLS_MD_SHA256, expected_salt_len: 32)
            status = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &options, &certificateContext.pk, MBEDTLS_MD_SHA256,
                                           hash, 32, signature, signature.count)
        } else {
            status = mbedtls_pk_verify(&certificateContext.pk, MBEDTLS_MD_SHA256, hash, 32, signature, signature.count)
        }
        #expect(status == 0)
        // And a transcript one byte different does not verify.
        var wrong = hash
        wrong[0] ^= 1
        status = mbedtls_pk_verify(&certificateContext.pk, MBEDTLS_MD_SHA256, wrong, 32, signature, signature.count)
        #expect(status != 0)
    }
}
