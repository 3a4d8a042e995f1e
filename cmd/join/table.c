#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "table.h"

uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 32));
}

/* Each row in the arena starts with this, 8-byte aligned. */
struct row_head {
	uint32_t next;		/* next row with the same key, or TABLE_NONE */
	uint32_t hash;
	uint32_t len;		/* of the text that follows */
	uint32_t key_len;	/* the key is the text's first key_len bytes */
};

static struct row_head *head_of(const struct table *t, uint32_t row)
{
	return (struct row_head *)(t->arena + (size_t)row * 8);
}

void table_add(struct table *t, const char *text, size_t len, size_t key_len,
	       uint32_t hash)
{
	size_t need = (sizeof(struct row_head) + len + 7) & ~(size_t)7;

	if (len > UINT32_MAX || t->rows >= 1u << 30 ||
	    (t->arena_len + need) / 8 >= TABLE_NONE)
		die(EX_SOFTWARE, "static table too large");
	if (t->arena_len + need > t->arena_cap) {
		t->arena_cap = t->arena_cap ? t->arena_cap * 2 : 1 << 16;
		while (t->arena_len + need > t->arena_cap)
			t->arena_cap *= 2;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	struct row_head *h = (struct row_head *)(t->arena + t->arena_len);
	*h = (struct row_head){ TABLE_NONE, hash, (uint32_t)len, (uint32_t)key_len };
	memcpy(h + 1, text, len);
	memset((char *)(h + 1) + len, 0, need - sizeof(*h) - len);
	t->arena_len += need;
	t->rows++;
}

static bool same_key(const struct table *t, uint32_t row, const char *key, size_t n)
{
	const struct row_head *h = head_of(t, row);

	return h->key_len == n && !memcmp(h + 1, key, n);
}

void table_index(struct table *t)
{
	uint32_t n = 16;

	while (n < 2 * (uint64_t)t->rows)
		n *= 2;
	t->mask = n - 1;
	t->slots = xmalloc((size_t)n * sizeof(*t->slots));
	memset(t->slots, 0xff, (size_t)n * sizeof(*t->slots));
	/* The last row of each slot's chain, while building. */
	uint32_t *tail = xmalloc((size_t)n * sizeof(*tail));
	for (size_t off = 0; off < t->arena_len; ) {
		uint32_t row = (uint32_t)(off / 8), at;
		const struct row_head *h = head_of(t, row);
		for (at = h->hash & t->mask; t->slots[at].row != TABLE_NONE; at = (at + 1) & t->mask)
			if (t->slots[at].hash == h->hash &&
			    same_key(t, t->slots[at].row, (const char *)(h + 1), h->key_len))
				break;
		if (t->slots[at].row == TABLE_NONE)
			t->slots[at] = (struct slot){ h->hash, row };
		else
			head_of(t, tail[at])->next = row;
		tail[at] = row;
		off += (sizeof(*h) + h->len + 7) & ~(size_t)7;
	}
	free(tail);
	/* The doubling left up to half of the arena unused: give it back. */
	t->arena = xrealloc(t->arena, t->arena_len);
	t->arena_cap = t->arena_len;
}

uint32_t table_find(const struct table *t, const char *key, size_t n, uint32_t hash)
{
	if (!t->slots)
		return TABLE_NONE;
	for (uint32_t at = hash & t->mask; ; at = (at + 1) & t->mask) {
		const struct slot *s = &t->slots[at];
		if (s->row == TABLE_NONE)
			return TABLE_NONE;
		if (s->hash == hash && same_key(t, s->row, key, n))
			return s->row;
	}
}

uint32_t table_find_next(const struct table *t, uint32_t row)
{
	return head_of(t, row)->next;
}

uint32_t table_first_row(const struct table *t)
{
	return t->arena_len ? 0 : TABLE_NONE;
}

uint32_t table_next_row(const struct table *t, uint32_t row)
{
	const struct row_head *h = head_of(t, row);
	size_t off = (size_t)row * 8 + ((sizeof(*h) + h->len + 7) & ~(size_t)7);

	return off < t->arena_len ? (uint32_t)(off / 8) : TABLE_NONE;
}

const char *table_key(const struct table *t, uint32_t row, size_t *len)
{
	const struct row_head *h = head_of(t, row);

	*len = h->key_len;
	return (const char *)(h + 1);
}

const char *table_values(const struct table *t, uint32_t row, size_t *len)
{
	const struct row_head *h = head_of(t, row);

	*len = h->len - h->key_len;
	return (const char *)(h + 1) + h->key_len;
}

size_t table_bytes(const struct table *t)
{
	return t->arena_cap + (t->slots ? ((size_t)t->mask + 1) * sizeof(*t->slots) : 0);
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
