#include "dsync_dns_answer.h"
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

/* RFC 1034 section 3.6.2: a chain longer than this is a loop (unbound follows at most 11). */
enum { MAX_CNAMES = 16 };

static uint32_t least_ttl(const ldns_rr_list *records, uint32_t ttl) {
	for (size_t i = 0; i < ldns_rr_list_rr_count(records); i++) {
		uint32_t t = ldns_rr_ttl(ldns_rr_list_rr(records, i));
		if (t < ttl) ttl = t;
	}
	return ttl;
}

/* The owner the answer's records of `type` should have: the query name after its CNAMEs. */
static const ldns_rdf *answer_owner(const ldns_pkt *pkt, uint16_t type) {
	const ldns_rr_list *answer = ldns_pkt_answer(pkt);
	const ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt), 0));
	for (int hops = 0; hops < MAX_CNAMES; hops++) {
		const ldns_rdf *next = NULL;
		for (size_t i = 0; i < ldns_rr_list_rr_count(answer) && next == NULL; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(answer, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1 && ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
				next = ldns_rr_rdf(rr, 0);
		}
		if (next == NULL) return owner;
		owner = next;
	}
	return NULL;
}

static int append(struct dsync_dns_answer *out, const ldns_rr *rr) {
	ldns_buffer *wire = ldns_buffer_new(512);
	if (wire == NULL) return -1;
	int result = -1;
	uint8_t **rdata = realloc(out->rdata, (out->count + 1) * sizeof *rdata);
	if (rdata != NULL) out->rdata = rdata;
	size_t *sizes = realloc(out->sizes, (out->count + 1) * sizeof *sizes);
	if (sizes != NULL) out->sizes = sizes;
	if (rdata != NULL && sizes != NULL && ldns_rr_rdata2buffer_wire(wire, rr) == LDNS_STATUS_OK) {
		size_t size = ldns_buffer_position(wire);
		uint8_t *copy = malloc(size > 0 ? size : 1);
		if (copy != NULL) {
			memcpy(copy, ldns_buffer_begin(wire), size);
			out->rdata[out->count] = copy;
			out->sizes[out->count] = size;
			out->count++;
			result = 0;
		}
	}
	ldns_buffer_free(wire);
	return result;
}

int dsync_dns_answer_parse(const uint8_t *message, size_t size, uint16_t type, struct dsync_dns_answer *out) {
	memset(out, 0, sizeof *out);
	ldns_pkt *pkt = NULL;
	if (ldns_wire2pkt(&pkt, message, size) != LDNS_STATUS_OK) return -1;
	int result = -1;
	if (ldns_rr_list_rr_count(ldns_pkt_question(pkt)) == 1) {
		out->rcode = (int)ldns_pkt_get_rcode(pkt);
		out->ttl = least_ttl(ldns_pkt_authority(pkt), least_ttl(ldns_pkt_answer(pkt), UINT32_MAX));
		const ldns_rdf *owner = answer_owner(pkt, type);
		result = owner == NULL ? -1 : 0;
		const ldns_rr_list *answer = ldns_pkt_answer(pkt);
		for (size_t i = 0; result == 0 && i < ldns_rr_list_rr_count(answer); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(answer, i);
			if (ldns_rr_get_type(rr) == type && ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
				result = append(out, rr);
		}
		if (out->count == 0) out->ttl = 0;
	}
	ldns_pkt_free(pkt);
	if (result != 0) dsync_dns_answer_free(out);
	return result;
}

void dsync_dns_answer_free(struct dsync_dns_answer *answer) {
	for (size_t i = 0; i < answer->count; i++) free(answer->rdata[i]);
	free(answer->rdata);
	free(answer->sizes);
	memset(answer, 0, sizeof *answer);
}
