#ifndef INLET_DECIMAL_H
#define INLET_DECIMAL_H
/*
 * Exact decimal numbers, as SQL's DECIMAL: a magnitude of any length in
 * base 10^9 limbs, a sign and a scale (digits after the point; negative
 * for the zeros an exponent adds: 1.5e3 is 15 at scale -2).  Values never
 * go through a double ("Lossless" in inlet(7)): 0.1 + 0.2 is 0.3 and
 * 19.990 + 0.010 is 20.000.  cast's DECIMAL(p,s), INT and BIGINT and
 * window's sum, avg, min and max all compute with it.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The largest exponent decimal_parse takes ("1e100001" is refused). */
#define DECIMAL_MAX_EXPONENT 100000

struct decimal {
	unsigned *limb;		/* owned; least significant first, each < 10^9 */
	size_t n, cap;		/* n == 0 is zero, never negative */
	int scale;		/* value = magnitude x 10^-scale */
	bool neg;
};

#define DECIMAL_INIT { NULL, 0, 0, 0, false }

/*
 * Parse TEXT, a JSON number or the contents of a string holding a decimal
 * ("19.990", "-5", "+.5", "1.5e3", no blanks), into D, replacing its
 * value; its scale is the digits after the point less the exponent.  0, or
 * -1 when TEXT is not such a number or its exponent is beyond
 * DECIMAL_MAX_EXPONENT.  The magnitude has only the digits written.
 */
int decimal_parse(struct decimal *d, const char *text, size_t len);

/* The digits of D's magnitude without leading zeros: 0 for zero. */
size_t decimal_digits(const struct decimal *d);

/*
 * Bring D to SCALE: a larger scale adds zeros (exact), a smaller one drops
 * digits, rounding half away from zero (Spark's HALF_UP).  True when the
 * value did not change.
 */
bool decimal_rescale(struct decimal *d, int scale);

/* ACC += X exactly; the result has the larger scale.  X may be rescaled. */
void decimal_add(struct decimal *acc, struct decimal *x);

/* -1, 0 or 1 as A <, =, > B by value.  Either may be rescaled. */
int decimal_cmp(struct decimal *a, struct decimal *b);

/*
 * Append D as JSON number text with its scale ("20.000", "-0.3"; a
 * negative scale writes its zeros: "1500").
 */
void decimal_format(const struct decimal *d, struct buf *out);

/*
 * Append D / DIVISOR (> 0) with EXTRA more digits of scale than D, rounded
 * half away from zero (Spark's HALF_UP).
 */
void decimal_format_quotient(const struct decimal *d, unsigned long long divisor,
			     int extra, struct buf *out);

void decimal_free(struct decimal *d);

#endif
