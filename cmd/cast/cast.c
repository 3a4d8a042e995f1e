/*
 * inlet-cast: convert row values to the types of the schema in force (the
 * latest schema record, or --schema), and optionally reshape rows with a
 * jq program first (--map, the SELECT list).
 *
 * Conversions work on text (libcommon/value.h): a value already of its
 * type passes byte for byte, a row needing no change is written as it
 * came, and rows never touch libjq unless --map is given.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cli.h"
#include "die.h"
#include "fault.h"
#include "json.h"
#include "map.h"
#include "options.h"
#include "partcols.h"
#include "rowwriter.h"
#include "schema.h"
#include "batch.h"
#include "stream.h"
#include "value.h"
/* The --bad-records-path writer is parse's until it moves to libcommon/. */
#include "badrec.h"

struct column_format {
	const char *column;
	const char *pattern;
};

static struct options {
	const char *schema_ddl;
	const char *date_format, *timestamp_format;
	struct time_zone *zone;	/* --time-zone, or NULL: UTC */
	struct column_format *formats;
	size_t nformats;
	enum record_mode mode;
	const char *rescued, *corrupt;
	const char *map;
	const char *bad_records;	/* --bad-records-path, or NULL */
	bool quiet;
	bool by_position;	/* --by-position: values in order, not by name */
	/*
	 * Spark's CSV nanValue, positiveInf, negativeInf: the texts a DOUBLE
	 * column reads as those doubles.  JSON has no such numbers: they are
	 * written as the strings in special_json.
	 */
	const char *special[3];
	bool allow_non_numeric;	/* JSON rows: Spark's allowNonNumericNumbers */
} opt = {
	.allow_non_numeric = true,
	.special = { "NaN", "Inf", "-Inf" },
	.rescued = "_rescued_data",
	.corrupt = "_corrupt_record",
};

/* The JSON inlet writes for NaN, +Inf and -Inf; opt.special as JSON strings. */
static const char *const special_json[3] = { "\"NaN\"", "\"Infinity\"", "\"-Infinity\"" };
static struct buf special_text[3];

/*
 * Is the string V (N bytes, a JSON string token) of a DOUBLE column in a
 * CSV row one of --nan-value, --positive-inf, --negative-inf?  Its JSON,
 * or NULL.
 */
static const char *special_double(const char *v, size_t n)
{
	for (int i = 0; i < 3; i++)
		if (n == special_text[i].len && !memcmp(v, special_text[i].data, n))
			return special_json[i];
	return NULL;
}

/*
 * A JSON row's string for a DOUBLE column that Spark's JSON reader takes
 * as NaN or an infinity when allowNonNumericNumbers is on (JacksonParser:
 * "NaN", "Infinity", "+Infinity", "+INF", "-Infinity", "-INF"), as it
 * reads them unquoted.  Its JSON as inlet writes it, or NULL.
 */
static const char *json_special_double(const char *v, size_t n)
{
	static const struct { const char *text; int which; } names[] = {
		{ "\"NaN\"", 0 }, { "\"Infinity\"", 1 }, { "\"+Infinity\"", 1 },
		{ "\"+INF\"", 1 }, { "\"-Infinity\"", 2 }, { "\"-INF\"", 2 },
	};

	if (!opt.allow_non_numeric)
		return NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i].text) && !memcmp(v, names[i].text, n))
			return special_json[names[i].which];
	return NULL;
}
/* The options: getopt, --help and --complete (options.h). */
enum { O_DATE = 256, O_TS, O_COLFMT, O_MODE, O_RESCUED, O_CORRUPT, O_BAD_RECORDS,
       O_ROWS_ONLY, O_MAP, O_BY_POSITION,
       O_NAN, O_POS_INF, O_NEG_INF, O_TIME_ZONE, O_ALLOW_NON_NUMERIC };
static const struct optdef optdefs[] = {
	{ 's', "schema", OPT_REQUIRED, "DDL", NULL,
	  "cast to this schema; its record replaces\n"
	  "the upstream ones" },
	{ O_BY_POSITION, "by-position", OPT_NONE, NULL, NULL,
	  "a row's values in order are the schema's\n"
	  "columns in order, renamed to them (Spark's\n"
	  "CSV schema); too few or too many is a\n"
	  "malformed row" },
	{ O_DATE, "date-format", OPT_REQUIRED, "PATTERN", NULL,
	  "Spark pattern for DATE text (default ISO\n"
	  "8601, yyyy-MM-dd)" },
	{ O_TS, "timestamp-format", OPT_REQUIRED, "PATTERN", NULL,
	  "Spark pattern for TIMESTAMP text (default\n"
	  "ISO 8601; no offset: --time-zone)" },
	{ O_TIME_ZONE, "time-zone", OPT_REQUIRED, "ZONE", NULL,
	  "TIMESTAMP text without an offset is local\n"
	  "time in ZONE: Europe/Paris, +02:00, UTC\n"
	  "(default UTC; Spark's timeZone)" },
	{ O_COLFMT, "column-format", OPT_REQUIRED, "COL=PATTERN", NULL,
	  "the pattern for one column (repeatable)" },
	{ O_NAN, "nan-value", OPT_REQUIRED, "STR", NULL,
	  "CSV text a DOUBLE column reads as NaN\n"
	  "(default NaN; written \"NaN\")" },
	{ O_POS_INF, "positive-inf", OPT_REQUIRED, "STR", NULL,
	  "... as +Infinity (default Inf; written\n"
	  "\"Infinity\")" },
	{ O_NEG_INF, "negative-inf", OPT_REQUIRED, "STR", NULL,
	  "... as -Infinity (default -Inf; written\n"
	  "\"-Infinity\")" },
	{ O_ALLOW_NON_NUMERIC, "allow-non-numeric-numbers", OPT_REQUIRED, "BOOL", "true false",
	  "JSON rows: the strings \"NaN\", \"Infinity\",\n"
	  "\"-Infinity\", \"+INF\", \"-INF\" are DOUBLE values\n"
	  "(default true, as Spark's reader)" },
	{ O_MODE, "mode", OPT_REQUIRED, "MODE", "permissive dropmalformed failfast",
	  "a value that does not convert: permissive\n"
	  "(default: null, original in _rescued_data),\n"
	  "dropmalformed, failfast (exit 65)" },
	{ O_RESCUED, "rescued-data-column", OPT_REQUIRED, "NAME", NULL,
	  "default _rescued_data" },
	{ O_CORRUPT, "column-name-of-corrupt-record", OPT_REQUIRED, "NAME", NULL,
	  "when the schema declares it, a row that\n"
	  "does not convert keeps its text there\n"
	  "(default _corrupt_record)" },
	{ O_BAD_RECORDS, "bad-records-path", OPT_REQUIRED, "DIR", OPT_DIR,
	  "write rows that do not convert under DIR\n"
	  "instead of the stream" },
	{ O_MAP, "map", OPT_REQUIRED, "JQ", NULL,
	  "a jq program applied to each row first" },
	OPT_ROWS_ONLY(O_ROWS_ONLY),
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "no counts on standard error" },
	OPT_END
};
static struct optset optset = { optdefs, 33, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-cast [--schema DDL] [--map JQ] [options] [FILE...]\n"
"\n"
"Convert row values to the types of the schema in force: the latest\n"
"schema record on standard input, or --schema.\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n");
}

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case 's': opt.schema_ddl = optarg; break;
		case O_DATE: opt.date_format = optarg; break;
		case O_TS: opt.timestamp_format = optarg; break;
		case O_TIME_ZONE: {
			struct buf err = BUF_INIT;
			time_zone_free(opt.zone);
			if (!(opt.zone = time_zone_load(optarg, &err)))
				die(EX_USAGE, "invalid value '%s' for --time-zone: %s", optarg, err.data);
			break;
		}
		case O_COLFMT: {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				die(EX_USAGE, "invalid value '%s' for --column-format: expected "
				    "COLUMN=PATTERN", optarg);
			*eq = '\0';
			opt.formats = xrealloc(opt.formats, (opt.nformats + 1) * sizeof(*opt.formats));
			opt.formats[opt.nformats++] = (struct column_format){ optarg, eq + 1 };
			break;
		}
		case O_MODE:
			opt.mode = parse_mode_arg("--mode", optarg);
			break;
		case O_RESCUED: opt.rescued = optarg; break;
		case O_CORRUPT: opt.corrupt = optarg; break;
		case O_BAD_RECORDS:
			if (!*optarg)
				die(EX_USAGE, "--bad-records-path must not be empty");
			opt.bad_records = optarg;
			break;
		case O_MAP: opt.map = optarg; break;
		case O_BY_POSITION: opt.by_position = true; break;
		case O_ALLOW_NON_NUMERIC:
			opt.allow_non_numeric = parse_bool_arg("--allow-non-numeric-numbers", optarg);
			break;
		case O_NAN: opt.special[0] = optarg; break;
		case O_POS_INF: opt.special[1] = optarg; break;
		case O_NEG_INF: opt.special[2] = optarg; break;
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (opt.bad_records && opt.mode == MODE_FAILFAST)
		die(EX_USAGE, "--bad-records-path and --mode failfast cannot be combined: "
		    "failfast stops at the first bad row");
}

/* A column whose members cast_row may take the short way (struct state's plain). */
struct plain_col {
	const char *name;
	size_t name_len;	/* SIZE_MAX, no key's length: not such a column */
	struct type type;
	const char *pattern;
};

struct state {
	const struct stream_reader *in;	/* for messages: the input's name */
	struct schema schema;
	bool have_schema;
	bool announced;		/* --schema: its record went out */
	const char **patterns;	/* per column: the date/time pattern, or NULL */
	/*
	 * Per column, side by side for the row loop's first look: a member
	 * of that name is a value to cast and nothing else (not
	 * _inlet_source, the rescued or corrupt-record column, nor
	 * _metadata), in rows read by name.
	 */
	struct plain_col *plain;
	long corrupt_col;	/* index of the corrupt-record column, or -1 */
	size_t corrupt_len;	/* strlen(opt.corrupt) */
	struct buf path;	/* the current file */
	bool json_rows;		/* its rows are JSON's: a string is not a number */
	struct buf partitions;	/* its partition columns: folder text, even in JSON rows */
	long long record;	/* rows seen in the current file */
	struct buf row, rescued, value, tmp, reason;
	long long mismatches, dropped;
	long long malformed;	/* --by-position: rows of the wrong width */
	size_t *data_cols;	/* --by-position: the schema's columns but the corrupt record's */
	size_t ndata;
	struct badrec bad;	/* --bad-records-path */
	struct map *map;	/* --map, or NULL */
	bool hide_metadata;	/* --map does not name _metadata: it leaves the row */
	/*
	 * The row's _inlet_source (inlet-parse --record-source): the line its
	 * record starts on in its file (0: not known) and the record's exact
	 * text, as a raw JSON string (NULL: not known), borrowed from the row
	 * read, and decoded in source_text when needed.
	 */
	long long source_line;
	const char *source_raw;
	size_t source_raw_len;
	bool source_member;	/* the row read holds _inlet_source */
	struct buf source_text, where;
	struct buf mapped;	/* --map's output for a row, to be cast */
};

/*
 * Take st->schema as the one in force.  -1 and a message in ERR when it
 * cannot be: a corrupt-record column that is not STRING.
 */
static int set_schema(struct state *st, struct buf *err)
{
	free(st->patterns);
	st->patterns = xcalloc(st->schema.n, sizeof(*st->patterns));
	for (size_t i = 0; i < st->schema.n; i++) {
		enum type_kind k = st->schema.cols[i].type.kind;
		if (k == TYPE_DATE)
			st->patterns[i] = opt.date_format;
		else if (k == TYPE_TIMESTAMP)
			st->patterns[i] = opt.timestamp_format;
		for (size_t j = 0; j < opt.nformats; j++)
			if (!strcmp(opt.formats[j].column, st->schema.cols[i].name))
				st->patterns[i] = opt.formats[j].pattern;
	}
	st->corrupt_len = strlen(opt.corrupt);
	st->corrupt_col = schema_find(&st->schema, opt.corrupt, st->corrupt_len);
	if (st->corrupt_col >= 0 && st->schema.cols[st->corrupt_col].type.kind != TYPE_STRING) {
		/* Spark refuses it: "The field for corrupt records must be string type and nullable". */
		buf_printf(err, "the corrupt-record column '%s' must be STRING, not ", opt.corrupt);
		type_name(st->schema.cols[st->corrupt_col].type, err);
		return -1;
	}
	free(st->data_cols);
	st->data_cols = xcalloc(st->schema.n + 1, sizeof(*st->data_cols));
	st->ndata = 0;
	for (size_t i = 0; i < st->schema.n; i++)
		if ((long)i != st->corrupt_col)
			st->data_cols[st->ndata++] = i;
	free(st->plain);
	st->plain = xcalloc(st->schema.n + 1, sizeof(*st->plain));
	for (size_t i = 0; i < st->schema.n; i++) {
		const char *name = st->schema.cols[i].name;
		size_t n = st->schema.cols[i].name_len;
		st->plain[i].name_len = SIZE_MAX;
		if (!opt.by_position && strlen(name) == n && strcmp(name, "_inlet_source") &&
		    strcmp(name, opt.rescued) && strcmp(name, opt.corrupt) &&
		    strcmp(name, "_metadata"))
			st->plain[i] = (struct plain_col){ name, n, st->schema.cols[i].type,
							   st->patterns[i] };
	}
	st->have_schema = true;
	return 0;
}

/* The length of the first MAX bytes of S (N bytes) cut at a UTF-8 boundary. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Is F the _inlet_source member inlet-parse --record-source adds? */
static bool is_source(const struct json_field *f)
{
	return f->key_len == 13 && !memcmp(f->key, "_inlet_source", 13);
}

/* Note the row REC's _inlet_source, if it has one, in st->source_*. */
static void take_source(struct state *st, const struct record *rec)
{
	const char *v;
	size_t n;

	st->source_line = 0;
	st->source_raw = NULL;
	st->source_member = false;
	if (rec->source < 0)
		return;
	const struct json_field *f = &rec->fields[rec->source];
	if (f->val[0] != '{')
		return;
	st->source_member = true;
	if (json_object_get(f->val, f->val_len, "line", &v, &n) == 1)
		st->source_line = strtoll(v, NULL, 10);
	if (json_object_get(f->val, f->val_len, "text", &v, &n) == 1 && v[0] == '"') {
		st->source_raw = v;
		st->source_raw_len = n;
	}
}

/*
 * The record's text for _corrupt_record and the bad-records folder: its
 * exact text in the file when parse gave it, else the row TEXT.
 */
static void record_text(struct state *st, const char **text, size_t *len)
{
	if (!st->source_raw)
		return;
	buf_reset(&st->source_text);
	json_string_decode(&st->source_text, st->source_raw, st->source_raw_len);
	*text = st->source_text.data;
	*len = st->source_text.len;
}

/*
 * Where the row is, for messages: "'FILE' line N" (its line in the file)
 * when parse said, else "'FILE' record R (line L of the stream)".
 */
static const char *where(struct state *st, unsigned long lineno)
{
	const char *name = st->path.len ? st->path.data : st->in->name;

	buf_reset(&st->where);
	if (st->source_line > 0)
		buf_printf(&st->where, "'%s' line %lld", name, st->source_line);
	else
		buf_printf(&st->where, "'%s' record %lld (line %lu of the stream)", name,
			   st->record, lineno);
	return st->where.data;
}

/* Send the row TEXT to the bad-records folder, with st->reason. */
static void bad_row(struct state *st, const char *text, size_t len)
{
	record_text(st, &text, &len);
	badrec_record(&st->bad, st->path.len ? st->path.data : NULL, text, len,
		      st->reason.data);
	st->dropped++;
}

/*
 * A row that does not convert, past failfast, its reason in ST->reason
 * under --bad-records-path: true when it is written (permissive), false
 * when it is set aside there or dropped (dropmalformed).
 */
static bool kept(struct state *st, const char *text, size_t len)
{
	if (opt.bad_records) {
		bad_row(st, text, len);
		return false;
	}
	if (opt.mode == MODE_DROPMALFORMED) {
		st->dropped++;
		return false;
	}
	return true;
}

/*
 * A value that does not convert, in the row TEXT.  Returns false when the
 * row is not to be written (dropped, or sent to --bad-records-path); dies
 * under failfast.
 */
static bool mismatch(struct state *st, const char *column, const char *v, size_t n,
		     const char *type, const char *why, unsigned long lineno,
		     const char *text, size_t len)
{
	st->mismatches++;
	if (opt.mode == MODE_FAILFAST)
		die(EX_DATAERR, "%s: column '%s': cannot convert %.*s to %s (%s)",
		    where(st, lineno), column, (int)(n > 200 ? 200 : n), v, type, why);
	if (opt.bad_records) {
		buf_reset(&st->reason);
		buf_printf(&st->reason, "column '%s': cannot convert %.*s to %s (%s)",
			   column, (int)utf8_prefix(v, n, 200), v, type, why);
	}
	return kept(st, text, len);
}

/*
 * Spark's JSON reader takes a number only from a JSON number and a boolean
 * only from true/false: "12.5" for DOUBLE is a type mismatch, not a
 * conversion.  DECIMAL, DATE, TIMESTAMP and STRING read JSON strings.  The
 * reason, or NULL when the value V of a JSON row may be converted to K.
 */
static const char *json_string_mismatch(const char *v, enum type_kind k)
{
	if (v[0] != '"')
		return NULL;
	switch (k) {
	case TYPE_INT: case TYPE_BIGINT: case TYPE_DOUBLE:
		return "a JSON string, not a number";
	case TYPE_BOOLEAN:
		return "a JSON string, not true or false";
	default:
		return NULL;
	}
}

/*
 * --by-position: a row with WANT schema columns and HAVE values (Spark's
 * "Malformed CSV record", too few or too many tokens).  Returns false when
 * the row is not to be written; dies under failfast.
 */
static bool wrong_width(struct state *st, size_t have, size_t want, unsigned long lineno,
			const char *text, size_t len)
{
	st->malformed++;
	buf_reset(&st->reason);
	buf_printf(&st->reason, "%zu values for the %zu columns of the schema", have, want);
	if (opt.mode == MODE_FAILFAST)
		die(EX_DATAERR, "%s: malformed row: %s", where(st, lineno), st->reason.data);
	return kept(st, text, len);
}

/* Is F one of the row's own members rather than a value: _metadata, the corrupt record? */
static bool reserved_member(const struct json_field *f)
{
	return json_key_is(f, opt.corrupt) || (f->val[0] == '{' && json_key_is(f, "_metadata"));
}

/* Is F a member of the column C (a plain_col), by its unescaped name? */
static inline bool plain_member(const struct plain_col *c, const struct json_field *f)
{
	return c->name_len == f->key_len && !f->key_escaped &&
	       names_equal(c->name, f->key, f->key_len);
}

/* Cast one row (TEXT) and write it, or drop it. */
static void cast_row(struct state *st, const struct record *rec, unsigned long lineno)
{
	struct rowwriter w;
	bool corrupt = false, has_corrupt = false, corrupt_null = false;
	size_t position = 0, values = 0, extra = 0;
	const char *out;
	size_t out_len;

	rowwriter_begin(&w, rec, &st->row, &st->rescued);
	/*
	 * The members named as the schema's columns in order whose values
	 * are their own casts: the writer has nothing to do for them.  Most
	 * rows are all such, and are written as they came.
	 */
	const struct json_field *fields = rec->fields;
	const struct plain_col *plain = st->plain;
	size_t i = 0;
	for (size_t n = rec->nfields < st->schema.n ? rec->nfields : st->schema.n; i < n; i++) {
		const struct json_field *f = &fields[i];
		const struct plain_col *c = &plain[i];
		if (!plain_member(c, f) ||
		    !((f->val[0] == '"' && c->type.kind == TYPE_STRING) || json_is_null(f->val, f->val_len) ||
		      value_is_cast(f->val, f->val_len, c->type, c->pattern)))
			break;
	}
	/* The rest, from the first member that needs more, each on its own. */
	for (position = i; i < rec->nfields; i++) {
		const struct json_field *f = &rec->fields[i];
		bool rename = false;
		long col = -1;
		/*
		 * The commonest member: named as the next column, a name none of
		 * the checks below can be about (plain[]), in a row read by name.
		 */
		if (position < st->schema.n && plain_member(&st->plain[position], f)) {
			col = (long)position++;
		} else {
			if (is_source(f)) {
				rowwriter_drop(&w, i);	/* for this stage only */
				continue;
			}
			if (f->val[0] == '{' && json_key_is(f, opt.rescued)) {
				/* It moves to the end if the row is rebuilt. */
				rowwriter_prior_rescued(&w, i);
				continue;
			}
			if ((f->key_len == st->corrupt_len || f->key_escaped) &&
			    json_key_is(f, opt.corrupt)) {
				/* The raw text a stage before kept wins over this row's. */
				has_corrupt = !json_is_null(f->val, f->val_len);
				if (!has_corrupt) {
					corrupt_null = true;
					rowwriter_drop(&w, i);	/* added back at the end */
				} else {
					rowwriter_keep(&w, i);
				}
				continue;
			}
			if (opt.by_position) {
				/* Partition columns come from the path, not the record's values. */
				if (reserved_member(f) ||
				    (st->partitions.len && partcols_has(&st->partitions, f))) {
					rowwriter_keep(&w, i);
					continue;
				}
				/* Spark: the row's values in order are the schema's columns in order. */
				if (values == st->ndata) {
					extra++;
					rowwriter_rescue(&w, f);
					rowwriter_drop(&w, i);
					continue;
				}
				col = st->data_cols[values++];
				const struct column_def *cd = &st->schema.cols[col];
				buf_reset(&st->tmp);
				json_key_decode(&st->tmp, f);
				rename = st->tmp.len != cd->name_len ||
					 memcmp(st->tmp.data, cd->name, cd->name_len);
			} else if (!f->key_escaped) {
				col = schema_find_hint(&st->schema, f->key, f->key_len, position++);
			} else {
				buf_reset(&st->tmp);
				json_key_decode(&st->tmp, f);
				col = schema_find(&st->schema, st->tmp.data, st->tmp.len);
			}
			if (col < 0 && st->hide_metadata && json_key_is(f, "_metadata")) {
				rowwriter_drop(&w, i);
				continue;
			}
			if (col < 0 || col == st->corrupt_col) {
				rowwriter_keep(&w, i);
				continue;
			}
		}
		const struct column_def *cd = &st->schema.cols[col];
		const char *why = NULL, *val = f->val;
		size_t val_len = f->val_len;
		int rc = -1;
		const char *special;
		/*
		 * The commonest cases without a call: a string for a STRING
		 * column, and null, which every type takes as it is.
		 */
		if (f->val[0] == '"' ? cd->type.kind == TYPE_STRING : json_is_null(f->val, f->val_len)) {
			rc = 1;
		} else if (cd->type.kind == TYPE_DOUBLE && f->val[0] == '"' &&
			   (special = st->json_rows ? json_special_double(f->val, f->val_len)
						    : special_double(f->val, f->val_len))) {
			buf_reset(&st->value);
			buf_adds(&st->value, special);
			rc = 0;
		} else {
			buf_reset(&st->value);
			if (!st->json_rows || (st->partitions.len && partcols_has(&st->partitions, f)) ||
			    !(why = json_string_mismatch(f->val, cd->type.kind)))
				rc = value_cast_keep_in(f->val, f->val_len, cd->type, st->patterns[col],
							opt.zone, &st->value, &why);
		}
		if (rc < 0) {
			buf_reset(&st->tmp);
			type_name(cd->type, &st->tmp);
			if (!mismatch(st, cd->name, f->val, f->val_len, st->tmp.data, why, lineno,
				      rec->text, rec->len))
				return;
			/* Spark: with the corrupt-record column declared, the record goes there. */
			if (st->corrupt_col >= 0)
				corrupt = true;
			else
				rowwriter_rescue(&w, f);
			val = "null", val_len = 4;
		} else if (rc == 0) {
			val = st->value.data, val_len = st->value.len;
		}
		if (rename) {
			rowwriter_drop(&w, i);
			rowwriter_add(&w, cd->name, cd->name_len, val, val_len);
		} else if (rc == 1) {
			/* The value is its own cast: keep it, in the row's text if we can. */
			rowwriter_keep(&w, i);
		} else {
			rowwriter_set(&w, i, val, val_len);
		}
	}
	if (opt.by_position && (values < st->ndata || extra) && !has_corrupt) {
		/* A row a stage before found corrupt was counted there. */
		if (!wrong_width(st, values + extra, st->ndata, lineno, rec->text, rec->len))
			return;
		if (st->corrupt_col >= 0)
			corrupt = true;
	}
	/* Spark pads a short row with nulls. */
	for (; opt.by_position && values < st->ndata; values++) {
		const struct column_def *cd = &st->schema.cols[st->data_cols[values]];
		rowwriter_add(&w, cd->name, cd->name_len, "null", 4);
	}
	rowwriter_rescued_column(&w, opt.rescued, st->path.len ? st->path.data : NULL,
				 st->path.len);
	if (corrupt && !has_corrupt && st->source_raw) {
		/* Spark: the record's own text in the file, a CSV line as it is. */
		rowwriter_add(&w, opt.corrupt, strlen(opt.corrupt), st->source_raw,
			      st->source_raw_len);
	} else if (corrupt && !has_corrupt) {
		rowwriter_add_key(&w, opt.corrupt, strlen(opt.corrupt));
		json_string_encode(w.out, rec->text, rec->len);
	} else if (corrupt_null) {
		rowwriter_add(&w, opt.corrupt, strlen(opt.corrupt), "null", 4);
	}
	out = rowwriter_finish(&w, &out_len);
	stream_write(stdout, out, out_len);
}

/* ---- --map (map.h): the glue ---- */

/* A row --map cannot take: a malformed row under --mode, REASON in st->reason. */
static void map_failed(struct state *st, const char *text, size_t len, unsigned long lineno)
{
	if (opt.bad_records) {
		bad_row(st, text, len);
	} else if (opt.mode != MODE_DROPMALFORMED) {
		die(EX_DATAERR, "%s: %s", where(st, lineno), st->reason.data);
	} else {
		st->dropped++;
	}
}

struct mapped_row {
	struct state *st;
	unsigned long lineno;
};

/*
 * Whether PROGRAM names _metadata as a key ({_metadata}, {_metadata: ...},
 * "_metadata") rather than only reading it (._metadata.file_path): Spark's
 * _metadata is a hidden column, in a row only when selected by name.
 */
static bool names_metadata(const char *program)
{
	for (const char *p = program; (p = strstr(p, "_metadata")); p += 9) {
		const char *q = p;
		while (q > program && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n'))
			q--;
		if (q == program || q[-1] != '.')
			return true;
	}
	return false;
}

/*
 * Write the row REC without its _inlet_source member, nor its _metadata
 * when a --map hides it.
 */
static void write_hiding(struct state *st, const struct record *rec)
{
	struct rowwriter w;
	size_t out_len;

	rowwriter_begin(&w, rec, &st->row, NULL);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field *f = &rec->fields[i];
		if (is_source(f) || (st->hide_metadata && json_key_is(f, "_metadata")))
			rowwriter_drop(&w, i);
		else
			rowwriter_keep(&w, i);
	}
	const char *out = rowwriter_finish(&w, &out_len);
	stream_write(stdout, out, out_len);
}

/*
 * One object from --map: written, or, when a schema is in force, kept in
 * st->mapped to be cast once the program is done with the row -- a cast
 * that fails the run then dies with no jq value in flight.
 */
static void emit_mapped(const char *text, size_t len, void *data)
{
	struct mapped_row *mr = data;

	if (mr->st->have_schema) {
		buf_add(&mr->st->mapped, text, len);
		buf_addc(&mr->st->mapped, '\n');
	} else if (mr->st->hide_metadata || mr->st->source_member) {
		struct record rec;
		record_classify(&rec, text, len, NULL);
		write_hiding(mr->st, &rec);
	} else {
		stream_write(stdout, text, len);
	}
}

/* Cast the objects emit_mapped kept (one per line: JSON has no raw newline). */
static void cast_mapped(struct state *st, unsigned long lineno)
{
	for (size_t at = 0; at < st->mapped.len;) {
		const char *text = st->mapped.data + at;
		size_t len = (size_t)((const char *)memchr(text, '\n', st->mapped.len - at) - text);
		struct record mapped;

		record_classify(&mapped, text, len, NULL);
		cast_row(st, &mapped, lineno);
		at += len + 1;
	}
	buf_reset(&st->mapped);
}

static void map_one_row(struct state *st, const char *text, size_t len, unsigned long lineno)
{
	struct mapped_row mr = { st, lineno };

	buf_reset(&st->mapped);
	switch (map_row(st->map, text, len, emit_mapped, &mr, &st->reason)) {
	case MAP_OK:
		cast_mapped(st, lineno);
		break;
	case MAP_ROW_FAILED:
		cast_mapped(st, lineno);	/* the outputs before the failure */
		map_failed(st, text, len, lineno);
		break;
	case MAP_NOT_OBJECT:
		die(EX_DATAERR, "'%s' line %lu: %s", st->in->name, lineno, st->reason.data);
	}
}

/*
 * The --map program, torn down at exit too: a run that dies (failfast)
 * leaves jq's state, which the sanitizer build would report as a leak.
 */
static struct map *exit_map;

static void free_exit_map(void)
{
	map_free(exit_map);
	exit_map = NULL;
}

int main(int argc, char **argv)
{
	struct state st;
	struct batch_reader in;
	struct buf err = BUF_INIT;

	parse_options(argc, argv);
	for (int i = 0; i < 3; i++)
		json_string_encode(&special_text[i], opt.special[i], strlen(opt.special[i]));
	stream_setup_stdout();
	stream_defer_stop_signals();
	memset(&st, 0, sizeof(st));
	st.schema.version = -1;
	st.corrupt_col = -1;
	st.json_rows = true;	/* a plain NDJSON stream has no file records */
	if (opt.schema_ddl) {
		if (schema_parse_ddl(&st.schema, opt.schema_ddl, &err) < 0)
			die(EX_USAGE, "invalid --schema: %s", err.data);
		st.schema.version = 0;
		if (set_schema(&st, &err) < 0)
			die(EX_USAGE, "invalid --schema: %s", err.data);
	}
	if (opt.map) {
		st.map = map_new(opt.map);
		st.hide_metadata = !names_metadata(opt.map);
		exit_map = st.map;
		atexit(free_exit_map);
	}
	check_options_exit();

	badrec_init(&st.bad, opt.bad_records);
	batch_reader_init_files(&in, argv + optind, argc - optind);
	batch_reader_trust(&in);	/* its output goes on to another stage */
	st.in = &in.in;
	for (;;) {
		enum batch_event ev = batch_next(&in);
		const struct record *rec = &in.rec;

		if (ev == BATCH_EOF)
			break;
		if (ev == BATCH_CUT) {
			/* The batch is replayed: its bad rows with it. */
			badrec_discard(&st.bad);
			batch_die_cut(&in, "its rows were not completed downstream");
		}
		if (ev == BATCH_ROW) {
			st.record++;
			if (opt.schema_ddl && !st.announced) {
				buf_reset(&st.tmp);
				schema_to_record(&st.schema, &st.tmp);
				stream_write(stdout, st.tmp.data, st.tmp.len);
				st.announced = true;
			}
			take_source(&st, rec);
			if (st.map)
				map_one_row(&st, rec->text, rec->len, in.in.lineno);
			else if (st.have_schema)
				cast_row(&st, rec, in.in.lineno);
			else if (st.source_member)
				write_hiding(&st, rec);
			else
				stream_write(stdout, rec->text, rec->len);
			continue;
		}
		if (ev == BATCH_SCHEMA) {
			if (opt.schema_ddl)
				continue;	/* --schema replaces upstream schemas */
			schema_free(&st.schema);
			buf_reset(&err);
			if (schema_from_record(&st.schema, rec->text, rec->len, &err) < 0)
				die(EX_DATAERR, "'%s' line %lu: %s", in.in.name, in.in.lineno,
				    err.data);
			if (set_schema(&st, &err) < 0)
				die(EX_DATAERR, "'%s' line %lu: schema version %lld: %s", in.in.name,
				    in.in.lineno, st.schema.version, err.data);
		} else if (ev == BATCH_FILE) {
			buf_reset(&st.path);
			record_get_string(rec, "path", &st.path);
			st.record = 0;
			/* parse names the format.  A file record without one did not
			   come through parse: its strings are converted, as before. */
			buf_reset(&st.tmp);
			st.json_rows = record_get_string(rec, "format", &st.tmp) &&
				       !strcmp(st.tmp.data, "json");
			partcols_read(rec, &st.partitions);
		} else if (ev == BATCH_BEGIN && st.map) {
			map_begin_batch(st.map, in.id, in.checkpoint);
		} else if (ev == BATCH_END) {
			/* The batch's bad rows are durable before it can commit. */
			badrec_commit(&st.bad);
		}
		stream_write(stdout, rec->text, rec->len);
		if (ev == BATCH_END) {
			stream_flush(stdout);
			crash_point("cast-after-end");
		}
	}
	badrec_commit(&st.bad);
	if (!opt.quiet && (st.mismatches || st.dropped || st.malformed)) {
		fprintf(stderr, "inlet-cast: %lld values did not convert; ", st.mismatches);
		if (st.malformed)
			fprintf(stderr, "%lld rows had more or fewer values than the schema's "
				"columns; ", st.malformed);
		fprintf(stderr, "%lld rows dropped", st.dropped);
		if (st.bad.entries)
			fprintf(stderr, "; %lld written to '%s/%s'", st.bad.entries,
				st.bad.root, st.bad.stamp);
		fputc('\n', stderr);
	}
	badrec_free(&st.bad);
	int status = batch_reader_status(&in);
	batch_reader_free(&in);
	free_exit_map();
	buf_free(&st.mapped);
	schema_free(&st.schema);
	free(st.patterns);
	free(st.plain);
	free(st.data_cols);
	free(opt.formats);
	time_zone_free(opt.zone);
	buf_free(&st.path);
	buf_free(&st.row);
	buf_free(&st.rescued);
	buf_free(&st.value);
	buf_free(&st.tmp);
	buf_free(&st.partitions);
	buf_free(&st.reason);
	buf_free(&st.source_text);
	buf_free(&st.where);
	buf_free(&err);
	close_stdout();
	return status;
}
