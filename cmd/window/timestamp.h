#ifndef INLET_TIMESTAMP_H
#define INLET_TIMESTAMP_H
/*
 * Event times as Spark keeps a TIMESTAMP: microseconds since the Unix
 * epoch, UTC, years 0001 to 9999 (ISO-8601 text is value.h's
 * datetime_parse).  Epoch numbers and durations, in integer arithmetic.
 */
#include <stddef.h>

#define US_PER_SEC 1000000LL

/*
 * Parse an epoch count ("1709294405", "-5", "1709294405.5"; no exponent) of
 * units of UNIT_US microseconds.  0 and *US, or -1 when not such a number
 * or outside the years 0001 to 9999.
 */
int timestamp_parse_epoch(const char *s, size_t len, long long unit_us, long long *us);

/* floor(A / B) for B > 0. */
long long floor_div(long long a, long long b);

/*
 * A duration: one or more NUMBER UNIT pairs, "30s", "1h30m", "500ms",
 * "10 minutes", "1 minute 30 seconds" (units us, ms, s, m, h, d, w and
 * Spark's words).  Microseconds, or -1 when it does not parse or exceeds
 * DURATION_MAX_US.
 */
#define DURATION_MAX_US (100000LL * 86400 * US_PER_SEC)
long long duration_parse(const char *s);

#endif
