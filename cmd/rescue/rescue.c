/*
 * inlet-rescue: decide which columns a row has.  The schema comes from
 * --schema, from the latest version in the schema location, or is
 * inferred, by Spark's rules, from a sample of the first batch (or, with
 * --infer-only, of a whole stream, before the pipeline starts); each
 * version is kept as schemas/V (the schema record itself, readable with
 * cat).  Fields the schema does not know are added as new columns (a new
 * version, announced in-stream, without stopping), rescued into
 * _rescued_data, refused, or dropped, per --schema-evolution-mode.
 *
 * Rows whose fields are all known pass through as they came, byte for byte.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ckpt.h"
#include "cli.h"
#include "die.h"
#include "fileio.h"
#include "json.h"
#include "options.h"
#include "partcols.h"
#include "rowwriter.h"
#include "schema.h"
#include "batch.h"
#include "stream.h"
#include "value.h"

enum evolution { EVOLVE_DEFAULT, EVOLVE_ADD, EVOLVE_RESCUE, EVOLVE_FAIL, EVOLVE_NONE };

static struct options {
	const char *schema_ddl;
	const char *location;
	const char *hints;
	bool infer_types;
	bool primitives_as_string, prefers_decimal, drop_if_all_null;
	const char *timestamp_format, *date_format;
	bool infer_only;
	enum evolution evolution;
	const char *rescued;
	long long sample_files, sample_bytes;
	bool quiet;
} opt = {
	.rescued = "_rescued_data",
	.sample_files = 1000,
	.sample_bytes = 256LL << 20,
};

/* The options: getopt, --help and --complete (options.h). */
enum { O_INFER = 256, O_HINTS, O_EVOLUTION, O_RESCUED, O_FILES, O_BYTES,
       O_ROWS_ONLY, O_PRIMITIVES, O_DECIMAL, O_DROP_NULL,
       O_TS_FORMAT, O_DATE_FORMAT, O_INFER_ONLY };
static const struct optdef optdefs[] = {
	{ 's', "schema", OPT_REQUIRED, "DDL", NULL,
	  "Spark DDL, e.g. 'id STRING, amount DOUBLE'" },
	{ 'l', "schema-location", OPT_REQUIRED, "DIR", OPT_DIR,
	  "keep schema versions in DIR/schemas/; with\n"
	  "no --schema, infer from the first batch" },
	{ O_INFER, "infer-column-types", OPT_NONE, NULL, NULL,
	  "infer types from CSV text too; otherwise\n"
	  "CSV columns are STRING (JSON strings are\n"
	  "STRING either way)" },
	{ O_PRIMITIVES, "primitives-as-string", OPT_NONE, NULL, NULL,
	  "JSON numbers and booleans infer as STRING" },
	{ O_DECIMAL, "prefers-decimal", OPT_NONE, NULL, NULL,
	  "fractions infer as DECIMAL(p,s), not DOUBLE" },
	{ O_DROP_NULL, "drop-field-if-all-null", OPT_NONE, NULL, NULL,
	  "leave out columns seen only as null" },
	{ O_TS_FORMAT, "timestamp-format", OPT_REQUIRED, "PATTERN", NULL,
	  "CSV text infers TIMESTAMP by this pattern" },
	{ O_DATE_FORMAT, "date-format", OPT_REQUIRED, "PATTERN", NULL,
	  "CSV text infers DATE by this pattern" },
	{ O_INFER_ONLY, "infer-only", OPT_NONE, NULL, NULL,
	  "infer schemas/0 from the whole stream (up to\n"
	  "the sample bounds) and exit, writing nothing" },
	{ O_HINTS, "schema-hints", OPT_REQUIRED, "DDL", NULL,
	  "types that override inferred ones" },
	{ O_EVOLUTION, "schema-evolution-mode", OPT_REQUIRED, "MODE", "add-new-columns rescue fail-on-new-columns none",
	  "add-new-columns (default when inferring),\n"
	  "rescue, fail-on-new-columns, none (default\n"
	  "with --schema)" },
	{ O_RESCUED, "rescued-data-column", OPT_REQUIRED, "NAME", NULL,
	  "default _rescued_data" },
	{ O_FILES, "sample-files", OPT_REQUIRED, "N", NULL,
	  "files sampled for inference (default 1000)" },
	{ O_BYTES, "sample-bytes", OPT_REQUIRED, "SIZE", NULL,
	  "bytes of records sampled for inference\n"
	  "(default 256m)" },
	OPT_ROWS_ONLY(O_ROWS_ONLY),
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "no counts on standard error" },
	OPT_END
};
static struct optset optset = { optdefs, 33, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-rescue (--schema DDL | --schema-location DIR) [options] [FILE...]\n"
"       inlet-rescue --schema-location DIR --infer-only [options] [FILE...]\n"
"\n"
"Give rows the columns of a schema: known fields pass, new ones are added\n"
"(a new schema version, announced in-stream), rescued into _rescued_data,\n"
"refused or dropped.\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n");
}

static enum evolution parse_evolution(const char *v)
{
	static const struct { const char *a, *b; enum evolution e; } modes[] = {
		{ "add-new-columns", "addNewColumns", EVOLVE_ADD },
		{ "rescue", "rescue", EVOLVE_RESCUE },
		{ "fail-on-new-columns", "failOnNewColumns", EVOLVE_FAIL },
		{ "none", "none", EVOLVE_NONE },
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcasecmp(v, modes[i].a) || !strcasecmp(v, modes[i].b))
			return modes[i].e;
	die(EX_USAGE, "invalid value '%s' for --schema-evolution-mode: expected "
	    "add-new-columns, rescue, fail-on-new-columns or none", v);
}

static const char *pattern_arg(const char *name, const char *v)
{
	if (!*v)
		die(EX_USAGE, "%s must not be empty", name);
	return v;
}

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case 's': opt.schema_ddl = optarg; break;
		case 'l': opt.location = optarg; break;
		case O_INFER: opt.infer_types = true; break;
		case O_PRIMITIVES: opt.primitives_as_string = true; break;
		case O_DECIMAL: opt.prefers_decimal = true; break;
		case O_DROP_NULL: opt.drop_if_all_null = true; break;
		case O_TS_FORMAT: opt.timestamp_format = pattern_arg("--timestamp-format", optarg); break;
		case O_DATE_FORMAT: opt.date_format = pattern_arg("--date-format", optarg); break;
		case O_INFER_ONLY: opt.infer_only = true; break;
		case O_HINTS: opt.hints = optarg; break;
		case O_EVOLUTION: opt.evolution = parse_evolution(optarg); break;
		case O_RESCUED:
			if (!*optarg)
				die(EX_USAGE, "--rescued-data-column must not be empty");
			opt.rescued = optarg;
			break;
		case O_FILES:
			opt.sample_files = parse_count_arg("--sample-files", optarg);
			break;
		case O_BYTES:
			opt.sample_bytes = parse_size_arg("--sample-bytes", optarg);
			break;
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (!opt.schema_ddl && !opt.location)
		usage_error("give --schema DDL or --schema-location DIR (to infer "
			    "the schema)");
	if (opt.infer_only && (opt.schema_ddl || !opt.location))
		die(EX_USAGE, "--infer-only infers into --schema-location DIR: give that, "
		    "and no --schema");
	/* Each one says what CSV text becomes: both cannot hold. */
	if (opt.primitives_as_string && opt.infer_types)
		die(EX_USAGE, "--primitives-as-string and --infer-column-types contradict "
		    "each other: give one");
	/* Databricks: addNewColumns when inferring, none with a given schema. */
	if (opt.evolution == EVOLVE_DEFAULT)
		opt.evolution = opt.schema_ddl ? EVOLVE_NONE : EVOLVE_ADD;
}

/* What the rows that follow were parsed from: parse's "format". */
enum row_format { ROWS_JSON, ROWS_CSV, ROWS_TEXT };

struct state {
	const struct stream_reader *in;	/* for messages: the input's name */
	enum row_format format;	/* of the current file; JSON without a file record */
	struct buf partitions;	/* the current file's partition columns: "name\0..." */
	struct schema schema;
	bool known;		/* the schema is decided */
	bool announced;		/* its record went out since the last change */
	struct ckpt ck;
	struct buf dir;		/* DIR/schemas, or empty without a location */
	struct buf path;	/* the current file, for _file_path and messages */
	long long record;	/* rows seen in the current file */
	struct buf row, rescued, tmp;
	long long dropped, rescued_rows, versions_added;
};

static bool reserved(const struct json_field *f)
{
	return json_key_is(f, "_metadata") || json_key_is(f, "_corrupt_record") ||
	       json_key_is(f, "_inlet_source") ||
	       json_key_is(f, opt.rescued);
}

/* Write schemas/V for the schema as it stands (a new version). */
static void store_version(struct state *st)
{
	struct buf path = BUF_INIT, text = BUF_INIT;

	if (!st->dir.len)
		return;
	schema_to_record(&st->schema, &text);
	buf_addc(&text, '\n');
	buf_printf(&path, "%s/%lld", st->dir.data, st->schema.version);
	if (write_file_atomic(path.data, text.data, text.len) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", path.data);
	buf_free(&path);
	buf_free(&text);
}

static void add_rescued_column(struct schema *s)
{
	struct type json = { TYPE_JSON, 0, 0 };

	if (opt.evolution != EVOLVE_NONE && schema_find(s, opt.rescued, strlen(opt.rescued)) < 0)
		schema_add(s, opt.rescued, strlen(opt.rescued), json);
}

/* Add the columns of DDL not in the schema (or retype them when RETYPE). */
static bool merge_ddl(struct schema *s, const char *ddl, const char *what, bool retype)
{
	struct schema extra = SCHEMA_INIT;
	struct buf err = BUF_INIT;
	bool changed = false;

	if (schema_parse_ddl(&extra, ddl, &err) < 0)
		die(EX_USAGE, "invalid %s: %s", what, err.data);
	for (size_t i = 0; i < extra.n; i++) {
		long at = schema_find(s, extra.cols[i].name, strlen(extra.cols[i].name));
		if (at < 0) {
			schema_add(s, extra.cols[i].name, strlen(extra.cols[i].name),
				   extra.cols[i].type);
			changed = true;
		} else if (retype && memcmp(&s->cols[at].type, &extra.cols[i].type,
					    sizeof(struct type))) {
			s->cols[at].type = extra.cols[i].type;
			changed = true;
		}
	}
	schema_free(&extra);
	buf_free(&err);
	return changed;
}

/* Load the latest stored version; true if there was one. */
static bool load_latest(struct state *st)
{
	struct buf path = BUF_INIT, text = BUF_INIT, err = BUF_INIT;
	long long v = ckpt_log_latest(st->dir.data);

	if (v < 0)
		return false;
	buf_printf(&path, "%s/%lld", st->dir.data, v);
	if (read_file(path.data, &text) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", path.data);
	while (text.len && text.data[text.len - 1] == '\n')
		text.data[--text.len] = '\0';
	if (schema_from_record(&st->schema, text.data, text.len, &err) < 0)
		die(EX_DATAERR, "checkpoint file '%s' is malformed (%s); restore it, or "
		    "remove it to fall back to the version before", path.data, err.data);
	st->schema.version = v;
	buf_free(&path);
	buf_free(&text);
	buf_free(&err);
	return true;
}

static void open_location(struct state *st)
{
	ckpt_open(&st->ck, opt.location);
	ckpt_lock(&st->ck, "rescue");
	ckpt_path(&st->ck, "schemas", -1, &st->dir);
	if (mkdir_p(st->dir.data) < 0)
		die_errno(EX_CANTCREAT, "cannot create '%s'", st->dir.data);
	remove_temporaries(st->dir.data);
	bool stored = load_latest(st);
	bool changed = false;

	if (!stored && !opt.schema_ddl)
		return;		/* inferred from the first batch */
	if (opt.infer_only) {
		st->known = true;	/* nothing to infer, nothing to change */
		return;
	}
	if (!stored) {
		merge_ddl(&st->schema, opt.schema_ddl, "--schema", false);
		st->schema.version = -1;
		changed = true;
	} else if (opt.schema_ddl) {
		/* A given schema that grew: its new columns make a new version. */
		changed = merge_ddl(&st->schema, opt.schema_ddl, "--schema", false);
	}
	if (opt.hints)
		changed |= merge_ddl(&st->schema, opt.hints, "--schema-hints", !stored);
	size_t before = st->schema.n;
	add_rescued_column(&st->schema);
	changed |= st->schema.n != before;
	if (changed) {
		st->schema.version++;
		store_version(st);
	}
	st->known = true;
}

/* ---- inference ---- */

/* The file record REC names its format; rows with no file record are JSON. */
static enum row_format format_of(const struct record *rec, struct buf *tmp)
{
	buf_reset(tmp);
	if (!record_get_string(rec, "format", tmp))
		return ROWS_JSON;
	if (!strcmp(tmp->data, "csv"))
		return ROWS_CSV;
	if (!strcmp(tmp->data, "text"))
		return ROWS_TEXT;
	return ROWS_JSON;
}

/* Follow the format of the rows through begin and file records. */
static void note_format(struct state *st, const struct record *rec)
{
	if (rec->kind != RECORD_CONTROL)
		return;
	if (!strcmp(rec->event, "begin")) {
		st->format = ROWS_JSON;
		buf_reset(&st->partitions);
	} else if (!strcmp(rec->event, "file")) {
		st->format = format_of(rec, &st->tmp);
		partcols_read(rec, &st->partitions);
	}
}

/*
 * Spark's rules for the current rows: JSON values keep their JSON types
 * and strings stay STRING; CSV text is typed only with
 * --infer-column-types; text rows (one "value" per line) are STRING.
 */
static struct infer_rules rules(const struct state *st)
{
	struct infer_rules r = {
		.text = st->format != ROWS_JSON,
		.examine_text = st->format == ROWS_CSV && opt.infer_types,
		.primitives_as_string = opt.primitives_as_string,
		.prefers_decimal = opt.prefers_decimal,
		.timestamp_format = opt.timestamp_format,
		.date_format = opt.date_format,
	};
	return r;
}

/*
 * The type of the value of F for inference.  A partition column's value
 * is folder text, whatever the file's format: typed as Spark's partition
 * inference does (spark.sql.sources.partitionColumnTypeInference) only
 * with --infer-column-types (Auto Loader: cloudFiles.inferColumnTypes),
 * and never as BOOLEAN, which that inference does not make.
 */
static struct type infer_field(const struct state *st, const struct json_field *f,
			       bool *is_null)
{
	struct infer_rules r = rules(st);

	if (!st->partitions.len || !partcols_has(&st->partitions, f))
		return value_infer(f->val, f->val_len, &r, is_null);
	r.text = true;
	r.examine_text = opt.infer_types;
	struct type t = value_infer(f->val, f->val_len, &r, is_null);
	if (t.kind == TYPE_BOOLEAN)
		t = (struct type){ TYPE_STRING, 0, 0 };
	return t;
}

/* The types seen so far, column by column. */
struct inference {
	bool *seen_value;	/* owned: the column had a value other than null */
	size_t cap;
	long long files, rows;
};

static void infer_row(struct state *st, struct inference *inf, const struct record *rec)
{
	inf->rows++;
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field f = rec->fields[i];
		if (reserved(&f))
			continue;
		buf_reset(&st->tmp);
		json_key_decode(&st->tmp, &f);
		bool is_null;
		struct type t = infer_field(st, &f, &is_null);
		long at = schema_find_nocase(&st->schema, st->tmp.data, st->tmp.len);
		if (at < 0) {
			at = (long)schema_add(&st->schema, st->tmp.data, st->tmp.len, t);
			if (st->schema.n > inf->cap) {
				inf->cap = st->schema.cap;
				inf->seen_value = xrealloc(inf->seen_value,
							   inf->cap * sizeof(*inf->seen_value));
			}
			inf->seen_value[at] = !is_null;
		} else if (!is_null) {
			st->schema.cols[at].type = inf->seen_value[at] ?
				type_widen(st->schema.cols[at].type, t) : t;
			inf->seen_value[at] = true;
		}
	}
}

/* Spark's canonicalizeType: a column seen only as null is STRING, or left out. */
static void settle_null_columns(struct state *st, const struct inference *inf)
{
	struct schema kept = SCHEMA_INIT;

	for (size_t i = 0; i < st->schema.n; i++) {
		struct column_def *c = &st->schema.cols[i];
		if (inf->seen_value[i]) {
			schema_add(&kept, c->name, c->name_len, c->type);
		} else if (opt.drop_if_all_null) {
			if (!opt.quiet)
				fprintf(stderr, "inlet-rescue: column '%s' left out: only null "
					"in the sample (--drop-field-if-all-null)\n", c->name);
		} else {
			struct type str = { TYPE_STRING, 0, 0 };
			schema_add(&kept, c->name, c->name_len, str);
		}
	}
	schema_free(&st->schema);
	st->schema = kept;
}

/* Make the inferred schema version 0: hints, the rescued column, stored. */
static void infer_finish(struct state *st, struct inference *inf)
{
	settle_null_columns(st, inf);
	free(inf->seen_value);
	inf->seen_value = NULL;
	if (opt.hints)
		merge_ddl(&st->schema, opt.hints, "--schema-hints", true);
	add_rescued_column(&st->schema);
	st->schema.version = 0;
	store_version(st);
	st->known = true;
	if (!opt.quiet) {
		buf_reset(&st->tmp);
		schema_to_record(&st->schema, &st->tmp);
		fprintf(stderr, "inlet-rescue: inferred schema version 0 from %lld rows "
			"in %lld files: %s\n", inf->rows, inf->files, st->tmp.data);
	}
}

struct sample {
	struct buf text;	/* the buffered lines, each ending in '\n' */
	long long files, rows;
	bool batch_done;	/* an end record closed a batch that had rows */
};

/* The first batch, buffered in SM: infer from it. */
static void infer(struct state *st, const struct sample *sm)
{
	const char *p = sm->text.data, *end = p + sm->text.len;
	struct inference inf = { NULL, 0, sm->files, 0 };

	st->format = ROWS_JSON;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record rec;
		record_classify(&rec, p, (size_t)(nl - p), NULL);
		if (rec.kind == RECORD_ROW)
			infer_row(st, &inf, &rec);
		else
			note_format(st, &rec);
		p = nl + 1;
	}
	infer_finish(st, &inf);
}

/* ---- rows ---- */

static void announce(struct state *st)
{
	if (st->announced)
		return;
	buf_reset(&st->tmp);
	schema_to_record(&st->schema, &st->tmp);
	stream_write(stdout, st->tmp.data, st->tmp.len);
	st->announced = true;
}

/* A new column from field F: a new schema version, stored and announced. */
static void add_column(struct state *st, const char *name, size_t n,
		       const struct json_field *f)
{
	bool is_null;
	struct type t = infer_field(st, f, &is_null);

	schema_add(&st->schema, name, n, t);
	st->schema.version++;
	store_version(st);
	st->announced = false;
	st->versions_added++;
	if (!opt.quiet)
		fprintf(stderr, "inlet-rescue: new column '%s' in '%s': schema version %lld\n",
			st->schema.cols[st->schema.n - 1].name,
			st->path.len ? st->path.data : st->in->name, st->schema.version);
}

static void process_row(struct state *st, const struct record *rec)
{
	struct rowwriter w;
	size_t position = 0;
	const char *text;
	size_t len;

	rowwriter_begin(&w, rec, &st->row, &st->rescued);
	/*
	 * The commonest row first: its members named as the schema's columns,
	 * in order, none an object that may be a rescued column (merged
	 * below).  Each is a column kept as it is, nothing for the writer.
	 */
	size_t i = 0, n = rec->nfields < st->schema.n ? rec->nfields : st->schema.n;
	for (; i < n; i++) {
		const struct json_field *f = &rec->fields[i];
		const struct column_def *c = &st->schema.cols[i];
		if (f->key_escaped || f->key_len != c->name_len || f->val[0] == '{' ||
		    !names_equal(c->name, f->key, f->key_len))
			break;
	}
	/* The rest member by member, the schema's columns looked up from there. */
	for (position = i; i < rec->nfields; i++) {
		const struct json_field f = rec->fields[i];
		if (f.val[0] == '{' && json_key_is(&f, opt.rescued)) {
			rowwriter_prior_rescued(&w, i);
			continue;
		}
		bool known = !f.key_escaped &&
			     schema_find_hint(&st->schema, f.key, f.key_len, position++) >= 0;
		if (!known && !reserved(&f)) {
			buf_reset(&st->tmp);
			json_key_decode(&st->tmp, &f);
			if (schema_find(&st->schema, st->tmp.data, st->tmp.len) < 0) {
				bool case_clash = schema_find_nocase(&st->schema, st->tmp.data,
								     st->tmp.len) >= 0;
				enum evolution e = opt.evolution;
				/* A name differing only in case is rescued, never a column. */
				if (case_clash && e == EVOLVE_ADD)
					e = EVOLVE_RESCUE;
				/* As in inference, null and "" are no reason for a column. */
				if (opt.drop_if_all_null && (json_is_null(f.val, f.val_len) ||
							     (f.val_len == 2 && f.val[0] == '"')))
					e = EVOLVE_NONE;
				switch (e) {
				case EVOLVE_ADD:
					add_column(st, st->tmp.data, st->tmp.len, &f);
					break;
				case EVOLVE_FAIL:
					die(EX_DATAERR, "new column '%s' in '%s' record %lld "
					    "(--schema-evolution-mode fail-on-new-columns); add it "
					    "with --schema or --schema-hints and run again",
					    st->tmp.data, st->path.len ? st->path.data : st->in->name,
					    st->record);
				case EVOLVE_NONE:
					st->dropped++;
					rowwriter_drop(&w, i);
					continue;
				default:
					rowwriter_rescue(&w, &f);
					rowwriter_drop(&w, i);
					continue;
				}
			}
		}
		rowwriter_keep(&w, i);
	}
	announce(st);
	/* Merged with what upstream rescued, and named by the file. */
	if (rowwriter_rescued_column(&w, opt.rescued, st->path.len ? st->path.data : NULL,
				     st->path.len))
		st->rescued_rows++;
	text = rowwriter_finish(&w, &len);
	stream_write(stdout, text, len);
}

/* Everything but schema records and rows passes through unchanged. */
static void process(struct state *st, const struct record *rec)
{
	if (rec->kind == RECORD_ROW) {
		st->record++;
		process_row(st, rec);
		return;
	}
	if (!strcmp(rec->event, "schema"))
		return;		/* this stage owns the schema */
	note_format(st, rec);
	if (!strcmp(rec->event, "file")) {
		buf_reset(&st->path);
		record_get_string(rec, "path", &st->path);
		st->record = 0;
	}
	stream_write(stdout, rec->text, rec->len);
	if (!strcmp(rec->event, "end"))
		stream_flush(stdout);
}

static void replay_sample(struct state *st, struct sample *sm)
{
	const char *p = sm->text.data, *end = p + sm->text.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record rec;
		record_classify(&rec, p, (size_t)(nl - p), NULL);
		process(st, &rec);
		p = nl + 1;
	}
	buf_free(&sm->text);
}

/*
 * --infer-only: infer schemas/0 from the rows of the whole stream, every
 * batch, until --sample-files files or --sample-bytes bytes, and write
 * nothing on stdout.  The rest of the stream is read to its end, so that
 * the stages before finish as they would into any reader.  With a version
 * already stored there is nothing to infer: the stream is read and the
 * location left as it is.
 */
static void infer_only(struct state *st, struct batch_reader *in)
{
	struct inference inf = { NULL, 0, 0, 0 };
	long long bytes = 0;
	bool sampling = !st->known;

	if (st->known && !opt.quiet)
		fprintf(stderr, "inlet-rescue: '%s' already holds schema version %lld: "
			"nothing inferred\n", st->dir.data, st->schema.version);
	for (;;) {
		enum batch_event ev = batch_next(in);
		const struct record *rec = &in->rec;

		if (ev == BATCH_EOF)
			break;
		if (ev == BATCH_CUT)
			batch_die_cut(in, "no schema inferred");
		if (!sampling)
			continue;
		bytes += (long long)rec->len + 1;
		if (ev == BATCH_FILE && ++inf.files > opt.sample_files) {
			inf.files--;
			sampling = false;
		} else if (ev == BATCH_ROW) {
			infer_row(st, &inf, rec);
		} else {
			note_format(st, rec);
		}
		if (bytes > opt.sample_bytes)
			sampling = false;
	}
	if (st->known)
		return;
	if (!inf.rows) {
		free(inf.seen_value);
		if (!opt.quiet)
			fprintf(stderr, "inlet-rescue: no rows in the stream: nothing inferred; "
				"the pipeline infers from its first batch\n");
		return;
	}
	infer_finish(st, &inf);
}

int main(int argc, char **argv)
{
	struct state st;
	struct batch_reader in;
	struct sample sm = { BUF_INIT, 0, 0, false };

	parse_options(argc, argv);
	/* The DDLs fail before the location is opened, not at the first batch. */
	struct schema ddl = SCHEMA_INIT;
	if (opt.schema_ddl)
		merge_ddl(&ddl, opt.schema_ddl, "--schema", false);
	if (opt.hints)
		merge_ddl(&ddl, opt.hints, "--schema-hints", true);
	schema_free(&ddl);
	check_options_exit();
	stream_setup_stdout();
	stream_defer_stop_signals();
	memset(&st, 0, sizeof(st));
	st.schema.version = -1;
	if (opt.location) {
		open_location(&st);
	} else {
		merge_ddl(&st.schema, opt.schema_ddl, "--schema", false);
		if (opt.hints)
			merge_ddl(&st.schema, opt.hints, "--schema-hints", true);
		add_rescued_column(&st.schema);
		st.schema.version = 0;
		st.known = true;
	}

	batch_reader_init_files(&in, argv + optind, argc - optind);
	batch_reader_trust(&in);	/* its output goes on to another stage */
	st.in = &in.in;
	if (opt.infer_only)
		infer_only(&st, &in);
	for (; !opt.infer_only;) {
		enum batch_event ev = batch_next(&in);
		const struct record *rec = &in.rec;

		if (ev == BATCH_EOF)
			break;
		if (ev == BATCH_CUT) {
			/* No schema is inferred from a batch that never ended. */
			batch_die_cut(&in, "the batch is replayed on restart");
		}
		if (st.known) {
			process(&st, rec);
			continue;
		}
		/* Sampling: hold the first batch (within bounds) to infer from it. */
		buf_add(&sm.text, rec->text, rec->len);
		buf_addc(&sm.text, '\n');
		if (ev == BATCH_ROW)
			sm.rows++;
		else if (ev == BATCH_FILE)
			sm.files++;
		else if (ev == BATCH_END && sm.rows)
			sm.batch_done = true;
		if (sm.batch_done || sm.files > opt.sample_files ||
		    (long long)sm.text.len > opt.sample_bytes) {
			infer(&st, &sm);
			replay_sample(&st, &sm);
		}
	}
	if (!st.known && sm.rows)
		infer(&st, &sm);
	if (sm.text.len)
		replay_sample(&st, &sm);	/* with no rows: control records only */
	int status = batch_reader_status(&in);
	batch_reader_free(&in);
	if (!opt.quiet && (st.dropped || st.rescued_rows))
		fprintf(stderr, "inlet-rescue: %lld rows with rescued data, %lld values of "
			"unknown columns dropped\n", st.rescued_rows, st.dropped);
	schema_free(&st.schema);
	buf_free(&st.dir);
	buf_free(&st.path);
	buf_free(&st.row);
	buf_free(&st.rescued);
	buf_free(&st.tmp);
	buf_free(&st.partitions);
	buf_free(&sm.text);
	if (opt.location)
		ckpt_close(&st.ck);
	close_stdout();
	return status;
}
