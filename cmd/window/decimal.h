#ifndef INLET_DECIMAL_H
#define INLET_DECIMAL_H
/*
 * Exact decimal numbers for sum, avg, min and max: a magnitude of any
 * length in base 10^9 limbs, a sign and a scale (digits after the point),
 * as SQL's DECIMAL.  Values never go through a double ("Lossless" in
 * inlet(7)): 0.1 + 0.2 is 0.3 and 19.990 + 0.010 is 20.000.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Bounds that keep "1e999999999" from eating the memory. */
#define DECIMAL_MAX_SCALE 1000
#define DECIMAL_MAX_DIGITS 2000

struct decimal {
	unsigned *limb;		/* owned; least significant first, each < 10^9 */
	size_t n, cap;		/* n == 0 is zero */
	int scale;
	bool neg;
};

#define DECIMAL_INIT { NULL, 0, 0, 0, false }

/*
 * Parse TEXT, a JSON number or the contents of a string holding a decimal
 * ("19.990", "-5", "+.5", "1.5e3"), into D, replacing its value.  0, or -1
 * when TEXT is not such a number or is beyond the bounds above.
 */
int decimal_parse(struct decimal *d, const char *text, size_t len);

/* ACC += X exactly; the result has the larger scale.  X may be rescaled. */
void decimal_add(struct decimal *acc, struct decimal *x);

/* -1, 0 or 1 as A <, =, > B by value.  Either may be rescaled. */
int decimal_cmp(struct decimal *a, struct decimal *b);

/* Append D as JSON number text with its scale ("20.000", "-0.3"). */
void decimal_format(const struct decimal *d, struct buf *out);

/*
 * Append D / DIVISOR (> 0) with EXTRA more digits of scale than D, rounded
 * half away from zero (Spark's HALF_UP).
 */
void decimal_format_quotient(const struct decimal *d, unsigned long long divisor,
			     int extra, struct buf *out);

/* Copy SRC into DST (DST's memory is reused). */
void decimal_copy(struct decimal *dst, const struct decimal *src);

void decimal_free(struct decimal *d);

#endif
