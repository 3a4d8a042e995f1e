#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "schema.h"
#include "table.h"

/* A slot: 23 bits of the hash, the chain flag, 40 bits of row or chain. */
#define SLOT_FREE UINT64_MAX
#define SLOT_CHAIN (1ULL << 40)
#define SLOT_PAYLOAD (SLOT_CHAIN - 1)
#define SLOT_TAG_SHIFT 41

static uint64_t tag_of(uint32_t hash)
{
	return (uint64_t)(hash & 0x7fffff) << SLOT_TAG_SHIFT;
}

static bool is_key_end(char c)
{
	return c == '\0' || c == TABLE_SEP;
}

void table_end_row(struct table *t)
{
	if (t->rows >= 1u << 30 || t->arena.len + 1 >= SLOT_PAYLOAD)
		die(EX_SOFTWARE, "static table too large");
	buf_addc(&t->arena, '\0');	/* the row's end */
	t->rows++;
}

void table_add(struct table *t, const char *text, size_t len)
{
	buf_add(&t->arena, text, len);
	table_end_row(t);
}

void table_reserve(struct table *t, size_t n)
{
	/* A hint only: rows beyond it still fit, by doubling. */
	if (n > t->arena.cap && n <= SLOT_PAYLOAD) {
		t->arena.data = xrealloc(t->arena.data, n);
		t->arena.cap = n;
		t->arena.data[t->arena.len] = '\0';
	}
}

static bool same_key(const struct table *t, table_row row, const char *key, size_t n)
{
	const char *text = t->arena.data + row;

	return names_equal(text, key, n) && is_key_end(text[n]);
}

/*
 * The length of the key of the row TEXT (of ROW_LEN bytes, to its NUL):
 * no value byte comes before the key's end, and the key holds no
 * TABLE_SEP, so the first one ends it.
 */
static size_t key_len_in(const char *text, size_t row_len)
{
	const char *sep = memchr(text, TABLE_SEP, row_len);

	return sep ? (size_t)(sep - text) : row_len;
}

static size_t key_len_of(const char *text)
{
	return key_len_in(text, strlen(text));
}

/* A row whose key an earlier row has: its key's slot, and the row. */
struct dup {
	uint32_t at;
	table_row row;
};

static int compare_dups(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* A row read ahead by table_index: its key's length and hash. */
struct ahead {
	table_row row;
	size_t key_len;
	uint32_t hash;
};

/* Rows read ahead: their slots are fetched while earlier rows go in. */
#define AHEAD 8

/*
 * The row after ROW, whose text is ROW_LEN bytes long; TABLE_NONE after
 * the last.  No byte of a row is NUL but its end: JSON text holds none,
 * and a value's length is never 0 (table.h).
 */
static table_row row_after(const struct table *t, table_row row, size_t row_len)
{
	row += row_len + 1;	/* past the row's NUL */
	return row < t->arena.len ? row : TABLE_NONE;
}

/*
 * The rows of keys met before are listed aside while the slots are
 * filled, then sorted by slot (and row: the order they were added) into
 * the chains; a table of distinct keys needs nothing more.  The index is
 * larger than the caches: each row's slot is fetched AHEAD rows early.
 */
void table_index(struct table *t)
{
	uint64_t n = (uint64_t)t->rows * 4 / 3 + 1;
	struct dup *dups = NULL;
	size_t ndups = 0, capdups = 0;
	struct ahead ring[AHEAD];
	unsigned head = 0, count = 0;

	/* Doubling, or a reservation, left part of the arena unused: give it back first. */
	t->arena.data = xrealloc(t->arena.data, t->arena.len + 1);
	t->arena.cap = t->arena.len + 1;
	t->arena.data[t->arena.len] = '\0';
	if (n < 16)
		n = 16;
	t->nslots = (uint32_t)n;
	t->slots = xmalloc((size_t)n * sizeof(*t->slots));
	memset(t->slots, 0xff, (size_t)n * sizeof(*t->slots));
	for (table_row next = table_first_row(t); ; ) {
		for (; count < AHEAD && next != TABLE_NONE; count++) {
			struct ahead *a = &ring[(head + count) % AHEAD];
			const char *text = t->arena.data + next;
			size_t row_len = strlen(text);
			a->row = next;
			a->key_len = key_len_in(text, row_len);
			a->hash = hash_bytes(text, a->key_len);
			__builtin_prefetch(&t->slots[table_home(t, a->hash)], 1);
			next = row_after(t, next, row_len);
		}
		if (!count)
			break;
		const struct ahead a = ring[head];
		head = (head + 1) % AHEAD;
		count--;
		const char *text = t->arena.data + a.row;
		uint64_t tag = tag_of(a.hash);
		uint32_t at;
		for (at = table_home(t, a.hash); t->slots[at] != SLOT_FREE;
		     at = at + 1 == t->nslots ? 0 : at + 1)
			if ((t->slots[at] & ~(SLOT_CHAIN | SLOT_PAYLOAD)) == tag &&
			    same_key(t, t->slots[at] & SLOT_PAYLOAD, text, a.key_len))
				break;
		if (t->slots[at] == SLOT_FREE) {
			t->slots[at] = tag | a.row;
		} else {
			if (ndups == capdups) {
				capdups = capdups ? 2 * capdups : 64;
				dups = xrealloc(dups, capdups * sizeof(*dups));
			}
			dups[ndups++] = (struct dup){ at, a.row };
		}
	}
	if (!ndups)
		return;
	qsort(dups, ndups, sizeof(*dups), compare_dups);
	size_t keys = 0;
	for (size_t i = 0; i < ndups; i++)
		keys += !i || dups[i].at != dups[i - 1].at;
	t->nchains = ndups + 2 * keys;
	t->chains = xmalloc(t->nchains * sizeof(*t->chains));
	for (size_t i = 0, c = 0; i < ndups; ) {
		size_t j = i;
		uint32_t at = dups[i].at;
		while (j < ndups && dups[j].at == at)
			j++;
		t->chains[c] = j - i + 1;
		t->chains[c + 1] = t->slots[at] & SLOT_PAYLOAD;
		t->slots[at] = (t->slots[at] & ~SLOT_PAYLOAD) | SLOT_CHAIN | c;
		for (c += 2; i < j; i++)
			t->chains[c++] = dups[i].row;
	}
	free(dups);
}

table_row table_find(const struct table *t, const char *key, size_t n, uint32_t hash,
		     struct table_cursor *cur)
{
	uint64_t tag = tag_of(hash);

	cur->left = 0;
	if (!t->slots)
		return TABLE_NONE;
	for (uint32_t at = table_home(t, hash); ; at = at + 1 == t->nslots ? 0 : at + 1) {
		uint64_t s = t->slots[at];
		if (s == SLOT_FREE)
			return TABLE_NONE;
		if ((s & ~(SLOT_CHAIN | SLOT_PAYLOAD)) != tag)
			continue;
		if (!(s & SLOT_CHAIN)) {
			if (same_key(t, s & SLOT_PAYLOAD, key, n))
				return s & SLOT_PAYLOAD;
			continue;
		}
		const uint64_t *chain = t->chains + (s & SLOT_PAYLOAD);
		if (same_key(t, chain[1], key, n)) {
			cur->next = chain + 2;
			cur->left = chain[0] - 1;
			return chain[1];
		}
	}
}

void table_prefetch_row(const struct table *t, uint32_t hash)
{
	if (!t->slots)
		return;
	uint64_t s = t->slots[table_home(t, hash)];
	if (s == SLOT_FREE || (s & ~(SLOT_CHAIN | SLOT_PAYLOAD)) != tag_of(hash))
		return;
	if (s & SLOT_CHAIN)
		__builtin_prefetch(t->chains + (s & SLOT_PAYLOAD));
	else
		__builtin_prefetch(t->arena.data + (s & SLOT_PAYLOAD));
}

table_row table_first_row(const struct table *t)
{
	return t->arena.len ? 0 : TABLE_NONE;
}

table_row table_next_row(const struct table *t, table_row row)
{
	return row_after(t, row, strlen(t->arena.data + row));
}

const char *table_key(const struct table *t, table_row row, size_t *len)
{
	const char *text = t->arena.data + row;

	*len = key_len_of(text);
	return text;
}

size_t table_bytes(const struct table *t)
{
	return t->arena.cap + (t->slots ? (size_t)t->nslots * sizeof(*t->slots) : 0) +
	       t->nchains * sizeof(*t->chains);
}

void table_free(struct table *t)
{
	buf_free(&t->arena);
	free(t->slots);
	free(t->chains);
	memset(t, 0, sizeof(*t));
}

static uint32_t name_hash(const struct strmap *m, const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (m->fold && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static bool name_equal(const struct strmap *m, const char *a, const char *b, size_t n)
{
	if (!m->fold)
		return !memcmp(a, b, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

static struct strmap_slot *slot_of(const struct strmap *m, const char *name, size_t n,
				   uint32_t h)
{
	for (size_t i = h & (m->cap - 1); ; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->name || (s->hash == h && s->len == n && name_equal(m, s->name, name, n)))
			return s;
	}
}

int strmap_get(const struct strmap *m, const char *name, size_t n)
{
	if (!m->count)
		return -1;
	struct strmap_slot *s = slot_of(m, name, n, name_hash(m, name, n));
	return s->name ? s->value : -1;
}

void strmap_put(struct strmap *m, const char *name, size_t n, int value)
{
	if (2 * (m->count + 1) > m->cap) {
		struct strmap old = *m;
		m->cap = m->cap ? m->cap * 2 : 16;
		m->slots = xmalloc(m->cap * sizeof(*m->slots));
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].name)
				*slot_of(m, old.slots[i].name, old.slots[i].len,
					 old.slots[i].hash) = old.slots[i];
		free(old.slots);
	}
	uint32_t h = name_hash(m, name, n);
	struct strmap_slot *s = slot_of(m, name, n, h);
	if (!s->name) {
		s->name = xmalloc(n + 1);
		memcpy(s->name, name, n);
		s->name[n] = '\0';
		s->len = n;
		s->hash = h;
		m->count++;
	}
	s->value = value;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].name);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
