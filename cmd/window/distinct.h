#ifndef INLET_DISTINCT_H
#define INLET_DISTINCT_H
/*
 * approx_count_distinct: exact (a set of 64-bit hashes of the values) up
 * to DISTINCT_EXACT_MAX values, then a HyperLogLog of 2^12 one-byte
 * registers, standard error 1.04 / sqrt(4096) = 1.6% (Spark's default
 * relativeSD is 5%).
 */
#include <stddef.h>

#include "buf.h"

#define DISTINCT_EXACT_MAX 1024
#define HLL_BITS 12
#define HLL_REGISTERS (1 << HLL_BITS)

struct distinct {
	unsigned long long *set;	/* owned; open addressing, 0 = empty slot */
	size_t count, cap;
	unsigned char *reg;		/* owned; non-NULL once it is a HyperLogLog */
};

/* A 64-bit hash of the bytes P[0..N) (FNV-1a with a final mix). */
unsigned long long hash64(const void *p, size_t n);

void distinct_add(struct distinct *d, unsigned long long hash);
/* The exact count, or the HyperLogLog estimate. */
long long distinct_estimate(const struct distinct *d);

/*
 * Append D as JSON: {"exact":["<16 hex digits>",...]}, the hashes of its
 * values, or {"hll":"<base64>"}, its registers (one byte each, in order,
 * base64 with padding).
 */
void distinct_format(const struct distinct *d, struct buf *out);
/*
 * Read what distinct_format wrote (or registers in hex, as state layout 1
 * held them) into the empty D; 0, or -1 if malformed.
 */
int distinct_parse(struct distinct *d, const char *text, size_t len);

/*
 * Add FROM to INTO: the union of the hash sets, turning into a HyperLogLog
 * past DISTINCT_EXACT_MAX, or the registers' maximum.  Either way INTO is
 * then what adding FROM's values to it one by one would have made: the
 * sketch of the union, whatever the order.
 */
void distinct_merge(struct distinct *into, const struct distinct *from);

void distinct_free(struct distinct *d);

#endif
