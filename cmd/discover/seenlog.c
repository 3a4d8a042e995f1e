/*
 * sources/seen, the log of files already taken: its format and its reader
 * are libcommon/seenlog.h.  Here: loading it into the index, checking it
 * against offsets/ and commits/, repairing it, and writing it.
 *
 * The key stays the absolute path, so sources and globs may change
 * between runs and a file is still known.  The log needs no fsync:
 * offsets/N is synced before batch N is emitted, and the log is repaired
 * from it on start (the "b" lines say which offsets/ entries are missing
 * from it); lost "x" lines go with the "c" line after them, and the
 * commits/ entries are read again.  A rewrite (compaction, or the upgrade
 * of an older format) is atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "fileio.h"
#include "seenlog.h"
#include "discover.h"

#define LOG_HEADER SEENLOG_HEADER
#define LOG_VERSION SEENLOG_VERSION

/* ---- fields ---- */

static void add_escaped(struct buf *b, const char *s, size_t n)
{
	const char *run = s, *end = s + n;

	for (const char *p = s; p < end; p++) {
		char esc = *p == '\\' ? '\\' : *p == '\t' ? 't' : *p == '\n' ? 'n' :
			   *p == '\r' ? 'r' : 0;
		if (!esc)
			continue;
		buf_add(b, run, (size_t)(p - run));
		buf_addc(b, '\\');
		buf_addc(b, esc);
		run = p + 1;
	}
	buf_add(b, run, (size_t)(end - run));
}

/* ---- offsets/ entries ---- */

/* Add the file records of the offsets/ entry NAME (TEXT, LEN bytes) to FILES. */
static void offsets_files(const char *name, const char *text, size_t len,
			  struct filelist *files)
{
	struct buf path = BUF_INIT;
	struct seenlog_file r;
	unsigned long lineno = 0;

	for (const char *p = text, *end = text + len, *nl; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (!seenlog_file_record(name, ++lineno, p, (size_t)(nl - p), &path, &r))
			continue;
		struct file *f = filelist_push(files);
		f->path = xstrdup(path.data);
		f->id = r.id;
		f->mtime.tv_sec = (time_t)(r.id.mtime_ns / 1000000000 -
					   (r.id.mtime_ns % 1000000000 < 0));
		f->mtime.tv_nsec = (long)(r.id.mtime_ns - (long long)f->mtime.tv_sec * 1000000000);
		f->source_len = 0;
	}
	buf_free(&path);
}

/* ---- loading the log into the index ---- */

/*
 * Files read but not yet in the index: their slots are prefetched as they
 * are read and filled a batch later, so that the cache misses overlap.
 */
#define PUT_BATCH 16

struct put_batch {
	struct buf paths;
	size_t n;
	struct {
		size_t off, len;
		unsigned long long hash;
		struct file_identity id;
		long long batch;
		long long name_at;	/* in the mapped log; -1: copied */
	} v[PUT_BATCH];
};

static void put_batch_flush(struct seen *seen, struct put_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const char *path = b->paths.data + b->v[i].off;
		if (b->v[i].name_at < 0 || !seen_put_logged(seen, path, b->v[i].len, b->v[i].hash,
							   (size_t)b->v[i].name_at))
			seen_put(seen, path, b->v[i].len, b->v[i].hash, &b->v[i].id,
				 b->v[i].batch);
	}
	b->n = 0;
	buf_reset(&b->paths);
}

static void put_batch_add(struct seen *seen, struct put_batch *b, const char *path,
			  size_t len, unsigned long long hash, const struct file_identity *id,
			  long long batch, long long name_at)
{
	if (b->n == PUT_BATCH)
		put_batch_flush(seen, b);
	seen_prefetch(seen, hash);
	b->v[b->n].off = b->paths.len;
	b->v[b->n].len = len;
	b->v[b->n].hash = hash;
	b->v[b->n].id = *id;
	b->v[b->n].batch = batch;
	b->v[b->n].name_at = name_at;
	b->n++;
	buf_add(&b->paths, path, len);
}

/* What loading found. */
struct loaded {
	struct state *st;
	struct seenlog_info info;
	unsigned long long folder_hash;	/* of the last "d" folder and '/' */
	bool folder_told;	/* the index knows where its lines start */
	struct put_batch batch;
};

static void on_folder(void *ctx, const char *folder, size_t len)
{
	struct loaded *l = ctx;

	buf_reset(&l->st->log_folder);
	buf_add(&l->st->log_folder, folder, len);
	l->folder_hash = path_hash(PATH_HASH_INIT, folder, len);
	l->folder_told = false;
}

/* A path's hash: a log's files continue their folder's. */
static unsigned long long file_hash(const struct loaded *l, const struct seenlog_file *f)
{
	if (!f->folder_len)
		return path_hash(PATH_HASH_INIT, f->path, f->len);
	return path_hash(l->folder_hash, f->path + f->folder_len, f->len - f->folder_len);
}

static void on_file(void *ctx, const struct seenlog_file *f)
{
	struct loaded *l = ctx;
	long long name_at = l->st->seen.log ? f->name_at : -1;

	if (name_at >= 0 && !l->folder_told) {
		seen_log_folder(&l->st->seen, f->path, f->folder_len, l->folder_hash,
				(size_t)name_at);
		l->folder_told = true;
	}
	put_batch_add(&l->st->seen, &l->batch, f->path, f->len, file_hash(l, f), &f->id,
		      f->batch, name_at);
	l->st->log_files++;
}

static void on_forget(void *ctx, const struct seenlog_file *f)
{
	struct loaded *l = ctx;

	/* In order: the files read before it must be in the index. */
	put_batch_flush(&l->st->seen, &l->batch);
	seen_forget(&l->st->seen, f->path, f->len, file_hash(l, f));
}

static void on_covered(void *ctx, long long batch)
{
	((struct loaded *)ctx)->st->log_covered = batch;
}

static void on_commits(void *ctx, long long n)
{
	((struct loaded *)ctx)->st->log_commits = n;
}

/*
 * Size the index for the files of the log before loading it: its first
 * 64 KiB say how many "f" lines and path bytes a byte of it holds, its
 * size how many there are.  Growing it as it fills would move every slot
 * at each doubling, and the entries at each realloc.
 */
static void reserve_for_log(struct state *st, int fd, const struct stat *sb)
{
	char head[64 << 10];
	ssize_t got;
	size_t files = 0, path_bytes = 0, folder = 0;

	if (sb->st_size > (off_t)sizeof(head) &&
	    (got = pread(fd, head, sizeof(head), 0)) > 0) {
		const char *p = head, *end = head + got, *nl, *tab;
		for (; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
			if (nl - p < 2 || p[1] != '\t')
				continue;
			if (p[0] == 'd')
				folder = (size_t)(nl - p - 2) + 1;
			else if (p[0] == 'f' && (tab = memchr(p + 2, '\t', (size_t)(nl - p - 2)))) {
				files++;
				path_bytes += folder + (size_t)(tab - p - 2);
			}
		}
		double scale = (double)sb->st_size / (double)(p - head);
		/* Format 3's lines stay in the mapped log: no path is copied. */
		bool mapped = !memcmp(head, LOG_HEADER "\n", sizeof(LOG_HEADER));
		if (files > 1)
			seen_reserve(&st->seen, (size_t)(scale * (double)files),
				     mapped ? 0 : (size_t)(scale * (double)path_bytes));
	}
}

/*
 * A page of the mapped log that cannot be read: the file was cut short
 * under inlet-discover by some other program, or the disk failed.  Said,
 * and the run ends before anything else is written; the next start checks
 * the log against offsets/ and commits/ and refuses it if it lost files.
 */
static void on_sigbus(int sig)
{
	static const char msg[] = "inlet-discover: the checkpoint's sources/seen could not be "
				  "read while in use: another program cut it short, or the "
				  "disk failed; the next start checks it\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(EX_IOERR);
}

/*
 * Map the log open as FD (described by SB), so that the index points at
 * its lines instead of copying them: read-only and private, the pages are
 * the page cache's.  The log is only ever appended to, or replaced by a
 * rename (seen_log_compact), while inlet-discover holds the checkpoint, so
 * what is mapped stays as it is; a log cut short by another program is
 * SIGBUS, said by on_sigbus.  False when it cannot be mapped: the entries
 * are copied then.
 */
static bool map_log(struct state *st, int fd, const struct stat *sb)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	if (sb->st_size <= 0 || (uintmax_t)sb->st_size > SIZE_MAX)
		return false;
	void *p = mmap(NULL, (size_t)sb->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return false;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	seen_map_log(&st->seen, p, (size_t)sb->st_size);
	st->log_map_fd = fd;
	st->log_map_st = *sb;
	return true;
}

/*
 * Size and change time: what any write or truncation of the file moves,
 * and a rename of it or over it (its links change).
 */
static bool log_unchanged(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

void seen_log_check(const struct state *st)
{
	struct stat now;

	if (st->log_map_fd < 0)
		return;
	if (fstat(st->log_map_fd, &now) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", st->seen_path.data);
	/* Written or cut; renamed, or another file renamed over it (its links change). */
	if (!log_unchanged(&now, &st->log_map_st))
		die(EX_DATAERR, "checkpoint file '%s' was changed by another program while "
		    "inlet-discover ran: the files it no longer names would be taken "
		    "again; " REPAIR, st->seen_path.data);
}

/* This process wrote the log, or replaced it: what it looks like now is its own doing. */
static void log_written(struct state *st)
{
	if (st->log_map_fd >= 0 && fstat(st->log_map_fd, &st->log_map_st) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", st->seen_path.data);
}

/* Read the log into ST->seen; a last line cut short by a crash is cut off. */
static void read_log(struct state *st, struct loaded *l)
{
	const struct seenlog_visitor v = {
		.ctx = l, .folder = on_folder, .file = on_file, .forget = on_forget,
		.covered = on_covered, .commits = on_commits,
	};

	struct stat sb;
	int fd = open(st->seen_path.data, O_RDONLY | O_CLOEXEC);

	l->st = st;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		seenlog_read(st->seen_path.data, &v, &l->info);	/* says why, or missing */
	} else {
		/* One open file for the estimate, the mapping and the reading. */
		reserve_for_log(st, fd, &sb);
		bool mapped = map_log(st, fd, &sb);
		seenlog_read_fd(st->seen_path.data, fd, &v, &l->info);
		if (!mapped)
			close(fd);
	}
	/* Nothing changed it while it was read. */
	seen_log_check(st);
	/* The lines the index may point at, which the reader read whole. */
	if (st->seen.log && st->seen.log_len > (size_t)l->info.complete)
		st->seen.log_len = (size_t)l->info.complete;
	put_batch_flush(&st->seen, &l->batch);
	buf_free(&l->batch.paths);
	if (l->info.cut && truncate(st->seen_path.data, l->info.complete) < 0)
		die_errno(EX_IOERR, "cannot repair '%s'", st->seen_path.data);
	log_written(st);
}

static void open_for_append(struct state *st)
{
	if (st->seen_log && fclose(st->seen_log) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	/* Checkpoint files are private (0600), as write_file_atomic makes them. */
	int fd = open(st->seen_path.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	st->seen_log = fd < 0 ? NULL : fdopen(fd, "a");
	if (!st->seen_log)
		die_errno(EX_CANTCREAT, "cannot open '%s'", st->seen_path.data);
}

/*
 * Repair: the files of offsets/ entries past the log's last "b" line (a
 * crash after offsets/N and before the append) go into the index, and
 * into the log when APPEND.
 */
static void repair_from_offsets(struct state *st, const long long *offsets, size_t n,
				bool append)
{
	struct buf path = BUF_INIT, text = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		struct filelist files = { 0 };
		if (offsets[i] <= st->log_covered)
			continue;
		ckpt_path(&st->ck, "offsets", offsets[i], &path);
		buf_reset(&text);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		offsets_files(path.data, text.data, text.len, &files);
		for (size_t j = 0; j < files.n; j++) {
			const char *p = files.v[j].path;
			seen_put(&st->seen, p, strlen(p), path_hash(PATH_HASH_INIT, p, strlen(p)),
				 &files.v[j].id, offsets[i]);
		}
		if (append)
			seen_log_append(st, files.v, files.n, offsets[i]);	/* sets log_covered */
		else
			st->log_covered = offsets[i];
		filelist_free(&files);
	}
	buf_free(&path);
	buf_free(&text);
}

/*
 * Cross-check the log against offsets/ and the latest commit COMMITTED
 * before repairing it: the log must know every batch that offsets/ cannot
 * give back (entries are pruned), and batch numbers must never start over
 * below what the log says was emitted.  Either would take files again or
 * hand out a number the sink already holds: damage, never repaired.
 */
static void check_log(const struct state *st, const struct loaded *l,
		      const long long *offsets, size_t n, long long committed)
{
	const char *name = st->seen_path.data;
	long long last = n ? offsets[n - 1] : -1;
	long long known = last > committed ? last : committed;

	if (l->info.version == 0 && known >= 0)
		die(EX_DATAERR, "checkpoint file '%s' is %s while batches up to %lld were "
		    "emitted (offsets/, commits/); every file would be taken again: " REPAIR,
		    name, l->info.missing ? "missing" : "empty", known);
	if (committed > last)
		die(EX_DATAERR, "checkpoint folder '%s' has commits/%lld but %s: a commit "
		    "of a batch never written ahead; " REPAIR, st->ck.dir, committed,
		    n ? "offsets/ ends before it" : "no offsets/ entry");
	if (st->log_covered > known)
		die(EX_DATAERR, "checkpoint file '%s' says batches up to %lld were emitted, "
		    "but offsets/ and commits/ %s; numbering would start again at %lld: " REPAIR,
		    name, st->log_covered,
		    known < 0 ? "are empty" : "end before", known + 1);
	if (known <= st->log_covered)
		return;
	/* offsets/ must hold every batch from the log's coverage on, to repair it. */
	long long want = st->log_covered + 1;
	for (size_t i = 0; i < n && want <= last; i++) {
		if (offsets[i] < want)
			continue;
		if (offsets[i] != want)
			break;
		want++;
	}
	if (want <= known)
		die(EX_DATAERR, "checkpoint file '%s' holds the files of batches up to %lld "
		    "only, and offsets/%lld, which would repair it, is gone; the files of "
		    "the batches between would be taken again: " REPAIR,
		    name, st->log_covered, want);
}

void seen_log_load(struct state *st, const long long *offsets, size_t n_offsets,
		   long long committed)
{
	struct loaded l = { 0 };

	st->log_covered = -1;
	st->log_commits = -1;
	read_log(st, &l);
	/*
	 * Format 1 has no end mark: the append of its last batch may have
	 * been cut short, so that batch is read again from offsets/.  No line
	 * can follow a batch's but a later batch's, so this changes nothing
	 * else.
	 */
	if (l.info.version == 1 && st->log_covered >= 0)
		st->log_covered--;
	check_log(st, &l, offsets, n_offsets, committed);
	/* An older log knows nothing of retries: commits/ is read from where it starts. */
	st->commits_unread_ok = l.info.version < LOG_VERSION;
	if (l.info.version == LOG_VERSION)
		open_for_append(st);
	repair_from_offsets(st, offsets, n_offsets, l.info.version == LOG_VERSION);
	/*
	 * Rewrite an older format (the upgrade), an empty log, and one mostly
	 * made of repeats (files taken again with --allow-overwrites or for a
	 * retry).  A missing log is created at the first write.
	 */
	if ((l.info.version && l.info.version < LOG_VERSION) ||
	    (l.info.version == 0 && st->log_covered >= 0) || st->log_files > 2 * st->seen.count + 1024)
		seen_log_compact(st);
}

/* ---- writing the log ---- */

/*
 * Add the "d" line of PATH's folder unless FOLDER (the last folder and
 * '/', empty at first) is it already; return the name's offset in PATH.
 */
static size_t add_folder_line(struct buf *out, struct buf *folder, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t folder_len = slash ? (size_t)(slash - path) : 0;

	if (folder->len != folder_len + 1 || memcmp(folder->data, path, folder_len + 1)) {
		buf_reset(folder);
		buf_add(folder, path, folder_len + 1);
		buf_adds(out, "d\t");
		add_escaped(out, path, folder_len);
		buf_addc(out, '\n');
	}
	return folder_len + 1;
}

/* The "f" line of PATH, taken by BATCH with identity ID (after its "d" line). */
static void add_file_line(struct buf *out, struct buf *folder, const char *path,
			  const struct file_identity *id, long long batch)
{
	size_t name = add_folder_line(out, folder, path);

	buf_adds(out, "f\t");
	add_escaped(out, path + name, strlen(path + name));
	buf_printf(out, "\t%lld\t%lld\t", id->size, id->mtime_ns);
	if (id->known)
		buf_printf(out, "%llu\t%llu", id->dev, id->ino);
	else
		buf_adds(out, "-\t-");
	buf_printf(out, "\t%lld\n", batch);
}

static void log_write(struct state *st, const struct buf *text)
{
	seen_log_check(st);
	if (text->len && fwrite(text->data, 1, text->len, st->seen_log) != text->len)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	if (fflush(st->seen_log) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	log_written(st);
}

void seen_log_append(struct state *st, const struct file *files, size_t n, long long batch)
{
	struct buf text = BUF_INIT;

	if (!st->seen_log)
		seen_log_compact(st);	/* the first write creates the log */
	for (size_t i = 0; i < n; i++)
		add_file_line(&text, &st->log_folder, files[i].path, &files[i].id, batch);
	if (batch >= 0) {
		buf_printf(&text, "b\t%lld\n", batch);
		st->log_covered = batch;
	}
	st->log_files += n;
	log_write(st, &text);
	buf_free(&text);
}

void seen_log_forget(struct state *st, char *const *paths, size_t n, long long commits)
{
	struct buf text = BUF_INIT;

	if (!st->seen_log)
		seen_log_compact(st);
	for (size_t i = 0; i < n; i++) {
		size_t name = add_folder_line(&text, &st->log_folder, paths[i]);
		buf_adds(&text, "x\t");
		add_escaped(&text, paths[i] + name, strlen(paths[i] + name));
		buf_addc(&text, '\n');
	}
	/* After the "x" lines: a crash that loses them loses this too, and they are redone. */
	buf_printf(&text, "c\t%lld\n", commits);
	st->log_commits = commits;
	st->log_files += n;
	log_write(st, &text);
	buf_free(&text);
}

void seen_log_compact(struct state *st)
{
	struct buf text = BUF_INIT;
	struct seen_iter it = { 0 };
	struct seen_entry *e;
	struct file_identity id;

	seen_log_check(st);
	buf_adds(&text, LOG_HEADER "\n");
	buf_reset(&st->log_folder);
	/* In the log's order, then as taken since: the files of a folder stay together. */
	while ((e = seen_next(&st->seen, &it))) {
		seen_identity(e, &id);
		add_file_line(&text, &st->log_folder, e->path, &id, e->batch);
	}
	if (st->log_covered >= 0)
		buf_printf(&text, "b\t%lld\n", st->log_covered);
	if (st->log_commits >= 0)
		buf_printf(&text, "c\t%lld\n", st->log_commits);
	if (write_file_atomic(st->seen_path.data, text.data, text.len) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	/* The mapped log, replaced, lost its name: its change time moved. */
	log_written(st);
	st->log_files = st->seen.count;
	buf_free(&text);
	open_for_append(st);
}
