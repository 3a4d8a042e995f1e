#ifndef INLET_JOIN_TABLE_H
#define INLET_JOIN_TABLE_H
/*
 * The static side of a join in memory.  Each static row is stored once,
 * in one arena: a small header, its key text, then the values of the
 * selected columns, all separated by TABLE_SEP; rows start at multiples
 * of 8 bytes so that a 32-bit offset in 8-byte units reaches 32 GiB.  An
 * open-addressing index of 8-byte slots holds each distinct key's hash and
 * first row: a key that is not there costs one probe, one that is there a
 * probe and its row.  Rows with the same key are chained in the order they
 * were added.
 *
 * Cost per row: its text + 16 bytes of header + up to 7 of padding + 16 to
 * 32 bytes of index.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cannot occur in JSON text (it would have to be escaped in a string). */
#define TABLE_SEP '\x1f'
#define TABLE_NONE UINT32_MAX

struct table {
	char *arena;		/* owned */
	size_t arena_len, arena_cap;
	uint32_t rows;
	struct slot {
		uint32_t hash;
		uint32_t row;	/* the key's first row, or TABLE_NONE */
	} *slots;		/* owned; at most half of them used */
	uint32_t mask;		/* slots - 1 (a power of two minus one) */
};

uint32_t hash_bytes(const char *s, size_t n);

/* Append a row: TEXT (copied) of LEN bytes whose first KEY_LEN are the key. */
void table_add(struct table *t, const char *text, size_t len, size_t key_len,
	       uint32_t hash);
/* Build the index once every row is added; trims the arena to size. */
void table_index(struct table *t);
/* The first row whose key is KEY, or TABLE_NONE. */
uint32_t table_find(const struct table *t, const char *key, size_t n, uint32_t hash);
/* The row after ROW with the same key, or TABLE_NONE. */
uint32_t table_find_next(const struct table *t, uint32_t row);
/* Every row in the order added: the first, then each next; TABLE_NONE after the last. */
uint32_t table_first_row(const struct table *t);
uint32_t table_next_row(const struct table *t, uint32_t row);
/* The key of ROW. */
const char *table_key(const struct table *t, uint32_t row, size_t *len);
/* The text of ROW after its key: "" or SEP VALUE SEP VALUE ... */
const char *table_values(const struct table *t, uint32_t row, size_t *len);
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
