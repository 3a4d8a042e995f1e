#ifndef INLET_WINDOW_STATE_H
#define INLET_WINDOW_STATE_H
/*
 * The state of inlet-window: one entry per (window start, group key
 * values), holding the running aggregates.  A million open keys must fit
 * in little memory and be found fast: entries are fixed-size records in
 * chunks (no allocation per entry), their key text sits in an arena, and
 * the hash table holds 8-byte slots, so a probe touches one cache line and
 * dereferences an entry only when 32 bits of the hash match.  Snapshots
 * are plain NDJSON files (CK/state/N), a header line then one line per
 * entry in output order.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

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

/*
 * Group keys are held as the values' exact JSON text joined by KEY_SEP (a
 * missing value is null).  JSON text never holds that byte, and it sorts
 * below every byte that can continue a value, so the joined text sorts as
 * the output's ,"k1":v1,"k2":v2 would.  Short ones (an id, a number) sit
 * in the entry itself: one cache miss fewer per lookup and per output row.
 */
#define KEY_SEP '\001'
#define KEY_INLINE 12

/*
 * An entry: its window start, row count and group keys, then the state of
 * each aggregate at the table's agg_off[i] (count needs none).  Entries
 * live in the table's chunks and move when table_evict compacts them.
 * A count entry is 32 bytes: a million open keys are 32 MB of entries.
 */
struct window {
	long long start;
	long long rows;
	/*
	 * The group keys (see KEY_SEP), window_keys(): up to KEY_INLINE bytes
	 * here, longer ones in the table's key arena and a pointer to them
	 * here (at offset 16: aligned).
	 */
	char key[KEY_INLINE];
	unsigned keys_len : 31;
	unsigned changed : 1;	/* a row was added in the current batch */
};

struct agg_sum {		/* sum, avg */
	struct decimal sum;	/* the exact running sum */
	long long n;		/* numeric values added */
};

struct agg_text {		/* min, max */
	char *text;		/* owned: the winning value's JSON text */
	size_t len;
};

/* One block of the key arena, newest first. */
struct key_block;

/* A slot of the hash table: the hash's top half and entry index + 1 (0: empty). */
struct table_slot {
	unsigned tag, index;
};

struct window_table {
	const struct window_spec *spec;		/* borrowed */
	/* owned; open addressing; NULL while table_select dropped it */
	struct table_slot *slot;
	size_t cap;				/* of slot, 2^(32 - shift) */
	int shift;
	unsigned char **chunk;			/* owned: ENTRY_CHUNK entries each */
	size_t n_chunks, count;
	size_t entry_size, *agg_off;		/* owned */
	bool agg_memory;			/* an aggregate state owns memory */
	struct key_block *keys;			/* owned */
	size_t key_bytes, dead_key_bytes;	/* used in the arena, of evicted keys */
	long long first_start, last_start;	/* no entry's start lies outside */
	int slide_shift;			/* slide = odd << slide_shift */
	unsigned long long slide_inverse;	/* odd * slide_inverse = 1 mod 2^64 */
	bool unranked;				/* starts too far apart for a rank */
	size_t *key_label_len, *agg_label_len;	/* owned */
	struct decimal scratch[2];		/* for the per-row arithmetic */
	struct buf text[2];
	struct buf window_text;			/* "{"window":{...}" of ... */
	long long window_text_start;		/* ... this start; */
	size_t end_at, end_len;			/* where its end's text is */
};

#define ENTRY_CHUNK_BITS 12
#define ENTRY_CHUNK (1U << ENTRY_CHUNK_BITS)

static inline const char *window_keys(const struct window *w)
{
	const char *arena;

	if (w->keys_len <= KEY_INLINE)
		return w->key;
	memcpy(&arena, w->key, sizeof(arena));
	return arena;
}

/* Entry I of T (I < T->count). */
static inline struct window *table_window(const struct window_table *t, size_t i)
{
	return (struct window *)(t->chunk[i >> ENTRY_CHUNK_BITS] +
				 (i & (ENTRY_CHUNK - 1)) * t->entry_size);
}

void table_init(struct window_table *t, const struct window_spec *spec);
void table_free(struct window_table *t);

/*
 * The entry of START and KEYS (joined by KEY_SEP), created empty when
 * missing.  The pointer is valid until the next table_evict.
 */
struct window *table_get(struct window_table *t, long long start,
			 const char *keys, size_t keys_len);

/* The hash tag of START and KEYS that table_get computes. */
unsigned table_tag(long long start, const char *keys, size_t keys_len);

/* table_get for a caller that has TAG, table_tag(START, KEYS, KEYS_LEN), already. */
struct window *table_get_tagged(struct window_table *t, unsigned tag, long long start,
				const char *keys, size_t keys_len);

/* Start loading the slot where table_get will look for an entry of TAG. */
void table_warm(const struct window_table *t, unsigned tag);

/*
 * Add the JSON value VAL (borrowed; NULL when the row lacks the field) to
 * aggregate I of W.  -1 when sum or avg was given a value that is not a
 * decimal number (it is ignored, as SQL ignores NULL), else 0.
 */
int window_add(struct window_table *t, struct window *w, size_t i,
	       const char *val, size_t len);

/*
 * An entry in a sorted list, 16 bytes: the rank of its window start (in
 * slides after the table's first start) and its first key bytes, which
 * decide most comparisons without loading the entry, and its index.
 */
struct window_ref {
	unsigned long long prefix;
	unsigned rank, index;
};

/*
 * The entries for which KEEP(w, arg) is true (KEEP NULL: all of them),
 * sorted by window start then group key text, in a malloc'd array the
 * caller frees; its indexes hold until the next table_evict.  A list of
 * half the entries or more takes the place of the hash table's slots: they
 * are freed, and the next table_get builds them again.
 */
struct window_ref *table_select(struct window_table *t,
				bool (*keep)(const struct window *, long long),
				long long arg, size_t *count);

/* Start loading the entries LIST[I + ...] (of N) that a loop will need soon. */
void table_prefetch(const struct window_table *t, const struct window_ref *list,
		    size_t n, size_t i);


/*
 * Remove (and free) every entry whose window ends at or before WATERMARK;
 * the others are compacted, so pointers to entries go stale.
 */
size_t table_evict(struct window_table *t, long long watermark);

/* Append W's output row and a newline to OUT. */
void window_format(struct window_table *t, const struct window *w, struct buf *out);

/* The canonical text of SPEC, stored in a snapshot's header. */
void spec_describe(const struct window_spec *spec, const char *time_field,
		   const char *mode, struct buf *out);

/*
 * Append the snapshot of T after BATCH, with WATERMARK and OPTIONS, to OUT,
 * leaving out the entries whose window ends at or before EVICTED (those
 * the caller's table_evict is about to drop; NO_WATERMARK: none).  EXTRA,
 * when not NULL, is more members for the header (",\"name\":value...").
 */
void table_snapshot(struct window_table *t, long long batch, long long watermark,
		    long long evicted, const char *options, const char *extra,
		    struct buf *out);

/*
 * Load the snapshot TEXT (read from PATH, for messages) into the empty T.
 * *WATERMARK gets its watermark, and HEADER (when not NULL) the header
 * line, for the members EXTRA added.  Dies with EX_DATAERR naming PATH and
 * the line when it is malformed or not of BATCH, and with EX_USAGE when it
 * was written with other OPTIONS.
 */
void table_restore(struct window_table *t, const char *path, struct buf *text,
		   long long batch, const char *options, long long *watermark,
		   struct buf *header);

/*
 * Partial states (inlet-window --partial, --merge; the row shape is in
 * inlet-window(1)).  Append W's partial row to OUT: HEAD (the members
 * before "window", ending in a comma), then its window, keys, rows and
 * aggregate states, and a newline.
 */
void window_format_partial(struct window_table *t, const struct window *w,
			   const char *head, struct buf *out);

/*
 * Combine into aggregate I of W the partial state VAL (its raw JSON text)
 * of a partial row that held ROWS rows: counts and sums add, min and max
 * compete, sketches merge (distinct_merge).  0, or -1 when VAL is not such
 * a state.
 */
int window_merge(struct window_table *t, struct window *w, size_t i, long long rows,
		 const char *val, size_t len);

#endif
