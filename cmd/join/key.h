#ifndef INLET_JOIN_KEY_H
#define INLET_JOIN_KEY_H
/*
 * How one part of a join key compares with a value of another JSON type.
 * Spark compares a string with a number by casting the string to the
 * number's type (TypeCoercion: "Atomic and String, cast as Atomic type";
 * BIGINT for an integer, DOUBLE for any other number, as JSON inference
 * types them), so 123 = "0123" = "123.0" = " 123 ", and a string that does
 * not cast is null and matches nothing.  Values of one type compare by
 * their text, as before.
 *
 * A part's forms are the texts it is looked up by, each a tag and a
 * canonical value: 'x' its exact text (every part); a string also 'l' its
 * BIGINT and 'd' its DOUBLE, for comparing with numbers; a number its own
 * value, 'L' (BIGINT) or 'D' (DOUBLE), for comparing with strings.  A
 * stream string is looked up as 'L' and 'D', a stream integer as 'l', any
 * other stream number as 'd': a form meets only its counterpart.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum key_kind {
	KEY_STRING = 1,
	KEY_NUMBER = 2,
	KEY_OTHER = 4,		/* true, false, objects, arrays */
};

/* The kind of the raw JSON value V (not null, N > 0). */
static inline enum key_kind key_kind_of(const char *v)
{
	if (v[0] == '"')
		return KEY_STRING;
	if (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
		return KEY_NUMBER;
	return KEY_OTHER;
}

/* Which side a part is on: the forms differ (see above). */
enum key_side { KEY_STATIC, KEY_STREAM };

/*
 * Append to OUT the forms of the part V (N bytes of JSON text, a string
 * already normalised as the exact key is), each followed by a NUL: 'x'
 * and the text first, then those for comparing with the other type.
 * TMP is scratch.  Returns the number of forms (1 to 3).
 */
int key_forms(struct buf *out, const char *v, size_t n, enum key_side side,
	      struct buf *tmp);

#endif
