#ifndef INLET_ROWWRITER_H
#define INLET_ROWWRITER_H
/*
 * The row writer: how a stage changes a row (rescue, cast, join, parse).
 * Every rule of comma, brace and escaping lives here.
 *
 * A row read from the stream is rewritten by visiting its members in order
 * and saying, for each, keep, drop, set or prior_rescued: every member
 * once, in order (one left unsaid is lost if the row is rebuilt); members
 * are added after the last one.  Nothing is copied until the first change: the output then
 * starts with the row's own text, blanks before its '{' included, up to
 * the end of the last member before the change (up to the closing '}',
 * blanks before it included, when the first change is an addition), and
 * a row that never changes is written as it came, byte for byte.
 * Members written by the writer have no blanks: "KEY":VALUE, separated by
 * a single ',', and a row whose every member is dropped is "{}".
 *
 * Keys come two ways: RAW, the text between the quotes as it stands in a
 * row (json_field.key, escapes kept), or plain bytes (valid UTF-8), which
 * the writer escapes.  Values are always JSON text, written as given.
 *
 * The rescued-data column (Databricks' _rescued_data): rowwriter_rescue
 * collects members into it, rowwriter_rescued_column writes it after the
 * row's members with "_file_path" last.  An upstream rescued object met
 * with rowwriter_prior_rescued is merged: its members follow this stage's,
 * its "_file_path" gives way to the current one.  When the stage rescues
 * nothing, the upstream object is written as it came: in its place when
 * the row is otherwise unchanged, after the other members when the row is
 * rebuilt.
 *
 * The writer borrows the record and the buffers; it allocates nothing but
 * the growth of those buffers, so one writer per stage serves every row.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "stream.h"

struct rowwriter {
	struct buf *out;	/* borrowed: the row as rebuilt, open ("{..." ) */
	struct buf *rescued;	/* borrowed: the rescued members, open, or empty */
	const struct record *rec;	/* borrowed: the row rewritten, or NULL */
	const char *prior;	/* the upstream rescued object (in REC), or NULL */
	size_t prior_len;
	bool started;		/* OUT holds REC's text up to the first change */
	bool changed;		/* OUT differs from REC: it is what gets written */
	bool members;		/* OUT holds a member: the next one takes a ',' */
};

/*
 * Start rewriting the row REC (borrowed until the row is written), building
 * in OUT and collecting rescued members in RESCUED (NULL when the stage
 * rescues nothing).  Both buffers are emptied.  Inline, as are the other
 * calls every row makes: a row that passes costs a few tests.
 */
static inline void rowwriter_begin(struct rowwriter *w, const struct record *rec,
				   struct buf *out, struct buf *rescued)
{
	out->len = 0;	/* buf_reset, without a call */
	if (out->data)
		out->data[0] = '\0';
	if (rescued) {
		rescued->len = 0;
		if (rescued->data)
			rescued->data[0] = '\0';
	}
	w->out = out;
	w->rescued = rescued;
	w->rec = rec;
	w->prior = NULL;
	w->prior_len = 0;
	w->started = w->changed = w->members = false;
}

/*
 * Start a row from nothing in OUT: "{" and no member.  For rows a stage
 * makes (parse); OUT is emptied.
 */
void rowwriter_begin_new(struct rowwriter *w, struct buf *out);

/*
 * Go on with OUT, an open object its caller built ("{" and members, each
 * after a ',' but the first, no blanks after the last): parse's CSV rows.
 */
static inline void rowwriter_continue(struct rowwriter *w, struct buf *out)
{
	w->out = out;
	w->rescued = NULL;
	w->rec = NULL;
	w->prior = NULL;
	w->prior_len = 0;
	w->started = w->changed = true;
	w->members = out->len > 1;	/* more than the '{' */
}

/*
 * The first change is at member I of REC (REC's member count: after the
 * last member): copy REC's text up to it, unless that is done.  This and
 * rowwriter_append are the writer's own steps, here for the inline calls.
 */
void rowwriter_start(struct rowwriter *w, size_t i);

/* Append "RAW":VAL to OUT, after a ',' when it holds a member. */
static inline void rowwriter_append(struct rowwriter *w, const char *raw, size_t raw_len,
				    const char *val, size_t val_len)
{
	struct buf *out = w->out;

	buf_grow(out, raw_len + val_len + 4);
	if (w->members)
		out->data[out->len++] = ',';
	out->data[out->len++] = '"';
	memcpy(out->data + out->len, raw, raw_len);
	out->len += raw_len;
	out->data[out->len++] = '"';
	out->data[out->len++] = ':';
	memcpy(out->data + out->len, val, val_len);
	out->len += val_len;
	out->data[out->len] = '\0';
	w->members = true;
}

/*
 * Member I of REC stays as it is.  Inline: the commonest call, and nothing
 * to do until the row has changed.
 */
static inline void rowwriter_keep(struct rowwriter *w, size_t i)
{
	if (w->started) {
		const struct json_field *f = &w->rec->fields[i];
		rowwriter_append(w, f->key, f->key_len, f->val, f->val_len);
	}
}

/* Member I of REC is left out. */
void rowwriter_drop(struct rowwriter *w, size_t i);

/*
 * Member I of REC takes the value VAL (LEN bytes of JSON), in its place.
 * The same text as it holds is a keep: the row is unchanged by it.
 */
void rowwriter_set(struct rowwriter *w, size_t i, const char *val, size_t len);

/*
 * Add the member KEY (plain bytes, escaped here) with the JSON value VAL
 * after REC's members: call it once every member has been visited.
 */
void rowwriter_add(struct rowwriter *w, const char *key, size_t key_len,
		   const char *val, size_t val_len);
/* The same with the key RAW, already escaped (the text between its quotes). */
static inline void rowwriter_add_raw(struct rowwriter *w, const char *raw, size_t raw_len,
				     const char *val, size_t val_len)
{
	if (!w->started)
		rowwriter_start(w, w->rec->nfields);
	w->changed = true;
	rowwriter_append(w, raw, raw_len, val, val_len);
}
/*
 * Add the members TEXT (LEN bytes): "RAW":VALUE members separated by a
 * single ',', keys escaped, no blanks, as a stage builds them once for
 * every row (join's added columns).  After REC's members.
 */
static inline void rowwriter_add_members_raw(struct rowwriter *w, const char *text,
					     size_t len)
{
	struct buf *out;

	if (!len)
		return;
	if (!w->started)
		rowwriter_start(w, w->rec->nfields);
	w->changed = true;
	out = w->out;
	buf_grow(out, len + 1);
	if (w->members)
		out->data[out->len++] = ',';
	memcpy(out->data + out->len, text, len);
	out->len += len;
	out->data[out->len] = '\0';
	w->members = true;
}
/*
 * Add the member KEY (plain bytes) and leave its value to the caller, who
 * appends exactly one JSON value to w->out next.
 */
void rowwriter_add_key(struct rowwriter *w, const char *key, size_t key_len);
/* The same with the key RAW, already escaped: a name added to every row. */
static inline void rowwriter_add_key_raw(struct rowwriter *w, const char *raw, size_t raw_len)
{
	rowwriter_add_raw(w, raw, raw_len, "", 0);
}

/*
 * Put the member F (raw key, value as it is) into the rescued-data column.
 * The row itself is untouched: drop or set the member as well.
 */
void rowwriter_rescue(struct rowwriter *w, const struct json_field *f);

/*
 * Member I of REC is an upstream rescued-data object: it leaves its place
 * if the row is rebuilt, and is merged by rowwriter_rescued_column.  Does
 * not count as a change by itself.
 */
void rowwriter_prior_rescued(struct rowwriter *w, size_t i);

/* Has anything been rescued into the column, by this stage? */
static inline bool rowwriter_has_rescued(const struct rowwriter *w)
{
	return w->rescued && w->rescued->len;
}

/*
 * Write the rescued-data column NAME (plain bytes), after the members:
 * this stage's rescued members, then the upstream object's but its
 * "_file_path", then "_file_path" with PATH (PATH_LEN bytes, any bytes,
 * as json_path_encode writes them; NULL: null).  With nothing rescued
 * here, the upstream object as it came when the row is rebuilt, and
 * nothing otherwise.  True when the column holds members rescued here.
 */
bool rowwriter_write_rescued(struct rowwriter *w, const char *name,
			     const char *path, size_t path_len);	/* the slow path */
static inline bool rowwriter_rescued_column(struct rowwriter *w, const char *name,
					    const char *path, size_t path_len)
{
	if (!w->prior && !rowwriter_has_rescued(w))
		return false;
	return rowwriter_write_rescued(w, name, path, path_len);
}

/*
 * Finish the row: its text, LEN bytes, valid until the next begin on this
 * writer's buffers or REC's reader: REC's own text when nothing changed,
 * else OUT closed with '}'.
 */
static inline const char *rowwriter_finish(struct rowwriter *w, size_t *len)
{
	if (!w->changed) {
		*len = w->rec->len;
		return w->rec->text;
	}
	buf_addc(w->out, '}');
	*len = w->out->len;
	return w->out->data;
}

#endif
