/*
 * The index of files already taken: path -> identity, batch.
 *
 * Flat, for millions of paths, and mostly not copied: an entry read from
 * the log of files taken stays a line of the mapped log, which a lookup
 * reads again; only entries added or changed since live in one growing
 * arena.  A slot is one word: a tag of the hash, whether the entry is in
 * the log, and where.  A probe compares tags and touches the entry only
 * on a match; nothing is allocated per path.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "die.h"
#include "discover.h"
#include "seenlog.h"

/*
 * A slot: TAG (the top 24 bits of the mixed hash) above LOGGED above REF,
 * where REF - 1 is the name's offset in the log, or the entry's in the
 * arena in 8-byte units.  REF is never 0, so no used slot is.
 */
#define REF_BITS 39
#define LOGGED (1ULL << REF_BITS)
#define REF_MASK (LOGGED - 1)
#define TAG_SHIFT 40
#define NONE ((size_t)-1)

unsigned long long path_hash(unsigned long long h, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	/* FNV-1a: byte by byte, so a folder's hash extends to its files. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h ? h : 1;	/* 0 marks an empty slot */
}

/* FNV-1a's low bits are weak: mix them before masking (splitmix64). */
static unsigned long long mix(unsigned long long h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static unsigned long long slot_word(unsigned long long h, size_t ref, bool logged)
{
	return (mix(h) >> TAG_SHIFT) << TAG_SHIFT | (logged ? LOGGED : 0) | (ref + 1);
}

static size_t ref_of(unsigned long long w)
{
	return (size_t)(w & REF_MASK) - 1;
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

/*
 * What a lookup in the log changes, each thread its own (the listing
 * looks up on two): the entry last read again, and the folder last found,
 * which the next lookup most often wants again.
 */
static _Thread_local struct buf scratch;
static _Thread_local size_t folder_hint;

void seen_thread_done(void)
{
	buf_free(&scratch);
	folder_hint = 0;
}

/* The folder of the log's name at AT: the last one from at or before it. */
static const struct seen_folder *folder_of(const struct seen *s, size_t at)
{
	size_t lo = folder_hint, hi = s->n_folders;

	/* A listing asks for the files of one folder after another. */
	if (lo < hi && s->folders[lo].at <= at && (lo + 1 == hi || s->folders[lo + 1].at > at))
		return &s->folders[lo];
	lo = 0;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->folders[mid].at <= at)
			lo = mid;
		else
			hi = mid;
	}
	folder_hint = lo;
	return &s->folders[lo];
}

/* Is W's entry PATH (LEN bytes)? */
static bool holds(const struct seen *s, unsigned long long w, const char *path, size_t len)
{
	size_t ref = ref_of(w);

	if (!(w & LOGGED)) {
		const struct seen_entry *e = entry_at(s, ref * 8);
		return e->len == len && !memcmp(e->path, path, len);
	}
	const struct seen_folder *f = folder_of(s, ref);
	if (len <= f->len)
		return false;
	size_t name = len - f->len;
	/* A name as written holds no tab: the tab after it ends it. */
	return ref + name < s->log_len && s->log[ref + name] == '\t' &&
	       !memcmp(path, s->folder_paths.data + f->path, f->len) &&
	       !memcmp(s->log + ref, path + f->len, name);
}

/*
 * The slot of PATH (LEN bytes, hash H), forgotten or not, or NONE; then,
 * when FREE is not NULL, the empty slot the probe ended at goes to *FREE,
 * where PATH is to be put (after make_room: nothing moves in between).
 */
static size_t locate(const struct seen *s, const char *path, size_t len, unsigned long long h,
		     size_t *free)
{
	if (!s->cap)
		return NONE;
	unsigned long long m = mix(h), tag = m >> TAG_SHIFT;
	size_t mask = s->cap - 1, i;
	for (i = (size_t)m & mask; s->slots[i]; i = (i + 1) & mask)
		if (s->slots[i] >> TAG_SHIFT == tag && holds(s, s->slots[i], path, len))
			return i;
	if (free)
		*free = i;
	return NONE;
}

/*
 * The entry of the slot word W.  A log line is read again into the
 * scratch entry: it was read whole when loaded, so it fails only when
 * another program rewrote the log since (seen_log_check finds that too).
 */
static struct seen_entry *entry_of(const struct seen *s, unsigned long long w)
{
	size_t ref = ref_of(w);

	if (!(w & LOGGED))
		return entry_at(s, ref * 8);
	const struct seen_folder *f = folder_of(s, ref);
	const char *p = s->log + ref, *name_end;
	const char *end = memchr(p, '\n', s->log_len - ref);
	struct file_identity id;
	long long batch;
	if (!end || !seenlog_scan_file(p, end, &name_end, &id, &batch))
		die(EX_DATAERR, "checkpoint file sources/seen was changed by another program "
		    "while inlet-discover ran; " REPAIR);
	size_t name = (size_t)(name_end - p), len = f->len + name;
	buf_reset(&scratch);
	buf_grow(&scratch, entry_bytes(len));
	struct seen_entry *e = (struct seen_entry *)scratch.data;
	e->size = id.size;
	e->mtime_ns = id.mtime_ns;
	e->dev = id.dev;
	e->ino = id.ino;
	e->batch = batch;
	e->hash = 0;	/* its slot's tag is what the index needs */
	e->len = (unsigned)len;
	e->flags = id.known ? SEEN_KNOWN : 0;
	memcpy(e->path, s->folder_paths.data + f->path, f->len);
	memcpy(e->path + f->len, p, name);
	e->path[len] = '\0';
	return e;
}

struct seen_entry *seen_find(const struct seen *s, const char *path, size_t len,
			     unsigned long long h)
{
	size_t i = locate(s, path, len, h, NULL);
	struct seen_entry *e = i == NONE ? NULL : entry_of(s, s->slots[i]);

	return e && !(e->flags & SEEN_FORGOTTEN) ? e : NULL;
}

bool seen_has(const struct seen *s, const char *path, size_t len, unsigned long long h)
{
	size_t i = locate(s, path, len, h, NULL);

	if (i == NONE)
		return false;
	/* A log line is never forgotten: forgetting copies it to the arena. */
	return (s->slots[i] & LOGGED) || !(entry_at(s, ref_of(s->slots[i]) * 8)->flags &
					   SEEN_FORGOTTEN);
}

void seen_prefetch(const struct seen *s, unsigned long long h)
{
	if (s->cap)
		__builtin_prefetch(&s->slots[mix(h) & (s->cap - 1)]);
}

void seen_prefetch_entry(const struct seen *s, unsigned long long h)
{
	if (!s->cap)
		return;
	unsigned long long m = mix(h), w = s->slots[m & (s->cap - 1)];
	if (w >> TAG_SHIFT != m >> TAG_SHIFT)
		return;		/* the usual case is a match; else the probe goes on */
	if (w & LOGGED) {
		__builtin_prefetch(s->log + ref_of(w));
	} else {
		const char *e = s->arena.data + ref_of(w) * 8;
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
static unsigned long long *alloc_slots(size_t n)
{
	const size_t huge = 2 << 20;
	size_t bytes = n * sizeof(unsigned long long);
	void *p;

	if (bytes < huge)
		p = calloc(n, sizeof(unsigned long long));
	else if (posix_memalign(&p, huge, bytes) == 0) {
		madvise(p, bytes, MADV_HUGEPAGE);
		memset(p, 0, bytes);
	} else
		p = NULL;
	if (!p)
		die(EX_OSERR, "out of memory for the file index");
	return p;
}

/* The hash of the path of the log's name at AT: its folder's, continued. */
static unsigned long long logged_hash(const struct seen *s, size_t at)
{
	const char *tab = memchr(s->log + at, '\t', s->log_len - at);

	return path_hash(folder_of(s, at)->hash, s->log + at, (size_t)(tab - (s->log + at)));
}

/* The hash of W's path, for moving it: kept in the arena, hashed again in the log. */
static unsigned long long hash_of(const struct seen *s, unsigned long long w)
{
	if (!(w & LOGGED))
		return entry_at(s, ref_of(w) * 8)->hash;
	return logged_hash(s, ref_of(w));
}

static void seen_grow(struct seen *s)
{
	size_t old_cap = s->cap;
	unsigned long long *old = s->slots;

	s->cap = old_cap ? old_cap * 2 : 1024;
	s->slots = alloc_slots(s->cap);
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		size_t j = (size_t)mix(hash_of(s, old[i])) & (s->cap - 1);
		while (s->slots[j])
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
	if (path_bytes && arena + 1 > s->arena.cap) {
		buf_reserve(&s->arena, arena + 1);
		advise_huge(s->arena.data, s->arena.cap);
	}
}

/* Room for one more path, before locate gives the slot to put it in. */
static void make_room(struct seen *s)
{
	if ((s->count + 1) * 4 > s->cap * 3)
		seen_grow(s);
}

/* A new arena entry for PATH; its slot word. */
static unsigned long long add_entry(struct seen *s, const char *path, size_t len,
				    unsigned long long h)
{
	size_t off = s->arena.len;

	if (off / 8 >= REF_MASK - 1)
		die(EX_OSERR, "out of memory for the file index");
	buf_grow(&s->arena, entry_bytes(len));
	struct seen_entry *e = entry_at(s, off);
	e->hash = h;
	e->len = (unsigned)len;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	s->arena.len += entry_bytes(len);
	s->arena.data[s->arena.len] = '\0';
	return slot_word(h, off / 8, false);
}

static void set_identity(struct seen_entry *e, const struct file_identity *id,
			 long long batch, unsigned flags)
{
	e->size = id->size;
	e->mtime_ns = id->mtime_ns;
	e->dev = id->dev;
	e->ino = id->ino;
	e->batch = batch;
	e->flags = (id->known ? SEEN_KNOWN : 0) | flags;
}

void seen_put(struct seen *s, const char *path, size_t len, unsigned long long h,
	      const struct file_identity *id, long long batch)
{
	size_t free, i;

	make_room(s);
	i = locate(s, path, len, h, &free);
	if (i != NONE && !(s->slots[i] & LOGGED)) {	/* changed in place */
		set_identity(entry_at(s, ref_of(s->slots[i]) * 8), id, batch, 0);
		return;
	}
	unsigned long long w = add_entry(s, path, len, h);
	set_identity(entry_at(s, ref_of(w) * 8), id, batch, 0);
	if (i != NONE) {
		s->slots[i] = w;	/* over the log's line, which stays as it was */
	} else {
		s->slots[free] = w;
		s->count++;
	}
}

bool seen_put_logged(struct seen *s, const char *path, size_t len, unsigned long long h,
		     size_t name_at)
{
	if (name_at >= s->log_len || name_at >= REF_MASK - 1)
		return false;
	size_t free, i;
	unsigned long long w = slot_word(h, name_at, true);

	make_room(s);
	i = locate(s, path, len, h, &free);
	if (i == NONE) {
		s->slots[free] = w;
		s->count++;
	} else if (s->slots[i] & LOGGED)
		s->slots[i] = w;	/* the later line */
	else
		return false;	/* seen_put changes the arena's entry in place */
	return true;
}

bool seen_forget(struct seen *s, const char *path, size_t len, unsigned long long h)
{
	size_t i = locate(s, path, len, h, NULL);

	if (i == NONE)
		return false;
	unsigned long long w = s->slots[i];
	if (w & LOGGED) {
		/* The log's line is kept as it was: the arena takes the change. */
		const struct seen_entry *had = entry_of(s, w);
		struct file_identity id;
		seen_identity(had, &id);
		long long batch = had->batch;
		w = add_entry(s, path, len, h);
		set_identity(entry_at(s, ref_of(w) * 8), &id, batch, SEEN_FORGOTTEN);
		s->slots[i] = w;
		return true;
	}
	struct seen_entry *e = entry_at(s, ref_of(w) * 8);
	/* Marked, not removed: open addressing keeps its probe chains whole. */
	if (e->flags & SEEN_FORGOTTEN)
		return false;
	e->flags |= SEEN_FORGOTTEN;
	return true;
}

void seen_map_log(struct seen *s, const char *log, size_t len)
{
	s->log = log;
	s->log_len = s->log_mapped = len;
}

void seen_log_folder(struct seen *s, const char *folder, size_t len, unsigned long long h,
		     size_t at)
{
	if (s->n_folders == s->folders_cap) {
		s->folders_cap = s->folders_cap ? s->folders_cap * 2 : 64;
		s->folders = xrealloc(s->folders, s->folders_cap * sizeof(*s->folders));
	}
	s->folders[s->n_folders++] = (struct seen_folder){ at, s->folder_paths.len, len, h };
	buf_add(&s->folder_paths, folder, len);
}

/* Is W in the slots of hash H? */
static bool in_slots(const struct seen *s, unsigned long long h, unsigned long long w)
{
	size_t mask = s->cap - 1;

	for (size_t i = (size_t)mix(h) & mask; s->slots[i]; i = (i + 1) & mask)
		if (s->slots[i] == w)
			return true;
	return false;
}

/* The log's next "f" line from IT on that is still its path's entry, or NULL. */
static struct seen_entry *next_logged(const struct seen *s, struct seen_iter *it)
{
	while (s->n_folders && it->log_at < s->log_len) {
		const char *p = s->log + it->log_at;
		const char *nl = memchr(p, '\n', s->log_len - it->log_at);
		size_t line = it->log_at;
		it->log_at = nl ? (size_t)(nl - s->log) + 1 : s->log_len;
		if (!nl || nl - p < 3 || p[0] != 'f' || p[1] != '\t' || line + 2 < s->folders[0].at ||
		    !memchr(p + 2, '\t', (size_t)(nl - p - 2)))
			continue;
		unsigned long long h = logged_hash(s, line + 2);
		unsigned long long w = slot_word(h, line + 2, true);
		if (in_slots(s, h, w))
			return entry_of(s, w);
	}
	return NULL;
}

struct seen_entry *seen_next(const struct seen *s, struct seen_iter *it)
{
	struct seen_entry *e = next_logged(s, it);

	if (e)
		return e;
	while (it->arena_at < s->arena.len) {
		e = entry_at(s, it->arena_at);
		it->arena_at += entry_bytes(e->len);
		if (!(e->flags & SEEN_FORGOTTEN))
			return e;
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
	if (s->log_mapped)
		munmap((void *)s->log, s->log_mapped);
	free(s->folders);
	buf_free(&s->folder_paths);
	seen_thread_done();
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
