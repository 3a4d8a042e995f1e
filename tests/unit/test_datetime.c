/* libcommon/datetime: calendar, ISO 8601 format/scan, the duration grammar, time zones. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "unit.h"

static void calendar(void)
{
	long long bad = 0;

	/* Every day from year -1000 to 3000 goes to a date and back. */
	for (long long day = -1100000; day <= 400000; day++) {
		long long y;
		unsigned m, d;
		civil_from_days(day, &y, &m, &d);
		if (days_from_civil(y, m, d) != day || d < 1 || d > days_in_month(y, m))
			bad++;
	}
	CHECK(bad == 0, "days <-> civil round trip over 4,000 years (%lld bad)", bad);
	CHECK(days_from_civil(1970, 1, 1) == 0, "the epoch is day 0");
	CHECK(days_from_civil(2000, 3, 1) == 11017, "2000-03-01 is day 11017");
	CHECK(days_in_month(2000, 2) == 29 && days_in_month(1900, 2) == 28 &&
	      days_in_month(2024, 2) == 29 && days_in_month(2023, 2) == 28,
	      "leap years: 2000 and 2024, not 1900 or 2023");
	CHECK(floor_div(-1, 86400) == -1 && floor_div(86400, 86400) == 1 &&
	      floor_div(-86400, 86400) == -1, "floor_div rounds down");
}

static int iso_is(long long sec, long nsec, const char *want)
{
	char out[32];
	long long us;

	iso8601_utc(out, sec, nsec);
	if (strcmp(out, want)) {
		printf("# %lld.%09ld -> %s, want %s\n", sec, nsec, out, want);
		return 0;
	}
	if (!iso8601_scan_us(out, strlen(out), &us) || us != sec * US_PER_SEC + nsec / 1000) {
		printf("# %s scanned back as %lld\n", out, us);
		return 0;
	}
	return 1;
}

static void iso8601(void)
{
	long long us;

	CHECK(iso_is(0, 0, "1970-01-01T00:00:00.000000Z"), "the epoch");
	CHECK(iso_is(1709294405, 123456789, "2024-03-01T12:00:05.123456Z"),
	      "nanoseconds are truncated to microseconds");
	CHECK(iso_is(-1, 999999000, "1969-12-31T23:59:59.999999Z"), "before the epoch");
	CHECK(iso_is(951782400, 0, "2000-02-29T00:00:00.000000Z"), "a leap day");
	CHECK(iso_is(253402300799LL, 0, "9999-12-31T23:59:59.000000Z"), "the last four-digit year");
	CHECK(iso_is(253402300800LL, 0, "10000-01-01T00:00:00.000000Z"), "an expanded year");
	CHECK(iso_is(-62167219200LL - 86400, 0, "-0001-12-31T00:00:00.000000Z"), "a negative year");
	CHECK(!iso8601_scan_us("2024-02-30T00:00:00.000000Z", 27, &us), "no 30 February");
	CHECK(!iso8601_scan_us("2024-03-01T00:00:00Z", 20, &us), "the fraction is required");
	CHECK(!iso8601_scan_us("2024-03-01 00:00:00.000000Z", 27, &us), "the T is required");
	CHECK(!iso8601_scan_us("2024-03-01T24:00:00.000000Z", 27, &us), "no hour 24");
	CHECK(!iso8601_scan_us("x024-03-01T00:00:00.000000Z", 27, &us), "digits only in the year");
}

static void durations(void)
{
	static const struct { const char *text; long long us; } cases[] = {
		{ "30s", 30 * US_PER_SEC }, { "1m30s", 90 * US_PER_SEC },
		{ "1m 30s", 90 * US_PER_SEC }, { "1.5s", 1500000 }, { "1.5m", 90 * US_PER_SEC },
		{ "500ms", 500000 }, { "250us", 250 }, { "10", 10 * US_PER_SEC },
		{ "0.5", 500000 }, { "10 seconds", 10 * US_PER_SEC },
		{ "1 minute 30 seconds", 90 * US_PER_SEC }, { "2 HOURS", 7200 * US_PER_SEC },
		{ "1 week", 7 * 86400 * US_PER_SEC }, { "1d", 86400 * US_PER_SEC },
		{ "0s", 0 }, { "1.0000001s", 1000000 }, { "1h30m15s", 5415 * US_PER_SEC },
	};
	static const char *bad[] = {
		"", " ", "s", "10x", "1m30", "-1s", "1.s", ".5s", "10 seconds ago",
		"1e3s", "1,5s", "99999999999999999999s", "100001d",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long got = duration_scan(cases[i].text);
		CHECK(got == cases[i].us, "duration '%s' is %lld us (got %lld)",
		      cases[i].text, cases[i].us, got);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(duration_scan(bad[i]) == -1, "duration '%s' is refused", bad[i]);
}

/*
 * time_zone_offset_at against glibc's own reading of the same zone file
 * (TZ and localtime_r: this test is one thread), every 6 hours from 1950
 * to 2100: the transitions listed and, past 2037, the POSIX rule; and
 * time_zone_to_utc inverts it for every local time that exists once.
 */
static void zones(void)
{
	static const char *names[] = { "Europe/Paris", "America/New_York",
				       "Australia/Sydney", "America/Sao_Paulo", "Asia/Tokyo" };
	struct buf err = BUF_INIT;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct time_zone *z = time_zone_load(names[i], &err);
		long bad_offset = 0, bad_inverse = 0, checked = 0;
		CHECK(z != NULL, "zone '%s' loads (%s)", names[i], err.data ? err.data : "");
		if (!z)
			continue;
		setenv("TZ", names[i], 1);
		tzset();
		for (long long t = -631152000LL; t < 4102444800LL; t += 6 * 3600 + 7) {
			time_t tt = (time_t)t;
			struct tm tm;
			localtime_r(&tt, &tm);
			long off = time_zone_offset_at(z, t);
			if (off != tm.tm_gmtoff)
				bad_offset++;
			long long local = t + off;
			/* Exists once: the offsets a day either side agree. */
			if (time_zone_offset_at(z, t - 86400) == time_zone_offset_at(z, t + 86400) &&
			    time_zone_to_utc(z, local) != t)
				bad_inverse++;
			checked++;
		}
		CHECK(bad_offset == 0, "zone '%s': offsets agree with glibc (%ld of %ld differ)",
		      names[i], bad_offset, checked);
		CHECK(bad_inverse == 0, "zone '%s': local time back to UTC (%ld of %ld differ)",
		      names[i], bad_inverse, checked);
		time_zone_free(z);
	}
	/* Paris: a gap moves forward by the gap, an overlap takes the earlier offset. */
	struct time_zone *paris = time_zone_load("Europe/Paris", &err);
	long long gap = days_from_civil(2024, 3, 31) * 86400 + 2 * 3600 + 1800;
	long long overlap = days_from_civil(2024, 10, 27) * 86400 + 2 * 3600 + 1800;
	CHECK(time_zone_to_utc(paris, gap) == gap - 3600, "02:30 in the spring gap is 01:30Z");
	CHECK(time_zone_to_utc(paris, overlap) == overlap - 7200,
	      "02:30 in the autumn overlap is 00:30Z");
	time_zone_free(paris);
	static const char *unknown[] = { "Nowhere/Land", "Europe", "../etc/passwd", "", "+19:00",
					 "UTC+", "+1:2", "Europe//Paris" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		buf_reset(&err);
		struct time_zone *z = time_zone_load(unknown[i], &err);
		CHECK(!z && strstr(err.data, "unknown time zone"), "zone '%s' is refused: %s",
		      unknown[i], err.data);
		time_zone_free(z);
	}
	buf_free(&err);
}

int main(void)
{
	calendar();
	iso8601();
	durations();
	zones();
	return unit_done();
}
