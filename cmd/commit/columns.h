#ifndef INLET_COMMIT_COLUMNS_H
#define INLET_COMMIT_COLUMNS_H
/*
 * The columns of a database sink's table, and the binding of one row's
 * keys to them: one module for the SQLite and the PostgreSQL sink.
 *
 * A column set owns its columns' names and types.  Binding a row fills
 * refs[] with slices of the row's text (owned by the caller's record,
 * valid until its next row) and marks each column the row gives a value:
 *
 *   - a "window" object becomes the columns window_start and window_end;
 *   - an escaped key is decoded;
 *   - a key that is no column yet is added through the sink's add hook
 *     (which creates it in the database, and may die for a name the
 *     database cannot hold);
 *   - two keys of one row that land on one column (the same key twice, a
 *     window next to a window_start key, names equal but for case where
 *     the sink folds case) die with EX_DATAERR naming the input's line.
 *
 * Nothing else fails here but allocation, which dies as xmalloc does.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "stream.h"

struct sink;

struct column {
	char *name;		/* owned */
	size_t name_len;
	char *type;		/* owned: the type as the sink spells it */
	bool integer;		/* the type is INTEGER (SQLite: booleans bind as 0/1) */
	long long bound;	/* the last row that gave it a value */
	size_t ref;		/* that row's value: an index in refs */
};

/* One key of the row being bound: its column and its value's text. */
struct field_ref {
	size_t col;
	const char *key;	/* the row's key, raw, for messages */
	size_t key_len;
	const char *val;
	size_t len;
};

struct columns {
	struct column *cols;
	size_t ncols, capcols;
	struct field_ref *refs;	/* the bound row's keys, nrefs of them */
	size_t nrefs, caprefs;
	long long row;		/* rows bound so far: the current row's number */
	/* Set by the sink when it opens: */
	bool fold_case;		/* names compare ignoring ASCII case */
	const char *fold_why;	/* why two names are one column, for messages */
	bool nul_as_qmark;	/* a NUL in a decoded key is written '?' */
	const char *sink_name;	/* borrowed: the sink's name, for messages */
	/* Add the column NAME for the row's key KEY (raw); its index. */
	size_t (*add)(void *sink, const char *name, size_t n, const char *key,
		      size_t key_len);
	void *sink;
};

/* Append column NAME of TYPE to the set (the table already has it). */
void columns_push(struct columns *c, const char *name, size_t n, const char *type);
/* Drop every column (the table changed under us, or is gone). */
void columns_forget(struct columns *c);
/* Free what the set owns. */
void columns_free(struct columns *c);
/* The index of column NAME, trying HINT first; (size_t)-1 when none. */
size_t columns_find(const struct columns *c, const char *name, size_t n, size_t hint);
/*
 * Bind the row REC, line LINENO of the input INPUT (for messages): after
 * it, c->refs holds its values and columns_has_value() tells the columns
 * it gave none.  Dies with EX_DATAERR for two keys on one column.
 */
void columns_bind_row(struct columns *c, const struct record *rec, const char *input,
		      unsigned long lineno);

/*
 * NAME (N bytes) as a quoted SQL identifier into OUT: '"' doubled, a NUL
 * written '?' (no SQL name holds one).
 */
void sql_quote_ident(struct buf *out, const char *name, size_t n);

/* Whether the row bound last gave column I a value. */
static inline bool columns_has_value(const struct columns *c, size_t i)
{
	return c->cols[i].bound == c->row;
}

/*
 * Before a database sink adds column NAME: under --no-new-columns, when the
 * table existed as the batch began, die with EX_DATAERR naming the column,
 * the table and the row at LINENO of the input (0: a schema record); the
 * batch's transaction is never committed.
 */
void columns_check_new(const struct sink *s, const char *name, size_t n, unsigned long lineno);
#endif
