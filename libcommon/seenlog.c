/*
 * Reading sources/seen (seenlog.h); discover writes it
 * (cmd/discover/seenlog.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datetime.h"
#include "die.h"
#include "json.h"
#include "seenlog.h"
#include "stream.h"

/* ---- fields ---- */

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
			     struct seenlog_file *f)
{
	const char *q;
	long long size, us;

	if (!(p = expect(p, end, "{\"_inlet\":\"file\",\"batch\":")) ||
	    !(p = scan_ll(p, end, &f->batch)) || !(p = expect(p, end, ",\"path\":\"")))
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
	unknown_identity(&f->id, size, us);
	return true;
}

int seenlog_file_record(const char *name, unsigned long lineno, const char *line,
			size_t len, struct buf *path, struct seenlog_file *f)
{
	struct record rec;
	struct json_error err;
	struct buf mtime = BUF_INIT;
	long long us;

	if (!fast_file_record(line, line + len, path, f)) {
		if (record_classify(&rec, line, len, &err) < 0)
			die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); "
			    "restore it or start a new checkpoint", name, lineno, err.msg);
		if (strcmp(rec.event, "file"))
			return 0;
		buf_reset(path);
		if (!record_get_string(&rec, "path", path) ||
		    !record_get_string(&rec, "mtime", &mtime))
			die(EX_DATAERR, "checkpoint file '%s' line %lu: file record "
			    "without path or mtime", name, lineno);
		if (!iso8601_scan_us(mtime.data, mtime.len, &us))
			die(EX_DATAERR, "checkpoint file '%s' line %lu: invalid mtime '%s'; "
			    "restore it or start a new checkpoint", name, lineno, mtime.data);
		f->batch = rec.batch;
		identity_from_record(&f->id, &rec);
		if (!f->id.known)
			unknown_identity(&f->id, record_get_int(&rec, "size", -1), us);
		buf_free(&mtime);
	}
	f->path = path->data;
	f->len = path->len;
	f->folder_len = 0;
	f->name_at = -1;
	return 1;
}

/* ---- lines ---- */

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

/* The unsigned decimal at P (before END) into *V; past it, or NULL. */
static const char *scan_ull(const char *p, const char *end, unsigned long long *v)
{
	const char *start = p;
	unsigned long long u = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (u > (ULLONG_MAX - 9) / 10)
			return NULL;
		u = u * 10 + (unsigned)(*p - '0');
	}
	*v = u;
	return p == start ? NULL : p;
}

/*
 * The general path reads what this does not, with the same result: a log
 * of a million files loads without splitting each line first.
 */
bool seenlog_scan_file(const char *p, const char *end, const char **name_end,
		       struct file_identity *id, long long *batch)
{
	const char *q = memchr(p, '\t', (size_t)(end - p));

	if (!q || q == p)
		return false;
	*name_end = q;
	memset(id, 0, sizeof(*id));
	if (!(q = scan_ll(q + 1, end, &id->size)) || q == end || *q != '\t' ||
	    !(q = scan_ll(q + 1, end, &id->mtime_ns)) || q == end || *q != '\t')
		return false;
	if (end - q > 4 && !memcmp(q, "\t-\t-\t", 5)) {
		q += 4;		/* identity not known */
	} else {
		if (!(q = scan_ull(q + 1, end, &id->dev)) || q == end || *q != '\t' ||
		    !(q = scan_ull(q + 1, end, &id->ino)) || q == end || *q != '\t')
			return false;
		id->known = true;
	}
	return scan_ll(q + 1, end, batch) == end && *batch >= -1;
}

/* One line after the header of format 2 or 3; PATH holds the last folder and '/'. */
static void read_line(const struct seenlog_visitor *v, int version, struct line_reader *r,
		      const char *p, size_t n, struct buf *path)
{
	const char *end = p + n;
	long long batch;

	if (n < 2 || p[1] != '\t')
		malformed_line(r, "unknown line");
	if (p[0] == 'f' && version == 3 && path->len) {
		const char *name_end;
		struct seenlog_file file;
		if (seenlog_scan_file(p + 2, end, &name_end, &file.id, &file.batch)) {
			size_t folder_len = path->len, raw = (size_t)(name_end - p - 2);
			if (!add_unescaped(path, p + 2, raw))
				malformed_line(r, "bad escape in name");
			file.path = path->data;
			file.len = path->len;
			file.folder_len = folder_len;
			/* Unescaped to as many bytes: nothing was escaped. */
			file.name_at = folder_len + raw == path->len ?
				       (long long)r->complete - (long long)n + 1 : -1;
			if (v->file)
				v->file(v->ctx, &file);
			path->len = folder_len;
			path->data[folder_len] = '\0';
			return;
		}
	}
	if (p[0] == 'd') {
		buf_reset(path);
		if (!add_unescaped(path, p + 2, n - 2))
			malformed_line(r, "bad escape in folder");
		buf_addc(path, '/');
		if (v->folder)
			v->folder(v->ctx, path->data, path->len);
	} else if (p[0] == 'f' || (p[0] == 'x' && version >= 3)) {
		const char *f[7], *f_end[7];
		size_t nf = split_tabs(p + 2, end, f, f_end, 6);
		struct seenlog_file file;
		if (!path->len || f_end[0] == f[0] || nf > 6 || (p[0] == 'x' && nf != 1))
			malformed_line(r, p[0] == 'x' ? "bad forget line" :
				       "file line without folder, name, size or mtime");
		size_t folder_len = path->len;
		if (!add_unescaped(path, f[0], (size_t)(f_end[0] - f[0])))
			malformed_line(r, "bad escape in name");
		file.path = path->data;
		file.len = path->len;
		file.folder_len = folder_len;
		file.name_at = -1;
		if (p[0] == 'x') {
			if (v->forget)
				v->forget(v->ctx, &file);
		} else {
			if (!parse_file_fields(version, f + 1, f_end + 1, nf - 1, &file.id,
					       &file.batch))
				malformed_line(r, "bad file line");
			if (v->file)
				v->file(v->ctx, &file);
		}
		path->len = folder_len;
		path->data[folder_len] = '\0';
	} else if (p[0] == 'b' && parse_ll(p + 2, end, &batch) && batch >= 0) {
		if (v->covered)
			v->covered(v->ctx, batch);
	} else if (p[0] == 'c' && version >= 3 && parse_ll(p + 2, end, &batch) && batch >= -1) {
		if (v->commits)
			v->commits(v->ctx, batch);
	} else {
		malformed_line(r, "unknown line");
	}
}

/* One line of format 1: a JSON file record; *COVERED the highest batch so far. */
static void read_json_line(const struct seenlog_visitor *v, struct line_reader *r,
			   const char *p, size_t n, struct buf *path, long long *covered)
{
	struct seenlog_file file;

	if (!seenlog_file_record(r->name, r->lineno, p, n, path, &file))
		return;
	if (v->file)
		v->file(v->ctx, &file);
	if (file.batch > *covered) {
		*covered = file.batch;
		if (v->covered)
			v->covered(v->ctx, file.batch);
	}
}

/* The first line says the format. */
static int log_version(const struct line_reader *r, const char *p, size_t n)
{
	long long v;

	if (n && p[0] == '{')
		return 1;
	if (n > 11 && !memcmp(p, "inlet-seen ", 11) && parse_ll(p + 11, p + n, &v)) {
		if (v > SEENLOG_VERSION)
			die(EX_DATAERR, "checkpoint file '%s' is of format %lld, newer than "
			    "this inlet reads (%d); upgrade inlet", r->name, v, SEENLOG_VERSION);
		if (v >= 2)
			return (int)v;
	}
	malformed_line(r, "not a log of seen files");
}

void seenlog_read(const char *name, const struct seenlog_visitor *v,
		  struct seenlog_info *info)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			die_errno(EX_IOERR, "cannot read '%s'", name);
		memset(info, 0, sizeof(*info));
		info->missing = true;
		return;
	}
	seenlog_read_fd(name, fd, v, info);
	close(fd);
}

void seenlog_read_fd(const char *name, int fd, const struct seenlog_visitor *v,
		     struct seenlog_info *info)
{
	struct line_reader r = { .name = name, .fd = fd, .cap = 1 << 20 };
	struct buf path = BUF_INIT;
	long long covered = -1;
	const char *line;
	size_t len;

	memset(info, 0, sizeof(*info));
	r.buf = xmalloc(r.cap);
	while (next_line(&r, &line, &len)) {
		if (r.lineno == 1) {
			info->version = log_version(&r, line, len);
			if (info->version >= 2)
				continue;
		}
		info->lines++;
		if (info->version == 1)
			read_json_line(v, &r, line, len, &path, &covered);
		else
			read_line(v, info->version, &r, line, len, &path);
	}
	info->complete = r.complete;
	info->cut = r.end > r.start;
	free(r.buf);
	buf_free(&path);
}
