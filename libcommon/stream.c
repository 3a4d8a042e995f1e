#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "stream.h"

#define PIPE_SIZE (1 << 20)	/* Linux's default pipe-max-size */

/* Widen FD's pipe to PIPE_SIZE; anything else (or a refusal) is left be. */
static void widen_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
}

void stream_reader_init(struct stream_reader *r, FILE *fp, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fd = fileno(fp);
	r->name = name;
	widen_pipe(r->fd);
	r->cap = PIPE_SIZE + 4096;
	r->buf = xmalloc(r->cap);
}

/* Open the next FILE argument that can be opened; false when none is left. */
static bool open_next(struct stream_reader *r)
{
	if (r->own_fd)
		close(r->fd);
	r->own_fd = false;
	while (r->next < r->npaths) {
		const char *path = r->paths[r->next++];
		struct stat st;
		int fd;

		if (!strcmp(path, "-")) {
			r->fd = STDIN_FILENO;
			r->name = "standard input";
			r->lineno = 0;
			return true;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			fd = -1;
			errno = EISDIR;
		}
		if (fd < 0) {
			warning("cannot open '%s': %s", path, strerror(errno));
			r->missing++;
			continue;
		}
		r->fd = fd;
		r->own_fd = true;
		r->name = path;
		r->lineno = 0;
		return true;
	}
	return false;
}

void stream_reader_init_files(struct stream_reader *r, char *const *paths, int n)
{
	stream_reader_init(r, stdin, "standard input");
	if (n <= 0)
		return;
	r->paths = paths;
	r->npaths = n;
	r->fd = -1;
	if (!open_next(r))
		r->eof = true;
}

void stream_reader_free(struct stream_reader *r)
{
	if (r->own_fd)
		close(r->fd);
	r->own_fd = false;
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

int stream_next_line(struct stream_reader *r)
{
	size_t scanned = r->start;

	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		if (nl || (r->eof && r->start < r->end)) {
			char *line = r->buf + r->start;
			size_t n = nl ? (size_t)(nl - line) : r->end - r->start;
			r->start = nl ? (size_t)(nl - r->buf) + 1 : r->end;
			if (n > 0 && line[n - 1] == '\r')
				n--;
			line[n] = '\0';	/* the newline's place, or the spare byte */
			r->line = line;
			r->len = n;
			r->lineno++;
			r->cut_short = !nl;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		scanned = r->end;
		if (r->cap - r->end < 4096) {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
		if (r->switch_pending) {
			r->switch_pending = false;
			if (!open_next(r)) {
				r->eof = true;
				continue;
			}
		}
		/* One byte stays spare for the NUL of a last line without newline. */
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end - 1);
		if (got < 0) {
			if (errno != EINTR)
				die_errno(EX_IOERR, "cannot read '%s'", r->name);
			if (r->interrupt && *r->interrupt && r->stop_ok && r->start == r->end)
				return 0;
			continue;
		}
		if (got == 0 && r->next < r->npaths) {
			/* A file's last line ends with the file: it is returned
			 * under the file's name before the next one opens. */
			if (r->end > r->start && r->buf[r->end - 1] != '\n')
				r->buf[r->end++] = '\n';
			r->switch_pending = true;
			continue;
		}
		if (got == 0)
			r->eof = true;
		r->end += (size_t)got;
	}
}

bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The JSON integer V (N bytes) when it fits a long long; DFLT otherwise. */
static long long parse_int(const char *v, size_t n, long long dflt)
{
	unsigned long long x = 0, limit = (unsigned long long)LLONG_MAX;
	size_t i = 0;
	int neg = 0;

	if (n && v[0] == '-') {
		neg = 1;
		i = 1;
		limit += 1;	/* LLONG_MIN */
	}
	if (i >= n)
		return dflt;
	for (; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');
		if (d > 9 || x > (limit - d) / 10)
			return dflt;
		x = x * 10 + d;
	}
	return neg ? (long long)(0 - x) : (long long)x;
}

/*
 * The event of a control record: the string RAW (LEN bytes, quotes
 * included) decoded, as the key is; "" when it is longer than the field.
 */
static void event_name(struct record *rec, const char *raw, size_t len)
{
	if (!memchr(raw, '\\', len)) {
		if (len - 2 < sizeof(rec->event)) {
			memcpy(rec->event, raw + 1, len - 2);
			rec->event[len - 2] = '\0';
		}
		return;
	}
	struct buf b = BUF_INIT;
	if (json_string_decode(&b, raw, len) == 0 && b.len < sizeof(rec->event) &&
	    !memchr(b.data, '\0', b.len))
		memcpy(rec->event, b.data, b.len + 1);
	buf_free(&b);
}

/* Storage of record->fields, shared by all records: one is current at a time. */
static struct json_field *fields;
static size_t fields_cap;

static void grow_fields(void)
{
	fields_cap = fields_cap ? 2 * fields_cap : 64;
	fields = xrealloc(fields, fields_cap * sizeof(*fields));
}

/* Could the key be "_inlet"?  Escaped keys are decoded to be sure. */
static bool is_inlet_key(const struct json_field *f)
{
	if (!f->key_escaped)
		return f->key_len == 6 && memcmp(f->key, "_inlet", 6) == 0;
	return json_key_is(f, "_inlet");
}

/* Could the key be "_inlet_source"? */
static bool is_source_key(const struct json_field *f)
{
	if (!f->key_escaped)
		return f->key_len == 13 && memcmp(f->key, "_inlet_source", 13) == 0;
	return json_key_is(f, "_inlet_source");
}

/* record_classify, or with LOCATE record_locate: one body, two scanners. */
static inline __attribute__((always_inline)) int
classify(struct record *rec, const char *text, size_t len, struct json_error *err,
	 bool locate)
{
	struct json_iter it;
	size_t n = 0, got;
	int r;

	rec->text = text;
	rec->len = len;
	rec->kind = RECORD_ROW;
	rec->event[0] = '\0';
	rec->batch = -1;
	rec->fields = fields;
	rec->nfields = 0;
	rec->source = -1;
	if (json_object_open(&it, text, len, err) < 0)
		return -1;
	/* The scanner fills the array in one call, growing it when full. */
	do {
		if (n == fields_cap)
			grow_fields();
		r = json_object_members(&it, fields + n, fields_cap - n, &got, err, locate);
		n += got;
	} while (r == 1);
	for (size_t i = 0; i < n; i++) {
		const struct json_field *f = &fields[i];
		/* Most keys are none of the three: their length tells. */
		if (!f->key_escaped && f->key_len != 5 && f->key_len != 6 &&
		    f->key_len != 13)
			continue;
		if (is_inlet_key(f)) {
			rec->kind = RECORD_CONTROL;
			if (json_is_string(f->val, f->val_len))
				event_name(rec, f->val, f->val_len);
		} else if (f->key_escaped ? json_key_is(f, "batch")
					  : f->key_len == 5 && !memcmp(f->key, "batch", 5)) {
			rec->batch = parse_int(f->val, f->val_len, -1);
		} else if (is_source_key(f)) {
			rec->source = (long)i;
		}
	}
	rec->fields = fields;	/* grow_fields may have moved them */
	if (r < 0)
		return -1;
	rec->nfields = n;
	if (rec->kind == RECORD_ROW)
		rec->batch = -1;
	return 0;
}

int record_classify(struct record *rec, const char *text, size_t len,
		    struct json_error *err)
{
	return classify(rec, text, len, err, false);
}

int record_locate(struct record *rec, const char *text, size_t len,
		  struct json_error *err)
{
	return classify(rec, text, len, err, true);
}

int stream_next_record(struct stream_reader *r, struct record *rec)
{
	struct json_error err;

	do {
		if (!stream_next_line(r))
			return 0;
	} while (blank(r->line, r->len));
	if ((r->trusted ? record_locate(rec, r->line, r->len, &err)
			: record_classify(rec, r->line, r->len, &err)) < 0) {
		/* A last line without its newline: the writer died mid-record. */
		if (r->cut_short)
			die(EX_IOERR, "'%s' line %lu: input ended in the middle of a record "
			    "(an upstream stage failed)", r->name, r->lineno);
		die(EX_DATAERR, "'%s' line %lu: %s at byte %zu%s%s%s", r->name,
		    r->lineno, err.msg, err.offset + 1,
		    r->trusted ? " (in a batch whose \"begin\" claims valid rows)" : "",
		    r->first_hint ? "; " : "", r->first_hint ? r->first_hint : "");
	}
	r->first_hint = NULL;	/* said of the first record only */
	return 1;
}

int record_get_string(const struct record *rec, const char *key, struct buf *out)
{
	const char *v;
	size_t n;

	if (json_object_get(rec->text, rec->len, key, &v, &n) != 1 ||
	    !json_is_string(v, n))
		return 0;
	json_string_decode(out, v, n);
	return 1;
}

long long record_get_int(const struct record *rec, const char *key, long long dflt)
{
	const char *v;
	size_t n;

	if (json_object_get(rec->text, rec->len, key, &v, &n) != 1)
		return dflt;
	return parse_int(v, n, dflt);
}

/* --rows-only: the one option every stage's output shares. */
static bool rows_only;

void stream_rows_only(bool on)
{
	rows_only = on;
}

void stream_write(FILE *fp, const char *text, size_t len)
{
	const char *v;
	size_t n;

	/* A control record is an object with a top-level "_inlet" member. */
	if (rows_only && json_object_get(text, len, "_inlet", &v, &n) == 1)
		return;
	if (stream_put_line(fp, text, len) == EOF)
		die_errno(EX_IOERR, "cannot write output");
}

void stream_flush(FILE *fp)
{
	if (fflush(fp) != 0)
		die_errno(EX_IOERR, "cannot write output");
}

void stream_setup_stdout(void)
{
	static char outbuf[PIPE_SIZE];

	widen_pipe(STDOUT_FILENO);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
}

void stream_defer_stop_signals(void)
{
	if (!isatty(STDIN_FILENO)) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
	}
}

static volatile sig_atomic_t *stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

void stream_catch_stop_signals(volatile sig_atomic_t *flag, bool keep_ignored)
{
	static const int stops[] = { SIGINT, SIGTERM };
	struct sigaction sa, was;

	stop_flag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocked read returns EINTR */
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		if (keep_ignored && sigaction(stops[i], NULL, &was) == 0 &&
		    was.sa_handler == SIG_IGN)
			continue;
		sigaction(stops[i], &sa, NULL);
	}
}
