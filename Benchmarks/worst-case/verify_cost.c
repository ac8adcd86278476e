// `make bench`: the cost of the verifications a server's chain can make the client do — one
// RSA public operation (a signature check) by modulus size and public exponent, one ECDSA
// P-256 and P-384 verification — with Debian's Mbed TLS, on the host and under qemu-arm (the
// armv7 board build). The handshake's worst case is the configuration's signature budget
// (default 16) times the dearest of them, plus the ServerKeyExchange check and the ECDHE key
// agreement (README, "Worst-case work per handshake").
#include <stdlib.h>
#include <mbedtls/rsa.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/bignum.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int rng(void *p, unsigned char *b, size_t n) { (void)p; for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(i * 131 + 7); return 0; }
static double rsa(int bits, unsigned long e, int reps) {
    mbedtls_rsa_context ctx; mbedtls_rsa_init(&ctx, MBEDTLS_RSA_PKCS_V15, 0);
    unsigned char n[512], in[512], out[512];
    size_t len = bits / 8;
    for (size_t i = 0; i < len; i++) n[i] = (unsigned char)(0xA5 ^ i);
    n[0] |= 0x80; n[len - 1] |= 1;
    unsigned char eb[4] = { e >> 24, e >> 16, e >> 8, e };
    mbedtls_rsa_import_raw(&ctx, n, len, NULL, 0, NULL, 0, NULL, 0, eb, 4);
    mbedtls_rsa_complete(&ctx);
    memset(in, 0x11, len);
    double t = now();
    for (int i = 0; i < reps; i++) mbedtls_rsa_public(&ctx, in, out);
    double per = (now() - t) / reps;
    mbedtls_rsa_free(&ctx);
    return per;
}
int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 50;
    printf("RSA-2048 e=65537      %8.3f ms\n", 1e3 * rsa(2048, 65537, reps));
    printf("RSA-2048 e=2^32-1     %8.3f ms\n", 1e3 * rsa(2048, 0xFFFFFFFFul, reps));
    printf("RSA-4096 e=65537      %8.3f ms\n", 1e3 * rsa(4096, 65537, reps));
    printf("RSA-4096 e=2^32-1     %8.3f ms\n", 1e3 * rsa(4096, 0xFFFFFFFFul, reps));
    mbedtls_ecdsa_context key; mbedtls_ecdsa_init(&key);
    mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, rng, NULL);
    unsigned char hash[32] = {1}, sig[80]; size_t sl;
    mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &sl, rng, NULL);
    int er = reps / 5 + 1;
    double t = now();
    for (int i = 0; i < er; i++) mbedtls_ecdsa_read_signature(&key, hash, 32, sig, sl);
    printf("ECDSA P-256 verify    %8.3f ms\n", 1e3 * (now() - t) / er);
    mbedtls_ecdsa_context k384; mbedtls_ecdsa_init(&k384);
    mbedtls_ecdsa_genkey(&k384, MBEDTLS_ECP_DP_SECP384R1, rng, NULL);
    unsigned char h48[48] = {1};
    mbedtls_ecdsa_write_signature(&k384, MBEDTLS_MD_SHA384, h48, 48, sig, &sl, rng, NULL);
    t = now();
    for (int i = 0; i < er; i++) mbedtls_ecdsa_read_signature(&k384, h48, 48, sig, sl);
    printf("ECDSA P-384 verify    %8.3f ms\n", 1e3 * (now() - t) / er);
    return 0;
}
