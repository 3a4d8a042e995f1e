#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "json.h"
#include "value.h"

/* ---- numbers as exact decimals (decimal.h) ---- */

/* A number in text: decimal_parse's syntax, with blanks around it. */
static int parse_text(struct decimal *d, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	return decimal_parse(d, p, (size_t)(end - p));
}

/*
 * D as an integer digit string in OUT (D brought to scale 0), or -1 if it
 * is not integral or has more than 40 digits (beyond any integer type).
 */
static int decimal_integer(struct decimal *d, struct buf *out)
{
	if (!d->n) {
		buf_addc(out, '0');
		return 0;
	}
	if (d->scale > 0) {
		if (!decimal_rescale(d, 0))
			return -1;
	} else if (decimal_digits(d) + (size_t)-(long)d->scale > 40) {
		return -1;
	}
	decimal_rescale(d, 0);
	decimal_format(d, out);
	return 0;
}

/* Is the integer text S (optional '-') within [-2^(bits-1), 2^(bits-1)-1]? */
static bool integer_fits(const char *s, size_t n, int bits)
{
	static const struct { int bits; const char *max, *min; } limits[] = {
		{ 8, "127", "128" }, { 16, "32767", "32768" },
		{ 32, "2147483647", "2147483648" },
		{ 64, "9223372036854775807", "9223372036854775808" },
	};
	size_t k = 0;
	while (k < 3 && limits[k].bits != bits)
		k++;
	bool neg = n && *s == '-';
	const char *lim = neg ? limits[k].min : limits[k].max;
	size_t ln = strlen(lim);

	if (neg)
		s++, n--;
	if (n != ln)
		return n < ln;
	return memcmp(s, lim, n) <= 0;
}

/* Round D half-up to SCALE; check PRECISION; write "123.45" into OUT. */
static int decimal_fixed(struct decimal *d, int precision, int scale, struct buf *out)
{
	/* Adding zeros beyond the precision would only fail later, slowly. */
	if (d->scale <= scale &&
	    decimal_digits(d) + (size_t)((long)scale - d->scale) > (size_t)precision + 1)
		return -1;
	decimal_rescale(d, scale);
	if (decimal_digits(d) > (size_t)precision)
		return -1;
	decimal_format(d, out);
	return 0;
}

/* ---- the casts ---- */

static inline bool is_number_token(const char *v)
{
	return *v == '-' || (*v >= '0' && *v <= '9');
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
 * The canonical checks below run for every value of every row: each on
 * its own, not inlined, so that value_is_cast jumps to it and neither
 * saves more registers than its own few.
 */
#define CHECK __attribute__((noinline))

/*
 * Digits eight (or four) bytes at a time, for the canonical checks below:
 * a byte is a digit when its high nibble is 3 and adding 6 keeps it so.
 * A byte that fails the first test fails the whole word whatever carry
 * the addition spills into its neighbour.
 */
static inline bool digits8(const char *p)
{
	const uint64_t high = 0xf0f0f0f0f0f0f0f0ULL, three = 0x3030303030303030ULL;
	uint64_t x;

	memcpy(&x, p, 8);
	return (x & high) == three && ((x + 0x0606060606060606ULL) & high) == three;
}

static inline bool digits4(const char *p)
{
	uint32_t x;

	memcpy(&x, p, 4);
	return (x & 0xf0f0f0f0U) == 0x30303030U && ((x + 0x06060606U) & 0xf0f0f0f0U) == 0x30303030U;
}

/* Are the N bytes at P all digits?  Overlapping words cover a tail. */
static inline bool all_digits(const char *p, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			if (!digits8(p + i))
				return false;
		return digits8(p + n - 8);
	}
	if (n >= 4)
		return digits4(p) && digits4(p + n - 4);
	/* Bytes 0, n/2 and n-1 cover every byte of 1 to 3. */
	return !n || ((unsigned char)(p[0] - '0') < 10 && (unsigned char)(p[n / 2] - '0') < 10 &&
		      (unsigned char)(p[n - 1] - '0') < 10);
}

/* A number token without an exponent cannot overflow a double: DOUBLE's own cast. */
static bool double_as_is(const char *v, size_t n)
{
	if (!is_number_token(v) || n > 300)
		return false;
	return !memchr(v, 'e', n) && !memchr(v, 'E', n);
}

/*
 * Is V a plain integer token of the integer type T, as its cast writes
 * it: no leading zero, no "-0", and in range (at most as many digits as
 * the type's limit, compared with the limit only when it has as many)?
 */
static CHECK bool integer_as_is(const char *v, size_t n, struct type t)
{
	/* The digits of each type's limit: 127, 32767, 2147483647, 9223372036854775807. */
	size_t most = t.kind == TYPE_BIGINT ? 19 : t.precision == 8 ? 3 : t.precision == 16 ? 5 : 10;
	size_t i = v[0] == '-', digits = n - i;

	if (digits == 0 || digits > most || (v[i] == '0' && digits > 1) ||
	    !all_digits(v + i, digits))
		return false;
	/* As many digits as the limit (seldom): compared with it. */
	if (digits == most && !integer_fits(v, n, type_int_bits(t)))
		return false;
	return !(n == 2 && v[0] == '-' && v[1] == '0');
}

/*
 * Is S already the canonical text of a DECIMAL(PRECISION, SCALE): an
 * optional '-', an integer part without leading zeros, and exactly SCALE
 * fraction digits?  Such values are written as they are, with no
 * arithmetic (most values in a typed feed are).
 */
static CHECK bool decimal_as_is(const char *s, size_t n, int precision, int scale)
{
	size_t neg = s[0] == '-', int_digits, frac_digits = (size_t)scale;
	const char *int_part = s + neg;

	/* The point, if any, is where SCALE digits and '.' end the text. */
	if (scale > 0) {
		if (n < neg + (size_t)scale + 2 || s[n - (size_t)scale - 1] != '.' ||
		    !all_digits(s + n - scale, (size_t)scale))
			return false;
		int_digits = n - neg - (size_t)scale - 1;
	} else {
		int_digits = n - neg;
	}
	if (int_digits == 0 || (int_part[0] == '0' && int_digits > 1) ||
	    !all_digits(int_part, int_digits))
		return false;
	if (neg) {
		/* -0.00 is written 0.00 */
		bool nonzero = int_part[0] != '0';
		for (size_t i = n - frac_digits; !nonzero && i < n; i++)
			nonzero = s[i] != '0';
		if (!nonzero)
			return false;
	}
	/* A lone 0 before the point is not a significant digit. */
	size_t significant = int_part[0] == '0' ? frac_digits : int_digits + frac_digits;
	return significant <= (size_t)precision;
}

/* The two digits at P (known to be digits) as a number. */
static inline unsigned two(const char *p)
{
	return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/*
 * Is V (quotes included) a timestamp exactly as inlet writes one,
 * "YYYY-MM-DDTHH:MM:SSZ" or with 1 to 6 fraction digits, the last not 0
 * (".5Z", ".123456Z"), and a valid one?  Then it is written as it is.
 * The fixed places are compared as three words, then the calendar.
 */
static CHECK bool timestamp_as_is(const char *v, size_t n)
{
	/* Bytes 0-7 '"YYYY-MM', 8-15 '-DDTHH:M', 14-21 ':MM:SS' and 2 more. */
	static const uint64_t mask[3] = {
		0xf0f0fff0f0f0f0ffULL, 0xf0fff0f0fff0f0ffULL, 0x0000f0f0fff0f0ffULL,
	};
	static const uint64_t want[3] = {
		0x30302d3030303022ULL, 0x303a30305430302dULL, 0x000030303a30303aULL,
	};
	/* Adding 6 to a byte 0x30-0x3f keeps its high nibble 3 for a digit only. */
	static const uint64_t six[3] = {
		0x0606000606060600ULL, 0x0600060600060600ULL, 0x0000060600060600ULL,
	};
	uint64_t w[3];
	size_t frac = 0;
	unsigned year, month, day;

	if (n < 22 || n > 29 || v[0] != '"' || v[n - 1] != '"' || v[n - 2] != 'Z')
		return false;
	if (n > 22) {
		/* ".f" to ".ffffff": inlet drops trailing zeros. */
		frac = n - 23;
		if (v[20] != '.' || v[n - 3] == '0' || !frac || !all_digits(v + 21, frac))
			return false;
	}
	memcpy(&w[0], v, 8);
	memcpy(&w[1], v + 8, 8);
	memcpy(&w[2], v + 14, 8);
	for (int k = 0; k < 3; k++)
		if ((w[k] & mask[k]) != want[k] || ((w[k] + six[k]) & mask[k]) != want[k])
			return false;
	year = two(v + 1) * 100 + two(v + 3);
	month = two(v + 6);
	day = two(v + 9);
	/* Minutes and seconds to 59, hours to 23: their first digits say most. */
	return year > 0 && month - 1 < 12 && day - 1 < 31 &&
	       (day <= 28 || day <= days_in_month(year, month)) &&
	       (v[12] < '2' || (v[12] == '2' && v[13] <= '3')) && v[15] <= '5' && v[18] <= '5';
}

bool value_timestamp_us(const char *v, size_t n, long long *us)
{
	long long frac = 0;
	size_t digits = n > 22 ? n - 23 : 0;

	if (!timestamp_as_is(v, n))
		return false;
	for (size_t i = 0; i < 6; i++)
		frac = frac * 10 + (i < digits ? v[21 + i] - '0' : 0);
	long long days = days_from_civil(two(v + 1) * 100 + two(v + 3), two(v + 6), two(v + 9));
	*us = (days * 86400 + two(v + 12) * 3600 + two(v + 15) * 60 + two(v + 18)) * US_PER_SEC +
	      frac;
	return true;
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
static inline bool canonical_slice(const char *v, size_t n, struct type t,
				   const char *pattern, size_t *off, size_t *len)
{
	bool quoted = n > 2 && v[0] == '"';
	bool number = t.kind == TYPE_INT || t.kind == TYPE_BIGINT || t.kind == TYPE_DECIMAL;

	*off = 0;
	*len = n;
	if (!quoted || !number)
		return value_is_cast(v, n, t, pattern);
	/* A number's text in a string: its inside is the result. */
	*off = 1, *len = n - 2;
	return t.kind == TYPE_DECIMAL ? decimal_as_is(v + 1, n - 2, t.precision, t.scale)
				      : integer_as_is(v + 1, n - 2, t);
}

bool value_is_cast(const char *v, size_t n, struct type t, const char *pattern)
{
	if (json_is_null(v, n))
		return true;
	switch (t.kind) {
	case TYPE_JSON:
		return true;
	case TYPE_STRING:
		return v[0] == '"';
	case TYPE_DOUBLE:
		return double_as_is(v, n);
	case TYPE_INT: case TYPE_BIGINT:
		return integer_as_is(v, n, t);
	case TYPE_DECIMAL:
		/* Its digits and point, or a '-' first: a number token. */
		return decimal_as_is(v, n, t.precision, t.scale);
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
	return value_cast_keep_in(v, n, t, pattern, NULL, out, why);
}

/* value_cast_keep_in for a value that is not already canonical: arithmetic. */
static int cast_general(const char *v, size_t n, struct type t, const char *pattern,
			const struct time_zone *zone, struct buf *out, const char **why)
{
	struct buf tmp = BUF_INIT, num = BUF_INIT;
	struct decimal d = DECIMAL_INIT;
	const char *reason = NULL;
	size_t start = out->len, len;
	const char *s;
	int rc = -1;

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
		if (parse_text(&d, s, len) < 0 || decimal_integer(&d, &num) < 0)
			break;
		reason = "out of range";
		/* Spark: "300" for TINYINT is a bad record, as toByte refuses it. */
		if (!integer_fits(num.data, num.len, type_int_bits(t)))
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
		if (parse_text(&d, s, len) < 0)
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
		if (e == num.data || *e || !isfinite(x) || parse_text(&d, s, len) < 0)
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
			/* Spark: a DATE is a calendar day, read without a zone. */
			if (datetime_parse_in(s, len, pattern, t.kind == TYPE_TIMESTAMP ? zone : NULL,
					      &us) < 0)
				break;
		} else if (t.kind == TYPE_TIMESTAMP && is_number_token(v)) {
			/* Numbers are seconds since the epoch, as Spark casts them. */
			if (parse_text(&d, v, n) < 0 ||
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
	decimal_free(&d);
	return rc;
}

int value_cast_keep_in(const char *v, size_t n, struct type t, const char *pattern,
		       const struct time_zone *zone, struct buf *out, const char **why)
{
	size_t off, len;

	/* Most values of a typed feed: checked without a buffer or a decimal. */
	if (canonical_slice(v, n, t, pattern, &off, &len)) {
		if (off == 0 && len == n)
			return 1;
		buf_add(out, v + off, len);
		return 0;
	}
	return cast_general(v, n, t, pattern, zone, out, why);
}

/*
 * The DECIMAL(p,s) of a parsed number as Java's BigDecimal sees it
 * (precision: its significant digits, at least 1; scale: its fraction
 * digits), widened to max(p,s) as Spark's JSON inference does; an
 * exponent that leaves no fraction counts its zeros as digits.  DOUBLE
 * beyond 38 digits, as in Spark.
 */
static struct type decimal_type(const struct decimal *d)
{
	struct type t = { TYPE_DOUBLE, 0, 0 };
	long digits = (long)decimal_digits(d);
	long precision = digits ? digits : 1;
	long scale = d->scale;

	if (scale < 0) {
		precision += digits ? -scale : 0;
		scale = 0;
	}
	if (precision < scale)
		precision = scale;
	if (precision <= 38) {
		t.kind = TYPE_DECIMAL;
		t.precision = (int)precision;
		t.scale = (int)scale;
	}
	return t;
}

/*
 * An integer's type: INT (text only, as Spark's CSV inference), BIGINT,
 * DECIMAL(digits,0) up to 38 digits, then DOUBLE.
 */
static struct type integer_type(const char *s, size_t n, bool allow_int,
				const struct decimal *d)
{
	struct type t = { TYPE_BIGINT, 0, 0 };

	if (allow_int && integer_fits(s, n, 32))
		t.kind = TYPE_INT;
	else if (!integer_fits(s, n, 64))
		t = decimal_type(d);
	return t;
}

/* A number in text (CSV): no blanks, no '+', no exponent, as before. */
static struct type text_number_type(const char *s, size_t len, const struct infer_rules *r,
				    struct decimal *d, struct buf *num, bool *ok)
{
	struct type t = { TYPE_STRING, 0, 0 };

	*ok = false;
	if (parse_text(d, s, len) < 0 || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[len - 1]) || s[0] == '+' ||
	    memchr(s, 'e', len) || memchr(s, 'E', len))
		return t;
	*ok = true;
	if (!memchr(s, '.', len) && decimal_integer(d, num) == 0)
		return integer_type(num->data, num->len, true, d);
	if (r->prefers_decimal)
		return decimal_type(d);
	t.kind = TYPE_DOUBLE;
	return t;
}

/* CSV text with --infer-column-types: Spark's CSVInferSchema order. */
static struct type text_type(const char *s, size_t len, const struct infer_rules *r,
			     struct decimal *d, struct buf *num)
{
	struct type t = { TYPE_STRING, 0, 0 };
	long long us;
	bool number;

	if ((len == 4 && !strncasecmp(s, "true", 4)) ||
	    (len == 5 && !strncasecmp(s, "false", 5))) {
		t.kind = TYPE_BOOLEAN;
		return t;
	}
	t = text_number_type(s, len, r, d, num, &number);
	if (number)
		return t;
	if (r->timestamp_format) {
		if (datetime_parse(s, len, r->timestamp_format, &us) == 0)
			t.kind = TYPE_TIMESTAMP;
	} else if (len > 10 && datetime_parse(s, len, NULL, &us) == 0) {
		t.kind = TYPE_TIMESTAMP;
	}
	if (t.kind == TYPE_STRING &&
	    datetime_parse(s, len, r->date_format ? r->date_format : "yyyy-MM-dd", &us) == 0 &&
	    (r->date_format || len == 10))
		t.kind = TYPE_DATE;
	return t;
}

struct type value_infer(const char *v, size_t n, const struct infer_rules *r, bool *is_null)
{
	struct type t = { TYPE_STRING, 0, 0 };
	struct decimal d = DECIMAL_INIT;
	struct buf num = BUF_INIT, tmp = BUF_INIT;

	*is_null = false;
	switch (v[0]) {
	case 'n':
		*is_null = true;
		break;
	case 't': case 'f':
		if (!r->primitives_as_string)
			t.kind = TYPE_BOOLEAN;
		break;
	case '{': case '[':
		t.kind = TYPE_JSON;
		break;
	case '"': {
		size_t len;
		const char *s = value_text(v, n, &tmp, &len);
		/* Spark: an empty string counts as null until all rows are seen. */
		if (!len)
			*is_null = true;
		else if (r->text && r->examine_text && !r->primitives_as_string)
			t = text_type(s, len, r, &d, &num);
		/* Spark's prefersDecimal also types JSON strings ("02134" as
		 * DECIMAL(4,0)); inlet keeps them STRING, text being text. */
		break;
	}
	default:
		if (r->primitives_as_string)
			break;
		if (parse_text(&d, v, n) < 0)
			break;		/* not a number: leave it STRING */
		if (!memchr(v, '.', n) && !memchr(v, 'e', n) && !memchr(v, 'E', n))
			t = integer_type(v, n, false, &d);
		else if (r->prefers_decimal)
			t = decimal_type(&d);
		else
			t.kind = TYPE_DOUBLE;
	}
	decimal_free(&d);
	buf_free(&num);
	buf_free(&tmp);
	return t;
}
