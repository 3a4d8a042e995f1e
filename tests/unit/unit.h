#ifndef INLET_UNIT_H
#define INLET_UNIT_H
/*
 * A minimal TAP producer for the C unit tests of libcommon: CHECK prints
 * "ok N - what" or "not ok N - what (file:line)"; unit_done() returns the
 * exit status.  tests/run-all counts the lines.
 */
#include <stdio.h>

static int unit_n, unit_failed;

#define CHECK(cond, ...) do { \
	unit_n++; \
	if (cond) { \
		printf("ok %d - ", unit_n); \
	} else { \
		unit_failed++; \
		printf("not ok %d - ", unit_n); \
	} \
	printf(__VA_ARGS__); \
	if (!(cond)) \
		printf(" (%s:%d)", __FILE__, __LINE__); \
	putchar('\n'); \
} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
