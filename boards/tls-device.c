/*
 * tls-device: a firmware-style TLS 1.2 / 1.3 client over the C API of boards/include/tlscore.h.
 *
 *   tls-device (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE [--server-name NAME]
 *              [--tls 1.2|1.3]... [--group x25519|secp256r1|secp384r1]
 *              [--time UNIX] [--request TEXT] [--max-fragment N] [--timeout MS]
 *              [--allow-missing-close-notify]
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

#include "tlscore.h"

static uint8_t input_region[TLSCORE_RECORD_REGION_SIZE(16384)];
static uint8_t output_region[TLSCORE_OUTPUT_REGION_SIZE_SESSION];
/* The session a board would keep in flash: loaded from --session FILE, written back. */
static uint8_t session_region[TLSCORE_SESSION_SIZE];
static uint8_t psk_key[64];
/* --max-fragment is an option, so the reassembly region is sized for it. */
static uint8_t reassembly_region[TLSCORE_REASSEMBLY_REGION_SIZE_MAX_FRAGMENT];
static uint8_t anchors[16384];
static uint8_t file_buffer[32768];
static char request[4096];

static int usage(void) {
    fprintf(stderr,
            "usage: tls-device (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE [--server-name NAME]\n"
            "                  [--tls 1.2|1.3]... [--group x25519|secp256r1|secp384r1]\n"
            "                  [--time UNIX] [--request TEXT] [--max-fragment N] [--timeout MS]\n"
            "                  [--session FILE] [--psk-identity ID --psk HEX [--psk-suites]]\n"
            "                  [--allow-missing-close-notify]\n"
            "  --session FILE  resume from the session in FILE (if it holds one for this server) and\n"
            "      write the session the server gives back to it: what a board keeps in flash\n"
            "  --psk-identity ID --psk HEX  an external PSK (TLS 1.3; with --psk-suites the TLS 1.2\n"
            "      PSK suites only): no certificate from the server\n"
            "  --allow-missing-close-notify  accept a response that ends without close_notify (exit 0,\n"
            "      not 1); only for a server known to skip it: without close_notify a response cut\n"
            "      short on the way looks complete\n");
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

static const char *group_name(uint16_t group) {
    switch (group) {
    case TLSCORE_GROUP_X25519: return "x25519";
    case TLSCORE_GROUP_SECP256R1: return "secp256r1";
    case TLSCORE_GROUP_SECP384R1: return "secp384r1";
    default: return NULL;
    }
}

/* ---- the CA file: DER as is, or every PEM CERTIFICATE block decoded ---- */

static int base64_value(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes the base64 text in [from, to) into out; returns the byte count or -1. */
static long base64_decode(const char *from, const char *to, uint8_t *out, size_t cap) {
    unsigned long bits = 0;
    int have = 0;
    size_t n = 0;
    for (const char *p = from; p < to; p++) {
        if (*p == '=') break;
        int v = base64_value((unsigned char)*p);
        if (v < 0) {
            if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t') continue;
            return -1;
        }
        bits = (bits << 6) | (unsigned long)v;
        have += 6;
        if (have >= 8) {
            have -= 8;
            if (n >= cap) return -1;
            out[n++] = (uint8_t)(bits >> have);
        }
    }
    return (long)n;
}

/* Whether bytes[0..length) is one or more whole DER SEQUENCEs back to back, as certificates
 * are: a file of something else is refused here rather than failing in the handshake. */
static int der_sequences(const uint8_t *bytes, size_t length) {
    size_t at = 0;
    while (at < length) {
        if (length - at < 2 || bytes[at] != 0x30) return 0;
        size_t size = bytes[at + 1], header = 2;
        if (size & 0x80) {
            size_t count = size & 0x7f;
            if (count == 0 || count > 3 || length - at < 2 + count) return 0;
            size = 0;
            for (size_t i = 0; i < count; i++) size = size << 8 | bytes[at + 2 + i];
            header += count;
        }
        if (size > length - at - header) return 0;
        at += header + size;
    }
    return length > 0;
}

/* Loads the anchors; returns their length, or -1 with a message printed. */
static long load_anchors(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "tls-device: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t length = fread(file_buffer, 1, sizeof file_buffer - 1, file);
    int too_long = !feof(file);
    fclose(file);
    if (too_long) {
        fprintf(stderr, "tls-device: %s is larger than %zu bytes\n", path, sizeof file_buffer - 1);
        return -1;
    }
    file_buffer[length] = 0;
    const char *begin = "-----BEGIN CERTIFICATE-----", *end = "-----END CERTIFICATE-----";
    const char *text = (const char *)file_buffer;
    if (!strstr(text, "-----BEGIN")) {
        if (length == 0 || length > sizeof anchors) {
            fprintf(stderr, "tls-device: %s: no certificate\n", path);
            return -1;
        }
        if (!der_sequences(file_buffer, length)) {
            fprintf(stderr, "tls-device: %s: no certificate (neither PEM nor DER certificates)\n", path);
            return -1;
        }
        memcpy(anchors, file_buffer, length);
        return (long)length;
    }
    size_t total = 0;
    for (const char *p = strstr(text, begin); p; p = strstr(p, begin)) {
        const char *body = p + strlen(begin);
        const char *stop = strstr(body, end);
        if (!stop) break;
        long n = base64_decode(body, stop, anchors + total, sizeof anchors - total);
        if (n <= 0) {
            fprintf(stderr, "tls-device: %s: bad PEM certificate\n", path);
            return -1;
        }
        total += (size_t)n;
        p = stop + strlen(end);
    }
    if (total == 0 || !der_sequences(anchors, total)) {
        fprintf(stderr, "tls-device: %s: no certificate\n", path);
        return -1;
    }
    return (long)total;
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

int main(int argc, char **argv) {
    const char *tcp = NULL, *tty = NULL, *ca = NULL, *server_name = NULL;
    const char *request_text = "GET / HTTP/1.0\\r\\n\\r\\n";
    long long validation_time = -1;
    long baud = 115200, max_fragment = 0, timeout_ms = 10000;
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
        else if (!strcmp(option, "--psk-identity")) psk_identity = value;
        else if (!strcmp(option, "--psk")) psk_hex = value;
        else if (!strcmp(option, "--tls")) {
            if (!strcmp(value, "1.2")) versions |= TLSCORE_TLS12;
            else if (!strcmp(value, "1.3")) versions |= TLSCORE_TLS13;
            else return usage();
        } else if (!strcmp(option, "--group")) {
            if (!strcmp(value, "x25519")) group = TLSCORE_GROUP_X25519;
            else if (!strcmp(value, "secp256r1")) group = TLSCORE_GROUP_SECP256R1;
            else if (!strcmp(value, "secp384r1")) group = TLSCORE_GROUP_SECP384R1;
            else return usage();
        }
        else return usage();
        if (rest && *rest) return usage();
    }
    if (!ca || (!tcp == !tty) || timeout_ms <= 0 || !psk_identity != !psk_hex) return usage();
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

    long anchors_len = load_anchors(ca);
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
