#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define QUOTE_INDEX 1	/* indexed_members, with AVX2 or AVX-512 when the CPU has them */
#endif
#include <stdlib.h>
#include <string.h>

#include "json.h"

static inline const char *skip_ws(const char *p, const char *end)
{
	/* Compact JSON: mostly no whitespace at all, one compare. */
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *fail(struct json_error *err, const char *msg,
			const char *at, const char *start)
{
	if (err) {
		err->msg = msg;
		err->offset = (size_t)(at - start);
	}
	return NULL;
}

size_t utf8_seq_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (end - p < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (end - p < 4 || (p[1] & 0xc0) != 0x80 ||
		    (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;	/* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_seq_len(p, end);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

void utf8_repair(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;

	while (p < end) {
		size_t k = *p < 0x80 ? 1 : utf8_seq_len(p, end);
		if (k) {
			p += k;
			continue;
		}
		buf_add(out, run, (size_t)(p - run));
		buf_add(out, "\xef\xbf\xbd", 3);
		run = ++p;
	}
	buf_add(out, run, (size_t)(p - run));
}

int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Bytes that need no attention inside a string: ASCII but controls, '"', '\\'. */
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* ctz of a loaded word finds the first byte only on little-endian machines. */
#define WORDWISE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/*
 * The bytes of the 8-byte word W that need attention inside a string
 * (controls, '"', '\\', and with NON_ASCII the bytes >= 0x80), each as
 * its 0x80 bit.  The lowest set bit is exact: borrows only run upwards
 * from a flagged byte.
 */
static inline uint64_t special_bytes(uint64_t w, bool non_ascii)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');

	return (((w - ones * 0x20) | (quote - ones) | (bslash - ones)) & ~w & high) |
	       (non_ascii ? w & high : 0);
}

/*
 * P is at the opening quote.  Sets *escaped when a backslash was seen.
 * CHECK_UTF8 false: bytes >= 0x80 pass unchecked (a located batch, see
 * json_object_locate_next); escapes and control characters are always
 * checked, since decode_inner trusts them.
 */
static inline __attribute__((always_inline)) const char *
scan_string(const char *p, const char *end, bool *escaped, const char *start,
	    struct json_error *err, bool check_utf8)
{
	const char *open = p++;

	for (;;) {
		/* Hot loop: plain ASCII runs, 16 or 8 bytes a step where possible. */
#ifdef __SSE2__
		while (end - p >= 16) {
			/* Signed: bytes >= 0x80 are negative, below 0x20 as controls
			 * are; unsigned (min) when they need no check. */
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i ctl = check_utf8 ? _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)) :
				_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
			__m128i hit = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))), ctl);
			int m = _mm_movemask_epi8(hit);
			if (m) {
				p += __builtin_ctz((unsigned)m);
				/* The commonest end, and p < end is known. */
				if (*p == '"')
					return p + 1;
				goto special;
			}
			p += 16;
		}
#endif
		while (WORDWISE && end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			uint64_t m = special_bytes(w, check_utf8);
			if (m) {
				p += __builtin_ctzll(m) / 8;
				break;
			}
			p += 8;
		}
		while (p < end && (plain[(unsigned char)*p] ||
				   (!check_utf8 && (unsigned char)*p >= 0x80)))
			p++;
#ifdef __SSE2__
special:
#endif
		if (p >= end)
			return fail(err, "unterminated string", open, start);
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			if (escaped)
				*escaped = true;
			if (p + 1 >= end)
				return fail(err, "unterminated string", open, start);
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (end - p < 6 || hex_digit_value(p[2]) < 0 || hex_digit_value(p[3]) < 0 ||
				    hex_digit_value(p[4]) < 0 || hex_digit_value(p[5]) < 0)
					return fail(err, "bad \\u escape in string", p, start);
				p += 6;
				break;
			default:
				return fail(err, "bad escape in string", p, start);
			}
			continue;
		}
		if (c < 0x20)
			return fail(err, "control character in string", p, start);
		if (!check_utf8) {
			p++;
			continue;
		}
		/* Text in other scripts: its run of sequences is checked here. */
		do {
			size_t n = utf8_seq_len((const unsigned char *)p,
						(const unsigned char *)end);
			if (!n)
				return fail(err, "invalid UTF-8 in string", p, start);
			p += n;
		} while (p < end && (unsigned char)*p >= 0x80);
	}
}

static const char *skip_string(const char *p, const char *end, bool *escaped,
			       const char *start, struct json_error *err)
{
	return scan_string(p, end, escaped, start, err, true);
}

static const char *locate_string(const char *p, const char *end, bool *escaped,
				 const char *start, struct json_error *err)
{
	return scan_string(p, end, escaped, start, err, false);
}

/*
 * Bytes that end a number or literal: structure, whitespace and every
 * control character (so no located value holds a NUL or a newline).
 */
static const unsigned char scalar_end[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[' '] = 1, [','] = 1, [':'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
	['"'] = 1,
};

/*
 * The value at P (no whitespace before it) located, not validated: a
 * string as locate_string finds it, an object or array to its matching
 * bracket by counting (strings inside skipped as strings), anything else
 * up to the next structural byte.  NULL with ERR when it does not end
 * inside the text or is empty.
 */
static const char *locate_value(const char *p, const char *end,
				const char *start, struct json_error *err)
{
	const char *open = p;
	size_t depth = 0;

	if (p >= end)
		return fail(err, "expected a value", p, start);
	if (*p == '"')
		return locate_string(p, end, NULL, start, err);
	if (*p != '{' && *p != '[') {
		while (p < end && !scalar_end[(unsigned char)*p])
			p++;
		if (p == open)
			return fail(err, "unexpected character", p, start);
		return p;
	}
	while (p < end) {
		char c = *p;
		if (c == '"') {
			p = locate_string(p, end, NULL, start, err);
			if (!p)
				return NULL;
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return fail(err, "control character", p, start);
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return fail(err, *open == '{' ? "unterminated object" : "unterminated array",
		    open, start);
}

/* The first byte at or after P that is not a decimal digit (or END). */
static inline __attribute__((always_inline)) const char *
skip_digits(const char *p, const char *end)
{
#ifdef __SSE2__
	while (end - p >= 16) {
		/* A digit is a byte whose distance from '0' is at most 9. */
		__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p),
					 _mm_set1_epi8('0'));
		unsigned m = ~(unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)) & 0xffff;
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

static inline __attribute__((always_inline)) const char *
skip_number(const char *p, const char *end, const char *start,
	    struct json_error *err)
{
	const char *s = p;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return fail(err, "bad number", s, start);
	if (*p == '0')
		p++;
	else
		p = skip_digits(p, end);
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(err, "bad number", s, start);
		p = skip_digits(p + 1, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(err, "bad number", s, start);
		p = skip_digits(p + 1, end);
	}
	return p;
}

/* LIT of N bytes at P; inlined, its memcmp of a constant size is a compare. */
static inline __attribute__((always_inline)) const char *
skip_literal(const char *p, const char *end, const char *lit, size_t n,
	     const char *start, struct json_error *err)
{
	if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0)
		return fail(err, "unexpected character", p, start);
	return p + n;
}

/* A number or literal at P (P < END), validated: past it, or NULL with ERR. */
static inline __attribute__((always_inline)) const char *
skip_scalar(const char *p, const char *end, const char *start, struct json_error *err)
{
	switch (*p) {
	case 'n':
		return skip_literal(p, end, "null", 4, start, err);
	case 't':
		return skip_literal(p, end, "true", 4, start, err);
	case 'f':
		return skip_literal(p, end, "false", 5, start, err);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return skip_number(p, end, start, err);
	default:
		return fail(err, "unexpected character", p, start);
	}
}

const char *json_skip_value(const char *p, const char *end, int depth,
			    const char *start, struct json_error *err)
{
	p = skip_ws(p, end);
	if (p >= end)
		return fail(err, "expected a value", p, start);
	if (depth > JSON_MAX_DEPTH)
		return fail(err, "nested too deeply", p, start);
	switch (*p) {
	case '"':
		return skip_string(p, end, NULL, start, err);
	case '{': {
		const char *open = p;
		p = skip_ws(p + 1, end);
		if (p < end && *p == '}')
			return p + 1;
		for (;;) {
			if (p >= end || *p != '"')
				return fail(err, p >= end ? "unterminated object" :
					    "expected a string key", p >= end ? open : p, start);
			p = skip_string(p, end, NULL, start, err);
			if (!p)
				return NULL;
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				return fail(err, "expected ':'", p, start);
			p = json_skip_value(p + 1, end, depth + 1, start, err);
			if (!p)
				return NULL;
			p = skip_ws(p, end);
			if (p < end && *p == ',') {
				p = skip_ws(p + 1, end);
				continue;
			}
			if (p < end && *p == '}')
				return p + 1;
			return fail(err, p >= end ? "unterminated object" :
				    "expected ',' or '}'", p >= end ? open : p, start);
		}
	}
	case '[': {
		const char *open = p;
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']')
			return p + 1;
		for (;;) {
			p = json_skip_value(p, end, depth + 1, start, err);
			if (!p)
				return NULL;
			p = skip_ws(p, end);
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end && *p == ']')
				return p + 1;
			return fail(err, p >= end ? "unterminated array" :
				    "expected ',' or ']'", p >= end ? open : p, start);
		}
	}
	default:
		return skip_scalar(p, end, start, err);
	}
}

int json_object_open(struct json_iter *it, const char *text, size_t len,
		     struct json_error *err)
{
	const char *end = text + len;
	const char *p = skip_ws(text, end);

	it->start = text;
	it->end = end;
	it->state = 0;
	if (p >= end || *p != '{') {
		fail(err, p >= end ? "empty record" : "not a JSON object", p, text);
		return -1;
	}
	it->p = p + 1;
	return 0;
}

/*
 * The end of the number or literal at P in a located value: the first
 * byte scalar_end flags, 16 bytes a step where the text allows.
 */
static inline __attribute__((always_inline)) const char *
scalar_stop(const char *p, const char *end)
{
#ifdef __SSE2__
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* '[' and ']' are '{' and '}' with 0x20 cleared. */
		__m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
		__m128i hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))),
			_mm_or_si128(_mm_cmpeq_epi8(lo, _mm_set1_epi8('{')),
				     _mm_cmpeq_epi8(lo, _mm_set1_epi8('}'))));
		hit = _mm_or_si128(hit, _mm_or_si128(
			_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			/* controls and space: unsigned v <= 0x20 */
			_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x20)), v)));
		int m = _mm_movemask_epi8(hit);
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && !scalar_end[(unsigned char)*p])
		p++;
	return p;
}

/*
 * The value at P (whitespace skipped), validated or (LOCATE) located;
 * strings, numbers and literals without a call, anything else through
 * json_skip_value or locate_value.
 */
static inline __attribute__((always_inline)) const char *
member_value(const char *p, const char *end, const char *start,
	     struct json_error *err, bool locate)
{
	if (p >= end)
		return fail(err, "expected a value", p, start);
	if (*p == '"')
		return scan_string(p, end, NULL, start, err, !locate);
	if (locate) {
		if (*p == '{' || *p == '[')
			return locate_value(p, end, start, err);
		const char *q = scalar_stop(p, end);
		if (q == p)
			return fail(err, "unexpected character", p, start);
		return q;
	}
	if (*p == '{' || *p == '[')
		return json_skip_value(p, end, 1, start, err);
	return skip_scalar(p, end, start, err);
}

/*
 * The next members, up to MAX, into F[0..*N): validating or (LOCATE)
 * only locating the values.  One loop over the members: the iterator's
 * state is read on entry and written on the way out, and compact text
 * (no whitespace, as every stage writes) costs one compare per
 * delimiter.
 */
static inline __attribute__((always_inline)) int
object_members(struct json_iter *it, struct json_field *f, size_t max,
	       size_t *n, struct json_error *err, bool locate)
{
	const char *p = it->p, *end = it->end, *start = it->start;
	size_t i = 0;

	*n = 0;
	if (it->state == 2)
		return 0;
	if (max == 0)
		return 1;
	p = skip_ws(p, end);
	if (it->state == 1)
		goto delimiter;
	if (p < end && *p == '}')
		goto close;
	for (;;) {
		if (p >= end || *p != '"') {
			p = skip_ws(p, end);
			if (p >= end || *p != '"') {
				fail(err, p >= end ? "unterminated object" :
				     "expected a string key", p, start);
				goto bad;
			}
		}
		const char *k = p;
		f[i].key_escaped = false;
		p = scan_string(p, end, &f[i].key_escaped, start, err, !locate);
		if (!p)
			goto bad;
		f[i].key = k + 1;
		f[i].key_len = (size_t)(p - k - 2);
		if (p >= end || *p != ':') {
			p = skip_ws(p, end);
			if (p >= end || *p != ':') {
				fail(err, "expected ':'", p, start);
				goto bad;
			}
		}
		p++;
		if (p >= end || *p != '"')
			p = skip_ws(p, end);
		const char *v = p;
		p = member_value(p, end, start, err, locate);
		if (!p)
			goto bad;
		f[i].val = v;
		f[i].val_len = (size_t)(p - v);
		if (++i == max) {
			it->p = p;
			it->state = 1;
			*n = i;
			return 1;
		}
delimiter:
		if (p >= end || *p != ',') {
			p = skip_ws(p, end);
			if (p < end && *p == '}')
				goto close;
			if (p >= end || *p != ',') {
				fail(err, p >= end ? "unterminated object" :
				     "expected ',' or '}'", p, start);
				goto bad;
			}
		}
		p++;	/* whitespace before the key: at the loop's top */
	}
close:
	p = skip_ws(p + 1, end);
	*n = i;
	if (p != end) {
		fail(err, "unexpected text after the object", p, start);
		return -1;
	}
	it->p = p;
	it->state = 2;
	return 0;
bad:
	*n = i;
	return -1;
}

#ifdef QUOTE_INDEX
/*
 * Reading an object from where its quotes are.  When an object's text
 * after its '{' holds no control character (a row as stages write it),
 * one pass of 32 or 64 bytes a step marks its quotes in a bitmap, and
 * the members are read from it: the quote that ends a key or a string
 * is the next one marked, unless the string holds a backslash or, to be
 * validated, a byte >= 0x80, which the scanner reads.  The pass is the
 * only code written per instruction set: AVX-512 or AVX2, as the CPU has
 * (neither: object_members reads every object).
 */
#define INDEXED_MAX 4096	/* the longest object so read, after its '{' */
#define INDEXED_WORDS (INDEXED_MAX / 64 + 2)

/*
 * The pass over the LEN bytes at S (S - START bytes before them may be
 * read too): bit I of Q[I / 64] set when byte I is a quote, and the
 * word after the last set to all ones, so a search always ends; bit I
 * of SP[I / 64] when it is a backslash or (VALIDATE) a byte >= 0x80, and
 * *SPECIAL when there is one.  False when S holds a control character.
 */
typedef bool quote_pass_fn(const char *start, const char *s, size_t len, uint64_t *q,
			   uint64_t *sp, bool validate, bool *special);

__attribute__((target("avx2")))
static bool quote_pass_avx2(const char *start, const char *s, size_t len, uint64_t *q,
			    uint64_t *sp, bool validate, bool *special)
{
	const __m256i quote = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		      ctl = _mm256_set1_epi8(0x1f);
	char pad[64];

	for (size_t at = 0; at < len; at += 64) {
		const char *p = s + at;
		unsigned shift = 0;	/* bits of the 64 loaded that lie before P */
		if (len - at < 64) {
			if (s + len - start >= 64) {	/* the 64 bytes that end the text */
				shift = (unsigned)(64 - (len - at));
				p -= shift;
			} else {	/* a short text: blanks after its end */
				memset(pad, ' ', 64);
				memcpy(pad, p, len - at);
				p = pad;
			}
		}
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		__m256i oa = _mm256_cmpeq_epi8(_mm256_min_epu8(a, ctl), a);
		__m256i ob = _mm256_cmpeq_epi8(_mm256_min_epu8(b, ctl), b);
		__m256i sa = _mm256_cmpeq_epi8(a, bs), sb = _mm256_cmpeq_epi8(b, bs);
		if (validate) {	/* bytes >= 0x80: their sign bit */
			sa = _mm256_or_si256(sa, a);
			sb = _mm256_or_si256(sb, b);
		}
		uint64_t odd = (uint32_t)_mm256_movemask_epi8(oa) |
			       (uint64_t)(uint32_t)_mm256_movemask_epi8(ob) << 32;
		uint64_t spec = (uint32_t)_mm256_movemask_epi8(sa) |
				(uint64_t)(uint32_t)_mm256_movemask_epi8(sb) << 32;
		if (odd >> shift)
			return false;
		sp[at / 64] = spec >> shift;
		if (spec >> shift)
			*special = true;
		q[at / 64] = ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, quote)) |
			      (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, quote)) << 32)
			     >> shift;
	}
	q[(len + 63) / 64] = ~0ULL;
	return true;
}

__attribute__((target("avx512f,avx512bw")))
static bool quote_pass_avx512(const char *start, const char *s, size_t len, uint64_t *q,
			      uint64_t *sp, bool validate, bool *special)
{
	(void)start;
	for (size_t at = 0; at < len; at += 64) {
		/* The last piece is loaded masked: nothing past the end is read. */
		__mmask64 in = len - at >= 64 ? ~(__mmask64)0 : ((uint64_t)1 << (len - at)) - 1;
		__m512i v = _mm512_maskz_loadu_epi8(in, s + at);
		if (_mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1f)) & in)
			return false;
		__mmask64 spec = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
		if (validate)	/* bytes >= 0x80 */
			spec |= _mm512_movepi8_mask(v);
		sp[at / 64] = spec;
		if (spec)
			*special = true;
		q[at / 64] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
	}
	q[(len + 63) / 64] = ~0ULL;
	return true;
}

/*
 * The pass this CPU runs, chosen on first use; NULL: none.  INLET_SIMD
 * (inlet(7)) narrows the choice: "avx2" or "none".
 */
static quote_pass_fn *quote_pass_pick(void)
{
	const char *want = getenv("INLET_SIMD");

	__builtin_cpu_init();
	if (want && !strcmp(want, "none"))
		return NULL;
	if (__builtin_cpu_supports("avx512bw") && !(want && !strcmp(want, "avx2")))
		return quote_pass_avx512;
	if (__builtin_cpu_supports("avx2"))
		return quote_pass_avx2;
	return NULL;
}

static quote_pass_fn *quote_pass;

__attribute__((constructor)) static void quote_pass_init(void)
{
	quote_pass = quote_pass_pick();
}

/* Is a bit of M set in [FROM, TO)? */
static inline bool any_bit(const uint64_t *m, size_t from, size_t to)
{
	for (size_t w = from / 64; from < to; w++, from = w * 64) {
		uint64_t bits = m[w] & (~0ULL << (from % 64));
		if (to < (w + 1) * 64)
			bits &= ~(~0ULL << (to % 64));
		if (bits)
			return true;
	}
	return false;
}

/* The offset of the first quote at or after offset AT in the bitmap Q. */
static inline size_t next_quote(const uint64_t *q, size_t at)
{
	size_t w = at / 64;
	uint64_t m = q[w] & (~0ULL << (at % 64));

	while (!m)
		m = q[++w];
	return w * 64 + (size_t)__builtin_ctzll(m);
}

/*
 * The string at offset AT of S, a quote: the offset of its closing quote,
 * or LEN when the text is for object_members.  A string with a special
 * byte (SP, when SPECIAL) is read by the scanner, setting *ESCAPED: it
 * validates escapes and (CHECK_UTF8) UTF-8.
 */
static inline __attribute__((always_inline)) size_t
indexed_string(const uint64_t *q, const uint64_t *sp, bool special, const char *s,
	       size_t len, size_t at, bool *escaped, const char *start,
	       struct json_error *err, bool check_utf8)
{
	size_t close = next_quote(q, at + 1);

	if (close >= len)
		return len;
	if (special && any_bit(sp, at + 1, close)) {
		const char *p = scan_string(s + at, s + len, escaped, start, err, check_utf8);
		return p ? (size_t)(p - s) - 1 : len;
	}
	return close;
}

/*
 * All the members of the object IT starts, from its quotes: 0 or 1 as
 * object_members returns, or 2 when the object is for object_members to
 * read: its text is not plain, or not compact (each ':' and ',' right
 * after what it follows, as every stage writes).  Keys and strings are
 * then valid as they stand; numbers and literals are read as
 * object_members reads them, nested values by the scanner.  Anything
 * malformed is left to object_members, which reads the object again from
 * its start and says what is wrong: the two agree on every object this
 * one reads (the unit tests compare them).
 */
static inline __attribute__((always_inline)) int
indexed_members(struct json_iter *it, struct json_field *f, size_t max,
		size_t *n, struct json_error *err, bool locate)
{
	uint64_t q[INDEXED_WORDS], sp[INDEXED_WORDS];
	const char *s = it->p, *end = it->end, *start = it->start, *p;
	size_t len = (size_t)(end - s), key = 0, i = 0;
	bool special = false;

	if (!quote_pass || len > INDEXED_MAX || max == 0)
		return 2;
	if (!quote_pass(start, s, len, q, sp, !locate, &special))
		return 2;
	if (len && s[0] == '}') {
		p = s;
		goto close;
	}
	for (;;) {
		/* "KEY": */
		if (key >= len || s[key] != '"')
			return 2;
		f[i].key_escaped = false;
		size_t kc = indexed_string(q, sp, special, s, len, key, &f[i].key_escaped,
					   start, err, !locate);
		size_t v = kc + 2;
		if (v >= len || s[kc + 1] != ':')
			return 2;
		f[i].key = s + key + 1;
		f[i].key_len = kc - key - 1;
		/* VALUE */
		if (s[v] == '"') {
			size_t vc = indexed_string(q, sp, special, s, len, v, NULL, start, err,
						   !locate);
			if (vc >= len)
				return 2;
			p = s + vc + 1;
		} else if (!(p = member_value(s + v, end, start, err, locate))) {
			return 2;
		}
		if (p >= end)
			return 2;
		f[i].val = s + v;
		f[i].val_len = (size_t)(p - (s + v));
		if (++i == max) {
			it->p = p;
			it->state = 1;
			*n = i;
			return 1;
		}
		/* , or } */
		if (*p == '}')
			break;
		if (*p != ',')
			return 2;
		key = (size_t)(p + 1 - s);
	}
close:
	if (skip_ws(p + 1, end) != end)
		return 2;
	it->p = end;
	it->state = 2;
	*n = i;
	return 0;
}
#endif

int json_object_members_indexed(struct json_iter *it, struct json_field *f, size_t max,
				size_t *n, struct json_error *err, bool locate)
{
#ifdef QUOTE_INDEX
	if (it->state == 0)
		return locate ? indexed_members(it, f, max, n, err, true)
			      : indexed_members(it, f, max, n, err, false);
#endif
	*n = 0;
	return 2;
}

int json_object_next(struct json_iter *it, struct json_field *f,
		     struct json_error *err)
{
	size_t n;

	return object_members(it, f, 1, &n, err, false);
}

int json_object_locate_next(struct json_iter *it, struct json_field *f,
			    struct json_error *err)
{
	size_t n;

	return object_members(it, f, 1, &n, err, true);
}

/* The objects read from their quotes first, where the CPU can; the rest scanned. */
static inline __attribute__((always_inline)) int
members(struct json_iter *it, struct json_field *f, size_t max, size_t *n,
	struct json_error *err, bool locate)
{
#ifdef QUOTE_INDEX
	if (it->state == 0) {
		int r = indexed_members(it, f, max, n, err, locate);
		if (r != 2)
			return r;
	}
#endif
	return object_members(it, f, max, n, err, locate);
}

int json_object_members(struct json_iter *it, struct json_field *f, size_t max,
			size_t *n, struct json_error *err, bool locate)
{
	/* Two bodies, so that each inlines its own scanner. */
	if (locate)
		return members(it, f, max, n, err, true);
	return members(it, f, max, n, err, false);
}

int json_array_open(struct json_iter *it, const char *text, size_t len,
		    struct json_error *err)
{
	const char *end = text + len;
	const char *p = skip_ws(text, end);

	it->start = text;
	it->end = end;
	it->state = 0;
	if (p >= end || *p != '[') {
		fail(err, "not a JSON array", p, text);
		return -1;
	}
	it->p = p + 1;
	return 0;
}

int json_array_next(struct json_iter *it, const char **val, size_t *val_len,
		    struct json_error *err)
{
	const char *p = skip_ws(it->p, it->end), *end = it->end;

	if (it->state == 2)
		return 0;
	if (p < end && *p == ']' ) {
		it->state = 2;
		it->p = p + 1;
		return 0;
	}
	if (it->state == 1) {
		if (p >= end || *p != ',') {
			fail(err, p >= end ? "unterminated array" : "expected ',' or ']'",
			     p, it->start);
			return -1;
		}
		p = skip_ws(p + 1, end);
	}
	const char *v = p;
	p = json_skip_value(p, end, 1, it->start, err);
	if (!p)
		return -1;
	*val = v;
	*val_len = (size_t)(p - v);
	it->p = p;
	it->state = 1;
	return 1;
}

int json_object_validate(const char *text, size_t len, struct json_error *err)
{
	struct json_iter it;
	struct json_field f;
	int r;

	if (json_object_open(&it, text, len, err) < 0)
		return -1;
	while ((r = json_object_next(&it, &f, err)) == 1)
		;
	return r;
}

static void put_utf8(struct buf *out, unsigned cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(out, tmp, n);
}

static unsigned hex4(const char *p)
{
	return (unsigned)(hex_digit_value(p[0]) << 12 | hex_digit_value(p[1]) << 8 |
			  hex_digit_value(p[2]) << 4 | hex_digit_value(p[3]));
}

/* Decode the inside of a validated string (no quotes). */
static void decode_inner(struct buf *out, const char *p, const char *end)
{
	while (p < end) {
		const char *run = p;
		while (p < end && *p != '\\')
			p++;
		buf_add(out, run, (size_t)(p - run));
		if (p >= end)
			break;
		char c = p[1];
		p += 2;
		switch (c) {
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'u': {
			unsigned cp = hex4(p);
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u') {
				unsigned lo = hex4(p + 2);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xdc80 && cp <= 0xdcff) {
				/* The surrogate escape of json_path_encode: the byte itself. */
				buf_addc(out, (char)(cp & 0xff));
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;	/* lone surrogate */
			put_utf8(out, cp);
			break;
		}
		default: buf_addc(out, c); break;
		}
	}
}

int json_string_decode(struct buf *out, const char *raw, size_t len)
{
	if (len < 2 || raw[0] != '"' || raw[len - 1] != '"')
		return -1;
	decode_inner(out, raw + 1, raw + len - 1);
	return 0;
}

void json_key_decode(struct buf *out, const struct json_field *f)
{
	if (f->key_escaped)
		decode_inner(out, f->key, f->key + f->key_len);
	else
		buf_add(out, f->key, f->key_len);
}

bool json_key_is(const struct json_field *f, const char *name)
{
	size_t n = strlen(name);

	if (!f->key_escaped)
		return f->key_len == n && memcmp(f->key, name, n) == 0;
	struct buf b = BUF_INIT;
	decode_inner(&b, f->key, f->key + f->key_len);
	bool eq = b.len == n && memcmp(b.data, name, n) == 0;
	buf_free(&b);
	return eq;
}

int json_object_get(const char *text, size_t len, const char *key,
		    const char **val, size_t *val_len)
{
	struct json_iter it;
	struct json_field f;
	int r;

	if (json_object_open(&it, text, len, NULL) < 0)
		return -1;
	while ((r = json_object_next(&it, &f, NULL)) == 1) {
		if (json_key_is(&f, key)) {
			*val = f.val;
			*val_len = f.val_len;
			return 1;
		}
	}
	return r;
}

/* The inside of json_string_encode: S escaped, without the quotes. */
static void json_string_inner(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *p = s, *end = s + len;

	buf_grow(out, len + 2);
	while (p < end) {
		const char *run = p;
		while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		buf_add(out, run, (size_t)(p - run));
		if (p >= end)
			break;
		unsigned char c = (unsigned char)*p++;
		switch (c) {
		case '"': buf_add(out, "\\\"", 2); break;
		case '\\': buf_add(out, "\\\\", 2); break;
		case '\n': buf_add(out, "\\n", 2); break;
		case '\r': buf_add(out, "\\r", 2); break;
		case '\t': buf_add(out, "\\t", 2); break;
		case '\b': buf_add(out, "\\b", 2); break;
		case '\f': buf_add(out, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(out, u, 6);
		}
		}
	}
}

void json_string_encode(struct buf *out, const char *s, size_t len)
{
	buf_addc(out, '"');
	json_string_inner(out, s, len);
	buf_addc(out, '"');
}

void json_path_encode(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const unsigned char *run = p;

	/* Runs of valid UTF-8 go to the plain encoder; each stray byte is escaped. */
	buf_addc(out, '"');
	while (p < end) {
		size_t n = *p < 0x80 ? 1 : utf8_seq_len(p, end);
		if (n) {
			p += n;
			continue;
		}
		json_string_inner(out, (const char *)run, (size_t)(p - run));
		char u[6] = { '\\', 'u', 'd', 'c', hex[*p >> 4], hex[*p & 15] };
		buf_add(out, u, 6);
		run = ++p;
	}
	json_string_inner(out, (const char *)run, (size_t)(end - run));
	buf_addc(out, '"');
}
