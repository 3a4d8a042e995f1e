#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "die.h"
#include "json.h"
#include "key.h"

/* Java's String.trim, which Spark's casts apply: bytes up to ' ' go. */
static void trim(const char **s, size_t *n)
{
	while (*n && (unsigned char)**s <= ' ')
		(*s)++, (*n)--;
	while (*n && (unsigned char)(*s)[*n - 1] <= ' ')
		(*n)--;
}

/*
 * Spark's CAST(S AS BIGINT) of the N bytes S (not ANSI): blanks trimmed,
 * a sign, digits, and a fraction of digits that is dropped ("123.9" is
 * 123).  0, or -1 when S does not cast (null in Spark).
 */
static int key_string_to_long(const char *s, size_t n, long long *out)
{
	size_t i = 0;
	bool negative;
	unsigned long long x = 0, limit;

	trim(&s, &n);
	if (!n)
		return -1;
	negative = s[0] == '-';
	if (negative || s[0] == '+')
		if (++i == n)
			return -1;
	limit = negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < n && s[i] != '.'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (limit - d) / 10)
			return -1;	/* out of range: null, not a wrapped value */
		x = x * 10 + d;
	}
	/* Spark drops the fraction, but only a fraction of digits. */
	for (i += i < n; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*out = negative ? (long long)(0 - x) : (long long)x;
	return 0;
}

/* Java's Double.parseDouble, decimal form: [sign] digits [. digits] [e [sign] digits] [fFdD]. */
static bool java_decimal(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			exp++;
		if (!exp)
			return false;
	}
	if (i < n && strchr("fFdD", s[i]))
		i++;
	return i == n;
}

/*
 * Spark's CAST(S AS DOUBLE): Java's number syntax (with an f or d suffix),
 * and inf, infinity and nan in any case.  0 or -1.
 */
static int key_string_to_double(const char *s, size_t n, double *out)
{
	static const char *const specials[] = {
		"inf", "+inf", "infinity", "+infinity", "-inf", "-infinity", "nan",
	};
	char text[64];

	trim(&s, &n);
	if (n && n < sizeof(text) && java_decimal(s, n)) {
		memcpy(text, s, n);
		text[n] = '\0';
		*out = strtod(text, NULL);	/* stops at a suffix */
		return 0;
	}
	if (n >= sizeof(text) && java_decimal(s, n)) {
		char *copy = xstrndup(s, n);
		*out = strtod(copy, NULL);
		free(copy);
		return 0;
	}
	/* Java's NaN and Infinity, and Spark's special literals, in any case. */
	for (size_t i = 0; i < sizeof(specials) / sizeof(*specials); i++)
		if (n == strlen(specials[i]) && !strncasecmp(s, specials[i], n)) {
			*out = i == 6 ? NAN : i >= 4 ? -INFINITY : INFINITY;
			return 0;
		}
	return -1;
}

/* A BIGINT form: TAG and the value. */
static void long_form(struct buf *out, char tag, long long x)
{
	buf_printf(out, "%c%lld", tag, x);
	buf_addc(out, '\0');
}

/*
 * A DOUBLE form: TAG and the value, exact (hexadecimal).  Spark's joins
 * normalise floating keys: every NaN is one key, and -0.0 is 0.0.
 */
static void double_form(struct buf *out, char tag, double x)
{
	if (isnan(x))
		buf_printf(out, "%cnan", tag);
	else if (x == 0)
		buf_printf(out, "%c0", tag);
	else
		buf_printf(out, "%c%a", tag, x);
	buf_addc(out, '\0');
}

/* A JSON number's text as a BIGINT: an integer in range, else -1 (a DOUBLE). */
static int number_to_long(const char *v, size_t n, long long *x)
{
	for (size_t i = v[0] == '-'; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	return key_string_to_long(v, n, x);
}

int key_forms(struct buf *out, const char *v, size_t n, enum key_side side,
	      struct buf *tmp)
{
	enum key_kind kind = key_kind_of(v);
	long long x;
	double d;
	int forms = 1;

	buf_addc(out, 'x');
	buf_add(out, v, n);
	buf_addc(out, '\0');
	if (kind == KEY_STRING) {
		buf_reset(tmp);
		if (json_string_decode(tmp, v, n) < 0)
			return forms;
		/* The stream's string meets a static number, and the other way round. */
		if (key_string_to_long(tmp->data, tmp->len, &x) == 0)
			long_form(out, side == KEY_STATIC ? 'l' : 'L', x), forms++;
		if (key_string_to_double(tmp->data, tmp->len, &d) == 0)
			double_form(out, side == KEY_STATIC ? 'd' : 'D', d), forms++;
	} else if (kind == KEY_NUMBER) {
		if (number_to_long(v, n, &x) == 0) {
			long_form(out, side == KEY_STATIC ? 'L' : 'l', x);
		} else {
			char text[64];
			char *copy = n < sizeof(text) ? text : xstrndup(v, n);
			if (copy == text) {
				memcpy(text, v, n);
				text[n] = '\0';
			}
			double_form(out, side == KEY_STATIC ? 'D' : 'd', strtod(copy, NULL));
			if (copy != text)
				free(copy);
		}
		forms++;
	}
	return forms;
}
