#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "value.h"

/* ---- decimal text: value = digits x 10^exp ---- */

struct decimal {
	bool neg;
	struct buf digits;	/* no leading zeros; empty for zero */
	long exp;
};

/* Parse a JSON-number-like text (optional '+', surrounding blanks). */
static int decimal_parse(const char *p, size_t n, struct decimal *d)
{
	const char *end = p + n;
	bool any = false;

	buf_reset(&d->digits);
	d->neg = false;
	d->exp = 0;
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && (*p == '-' || *p == '+'))
		d->neg = *p++ == '-';
	for (; p < end && isdigit((unsigned char)*p); p++, any = true)
		if (d->digits.len || *p != '0')
			buf_addc(&d->digits, *p);
	if (p < end && *p == '.') {
		for (p++; p < end && isdigit((unsigned char)*p); p++, any = true) {
			if (d->digits.len || *p != '0')
				buf_addc(&d->digits, *p);
			d->exp--;
		}
	}
	if (!any)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		char *e;
		long x = strtol(p + 1, &e, 10);
		if (e == p + 1 || e != end || x > 100000 || x < -100000)
			return -1;
		d->exp += x;
		p = end;
	}
	if (p != end)
		return -1;
	if (!d->digits.len)
		d->neg = false;
	return 0;
}

/* The value as an integer digit string in OUT, or -1 if not integral. */
static int decimal_integer(const struct decimal *d, struct buf *out)
{
	if (!d->digits.len) {
		buf_addc(out, '0');
		return 0;
	}
	if (d->exp < 0) {
		size_t drop = (size_t)-d->exp;
		if (drop > d->digits.len)
			return -1;
		for (size_t i = d->digits.len - drop; i < d->digits.len; i++)
			if (d->digits.data[i] != '0')
				return -1;
		if (drop == d->digits.len)
			return buf_addc(out, '0'), 0;
		if (d->neg)
			buf_addc(out, '-');
		buf_add(out, d->digits.data, d->digits.len - drop);
		return 0;
	}
	if (d->digits.len + (size_t)d->exp > 40)
		return -1;	/* beyond any integer type */
	if (d->neg)
		buf_addc(out, '-');
	buf_add(out, d->digits.data, d->digits.len);
	for (long i = 0; i < d->exp; i++)
		buf_addc(out, '0');
	return 0;
}

/* Is the integer text S (optional '-') within [-2^(bits-1), 2^(bits-1)-1]? */
static bool integer_fits(const char *s, size_t n, int bits)
{
	const char *max = bits == 32 ? "2147483647" : "9223372036854775807";
	const char *min = bits == 32 ? "2147483648" : "9223372036854775808";
	bool neg = n && *s == '-';
	const char *lim = neg ? min : max;
	size_t ln = strlen(lim);

	if (neg)
		s++, n--;
	if (n != ln)
		return n < ln;
	return memcmp(s, lim, n) <= 0;
}

/* Round half-up to SCALE; check PRECISION; write "123.45" into OUT. */
static int decimal_fixed(const struct decimal *d, int precision, int scale, struct buf *out)
{
	struct buf r = BUF_INIT;	/* the value x 10^scale, rounded, as digits */
	long shift = d->exp + scale;
	int rc = -1;

	if (shift >= 0) {
		if ((long)d->digits.len + shift > precision + 1)
			goto out;
		buf_add(&r, d->digits.data, d->digits.len);
		for (long i = 0; i < shift && d->digits.len; i++)
			buf_addc(&r, '0');
	} else {
		size_t drop = (size_t)-shift;
		if (drop <= d->digits.len) {
			buf_add(&r, d->digits.data, d->digits.len - drop);
			if (d->digits.data[d->digits.len - drop] >= '5') {
				/* Half-up: carry through trailing nines. */
				size_t i = r.len;
				while (i > 0 && r.data[i - 1] == '9')
					r.data[--i] = '0';
				if (i == 0) {
					buf_addc(&r, '0');
					memmove(r.data + 1, r.data, r.len - 1);
					r.data[0] = '1';
				} else {
					r.data[i - 1]++;
				}
			}
		}
	}
	if ((int)r.len > precision)
		goto out;	/* overflow of precision */
	bool zero = r.len == 0;
	if (d->neg && !zero)
		buf_addc(out, '-');
	if ((int)r.len <= scale) {
		buf_addc(out, '0');
		if (scale) {
			buf_addc(out, '.');
			for (int i = (int)r.len; i < scale; i++)
				buf_addc(out, '0');
			buf_add(out, r.data, r.len);
		}
	} else {
		buf_add(out, r.data, r.len - (size_t)scale);
		if (scale) {
			buf_addc(out, '.');
			buf_add(out, r.data + r.len - scale, (size_t)scale);
		}
	}
	rc = 0;
out:
	buf_free(&r);
	return rc;
}

/* ---- dates and times ---- */

long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
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

static unsigned days_in_month(long long y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

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
};

/* Read between MIN and MAX digits at *P; -1 if fewer than MIN. */
static long long digits(const char **p, const char *end, int min, int max)
{
	long long v = 0;
	int n = 0;

	while (*p < end && n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n < min ? -1 : v;
}

/* "Z", "+01", "+0130", "+01:30", "UTC"; ALLOW_Z: 'Z' accepted. */
static int read_offset(const char **p, const char *end, bool allow_z, int *offset)
{
	if (allow_z && *p < end && (**p == 'Z' || **p == 'z')) {
		(*p)++;
		*offset = 0;
		return 0;
	}
	if (end - *p >= 3 && !strncasecmp(*p, "UTC", 3)) {
		*p += 3;
		*offset = 0;
		return 0;
	}
	if (*p >= end || (**p != '+' && **p != '-'))
		return -1;
	int sign = **p == '-' ? -1 : 1;
	(*p)++;
	long long h = digits(p, end, 2, 2), mi = 0;
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
		long long v;
		switch (c) {
		case 'y': case 'u':
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
				v = digits(&p, end, (int)run, 2);
				if (v < 0)
					return -1;
				t->month = (int)v;
			}
			break;
		case 'd': case 'H': case 'h': case 'k': case 'm': case 's':
			v = digits(&p, end, (int)run, 2);
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
			v = digits(&p, end, 1, 9);
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
	if (y < 0 || p >= end || *p++ != '-')
		return -1;
	t->year = neg ? -y : y;
	if ((t->month = (int)digits(&p, end, 1, 2)) < 0 || p >= end || *p++ != '-' ||
	    (t->day = (int)digits(&p, end, 1, 2)) < 0)
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
	return p == end ? 0 : -1;
}

int datetime_parse(const char *text, size_t n, const char *pattern, long long *epoch_us)
{
	struct dt t = { 1970, 1, 1, 0, 0, 0, -1, 0, 0 };
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
	*epoch_us = ((days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - t.offset)
		     * 1000000LL) + t.usec;
	return 0;
}

/* ---- the casts ---- */

static bool is_number_token(const char *v)
{
	return *v == '-' || isdigit((unsigned char)*v);
}

/* The text a value stands for: a string's contents, or the token itself. */
static const char *value_text(const char *v, size_t n, struct buf *tmp, size_t *len)
{
	if (v[0] == '"') {
		/* Without escapes the text is the string's inside, as it stands. */
		if (!memchr(v + 1, '\\', n - 2)) {
			*len = n - 2;
			return v + 1;
		}
		buf_reset(tmp);
		json_string_decode(tmp, v, n);
		*len = tmp->len;
		return tmp->data;
	}
	*len = n;
	return v;
}

/*
 * The common case without allocating: a plain integer token that surely
 * fits (at most 9 digits for INT, 18 for BIGINT), or a number token
 * without an exponent for DOUBLE (it cannot overflow a double).
 */
static bool passes_as_is(const char *v, size_t n, enum type_kind kind)
{
	size_t i = v[0] == '-', digits = n - i;

	if (kind == TYPE_DOUBLE) {
		if (!is_number_token(v) || n > 300)
			return false;
		return !memchr(v, 'e', n) && !memchr(v, 'E', n);
	}
	if (digits == 0 || digits > (kind == TYPE_INT ? 9u : 18u) || (v[i] == '0' && digits > 1))
		return false;
	for (; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return !(n == 2 && v[0] == '-' && v[1] == '0');
}

/*
 * Is S already the canonical text of a DECIMAL(PRECISION, SCALE): an
 * optional '-', an integer part without leading zeros, and exactly SCALE
 * fraction digits?  Such values are written as they are, with no
 * arithmetic (most values in a typed feed are).
 */
static bool decimal_as_is(const char *s, size_t n, int precision, int scale)
{
	size_t i = s[0] == '-', int_digits = 0, frac_digits = 0;
	const char *int_part = s + i;
	bool nonzero = false;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, int_digits++)
		nonzero |= s[i] != '0';
	if (int_digits == 0 || (int_part[0] == '0' && int_digits > 1))
		return false;
	if (scale > 0) {
		if (i == n || s[i++] != '.')
			return false;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, frac_digits++)
			nonzero |= s[i] != '0';
	}
	if (i != n || frac_digits != (size_t)scale)
		return false;
	if (s[0] == '-' && !nonzero)
		return false;	/* -0.00 is written 0.00 */
	/* A lone 0 before the point is not a significant digit. */
	size_t significant = int_part[0] == '0' ? frac_digits : int_digits + frac_digits;
	return significant <= (size_t)precision;
}

static bool two_digits(const char *p, unsigned max, unsigned *v)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return false;
	*v = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	return *v <= max;
}

/*
 * Is V (quotes included) a timestamp exactly as inlet writes one,
 * "YYYY-MM-DDTHH:MM:SSZ", and a valid one?  Then it is written as it is.
 */
static bool timestamp_as_is(const char *v, size_t n)
{
	unsigned year = 0, month, day, hour, minute, second;

	if (n != 22 || v[0] != '"' || v[5] != '-' || v[8] != '-' || v[11] != 'T' ||
	    v[14] != ':' || v[17] != ':' || v[20] != 'Z' || v[21] != '"')
		return false;
	for (int i = 1; i <= 4; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		year = year * 10 + (unsigned)(v[i] - '0');
	}
	return year > 0 && two_digits(v + 6, 12, &month) && month > 0 &&
	       two_digits(v + 9, 31, &day) && day > 0 &&
	       day <= days_in_month(year, month) && two_digits(v + 12, 23, &hour) &&
	       two_digits(v + 15, 59, &minute) && two_digits(v + 18, 59, &second);
}

static void shortest_double(double x, struct buf *out)
{
	char tmp[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	/* JSON numbers need a digit before an exponent or a point: %g gives that. */
	buf_adds(out, tmp);
}

/*
 * Is V already what casting it to T gives, or a string holding exactly
 * that (then its inside is the result)?  *OFF and *LEN give the slice of V
 * to write.  Most values of a typed feed are, and need no arithmetic.
 */
static bool canonical_slice(const char *v, size_t n, struct type t, const char *pattern,
			    size_t *off, size_t *len)
{
	bool quoted = n > 2 && v[0] == '"';

	*off = 0;
	*len = n;
	if (n == 4 && !memcmp(v, "null", 4))
		return true;
	switch (t.kind) {
	case TYPE_JSON:
		return true;
	case TYPE_STRING:
		return v[0] == '"';
	case TYPE_DOUBLE:
		return passes_as_is(v, n, t.kind);
	case TYPE_INT: case TYPE_BIGINT:
		if (passes_as_is(v, n, t.kind))
			return true;
		*off = 1, *len = n - 2;
		return quoted && passes_as_is(v + 1, n - 2, t.kind);
	case TYPE_DECIMAL:
		if (quoted)
			*off = 1, *len = n - 2;
		return (quoted || is_number_token(v)) &&
		       decimal_as_is(v + *off, *len, t.precision, t.scale);
	case TYPE_TIMESTAMP:
		return !pattern && timestamp_as_is(v, n);
	default:
		return false;
	}
}

int value_cast(const char *v, size_t n, struct type t, const char *pattern,
	       struct buf *out, const char **why)
{
	int rc = value_cast_keep(v, n, t, pattern, out, why);

	if (rc == 1) {
		buf_add(out, v, n);
		rc = 0;
	}
	return rc;
}

int value_cast_keep(const char *v, size_t n, struct type t, const char *pattern,
		    struct buf *out, const char **why)
{
	struct buf tmp = BUF_INIT, num = BUF_INIT;
	struct decimal d = { false, BUF_INIT, 0 };
	const char *reason = NULL;
	size_t start = out->len, len, off;
	const char *s;
	int rc = -1;

	if (canonical_slice(v, n, t, pattern, &off, &len)) {
		if (off == 0 && len == n)
			return 1;
		buf_add(out, v + off, len);
		return 0;
	}
	switch (t.kind) {
	case TYPE_JSON:
		buf_add(out, v, n);
		rc = 0;
		break;
	case TYPE_STRING:
		if (v[0] == '"')
			buf_add(out, v, n);
		else
			json_string_encode(out, v, n);
		rc = 0;
		break;
	case TYPE_INT: case TYPE_BIGINT:
		reason = "not an integer";
		if (v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f')
			break;
		s = value_text(v, n, &tmp, &len);
		if (decimal_parse(s, len, &d) < 0 || decimal_integer(&d, &num) < 0)
			break;
		reason = "out of range";
		if (!integer_fits(num.data, num.len, t.kind == TYPE_INT ? 32 : 64))
			break;
		/* An integer token that is already canonical keeps its bytes. */
		if (is_number_token(v) && n == num.len && !memcmp(v, num.data, n))
			buf_add(out, v, n);
		else
			buf_add(out, num.data, num.len);
		rc = 0;
		break;
	case TYPE_DECIMAL:
		reason = "not a decimal";
		if (v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f')
			break;
		s = value_text(v, n, &tmp, &len);
		if (decimal_parse(s, len, &d) < 0)
			break;
		reason = "does not fit the precision";
		if (decimal_fixed(&d, t.precision, t.scale, out) < 0)
			break;
		rc = 0;
		break;
	case TYPE_DOUBLE: {
		reason = "not a number";
		if (v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f')
			break;
		s = value_text(v, n, &tmp, &len);
		buf_reset(&num);
		buf_add(&num, s, len);
		char *e;
		double x = strtod(num.data, &e);
		while (*e && isspace((unsigned char)*e))
			e++;
		if (e == num.data || *e || !isfinite(x) || decimal_parse(s, len, &d) < 0)
			break;	/* decimal_parse refuses hex, inf and nan */
		if (is_number_token(v))
			buf_add(out, v, n);
		else
			shortest_double(x, out);
		rc = 0;
		break;
	}
	case TYPE_BOOLEAN: {
		static const char *yes[] = { "true", "t", "yes", "y", "1" };
		static const char *no[] = { "false", "f", "no", "n", "0" };
		reason = "not a boolean";
		if ((n == 4 && !memcmp(v, "true", 4)) || (n == 5 && !memcmp(v, "false", 5))) {
			buf_add(out, v, n);
			rc = 0;
			break;
		}
		s = value_text(v, n, &tmp, &len);
		for (size_t i = 0; i < 5 && rc < 0; i++) {
			if (len == strlen(yes[i]) && !strncasecmp(s, yes[i], len))
				buf_adds(out, "true"), rc = 0;
			else if (len == strlen(no[i]) && !strncasecmp(s, no[i], len))
				buf_adds(out, "false"), rc = 0;
		}
		break;
	}
	case TYPE_DATE: case TYPE_TIMESTAMP: {
		long long us;
		reason = t.kind == TYPE_DATE ? "not a date" : "not a timestamp";
		if (v[0] == '"') {
			s = value_text(v, n, &tmp, &len);
			if (datetime_parse(s, len, pattern, &us) < 0)
				break;
		} else if (t.kind == TYPE_TIMESTAMP && is_number_token(v)) {
			/* Numbers are seconds since the epoch, as Spark casts them. */
			if (decimal_parse(v, n, &d) < 0 ||
			    decimal_fixed(&d, 18, 6, &num) < 0)
				break;
			char *dot = strchr(num.data, '.');
			if (dot)
				memmove(dot, dot + 1, strlen(dot));
			us = strtoll(num.data, NULL, 10);
		} else {
			break;
		}
		buf_addc(out, '"');
		if (t.kind == TYPE_DATE) {
			buf_reset(&tmp);
			timestamp_format(us - ((us % 86400000000LL) + 86400000000LL) % 86400000000LL, &tmp);
			buf_add(out, tmp.data, (size_t)(strchr(tmp.data, 'T') - tmp.data));
		} else {
			timestamp_format(us, out);
		}
		buf_addc(out, '"');
		rc = 0;
		break;
	}
	}
	if (rc < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		if (why)
			*why = reason;
	}
	buf_free(&tmp);
	buf_free(&num);
	buf_free(&d.digits);
	return rc;
}

struct type value_infer(const char *v, size_t n, bool examine_strings, bool *is_null)
{
	struct type t = { TYPE_STRING, 0, 0 };
	struct decimal d = { false, BUF_INIT, 0 };
	struct buf num = BUF_INIT, tmp = BUF_INIT;
	long long us;

	*is_null = false;
	switch (v[0]) {
	case 'n':
		*is_null = true;
		break;
	case 't': case 'f':
		t.kind = TYPE_BOOLEAN;
		break;
	case '{': case '[':
		t.kind = TYPE_JSON;
		break;
	case '"': {
		size_t len;
		const char *s = value_text(v, n, &tmp, &len);
		if (!examine_strings || !len)
			break;
		if (len == 4 && !strncasecmp(s, "true", 4))
			t.kind = TYPE_BOOLEAN;
		else if (len == 5 && !strncasecmp(s, "false", 5))
			t.kind = TYPE_BOOLEAN;
		else if (decimal_parse(s, len, &d) == 0 && !isspace((unsigned char)s[0]) &&
			 s[0] != '+' && !memchr(s, 'e', len) && !memchr(s, 'E', len)) {
			if (!memchr(s, '.', len) && decimal_integer(&d, &num) == 0)
				t.kind = integer_fits(num.data, num.len, 32) ? TYPE_INT :
					 integer_fits(num.data, num.len, 64) ? TYPE_BIGINT :
					 TYPE_STRING;
			else
				t.kind = TYPE_DOUBLE;
		} else if (len == 10 && datetime_parse(s, len, "yyyy-MM-dd", &us) == 0) {
			t.kind = TYPE_DATE;
		} else if (len > 10 && datetime_parse(s, len, NULL, &us) == 0) {
			t.kind = TYPE_TIMESTAMP;
		}
		break;
	}
	default:
		if (memchr(v, '.', n) || memchr(v, 'e', n) || memchr(v, 'E', n)) {
			t.kind = TYPE_DOUBLE;
		} else {
			/* Integers beyond BIGINT stay exact as STRING. */
			t.kind = integer_fits(v, n, 64) ? TYPE_BIGINT : TYPE_STRING;
		}
	}
	buf_free(&d.digits);
	buf_free(&num);
	buf_free(&tmp);
	return t;
}
