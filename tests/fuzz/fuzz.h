/*
 * Shared by the libFuzzer harnesses of tests/fuzz/.  libcommon is built
 * for them with -Dexit=fuzz_exit: any exit() from library code while
 * fuzzing is a finding (die() on input the code should have handled), so
 * fuzz_exit reports it and aborts, which libFuzzer records as a crash.
 */
#ifndef INLET_FUZZ_H
#define INLET_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A NUL-terminated copy of the fuzz input: the library's callers always
 * hand it text inside a NUL-terminated line buffer. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An invariant the harness checks: report it and crash. */
#define FUZZ_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz invariant failed: %s: ", #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

#endif
