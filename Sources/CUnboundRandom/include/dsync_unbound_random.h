#ifndef DSYNC_UNBOUND_RANDOM_H
#define DSYNC_UNBOUND_RANDOM_H
/* libunbound's random-number interface (unbound's util/random.h), implemented over glibc's
 * arc4random for the statically linked hook: defined here, it keeps the archive's random.o
 * (nettle Yarrow-256, whose seeding runs 1,500 SHA-256 compressions in every ub_ctx_create —
 * a tenth of each daneverify run) out of the link. arc4random is ChaCha20 keyed from
 * getrandom(2) and reseeded by glibc; libunbound uses these numbers for query IDs and source
 * ports only. See docs/architecture.md "Decisions". */
struct ub_randstate;
struct ub_randstate *ub_initstate(struct ub_randstate *from);
long int ub_random(struct ub_randstate *state);
long int ub_random_max(struct ub_randstate *state, long int x);
void ub_randfree(struct ub_randstate *state);
#endif
