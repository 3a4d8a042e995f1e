/*
 * The time-zone reader of libcommon/datetime.h on any file: the bytes are
 * written as a zone under a TZDIR of the harness's own, and
 * time_zone_load reads them as it reads /usr/share/zoneinfo (TZif
 * versions 1 to 4, the POSIX TZ footer).  Invariants: a file it refuses
 * gives a reason; a zone it takes answers for instants across ±300,000
 * years (inlet's timestamps) with an offset a TZif file can hold, the
 * same one again for the same instant; time_zone_to_utc gives an instant
 * one offset away from the local time, and the instant itself back for
 * a local time a day away from any change of offset.  The seeds in
 * tests/fuzz/corpus/zone/ are zones of Debian's tzdata package, built
 * from the tz database, which is in the public domain.
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "buf.h"
#include "datetime.h"
#include "fuzz.h"

static char zone_path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/inlet-fuzz-zone-XXXXXX";

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	setenv("TZDIR", dir, 1);
	snprintf(zone_path, sizeof(zone_path), "%s/Fuzz", dir);
	return 0;
}

/* The instant I of a spread over ±300,000 years, with the input's bytes as noise. */
static long long instant(const uint8_t *data, size_t size, int i)
{
	static const long long spread[] = {
		0, 1, -1, 86399, 86400, -86400, 951782400, 1711846800, 1730595600,
		2147483647, -2147483648LL, 4102444800LL, -62135596800LL,
		9467020800000LL, -9467020800000LL,
	};
	long long t = spread[i % (int)(sizeof(spread) / sizeof(spread[0]))];

	if (size >= 8) {
		long long noise = 0;
		memcpy(&noise, data + (size_t)i * 7 % (size - 7), sizeof(noise));
		t += noise % 4000000000LL;
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	FILE *fp = fopen(zone_path, "wb");

	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	struct time_zone *z = time_zone_load("Fuzz", &err);
	if (!z) {
		FUZZ_ASSERT(err.len > 0 && strstr(err.data, "'Fuzz'"), "a refusal names the zone");
		buf_free(&err);
		return 0;
	}
	for (int i = 0; i < 30; i++) {
		long long t = instant(data, size, i);
		long off = time_zone_offset_at(z, t);
		FUZZ_ASSERT(off >= -2147483648LL && off <= 2147483647LL,
			    "offset %ld within a TZif field", off);
		FUZZ_ASSERT(time_zone_offset_at(z, t) == off, "the same offset again");
		long long local = t + off, utc = time_zone_to_utc(z, local);
		FUZZ_ASSERT(utc - local >= -2147483648LL && utc - local <= 2147483648LL,
			    "the instant of a local time is one of its offsets away");
		/* A local time valid with the offset its instant has comes back. */
		long back = time_zone_offset_at(z, utc);
		if (time_zone_offset_at(z, local - back) == back && back == off &&
		    time_zone_offset_at(z, local - 86400) == off &&
		    time_zone_offset_at(z, local + 86400) == off)
			FUZZ_ASSERT(utc == t, "an instant away from any change comes back (%lld)", t);
	}
	time_zone_free(z);
	buf_free(&err);
	return 0;
}
