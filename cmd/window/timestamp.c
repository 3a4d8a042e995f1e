#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "timestamp.h"

#define US_PER_DAY (86400 * US_PER_SEC)
#define MIN_US (-62135596800LL * US_PER_SEC)		/* 0001-01-01T00:00:00Z */
#define MAX_US (253402300800LL * US_PER_SEC - 1)	/* 9999-12-31T23:59:59.999999Z */

long long floor_div(long long a, long long b)
{
	long long q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int timestamp_parse_epoch(const char *s, size_t len, long long unit_us, long long *us)
{
	const char *p = s, *end = s + len;
	long long whole = 0, frac = 0, weight = unit_us;
	bool neg = false;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || !is_digit(*p))
		return -1;
	for (; p < end && is_digit(*p); p++) {
		if (whole > MAX_US / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return -1;
		for (; p < end && is_digit(*p); p++)
			if (weight >= 10) {
				weight /= 10;
				frac += (*p - '0') * weight;
			}
	}
	if (p != end || whole > MAX_US / unit_us)
		return -1;
	*us = whole * unit_us + frac;
	if (neg)
		*us = -*us;
	return *us >= MIN_US && *us <= MAX_US ? 0 : -1;
}

static const struct unit {
	const char *name;
	long long us;
} units[] = {
	{ "us", 1 }, { "\xc2\xb5s", 1 }, { "microsecond", 1 }, { "microseconds", 1 },
	{ "ms", 1000 }, { "millisecond", 1000 }, { "milliseconds", 1000 },
	{ "s", US_PER_SEC }, { "sec", US_PER_SEC }, { "secs", US_PER_SEC },
	{ "second", US_PER_SEC }, { "seconds", US_PER_SEC },
	{ "m", 60 * US_PER_SEC }, { "min", 60 * US_PER_SEC }, { "mins", 60 * US_PER_SEC },
	{ "minute", 60 * US_PER_SEC }, { "minutes", 60 * US_PER_SEC },
	{ "h", 3600 * US_PER_SEC }, { "hr", 3600 * US_PER_SEC }, { "hrs", 3600 * US_PER_SEC },
	{ "hour", 3600 * US_PER_SEC }, { "hours", 3600 * US_PER_SEC },
	{ "d", US_PER_DAY }, { "day", US_PER_DAY }, { "days", US_PER_DAY },
	{ "w", 7 * US_PER_DAY }, { "week", 7 * US_PER_DAY }, { "weeks", 7 * US_PER_DAY },
};

long long duration_parse(const char *s)
{
	long long total = 0;
	int pairs = 0;

	for (const char *p = s;;) {
		long long n = 0, unit = -1;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++) {
			n = n * 10 + (*p - '0');
			if (n > DURATION_MAX_US)
				return -1;
		}
		while (*p == ' ')
			p++;
		const char *u = p;
		while (*p && *p != ' ' && !is_digit(*p))
			p++;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == (size_t)(p - u) &&
			    !strncasecmp(units[i].name, u, (size_t)(p - u)))
				unit = units[i].us;
		if (unit < 0 || n > (DURATION_MAX_US - total) / unit)
			return -1;
		total += n * unit;
		pairs++;
	}
	return pairs ? total : -1;
}
