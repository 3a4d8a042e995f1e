#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "clean.h"
#include "datetime.h"
#include "die.h"
#include "fileio.h"
#include "json.h"
#include "stream.h"

enum outcome { CLEANED, LEFT, FAILED };

/* ---- lists ---- */

static void list_push(struct clean_list *l, long long batch, char *path,
		      const struct file_identity *id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].batch = batch;
	l->v[l->n].processed_us = -1;
	l->v[l->n].path = path;
	l->v[l->n].id = *id;
	l->n++;
}

static void list_clear(struct clean_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	l->n = 0;
}

static void list_free(struct clean_list *l)
{
	list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- set-up ---- */

void cleaner_check(const char *spec, long long retention_us, const char *checkpoint)
{
	bool move = !strncmp(spec, "move:", 5) && spec[5];

	if (!move && strcmp(spec, "delete"))
		die(EX_USAGE, "invalid value '%s' for --clean-source: expected delete "
		    "or move:DIR", spec);
	if (!checkpoint)
		die(EX_USAGE, "--clean-source needs --checkpoint");
	/* Databricks: "must be greater than 7 days for DELETE"; 0 is inlet's "at once". */
	if (!move && retention_us > 0 && retention_us < CLEAN_RETENTION_DELETE_MIN_US)
		die(EX_USAGE, "--clean-retention under 7 days with --clean-source delete: "
		    "give 7 days or more (as Databricks requires), 0 to delete at once, or "
		    "move:DIR");
}

void cleaner_init(struct cleaner *c, const char *spec, long long retention_us,
		  const char *checkpoint)
{
	bool move = !strncmp(spec, "move:", 5) && spec[5];

	memset(c, 0, sizeof(*c));
	c->archive_fd = -1;
	c->retention_us = retention_us;
	cleaner_check(spec, retention_us, checkpoint);
	buf_printf(&c->queue_path, "%s/clean-pending", checkpoint);
	if (move) {
		if (mkdir_p_mode(spec + 5, 0777) < 0)
			die_errno(EX_CANTCREAT, "cannot create '%s' for --clean-source", spec + 5);
		c->move_to = realpath(spec + 5, NULL);
		if (!c->move_to)
			die_errno(EX_CANTCREAT, "cannot resolve '%s'", spec + 5);
		/* The user's own folder, symbolic links and all; below it, none. */
		c->archive_fd = open(c->move_to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->archive_fd < 0)
			die_errno(EX_CANTCREAT, "cannot open '%s'", c->move_to);
	}
}

/* ---- the queue, CK/clean-pending ---- */

/*
 * One entry a line: {"batch":N,"path":"...","dev":D,"ino":I,"size":S,
 * "mtime_ns":NS}, and "processed":"ISO-8601" once the batch is known to
 * be committed.  An empty queue is no file.
 */
static int queue_write(const struct cleaner *c)
{
	struct buf out = BUF_INIT;
	int rc;

	for (size_t i = 0; i < c->queue.n; i++) {
		const struct clean_entry *e = &c->queue.v[i];
		buf_printf(&out, "{\"batch\":%lld,\"path\":", e->batch);
		json_path_encode(&out, e->path, strlen(e->path));
		identity_append(&out, &e->id);
		if (e->processed_us >= 0) {
			char when[40];
			iso8601_utc(when, e->processed_us / 1000000,
				    (long)(e->processed_us % 1000000) * 1000);
			buf_printf(&out, ",\"processed\":\"%s\"", when);
		}
		buf_adds(&out, "}\n");
	}
	if (out.len)
		rc = write_file_atomic(c->queue_path.data, out.data, out.len);
	else
		rc = unlink(c->queue_path.data) < 0 && errno != ENOENT ? -1 : 0;
	buf_free(&out);
	return rc;
}

static void queue_damaged(const struct cleaner *c, unsigned long lineno, const char *why)
{
	die(EX_DATAERR, "'%s' line %lu: %s; remove that line (its file is then left "
	    "in place) and start again", c->queue_path.data, lineno, why);
}

/* A line of an older inlet: a path, queued once its batch was committed. */
static void queue_read_path(struct cleaner *c, const char *line, size_t len,
			    unsigned long lineno, struct buf *path)
{
	buf_reset(path);
	if (json_string_decode(path, line, len) < 0 || strlen(path->data) != path->len)
		queue_damaged(c, lineno, "not a file path");
	warning("not cleaning '%s': it was queued by an older inlet, without the "
		"file's identity; left in place", path->data);
	c->left++;
}

/* Load CK/clean-pending into c->queue; true when it must be rewritten. */
static bool queue_read(struct cleaner *c)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	unsigned long lineno = 0;
	bool rewrite = false;

	if (read_file(c->queue_path.data, &text) < 0 && errno != ENOENT)
		die_errno(EX_IOERR, "cannot read '%s'", c->queue_path.data);
	for (char *p = text.data, *end = text.data + text.len, *nl; p && p < end; p = nl + 1) {
		struct record rec;
		struct json_error err;
		struct file_identity id;
		long long batch;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			queue_damaged(c, lineno + 1, "cut short (no newline)");
		lineno++;
		if (nl == p)
			continue;
		if (*p == '"') {
			queue_read_path(c, p, (size_t)(nl - p), lineno, &path);
			rewrite = true;
			continue;
		}
		if (record_classify(&rec, p, (size_t)(nl - p), &err) < 0)
			queue_damaged(c, lineno, "not a JSON object");
		batch = record_get_int(&rec, "batch", -1);
		buf_reset(&path);
		identity_from_record(&id, &rec);
		if (batch < 0 || !record_get_string(&rec, "path", &path) ||
		    strlen(path.data) != path.len || !path.len || !id.known)
			queue_damaged(c, lineno, "not a queue entry (batch, path, dev, ino, "
				      "size, mtime_ns)");
		list_push(&c->queue, batch, xstrdup(path.data), &id);
		buf_reset(&path);
		if (record_get_string(&rec, "processed", &path) &&
		    !iso8601_scan_us(path.data, path.len, &c->queue.v[c->queue.n - 1].processed_us))
			queue_damaged(c, lineno, "its \"processed\" is not an ISO-8601 time");
	}
	buf_free(&text);
	buf_free(&path);
	return rewrite;
}

/* ---- cleaning one file ---- */

static enum outcome left_in_place(const char *path, const char *why)
{
	warning("not cleaning '%s': %s; left in place", path, why);
	return LEFT;
}

static enum outcome failed(const struct cleaner *c, const char *path, const char *why)
{
	warning("cannot %s '%s': %s (tried again after the next batch and at the "
		"next start)", c->move_to ? "move" : "delete", path, why);
	return FAILED;
}

/*
 * Open the folder that holds PATH and point *NAME at its last component.
 * Unlink and rename then act on the entry in that folder, the one fstatat
 * checked, even if a folder of the path is swapped in between.
 */
static int open_parent(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	struct buf dir = BUF_INIT;
	int fd;

	*name = slash ? slash + 1 : path;
	if (!slash)
		buf_addc(&dir, '.');
	else if (slash == path)
		buf_addc(&dir, '/');
	else
		buf_add(&dir, path, (size_t)(slash - path));
	fd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf_free(&dir);
	return fd;
}

/* Enter the folder NAME of the folder FD, creating it, never through a link. */
static int enter_folder(int fd, const char *name)
{
	if (mkdirat(fd, name, 0777) < 0 && errno != EEXIST)
		return -1;
	return openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * Open (creating them) the archive's folders for the absolute PATH,
 * DIR/<PATH's folder>, one component at a time and never through a
 * symbolic link: a link planted in the archive cannot send the file
 * elsewhere.  The folder's descriptor, or -1 with WHY set.
 */
static int open_archive_folder(const struct cleaner *c, const char *path, struct buf *why)
{
	struct buf part = BUF_INIT;
	const char *end = strrchr(path, '/');
	int fd = fcntl(c->archive_fd, F_DUPFD_CLOEXEC, 0);

	buf_reset(why);
	if (fd < 0) {
		buf_printf(why, "cannot open '%s': %s", c->move_to, strerror(errno));
		return -1;
	}
	for (const char *p = path; end && p < end; ) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		size_t n = (size_t)((q ? q : end) - p);
		int next, err;

		buf_add(&part, p, n);
		p += n + 1;
		if (!n)
			continue;
		next = enter_folder(fd, part.data + part.len - n);
		err = errno;
		close(fd);
		fd = next;
		if (fd < 0) {
			if (err == ELOOP || err == ENOTDIR)
				buf_printf(why, "'%s/%s' in the archive is not a folder (a "
					   "symbolic link or a file)", c->move_to, part.data);
			else
				buf_printf(why, "cannot create '%s/%s': %s", c->move_to,
					   part.data, strerror(err));
			break;
		}
		buf_addc(&part, '/');
	}
	buf_free(&part);
	return fd;
}

/* Copy IN to OUT; 0, or -1 with errno set. */
static int copy_data(int in, int out)
{
	char chunk[1 << 16];

	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (char *p = chunk; n > 0; ) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			p += w;
			n -= w;
		}
	}
}

/*
 * Is the file ST describes no longer the one listed for E?  Then *RC says
 * it is left in place, with what changed.
 */
static bool not_as_listed(const struct clean_entry *e, const struct stat *st,
			  struct buf *why, enum outcome *rc)
{
	struct file_identity got;

	identity_from_stat(&got, st, false);
	if (identity_equal(&e->id, &got))
		return false;
	*rc = left_in_place(e->path, identity_change(&e->id, &got, why));
	return true;
}

/*
 * Move across file systems: a copy under a temporary name in the archive
 * folder TO (O_EXCL|O_NOFOLLOW: a planted name is never followed), synced,
 * given the source's owner, mode and times, renamed into place; then the
 * source, checked again, is unlinked.
 */
static enum outcome move_by_copy(const struct cleaner *c, const struct clean_entry *e,
				 int from, const char *name, int to)
{
	struct buf tmp = BUF_INIT, why = BUF_INIT;
	struct file_identity got;
	struct stat st;
	enum outcome rc = FAILED;
	int src, copy = -1;

	src = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (src < 0) {
		rc = errno == ENOENT ? CLEANED : failed(c, e->path, strerror(errno));
		goto out;
	}
	if (fstat(src, &st) < 0) {
		rc = failed(c, e->path, strerror(errno));
		goto out;
	}
	if (not_as_listed(e, &st, &why, &rc))
		goto out;
	buf_printf(&tmp, ".%s.inlet-tmp", name);
	for (int tries = 0; copy < 0 && tries < 2; tries++) {
		copy = openat(to, tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		/* A crash's leftover, or a name planted there: unlink never follows. */
		if (copy < 0 && errno == EEXIST && !tries)
			unlinkat(to, tmp.data, 0);
	}
	if (copy < 0) {
		buf_printf(&why, "cannot create '.%s.inlet-tmp' in the archive: %s", name,
			   strerror(errno));
		rc = failed(c, e->path, why.data);
		goto out;
	}
	if (copy_data(src, copy) < 0 || fsync(copy) < 0) {
		rc = failed(c, e->path, strerror(errno));
		goto drop_tmp;
	}
	if (fstat(src, &st) < 0) {
		rc = failed(c, e->path, strerror(errno));
		goto drop_tmp;
	}
	if (not_as_listed(e, &st, &why, &rc))
		goto drop_tmp;
	/* Created 0600 until complete; then the source's owner, mode, times. */
	if (fchown(copy, st.st_uid, st.st_gid) < 0 && errno != EPERM)
		warning("cannot give the copy of '%s' its owner: %s", e->path, strerror(errno));
	if (fchmod(copy, st.st_mode & 07777) < 0)
		warning("cannot give the copy of '%s' mode %04o (it is 0600): %s", e->path,
			(unsigned)(st.st_mode & 07777), strerror(errno));
	const struct timespec times[2] = { st.st_atim, st.st_mtim };
	futimens(copy, times);
	if (close(copy) < 0) {
		copy = -1;
		rc = failed(c, e->path, strerror(errno));
		goto drop_tmp;
	}
	copy = -1;
	if (renameat(to, tmp.data, to, name) < 0) {
		rc = failed(c, e->path, strerror(errno));
		goto drop_tmp;
	}
	fsync(to);
	/* The copy is durable; the source goes only if it is still that file. */
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? CLEANED : failed(c, e->path, strerror(errno));
		goto out;
	}
	identity_from_stat(&got, &st, false);
	if (!identity_equal(&e->id, &got)) {
		const char *change = identity_change(&e->id, &got, &why);
		buf_reset(&tmp);
		buf_printf(&tmp, "%s, while it was copied (the archive keeps the copy)", change);
		rc = left_in_place(e->path, tmp.data);
		goto out;
	}
	if (unlinkat(from, name, 0) < 0 && errno != ENOENT) {
		rc = failed(c, e->path, strerror(errno));
		goto out;
	}
	fsync(from);
	rc = CLEANED;
	goto out;
drop_tmp:
	if (copy >= 0)
		close(copy);
	copy = -1;
	unlinkat(to, tmp.data, 0);
out:
	if (copy >= 0)
		close(copy);
	if (src >= 0)
		close(src);
	buf_free(&tmp);
	buf_free(&why);
	return rc;
}

static enum outcome move_file(const struct cleaner *c, const struct clean_entry *e,
			      int from, const char *name)
{
	struct buf why = BUF_INIT;
	struct file_identity got;
	struct stat st;
	enum outcome rc;
	int to = open_archive_folder(c, e->path, &why);

	if (to < 0) {
		rc = failed(c, e->path, why.data);
		goto out;
	}
	/* rename(2) replaces a link planted at the name; it never follows it. */
	if (renameat(from, name, to, name) < 0) {
		if (errno == ENOENT)
			rc = CLEANED;
		else if (errno == EXDEV)
			rc = move_by_copy(c, e, from, name, to);
		else
			rc = failed(c, e->path, strerror(errno));
		goto out;
	}
	/* Swapped between the check and the rename: put it back. */
	if (fstatat(to, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		identity_from_stat(&got, &st, false);
		if (!identity_equal(&e->id, &got)) {
			const char *change = identity_change(&e->id, &got, &why);
			if (renameat2(to, name, from, name, RENAME_NOREPLACE) == 0)
				rc = left_in_place(e->path, change);
			else
				rc = failed(c, e->path, "replaced just before it was moved; "
					    "the file now in the archive is not the one read");
			goto out;
		}
	}
	fsync(to);
	fsync(from);
	rc = CLEANED;
out:
	if (to >= 0)
		close(to);
	buf_free(&why);
	return rc;
}

/* Delete or move the file of E if it is still the one that was read. */
static enum outcome clean_one(const struct cleaner *c, const struct clean_entry *e)
{
	struct buf why = BUF_INIT;
	struct stat st;
	const char *name;
	enum outcome rc;
	int dir = open_parent(e->path, &name);

	if (dir < 0)
		return errno == ENOENT ? CLEANED : failed(c, e->path, strerror(errno));
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Gone already: an earlier run cleaned it just before a crash. */
		rc = errno == ENOENT ? CLEANED : failed(c, e->path, strerror(errno));
		goto out;
	}
	if (not_as_listed(e, &st, &why, &rc))
		goto out;
	if (c->move_to) {
		rc = move_file(c, e, dir, name);
	} else if (unlinkat(dir, name, 0) < 0 && errno != ENOENT) {
		rc = failed(c, e->path, strerror(errno));
	} else {
		fsync(dir);
		rc = CLEANED;
	}
out:
	close(dir);
	buf_free(&why);
	return rc;
}

/* ---- batches ---- */

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Clean the queued files of batches up to UPTO whose retention is over,
 * stamping those not stamped yet with NOW; rewrite the queue if it changed.
 */
static void clean_queue(struct cleaner *c, long long upto, long long now, bool rewrite)
{
	size_t keep = 0;

	c->waiting = 0;
	c->due_us = -1;
	for (size_t i = 0; i < c->queue.n; i++) {
		struct clean_entry *e = &c->queue.v[i];
		enum outcome rc;

		if (e->batch > upto) {
			c->queue.v[keep++] = *e;
			continue;
		}
		if (e->processed_us < 0) {
			e->processed_us = now;
			rewrite = true;
		}
		/* Databricks: cleaned "after the retention duration ... elapses". */
		if (now - e->processed_us < c->retention_us) {
			long long due = e->processed_us + c->retention_us;
			if (c->due_us < 0 || due < c->due_us)
				c->due_us = due;
			c->waiting++;
			c->queue.v[keep++] = *e;
			continue;
		}
		rc = clean_one(c, e);
		if (rc == FAILED) {
			c->failed++;
			c->queue.v[keep++] = *e;
			continue;
		}
		*(rc == CLEANED ? &c->cleaned : &c->left) += 1;
		free(e->path);
		rewrite = true;
	}
	c->queue.n = keep;
	/* Not fatal: the entries cleaned are gone or left, and count as such again. */
	if (rewrite && queue_write(c) < 0)
		warning("cannot update '%s': %s", c->queue_path.data, strerror(errno));
}

/*
 * When batch N was committed, as commits/N in COMMITS_DIR says, or -1
 * when it is gone (pruned) or says nothing readable.
 */
static long long committed_at(const char *commits_dir, long long n)
{
	struct buf path = BUF_INIT, text = BUF_INIT, when = BUF_INIT;
	struct record rec;
	struct json_error err;
	long long us = -1;

	buf_printf(&path, "%s/%lld", commits_dir, n);
	if (read_file(path.data, &text) == 0 && text.len && text.data[text.len - 1] == '\n' &&
	    record_classify(&rec, text.data, text.len - 1, &err) == 0 &&
	    record_get_string(&rec, "committed", &when) &&
	    !iso8601_scan_us(when.data, when.len, &us))
		us = -1;
	buf_free(&path);
	buf_free(&text);
	buf_free(&when);
	return us;
}

static int cmp_batch(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

void cleaner_resume(struct cleaner *c, const char *commits_dir)
{
	size_t n, keep = 0;
	long long *commits = ckpt_log_list(commits_dir, &n);
	bool rewrite = queue_read(c);

	for (size_t i = 0; i < c->queue.n; i++) {
		struct clean_entry *e = &c->queue.v[i];
		/* Only committed entries are pruned from commits/. */
		bool committed = n && (e->batch < commits[0] ||
				       bsearch(&e->batch, commits, n, sizeof(*commits), cmp_batch));
		if (committed) {
			/* Stamped from its commit mark; else now, which only waits longer. */
			if (e->processed_us < 0) {
				e->processed_us = committed_at(commits_dir, e->batch);
				rewrite |= e->processed_us >= 0;
			}
			c->queue.v[keep++] = *e;
		} else {
			free(e->path);	/* its replay queues it again */
			rewrite = true;
		}
	}
	c->queue.n = keep;
	free(commits);
	clean_queue(c, LLONG_MAX, now_us(), rewrite);
}

void cleaner_add(struct cleaner *c, const char *path, const struct file_identity *id)
{
	list_push(&c->batch, -1, xstrdup(path), id);
}

void cleaner_drop(struct cleaner *c, const char *path)
{
	size_t keep = 0;

	for (size_t i = 0; i < c->batch.n; i++) {
		if (strcmp(c->batch.v[i].path, path))
			c->batch.v[keep++] = c->batch.v[i];
		else
			free(c->batch.v[i].path);
	}
	c->batch.n = keep;
}

void cleaner_forget(struct cleaner *c)
{
	list_clear(&c->batch);
}

/* Why the file of E cannot be verified or placed, or NULL when it can. */
static const char *unverifiable(const struct cleaner *c, const struct clean_entry *e)
{
	if (e->id.link)
		return "the listing reached it through a symbolic link";
	if (!*e->path || e->path[strlen(e->path) - 1] == '/')
		return "not a file's path";
	if (!c->move_to)
		return NULL;
	if (*e->path != '/')
		return "not an absolute path, so it has no place in the archive";
	for (const char *p = e->path; p; p = strchr(p + 1, '/'))
		if (!strncmp(p, "/./", 3) || !strncmp(p, "/../", 4))
			return "its path has a '.' or '..' component";
	return NULL;
}

void cleaner_prepare(struct cleaner *c, long long batch)
{
	size_t keep = 0, before = c->queue.n;

	/* A batch given again replaces what it queued before. */
	for (size_t i = 0; i < c->queue.n; i++) {
		if (c->queue.v[i].batch != batch)
			c->queue.v[keep++] = c->queue.v[i];
		else
			free(c->queue.v[i].path);
	}
	c->queue.n = keep;
	bool rewrite = keep != before;
	for (size_t i = 0; i < c->batch.n; i++) {
		struct clean_entry *e = &c->batch.v[i];
		const char *why = unverifiable(c, e);
		if (!e->id.known) {
			if (!c->warned_unknown)
				warning("not cleaning '%s': its file record has no identity "
					"(dev, ino, size, mtime_ns), as from an older "
					"inlet-discover; files without one are left in place "
					"(warned once)", e->path);
			c->warned_unknown = true;
			c->left++;
		} else if (why) {
			left_in_place(e->path, why);
			c->left++;
		} else {
			list_push(&c->queue, batch, e->path, &e->id);
			e->path = NULL;
			rewrite = true;
		}
		free(e->path);
	}
	c->batch.n = 0;
	if (rewrite && queue_write(c) < 0)
		die_errno(EX_IOERR, "cannot write '%s'; batch %lld was not committed",
			  c->queue_path.data, batch);
}

void cleaner_run(struct cleaner *c, long long committed)
{
	clean_queue(c, committed, now_us(), false);
}

void cleaner_report(const struct cleaner *c)
{
	char due[40];

	fprintf(stderr, "inlet-commit: %lld source files cleaned, %lld left in place, "
		"%lld failures to clean", c->cleaned, c->left, c->failed);
	if (c->waiting) {
		iso8601_utc(due, c->due_us / 1000000, (long)(c->due_us % 1000000) * 1000);
		fprintf(stderr, ", %lld waiting for their retention (the first due at %s)",
			c->waiting, due);
	}
	fputc('\n', stderr);
}

void cleaner_free(struct cleaner *c)
{
	if (c->archive_fd >= 0)
		close(c->archive_fd);
	free(c->move_to);
	buf_free(&c->queue_path);
	list_free(&c->queue);
	list_free(&c->batch);
}
