/* OPENSSL_API_COMPAT: EC_KEY and ECDSA_do_verify are deprecated in OpenSSL 3 but remain its
 * fastest verification path (no provider look-up, no DER signature); 1.1.1's API level. */
#define OPENSSL_API_COMPAT 0x10101000L
#include "dsync_validator_ecdsa.h"
#include <dlfcn.h>
#include <nettle/ecc-curve.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { P256_BYTES = 32 };

typedef int (*verify_function)(const struct ecc_point *, size_t, const uint8_t *, const struct dsa_signature *);

/* Each libunbound worker thread verifies under the same zone-signing key name after name, so
 * each thread keeps the last key it built; it is reused only for identical coordinates. */
struct key_cache {
	EC_KEY *key;
	uint8_t point[2 * P256_BYTES];
};

static pthread_key_t cache_slot;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_ready;

static void cache_free(void *value) {
	struct key_cache *cache = value;
	EC_KEY_free(cache->key);
	free(cache);
}

static void cache_init(void) { cache_ready = pthread_key_create(&cache_slot, cache_free) == 0; }

/* value as exactly `size` big-endian bytes; -1 unless 0 < value < 256^size. */
static int export_fixed(const mpz_t value, uint8_t *out, size_t size) {
	if (mpz_sgn(value) <= 0 || mpz_sizeinbase(value, 256) > size) return -1;
	size_t count = 0;
	memset(out, 0, size);
	mpz_export(out + size - mpz_sizeinbase(value, 256), &count, 1, 1, 1, 0, value);
	return 0;
}

/* A key for point (x ‖ y), from this thread's cache or built (and validated on the curve);
 * *owned says whether the caller must free it (no cache could hold it). */
static EC_KEY *p256_key(const uint8_t point[2 * P256_BYTES], int *owned) {
	*owned = 0;
	pthread_once(&cache_once, cache_init);
	struct key_cache *cache = cache_ready ? pthread_getspecific(cache_slot) : NULL;
	if (cache != NULL && cache->key != NULL && memcmp(cache->point, point, sizeof cache->point) == 0)
		return cache->key;
	EC_KEY *key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *x = BN_bin2bn(point, P256_BYTES, NULL);
	BIGNUM *y = BN_bin2bn(point + P256_BYTES, P256_BYTES, NULL);
	int ok = key != NULL && x != NULL && y != NULL && EC_KEY_set_public_key_affine_coordinates(key, x, y) == 1;
	BN_free(x);
	BN_free(y);
	if (!ok) {
		EC_KEY_free(key);
		return NULL;
	}
	if (cache == NULL && cache_ready && (cache = calloc(1, sizeof *cache)) != NULL &&
	    pthread_setspecific(cache_slot, cache) != 0) {
		free(cache);
		cache = NULL;
	}
	if (cache == NULL) {
		*owned = 1;
		return key;
	}
	EC_KEY_free(cache->key);
	cache->key = key;
	memcpy(cache->point, point, sizeof cache->point);
	return key;
}

static int verify_p256(const struct ecc_point *pub, size_t length, const uint8_t *digest,
                       const struct dsa_signature *signature) {
	uint8_t point[2 * P256_BYTES], r[P256_BYTES], s[P256_BYTES];
	mpz_t x, y;
	mpz_init(x);
	mpz_init(y);
	nettle_ecc_point_get(pub, x, y);
	int bad = export_fixed(x, point, P256_BYTES) != 0 || export_fixed(y, point + P256_BYTES, P256_BYTES) != 0;
	mpz_clear(x);
	mpz_clear(y);
	if (bad || export_fixed(signature->r, r, P256_BYTES) != 0 || export_fixed(signature->s, s, P256_BYTES) != 0)
		return 0;
	if (length > INT32_MAX) return 0;

	int owned;
	EC_KEY *key = p256_key(point, &owned);
	if (key == NULL) {
		ERR_clear_error();
		return 0;
	}
	int verified = 0;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(r, P256_BYTES, NULL), *bs = BN_bin2bn(s, P256_BYTES, NULL);
	if (sig != NULL && br != NULL && bs != NULL && ECDSA_SIG_set0(sig, br, bs) == 1) {
		br = bs = NULL; /* owned by sig */
		verified = ECDSA_do_verify(digest, (int)length, sig, key) == 1;
	}
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	if (owned) EC_KEY_free(key);
	ERR_clear_error();
	return verified;
}

int dsync_ecdsa_verify(const struct ecc_point *pub, size_t length, const uint8_t *digest,
                       const struct dsa_signature *signature) {
	if (pub->ecc == nettle_get_secp_256r1()) return verify_p256(pub, length, digest, signature);
	/* P-384 (algorithm 14) and anything else: hogweed's own, the next definition in lookup order. */
	verify_function hogweed = (verify_function)dlsym(RTLD_NEXT, "nettle_ecdsa_verify");
	return hogweed != NULL && hogweed(pub, length, digest, signature) == 1;
}

int nettle_ecdsa_verify(const struct ecc_point *pub, size_t length, const uint8_t *digest,
                        const struct dsa_signature *signature) {
	return dsync_ecdsa_verify(pub, length, digest, signature);
}
