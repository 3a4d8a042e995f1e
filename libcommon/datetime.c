/*
 * Time, one way: see datetime.h.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "datetime.h"
#include "die.h"

long long floor_div(long long a, long long b)
{
	long long q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* ---- calendar ---- */

long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

unsigned days_in_month(long long y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* ---- ISO 8601 with microseconds ---- */

/* Write the N-digit decimal V at P; the end. */
static char *put_digits(char *p, long long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* By hand, not gmtime_r + snprintf: discover formats one per file listed. */
void iso8601_utc(char *out, long long sec, long nsec)
{
	long long days = floor_div(sec, 86400), y;
	long secs = (long)(sec - days * 86400);
	unsigned m, d;
	char *p = out;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		p += snprintf(out, 12, y < 0 ? "-%04lld" : "%04lld", y < 0 ? -y : y);
	else
		p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	*p++ = '.';
	p = put_digits(p, nsec / 1000, 6);
	*p++ = 'Z';
	*p = '\0';
}

void iso8601_now(char *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	iso8601_utc(out, ts.tv_sec, ts.tv_nsec);
}

/* The decimal S..END (all digits, at least one, no overflow) in *V. */
static bool scan_digits(const char *s, const char *end, long long *v)
{
	long long n = 0;

	if (s >= end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || n > (9223372036854775807LL - 9) / 10)
			return false;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return true;
}

bool iso8601_scan_us(const char *s, size_t n, long long *us)
{
	const char *t = s + n - 23;	/* "-MM-DDTHH:MM:SS.ffffffZ" */
	long long year, frac, mon, day, hour, min, sec;
	bool neg = n > 0 && s[0] == '-';

	if (n < 27 || !scan_digits(s + neg, t, &year) || year > 290000 ||
	    t[0] != '-' || t[3] != '-' || t[6] != 'T' || t[9] != ':' || t[12] != ':' ||
	    t[15] != '.' || t[22] != 'Z' || !scan_digits(t + 16, t + 22, &frac) ||
	    !scan_digits(t + 1, t + 3, &mon) || !scan_digits(t + 4, t + 6, &day) ||
	    !scan_digits(t + 7, t + 9, &hour) || !scan_digits(t + 10, t + 12, &min) ||
	    !scan_digits(t + 13, t + 15, &sec))
		return false;
	if (neg)
		year = -year;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, (unsigned)mon) ||
	    hour > 23 || min > 59 || sec > 60)
		return false;
	*us = (days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 +
	       hour * 3600 + min * 60 + sec) * US_PER_SEC + frac;
	return true;
}

long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- TIMESTAMP values ---- */

void timestamp_format(long long us, struct buf *out)
{
	long long days = us / 86400000000LL, rem = us % 86400000000LL;
	long long y;
	unsigned m, d;

	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	long long secs = rem / 1000000, frac = rem % 1000000;
	/* By hand: this runs once per timestamp value. */
	char t[40], *p = t;
	if (y < 0 || y > 9999) {
		/* ISO 8601 expanded years: the sign, then at least 4 digits. */
		p += snprintf(t, 16, y < 0 ? "-%04lld" : "%04lld", y < 0 ? -y : y);
	} else {
		*p++ = (char)('0' + y / 1000);
		*p++ = (char)('0' + y / 100 % 10);
		*p++ = (char)('0' + y / 10 % 10);
		*p++ = (char)('0' + y % 10);
	}
	unsigned parts[5] = { m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
			      (unsigned)(secs % 60) };
	const char seps[5] = { '-', '-', 'T', ':', ':' };
	for (int i = 0; i < 5; i++) {
		*p++ = seps[i];
		*p++ = (char)('0' + parts[i] / 10);
		*p++ = (char)('0' + parts[i] % 10);
	}
	if (frac) {
		*p++ = '.';
		for (long long div = 100000; div && frac; div /= 10) {
			*p++ = (char)('0' + frac / div);
			frac %= div;
		}
	}
	buf_add(out, t, (size_t)(p - t));
	buf_addc(out, 'Z');
}

struct dt {
	long long year;
	int month, day, hour, minute, second, pm;	/* pm: -1 unset */
	long usec;
	int offset;		/* seconds east of UTC */
	bool zoned;		/* the text gave the offset */
};

/*
 * Read between MIN and MAX digits at *P; -1 if fewer than MIN, or when
 * their value is above INT_MAX, which no field of a date or time holds (a
 * pattern's run of letters can ask for any number of digits).
 */
static long long digits(const char **p, const char *end, int min, int max)
{
	long long v = 0;
	int n = 0;

	while (*p < end && n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v > INT_MAX)
			return -1;
		(*p)++;
		n++;
	}
	return n < min ? -1 : v;
}

/*
 * "Z", "+01", "+0130", "+01:30", "UTC", and "UTC" with an offset whose
 * hour may have one digit ("UTC+0", as Databricks writes its examples,
 * and Spark's zone ids "UTC+1", "UTC+01:00"); ALLOW_Z: 'Z' accepted.
 */
static int read_offset(const char **p, const char *end, bool allow_z, int *offset)
{
	int hour_digits = 2;

	if (allow_z && *p < end && (**p == 'Z' || **p == 'z')) {
		(*p)++;
		*offset = 0;
		return 0;
	}
	if (end - *p >= 3 && !strncasecmp(*p, "UTC", 3)) {
		*p += 3;
		*offset = 0;
		if (*p >= end || (**p != '+' && **p != '-'))
			return 0;
		hour_digits = 1;
	}
	if (*p >= end || (**p != '+' && **p != '-'))
		return -1;
	int sign = **p == '-' ? -1 : 1;
	(*p)++;
	long long h = digits(p, end, hour_digits, 2), mi = 0;
	if (h < 0 || h > 18)
		return -1;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && isdigit((unsigned char)**p)) {
		mi = digits(p, end, 2, 2);
		if (mi < 0 || mi > 59)
			return -1;
	}
	*offset = sign * (int)(h * 3600 + mi * 60);
	return 0;
}

static const char *months[] = { "jan", "feb", "mar", "apr", "may", "jun",
				 "jul", "aug", "sep", "oct", "nov", "dec" };

static int parse_with_pattern(const char *p, const char *end, const char *pat, struct dt *t)
{
	while (*pat) {
		char c = *pat;
		size_t run = 1;
		if (c == '\'') {
			pat++;
			if (*pat == '\'') {	/* '' is a quote */
				if (p >= end || *p != '\'')
					return -1;
				p++, pat++;
				continue;
			}
			while (*pat && *pat != '\'') {
				if (p >= end || *p != *pat)
					return -1;
				p++, pat++;
			}
			if (*pat)
				pat++;
			continue;
		}
		if (!isalpha((unsigned char)c)) {
			if (p >= end || *p != c)
				return -1;
			p++, pat++;
			continue;
		}
		while (pat[run] == c)
			run++;
		pat += run;
		/*
		 * Java's adjacent value parsing: a number followed at once by
		 * another pattern letter ("yyyyMMdd") takes exactly as many
		 * digits as its letters, else the year would read them all.
		 */
		int width = isalpha((unsigned char)*pat) && run >= 2 ? (int)run : 0;
		long long v;
		switch (c) {
		case 'y': case 'u':
			if (width)
				v = digits(&p, end, width, width);
			else
				v = digits(&p, end, run == 2 ? 2 : 1, run == 2 ? 2 : 9);
			if (v < 0)
				return -1;
			t->year = run == 2 ? 2000 + v : v;
			break;
		case 'M': case 'L':
			if (run >= 3) {
				int found = -1;
				for (int i = 0; i < 12; i++)
					if (end - p >= 3 && !strncasecmp(p, months[i], 3))
						found = i;
				if (found < 0)
					return -1;
				p += 3;
				while (p < end && isalpha((unsigned char)*p))
					p++;	/* the rest of a full month name */
				t->month = found + 1;
			} else {
				v = digits(&p, end, (int)run, width ? width : 2);
				if (v < 0)
					return -1;
				t->month = (int)v;
			}
			break;
		case 'd': case 'H': case 'h': case 'k': case 'm': case 's':
			v = digits(&p, end, (int)run, width ? width : 2);
			if (v < 0)
				return -1;
			if (c == 'd') t->day = (int)v;
			else if (c == 'H' || c == 'k') t->hour = (int)v % 24;
			else if (c == 'h') t->hour = (int)v % 12;
			else if (c == 'm') t->minute = (int)v;
			else t->second = (int)v;
			break;
		case 'S': {
			const char *s0 = p;
			v = digits(&p, end, width ? width : 1, width ? width : 9);
			if (v < 0)
				return -1;
			long n = (long)(p - s0);
			while (n < 6) v *= 10, n++;
			while (n > 6) v /= 10, n--;
			t->usec = (long)v;
			break;
		}
		case 'a':
			if (end - p >= 2 && !strncasecmp(p, "AM", 2))
				t->pm = 0;
			else if (end - p >= 2 && !strncasecmp(p, "PM", 2))
				t->pm = 1;
			else
				return -1;
			p += 2;
			break;
		case 'X': case 'Z': case 'x': case 'O':
			if (read_offset(&p, end, c == 'X' || c == 'Z', &t->offset) < 0)
				return -1;
			t->zoned = true;
			break;
		case 'E':	/* day names are read and ignored */
			while (p < end && isalpha((unsigned char)*p))
				p++;
			break;
		default:
			return -1;
		}
	}
	return p == end ? 0 : -1;
}

/* ISO 8601: date, then optionally T or space, time, fraction, offset. */
static int parse_iso(const char *p, const char *end, struct dt *t)
{
	bool neg = p < end && *p == '-';
	if (neg)
		p++;
	long long y = digits(&p, end, 4, 6);
	if (y < 0)
		return -1;
	t->year = neg ? -y : y;
	/* Spark's stringToDate and stringToTimestamp: "2021" and "2021-01" are the first day. */
	if (p == end)
		return 0;
	if (*p++ != '-' || (t->month = (int)digits(&p, end, 1, 2)) < 0)
		return -1;
	if (p == end)
		return 0;
	if (*p++ != '-' || (t->day = (int)digits(&p, end, 1, 2)) < 0)
		return -1;
	if (p == end)
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if ((t->hour = (int)digits(&p, end, 1, 2)) < 0 || p >= end || *p++ != ':' ||
	    (t->minute = (int)digits(&p, end, 2, 2)) < 0)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if ((t->second = (int)digits(&p, end, 2, 2)) < 0)
			return -1;
		if (p < end && (*p == '.' || *p == ',')) {
			p++;
			const char *s0 = p;
			long long v = digits(&p, end, 1, 9);
			if (v < 0)
				return -1;
			long n = (long)(p - s0);
			while (n < 6) v *= 10, n++;
			while (n > 6) v /= 10, n--;
			t->usec = (long)v;
		}
	}
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	if (read_offset(&p, end, true, &t->offset) < 0)
		return -1;
	t->zoned = true;
	return p == end ? 0 : -1;
}

int datetime_parse(const char *text, size_t n, const char *pattern, long long *epoch_us)
{
	return datetime_parse_in(text, n, pattern, NULL, epoch_us);
}

int datetime_parse_in(const char *text, size_t n, const char *pattern,
		      const struct time_zone *zone, long long *epoch_us)
{
	struct dt t = { 1970, 1, 1, 0, 0, 0, -1, 0, 0, false };
	const char *p = text, *end = text + n;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if ((pattern ? parse_with_pattern(p, end, pattern, &t) : parse_iso(p, end, &t)) < 0)
		return -1;
	if (t.pm == 1)
		t.hour += 12;
	/* Microseconds since the epoch fit in 64 bits for about +-290,000 years. */
	if (t.year > 290000 || t.year < -290000)
		return -1;
	if (t.month < 1 || t.month > 12 || t.day < 1 ||
	    (unsigned)t.day > days_in_month(t.year, (unsigned)t.month) ||
	    t.hour > 23 || t.minute > 59 || t.second > 59)
		return -1;
	long long days = days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
	long long sec = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
	sec = t.zoned || !zone ? sec - t.offset : time_zone_to_utc(zone, sec);
	*epoch_us = sec * 1000000LL + t.usec;
	return 0;
}


#define US_PER_DAY (86400 * US_PER_SEC)
#define MIN_US (-62135596800LL * US_PER_SEC)		/* 0001-01-01T00:00:00Z */
#define MAX_US (253402300800LL * US_PER_SEC - 1)	/* 9999-12-31T23:59:59.999999Z */

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

/* ---- durations ---- */

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

/* The unit spelled by the LEN bytes at U, in microseconds; -1 if none. */
static long long unit_us(const char *u, size_t len)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && !strncasecmp(units[i].name, u, len))
			return units[i].us;
	return -1;
}

long long duration_scan(const char *text)
{
	long long total = 0;
	int pairs = 0;
	const char *p = text;

	for (;;) {
		long long whole = 0, frac = 0, scale = 1, unit;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++) {
			whole = whole * 10 + (*p - '0');
			if (whole > DURATION_MAX_US)
				return -1;
		}
		if (*p == '.') {
			if (!is_digit(*++p))
				return -1;
			for (; is_digit(*p); p++)
				if (scale < US_PER_SEC * 1000000) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
		}
		while (*p == ' ')
			p++;
		const char *u = p;
		while (*p && *p != ' ' && !is_digit(*p) && *p != '.')
			p++;
		if (p == u && pairs == 0 && !*p)
			unit = US_PER_SEC;	/* a bare number alone: seconds */
		else
			unit = unit_us(u, (size_t)(p - u));
		if (unit < 0 || whole > (DURATION_MAX_US - total) / unit)
			return -1;
		total += whole * unit;
		/* The fraction, exact to the microsecond: frac / scale units. */
		long long part = (long long)((__int128)frac * unit / scale);
		if (part > DURATION_MAX_US - total)
			return -1;
		total += part;
		pairs++;
	}
	return pairs ? total : -1;
}

/* ---- time zones ---- */

/* A POSIX TZ rule date: Jn, n or Mm.w.d, and the local time of day. */
struct rule_date {
	char kind;		/* 'J', 'n' or 'M' */
	int n, m, w, d;
	long time;		/* seconds after local midnight (may be negative) */
};

struct time_zone {
	long fixed;		/* without transitions nor rule: the offset */
	size_t n;		/* transitions: at[i] (UTC seconds), then off[i] */
	long long *at;
	long *off;
	long initial;		/* the offset before the first transition */
	bool has_rule;		/* the TZif footer, for times after the last transition */
	long std, dst;		/* its offsets, seconds east of UTC */
	bool has_dst;
	struct rule_date start, end;
};

/* The N-byte big-endian signed integer at P. */
static long long be_int(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v -= 1ULL << (8 * n);
	return (long long)v;
}

/* A POSIX TZ offset "[+-]hh[:mm[:ss]]" at *P, in seconds as written (west positive). */
static bool posix_offset(const char **p, long *sec, int max_hours)
{
	int sign = 1;
	long parts[3] = { 0, 0, 0 };

	if (**p == '+' || **p == '-')
		sign = *(*p)++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		if (i && **p != ':')
			break;
		if (i)
			(*p)++;
		if (!isdigit((unsigned char)**p))
			return false;
		long v = 0;
		for (int k = 0; k < 3 && isdigit((unsigned char)**p); k++)
			v = v * 10 + *(*p)++ - '0';
		if ((i == 0 && v > max_hours) || (i && v > 59))
			return false;
		parts[i] = v;
	}
	*sec = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
	return true;
}

/* A POSIX TZ zone abbreviation: letters, or <...>. */
static bool posix_name(const char **p)
{
	const char *s = *p;

	if (*s == '<') {
		while (*s && *s != '>')
			s++;
		if (*s != '>')
			return false;
		*p = s + 1;
		return true;
	}
	while (isalpha((unsigned char)*s))
		s++;
	if (s - *p < 3)
		return false;
	*p = s;
	return true;
}

static bool posix_date(const char **p, struct rule_date *r)
{
	char *e;

	r->time = 7200;
	if (**p == 'M') {
		r->kind = 'M';
		r->m = (int)strtol(*p + 1, &e, 10);
		if (*e != '.')
			return false;
		r->w = (int)strtol(e + 1, &e, 10);
		if (*e != '.')
			return false;
		r->d = (int)strtol(e + 1, &e, 10);
		if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6)
			return false;
	} else {
		r->kind = **p == 'J' ? 'J' : 'n';
		if (!isdigit((unsigned char)(*p)[r->kind == 'J']))
			return false;
		r->n = (int)strtol(*p + (r->kind == 'J'), &e, 10);
		if (r->n > 365 || (r->kind == 'J' && r->n < 1))
			return false;
	}
	*p = e;
	if (**p == '/') {
		(*p)++;
		/* RFC 8536: the time may be -167 to 167 hours. */
		if (!posix_offset(p, &r->time, 167))
			return false;
	}
	return true;
}

/* The TZif footer: "std offset [dst [offset] [,start[/time],end[/time]]]". */
static bool posix_rule(struct time_zone *z, const char *s)
{
	long w;

	if (!posix_name(&s) || !posix_offset(&s, &w, 24))
		return false;
	z->std = -w;
	z->has_rule = true;
	if (!*s)
		return true;
	if (!posix_name(&s))
		return false;
	z->has_dst = true;
	z->dst = z->std + 3600;
	if (*s && *s != ',') {
		if (!posix_offset(&s, &w, 24))
			return false;
		z->dst = -w;
	}
	if (!*s) {
		/* POSIX leaves the dates to the implementation: the US rule, as glibc. */
		s = ",M3.2.0,M11.1.0";
	}
	return *s++ == ',' && posix_date(&s, &z->start) && *s++ == ',' &&
	       posix_date(&s, &z->end) && !*s;
}

/* The local seconds (since 1970, on the zone's clock) of R in year Y. */
static long long rule_local(const struct rule_date *r, long long y)
{
	long long day;

	if (r->kind == 'J') {
		bool leap = days_in_month(y, 2) == 29;
		day = days_from_civil(y, 1, 1) + r->n - 1 + (leap && r->n >= 60);
	} else if (r->kind == 'n') {
		day = days_from_civil(y, 1, 1) + r->n;
	} else {
		long long first = days_from_civil(y, (unsigned)r->m, 1);
		int weekday = (int)((first % 7 + 7 + 4) % 7);	/* 1970-01-01 was a Thursday */
		int mday = 1 + (r->d - weekday + 7) % 7 + (r->w - 1) * 7;
		while ((unsigned)mday > days_in_month(y, (unsigned)r->m))
			mday -= 7;
		day = first + mday - 1;
	}
	return day * 86400 + r->time;
}

static long rule_offset(const struct time_zone *z, long long sec)
{
	if (!z->has_dst)
		return z->std;
	long long days = floor_div(sec + z->std, 86400), y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	long long start = rule_local(&z->start, y) - z->std;
	long long end = rule_local(&z->end, y) - z->dst;
	bool in_dst = start < end ? sec >= start && sec < end : !(sec >= end && sec < start);
	return in_dst ? z->dst : z->std;
}

long time_zone_offset_at(const struct time_zone *z, long long sec)
{
	if (!z->n)
		return z->has_rule ? rule_offset(z, sec) : z->fixed;
	if (sec < z->at[0])
		return z->initial;
	if (z->has_rule && sec >= z->at[z->n - 1])
		return rule_offset(z, sec);
	size_t lo = 0, hi = z->n;	/* the last at[i] <= sec */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= sec)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

/*
 * java.time's ZonedDateTime.ofLocal without a preferred offset: the
 * offsets a day either side; a local time valid with the earlier one
 * takes it (an overlap takes the earlier offset), else the later one;
 * valid with neither, it is in a gap and moves forward by the gap's
 * length, which is the earlier offset again.
 */
long long time_zone_to_utc(const struct time_zone *z, long long local)
{
	long before = time_zone_offset_at(z, local - 86400);
	long after = time_zone_offset_at(z, local + 86400);

	if (time_zone_offset_at(z, local - before) == before)
		return local - before;
	if (time_zone_offset_at(z, local - after) == after)
		return local - after;
	return local - before;
}

void time_zone_free(struct time_zone *z)
{
	if (!z)
		return;
	free(z->at);
	free(z->off);
	free(z);
}

/* A tz database name: letters, digits, "/_+-", no "." component, not absolute. */
static bool tz_name_ok(const char *name)
{
	if (!*name || *name == '/' || strlen(name) > 255)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	return !strstr(name, "//");
}

/* Read the TZif data DATA (N bytes) into Z; the reason, or NULL. */
static const char *tzif_read(struct time_zone *z, const unsigned char *data, size_t n)
{
	const unsigned char *p = data, *end = data + n;
	int width = 4;

	for (int pass = 0; pass < 2; pass++) {
		if (end - p < 44 || memcmp(p, "TZif", 4))
			return "not a TZif file";
		bool v2 = p[4] >= '2';
		long long isut = be_int(p + 20, 4), isstd = be_int(p + 24, 4),
			  leap = be_int(p + 28, 4), timecnt = be_int(p + 32, 4),
			  typecnt = be_int(p + 36, 4), charcnt = be_int(p + 40, 4);
		if (isut < 0 || isstd < 0 || leap < 0 || timecnt < 0 || timecnt > 100000 ||
		    typecnt < 1 || typecnt > 256 || charcnt < 0)
			return "a TZif header out of range";
		p += 44;
		long long size = timecnt * (width + 1) + typecnt * 6 + charcnt +
				 leap * (width + 4) + isstd + isut;
		if (end - p < size)
			return "a TZif file cut short";
		if (pass == 0 && v2) {
			p += size;
			width = 8;
			continue;
		}
		if (leap)
			return "a zone with leap seconds (use the zone without them, outside right/)";
		const unsigned char *idx = p + timecnt * width, *types = idx + timecnt;
		z->n = (size_t)timecnt;
		z->at = xcalloc(z->n + 1, sizeof(*z->at));
		z->off = xcalloc(z->n + 1, sizeof(*z->off));
		for (size_t i = 0; i < z->n; i++) {
			z->at[i] = be_int(p + i * width, width);
			if (idx[i] >= typecnt || (i && z->at[i] <= z->at[i - 1]))
				return "a TZif transition out of order";
			z->off[i] = (long)be_int(types + idx[i] * 6, 4);
		}
		z->initial = (long)be_int(types, 4);
		z->fixed = z->initial;
		p += size;
		if (width == 8 && p < end && *p == '\n') {
			const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
			char footer[256];
			size_t len = nl ? (size_t)(nl - p - 1) : 0;
			if (!nl || len >= sizeof(footer))
				return "a TZif footer that does not end";
			memcpy(footer, p + 1, len);
			footer[len] = '\0';
			if (len && !posix_rule(z, footer))
				return "a TZif footer that is not a POSIX TZ rule";
		}
		return NULL;
	}
	return "not a TZif file";
}

/*
 * Spark's zone ids of a fixed offset: Z, UTC, GMT, UT, alone or followed
 * by an offset, or an offset alone: [+-]h, hh, hh:mm, hhmm, hh:mm:ss.
 */
static bool fixed_offset(const char *name, long *offset)
{
	static const char *const prefixes[] = { "UTC", "GMT", "UT", "" };
	const char *p = name;

	if (!strcasecmp(name, "Z")) {
		*offset = 0;
		return true;
	}
	for (int i = 0; i < 4; i++)
		if (!strncasecmp(name, prefixes[i], strlen(prefixes[i]))) {
			p = name + strlen(prefixes[i]);
			break;
		}
	if (p > name && !*p) {
		*offset = 0;
		return true;
	}
	if (*p != '+' && *p != '-')
		return false;
	int sign = *p++ == '-' ? -1 : 1;
	size_t run = strspn(p, "0123456789");
	long h, m = 0, sec = 0;
	if (run == 4 || run == 6) {	/* hhmm, hhmmss */
		h = (p[0] - '0') * 10 + p[1] - '0';
		m = (p[2] - '0') * 10 + p[3] - '0';
		if (run == 6)
			sec = (p[4] - '0') * 10 + p[5] - '0';
		p += run;
	} else {
		/* h, hh, hh:mm, hh:mm:ss: minutes and seconds of two digits. */
		if (run < 1 || run > 2)
			return false;
		h = strtol(p, NULL, 10);
		p += run;
		long *parts[2] = { &m, &sec };
		for (int i = 0; i < 2 && *p == ':'; i++, p += 3) {
			if (strspn(p + 1, "0123456789") != 2)
				return false;
			*parts[i] = (p[1] - '0') * 10 + p[2] - '0';
		}
	}
	if (*p || h > 18 || m > 59 || sec > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60 + sec);
	return true;
}

struct time_zone *time_zone_load(const char *name, struct buf *err)
{
	struct time_zone *z = xcalloc(1, sizeof(*z));
	const char *dir = getenv("TZDIR"), *why = NULL;
	struct buf path = BUF_INIT, data = BUF_INIT;
	char chunk[4096];
	size_t got;
	FILE *fp;

	if (fixed_offset(name, &z->fixed))
		return z;
	if (!tz_name_ok(name)) {
		buf_printf(err, "unknown time zone '%s'", name);
		goto fail;
	}
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	buf_printf(&path, "%s/%s", dir, name);
	fp = fopen(path.data, "rb");
	if (!fp) {
		buf_printf(err, "unknown time zone '%s': no such zone in '%s'", name, dir);
		goto fail;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0 && data.len < (1 << 20))
		buf_add(&data, chunk, got);
	if (ferror(fp))	/* a folder: "Europe" */
		why = "not a zone file";
	fclose(fp);
	if (!why)	/* an empty file holds no buffer: no bytes */
		why = tzif_read(z, (const unsigned char *)(data.data ? data.data : ""), data.len);
	if (why) {
		buf_printf(err, "unknown time zone '%s': '%s' is %s", name, path.data, why);
		goto fail;
	}
	buf_free(&path);
	buf_free(&data);
	return z;
fail:
	buf_free(&path);
	buf_free(&data);
	time_zone_free(z);
	return NULL;
}
