/*
 * mqtt-telemetry: a firmware-style MQTT 3.1.1 client over TLS through the handle API of
 * boards/include/tlscore.h (tlscore_client_init ... tlscore_client_free).
 *
 *   mqtt-telemetry (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE
 *                  [--cert FILE --key FILE] [--server-name NAME] [--tls 1.2|1.3]
 *                  [--time UNIX] [--keepalive S] --topic TOPIC --count N --interval-ms MS
 *
 * One MQTT session in one poll loop, as a device's main loop would keep it: the TLS
 * handshake (the broker's chain checked against the CA file, PEM or DER; the client
 * certificate chain and key, PEM or DER, sent when the broker asks), CONNECT (clean
 * session, keepalive --keepalive seconds, 60 by default), SUBSCRIBE to TOPIC at QoS 1, then
 * every --interval-ms a reading PUBLISHed to TOPIC at QoS 1, each one's PUBACK awaited and
 * its copy, which comes back through the subscription, checked byte for byte. PINGREQ when
 * nothing was sent for half the keepalive. After the N-th reading is acknowledged and
 * echoed: DISCONNECT, then close_notify.
 *
 * Every wait is bounded (REPLY_TIMEOUT_MS): the handshake, CONNACK, SUBACK, each PUBACK,
 * each echo, each PINGRESP and the final flush. Exit 0 when all N readings were published,
 * acknowledged and echoed; 1 on a failure, its reason on stderr (a TLS error by
 * tlscore_strerror, a CONNACK refusal by its return code, a broker that disconnects, a
 * stall past the timeout); 2 on a usage or file error.
 *
 * The MQTT framing (remaining-length varint, CONNECT/CONNACK, SUBSCRIBE/SUBACK, PUBLISH/
 * PUBACK, PINGREQ/PINGRESP, DISCONNECT) is this file's own: the core is a TLS core.
 * All memory is static, as on a board; nothing here calls malloc. Linked against
 * libtlscore.a: entropy (getrandom) and the clock come from its POSIX defaults.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "der-file.h"
#include "tlscore.h"

#define REPLY_TIMEOUT_MS 20000 /* the longest any awaited step may take (qemu-emulated handshakes included) */
#define MAX_COUNT 1000
#define MAX_TOPIC 128
#define PUBLISH_ROOM (5 + 2 + MAX_TOPIC + 2 + 96) /* the largest PUBLISH queue_publish makes */

static tlscore_client_ctx tls;
static uint8_t input_region[TLSCORE_RECORD_REGION_SIZE(16384)];
/* With a client certificate the output region stages its chain, and the reassembly region
 * the client's whole flight: the chain plus about 1.3 KB each. */
static uint8_t output_region[6144];
static uint8_t reassembly_region[6144];
static uint8_t anchors[16384];
static uint8_t client_chain[4096];
static uint8_t client_key[2048];

/* MQTT bytes: what waits to be handed to tlscore_client_send, what came out of
 * tlscore_client_recv and is not a whole packet yet. */
static uint8_t tx[4096];
static size_t tx_len;
static uint8_t rx[4096];
static size_t rx_len;

static const char *topic;
static size_t topic_len;
static long count;
static uint8_t acked[MAX_COUNT], echoed[MAX_COUNT];
static long long published_at[MAX_COUNT];
static long published, acked_count, echoed_count, pings, pongs;

static int usage(void) {
    fprintf(stderr,
            "usage: mqtt-telemetry (--tcp HOST:PORT | --tty PATH [--baud N]) --ca FILE\n"
            "                      [--cert FILE --key FILE] [--server-name NAME] [--tls 1.2|1.3]\n"
            "                      [--time UNIX] [--keepalive S] --topic TOPIC --count N --interval-ms MS\n");
    return 2;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- transports (as in tls-device.c), switched to non-blocking for the poll loop ---- */

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
        fprintf(stderr, "mqtt-telemetry: %s: %s\n", target, gai_strerror(status));
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
        fprintf(stderr, "mqtt-telemetry: cannot connect to %s: %s\n", target, strerror(error));
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
        fprintf(stderr, "mqtt-telemetry: unsupported --baud %ld\n", baud);
        return -1;
    }
    int fd = open(path, O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "mqtt-telemetry: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct termios mode;
    if (tcgetattr(fd, &mode) != 0) {
        fprintf(stderr, "mqtt-telemetry: %s is not a tty: %s\n", path, strerror(errno));
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
        fprintf(stderr, "mqtt-telemetry: cannot set %s raw: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

/* ---- MQTT 3.1.1 framing (OASIS mqtt-v3.1.1 §2, §3) ---- */

enum {
    MQTT_CONNECT = 1, MQTT_CONNACK = 2, MQTT_PUBLISH = 3, MQTT_PUBACK = 4, MQTT_SUBSCRIBE = 8,
    MQTT_SUBACK = 9, MQTT_PINGREQ = 12, MQTT_PINGRESP = 13, MQTT_DISCONNECT = 14,
};

/* Appends one packet: fixed header byte, remaining length (1..4 base-128 digits, §2.2.3),
 * then `body`. Returns 0, or -1 when tx has no room (the caller's bug, not the peer's). */
static int queue_packet(uint8_t first, const uint8_t *body, size_t body_len) {
    uint8_t header[5];
    size_t n = 0, left = body_len;
    header[n++] = first;
    do {
        uint8_t digit = left % 128;
        left /= 128;
        header[n++] = (uint8_t)(digit | (left ? 0x80 : 0));
    } while (left && n < 5);
    if (left || sizeof tx - tx_len < n + body_len) return -1;
    memcpy(tx + tx_len, header, n);
    memcpy(tx + tx_len + n, body, body_len);
    tx_len += n + body_len;
    return 0;
}

static size_t put_u16(uint8_t *at, size_t value) {
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
    return 2;
}

static size_t put_string(uint8_t *at, const char *text, size_t len) {
    put_u16(at, len);
    memcpy(at + 2, text, len);
    return 2 + len;
}

static int queue_connect(const char *client_id, unsigned keepalive) {
    uint8_t body[64 + 23];
    size_t n = put_string(body, "MQTT", 4);
    body[n++] = 4;    /* protocol level: 3.1.1 */
    body[n++] = 0x02; /* clean session; no will, no user name, no password */
    n += put_u16(body + n, keepalive);
    n += put_string(body + n, client_id, strlen(client_id));
    return queue_packet(MQTT_CONNECT << 4, body, n);
}

static int queue_subscribe(uint16_t packet_id) {
    uint8_t body[2 + 2 + MAX_TOPIC + 1];
    size_t n = put_u16(body, packet_id);
    n += put_string(body + n, topic, topic_len);
    body[n++] = 1; /* requested QoS 1 */
    return queue_packet(MQTT_SUBSCRIBE << 4 | 0x02, body, n);
}

/* The reading's payload: what the echo must match byte for byte. */
static size_t reading_text(long index, char *out, size_t cap) {
    /* A made-up sensor: a temperature that drifts with the reading's number. */
    long tenths = 215 + (index * 7) % 40;
    int n = snprintf(out, cap, "{\"seq\":%ld,\"of\":%ld,\"temp_c\":%ld.%ld}", index + 1, count, tenths / 10,
                     tenths % 10);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int queue_publish(long index) {
    uint8_t body[2 + MAX_TOPIC + 2 + 96];
    size_t n = put_string(body, topic, topic_len);
    n += put_u16(body + n, (size_t)(index + 1)); /* packet identifier: the reading's number */
    n += reading_text(index, (char *)body + n, 96);
    return queue_packet(MQTT_PUBLISH << 4 | 0x02, body, n); /* QoS 1, not DUP, not RETAIN */
}

static int queue_puback(uint16_t packet_id) {
    uint8_t body[2];
    put_u16(body, packet_id);
    return queue_packet(MQTT_PUBACK << 4, body, 2);
}

/* ---- the session ---- */

enum phase { HANDSHAKE, CONNACK_WAIT, SUBACK_WAIT, RUNNING, FLUSHING, CLOSING, DONE };
static enum phase phase = HANDSHAKE;
static long long phase_deadline;
static char failure[256];

static int fail(const char *format, const char *detail) {
    if (!failure[0]) snprintf(failure, sizeof failure, format, detail);
    return -1;
}

static const char *connack_reason(int code) {
    switch (code) {
    case 1: return "unacceptable protocol version";
    case 2: return "identifier rejected";
    case 3: return "server unavailable";
    case 4: return "bad user name or password";
    case 5: return "not authorized";
    default: return "unknown return code";
    }
}

/* One whole incoming packet: first byte, body[0..len). Returns 0, or -1 with `failure` set. */
static int handle_packet(uint8_t first, const uint8_t *body, size_t len) {
    char text[160];
    switch (first >> 4) {
    case MQTT_CONNACK:
        if (phase != CONNACK_WAIT || len != 2) return fail("%s", "unexpected CONNACK");
        if (body[1] != 0) {
            snprintf(text, sizeof text, "%d (%s)", body[1], connack_reason(body[1]));
            return fail("the broker refused the connection: CONNACK return code %s", text);
        }
        if (queue_subscribe(1) != 0) return fail("%s", "SUBSCRIBE does not fit");
        phase = SUBACK_WAIT;
        phase_deadline = now_ms() + REPLY_TIMEOUT_MS;
        return 0;
    case MQTT_SUBACK:
        if (phase != SUBACK_WAIT || len != 3 || body[0] != 0 || body[1] != 1)
            return fail("%s", "unexpected SUBACK");
        if (body[2] == 0x80) return fail("%s", "the broker refused the subscription (SUBACK 0x80)");
        if (body[2] > 1) return fail("%s", "SUBACK grants a QoS not asked for");
        phase = RUNNING;
        return 0;
    case MQTT_PUBACK: {
        if (len != 2) return fail("%s", "malformed PUBACK");
        long id = body[0] << 8 | body[1];
        if (id < 1 || id > published || acked[id - 1]) return fail("%s", "PUBACK for no reading in flight");
        acked[id - 1] = 1;
        acked_count++;
        return 0;
    }
    case MQTT_PUBLISH: {
        unsigned qos = (first >> 1) & 3;
        if (len < 2) return fail("%s", "malformed PUBLISH");
        size_t name_len = (size_t)(body[0] << 8 | body[1]), at = 2 + name_len;
        if (qos > 1 || at + (qos ? 2 : 0) > len) return fail("%s", "malformed PUBLISH (or QoS 2)");
        uint16_t id = qos ? (uint16_t)(body[at] << 8 | body[at + 1]) : 0;
        if (qos) at += 2;
        if (name_len != topic_len || memcmp(body + 2, topic, topic_len))
            return fail("%s", "a PUBLISH on a topic not subscribed to");
        /* Which reading is this? The payload must be one sent, byte for byte. */
        const uint8_t *payload = body + at;
        size_t payload_len = len - at;
        long index = -1, number = 0;
        const uint8_t *colon = memchr(payload, ':', payload_len);
        for (const uint8_t *d = colon ? colon + 1 : payload + payload_len;
             d < payload + payload_len && *d >= '0' && *d <= '9' && number <= MAX_COUNT; d++)
            number = number * 10 + (*d - '0');
        index = number - 1;
        if (index < 0 || index >= published) return fail("%s", "an echo of no reading sent");
        size_t expected_len = reading_text(index, text, sizeof text);
        if (expected_len != payload_len || memcmp(text, payload, payload_len))
            return fail("%s", "an echo that differs from the reading sent");
        if (echoed[index]) return fail("%s", "a reading echoed twice");
        echoed[index] = 1;
        echoed_count++;
        if (qos && queue_puback(id) != 0) return fail("%s", "PUBACK does not fit");
        return 0;
    }
    case MQTT_PINGRESP:
        if (len != 0 || pongs >= pings) return fail("%s", "unexpected PINGRESP");
        pongs++;
        return 0;
    default:
        snprintf(text, sizeof text, "%u", first >> 4);
        return fail("unexpected MQTT packet type %s", text);
    }
}

/* Takes every whole packet out of rx. Returns 0, or -1 with `failure` set. */
static int parse_packets(void) {
    size_t at = 0;
    while (rx_len - at >= 2) {
        size_t length = 0, digits = 0;
        int complete = 0;
        for (unsigned shift = 0; digits < 4 && at + 1 + digits < rx_len; shift += 7) {
            uint8_t digit = rx[at + 1 + digits++];
            length |= (size_t)(digit & 0x7f) << shift;
            if (!(digit & 0x80)) {
                complete = 1;
                break;
            }
        }
        if (!complete) {
            if (digits == 4) return fail("%s", "malformed remaining length");
            break;
        }
        if (length > sizeof rx - 5) return fail("%s", "an MQTT packet larger than the receive buffer");
        if (rx_len - at < 1 + digits + length) break;
        if (handle_packet(rx[at], rx + at + 1 + digits, length) != 0) return -1;
        at += 1 + digits + length;
    }
    memmove(rx, rx + at, rx_len - at);
    rx_len -= at;
    return 0;
}

static int have_client_certificate;

static void print_tls_failure(const char *when) {
    tlscore_report report = {0};
    int32_t detail = 0;
    int code = tlscore_client_error(&tls, &detail);
    tlscore_client_report(&tls, &report);
    if (report.client_certificate >= TLSCORE_CLIENT_CERT_NONE_CONFIGURED)
        fprintf(stderr, "mqtt-telemetry: the broker asked for a client certificate; an empty one went out%s\n",
                have_client_certificate ? "" : " (none configured: --cert and --key)");
    fprintf(stderr, "mqtt-telemetry: TLS failure %s: %s (code %d", when, tlscore_strerror(code), code);
    if (code == TLSCORE_ERR_CERT_RULE)
        fprintf(stderr, ", rule %d: %s", (int)detail, tlscore_cert_rule_name(detail));
    else if (detail)
        fprintf(stderr, ", detail %d", (int)detail);
    fprintf(stderr, ")\n");
}

int main(int argc, char **argv) {
    const char *tcp = NULL, *tty = NULL, *ca = NULL, *cert = NULL, *key = NULL, *server_name = NULL;
    long long validation_time = -1;
    long baud = 115200, interval_ms = -1, keepalive = 60;
    uint32_t versions = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value) return usage();
        i++;
        char *rest = NULL;
        if (!strcmp(option, "--tcp")) tcp = value;
        else if (!strcmp(option, "--tty")) tty = value;
        else if (!strcmp(option, "--ca")) ca = value;
        else if (!strcmp(option, "--cert")) cert = value;
        else if (!strcmp(option, "--key")) key = value;
        else if (!strcmp(option, "--server-name")) server_name = value;
        else if (!strcmp(option, "--topic")) topic = value;
        else if (!strcmp(option, "--count")) count = strtol(value, &rest, 10);
        else if (!strcmp(option, "--interval-ms")) interval_ms = strtol(value, &rest, 10);
        else if (!strcmp(option, "--keepalive")) keepalive = strtol(value, &rest, 10);
        else if (!strcmp(option, "--time")) validation_time = strtoll(value, &rest, 10);
        else if (!strcmp(option, "--baud")) baud = strtol(value, &rest, 10);
        else if (!strcmp(option, "--tls")) {
            if (!strcmp(value, "1.2")) versions = TLSCORE_TLS12;
            else if (!strcmp(value, "1.3")) versions = TLSCORE_TLS13;
            else return usage();
        } else return usage();
        if (rest && *rest) return usage();
    }
    if (!ca || !tcp == !tty || !cert != !key || !topic || count < 1 || count > MAX_COUNT || interval_ms < 0 ||
        keepalive < 2 || keepalive > 65535)
        return usage();
    topic_len = strlen(topic);
    if (topic_len == 0 || topic_len > MAX_TOPIC || strpbrk(topic, "#+")) {
        fprintf(stderr, "mqtt-telemetry: --topic must be 1..%d bytes without wildcards\n", MAX_TOPIC);
        return 2;
    }
    if (validation_time < 0) validation_time = (long long)time(NULL);

    long anchors_len = der_file_load("mqtt-telemetry", ca, "CERTIFICATE", anchors, sizeof anchors);
    if (anchors_len < 0) return 2;
    long chain_len = 0, key_len = 0;
    if (cert) {
        chain_len = der_file_load("mqtt-telemetry", cert, "CERTIFICATE", client_chain, sizeof client_chain);
        if (chain_len < 0) return 2;
        key_len = der_file_load("mqtt-telemetry", key, "PRIVATE KEY", client_key, sizeof client_key);
        if (key_len < 0) return 2;
        have_client_certificate = 1;
    }

    char host[256] = {0};
    uint8_t address[16];
    size_t address_len = 0;
    int fd;
    if (tcp) {
        fd = open_tcp(tcp, host, sizeof host);
        if (fd < 0) return host[0] ? 1 : usage();
        if (!server_name) {
            if (inet_pton(AF_INET, host, address) == 1) address_len = 4;
            else if (inet_pton(AF_INET6, host, address) == 1) address_len = 16;
            else server_name = host;
        }
    } else {
        if (!server_name) {
            fprintf(stderr, "mqtt-telemetry: --tty needs --server-name (the name the certificate must carry)\n");
            return 2;
        }
        fd = open_tty(tty, baud);
        if (fd < 0) return 2;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    int is_socket = tcp != NULL;

    tlscore_config config = {
        .anchors = anchors,
        .anchors_len = (size_t)anchors_len,
        .server_name = server_name,
        .server_address = address_len ? address : NULL,
        .server_address_len = address_len,
        .time = (int64_t)validation_time,
        .client_chain = chain_len ? client_chain : NULL,
        .client_chain_len = (size_t)chain_len,
        .client_key = key_len ? client_key : NULL,
        .client_key_len = (size_t)key_len,
        .input = input_region,
        .input_len = sizeof input_region,
        .output = output_region,
        .output_len = sizeof output_region,
        .reassembly = reassembly_region,
        .reassembly_len = sizeof reassembly_region,
        .versions = versions,
    };
    int status = tlscore_client_init(&tls, sizeof tls, &config);
    if (status != TLSCORE_OK) {
        fprintf(stderr, "mqtt-telemetry: tlscore_client_init: %s (code %d)\n", tlscore_strerror(status), status);
        close(fd);
        return 1;
    }

    /* The client identifier (at most 23 bytes, §3.1.3.1): unique enough per process. */
    char client_id[24];
    snprintf(client_id, sizeof client_id, "tlscore-%ld", (long)getpid());

    long long start = now_ms(), last_sent = start, next_publish = 0, ping_sent_at = 0;
    phase_deadline = start + REPLY_TIMEOUT_MS;
    size_t tx_sent = 0; /* bytes of tx already taken by tlscore_client_send */
    const long long keepalive_half_ms = keepalive * 500;

    while (phase != DONE) {
        long long now = now_ms();
        unsigned want = tlscore_client_want(&tls);
        int moved = 0;
        short events = 0;

        /* TLS records out. */
        if (want & TLSCORE_WANT_WRITE) {
            size_t len = 0;
            const uint8_t *pending = tlscore_client_output(&tls, &len);
            ssize_t sent = is_socket ? send(fd, pending, len, MSG_NOSIGNAL) : write(fd, pending, len);
            if (sent > 0) {
                tlscore_client_output_done(&tls, (size_t)sent);
                moved = 1;
            } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                events |= POLLOUT;
            } else {
                snprintf(failure, sizeof failure, "the transport failed while sending: %s",
                         sent < 0 ? strerror(errno) : "nothing written");
                break;
            }
            want = tlscore_client_want(&tls);
        }
        if (want & TLSCORE_STATE_FAILED) {
            if (!(want & TLSCORE_WANT_WRITE)) { /* the alert, if any, is out */
                print_tls_failure(phase == HANDSHAKE ? "during the handshake" : "after the handshake");
                break;
            }
        } else if (phase < CLOSING && (want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_TRUNCATED))) {
            snprintf(failure, sizeof failure, "the broker disconnected (%s) %s",
                     want & TLSCORE_STATE_CLOSED ? "close_notify" : "the stream ended without close_notify",
                     phase == CONNACK_WAIT ? "before CONNACK" : phase == SUBACK_WAIT ? "before SUBACK"
                     : "after SUBACK, during the session");
            /* What arrived before the end may explain it better (a refusing CONNACK). */
            char disconnected[sizeof failure];
            memcpy(disconnected, failure, sizeof failure);
            failure[0] = 0;
            long got = tlscore_client_recv(&tls, rx + rx_len, sizeof rx - rx_len);
            if (got > 0) rx_len += (size_t)got;
            if (got <= 0 || parse_packets() == 0) memcpy(failure, disconnected, sizeof failure);
            break;
        }

        /* Application data in: MQTT packets. */
        if (want & TLSCORE_STATE_DATA) {
            long got = tlscore_client_recv(&tls, rx + rx_len, sizeof rx - rx_len);
            if (got > 0) {
                rx_len += (size_t)got;
                moved = 1;
                if (parse_packets() != 0) break;
            }
            want = tlscore_client_want(&tls);
        }

        /* The session's own steps. */
        if (phase == HANDSHAKE && (want & TLSCORE_STATE_CONNECTED)) {
            if (queue_connect(client_id, (unsigned)keepalive) != 0) {
                snprintf(failure, sizeof failure, "CONNECT does not fit");
                break;
            }
            tlscore_report report = {0};
            tlscore_client_report(&tls, &report);
            fprintf(stderr, "mqtt-telemetry: TLS %s established (suite 0x%04x%s), %lld ms\n",
                    report.version == 0x0304 ? "1.3" : report.version == 0x0303 ? "1.2" : "?", report.suite,
                    report.client_certificate == TLSCORE_CLIENT_CERT_SENT ? ", client certificate sent" : "",
                    now - start);
            phase = CONNACK_WAIT;
            phase_deadline = now + REPLY_TIMEOUT_MS;
        }
        if (phase == RUNNING) {
            /* A reading due waits while tx lacks room for one (a slow line drains it). */
            if (published < count && now >= next_publish && sizeof tx - tx_len >= PUBLISH_ROOM) {
                if (queue_publish(published) != 0) {
                    snprintf(failure, sizeof failure, "PUBLISH does not fit (readings queue up)");
                    break;
                }
                published_at[published++] = now;
                next_publish = (next_publish ? next_publish : now) + interval_ms;
                moved = 1;
            }
            if (tx_len == 0 && now - last_sent >= keepalive_half_ms && pongs == pings) {
                uint8_t ping[2] = {MQTT_PINGREQ << 4, 0};
                memcpy(tx, ping, 2);
                tx_len = 2;
                pings++;
                ping_sent_at = now;
            }
            if (published == count && acked_count == count && echoed_count == count) {
                uint8_t disconnect[2] = {MQTT_DISCONNECT << 4, 0};
                if (sizeof tx - tx_len < 2) {
                    snprintf(failure, sizeof failure, "DISCONNECT does not fit");
                    break;
                }
                memcpy(tx + tx_len, disconnect, 2);
                tx_len += 2;
                phase = FLUSHING;
                phase_deadline = now + REPLY_TIMEOUT_MS;
            }
        }

        /* MQTT bytes into TLS records. */
        if (tx_sent < tx_len && (want & TLSCORE_STATE_CONNECTED) && !(want & TLSCORE_STATE_FAILED)) {
            long taken = tlscore_client_send(&tls, tx + tx_sent, tx_len - tx_sent);
            if (taken < 0) {
                if (tlscore_client_want(&tls) & TLSCORE_STATE_FAILED) continue; /* reported above, next round */
                snprintf(failure, sizeof failure, "tlscore_client_send: %s", tlscore_strerror((int)taken));
                break;
            }
            if (taken > 0) {
                tx_sent += (size_t)taken;
                last_sent = now;
                moved = 1;
                if (tx_sent == tx_len) tx_sent = tx_len = 0;
            }
            want = tlscore_client_want(&tls);
        }
        if (phase == FLUSHING && tx_len == 0) {
            tlscore_client_close(&tls); /* close_notify after the DISCONNECT */
            phase = CLOSING;
            phase_deadline = now + REPLY_TIMEOUT_MS;
            continue;
        }
        if (phase == CLOSING && !(tlscore_client_want(&tls) & TLSCORE_WANT_WRITE)) {
            if (!is_socket) tcdrain(fd);
            phase = DONE;
            break;
        }

        /* TLS records in. */
        want = tlscore_client_want(&tls);
        if (phase != CLOSING && (want & TLSCORE_WANT_READ)) {
            size_t cap = 0;
            uint8_t *room = tlscore_client_input(&tls, &cap);
            ssize_t got = room ? read(fd, room, cap) : -1;
            if (got > 0) {
                tlscore_client_input_done(&tls, (size_t)got);
                moved = 1;
            } else if (got == 0) {
                tlscore_client_input_eof(&tls);
                moved = 1;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                events |= POLLIN;
            } else {
                /* A pty whose other side went away reads EIO: the end of the stream. */
                tlscore_client_input_eof(&tls);
                moved = 1;
            }
        }

        /* Every wait is bounded. */
        now = now_ms();
        if (phase <= SUBACK_WAIT || phase >= FLUSHING) {
            if (now > phase_deadline) {
                static const char *const waits[] = {"the TLS handshake", "CONNACK", "SUBACK", "", "the DISCONNECT to go out",
                                                    "close_notify to go out"};
                snprintf(failure, sizeof failure, "stalled: no progress waiting for %s within %d ms", waits[phase],
                         REPLY_TIMEOUT_MS);
                break;
            }
        } else {
            for (long i = 0; i < published; i++) {
                if ((!acked[i] || !echoed[i]) && now - published_at[i] > REPLY_TIMEOUT_MS) {
                    snprintf(failure, sizeof failure, "stalled: reading %ld %s within %d ms", i + 1,
                             !acked[i] ? "not acknowledged (PUBACK)" : "not echoed back through the subscription",
                             REPLY_TIMEOUT_MS);
                    break;
                }
            }
            if (failure[0]) break;
            if (pongs < pings && now - ping_sent_at > REPLY_TIMEOUT_MS) {
                snprintf(failure, sizeof failure, "stalled: no PINGRESP within %d ms", REPLY_TIMEOUT_MS);
                break;
            }
        }
        if (moved) continue;
        /* Sleep until the transport is ready or the next timer: a reading due, the
         * keepalive, a deadline. */
        long long wake = now + 1000;
        if (phase == RUNNING && published < count && next_publish < wake && sizeof tx - tx_len >= PUBLISH_ROOM)
            wake = next_publish;
        if (phase == RUNNING && last_sent + keepalive_half_ms < wake) wake = last_sent + keepalive_half_ms;
        if (wake < now) wake = now;
        struct pollfd wait_for = {.fd = fd, .events = events ? events : POLLIN};
        if (!events && !(want & TLSCORE_WANT_READ)) wait_for.events = 0;
        poll(&wait_for, 1, (int)(wake - now));
    }

    tlscore_report report = {0};
    tlscore_client_report(&tls, &report);
    tlscore_client_free(&tls);
    close(fd);
    if (phase != DONE) {
        if (failure[0]) fprintf(stderr, "mqtt-telemetry: %s\n", failure);
        fprintf(stderr, "mqtt-telemetry: FAILED after %ld of %ld readings published, %ld acknowledged, %ld echoed\n",
                published, count, acked_count, echoed_count);
        return 1;
    }
    fprintf(stderr,
            "mqtt-telemetry: %ld of %ld readings published to %s, acknowledged and echoed back; %ld PINGREQ,"
            " %ld PINGRESP; DISCONNECT and close_notify sent (TLS %s, %lld ms)\n",
            published, count, topic, pings, pongs,
            report.version == 0x0304 ? "1.3" : report.version == 0x0303 ? "1.2" : "?", now_ms() - start);
    return 0;
}
