/*
 * A database sink's columns and the binding of a row to them (columns.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "columns.h"
#include "die.h"
#include "json.h"
#include "schema.h"
#include "sink.h"

void columns_push(struct columns *c, const char *name, size_t n, const char *type)
{
	struct column *col;

	if (c->ncols == c->capcols) {
		c->capcols = c->capcols ? c->capcols * 2 : 16;
		c->cols = xrealloc(c->cols, c->capcols * sizeof(*c->cols));
	}
	col = &c->cols[c->ncols++];
	col->name = xmalloc(n + 1);
	memcpy(col->name, name, n);
	col->name[n] = '\0';
	col->name_len = n;
	col->type = xstrdup(type);
	col->integer = !strcasecmp(type, "INTEGER");
	col->bound = -1;
	col->ref = 0;
}

void columns_forget(struct columns *c)
{
	for (size_t i = 0; i < c->ncols; i++) {
		free(c->cols[i].name);
		free(c->cols[i].type);
	}
	c->ncols = 0;
}

void columns_free(struct columns *c)
{
	columns_forget(c);
	free(c->cols);
	free(c->refs);
	c->cols = NULL;
	c->refs = NULL;
	c->capcols = c->caprefs = 0;
}

static inline bool column_is(const struct columns *c, const struct column *col,
			     const char *name, size_t n)
{
	return col->name_len == n && (names_equal(col->name, name, n) ||
				      (c->fold_case && !strncasecmp(col->name, name, n)));
}

size_t columns_find(const struct columns *c, const char *name, size_t n, size_t hint)
{
	/* Rows usually list their fields in column order: try HINT first. */
	if (hint < c->ncols && column_is(c, &c->cols[hint], name, n))
		return hint;
	for (size_t i = 0; i < c->ncols; i++)
		if (column_is(c, &c->cols[i], name, n))
			return i;
	return (size_t)-1;
}

/*
 * Two keys of one row that are one column: one value would be lost, so
 * the row is refused.
 */
static void __attribute__((noreturn))
die_same_column(const struct columns *c, size_t col, const char *key, size_t key_len,
		const char *input, unsigned long lineno)
{
	const struct field_ref *other = NULL;

	for (size_t i = 0; i < c->nrefs && !other; i++)
		if (c->refs[i].col == col)
			other = &c->refs[i];
	if (other->key_len == key_len && !memcmp(other->key, key, key_len))
		die(EX_DATAERR, "'%s' line %lu: key '%.*s' appears twice, and "
		    "column '%s' of %s holds one value", input, lineno, (int)key_len, key,
		    c->cols[col].name, c->sink_name);
	bool window = (other->key_len == 6 && !memcmp(other->key, "window", 6)) ||
		      (key_len == 6 && !memcmp(key, "window", 6));
	die(EX_DATAERR, "'%s' line %lu: keys '%.*s' and '%.*s' are both "
	    "column '%s' of %s (%s); rename one of them", input, lineno,
	    (int)other->key_len, other->key, (int)key_len, key, c->cols[col].name,
	    c->sink_name, window || !c->fold_why ?
	    "a window is stored as window_start and window_end" : c->fold_why);
}

/*
 * Map column NAME (added if new) to the value V of the row, whose key is
 * KEY.  HINT is the column tried first: the one the last row's key at
 * this place was (rows from one file list their keys in one order).
 * Inline, as it runs for every key: the caller has made room in refs.
 */
static inline __attribute__((always_inline)) void
add_ref(struct columns *c, const char *name, size_t n, const char *key, size_t key_len,
	const char *v, size_t vn, size_t hint, const char *input, unsigned long lineno)
{
	size_t col;

	if (hint < c->ncols && column_is(c, &c->cols[hint], name, n))
		col = hint;
	else
		col = columns_find(c, name, n, (size_t)-1);
	if (col == (size_t)-1)
		col = c->add(c->sink, name, n, key, key_len);
	else if (c->cols[col].bound == c->row)
		die_same_column(c, col, key, key_len, input, lineno);
	c->cols[col].bound = c->row;
	c->cols[col].ref = c->nrefs;
	c->refs[c->nrefs++] = (struct field_ref){ col, key, key_len, v, vn };
}

/*
 * The column the last row's key at place I was: refs[I] until this row
 * overwrites it (LAST is the last row's count), else I.  A stale column
 * (the set forgotten since) is only a wrong first try: add_ref checks it.
 */
static inline size_t hint_at(const struct columns *c, size_t i, size_t last)
{
	return i < last ? c->refs[i].col : i;
}

void columns_bind_row(struct columns *c, const struct record *rec, const char *input,
		      unsigned long lineno)
{
	size_t last = c->refs ? c->nrefs : 0;

	/* Room for every key's refs at once: two for a window, one for others. */
	if (c->caprefs < 2 * rec->nfields) {
		c->caprefs = 2 * rec->nfields < 32 ? 32 : 2 * rec->nfields;
		c->refs = xrealloc(c->refs, c->caprefs * sizeof(*c->refs));
	}
	c->nrefs = 0;
	c->row++;
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field *f = &rec->fields[i];
		/* A window struct becomes window_start / window_end. */
		if (__builtin_expect(f->val[0] == '{', 0) && json_key_is(f, "window")) {
			const char *v;
			size_t vn;
			if (json_object_get(f->val, f->val_len, "start", &v, &vn) == 1)
				add_ref(c, "window_start", 12, f->key, f->key_len, v, vn,
					hint_at(c, c->nrefs, last), input, lineno);
			if (json_object_get(f->val, f->val_len, "end", &v, &vn) == 1)
				add_ref(c, "window_end", 10, f->key, f->key_len, v, vn,
					hint_at(c, c->nrefs, last), input, lineno);
			continue;
		}
		if (!f->key_escaped) {
			add_ref(c, f->key, f->key_len, f->key, f->key_len, f->val, f->val_len,
				hint_at(c, c->nrefs, last), input, lineno);
			continue;
		}
		struct buf decoded = BUF_INIT;
		json_key_decode(&decoded, f);
		if (c->nul_as_qmark)
			for (size_t k = 0; k < decoded.len; k++)
				if (!decoded.data[k])
					decoded.data[k] = '?';
		add_ref(c, decoded.data, decoded.len, f->key, f->key_len, f->val, f->val_len,
			hint_at(c, c->nrefs, last), input, lineno);
		buf_free(&decoded);
	}
}

void sql_quote_ident(struct buf *out, const char *name, size_t n)
{
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '"')
			buf_addc(out, '"');
		buf_addc(out, name[i] ? name[i] : '?');
	}
	buf_addc(out, '"');
}

void columns_check_new(const struct sink *s, const char *name, size_t n, unsigned long lineno)
{
	const char *input = s->input ? s->input->name : "standard input";

	if (!s->no_new_columns || !s->columns_fixed)
		return;
	if (lineno)
		die(EX_DATAERR, "'%s' line %lu: column '%.*s' is not in %s, and "
		    "--no-new-columns refuses new ones (COPY INTO's mergeSchema is off; -o mergeSchema=true adds them)",
		    input, lineno, (int)n, name, s->name);
	die(EX_DATAERR, "schema record: column '%.*s' is not in %s, and --no-new-columns "
	    "refuses new ones (COPY INTO's mergeSchema is off; -o mergeSchema=true adds them)", (int)n, name, s->name);
}
