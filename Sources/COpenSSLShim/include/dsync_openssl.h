#ifndef DSYNC_OPENSSL_H
#define DSYNC_OPENSSL_H
/* Thin, non-variadic wrappers over libcrypto for what Swift has no fast-starting API for:
 * digests, PEM block iteration, the SubjectPublicKeyInfo of a certificate, and OpenSSL's
 * subject-name hash (the `ca.d/` link name, X509_NAME_hash_ex as `openssl rehash` uses it). */
#include <stddef.h>
#include <stdint.h>

/* SHA-256 (out: 32 bytes), SHA-512 (out: 64 bytes), SHA-1 (out: 20 bytes). Return 0 on success. */
int dsync_sha256(const uint8_t *data, size_t len, uint8_t *out);
int dsync_sha512(const uint8_t *data, size_t len, uint8_t *out);
int dsync_sha1(const uint8_t *data, size_t len, uint8_t *out);

/* Iterates the PEM blocks of a buffer; text outside blocks is skipped. */
typedef struct dsync_pem_iter dsync_pem_iter;
dsync_pem_iter *dsync_pem_open(const char *text, size_t len);
/* 1: a block (*label and *der owned by the caller, free with dsync_free); 0: no more blocks;
 * -1: a block that is not valid PEM (bad base64, missing END line). */
int dsync_pem_next(dsync_pem_iter *it, char **label, uint8_t **der, size_t *der_len);
void dsync_pem_close(dsync_pem_iter *it);

/* DER SubjectPublicKeyInfo of a DER certificate. 0 ok, -1 not a certificate. */
int dsync_cert_spki(const uint8_t *der, size_t len, uint8_t **spki, size_t *spki_len);
/* OpenSSL's subject hash of a DER certificate (`openssl x509 -subject_hash`). 0 ok, -1 not a certificate. */
int dsync_cert_subject_hash(const uint8_t *der, size_t len, unsigned long *hash);

void dsync_free(void *p);
#endif
