#include "dsync_ecdsa_reference.h"
#include "dsync_validator_ecdsa.h"
#include <dlfcn.h>
#include <nettle/ecc-curve.h>

typedef int (*verify_function)(const struct ecc_point *, size_t, const uint8_t *, const struct dsa_signature *);

int dsync_test_ecdsa_verify(enum dsync_ecdsa_verifier verifier, const uint8_t *x, const uint8_t *y,
                            size_t coordinate_size, const uint8_t *digest, size_t digest_size,
                            const uint8_t *r, size_t r_size, const uint8_t *s, size_t s_size) {
	const struct ecc_curve *curve = coordinate_size == 32   ? nettle_get_secp_256r1()
	                                : coordinate_size == 48 ? nettle_get_secp_384r1()
	                                                        : NULL;
	if (curve == NULL) return -1;
	verify_function verify = verifier == DSYNC_ECDSA_AGENT
	                             ? dsync_ecdsa_verify
	                             : (verify_function)dlsym(RTLD_NEXT, "nettle_ecdsa_verify");
	if (verify == NULL) return -1;
	struct ecc_point pub;
	struct dsa_signature signature;
	mpz_t mx, my;
	mpz_init(mx);
	mpz_init(my);
	mpz_import(mx, coordinate_size, 1, 1, 1, 0, x);
	mpz_import(my, coordinate_size, 1, 1, 1, 0, y);
	nettle_ecc_point_init(&pub, curve);
	int result = -2;
	if (nettle_ecc_point_set(&pub, mx, my)) {
		nettle_dsa_signature_init(&signature);
		mpz_import(signature.r, r_size, 1, 1, 1, 0, r);
		mpz_import(signature.s, s_size, 1, 1, 1, 0, s);
		result = verify(&pub, digest_size, digest, &signature);
		nettle_dsa_signature_clear(&signature);
	}
	nettle_ecc_point_clear(&pub);
	mpz_clear(mx);
	mpz_clear(my);
	return result;
}
