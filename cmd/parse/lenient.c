/*
 * Spark's JSON reader leniencies (allowSingleQuotes, allowComments, ...):
 * a record that fails the strict check is read again with them and, when
 * it passes, written as the equivalent strict JSON.  A valid record never
 * comes here, so it keeps its exact bytes.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "parse.h"

struct reader {
	const char *p, *end;
	struct buf *out;
	const struct json_leniency *o;
};

static bool any_leniency(const struct json_leniency *o)
{
	return o->single_quotes || o->non_numeric || o->comments || o->unquoted_names ||
	       o->leading_zeros || o->escape_any || o->control_chars;
}

/* Skip blanks and, with allowComments, C and C++ comments. */
static bool skip_blank(struct reader *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			r->p++;
		} else if (c == '/' && r->o->comments && r->end - r->p >= 2 && r->p[1] == '*') {
			const char *close = NULL;
			for (const char *q = r->p + 2; q + 1 < r->end; q++)
				if (q[0] == '*' && q[1] == '/') {
					close = q;
					break;
				}
			if (!close)
				return false;
			r->p = close + 2;
		} else if (c == '/' && r->o->comments && r->end - r->p >= 2 && r->p[1] == '/') {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		} else {
			break;
		}
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does the text at P start with the word W, not followed by a name character? */
static bool word(struct reader *r, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return false;
	if (r->p + n < r->end) {
		char c = r->p[n];
		if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			return false;
	}
	r->p += n;
	return true;
}

/* A string quoted with Q ('"' or '\''), written double-quoted. */
static bool read_string(struct reader *r, char q)
{
	static const char hex[] = "0123456789abcdef";

	r->p++;
	buf_addc(r->out, '"');
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p++;
		if (c == (unsigned char)q) {
			buf_addc(r->out, '"');
			return true;
		}
		if (c == '\\') {
			if (r->p == r->end)
				return false;
			char e = *r->p++;
			if (e && strchr("\"\\/bfnrt", e)) {
				buf_addc(r->out, '\\');
				buf_addc(r->out, e);
			} else if (e == 'u') {
				if (r->end - r->p < 4)
					return false;
				buf_add(r->out, "\\u", 2);
				for (int i = 0; i < 4; i++) {
					char h = r->p[i];
					if (!is_digit(h) && !strchr("abcdefABCDEF", h))
						return false;
				}
				buf_add(r->out, r->p, 4);
				r->p += 4;
			} else if ((e == '\'' && r->o->single_quotes) || r->o->escape_any) {
				/* Jackson: the character itself. */
				r->p--;
				c = (unsigned char)*r->p++;
				goto plain;
			} else {
				return false;
			}
			continue;
		}
plain:
		if (c == '"' || c == '\\') {
			buf_addc(r->out, '\\');
			buf_addc(r->out, (char)c);
		} else if (c < 0x20) {
			if (!r->o->control_chars)
				return false;
			buf_add(r->out, "\\u00", 4);
			buf_addc(r->out, hex[c >> 4]);
			buf_addc(r->out, hex[c & 15]);
		} else {
			buf_addc(r->out, (char)c);
		}
	}
	return false;
}

/* An unquoted field name (allowUnquotedFieldNames), written quoted. */
static bool read_name(struct reader *r)
{
	const char *s = r->p;

	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		if (!(is_digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '$' || c >= 0x80))
			break;
		r->p++;
	}
	if (r->p == s)
		return false;
	buf_addc(r->out, '"');
	buf_add(r->out, s, (size_t)(r->p - s));
	buf_addc(r->out, '"');
	return true;
}

/*
 * A number.  Leading zeros (allowNumericLeadingZeros) are dropped: 007 is
 * no JSON number, 7 is.  NaN and the infinities (allowNonNumericNumbers)
 * become the strings "NaN", "Infinity" and "-Infinity".
 */
static bool read_number(struct reader *r)
{
	bool minus = false, plus = false;

	if (*r->p == '-' || *r->p == '+') {
		minus = *r->p == '-';
		plus = !minus;
		r->p++;
	}
	if (r->o->non_numeric) {
		if (!minus && !plus && word(r, "NaN")) {
			buf_adds(r->out, "\"NaN\"");
			return true;
		}
		if (word(r, "Infinity") || word(r, "INF")) {
			buf_adds(r->out, minus ? "\"-Infinity\"" : "\"Infinity\"");
			return true;
		}
	}
	if (plus || r->p == r->end || !is_digit(*r->p))
		return false;
	if (minus)
		buf_addc(r->out, '-');
	if (*r->p == '0' && r->p + 1 < r->end && is_digit(r->p[1])) {
		if (!r->o->leading_zeros)
			return false;
		while (r->p + 1 < r->end && *r->p == '0' && is_digit(r->p[1]))
			r->p++;
	}
	while (r->p < r->end && is_digit(*r->p))
		buf_addc(r->out, *r->p++);
	if (r->p < r->end && *r->p == '.') {
		buf_addc(r->out, *r->p++);
		if (r->p == r->end || !is_digit(*r->p))
			return false;
		while (r->p < r->end && is_digit(*r->p))
			buf_addc(r->out, *r->p++);
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		buf_addc(r->out, *r->p++);
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			buf_addc(r->out, *r->p++);
		if (r->p == r->end || !is_digit(*r->p))
			return false;
		while (r->p < r->end && is_digit(*r->p))
			buf_addc(r->out, *r->p++);
	}
	return true;
}

static bool read_value(struct reader *r, int depth);

static bool read_container(struct reader *r, int depth, bool object)
{
	char close = object ? '}' : ']';

	if (depth > JSON_MAX_DEPTH)
		return false;
	buf_addc(r->out, *r->p++);
	if (!skip_blank(r))
		return false;
	if (r->p < r->end && *r->p == close) {
		buf_addc(r->out, *r->p++);
		return true;
	}
	for (;;) {
		if (object) {
			if (r->p == r->end)
				return false;
			if (*r->p == '"' || (*r->p == '\'' && r->o->single_quotes)) {
				if (!read_string(r, *r->p))
					return false;
			} else if (!r->o->unquoted_names || !read_name(r)) {
				return false;
			}
			if (!skip_blank(r) || r->p == r->end || *r->p != ':')
				return false;
			buf_addc(r->out, *r->p++);
		}
		if (!read_value(r, depth + 1) || !skip_blank(r) || r->p == r->end)
			return false;
		if (*r->p == close) {
			buf_addc(r->out, *r->p++);
			return true;
		}
		if (*r->p != ',')
			return false;
		buf_addc(r->out, *r->p++);
		if (!skip_blank(r))
			return false;
	}
}

static bool read_value(struct reader *r, int depth)
{
	if (!skip_blank(r) || r->p == r->end)
		return false;
	switch (*r->p) {
	case '{': return read_container(r, depth, true);
	case '[': return read_container(r, depth, false);
	case '"': return read_string(r, '"');
	case '\'': return r->o->single_quotes && read_string(r, '\'');
	}
	if (word(r, "true"))
		return buf_adds(r->out, "true"), true;
	if (word(r, "false"))
		return buf_adds(r->out, "false"), true;
	if (word(r, "null"))
		return buf_adds(r->out, "null"), true;
	return read_number(r);
}

bool json_lenient(struct buf *out, const char *text, size_t len,
		  const struct json_leniency *o)
{
	struct reader r = { text, text + len, out, o };

	buf_reset(out);
	if (!any_leniency(o))
		return false;
	if (!skip_blank(&r) || r.p == r.end || (*r.p != '{' && *r.p != '['))
		return false;
	if (!read_value(&r, 0) || !skip_blank(&r) || r.p != r.end)
		return false;
	/* The rest (UTF-8, the "_inlet" key...) is the strict check's, on OUT. */
	return true;
}
