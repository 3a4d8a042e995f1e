#ifndef INLET_JOIN_TABLE_H
#define INLET_JOIN_TABLE_H
/*
 * The static side of a join in memory.  Each static row is stored once,
 * in one arena: the next row with its key (4 bytes), its key text, then
 * the values of the selected columns, each after a marker byte, and a NUL;
 * rows start at multiples of 4 bytes so that a 32-bit offset in 4-byte
 * units reaches 16 GiB.  A string value is kept without its quotes (the
 * marker says so), which a row of short strings notices.  The marker and
 * separator bytes cannot occur in JSON text, where a control character
 * must be escaped.
 *
 * An open-addressing index of 8-byte slots, at most 70 % of them used
 * (not a power of two: the hash is scaled to the size), holds each
 * distinct key's hash and first row: a key that is not there costs one
 * probe, one that is there a probe and its row.  Rows with the same key
 * are chained in the order they were added.
 *
 * Cost per row: its text + 5 bytes + up to 3 of padding + about 11.5 of
 * index.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TABLE_KEY_SEP '\x1d'	/* between the parts of a key */
#define TABLE_STR '\x1e'	/* before a string value, its quotes left out */
#define TABLE_SEP '\x1f'	/* before any other value, as JSON text */
#define TABLE_NONE UINT32_MAX

struct table {
	char *arena;		/* owned */
	size_t arena_len, arena_cap;
	uint32_t rows;
	struct slot {
		uint32_t hash;
		uint32_t row;	/* the key's first row, or TABLE_NONE */
	} *slots;		/* owned; at most 70 % of them used */
	uint32_t nslots;
};

/*
 * The hash of the N bytes S, in one pass; *BACKSLASH (when not NULL) is
 * set when S holds a '\\' (a string key that needs normalising).
 */
uint32_t hash_key(const char *s, size_t n, bool *backslash);
static inline uint32_t hash_bytes(const char *s, size_t n)
{
	return hash_key(s, n, NULL);
}

/* The slot HASH starts probing at: fetch it ahead of table_find. */
static inline void table_prefetch(const struct table *t, uint32_t hash)
{
	if (t->slots)
		__builtin_prefetch(&t->slots[((uint64_t)hash * t->nslots) >> 32]);
}

/*
 * Append a row: TEXT (copied) of LEN bytes, the key (parts separated by
 * TABLE_KEY_SEP) up to the first TABLE_STR or TABLE_SEP, the values after;
 * no NUL in it.
 */
void table_add(struct table *t, const char *text, size_t len);
/*
 * Build the index once every row is added, hashing each key as
 * hash_bytes does; trims the arena to size.
 */
void table_index(struct table *t);
/* The first row whose key is KEY, or TABLE_NONE. */
uint32_t table_find(const struct table *t, const char *key, size_t n, uint32_t hash);
/* The row after ROW with the same key, or TABLE_NONE. */
static inline uint32_t table_find_next(const struct table *t, uint32_t row)
{
	uint32_t next;

	memcpy(&next, t->arena + (size_t)row * 4, sizeof(next));
	return next;
}
/* Every row in the order added: the first, then each next; TABLE_NONE after the last. */
uint32_t table_first_row(const struct table *t);
uint32_t table_next_row(const struct table *t, uint32_t row);
/* The key of ROW. */
const char *table_key(const struct table *t, uint32_t row, size_t *len);
/* The text of ROW after its key, NUL-terminated: "" or MARKER VALUE MARKER VALUE ... */
static inline const char *table_values(const struct table *t, uint32_t row)
{
	const char *p = t->arena + (size_t)row * 4 + 4;

	while (*p && *p != TABLE_STR && *p != TABLE_SEP)
		p++;
	return p;
}
/* Bytes held: arena and index. */
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
