/* The allocation wrappers of die.h: they return usable memory or die 71. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "stream.h"
#include "unit.h"

static void calloc_overflow(void *arg)
{
	(void)arg;
	free(xcalloc(SIZE_MAX / 2, 4));
}

int main(void)
{
	char err[256];

	unsigned *z = xcalloc(100, sizeof(*z));
	int zero = 1;
	for (int i = 0; i < 100; i++)
		zero &= z[i] == 0;
	CHECK(zero, "xcalloc gives zeroed memory");
	free(z);
	free(xcalloc(0, 8));
	CHECK(1, "xcalloc of nothing returns freeable memory");
	CHECK(unit_fork(calloc_overflow, NULL, err, sizeof(err)) == EX_OSERR &&
	      strstr(err, "out of memory"),
	      "xcalloc whose size overflows dies with EX_OSERR");

	char *s = xstrndup("abcdef", 3);
	CHECK(!strcmp(s, "abc"), "xstrndup copies N bytes and terminates");
	free(s);
	s = xstrndup("ab", 10);
	CHECK(!strcmp(s, "ab"), "xstrndup stops at the end of a shorter string");
	free(s);

	CHECK(blank("", 0) && blank(" \t\r", 3), "blank: empty, spaces, tabs, CR");
	CHECK(!blank(" x ", 3) && !blank("\n", 1), "blank: any other byte is not");
	return unit_done();
}
