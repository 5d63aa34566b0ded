#include "dsync_unbound_random.h"
#include <stdint.h>
#include <stdlib.h>

/* glibc keeps arc4random's state itself: every caller shares this one token. */
static char shared_state;

struct ub_randstate *ub_initstate(struct ub_randstate *from) {
	(void)from;
	return (struct ub_randstate *)&shared_state;
}

/* A non-negative 31-bit number, as unbound's own ub_random returns. */
long int ub_random(struct ub_randstate *state) {
	(void)state;
	return (long int)(arc4random() & 0x7fffffffu);
}

/* Uniform in [0, x), without modulo bias; 0 for x <= 0 (unbound logs and returns 0 too). */
long int ub_random_max(struct ub_randstate *state, long int x) {
	(void)state;
	if (x <= 0) return 0;
	return (long int)arc4random_uniform((uint32_t)(x > (long int)UINT32_MAX ? UINT32_MAX : x));
}

void ub_randfree(struct ub_randstate *state) { (void)state; }
