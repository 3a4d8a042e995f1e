/*
 * The CSV sink: one CSV file, or standard output.
 *
 * The file has one header line, written with the first batch that has
 * columns; every row after it has exactly those columns.  Until the header
 * is written the batch's rows are spooled (their JSON text, in a temporary
 * file), so that the header can name every key the batch holds.
 *
 * Exactly once: the file has a sidecar folder FILE.inlet/ that the sink
 * owns, holding its lock (.lock-csv) and its state (csv-state): the
 * file's device, inode and length after the last batch, its columns, and
 * the last batch of each checkpoint it holds.  A batch is appended and
 * fsynced, then csv-state is rewritten atomically: that rewrite commits
 * the batch.  A longer file at the next start is a batch cut short,
 * truncated back; a shorter one, or another file, is damage.  In
 * overwrite mode a batch is written to FILE.inlet/csv-next, csv-state is
 * rewritten naming that file's identity, and csv-next is renamed over
 * FILE: a start that finds csv-next still holding the marked identity
 * finishes the rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "datetime.h"
#include "die.h"
#include "fault.h"
#include "fileio.h"
#include "identity.h"
#include "json.h"
#include "schema.h"
#include "sink.h"
#include "stream.h"

#define CSV_FLUSH_AT (64 * 1024)

struct csv_column {
	char *name;		/* owned, decoded (may hold NUL) */
	size_t len;
	long long stamp;	/* the last row that gave it a value */
};

struct csv_mark {
	char checkpoint[40];
	long long batch;
};

struct csv_sink {
	struct sink base;
	char *path;		/* FILE; NULL: standard output */
	char *side;		/* FILE.inlet */
	struct buf state_path, next_path;
	int lock_fd;
	int fd;			/* append mode: FILE, positioned at its end */
	bool crlf;
	bool have_state;	/* csv-state exists */

	struct csv_column *cols;
	size_t ncols, capcols;
	bool fixed;		/* the header is written: the columns are final */

	/* The committed state (csv-state). */
	long long size;
	struct file_identity id;
	struct csv_mark *marks;
	size_t nmarks;

	/* The open batch. */
	bool open;
	FILE *spool;		/* rows waiting for the header */
	long long spooled;
	int out_fd;		/* where the rows go; -1: standard output */
	long long written;	/* bytes of this batch written to out_fd */
	long long stamp;
	const char **vals;	/* per column: the row's value, NULL if none */
	size_t *lens;
	struct buf out, scratch, key;
};

static const char *input_name(const struct csv_sink *s)
{
	return s->base.input ? s->base.input->name : "standard input";
}

static const char *file_name(const struct csv_sink *s)
{
	return s->path ? s->path : "standard output";
}

/* ---- columns ---- */

static long find_column(const struct csv_sink *s, const char *name, size_t n, size_t hint)
{
	/* Rows usually list their keys in column order: try HINT first. */
	if (hint < s->ncols && s->cols[hint].len == n && !memcmp(s->cols[hint].name, name, n))
		return (long)hint;
	for (size_t i = 0; i < s->ncols; i++)
		if (s->cols[i].len == n && !memcmp(s->cols[i].name, name, n))
			return (long)i;
	return -1;
}

static size_t add_column(struct csv_sink *s, const char *name, size_t n)
{
	if (s->ncols == s->capcols) {
		s->capcols = s->capcols ? s->capcols * 2 : 16;
		s->cols = xrealloc(s->cols, s->capcols * sizeof(*s->cols));
		s->vals = xrealloc(s->vals, s->capcols * sizeof(*s->vals));
		s->lens = xrealloc(s->lens, s->capcols * sizeof(*s->lens));
	}
	s->cols[s->ncols].name = xmalloc(n + 1);
	memcpy(s->cols[s->ncols].name, name, n);
	s->cols[s->ncols].name[n] = '\0';
	s->cols[s->ncols].len = n;
	s->cols[s->ncols].stamp = 0;
	return s->ncols++;
}

static void forget_columns(struct csv_sink *s)
{
	for (size_t i = 0; i < s->ncols; i++)
		free(s->cols[i].name);
	s->ncols = 0;
	s->fixed = false;
}

/* The header's columns, comma-separated, for messages (OUT reset first). */
static void column_list(const struct csv_sink *s, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < s->ncols && out->len < 200; i++) {
		if (i)
			buf_addc(out, ',');
		buf_add(out, s->cols[i].name, strlen(s->cols[i].name));
	}
	if (out->len >= 200)
		buf_adds(out, ",...");
}

/* ---- writing ---- */

static void write_all(int fd, const char *p, size_t n, const char *what)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die_errno(EX_IOERR, "cannot write '%s'", what);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void flush_out(struct csv_sink *s)
{
	if (!s->out.len)
		return;
	if (s->out_fd < 0) {
		if (fwrite(s->out.data, 1, s->out.len, stdout) != s->out.len)
			die_errno(EX_IOERR, "cannot write to standard output");
	} else {
		write_all(s->out_fd, s->out.data, s->out.len,
			  s->base.mode == SINK_OVERWRITE ? s->next_path.data : s->path);
	}
	s->written += (long long)s->out.len;
	buf_reset(&s->out);
}

/* RFC 4180: a field holding the delimiter, a quote, CR or LF is quoted. */
static void add_field(struct buf *out, const char *v, size_t n, bool empty_quoted)
{
	bool quote = (empty_quoted && !n) || memchr(v, ',', n) || memchr(v, '"', n) ||
		     memchr(v, '\n', n) || memchr(v, '\r', n);

	if (!quote) {
		buf_add(out, v, n);
		return;
	}
	buf_grow(out, n + 2);
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '"')
			buf_addc(out, '"');
		buf_addc(out, v[i]);
	}
	buf_addc(out, '"');
}

/* The JSON text V (valid) without its insignificant whitespace. */
static void compact_json(struct buf *out, const char *v, size_t n)
{
	bool in_string = false;

	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (in_string) {
			buf_addc(out, c);
			if (c == '\\')
				buf_addc(out, v[++i]);
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
			buf_addc(out, c);
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			buf_addc(out, c);
		}
	}
}

/*
 * One value as a CSV field: strings decoded, numbers and true/false as
 * their text, null empty, "" as "" (Spark's emptyValue), objects and
 * arrays as compact JSON.
 */
static void add_value(struct csv_sink *s, const char *v, size_t n)
{
	switch (v[0]) {
	case 'n':
		return;
	case '"':
		if (!memchr(v + 1, '\\', n - 2)) {
			add_field(&s->out, v + 1, n - 2, true);
			return;
		}
		buf_reset(&s->scratch);
		json_string_decode(&s->scratch, v, n);
		add_field(&s->out, s->scratch.data, s->scratch.len, true);
		return;
	case '{': case '[':
		buf_reset(&s->scratch);
		compact_json(&s->scratch, v, n);
		add_field(&s->out, s->scratch.data, s->scratch.len, false);
		return;
	default:
		buf_add(&s->out, v, n);
	}
}

static void end_line(struct csv_sink *s)
{
	if (s->crlf)
		buf_addc(&s->out, '\r');
	buf_addc(&s->out, '\n');
}

static void add_header(struct csv_sink *s)
{
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&s->out, ',');
		add_field(&s->out, s->cols[i].name, s->cols[i].len, true);
	}
	end_line(s);
}

/* Take back what the open batch wrote: the file ends at its last mark. */
static void roll_back(struct csv_sink *s)
{
	buf_reset(&s->out);
	if (s->path && s->base.mode == SINK_APPEND && s->written) {
		if (ftruncate(s->fd, s->size) < 0 || lseek(s->fd, s->size, SEEK_SET) < 0)
			die_errno(EX_IOERR, "cannot truncate '%s' back to %lld bytes",
				  s->path, s->size);
	}
	s->written = 0;
}

/* The key of F, decoded when it holds escapes, in *NAME and *N. */
static void key_of(struct csv_sink *s, const struct json_field *f, const char **name, size_t *n)
{
	if (!f->key_escaped) {
		*name = f->key;
		*n = f->key_len;
		return;
	}
	buf_reset(&s->key);
	json_key_decode(&s->key, f);
	*name = s->key.data;
	*n = s->key.len;
}

static void __attribute__((noreturn))
die_twice(struct csv_sink *s, const char *name, size_t n, unsigned long lineno)
{
	roll_back(s);
	die(EX_DATAERR, "'%s' line %lu: key '%.*s' appears twice, and column '%.*s' of "
	    "'%s' holds one value", input_name(s), lineno, (int)n, name, (int)n, name,
	    file_name(s));
}

/* A column the header lacks: never a row that does not match it. */
static void __attribute__((noreturn))
die_new_column(struct csv_sink *s, const char *name, size_t n, const char *where)
{
	struct buf have = BUF_INIT;

	roll_back(s);
	column_list(s, &have);
	die(EX_DATAERR, "%s: column '%.*s' is not in the header of '%s' (%s), written "
	    "by an earlier batch; a CSV file has one header: write to a new file, or "
	    "replace this one with --mode overwrite", where, (int)n, name,
	    file_name(s), have.data);
}

/* Write REC as one line under the header. */
static void emit_row(struct csv_sink *s, const struct record *rec, unsigned long lineno)
{
	long long stamp = ++s->stamp;

	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field *f = &rec->fields[i];
		const char *name;
		size_t n;
		key_of(s, f, &name, &n);
		long c = find_column(s, name, n, i);
		if (c < 0) {
			struct buf where = BUF_INIT;
			buf_printf(&where, "'%s' line %lu", input_name(s), lineno);
			die_new_column(s, name, n, where.data);
		}
		if (s->cols[c].stamp == stamp)
			die_twice(s, name, n, lineno);
		s->cols[c].stamp = stamp;
		s->vals[c] = f->val;
		s->lens[c] = f->val_len;
	}
	for (size_t c = 0; c < s->ncols; c++) {
		if (c)
			buf_addc(&s->out, ',');
		if (s->cols[c].stamp == stamp)
			add_value(s, s->vals[c], s->lens[c]);
	}
	end_line(s);
	if (s->out.len >= CSV_FLUSH_AT)
		flush_out(s);
}

/* Before the header: learn the row's keys and keep its text for later. */
static void spool_row(struct csv_sink *s, const struct record *rec, unsigned long lineno)
{
	long long stamp = ++s->stamp;

	for (size_t i = 0; i < rec->nfields; i++) {
		const char *name;
		size_t n;
		key_of(s, &rec->fields[i], &name, &n);
		long c = find_column(s, name, n, i);
		if (c < 0)
			c = (long)add_column(s, name, n);
		else if (s->cols[c].stamp == stamp)
			die_twice(s, name, n, lineno);
		s->cols[c].stamp = stamp;
	}
	if (stream_put_line(s->spool, rec->text, rec->len) == EOF)
		die_errno(EX_IOERR, "cannot write a temporary file");
	s->spooled++;
}

/* The header, then the spooled rows under it. */
static void write_spool(struct csv_sink *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long k = 0;
	struct record rec;
	struct json_error err;

	if (!s->ncols && s->spooled)
		die(EX_DATAERR, "'%s': %lld row%s with no keys and no columns for a header "
		    "of '%s'; send a schema record or a row with a key first",
		    input_name(s), s->spooled, s->spooled == 1 ? "" : "s", file_name(s));
	if (!s->ncols)
		return;
	add_header(s);
	s->fixed = true;
	if (fflush(s->spool) != 0 || fseek(s->spool, 0, SEEK_SET) < 0)
		die_errno(EX_IOERR, "cannot read back a temporary file");
	while ((n = getline(&line, &cap, s->spool)) > 0) {
		if (record_classify(&rec, line, (size_t)n - 1, &err) < 0)
			die(EX_SOFTWARE, "spooled row %lu does not parse: %s", k, err.msg);
		emit_row(s, &rec, ++k);
	}
	if (ferror(s->spool))
		die_errno(EX_IOERR, "cannot read back a temporary file");
	free(line);
}

/* ---- the state in FILE.inlet/csv-state ---- */

static long long mark_of(const struct csv_sink *s, const char *checkpoint)
{
	for (size_t i = 0; i < s->nmarks; i++)
		if (!strcmp(s->marks[i].checkpoint, checkpoint))
			return s->marks[i].batch;
	return -1;
}

static void set_mark(struct csv_sink *s, const char *checkpoint, long long batch)
{
	for (size_t i = 0; i < s->nmarks; i++)
		if (!strcmp(s->marks[i].checkpoint, checkpoint)) {
			s->marks[i].batch = batch;
			return;
		}
	s->marks = xrealloc(s->marks, (s->nmarks + 1) * sizeof(*s->marks));
	snprintf(s->marks[s->nmarks].checkpoint, sizeof(s->marks->checkpoint), "%s", checkpoint);
	s->marks[s->nmarks++].batch = batch;
}

/* Commit point: FILE (ID, SIZE bytes) holds every batch the marks name. */
static void write_state(struct csv_sink *s, const struct file_identity *id, long long size)
{
	struct buf t = BUF_INIT;
	struct file_identity at = *id;
	char now[32];

	at.size = size;
	at.link = false;
	buf_adds(&t, "{\"file\":");
	json_path_encode(&t, s->path, strlen(s->path));
	identity_append(&t, &at);
	buf_printf(&t, ",\"line_end\":\"%s\",\"columns\":[", s->crlf ? "crlf" : "lf");
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&t, ',');
		json_path_encode(&t, s->cols[i].name, s->cols[i].len);
	}
	buf_adds(&t, "],\"marks\":{");
	for (size_t i = 0; i < s->nmarks; i++) {
		if (i)
			buf_addc(&t, ',');
		json_string_encode(&t, s->marks[i].checkpoint, strlen(s->marks[i].checkpoint));
		buf_printf(&t, ":%lld", s->marks[i].batch);
	}
	iso8601_now(now);
	buf_printf(&t, "},\"committed\":\"%s\"}\n", now);
	if (write_file_atomic_mode(s->state_path.data, t.data, t.len, 0666) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->state_path.data);
	s->id = at;
	s->size = size;
	buf_free(&t);
}

static void __attribute__((noreturn)) bad_state(struct csv_sink *s, const char *why)
{
	die(EX_DATAERR, "'%s' is not the state of a CSV sink (%s); repair it, or remove "
	    "the folder '%s' and the checkpoint to write '%s' anew", s->state_path.data,
	    why, s->side, s->path);
}

static long long read_count(const char *v, size_t n)
{
	long long x = 0;

	if (!n || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

/* Read csv-state into S: 1, or 0 when there is none. */
static int read_state(struct csv_sink *s, bool *crlf)
{
	struct buf text = BUF_INIT, name = BUF_INIT;
	struct record rec;
	struct json_iter it;
	struct json_field f;
	const char *v;
	size_t n;
	int r;

	if (read_file(s->state_path.data, &text) < 0) {
		if (errno != ENOENT)
			die_errno(EX_IOERR, "cannot read '%s'", s->state_path.data);
		buf_free(&text);
		return 0;
	}
	while (text.len && text.data[text.len - 1] == '\n')
		text.data[--text.len] = '\0';
	if (record_classify(&rec, text.data, text.len, NULL) < 0)
		bad_state(s, "not a JSON object");
	identity_from_record(&s->id, &rec);
	if (!s->id.known)
		bad_state(s, "no dev, ino, size and mtime_ns");
	s->size = s->id.size;
	if (!record_get_string(&rec, "line_end", &name) ||
	    (strcmp(name.data, "lf") && strcmp(name.data, "crlf")))
		bad_state(s, "no line_end \"lf\" or \"crlf\"");
	*crlf = !strcmp(name.data, "crlf");
	if (json_object_get(text.data, text.len, "columns", &v, &n) != 1 ||
	    json_array_open(&it, v, n, NULL) < 0)
		bad_state(s, "no columns array");
	while ((r = json_array_next(&it, &v, &n, NULL)) == 1) {
		buf_reset(&name);
		if (!json_is_string(v, n) || json_string_decode(&name, v, n) < 0)
			bad_state(s, "a column that is not a string");
		add_column(s, name.data, name.len);
	}
	if (r < 0)
		bad_state(s, "a malformed columns array");
	if (json_object_get(text.data, text.len, "marks", &v, &n) != 1 ||
	    json_object_open(&it, v, n, NULL) < 0)
		bad_state(s, "no marks object");
	while ((r = json_object_next(&it, &f, NULL)) == 1) {
		long long batch = read_count(f.val, f.val_len);
		buf_reset(&name);
		json_key_decode(&name, &f);
		if (batch < 0 || !name.len || name.len >= sizeof(s->marks->checkpoint) ||
		    strlen(name.data) != name.len)
			bad_state(s, "a mark that is not \"CHECKPOINT\":BATCH");
		set_mark(s, name.data, batch);
	}
	if (r < 0)
		bad_state(s, "a malformed marks object");
	buf_free(&text);
	buf_free(&name);
	return 1;
}

/* ---- start-up: the file must be the one the state marks ---- */

static void remove_next(struct csv_sink *s)
{
	if (unlink(s->next_path.data) < 0 && errno != ENOENT)
		die_errno(EX_IOERR, "cannot remove '%s'", s->next_path.data);
}

/*
 * An overwrite cut short between csv-state and the rename: csv-next is
 * the marked file.  Finish the rename.  1 if that was the case.
 */
static int finish_overwrite(struct csv_sink *s)
{
	struct stat st;
	struct file_identity got;

	if (stat(s->next_path.data, &st) < 0)
		return 0;
	identity_from_stat(&got, &st, false);
	if (!identity_same_file(&got, &s->id) || got.size != s->size)
		return 0;
	if (rename(s->next_path.data, s->path) < 0)
		die_errno(EX_IOERR, "cannot rename '%s' to '%s'", s->next_path.data, s->path);
	if (fsync_parent(s->path) < 0)
		die_errno(EX_IOERR, "cannot sync the folder of '%s'", s->path);
	warning("'%s' replaced by '%s': an overwrite was cut short after its batch "
		"was marked", s->path, s->next_path.data);
	return 1;
}

/* The file against the state: truncate a torn tail, refuse damage. */
static void check_file(struct csv_sink *s, bool have_state)
{
	struct stat st;
	struct file_identity got;
	bool exists = stat(s->path, &st) == 0;

	if (!exists && errno != ENOENT)
		die_errno(EX_IOERR, "cannot stat '%s'", s->path);
	if (exists && !S_ISREG(st.st_mode))
		die(EX_CANTCREAT, "'%s' is not a regular file", s->path);
	if (!have_state) {
		if (exists && st.st_size > 0 && s->base.mode == SINK_APPEND)
			die(EX_DATAERR, "'%s' was not written by inlet-commit (there is no "
			    "'%s'): its header is unknown, so no rows are appended to it; "
			    "write to a new file, or replace it with --mode overwrite",
			    s->path, s->state_path.data);
		remove_next(s);
		return;
	}
	if (exists)
		identity_from_stat(&got, &st, false);
	if (!exists || !identity_same_file(&got, &s->id)) {
		if (finish_overwrite(s))
			return;
		die(EX_DATAERR, "'%s' %s, but '%s' marks batches in it: restore the file, "
		    "or remove '%s' and start a new checkpoint to write everything anew",
		    s->path, exists ? "is not the file inlet-commit wrote (another device "
		    "and inode)" : "is missing", s->state_path.data, s->side);
	}
	remove_next(s);
	if (got.size < s->size)
		die(EX_DATAERR, "'%s' is %lld bytes, shorter than the %lld bytes '%s' marks: "
		    "committed rows were removed; restore the file, or remove '%s' and "
		    "start a new checkpoint to write everything anew", s->path,
		    got.size, s->size, s->state_path.data, s->side);
	if (got.size > s->size) {
		if (truncate(s->path, s->size) < 0)
			die_errno(EX_IOERR, "cannot truncate '%s'", s->path);
		warning("'%s' truncated from %lld to %lld bytes, its last mark: the "
			"rows of a batch cut short before it was marked (the checkpoint, "
			"if any, replays it)", s->path, got.size, s->size);
	}
}

/*
 * Open FILE to append at its marked end.  A file new to the sink gets its
 * first state (length 0) before any row goes in, so that a batch cut short
 * in it is truncated at the next start like any other.
 */
static void open_for_append(struct csv_sink *s)
{
	struct stat st;
	struct file_identity got;

	s->fd = open(s->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (s->fd < 0)
		die_errno(EX_CANTCREAT, "cannot open '%s'", s->path);
	if (fstat(s->fd, &st) < 0)
		die_errno(EX_IOERR, "cannot stat '%s'", s->path);
	identity_from_stat(&got, &st, false);
	if (s->have_state) {
		if (!identity_same_file(&got, &s->id) || got.size != s->size)
			die(EX_IOERR, "'%s' changed while it was opened", s->path);
	} else {
		if (got.size)
			die(EX_IOERR, "'%s' changed while it was opened", s->path);
		if (fsync_parent(s->path) < 0)
			die_errno(EX_IOERR, "cannot sync the folder of '%s'", s->path);
		write_state(s, &got, 0);
		s->have_state = true;
	}
	if (lseek(s->fd, s->size, SEEK_SET) < 0)
		die_errno(EX_IOERR, "cannot seek in '%s'", s->path);
}

/* ---- the sink operations ---- */

static int csv_begin(struct sink *base, long long batch)
{
	struct csv_sink *s = (struct csv_sink *)base;

	if (s->path && batch >= 0 && base->checkpoint_id &&
	    mark_of(s, base->checkpoint_id) >= batch)
		return 1;
	if (base->mode == SINK_OVERWRITE)
		forget_columns(s);
	s->open = true;
	s->written = 0;
	s->spooled = 0;
	s->out_fd = s->path ? s->fd : -1;
	if (!s->fixed) {
		s->spool = tmpfile();
		if (!s->spool)
			die_errno(EX_CANTCREAT, "cannot create a temporary file");
	}
	return 0;
}

static void csv_schema(struct sink *base, const char *text, size_t len)
{
	struct csv_sink *s = (struct csv_sink *)base;
	struct schema sch = SCHEMA_INIT;
	struct buf err = BUF_INIT;

	if (schema_from_record(&sch, text, len, &err) < 0)
		die(EX_DATAERR, "'%s': schema record: %s", input_name(s), err.data);
	if (s->fixed) {
		for (size_t i = 0; i < sch.n; i++)
			if (find_column(s, sch.cols[i].name, sch.cols[i].name_len, i) < 0)
				die_new_column(s, sch.cols[i].name, sch.cols[i].name_len,
					       "schema record");
	} else {
		/* The schema's order first, then keys rows brought before it. */
		struct csv_column *old = s->cols;
		size_t nold = s->ncols;
		s->cols = NULL;
		s->ncols = s->capcols = 0;
		for (size_t i = 0; i < sch.n; i++)
			if (find_column(s, sch.cols[i].name, sch.cols[i].name_len, i) < 0)
				add_column(s, sch.cols[i].name, sch.cols[i].name_len);
		for (size_t i = 0; i < nold; i++) {
			if (find_column(s, old[i].name, old[i].len, i) < 0)
				add_column(s, old[i].name, old[i].len);
			free(old[i].name);
		}
		free(old);
	}
	schema_free(&sch);
	buf_free(&err);
}

static void csv_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct csv_sink *s = (struct csv_sink *)base;

	if (s->fixed)
		emit_row(s, rec, lineno);
	else
		spool_row(s, rec, lineno);
}

/* The file opened must still be at its path: else the batch is nowhere. */
static void check_still_opened(struct csv_sink *s, long long batch)
{
	struct stat st, at;

	if (fstat(s->fd, &at) < 0)
		die_errno(EX_IOERR, "cannot stat '%s'", s->path);
	if (stat(s->path, &st) < 0 || st.st_dev != at.st_dev || st.st_ino != at.st_ino) {
		roll_back(s);
		die(EX_IOERR, "'%s' was deleted or replaced while batch %lld was written "
		    "into it; the batch was not committed", s->path, batch);
	}
}

static void commit_file(struct csv_sink *s, long long batch)
{
	struct stat st;
	struct file_identity id;

	if (s->base.mode == SINK_APPEND && s->fd < 0) {
		open_for_append(s);
		s->out_fd = s->fd;
	}
	if (s->base.mode == SINK_OVERWRITE) {
		s->out_fd = open(s->next_path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (s->out_fd < 0)
			die_errno(EX_CANTCREAT, "cannot create '%s'", s->next_path.data);
	}
	if (!s->fixed)
		write_spool(s);
	flush_out(s);
	if (fsync(s->out_fd) < 0)
		die_errno(EX_IOERR, "cannot sync '%s'", s->base.mode == SINK_OVERWRITE ?
			  s->next_path.data : s->path);
	if (fstat(s->out_fd, &st) < 0)
		die_errno(EX_IOERR, "cannot stat '%s'", s->path);
	identity_from_stat(&id, &st, false);
	if (s->base.mode == SINK_APPEND)
		check_still_opened(s, batch);
	crash_point("commit-csv-after-append");
	if (batch >= 0 && s->base.checkpoint_id)
		set_mark(s, s->base.checkpoint_id, batch);
	write_state(s, &id, (long long)st.st_size);
	if (s->base.mode == SINK_OVERWRITE) {
		crash_point("commit-csv-after-state");
		if (close(s->out_fd) < 0)
			die_errno(EX_IOERR, "cannot write '%s'", s->next_path.data);
		s->out_fd = -1;
		if (rename(s->next_path.data, s->path) < 0)
			die_errno(EX_IOERR, "cannot rename '%s' to '%s'", s->next_path.data,
				  s->path);
		if (fsync_parent(s->path) < 0)
			die_errno(EX_IOERR, "cannot sync the folder of '%s'", s->path);
	}
}

static void close_spool(struct csv_sink *s)
{
	if (s->spool)
		fclose(s->spool);
	s->spool = NULL;
}

static void csv_commit(struct sink *base, long long batch, long long rows)
{
	struct csv_sink *s = (struct csv_sink *)base;

	(void)rows;
	if (s->path) {
		commit_file(s, batch);
	} else {
		if (!s->fixed)
			write_spool(s);
		flush_out(s);
		stream_flush(stdout);
	}
	close_spool(s);
	s->written = 0;
	s->open = false;
}

static void csv_abort(struct sink *base)
{
	struct csv_sink *s = (struct csv_sink *)base;

	if (!s->open)
		return;
	s->open = false;
	close_spool(s);
	roll_back(s);
	if (!s->fixed)
		forget_columns(s);
	if (s->path && base->mode == SINK_OVERWRITE && s->out_fd >= 0) {
		close(s->out_fd);
		s->out_fd = -1;
		unlink(s->next_path.data);
	}
}

static void csv_close(struct sink *base)
{
	struct csv_sink *s = (struct csv_sink *)base;

	csv_abort(base);
	if (s->fd >= 0 && close(s->fd) < 0)
		die_errno(EX_IOERR, "cannot close '%s'", s->path);
	if (s->path)
		close(s->lock_fd);
	forget_columns(s);
	free(s->cols);
	free(s->vals);
	free(s->lens);
	free(s->marks);
	free(s->path);
	free(s->side);
	free(base->name);
	buf_free(&s->state_path);
	buf_free(&s->next_path);
	buf_free(&s->out);
	buf_free(&s->scratch);
	buf_free(&s->key);
	free(s);
}

static const struct sink_ops csv_ops = {
	csv_begin, csv_schema, csv_row, csv_commit, csv_abort, csv_close
};

/* FILE.inlet/: the lock first, then the state and the file under it. */
static void open_file(struct csv_sink *s, bool crlf)
{
	struct buf lock = BUF_INIT, what = BUF_INIT;
	bool have_state, state_crlf = false;

	buf_printf(&what, "%s.inlet", s->path);
	s->side = xstrdup(what.data);
	buf_printf(&s->state_path, "%s/csv-state", s->side);
	buf_printf(&s->next_path, "%s/csv-next", s->side);
	if (mkdir_p_mode(s->side, 0777) < 0)
		die_errno(EX_CANTCREAT, "cannot create folder '%s'", s->side);
	buf_printf(&lock, "%s/.lock-csv", s->side);
	buf_reset(&what);
	buf_printf(&what, "CSV file '%s'", s->path);
	s->lock_fd = lock_take(lock.data, 0666, what.data,
			       "another inlet-commit is writing to it");
	/* Only under the lock: another writer's temporary files are its own. */
	remove_temporaries(s->side);
	have_state = read_state(s, &state_crlf);
	check_file(s, have_state);
	if (s->base.mode == SINK_APPEND && have_state && s->size > 0 && state_crlf != crlf)
		die(EX_USAGE, "'%s' has %s line ends: %s would mix them; write to a new "
		    "file, or replace it with --mode overwrite", s->path,
		    state_crlf ? "CRLF" : "LF", crlf ? "--crlf" : "leaving out --crlf");
	s->crlf = crlf;
	if (!have_state || s->size == 0)
		forget_columns(s);
	s->fixed = s->base.mode == SINK_APPEND && s->size > 0;
	s->fd = -1;
	s->have_state = have_state;
	/* A missing file is created by the first commit: a refusal leaves none. */
	if (s->base.mode == SINK_APPEND && (have_state || access(s->path, F_OK) == 0))
		open_for_append(s);
	buf_free(&lock);
	buf_free(&what);
}

struct sink *sink_csv_open(const char *path, enum sink_mode mode, bool crlf)
{
	struct csv_sink *s = xcalloc(1, sizeof(*s));
	struct buf name = BUF_INIT;

	s->base.ops = &csv_ops;
	s->base.mode = mode;
	s->out_fd = -1;
	s->lock_fd = -1;
	buf_printf(&name, "csv:%s", path);
	s->base.name = xstrdup(name.data);
	buf_free(&name);
	if (strcmp(path, "-")) {
		s->path = xstrdup(path);
		open_file(s, crlf);
	} else {
		s->crlf = crlf;
		s->fd = -1;
	}
	return &s->base;
}
