/*
 * tlscore.h — the C API of the TLSCore TLS 1.2 / 1.3 client and server for boards (Embedded
 * Swift inside).
 *
 * Two shapes over one engine:
 *
 * - The handle API (tlscore_client_init or tlscore_server_init, then tlscore_client_want ...
 *   tlscore_client_free, the same calls for both roles), for a firmware main loop:
 *   the connection lives in context memory the caller provides, and the caller moves the
 *   bytes — "what must be sent / I sent n", "where do incoming bytes go / n arrived" — in
 *   the manner of BearSSL's engine. No call blocks, sleeps or calls the operating system:
 *   entropy, the time and logging come from callbacks in the configuration, so the same
 *   code runs over a socket, a UART, a modem's AT channel or a test harness, and many
 *   connections share one single-threaded loop.
 * - tlscore_client_run, the convenience runner: one connection to completion over a file
 *   descriptor or read/write callbacks, calling back into a session function at each step.
 *   It is built on the handle API (boards/TLSCoreCAPIPOSIX.swift) and uses poll and the
 *   system clock, so it is only in the POSIX library.
 *
 * Libraries (scripts/build-boards.sh): libtlscore.a has both; zero entropy / clock
 * callbacks mean getrandom(2) and clock_gettime(2). libtlscore-noposix.a has the handle API
 * and the core only and references no OS call: there the entropy callback is required, and
 * the clock callback when cfg->time is 0.
 *
 * Memory: nothing is allocated by the core. The caller provides the context (handle API)
 * and the three regions in the configuration (record input, record output, handshake
 * reassembly). Mbed TLS, which does the cryptography, allocates inside its bignum code
 * (through its own calloc/free): tlscore_client_free returns that.
 *
 * Thread safety: none needed; no global state. A context is used by one thread at a time.
 */
#ifndef TLSCORE_H
#define TLSCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- cipher suites (bits of tlscore_config.suites; 0 means TLSCORE_SUITES_DEFAULT) ---- */
#define TLSCORE_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256 0x0001u
#define TLSCORE_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384 0x0002u
#define TLSCORE_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305 0x0004u
#define TLSCORE_SUITE_ECDHE_ECDSA_AES128_CCM        0x0008u
#define TLSCORE_SUITE_ECDHE_ECDSA_AES128_CCM_8      0x0010u
#define TLSCORE_SUITE_ECDHE_RSA_AES128_GCM_SHA256   0x0020u
#define TLSCORE_SUITE_ECDHE_RSA_AES256_GCM_SHA384   0x0040u
#define TLSCORE_SUITE_ECDHE_RSA_CHACHA20_POLY1305   0x0080u
#define TLSCORE_SUITE_RSA_AES128_GCM_SHA256         0x0100u /* RSA key transport: no forward secrecy */
#define TLSCORE_SUITE_RSA_AES256_GCM_SHA384         0x0200u
#define TLSCORE_SUITE_TLS13_AES128_GCM_SHA256       0x0400u /* TLS 1.3 (RFC 8446 §B.4) */
#define TLSCORE_SUITE_TLS13_AES256_GCM_SHA384       0x0800u
#define TLSCORE_SUITE_TLS13_CHACHA20_POLY1305       0x1000u
#define TLSCORE_SUITE_TLS13_AES128_CCM_SHA256       0x2000u
#define TLSCORE_SUITE_TLS13_AES128_CCM_8_SHA256     0x4000u
/* TLS 1.2 PSK suites (RFC 4279, 5487, 6655, 5489, 7905): offered only with cfg.psk set. */
#define TLSCORE_SUITE_PSK_AES128_CCM_8              0x08000u
#define TLSCORE_SUITE_PSK_AES128_CCM                0x10000u
#define TLSCORE_SUITE_PSK_AES128_GCM_SHA256         0x20000u
#define TLSCORE_SUITE_ECDHE_PSK_CHACHA20_POLY1305   0x40000u
#define TLSCORE_SUITES_DEFAULT 0x3CEFu /* every forward-secret suite but the CCM_8 ones (RFC 8447: not recommended) */
#define TLSCORE_SUITES_PSK     0x78000u
#define TLSCORE_SUITES_ALL     0x7FFFFu

/* ---- protocol versions (bits of tlscore_config.versions; 0 means both: the server picks) ---- */
#define TLSCORE_TLS12 0x1u
#define TLSCORE_TLS13 0x2u
#define TLSCORE_VERSIONS_ALL 0x3u

/* ---- key-exchange groups: IANA NamedGroup codes (tlscore_config.key_share_group,
 * tlscore_report.group) ---- */
#define TLSCORE_GROUP_SECP256R1 23u
#define TLSCORE_GROUP_SECP384R1 24u
#define TLSCORE_GROUP_X25519    29u

/* Region sizes, the same figures as the Swift core's ClientConfiguration.inputRegionSize,
 * outputRegionSize and reassemblyRegionSize (Tests/TLSCoreTests/Boards/CHeaderSizesTests.swift
 * holds these macros to those formulas).
 *
 * Bytes the input region needs for records of up to `plaintext` bytes (16384, or the
 * max_fragment_length asked for): header + explicit nonce + tag. */
#define TLSCORE_RECORD_REGION_SIZE(plaintext) ((size_t)(plaintext) + 29u)

/* Bytes the output region needs without a client certificate: the client's largest flight,
 * for every suite (RSA key transport's is the largest) and any server name. Application data
 * is cut into records that fit the output region, so it need not hold a full record; with a
 * client certificate add the chain's length and about 1.3 KB. */
#define TLSCORE_OUTPUT_REGION_SIZE 1024u
/* The reassembly region. The engine reads handshake messages that arrive whole in one
 * record where they lie, so with 16 KB records it holds only the client's staged messages
 * (1 KB). With max_fragment_length the server's Certificate message spans records and must
 * fit whole: 4 KB covers chains of two or three certificates. With a client certificate
 * the region stages the client's whole flight: the chain's length plus 1085 bytes. */
/* With a session region (or a PSK identity of up to 128 bytes): the ClientHello may carry
 * a ticket of up to 1 KB (Session.ticketCapacity). */
#define TLSCORE_OUTPUT_REGION_SIZE_SESSION 2048u
#define TLSCORE_REASSEMBLY_REGION_SIZE 1024u
#define TLSCORE_REASSEMBLY_REGION_SIZE_MAX_FRAGMENT 4096u

/* Fills `len` bytes at `out` with entropy (Mbed TLS's f_entropy shape: the DRBG's seed and
 * its automatic reseeds, so `ctx` must stay valid as long as the context); 0 on success. */
typedef int (*tlscore_entropy_fn)(void *ctx, unsigned char *out, size_t len);
/* Seconds since the Unix epoch: the validation time when cfg->time is 0, and the
 * runner's handshake deadline. A board with no real-time clock returns its last known time. */
typedef int64_t (*tlscore_clock_fn)(void *ctx);
/* One line of what the connection is doing ("tlscore: handshake complete", an error's
 * tlscore_strerror text): static, NUL-terminated, no newline. Called inside tlscore calls. */
typedef void (*tlscore_log_fn)(void *ctx, const char *message);
/* Signs for a key the core never holds (a secure element, a TPM): `scheme` is the TLS
 * SignatureScheme (RFC 8446 §4.2.3: 0x0403 ecdsa_secp256r1_sha256, 0x0804 rsa_pss_rsae_sha256,
 * ...), `digest` the hash to sign, already taken with the scheme's hash (over TLS 1.3's
 * context string too). Writes the signature into `signature` (ECDSA: a DER Ecdsa-Sig-Value;
 * RSA PKCS#1 v1.5: modulus-length bytes; RSA-PSS: a salt as long as the hash) and returns its
 * length, or a negative value when it cannot: the handshake then fails with internal_error.
 * Called inside tlscore calls; it must not call back into the context. */
typedef long (*tlscore_sign_fn)(void *ctx, uint16_t scheme, const uint8_t *digest, size_t digest_len,
                                uint8_t *signature, size_t capacity);

typedef struct tlscore_config {
    /* Trust anchors: concatenated DER certificates. Required. */
    const uint8_t *anchors;
    size_t anchors_len;
    /* Certificate revocation lists: concatenated DER CRLs. Optional (NULL, 0). */
    const uint8_t *crls;
    size_t crls_len;
    /* The server's DNS name: sent as SNI and matched against the certificate. NUL-terminated,
     * or NULL when the server is reached by address (then server_address is matched). */
    const char *server_name;
    /* The server's IP address, 4 or 16 bytes, matched against the certificate's iPAddress
     * SAN when server_name is NULL or empty. Optional. */
    const uint8_t *server_address;
    size_t server_address_len;
    /* The time certificates are validated at, seconds since the Unix epoch. A board without
     * a real-time clock passes its build time or last known time. */
    int64_t time;
    /* TLSCORE_SUITE_* bits to offer; 0 offers TLSCORE_SUITES_DEFAULT. */
    uint32_t suites;
    /* max_fragment_length to request (RFC 6066): 0 (none: 16 KB records), 512, 1024, 2048
     * or 4096. Regions then need only TLSCORE_RECORD_REGION_SIZE(that). */
    uint32_t max_fragment_length;
    /* The smallest RSA key accepted for the server, in bits; 0 means 2048. */
    uint32_t min_rsa_bits;
    /* The client certificate chain (concatenated DER, leaf first) and its private key (DER:
     * PKCS#8, SEC1 or PKCS#1), sent when the server asks. Optional (NULL, 0). */
    const uint8_t *client_chain;
    size_t client_chain_len;
    const uint8_t *client_key;
    size_t client_key_len;
    /* The caller's regions, used by a context until tlscore_client_free (by
     * tlscore_client_run during the call). Received plaintext may remain in them
     * afterwards: wipe them if that matters. Everything else the configuration points at
     * (anchors, CRLs, server name and address, client chain and key) must also stay valid
     * and unchanged while the context lives; the struct itself need not. */
    uint8_t *input;        /* >= TLSCORE_RECORD_REGION_SIZE(max plaintext) */
    size_t input_len;
    uint8_t *output;       /* >= TLSCORE_OUTPUT_REGION_SIZE (more: fewer, larger records) */
    size_t output_len;
    uint8_t *reassembly;   /* the largest handshake message expected (the Certificate) */
    size_t reassembly_len;
    /* Fields added with TLS 1.3, at the end so that the ones above keep their offsets; a
     * zeroed struct gets the defaults. */
    /* TLSCORE_TLS12 / TLSCORE_TLS13 bits to offer; 0 offers both (supported_versions, RFC
     * 8446 §4.2.1). A suite of a version not offered is not offered either. */
    uint32_t versions;
    /* The group TLS 1.3's ClientHello carries a key share for (TLSCORE_GROUP_*); 0 means
     * x25519. All three groups are offered in supported_groups, this one first; a server
     * that wants another answers with a HelloRetryRequest (one more round trip). */
    uint32_t key_share_group;
    /* Fields added with the handle API, at the end for the same reason; zero = the default
     * (libtlscore.a: getrandom, the system clock, no log). */
    tlscore_entropy_fn entropy;
    void *entropy_ctx;
    tlscore_clock_fn clock;
    void *clock_ctx;
    tlscore_log_fn log;
    void *log_ctx;
    /* Fields added with resumption, at the end for the same reason.
     * The session region (TLSCORE_SESSION_SIZE bytes; zero it the first time), or NULL: no
     * resumption. The core offers the session it holds when it is intact, for this server
     * name and these anchors, and unexpired at the validation time, and rewrites the region
     * whenever the server gives a new session (a TLS 1.2 session ID or ticket once the
     * handshake ends, each TLS 1.3 NewSessionTicket); a session that failed or was declined
     * is wiped. It holds the session's secret in clear: this is what a device keeps in
     * flash across deep sleep (tlscore_session_length bytes of it). */
    uint8_t *session;
    size_t session_len;
    /* An external pre-shared key (a device provisioned without certificates): its identity
     * and key (1..64 bytes). TLS 1.3 offers it (SHA-256) when no stored session is; the TLS
     * 1.2 PSK suites use it. A server that takes it sends no certificate, so `anchors` may
     * be empty. */
    const uint8_t *psk_identity;
    size_t psk_identity_len;
    const uint8_t *psk;
    size_t psk_len;
    /* TLS 1.3 PSK handshakes (resumption or external) with psk_ke only: no ECDHE, cheaper,
     * not forward secret. 0: psk_dhe_ke (a fresh key share too). */
    uint32_t psk_only;
    /* Fields added with the server role, at the end for the same reason.
     * The client certificate's CertificateVerify signed by `sign` (the key in a secure
     * element): client_key may then be empty; client_chain is still required. */
    tlscore_sign_fn sign;
    void *sign_ctx;
} tlscore_config;

/* Bytes of a session region (tlscore_config.session). */
#define TLSCORE_SESSION_SIZE 1429u

/* How many bytes of a session region hold its session (what to write to flash), or a
 * negative TLSCORE_ERR_SESSION_* code: empty (never stored, or wiped), truncated,
 * malformed, of an unknown format version, or corrupt (its check does not match). A
 * session that loads here may still not be offered (expired, another server). */
long tlscore_session_length(const uint8_t *session, size_t len);


/* ---- the handle API: one connection in caller memory, driven by the caller's loop ----
 *
 * The server role (below) has the same loop with tlscore_server_* names: one generic
 * implementation in the Swift (HandleContext<Machine> over Engine<Client> or Engine<Server>),
 * two sets of thin exports rather than one set that looks at the context's role, so that a
 * client-only firmware links none of the server's code (--gc-sections drops what no call
 * reaches: the server role is about 50 KB of .text on aarch64, 34 KB on armv7).
 *
 *     static tlscore_client_ctx tls;                 // or any aligned TLSCORE_CLIENT_CONTEXT_SIZE bytes
 *     tlscore_client_init(&tls, sizeof tls, &cfg);   // queues the ClientHello
 *     for (;;) {
 *         unsigned want = tlscore_client_want(&tls);
 *         if (want & TLSCORE_WANT_WRITE) { p = tlscore_client_output(&tls, &n); n = write(p, n);
 *                                          tlscore_client_output_done(&tls, n); }
 *         if (want & TLSCORE_WANT_READ)  { p = tlscore_client_input(&tls, &cap); n = read(p, cap);
 *                                          n > 0 ? tlscore_client_input_done(&tls, n)
 *                                                : tlscore_client_input_eof(&tls); }
 *         if (want & TLSCORE_STATE_DATA) n = tlscore_client_recv(&tls, buf, sizeof buf);
 *         if ((want & TLSCORE_STATE_CONNECTED) && off < len) off += tlscore_client_send(&tls, request + off, len - off);
 *         if (want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_FAILED | TLSCORE_STATE_TRUNCATED)
 *             && !(want & TLSCORE_WANT_WRITE)) break;
 *     }
 *     tlscore_client_free(&tls);
 *
 * Calls on one context must not overlap; contexts are independent of each other. */

/* Bytes of context memory a connection needs, for static allocation: at least
 * tlscore_client_context_size() (the real size, which init checks) on every board built
 * here (64-bit: aarch64; 32-bit: armv7). Tests/TLSCoreTests/Boards/CHeaderSizesTests.swift
 * and boards/tests/handle-test.c hold it to the real size. */
#define TLSCORE_CLIENT_CONTEXT_SIZE ((size_t)(sizeof(void *) == 8 ? 2538u : 1914u))
/* Context memory with the alignment it needs (8 bytes). */
typedef union tlscore_client_ctx {
    unsigned char bytes[TLSCORE_CLIENT_CONTEXT_SIZE];
    uint64_t align_u64;
    void *align_pointer;
} tlscore_client_ctx;

/* The context size this library needs, for memory sized at run time. */
size_t tlscore_client_context_size(void);

/* Sets up a client connection in ctx[0..ctx_len) and queues its ClientHello. Refuses a
 * context smaller than tlscore_client_context_size() (TLSCORE_ERR_CONTEXT_TOO_SMALL) or
 * not 8-byte aligned, and configuration fields out of range (TLSCORE_ERR_INVALID_ARGUMENT;
 * also a missing entropy callback in libtlscore-noposix.a, or a zero time without a clock
 * there). On success the context must be given to tlscore_client_free at the end, even when
 * the connection failed; on failure there is nothing to free. Init over a live context
 * loses it (and Mbed TLS's allocations inside): free it first. A failure of the first flight
 * itself (e.g. regions too small) is not init's: init returns TLSCORE_OK and want says
 * FAILED, so that one loop handles every failure. */
int tlscore_client_init(void *ctx, size_t ctx_len, const tlscore_config *cfg);

/* What the connection needs and where it stands, as bits. The two WANT bits are the I/O to
 * do (both may be set: the output drains while records come in); the STATE bits say why. */
#define TLSCORE_WANT_READ       0x01u /* room for incoming bytes: tlscore_client_input */
#define TLSCORE_WANT_WRITE      0x02u /* bytes to send: tlscore_client_output (also the alert or
                                         close_notify that ends a connection: send it first) */
#define TLSCORE_STATE_CONNECTED 0x04u /* handshake done: tlscore_client_send takes data */
#define TLSCORE_STATE_DATA      0x08u /* received application data waits: tlscore_client_recv */
#define TLSCORE_STATE_IDLE      0x10u /* connected, nothing to send or to read: waiting for the peer */
#define TLSCORE_STATE_CLOSED    0x20u /* close_notify sent or received: no more data either way */
#define TLSCORE_STATE_TRUNCATED 0x40u /* the stream ended after the handshake without close_notify:
                                         what arrived may be cut short (an attacker can do that);
                                         data already received can still be read */
#define TLSCORE_STATE_FAILED    0x80u /* a fatal error: tlscore_client_error says which */
unsigned tlscore_client_want(void *ctx);

/* The bytes to send now (a pointer into the output region, valid until the next call on
 * ctx), and how many in *len; NULL and 0 when nothing is due. Send any prefix, then say how
 * much with tlscore_client_output_done (n <= *len; partial sends are normal). */
const uint8_t *tlscore_client_output(void *ctx, size_t *len);
int tlscore_client_output_done(void *ctx, size_t n);

/* Where incoming bytes go (a pointer into the input region) and how many fit, in *cap;
 * NULL and 0 unless TLSCORE_WANT_READ. Write up to *cap bytes there, then
 * tlscore_client_input_done(ctx, n) with how many: every complete record is processed at
 * once (the result is TLSCORE_OK or the error that ended the connection). n = 0 does
 * nothing; the end of the stream is its own call, tlscore_client_input_eof — during the
 * handshake a failure (TLSCORE_ERR_CONNECTION_CLOSED), after it TLSCORE_STATE_TRUNCATED
 * (returned as TLSCORE_ERR_STREAM_TRUNCATED) unless close_notify came first. */
uint8_t *tlscore_client_input(void *ctx, size_t *cap);
int tlscore_client_input_done(void *ctx, size_t n);
int tlscore_client_input_eof(void *ctx);

/* Application data out: seals as much of data[0..len) as the output region has room for,
 * in records of at most the negotiated fragment length, and returns how much it took (0:
 * send the output first), or a negative TLSCORE_ERR_* (TLSCORE_ERR_INVALID_STATE before the
 * handshake ends or after close, which does not end the connection). */
long tlscore_client_send(void *ctx, const uint8_t *data, size_t len);

/* Application data in: copies up to `cap` received bytes into buf and returns how many (0:
 * none waiting), or a negative TLSCORE_ERR_* once the connection failed and nothing is left
 * to read. A copy, not a pointer into the input region: the region is needed for the next
 * record as soon as this one is read, and a caller that parses in place can still pass its
 * parser's buffer. */
long tlscore_client_recv(void *ctx, uint8_t *buf, size_t cap);

/* Queues close_notify (RFC 5246 §7.2.1) and wipes the connection's secrets; send the output
 * (TLSCORE_WANT_WRITE) before closing the transport. Nothing is received afterwards. */
int tlscore_client_close(void *ctx);

/* The condition that ended the connection: TLSCORE_OK while none, else the TLSCORE_ERR_*
 * code (TLSCORE_ERR_STREAM_TRUNCATED for TLSCORE_STATE_TRUNCATED), with its detail (see
 * tlscore_report.detail) in *detail when not NULL. tlscore_strerror names it. */
int tlscore_client_error(void *ctx, int32_t *detail);

/* Fills *report with what was negotiated so far and how it ended (the same fields
 * tlscore_client_run reports); returns what tlscore_client_error returns. */
struct tlscore_report;
int tlscore_client_report(void *ctx, struct tlscore_report *report);

/* Ends the context: wipes the secrets, returns Mbed TLS's allocations and zeroes the
 * context memory (not the regions). Sends nothing: close first for an orderly end. */
void tlscore_client_free(void *ctx);


/* ---- the server role (not in the PSK-only libtlscore-psk.a) ----
 *
 *     static tlscore_server_ctx tls;
 *     tlscore_server_init(&tls, sizeof tls, &server_cfg);   // then the loop above with
 *     ... tlscore_server_want(&tls) ...                     // tlscore_server_* names
 *
 * A server takes one connection per context: accept, init, loop, free (or keep one context
 * per connection). It serves TLS 1.3 and 1.2 with certificates (ECDSA or RSA: each
 * handshake uses the first configured certificate the client's signature_algorithms and the
 * suite allow), asks for a client certificate when client_auth says so and validates it
 * against client_cas / crls at the validation time (⑥). No PSK suites, no resumption. */

/* tlscore_server_config.client_auth */
#define TLSCORE_CLIENT_AUTH_NONE     0u /* no CertificateRequest */
#define TLSCORE_CLIENT_AUTH_OPTIONAL 1u /* asked for; a client without one is served, a bad one refused */
#define TLSCORE_CLIENT_AUTH_REQUIRED 2u /* asked for; none fails the handshake: TLS 1.3 with
                                           TLSCORE_ERR_CERTIFICATE_REQUIRED (certificate_required alert),
                                           TLS 1.2 with TLSCORE_ERR_HANDSHAKE_FAILURE (handshake_failure,
                                           RFC 5246 §7.4.6) */

typedef struct tlscore_server_config {
    /* The certificate chain (concatenated DER, leaf first) and its private key (DER: PKCS#8,
     * SEC1 or PKCS#1). Required. */
    const uint8_t *chain;
    size_t chain_len;
    const uint8_t *key;
    size_t key_len;
    /* A second certificate and key (an RSA one beside an ECDSA one, say). Optional. */
    const uint8_t *chain2;
    size_t chain2_len;
    const uint8_t *key2;
    size_t key2_len;
    /* TLSCORE_CLIENT_AUTH_*; with OPTIONAL or REQUIRED, client_cas is required: the trust
     * anchors (concatenated DER) a client chain must reach, whose subjects the
     * CertificateRequest names. */
    uint32_t client_auth;
    const uint8_t *client_cas;
    size_t client_cas_len;
    /* CRLs (concatenated DER) a client chain is checked against. Optional (NULL, 0). */
    const uint8_t *crls;
    size_t crls_len;
    /* The validation time of client certificates, seconds since the Unix epoch; 0: the
     * clock callback's (libtlscore.a: the system clock). */
    int64_t time;
    /* TLSCORE_SUITE_* bits served (the PSK ones are ignored); 0: TLSCORE_SUITES_DEFAULT.
     * TLSCORE_TLS12 / TLSCORE_TLS13 bits; 0: both (the client's highest is chosen). */
    uint32_t suites;
    uint32_t versions;
    /* ALPN protocols served (RFC 7301), most preferred first, each preceded by its length
     * byte as in the extension ("\x08http/1.1"). Optional: without it ALPN is not answered;
     * with it a client offering none of them is refused (TLSCORE_ERR_NO_APPLICATION_PROTOCOL). */
    const uint8_t *alpn;
    size_t alpn_len;
    /* Where the verified client leaf (DER) is copied, for the application to read the
     * subject from (report.peer_certificate_len: its bytes). Optional; a leaf longer than
     * the region fails the handshake (TLSCORE_ERR_BUFFER_TOO_SMALL), it is not cut. */
    uint8_t *client_certificate;
    size_t client_certificate_len;
    /* The regions (TLSCORE_SERVER_*_REGION_SIZE), used until tlscore_server_free. Everything the
     * configuration points at must stay valid and unchanged while the context lives; the
     * struct itself need not. */
    uint8_t *input;
    size_t input_len;
    uint8_t *output;
    size_t output_len;
    uint8_t *reassembly;
    size_t reassembly_len;
    /* As in tlscore_config: zero = the default (libtlscore.a: getrandom, the system clock). */
    tlscore_entropy_fn entropy;
    void *entropy_ctx;
    tlscore_clock_fn clock;
    void *clock_ctx;
    tlscore_log_fn log;
    void *log_ctx;
    /* Our signatures (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify) made by `sign`
     * (the key in a secure element): key and key2 may then be empty, and such a certificate
     * serves ECDHE and TLS 1.3 only (RSA key transport needs the key to decrypt). */
    tlscore_sign_fn sign;
    void *sign_ctx;
    /* Session tickets (TLS 1.2 RFC 5077, TLS 1.3 NewSessionTicket), sealed with AES-256-GCM
     * under ticket_key: TLSCORE_TICKET_KEY_SIZE bytes, a 4-byte name then the AES key. Rotate
     * by moving the old key to previous_ticket_key (its tickets are still taken) and setting
     * a new one. NULL: no tickets. ticket_lifetime in seconds (0: 7200; at most 604800), also
     * the lifetime of session-cache entries. */
    const uint8_t *ticket_key;
    const uint8_t *previous_ticket_key;
    uint32_t ticket_lifetime;
    /* A TLS 1.2 session-ID cache in caller memory: session_cache_len / TLSCORE_SESSION_CACHE_ENTRY_SIZE
     * sessions (zeroed the first time; contexts sharing it must be driven from one thread). It
     * holds master secrets: wipe it when it is retired. NULL: no session IDs. */
    uint8_t *session_cache;
    size_t session_cache_len;
    /* A TLS 1.3 external PSK (identity, key of 32..64 bytes; SHA-256 suites): a client naming
     * the identity and proving the key is served with no certificate exchange. Optional. */
    const uint8_t *psk_identity;
    size_t psk_identity_len;
    const uint8_t *psk;
    size_t psk_len;
} tlscore_server_config;

/* Bytes of a ticket key (tlscore_server_config.ticket_key) and of a session-cache entry. */
#define TLSCORE_TICKET_KEY_SIZE 36u
#define TLSCORE_SESSION_CACHE_ENTRY_SIZE 96u

/* A server's regions, the figures of the Swift core's ServerConfiguration.inputRegionSize,
 * outputRegionSize and reassemblyRegionSize (Tests/TLSCoreTests/Boards/CHeaderSizesTests.swift
 * holds them to it). `certs` = the longer chain's length (chain_len or chain2_len), plus
 * client_cas_len when client_auth is not NONE (the CertificateRequest names those CAs).
 * The input region holds a whole 16 KB record: a client's first flight is not bound by any
 * limit we could announce. The output and reassembly regions hold our largest flight. */
#define TLSCORE_SERVER_INPUT_REGION_SIZE 16413u
#define TLSCORE_SERVER_OUTPUT_REGION_SIZE(certs) ((size_t)(certs) + (size_t)(certs) / 16u + 1536u)
#define TLSCORE_SERVER_REASSEMBLY_REGION_SIZE(certs) ((size_t)(certs) + 1251u > 4096u ? (size_t)(certs) + 1251u : 4096u)

/* Bytes of a server context, as TLSCORE_CLIENT_CONTEXT_SIZE (init checks
 * tlscore_server_context_size()). */
#define TLSCORE_SERVER_CONTEXT_SIZE ((size_t)(sizeof(void *) == 8 ? 2834u : 2122u))
typedef union tlscore_server_ctx {
    unsigned char bytes[TLSCORE_SERVER_CONTEXT_SIZE];
    uint64_t align_u64;
    void *align_pointer;
} tlscore_server_ctx;

size_t tlscore_server_context_size(void);

/* Sets up a server connection in ctx[0..ctx_len). Refuses as tlscore_client_init does: a context too small
 * (TLSCORE_ERR_CONTEXT_TOO_SMALL), misaligned memory or fields out of range
 * (TLSCORE_ERR_INVALID_ARGUMENT: no chain or key, a second chain without its key, an
 * unknown client_auth, client_auth without client_cas, a malformed ALPN list), regions below
 * what the configuration needs (TLSCORE_ERR_BUFFER_TOO_SMALL). The certificate and key are
 * read in the handshake: a key that does not decode fails it. tlscore_server_free at the end. */
int tlscore_server_init(void *ctx, size_t ctx_len, const tlscore_server_config *cfg);

/* The server's loop: each call as its tlscore_client_* namesake, on a server context (a
 * client context is refused with TLSCORE_ERR_INVALID_ARGUMENT / TLSCORE_STATE_FAILED, and
 * the other way round). A server's first want is TLSCORE_WANT_READ: the ClientHello. */
unsigned tlscore_server_want(void *ctx);
const uint8_t *tlscore_server_output(void *ctx, size_t *len);
int tlscore_server_output_done(void *ctx, size_t n);
uint8_t *tlscore_server_input(void *ctx, size_t *cap);
int tlscore_server_input_done(void *ctx, size_t n);
int tlscore_server_input_eof(void *ctx);
long tlscore_server_send(void *ctx, const uint8_t *data, size_t len);
long tlscore_server_recv(void *ctx, uint8_t *buf, size_t cap);
int tlscore_server_close(void *ctx);
int tlscore_server_error(void *ctx, int32_t *detail);
struct tlscore_report;
int tlscore_server_report(void *ctx, struct tlscore_report *report);
void tlscore_server_free(void *ctx);

/* ---- tlscore_client_run's transport: read/write callbacks, or a file descriptor ---- */

/* Return values of the transport callbacks besides a byte count. */
#define TLSCORE_IO_FAILED  (-1) /* set errno; reported as TLSCORE_ERR_TRANSPORT with detail = errno */
#define TLSCORE_IO_TIMEOUT (-2) /* nothing within timeout_ms */

/* Receive up to `cap` bytes into `buf`, waiting at most timeout_ms. Returns the count (>= 1),
 * 0 at end of stream, or TLSCORE_IO_FAILED / TLSCORE_IO_TIMEOUT. */
typedef long (*tlscore_read_fn)(void *io_ctx, uint8_t *buf, size_t cap, int timeout_ms);
/* Send some of `len` bytes, waiting at most timeout_ms for room. Returns how many were
 * taken (>= 1), or TLSCORE_IO_FAILED / TLSCORE_IO_TIMEOUT. */
typedef long (*tlscore_write_fn)(void *io_ctx, const uint8_t *buf, size_t len, int timeout_ms);

typedef struct tlscore_io {
    /* With both callbacks set they are used; otherwise `fd` (a connected socket, a tty, a
     * pipe) is, through poll/read/write. The fd is switched to non-blocking mode and is
     * never closed by the core. */
    tlscore_read_fn read;
    tlscore_write_fn write;
    void *io_ctx;
    int fd;
    /* The longest any single read or write may wait, in milliseconds (> 0). */
    int timeout_ms;
} tlscore_io;

/* ---- the session function ---- */

enum {
    TLSCORE_EVENT_CONNECTED = 1, /* the handshake is done; data is NULL, len 0 */
    TLSCORE_EVENT_DATA = 2,      /* application data arrived: data[0..len) (valid during the call) */
    TLSCORE_EVENT_CLOSED = 3     /* the server closed (close_notify or end of stream); no reply possible */
};
/* Return values of the session function. */
#define TLSCORE_CONTINUE 0 /* keep the connection: wait for more data */
#define TLSCORE_DONE     1 /* send close_notify and return TLSCORE_OK */
/* Any negative value aborts: tlscore_client_run returns TLSCORE_ERR_ABORTED. */

/* Called by tlscore_client_run at each event. To send, point *reply at bytes (the caller's
 * memory, read before the next call) and set *reply_len; both start as NULL/0. */
typedef int (*tlscore_session_fn)(void *ctx, int event, const uint8_t *data, size_t len,
                                  const uint8_t **reply, size_t *reply_len);

/* What happened, for logging; every field is optional reading. */
typedef struct tlscore_report {
    uint16_t suite;                 /* IANA code of the negotiated suite, 0 before ServerHello */
    uint8_t extended_master_secret; /* RFC 7627 negotiated */
    uint8_t closed_by_notify;       /* the server ended with close_notify (not just EOF) */
    uint8_t client_certificate;     /* TLSCORE_CLIENT_CERT_*: what answered a CertificateRequest */
    int32_t detail;                 /* errno (transport), Mbed TLS code, bytes needed (buffer),
                                       the rule's number (TLSCORE_ERR_CERT_RULE) */
    uint16_t version;               /* the negotiated version's wire code: 0x0303 (TLS 1.2) or
                                       0x0304 (TLS 1.3); 0 before ServerHello */
    uint16_t group;                 /* TLS 1.3's key-exchange group (TLSCORE_GROUP_*); 0 for TLS 1.2 */
    uint8_t resumed;                /* TLSCORE_RESUMED_*: how the handshake was authenticated without certificates */
    int8_t session_refused;         /* 0, or the TLSCORE_ERR_SESSION_* reason the stored session was not offered */
    /* Fields added with the server role, at the end. */
    uint8_t peer_certificate_verified; /* the peer's chain was validated: a server's report, the
                                          client certificate (client_auth optional or required);
                                          a client's, the server's chain */
    uint8_t alpn_len;               /* a server's: the chosen ALPN protocol's length, 0: none */
    uint16_t alpn_offset;           /* ... and where its name starts in cfg.alpn */
    uint32_t peer_certificate_len;  /* a server's: bytes of the verified client leaf (DER) copied
                                       into cfg.client_certificate, to read its subject and SANs
                                       from; 0 when none was verified or no region is set */
} tlscore_report;

/* tlscore_report.resumed */
#define TLSCORE_RESUMED_NONE         0 /* a full handshake (any session offered was declined) */
#define TLSCORE_RESUMED_SESSION_ID   1 /* TLS 1.2, RFC 5246 §7.3 */
#define TLSCORE_RESUMED_TICKET       2 /* TLS 1.2, RFC 5077 */
#define TLSCORE_RESUMED_PSK          3 /* TLS 1.3, a ticket's resumption PSK */
#define TLSCORE_RESUMED_EXTERNAL_PSK 4 /* TLS 1.3, cfg.psk */

/* tlscore_report.client_certificate. When the server asks for a certificate and the
 * configured one does not answer its request, an empty Certificate goes out (RFC 5246
 * §7.4.6) and the server usually refuses the handshake: these say why. */
#define TLSCORE_CLIENT_CERT_NOT_REQUESTED        0
#define TLSCORE_CLIENT_CERT_SENT                 1
#define TLSCORE_CLIENT_CERT_NONE_CONFIGURED      2 /* asked for, none configured */
#define TLSCORE_CLIENT_CERT_KEY_TYPE_NOT_ASKED   3 /* the request's certificate_types lack our key's */
#define TLSCORE_CLIENT_CERT_AUTHORITY_NOT_ASKED  4 /* our chain reaches none of its certificate_authorities */
#define TLSCORE_CLIENT_CERT_NO_COMMON_SCHEME     5 /* no common signature scheme */

/* (libtlscore.a only) Runs one client connection to completion over the handle API: handshake (certificate chain validated against
 * the anchors at cfg->time, name or address checked), then session events until the session
 * function returns TLSCORE_DONE or the server closes, then close_notify. Returns TLSCORE_OK
 * or a negative TLSCORE_ERR_* code. `report` may be NULL. A server that closes after the
 * handshake is a success (the CLOSED event tells the session). */
int tlscore_client_run(const tlscore_config *cfg, const tlscore_io *io, tlscore_session_fn session,
                       void *ctx, tlscore_report *report);

/* A static, NUL-terminated description of a return code ("certificate: unknown issuer"). */
const char *tlscore_strerror(int code);

/* The stable name of the certificate rule whose number report.detail holds beside
 * TLSCORE_ERR_CERT_RULE ("extended-key-usage-lacks-server-auth", as `hostsim verify`
 * prints it); "unknown certificate rule" for any other number. Static and NUL-terminated.
 * A rule keeps its number across releases; new rules take the next free one. */
const char *tlscore_cert_rule_name(int rule);

/* ---- return codes: one per TLSError case; certificate reasons and peer alerts by range ---- */
#define TLSCORE_OK 0
#define TLSCORE_ERR_TRUNCATED               (-1)
#define TLSCORE_ERR_MALFORMED               (-2)
#define TLSCORE_ERR_TRAILING_BYTES          (-3)
#define TLSCORE_ERR_BUFFER_TOO_SMALL        (-4)  /* detail: bytes needed */
#define TLSCORE_ERR_BAD_RECORD_MAC          (-5)
#define TLSCORE_ERR_BAD_SIGNATURE           (-6)
#define TLSCORE_ERR_INVALID_PEER_KEY        (-7)
#define TLSCORE_ERR_UNSUPPORTED_ALGORITHM   (-8)
#define TLSCORE_ERR_RANDOM_FAILURE          (-9)
#define TLSCORE_ERR_MBEDTLS                 (-10) /* detail: the Mbed TLS code */
#define TLSCORE_ERR_UNEXPECTED_MESSAGE      (-11)
#define TLSCORE_ERR_RECORD_OVERFLOW         (-12)
#define TLSCORE_ERR_PROTOCOL_VERSION        (-13) /* the server chose no version offered */
#define TLSCORE_ERR_ILLEGAL_PARAMETER       (-14)
#define TLSCORE_ERR_HANDSHAKE_FAILURE       (-15)
#define TLSCORE_ERR_UNSUPPORTED_EXTENSION   (-16)
#define TLSCORE_ERR_DOWNGRADE_DETECTED      (-17) /* the server's random carries RFC 8446's downgrade sentinel */
#define TLSCORE_ERR_FINISHED_MISMATCH       (-18)
#define TLSCORE_ERR_RENEGOTIATION_REFUSED   (-19)
#define TLSCORE_ERR_INVALID_STATE           (-20)
#define TLSCORE_ERR_CONNECTION_CLOSED       (-21)
#define TLSCORE_ERR_TIMEOUT                 (-22)
#define TLSCORE_ERR_TRANSPORT               (-23) /* detail: errno */
#define TLSCORE_ERR_INVALID_ARGUMENT        (-24) /* a NULL or inconsistent cfg/io field */
#define TLSCORE_ERR_ABORTED                 (-25) /* the session function returned < 0 */
#define TLSCORE_ERR_MESSAGE_TOO_LONG        (-26) /* detail: the announced length */
#define TLSCORE_ERR_MAX_FRAGMENT_NOT_ACCEPTED (-27) /* detail: input region bytes */
#define TLSCORE_ERR_WEAK_SERVER_KEY         (-28) /* detail: the key's bits */
#define TLSCORE_ERR_MISSING_EXTENSION       (-29) /* a TLS 1.3 message lacks an extension it must carry */
#define TLSCORE_ERR_BAD_RETRY_REQUEST       (-30) /* a HelloRetryRequest that changes nothing or asks the unoffered */
#define TLSCORE_ERR_CONTEXT_TOO_SMALL       (-31) /* init: ctx_len < tlscore_client_context_size() (tlscore_server_context_size()) */
#define TLSCORE_ERR_STREAM_TRUNCATED        (-32) /* the stream ended after the handshake without close_notify */
/* Why a session region's session does not load (tlscore_session_length) or was not
 * offered (tlscore_report.session_refused); the handshake is then a full one. */
#define TLSCORE_ERR_SESSION_EMPTY           (-33)
#define TLSCORE_ERR_SESSION_TRUNCATED       (-34)
#define TLSCORE_ERR_SESSION_MALFORMED       (-35)
#define TLSCORE_ERR_SESSION_UNKNOWN_FORMAT  (-36)
#define TLSCORE_ERR_SESSION_CORRUPT         (-37)
#define TLSCORE_ERR_SESSION_EXPIRED         (-38)
#define TLSCORE_ERR_SESSION_NOT_YET_VALID   (-39) /* stored after cfg.time: a clock that went back */
#define TLSCORE_ERR_SESSION_OTHER_SERVER    (-40)
#define TLSCORE_ERR_SESSION_OTHER_TRUST     (-41) /* validated under other anchors */
#define TLSCORE_ERR_SESSION_NOT_OFFERED     (-42) /* its version or suite is not configured */
/* What ends a server connection (the server role): */
#define TLSCORE_ERR_NO_APPLICATION_PROTOCOL (-43) /* the client offered ALPN, none of its protocols is ours */
#define TLSCORE_ERR_CERTIFICATE_REQUIRED    (-44) /* client_auth required, no certificate came (TLS 1.3) */
/* Mbed TLS could not allocate: its heap or arena is too small (detail: the Mbed TLS code). */
#define TLSCORE_ERR_OUT_OF_MEMORY           (-45)
/* The server's certificate chain was refused (TLSError.certificate). */
#define TLSCORE_ERR_CERT_EXPIRED            (-101)
#define TLSCORE_ERR_CERT_NOT_YET_VALID      (-102)
#define TLSCORE_ERR_CERT_UNKNOWN_ISSUER     (-103)
#define TLSCORE_ERR_CERT_BAD_SIGNATURE      (-104)
#define TLSCORE_ERR_CERT_ISSUER_NOT_CA      (-105)
#define TLSCORE_ERR_CERT_PATH_TOO_LONG      (-106) /* retired: now TLSCORE_ERR_CERT_RULE (max intermediates, pathLenConstraint) */
#define TLSCORE_ERR_CERT_NAME_MISMATCH      (-107)
#define TLSCORE_ERR_CERT_WRONG_PURPOSE      (-108) /* the leaf's keyUsage vs the negotiated key exchange; path validation's
                                                 purpose checks are TLSCORE_ERR_CERT_RULE */
#define TLSCORE_ERR_CERT_REVOKED            (-109)
#define TLSCORE_ERR_CERT_UNSUPPORTED_CRITICAL_EXTENSION (-110)
#define TLSCORE_ERR_CERT_UNSUPPORTED_ALGORITHM (-111)
#define TLSCORE_ERR_CERT_CRL_EXPIRED        (-112)
#define TLSCORE_ERR_CERT_CRL_MISSING        (-113)
#define TLSCORE_ERR_CERT_CRL_BAD_SIGNATURE  (-114)
#define TLSCORE_ERR_CERT_NAME_CONSTRAINT    (-115)
#define TLSCORE_ERR_CERT_MALFORMED          (-116)
#define TLSCORE_ERR_CERT_BAD_ANCHOR         (-117) /* a configured anchor does not decode */
#define TLSCORE_ERR_CERT_RULE               (-118) /* a named rule of RFC 5280 / the profile (CertificateRule);
                                                     detail: its number, tlscore_cert_rule_name(detail) */
/* The peer sent a fatal alert (or close_notify during the handshake): -(256 + description). */
#define TLSCORE_ERR_PEER_ALERT_BASE         (-256)
#define TLSCORE_IS_PEER_ALERT(code)  ((code) <= -256 && (code) > -512)
#define TLSCORE_PEER_ALERT(code)     (-(code) - 256) /* the RFC 5246 AlertDescription */

#ifdef __cplusplus
}
#endif
#endif
