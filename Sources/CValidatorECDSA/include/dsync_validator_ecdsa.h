#ifndef DSYNC_VALIDATOR_ECDSA_H
#define DSYNC_VALIDATOR_ECDSA_H
/* libunbound's DNSSEC ECDSA verifications through OpenSSL, for the agent only.
 *
 * Debian builds libunbound against nettle, and unbound's validator (validator/val_secalgo.c)
 * checks every ECDSA RRSIG with nettle_ecdsa_verify: ~140 µs per P-256 verification here,
 * against ~40 µs for OpenSSL's — and a cold pass verifies one RRSIG per device name (a third
 * of its CPU, docs/architecture.md "Decisions"). The danesync executable defines and exports
 * nettle_ecdsa_verify, so the dynamic linker binds libunbound's call to this definition
 * (the executable comes first in symbol lookup); it verifies P-256 with OpenSSL and hands any
 * other curve to hogweed's own function. libunbound still does all of DNSSEC — which records,
 * which keys, which digest — and this only answers "does this signature verify", with the
 * same rules: r and s in [1, n-1], the digest truncated to the order's bit length (FIPS 186-4
 * section 6.4), any failure is "does not verify". The hook (statically linked, one or two
 * verifications per run) keeps nettle. */
#include <stddef.h>
#include <stdint.h>
#include <nettle/dsa.h>
#include <nettle/ecc.h>

/* nettle's signature (nettle/ecdsa.h), answered by dsync_ecdsa_verify. */
int nettle_ecdsa_verify(const struct ecc_point *pub, size_t length, const uint8_t *digest,
                        const struct dsa_signature *signature);

/* 1 if signature is a valid ECDSA signature of digest under pub, else 0. */
int dsync_ecdsa_verify(const struct ecc_point *pub, size_t length, const uint8_t *digest,
                       const struct dsa_signature *signature);
#endif
