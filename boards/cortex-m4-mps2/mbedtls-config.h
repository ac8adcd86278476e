/*
 * Mbed TLS 2.28 configuration of the Cortex-M4 board (scripts/build-mcu-mbedtls.sh installs it
 * as the library's mbedtls/config.h). Only the primitives the core calls (nm -u on the core's
 * objects: SHA-256/384, HMAC, HKDF, AES-GCM/CCM, ChaCha20-Poly1305, X25519, P-256/P-384
 * ECDH/ECDSA, RSA PKCS#1 v1.5 / PSS, the CTR_DRBG, key parsing), allocations from a fixed
 * arena (MBEDTLS_MEMORY_BUFFER_ALLOC_C: the firmware hands it a static buffer), no entropy
 * source of its own (the firmware's entropy callback seeds the DRBG), no file system,
 * networking, threads or timing. Mbed TLS's own X.509 and TLS are not built: the core does both.
 */
#ifndef TLSCORE_MCU_MBEDTLS_CONFIG_H
#define TLSCORE_MCU_MBEDTLS_CONFIG_H

/* System: newlib-nano, no OS. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_UDBL_DIVISION         /* no 64-bit division in the bignum inner loop */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY          /* calloc/free through mbedtls_platform_set_calloc_free */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C    /* ... from the firmware's fixed arena */
#define MBEDTLS_MEMORY_DEBUG             /* mbedtls_memory_buffer_alloc_max_get: the arena's high-water mark */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS /* no libc calloc/printf defaults: nothing pulls in malloc */
#define MBEDTLS_PLATFORM_FPRINTF_ALT      /* the arena's debug report prints nothing unless set */
#define MBEDTLS_PLATFORM_SNPRINTF_ALT     /* mbedtls_snprintf (OID and error texts, not linked by the core): no libc printf */
#define MBEDTLS_PLATFORM_EXIT_ALT         /* mbedtls_exit (the arena's corruption check): a no-op unless set */

/* Primitives. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES           /* tables in flash, not 8 KB of RAM */
#define MBEDTLS_AES_FEWER_TABLES         /* 2 KB of tables rather than 8 KB */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_C                 /* SHA-384 */
#define MBEDTLS_SHA512_SMALLER
#define MBEDTLS_HKDF_C
#define MBEDTLS_CTR_DRBG_C

/* Public keys. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2        /* small comb tables: RAM over speed */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0  /* no precomputed fixed-point tables in RAM */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_MPI_MAX_SIZE 512         /* RSA up to 4096 bits */
#define MBEDTLS_MPI_WINDOW_SIZE 2
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C             /* mbedtls_ecdsa_write_signature */
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C               /* a client key (mbedtls_pk_parse_key) */

#include "mbedtls/check_config.h"

#endif
