/*
 * inlet-parse: turn the files named by "file" control records (or given
 * as arguments) into one JSON row per record.
 *
 * JSON lines pass through byte for byte once validated, so numbers keep
 * their exact text.  CSV values stay strings; an empty unquoted field is
 * null and a quoted "" is the empty string, as Spark reads them.  A record
 * that cannot be read is handled as --mode says, or goes to the
 * --bad-records-path folder; it never stops the batch silently.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "badrec.h"
#include "buf.h"
#include "datetime.h"
#include "cli.h"
#include "die.h"
#include "fault.h"
#include "identity.h"
#include "input.h"
#include "json.h"
#include "options.h"
#include "parse.h"
#include "rowwriter.h"
#include "batch.h"
#include "stream.h"

struct options opt = {
	.header = true,
	.max_columns = 20480,	/* Spark's maxColumns */
	.max_chars = -1,	/* Spark's maxCharsPerColumn: no limit */
	.quote = '"',
	.escape = '\\',	/* Spark's default: "Bo \"Jr\"" as its writer writes it */
	.max_record = 64 << 20,
	.corrupt_column = "_corrupt_record",
	/* Spark's JSON defaults: allowSingleQuotes, allowNonNumericNumbers. */
	.json = { .single_quotes = true, .non_numeric = true },
};

static struct counters {
	long long files, rows, malformed, dropped, unreadable;
	long long missing;	/* FILE arguments not read: exit 66 */
} count;

/* Where --bad-records-path entries go. */
static struct badrec bad;

/* The options: getopt, --help and --complete (options.h). */
enum { O_HEADER = 256, O_QUOTE, O_ESCAPE, O_NULL, O_MODE, O_CORRUPT,
       O_MULTILINE, O_COMMENT, O_SKIP_ROWS, O_TRIM_LEADING, O_TRIM_TRAILING,
       O_ENCODING, O_LINE_SEP, O_MAX_RECORD, O_BAD_RECORDS, O_RECORD_SOURCE, O_ROWS_ONLY, O_PARTITIONS, O_IGNORE_CORRUPT,
       O_IGNORE_MISSING, O_JSON_QUOTES, O_JSON_NAN, O_JSON_COMMENTS,
       O_JSON_NAMES, O_JSON_ZEROS, O_JSON_ESCAPE, O_JSON_CONTROL,
       O_EMPTY_VALUE, O_MAX_COLUMNS, O_MAX_CHARS, O_UNESCAPED_QUOTE, O_WHOLE_TEXT };
static const struct optdef optdefs[] = {
	{ 'f', "format", OPT_REQUIRED, "FMT", "csv tsv json text",
	  "csv, tsv (tab-delimited CSV), json (one\n"
	  "object per line), text ({\"value\": line});\n"
	  "default: from each file's extension" },
	{ O_MULTILINE, "multiline", OPT_NONE, NULL, NULL,
	  "JSON: each file is one object or an array\n"
	  "of objects" },
	{ O_JSON_QUOTES, "allow-single-quotes", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: 'text' as well as \"text\" (default true)" },
	{ O_JSON_NAN, "allow-non-numeric-numbers", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: NaN, Infinity, -Infinity, +INF, -INF,\n"
	  "written as strings (default true)" },
	{ O_JSON_COMMENTS, "allow-comments", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: /* */ and // comments (default false)" },
	{ O_JSON_NAMES, "allow-unquoted-field-names", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: {a:1} (default false)" },
	{ O_JSON_ZEROS, "allow-numeric-leading-zeros", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: 007, written 7 (default false)" },
	{ O_JSON_ESCAPE, "allow-backslash-escaping-any-character", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: \\' is ' (default false)" },
	{ O_JSON_CONTROL, "allow-unquoted-control-chars", OPT_REQUIRED, "BOOL", "true false",
	  "JSON: raw tabs and newlines in strings\n"
	  "(default false)" },
	{ O_WHOLE_TEXT, "whole-text", OPT_NONE, NULL, NULL,
	  "text: each file is one row ({\"value\":\n"
	  "the whole file})" },
	{ O_HEADER, "header", OPT_REQUIRED, "BOOL", "true false",
	  "CSV: first record names the columns\n"
	  "(default true; false: _c0, _c1, ...)" },
	{ 'd', "delimiter", OPT_REQUIRED, "STR", NULL,
	  "CSV field delimiter, one or more characters\n"
	  "(default ',', or a tab for tsv; \\t for tab)" },
	{ O_QUOTE, "quote", OPT_REQUIRED, "CHAR", NULL,
	  "CSV quote character (default '\"')" },
	{ O_ESCAPE, "escape", OPT_REQUIRED, "CHAR", NULL,
	  "CSV escape of a quote inside quotes\n"
	  "(default '\\'; '' or none: only doubled\n"
	  "quotes)" },
	{ O_NULL, "null-value", OPT_REQUIRED, "STR", NULL,
	  "CSV text read as null (besides an empty\n"
	  "unquoted field)" },
	{ O_EMPTY_VALUE, "empty-value", OPT_REQUIRED, "STR", NULL,
	  "CSV: text a quoted empty value (\"\")\n"
	  "reads as (default: the empty string)" },
	{ O_MAX_COLUMNS, "max-columns", OPT_REQUIRED, "N", NULL,
	  "CSV: a record with more fields is\n"
	  "malformed (default 20480)" },
	{ O_MAX_CHARS, "max-chars-per-column", OPT_REQUIRED, "N", NULL,
	  "CSV: a longer value is malformed\n"
	  "(characters; default -1, no limit)" },
	{ O_UNESCAPED_QUOTE, "unescaped-quote-handling", OPT_REQUIRED, "HOW", "raise_error",
	  "CSV: raise_error makes any quote not\n"
	  "escaped a malformed record" },
	{ O_COMMENT, "comment", OPT_REQUIRED, "CHAR", NULL,
	  "CSV: skip lines starting with CHAR" },
	{ O_SKIP_ROWS, "skip-rows", OPT_REQUIRED, "N", NULL,
	  "CSV: skip the first N lines of each file" },
	{ O_TRIM_LEADING, "ignore-leading-white-space", OPT_NONE, NULL, NULL,
	  "CSV: trim blanks before values" },
	{ O_TRIM_TRAILING, "ignore-trailing-white-space", OPT_NONE, NULL, NULL,
	  "CSV: trim blanks after values" },
	{ O_ENCODING, "encoding", OPT_REQUIRED, "NAME", "utf-8 latin1 cp1252 utf-16 utf-16le utf-16be utf-32",
	  "the files' character set, converted to\n"
	  "UTF-8 (iconv's names: latin1, cp1252,\n"
	  "utf-16, ...; default UTF-8)" },
	{ O_LINE_SEP, "line-sep", OPT_REQUIRED, "STR", NULL,
	  "lines end at STR (1 to 8 bytes; \\r, \\n\n"
	  "and \\t as escapes; default \\n, or \\r in\n"
	  "a file without \\n)" },
	{ 'm', "metadata", OPT_NONE, NULL, NULL,
	  "add _metadata (file_path, file_name,\n"
	  "file_size, file_modification_time,\n"
	  "file_block_start, file_block_length, row)" },
	{ O_RECORD_SOURCE, "record-source", OPT_NONE, NULL, NULL,
	  "add _inlet_source (the record's line in\n"
	  "its file and its exact text) for\n"
	  "inlet-cast's messages and bad records" },
	{ O_MODE, "mode", OPT_REQUIRED, "MODE", "permissive dropmalformed failfast",
	  "malformed records: permissive (default:\n"
	  "keep, raw text in _corrupt_record),\n"
	  "dropmalformed, failfast (exit 65)" },
	{ O_CORRUPT, "column-name-of-corrupt-record", OPT_REQUIRED, "NAME", NULL,
	  "default _corrupt_record" },
	{ O_MAX_RECORD, "max-record-bytes", OPT_REQUIRED, "SIZE", NULL,
	  "longer records are malformed (default 64m)" },
	{ O_BAD_RECORDS, "bad-records-path", OPT_REQUIRED, "DIR", OPT_DIR,
	  "write malformed records and unreadable\n"
	  "files under DIR instead of the stream" },
	{ O_PARTITIONS, "partition-columns", OPT_REQUIRED, "LIST", NULL,
	  "the key=value folders below a listed file's\n"
	  "source that become columns (a comma list;\n"
	  "'': none; default: every one)" },
	{ O_IGNORE_CORRUPT, "ignore-corrupt-files", OPT_NONE, NULL, NULL,
	  "a listed file that cannot be read whole is\n"
	  "skipped and counted (default: exit 65,\n"
	  "failing the batch)" },
	{ O_IGNORE_MISSING, "ignore-missing-files", OPT_NONE, NULL, NULL,
	  "a listed file gone before it is read is\n"
	  "skipped and counted (default: exit 66,\n"
	  "failing the batch)" },
	OPT_ROWS_ONLY(O_ROWS_ONLY),
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "no counts on standard error" },
	OPT_END
};
static struct optset optset = { optdefs, 33, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-parse [options] [FILE...]\n"
"\n"
"Read the files named by inlet \"file\" records on standard input (or the\n"
"FILEs given, '-' for standard input) and write one JSON row per record.\n"
"gzip and zstd files are decompressed by content.  A listed file is read\n"
"only while it is the file listed (device, inode, size, mtime); a changed\n"
"one is skipped with \"retry\", for a later batch.  Symbolic links not\n"
"followed by the listing, FIFOs and devices are skipped, never read.\n"
"\n");
}

/* The CSV delimiter of a file in format F (FORMAT_CSV or FORMAT_TSV). */
static unsigned char delimiter_of(enum format f)
{
	if (opt.delimiter)
		return opt.delimiter;
	return f == FORMAT_TSV ? '\t' : ',';
}

/*
 * The delimiter D, of the file PATH (NULL: of every file), must differ from
 * the quote and the comment characters.
 */
static void check_delimiter(unsigned char d, const char *path)
{
	const char *which = d == opt.quote ? "--quote" :
			    opt.comment && d == opt.comment ? "--comment" : NULL;

	if (!which)
		return;
	if (opt.delimiter)
		die(EX_USAGE, "--delimiter and %s must differ", which);
	if (path)
		die(EX_USAGE, "%s is the delimiter of '%s' (%s); give --delimiter", which,
		    path, d == '\t' ? "a tab, as for tsv" : "',', as for csv");
	die(EX_USAGE, "%s is the delimiter of --format %s; give --delimiter", which,
	    d == '\t' ? "tsv" : "csv");
}

static unsigned char char_arg(const char *name, const char *v);

/*
 * --delimiter: one character, ASCII or not (Spark's sep takes "\u00fe"
 * as well as ","), or several (Spark 3's sep takes "||"); all but one
 * ASCII character are kept in opt.wide_delimiter.
 */
static unsigned char delimiter_arg(const char *v)
{
	size_t n = strlen(v);
	unsigned char c = (unsigned char)v[0];

	if (n < 2 || (c < 0x80 && (!strcmp(v, "\\t") || !strcmp(v, "tab"))))
		return char_arg("--delimiter", v);
	if (n > WIDE_DELIMITER_MAX || !utf8_valid(v, n) || strpbrk(v, "\r\n"))
		die(EX_USAGE, "invalid value '%s' for --delimiter: expected 1 to %d bytes "
		    "of UTF-8 text on one line", v, WIDE_DELIMITER_MAX);
	memcpy(opt.wide_delimiter, v, n);
	opt.wide_delimiter[n] = '\0';
	opt.wide_delimiter_len = n;
	return WIDE_DELIMITER;
}

static unsigned char char_arg(const char *name, const char *v)
{
	if (!strcmp(v, "\\t") || !strcmp(v, "tab"))
		return '\t';
	if (strlen(v) != 1 || v[0] == '\n' || v[0] == '\r')
		die(EX_USAGE, "invalid value '%s' for %s: expected one character", v, name);
	return (unsigned char)v[0];
}

/*
 * --unescaped-quote-handling: Spark's five ways with a quote that is not
 * escaped.  libcsv reads a quote inside an unquoted field as text and
 * cannot go back over a value, so only raise_error (the record is
 * malformed) is offered beside inlet's default.
 */
static void unescaped_quote_arg(const char *v)
{
	static const char *const refused[] = {
		"stop_at_closing_quote", "back_to_delimiter", "stop_at_delimiter",
		"skip_value",
	};

	if (!strcasecmp(v, "raise_error")) {
		opt.quote_raise = true;
		return;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (!strcasecmp(v, refused[i]))
			die(EX_USAGE, "--unescaped-quote-handling %s is not supported: inlet's "
			    "CSV reader (libcsv) reads a quote inside an unquoted value as "
			    "text and text after a closing quote as a malformed record, and "
			    "cannot go back over a value; raise_error is supported", v);
	die(EX_USAGE, "invalid value '%s' for --unescaped-quote-handling: expected "
	    "raise_error (stop_at_closing_quote, back_to_delimiter, stop_at_delimiter "
	    "and skip_value are not supported)", v);
}

/* --line-sep STR: the bytes of STR, with \r, \n, \t and \\ read as escapes. */
static void line_sep_arg(const char *v)
{
	size_t n = 0;

	for (const char *p = v; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			p++;
			c = *p == 'r' ? '\r' : *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		}
		if (n == INPUT_SEP_MAX)
			die(EX_USAGE, "invalid value '%s' for --line-sep: longer than %d bytes",
			    v, INPUT_SEP_MAX);
		opt.line_sep[n++] = c;
	}
	if (!n)
		die(EX_USAGE, "--line-sep must not be empty");
	opt.line_sep_len = n;
}

static void parse_options(int argc, char **argv)
{
	long long max;
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "csv"))
				opt.format = FORMAT_CSV;
			else if (!strcmp(optarg, "tsv"))
				opt.format = FORMAT_TSV;
			else if (!strcmp(optarg, "json"))
				opt.format = FORMAT_JSON;
			else if (!strcmp(optarg, "text"))
				opt.format = FORMAT_TEXT;
			else
				die(EX_USAGE, "invalid value '%s' for --format: expected "
				    "csv, tsv, json or text", optarg);
			break;
		case O_MULTILINE: opt.multiline = true; break;
		case O_JSON_QUOTES:
			opt.json.single_quotes = parse_bool_arg("--allow-single-quotes", optarg);
			break;
		case O_JSON_NAN:
			opt.json.non_numeric = parse_bool_arg("--allow-non-numeric-numbers", optarg);
			break;
		case O_JSON_COMMENTS:
			opt.json.comments = parse_bool_arg("--allow-comments", optarg);
			break;
		case O_JSON_NAMES:
			opt.json.unquoted_names = parse_bool_arg("--allow-unquoted-field-names", optarg);
			break;
		case O_JSON_ZEROS:
			opt.json.leading_zeros = parse_bool_arg("--allow-numeric-leading-zeros", optarg);
			break;
		case O_JSON_ESCAPE:
			opt.json.escape_any =
				parse_bool_arg("--allow-backslash-escaping-any-character", optarg);
			break;
		case O_JSON_CONTROL:
			opt.json.control_chars = parse_bool_arg("--allow-unquoted-control-chars", optarg);
			break;
		case O_HEADER: opt.header = parse_bool_arg("--header", optarg); break;
		case 'd': opt.delimiter = delimiter_arg(optarg); break;
		case O_QUOTE: opt.quote = char_arg("--quote", optarg); break;
		case O_ESCAPE:
			/* No escape: only a doubled quote stands for a quote. */
			opt.escape = !*optarg || !strcmp(optarg, "none") ? 0 :
				     char_arg("--escape", optarg);
			break;
		case O_NULL: opt.null_value = optarg; break;
		case O_EMPTY_VALUE: opt.empty_value = optarg; break;
		case O_MAX_COLUMNS:
			max = parse_count_arg("--max-columns", optarg);
			if (max < 1)
				die(EX_USAGE, "invalid value '%s' for --max-columns: expected "
				    "at least 1", optarg);
			opt.max_columns = (size_t)max;
			break;
		case O_MAX_CHARS:
			/* Spark's -1: no limit. */
			opt.max_chars = !strcmp(optarg, "-1") ? -1 :
					parse_count_arg("--max-chars-per-column", optarg);
			if (!opt.max_chars)
				die(EX_USAGE, "invalid value '%s' for --max-chars-per-column: "
				    "expected -1 or at least 1", optarg);
			break;
		case O_UNESCAPED_QUOTE: unescaped_quote_arg(optarg); break;
		case O_WHOLE_TEXT: opt.whole_text = true; break;
		case O_COMMENT: opt.comment = char_arg("--comment", optarg); break;
		case O_SKIP_ROWS: opt.skip_rows = parse_count_arg("--skip-rows", optarg); break;
		case O_TRIM_LEADING: opt.trim_leading = true; break;
		case O_TRIM_TRAILING: opt.trim_trailing = true; break;
		case O_ENCODING:
			if (!strcasecmp(optarg, "utf-8") || !strcasecmp(optarg, "utf8"))
				opt.encoding = NULL;
			else if (!*optarg || !input_charset_known(optarg))
				die(EX_USAGE, "unknown --encoding '%s': see iconv -l for "
				    "the names known", optarg);
			else
				opt.encoding = optarg;
			break;
		case O_LINE_SEP: line_sep_arg(optarg); break;
		case 'm': opt.metadata = true; break;
		case O_RECORD_SOURCE: opt.record_source = true; break;
		case O_MODE:
			opt.mode = parse_mode_arg("--mode", optarg);
			break;
		case O_CORRUPT:
			if (!*optarg)
				die(EX_USAGE, "--column-name-of-corrupt-record must not be empty");
			opt.corrupt_column = optarg;
			break;
		case O_MAX_RECORD:
			max = parse_size_arg("--max-record-bytes", optarg);
			if (max < 1 || max > (1LL << 40))
				die(EX_USAGE, "invalid value '%s' for --max-record-bytes: "
				    "expected 1 to 1t", optarg);
			opt.max_record = (size_t)max;
			break;
		case O_BAD_RECORDS:
			if (!*optarg)
				die(EX_USAGE, "--bad-records-path must not be empty");
			opt.bad_records = optarg;
			break;
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case O_PARTITIONS: partition_columns_parse(&opt.partitions, optarg); break;
		case O_IGNORE_CORRUPT: opt.ignore_corrupt = true; break;
		case O_IGNORE_MISSING: opt.ignore_missing = true; break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (!opt.escape)
		opt.escape = opt.quote;
	if (opt.wide_delimiter_len &&
	    (memchr(opt.wide_delimiter, opt.quote, opt.wide_delimiter_len) ||
	     memchr(opt.wide_delimiter, opt.escape, opt.wide_delimiter_len) ||
	     (opt.comment && (unsigned char)opt.wide_delimiter[0] == opt.comment)))
		die(EX_USAGE, "--delimiter '%s' must not hold the quote or escape character, "
		    "nor start with the comment one", opt.wide_delimiter);
	if (opt.empty_value)
		opt.empty_len = strlen(opt.empty_value);
	if (opt.comment && opt.comment == opt.quote)
		die(EX_USAGE, "--comment and --quote must differ");
	/* The delimiter is known now unless each file's name gives it. */
	if (opt.delimiter || opt.format == FORMAT_CSV || opt.format == FORMAT_TSV)
		check_delimiter(delimiter_of(opt.format), NULL);
	if (opt.bad_records && opt.mode == MODE_FAILFAST)
		die(EX_USAGE, "--bad-records-path and --mode failfast cannot be combined: "
		    "failfast stops at the first bad record");
	if (opt.null_value)
		opt.null_len = strlen(opt.null_value);
}

/* ---- the file being parsed ---- */

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
		if (!strcasecmp(dot, ".csv"))
			return FORMAT_CSV;
		if (!strcasecmp(dot, ".tsv"))
			return FORMAT_TSV;
		if (!strcasecmp(dot, ".json") || !strcasecmp(dot, ".jsonl") ||
		    !strcasecmp(dot, ".ndjson"))
			return FORMAT_JSON;
		if (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".log"))
			return FORMAT_TEXT;
		return FORMAT_AUTO;
	}
}

static void build_metadata(struct parsed_file *src, long long size, const char *mtime)
{
	const char *base = strrchr(src->path, '/');

	buf_reset(&src->meta);
	buf_adds(&src->meta, "{\"file_path\":");
	json_path_encode(&src->meta, src->path, strlen(src->path));
	buf_adds(&src->meta, ",\"file_name\":");
	base = base ? base + 1 : src->path;
	json_path_encode(&src->meta, base, strlen(base));
	/* Spark's block of a file read whole: all of it from 0. */
	buf_printf(&src->meta, ",\"file_size\":%lld,\"file_block_start\":0,"
		   "\"file_block_length\":%lld,\"file_modification_time\":\"%s\",\"row\":",
		   size, size, mtime);
}

void record_source(struct parsed_file *src, unsigned long line, const char *raw, size_t n)
{
	src->source_line = line;
	src->source_raw = raw;
	src->source_raw_len = n;
}

void emit_row(struct parsed_file *src, struct buf *row)
{
	struct rowwriter w;
	const char *text;
	size_t len;

	if (src->parts.n)
		partition_values_apply(&src->parts, row, &src->scratch);
	rowwriter_continue(&w, row);
	if (opt.metadata) {
		rowwriter_add_key_raw(&w, "_metadata", 9);
		buf_add(row, src->meta.data, src->meta.len);
		buf_printf(row, "%lld}", src->row);
	}
	if (opt.record_source && src->source_line) {
		rowwriter_add_key_raw(&w, "_inlet_source", 13);
		buf_printf(row, "{\"line\":%lu,\"text\":", src->source_line);
		encode_lossy(row, src->source_raw, src->source_raw_len);
		buf_addc(row, '}');
	}
	src->source_line = 0;
	text = rowwriter_finish(&w, &len);
	stream_write(stdout, text, len);
	src->row++;
	count.rows++;
}

void bad_record(struct parsed_file *src, unsigned long line, const char *reason,
		const char *raw, size_t n, struct buf *row)
{
	count.malformed++;
	if (opt.mode == MODE_FAILFAST)
		die(EX_DATAERR, "'%s' line %lu: %s", src->path, line, reason);
	if (opt.bad_records) {
		struct buf clean = BUF_INIT;
		buf_grow(&clean, n);
		utf8_repair(&clean, raw, n);
		badrec_record(&bad, src->path, clean.data, clean.len, reason);
		buf_free(&clean);
		return;
	}
	if (opt.mode == MODE_DROPMALFORMED) {
		count.dropped++;
		return;
	}
	record_source(src, line, raw, n);
	struct rowwriter w;
	rowwriter_continue(&w, row);
	rowwriter_add_key(&w, opt.corrupt_column, strlen(opt.corrupt_column));
	encode_lossy(row, raw, n);
	emit_row(src, row);
}

const char *invalid_text_reason(void)
{
	static char reason[128];

	if (!opt.encoding)
		return "invalid UTF-8";
	snprintf(reason, sizeof(reason), "invalid byte sequence for --encoding %.64s",
		 opt.encoding);
	return reason;
}

void too_long_reason(char *reason, size_t size)
{
	snprintf(reason, size, "record longer than %zu bytes (--max-record-bytes)",
		 opt.max_record);
}

/* Start ROW as an empty object, still open. */
static void open_row(struct buf *row)
{
	struct rowwriter w;

	rowwriter_begin_new(&w, row);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Write TEXT, a validated object with nothing but blanks around it, as it
 * is: byte for byte, so numbers keep their exact text.  ROW is scratch.
 */
#define RESERVED_KEY "reserved key \"_inlet\" (it would read as a control record)"
#define RESERVED_SOURCE_KEY "reserved key \"_inlet_source\" (inlet-cast would take it for the record's source)"

bool is_reserved_name(const char *name, size_t n)
{
	return (n == 6 && !memcmp(name, "_inlet", 6)) ||
	       (n == 13 && !memcmp(name, "_inlet_source", 13));
}

/* Does the object OBJ have a top-level reserved member?  ERR says where. */
static bool has_reserved_key(const char *obj, size_t len, struct json_error *err,
			     const char *start)
{
	const char *v;
	size_t n;

	if (json_object_get(obj, len, "_inlet", &v, &n) == 1)
		*err = (struct json_error){ RESERVED_KEY, (size_t)(obj - start) };
	else if (json_object_get(obj, len, "_inlet_source", &v, &n) == 1)
		*err = (struct json_error){ RESERVED_SOURCE_KEY, (size_t)(obj - start) };
	else
		return false;
	return true;
}

static void emit_object(struct parsed_file *src, const char *text, size_t len, struct buf *row)
{
	while (is_space(*text))
		text++, len--;
	while (text[len - 1] != '}')
		len--;
	if (!opt.metadata && !src->parts.n && !opt.record_source) {
		stream_write(stdout, text, len);
		src->row++;
		count.rows++;
		return;
	}
	/* _metadata and partition columns go in before the closing brace. */
	size_t body = len - 1;
	while (is_space(text[body - 1]))
		body--;
	buf_reset(row);
	buf_add(row, text, body);
	emit_row(src, row);
}

/* ---- JSON lines and text ---- */

/*
 * A line that failed the strict check: a row when Spark's leniencies
 * (--allow-single-quotes ...) make it an object, written as strict JSON
 * (OUT holds it).  False: the line stays malformed, for the strict reason.
 */
static bool lenient_row(struct parsed_file *src, const char *line, size_t len,
			struct buf *out, struct buf *row)
{
	struct json_error err;
	struct record rec;

	if (!json_lenient(out, line, len, &opt.json) || out->data[0] != '{')
		return false;
	if (record_classify(&rec, out->data, out->len, &err) < 0 || rec.kind != RECORD_ROW ||
	    rec.source >= 0)
		return false;
	emit_object(src, out->data, out->len, row);
	return true;
}

static int parse_lines(struct parsed_file *src, struct input *in, const char **why)
{
	struct buf row = BUF_INIT, lenient = BUF_INIT;
	unsigned long lineno = 0;
	bool more = false;
	char reason[128];
	char *line;
	size_t len;
	int r;

	for (;;) {
		bool line_starts = !more;
		r = input_next_line(in, opt.max_record, &line, &len, &more, why);
		if (r != 1)
			break;
		if (!line_starts)
			continue;	/* the rest of a line too long, reported */
		lineno++;
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			line += 3, len -= 3;
		if (more) {
			too_long_reason(reason, sizeof(reason));
			open_row(&row);
			bad_record(src, lineno, reason, line, len, &row);
			continue;
		}
		if (len && line[len - 1] == '\r')
			len--;
		if (opt.encoding && memchr(line, 0xff, len)) {
			/* Not in the charset --encoding names (see input_set_encoding). */
			open_row(&row);
			bad_record(src, lineno, invalid_text_reason(), line, len, &row);
			continue;
		}
		record_source(src, lineno, line, len);
		if (src->format == FORMAT_TEXT) {
			struct rowwriter w;
			rowwriter_begin_new(&w, &row);
			rowwriter_add_key(&w, "value", 5);
			encode_lossy(&row, line, len);
			emit_row(src, &row);
			continue;
		}
		if (blank(line, len))
			continue;
		struct json_error err;
		struct record rec;
		/*
		 * Data never speaks for the stream: an "_inlet" or
		 * "_inlet_source" member is malformed.
		 */
		if (record_classify(&rec, line, len, &err) == 0) {
			const char *reserved = rec.kind != RECORD_ROW ? RESERVED_KEY :
					       rec.source >= 0 ? RESERVED_SOURCE_KEY : NULL;
			if (!reserved) {
				emit_object(src, line, len, &row);
				continue;
			}
			err = (struct json_error){ reserved, 0 };
		} else if (lenient_row(src, line, len, &lenient, &row)) {
			continue;
		}
		snprintf(reason, sizeof(reason), "%s at byte %zu", err.msg, err.offset + 1);
		open_row(&row);
		bad_record(src, lineno, reason, line, len, &row);
	}
	buf_free(&row);
	buf_free(&lenient);
	return r < 0 ? -1 : 0;
}

/*
 * --whole-text: the file is one row {"value": its text}, as Spark's
 * wholetext reads it (an empty file too); a file longer than
 * --max-record-bytes is a malformed record.
 */
static int parse_whole_text(struct parsed_file *src, struct input *in, const char **why)
{
	struct buf row = BUF_INIT;
	struct rowwriter w;
	char reason[128], *text;
	size_t len;
	bool whole;

	if (input_read_all(in, opt.max_record, &text, &len, &whole, why) < 0)
		return -1;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		text += 3, len -= 3;
	if (!whole) {
		too_long_reason(reason, sizeof(reason));
		open_row(&row);
		bad_record(src, 1, reason, text, len, &row);
	} else if (opt.encoding && memchr(text, 0xff, len)) {
		/* Not in the charset --encoding names (see input_set_encoding). */
		open_row(&row);
		bad_record(src, 1, invalid_text_reason(), text, len, &row);
	} else {
		record_source(src, 1, text, len);
		rowwriter_begin_new(&w, &row);
		rowwriter_add_key(&w, "value", 5);
		encode_lossy(&row, text, len);
		emit_row(src, &row);
	}
	buf_free(&row);
	return 0;
}

/* ---- JSON, a whole file at a time ---- */

/* Copy the validated JSON value P without the blanks between its tokens. */
static void compact(struct buf *out, const char *p, size_t n)
{
	bool in_string = false;

	buf_reset(out);
	buf_grow(out, n);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_string) {
			if (c == '\\')
				out->data[out->len++] = p[i++];
			else if (c == '"')
				in_string = false;
		} else if (is_space(c)) {
			continue;
		} else if (c == '"') {
			in_string = true;
		}
		out->data[out->len++] = p[i];
	}
	out->data[out->len] = '\0';
}

/*
 * --multiline: the file is one object or an array of objects, one row
 * each.  Anything else makes the whole file one malformed record, as in
 * Spark, where the file is the record.
 */
static int parse_json_file(struct parsed_file *src, struct input *in, const char **why)
{
	struct buf row = BUF_INIT, obj = BUF_INIT, lenient = BUF_INIT;
	struct json_iter it;
	struct json_error err = { NULL, 0 };
	const char *val;
	size_t len, val_len;
	char reason[128], *text;
	bool whole;
	int r;

	if (input_read_all(in, opt.max_record, &text, &len, &whole, why) < 0)
		return -1;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		text += 3, len -= 3;
	char *strict_text = text;
	size_t strict_len = len;
	struct json_error strict_err;
again:;
	const char *p = text, *end = text + len;
	while (p < end && is_space(*p))
		p++;
	if (!whole) {
		too_long_reason(reason, sizeof(reason));
		goto bad;
	}
	if (p == end)
		goto out;	/* an empty file holds no rows */
	if (*p == '{') {
		if (json_object_validate(text, len, &err) < 0)
			goto bad_json;
		if (has_reserved_key(text, len, &err, text))
			goto bad_json;
		compact(&obj, text, len);
		emit_object(src, obj.data, obj.len, &row);
		goto out;
	}
	if (*p != '[') {
		err = (struct json_error){ "not a JSON object or array", (size_t)(p - text) };
		goto bad_json;
	}
	json_array_open(&it, text, len, NULL);
	while ((r = json_array_next(&it, &val, &val_len, &err)) == 1) {
		if (*val == '{' && has_reserved_key(val, val_len, &err, text))
			goto bad_json;
		if (*val != '{') {
			err = (struct json_error){ "array element is not an object",
						   (size_t)(val - text) };
			goto bad_json;
		}
	}
	if (r < 0)
		goto bad_json;
	for (p = it.p; p < end && is_space(*p); p++)
		;
	if (p < end) {
		err = (struct json_error){ "unexpected text after the array", (size_t)(p - text) };
		goto bad_json;
	}
	json_array_open(&it, text, len, NULL);
	while (json_array_next(&it, &val, &val_len, NULL) == 1) {
		compact(&obj, val, val_len);
		emit_object(src, obj.data, obj.len, &row);
	}
	goto out;
bad_json:
	/* Once more with Spark's leniencies, as strict JSON; else the strict error. */
	if (text == strict_text) {
		strict_err = err;
		if (json_lenient(&lenient, text, len, &opt.json)) {
			text = lenient.data;
			len = lenient.len;
			goto again;
		}
	} else {
		text = strict_text;
		len = strict_len;
		err = strict_err;
	}
	snprintf(reason, sizeof(reason), "%s at byte %zu", err.msg, err.offset + 1);
bad:
	{
		/* Name the line of the problem (line 1 for a file too long). */
		unsigned long line = 1;
		for (size_t i = 0; err.msg && i < err.offset; i++)
			line += text[i] == '\n';
		/* Spark: the file is the record, its last line end included. */
		open_row(&row);
		bad_record(src, line, reason, text, len, &row);
	}
out:
	buf_free(&row);
	buf_free(&obj);
	buf_free(&lenient);
	return 0;
}

/* ---- files ---- */

/*
 * Tell downstream that a file was not read, or not whole (commit counts
 * it), and say so on stderr: "cannot VERB 'FILE': REASON".  RETRY: the
 * file changed since it was listed and was left alone, to be listed again
 * for a later batch; it is no bad file.
 */
static void emit_skip(const struct parsed_file *src, const char *verb, const char *reason,
		      bool retry)
{
	struct buf rec = BUF_INIT;

	count.unreadable++;
	if (src->arg) {
		/* The user named it: a failure, as for cat, once the rest is read. */
		count.missing++;
		error("cannot %s '%s': %s", verb, src->arg, reason);
	} else if (retry)
		warning("skipping '%s': %s; it is left for a later batch", src->path, reason);
	else
		warning("skipping '%s': %s", src->path, reason);
	if (opt.bad_records && !retry)
		badrec_file(&bad, src->path, reason);
	buf_adds(&rec, "{\"_inlet\":\"skip\"");
	if (src->batch >= 0)
		buf_printf(&rec, ",\"batch\":%lld", src->batch);
	buf_adds(&rec, ",\"path\":");
	json_path_encode(&rec, src->path, strlen(src->path));
	buf_adds(&rec, ",\"reason\":");
	json_string_encode(&rec, reason, strlen(reason));
	if (retry)
		buf_adds(&rec, ",\"retry\":true");
	buf_addc(&rec, '}');
	stream_write(stdout, rec.data, rec.len);
	buf_free(&rec);
}

/*
 * SRC's format and CSV delimiter, from --format or its name (a .tsv file
 * is CSV with a tab); a name that says none is fatal.
 */
static void source_format(struct parsed_file *src)
{
	enum format f = opt.format ? opt.format : format_of(src->path);

	if (f == FORMAT_AUTO)
		die(EX_USAGE, "cannot tell the format of '%s' from its name; give --format",
		    src->arg ? src->arg : src->path);
	src->format = f == FORMAT_TSV ? FORMAT_CSV : f;
	src->delimiter = 0;
	if (src->format == FORMAT_CSV) {
		src->delimiter = delimiter_of(f);
		check_delimiter(src->delimiter, src->arg ? src->arg : src->path);
	}
}

/*
 * A listed file that could not be opened for WHY: Spark's missing file
 * when its path is gone (exit 66), a corrupt file when a regular file is
 * there but cannot be read (exit 65), unless --ignore-missing-files or
 * --ignore-corrupt-files.  Either fails the batch: nothing of it goes on,
 * and a rerun replays it.  Anything else there now (a folder, a link, a
 * FIFO: not the file listed) is skipped and counted, whatever the options:
 * inlet never reads such a thing.
 */
static void fail_batch_unless_ignored(const struct parsed_file *src, const char *why)
{
	struct stat st;
	int rc = lstat(src->path, &st);

	if (rc < 0 && errno == ENOENT) {
		if (!opt.ignore_missing) {
			badrec_discard(&bad);	/* the batch is replayed: its bad records with it */
			die(EX_NOINPUT, "cannot open '%s': %s; a file listed and gone before it "
			    "was read fails the batch (--ignore-missing-files skips it)",
			    src->path, why);
		}
	} else if ((rc < 0 || S_ISREG(st.st_mode)) && !opt.ignore_corrupt) {
		badrec_discard(&bad);	/* the batch is replayed: its bad records with it */
		die(EX_DATAERR, "cannot open '%s': %s; a corrupt file fails the batch "
		    "(--ignore-corrupt-files skips it)", src->path, why);
	}
}

/*
 * Open SRC's file (input_open's FLAGS) with its status in *ST, and check
 * it against WANT, the identity it was listed with (NULL or not known: no
 * check).  A file that cannot be opened, is not a regular file, or is not
 * the one listed is skipped, NULL, before a byte of it is read.
 */
static struct input *open_source(struct parsed_file *src, int flags,
				 const struct file_identity *want, struct stat *st)
{
	struct file_identity got;
	struct buf change = BUF_INIT;
	const char *why = NULL;
	struct input *in;

	in = input_open(src->path, flags, st, &why);
	if (!in) {
		if (opt.mode == MODE_FAILFAST)
			die(EX_NOINPUT, "cannot open '%s': %s", src->path, why);
		if (!src->arg)
			fail_batch_unless_ignored(src, why);
		emit_skip(src, "open", why, false);
		return NULL;
	}
	if (!want || !want->known)
		return in;
	identity_from_stat(&got, st, want->link);
	if (identity_equal(want, &got))
		return in;
	/* Not what was listed: a later batch lists it again, read then. */
	emit_skip(src, "open", identity_change(want, &got, &change), true);
	buf_free(&change);
	input_close(in);
	return NULL;
}

/*
 * Write the rows of IN, SRC's file opened with status *ST, and close it.
 * _metadata describes the descriptor read, not whatever the path names
 * now.
 */
static void read_source(struct parsed_file *src, struct input *in, const struct stat *st)
{
	struct file_identity before, after;
	struct stat now;
	const char *why = NULL;
	int rc;

	src->row = 0;
	if (opt.metadata) {
		char when[32] = "";
		long long size = 0;
		if (strcmp(src->path, "-")) {
			size = (long long)st->st_size;
			iso8601_utc(when, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
		}
		build_metadata(src, size, when);
	}
	count.files++;
	input_set_encoding(in, opt.encoding);
	if (opt.line_sep_len)
		input_set_line_sep(in, opt.line_sep, opt.line_sep_len);
	if (src->format == FORMAT_CSV)
		rc = parse_csv(src, in, &why);
	else if (src->format == FORMAT_JSON && opt.multiline)
		rc = parse_json_file(src, in, &why);
	else if (src->format == FORMAT_TEXT && opt.whole_text)
		rc = parse_whole_text(src, in, &why);
	else
		rc = parse_lines(src, in, &why);
	/* WHY may belong to the input: use it before closing. */
	if (rc < 0 && opt.mode == MODE_FAILFAST)
		die(EX_IOERR, "cannot read '%s': %s", src->path, why);
	/* Spark's ignoreCorruptFiles: the rows read before the damage stay. */
	if (rc < 0 && !src->arg && !opt.ignore_corrupt) {
		badrec_discard(&bad);
		die(EX_DATAERR, "cannot read '%s': %s; a corrupt file fails the batch "
		    "(--ignore-corrupt-files skips it)", src->path, why);
	}
	if (rc < 0)
		emit_skip(src, "read", why, false);
	/*
	 * Written to while it was read: the rows sent cannot be taken back, and
	 * the file's next version is the listing's business.  Say so.
	 */
	if (rc == 0 && S_ISREG(st->st_mode) && input_stat(in, &now) == 0) {
		identity_from_stat(&before, st, false);
		identity_from_stat(&after, &now, false);
		if (!identity_equal(&before, &after))
			warning("'%s' changed while it was read: its rows may mix its "
				"old and new content", src->path);
	}
	input_close(in);
}

/*
 * The file record TEXT (LEN bytes, a JSON object) passed on with the format
 * SRC is read in: "format":"csv", "json" or "text".  Later stages follow
 * Spark's per-format rules with it (a JSON string is not a number; CSV text
 * is converted).  A record that already names a format keeps it.  The
 * names of the partition columns added to its rows follow, as
 * "partition_columns":[...].
 */
static void write_file_record(const struct parsed_file *src, const char *text, size_t len,
			      bool has_format)
{
	static const char *const names[] = {
		[FORMAT_CSV] = "csv", [FORMAT_JSON] = "json", [FORMAT_TEXT] = "text",
	};
	struct buf out = BUF_INIT;

	if (has_format && !src->parts.n) {
		stream_write(stdout, text, len);
		return;
	}
	buf_add(&out, text, len - 1);	/* TEXT ends with its '}' */
	if (!has_format)
		buf_printf(&out, ",\"format\":\"%s\"", names[src->format]);
	/* Inference types these as text, whatever the format (inlet-rescue). */
	if (src->parts.n) {
		buf_adds(&out, ",\"partition_columns\":");
		partition_values_names(&src->parts, &out);
	}
	buf_addc(&out, '}');
	stream_write(stdout, out.data, out.len);
	buf_free(&out);
}

/*
 * The rows of the file SRC->path, listed with the identity WANT (NULL, or
 * not known, for a record without one).  The file is opened without
 * following a symbolic link unless WANT says the listing followed it.
 */
static void parse_file(struct parsed_file *src, const struct file_identity *want)
{
	struct input *in;
	struct stat st;

	source_format(src);
	in = open_source(src, want && want->link ? INPUT_FOLLOW : 0, want, &st);
	if (in)
		read_source(src, in, &st);
}

/* Files named by control records on standard input. */
static void parse_stream(struct parsed_file *src)
{
	struct batch_reader r;
	struct buf path = BUF_INIT, fmt = BUF_INIT, source = BUF_INIT;

	batch_reader_init(&r, stdin, "standard input");
	r.in.first_hint = "without a FILE, inlet-parse reads the files an inlet stream "
			  "lists (inlet-discover's output) on standard input: to parse "
			  "standard input itself, name it '-' (inlet-parse -f FORMAT -)";
	for (;;) {
		enum batch_event ev = batch_next(&r);
		const struct record *rec = &r.rec;

		if (ev == BATCH_EOF)
			break;
		if (ev == BATCH_CUT) {
			/* The batch is replayed: its bad records with it. */
			badrec_discard(&bad);
			batch_die_cut(&r, "the batch is replayed on restart");
		}
		if (ev == BATCH_END) {
			/* The batch's bad records are durable before it can commit. */
			badrec_commit(&bad);
		}
		if (ev == BATCH_BEGIN)	/* every row is validated here or built */
			batch_write_begin(stdout, rec->text, rec->len, true);
		else if (ev != BATCH_FILE)
			stream_write(stdout, rec->text, rec->len);
		if (ev == BATCH_FILE) {
			buf_reset(&path);
			if (!record_get_string(rec, "path", &path))
				die(EX_DATAERR, "'%s' line %lu: file record "
				    "without a path", r.in.name, r.in.lineno);
			src->path = path.data;
			src->batch = r.id;
			source_format(src);
			buf_reset(&source);
			bool has_source = record_get_string(rec, "source", &source);
			partition_values_find(&src->parts, &opt.partitions, src->path,
					      has_source ? source.data : NULL);
			buf_reset(&fmt);
			bool has_format = record_get_string(rec, "format", &fmt);
			/* REC's fields are not valid past the next record_classify. */
			struct file_identity id;
			identity_from_record(&id, rec);
			write_file_record(src, rec->text, rec->len, has_format);
			parse_file(src, &id);
		} else if (ev == BATCH_END) {
			stream_flush(stdout);
			crash_point("parse-after-end");
		}
	}
	badrec_commit(&bad);
	batch_reader_free(&r);
	buf_free(&path);
	buf_free(&fmt);
	buf_free(&source);
}

/*
 * Files given as arguments: each gets its own "file" record, with the
 * identity of what was opened.  The user named them: a symbolic link is
 * followed and a FIFO is read (<(command) included), but a device or a
 * socket is still refused: it is never a file of data, and /dev/zero would
 * never end.
 */
static void parse_args(struct parsed_file *src, char **paths, int n)
{
	struct buf rec = BUF_INIT;

	for (int i = 0; i < n; i++) {
		bool is_stdin = !strcmp(paths[i], "-");
		char *abs = is_stdin ? NULL : realpath(paths[i], NULL);
		struct file_identity id;
		struct input *in;
		struct stat st;
		char when[32];

		src->path = abs ? abs : paths[i];
		src->arg = paths[i];
		src->batch = -1;
		source_format(src);
		/* No source folder: only --partition-columns's nulls. */
		partition_values_find(&src->parts, &opt.partitions, src->path, NULL);
		in = open_source(src, INPUT_FOLLOW | INPUT_FIFO, NULL, &st);
		if (in && !is_stdin) {
			identity_from_stat(&id, &st, false);
			iso8601_utc(when, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
			buf_reset(&rec);
			buf_adds(&rec, "{\"_inlet\":\"file\",\"path\":");
			json_path_encode(&rec, src->path, strlen(src->path));
			buf_printf(&rec, ",\"mtime\":\"%s\"", when);
			identity_append(&rec, &id);
			buf_addc(&rec, '}');
			write_file_record(src, rec.data, rec.len, false);
		}
		if (in)
			read_source(src, in, &st);
		free(abs);
	}
	badrec_commit(&bad);
	buf_free(&rec);
}

int main(int argc, char **argv)
{
	struct parsed_file src;

	parse_options(argc, argv);
	check_options_exit();
	stream_setup_stdout();
	stream_defer_stop_signals();
	badrec_init(&bad, opt.bad_records);
	memset(&src, 0, sizeof(src));
	if (optind < argc) {
		/* A FILE whose format cannot be told is a usage error: before any output. */
		for (int i = optind; i < argc; i++) {
			src.path = src.arg = argv[i];
			source_format(&src);
		}
		/* The first inlet stage frames its output: one batch, ended only
		 * when every file was read, so a stage dying downstream of it
		 * commits nothing of the run. */
		/* Every row parse writes it validated or built: it says so. */
		batch_write_begin(stdout, batch_framed_begin, strlen(batch_framed_begin), true);
		parse_args(&src, argv + optind, argc - optind);
		stream_write(stdout, batch_framed_end, strlen(batch_framed_end));
	} else
		parse_stream(&src);
	buf_free(&src.meta);
	buf_free(&src.scratch);
	partition_values_free(&src.parts);
	buf_free(&opt.partitions.names);
	if (!opt.quiet && (count.malformed || count.unreadable)) {
		fprintf(stderr, "inlet-parse: %lld rows from %lld files; %lld malformed "
			"records (%lld dropped); %lld unreadable files", count.rows,
			count.files, count.malformed, count.dropped, count.unreadable);
		if (bad.entries)
			fprintf(stderr, "; %lld written to '%s/%s'", bad.entries,
				bad.root, bad.stamp);
		fputc('\n', stderr);
	}
	badrec_free(&bad);
	close_stdout();
	return count.missing ? EX_NOINPUT : 0;
}
