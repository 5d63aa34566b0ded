#ifndef DSYNC_DNS_ANSWER_H
#define DSYNC_DNS_ANSWER_H
/* The parts of a DNS response (RFC 1035 section 4.1) the agent and the hook read, parsed by
 * ldns.
 *
 * libunbound in event mode (ub_resolve_event, docs/architecture.md "Decisions") hands its
 * validated answer over as a DNS message, not as a ub_result: this gives the same three
 * things ub_result gave — the RCODE, the rdata of the asked type at the query name (after any
 * CNAMEs in the answer section, as ub_result's data), and a TTL no longer than the least TTL
 * in the answer and authority sections (ub_result's ttl is the reply's least TTL). */
#include <stddef.h>
#include <stdint.h>

struct dsync_dns_answer {
	int rcode;
	uint32_t ttl;
	size_t count;
	uint8_t **rdata;
	size_t *sizes;
};

/* 0, or -1 when the message does not parse (then nothing is allocated). Free with
 * dsync_dns_answer_free. */
int dsync_dns_answer_parse(const uint8_t *message, size_t size, uint16_t type, struct dsync_dns_answer *out);
void dsync_dns_answer_free(struct dsync_dns_answer *answer);
#endif
