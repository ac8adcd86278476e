/*
 * server-handle-test: the server role of the handle API (tlscore_server_init ...
 * tlscore_server_free), linked against libtlscore-noposix.a like handle-test.
 *
 *   server-handle-test size --cert CHAIN --key KEY --ca ROOT
 *   server-handle-test memory --version 1.2|1.3 --cert CHAIN --key KEY --ca ROOT
 *                      [--client-cert CHAIN --client-key KEY] [--client-auth none|optional|required]
 *                      [--expect-failure] [--signer] [--resume ticket|session-id] [--time UNIX] [--verbose]
 *
 * memory: one client context and one server context of the core, driven against each other
 * in memory, one byte at a time each way (every byte an output / input pair of calls),
 * to connected, then 5000 bytes client to server and 7000 back, checked byte for byte, then
 * the client's close_notify (the server answers with its own). With --client-auth the server asks for a client certificate (the
 * --ca root is also the server's client CA) and the report must say it was verified and how
 * long the kept leaf is; with --expect-failure (required, no client certificate) the server
 * must fail with TLSCORE_ERR_CERTIFICATE_REQUIRED (TLS 1.3) or handshake_failure (TLS 1.2)
 * and the client with the server's alert. --signer: neither configuration holds its private
 * key; both sign through tlscore_sign_fn callbacks (a "secure element" here: Mbed TLS's pk
 * over the key file), counted. --resume: the server issues tickets (ticket_key) or keeps
 * TLS 1.2 sessions by ID (session_cache), the client keeps a session region; the exchange
 * runs twice and the second must report that kind of resumption.
 * size: the context size figures and init's refusals.
 * Exit 0 when every check passed. Files are PEM or DER (boards/common/der-file.c).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "der-file.h"
#include "tlscore.h"

#define CERTS_MAX 8192
#define CLIENT_DATA 5000
#define SERVER_DATA 7000

static tlscore_client_ctx client;
static tlscore_server_ctx server;
static uint8_t client_input[TLSCORE_RECORD_REGION_SIZE(16384)], client_output[6144], client_reassembly[6144];
static uint8_t server_input[TLSCORE_SERVER_INPUT_REGION_SIZE];
static uint8_t server_output[TLSCORE_SERVER_OUTPUT_REGION_SIZE(2 * CERTS_MAX)];
static uint8_t server_reassembly[TLSCORE_SERVER_REASSEMBLY_REGION_SIZE(2 * CERTS_MAX)];
static uint8_t chain[CERTS_MAX], key[4096], anchors[CERTS_MAX], client_chain[CERTS_MAX], client_key[4096];
static uint8_t client_leaf[4096];
static size_t chain_len, key_len, anchors_len, client_chain_len, client_key_len;
static uint8_t to_server[CLIENT_DATA], to_client[SERVER_DATA], got_server[CLIENT_DATA], got_client[SERVER_DATA];
static long long validation_time = 1893456000;
static int verbose, failures;
/* --signer and --resume. */
static int use_signer;
static enum { RESUME_NONE, RESUME_TICKET, RESUME_SESSION_ID } resume_mode;
static uint8_t session[TLSCORE_SESSION_SIZE];
static uint8_t session_cache[4 * TLSCORE_SESSION_CACHE_ENTRY_SIZE];
static const uint8_t ticket_key[TLSCORE_TICKET_KEY_SIZE] = "tk01abcdefghijklmnopqrstuvwxyz012345";
static uint8_t last_resumed;

static void check(int ok, const char *what) {
    if (!ok) {
        failures++;
        printf("server-handle-test: FAIL %s\n", what);
    } else if (verbose) {
        printf("server-handle-test: ok   %s\n", what);
    }
}

static int entropy(void *ctx, unsigned char *out, size_t len) {
    (void)ctx;
    for (size_t done = 0; done < len;) {
        ssize_t got = getrandom(out + done, len - done, 0);
        if (got < 0 && errno != EINTR) return -1;
        if (got > 0) done += (size_t)got;
    }
    return 0;
}

/* A "secure element" for --signer: the key stays here, outside the core's configuration. */
struct element {
    mbedtls_pk_context pk;
    int signatures;
};
static struct element server_element, client_element;

static int element_random(void *ctx, unsigned char *out, size_t len) { return entropy(ctx, out, len); }

static long element_sign(void *ctx, uint16_t scheme, const uint8_t *digest, size_t digest_len, uint8_t *signature,
                         size_t capacity) {
    struct element *element = ctx;
    /* RFC 8446 §4.2.3: the hash is the scheme's high byte for ECDSA and PKCS#1, the low one for PSS. */
    int pss = (scheme >> 8) == 0x08;
    unsigned hash = pss ? (scheme & 0xff) : (scheme >> 8);
    mbedtls_md_type_t md = hash == 4 ? MBEDTLS_MD_SHA256 : hash == 5 ? MBEDTLS_MD_SHA384 : hash == 6 ? MBEDTLS_MD_SHA512
                                                                                                     : MBEDTLS_MD_NONE;
    if (md == MBEDTLS_MD_NONE) return -1;
    if (mbedtls_pk_get_type(&element->pk) == MBEDTLS_PK_RSA)
        mbedtls_rsa_set_padding(mbedtls_pk_rsa(element->pk), pss ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15, md);
    unsigned char out[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    if (mbedtls_pk_sign(&element->pk, md, digest, digest_len, out, &len, element_random, NULL) != 0 || len > capacity)
        return -1;
    memcpy(signature, out, len);
    element->signatures++;
    return (long)len;
}

static int element_load(struct element *element, const uint8_t *der, size_t len) {
    mbedtls_pk_init(&element->pk);
    return mbedtls_pk_parse_key(&element->pk, der, len, NULL, 0);
}

static void log_line(void *ctx, const char *message) {
    if (verbose) printf("  %s: %s\n", (const char *)ctx, message);
}

static tlscore_server_config server_config(uint32_t client_auth, uint32_t versions) {
    tlscore_server_config cfg = {
        .chain = chain, .chain_len = chain_len, .key = key, .key_len = key_len,
        .client_auth = client_auth,
        .client_cas = client_auth ? anchors : NULL, .client_cas_len = client_auth ? anchors_len : 0,
        .time = (int64_t)validation_time, .versions = versions,
        .client_certificate = client_leaf, .client_certificate_len = sizeof client_leaf,
        .input = server_input, .input_len = sizeof server_input,
        .output = server_output, .output_len = sizeof server_output,
        .reassembly = server_reassembly, .reassembly_len = sizeof server_reassembly,
        .entropy = entropy, .log = log_line, .log_ctx = "server",
    };
    if (use_signer) {
        cfg.key = NULL;
        cfg.key_len = 0;
        cfg.sign = element_sign;
        cfg.sign_ctx = &server_element;
    }
    if (resume_mode == RESUME_TICKET) cfg.ticket_key = ticket_key;
    if (resume_mode == RESUME_SESSION_ID) {
        cfg.session_cache = session_cache;
        cfg.session_cache_len = sizeof session_cache;
    }
    return cfg;
}

static tlscore_config client_config(int with_certificate, uint32_t versions) {
    tlscore_config cfg = {
        .anchors = anchors, .anchors_len = anchors_len, .server_name = "localhost",
        .time = (int64_t)validation_time, .versions = versions,
        .client_chain = with_certificate ? client_chain : NULL, .client_chain_len = with_certificate ? client_chain_len : 0,
        .client_key = with_certificate ? client_key : NULL, .client_key_len = with_certificate ? client_key_len : 0,
        .input = client_input, .input_len = sizeof client_input,
        .output = client_output, .output_len = sizeof client_output,
        .reassembly = client_reassembly, .reassembly_len = sizeof client_reassembly,
        .entropy = entropy, .log = log_line, .log_ctx = "client",
    };
    if (use_signer && with_certificate) {
        cfg.client_key = NULL;
        cfg.client_key_len = 0;
        cfg.sign = element_sign;
        cfg.sign_ctx = &client_element;
    }
    if (resume_mode != RESUME_NONE) {
        cfg.session = session;
        cfg.session_len = sizeof session;
    }
    return cfg;
}

#define ENDED (TLSCORE_STATE_CLOSED | TLSCORE_STATE_TRUNCATED | TLSCORE_STATE_FAILED)

/* One end of the in-memory connection: its context and its role's calls (the same loop). */
struct side {
    void *ctx;
    unsigned (*want)(void *);
    const uint8_t *(*output)(void *, size_t *);
    int (*output_done)(void *, size_t);
    uint8_t *(*input)(void *, size_t *);
    int (*input_done)(void *, size_t);
    long (*send)(void *, const uint8_t *, size_t);
    long (*recv)(void *, uint8_t *, size_t);
};
static const struct side client_side = {
    &client, tlscore_client_want, tlscore_client_output, tlscore_client_output_done, tlscore_client_input,
    tlscore_client_input_done, tlscore_client_send, tlscore_client_recv,
};
static const struct side server_side = {
    &server, tlscore_server_want, tlscore_server_output, tlscore_server_output_done, tlscore_server_input,
    tlscore_server_input_done, tlscore_server_send, tlscore_server_recv,
};

/* Moves one byte of from's output into to's input; a peer that has ended takes nothing, so
 * what is still addressed to it is dropped. Returns whether a byte moved or was dropped. */
static int pump(const struct side *from, const struct side *to) {
    size_t len = 0, cap = 0;
    const uint8_t *out = from->output(from->ctx, &len);
    if (!out || len == 0) return 0;
    if (to->want(to->ctx) & ENDED) {
        from->output_done(from->ctx, len);
        return 1;
    }
    uint8_t *in = to->input(to->ctx, &cap);
    if (!in || cap == 0) return 0;
    in[0] = out[0];
    from->output_done(from->ctx, 1);
    to->input_done(to->ctx, 1);
    return 1;
}

/* One side's application: send its data once connected, read the peer's. */
static int application(const struct side *side, const uint8_t *data, size_t len, size_t *sent, uint8_t *got, size_t cap,
                       size_t *received) {
    int moved = 0;
    unsigned want = side->want(side->ctx);
    if ((want & TLSCORE_STATE_CONNECTED) && *sent < len) {
        long taken = side->send(side->ctx, data + *sent, len - *sent);
        if (taken > 0) {
            *sent += (size_t)taken;
            moved = 1;
        }
    }
    if (want & TLSCORE_STATE_DATA) {
        long n = side->recv(side->ctx, got + *received, cap - *received);
        if (n > 0) {
            *received += (size_t)n;
            moved = 1;
        }
    }
    return moved;
}

static const char *version_text(uint16_t version) {
    return version == 0x0304 ? "TLS 1.3" : version == 0x0303 ? "TLS 1.2" : "TLS ?";
}

static void memory(uint32_t versions, uint32_t client_auth, int with_certificate, int expect_failure) {
    for (size_t i = 0; i < sizeof to_server; i++) to_server[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof to_client; i++) to_client[i] = (uint8_t)(i * 13 + 5);
    tlscore_server_config scfg = server_config(client_auth, versions);
    tlscore_config ccfg = client_config(with_certificate, versions);
    int status = tlscore_server_init(&server, sizeof server, &scfg);
    if (status != TLSCORE_OK) printf("server-handle-test: server init: %s (%d)\n", tlscore_strerror(status), status);
    check(status == TLSCORE_OK, "server init");
    check(tlscore_server_want(&server) == TLSCORE_WANT_READ, "a new server waits for the ClientHello");
    status = tlscore_client_init(&client, sizeof client, &ccfg);
    check(status == TLSCORE_OK, "client init");
    size_t client_sent = 0, server_sent = 0, client_got = 0, server_got = 0, bytes = 0;
    int closed = 0, connected_seen = 0;
    long steps = 0;
    for (; steps < 50000000; steps++) {
        int moved = 0;
        if (pump(&client_side, &server_side)) moved = 1, bytes++;
        if (pump(&server_side, &client_side)) moved = 1, bytes++;
        unsigned cw = tlscore_client_want(&client), sw = tlscore_server_want(&server);
        if ((cw & TLSCORE_STATE_CONNECTED) && (sw & TLSCORE_STATE_CONNECTED)) connected_seen = 1;
        moved |= application(&client_side, to_server, sizeof to_server, &client_sent, got_client, sizeof got_client, &client_got);
        moved |= application(&server_side, to_client, sizeof to_client, &server_sent, got_server, sizeof got_server, &server_got);
        if (!closed && client_got == sizeof got_client && server_got == sizeof got_server) {
            tlscore_client_close(&client);
            closed = 1;
            moved = 1;
        }
        cw = tlscore_client_want(&client);
        sw = tlscore_server_want(&server);
        if ((cw & ENDED) && (sw & ENDED) && !(cw & TLSCORE_WANT_WRITE) && !(sw & TLSCORE_WANT_WRITE)) break;
        if (!moved) {
            printf("server-handle-test: stalled: client want 0x%x, server want 0x%x\n", cw, sw);
            break;
        }
    }
    tlscore_report cr = {0}, sr = {0};
    int ccode = tlscore_client_report(&client, &cr), scode = tlscore_server_report(&server, &sr);
    unsigned cw = tlscore_client_want(&client), sw = tlscore_server_want(&server);
    printf("server-handle-test: %s %04x, %zu bytes moved one at a time; client: %s, want 0x%x; server: %s, want 0x%x",
           version_text(sr.version), sr.suite, bytes, tlscore_strerror(ccode), cw, tlscore_strerror(scode), sw);
    if (sr.resumed) printf("; resumed (%u)", (unsigned)sr.resumed);
    if (use_signer) printf("; signatures by the elements: server %d, client %d", server_element.signatures, client_element.signatures);
    last_resumed = sr.resumed;
    if (sr.peer_certificate_verified) printf("; client certificate verified, %u bytes kept", (unsigned)sr.peer_certificate_len);
    printf("\n");
    check(cr.resumed == sr.resumed, "both report the same resumption");
    if (expect_failure) {
        check(scode == TLSCORE_ERR_CERTIFICATE_REQUIRED || scode == TLSCORE_ERR_HANDSHAKE_FAILURE,
              "the server refuses a client without a certificate");
        check((sw & TLSCORE_STATE_FAILED) && !sr.peer_certificate_verified, "the server's connection failed");
        check(TLSCORE_IS_PEER_ALERT(ccode), "the client got the server's alert");
        check(!connected_seen || server_got == 0, "no application data reached the server");
    } else {
        check(connected_seen, "both sides connected");
        check(ccode == TLSCORE_OK && scode == TLSCORE_OK, "no failure on either side");
        check((cw & TLSCORE_STATE_CLOSED) && (sw & TLSCORE_STATE_CLOSED), "both closed with close_notify");
        /* The client closes first; it reads nothing afterwards, so only the server sees one. */
        check(sr.closed_by_notify, "the server saw the client's close_notify");
        check(server_got == sizeof to_server && !memcmp(got_server, to_server, sizeof to_server),
              "the client's 5000 bytes arrived intact");
        check(client_got == sizeof to_client && !memcmp(got_client, to_client, sizeof to_client),
              "the server's 7000 bytes arrived intact");
        check(cr.version == sr.version && cr.suite == sr.suite && sr.suite != 0, "both report the same version and suite");
        check(versions != TLSCORE_TLS12 || sr.version == 0x0303, "TLS 1.2 as configured");
        check(versions != TLSCORE_TLS13 || sr.version == 0x0304, "TLS 1.3 as configured");
        if (sr.resumed)
            check(!cr.peer_certificate_verified, "a resumed handshake carries no certificate to verify");
        else
            check(cr.peer_certificate_verified, "the client verified the server's chain");
        if (with_certificate && client_auth) {
            check(sr.peer_certificate_verified, "the server verified the client certificate");
            check(cr.client_certificate == TLSCORE_CLIENT_CERT_SENT, "the client reports its certificate sent");
            /* The kept leaf is the first certificate of the client's chain, byte for byte. */
            size_t leaf = client_chain_len >= 4 ? (size_t)(4 + (client_chain[2] << 8 | client_chain[3])) : 0;
            check(client_chain[1] == 0x82 && sr.peer_certificate_len == leaf &&
                      !memcmp(client_leaf, client_chain, leaf), "the verified leaf was kept in the region");
        } else {
            check(!sr.peer_certificate_verified && sr.peer_certificate_len == 0, "no client certificate reported");
        }
    }
    tlscore_client_free(&client);
    tlscore_server_free(&server);
    check(tlscore_server_want(&server) == TLSCORE_STATE_FAILED, "a freed server context is not live");
}

static void sizes(void) {
    size_t real = tlscore_server_context_size();
    printf("server-handle-test: server context size %zu bytes (TLSCORE_SERVER_CONTEXT_SIZE %zu), client %zu\n",
           real, (size_t)TLSCORE_SERVER_CONTEXT_SIZE, tlscore_client_context_size());
    check(TLSCORE_SERVER_CONTEXT_SIZE >= real, "TLSCORE_SERVER_CONTEXT_SIZE holds the real context");
    check(TLSCORE_SERVER_CONTEXT_SIZE == real, "TLSCORE_SERVER_CONTEXT_SIZE is the real size on this board");
    tlscore_server_config cfg = server_config(TLSCORE_CLIENT_AUTH_NONE, 0);
    check(tlscore_server_init(&server, real - 1, &cfg) == TLSCORE_ERR_CONTEXT_TOO_SMALL,
          "a server context one byte too small is refused with TLSCORE_ERR_CONTEXT_TOO_SMALL");
    check(tlscore_server_want(&server) == TLSCORE_STATE_FAILED, "a refused context is not live");
    check(tlscore_server_send(&server, (const uint8_t *)"x", 1) == TLSCORE_ERR_INVALID_ARGUMENT, "calls on it are refused");
    check(tlscore_server_init((unsigned char *)&server + 1, real, &cfg) == TLSCORE_ERR_INVALID_ARGUMENT,
          "a misaligned context is refused");
    check(tlscore_server_init(NULL, real, &cfg) == TLSCORE_ERR_INVALID_ARGUMENT, "a NULL context is refused");
    tlscore_server_config bad = cfg;
    bad.client_auth = TLSCORE_CLIENT_AUTH_REQUIRED;
    bad.client_cas = NULL;
    bad.client_cas_len = 0;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "client_auth without client CAs is refused");
    bad = cfg;
    bad.client_auth = 3;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "an unknown client_auth is refused");
    bad = cfg;
    bad.key = NULL;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "no key is refused");
    bad = cfg;
    bad.key = NULL;
    bad.key_len = 0;
    bad.sign = element_sign;
    bad.sign_ctx = &server_element;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_OK, "no key but a signer is taken");
    tlscore_server_free(&server);
    bad = cfg;
    bad.previous_ticket_key = ticket_key;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT,
          "a previous ticket key without a current one is refused");
    bad = cfg;
    bad.ticket_key = ticket_key;
    bad.ticket_lifetime = 604801;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "a ticket lifetime over 7 days is refused");
    bad = cfg;
    bad.psk_identity = (const uint8_t *)"dev";
    bad.psk_identity_len = 3;
    bad.psk = ticket_key;
    bad.psk_len = 16;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "an external PSK under 32 bytes is refused");
    bad = cfg;
    bad.alpn = (const uint8_t *)"\x08http/1.";
    bad.alpn_len = 8;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT, "a malformed ALPN list is refused");
    bad = cfg;
    bad.entropy = NULL;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_INVALID_ARGUMENT,
          "without POSIX, no entropy callback is refused");
    bad = cfg;
    bad.output_len = TLSCORE_SERVER_OUTPUT_REGION_SIZE(chain_len) / 4;
    check(tlscore_server_init(&server, real, &bad) == TLSCORE_ERR_BUFFER_TOO_SMALL, "an output region too small is refused");
    bad = cfg;
    bad.output_len = TLSCORE_SERVER_OUTPUT_REGION_SIZE(chain_len);
    bad.input_len = TLSCORE_SERVER_INPUT_REGION_SIZE;
    bad.reassembly_len = TLSCORE_SERVER_REASSEMBLY_REGION_SIZE(chain_len);
    int status = tlscore_server_init(&server, real, &bad);
    if (status != TLSCORE_OK) printf("server-handle-test: init: %s (%d)\n", tlscore_strerror(status), status);
    check(status == TLSCORE_OK, "a context of exactly the real size and the macros' regions are taken");
    check(tlscore_server_want(&server) == TLSCORE_WANT_READ, "it waits for the ClientHello");
    check(tlscore_client_want(&server) == TLSCORE_STATE_FAILED &&
              tlscore_client_send(&server, (const uint8_t *)"x", 1) == TLSCORE_ERR_INVALID_ARGUMENT,
          "the client's calls refuse a server context");
    check(tlscore_server_send(&server, (const uint8_t *)"x", 1) == TLSCORE_ERR_INVALID_STATE, "send before the handshake is refused");
    check(tlscore_server_want(&server) == TLSCORE_WANT_READ, "and the connection goes on");
    check(tlscore_server_input_eof(&server) == TLSCORE_ERR_CONNECTION_CLOSED, "an end of stream before the ClientHello fails it");
    tlscore_server_free(&server);
    check(tlscore_server_want(&server) == TLSCORE_STATE_FAILED, "a freed context is not live");
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "", *cert = NULL, *key_path = NULL, *ca = NULL;
    const char *client_cert = NULL, *client_key_path = NULL, *version = NULL, *auth = "none";
    int expect_failure = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--verbose")) { verbose = 1; continue; }
        if (!strcmp(argv[i], "--expect-failure")) { expect_failure = 1; continue; }
        if (!strcmp(argv[i], "--signer")) { use_signer = 1; continue; }
        const char *value = i + 1 < argc ? argv[++i] : "";
        if (!strcmp(argv[i - 1], "--cert")) cert = value;
        else if (!strcmp(argv[i - 1], "--key")) key_path = value;
        else if (!strcmp(argv[i - 1], "--ca")) ca = value;
        else if (!strcmp(argv[i - 1], "--client-cert")) client_cert = value;
        else if (!strcmp(argv[i - 1], "--client-key")) client_key_path = value;
        else if (!strcmp(argv[i - 1], "--client-auth")) auth = value;
        else if (!strcmp(argv[i - 1], "--version")) version = value;
        else if (!strcmp(argv[i - 1], "--time")) validation_time = atoll(value);
        else if (!strcmp(argv[i - 1], "--resume") && !strcmp(value, "ticket")) resume_mode = RESUME_TICKET;
        else if (!strcmp(argv[i - 1], "--resume") && !strcmp(value, "session-id")) resume_mode = RESUME_SESSION_ID;
        else { printf("server-handle-test: unknown option %s\n", argv[i - 1]); return 2; }
    }
    uint32_t client_auth = !strcmp(auth, "required") ? TLSCORE_CLIENT_AUTH_REQUIRED
                         : !strcmp(auth, "optional") ? TLSCORE_CLIENT_AUTH_OPTIONAL : TLSCORE_CLIENT_AUTH_NONE;
    uint32_t versions = !version ? 0 : !strcmp(version, "1.2") ? TLSCORE_TLS12 : TLSCORE_TLS13;
    long n;
    if (!cert || !key_path || !ca || (!!client_cert != !!client_key_path) ||
        (strcmp(mode, "size") && strcmp(mode, "memory"))) {
        printf("usage: server-handle-test (size|memory) --cert CHAIN --key KEY --ca ROOT [--version 1.2|1.3]\n"
               "       [--client-cert CHAIN --client-key KEY] [--client-auth none|optional|required] [--expect-failure]\n");
        return 2;
    }
    if ((n = der_file_load("server-handle-test", cert, "CERTIFICATE", chain, sizeof chain)) < 0) return 2;
    chain_len = (size_t)n;
    if ((n = der_file_load("server-handle-test", key_path, "PRIVATE KEY", key, sizeof key)) < 0) return 2;
    key_len = (size_t)n;
    if ((n = der_file_load("server-handle-test", ca, "CERTIFICATE", anchors, sizeof anchors)) < 0) return 2;
    anchors_len = (size_t)n;
    if (client_cert) {
        if ((n = der_file_load("server-handle-test", client_cert, "CERTIFICATE", client_chain, sizeof client_chain)) < 0) return 2;
        client_chain_len = (size_t)n;
        if ((n = der_file_load("server-handle-test", client_key_path, "PRIVATE KEY", client_key, sizeof client_key)) < 0) return 2;
        client_key_len = (size_t)n;
    }
    if (use_signer && (element_load(&server_element, key, key_len) != 0 ||
                       (client_cert && element_load(&client_element, client_key, client_key_len) != 0))) {
        printf("server-handle-test: the secure element does not take the key\n");
        return 2;
    }
    if (!strcmp(mode, "size")) {
        sizes();
    } else if (resume_mode == RESUME_NONE) {
        memory(versions, client_auth, client_cert != NULL, expect_failure);
        if (use_signer) {
            check(server_element.signatures == 1, "the server's one signature was made by its element");
            check(client_element.signatures == (client_cert && client_auth ? 1 : 0),
                  "the client's CertificateVerify was made by its element");
        }
    } else {
        memory(versions, client_auth, client_cert != NULL, 0);
        check(last_resumed == TLSCORE_RESUMED_NONE, "the first handshake is a full one");
        memory(versions, client_auth, client_cert != NULL, 0);
        uint8_t expected = resume_mode == RESUME_SESSION_ID ? TLSCORE_RESUMED_SESSION_ID
                         : versions == TLSCORE_TLS13 ? TLSCORE_RESUMED_PSK : TLSCORE_RESUMED_TICKET;
        check(last_resumed == expected, "the second handshake resumes the first's session");
    }
    printf("server-handle-test: %s: %s\n", mode, failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
