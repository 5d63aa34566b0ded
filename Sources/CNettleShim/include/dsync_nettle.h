#ifndef DSYNC_NETTLE_H
#define DSYNC_NETTLE_H
/* Digests, base64 and the SubjectPublicKeyInfo of a certificate over nettle/hogweed.
 * libunbound on Debian already links nettle and hogweed, so the verify hook gets these
 * without loading libcrypto, whose relocations were most of its start-up time. */
#include <stddef.h>
#include <stdint.h>

void dsync_sha256(const uint8_t *data, size_t len, uint8_t *out); /* 32 bytes */
void dsync_sha512(const uint8_t *data, size_t len, uint8_t *out); /* 64 bytes */
void dsync_sha1(const uint8_t *data, size_t len, uint8_t *out);   /* 20 bytes */

/* Base64 (RFC 4648 §4) with white space ignored, as in PEM bodies. `out` needs
 * dsync_base64_max(len) bytes. Returns the decoded length, or -1 on invalid input. */
size_t dsync_base64_max(size_t len);
long dsync_base64_decode(const char *text, size_t len, uint8_t *out);

/* RFC 5280 §4.1: offset and length of the subjectPublicKeyInfo element (header included)
 * inside a DER certificate, found with nettle's DER iterator. 0 ok, -1 not a well-formed
 * certificate structure. */
int dsync_cert_spki(const uint8_t *der, size_t len, size_t *offset, size_t *spki_len);

/* RFC 5280 §4.2.1.6: the dNSName entries of the subjectAltName extension, as offsets and
 * lengths into `der` (at most `capacity`). Returns their number (0 without the extension), or
 * -1 for a malformed certificate or more than `capacity` names. */
long dsync_cert_san_dns(const uint8_t *der, size_t len, size_t *offsets, size_t *lengths, size_t capacity);
#endif
