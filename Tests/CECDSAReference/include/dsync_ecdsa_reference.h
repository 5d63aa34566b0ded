#ifndef DSYNC_ECDSA_REFERENCE_H
#define DSYNC_ECDSA_REFERENCE_H
/* Builds nettle's key and signature structures from bytes the way unbound's validator does
 * (validator/val_secalgo.c: nettle_ecc_point_set, mpz_import) and verifies with either the
 * agent's OpenSSL-backed dsync_ecdsa_verify or hogweed's own nettle_ecdsa_verify, so tests can
 * compare the two on the same inputs. Test support only. */
#include <stddef.h>
#include <stdint.h>

enum dsync_ecdsa_verifier { DSYNC_ECDSA_AGENT = 0, DSYNC_ECDSA_HOGWEED = 1 };

/* coordinate_size 32 (P-256) or 48 (P-384); 1 verifies, 0 does not, -1 bad curve size,
 * -2 the point is not on the curve (nettle refuses the key, as unbound then does). */
int dsync_test_ecdsa_verify(enum dsync_ecdsa_verifier verifier, const uint8_t *x, const uint8_t *y,
                            size_t coordinate_size, const uint8_t *digest, size_t digest_size,
                            const uint8_t *r, size_t r_size, const uint8_t *s, size_t s_size);
#endif
