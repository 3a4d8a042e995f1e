#ifndef INLET_JOIN_TABLE_H
#define INLET_JOIN_TABLE_H
/*
 * The static side of a join in memory.  Each static row is stored once,
 * in one arena, one after another: its key text, TABLE_SEP, the values of
 * the selected columns, and a NUL.  Each value is its length and kind in
 * a byte or more (a varint of LEN * 2 + STRING; never 0) and its text, a
 * string without its quotes, so a value is copied out without a scan.
 * The separator bytes cannot occur in JSON text, where a control
 * character must be escaped.  A row is named by its offset in the arena.
 *
 * An open-addressing index of 8-byte slots, at most 75 % of them used
 * (not a power of two: the hash is scaled to the size), holds for each
 * distinct key 23 bits of its hash and its row: a key that is not there
 * costs a probe, one that is there a probe and its row.  A key with
 * several rows holds instead its place in a list of chains: the count,
 * then the rows in the order they were added.
 *
 * Cost per row: its text (strings without quotes) + 2 bytes + about 10.7
 * of index; 8 more per row
 * of a key that has several, and 16 per such key.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

#define TABLE_KEY_SEP '\x1d'	/* between the parts of a key */
#define TABLE_SEP '\x1f'	/* after the key */

typedef uint64_t table_row;	/* a row's offset in the arena */
#define TABLE_NONE UINT64_MAX

struct table {
	struct buf arena;	/* owned: the rows, each ended by a NUL */
	uint32_t rows;
	uint64_t *slots;	/* owned: tag, chain flag, row or chain; ~0: free;
				   at most 75 % of them used */
	uint32_t nslots;
	uint64_t *chains;	/* owned: per key of several rows: count, rows */
	size_t nchains;
};

/* Where table_find_next goes on: the rest of a key's rows. */
struct table_cursor {
	const uint64_t *next;
	size_t left;
};

/* Any byte of X zero (exact: no false positives). */
#define TABLE_HAS_ZERO(x) (((x) - 0x0101010101010101ULL) & ~(x) & 0x8080808080808080ULL)

/*
 * The hash of the N bytes S, in one pass; *BACKSLASH (when not NULL) is
 * set when S holds a '\\' (a string key that needs normalising).  Eight
 * bytes at a time, the last word overlapping the one before (a short key
 * in two overlapping halves), a multiply per word, then murmur3's
 * finaliser.  Inline: once per row of the stream.
 */
static inline uint32_t hash_key(const char *s, size_t n, bool *backslash)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL, bs = 0x5c5c5c5c5c5c5c5cULL;
	uint64_t h = n * k, w, seen;
	uint32_t lo, hi;

	if (n >= 8) {
		seen = 0;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, s + i, 8);
			seen |= TABLE_HAS_ZERO(w ^ bs);
			h = (h ^ w) * k;
			h ^= h >> 32;
		}
		memcpy(&w, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		w = (uint64_t)hi << 32 | lo;
		seen = 0;
	} else {
		/* Bytes 0, n/2 and n-1 are every byte of 1 to 3; the zeros above are no '\\'. */
		w = n ? (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
			(uint64_t)(unsigned char)s[n - 1] << 16 : 0;
		seen = 0;
	}
	seen |= TABLE_HAS_ZERO(w ^ bs);
	h = (h ^ w) * k;
	if (backslash)
		*backslash = seen != 0;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}
static inline uint32_t hash_bytes(const char *s, size_t n)
{
	return hash_key(s, n, NULL);
}

/* The slot HASH starts probing at. */
static inline uint32_t table_home(const struct table *t, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * t->nslots) >> 32);
}

/* Fetch the slot of HASH into the cache ahead of table_find. */
static inline void table_prefetch(const struct table *t, uint32_t hash)
{
	if (t->slots)
		__builtin_prefetch(&t->slots[table_home(t, hash)]);
}

/*
 * The next step of a lookup to come, once table_prefetch's slot is in
 * the cache: fetch the row (or the list of rows) it names when its tag
 * is HASH's.
 */
void table_prefetch_row(const struct table *t, uint32_t hash);

/*
 * Write at P the JSON value VAL of N bytes as a row holds it, at most
 * N + 10 bytes (no NUL after it); the end of what was written.
 */
static inline char *table_write_value(char *p, const char *val, size_t n)
{
	bool string = val[0] == '"';
	uint64_t h;

	if (string) {
		val++;
		n -= 2;
	}
	for (h = (uint64_t)n << 1 | string; h >= 0x80; h >>= 7)
		*p++ = (char)(h | 0x80);
	*p++ = (char)h;
	copy_short(p, val, n);
	return p + n;
}

/* Append to ROW the JSON value VAL of N bytes as a row holds it. */
static inline void table_put_value(struct buf *row, const char *val, size_t n)
{
	buf_grow(row, n + 10);
	row->len = (size_t)(table_write_value(row->data + row->len, val, n) - row->data);
	row->data[row->len] = '\0';
}

/*
 * The value at P (from table_values, or what this returned): its text in
 * *VAL and *N, *STRING when it is a string without its quotes; the next
 * value after it.  NULL at the row's end.
 */
static inline const char *table_next_value(const char *p, const char **val, size_t *n,
					   bool *string)
{
	uint64_t h = 0;
	unsigned shift = 0;

	if (!*p)
		return NULL;
	while ((unsigned char)*p & 0x80) {
		h |= (uint64_t)((unsigned char)*p++ & 0x7f) << shift;
		shift += 7;
	}
	h |= (uint64_t)(unsigned char)*p++ << shift;
	*string = h & 1;
	*n = (size_t)(h >> 1);
	*val = p;
	return p + *n;
}

/*
 * Append a row: TEXT (copied) of LEN bytes, the key (parts separated by
 * TABLE_KEY_SEP), then nothing or TABLE_SEP and values of table_put_value.
 */
void table_add(struct table *t, const char *text, size_t len);
/*
 * Or build it in place, with no copy: append that text to the arena
 * table_arena returns, then end the row with table_end_row.
 */
static inline struct buf *table_arena(struct table *t)
{
	return &t->arena;
}
void table_end_row(struct table *t);
/*
 * Make room for N bytes of rows at once (the size of the files a table
 * is read from bounds it, nearly): the arena grows in one step, not by
 * doubling, and table_index gives back what was not used.
 */
void table_reserve(struct table *t, size_t n);
/*
 * Build the index once every row is added, hashing each key as
 * hash_bytes does; trims the arena to size first.
 */
void table_index(struct table *t);
/*
 * The first row whose key is KEY, or TABLE_NONE; the others follow from
 * table_find_next with CUR.
 */
table_row table_find(const struct table *t, const char *key, size_t n, uint32_t hash,
		     struct table_cursor *cur);
/* The next row with the key table_find looked up, or TABLE_NONE. */
static inline table_row table_find_next(struct table_cursor *cur)
{
	if (!cur->left)
		return TABLE_NONE;
	cur->left--;
	return *cur->next++;
}
/* Every row in the order added: the first, then each next; TABLE_NONE after the last. */
table_row table_first_row(const struct table *t);
table_row table_next_row(const struct table *t, table_row row);
/* The key of ROW. */
const char *table_key(const struct table *t, table_row row, size_t *len);
/* The first value of ROW, for table_next_value. */
static inline const char *table_values(const struct table *t, table_row row)
{
	const char *p = t->arena.data + row;

	while (*p && *p != TABLE_SEP)
		p++;
	return *p ? p + 1 : p;
}
/* Bytes held: arena, index and chains. */
size_t table_bytes(const struct table *t);
void table_free(struct table *t);

/*
 * A small map from names to ints (open addressing).  With FOLD, names
 * compare ASCII case-insensitively, as Spark and SQLite compare columns.
 */
struct strmap {
	struct strmap_slot {
		char *name;	/* owned, NUL-terminated; NULL: free slot */
		size_t len;
		uint32_t hash;
		int value;
	} *slots;
	size_t cap, count;
	bool fold;
};

/* The value of NAME, or -1 when absent. */
int strmap_get(const struct strmap *m, const char *name, size_t n);
/* Set NAME (copied) to VALUE, which must be >= 0. */
void strmap_put(struct strmap *m, const char *name, size_t n, int value);
void strmap_free(struct strmap *m);

#endif
