#include "dsync_openssl.h"
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

static int digest(const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *out) {
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, md, NULL) == 1 ? 0 : -1;
}

int dsync_sha256(const uint8_t *data, size_t len, uint8_t *out) { return digest(EVP_sha256(), data, len, out); }
int dsync_sha512(const uint8_t *data, size_t len, uint8_t *out) { return digest(EVP_sha512(), data, len, out); }
int dsync_sha1(const uint8_t *data, size_t len, uint8_t *out) { return digest(EVP_sha1(), data, len, out); }

struct dsync_pem_iter { BIO *bio; };

dsync_pem_iter *dsync_pem_open(const char *text, size_t len) {
    dsync_pem_iter *it = OPENSSL_malloc(sizeof *it);
    if (it == NULL) return NULL;
    it->bio = BIO_new_mem_buf(text, (int)len);
    if (it->bio == NULL) { OPENSSL_free(it); return NULL; }
    return it;
}

int dsync_pem_next(dsync_pem_iter *it, char **label, uint8_t **der, size_t *der_len) {
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long n = 0;
    ERR_clear_error();
    if (PEM_read_bio(it->bio, &name, &header, &data, &n) != 1) {
        unsigned long e = ERR_peek_last_error();
        ERR_clear_error();
        return (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) ? 0 : -1;
    }
    OPENSSL_free(header);
    *label = name;
    *der = data;
    *der_len = (size_t)n;
    return 1;
}

void dsync_pem_close(dsync_pem_iter *it) {
    if (it == NULL) return;
    BIO_free(it->bio);
    OPENSSL_free(it);
}

static X509 *parse(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != der + len) { X509_free(x); return NULL; } /* trailing bytes */
    return x;
}

int dsync_cert_spki(const uint8_t *der, size_t len, uint8_t **spki, size_t *spki_len) {
    X509 *x = parse(der, len);
    if (x == NULL) { ERR_clear_error(); return -1; }
    unsigned char *out = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &out);
    X509_free(x);
    if (n <= 0) { ERR_clear_error(); return -1; }
    *spki = out;
    *spki_len = (size_t)n;
    return 0;
}

int dsync_cert_subject_hash(const uint8_t *der, size_t len, unsigned long *hash) {
    X509 *x = parse(der, len);
    if (x == NULL) { ERR_clear_error(); return -1; }
    *hash = X509_subject_name_hash(x);
    X509_free(x);
    return 0;
}

void dsync_free(void *p) { OPENSSL_free(p); }
