/*
 * The index of files already taken: path -> identity, batch.
 *
 * Flat, for millions of paths: each entry (identity, path) lives in
 * one growing arena, and the open-addressing slots hold only a 64-bit
 * hash and the entry's offset.  A probe compares hashes and touches the
 * path only on a match; nothing is allocated per path.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "die.h"
#include "discover.h"

unsigned long long path_hash(unsigned long long h, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	/* FNV-1a: byte by byte, so a folder's hash extends to its files. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h ? h : 1;	/* 0 marks an empty slot */
}

/* FNV-1a's low bits are weak: mix them before masking (splitmix64). */
static size_t slot_of(unsigned long long h, size_t mask)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & mask;
}

static struct seen_entry *entry_at(const struct seen *s, size_t off)
{
	return (struct seen_entry *)(s->arena.data + off);
}

/* Bytes of an entry with a path of LEN bytes, kept 8-aligned. */
static size_t entry_bytes(size_t len)
{
	return (offsetof(struct seen_entry, path) + len + 1 + 7) & ~(size_t)7;
}

/* The entry of PATH, forgotten or not, or NULL. */
static struct seen_entry *find_entry(const struct seen *s, const char *path, size_t len,
				     unsigned long long h)
{
	if (!s->cap)
		return NULL;
	size_t mask = s->cap - 1;
	for (size_t i = slot_of(h, mask); s->slots[i].hash; i = (i + 1) & mask) {
		if (s->slots[i].hash != h)
			continue;
		struct seen_entry *e = entry_at(s, s->slots[i].off);
		if (e->len == len && !memcmp(e->path, path, len))
			return e;
	}
	return NULL;
}

struct seen_entry *seen_find(const struct seen *s, const char *path, size_t len,
			     unsigned long long h)
{
	struct seen_entry *e = find_entry(s, path, len, h);

	return e && !(e->flags & SEEN_FORGOTTEN) ? e : NULL;
}

void seen_prefetch(const struct seen *s, unsigned long long h)
{
	if (s->cap)
		__builtin_prefetch(&s->slots[slot_of(h, s->cap - 1)]);
}

void seen_prefetch_entry(const struct seen *s, unsigned long long h)
{
	if (!s->cap)
		return;
	const struct seen_slot *slot = &s->slots[slot_of(h, s->cap - 1)];
	if (slot->hash == h) {	/* the usual case; else the probe goes on */
		const char *e = s->arena.data + slot->off;
		__builtin_prefetch(e);
		__builtin_prefetch(e + 64);	/* the path, past the identity */
	}
}

struct seen_entry *seen_lookup(const struct seen *s, const char *path)
{
	size_t len = strlen(path);

	return seen_find(s, path, len, path_hash(PATH_HASH_INIT, path, len));
}

/*
 * The slots are probed at random: in huge pages, where the kernel gives
 * them on request, a probe costs one cache miss and no TLB miss.
 */
static struct seen_slot *alloc_slots(size_t n)
{
	const size_t huge = 2 << 20;
	size_t bytes = n * sizeof(struct seen_slot);
	void *p;

	if (bytes < huge)
		p = calloc(n, sizeof(struct seen_slot));
	else if (posix_memalign(&p, huge, bytes) == 0) {
		madvise(p, bytes, MADV_HUGEPAGE);
		memset(p, 0, bytes);
	} else
		p = NULL;
	if (!p)
		die(EX_OSERR, "out of memory for the file index");
	return p;
}

static void seen_grow(struct seen *s)
{
	size_t old_cap = s->cap;
	struct seen_slot *old = s->slots;

	s->cap = old_cap ? old_cap * 2 : 1024;
	s->slots = alloc_slots(s->cap);
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].hash)
			continue;
		size_t j = slot_of(old[i].hash, s->cap - 1);
		while (s->slots[j].hash)
			j = (j + 1) & (s->cap - 1);
		s->slots[j] = old[i];
	}
	free(old);
}

/*
 * Back P (BYTES) with huge pages where the kernel gives them on request:
 * a page fault per 2 MiB instead of per 4 KiB, and faults are most of
 * what filling a large index costs.
 */
static void advise_huge(void *p, size_t bytes)
{
	const uintptr_t huge = 2 << 20;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
}

void seen_reserve(struct seen *s, size_t n, size_t path_bytes)
{
	size_t cap = s->cap ? s->cap : 1024;
	size_t arena = s->arena.len + n * (offsetof(struct seen_entry, path) + 8) + path_bytes;

	while (n * 4 > cap * 3)
		cap *= 2;
	if (cap != s->cap && !s->count) {	/* nothing to move */
		free(s->slots);
		s->cap = cap;
		s->slots = alloc_slots(cap);
	}
	while (s->cap < cap)
		seen_grow(s);
	if (arena + 1 > s->arena.cap) {
		buf_reserve(&s->arena, arena + 1);
		advise_huge(s->arena.data, s->arena.cap);
	}
}

void seen_put(struct seen *s, const char *path, size_t len, unsigned long long h,
	      const struct file_identity *id, long long batch)
{
	struct seen_entry *e = find_entry(s, path, len, h);

	if (!e) {
		if ((s->count + 1) * 4 > s->cap * 3)
			seen_grow(s);
		size_t i = slot_of(h, s->cap - 1);
		while (s->slots[i].hash)
			i = (i + 1) & (s->cap - 1);
		s->slots[i].hash = h;
		s->slots[i].off = s->arena.len;
		buf_grow(&s->arena, entry_bytes(len));
		e = entry_at(s, s->arena.len);
		e->len = (unsigned)len;
		memcpy(e->path, path, len);
		e->path[len] = '\0';
		s->arena.len += entry_bytes(len);
		s->arena.data[s->arena.len] = '\0';
		s->count++;
	}
	e->size = id->size;
	e->mtime_ns = id->mtime_ns;
	e->dev = id->dev;
	e->ino = id->ino;
	e->batch = batch;
	e->flags = id->known ? SEEN_KNOWN : 0;
}

bool seen_forget(struct seen *s, const char *path, size_t len, unsigned long long h)
{
	struct seen_entry *e = seen_find(s, path, len, h);

	/* Marked, not removed: open addressing keeps its probe chains whole. */
	if (e)
		e->flags |= SEEN_FORGOTTEN;
	return e != NULL;
}

struct seen_entry *seen_next(const struct seen *s, struct seen_entry *prev)
{
	size_t off = prev ? (size_t)((char *)prev - s->arena.data) + entry_bytes(prev->len) : 0;

	while (off < s->arena.len) {
		struct seen_entry *e = entry_at(s, off);
		if (!(e->flags & SEEN_FORGOTTEN))
			return e;
		off += entry_bytes(e->len);
	}
	return NULL;
}

void seen_identity(const struct seen_entry *e, struct file_identity *id)
{
	id->known = e->flags & SEEN_KNOWN;
	id->link = false;
	id->dev = e->dev;
	id->ino = e->ino;
	id->size = e->size;
	id->mtime_ns = e->mtime_ns;
}

/* NS (nanoseconds) in microseconds, floored. */
static long long ns_to_us(long long ns)
{
	return ns / 1000 - (ns % 1000 < 0);
}

bool seen_same(const struct seen_entry *e, const struct file_identity *id)
{
	struct file_identity had;

	seen_identity(e, &had);
	if (had.known && id->known)
		return identity_equal(&had, id);
	return had.size == id->size && ns_to_us(had.mtime_ns) == ns_to_us(id->mtime_ns);
}

void seen_free(struct seen *s)
{
	free(s->slots);
	buf_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

long long mtime_us(const struct timespec *t)
{
	const long long max = 9223372036854LL;	/* LLONG_MAX / 1000000 */
	long long sec = (long long)t->tv_sec;

	/* Saturate: a clock set to year 300,000 must not overflow. */
	if (sec > max - 1)
		return LLONG_MAX;
	if (sec < -max + 1)
		return LLONG_MIN;
	return sec * 1000000 + t->tv_nsec / 1000;
}
