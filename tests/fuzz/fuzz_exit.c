/* exit() from library code under fuzzing: see fuzz.h. */
#include <stdio.h>
#include <stdlib.h>

void fuzz_exit(int code) __attribute__((noreturn));

void fuzz_exit(int code)
{
	fprintf(stderr, "fuzz: exit(%d) called on this input (a die() the code "
		"should not reach)\n", code);
	fflush(stderr);
	abort();
}
