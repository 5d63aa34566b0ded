#ifndef DSYNC_OPENSSL_H
#define DSYNC_OPENSSL_H
/* OpenSSL's subject-name hash (X509_NAME_hash_ex, `openssl x509 -subject_hash`): the
 * `<8 hex>` of a `ca.d/` link as `openssl rehash` names it. Swift has no API for it. */
#include <stddef.h>
#include <stdint.h>

/* 0 ok, -1 not a certificate. */
int dsync_cert_subject_hash(const uint8_t *der, size_t len, unsigned long *hash);
#endif
