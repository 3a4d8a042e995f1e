/*
 * What a checkpoint folder says, read through the code that wrote it:
 * ckpt.h for the metadata and the numbered logs, seenlog.h for
 * sources/seen, the file records of offsets/ as seenlog.h reads them.
 * Only reads, except that a --schema-location given is recorded in the
 * metadata (ckpt_claim), so that later runs find it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "die.h"
#include "fileio.h"
#include "seenlog.h"
#include "status.h"

#define REPAIR "restore it from a backup or start a new checkpoint"

void ck_problem(struct ck_status *st, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		die(EX_OSERR, "out of memory");
	va_end(ap);
	st->problems = xrealloc(st->problems, (st->n_problems + 1) * sizeof(*st->problems));
	st->problems[st->n_problems] = (struct buf)BUF_INIT;
	buf_adds(&st->problems[st->n_problems++], msg);
	free(msg);
}

void ck_status_free(struct ck_status *st)
{
	for (size_t i = 0; i < st->n_problems; i++)
		buf_free(&st->problems[i]);
	free(st->problems);
	st->problems = NULL;
	st->n_problems = 0;
}

/* The highest entry of CK/SUB, or -1. */
static long long latest(const struct ckpt *ck, const char *sub)
{
	struct buf path = BUF_INIT;
	long long n;

	ckpt_path(ck, sub, -1, &path);
	n = ckpt_log_latest(path.data);
	buf_free(&path);
	return n;
}

/* Without metadata: damage when the folder holds batches, else no checkpoint. */
static void no_metadata(struct ck_status *st, const struct ckpt *ck)
{
	static const char *const parts[] = { "offsets", "commits", "schemas", "state" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		if (latest(ck, parts[i]) < 0)
			continue;
		ck_problem(st, "'%s/metadata' is missing but '%s/%s' holds entries: "
			   REPAIR, ck->dir, ck->dir, parts[i]);
		return;
	}
	die(EX_NOINPUT, "'%s' is not a checkpoint: no metadata file", ck->dir);
}

/* The file records of offsets/ entries past the last commit. */
static void read_ahead(struct ck_status *st, const struct ckpt *ck)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT, rec_path = BUF_INIT;
	struct seenlog_file f;
	size_t n;
	long long *list;

	ckpt_path(ck, "offsets", -1, &dir);
	list = ckpt_log_list(dir.data, &n);
	for (size_t i = 0; i < n; i++) {
		if (list[i] <= st->committed)
			continue;
		st->batches_ahead++;
		ckpt_path(ck, "offsets", list[i], &path);
		buf_reset(&text);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		unsigned long lineno = 0;
		for (const char *p = text.data, *end = p + text.len, *nl; p && p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				nl = end;
			st->files_ahead += seenlog_file_record(path.data, ++lineno, p,
							       (size_t)(nl - p), &rec_path, &f);
		}
	}
	free(list);
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	buf_free(&rec_path);
}

/*
 * The distinct files of sources/seen: the log's "f" and "x" lines in
 * order, sorted by path; a path counts when its last line is an "f".
 */
struct seen_event {
	size_t off, len;	/* of the path in the arena */
	size_t seq;
	bool forget;
};

struct seen_count {
	struct buf arena;
	struct seen_event *v;
	size_t n, cap;
	long long covered;	/* the last "b" line, or format 1's highest batch */
};

static void add_event(struct seen_count *c, const struct seenlog_file *f, bool forget)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = (struct seen_event){ c->arena.len, f->len, c->n, forget };
	c->n++;
	buf_add(&c->arena, f->path, f->len);
}

static void on_file(void *ctx, const struct seenlog_file *f)
{
	add_event(ctx, f, false);
}

static void on_forget(void *ctx, const struct seenlog_file *f)
{
	add_event(ctx, f, true);
}

static void on_covered(void *ctx, long long batch)
{
	((struct seen_count *)ctx)->covered = batch;
}

/* By path (bytes of the arena ARG), then in the log's order. */
static int cmp_event(const void *pa, const void *pb, void *arg)
{
	const struct seen_event *a = pa, *b = pb;
	const char *arena = arg;
	int c = memcmp(arena + a->off, arena + b->off, a->len < b->len ? a->len : b->len);

	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_path(const struct seen_count *c, const struct seen_event *a,
		      const struct seen_event *b)
{
	return a->len == b->len && !memcmp(c->arena.data + a->off, c->arena.data + b->off, a->len);
}

/* Read sources/seen: the files it holds, and whether it records batches. */
static void read_seen(struct ck_status *st, const struct ckpt *ck, struct seenlog_info *info,
		      long long *covered)
{
	struct seen_count c = { .arena = BUF_INIT, .covered = -1 };
	const struct seenlog_visitor v = {
		.ctx = &c, .file = on_file, .forget = on_forget, .covered = on_covered,
	};
	struct buf path = BUF_INIT;

	ckpt_path(ck, "sources/seen", -1, &path);
	seenlog_read(path.data, &v, info);
	if (c.n)
		qsort_r(c.v, c.n, sizeof(*c.v), cmp_event, c.arena.data);
	for (size_t i = 0; i < c.n; i++)
		if ((i + 1 == c.n || !same_path(&c, &c.v[i], &c.v[i + 1])) && !c.v[i].forget)
			st->files_seen++;
	/* Format 1 has no end mark: discover reads its last batch again from offsets/. */
	*covered = info->version == 1 && c.covered >= 0 ? c.covered - 1 : c.covered;
	free(c.v);
	buf_free(&c.arena);
	buf_free(&path);
}

/*
 * The schema location: LOCATION given (recorded in the metadata), the one
 * the metadata records, or the checkpoint itself.
 */
static long long schema_version(struct ckpt *ck, bool have_metadata, const char *location)
{
	struct buf dir = BUF_INIT, recorded = BUF_INIT;
	long long v;

	if (location) {
		char *abs = realpath(location, NULL);
		struct stat sb;
		if (!abs || stat(abs, &sb) < 0 || !S_ISDIR(sb.st_mode))
			die(EX_NOINPUT, "no schema location folder '%s'", location);
		if (have_metadata)
			ckpt_claim(ck, "schema_location", abs);
		buf_printf(&dir, "%s/schemas", abs);
		free(abs);
	} else if (have_metadata && ckpt_metadata_get(ck, "schema_location", &recorded)) {
		buf_printf(&dir, "%s/schemas", recorded.data);
	} else {
		ckpt_path(ck, "schemas", -1, &dir);
	}
	v = ckpt_log_latest(dir.data);
	buf_free(&dir);
	buf_free(&recorded);
	return v;
}

/* Metadata's "window_since": the first batch inlet-window keeps state for, or -1. */
static long long window_since(const struct ckpt *ck, bool have_metadata)
{
	struct buf v = BUF_INIT, path = BUF_INIT;
	long long since = -1;
	char *end;

	if (have_metadata && ckpt_metadata_get(ck, "window_since", &v)) {
		errno = 0;
		since = strtoll(v.data, &end, 10);
		if (!v.len || *end || errno || since < 0) {
			ckpt_path(ck, "metadata", -1, &path);
			die(EX_DATAERR, "checkpoint file '%s': \"window_since\" is not a batch "
			    "number; restore it from a backup", path.data);
		}
	}
	buf_free(&v);
	buf_free(&path);
	return since;
}

/* The size of the latest state/ snapshot. */
static long long state_bytes(const struct ckpt *ck)
{
	long long n = latest(ck, "state");
	struct buf path = BUF_INIT;
	struct stat sb;
	long long bytes = 0;

	if (n >= 0) {
		ckpt_path(ck, "state", n, &path);
		if (stat(path.data, &sb) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		bytes = (long long)sb.st_size;
	}
	buf_free(&path);
	return bytes;
}

/* The entries of clean-pending (commit's queue): its non-empty lines. */
static long long clean_pending(const struct ckpt *ck)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	long long n = 0;

	ckpt_path(ck, "clean-pending", -1, &path);
	if (read_file(path.data, &text) < 0 && errno != ENOENT)
		die_errno(EX_IOERR, "cannot read '%s'", path.data);
	for (size_t i = 0; i < text.len; i++)
		n += text.data[i] == '\n' && (i == 0 || text.data[i - 1] != '\n');
	buf_free(&path);
	buf_free(&text);
	return n;
}

/* A state/ entry exists? */
static bool state_exists(const struct ckpt *ck, long long batch)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	bool yes;

	ckpt_path(ck, "state", batch, &path);
	yes = stat(path.data, &sb) == 0;
	buf_free(&path);
	return yes;
}

void ck_status_read(struct ck_status *st, const char *dir, const char *location)
{
	struct ckpt ck;
	struct stat sb;
	struct seenlog_info seen;
	long long covered;
	bool have_metadata;

	memset(st, 0, sizeof(*st));
	st->dir = dir;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		die(EX_NOINPUT, "no checkpoint folder '%s'", dir);
	have_metadata = ckpt_open_existing(&ck, dir) == 0;
	if (!have_metadata)
		no_metadata(st, &ck);
	memcpy(st->id, ck.id, sizeof(st->id));
	st->committed = latest(&ck, "commits");
	st->last_offset = latest(&ck, "offsets");
	read_ahead(st, &ck);
	read_seen(st, &ck, &seen, &covered);
	st->schema_version = schema_version(&ck, have_metadata, location);
	st->state_bytes = state_bytes(&ck);
	st->clean_pending = clean_pending(&ck);
	st->window_since = window_since(&ck, have_metadata);

	/* Damage the stages refuse at start (inlet(7), "A checkpoint that knows it is damaged"). */
	if (st->committed > st->last_offset && st->last_offset >= 0)
		ck_problem(st, "'%s/commits/%lld' marks a batch never written ahead "
			   "(offsets/ ends at %lld): restore '%s/offsets' from a backup or "
			   "start a new checkpoint", dir, st->committed, st->last_offset, dir);
	else if (st->committed > st->last_offset)
		ck_problem(st, "'%s/commits/%lld' marks a batch never written ahead "
			   "(offsets/ is empty): restore '%s/offsets' from a backup or start "
			   "a new checkpoint", dir, st->committed, dir);
	if (st->committed >= 0 && st->last_offset >= 0 && !seen.lines)
		ck_problem(st, "'%s/sources/seen' is missing or empty while batches were "
			   "committed: " REPAIR, dir);
	if (st->committed < 0 && st->last_offset < 0 && covered >= 0)
		ck_problem(st, "'%s/offsets' and '%s/commits' are gone but '%s/sources/seen' "
			   "records batches: restore them from a backup or start a new "
			   "checkpoint", dir, dir, dir);
	if (st->window_since >= 0 && st->committed >= st->window_since &&
	    !state_exists(&ck, st->committed))
		ck_problem(st, "'%s/state/%lld' is missing: it holds the window state of "
			   "committed batch %lld; restore it or start a new checkpoint",
			   dir, st->committed, st->committed);
	ckpt_close(&ck);
}
