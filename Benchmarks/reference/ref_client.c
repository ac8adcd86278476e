/* The reference: the same exchange as `hostsim connect` through Mbed TLS 2.28's own TLS
 * client (its ssl module over net_sockets), pinned to TLS 1.2 and one suite.
 *
 *   gcc -O2 -o ref-client ref_client.c -lmbedtls -lmbedx509 -lmbedcrypto
 *   ref-client HOST PORT CA.pem SERVERNAME [--suite NAME] [--max-fragment N] [--repeat N]
 *              [--time UNIX] [--resume] [--quiet]
 *
 * N sequential exchanges, each on a new TCP connection: handshake, one request
 * (`GET / HTTP/1.0\r\n\r\n`), the response read to close_notify or end of stream, then
 * close_notify. The response is printed once (not at all with --quiet).
 *
 * Steady state the way Mbed TLS documents it: the ssl context is set up once and
 * mbedtls_ssl_session_reset() readies it for the next connection, so its record buffers
 * (MBEDTLS_SSL_IN/OUT_CONTENT_LEN, fixed at build time) are allocated once.
 * Session tickets are off by default: the full-handshake figures should pay for no
 * NewSessionTicket. With --resume (the reconnect mode, beside `hostsim connect --resume`):
 * tickets on (RFC 5077), and after each handshake the session is kept with
 * mbedtls_ssl_get_session and offered on the next connection with mbedtls_ssl_set_session,
 * so each connection resumes from the previous one, by ticket when the server gave one and by
 * session ID otherwise; it then prints `ref-client: K of N handshakes resumed` on stderr
 * (resumed = the new session has the offered session's master secret). TLS 1.2 only:
 * Mbed TLS 2.28's client has no TLS 1.3. Everything else is Mbed TLS's default.
 * --time is accepted for symmetry with hostsim and ignored: Mbed TLS checks validity against
 * the wall clock (the fixtures are valid 2020..2099).
 * With --quiet it prints the sizes of its static contexts on stderr, one line. */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, int status) {
    char text[200];
    mbedtls_strerror(status, text, sizeof text);
    fprintf(stderr, "ref-client: %s: -0x%04x %s\n", what, (unsigned)-status, text);
    exit(1);
}

static void usage(void) {
    fprintf(stderr, "usage: ref-client HOST PORT CA.pem SERVERNAME [--suite NAME] [--max-fragment N] "
                    "[--repeat N] [--time UNIX] [--resume] [--quiet]\n");
    exit(2);
}

/* IANA names (as hostsim takes them) and OpenSSL's, to Mbed TLS's suite ids. */
static int suite_id(const char *name) {
    static const struct { const char *iana, *openssl; } names[] = {
        {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
        {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
        {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
        {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
        {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
        {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
        {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    };
    char mbedtls_name[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].iana) == 0 || strcmp(name, names[i].openssl) == 0) {
            name = names[i].iana;
            break;
        }
    }
    /* Mbed TLS spells the IANA names with dashes. */
    snprintf(mbedtls_name, sizeof mbedtls_name, "%s", name);
    for (char *p = mbedtls_name; *p; p++) if (*p == '_') *p = '-';
    return mbedtls_ssl_get_ciphersuite_id(mbedtls_name);
}

int main(int argc, char **argv) {
    if (argc < 5) usage();
    const char *host = argv[1], *port = argv[2], *ca_path = argv[3], *server_name = argv[4];
    const char *suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    int max_fragment = 0, repeat = 1, quiet = 0, resume = 0;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0) { quiet = 1; continue; }
        if (strcmp(argv[i], "--resume") == 0) { resume = 1; continue; }
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--suite") == 0) suite = argv[++i];
        else if (strcmp(argv[i], "--max-fragment") == 0) max_fragment = atoi(argv[++i]);
        else if (strcmp(argv[i], "--repeat") == 0) repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--time") == 0) ++i;
        else usage();
    }
    if (repeat < 1) usage();
    signal(SIGPIPE, SIG_IGN); /* a server that already closed must not kill the close_notify */

    static int suites[2];
    suites[0] = suite_id(suite);
    if (suites[0] == 0) { fprintf(stderr, "ref-client: unknown suite %s\n", suite); return 2; }
    unsigned char mfl;
    switch (max_fragment) {
    case 0: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_NONE; break;
    case 512: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_512; break;
    case 1024: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_1024; break;
    case 2048: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_2048; break;
    case 4096: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_4096; break;
    default: fprintf(stderr, "ref-client: --max-fragment must be 512, 1024, 2048 or 4096\n"); return 2;
    }

    static mbedtls_entropy_context entropy;
    static mbedtls_ctr_drbg_context drbg;
    static mbedtls_x509_crt ca;
    static mbedtls_ssl_config config;
    static mbedtls_ssl_context ssl;
    int status;

    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const unsigned char personalization[] = "ref-client";
    if ((status = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, personalization,
                                        sizeof personalization - 1)) != 0) fail("ctr_drbg_seed", status);
    mbedtls_x509_crt_init(&ca);
    if ((status = mbedtls_x509_crt_parse_file(&ca, ca_path)) != 0) fail(ca_path, status);

    mbedtls_ssl_config_init(&config);
    if ((status = mbedtls_ssl_config_defaults(&config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                              MBEDTLS_SSL_PRESET_DEFAULT)) != 0) fail("ssl_config_defaults", status);
    mbedtls_ssl_conf_min_version(&config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&config, suites);
    mbedtls_ssl_conf_authmode(&config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&config, &ca, NULL);
    mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_session_tickets(&config, resume ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                     : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    if ((status = mbedtls_ssl_conf_max_frag_len(&config, mfl)) != 0) fail("conf_max_frag_len", status);

    mbedtls_ssl_init(&ssl);
    if ((status = mbedtls_ssl_setup(&ssl, &config)) != 0) fail("ssl_setup", status);
    if ((status = mbedtls_ssl_set_hostname(&ssl, server_name)) != 0) fail("set_hostname", status);

    static const unsigned char request[] = "GET / HTTP/1.0\r\n\r\n";
    static unsigned char chunk[4096];
    static mbedtls_ssl_session saved;
    int have_saved = 0, resumed_runs = 0, ticket_runs = 0;
    mbedtls_ssl_session_init(&saved);
    for (int run = 0; run < repeat; run++) {
        mbedtls_net_context net;
        mbedtls_net_init(&net);
        if ((status = mbedtls_net_connect(&net, host, port, MBEDTLS_NET_PROTO_TCP)) != 0) fail("connect", status);
        mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
        if (resume && have_saved && (status = mbedtls_ssl_set_session(&ssl, &saved)) != 0) fail("set_session", status);
        while ((status = mbedtls_ssl_handshake(&ssl)) != 0) {
            if (status != MBEDTLS_ERR_SSL_WANT_READ && status != MBEDTLS_ERR_SSL_WANT_WRITE) fail("handshake", status);
        }
        if (resume) {
            /* A resumed handshake keeps the offered session's master secret (RFC 5246 §7.4.1.2;
             * a ticket resumption answers a fresh random session ID, so the ID cannot tell). */
            if (have_saved && memcmp(ssl.session->master, saved.master, sizeof saved.master) == 0) {
                resumed_runs++;
                if (saved.ticket_len > 0) ticket_runs++;
            }
            mbedtls_ssl_session_free(&saved);
            mbedtls_ssl_session_init(&saved);
            if ((status = mbedtls_ssl_get_session(&ssl, &saved)) != 0) fail("get_session", status);
            have_saved = 1;
        }
        size_t offset = 0;
        while (offset < sizeof request - 1) {
            status = mbedtls_ssl_write(&ssl, request + offset, sizeof request - 1 - offset);
            if (status == MBEDTLS_ERR_SSL_WANT_READ || status == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
            if (status < 0) fail("write", status);
            offset += (size_t)status;
        }
        for (;;) {
            status = mbedtls_ssl_read(&ssl, chunk, sizeof chunk);
            if (status == MBEDTLS_ERR_SSL_WANT_READ || status == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
            if (status == 0 || status == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || status == MBEDTLS_ERR_SSL_CONN_EOF) break;
            if (status < 0) fail("read", status);
            if (run == 0 && !quiet) fwrite(chunk, 1, (size_t)status, stdout);
        }
        do {
            status = mbedtls_ssl_close_notify(&ssl);
        } while (status == MBEDTLS_ERR_SSL_WANT_WRITE);
        mbedtls_net_free(&net);
        if ((status = mbedtls_ssl_session_reset(&ssl)) != 0) fail("session_reset", status);
    }
    if (resume && repeat > 1) fprintf(stderr, "ref-client: %d of %d handshakes resumed (%d by ticket, %d by session ID)\n",
                                      resumed_runs, repeat, ticket_runs, resumed_runs - ticket_runs);
    mbedtls_ssl_session_free(&saved);
    if (quiet) {
        fprintf(stderr, "ref-client: %d exchanges; static RAM: ssl_context %zu ssl_config %zu ctr_drbg %zu "
                        "entropy %zu x509_crt %zu net_context %zu; record buffers on the heap: in %d + out %d "
                        "content bytes\n",
                repeat, sizeof ssl, sizeof config, sizeof drbg, sizeof entropy, sizeof ca,
                sizeof(mbedtls_net_context), MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN);
    }
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&config);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}
