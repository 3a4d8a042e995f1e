#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "table.h"

/* Any byte of X zero (exact: no false positives). */
#define HAS_ZERO(x) (((x) - 0x0101010101010101ULL) & ~(x) & 0x8080808080808080ULL)

/* Eight bytes at a time: a multiply per word, then a final mix. */
uint32_t hash_key(const char *s, size_t n, bool *backslash)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL, bs = 0x5c5c5c5c5c5c5c5cULL;
	uint64_t h = n * k, w, seen = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		seen |= HAS_ZERO(w ^ bs);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);	/* the zeros after are no '\\' */
		seen |= HAS_ZERO(w ^ bs);
		h = (h ^ w) * k;
	}
	if (backslash)
		*backslash = seen != 0;
	h ^= h >> 33;			/* murmur3's finaliser */
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool is_key_end(char c)
{
	return c == '\0' || c == TABLE_STR || c == TABLE_SEP;
}

/* The row's text: past its next-row word. */
static char *text_of(const struct table *t, uint32_t row)
{
	return t->arena + (size_t)row * 4 + 4;
}

static void set_next(struct table *t, uint32_t row, uint32_t next)
{
	memcpy(t->arena + (size_t)row * 4, &next, sizeof(next));
}

void table_add(struct table *t, const char *text, size_t len)
{
	size_t need = (4 + len + 1 + 3) & ~(size_t)3;

	if (len > UINT32_MAX || t->rows >= 1u << 30 ||
	    (t->arena_len + need) / 4 >= TABLE_NONE)
		die(EX_SOFTWARE, "static table too large");
	if (t->arena_len + need > t->arena_cap) {
		t->arena_cap = t->arena_cap ? t->arena_cap * 2 : 1 << 16;
		while (t->arena_len + need > t->arena_cap)
			t->arena_cap *= 2;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	char *row = t->arena + t->arena_len;
	uint32_t none = TABLE_NONE;
	memcpy(row, &none, 4);
	memcpy(row + 4, text, len);
	memset(row + 4 + len, 0, need - 4 - len);	/* the NUL and the padding */
	t->arena_len += need;
	t->rows++;
}

static bool same_key(const struct table *t, uint32_t row, const char *key, size_t n)
{
	const char *text = text_of(t, row);

	return !memcmp(text, key, n) && is_key_end(text[n]);
}

static uint32_t home(const struct table *t, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * t->nslots) >> 32);
}

static size_t key_len_of(const char *text)
{
	const char *p = text;

	while (!is_key_end(*p))
		p++;
	return (size_t)(p - text);
}

/*
 * While building, a slot holds the last row of its key and each row the
 * one before (a stack); the keys that had more than one row, marked in
 * MANY, are turned around at the end.  So building touches no row twice
 * and needs no array of tails.
 */
void table_index(struct table *t)
{
	uint64_t n = (uint64_t)t->rows * 10 / 7 + 1;

	if (n < 16)
		n = 16;
	t->nslots = (uint32_t)n;
	t->slots = xmalloc((size_t)n * sizeof(*t->slots));
	memset(t->slots, 0xff, (size_t)n * sizeof(*t->slots));
	uint64_t *many = xmalloc((size_t)(n + 63) / 64 * sizeof(*many));
	memset(many, 0, (size_t)(n + 63) / 64 * sizeof(*many));
	for (size_t off = 0; off < t->arena_len; ) {
		uint32_t row = (uint32_t)(off / 4), at;
		const char *text = text_of(t, row);
		size_t key_len = key_len_of(text);
		uint32_t hash = hash_bytes(text, key_len);
		for (at = home(t, hash); t->slots[at].row != TABLE_NONE;
		     at = at + 1 == t->nslots ? 0 : at + 1)
			if (t->slots[at].hash == hash && same_key(t, t->slots[at].row, text, key_len))
				break;
		if (t->slots[at].row != TABLE_NONE) {
			set_next(t, row, t->slots[at].row);
			many[at / 64] |= 1ULL << (at % 64);
		}
		t->slots[at] = (struct slot){ hash, row };
		off += (4 + key_len + strlen(text + key_len) + 1 + 3) & ~(size_t)3;
	}
	for (uint32_t at = 0; at < t->nslots; at++) {
		if (!(many[at / 64] >> (at % 64) & 1))
			continue;
		uint32_t prev = TABLE_NONE, row = t->slots[at].row;
		while (row != TABLE_NONE) {
			uint32_t next = table_find_next(t, row);
			set_next(t, row, prev);
			prev = row;
			row = next;
		}
		t->slots[at].row = prev;
	}
	free(many);
	/* The doubling left up to half of the arena unused: give it back. */
	t->arena = xrealloc(t->arena, t->arena_len ? t->arena_len : 1);
	t->arena_cap = t->arena_len;
}

uint32_t table_find(const struct table *t, const char *key, size_t n, uint32_t hash)
{
	if (!t->slots)
		return TABLE_NONE;
	for (uint32_t at = home(t, hash); ; at = at + 1 == t->nslots ? 0 : at + 1) {
		const struct slot *s = &t->slots[at];
		if (s->row == TABLE_NONE)
			return TABLE_NONE;
		if (s->hash == hash && same_key(t, s->row, key, n))
			return s->row;
	}
}

uint32_t table_first_row(const struct table *t)
{
	return t->arena_len ? 0 : TABLE_NONE;
}

uint32_t table_next_row(const struct table *t, uint32_t row)
{
	size_t off = (size_t)row * 4 + ((4 + strlen(text_of(t, row)) + 1 + 3) & ~(size_t)3);

	return off < t->arena_len ? (uint32_t)(off / 4) : TABLE_NONE;
}

const char *table_key(const struct table *t, uint32_t row, size_t *len)
{
	const char *text = text_of(t, row);

	*len = key_len_of(text);
	return text;
}

size_t table_bytes(const struct table *t)
{
	return t->arena_cap + (t->slots ? (size_t)t->nslots * sizeof(*t->slots) : 0);
}

void table_free(struct table *t)
{
	free(t->arena);
	free(t->slots);
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
