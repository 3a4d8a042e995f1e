/*
 * inlet-parse: turn the files named by "file" control records (or given
 * as arguments) into one JSON row per record.
 *
 * JSON lines pass through byte for byte once validated, so numbers keep
 * their exact text.  CSV values stay strings; an empty unquoted field is
 * null and a quoted "" is the empty string, as Spark reads them.
 */
#include <csv.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "ckpt.h"
#include "cli.h"
#include "die.h"
#include "input.h"
#include "json.h"
#include "stream.h"

enum format { FORMAT_AUTO, FORMAT_CSV, FORMAT_JSON, FORMAT_TEXT };
enum mode { MODE_PERMISSIVE, MODE_DROPMALFORMED, MODE_FAILFAST };

static struct options {
	enum format format;
	bool header;
	unsigned char delimiter, quote, escape;
	const char *null_value;
	bool metadata;
	enum mode mode;
	const char *corrupt_column;
	bool quiet;
} opt = {
	.header = true,
	.delimiter = ',',
	.quote = '"',
	.escape = '"',
	.corrupt_column = "_corrupt_record",
};

static struct counters {
	long long files, rows, malformed, dropped, unreadable;
} count;

static void usage(int code)
{
	FILE *fp = code ? stderr : stdout;

	fprintf(fp,
"usage: inlet-parse [options] [FILE...]\n"
"\n"
"Read the files named by inlet \"file\" records on standard input (or the\n"
"FILEs given, '-' for standard input) and write one JSON row per record.\n"
"gzip and zstd files are decompressed by content.\n"
"\n"
"  -f, --format FMT               csv, json (one object per line), text\n"
"                                 ({\"value\": line}); default: from the\n"
"                                 file's extension\n"
"      --header BOOL              CSV: first record names the columns\n"
"                                 (default true; false: _c0, _c1, ...)\n"
"  -d, --delimiter CHAR           CSV field delimiter (default ','; \\t for tab)\n"
"      --quote CHAR               CSV quote character (default '\"')\n"
"      --escape CHAR              CSV escape of a quote inside quotes\n"
"                                 (default '\"', i.e. doubled quotes)\n"
"      --null-value STR           CSV text read as null (besides an empty\n"
"                                 unquoted field)\n"
"  -m, --metadata                 add _metadata (file_path, file_name,\n"
"                                 file_size, file_modification_time, row)\n"
"      --mode MODE                malformed records: permissive (default:\n"
"                                 keep, raw text in _corrupt_record),\n"
"                                 dropmalformed, failfast (exit 65)\n"
"      --column-name-of-corrupt-record NAME\n"
"                                 default _corrupt_record\n"
"  -q, --quiet                    no counts on standard error\n"
"  -h, --help                     show this help\n"
"      --version                  show the version\n");
	exit(code);
}

static unsigned char char_arg(const char *name, const char *v)
{
	if (!strcmp(v, "\\t") || !strcmp(v, "tab"))
		return '\t';
	if (strlen(v) != 1 || v[0] == '\n' || v[0] == '\r')
		die(EX_USAGE, "invalid value '%s' for %s: expected one character", v, name);
	return (unsigned char)v[0];
}

static void parse_options(int argc, char **argv)
{
	enum { O_HEADER = 256, O_QUOTE, O_ESCAPE, O_NULL, O_MODE, O_CORRUPT,
	       O_VERSION };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "header", required_argument, NULL, O_HEADER },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "quote", required_argument, NULL, O_QUOTE },
		{ "escape", required_argument, NULL, O_ESCAPE },
		{ "null-value", required_argument, NULL, O_NULL },
		{ "metadata", no_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, O_MODE },
		{ "column-name-of-corrupt-record", required_argument, NULL, O_CORRUPT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "f:d:mqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "csv"))
				opt.format = FORMAT_CSV;
			else if (!strcmp(optarg, "json"))
				opt.format = FORMAT_JSON;
			else if (!strcmp(optarg, "text"))
				opt.format = FORMAT_TEXT;
			else
				die(EX_USAGE, "invalid value '%s' for --format: expected "
				    "csv, json or text", optarg);
			break;
		case O_HEADER: opt.header = parse_bool_arg("--header", optarg); break;
		case 'd': opt.delimiter = char_arg("--delimiter", optarg); break;
		case O_QUOTE: opt.quote = char_arg("--quote", optarg); break;
		case O_ESCAPE: opt.escape = char_arg("--escape", optarg); break;
		case O_NULL: opt.null_value = optarg; break;
		case 'm': opt.metadata = true; break;
		case O_MODE:
			if (!strcasecmp(optarg, "permissive"))
				opt.mode = MODE_PERMISSIVE;
			else if (!strcasecmp(optarg, "dropmalformed"))
				opt.mode = MODE_DROPMALFORMED;
			else if (!strcasecmp(optarg, "failfast"))
				opt.mode = MODE_FAILFAST;
			else
				die(EX_USAGE, "invalid value '%s' for --mode: expected "
				    "permissive, dropmalformed or failfast", optarg);
			break;
		case O_CORRUPT:
			if (!*optarg)
				die(EX_USAGE, "--column-name-of-corrupt-record must not be empty");
			opt.corrupt_column = optarg;
			break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		case O_VERSION: print_version();
		default: usage(EX_USAGE);
		}
	}
	if (opt.delimiter == opt.quote)
		die(EX_USAGE, "--delimiter and --quote must differ");
}

/* ---- the file being parsed ---- */

struct source {
	const char *path;
	long long batch;	/* -1 outside batches */
	struct buf meta;	/* ,"_metadata":{...,"row": */
	long long row;		/* rows emitted from this file */
	enum format format;
};

static enum format format_of(const char *path)
{
	const char *base = strrchr(path, '/');
	char name[256];

	snprintf(name, sizeof(name), "%s", base ? base + 1 : path);
	for (;;) {
		char *dot = strrchr(name, '.');
		if (!dot)
			return FORMAT_AUTO;
		if (!strcmp(dot, ".gz") || !strcmp(dot, ".zst")) {
			*dot = '\0';
			continue;
		}
		if (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".tsv"))
			return FORMAT_CSV;
		if (!strcasecmp(dot, ".json") || !strcasecmp(dot, ".jsonl") ||
		    !strcasecmp(dot, ".ndjson"))
			return FORMAT_JSON;
		if (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".log"))
			return FORMAT_TEXT;
		return FORMAT_AUTO;
	}
}

static void build_metadata(struct source *src, long long size, const char *mtime)
{
	const char *base = strrchr(src->path, '/');

	buf_reset(&src->meta);
	buf_adds(&src->meta, ",\"_metadata\":{\"file_path\":");
	json_string_encode(&src->meta, src->path, strlen(src->path));
	buf_adds(&src->meta, ",\"file_name\":");
	base = base ? base + 1 : src->path;
	json_string_encode(&src->meta, base, strlen(base));
	buf_printf(&src->meta, ",\"file_size\":%lld,\"file_modification_time\":\"%s\",\"row\":",
		   size, mtime);
}

/*
 * Finish ROW (an object still open: "{..." without the closing brace, or
 * just "{"), adding _metadata, and write it.
 */
static void emit_row(struct source *src, struct buf *row)
{
	if (opt.metadata) {
		size_t at = row->len;
		buf_add(row, src->meta.data, src->meta.len);
		if (row->data[at - 1] == '{')	/* no members before it */
			memmove(row->data + at, row->data + at + 1, row->len - at - 1), row->len--;
		buf_printf(row, "%lld}", src->row);
	}
	buf_addc(row, '}');
	stream_write(stdout, row->data, row->len);
	src->row++;
	count.rows++;
}

/* Append S as a JSON string, replacing invalid UTF-8 by U+FFFD. */
static void encode_lossy(struct buf *out, const char *s, size_t n)
{
	if (utf8_valid(s, n)) {
		json_string_encode(out, s, n);
		return;
	}
	struct buf clean = BUF_INIT;
	for (size_t i = 0; i < n; ) {
		size_t j = i + 1;
		while (j <= n && j - i <= 4 && !utf8_valid(s + i, j - i))
			j++;
		if (j <= n && j - i <= 4) {
			buf_add(&clean, s + i, j - i);
			i = j;
		} else {
			buf_adds(&clean, "\xef\xbf\xbd");
			i++;
		}
	}
	json_string_encode(out, clean.data, clean.len);
	buf_free(&clean);
}

/*
 * A record that does not parse.  failfast ends the run (the batch is then
 * never committed); dropmalformed counts it; permissive lets the caller
 * emit it with _corrupt_record.  Returns true when the caller should emit.
 */
static bool malformed(struct source *src, unsigned long line, const char *reason)
{
	count.malformed++;
	if (opt.mode == MODE_FAILFAST)
		die(EX_DATAERR, "'%s' line %lu: %s", src->path, line, reason);
	if (opt.mode == MODE_DROPMALFORMED) {
		count.dropped++;
		return false;
	}
	return true;
}

static void add_corrupt(struct buf *row, const char *raw, size_t n)
{
	if (row->data[row->len - 1] != '{')
		buf_addc(row, ',');
	json_string_encode(row, opt.corrupt_column, strlen(opt.corrupt_column));
	buf_addc(row, ':');
	encode_lossy(row, raw, n);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* ---- JSON lines and text ---- */

static int parse_lines(struct source *src, struct input *in)
{
	struct buf row = BUF_INIT;
	unsigned long lineno = 0;
	char *line;
	size_t len;
	const char *why = NULL;
	int r;

	while ((r = input_next_line(in, &line, &len, &why)) == 1) {
		lineno++;
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			line += 3, len -= 3;
		if (len && line[len - 1] == '\r')
			len--;
		buf_reset(&row);
		if (src->format == FORMAT_TEXT) {
			buf_adds(&row, "{\"value\":");
			encode_lossy(&row, line, len);
			emit_row(src, &row);
			continue;
		}
		if (blank(line, len))
			continue;
		struct json_error err;
		if (json_object_validate(line, len, &err) == 0) {
			/* Lossless: the validated text itself, byte for byte. */
			while (*line == ' ' || *line == '\t')
				line++, len--;
			while (line[len - 1] != '}')
				len--;
			if (!opt.metadata) {
				stream_write(stdout, line, len);
				src->row++;
				count.rows++;
				continue;
			}
			/* _metadata goes in before the closing brace. */
			size_t body = len - 1;
			while (line[body - 1] == ' ' || line[body - 1] == '\t')
				body--;
			buf_add(&row, line, body);
			emit_row(src, &row);
			continue;
		}
		char reason[128];
		snprintf(reason, sizeof(reason), "%s at byte %zu", err.msg, err.offset + 1);
		if (malformed(src, lineno, reason)) {
			buf_addc(&row, '{');
			add_corrupt(&row, line, len);
			emit_row(src, &row);
		}
	}
	buf_free(&row);
	if (r < 0)
		return error("cannot read '%s': %s", src->path, why);
	return 0;
}

/* ---- CSV through libcsv ---- */

struct csv_state {
	struct source *src;
	struct csv_parser parser;
	struct buf fields;	/* this record's field bytes, back to back */
	size_t *off, *len;
	bool *null;
	size_t nfields, cap;
	bool bad_utf8;
	struct buf raw;		/* this record's lines, for _corrupt_record */
	unsigned long start_line;
	struct buf *keys;	/* encoded column names, with ':' */
	size_t ncols;
	bool have_columns;
	struct buf row;
	struct buf feed;	/* a line with --escape rewritten */
	enum { AT_FIELD, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } scan;
	const char *scan_error;	/* this record's quoting problem, if any */
};

static void csv_field_cb(void *data, size_t n, void *ctx)
{
	struct csv_state *s = ctx;

	if (s->nfields == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->off = xrealloc(s->off, s->cap * sizeof(*s->off));
		s->len = xrealloc(s->len, s->cap * sizeof(*s->len));
		s->null = xrealloc(s->null, s->cap * sizeof(*s->null));
	}
	s->off[s->nfields] = s->fields.len;
	s->len[s->nfields] = data ? n : 0;
	s->null[s->nfields] = data == NULL ||
		(opt.null_value && n == strlen(opt.null_value) &&
		 !memcmp(data, opt.null_value, n));
	if (data) {
		buf_add(&s->fields, data, n);
		if (!s->bad_utf8 && !utf8_valid(data, n))
			s->bad_utf8 = true;
	}
	s->nfields++;
}

static void csv_take_header(struct csv_state *s, bool from_data)
{
	s->ncols = s->nfields;
	s->keys = xmalloc((s->ncols ? s->ncols : 1) * sizeof(*s->keys));
	for (size_t i = 0; i < s->ncols; i++) {
		struct buf name = BUF_INIT;
		const char *f = s->fields.data + s->off[i];
		if (from_data || s->len[i] == 0 || s->bad_utf8)
			buf_printf(&name, "_c%zu", i);
		else
			buf_add(&name, f, s->len[i]);
		/* Spark: a repeated header name gets its position appended. */
		for (size_t j = 0; j < i && !from_data; j++) {
			if (s->len[j] == s->len[i] && s->len[i] &&
			    !memcmp(s->fields.data + s->off[j], f, s->len[i])) {
				buf_printf(&name, "%zu", i);
				break;
			}
		}
		memset(&s->keys[i], 0, sizeof(s->keys[i]));
		json_string_encode(&s->keys[i], name.data, name.len);
		buf_addc(&s->keys[i], ':');
		buf_free(&name);
	}
	s->have_columns = true;
}

static void csv_record_cb(int c, void *ctx)
{
	struct csv_state *s = ctx;
	const char *reason = NULL;
	char why[96];

	if (!s->have_columns) {
		csv_take_header(s, !opt.header);
		if (opt.header)
			goto done;
	}
	if (s->scan_error) {
		reason = s->scan_error;
	} else if (s->bad_utf8) {
		reason = "invalid UTF-8";
	} else if (s->nfields != s->ncols) {
		snprintf(why, sizeof(why), "expected %zu fields, found %zu",
			 s->ncols, s->nfields);
		reason = why;
	}
	if (reason && !malformed(s->src, s->start_line, reason))
		goto done;
	buf_reset(&s->row);
	buf_addc(&s->row, '{');
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&s->row, ',');
		buf_add(&s->row, s->keys[i].data, s->keys[i].len);
		if (i >= s->nfields || s->null[i])
			buf_add(&s->row, "null", 4);
		else if (s->bad_utf8)
			encode_lossy(&s->row, s->fields.data + s->off[i], s->len[i]);
		else
			json_string_encode(&s->row, s->fields.data + s->off[i], s->len[i]);
	}
	if (reason) {
		size_t n = s->raw.len;
		while (n && (s->raw.data[n - 1] == '\n' || s->raw.data[n - 1] == '\r'))
			n--;
		add_corrupt(&s->row, s->raw.data, n);
	}
	emit_row(s->src, &s->row);
done:
	(void)c;
	buf_reset(&s->fields);
	buf_reset(&s->raw);
	s->nfields = 0;
	s->bad_utf8 = false;
	s->scan_error = NULL;
}

static int csv_is_space(unsigned char c)
{
	return c == '\r';	/* strip the CR of CRLF; keep all other blanks */
}

static int csv_is_term(unsigned char c)
{
	return c == '\n';
}

/*
 * libcsv, lenient, parses; this scan beside it follows the quoting to
 * catch what lenient libcsv would accept silently: text after a closing
 * quote, and a quote still open at the end of the file.  It also rewrites
 * ESC QUOTE inside quotes to QUOTE QUOTE when --escape differs from the
 * quote, since libcsv knows only doubled quotes.  A quote inside an
 * unquoted field is data, as Spark reads it.
 */
static const char *csv_scan(struct csv_state *s, const char *p, size_t n,
			    size_t *out_n)
{
	bool rewrite = opt.escape != opt.quote;

	if (rewrite)
		buf_reset(&s->feed);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		switch (s->scan) {
		case AT_FIELD:
			if (c == opt.quote)
				s->scan = QUOTED;
			else if (c != opt.delimiter && c != '\n')
				s->scan = UNQUOTED;
			break;
		case UNQUOTED:
			if (c == opt.delimiter || c == '\n')
				s->scan = AT_FIELD;
			break;
		case QUOTED:
			if (rewrite && c == opt.escape && i + 1 < n &&
			    ((unsigned char)p[i + 1] == opt.quote ||
			     (unsigned char)p[i + 1] == opt.escape)) {
				/* ESC QUOTE -> QUOTE QUOTE; ESC ESC -> ESC */
				if ((unsigned char)p[++i] == opt.quote)
					buf_addc(&s->feed, (char)opt.quote);
				c = (unsigned char)p[i];
			} else if (c == opt.quote) {
				s->scan = QUOTE_IN_QUOTED;
			}
			break;
		case QUOTE_IN_QUOTED:
			if (c == opt.quote)
				s->scan = QUOTED;
			else if (c == opt.delimiter || c == '\n')
				s->scan = AT_FIELD;
			else if (c != '\r' && !s->scan_error)
				s->scan_error = "text after a closing quote";
			break;
		}
		if (rewrite)
			buf_addc(&s->feed, (char)c);
	}
	if (!rewrite) {
		*out_n = n;
		return p;
	}
	*out_n = s->feed.len;
	return s->feed.data;
}

static int parse_csv(struct source *src, struct input *in)
{
	struct csv_state s;
	unsigned long lineno = 0;
	char *line;
	size_t len;
	const char *why = NULL;
	int r, rc = 0;

	memset(&s, 0, sizeof(s));
	s.src = src;
	if (csv_init(&s.parser, CSV_EMPTY_IS_NULL) != 0)
		die(EX_SOFTWARE, "cannot initialise the CSV parser");
	csv_set_delim(&s.parser, opt.delimiter);
	csv_set_quote(&s.parser, opt.quote);
	csv_set_space_func(&s.parser, csv_is_space);
	csv_set_term_func(&s.parser, csv_is_term);

	while ((r = input_next_line(in, &line, &len, &why)) == 1) {
		lineno++;
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			line += 3, len -= 3;
		if (s.raw.len == 0 && blank(line, len))
			continue;	/* libcsv skips blank lines: keep line numbers right */
		if (s.raw.len == 0)
			s.start_line = lineno;
		size_t at = s.raw.len;
		buf_add(&s.raw, line, len);
		buf_addc(&s.raw, '\n');
		size_t n;
		const char *feed = csv_scan(&s, s.raw.data + at, len + 1, &n);
		if (csv_parse(&s.parser, feed, n, csv_field_cb, csv_record_cb, &s) != n)
			die(EX_OSERR, "cannot parse '%s' line %lu: %s", src->path, lineno,
			    csv_strerror(csv_error(&s.parser)));
		/*
		 * Text after a closing quote makes lenient libcsv read on as if
		 * the quote were still open; the record ends here all the same.
		 */
		if (s.scan_error && s.raw.len && s.scan == AT_FIELD) {
			if (malformed(src, s.start_line, s.scan_error)) {
				buf_reset(&s.row);
				buf_addc(&s.row, '{');
				add_corrupt(&s.row, s.raw.data, s.raw.len - 1 -
					    (s.raw.len > 1 && s.raw.data[s.raw.len - 2] == '\r'));
				emit_row(src, &s.row);
			}
			csv_fini(&s.parser, NULL, NULL, NULL);
			buf_reset(&s.fields);
			buf_reset(&s.raw);
			s.nfields = 0;
			s.bad_utf8 = false;
			s.scan_error = NULL;
		}
	}
	if (r < 0) {
		rc = error("cannot read '%s': %s", src->path, why);
	} else {
		if (s.scan == QUOTED)
			s.scan_error = "unterminated quoted field";
		csv_fini(&s.parser, csv_field_cb, csv_record_cb, &s);
	}
	csv_free(&s.parser);
	for (size_t i = 0; i < s.ncols; i++)
		buf_free(&s.keys[i]);
	free(s.keys);
	free(s.off);
	free(s.len);
	free(s.null);
	buf_free(&s.fields);
	buf_free(&s.raw);
	buf_free(&s.row);
	buf_free(&s.feed);
	return rc;
}

/* ---- files ---- */

/* Tell downstream that a file could not be read (commit counts it). */
static void emit_skip(const struct source *src, const char *reason)
{
	struct buf rec = BUF_INIT;

	count.unreadable++;
	warning("skipping '%s': %s", src->path, reason);
	buf_adds(&rec, "{\"_inlet\":\"skip\"");
	if (src->batch >= 0)
		buf_printf(&rec, ",\"batch\":%lld", src->batch);
	buf_adds(&rec, ",\"path\":");
	json_string_encode(&rec, src->path, strlen(src->path));
	buf_adds(&rec, ",\"reason\":");
	json_string_encode(&rec, reason, strlen(reason));
	buf_addc(&rec, '}');
	stream_write(stdout, rec.data, rec.len);
	buf_free(&rec);
}

static void parse_file(struct source *src, long long size, const char *mtime)
{
	struct input *in;
	struct stat st;
	char when[32];

	src->row = 0;
	src->format = opt.format ? opt.format : format_of(src->path);
	if (src->format == FORMAT_AUTO)
		die(EX_USAGE, "cannot tell the format of '%s' from its name; give --format",
		    src->path);
	in = input_open(src->path);
	if (!in) {
		if (opt.mode == MODE_FAILFAST)
			die_errno(EX_NOINPUT, "cannot open '%s'", src->path);
		emit_skip(src, strerror(errno));
		return;
	}
	if (opt.metadata) {
		if ((size < 0 || !mtime) && strcmp(src->path, "-") &&
		    stat(src->path, &st) == 0) {
			size = (long long)st.st_size;
			iso8601_utc(when, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
			mtime = when;
		}
		build_metadata(src, size < 0 ? 0 : size, mtime ? mtime : "");
	}
	count.files++;
	int rc = src->format == FORMAT_CSV ? parse_csv(src, in) : parse_lines(src, in);
	input_close(in);
	if (rc < 0 && opt.mode == MODE_FAILFAST)
		exit(EX_IOERR);
	if (rc < 0)
		emit_skip(src, "read error");
}

/* Files named by control records on standard input. */
static void parse_stream(struct source *src)
{
	struct stream_reader r;
	struct record rec;
	struct buf path = BUF_INIT, mtime = BUF_INIT;

	stream_reader_init(&r, stdin, "standard input");
	while (stream_next_record(&r, &rec)) {
		stream_write(stdout, rec.text, rec.len);
		if (rec.kind != RECORD_CONTROL)
			continue;
		if (!strcmp(rec.event, "file")) {
			buf_reset(&path);
			buf_reset(&mtime);
			if (!record_get_string(&rec, "path", &path))
				die(EX_DATAERR, "'standard input' line %lu: file record "
				    "without a path", r.lineno);
			record_get_string(&rec, "mtime", &mtime);
			src->path = path.data;
			src->batch = rec.batch;
			parse_file(src, record_get_int(&rec, "size", -1),
				   mtime.len ? mtime.data : NULL);
		} else if (!strcmp(rec.event, "end")) {
			stream_flush(stdout);
		}
	}
	stream_reader_free(&r);
	buf_free(&path);
	buf_free(&mtime);
}

/* Files given as arguments: each gets its own "file" record. */
static void parse_args(struct source *src, char **paths, int n)
{
	struct buf rec = BUF_INIT;

	for (int i = 0; i < n; i++) {
		char *abs = strcmp(paths[i], "-") ? realpath(paths[i], NULL) : NULL;
		struct stat st;
		src->path = abs ? abs : paths[i];
		src->batch = -1;
		if (abs && stat(abs, &st) == 0) {
			char when[32];
			iso8601_utc(when, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
			buf_reset(&rec);
			buf_adds(&rec, "{\"_inlet\":\"file\",\"path\":");
			json_string_encode(&rec, abs, strlen(abs));
			buf_printf(&rec, ",\"size\":%lld,\"mtime\":\"%s\"}",
				   (long long)st.st_size, when);
			stream_write(stdout, rec.data, rec.len);
			parse_file(src, (long long)st.st_size, when);
		} else {
			parse_file(src, -1, NULL);
		}
		free(abs);
	}
	buf_free(&rec);
}

int main(int argc, char **argv)
{
	struct source src;

	parse_options(argc, argv);
	stream_setup_stdout();
	stream_defer_stop_signals();
	memset(&src, 0, sizeof(src));
	if (optind < argc)
		parse_args(&src, argv + optind, argc - optind);
	else
		parse_stream(&src);
	buf_free(&src.meta);
	if (!opt.quiet && (count.malformed || count.unreadable))
		fprintf(stderr, "inlet-parse: %lld rows from %lld files; %lld malformed "
			"records (%lld dropped); %lld unreadable files\n", count.rows,
			count.files, count.malformed, count.dropped, count.unreadable);
	close_stdout();
	return 0;
}
