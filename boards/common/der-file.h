/*
 * der-file.h — reading certificates, keys and CRLs from files for the board programs
 * (tls-device, mqtt-telemetry, the handle tests): DER as is, or the PEM blocks decoded.
 * Static memory only (one 32 KB file buffer); nothing is allocated.
 */
#ifndef TLSCORE_BOARDS_DER_FILE_H
#define TLSCORE_BOARDS_DER_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Loads the DER in the file at `path` into out[0..cap): the file as is when it is DER (one
 * or more whole SEQUENCEs), or every PEM block whose label ends in `label` ("CERTIFICATE";
 * "PRIVATE KEY" also takes "EC PRIVATE KEY" and "RSA PRIVATE KEY"; "X509 CRL") decoded and
 * concatenated in order. Returns the length, or -1 with "PROGRAM: why" on stderr. */
long der_file_load(const char *program, const char *path, const char *label, uint8_t *out, size_t cap);

#endif
