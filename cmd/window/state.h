#ifndef INLET_WINDOW_STATE_H
#define INLET_WINDOW_STATE_H
/*
 * The state of inlet-window: one entry per (window start, group key
 * values), holding the running aggregates, in a hash table.  Snapshots of
 * it are plain NDJSON files (CK/state/N), a header line then one line per
 * entry in output order.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "decimal.h"
#include "distinct.h"

#define STATE_LAYOUT 1
#define NO_WATERMARK LLONG_MIN

enum agg_kind { AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_DISTINCT };

struct agg_spec {
	enum agg_kind kind;
	const char *field;	/* borrowed from argv; NULL for count */
	char *label;		/* owned: ,"sum_amount": */
};

/* What the state is a state of: checked against a snapshot's "options". */
struct window_spec {
	long long size_us, slide_us;
	size_t n_keys;
	const char **keys;	/* borrowed group-by key names */
	char **key_labels;	/* owned: ,"customer_id": */
	size_t n_aggs;
	struct agg_spec *aggs;
};

struct agg_state {
	struct decimal sum;	/* sum, avg: the exact running sum */
	long long n;		/* sum, avg: numeric values added */
	char *text;		/* min, max: the winning value's JSON text (owned) */
	size_t len;
	struct distinct distinct;
};

struct window {
	long long start;
	unsigned long long hash;
	char *keys;		/* owned: the group keys as output text, ,"k":v... */
	size_t keys_len;
	long long rows;
	bool changed;		/* a row was added in the current batch */
	struct agg_state agg[];	/* spec->n_aggs of them */
};

struct window_table {
	const struct window_spec *spec;		/* borrowed */
	struct window **slot;			/* owned; open addressing */
	size_t cap, count;
	struct decimal scratch[2];		/* for the per-row arithmetic */
	struct buf text[2];
	struct buf window_text;			/* "{"window":{...}" of ... */
	long long window_text_start;		/* ... this start */
};

void table_init(struct window_table *t, const struct window_spec *spec);
void table_free(struct window_table *t);

/* The entry of START and KEYS (output text), created empty when missing. */
struct window *table_get(struct window_table *t, long long start,
			 const char *keys, size_t keys_len);

/*
 * Add the JSON value VAL (borrowed; NULL when the row lacks the field) to
 * aggregate I of W.  -1 when sum or avg was given a value that is not a
 * decimal number (it is ignored, as SQL ignores NULL), else 0.
 */
int window_add(struct window_table *t, struct window *w, size_t i,
	       const char *val, size_t len);

/*
 * The entries for which KEEP(w, arg) is true, sorted by window start then
 * group key text, in a malloc'd array the caller frees.
 */
struct window **table_select(struct window_table *t,
			     bool (*keep)(const struct window *, long long),
			     long long arg, size_t *count);

/* Remove (and free) every entry whose window ends at or before WATERMARK. */
size_t table_evict(struct window_table *t, long long watermark);

/* Append W's output row and a newline to OUT. */
void window_format(struct window_table *t, const struct window *w, struct buf *out);

/* The canonical text of SPEC, stored in a snapshot's header. */
void spec_describe(const struct window_spec *spec, const char *time_field,
		   const char *mode, struct buf *out);

/* Append the snapshot of T after BATCH, with WATERMARK and OPTIONS, to OUT. */
void table_snapshot(struct window_table *t, long long batch, long long watermark,
		    const char *options, struct buf *out);

/*
 * Load the snapshot TEXT (read from PATH, for messages) into the empty T.
 * *WATERMARK gets its watermark.  Dies with EX_DATAERR naming PATH and the
 * line when it is malformed or not of BATCH, and with EX_USAGE when it was
 * written with other OPTIONS.
 */
void table_restore(struct window_table *t, const char *path, struct buf *text,
		   long long batch, const char *options, long long *watermark);

#endif
