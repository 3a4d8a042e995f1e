/* libcommon/seenlog: the numbers of the log's file lines, at their limits. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "seenlog.h"
#include "unit.h"

/* seenlog_scan_file of LINE (after "f" and its tab). */
static bool scan(const char *line, struct file_identity *id, long long *batch)
{
	const char *name_end;

	return seenlog_scan_file(line, line + strlen(line), &name_end, id, batch);
}

int main(void)
{
	struct file_identity id;
	long long batch;

	/* Every length of every field, against strtoull. */
	bool same = true;
	srand(7);
	for (int len = 1; len <= 20 && same; len++)
		for (int t = 0; t < 200 && same; t++) {
			char num[24], line[160];
			for (int i = 0; i < len; i++)
				num[i] = (char)('0' + (i == 0 && len > 1 ? 1 + rand() % 9 : rand() % 10));
			num[len] = '\0';
			errno = 0;
			unsigned long long want = strtoull(num, NULL, 10);
			bool fits = errno == 0 && want <= 1844674407370955160ULL * 10;
			bool fits_ll = errno == 0 && want <= (unsigned long long)LLONG_MAX;
			snprintf(line, sizeof(line), "n\t%s\t%s\t%s\t%s\t%s", num, num, num, num,
				 fits_ll ? num : "0");
			bool ok = scan(line, &id, &batch);
			if (ok != (fits_ll && fits))
				same = false;
			else if (ok)
				same = (unsigned long long)id.size == want &&
				       (unsigned long long)id.mtime_ns == want && id.dev == want &&
				       id.ino == want && (unsigned long long)batch == want;
			if (!same)
				printf("# %s: %d\n", num, ok);
		}
	CHECK(same, "numbers of 1 to 20 digits in every field read as strtoull reads them");

	CHECK(scan("a\t7\t1709528767123456789\t65024\t5349448\t12", &id, &batch) &&
	      id.size == 7 && id.mtime_ns == 1709528767123456789LL && id.dev == 65024 &&
	      id.ino == 5349448 && batch == 12 && id.known,
	      "a common line: every field");
	CHECK(scan("a\t9223372036854775807\t-9223372036854775808\t18446744073709551609\t"
		   "00000000000000000001\t-1", &id, &batch) &&
	      id.size == LLONG_MAX && id.mtime_ns == LLONG_MIN && id.dev == ULLONG_MAX - 6 &&
	      id.ino == 1 && batch == -1,
	      "the limits of each field, and leading zeros");
	CHECK(!scan("a\t9223372036854775808\t1\t1\t1\t0", &id, &batch),
	      "a size past LLONG_MAX is refused");
	CHECK(!scan("a\t1\t-9223372036854775809\t1\t1\t0", &id, &batch),
	      "an mtime below LLONG_MIN is refused");
	CHECK(!scan("a\t1\t1\t18446744073709551616\t1\t0", &id, &batch),
	      "a dev past ULLONG_MAX is refused");
	CHECK(!scan("a\t1\t1\t1\t1844674407370955161500\t0", &id, &batch),
	      "an ino of 22 digits is refused");
	CHECK(!scan("a\t1\t17095287671234x6789\t1\t1\t0", &id, &batch) &&
	      !scan("a\t1\t1709528767\t1\t1\t12345678x", &id, &batch),
	      "a letter among the digits is refused");
	CHECK(scan("a\t12345678\t1234567812345678\t1\t1\t0", &id, &batch) &&
	      id.size == 12345678 && id.mtime_ns == 1234567812345678LL,
	      "exactly eight and sixteen digits");
	return unit_done();
}
