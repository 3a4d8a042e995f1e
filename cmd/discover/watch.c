/*
 * The streaming triggers of inlet-discover.
 *
 * every:DURATION lists the sources, emits what is new, and sleeps the
 * rest of the interval; an overrun lists again at once (Spark's
 * processingTime).  A polled file is taken once it is unchanged across two
 * listings, or older than --min-age, so a file still being written waits.
 *
 * watch follows inotify(7): a file is taken when it is closed after
 * writing or moved in.  Files found by listing instead (at start, in a new
 * folder, after a queue overflow, at each --backfill-interval) are taken
 * when their modification time is over a second old, or once unchanged
 * over a short settle time.  Events that arrive together are gathered
 * into one batch.
 *
 * Two things are not complete though they look so.  A file created under
 * watch and not closed yet is being written: a listing leaves it to its
 * close, unless it stayed unchanged for WRITING_QUIET_MS (a close event
 * lost to an overflow).  An empty file closed may be written next (a
 * writer that creates, then fills): it goes to the listing's rules, and is
 * taken empty only once it stayed empty over a second.  After a start, the
 * files already there go out before any new one, oldest first, so that a
 * window downstream does not see the backlog as late rows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "discover.h"

#define SETTLE_MS 250		/* a listed file unchanged this long is complete */
#define OLD_MS 1000		/* a listed file this old is complete */
#define GATHER_MS 2		/* quiet time that closes a batch of events */
#define GATHER_MAX_MS 20	/* longest a batch waits for more events */
#define WRITING_QUIET_MS 10000	/* an open file unchanged this long is complete */

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep MS milliseconds, or less if a stop signal arrives. */
static void nap(struct state *st, long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (!*st->stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Of the new files in L, keep those that look complete; PENDING holds what
 * the previous look saw and is replaced by what this one saw.  With
 * SETTLED_MS > 0, a file seen unchanged at least that long ago is complete.
 */
static void keep_complete(struct filelist *l, struct seen *pending, long long age_ms,
			  long long settled_ms, struct seen *next_pending)
{
	long long now = wall_ms();
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct file *f = &l->v[i];
		long long mtime = mtime_us(&f->mtime);
		bool done = age_ms > 0 && now - mtime / 1000 >= age_ms;
		/* Under watch an empty file may be filled next: only its age says. */
		if (!done && !(settled_ms > 0 && f->id.size == 0)) {
			const struct seen_entry *e = seen_lookup(pending, f->path);
			done = e && seen_same(e, &f->id) &&
			       (settled_ms <= 0 || now - settled_ms >= 0);
		}
		if (done) {
			l->v[kept++] = *f;
		} else {
			size_t len = strlen(f->path);
			seen_put(next_pending, f->path, len, path_hash(PATH_HASH_INIT, f->path, len),
				 &f->id, -1);
			free(f->path);
		}
	}
	l->n = kept;
}

void run_every(struct state *st, char **sources, int n)
{
	struct seen pending = { 0 };
	long long next = now_ms();

	while (!*st->stop) {
		struct filelist files = { 0 };
		struct seen seen_now = { 0 };
		if (!opt.no_checkpoint)
			take_retries(st);
		list_sources(sources, n, &st->seen, &files, &st->left_out, &st->passed_over);
		filter_new(&files, &st->seen);
		keep_complete(&files, &pending, opt.min_age_ms, 0, &seen_now);
		seen_free(&pending);
		pending = seen_now;
		emit_files(st, files.v, files.n);
		filelist_free(&files);
		next += opt.interval_ms;
		long long now = now_ms();
		if (next <= now)
			next = now;	/* an overrun lists again at once */
		else
			nap(st, next - now);
	}
	seen_free(&pending);
}

/* ---- watch ---- */

struct watched {
	int wd;
	char *path;		/* absolute folder */
	size_t rel_off;		/* where the part below the source starts */
	const char *glob;	/* the source glob, or NULL */
};

struct watcher {
	int fd;
	struct watched *dirs;
	size_t n, cap;
	struct filelist ready;	/* files to emit in the next batch */
	struct seen listed;	/* found by listing, waiting to settle */
	long long listed_at;	/* when LISTED was last refreshed */
	struct seen writing;	/* created under watch, not closed yet */
	bool backlog;		/* the files there at start still settling */
	long long backlog_until;	/* when the backlog stops holding events back */
};

static struct watched *find_wd(struct watcher *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

/* Watch PATH and the folders below it (symlinks not followed). */
static void watch_tree(struct watcher *w, struct buf *path, size_t rel_off, const char *glob)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR |
			      IN_DONT_FOLLOW;
	int wd = inotify_add_watch(w->fd, path->data, mask);

	if (wd < 0) {
		if (errno == ENOSPC)
			warning("inotify watch limit reached at '%s'; raise "
				"fs.inotify.max_user_watches (backfill listings still run)",
				path->data);
		return;
	}
	if (!find_wd(w, wd)) {
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 64;
			w->dirs = xrealloc(w->dirs, w->cap * sizeof(*w->dirs));
		}
		w->dirs[w->n++] = (struct watched){ wd, xstrdup(path->data), rel_off, glob };
	}
	DIR *d = opendir(path->data);
	struct dirent *e;
	size_t len = path->len;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat sb;
		if (hidden_name(e->d_name))
			continue;
		path->len = len;
		buf_addc(path, '/');
		buf_adds(path, e->d_name);
		if (lstat(path->data, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    folder_listed(e->d_name))
			watch_tree(w, path, rel_off, glob);
	}
	closedir(d);
	path->len = len;
	path->data[len] = '\0';
}

/* The folder part of a glob before its first wildcard component. */
static char *glob_prefix(const char *g)
{
	char *copy = xstrdup(g), *magic = strpbrk(copy, "*?[{");
	char *slash;

	if (!magic)
		return copy;
	*magic = '\0';
	slash = strrchr(copy, '/');
	if (slash)
		*(slash == copy ? slash + 1 : slash) = '\0';
	else
		strcpy(copy, ".");
	return copy;
}

static void watch_sources(struct watcher *w, char **sources, int n)
{
	for (int i = 0; i < n; i++) {
		bool is_glob = strpbrk(sources[i], "*?[{") != NULL;
		char *root = is_glob ? glob_prefix(sources[i]) : xstrdup(sources[i]);
		char *abs = realpath(root, NULL);
		struct stat sb;
		if (abs && stat(abs, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			struct buf path = BUF_INIT;
			buf_adds(&path, abs);
			/* Globs are matched against absolute paths. */
			const char *glob = NULL;
			if (is_glob) {
				struct buf g = BUF_INIT;
				if (sources[i][0] != '/') {
					char cwd[PATH_MAX];
					if (getcwd(cwd, sizeof(cwd)))
						buf_printf(&g, "%s/", cwd);
				}
				buf_adds(&g, sources[i]);
				glob = g.data;	/* kept for the process's lifetime */
			}
			watch_tree(w, &path, path.len + 1, glob);
			buf_free(&path);
		} else if (!abs && !is_glob) {
			die_errno(EX_NOINPUT, "cannot read source '%s'", sources[i]);
		}
		free(abs);
		free(root);
	}
}

/* Does PATH, or a folder above it, match the source GLOB? */
static bool glob_covers(const char *glob, const char *path)
{
	char *copy = xstrdup(path);
	bool match = false;

	for (char *slash; !match; ) {
		match = fnmatch(glob, copy, FNM_PATHNAME) == 0;
		if (!(slash = strrchr(copy, '/')) || slash == copy)
			break;
		*slash = '\0';
	}
	free(copy);
	return match;
}

/* A file event: take PATH now if it is new and belongs to the sources. */
static void take_event(struct state *st, struct watcher *w, const struct watched *dir,
		       const char *name, bool created)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	struct file_identity id;
	bool link = false;

	buf_printf(&path, "%s/%s", dir->path, name);
	/* A link moved in obeys the listing's rule (symlink_allowed). */
	/* Other shards' files: the next listing counts them. */
	if (hidden_name(name) || !pattern_matches(path.data + dir->rel_off) ||
	    !shard_takes(shard_hash(SHARD_HASH_INIT, path.data + dir->rel_off,
				    path.len - dir->rel_off)) ||
	    (dir->glob && !glob_covers(dir->glob, path.data)) ||
	    lstat(path.data, &sb) < 0 ||
	    (S_ISLNK(sb.st_mode) &&
	     !(link = symlink_allowed(&path, dir->rel_off, &sb, &st->left_out)))) {
		buf_free(&path);
		return;
	}
	if (!S_ISREG(sb.st_mode) ||
	    (!created && !readable(AT_FDCWD, path.data, path.data, &st->left_out))) {
		if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
			left_out(&st->left_out, path.data, "%s", identity_not_regular(sb.st_mode));
		buf_free(&path);
		return;
	}
	if (!in_time_range(&sb.st_mtim)) {
		buf_free(&path);
		return;		/* not seen; the next listing counts it */
	}
	identity_from_stat(&id, &sb, link);
	unsigned long long h = path_hash(PATH_HASH_INIT, path.data, path.len);
	if (created) {
		/* Being written: its close takes it. */
		seen_put(&w->writing, path.data, path.len, h, &id, -1);
		buf_free(&path);
		return;
	}
	seen_forget(&w->writing, path.data, path.len, h);
	const struct seen_entry *e = seen_lookup(&st->seen, path.data);
	bool taken = e && (!opt.allow_overwrites || seen_same(e, &id));
	for (size_t i = 0; i < w->ready.n && !taken; i++)
		taken = !strcmp(w->ready.v[i].path, path.data);
	if (taken) {
		buf_free(&path);
		return;
	}
	if (id.size == 0) {
		/* Perhaps created, then filled: the listing's rules decide. */
		seen_put(&w->listed, path.data, path.len, h, &id, -1);
		if (w->listed.count == 1)
			w->listed_at = now_ms();
	} else {
		filelist_add(&w->ready, path.data, &sb, link);
		w->ready.v[w->ready.n - 1].source_len = dir->rel_off - 1;
	}
	buf_free(&path);
}

/*
 * Leave the files of L still open for writing to their close event, unless
 * they stayed unchanged for WRITING_QUIET_MS.
 */
static void leave_writing(struct watcher *w, struct filelist *l)
{
	long long now = wall_ms();
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct file *f = &l->v[i];
		if (seen_lookup(&w->writing, f->path) &&
		    now - mtime_us(&f->mtime) / 1000 < WRITING_QUIET_MS)
			free(f->path);
		else
			l->v[kept++] = *f;
	}
	l->n = kept;
}

/*
 * List the sources: old files are ready, young ones wait in LISTED until
 * they stay unchanged for SETTLE_MS.
 */
static void list_all(struct state *st, struct watcher *w, char **sources, int n)
{
	struct filelist files = { 0 };
	struct seen next = { 0 };

	if (!opt.no_checkpoint)
		take_retries(st);
	list_sources(sources, n, &st->seen, &files, &st->left_out, &st->passed_over);
	filter_new(&files, &st->seen);
	leave_writing(w, &files);
	keep_complete(&files, &w->listed, OLD_MS, SETTLE_MS, &next);
	for (size_t i = 0; i < files.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < w->ready.n && !dup; j++)
			dup = !strcmp(w->ready.v[j].path, files.v[i].path);
		if (!dup) {
			struct stat sb;
			if (stat(files.v[i].path, &sb) == 0) {
				filelist_add(&w->ready, files.v[i].path, &sb,
					     files.v[i].id.link);
				w->ready.v[w->ready.n - 1].source_len = files.v[i].source_len;
			}
		}
	}
	filelist_free(&files);
	seen_free(&w->listed);
	w->listed = next;
	w->listed_at = now_ms();
}

/* Read the queued events; returns false on an overflow (list everything). */
static bool read_events(struct state *st, struct watcher *w, bool *new_dir)
{
	char evbuf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool ok = true;

	for (;;) {
		ssize_t len = read(w->fd, evbuf, sizeof(evbuf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return ok;
			die_errno(EX_IOERR, "cannot read inotify events");
		}
		for (char *p = evbuf; p < evbuf + len; ) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				ok = false;
				continue;
			}
			struct watched *dir = find_wd(w, ev->wd);
			if (!dir || !ev->len)
				continue;
			if (ev->mask & IN_ISDIR) {
				if (!hidden_name(ev->name) && folder_listed(ev->name)) {
					struct buf path = BUF_INIT;
					buf_printf(&path, "%s/%s", dir->path, ev->name);
					size_t rel_off = dir->rel_off;
					const char *glob = dir->glob;
					watch_tree(w, &path, rel_off, glob);	/* may move DIRS */
					buf_free(&path);
					*new_dir = true;
				}
			} else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)) {
				take_event(st, w, dir, ev->name, ev->mask == IN_CREATE);
			}
		}
	}
}

void run_watch(struct state *st, char **sources, int n)
{
	struct watcher w = { 0 };
	long long next_backfill;

	w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.fd < 0)
		die_errno(EX_OSERR, "cannot start inotify");
	/* Watch first, then list: a file closed in between is seen twice, not never. */
	watch_sources(&w, sources, n);
	list_all(st, &w, sources, n);
	next_backfill = now_ms() + opt.backfill_ms;
	/* The backlog first: events wait until the files found at start settle. */
	w.backlog = w.listed.count > 0;
	w.backlog_until = now_ms() + 4 * OLD_MS;
	while (!*st->stop) {
		if (w.backlog && (!w.listed.count || now_ms() >= w.backlog_until))
			w.backlog = false;
		if (w.ready.n && !w.backlog) {
			filter_new(&w.ready, &st->seen);
			emit_files(st, w.ready.v, w.ready.n);
			filelist_free(&w.ready);
			continue;
		}
		long long now = now_ms();
		long long wait = next_backfill - now;
		if (w.listed.count && w.listed_at + SETTLE_MS - now < wait)
			wait = w.listed_at + SETTLE_MS - now;
		if (wait < 0)
			wait = 0;
		struct pollfd pfd = { w.fd, POLLIN, 0 };
		int r = poll(&pfd, 1, (int)(wait > INT_MAX ? INT_MAX : wait));
		if (r < 0 && errno != EINTR)
			die_errno(EX_OSERR, "cannot wait for inotify events");
		bool relist = false, new_dir = false;
		if (r > 0) {
			/* Gather what arrives together into one batch. */
			long long until = now_ms() + GATHER_MAX_MS;
			do {
				relist |= !read_events(st, &w, &new_dir);
				if (opt.max_files && (long long)w.ready.n >= opt.max_files)
					break;
			} while (now_ms() < until && poll(&pfd, 1, GATHER_MS) > 0);
		}
		now = now_ms();
		if (now >= next_backfill) {
			relist = true;
			next_backfill = now + opt.backfill_ms;
		}
		if (relist || new_dir || (w.listed.count && now >= w.listed_at + SETTLE_MS))
			list_all(st, &w, sources, n);
	}
	filelist_free(&w.ready);
	seen_free(&w.listed);
	seen_free(&w.writing);
	for (size_t i = 0; i < w.n; i++)
		free(w.dirs[i].path);
	free(w.dirs);
	close(w.fd);
}
