/*
 * The NDJSON folder sink and the console sink.
 *
 * A folder table is part files plus _manifest, which lists the committed
 * parts in order, one JSON line each, and is the table's truth.  A batch is
 * written to a temporary file, synced and renamed to part-BATCH-CKID.ndjson;
 * then _manifest is rewritten atomically with the part's line added.  That
 * rename is the commit, and the line is the batch's mark, so a replayed
 * batch finds its line and is skipped.  A part file that _manifest does not
 * name was left by a commit cut short (its batch was never reported done,
 * and is replayed) or by an overwrite cut short (a replaced part): either
 * way it is removed when the folder is opened.  One writer at a time holds
 * the folder's .lock.  Names starting with '_' or '.' are ignored by readers
 * that follow Spark's hidden-file rule, inlet-discover included.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "datetime.h"
#include "die.h"
#include "fault.h"
#include "fileio.h"
#include "json.h"
#include "sink.h"
#include "stream.h"

struct dir_sink {
	struct sink base;
	char *dir;
	int lock_fd;		/* holds the flock of DIR/.lock until close */
	FILE *part;		/* the open batch's temporary file */
	struct buf tmp, final, manifest;
	struct buf listing;	/* the text of _manifest as committed */
	char **names;		/* the parts it names, sorted, owned */
	size_t nnames, capnames;
};

/* One writer per folder: two would each rewrite _manifest from their copy. */
static void lock_folder(struct dir_sink *s)
{
	struct buf path = BUF_INIT, what = BUF_INIT;

	buf_printf(&path, "%s/.lock", s->dir);
	buf_printf(&what, "table folder '%s'", s->dir);
	s->lock_fd = lock_take(path.data, 0666, what.data,
			       "another inlet-commit is writing to it");
	buf_free(&path);
	buf_free(&what);
}

/* Where NAME is, or would go, in the sorted names. */
static size_t name_slot(struct dir_sink *s, const char *name, bool *found)
{
	size_t lo = 0, hi = s->nnames;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->names[mid], name);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool manifest_names(struct dir_sink *s, const char *name)
{
	bool found;

	name_slot(s, name, &found);
	return found;
}

static void add_name(struct dir_sink *s, const char *name)
{
	bool found;
	size_t at = name_slot(s, name, &found);

	if (found)
		return;
	if (s->nnames == s->capnames) {
		s->capnames = s->capnames ? s->capnames * 2 : 64;
		s->names = xrealloc(s->names, s->capnames * sizeof(*s->names));
	}
	memmove(s->names + at + 1, s->names + at, (s->nnames - at) * sizeof(*s->names));
	s->names[at] = xstrdup(name);
	s->nnames++;
}

static void forget_names(struct dir_sink *s)
{
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	s->nnames = 0;
}

/*
 * Read _manifest and the part each line names.  A line that is not an
 * entry stops everything (65): guessing would remove or keep the wrong
 * parts.
 */
static void load_manifest(struct dir_sink *s)
{
	struct buf name = BUF_INIT;
	size_t pos = 0, lineno = 0;

	buf_reset(&s->listing);
	if (read_file(s->manifest.data, &s->listing) < 0 && errno != ENOENT)
		die_errno(EX_IOERR, "cannot read '%s'", s->manifest.data);
	forget_names(s);
	while (pos < s->listing.len) {
		const char *line = s->listing.data + pos, *v;
		const char *nl = memchr(line, '\n', s->listing.len - pos);
		size_t n = nl ? (size_t)(nl - line) : s->listing.len - pos, vn;
		struct json_error err;

		pos += n + 1;
		lineno++;
		buf_reset(&name);
		if (json_object_validate(line, n, &err) < 0 ||
		    json_object_get(line, n, "part", &v, &vn) != 1 || !json_is_string(v, vn) ||
		    json_string_decode(&name, v, vn) < 0 || strlen(name.data) != name.len)
			die(EX_DATAERR, "'%s' line %zu is not a part entry "
			    "{\"part\":NAME,...}; repair the line or remove it, then run again",
			    s->manifest.data, lineno);
		add_name(s, name.data);
	}
	if (s->listing.len && s->listing.data[s->listing.len - 1] != '\n')
		buf_addc(&s->listing, '\n');
	buf_free(&name);
}

static bool is_part_name(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "part-", 5) && n > 12 && !strcmp(name + n - 7, ".ndjson");
}

/*
 * Remove every part file _manifest does not name.  At open (WARN) these
 * are the leftovers of a commit cut short, said on standard error; after an
 * overwrite they are the parts it replaced.
 */
static void remove_unnamed_parts(struct dir_sink *s, bool warn)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	struct buf path = BUF_INIT;
	bool removed = false;

	if (!d)
		die_errno(EX_IOERR, "cannot read folder '%s'", s->dir);
	while ((errno = 0, e = readdir(d))) {
		if (!is_part_name(e->d_name) || manifest_names(s, e->d_name))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", s->dir, e->d_name);
		if (unlink(path.data) < 0 && errno != ENOENT)
			die_errno(EX_IOERR, "cannot remove '%s'", path.data);
		removed = true;
		if (warn)
			warning("removed '%s': '%s' does not name it (a commit cut short; "
				"its batch was not reported done)", path.data, s->manifest.data);
		else
			crash_point("commit-dir-overwrite");
	}
	if (errno)
		die_errno(EX_IOERR, "cannot read folder '%s'", s->dir);
	closedir(d);
	if (removed && fsync_parent(s->manifest.data) < 0)
		die_errno(EX_IOERR, "cannot sync folder '%s'", s->dir);
	buf_free(&path);
}

static void part_name(struct dir_sink *s, long long batch, struct buf *out)
{
	buf_reset(out);
	if (batch >= 0 && s->base.checkpoint_id)
		buf_printf(out, "%s/part-%08lld-%.8s.ndjson", s->dir, batch,
			   s->base.checkpoint_id);
	else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		buf_printf(out, "%s/part-%lld%09ld-%ld.ndjson", s->dir,
			   (long long)ts.tv_sec, ts.tv_nsec, (long)getpid());
	}
}

static const char *base_name(const struct buf *path)
{
	return strrchr(path->data, '/') + 1;
}

static int dir_begin(struct sink *base, long long batch)
{
	struct dir_sink *s = (struct dir_sink *)base;

	part_name(s, batch, &s->final);
	if (batch >= 0 && base->checkpoint_id && manifest_names(s, base_name(&s->final)))
		return 1;
	buf_reset(&s->tmp);
	buf_printf(&s->tmp, "%s/.part.tmp%ld", s->dir, (long)getpid());
	s->part = fopen(s->tmp.data, "w");
	if (!s->part)
		die_errno(EX_CANTCREAT, "cannot create '%s'", s->tmp.data);
	return 0;
}

static void dir_schema(struct sink *base, const char *text, size_t len)
{
	(void)base, (void)text, (void)len;	/* NDJSON carries no schema */
}

static void dir_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct dir_sink *s = (struct dir_sink *)base;

	(void)lineno;
	if (stream_put_line(s->part, rec->text, rec->len) == EOF)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
}

/*
 * The part under its final name first, then _manifest naming it: a crash
 * in between leaves a part no line names, removed at the next open while
 * the batch is replayed.  Overwrite: the new _manifest names only the new
 * part, and the parts it replaced go after it.
 */
static void dir_commit(struct sink *base, long long batch, long long rows)
{
	struct dir_sink *s = (struct dir_sink *)base;
	struct buf text = BUF_INIT;
	const char *name = base_name(&s->final);
	char now[32];

	if (fflush(s->part) != 0 || fsync(fileno(s->part)) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
	if (fclose(s->part) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
	s->part = NULL;
	if (rename(s->tmp.data, s->final.data) < 0)
		die_errno(EX_IOERR, "cannot rename '%s' to '%s'", s->tmp.data, s->final.data);
	if (fsync_parent(s->final.data) < 0)
		die_errno(EX_IOERR, "cannot sync folder '%s'", s->dir);
	crash_point("commit-dir-after-part");

	if (base->mode != SINK_OVERWRITE)
		buf_add(&text, s->listing.data, s->listing.len);
	iso8601_now(now);
	buf_adds(&text, "{\"part\":");
	json_string_encode(&text, name, strlen(name));
	buf_printf(&text, ",\"batch\":%lld,\"rows\":%lld,\"committed\":\"%s\"}\n",
		   batch, rows, now);
	if (write_file_atomic_mode(s->manifest.data, text.data, text.len, 0666) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->manifest.data);
	crash_point("commit-dir-after-manifest");

	buf_free(&s->listing);
	s->listing = text;
	if (base->mode == SINK_OVERWRITE)
		forget_names(s);
	add_name(s, name);
	if (base->mode == SINK_OVERWRITE)
		remove_unnamed_parts(s, false);
}

static void dir_abort(struct sink *base)
{
	struct dir_sink *s = (struct dir_sink *)base;

	if (s->part) {
		fclose(s->part);
		s->part = NULL;
		unlink(s->tmp.data);
	}
}

static void dir_close(struct sink *base)
{
	struct dir_sink *s = (struct dir_sink *)base;

	dir_abort(base);
	close(s->lock_fd);
	forget_names(s);
	free(s->names);
	free(s->dir);
	free(base->name);
	buf_free(&s->tmp);
	buf_free(&s->final);
	buf_free(&s->manifest);
	buf_free(&s->listing);
	free(s);
}

static const struct sink_ops dir_ops = {
	dir_begin, dir_schema, dir_row, dir_commit, dir_abort, dir_close
};

struct sink *sink_dir_open(const char *dir)
{
	struct dir_sink *s = xcalloc(1, sizeof(*s));
	struct buf name = BUF_INIT;

	if (mkdir_p_mode(dir, 0777) < 0)
		die_errno(EX_CANTCREAT, "cannot create folder '%s'", dir);
	s->base.ops = &dir_ops;
	s->dir = xstrdup(dir);
	buf_printf(&name, "dir:%s", dir);
	s->base.name = xstrdup(name.data);
	buf_printf(&s->manifest, "%s/_manifest", dir);
	/* Only under the lock: another writer's temporary files are its own. */
	lock_folder(s);
	remove_temporaries(dir);
	load_manifest(s);
	remove_unnamed_parts(s, true);
	buf_free(&name);
	return &s->base;
}

/* ---- the console sink: rows to standard output, flushed per batch ---- */

static int out_begin(struct sink *base, long long batch)
{
	(void)base, (void)batch;
	return 0;
}

static void out_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	(void)base, (void)lineno;
	stream_write(stdout, rec->text, rec->len);
}

static void out_commit(struct sink *base, long long batch, long long rows)
{
	(void)base, (void)batch, (void)rows;
	stream_flush(stdout);
}

static void out_abort(struct sink *base)
{
	(void)base;
}

static void out_close(struct sink *base)
{
	free(base->name);
	free(base);
}

static const struct sink_ops stdout_ops = {
	out_begin, dir_schema, out_row, out_commit, out_abort, out_close
};

struct sink *sink_stdout_open(void)
{
	struct sink *s = xcalloc(1, sizeof(*s));

	s->ops = &stdout_ops;
	s->name = xstrdup("stdout");
	return s;
}
