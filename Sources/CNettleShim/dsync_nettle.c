#include "dsync_nettle.h"
#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

void dsync_sha256(const uint8_t *data, size_t len, uint8_t *out) {
    struct sha256_ctx c;
    nettle_sha256_init(&c);
    nettle_sha256_update(&c, len, data);
    nettle_sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void dsync_sha512(const uint8_t *data, size_t len, uint8_t *out) {
    struct sha512_ctx c;
    nettle_sha512_init(&c);
    nettle_sha512_update(&c, len, data);
    nettle_sha512_digest(&c, SHA512_DIGEST_SIZE, out);
}

void dsync_sha1(const uint8_t *data, size_t len, uint8_t *out) {
    struct sha1_ctx c;
    nettle_sha1_init(&c);
    nettle_sha1_update(&c, len, data);
    nettle_sha1_digest(&c, SHA1_DIGEST_SIZE, out);
}

size_t dsync_base64_max(size_t len) { return BASE64_DECODE_LENGTH(len); }

long dsync_base64_decode(const char *text, size_t len, uint8_t *out) {
    struct base64_decode_ctx ctx;
    size_t n = 0;
    nettle_base64_decode_init(&ctx);
    if (!nettle_base64_decode_update(&ctx, &n, out, len, text)) return -1;
    if (!nettle_base64_decode_final(&ctx)) return -1;
    return (long)n;
}

/* Positions the iterator on the next element; returns its start offset in the buffer. */
static int next(struct asn1_der_iterator *it, size_t *start) {
    *start = it->pos;
    enum asn1_iterator_result r = nettle_asn1_der_iterator_next(it);
    return r == ASN1_ITERATOR_PRIMITIVE || r == ASN1_ITERATOR_CONSTRUCTED;
}

int dsync_cert_spki(const uint8_t *der, size_t len, size_t *offset, size_t *spki_len) {
    struct asn1_der_iterator cert, tbs;
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
    if (nettle_asn1_der_iterator_first(&cert, len, der) != ASN1_ITERATOR_CONSTRUCTED) return -1;
    if (cert.type != ASN1_SEQUENCE || cert.pos != len) return -1;
    if (nettle_asn1_der_decode_constructed(&cert, &tbs) != ASN1_ITERATOR_CONSTRUCTED) return -1;
    if (tbs.type != ASN1_SEQUENCE) return -1;
    /* …then signatureAlgorithm SEQUENCE, signatureValue BIT STRING, and nothing more. */
    struct asn1_der_iterator rest = tbs;
    if (nettle_asn1_der_iterator_next(&rest) != ASN1_ITERATOR_CONSTRUCTED || rest.type != ASN1_SEQUENCE) return -1;
    if (nettle_asn1_der_iterator_next(&rest) != ASN1_ITERATOR_PRIMITIVE || rest.type != ASN1_BITSTRING) return -1;
    if (nettle_asn1_der_iterator_next(&rest) != ASN1_ITERATOR_END) return -1;
    struct asn1_der_iterator fields;
    if (nettle_asn1_der_decode_constructed(&tbs, &fields) == ASN1_ITERATOR_ERROR) return -1;
    /* fields is on the first TBS field: [0] version (optional), then serialNumber. */
    if (fields.type == (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED | 0)) {
        size_t ignored;
        if (!next(&fields, &ignored)) return -1;
    }
    if (fields.type != ASN1_INTEGER) return -1;
    size_t start = 0;
    /* signature, issuer, validity, subject */
    for (int i = 0; i < 4; i++) {
        if (!next(&fields, &start) || fields.type != ASN1_SEQUENCE) return -1;
    }
    if (!next(&fields, &start) || fields.type != ASN1_SEQUENCE) return -1; /* subjectPublicKeyInfo */
    /* fields.buffer points into der at the TBS contents. */
    *offset = (size_t)(fields.buffer - der) + start;
    *spki_len = fields.pos - start;
    return 0;
}
