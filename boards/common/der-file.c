/* der-file.c — see der-file.h. */
#include "der-file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint8_t file_buffer[32768];

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

/* Whether bytes[0..length) is one or more whole DER SEQUENCEs back to back (certificates,
 * keys, CRLs): a file of something else is refused here rather than failing in the handshake. */
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

long der_file_load(const char *program, const char *path, const char *label, uint8_t *out, size_t cap) {
    char noun[32];  /* the label in lower case, for the messages ("no certificate") */
    size_t i = 0;
    for (; label[i] && i + 1 < sizeof noun; i++) noun[i] = (char)tolower((unsigned char)label[i]);
    noun[i] = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "%s: cannot read %s: %s\n", program, path, strerror(errno));
        return -1;
    }
    size_t length = fread(file_buffer, 1, sizeof file_buffer - 1, file);
    int too_long = !feof(file);
    fclose(file);
    if (too_long) {
        fprintf(stderr, "%s: %s is larger than %zu bytes\n", program, path, sizeof file_buffer - 1);
        return -1;
    }
    file_buffer[length] = 0;
    const char *text = (const char *)file_buffer;
    if (!strstr(text, "-----BEGIN")) {
        if (length == 0 || length > cap || !der_sequences(file_buffer, length)) {
            fprintf(stderr, "%s: %s: no %s (neither PEM nor DER)\n", program, path, noun);
            return -1;
        }
        memcpy(out, file_buffer, length);
        return (long)length;
    }
    size_t total = 0;
    for (const char *p = strstr(text, "-----BEGIN "); p; p = strstr(p, "-----BEGIN ")) {
        const char *name = p + 11, *name_end = strstr(name, "-----");
        if (!name_end) break;
        const char *body = name_end + 5;
        const char *stop = strstr(body, "-----END ");
        if (!stop) break;
        size_t name_len = (size_t)(name_end - name), label_len = strlen(label);
        if (name_len >= label_len && !memcmp(name_end - label_len, label, label_len)) {
            long n = base64_decode(body, stop, out + total, cap - total);
            if (n <= 0) {
                fprintf(stderr, "%s: %s: bad PEM %s (or more than %zu bytes)\n", program, path, noun, cap);
                return -1;
            }
            total += (size_t)n;
        }
        p = stop + 9;
    }
    if (total == 0 || !der_sequences(out, total)) {
        fprintf(stderr, "%s: %s: no %s\n", program, path, noun);
        return -1;
    }
    return (long)total;
}
