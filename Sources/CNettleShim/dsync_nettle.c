#include <string.h>
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

/* Positions `fields` on the subjectPublicKeyInfo of a DER certificate (RFC 5280 §4.1), after
 * checking the outer structure; `start` is the element's offset inside the TBS contents. */
static int tbs_at_spki(const uint8_t *der, size_t len, struct asn1_der_iterator *fields, size_t *start) {
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
    if (nettle_asn1_der_decode_constructed(&tbs, fields) == ASN1_ITERATOR_ERROR) return -1;
    /* fields is on the first TBS field: [0] version (optional), then serialNumber. */
    if (fields->type == (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED | 0)) {
        size_t ignored;
        if (!next(fields, &ignored)) return -1;
    }
    if (fields->type != ASN1_INTEGER) return -1;
    /* signature, issuer, validity, subject */
    for (int i = 0; i < 4; i++) {
        if (!next(fields, start) || fields->type != ASN1_SEQUENCE) return -1;
    }
    if (!next(fields, start) || fields->type != ASN1_SEQUENCE) return -1; /* subjectPublicKeyInfo */
    return 0;
}

int dsync_cert_spki(const uint8_t *der, size_t len, size_t *offset, size_t *spki_len) {
    struct asn1_der_iterator fields;
    size_t start = 0;
    if (tbs_at_spki(der, len, &fields, &start) != 0) return -1;
    /* fields.buffer points into der at the TBS contents. */
    *offset = (size_t)(fields.buffer - der) + start;
    *spki_len = fields.pos - start;
    return 0;
}

long dsync_cert_san_dns(const uint8_t *der, size_t len, size_t *offsets, size_t *lengths, size_t capacity) {
    static const uint8_t san_oid[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 subjectAltName */
    struct asn1_der_iterator fields;
    size_t start = 0;
    if (tbs_at_spki(der, len, &fields, &start) != 0) return -1;
    long count = 0;
    /* After the SPKI: [1] issuerUniqueID, [2] subjectUniqueID (optional), [3] extensions. */
    for (;;) {
        enum asn1_iterator_result r = nettle_asn1_der_iterator_next(&fields);
        if (r == ASN1_ITERATOR_END) return count;
        if (r == ASN1_ITERATOR_ERROR) return -1;
        if (fields.type != (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED | 3)) continue;
        struct asn1_der_iterator list, extension, part;
        if (nettle_asn1_der_decode_constructed(&fields, &list) != ASN1_ITERATOR_CONSTRUCTED) return -1;
        if (list.type != ASN1_SEQUENCE) return -1;
        enum asn1_iterator_result e = nettle_asn1_der_decode_constructed(&list, &extension);
        while (e == ASN1_ITERATOR_CONSTRUCTED) {
            /* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
            if (extension.type != ASN1_SEQUENCE) return -1;
            if (nettle_asn1_der_decode_constructed(&extension, &part) != ASN1_ITERATOR_PRIMITIVE) return -1;
            if (part.type != ASN1_IDENTIFIER) return -1;
            int is_san = part.length == sizeof san_oid && memcmp(part.data, san_oid, sizeof san_oid) == 0;
            if (nettle_asn1_der_iterator_next(&part) != ASN1_ITERATOR_PRIMITIVE) return -1;
            if (part.type == ASN1_BOOLEAN && nettle_asn1_der_iterator_next(&part) != ASN1_ITERATOR_PRIMITIVE) return -1;
            if (part.type != ASN1_OCTETSTRING) return -1;
            if (is_san) {
                /* GeneralNames ::= SEQUENCE OF GeneralName; dNSName is [2] IA5String. */
                struct asn1_der_iterator names, name;
                if (nettle_asn1_der_iterator_first(&names, part.length, part.data) != ASN1_ITERATOR_CONSTRUCTED) return -1;
                if (names.type != ASN1_SEQUENCE) return -1;
                enum asn1_iterator_result n = nettle_asn1_der_decode_constructed(&names, &name);
                while (n == ASN1_ITERATOR_PRIMITIVE || n == ASN1_ITERATOR_CONSTRUCTED) {
                    if (name.type == (ASN1_CLASS_CONTEXT_SPECIFIC | 2) && n == ASN1_ITERATOR_PRIMITIVE) {
                        if ((size_t)count == capacity) return -1;
                        offsets[count] = (size_t)(name.data - der);
                        lengths[count] = name.length;
                        count++;
                    }
                    n = nettle_asn1_der_iterator_next(&name);
                }
                if (n != ASN1_ITERATOR_END) return -1;
            }
            e = nettle_asn1_der_iterator_next(&extension);
        }
        if (e != ASN1_ITERATOR_END) return -1;
    }
}
