/*
 * handle-test: the handle API of boards/include/tlscore.h (tlscore_client_init ...
 * tlscore_client_free) driven the way a firmware main loop drives it: non-blocking sockets
 * and one single-threaded poll loop, the caller moving every byte. Linked against
 * libtlscore-noposix.a, so entropy and the clock come from the callbacks here.
 *
 *   handle-test size                                  context size checks (no server)
 *   handle-test bytewise --port P --ca DER [opts]     every transfer one byte at a time
 *   handle-test random   --port P --ca DER --seed S   random split points (seed printed)
 *   handle-test parallel --port P --ca DER --count N  N connections interleaved in one loop
 *   handle-test garbage  --port P --ca DER            the peer sends garbage after the
 *                                                     handshake: must fail with
 *                                                     TLSCORE_ERR_BAD_RECORD_MAC, not hang
 *   handle-test truncated --port P --ca DER           close_notify removed on the way:
 *                                                     TLSCORE_STATE_TRUNCATED, not CLOSED
 *   opts: --version 1.2|1.3 (the version the report must show), --time UNIX, --verbose
 *
 * Each connection sends "GET / HTTP/1.0\r\n\r\n" to openssl s_server -www and expects
 * "HTTP/1.0 200 ok" then close_notify. Every wait is bounded: the whole run has 30 s.
 * Exit 0 when every check passed, 1 otherwise (each failure printed).
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tlscore.h"

#define MAX_CONNECTIONS 8
#define RUN_MILLISECONDS 30000

struct connection {
    tlscore_client_ctx ctx;
    uint8_t input[TLSCORE_RECORD_REGION_SIZE(16384)];
    uint8_t output[TLSCORE_OUTPUT_REGION_SIZE];
    uint8_t reassembly[TLSCORE_REASSEMBLY_REGION_SIZE];
    int fd;
    int live;            /* init succeeded: free at the end */
    size_t request_sent;
    char response[8192];
    size_t response_len;
    int done;
    unsigned final_want;
};

static struct connection connections[MAX_CONNECTIONS];
static uint8_t anchors[8192];
static size_t anchors_len;
static const char request[] = "GET / HTTP/1.0\r\n\r\n";
static int verbose;
static int failures;
static long long validation_time = 1893456000;
static int log_lines;

enum split { WHOLE, BYTEWISE, RANDOM };
static enum split split = WHOLE;
static uint64_t rng_state;

static void check(int ok, const char *what) {
    if (!ok) {
        failures++;
        printf("handle-test: FAIL %s\n", what);
    } else if (verbose) {
        printf("handle-test: ok   %s\n", what);
    }
}

/* xorshift64*: the split points, reproducible from the printed seed. */
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* How much of `available` to move in one step. */
static size_t chunk(size_t available) {
    if (available == 0) return 0;
    switch (split) {
    case BYTEWISE: return 1;
    case RANDOM: return 1 + (size_t)(next_random() % available);
    default: return available;
    }
}

static int entropy(void *ctx, unsigned char *out, size_t len) {
    (void)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t got = getrandom(out + done, len - done, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (size_t)got;
    }
    return 0;
}

static int64_t wall_clock(void *ctx) {
    (void)ctx;
    return (int64_t)time(NULL);
}

static void log_line(void *ctx, const char *message) {
    (void)ctx;
    log_lines++;
    if (verbose) printf("  log: %s\n", message);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static tlscore_config config_for(struct connection *c) {
    tlscore_config cfg = {
        .anchors = anchors,
        .anchors_len = anchors_len,
        .server_name = "localhost",
        .time = (int64_t)validation_time,
        .input = c->input,
        .input_len = sizeof c->input,
        .output = c->output,
        .output_len = sizeof c->output,
        .reassembly = c->reassembly,
        .reassembly_len = sizeof c->reassembly,
        .entropy = entropy,
        .clock = wall_clock,
        .log = log_line,
    };
    return cfg;
}

static int load_der(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        printf("handle-test: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    anchors_len = fread(anchors, 1, sizeof anchors, file);
    fclose(file);
    return anchors_len > 0 ? 0 : -1;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        printf("handle-test: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
        close(fd);
        return -1;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    return fd;
}

#define ENDED (TLSCORE_STATE_CLOSED | TLSCORE_STATE_TRUNCATED | TLSCORE_STATE_FAILED)

/* One non-blocking step of a connection: every transfer its state allows, each cut by
 * chunk(). Returns whether anything moved; sets *events to what poll should wait for. */
static int step(struct connection *c, short *events) {
    int moved = 0;
    *events = 0;
    unsigned want = tlscore_client_want(&c->ctx);
    if (want & TLSCORE_WANT_WRITE) {
        size_t len = 0;
        const uint8_t *pending = tlscore_client_output(&c->ctx, &len);
        ssize_t sent = send(c->fd, pending, chunk(len), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            check(tlscore_client_output_done(&c->ctx, (size_t)sent) == TLSCORE_OK, "output_done accepts what was sent");
            moved = 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            *events |= POLLOUT;
        } else {
            /* The peer is gone: what is left (an alert) cannot go out. */
            c->done = 1;
            c->final_want = want;
            return 1;
        }
        want = tlscore_client_want(&c->ctx);
    }
    if ((want & TLSCORE_STATE_CONNECTED) && !(want & ENDED) && c->request_sent < sizeof request - 1) {
        long taken = tlscore_client_send(&c->ctx, (const uint8_t *)request + c->request_sent,
                                         chunk(sizeof request - 1 - c->request_sent));
        check(taken >= 0, "tlscore_client_send");
        if (taken > 0) {
            c->request_sent += (size_t)taken;
            moved = 1;
        }
        want = tlscore_client_want(&c->ctx);
    }
    if (want & TLSCORE_STATE_DATA) {
        size_t room = sizeof c->response - 1 - c->response_len;
        long got = tlscore_client_recv(&c->ctx, (uint8_t *)c->response + c->response_len, chunk(room));
        check(got > 0, "tlscore_client_recv returns the waiting data");
        if (got > 0) {
            c->response_len += (size_t)got;
            moved = 1;
        }
        want = tlscore_client_want(&c->ctx);
    }
    if (want & TLSCORE_WANT_READ) {
        size_t cap = 0;
        uint8_t *room = tlscore_client_input(&c->ctx, &cap);
        check(room != NULL && cap > 0, "tlscore_client_input gives room when it wants to read");
        ssize_t got = recv(c->fd, room, chunk(cap), MSG_DONTWAIT);
        if (got > 0) {
            tlscore_client_input_done(&c->ctx, (size_t)got);
            moved = 1;
        } else if (got == 0) {
            tlscore_client_input_eof(&c->ctx);
            moved = 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            *events |= POLLIN;
        } else {
            tlscore_client_input_eof(&c->ctx);
            moved = 1;
        }
        want = tlscore_client_want(&c->ctx);
    }
    if ((want & ENDED) && !(want & TLSCORE_WANT_WRITE)) {
        c->done = 1;
        c->final_want = want;
        moved = 1;
    }
    return moved;
}

/* Runs connections[0..count) to their end in one loop; 0, or -1 when the time ran out. */
static int run_loop(int count) {
    long long deadline = now_ms() + RUN_MILLISECONDS;
    for (;;) {
        int moved = 0, open = 0;
        struct pollfd waits[MAX_CONNECTIONS];
        int nwaits = 0;
        for (int i = 0; i < count; i++) {
            struct connection *c = &connections[i];
            if (c->done) continue;
            short events = 0;
            moved |= step(c, &events);
            if (!c->done) {
                open++;
                if (events) waits[nwaits++] = (struct pollfd){.fd = c->fd, .events = events};
            }
        }
        if (!open) return 0;
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        if (!moved && nwaits > 0) poll(waits, (nfds_t)nwaits, left < 1000 ? (int)left : 1000);
    }
}

static const char *version_text(uint16_t version) {
    return version == 0x0304 ? "1.3" : version == 0x0303 ? "1.2" : "?";
}

static int open_connections(int count, int port) {
    for (int i = 0; i < count; i++) {
        struct connection *c = &connections[i];
        memset(c, 0, sizeof *c);
        c->fd = connect_to(port);
        if (c->fd < 0) return -1;
        tlscore_config cfg = config_for(c);
        int status = tlscore_client_init(&c->ctx, sizeof c->ctx, &cfg);
        check(status == TLSCORE_OK, "tlscore_client_init");
        if (status != TLSCORE_OK) return -1;
        c->live = 1;
        check(tlscore_client_want(&c->ctx) & TLSCORE_WANT_WRITE, "after init the ClientHello waits to be sent");
    }
    return 0;
}

static void close_connections(int count) {
    for (int i = 0; i < count; i++) {
        if (connections[i].live) tlscore_client_free(&connections[i].ctx);
        if (connections[i].fd > 0) close(connections[i].fd);
    }
}

/* The exchange: every connection reached "HTTP/1.0 200 ok", close_notify, the version. */
static void exchange(const char *label, int count, int port, const char *version) {
    if (open_connections(count, port) != 0) {
        check(0, "connections opened");
        close_connections(count);
        return;
    }
    check(run_loop(count) == 0, "every connection ended within 30 s");
    int good = 0;
    size_t bytes = 0;
    const char *seen = "?";
    for (int i = 0; i < count; i++) {
        struct connection *c = &connections[i];
        tlscore_report report;
        int32_t detail = 0;
        int code = tlscore_client_error(&c->ctx, &detail);
        int reported = tlscore_client_report(&c->ctx, &report);
        c->response[c->response_len] = 0;
        int ok = c->done && (c->final_want & TLSCORE_STATE_CLOSED) && !(c->final_want & TLSCORE_STATE_FAILED)
            && code == TLSCORE_OK && reported == TLSCORE_OK && report.closed_by_notify
            && c->request_sent == sizeof request - 1
            && strncmp(c->response, "HTTP/1.0 200 ok", 15) == 0
            && (!version || strcmp(version_text(report.version), version) == 0);
        if (!ok) {
            printf("handle-test: %s connection %d: done %d want 0x%x, %s (code %d, detail %d), TLS %s,"
                   " close_notify %d, %zu request bytes sent, %zu bytes received: \"%.40s\"\n",
                   label, i, c->done, c->final_want, tlscore_strerror(code), code, (int)detail,
                   version_text(report.version), report.closed_by_notify, c->request_sent, c->response_len,
                   c->response);
        }
        check(ok, "the connection completed: HTTP/1.0 200 ok, then close_notify");
        good += ok;
        bytes += c->response_len;
        seen = version_text(report.version);
    }
    printf("handle-test: %s: %d of %d connection(s) complete, TLS %s, %zu bytes received, %d log lines\n",
           label, good, count, seen, bytes, log_lines);
    close_connections(count);
}

/* The peer's garbage after the handshake: a record that does not decrypt. */
static void garbage(int port, const char *version) {
    if (open_connections(1, port) != 0) {
        check(0, "connection opened");
        close_connections(1);
        return;
    }
    check(run_loop(1) == 0, "the connection ended within 30 s");
    struct connection *c = &connections[0];
    tlscore_report report;
    int32_t detail = 0;
    int code = tlscore_client_error(&c->ctx, &detail);
    tlscore_client_report(&c->ctx, &report);
    check(c->final_want & TLSCORE_STATE_FAILED, "the connection failed");
    check(code == TLSCORE_ERR_BAD_RECORD_MAC, "with TLSCORE_ERR_BAD_RECORD_MAC");
    check(!version || strcmp(version_text(report.version), version) == 0, "after the handshake of the version expected");
    check(tlscore_client_send(&c->ctx, (const uint8_t *)"x", 1) == TLSCORE_ERR_BAD_RECORD_MAC,
          "send after the failure returns the failure");
    printf("handle-test: garbage after the handshake (TLS %s): want 0x%x, %s (code %d)\n",
           version_text(report.version), c->final_want, tlscore_strerror(code), code);
    close_connections(1);
}

/* The stream cut after the response, close_notify removed on the way: TRUNCATED, its own
 * condition, with the response still readable; not CLOSED, not FAILED. */
static void truncated(int port, const char *version) {
    if (open_connections(1, port) != 0) {
        check(0, "connection opened");
        close_connections(1);
        return;
    }
    check(run_loop(1) == 0, "the connection ended within 30 s");
    struct connection *c = &connections[0];
    tlscore_report report;
    int32_t detail = 0;
    int code = tlscore_client_error(&c->ctx, &detail);
    tlscore_client_report(&c->ctx, &report);
    c->response[c->response_len] = 0;
    check(c->final_want & TLSCORE_STATE_TRUNCATED, "the end without close_notify is TLSCORE_STATE_TRUNCATED");
    check(!(c->final_want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_FAILED)), "neither CLOSED nor FAILED");
    check(code == TLSCORE_ERR_STREAM_TRUNCATED, "tlscore_client_error says TLSCORE_ERR_STREAM_TRUNCATED");
    check(!report.closed_by_notify, "the report has no close_notify");
    check(strncmp(c->response, "HTTP/1.0 200 ok", 15) == 0, "the response was read");
    check(!version || strcmp(version_text(report.version), version) == 0, "the version expected");
    check(tlscore_client_close(&c->ctx) == TLSCORE_OK && (tlscore_client_want(&c->ctx) & TLSCORE_STATE_CLOSED),
          "close after the truncation queues close_notify");
    printf("handle-test: stream ended without close_notify (TLS %s): want 0x%x, %s, %zu bytes received\n",
           version_text(report.version), c->final_want, tlscore_strerror(code), c->response_len);
    close_connections(1);
}

static void sizes(void) {
    size_t real = tlscore_client_context_size();
    printf("handle-test: context size %zu bytes (TLSCORE_CLIENT_CONTEXT_SIZE %zu, sizeof(tlscore_client_ctx) %zu)\n",
           real, (size_t)TLSCORE_CLIENT_CONTEXT_SIZE, sizeof(tlscore_client_ctx));
    check(TLSCORE_CLIENT_CONTEXT_SIZE >= real, "TLSCORE_CLIENT_CONTEXT_SIZE holds the real context");
    check(TLSCORE_CLIENT_CONTEXT_SIZE == real, "TLSCORE_CLIENT_CONTEXT_SIZE is the real size on this board");
    struct connection *c = &connections[0];
    memset(c, 0, sizeof *c);
    /* No handshake here: the anchors are not parsed before the server's certificate. */
    anchors[0] = 0x30;
    anchors_len = 1;
    tlscore_config cfg = config_for(c);
    check(tlscore_client_init(&c->ctx, real - 1, &cfg) == TLSCORE_ERR_CONTEXT_TOO_SMALL,
          "a context one byte too small is refused with TLSCORE_ERR_CONTEXT_TOO_SMALL");
    check(tlscore_client_want(&c->ctx) == TLSCORE_STATE_FAILED, "a refused context is not live");
    check(tlscore_client_send(&c->ctx, (const uint8_t *)"x", 1) == TLSCORE_ERR_INVALID_ARGUMENT,
          "calls on a refused context are refused");
    check(tlscore_client_init((unsigned char *)&c->ctx + 1, real, &cfg) == TLSCORE_ERR_INVALID_ARGUMENT,
          "a misaligned context is refused");
    check(tlscore_client_init(NULL, real, &cfg) == TLSCORE_ERR_INVALID_ARGUMENT, "a NULL context is refused");
    tlscore_config no_entropy = cfg;
    no_entropy.entropy = NULL;
    check(tlscore_client_init(&c->ctx, sizeof c->ctx, &no_entropy) == TLSCORE_ERR_INVALID_ARGUMENT,
          "without POSIX, no entropy callback is refused");
    tlscore_config no_time = cfg;
    no_time.time = 0;
    no_time.clock = NULL;
    check(tlscore_client_init(&c->ctx, sizeof c->ctx, &no_time) == TLSCORE_ERR_INVALID_ARGUMENT,
          "without POSIX, time 0 and no clock is refused");
    int status = tlscore_client_init(&c->ctx, real, &cfg);
    if (status != TLSCORE_OK) printf("handle-test: init: %s (%d)\n", tlscore_strerror(status), status);
    check(status == TLSCORE_OK, "a context of exactly the real size is taken");
    size_t len = 0;
    check(tlscore_client_want(&c->ctx) == TLSCORE_WANT_WRITE && tlscore_client_output(&c->ctx, &len) && len > 0,
          "it queued the ClientHello");
    check(tlscore_client_send(&c->ctx, (const uint8_t *)"x", 1) == TLSCORE_ERR_INVALID_STATE,
          "send before the handshake is refused, not fatal");
    check(tlscore_client_want(&c->ctx) == TLSCORE_WANT_WRITE, "and the connection goes on");
    tlscore_client_free(&c->ctx);
    check(tlscore_client_want(&c->ctx) == TLSCORE_STATE_FAILED, "a freed context is not live");
    printf("handle-test: size checks done\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("usage: handle-test size | (bytewise|random|parallel|garbage|truncated) --port P --ca DER"
               " [--seed S] [--count N] [--version 1.2|1.3] [--time UNIX] [--verbose]\n");
        return 2;
    }
    const char *mode = argv[1], *ca = NULL, *version = NULL;
    int port = 0, count = 1;
    unsigned long long seed = 1;
    for (int i = 2; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--verbose")) { verbose = 1; continue; }
        i++;
        if (!strcmp(argv[i - 1], "--port")) port = atoi(value);
        else if (!strcmp(argv[i - 1], "--ca")) ca = value;
        else if (!strcmp(argv[i - 1], "--seed")) seed = strtoull(value, NULL, 10);
        else if (!strcmp(argv[i - 1], "--count")) count = atoi(value);
        else if (!strcmp(argv[i - 1], "--version")) version = value;
        else if (!strcmp(argv[i - 1], "--time")) validation_time = atoll(value);
        else { printf("handle-test: unknown option %s\n", argv[i - 1]); return 2; }
    }
    if (!strcmp(mode, "size")) {
        sizes();
    } else {
        if (!ca || port <= 0 || count < 1 || count > MAX_CONNECTIONS || load_der(ca) != 0) {
            printf("handle-test: %s needs --port and a DER --ca (and 1 <= --count <= %d)\n", mode, MAX_CONNECTIONS);
            return 2;
        }
        if (!strcmp(mode, "bytewise")) {
            split = BYTEWISE;
            exchange("one byte at a time", 1, port, version);
        } else if (!strcmp(mode, "random")) {
            split = RANDOM;
            rng_state = seed ? seed : 1;
            printf("handle-test: random split points, seed %llu\n", seed);
            exchange("random split points", 1, port, version);
        } else if (!strcmp(mode, "parallel")) {
            char label[64];
            snprintf(label, sizeof label, "%d interleaved", count);
            exchange(label, count, port, version);
        } else if (!strcmp(mode, "garbage")) {
            garbage(port, version);
        } else if (!strcmp(mode, "truncated")) {
            truncated(port, version);
        } else {
            printf("handle-test: unknown mode %s\n", mode);
            return 2;
        }
    }
    printf("handle-test: %s: %s\n", mode, failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
