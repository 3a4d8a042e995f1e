#ifndef INLET_SCHEMA_H
#define INLET_SCHEMA_H
/*
 * A schema: named, typed columns, parsed from Spark DDL
 * ("id BIGINT, price DECIMAL(10,2), day DATE") or from a schema control
 * record, and written back as one.  Column names are exact (Spark's
 * case-insensitive matching is left to the callers that want it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

enum type_kind {
	TYPE_STRING, TYPE_INT, TYPE_BIGINT, TYPE_DOUBLE, TYPE_DECIMAL,
	TYPE_BOOLEAN, TYPE_DATE, TYPE_TIMESTAMP, TYPE_JSON
};

struct type {
	enum type_kind kind;
	/*
	 * DECIMAL: its precision and scale.  INT: PRECISION is the width in
	 * bits of Spark's narrower integers, 8 (TINYINT) or 16 (SMALLINT),
	 * and 0 for INT itself; the sinks store all three as INT.
	 */
	int precision, scale;
};

struct column_def {
	char *name;		/* owned, decoded */
	size_t name_len;	/* bytes in name (a decoded name may hold NUL) */
	struct type type;
};

struct schema {
	struct column_def *cols;	/* owned */
	size_t n, cap;
	long long version;	/* -1 when not from a schema record */
};

#define SCHEMA_INIT { NULL, 0, 0, -1 }

/*
 * Parse Spark DDL into S (appending).  Accepts backquoted names, NOT NULL
 * and COMMENT '...' (ignored), and STRUCT<...>/ARRAY<...>/MAP<...> as JSON.
 * 0, or -1 with a message in ERR naming the place and the problem.
 */
int schema_parse_ddl(struct schema *s, const char *ddl, struct buf *err);
/* Parse a schema control record (or a schemas/V file); 0 or -1 with ERR. */
int schema_from_record(struct schema *s, const char *text, size_t len, struct buf *err);
/* Append the schema control record of S (no newline) to OUT. */
void schema_to_record(const struct schema *s, struct buf *out);

/*
 * Whether the N bytes at A and at B are the same.  Names are short and
 * compared once per member of every row, so inline and a word at a time
 * (the last word overlapping the one before), not a call to memcmp.
 */
static inline bool names_equal(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, w;

	if (n < 4)	/* bytes 0, n/2 and n-1 cover every byte of 1 to 3 */
		return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
	if (n < 8) {
		memcpy(&u, a, 4);
		memcpy(&w, b, 4);
		if (u != w)
			return false;
		memcpy(&u, a + n - 4, 4);
		memcpy(&w, b + n - 4, 4);
		return u == w;
	}
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* Index of the column named exactly NAME (N bytes), or -1. */
long schema_find(const struct schema *s, const char *name, size_t n);
/*
 * As schema_find, trying column HINT first (rows tend to follow the
 * schema).  Inline: cast and rescue look up every member of every row.
 */
static inline long schema_find_hint(const struct schema *s, const char *name, size_t n,
				    size_t hint)
{
	if (hint < s->n && s->cols[hint].name_len == n &&
	    names_equal(s->cols[hint].name, name, n))
		return (long)hint;
	return schema_find(s, name, n);
}
/* Index of a column whose name equals NAME ignoring ASCII case, or -1. */
long schema_find_nocase(const struct schema *s, const char *name, size_t n);
/* Add a column (copying NAME); returns its index. */
size_t schema_add(struct schema *s, const char *name, size_t n, struct type t);
void schema_copy(struct schema *dst, const struct schema *src);
void schema_free(struct schema *s);

/* The width in bits of the integer type T: 8, 16, 32 (INT) or 64 (BIGINT). */
int type_int_bits(struct type t);
/* The type's DDL name into OUT: "STRING", "DECIMAL(10,2)", "TINYINT". */
void type_name(struct type t, struct buf *out);
/* Parse a type name ("bigint", "decimal(10, 2)"); 0 or -1. */
int type_parse(const char *text, size_t len, struct type *t);
/*
 * The narrowest type holding values of both A and B, by the widening
 * TINYINT -> SMALLINT -> INT -> BIGINT -> DOUBLE -> STRING; DECIMALs widen to hold both (an
 * integer as DECIMAL(10,0) or (20,0)), and to DOUBLE beyond 38 digits or
 * with a DOUBLE, as Spark's JSON inference does; DATE and TIMESTAMP meet
 * at STRING, as do all other mixes.
 */
struct type type_widen(struct type a, struct type b);

#endif
