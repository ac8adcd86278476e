/*
 * The Cortex-M4 firmware: one TLS client connection over UART0 through the handle API
 * (boards/include/tlscore.h) in a polled main loop, then the figures.
 *
 * Test-only (marked TEST-ONLY below): the emulated board has no TRNG and no RTC, so the
 * entropy comes from a seed the host passes on the semihosting command line, stretched with
 * SHA-256, and the clock is the host's (semihosting SYS_TIME); the trust anchor is a DER file
 * read from the host through semihosting. A real board wires its TRNG and RTC into the same
 * two callbacks and keeps its anchors in flash.
 *
 * Command line (qemu -append): anchor=PATH [name=HOST] [seed=HEX] [versions=12|13] [mfl=N]
 *                              [timeout=SECONDS] [arena=BYTES]
 * Exit status: 0 the exchange completed, 1 the connection failed (the typed error is on the
 * console), 2 a setup error, 3 a fault, 4 the loop's own timeout.
 */
#include <stdint.h>
#include <string.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/sha256.h>
#include "tlscore.h"
#include "semihosting.h"
#include "uart.h"

#ifndef MCU_RECORD_PLAINTEXT
#define MCU_RECORD_PLAINTEXT 16384        /* the largest record we accept (max_fragment_length lowers it) */
#endif
#ifndef MCU_ARENA_SIZE
#define MCU_ARENA_SIZE (12 * 1024)        /* Mbed TLS's heap: bignum / ECP temporaries */
#endif
#define MCU_CPU_HZ 25000000u              /* mps2-an386: 25 MHz */
#define MCU_BAUD 115200u

/* Everything static: the linker map and the figures below account for every byte. */
static uint8_t input_region[TLSCORE_RECORD_REGION_SIZE(MCU_RECORD_PLAINTEXT)];
static uint8_t output_region[TLSCORE_OUTPUT_REGION_SIZE];
static uint8_t reassembly_region[MCU_RECORD_PLAINTEXT < 16384 ? TLSCORE_REASSEMBLY_REGION_SIZE_MAX_FRAGMENT
                                                              : TLSCORE_REASSEMBLY_REGION_SIZE];
static tlscore_client_ctx tls;
static uint8_t arena[MCU_ARENA_SIZE] __attribute__((aligned(8)));
static uint8_t anchor[2048];
static char cmdline[512];
static uint8_t response[640];   /* the start of the response, for the console */

uint32_t mcu_stack_high_water(void);
uint32_t mcu_stack_size(void);

/* ---- the console ---- */
static void put(const char *s) { sh_write0(s); }
static void put_int(long v) {
    char buf[24], *p = buf + sizeof buf - 1;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)(-v) : (unsigned long)v;
    *p = 0;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (neg) *--p = '-';
    put(p);
}
static void put_hex16(unsigned v) {
    char buf[7] = "0x0000";
    for (int i = 0; i < 4; i++) buf[5 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
    put(buf);
}
static void put_kv(const char *label, long v, const char *unit) { put(label); put_int(v); put(unit); }

/* ---- the command line ---- */
static const char *arg(const char *key) {
    size_t k = strlen(key);
    for (char *p = cmdline; *p; ) {
        while (*p == ' ') p++;
        if (!strncmp(p, key, k) && p[k] == '=') return p + k + 1;
        while (*p && *p != ' ') p++;
    }
    return NULL;
}
/* Copies the argument up to the next space into buf (NUL-terminated). */
static const char *arg_copy(const char *key, char *buf, size_t cap) {
    const char *v = arg(key);
    if (!v) return NULL;
    size_t n = 0;
    while (v[n] && v[n] != ' ' && n + 1 < cap) { buf[n] = v[n]; n++; }
    buf[n] = 0;
    return buf;
}
static long arg_long(const char *key, long fallback) {
    const char *v = arg(key);
    if (!v || *v < '0' || *v > '9') return fallback;
    long n = 0;
    while (*v >= '0' && *v <= '9') n = n * 10 + (*v++ - '0');
    return n;
}

/* ---- TEST-ONLY entropy: SHA-256(seed || counter), the seed from the host ----
 * Not a TRNG: whoever knows the seed knows every key. A real board reads its TRNG here. */
static uint8_t seed[32];
static size_t seed_len;
static uint32_t seed_counter;
static int test_entropy(void *ctx, unsigned char *out, size_t len) {
    (void)ctx;
    if (seed_len == 0) return -1;
    while (len > 0) {
        uint8_t block[32], counter[4] = {(uint8_t)(seed_counter >> 24), (uint8_t)(seed_counter >> 16),
                                         (uint8_t)(seed_counter >> 8), (uint8_t)seed_counter};
        mbedtls_sha256_context sha;
        mbedtls_sha256_init(&sha);
        if (mbedtls_sha256_starts_ret(&sha, 0) || mbedtls_sha256_update_ret(&sha, seed, seed_len) ||
            mbedtls_sha256_update_ret(&sha, counter, 4) || mbedtls_sha256_finish_ret(&sha, block)) {
            mbedtls_sha256_free(&sha);
            return -1;
        }
        mbedtls_sha256_free(&sha);
        seed_counter++;
        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    return 0;
}
static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- TEST-ONLY clock: the host's time through semihosting. A real board reads its RTC. ---- */
static int64_t test_clock(void *ctx) { (void)ctx; return sh_time(); }

/* ---- the log: each line with the emulated board's time since start ---- */
static uint32_t start_cs;
static void log_line(void *ctx, const char *message) {
    (void)ctx;
    uint32_t cs = sh_clock_cs() - start_cs;
    put("["); put_int((long)(cs / 100)); put("."); put_int((long)(cs % 100 / 10)); put_int((long)(cs % 10));
    put(" s] "); put(message); put("\n");
}

static const char *version_text(uint16_t v) { return v == 0x0304 ? "1.3" : v == 0x0303 ? "1.2" : "?"; }

int main(void) {
    start_cs = sh_clock_cs();
    int cl = sh_get_cmdline(cmdline, sizeof cmdline - 1);
    if (cl < 0) cl = 0;
    cmdline[cl] = 0;
    put("firmware: Cortex-M4 (mps2-an386), TLSCore over UART0 at 115200 baud\n");

    char path[256], name[128], hex[80];
    if (!arg_copy("anchor", path, sizeof path)) { put("firmware: no anchor=PATH on the command line\n"); return 2; }
    long anchor_len = sh_read_file(path, anchor, sizeof anchor);
    if (anchor_len <= 0) { put("firmware: cannot read the anchor "); put(path); put("\n"); return 2; }
    if (!arg_copy("name", name, sizeof name)) strcpy(name, "localhost");
    if (arg_copy("seed", hex, sizeof hex)) {
        for (size_t i = 0; hex[2 * i] && hex[2 * i + 1] && i < sizeof seed; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) break;
            seed[i] = (uint8_t)(hi << 4 | lo);
            seed_len = i + 1;
        }
    }
    if (seed_len < 16) { put("firmware: no seed=HEX (at least 16 bytes) for the test-only entropy\n"); return 2; }
    long versions = arg_long("versions", 0);
    long timeout = arg_long("timeout", 60);

    /* arena=N uses only N bytes of the arena (the test of an arena too small). */
    long arena_use = arg_long("arena", (long)sizeof arena);
    if (arena_use <= 0 || arena_use > (long)sizeof arena) arena_use = (long)sizeof arena;
    mbedtls_memory_buffer_alloc_init(arena, (size_t)arena_use);
    uart_init(MCU_CPU_HZ, MCU_BAUD);

    tlscore_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.anchors = anchor;
    cfg.anchors_len = (size_t)anchor_len;
    cfg.server_name = name;
    cfg.time = 0;                               /* the clock callback's */
    cfg.versions = versions == 12 ? TLSCORE_TLS12 : versions == 13 ? TLSCORE_TLS13 : 0;
    cfg.max_fragment_length = (uint32_t)arg_long("mfl", MCU_RECORD_PLAINTEXT < 16384 ? MCU_RECORD_PLAINTEXT : 0);
    cfg.input = input_region;
    cfg.input_len = sizeof input_region;
    cfg.output = output_region;
    cfg.output_len = sizeof output_region;
    cfg.reassembly = reassembly_region;
    cfg.reassembly_len = sizeof reassembly_region;
    cfg.entropy = test_entropy;
    cfg.clock = test_clock;
    cfg.log = log_line;

    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    size_t sent = 0, received = 0, shown = 0;
    int connected = 0;
    uint32_t handshake_cs = 0;
    int64_t deadline = sh_time() + timeout;
    int rc = tlscore_client_init(&tls, sizeof tls, &cfg);
    if (rc != TLSCORE_OK) {
        put("firmware: tlscore_client_init: "); put(tlscore_strerror(rc)); put("\n");
        return 2;
    }
    unsigned want = 0;
    int timed_out = 0;
    for (uint32_t spin = 0;; spin++) {
        want = tlscore_client_want(&tls);
        if (want & TLSCORE_WANT_WRITE) {
            size_t n = 0, done = 0;
            const uint8_t *p = tlscore_client_output(&tls, &n);
            while (done < n && uart_try_put(p[done])) done++;
            if (done) tlscore_client_output_done(&tls, done);
            want = tlscore_client_want(&tls);
        }
        if ((want & TLSCORE_STATE_CONNECTED) && !connected) {
            connected = 1;
            handshake_cs = sh_clock_cs() - start_cs;
        }
        if ((want & TLSCORE_STATE_CONNECTED) && !(want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_FAILED)) &&
            sent < sizeof request - 1) {
            long n = tlscore_client_send(&tls, (const uint8_t *)request + sent, sizeof request - 1 - sent);
            if (n > 0) sent += (size_t)n;
            want = tlscore_client_want(&tls);
        }
        if (want & TLSCORE_STATE_DATA) {
            uint8_t buf[256];
            long n = tlscore_client_recv(&tls, buf, sizeof buf);
            if (n > 0) {
                received += (size_t)n;
                size_t take = (size_t)n < sizeof response - 1 - shown ? (size_t)n : sizeof response - 1 - shown;
                memcpy(response + shown, buf, take);
                shown += take;
            }
            want = tlscore_client_want(&tls);
        }
        if (want & TLSCORE_WANT_READ) {
            size_t cap = 0, got = 0;
            uint8_t *room = tlscore_client_input(&tls, &cap);
            while (got < cap && uart_try_get(&room[got])) got++;
            if (got) tlscore_client_input_done(&tls, got);
            want = tlscore_client_want(&tls);
        }
        if ((want & (TLSCORE_STATE_CLOSED | TLSCORE_STATE_FAILED | TLSCORE_STATE_TRUNCATED)) &&
            !(want & TLSCORE_WANT_WRITE))
            break;
        /* The loop's own timeout, from the clock callback's source (checked every few
         * thousand turns: a semihosting call is a trap to the host). */
        if ((spin & 0xFFF) == 0 && sh_time() > deadline) { timed_out = 1; break; }
    }

    tlscore_report report;
    memset(&report, 0, sizeof report);
    int32_t detail = 0;
    int code = tlscore_client_report(&tls, &report);
    tlscore_client_error(&tls, &detail);
    response[shown] = 0;
    if (shown) { put("firmware: response (first "); put_int((long)shown); put(" bytes):\n"); put((const char *)response); put("\n"); }
    put("firmware: TLS "); put(version_text(report.version)); put(", suite "); put_hex16(report.suite);
    put(", group "); put_int(report.group); put(", close_notify "); put_int(report.closed_by_notify);
    put(", request "); put_int((long)sent); put(" bytes, response "); put_int((long)received); put(" bytes\n");
    if (connected) { put_kv("firmware: handshake done at ", (long)handshake_cs * 10, " ms (emulated, host wall time)\n"); }

    size_t arena_max = 0, arena_blocks = 0;
    mbedtls_memory_buffer_alloc_max_get(&arena_max, &arena_blocks);
    tlscore_client_free(&tls);
    put("figures: ram input_region="); put_int((long)sizeof input_region);
    put(" output_region="); put_int((long)sizeof output_region);
    put(" reassembly_region="); put_int((long)sizeof reassembly_region);
    put(" context="); put_int((long)tlscore_client_context_size());
    put(" context_reserved="); put_int((long)sizeof tls);
    put(" arena="); put_int((long)sizeof arena);
    put(" arena_max_used="); put_int((long)arena_max);
    put(" arena_max_blocks="); put_int((long)arena_blocks);
    put(" stack="); put_int((long)mcu_stack_size());
    put(" stack_high_water="); put_int((long)mcu_stack_high_water());
    put("\n");
    if (mcu_stack_high_water() > mcu_stack_size()) { put("firmware: stack budget exceeded (painted high-water mark)\n"); return 1; }

    if (timed_out) { put("firmware: timeout: the loop ran "); put_int(timeout); put(" s without an end\n"); return 4; }
    int ok = code == TLSCORE_OK && (want & TLSCORE_STATE_CLOSED) && !(want & TLSCORE_STATE_FAILED) &&
             received > 0 && !memcmp(response, "HTTP/1.0 200 ok", 15);
    if (!ok) {
        put("firmware: failed: "); put(tlscore_strerror(code)); put(" (code "); put_int(code);
        put(", detail "); put_int(detail); put(")\n");
        return 1;
    }
    put("firmware: done\n");
    return 0;
}
