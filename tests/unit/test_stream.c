/*
 * libcommon/stream: the line reader (long lines, no final newline, CRLF),
 * the multi-file reader, records and their members, the stop signal.
 */
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "stream.h"
#include "unit.h"

static char *tmpdir;

static void file_path(struct buf *out, const char *name)
{
	buf_reset(out);
	buf_printf(out, "%s/%s", tmpdir, name);
}

static void put_file(const char *path, const char *data, size_t n)
{
	if (write_file_atomic(path, data, n) < 0)
		printf("# cannot write %s\n", path);
}

/*
 * Read DATA (N bytes) through a file with the line reader; the lines as
 * "line|line|..." into OUT, with a '$' after a line cut short at EOF.
 */
static void lines_of(const char *data, size_t n, struct buf *out)
{
	struct buf path = BUF_INIT;
	struct stream_reader r;
	FILE *fp;

	file_path(&path, "lines");
	put_file(path.data, data, n);
	fp = fopen(path.data, "r");
	stream_reader_init(&r, fp, "lines");
	buf_reset(out);
	buf_adds(out, "");	/* data is never NULL, even for no line */
	unsigned long want_lineno = 1;
	while (stream_next_line(&r)) {
		if (r.lineno != want_lineno++)
			buf_adds(out, "<bad lineno>");
		if (strlen(r.line) != r.len && !memchr(r.line, '\0', r.len))
			buf_adds(out, "<bad len>");
		buf_add(out, r.line, r.len);
		if (r.cut_short)
			buf_addc(out, '$');
		buf_addc(out, '|');
	}
	if (stream_next_line(&r))
		buf_adds(out, "<more after EOF>");
	stream_reader_free(&r);
	fclose(fp);
	buf_free(&path);
}

/* B with CR and NUL shown as ^M and ^@, for a message (valid until the next call). */
static const char *visible(const struct buf *b)
{
	static struct buf out;

	buf_reset(&out);
	buf_adds(&out, "");
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\r')
			buf_adds(&out, "^M");
		else if (b->data[i] == '\0')
			buf_adds(&out, "^@");
		else
			buf_addc(&out, b->data[i]);
	}
	return out.data;
}

static void check_lines(const char *data, size_t n, const char *want, size_t want_len,
			const char *what)
{
	struct buf got = BUF_INIT;

	lines_of(data, n, &got);
	CHECK(got.len == want_len && !memcmp(got.data, want, want_len), "%s (got %s)", what,
	      visible(&got));
	buf_free(&got);
}

#define LINES(lit, want, what) check_lines(lit, sizeof(lit) - 1, want, sizeof(want) - 1, what)

/* TEXT with its newlines as spaces, for a one-line message. */
static const char *flat(char *text)
{
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return text;
}

static void short_lines(void)
{
	LINES("", "", "an empty input has no line");
	LINES("a\nbb\n\nccc\n", "a|bb||ccc|", "lines, an empty one among them");
	LINES("a\nlast", "a|last$|", "a last line without newline is returned, cut short");
	LINES("x", "x$|", "one line without newline");
	LINES("\n", "|", "one empty line");
	LINES("a\r\nb\r\n", "a|b|", "CRLF: the CR is not part of the line");
	LINES("a\r\n\r\nb", "a||b$|", "an empty CRLF line");
	LINES("a\r", "a$|", "CR at EOF without LF");
	LINES("a\rb\n", "a\rb|", "a CR inside a line is kept");
	LINES("a\r\r\n", "a\r|", "only one CR is taken with the LF");
	LINES("n\0ul\n\0\n", "n\0ul|\0|", "NUL bytes are part of a line");
}

/* Line I of the long-line checks: LEN bytes of a pattern that depends on I. */
static void long_line(struct buf *b, size_t len, int i)
{
	for (size_t j = 0; j < len; j++)
		buf_addc(b, (char)('a' + (j * 31 + (size_t)i) % 26));
}

static void long_lines(void)
{
	/* The reader starts with 1 MiB + 4 KiB; lines around and far past it. */
	const size_t cap = (1 << 20) + 4096;
	const size_t lens[] = { cap - 2, cap - 1, cap, cap + 1, 3u << 20, 1, 0, 5u << 20, 7 };
	const size_t nlens = sizeof(lens) / sizeof(lens[0]);
	struct buf data = BUF_INIT, path = BUF_INIT;

	for (size_t i = 0; i < nlens; i++) {
		long_line(&data, lens[i], (int)i);
		if (i + 1 < nlens)
			buf_addc(&data, '\n');	/* the last line has none */
	}
	file_path(&path, "long");
	put_file(path.data, data.data, data.len);

	struct stream_reader r;
	FILE *fp = fopen(path.data, "r");
	stream_reader_init(&r, fp, "long");
	size_t i = 0, off = 0;
	int ok = 1;
	while (ok && stream_next_line(&r)) {
		ok = i < nlens && r.len == lens[i] && r.line[r.len] == '\0' &&
		     !memcmp(r.line, data.data + off, r.len) && r.lineno == i + 1 &&
		     r.cut_short == (i + 1 == nlens);
		if (!ok)
			printf("# line %zu: length %zu, expected %zu\n", i + 1, r.len, lens[i]);
		off += lens[i] + 1;
		i++;
	}
	CHECK(ok && i == nlens, "lines of 1 MiB +/- a byte, 3 and 5 MiB, short ones between, read whole");
	stream_reader_free(&r);
	fclose(fp);

	/* The same bytes through a pipe, written in uneven pieces. */
	int fds[2];
	if (pipe(fds) < 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t at = 0, step = 1; at < data.len; step = step * 7 % 100003 + 1) {
			size_t m = step < data.len - at ? step : data.len - at;
			if (write(fds[1], data.data + at, m) != (ssize_t)m)
				_exit(1);
			at += m;
		}
		_exit(0);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	stream_reader_init(&r, fp, "pipe");
	i = 0;
	off = 0;
	ok = 1;
	while (ok && stream_next_line(&r)) {
		ok = i < nlens && r.len == lens[i] && !memcmp(r.line, data.data + off, r.len);
		off += lens[i] + 1;
		i++;
	}
	CHECK(ok && i == nlens, "the same lines through a pipe in uneven writes");
	stream_reader_free(&r);
	fclose(fp);
	waitpid(pid, NULL, 0);
	buf_free(&data);
	buf_free(&path);
}

/* Does TEXT fail record_classify with a message and an offset inside it? */
static void check_bad_record(const char *text)
{
	struct record rec;
	struct json_error err = { NULL, (size_t)-1 };
	int rc = record_classify(&rec, text, strlen(text), &err);

	CHECK(rc == -1 && err.msg && *err.msg && err.offset <= strlen(text),
	      "record_classify refuses '%s' (%s at %zu)", text, err.msg ? err.msg : "no message",
	      err.offset);
}

static void records(void)
{
	struct record rec;
	struct buf v = BUF_INIT;
	const char *t;

	static const char *bad[] = { "", " ", "[]", "[{}]", "\"x\"", "1", "null", "{", "}",
				     "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
				     "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":01}", "{\"a\":tru}",
				     "{\"a\":\"x}", "{\"a\":[1,2}", "{'a':1}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad_record(bad[i]);
	CHECK(record_classify(&rec, "{\"a\":1", 6, NULL) == -1, "a NULL error pointer is allowed");

	t = "{}";
	CHECK(record_classify(&rec, t, 2, NULL) == 0 && rec.kind == RECORD_ROW && rec.nfields == 0 &&
	      rec.batch == -1 && rec.event[0] == '\0', "{} is a row without members");
	t = " { \"b\" : [1, {\"c\":2}] , \"a\":\"x\\\"y\" } ";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_ROW &&
	      rec.nfields == 2 && rec.fields[0].key_len == 1 && rec.fields[0].key[0] == 'b' &&
	      rec.fields[0].val_len == 12 && !memcmp(rec.fields[0].val, "[1, {\"c\":2}]", 12) &&
	      rec.fields[1].key_len == 1 && rec.fields[1].key[0] == 'a',
	      "members listed in order, values without the space around them");
	t = "{\"b\":[1,{\"c\":2}],\"a\":\"x\\\"y\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.nfields == 2 &&
	      rec.fields[0].val_len == 11 && !memcmp(rec.fields[0].val, "[1,{\"c\":2}]", 11) &&
	      rec.fields[1].val_len == 6 && !memcmp(rec.fields[1].val, "\"x\\\"y\"", 6),
	      "raw values exactly as written");

	t = "{\"_inlet\":\"begin\",\"batch\":3}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      !strcmp(rec.event, "begin") && rec.batch == 3, "a begin record of batch 3");
	t = "{\"batch\":4,\"x\":1,\"_inlet\":\"end\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      !strcmp(rec.event, "end") && rec.batch == 4, "_inlet and batch in any place");
	t = "{\"\\u005finlet\":\"skip\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      !strcmp(rec.event, "skip") && rec.batch == -1, "an escaped _inlet key is a control record");
	t = "{\"_inlet\":\"end\",\"\\u0062atch\":5}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.batch == 5,
	      "an escaped batch key is the batch");
	t = "{\"_inlet\":\"\\u0062egin\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && !strcmp(rec.event, "begin"),
	      "the event is decoded as the key is");
	t = "{\"_inlet\":\"aaaaaaaaaaaaaaa\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      !strcmp(rec.event, "aaaaaaaaaaaaaaa"), "an event of 15 characters is kept");
	t = "{\"_inlet\":\"aaaaaaaaaaaaaaaa\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      rec.event[0] == '\0', "a longer event is a control record with no event");
	t = "{\"_inlet\":1,\"batch\":\"2\"}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_CONTROL &&
	      rec.event[0] == '\0' && rec.batch == -1, "a non-string event and a string batch");
	t = "{\"a\":{\"_inlet\":\"begin\"},\"_inletx\":1}";
	CHECK(record_classify(&rec, t, strlen(t), NULL) == 0 && rec.kind == RECORD_ROW,
	      "only a top-level _inlet key makes a control record");

	/* Members. */
	t = "{\"s\":\"a\\n\\u00e9\\\"\",\"i\":-12,\"f\":1.5,\"q\":\"12\",\"n\":null,\"o\":{\"s\":\"in\"},"
	    "\"big\":123456789012345678,\"e\":\"\",\"z\":0}";
	record_classify(&rec, t, strlen(t), NULL);
	buf_reset(&v);
	CHECK(record_get_string(&rec, "s", &v) == 1 && !strcmp(v.data, "a\n\xc3\xa9\""),
	      "record_get_string decodes escapes");
	buf_reset(&v);
	CHECK(record_get_string(&rec, "e", &v) == 1 && v.len == 0, "an empty string member");
	buf_reset(&v);
	CHECK(record_get_string(&rec, "i", &v) == 0 && record_get_string(&rec, "n", &v) == 0 &&
	      record_get_string(&rec, "o", &v) == 0 && record_get_string(&rec, "missing", &v) == 0 &&
	      v.len == 0, "a number, null, object or absent member is not a string");
	CHECK(record_get_string(&rec, "in", &v) == 0, "a nested member is not found");
	CHECK(record_get_int(&rec, "i", 7) == -12, "record_get_int: a negative integer");
	CHECK(record_get_int(&rec, "z", 7) == 0, "record_get_int: zero");
	CHECK(record_get_int(&rec, "big", 7) == 123456789012345678LL, "record_get_int: 18 digits");
	CHECK(record_get_int(&rec, "f", 7) == 7 && record_get_int(&rec, "q", 7) == 7 &&
	      record_get_int(&rec, "n", 7) == 7 && record_get_int(&rec, "o", 7) == 7 &&
	      record_get_int(&rec, "missing", 7) == 7,
	      "record_get_int: the default for a fraction, string, null, object or absent member");
	{
		struct record r2;
		const char *t2 = "{\"a\":1000000000000000000,\"b\":9223372036854775807,"
				 "\"c\":-9223372036854775808,\"d\":9223372036854775808}";
		CHECK(record_classify(&r2, t2, strlen(t2), NULL) == 0 &&
		      record_get_int(&r2, "a", 7) == 1000000000000000000LL &&
		      record_get_int(&r2, "b", 7) == LLONG_MAX &&
		      record_get_int(&r2, "c", 7) == LLONG_MIN &&
		      record_get_int(&r2, "d", 7) == 7,
		      "record_get_int: 19 digits up to the limits of long long, the default past them");
	}

	buf_free(&v);
}

struct files {
	char *paths[8];
	int n;
};

/* Read FILES with the multi-file reader: "name:lineno:line|..." into OUT. */
static int read_files(struct files *f, struct buf *out, char *err, size_t cap)
{
	struct stream_reader r;
	FILE *tmp = tmpfile();
	int saved = dup(2);

	/* Its warnings go to standard error: catch them. */
	fflush(stderr);
	dup2(fileno(tmp), 2);
	stream_reader_init_files(&r, f->paths, f->n);
	buf_reset(out);
	while (stream_next_line(&r)) {
		const char *slash = strrchr(r.name, '/');
		buf_printf(out, "%s:%lu:%.*s%s|", slash ? slash + 1 : r.name, r.lineno,
			   (int)r.len, r.line, r.cut_short ? "$" : "");
	}
	int missing = r.missing;
	stream_reader_free(&r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(err, 1, cap - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return missing;
}

static void multi_file(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT, e = BUF_INIT, none = BUF_INIT,
		   dir = BUF_INIT, in = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	char err[1024];

	file_path(&a, "a");
	file_path(&b, "b");
	file_path(&c, "c");
	file_path(&e, "empty");
	file_path(&none, "none");
	file_path(&dir, "dir");
	put_file(a.data, "1\n2", 3);
	put_file(b.data, "3\r\n", 3);
	put_file(c.data, "4\n5", 3);
	put_file(e.data, "", 0);
	mkdir_p(dir.data);

	struct files f = { { a.data, none.data, e.data, dir.data, b.data, c.data }, 6 };
	int missing = read_files(&f, &got, err, sizeof(err));
	CHECK(!strcmp(got.data, "a:1:1|a:2:2|b:1:3|c:1:4|c:2:5$|"),
	      "files read one after another, each line under its file's name and number; "
	      "a file's last line ends with the file (%s)", got.data);
	CHECK(missing == 2, "a missing file and a folder are counted (%d)", missing);
	buf_printf(&want, "test_stream: warning: cannot open '%s': No such file or directory\n"
		   "test_stream: warning: cannot open '%s': Is a directory\n", none.data, dir.data);
	CHECK(!strcmp(err, want.data), "each is reported on stderr, naming it (%s)", flat(err));

	struct files only_missing = { { none.data, dir.data }, 2 };
	missing = read_files(&only_missing, &got, err, sizeof(err));
	CHECK(missing == 2 && got.len == 0, "no file can be opened: no line, both counted");

	/* "-" is standard input, read in its place. */
	file_path(&in, "stdin");
	put_file(in.data, "s1\ns2\n", 6);
	int saved = dup(0), fd = open(in.data, O_RDONLY);
	dup2(fd, 0);
	close(fd);
	char dash[] = "-";
	struct files with_stdin = { { a.data, dash, c.data }, 3 };
	missing = read_files(&with_stdin, &got, err, sizeof(err));
	CHECK(missing == 0 && !strcmp(got.data, "a:1:1|a:2:2|standard input:1:s1|standard input:2:s2|"
				      "c:1:4|c:2:5$|"), "'-' reads standard input in its place (%s)", got.data);
	lseek(0, 0, SEEK_SET);
	struct files no_files = { { NULL }, 0 };
	missing = read_files(&no_files, &got, err, sizeof(err));
	CHECK(missing == 0 && !strcmp(got.data, "standard input:1:s1|standard input:2:s2|"),
	      "no FILE at all: standard input (%s)", got.data);
	dup2(saved, 0);
	close(saved);

	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	buf_free(&e);
	buf_free(&none);
	buf_free(&dir);
	buf_free(&in);
	buf_free(&got);
	buf_free(&want);
}

static void put_records(const char *path, const char *text)
{
	put_file(path, text, strlen(text));
}

/* Read every record of the file ARG, in a child. */
static void read_records(void *arg)
{
	struct stream_reader r;
	struct record rec;
	FILE *fp = fopen(arg, "r");

	stream_reader_init(&r, fp, arg);
	while (stream_next_record(&r, &rec))
		;
	stream_reader_free(&r);
	fclose(fp);
}

static void next_record(void)
{
	struct buf path = BUF_INIT, want = BUF_INIT;
	struct stream_reader r;
	struct record rec;
	char err[512];

	file_path(&path, "records");
	put_records(path.data, "\n  \t\n{\"a\":1}\r\n\n{\"_inlet\":\"end\",\"batch\":0}");
	FILE *fp = fopen(path.data, "r");
	stream_reader_init(&r, fp, path.data);
	int ok = stream_next_record(&r, &rec) == 1 && rec.kind == RECORD_ROW && r.lineno == 3;
	ok = ok && stream_next_record(&r, &rec) == 1 && rec.kind == RECORD_CONTROL &&
	     rec.batch == 0 && r.lineno == 5;
	CHECK(ok && stream_next_record(&r, &rec) == 0,
	      "blank lines are skipped; a complete last record without newline is read");
	stream_reader_free(&r);
	fclose(fp);

	put_records(path.data, "{\"a\":1}\n[1]\n");
	int status = unit_fork(read_records, path.data, err, sizeof(err));
	buf_printf(&want, "test_stream: '%s' line 2: ", path.data);
	CHECK(status == 65 && !strncmp(err, want.data, want.len) && strstr(err, " at byte 1\n"),
	      "a line that is not an object dies with 65 naming the stream, line and byte (%d: %s)",
	      status, flat(err));

	put_records(path.data, "{\"a\":1}\n{\"a\":[1,");
	status = unit_fork(read_records, path.data, err, sizeof(err));
	buf_reset(&want);
	buf_printf(&want, "test_stream: '%s' line 2: input ended in the middle of a record "
		   "(an upstream stage failed)\n", path.data);
	CHECK(status == 74 && !strcmp(err, want.data),
	      "a record cut at the end of input dies with 74 (%d: %s)", status, flat(err));

	put_records(path.data, "{\"a\":1}\n{\"a\":[1,\n");
	status = unit_fork(read_records, path.data, err, sizeof(err));
	CHECK(status == 65, "a malformed record with its newline is bad data, 65 (%d)", status);
	buf_free(&path);
	buf_free(&want);
}

static volatile sig_atomic_t stop;

static void stop_signal(void)
{
	int fds[2];
	struct stream_reader r;

	if (pipe(fds) < 0)
		return;
	stream_catch_stop_signals(&stop, false);
	/* The writer stays open: only the signal can end the read. */
	FILE *fp = fdopen(fds[0], "r");
	if (write(fds[1], "{\"a\":1}\n", 8) != 8)
		return;
	stream_reader_init(&r, fp, "pipe");
	r.interrupt = &stop;
	r.stop_ok = true;
	int first = stream_next_line(&r);

	fflush(stdout);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		/* Again and again: one signal could land before read() blocks. */
		for (;;) {
			usleep(50000);
			kill(parent, SIGTERM);
		}
	}
	int second = stream_next_line(&r);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(first == 1 && second == 0 && stop, "SIGTERM while waiting for input ends the input");
	stream_reader_free(&r);
	fclose(fp);
	close(fds[1]);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

/* A stop signal ignored at start stays so when asked; the other is caught. */
static void stop_signal_ignored(void)
{
	struct sigaction term, intr;

	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_DFL);
	stream_catch_stop_signals(&stop, true);
	sigaction(SIGTERM, NULL, &term);
	sigaction(SIGINT, NULL, &intr);
	CHECK(term.sa_handler == SIG_IGN, "an ignored SIGTERM stays ignored");
	CHECK(intr.sa_handler != SIG_IGN && intr.sa_handler != SIG_DFL,
	      "SIGINT, not ignored at start, is caught");
	stream_catch_stop_signals(&stop, false);
	sigaction(SIGTERM, NULL, &term);
	CHECK(term.sa_handler != SIG_IGN && term.sa_handler != SIG_DFL,
	      "without KEEP_IGNORED an ignored SIGTERM is caught");
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static void writing(void)
{
	FILE *fp = tmpfile();
	char got[256];

	stream_write(fp, "{\"a\":1}", 7);
	stream_write(fp, "{\"_inlet\":\"end\",\"batch\":0}", 26);
	stream_rows_only(true);
	stream_write(fp, "{\"a\":2}", 7);
	stream_write(fp, "{\"_inlet\":\"end\",\"batch\":1}", 26);
	stream_write(fp, "{\"x\":{\"_inlet\":1}}", 18);
	stream_rows_only(false);
	stream_write(fp, "{\"_inlet\":\"end\",\"batch\":2}", 26);
	stream_flush(fp);
	rewind(fp);
	size_t n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	CHECK(!strcmp(got, "{\"a\":1}\n{\"_inlet\":\"end\",\"batch\":0}\n{\"a\":2}\n{\"x\":{\"_inlet\":1}}\n"
		      "{\"_inlet\":\"end\",\"batch\":2}\n"),
	      "stream_write adds the newline; rows-only leaves out control records only");
	fclose(fp);
}

int main(void)
{
	tmpdir = unit_tmpdir();
	if (!tmpdir)
		return unit_done();
	short_lines();
	long_lines();
	records();
	multi_file();
	next_record();
	stop_signal();
	stop_signal_ignored();
	writing();

	unit_rmdir(tmpdir);
	return unit_done();
}
