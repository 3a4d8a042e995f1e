/*
 * sources/seen, the log of files already taken (inlet(7)).  Format 3:
 *
 *   inlet-seen 3           the first line: format and version
 *   d TAB FOLDER           the folder of the "f" and "x" lines below it
 *   f TAB NAME TAB SIZE TAB MTIME_NS TAB DEV TAB INO TAB BATCH
 *                          a file taken: FOLDER/NAME with its identity
 *                          (mtime in nanoseconds since the epoch) and the
 *                          batch that took it (-1: none, the file was
 *                          only marked by --include-existing-files false,
 *                          or unknown).  DEV and INO are "-" when the
 *                          identity is not known (a file taken by an
 *                          older inlet): MTIME_NS is then exact to the
 *                          microsecond only
 *   x TAB NAME             forget FOLDER/NAME: a batch's commit asked for
 *                          it again (parse skipped it, retry), so the next
 *                          listing takes it
 *   b TAB N                every file of offsets/N is above
 *   c TAB N                the retries of commits/ entries up to N are
 *                          above
 *
 * FOLDER and NAME are the exact bytes of the absolute path split at its
 * last '/' ("" for "/"), with backslash, tab, newline and carriage return
 * written as \\ \t \n \r.  The key stays the absolute path, so sources
 * and globs may change between runs and a file is still known.
 *
 * Each line depends only on lines above it, so any prefix of complete
 * lines is a valid log: a last line cut short by a crash is dropped, and
 * the "b" lines say which offsets/ entries are missing from it.  The log
 * needs no fsync: offsets/N is synced before batch N is emitted, and the
 * log is repaired from it on start; lost "x" lines go with the "c" line
 * after them, and the commits/ entries are read again.  A rewrite
 * (compaction, or the upgrade of an older format) is atomic.
 *
 * Older formats, read and rewritten in this one on start: format 2 is
 * this without "x" and "c" lines, with "f NAME SIZE MTIME_US" (mtime in
 * microseconds, no identity, no batch); format 1 is one JSON file record
 * a line, as in offsets/.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "fileio.h"
#include "json.h"
#include "stream.h"
#include "discover.h"

#define LOG_HEADER "inlet-seen 3"
#define LOG_VERSION 3

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

/* Append the unescaped S (N bytes) to B; false on a bad escape. */
static bool add_unescaped(struct buf *b, const char *s, size_t n)
{
	const char *end = s + n, *bs;

	while ((bs = memchr(s, '\\', (size_t)(end - s)))) {
		buf_add(b, s, (size_t)(bs - s));
		if (bs + 1 == end)
			return false;
		switch (bs[1]) {
		case '\\': buf_addc(b, '\\'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		default: return false;
		}
		s = bs + 2;
	}
	buf_add(b, s, (size_t)(end - s));
	return true;
}

/* Parse the decimal [-]DIGITS at P (before END) into *V; past it, or NULL. */
static const char *scan_ll(const char *p, const char *end, long long *v)
{
	bool neg = p < end && *p == '-';
	unsigned long long u = 0;
	const char *start = p += neg;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (u > (ULLONG_MAX - 9) / 10)
			return NULL;
		u = u * 10 + (unsigned)(*p - '0');
	}
	if (p == start || u > (unsigned long long)LLONG_MAX + neg)
		return NULL;
	*v = neg ? (long long)(0 - u) : (long long)u;
	return p;
}

/* The whole of S..END as a decimal. */
static bool parse_ll(const char *s, const char *end, long long *v)
{
	return scan_ll(s, end, v) == end;
}

/* The whole of S..END as an unsigned decimal (dev_t, ino_t). */
static bool parse_ull(const char *s, const char *end, unsigned long long *v)
{
	unsigned long long u = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || u > (ULLONG_MAX - 9) / 10)
			return false;
		u = u * 10 + (unsigned)(*s - '0');
	}
	*v = u;
	return true;
}

/* ---- format 1: JSON file records, as in offsets/ ---- */

/* What a JSON file record gives: its path in PATH, and these. */
struct file_record {
	long long batch;
	struct file_identity id;	/* without id.known, mtime_ns is exact to the us */
};

/* The identity of a record of an older inlet: size and microseconds only. */
static void unknown_identity(struct file_identity *id, long long size, long long us)
{
	memset(id, 0, sizeof(*id));
	id->size = size;
	/* Saturated: a microsecond count this far out has no nanosecond form. */
	id->mtime_ns = us > LLONG_MAX / 1000 ? LLONG_MAX / 1000 * 1000 :
		       us < LLONG_MIN / 1000 ? LLONG_MIN / 1000 * 1000 : us * 1000;
}

static const char *expect(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n) ? p + n : NULL;
}

/*
 * The layout format 1 logs hold, {"_inlet":"file","batch":N,"path":"...",
 * "size":N,"mtime":"..."} with no escape in the path, without the general
 * JSON parser; false sends anything else to it.
 */
static bool fast_file_record(const char *p, const char *end, struct buf *path,
			     struct file_record *r)
{
	const char *q;
	long long size, us;

	if (!(p = expect(p, end, "{\"_inlet\":\"file\",\"batch\":")) ||
	    !(p = scan_ll(p, end, &r->batch)) || !(p = expect(p, end, ",\"path\":\"")))
		return false;
	for (q = p; q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20; q++)
		;
	if (q == end || *q != '"')
		return false;
	buf_reset(path);
	buf_add(path, p, (size_t)(q - p));
	if (!(p = expect(q + 1, end, ",\"size\":")) || !(p = scan_ll(p, end, &size)) ||
	    !(p = expect(p, end, ",\"mtime\":\"")) || !(q = memchr(p, '"', (size_t)(end - p))) ||
	    !iso8601_scan_us(p, (size_t)(q - p), &us) || expect(q, end, "\"}") != end)
		return false;
	unknown_identity(&r->id, size, us);
	return true;
}

/*
 * Line LINENO of the checkpoint file NAME, a JSON record: 1 and its fields
 * if it is a file record, 0 if another record; malformed lines die.
 */
static int json_file_record(const char *name, unsigned long lineno, const char *line,
			    size_t len, struct buf *path, struct file_record *r)
{
	struct record rec;
	struct json_error err;
	struct buf mtime = BUF_INIT;
	long long us;

	if (fast_file_record(line, line + len, path, r))
		return 1;
	if (record_classify(&rec, line, len, &err) < 0)
		die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); "
		    "restore it or start a new checkpoint", name, lineno, err.msg);
	if (strcmp(rec.event, "file"))
		return 0;
	buf_reset(path);
	if (!record_get_string(&rec, "path", path) || !record_get_string(&rec, "mtime", &mtime))
		die(EX_DATAERR, "checkpoint file '%s' line %lu: file record "
		    "without path or mtime", name, lineno);
	if (!iso8601_scan_us(mtime.data, mtime.len, &us))
		die(EX_DATAERR, "checkpoint file '%s' line %lu: invalid mtime '%s'; "
		    "restore it or start a new checkpoint", name, lineno, mtime.data);
	r->batch = rec.batch;
	identity_from_record(&r->id, &rec);
	if (!r->id.known)
		unknown_identity(&r->id, record_get_int(&rec, "size", -1), us);
	buf_free(&mtime);
	return 1;
}

/* Add the file records of the offsets/ entry NAME (TEXT, LEN bytes) to FILES. */
static void offsets_files(const char *name, const char *text, size_t len,
			  struct filelist *files)
{
	struct buf path = BUF_INIT;
	struct file_record r;
	unsigned long lineno = 0;

	for (const char *p = text, *end = text + len, *nl; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (!json_file_record(name, ++lineno, p, (size_t)(nl - p), &path, &r))
			continue;
		if (files->n == files->cap) {
			files->cap = files->cap ? files->cap * 2 : 64;
			files->v = xrealloc(files->v, files->cap * sizeof(*files->v));
		}
		struct file *f = &files->v[files->n++];
		f->path = xstrdup(path.data);
		f->id = r.id;
		f->mtime.tv_sec = (time_t)(r.id.mtime_ns / 1000000000 -
					   (r.id.mtime_ns % 1000000000 < 0));
		f->mtime.tv_nsec = (long)(r.id.mtime_ns - (long long)f->mtime.tv_sec * 1000000000);
	}
	buf_free(&path);
}

/* ---- reading the log ---- */

/* Complete lines of a file, read in large pieces; a last line cut short is left. */
struct line_reader {
	int fd;
	const char *name;
	char *buf;
	size_t start, end, cap;
	off_t complete;		/* bytes of the complete lines returned */
	unsigned long lineno;
};

static bool next_line(struct line_reader *r, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			r->complete += (off_t)*len + 1;
			r->start += *len + 1;
			r->lineno++;
			return true;
		}
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		if (r->end == r->cap) {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0 && errno != EINTR)
			die_errno(EX_IOERR, "cannot read '%s'", r->name);
		if (got == 0)
			return false;
		if (got > 0)
			r->end += (size_t)got;
	}
}

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
	} v[PUT_BATCH];
};

static void put_batch_flush(struct seen *seen, struct put_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		seen_put(seen, b->paths.data + b->v[i].off, b->v[i].len, b->v[i].hash,
			 &b->v[i].id, b->v[i].batch);
	b->n = 0;
	buf_reset(&b->paths);
}

static void put_batch_add(struct seen *seen, struct put_batch *b, const struct buf *path,
			  unsigned long long hash, const struct file_identity *id,
			  long long batch)
{
	if (b->n == PUT_BATCH)
		put_batch_flush(seen, b);
	seen_prefetch(seen, hash);
	b->v[b->n].off = b->paths.len;
	b->v[b->n].len = path->len;
	b->v[b->n].hash = hash;
	b->v[b->n].id = *id;
	b->v[b->n].batch = batch;
	b->n++;
	buf_add(&b->paths, path->data, path->len);
}

/* What loading found. */
struct loaded {
	int version;		/* 0: missing or empty, 1: JSON records, 2, 3: this format */
	bool missing;		/* no file at all (else: empty, when version is 0) */
	unsigned long long folder_hash;
	struct put_batch batch;
};

static __attribute__((noreturn)) void malformed_line(const struct line_reader *r,
						     const char *why)
{
	die(EX_DATAERR, "checkpoint file '%s' line %lu: %s; restore it or start a "
	    "new checkpoint", r->name, r->lineno, why);
}

/* Split S..END at tabs into at most MAX fields; their number, or MAX + 1 if more. */
static size_t split_tabs(const char *s, const char *end, const char **f, const char **f_end,
			 size_t max)
{
	size_t n = 0;

	for (;;) {
		const char *t = memchr(s, '\t', (size_t)(end - s));
		if (n == max)
			return max + 1;
		f[n] = s;
		f_end[n++] = t ? t : end;
		if (!t)
			return n;
		s = t + 1;
	}
}

/* An "f" line's fields after NAME: SIZE MTIME_US (format 2) or SIZE MTIME_NS DEV INO BATCH. */
static bool parse_file_fields(int version, const char **f, const char **f_end, size_t n,
			      struct file_identity *id, long long *batch)
{
	long long size, mtime;

	*batch = -1;
	if (version == 2) {
		if (n != 2 || !parse_ll(f[0], f_end[0], &size) || !parse_ll(f[1], f_end[1], &mtime))
			return false;
		unknown_identity(id, size, mtime);
		return true;
	}
	if (n != 5 || !parse_ll(f[0], f_end[0], &size) || !parse_ll(f[1], f_end[1], &mtime) ||
	    !parse_ll(f[4], f_end[4], batch) || *batch < -1)
		return false;
	memset(id, 0, sizeof(*id));
	id->size = size;
	id->mtime_ns = mtime;
	if (f_end[2] - f[2] == 1 && *f[2] == '-' && f_end[3] - f[3] == 1 && *f[3] == '-')
		return true;	/* identity not known */
	if (!parse_ull(f[2], f_end[2], &id->dev) || !parse_ull(f[3], f_end[3], &id->ino))
		return false;
	id->known = true;
	return true;
}

/* One line after the header; PATH holds the last folder and '/'. */
static void load_line(struct state *st, struct line_reader *r, const char *p, size_t n,
		      struct buf *path, struct loaded *l)
{
	const char *end = p + n;
	long long batch;

	if (n < 2 || p[1] != '\t')
		malformed_line(r, "unknown line");
	if (p[0] == 'd') {
		buf_reset(path);
		if (!add_unescaped(path, p + 2, n - 2))
			malformed_line(r, "bad escape in folder");
		buf_addc(path, '/');
		buf_reset(&st->log_folder);
		buf_add(&st->log_folder, path->data, path->len);
		l->folder_hash = path_hash(PATH_HASH_INIT, path->data, path->len);
	} else if (p[0] == 'f' || (p[0] == 'x' && l->version >= 3)) {
		const char *f[7], *f_end[7];
		size_t nf = split_tabs(p + 2, end, f, f_end, 6);
		struct file_identity id;
		if (!path->len || f_end[0] == f[0] || nf > 6 || (p[0] == 'x' && nf != 1))
			malformed_line(r, p[0] == 'x' ? "bad forget line" :
				       "file line without folder, name, size or mtime");
		size_t folder_len = path->len;
		if (!add_unescaped(path, f[0], (size_t)(f_end[0] - f[0])))
			malformed_line(r, "bad escape in name");
		unsigned long long h = path_hash(l->folder_hash, path->data + folder_len,
						  path->len - folder_len);
		if (p[0] == 'x') {
			/* In order: the files read before it must be in the index. */
			put_batch_flush(&st->seen, &l->batch);
			seen_forget(&st->seen, path->data, path->len, h);
		} else {
			if (!parse_file_fields(l->version, f + 1, f_end + 1, nf - 1, &id, &batch))
				malformed_line(r, "bad file line");
			put_batch_add(&st->seen, &l->batch, path, h, &id, batch);
			st->log_files++;
		}
		path->len = folder_len;
	} else if (p[0] == 'b' && parse_ll(p + 2, end, &batch) && batch >= 0) {
		st->log_covered = batch;
	} else if (p[0] == 'c' && l->version >= 3 && parse_ll(p + 2, end, &batch) && batch >= -1) {
		st->log_commits = batch;
	} else {
		malformed_line(r, "unknown line");
	}
}

/* One line of format 1: a JSON file record. */
static void load_json_line(struct state *st, struct line_reader *r, const char *p, size_t n,
			   struct buf *path)
{
	struct file_record rec;

	if (!json_file_record(r->name, r->lineno, p, n, path, &rec))
		return;
	seen_put(&st->seen, path->data, path->len, path_hash(PATH_HASH_INIT, path->data, path->len),
		 &rec.id, rec.batch);
	if (rec.batch > st->log_covered)
		st->log_covered = rec.batch;
	st->log_files++;
}

/* The first line says the format. */
static int log_version(const struct line_reader *r, const char *p, size_t n)
{
	long long v;

	if (n && p[0] == '{')
		return 1;
	if (n > 11 && !memcmp(p, "inlet-seen ", 11) && parse_ll(p + 11, p + n, &v)) {
		if (v > LOG_VERSION)
			die(EX_DATAERR, "checkpoint file '%s' is of format %lld, newer than "
			    "this inlet-discover reads (%d); upgrade inlet", r->name, v, LOG_VERSION);
		if (v >= 2)
			return (int)v;
	}
	malformed_line(r, "not a log of seen files");
}

/* Read the log into ST->seen; a last line cut short by a crash is cut off. */
static void read_log(struct state *st, struct loaded *l)
{
	struct line_reader r = { .name = st->seen_path.data, .cap = 1 << 20 };
	struct buf path = BUF_INIT;
	const char *line;
	size_t len;

	r.fd = open(r.name, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0) {
		if (errno != ENOENT)
			die_errno(EX_IOERR, "cannot read '%s'", r.name);
		l->missing = true;
		return;
	}
	r.buf = xmalloc(r.cap);
	while (next_line(&r, &line, &len)) {
		if (r.lineno == 1) {
			l->version = log_version(&r, line, len);
			if (l->version >= 2)
				continue;
		}
		if (l->version == 1)
			load_json_line(st, &r, line, len, &path);
		else
			load_line(st, &r, line, len, &path, l);
	}
	put_batch_flush(&st->seen, &l->batch);
	buf_free(&l->batch.paths);
	if (r.end > r.start && truncate(r.name, r.complete) < 0)
		die_errno(EX_IOERR, "cannot repair '%s'", r.name);
	close(r.fd);
	free(r.buf);
	buf_free(&path);
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

#define REPAIR "restore the checkpoint folder from a backup, or start a new checkpoint"

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

	if (l->version == 0 && known >= 0)
		die(EX_DATAERR, "checkpoint file '%s' is %s while batches up to %lld were "
		    "emitted (offsets/, commits/); every file would be taken again: " REPAIR,
		    name, l->missing ? "missing" : "empty", known);
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
	if (l.version == 1 && st->log_covered >= 0)
		st->log_covered--;
	check_log(st, &l, offsets, n_offsets, committed);
	/* An older log knows nothing of retries: commits/ is read from where it starts. */
	st->commits_unread_ok = l.version < LOG_VERSION;
	if (l.version == LOG_VERSION)
		open_for_append(st);
	repair_from_offsets(st, offsets, n_offsets, l.version == LOG_VERSION);
	/*
	 * Rewrite an older format (the upgrade), an empty log, and one mostly
	 * made of repeats (files taken again with --allow-overwrites or for a
	 * retry).  A missing log is created at the first write.
	 */
	if ((l.version && l.version < LOG_VERSION) || (l.version == 0 && st->log_covered >= 0) ||
	    st->log_files > 2 * st->seen.count + 1024)
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
	if (text->len && fwrite(text->data, 1, text->len, st->seen_log) != text->len)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	if (fflush(st->seen_log) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
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
	struct seen_entry *e = NULL;
	struct file_identity id;

	buf_adds(&text, LOG_HEADER "\n");
	buf_reset(&st->log_folder);
	/* In the order first taken, which keeps the files of a folder together. */
	while ((e = seen_next(&st->seen, e))) {
		seen_identity(e, &id);
		add_file_line(&text, &st->log_folder, e->path, &id, e->batch);
	}
	if (st->log_covered >= 0)
		buf_printf(&text, "b\t%lld\n", st->log_covered);
	if (st->log_commits >= 0)
		buf_printf(&text, "c\t%lld\n", st->log_commits);
	if (write_file_atomic(st->seen_path.data, text.data, text.len) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
	st->log_files = st->seen.count;
	buf_free(&text);
	open_for_append(st);
}
