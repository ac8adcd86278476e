/* The same validation as `hostsim verify --repeat N` through Mbed TLS 2.28's own X.509:
 * parse the chain (leaf + intermediate, DER) and mbedtls_x509_crt_verify it against the
 * root for "localhost", N times. Run it under callgrind for N and for 1 and divide the
 * difference by N - 1 (see README.md here).
 *   gcc -O2 -o mbedtls_verify mbedtls_verify.c -lmbedx509 -lmbedcrypto
 *   ./mbedtls_verify N root.der int.der leaf.der
 * Mbed TLS checks validity against the wall clock; the fixtures are valid 2020..2099. */
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char *load(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buffer = malloc((size_t)n);
    if (!buffer || fread(buffer, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    *length = (size_t)n;
    return buffer;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s N root.der int.der leaf.der\n", argv[0]); return 2; }
    int n = atoi(argv[1]);
    size_t rootLength, intLength, leafLength;
    unsigned char *root = load(argv[2], &rootLength);
    unsigned char *intermediate = load(argv[3], &intLength);
    unsigned char *leaf = load(argv[4], &leafLength);

    mbedtls_x509_crt ca;
    mbedtls_x509_crt_init(&ca);
    if (mbedtls_x509_crt_parse_der(&ca, root, rootLength) != 0) { fprintf(stderr, "root\n"); return 2; }

    int failures = 0;
    for (int i = 0; i < n; i++) {
        mbedtls_x509_crt chain;
        mbedtls_x509_crt_init(&chain);
        uint32_t flags = 0;
        if (mbedtls_x509_crt_parse_der(&chain, leaf, leafLength) != 0 ||
            mbedtls_x509_crt_parse_der(&chain, intermediate, intLength) != 0 ||
            mbedtls_x509_crt_verify(&chain, &ca, NULL, "localhost", &flags, NULL, NULL) != 0) {
            failures++;
        }
        mbedtls_x509_crt_free(&chain);
    }
    mbedtls_x509_crt_free(&ca);
    printf("%s\n", failures ? "invalid" : "valid");
    return failures ? 1 : 0;
}
