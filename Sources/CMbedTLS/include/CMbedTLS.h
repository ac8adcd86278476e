// Umbrella header for Debian's Mbed TLS 2.28, plus the few static-inline helpers the
// Swift core needs. Everything here is glue: no protocol logic lives in C.
#ifndef CMBEDTLS_H
#define CMBEDTLS_H

#include <mbedtls/version.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <mbedtls/md.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/cipher.h>
#include <mbedtls/gcm.h>
#include <mbedtls/ccm.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/ecp.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ssl.h>       // tests cross-check the PRF with mbedtls_ssl_tls_prf
#include <mbedtls/x509_crt.h>  // tests and benchmarks compare with mbedtls_x509_crt_verify

// Mbed TLS 2.28's AES context keeps `rk` pointing into its own `buf`. Swift may move a
// ~Copyable value to a new address, which leaves `rk` dangling; the DRBG re-points it
// before every use. (No padlock alignment on x86_64/ARM: rk == buf is the only layout.)
static inline void cmbedtls_ctr_drbg_repin(mbedtls_ctr_drbg_context *ctx) {
    ctx->aes_ctx.rk = ctx->aes_ctx.buf;
}

#endif
