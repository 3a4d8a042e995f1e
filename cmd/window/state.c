#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "die.h"
#include "json.h"
#include "state.h"
#include "datetime.h"
#include "value.h"

/* A count entry in 32 bytes: see struct window. */
_Static_assert(sizeof(struct window) == 32, "struct window is not 32 bytes");

#define MIN_CAP 1024
#define HUGE_PAGE (2 << 20)
#define SLOTS_PIECE (64 << 10)	/* slots_grow hands old slots back in these */
#define KEY_BLOCK (256 * 1024 - 64)	/* bytes of key text per arena block */

struct key_block {
	struct key_block *next;
	size_t size, used;
	char data[];
};

static size_t agg_size(enum agg_kind kind)
{
	switch (kind) {
	case AGG_SUM:
	case AGG_AVG:
		return sizeof(struct agg_sum);
	case AGG_MIN:
	case AGG_MAX:
		return sizeof(struct agg_text);
	case AGG_DISTINCT:
		return sizeof(struct distinct);
	case AGG_COUNT:
		break;
	}
	return 0;
}

static void *agg_state(const struct window_table *t, const struct window *w, size_t i)
{
	return (char *)w + t->agg_off[i];
}

static void aggs_free(const struct window_table *t, struct window *w)
{
	for (size_t i = 0; i < t->spec->n_aggs; i++) {
		switch (t->spec->aggs[i].kind) {
		case AGG_SUM:
		case AGG_AVG:
			decimal_free(&((struct agg_sum *)agg_state(t, w, i))->sum);
			break;
		case AGG_MIN:
		case AGG_MAX:
			free(((struct agg_text *)agg_state(t, w, i))->text);
			break;
		case AGG_DISTINCT:
			distinct_free(agg_state(t, w, i));
			break;
		case AGG_COUNT:
			break;
		}
	}
}

static void keys_free(struct key_block *b)
{
	while (b) {
		struct key_block *next = b->next;
		free(b);
		b = next;
	}
}

static void slots_free(struct window_table *t);

void table_free(struct window_table *t)
{
	for (size_t i = 0; t->agg_memory && i < t->count; i++)
		aggs_free(t, table_window(t, i));
	for (size_t i = 0; i < t->n_chunks; i++)
		free(t->chunk[i]);
	free(t->chunk);
	keys_free(t->keys);
	slots_free(t);
	free(t->agg_off);
	free(t->agg_label_len);
	free(t->key_label_len);
	for (int i = 0; i < 2; i++) {
		decimal_free(&t->scratch[i]);
		buf_free(&t->text[i]);
	}
	buf_free(&t->window_text);
}

/* A copy of the N bytes at KEYS in the arena. */
static const char *key_store(struct window_table *t, const char *keys, size_t n)
{
	struct key_block *b = t->keys;
	char *p;

	if (!n)
		return "";
	if (!b || b->size - b->used < n) {
		/* A long key gets a block of its own; the open block stays open. */
		bool own = n > KEY_BLOCK / 4;
		struct key_block *nb = xmalloc(sizeof(*nb) + (own ? n : KEY_BLOCK));
		nb->size = own ? n : KEY_BLOCK;
		nb->used = 0;
		if (own && b) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			t->keys = nb;
		}
		b = nb;
	}
	p = b->data + b->used;
	memcpy(p, keys, n);
	b->used += n;
	t->key_bytes += n;
	return p;
}

/* Point W at its keys' copy P in the arena. */
static void key_set_arena(struct window *w, const char *p)
{
	memcpy(w->key, &p, sizeof(p));
}

/* Copy the live keys to a new arena, leaving the evicted ones behind. */
static void keys_compact(struct window_table *t)
{
	struct key_block *old = t->keys;

	t->keys = NULL;
	t->key_bytes = t->dead_key_bytes = 0;
	for (size_t i = 0; i < t->count; i++) {
		struct window *w = table_window(t, i);
		if (w->keys_len > KEY_INLINE)
			key_set_arena(w, key_store(t, window_keys(w), w->keys_len));
	}
	keys_free(old);
}

/* Any good 64-bit mix will do: the table's hashes are never stored. */
static unsigned long long entry_hash(long long start, const char *keys, size_t n)
{
	const unsigned long long k = 0xbf58476d1ce4e5b9ULL;
	unsigned long long h = (unsigned long long)start * 0x9e3779b97f4a7c15ULL ^ n;
	unsigned long long word;

	for (; n >= 8; keys += 8, n -= 8) {
		memcpy(&word, keys, 8);
		h = (h ^ word) * k;
		h ^= h >> 29;
	}
	if (n) {
		word = 0;
		memcpy(&word, keys, n);
		h = (h ^ word) * k;
	}
	h ^= h >> 32;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

/*
 * An entry's home slot is the top bits of its tag, so growing the table
 * needs no hash but the tag: the slots are moved in order, each to about
 * twice its place, a sequential pass rather than a cache miss per entry.
 */
static size_t home(const struct window_table *t, unsigned tag)
{
	return (size_t)tag >> t->shift;
}

/* The first free slot at or after TAG's home. */
static size_t free_slot(const struct window_table *t, unsigned tag)
{
	size_t mask = t->cap - 1, i = home(t, tag);

	while (t->slot[i].index)
		i = (i + 1) & mask;
	return i;
}

/*
 * Slots of HUGE_PAGE bytes or more (a power of two: whole huge pages) are
 * mapped straight from the kernel, aligned for huge pages: every lookup
 * lands on a random slot, and a huge page spares a TLB miss.  Mapped
 * memory is zero until written, so no memset touches it all at once,
 * and slots_grow hands the old slots back a piece at a time.
 */
static bool slots_mapped(size_t cap)
{
	return cap * sizeof(struct table_slot) >= HUGE_PAGE;
}

static void slots_alloc(struct window_table *t, size_t cap)
{
	size_t size = cap * sizeof(*t->slot);

	t->cap = cap;
	for (t->shift = 32; cap > 1; cap >>= 1)
		t->shift--;
	if (!slots_mapped(t->cap)) {
		t->slot = xmalloc(size);
		memset(t->slot, 0, size);
		return;
	}
	/* Map a huge page more, then trim it to an aligned SIZE. */
	char *p = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die(EX_OSERR, "out of memory allocating %zu bytes", size);
	char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + size, (size_t)(p + HUGE_PAGE - a));
	madvise(a, size, MADV_HUGEPAGE);
	t->slot = (struct table_slot *)(void *)a;
}

static void slots_free(struct window_table *t)
{
	if (t->slot && slots_mapped(t->cap))
		munmap(t->slot, t->cap * sizeof(*t->slot));
	else
		free(t->slot);
	t->slot = NULL;
}

/*
 * Twice the slots.  Mapped old slots are given back SLOTS_PIECE at a time
 * as they are moved, not after the last: slots go to about twice their
 * place, so the new slots written and the old not yet moved hold about
 * the new table's memory, where both tables whole would hold half as
 * much again at the moment the state is largest.
 */
static void slots_grow(struct window_table *t)
{
	struct table_slot *old = t->slot;
	size_t old_cap = t->cap, piece = SLOTS_PIECE / sizeof(*old);
	bool mapped = slots_mapped(old_cap);

	slots_alloc(t, 2 * old_cap);
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].index)
			t->slot[free_slot(t, old[i].tag)] = old[i];
		if (mapped && (i + 1) % piece == 0)
			madvise(old + i + 1 - piece, SLOTS_PIECE, MADV_DONTNEED);
	}
	if (mapped)
		munmap(old, old_cap * sizeof(*old));
	else
		free(old);
}

/* A table of CAP slots holding every entry, at new indexes. */
static void slots_build(struct window_table *t, size_t cap)
{
	slots_free(t);
	slots_alloc(t, cap);
	for (size_t i = 0; i < t->count; i++) {
		const struct window *w = table_window(t, i);
		unsigned tag = (unsigned)(entry_hash(w->start, window_keys(w),
						     w->keys_len) >> 32);
		t->slot[free_slot(t, tag)] = (struct table_slot){ tag, (unsigned)i + 1 };
	}
}

/*
 * Starts are multiples of the slide, so (start - first) / slide is exact:
 * a shift and a multiplication by the inverse of the slide's odd part.
 */
static void slide_divider(struct window_table *t, long long slide)
{
	unsigned long long odd = (unsigned long long)slide, inv;

	t->slide_shift = __builtin_ctzll(odd);
	odd >>= t->slide_shift;
	inv = odd;		/* right in 3 bits; each step doubles them */
	for (int i = 0; i < 5; i++)
		inv *= 2 - odd * inv;
	t->slide_inverse = inv;
}

void table_init(struct window_table *t, const struct window_spec *spec)
{
	size_t size = sizeof(struct window);

	memset(t, 0, sizeof(*t));
	t->spec = spec;
	t->first_start = LLONG_MAX;
	t->last_start = LLONG_MIN;
	slide_divider(t, spec->slide_us);
	t->agg_off = xmalloc((spec->n_aggs + 1) * sizeof(*t->agg_off));
	t->agg_label_len = xmalloc((spec->n_aggs + 1) * sizeof(*t->agg_label_len));
	for (size_t i = 0; i < spec->n_aggs; i++) {
		size = (size + 7) & ~(size_t)7;
		t->agg_off[i] = size;
		size += agg_size(spec->aggs[i].kind);
		t->agg_memory |= spec->aggs[i].kind != AGG_COUNT;
		t->agg_label_len[i] = strlen(spec->aggs[i].label);
	}
	t->entry_size = (size + 7) & ~(size_t)7;
	t->key_label_len = xmalloc((spec->n_keys + 1) * sizeof(*t->key_label_len));
	for (size_t i = 0; i < spec->n_keys; i++)
		t->key_label_len[i] = strlen(spec->key_labels[i]);
	slots_alloc(t, MIN_CAP);
}

unsigned table_tag(long long start, const char *keys, size_t keys_len)
{
	return (unsigned)(entry_hash(start, keys, keys_len) >> 32);
}

struct window *table_get(struct window_table *t, long long start,
			 const char *keys, size_t keys_len)
{
	return table_get_tagged(t, table_tag(start, keys, keys_len), start, keys, keys_len);
}

struct window *table_get_tagged(struct window_table *t, unsigned tag, long long start,
				const char *keys, size_t keys_len)
{
	size_t mask, i;
	struct window *w;

	if (!t->slot)
		slots_build(t, t->cap);	/* table_select dropped them */
	mask = t->cap - 1;
	i = home(t, tag);

	/* Only a tag match loads the entry: a miss costs one cache line. */
	for (; t->slot[i].index; i = (i + 1) & mask) {
		if (t->slot[i].tag != tag)
			continue;
		w = table_window(t, t->slot[i].index - 1);
		if (w->start == start && w->keys_len == keys_len &&
		    (!keys_len || !memcmp(window_keys(w), keys, keys_len)))
			return w;
	}
	/* Indexes and tags are 32 bits: at most 2^31 entries in 2^32 slots. */
	if (t->count >= INT_MAX || keys_len > INT_MAX)
		die(EX_DATAERR, "too much state: more than %d windows, or a group key "
		    "over 2 GiB", INT_MAX);
	if ((t->count + 1) * 10 > t->cap * 7) {
		slots_grow(t);
		i = free_slot(t, tag);
	}
	if (t->count >> ENTRY_CHUNK_BITS == t->n_chunks) {
		t->chunk = xrealloc(t->chunk, (t->n_chunks + 1) * sizeof(*t->chunk));
		t->chunk[t->n_chunks++] = xmalloc(ENTRY_CHUNK * t->entry_size);
	}
	w = table_window(t, t->count++);
	memset(w, 0, t->entry_size);
	w->start = start;
	if (start < t->first_start)
		t->first_start = start;
	if (start > t->last_start)
		t->last_start = start;
	if (keys_len <= KEY_INLINE)
		memcpy(w->key, keys ? keys : "", keys_len);
	else
		key_set_arena(w, key_store(t, keys, keys_len));
	w->keys_len = (unsigned)keys_len & INT_MAX;
	t->slot[i] = (struct table_slot){ tag, (unsigned)t->count };
	return w;
}

void table_warm(const struct window_table *t, unsigned tag)
{
	if (t->slot)
		__builtin_prefetch(&t->slot[home(t, tag)]);
}

/* Bounds that keep "1e999999999" from eating the memory of a sum. */
#define SUM_MAX_SCALE 1000
#define SUM_MAX_DIGITS 2000

/*
 * decimal_parse within the bounds above (digits after the point, digits in
 * all), brought to a scale of at least 0; 0 or -1.
 */
static int sum_decimal(struct decimal *d, const char *text, size_t len)
{
	if (decimal_parse(d, text, len) < 0 || d->scale > SUM_MAX_SCALE ||
	    decimal_digits(d) + (d->scale < 0 ? (size_t)-(long)d->scale : 0) > SUM_MAX_DIGITS)
		return -1;
	if (d->scale < 0)
		decimal_rescale(d, 0);
	return 0;
}

/* A JSON number, or a string holding a decimal number, into D; 0 or -1. */
static int numeric(struct decimal *d, const char *val, size_t len)
{
	if (json_is_string(val, len))
		return sum_decimal(d, val + 1, len - 2);
	if (len && (val[0] == '-' || (val[0] >= '0' && val[0] <= '9')))
		return sum_decimal(d, val, len);
	return -1;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = alen && blen ? memcmp(a, b, alen < blen ? alen : blen) : 0;

	return c ? c : (alen > blen) - (alen < blen);
}

/*
 * The order of min and max: numbers (JSON numbers and strings holding a
 * decimal, compared exactly) before other strings (compared by their UTF-8
 * bytes, i.e. by code point, as Spark compares strings) before anything
 * else (true, false, objects, arrays: by their JSON text).
 */
static int value_cmp(struct window_table *t, const char *a, size_t alen,
		     const char *b, size_t blen)
{
	bool an = numeric(&t->scratch[0], a, alen) == 0;
	bool bn = numeric(&t->scratch[1], b, blen) == 0;
	int ra, rb;

	/* Equal numbers written apart (2, 2.00) order by their text: no row order shows. */
	if (an && bn) {
		int c = decimal_cmp(&t->scratch[0], &t->scratch[1]);
		return c ? c : bytes_cmp(a, alen, b, blen);
	}
	ra = an ? 0 : json_is_string(a, alen) ? 1 : 2;
	rb = bn ? 0 : json_is_string(b, blen) ? 1 : 2;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 1 && (memchr(a, '\\', alen) || memchr(b, '\\', blen))) {
		buf_reset(&t->text[0]);
		buf_reset(&t->text[1]);
		json_string_decode(&t->text[0], a, alen);
		json_string_decode(&t->text[1], b, blen);
		int c = bytes_cmp(t->text[0].data, t->text[0].len,
				  t->text[1].data, t->text[1].len);
		return c ? c : bytes_cmp(a, alen, b, blen);
	}
	if (ra == 1)
		return bytes_cmp(a + 1, alen - 2, b + 1, blen - 2);
	return bytes_cmp(a, alen, b, blen);
}

int window_add(struct window_table *t, struct window *w, size_t i,
	       const char *val, size_t len)
{
	const struct agg_spec *a = &t->spec->aggs[i];
	struct agg_sum *sum = agg_state(t, w, i);
	struct agg_text *best = agg_state(t, w, i);

	/* SQL aggregates ignore NULL; a missing field is NULL. */
	if (a->kind == AGG_COUNT || !val || (len == 4 && !memcmp(val, "null", 4)))
		return 0;
	switch (a->kind) {
	case AGG_SUM:
	case AGG_AVG:
		if (numeric(&t->scratch[0], val, len) < 0)
			return -1;
		decimal_add(&sum->sum, &t->scratch[0]);
		sum->n++;
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (best->text) {
			int c = value_cmp(t, val, len, best->text, best->len);
			if (a->kind == AGG_MIN ? c >= 0 : c <= 0)
				break;
		}
		best->text = xrealloc(best->text, len + 1);
		memcpy(best->text, val, len);
		best->text[len] = '\0';
		best->len = len;
		break;
	case AGG_DISTINCT:
		distinct_add(agg_state(t, w, i), hash64(val, len));
		break;
	case AGG_COUNT:
		break;
	}
	return 0;
}

/* ---- sorting: by start, then by the first key bytes, then by all ---- */

static unsigned long long key_prefix(const char *keys, size_t n)
{
	unsigned long long x = 0;

	/* Big-endian, zero-padded: compares as the bytes do (no key holds NUL). */
	for (size_t i = 0; i < 8; i++)
		x = x << 8 | (i < n ? (unsigned char)keys[i] : 0);
	return x;
}

static bool ref_less(const struct window_table *t, const struct window_ref *a,
		     const struct window_ref *b)
{
	const struct window *x, *y;

	if (a->rank != b->rank)
		return a->rank < b->rank;
	x = table_window(t, a->index);
	y = table_window(t, b->index);
	/* Without ranks (all 0), the entries' starts decide first. */
	if (t->unranked && x->start != y->start)
		return x->start < y->start;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix;
	return bytes_cmp(window_keys(x), x->keys_len, window_keys(y), y->keys_len) < 0;
}

static void ref_swap(struct window_ref *a, struct window_ref *b)
{
	struct window_ref x = *a;

	*a = *b;
	*b = x;
}

static void sift_down(const struct window_table *t, struct window_ref *a,
		      size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && ref_less(t, &a[child], &a[child + 1]))
			child++;
		if (!ref_less(t, &a[root], &a[child]))
			return;
		ref_swap(&a[root], &a[child]);
	}
}

/*
 * Introsort, in place: a million refs sort without qsort's merge buffer
 * (as large as the list) and without a call per comparison.  Keys are
 * unique, so no run of equal elements can slow the quicksort.
 */
static void ref_sort(const struct window_table *t, struct window_ref *a, size_t n,
		     int depth)
{
	while (n > 16) {
		size_t m = n / 2, i = 0, j = n - 1;
		struct window_ref pivot;

		if (depth-- == 0) {
			for (size_t k = n / 2; k-- > 0;)
				sift_down(t, a, k, n);
			for (size_t k = n - 1; k > 0; k--) {
				ref_swap(&a[0], &a[k]);
				sift_down(t, a, 0, k);
			}
			return;
		}
		if (ref_less(t, &a[m], &a[0]))
			ref_swap(&a[m], &a[0]);
		if (ref_less(t, &a[n - 1], &a[m])) {
			ref_swap(&a[n - 1], &a[m]);
			if (ref_less(t, &a[m], &a[0]))
				ref_swap(&a[m], &a[0]);
		}
		/* Hoare: a[0] <= pivot <= a[n-1] bound both scans. */
		pivot = a[m];
		for (;;) {
			while (ref_less(t, &a[i], &pivot))
				i++;
			while (ref_less(t, &pivot, &a[j]))
				j--;
			if (i >= j)
				break;
			ref_swap(&a[i++], &a[j--]);
		}
		/* a[0..j] <= pivot <= a[j+1..n): recurse into the smaller side. */
		if (j + 1 < n - j - 1) {
			ref_sort(t, a, j + 1, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			ref_sort(t, a + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct window_ref x = a[i];
		size_t j = i;
		for (; j && ref_less(t, &x, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static int sort_depth(size_t n)
{
	int depth = 0;

	for (; n > 1; n >>= 1)
		depth += 2;
	return depth;
}

#define SORT_KEY_BYTES 12

/* Byte D of a ref's 12-byte sort key: rank, then prefix, big-endian. */
static unsigned ref_digit(const struct window_ref *r, int d)
{
	if (d < 4)
		return r->rank >> (24 - 8 * d) & 255;
	return (unsigned)(r->prefix >> (56 - 8 * (d - 4))) & 255;
}

/*
 * Radix sort in place (American flag sort) on the key bytes from D on:
 * a pass per byte instead of a comparison per element per level.  Runs
 * too short for it, or equal in all 12 bytes, go to ref_sort.
 */
static void ref_radix_sort(const struct window_table *t, struct window_ref *a,
			   size_t n, int d)
{
	size_t count[256] = { 0 }, next[256], end[256], from = 0;

	if (n <= 64 || d == SORT_KEY_BYTES) {
		ref_sort(t, a, n, sort_depth(n));
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[ref_digit(&a[i], d)]++;
	if (count[ref_digit(&a[0], d)] == n) {
		ref_radix_sort(t, a, n, d + 1);
		return;
	}
	for (unsigned b = 0; b < 256; b++) {
		next[b] = from;
		from = end[b] = from + count[b];
	}
	/* Each element goes straight to the next free place of its bucket. */
	for (unsigned b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			struct window_ref x = a[next[b]];
			unsigned k;
			while ((k = ref_digit(&x, d)) != b) {
				struct window_ref y = a[next[k]];
				a[next[k]++] = x;
				x = y;
			}
			a[next[b]++] = x;
		}
	}
	for (unsigned b = 0; b < 256; b++)
		if (count[b] > 1)
			ref_radix_sort(t, a + end[b] - count[b], count[b], d + 1);
}

/* Are there slots worth dropping while a list of N entries is written? */
static bool drop_slots(const struct window_table *t, size_t n)
{
	return t->slot && t->cap > MIN_CAP && 2 * n >= t->count;
}

struct window_ref *table_select(struct window_table *t,
				bool (*keep)(const struct window *, long long),
				long long arg, size_t *count)
{
	struct window_ref *list;
	size_t n = keep ? 0 : t->count, size = t->count;

	/*
	 * While the list is sorted and written, nothing is looked up: a list
	 * of half the entries or more is made in the slots' memory, not beside
	 * it (a million keys: 16 MB, not 16 + 16.8), and table_get builds them
	 * again (never, after the last batch), for no more work than writing
	 * out the list took.
	 */
	if (keep && drop_slots(t, t->count)) {
		for (size_t i = 0; i < t->count; i++)
			n += keep(table_window(t, i), arg);
		size = n;
	}
	if (drop_slots(t, n))
		slots_free(t);
	list = xmalloc((size ? size : 1) * sizeof(*list));
	/* 2^32 slides are 136 years of 1 s: only tiny slides go without. */
	t->unranked = ((unsigned long long)t->last_start - (unsigned long long)t->first_start) /
		(unsigned long long)t->spec->slide_us > UINT_MAX;
	n = 0;
	for (size_t i = 0; i < t->count; i++) {
		const struct window *w = table_window(t, i);
		unsigned long long since = (unsigned long long)w->start -
			(unsigned long long)t->first_start;
		if (!keep || keep(w, arg))
			list[n++] = (struct window_ref){
				key_prefix(window_keys(w), w->keys_len),
				t->unranked ? 0 : (unsigned)((since >> t->slide_shift) *
							     t->slide_inverse),
				(unsigned)i };
	}
	if (t->unranked)
		ref_sort(t, list, n, sort_depth(n));
	else
		ref_radix_sort(t, list, n, 0);
	*count = n;
	return list;
}

void table_prefetch(const struct window_table *t, const struct window_ref *list,
		    size_t n, size_t i)
{
	/* Far enough ahead to hide a miss, near enough to stay in cache. */
	if (i + 16 < n)
		__builtin_prefetch(table_window(t, list[i + 16].index));
	if (i + 8 < n) {
		/* Fetched 8 rows ago, the entry is at hand. */
		const struct window *w = table_window(t, list[i + 8].index);
		if (w->keys_len > KEY_INLINE)
			__builtin_prefetch(window_keys(w));
	}
}

size_t table_evict(struct window_table *t, long long watermark)
{
	size_t kept = 0, removed, cap = t->cap;
	long long first = LLONG_MAX, last = LLONG_MIN;

	if (watermark == NO_WATERMARK)
		return 0;
	for (size_t i = 0; i < t->count; i++) {
		struct window *w = table_window(t, i);
		/* Spark: a window is done once watermark >= its end. */
		if (w->start + t->spec->size_us <= watermark) {
			if (t->agg_memory)
				aggs_free(t, w);
			if (w->keys_len > KEY_INLINE)
				t->dead_key_bytes += w->keys_len;
			continue;
		}
		if (w->start < first)
			first = w->start;
		if (w->start > last)
			last = w->start;
		if (kept != i)
			memcpy(table_window(t, kept), w, t->entry_size);
		kept++;
	}
	removed = t->count - kept;
	if (!removed)
		return 0;
	t->count = kept;
	t->first_start = first;
	t->last_start = last;
	while (t->n_chunks > (kept + ENTRY_CHUNK - 1) >> ENTRY_CHUNK_BITS)
		free(t->chunk[--t->n_chunks]);
	/* Copying the live keys costs no more than the dead ones took to add. */
	if (t->dead_key_bytes > t->key_bytes - t->dead_key_bytes)
		keys_compact(t);
	/* Shrink to a load of at most 0.35: growth doubles at 0.7. */
	while (cap > MIN_CAP && kept * 20 <= cap * 7 / 2)
		cap /= 2;
	slots_build(t, cap);
	return removed;
}

/* Append the group keys of W, ,"k1":v1,"k2":v2, without the first comma if BARE. */
static void add_keys(const struct window_table *t, const struct window *w, bool bare,
		     struct buf *out)
{
	const char *p = window_keys(w), *end = p + w->keys_len, *sep;

	for (size_t i = 0; i < t->spec->n_keys; i++) {
		const char *label = t->spec->key_labels[i];
		size_t skip = bare && !i;
		buf_add(out, label + skip, t->key_label_len[i] - skip);
		sep = i + 1 < t->spec->n_keys ? memchr(p, KEY_SEP, (size_t)(end - p)) : end;
		buf_add(out, p, (size_t)(sep - p));
		p = sep + 1;
	}
}

static void add_count(struct buf *out, long long v)
{
	char digits[24], *p = digits + sizeof(digits);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(digits + sizeof(digits) - p));
}

void window_format(struct window_table *t, const struct window *w, struct buf *out)
{
	/* Rows come sorted by start: format each window's bounds once. */
	if (!t->window_text.len || t->window_text_start != w->start) {
		char start[64];
		size_t n = 0;
		/* Tumbling windows one after another: this start is the last end. */
		if (t->window_text.len && w->start == t->window_text_start + t->spec->size_us &&
		    t->end_len <= sizeof(start)) {
			n = t->end_len;
			memcpy(start, t->window_text.data + t->end_at, n);
		}
		buf_reset(&t->window_text);
		buf_adds(&t->window_text, "{\"window\":{\"start\":\"");
		if (n)
			buf_add(&t->window_text, start, n);
		else
			timestamp_format(w->start, &t->window_text);
		buf_adds(&t->window_text, "\",\"end\":\"");
		t->end_at = t->window_text.len;
		timestamp_format(w->start + t->spec->size_us, &t->window_text);
		t->end_len = t->window_text.len - t->end_at;
		buf_adds(&t->window_text, "\"}");
		t->window_text_start = w->start;
	}
	buf_add(out, t->window_text.data, t->window_text.len);
	add_keys(t, w, false, out);
	for (size_t i = 0; i < t->spec->n_aggs; i++) {
		const struct agg_spec *a = &t->spec->aggs[i];
		const struct agg_sum *sum = agg_state(t, w, i);
		const struct agg_text *best = agg_state(t, w, i);
		buf_add(out, a->label, t->agg_label_len[i]);
		switch (a->kind) {
		case AGG_COUNT:
			add_count(out, w->rows);
			break;
		case AGG_SUM:
			if (sum->n)
				decimal_format(&sum->sum, out);
			else
				buf_adds(out, "null");
			break;
		case AGG_AVG:
			/* Spark: avg of DECIMAL(p,s) is DECIMAL(p+4,s+4), HALF_UP. */
			if (sum->n)
				decimal_format_quotient(&sum->sum, (unsigned long long)sum->n,
							4, out);
			else
				buf_adds(out, "null");
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (best->text)
				buf_add(out, best->text, best->len);
			else
				buf_adds(out, "null");
			break;
		case AGG_DISTINCT:
			add_count(out, distinct_estimate(agg_state(t, w, i)));
			break;
		}
	}
	buf_add(out, "}\n", 2);
}

static const char *const agg_names[] = {
	"count", "sum", "avg", "min", "max", "approx_count_distinct"
};

void spec_describe(const struct window_spec *spec, const char *time_field,
		   const char *mode, struct buf *out)
{
	buf_printf(out, "time=%s window=%lldus slide=%lldus group-by=", time_field,
		   spec->size_us, spec->slide_us);
	for (size_t i = 0; i < spec->n_keys; i++)
		buf_printf(out, "%s%s", i ? "," : "", spec->keys[i]);
	buf_adds(out, " agg=");
	for (size_t i = 0; i < spec->n_aggs; i++)
		buf_printf(out, "%s%s%s%s", i ? "," : "", agg_names[spec->aggs[i].kind],
			   spec->aggs[i].field ? ":" : "",
			   spec->aggs[i].field ? spec->aggs[i].field : "");
	buf_printf(out, " output-mode=%s", mode);
}

/*
 * Write the state of W's aggregate I: the count, the sum and its count
 * (SUM and AVG), the winning value (MIN and MAX) or the sketch.  The sum
 * is "[SUM,N]" in a checkpoint and {"sum":"SUM","n":N} in a partial row
 * (OBJECT): a string there, as jq or a JSON library would round a long
 * number.
 */
static void add_agg_state(const struct window_table *t, const struct window *w, size_t i,
			  bool object, struct buf *out)
{
	const struct agg_sum *sum = agg_state(t, w, i);
	const struct agg_text *best = agg_state(t, w, i);

	switch (t->spec->aggs[i].kind) {
	case AGG_COUNT:
		add_count(out, w->rows);
		break;
	case AGG_SUM:
	case AGG_AVG:
		buf_adds(out, object ? "{\"sum\":\"" : "[");
		decimal_format(&sum->sum, out);
		buf_adds(out, object ? "\",\"n\":" : ",");
		add_count(out, sum->n);
		buf_addc(out, object ? '}' : ']');
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (best->text)
			buf_add(out, best->text, best->len);
		else
			buf_adds(out, "null");
		break;
	case AGG_DISTINCT:
		distinct_format(agg_state(t, w, i), out);
		break;
	}
}

/* Does W start after ARG (a watermark less the window size: W stays open)? */
static bool starts_after(const struct window *w, long long arg)
{
	return w->start > arg;
}

void table_snapshot(struct window_table *t, long long batch, long long watermark,
		    long long evicted, const char *options, const char *extra,
		    struct buf *out)
{
	size_t n;
	struct window_ref *list = evicted == NO_WATERMARK ?
		table_select(t, NULL, 0, &n) :
		table_select(t, starts_after, evicted - t->spec->size_us, &n);

	buf_printf(out, "{\"layout\":%d,\"batch\":%lld,\"watermark\":", STATE_LAYOUT, batch);
	if (watermark == NO_WATERMARK) {
		buf_adds(out, "null");
	} else {
		buf_addc(out, '"');
		timestamp_format(watermark, out);
		buf_addc(out, '"');
	}
	buf_printf(out, ",\"windows\":%zu,\"options\":", n);
	json_string_encode(out, options, strlen(options));
	if (extra)
		buf_adds(out, extra);
	buf_adds(out, "}\n");
	for (size_t k = 0; k < n; k++) {
		const struct window *w = table_window(t, list[k].index);
		buf_adds(out, "{\"start\":\"");
		timestamp_format(w->start, out);
		buf_adds(out, "\",\"keys\":{");
		add_keys(t, w, true, out);
		buf_adds(out, "},\"rows\":");
		add_count(out, w->rows);
		buf_adds(out, ",\"aggs\":[");
		for (size_t i = 0; i < t->spec->n_aggs; i++) {
			if (i)
				buf_addc(out, ',');
			add_agg_state(t, w, i, false, out);
		}
		buf_adds(out, "]}\n");
	}
	free(list);
}

/* ---- reading a snapshot back ---- */

struct reader {
	const char *path;
	unsigned long lineno;
};

static void __attribute__((noreturn)) malformed(const struct reader *r, const char *what)
{
	die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); restore it "
	    "or start a new checkpoint", r->path, r->lineno, what);
}

static bool get_count(const char *v, size_t n, long long *out)
{
	*out = 0;
	if (!n || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		*out = *out * 10 + (v[i] - '0');
	}
	return true;
}

static void restore_agg(struct window_table *t, const struct reader *r,
			struct window *w, size_t i, const char *v, size_t n)
{
	struct agg_sum *sum = agg_state(t, w, i);
	struct agg_text *best = agg_state(t, w, i);
	struct json_iter it;
	const char *e;
	size_t en;

	switch (t->spec->aggs[i].kind) {
	case AGG_COUNT:
		break;
	case AGG_SUM:
	case AGG_AVG:
		if (json_array_open(&it, v, n, NULL) < 0 ||
		    json_array_next(&it, &e, &en, NULL) != 1 ||
		    sum_decimal(&sum->sum, e, en) < 0 ||
		    json_array_next(&it, &e, &en, NULL) != 1 ||
		    !get_count(e, en, &sum->n) ||
		    json_array_next(&it, &e, &en, NULL) != 0)
			malformed(r, "bad sum state");
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (n == 4 && !memcmp(v, "null", 4))
			break;
		best->text = xmalloc(n + 1);
		memcpy(best->text, v, n);
		best->text[n] = '\0';
		best->len = n;
		break;
	case AGG_DISTINCT:
		if (distinct_parse(agg_state(t, w, i), v, n) < 0)
			malformed(r, "bad approx_count_distinct state");
		break;
	}
}

static void restore_entry(struct window_table *t, const struct reader *r,
			  const char *line, size_t len, struct buf *keys)
{
	const struct window_spec *spec = t->spec;
	struct json_iter it;
	struct json_field f;
	const char *v, *e;
	size_t n, en, i = 0;
	long long start, rows;
	struct window *w;

	if (json_object_validate(line, len, NULL) < 0)
		malformed(r, "not a JSON object");
	if (json_object_get(line, len, "start", &v, &n) != 1 || !json_is_string(v, n) ||
	    datetime_parse(v + 1, n - 2, NULL, &start) < 0 ||
	    floor_div(start, spec->slide_us) * spec->slide_us != start)
		malformed(r, "bad window start");
	buf_reset(keys);
	if (json_object_get(line, len, "keys", &v, &n) != 1 ||
	    json_object_open(&it, v, n, NULL) < 0)
		malformed(r, "no group keys");
	while (json_object_next(&it, &f, NULL) == 1) {
		if (i >= spec->n_keys || !json_key_is(&f, spec->keys[i]))
			malformed(r, "group keys differ from --group-by");
		if (i++)
			buf_addc(keys, KEY_SEP);
		buf_add(keys, f.val, f.val_len);
	}
	if (i != spec->n_keys)
		malformed(r, "group keys differ from --group-by");
	if (json_object_get(line, len, "rows", &v, &n) != 1 || !get_count(v, n, &rows) ||
	    rows < 1)
		malformed(r, "bad row count");
	w = table_get(t, start, keys->data, keys->len);
	if (w->rows)
		malformed(r, "window and keys repeated");
	w->rows = rows;
	if (json_object_get(line, len, "aggs", &v, &n) != 1 ||
	    json_array_open(&it, v, n, NULL) < 0)
		malformed(r, "no aggregates");
	for (i = 0; i < spec->n_aggs; i++) {
		if (json_array_next(&it, &e, &en, NULL) != 1)
			malformed(r, "aggregates differ from --agg");
		restore_agg(t, r, w, i, e, en);
	}
	if (json_array_next(&it, &e, &en, NULL) != 0)
		malformed(r, "aggregates differ from --agg");
}

void table_restore(struct window_table *t, const char *path, struct buf *text,
		   long long batch, const char *options, long long *watermark,
		   struct buf *header)
{
	struct reader r = { path, 1 };
	struct buf stored = BUF_INIT, keys = BUF_INIT;
	const char *p = text->data, *end = text->data + text->len, *v, *nl;
	size_t n, len;
	long long layout, at;

	if (!text->len || text->data[text->len - 1] != '\n')
		malformed(&r, "truncated");
	nl = memchr(p, '\n', (size_t)(end - p));
	len = (size_t)(nl - p);
	if (json_object_validate(p, len, NULL) < 0)
		malformed(&r, "the header is not a JSON object");
	if (header)
		buf_add(header, p, len);
	if (json_object_get(p, len, "layout", &v, &n) != 1 || !get_count(v, n, &layout))
		malformed(&r, "no layout");
	if (layout > STATE_LAYOUT)
		die(EX_DATAERR, "checkpoint file '%s' has layout %lld, newer than this "
		    "inlet understands (%d); upgrade inlet", path, layout, STATE_LAYOUT);
	if (json_object_get(p, len, "batch", &v, &n) != 1 || !get_count(v, n, &at) ||
	    at != batch)
		malformed(&r, "not the state of its batch");
	if (json_object_get(p, len, "watermark", &v, &n) != 1)
		malformed(&r, "no watermark");
	if (n == 4 && !memcmp(v, "null", 4))
		*watermark = NO_WATERMARK;
	else if (!json_is_string(v, n) || datetime_parse(v + 1, n - 2, NULL, watermark) < 0)
		malformed(&r, "bad watermark");
	if (json_object_get(p, len, "options", &v, &n) != 1 || !json_is_string(v, n))
		malformed(&r, "no options");
	json_string_decode(&stored, v, n);
	if (strcmp(stored.data, options))
		die(EX_USAGE, "checkpoint file '%s' holds the state of other options "
		    "(%s); run with the same options or start a new checkpoint",
		    path, stored.data);
	for (p = nl + 1; p < end; p = nl + 1) {
		r.lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		restore_entry(t, &r, p, (size_t)(nl - p), &keys);
	}
	buf_free(&stored);
	buf_free(&keys);
}

/* ---- partial states: inlet-window --partial and --merge ---- */

int window_merge(struct window_table *t, struct window *w, size_t i, long long rows,
		 const char *val, size_t len)
{
	struct agg_sum *sum = agg_state(t, w, i);
	struct distinct d = { 0 };
	struct buf *text = &t->text[0];
	const char *v;
	size_t n;
	long long count;

	switch (t->spec->aggs[i].kind) {
	case AGG_COUNT:
		return get_count(val, len, &count) && count == rows ? 0 : -1;
	case AGG_SUM:
	case AGG_AVG:
		if (json_object_get(val, len, "sum", &v, &n) != 1 || !json_is_string(v, n))
			return -1;
		buf_reset(text);
		/* A sum may have grown past the bounds of one value: twice them. */
		if (json_string_decode(text, v, n) < 0 ||
		    decimal_parse(&t->scratch[1], text->data, text->len) < 0 ||
		    t->scratch[1].scale < 0 || t->scratch[1].scale > SUM_MAX_SCALE ||
		    decimal_digits(&t->scratch[1]) > 2 * SUM_MAX_DIGITS ||
		    json_object_get(val, len, "n", &v, &n) != 1 || !get_count(v, n, &count))
			return -1;
		decimal_add(&sum->sum, &t->scratch[1]);
		sum->n += count;
		return 0;
	case AGG_MIN:
	case AGG_MAX:
		/* The state is the winning value itself: it competes as a row's would. */
		if (json_skip_value(val, val + len, 0, val, NULL) != val + len)
			return -1;
		return window_add(t, w, i, val, len) < 0 ? -1 : 0;
	case AGG_DISTINCT:
		if (distinct_parse(&d, val, len) < 0) {
			distinct_free(&d);
			return -1;
		}
		distinct_merge(agg_state(t, w, i), &d);
		distinct_free(&d);
		return 0;
	}
	return -1;
}

void window_format_partial(struct window_table *t, const struct window *w,
			   const char *head, struct buf *out)
{
	buf_adds(out, head);
	buf_adds(out, "\"window\":{\"start\":\"");
	timestamp_format(w->start, out);
	buf_adds(out, "\",\"end\":\"");
	timestamp_format(w->start + t->spec->size_us, out);
	buf_adds(out, "\"},\"keys\":{");
	add_keys(t, w, true, out);
	buf_adds(out, "},\"rows\":");
	add_count(out, w->rows);
	buf_adds(out, ",\"aggs\":{");
	for (size_t i = 0; i < t->spec->n_aggs; i++) {
		const char *label = t->spec->aggs[i].label;
		buf_add(out, label + !i, t->agg_label_len[i] - !i);
		add_agg_state(t, w, i, true, out);
	}
	buf_adds(out, "}}\n");
}
