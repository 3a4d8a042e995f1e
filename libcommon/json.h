#ifndef INLET_JSON_H
#define INLET_JSON_H
/*
 * A validating JSON scanner that never converts values.  inlet passes row
 * values through as their exact text (numbers included, see "Lossless" in
 * inlet(7)), so the scanner only finds where each value starts and ends.
 * All functions borrow their text arguments; nothing here allocates except
 * the struct buf outputs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"

/*
 * Deepest nesting accepted: a document of 255 levels, the most libjq 1.6
 * parses (cast --map), so a row parse lets through never poisons a later
 * stage.  JSON_MAX_DEPTH counts the levels below the top one.
 */
#define JSON_MAX_DEPTH 254

struct json_error {
	const char *msg;	/* static text: what is wrong */
	size_t offset;		/* byte offset of the problem in the text */
};

/* One member of an object: raw key (between the quotes) and raw value. */
struct json_field {
	const char *key;	/* points inside the text, quotes excluded */
	size_t key_len;
	bool key_escaped;	/* key holds backslash escapes: decode to compare */
	const char *val;	/* the value's exact text */
	size_t val_len;
};

struct json_iter {
	const char *start, *p, *end;
	int state;		/* 0 before first member, 1 after one, 2 done */
};

/*
 * Validate the one value starting at P (leading whitespace allowed) and
 * return a pointer just past it, or NULL with ERR filled in.
 */
const char *json_skip_value(const char *p, const char *end, int depth,
			    const char *start, struct json_error *err);

/* Start iterating the object in TEXT; -1 (and ERR) if TEXT is not one. */
int json_object_open(struct json_iter *it, const char *text, size_t len,
		     struct json_error *err);
/*
 * Next member: 1 and F filled, 0 at the closing brace (then only
 * whitespace may follow, or it is an error), -1 on malformed input.
 */
int json_object_next(struct json_iter *it, struct json_field *f,
		     struct json_error *err);

/*
 * json_object_next for text a producer already validated (a batch whose
 * "begin" claims "valid":"json-utf8", inlet(7)): the same members of
 * valid text, found without checking UTF-8 or the grammar of numbers,
 * literals and nested values.  Any other text is still read within
 * [text, text + len): the call fails (-1) or gives members whose values
 * may be malformed, but keys are always quoted strings and no string
 * holds a control character or an escape that json_string_decode could
 * misread.  A stage that passes such a value on relies on inlet-commit,
 * which always validates.
 */
int json_object_locate_next(struct json_iter *it, struct json_field *f,
			    struct json_error *err);

/*
 * The next members, up to MAX of them, into F[0..*N): json_object_next
 * (or with LOCATE json_object_locate_next) called in a loop, without a
 * call per member, and for an object of plain compact text read from
 * the offsets of its quotes (json_object_members_indexed).  1 when F is
 * full (more may follow), 0 at the closing brace, -1 on malformed input
 * (*N members were read before it).
 */
int json_object_members(struct json_iter *it, struct json_field *f, size_t max,
			size_t *n, struct json_error *err, bool locate);

/*
 * json_object_members for an object not yet read (IT just opened) of
 * plain compact text, read from the offsets of its quotes (with AVX2 or
 * AVX-512, inlet(7) INLET_SIMD), which json_object_members tries first:
 * the same result, or 2 when the object is not one it reads that way.
 * For the tests that compare the two.
 */
int json_object_members_indexed(struct json_iter *it, struct json_field *f, size_t max,
				size_t *n, struct json_error *err, bool locate);

/* Start iterating the array in TEXT; -1 (and ERR) if TEXT is not one. */
int json_array_open(struct json_iter *it, const char *text, size_t len,
		    struct json_error *err);
/* Next element's raw text: 1, 0 at the closing bracket, -1 if malformed. */
int json_array_next(struct json_iter *it, const char **val, size_t *val_len,
		    struct json_error *err);

/* Validate that TEXT is exactly one JSON object; 0 or -1 with ERR. */
int json_object_validate(const char *text, size_t len, struct json_error *err);

/* Does member F have the key NAME (a plain C string)? */
bool json_key_is(const struct json_field *f, const char *name);

/* The value of the hexadecimal digit C (either case), or -1. */
int hex_digit_value(int c);

/*
 * Find the top-level member KEY of the object TEXT.  Returns 1 and the raw
 * value in *VAL and *VAL_LEN, 0 when absent, -1 when TEXT is malformed.
 */
int json_object_get(const char *text, size_t len, const char *key,
		    const char **val, size_t *val_len);

/*
 * Append the decoded contents of the raw string RAW (quotes included).  A
 * lone \udc80..\udcff decodes to the byte 0x80..0xff it stands for (the
 * surrogate escape of json_path_encode); other lone surrogates to U+FFFD.
 * -1 when RAW is not a quoted string.
 */
int json_string_decode(struct buf *out, const char *raw, size_t len);
/* Append S as a quoted, escaped JSON string.  S must be valid UTF-8. */
void json_string_encode(struct buf *out, const char *s, size_t len);
/*
 * Append the file name or path S (LEN bytes, any bytes) as a quoted JSON
 * string that json_string_decode turns back into the same bytes: valid
 * UTF-8 is written as json_string_encode does, and each byte that is not
 * part of valid UTF-8 as the escape \udcXX, XX the byte (80..ff), as
 * Python's "surrogateescape" does (inlet(7), "File names").  For every
 * path in a record: file records, skip records, commits/ retries.
 */
void json_path_encode(struct buf *out, const char *s, size_t len);
/* Decode a raw key (no quotes) as json_field gives it. */
void json_key_decode(struct buf *out, const struct json_field *f);

/*
 * The one UTF-8 check: valid means no overlongs, no surrogates, nothing
 * beyond U+10FFFF.  utf8_seq_len gives the length of the valid sequence at
 * P (1 for ASCII; P < END), or 0 when the bytes at P are not one.
 */
size_t utf8_seq_len(const unsigned char *p, const unsigned char *end);
/* Is S valid UTF-8? */
bool utf8_valid(const char *s, size_t len);
/* Append S (N bytes) to OUT, each byte that is not valid UTF-8 replaced by U+FFFD. */
void utf8_repair(struct buf *out, const char *s, size_t n);

/* Is the raw value a JSON string / null? */
static inline bool json_is_string(const char *val, size_t len)
{
	return len >= 2 && val[0] == '"';
}

/* All four bytes: a located value (json_object_locate_next) may be "nul". */
static inline bool json_is_null(const char *val, size_t len)
{
	return len == 4 && !memcmp(val, "null", 4);
}

#endif
