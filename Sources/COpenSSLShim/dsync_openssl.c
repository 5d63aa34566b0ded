#include "dsync_openssl.h"
#include <openssl/err.h>
#include <openssl/x509.h>

int dsync_cert_subject_hash(const uint8_t *der, size_t len, unsigned long *hash) {
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != der + len) {
        X509_free(x);
        ERR_clear_error();
        return -1;
    }
    *hash = X509_subject_name_hash(x);
    X509_free(x);
    return 0;
}
