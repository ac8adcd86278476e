/*
 * tls-device: a firmware-style TLS 1.2 / 1.3 client over the C API of boards/include/tlscore.h,
 * and with --serve a server over its handle API.
 *
 *   tls-device (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE [--server-name NAME]
 *              [--tls 1.2|1.3]... [--group x25519|secp256r1|secp384r1]
 *              [--time UNIX] [--request TEXT] [--max-fragment N] [--timeout MS]
 *              [--allow-missing-close-notify] [--arena BYTES]
 *
 * --tls limits the versions offered (repeatable; both by default, the server picks);
 * --group names TLS 1.3's key-share group (x25519 by default). The negotiated version, suite
 * and group are printed to stderr after the exchange.
 *
 * One exchange: handshake (chain checked against the CA file, DER or PEM), send the request
 * (default "GET / HTTP/1.0\r\n\r\n"; \r, \n and \\ escapes are understood), print the
 * response to stdout until the server closes. Exit 0 on success; 1 with the reason on
 * stderr on a TLS or transport failure, or when the server's stream ended without
 * close_notify (nothing then tells a whole response from one cut short on the way: a
 * truncation attack) unless --allow-missing-close-notify, for a server known to skip it;
 * 2 on a usage or file error.
 *
 *   tls-device --serve --listen HOST:PORT --cert CHAIN --key KEY [--client-ca FILE] [--crl FILE]
 *              [--client-auth none|optional|required] [--tls 1.2|1.3]... [--count N]
 *              [--time UNIX] [--timeout MS]
 *
 * --serve listens on the IPv4 address and port (0: an ephemeral one) and prints
 * "listening on HOST:PORT" (flushed), then serves N connections (1 by default) one after
 * another through tlscore_server_init and the handle loop: the certificate chain and key
 * (PEM or DER), client certificates asked for and checked against --client-ca and --crl at
 * --time (the system clock by default) as --client-auth says; each connection's HTTP request
 * is read to its blank line and answered "HTTP/1.0 200 OK" with a body naming the version,
 * the suite and whether a client certificate was verified, then close_notify. Exit 0 after
 * N connections; 1 with the reason on stderr when one fails (or none comes within --timeout,
 * 30 s by default, the bound on every wait); 2 on a usage or file error. Not in the PSK-only
 * build (tls-device-psk), which has no server role.
 *
 * All memory is static, as on a board: the record regions, the reassembly region and the
 * anchors live in .bss; nothing here calls malloc.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "der-file.h"
#include "tlscore.h"

static uint8_t input_region[TLSCORE_RECORD_REGION_SIZE(16384)];
static uint8_t output_region[TLSCORE_OUTPUT_REGION_SIZE_SESSION];
/* The session a board would keep in flash: loaded from --session FILE, written back. */
static uint8_t session_region[TLSCORE_SESSION_SIZE];
static uint8_t psk_key[64];
/* --max-fragment is an option, so the reassembly region is sized for it. */
static uint8_t reassembly_region[TLSCORE_REASSEMBLY_REGION_SIZE_MAX_FRAGMENT];
static uint8_t anchors[16384];
static char request[4096];

static int usage(void) {
    fprintf(stderr,
            "usage: tls-device (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE [--server-name NAME]\n"
            "                  [--tls 1.2|1.3]... [--group x25519|secp256r1|secp384r1]\n"
            "                  [--time UNIX] [--request TEXT] [--max-fragment N] [--timeout MS]\n"
            "                  [--session FILE] [--psk-identity ID --psk HEX [--psk-suites]]\n"
            "                  [--allow-missing-close-notify] [--arena BYTES]\n"
            "       tls-device --serve --listen HOST:PORT --cert CHAIN --key KEY [...]  (a server: see tls-device.c)\n"
            "  --session FILE  resume from the session in FILE (if it holds one for this server) and\n"
            "      write the session the server gives back to it: what a board keeps in flash\n"
            "  --psk-identity ID --psk HEX  an external PSK (TLS 1.3; with --psk-suites the TLS 1.2\n"
            "      PSK suites only): no certificate from the server\n"
            "  --allow-missing-close-notify  accept a response that ends without close_notify (exit 0,\n"
            "      not 1); only for a server known to skip it: without close_notify a response cut\n"
            "      short on the way looks complete\n"
            "  --arena BYTES  serve Mbed TLS's allocations from a fixed arena of BYTES (at most 262144)\n"
            "      and print its high-water mark; too small a one fails with out of memory\n");
    return 2;
}

/* ---- names for the report ---- */

static const char *suite_name(uint16_t suite) {
    switch (suite) {
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
    case 0x1304: return "TLS_AES_128_CCM_SHA256";
    case 0x1305: return "TLS_AES_128_CCM_8_SHA256";
    case 0xC02B: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xC02C: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xCCA9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xC0AC: return "TLS_ECDHE_ECDSA_WITH_AES_128_CCM";
    case 0xC0AE: return "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8";
    case 0xC02F: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xC030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xCCA8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0x009C: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009D: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0xC0A8: return "TLS_PSK_WITH_AES_128_CCM_8";
    case 0xC0A4: return "TLS_PSK_WITH_AES_128_CCM";
    case 0x00A8: return "TLS_PSK_WITH_AES_128_GCM_SHA256";
    case 0xCCAC: return "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256";
    default: return "unknown suite";
    }
}

/* The TLSCORE_TLS12 / TLSCORE_TLS13 bit a --tls value names, 0 for none. */
static uint32_t version_bit(const char *value) {
    return !strcmp(value, "1.2") ? TLSCORE_TLS12 : !strcmp(value, "1.3") ? TLSCORE_TLS13 : 0;
}

static const char *group_name(uint16_t group) {
    switch (group) {
    case TLSCORE_GROUP_X25519: return "x25519";
    case TLSCORE_GROUP_SECP256R1: return "secp256r1";
    case TLSCORE_GROUP_SECP384R1: return "secp384r1";
    default: return NULL;
    }
}

/* ---- transports ---- */

static int open_tcp(const char *target, char *host, size_t host_cap) {
    const char *colon = strrchr(target, ':');
    if (!colon || colon == target || (size_t)(colon - target) >= host_cap) return -1;
    const char *start = target;
    size_t length = (size_t)(colon - target);
    if (start[0] == '[' && length >= 2 && start[length - 1] == ']') {
        start++;
        length -= 2;
    }
    memcpy(host, start, length);
    host[length] = 0;
    struct addrinfo hints = {0}, *list = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int status = getaddrinfo(host, colon + 1, &hints, &list);
    if (status != 0) {
        fprintf(stderr, "tls-device: %s: %s\n", target, gai_strerror(status));
        return -1;
    }
    int fd = -1, error = 0;
    for (struct addrinfo *info = list; info; info = info->ai_next) {
        fd = socket(info->ai_family, info->ai_socktype, info->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, info->ai_addr, info->ai_addrlen) == 0) break;
        error = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        fprintf(stderr, "tls-device: cannot connect to %s: %s\n", target, strerror(error));
        return -1;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
}

static speed_t baud_constant(long baud) {
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

/* Opens a serial line raw (8N1, no flow control, no echo, no line discipline). */
static int open_tty(const char *path, long baud) {
    speed_t speed = baud_constant(baud);
    if (!speed) {
        fprintf(stderr, "tls-device: unsupported --baud %ld\n", baud);
        return -1;
    }
    int fd = open(path, O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "tls-device: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct termios mode;
    if (tcgetattr(fd, &mode) != 0) {
        fprintf(stderr, "tls-device: %s is not a tty: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&mode);
    mode.c_cflag |= CLOCAL | CREAD;
    mode.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS);
    mode.c_cc[VMIN] = 1;
    mode.c_cc[VTIME] = 0;
    cfsetispeed(&mode, speed);
    cfsetospeed(&mode, speed);
    if (tcsetattr(fd, TCSANOW, &mode) != 0) {
        fprintf(stderr, "tls-device: cannot set %s raw: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

/* ---- the session: send the request, print what comes back ---- */

struct exchange {
    const char *request;
    size_t request_len;
    size_t received;
};

static int on_event(void *ctx, int event, const uint8_t *data, size_t len, const uint8_t **reply, size_t *reply_len) {
    struct exchange *exchange = ctx;
    switch (event) {
    case TLSCORE_EVENT_CONNECTED:
        *reply = (const uint8_t *)exchange->request;
        *reply_len = exchange->request_len;
        break;
    case TLSCORE_EVENT_DATA:
        if (fwrite(data, 1, len, stdout) != len) return -1;
        exchange->received += len;
        break;
    case TLSCORE_EVENT_CLOSED:
        fflush(stdout);
        break;
    }
    return TLSCORE_CONTINUE;
}

static size_t unescape(const char *text, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = text; *p && n < cap; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            out[n++] = *p == 'r' ? '\r' : *p == 'n' ? '\n' : *p;
        } else {
            out[n++] = *p;
        }
    }
    return n;
}

/* ---- tls-device --serve: a TLS server over the handle API (tlscore_server_init) ---- */
/* TLS_DEVICE_NO_SERVER: the client alone, for scripts/build-boards.sh's client size figures. */
#if !defined(TLSCORE_PSK_ONLY) && !defined(TLS_DEVICE_NO_SERVER)
#include <poll.h>

#define SERVE_CERTS_MAX 8192 /* the chain's and the client CAs' buffers, each */
static uint8_t serve_chain[SERVE_CERTS_MAX];
static uint8_t serve_key[4096];
static uint8_t serve_client_cas[SERVE_CERTS_MAX];
static uint8_t serve_crls[8192];
static uint8_t serve_client_leaf[4096];
static uint8_t serve_input[TLSCORE_SERVER_INPUT_REGION_SIZE];
static uint8_t serve_output[TLSCORE_SERVER_OUTPUT_REGION_SIZE(2 * SERVE_CERTS_MAX)];
static uint8_t serve_reassembly[TLSCORE_SERVER_REASSEMBLY_REGION_SIZE(2 * SERVE_CERTS_MAX)];
static tlscore_server_ctx serve_ctx;

static int serve_usage(void) {
    fprintf(stderr,
            "usage: tls-device --serve --listen HOST:PORT --cert CHAIN --key KEY [--client-ca FILE] [--crl FILE]\n"
            "                  [--client-auth none|optional|required] [--tls 1.2|1.3]... [--count N]\n"
            "                  [--time UNIX] [--timeout MS]\n");
    return 2;
}

static long long serve_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits (bounded by the deadline) for `events` on fd; 0 when the deadline passed. */
static int serve_wait(int fd, short events, long long deadline) {
    long long left = deadline - serve_now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
    return n != 0 ? 1 : serve_now_ms() < deadline;
}

/* The body naming what was negotiated, and whether a client certificate was verified. */
static size_t serve_response(char *out, size_t cap, const tlscore_report *report) {
    const char *group = group_name(report->group);
    char body[512];
    int n = snprintf(body, sizeof body, "tls-device: %s %s%s%s%s, client certificate %s",
                     report->version == 0x0304 ? "TLS 1.3" : "TLS 1.2", suite_name(report->suite),
                     group ? " (" : "", group ? group : "", group ? ")" : "",
                     report->peer_certificate_verified ? "verified" : "none");
    if (report->peer_certificate_verified && report->peer_certificate_len)
        n += snprintf(body + n, sizeof body - (size_t)n, " (%u bytes of DER kept)", (unsigned)report->peer_certificate_len);
    n += snprintf(body + n, sizeof body - (size_t)n, "\n");
    return (size_t)snprintf(out, cap, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", n, body);
}

/* One connection through the handle API, start to close_notify, each wait bounded by
 * timeout_ms: the request read up to its blank line, the response sent, close_notify.
 * Returns 0, or 1 with the reason printed. */
static int serve_one(int fd, const tlscore_server_config *cfg, int index, long timeout_ms) {
    int status = tlscore_server_init(&serve_ctx, sizeof serve_ctx, cfg);
    if (status != TLSCORE_OK) {
        fprintf(stderr, "tls-device: connection %d: init: %s (code %d)\n", index, tlscore_strerror(status), status);
        return 1;
    }
    char request_text[2048], response[1024];
    size_t request_len = 0, response_len = 0, response_sent = 0;
    int responded = 0, transport_error = 0;
    long long deadline = serve_now_ms() + timeout_ms;
    unsigned want;
    for (;;) {
        want = tlscore_server_want(&serve_ctx);
        int moved = 0;
        if (want & TLSCORE_WANT_WRITE) {
            size_t len = 0;
            const uint8_t *out = tlscore_server_output(&serve_ctx, &len);
            ssize_t sent = send(fd, out, len, MSG_NOSIGNAL);
            if (sent > 0) {
                tlscore_server_output_done(&serve_ctx, (size_t)sent);
                moved = 1;
            } else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                transport_error = errno;
                break;
            }
        }
        if (want & TLSCORE_STATE_DATA) {
            long got = tlscore_server_recv(&serve_ctx, (uint8_t *)request_text + request_len, sizeof request_text - 1 - request_len);
            if (got > 0) {
                request_len += (size_t)got;
                request_text[request_len] = 0;
                moved = 1;
            }
            if (request_len == sizeof request_text - 1) {
                fprintf(stderr, "tls-device: connection %d: request longer than %zu bytes\n", index, request_len);
                tlscore_server_close(&serve_ctx);
                responded = 1;
            }
        }
        if (!responded && (want & TLSCORE_STATE_CONNECTED) && strstr(request_text, "\r\n\r\n")) {
            tlscore_report report = {0};
            tlscore_server_report(&serve_ctx, &report);
            response_len = serve_response(response, sizeof response, &report);
            responded = 1;
        }
        if (responded && response_sent < response_len && (want & TLSCORE_STATE_CONNECTED)) {
            long taken = tlscore_server_send(&serve_ctx, (const uint8_t *)response + response_sent, response_len - response_sent);
            if (taken > 0) {
                response_sent += (size_t)taken;
                moved = 1;
                if (response_sent == response_len) tlscore_server_close(&serve_ctx);
            }
        }
        want = tlscore_server_want(&serve_ctx);
        if ((want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_FAILED | TLSCORE_STATE_TRUNCATED)) && !(want & TLSCORE_WANT_WRITE))
            break;
        if (moved || (want & TLSCORE_STATE_DATA)) continue;
        short events = (short)((want & TLSCORE_WANT_WRITE ? POLLOUT : 0) | (want & TLSCORE_WANT_READ ? POLLIN : 0));
        if (!events) break;
        if (!serve_wait(fd, events, deadline)) {
            fprintf(stderr, "tls-device: connection %d: no progress within %ld ms\n", index, timeout_ms);
            tlscore_server_free(&serve_ctx);
            return 1;
        }
        if (want & TLSCORE_WANT_READ) {
            size_t cap = 0;
            uint8_t *in = tlscore_server_input(&serve_ctx, &cap);
            ssize_t got = in ? recv(fd, in, cap, 0) : -1;
            if (got > 0) tlscore_server_input_done(&serve_ctx, (size_t)got);
            else if (got == 0) tlscore_server_input_eof(&serve_ctx);
            else if (in && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                transport_error = errno;
                break;
            }
        }
    }
    tlscore_report report = {0};
    int code = tlscore_server_report(&serve_ctx, &report);
    tlscore_server_free(&serve_ctx);
    /* Our close_notify is out: end our side and read what the client still sends (its own
     * close_notify) until it closes, so that closing does not reset the connection. */
    shutdown(fd, SHUT_WR);
    long long linger = serve_now_ms() + 2000;
    for (char sink[512]; serve_wait(fd, POLLIN, linger) && recv(fd, sink, sizeof sink, 0) > 0;) {}
    if (transport_error) {
        fprintf(stderr, "tls-device: connection %d: transport failure: %s\n", index, strerror(transport_error));
        return 1;
    }
    if (code != TLSCORE_OK || response_sent < response_len || !responded) {
        fprintf(stderr, "tls-device: connection %d: TLS failure: %s (code %d", index,
                code != TLSCORE_OK ? tlscore_strerror(code) : "the client closed before its request", code);
        if (code == TLSCORE_ERR_CERT_RULE)
            fprintf(stderr, ", rule %d: %s", (int)report.detail, tlscore_cert_rule_name(report.detail));
        else if (report.detail)
            fprintf(stderr, ", detail %d", (int)report.detail);
        fprintf(stderr, ")\n");
        return 1;
    }
    const char *body = strstr(response, "\r\n\r\n") + 4 + strlen("tls-device: ");
    fprintf(stderr, "tls-device: connection %d: %s", index, body);
    return 0;
}

static int serve(int argc, char **argv) {
    const char *listen_at = NULL, *cert = NULL, *key = NULL, *client_ca = NULL, *crl = NULL, *auth = "none";
    long count = 1, timeout_ms = 30000;
    long long validation_time = 0;
    uint32_t versions = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(option, "--serve")) continue;
        if (!value) return serve_usage();
        i++;
        char *rest = NULL;
        if (!strcmp(option, "--listen")) listen_at = value;
        else if (!strcmp(option, "--cert")) cert = value;
        else if (!strcmp(option, "--key")) key = value;
        else if (!strcmp(option, "--client-ca")) client_ca = value;
        else if (!strcmp(option, "--crl")) crl = value;
        else if (!strcmp(option, "--client-auth")) auth = value;
        else if (!strcmp(option, "--count")) count = strtol(value, &rest, 10);
        else if (!strcmp(option, "--timeout")) timeout_ms = strtol(value, &rest, 10);
        else if (!strcmp(option, "--time")) validation_time = strtoll(value, &rest, 10);
        else if (!strcmp(option, "--tls") && version_bit(value)) versions |= version_bit(value);
        else return serve_usage();
        if (rest && *rest) return serve_usage();
    }
    uint32_t client_auth;
    if (!strcmp(auth, "none")) client_auth = TLSCORE_CLIENT_AUTH_NONE;
    else if (!strcmp(auth, "optional")) client_auth = TLSCORE_CLIENT_AUTH_OPTIONAL;
    else if (!strcmp(auth, "required")) client_auth = TLSCORE_CLIENT_AUTH_REQUIRED;
    else return serve_usage();
    if (!listen_at || !cert || !key || count < 1 || timeout_ms <= 0 || (client_auth && !client_ca)) return serve_usage();

    long chain_len = der_file_load("tls-device", cert, "CERTIFICATE", serve_chain, sizeof serve_chain);
    long key_len = chain_len < 0 ? -1 : der_file_load("tls-device", key, "PRIVATE KEY", serve_key, sizeof serve_key);
    long cas_len = 0, crls_len = 0;
    if (key_len >= 0 && client_ca)
        cas_len = der_file_load("tls-device", client_ca, "CERTIFICATE", serve_client_cas, sizeof serve_client_cas);
    if (key_len >= 0 && cas_len >= 0 && crl)
        crls_len = der_file_load("tls-device", crl, "X509 CRL", serve_crls, sizeof serve_crls);
    if (chain_len < 0 || key_len < 0 || cas_len < 0 || crls_len < 0) return 2;

    char host[256];
    const char *colon = strrchr(listen_at, ':');
    if (!colon || (size_t)(colon - listen_at) >= sizeof host) return serve_usage();
    memcpy(host, listen_at, (size_t)(colon - listen_at));
    host[colon - listen_at] = 0;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "tls-device: --listen takes an IPv4 address and a port: %s\n", listen_at);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    socklen_t address_len = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &address_len) != 0) {
        fprintf(stderr, "tls-device: cannot listen on %s: %s\n", listen_at, strerror(errno));
        return 1;
    }
    printf("listening on %s:%u\n", host, (unsigned)ntohs(address.sin_port));
    fflush(stdout);

    tlscore_server_config cfg = {
        .chain = serve_chain,
        .chain_len = (size_t)chain_len,
        .key = serve_key,
        .key_len = (size_t)key_len,
        .client_auth = client_auth,
        .client_cas = cas_len ? serve_client_cas : NULL,
        .client_cas_len = (size_t)cas_len,
        .crls = crls_len ? serve_crls : NULL,
        .crls_len = (size_t)crls_len,
        .time = (int64_t)validation_time,
        .versions = versions,
        .client_certificate = serve_client_leaf,
        .client_certificate_len = sizeof serve_client_leaf,
        .input = serve_input,
        .input_len = sizeof serve_input,
        .output = serve_output,
        .output_len = sizeof serve_output,
        .reassembly = serve_reassembly,
        .reassembly_len = sizeof serve_reassembly,
    };
    for (long index = 1; index <= count; index++) {
        /* Each accept is bounded too: a test that never connects does not leave us behind. */
        if (!serve_wait(listener, POLLIN, serve_now_ms() + timeout_ms)) {
            fprintf(stderr, "tls-device: no connection within %ld ms\n", timeout_ms);
            close(listener);
            return 1;
        }
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            fprintf(stderr, "tls-device: accept: %s\n", strerror(errno));
            close(listener);
            return 1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
        int failed = serve_one(fd, &cfg, (int)index, timeout_ms);
        close(fd);
        if (failed) {
            close(listener);
            return 1;
        }
    }
    close(listener);
    return 0;
}
#endif

/* --arena: Mbed TLS's allocations from a fixed arena (boards/common/arena.c) of at most this. */
static _Alignas(16) unsigned char arena_memory[256 * 1024];

static void arena_report(long arena_bytes) {
    if (arena_bytes <= 0) return;
    struct arena_stats stats;
    arena_stats(&stats);
    fprintf(stderr, "tls-device: Mbed TLS arena: high-water %zu of %zu bytes, %zu allocations, %zu refused\n",
            stats.high_water, stats.size, stats.allocations, stats.refused);
}

int main(int argc, char **argv) {
#if !defined(TLSCORE_PSK_ONLY) && !defined(TLS_DEVICE_NO_SERVER)
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--serve")) return serve(argc, argv);
#endif
    const char *tcp = NULL, *tty = NULL, *ca = NULL, *server_name = NULL;
    const char *request_text = "GET / HTTP/1.0\\r\\n\\r\\n";
    long long validation_time = -1;
    long baud = 115200, max_fragment = 0, timeout_ms = 10000, arena_bytes = 0;
    int allow_missing_close_notify = 0, psk_suites = 0;
    uint32_t versions = 0, group = 0;
    const char *session_path = NULL, *psk_identity = NULL, *psk_hex = NULL;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(option, "--allow-missing-close-notify")) {
            allow_missing_close_notify = 1;
            continue;
        }
        if (!strcmp(option, "--psk-suites")) {
            psk_suites = 1;
            continue;
        }
        if (!value) return usage();
        i++;
        char *rest = NULL;
        if (!strcmp(option, "--tcp")) tcp = value;
        else if (!strcmp(option, "--tty")) tty = value;
        else if (!strcmp(option, "--ca")) ca = value;
        else if (!strcmp(option, "--server-name")) server_name = value;
        else if (!strcmp(option, "--request")) request_text = value;
        else if (!strcmp(option, "--time")) validation_time = strtoll(value, &rest, 10);
        else if (!strcmp(option, "--baud")) baud = strtol(value, &rest, 10);
        else if (!strcmp(option, "--max-fragment")) max_fragment = strtol(value, &rest, 10);
        else if (!strcmp(option, "--timeout")) timeout_ms = strtol(value, &rest, 10);
        else if (!strcmp(option, "--session")) session_path = value;
        else if (!strcmp(option, "--arena")) arena_bytes = strtol(value, &rest, 10);
        else if (!strcmp(option, "--psk-identity")) psk_identity = value;
        else if (!strcmp(option, "--psk")) psk_hex = value;
        else if (!strcmp(option, "--tls")) {
            if (!version_bit(value)) return usage();
            versions |= version_bit(value);
        } else if (!strcmp(option, "--group")) {
            if (!strcmp(value, "x25519")) group = TLSCORE_GROUP_X25519;
            else if (!strcmp(value, "secp256r1")) group = TLSCORE_GROUP_SECP256R1;
            else if (!strcmp(value, "secp384r1")) group = TLSCORE_GROUP_SECP384R1;
            else return usage();
        }
        else return usage();
        if (rest && *rest) return usage();
    }
    if (!ca || (!tcp == !tty) || timeout_ms <= 0 || !psk_identity != !psk_hex || arena_bytes < 0 ||
        arena_bytes > (long)sizeof arena_memory)
        return usage();
    if (arena_bytes > 0) arena_init(arena_memory, (size_t)arena_bytes);
    size_t psk_len = 0;
    if (psk_hex) {
        size_t digits = strlen(psk_hex);
        if (digits % 2 || digits == 0 || digits > 2 * sizeof psk_key) return usage();
        for (size_t i = 0; i < digits / 2; i++) {
            unsigned byte;
            if (sscanf(psk_hex + 2 * i, "%2x", &byte) != 1) return usage();
            psk_key[i] = (uint8_t)byte;
        }
        psk_len = digits / 2;
    }
    if (session_path) {
        /* A missing or short file leaves zeros (or a cut session): the core says why. */
        FILE *file = fopen(session_path, "rb");
        if (file) {
            size_t got = fread(session_region, 1, sizeof session_region, file);
            (void)got;
            fclose(file);
        }
    }
    if (validation_time < 0) validation_time = (long long)time(NULL);

    long anchors_len = der_file_load("tls-device", ca, "CERTIFICATE", anchors, sizeof anchors);
    if (anchors_len < 0) return 2;

    char host[256] = {0};
    uint8_t address[16];
    size_t address_len = 0;
    int fd;
    if (tcp) {
        fd = open_tcp(tcp, host, sizeof host);
        if (fd < 0) return host[0] ? 1 : usage();
        /* Reached by address: the certificate must carry it; by name: the name. */
        if (!server_name) {
            if (inet_pton(AF_INET, host, address) == 1) address_len = 4;
            else if (inet_pton(AF_INET6, host, address) == 1) address_len = 16;
            else server_name = host;
        }
    } else {
        if (!server_name) {
            fprintf(stderr, "tls-device: --tty needs --server-name (the name the certificate must carry)\n");
            return 2;
        }
        fd = open_tty(tty, baud);
        if (fd < 0) return 2;
    }

    struct exchange exchange = {request, unescape(request_text, request, sizeof request), 0};
    tlscore_config config = {
        .anchors = anchors,
        .anchors_len = (size_t)anchors_len,
        .server_name = server_name,
        .server_address = address_len ? address : NULL,
        .server_address_len = address_len,
        .time = (int64_t)validation_time,
        .suites = TLSCORE_SUITES_DEFAULT,
        .max_fragment_length = (uint32_t)max_fragment,
        .input = input_region,
        .input_len = sizeof input_region,
        .output = output_region,
        .output_len = sizeof output_region,
        .reassembly = reassembly_region,
        .reassembly_len = sizeof reassembly_region,
        .versions = versions,
        .key_share_group = group,
        .session = session_path ? session_region : NULL,
        .session_len = sizeof session_region,
        .psk_identity = (const uint8_t *)psk_identity,
        .psk_identity_len = psk_identity ? strlen(psk_identity) : 0,
        .psk = psk_len ? psk_key : NULL,
        .psk_len = psk_len,
    };
    if (psk_suites) config.suites = TLSCORE_SUITES_PSK;
    tlscore_io io = {.fd = fd, .timeout_ms = (int)timeout_ms};
    tlscore_report report = {0};
    int result = tlscore_client_run(&config, &io, on_event, &exchange, &report);
    close(fd);
    arena_report(arena_bytes);
    if (session_path) {
        long length = tlscore_session_length(session_region, sizeof session_region);
        FILE *file = fopen(session_path, "wb");
        if (file) {
            if (length > 0) fwrite(session_region, 1, (size_t)length, file);
            fclose(file);
        }
        if (report.session_refused)
            fprintf(stderr, "tls-device: full handshake: the stored session was not offered: %s\n",
                    tlscore_strerror(report.session_refused));
    }
    if (report.client_certificate >= TLSCORE_CLIENT_CERT_NONE_CONFIGURED) {
        static const char *const why[] = {
            "none is configured", "its certificate_types lack our key's type",
            "our chain reaches none of its certificate_authorities", "no signature scheme is common",
        };
        fprintf(stderr, "tls-device: the server asked for a client certificate; an empty one went out: %s\n",
                why[(report.client_certificate - TLSCORE_CLIENT_CERT_NONE_CONFIGURED) & 3]);
    }
    if (result != TLSCORE_OK) {
        fprintf(stderr, "tls-device: TLS failure: %s (code %d", tlscore_strerror(result), result);
        if (result == TLSCORE_ERR_CERT_RULE)
            fprintf(stderr, ", rule %d: %s", (int)report.detail, tlscore_cert_rule_name(report.detail));
        else if (report.detail)
            fprintf(stderr, ", detail %d", (int)report.detail);
        fprintf(stderr, ")\n");
        return 1;
    }
    const char *group_text = group_name(report.group);
    static const char *const resumed[] = {"", ", resumed (session ID)", ", resumed (ticket)", ", resumed (PSK)",
                                          ", resumed (external PSK)"};
    fprintf(stderr, "tls-device: negotiated %s %s%s%s%s%s%s, %zu bytes received%s\n",
            report.version == 0x0304 ? "TLS 1.3" : report.version == 0x0303 ? "TLS 1.2" : "TLS ?",
            suite_name(report.suite), group_text ? " (" : "", group_text ? group_text : "",
            group_text ? ")" : "", report.extended_master_secret ? " with extended_master_secret" : "",
            resumed[report.resumed <= 4 ? report.resumed : 0], exchange.received,
            report.closed_by_notify ? ", then close_notify" : ", then the connection closed without close_notify");
    if (!report.closed_by_notify && !allow_missing_close_notify) {
        fprintf(stderr, "tls-device: connection closed without close_notify: the response may be truncated\n");
        return 1;
    }
    return 0;
}
