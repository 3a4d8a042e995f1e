/*
 * inlet-commit: write each batch of rows into a table exactly once.
 *
 * The order of writes is the whole story (inlet(7)): the sink's own
 * transaction holds a batch's rows and its (checkpoint id, batch) mark;
 * commits/N is written after it.  A crash between the two replays batch N,
 * which the sink recognises by its mark and skips.  A batch whose "end"
 * never arrives (an upstream stage died) is rolled back, never committed.
 *
 * main is the state machine the batch reader's events drive; each
 * transition is one function below:
 *
 *   SETUP     setup(): the checkpoint's lock, the sink opened, claimed,
 *             its marks checked, then cleaner_resume (what a crash left
 *             queued)
 *   IDLE      between batches; a schema record is kept for the next one
 *      begin  begin_batch(): the sink opens its transaction and says
 *             whether it holds (checkpoint id, N) already: then the batch
 *             is a replay and writes nothing
 *   IN_BATCH  take_file(), take_schema(), take_row(), handle_control()
 *             ("skip"); rows also go to the --each-batch temporary file
 *      cut    drop_batch(): the sink rolls back, exit 74
 *      end    finish_batch(), in this order:
 *     QUEUED     queue_cleaning(): the files in CK/clean-pending
 *     SINK       commit_to_sink(): rows, mark and ledger in one
 *                transaction (a replay: rolled back)
 *     HOOK       hook_run(): --each-batch on the batch's rows
 *     MARKED     write_mark(): commits/N, old entries pruned
 *     CLEANED    cleaner_run(): the queued files of committed batches
 *             then the progress object, and IDLE again
 *   EOF       print_summary(), teardown()
 *
 * What a kill -9 leaves, and what the restart on the same checkpoint
 * does (discover replays offsets/L+1, L the newest commits/ entry):
 *
 *   before SINK (crash point commit-before-sink): the transaction dies
 *     with the process; cleaner_resume drops the queued entries of N;
 *     the replay writes N and queues its files again.
 *   after SINK, before MARKED (commit-after-sink, or inside the hook):
 *     the sink holds N; the replay's begin_batch finds the mark, writes
 *     no row, the hook runs again (at least once, as Spark's
 *     foreachBatch), and commits/N is written.
 *   after MARKED (commit-after-mark): nothing is replayed;
 *     cleaner_resume cleans what the queue holds for N.
 *
 * SIGINT and SIGTERM end the run once the batch in hand is committed; a
 * batch framed here (plain NDJSON) ends, and is committed, where the
 * signal found it.  One ignored at start stays ignored: a composite starts
 * commit so, and stops its first stage, and commit then drains the batch
 * in flight to the end of its input (a stop between batches here would
 * cut a batch still on its way).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "ckpt.h"
#include "datetime.h"
#include "cli.h"
#include "die.h"
#include "clean.h"
#include "fault.h"
#include "hook.h"
#include "fileio.h"
#include "identity.h"
#include "meter.h"
#include "options.h"
#include "sink.h"
#include "batch.h"
#include "json.h"
#include "ledger.h"
#include "pgconn.h"
#include "stream.h"

static struct options {
	const char *checkpoint;
	const char *db, *table, *dir, *csv;
	bool to_stdout, crlf;
	enum sink_mode mode;
	const char *key;
	bool no_new_columns;
	const char *clean_source;
	const char *each_batch;
	long long clean_retention_us;
	bool clean_retention_set;
	bool quiet, summary_only, progress;
	long long keep;
} opt = {
	.keep = 100,
	.clean_retention_us = CLEAN_RETENTION_DEFAULT_US,
};

/* The options: getopt, --help and --complete (options.h). */
enum { O_DB = 256, O_TABLE, O_DIR, O_CSV, O_CRLF, O_STDOUT, O_MODE, O_KEY, O_NO_NEW_COLUMNS, O_CLEAN, O_CLEAN_RETENTION, O_EACH_BATCH, O_KEEP, O_SUMMARY, O_PROGRESS };
static const struct optdef optdefs[] = {
	{ 'c', "checkpoint", OPT_REQUIRED, "DIR", OPT_DIR,
	  "checkpoint folder (commits/); without it batches\n"
	  "are committed but not remembered" },
	{ O_DB, "db", OPT_REQUIRED, "FILE|URI", OPT_FILE,
	  "SQLite database (created when missing), or a\n"
	  "PostgreSQL database: postgresql://..." },
	{ O_TABLE, "table", OPT_REQUIRED, "NAME", NULL,
	  "table in --db (created on first write)" },
	{ O_DIR, "dir", OPT_REQUIRED, "DIR", OPT_DIR,
	  "NDJSON table folder: part files + _manifest" },
	{ O_CSV, "csv", OPT_REQUIRED, "FILE", OPT_FILE,
	  "CSV file with a header, its lock and marks in\n"
	  "FILE.inlet/; '-': standard output, no marks" },
	{ O_CRLF, "crlf", OPT_NONE, NULL, NULL,
	  "end CSV lines with CRLF (default LF)" },
	{ O_STDOUT, "stdout", OPT_NONE, NULL, NULL,
	  "console sink: rows to standard output" },
	{ O_MODE, "mode", OPT_REQUIRED, "MODE", "append overwrite upsert",
	  "append (default); overwrite: replace the table\n"
	  "atomically with each batch; upsert: insert or\n"
	  "update rows by --key (databases only)" },
	{ O_KEY, "key", OPT_REQUIRED, "COLUMNS", NULL,
	  "upsert key, e.g. window_start,customer_id" },
	{ O_NO_NEW_COLUMNS, "no-new-columns", OPT_NONE, NULL, NULL,
	  "a column the table lacks is an error (65), not\n"
	  "added (COPY INTO's mergeSchema off)" },
	{ O_CLEAN, "clean-source", OPT_REQUIRED, "WHAT", "delete move:<dir>",
	  "delete, or move:DIR, each batch's source files\n"
	  "once the batch is durable (needs --checkpoint)" },
	{ O_CLEAN_RETENTION, "clean-retention", OPT_REQUIRED, "DURATION", NULL,
	  "wait DURATION after a batch is committed before\n"
	  "its files are cleaned (default 30 days; 0: at\n"
	  "once; delete: at least 7 days, or 0)" },
	{ O_KEEP, "keep-batches", OPT_REQUIRED, "N", NULL,
	  "commits/ entries kept (default 100)" },
	{ O_EACH_BATCH, "each-batch", OPT_REQUIRED, "CMD", NULL,
	  "run CMD (sh -c) once per batch once the sink holds\n"
	  "it, the batch's rows on its standard input (at\n"
	  "least once: before commits/N); alone, no sink" },
	{ O_SUMMARY, "summary-only", OPT_NONE, NULL, NULL,
	  "print only the summary at the end" },
	{ O_PROGRESS, "progress", OPT_NONE, NULL, NULL,
	  "show a progress line on standard error even when\n"
	  "it is not a terminal" },
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "print neither progress nor summary" },
	OPT_END
};
static struct optset optset = { optdefs, 26, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-commit [--checkpoint DIR] (--db FILE --table NAME | --dir DIR |\n"
"                    --csv FILE | --stdout) [options] [FILE...]\n"
"\n"
"Write the rows on standard input into a table, one transaction per batch,\n"
"each batch exactly once.  Prints one progress object per batch and a\n"
"COPY INTO summary at the end on standard output (standard error with\n"
"--stdout and --csv -).\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n");
}

static void parse_options(int argc, char **argv)
{
	int c, sinks;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case 'c': opt.checkpoint = optarg; break;
		case O_DB: opt.db = optarg; break;
		case O_TABLE: opt.table = optarg; break;
		case O_DIR: opt.dir = optarg; break;
		case O_CSV: opt.csv = optarg; break;
		case O_CRLF: opt.crlf = true; break;
		case O_STDOUT: opt.to_stdout = true; break;
		case O_MODE:
			if (!strcasecmp(optarg, "append"))
				opt.mode = SINK_APPEND;
			else if (!strcasecmp(optarg, "overwrite"))
				opt.mode = SINK_OVERWRITE;
			else if (!strcasecmp(optarg, "upsert"))
				opt.mode = SINK_UPSERT;
			else
				die(EX_USAGE, "invalid value '%s' for --mode: expected "
				    "append, overwrite or upsert", optarg);
			break;
		case O_KEY:
			if (!*optarg || strstr(optarg, ",,") || *optarg == ',' ||
			    optarg[strlen(optarg) - 1] == ',')
				die(EX_USAGE, "invalid value '%s' for --key: expected "
				    "COLUMN[,COLUMN...]", optarg);
			opt.key = optarg;
			break;
		case O_NO_NEW_COLUMNS: opt.no_new_columns = true; break;
		case O_CLEAN: opt.clean_source = optarg; break;
		case O_EACH_BATCH: opt.each_batch = optarg; break;
		case O_CLEAN_RETENTION:
			opt.clean_retention_us = parse_duration_arg("--clean-retention", optarg);
			opt.clean_retention_set = true;
			break;
		case O_KEEP:
			opt.keep = parse_count_arg("--keep-batches", optarg);
			if (opt.keep < 2)
				die(EX_USAGE, "--keep-batches must be at least 2");
			break;
		case O_SUMMARY: opt.summary_only = true; break;
		case 'q': opt.quiet = true; break;
		case O_PROGRESS: opt.progress = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	sinks = (opt.db || opt.table) + !!opt.dir + !!opt.csv + opt.to_stdout;
	if (sinks != 1 && !(sinks == 0 && opt.each_batch))
		usage_error("give exactly one sink: --db FILE --table NAME, --dir DIR, "
			    "--csv FILE or --stdout");
	if (!opt.db != !opt.table)
		usage_error("--db and --table go together");
	if (opt.table && !*opt.table)
		die(EX_USAGE, "--table must not be empty");
	/* Rows in the marks table would forge marks; sqlite_* are SQLite's own. */
	if (opt.table && (!strcasecmp(opt.table, "_inlet_commits") ||
			  !strncasecmp(opt.table, "sqlite_", 7)))
		die(EX_USAGE, "--table '%s' is reserved: inlet keeps its commit marks in "
		    "_inlet_commits, and SQLite owns the sqlite_ names", opt.table);
	/* Rows in the ledger would forge loaded files. */
	if (opt.table && !strcasecmp(opt.table, "_inlet_files"))
		die(EX_USAGE, "--table '%s' is reserved: inlet keeps its file ledger in "
		    "_inlet_files", opt.table);
	if (opt.db && pg_is_uri(opt.db))
		pg_check_uri(opt.db);
	if ((opt.mode == SINK_UPSERT) != !!opt.key)
		die(EX_USAGE, "--mode upsert and --key COLUMNS go together");
	if (opt.mode == SINK_UPSERT && !opt.db)
		die(EX_USAGE, "--mode upsert needs a database sink (--db, --table)");
	if (opt.csv && !*opt.csv)
		die(EX_USAGE, "--csv must not be empty");
	if (opt.crlf && !opt.csv)
		die(EX_USAGE, "--crlf goes with --csv");
	/* Standard output cannot be replaced, only written on. */
	if (opt.csv && !strcmp(opt.csv, "-") && opt.mode == SINK_OVERWRITE)
		die(EX_USAGE, "--mode overwrite needs a file: --csv - writes standard output");
	if (opt.clean_retention_set && !opt.clean_source)
		die(EX_USAGE, "--clean-retention goes with --clean-source");
	if (opt.clean_source)
		cleaner_check(opt.clean_source, opt.clean_retention_us, opt.checkpoint);
}

/*
 * The sink, open for the whole run.  At file scope so that it stays
 * reachable when a check dies halfway (the leak checker of the sanitizer
 * build would otherwise count the open database as lost).
 */
static struct sink *sink;

struct batch {
	bool already;
	bool marked;		/* commits/ holds it already: fed again by hand */
	long long id;		/* -1: unnumbered, no mark */
	long long rows, files, corrupt_files;
	/*
	 * Monotonic times of the batch, for Spark's durationMs: its "begin"
	 * read, the sink (and --each-batch) done, and the mark written (0:
	 * no mark).  PREVIOUS_NS is the last batch's begin in this run (0:
	 * none), for inputRowsPerSecond.
	 */
	long long started_ns, added_ns, mark_ns, previous_ns;
	/* The file ledger: versions another batch loaded, their rows left out. */
	long long loaded_files, loaded_rows;
	bool leaving;		/* the current file's rows are left out */
	long long leaving_rows;
	struct ledger_hit by;	/* who loaded the current file */
	struct buf leaving_path;
};

struct totals {
	long long inserted, corrupt_files, batches, loaded_files, loaded_rows;
};

/* Whole milliseconds from FROM_NS to TO_NS, as Spark's durationMs counts. */
static long long whole_ms(long long from_ns, long long to_ns)
{
	return (to_ns - from_ns) / 1000000;
}

/*
 * Spark's StreamingQueryProgress names, after inlet's own, so monitoring
 * written for Spark reads the object.  Spark: inputRowsPerSecond is the
 * rows over the time since the previous trigger began (0 for the first),
 * processedRowsPerSecond the rows over the trigger's own time (at least
 * 1 ms).  durationMs holds what commit measures itself: addBatch (rows
 * received and written, the sink's transaction and --each-batch, as
 * Spark's addBatch runs the batch into its sink), commitOffsets (the
 * commits/N mark) and triggerExecution (the whole batch).
 */
static void print_spark_progress(FILE *fp, const struct batch *b, long long end_ns)
{
	long long trigger_ms = whole_ms(b->started_ns, end_ns);
	double input_s = b->previous_ns ? (double)(b->started_ns - b->previous_ns) / 1e9 : 0;

	if (b->id >= 0)
		fprintf(fp, ",\"batchId\":%lld", b->id);
	else
		fputs(",\"batchId\":null", fp);
	fprintf(fp, ",\"numInputRows\":%lld,\"inputRowsPerSecond\":%.3f,"
		"\"processedRowsPerSecond\":%.3f,\"durationMs\":{\"addBatch\":%lld,",
		b->rows, input_s > 0 ? (double)b->rows / input_s : 0.0,
		(double)b->rows / ((double)(trigger_ms > 1 ? trigger_ms : 1) / 1000.0),
		whole_ms(b->started_ns, b->added_ns));
	if (b->mark_ns)
		fprintf(fp, "\"commitOffsets\":%lld,", whole_ms(b->added_ns, b->mark_ns));
	fprintf(fp, "\"triggerExecution\":%lld}", trigger_ms);
}

static void print_progress(FILE *fp, const struct sink *to, const struct batch *b)
{
	long long end_ns = monotonic_ns();
	double ms = (double)(end_ns - b->started_ns) / 1e6;
	char now[32];

	if (opt.quiet || opt.summary_only)
		return;
	iso8601_now(now);
	if (b->id >= 0)
		fprintf(fp, "{\"batch\":%lld,\"sink\":", b->id);
	else
		fputs("{\"batch\":null,\"sink\":", fp);
	struct buf name = BUF_INIT;
	json_path_encode(&name, to->name, strlen(to->name));
	fwrite(name.data, 1, name.len, fp);
	buf_free(&name);
	fprintf(fp, ",\"files\":%lld,\"rows\":%lld,\"inserted\":%lld,"
		"\"already_committed\":%s,\"corrupt_files\":%lld,",
		b->files, b->rows, b->already ? 0 : b->rows - b->loaded_rows,
		b->already ? "true" : "false", b->corrupt_files);
	if (b->loaded_files)
		fprintf(fp, "\"already_loaded_files\":%lld,\"already_loaded_rows\":%lld,",
			b->loaded_files, b->loaded_rows);
	fprintf(fp, "\"duration_ms\":%.3f,\"rows_per_sec\":%.0f,\"timestamp\":\"%s\"",
		ms, ms > 0 ? (double)b->rows / (ms / 1000.0) : 0.0, now);
	print_spark_progress(fp, b, end_ns);
	fputs("}\n", fp);
	stream_flush(fp);
}

/* "csv:/abs/folder/NAME": the folder resolved, the file maybe not there yet. */
static void csv_identity(struct buf *out)
{
	const char *slash = strrchr(opt.csv, '/');
	struct buf dir = BUF_INIT;
	char *abs;

	if (slash)
		buf_add(&dir, opt.csv, (size_t)(slash - opt.csv) + 1);
	else
		buf_adds(&dir, ".");
	abs = realpath(dir.data, NULL);
	buf_printf(out, "csv:%s/%s", abs ? abs : dir.data, slash ? slash + 1 : opt.csv);
	free(abs);
	buf_free(&dir);
}

/* The sink as the checkpoint remembers it: absolute, so a cd changes nothing. */
static void sink_identity(struct buf *out)
{
	char *abs = NULL;

	if (opt.db && pg_is_uri(opt.db)) {
		buf_adds(out, sink->name);	/* user, host, port, database: no password */
	} else if (opt.db) {
		abs = realpath(opt.db, NULL);
		buf_printf(out, "sqlite:%s:%s", abs ? abs : opt.db, opt.table);
	} else if (opt.dir) {
		abs = realpath(opt.dir, NULL);
		buf_printf(out, "dir:%s", abs ? abs : opt.dir);
	} else if (opt.csv && strcmp(opt.csv, "-")) {
		csv_identity(out);
	} else if (opt.csv) {
		buf_adds(out, "csv:-");
	} else {
		buf_adds(out, sink->name);	/* "stdout", "each-batch" */
	}
	free(abs);
}

/*
 * The batch's begin record names the checkpoint its numbers belong to:
 * they mean something only in that checkpoint, so commit must keep its
 * marks there, or a rerun appends the same batch again.
 */
static void check_origin(const struct batch_reader *in, const struct ckpt *ck)
{
	if (!in->checkpoint[0])
		return;
	if (!opt.checkpoint)
		die(EX_USAGE, "'%s' line %lu: batch %lld comes from checkpoint %s; give "
		    "inlet-commit the same --checkpoint folder as inlet-discover, or a "
		    "rerun would append it again", in->in.name, in->in.lineno, in->id,
		    in->checkpoint);
	if (strcmp(in->checkpoint, ck->id))
		die(EX_USAGE, "'%s' line %lu: batch %lld comes from checkpoint %s, but "
		    "--checkpoint '%s' is checkpoint %s: the pipeline's stages must "
		    "share one checkpoint folder", in->in.name, in->in.lineno, in->id,
		    in->checkpoint, ck->dir, ck->id);
}

/*
 * --clean-source acts on batches numbered by discover: only they are
 * queued against commits/N.  The files of a batch framed elsewhere stay.
 */
static void unnumbered_not_cleaned(struct cleaner *c, long long files)
{
	warning("%lld source files of an unnumbered batch left in place: "
		"--clean-source cleans batches numbered by inlet-discover --checkpoint",
		files);
	c->left += files;
	cleaner_forget(c);
}

/*
 * commits/L says the sink holds batch L: the sink must have its mark.  A
 * sink deleted, emptied or restored from an older backup would otherwise
 * take the replays of later batches and silently miss everything up to L.
 * (An --dir table in overwrite mode keeps only its newest batch's mark,
 * which may be L + 1 after a crash: nothing to check there.)
 */
static void check_sink_marks(const char *commits, long long last)
{
	if (last < 0 || opt.to_stdout || !strcmp(sink->name, "each-batch") || (opt.dir && opt.mode == SINK_OVERWRITE) ||
	    (opt.csv && !strcmp(opt.csv, "-")))
		return;
	if (sink->ops->begin(sink, last) != 1)
		die(EX_DATAERR, "'%s/%lld' says batch %lld is durable in %s, but it holds "
		    "no mark of it: the sink was replaced, emptied or restored from an "
		    "older backup; restore it, or start a new checkpoint to load "
		    "everything again", commits, last, last, sink->name);
	sink->ops->abort(sink);
}

/*
 * The file record REC starts a file's rows: ask the sink's ledger whether
 * another batch loaded this version (only for a batch that gets a mark:
 * the ledger names a checkpoint and batch).
 */
static void ledger_file(struct batch *b, const struct record *rec)
{
	struct file_identity id;

	b->leaving = false;
	if (b->already || !sink->ledger || b->id < 0 || !opt.checkpoint)
		return;
	identity_from_record(&id, rec);
	buf_reset(&b->leaving_path);
	if (!id.known || !record_get_string(rec, "path", &b->leaving_path))
		return;
	ledger_path(&b->leaving_path);
	b->leaving = sink->ledger->file(sink, b->leaving_path.data, &id, &b->by) == 1;
	b->leaving_rows = 0;
}

/* The file whose rows were left out has ended: say so, once, and count it. */
static void ledger_file_end(struct batch *b)
{
	if (!b->leaving)
		return;
	b->leaving = false;
	error("'%s' already loaded by checkpoint %s batch %lld; its %lld row%s left out",
	      b->leaving_path.data, b->by.checkpoint, b->by.batch, b->leaving_rows,
	      b->leaving_rows == 1 ? "" : "s");
	b->loaded_files++;
	b->loaded_rows += b->leaving_rows;
}

/* Remember the path of a skip record that asks for the file to be listed again. */
static void note_retry(const struct record *rec, struct buf *retry)
{
	const char *v, *p;
	size_t n, pn;

	if (json_object_get(rec->text, rec->len, "retry", &v, &n) != 1 ||
	    n != 4 || memcmp(v, "true", 4) ||
	    json_object_get(rec->text, rec->len, "path", &p, &pn) != 1 ||
	    !json_is_string(p, pn))
		return;
	buf_addc(retry, retry->len ? ',' : '[');
	buf_add(retry, p, pn);	/* the path's JSON text, as parse wrote it */
}

/* What one run holds between events: main's, passed to each transition. */
struct run {
	struct ckpt ck;		/* zero without --checkpoint */
	struct buf commits;	/* CK/commits; empty without --checkpoint */
	long long last_mark;	/* the newest commits/ entry; -1: none */
	struct batch_reader in;
	struct batch b;		/* the batch in hand, or the last one */
	struct totals t;
	struct cleaner cleaner;	/* set up only with --clean-source */
	struct hook hook;	/* set up only with --each-batch */
	struct buf pending_schema;	/* the schema in force for the next batch */
	struct buf retry;	/* the paths of skip records asking to be listed again */
	struct buf path, text;	/* scratch */
	FILE *progress;		/* where progress objects and the summary go */
	struct meter meter;
};

/* SETUP: take the checkpoint's lock and tidy its commits/ folder. */
static void open_checkpoint(struct run *r)
{
	ckpt_open(&r->ck, opt.checkpoint);
	ckpt_lock(&r->ck, "commit");
	ckpt_path(&r->ck, "commits", -1, &r->commits);
	if (mkdir_p(r->commits.data) < 0)
		die_errno(EX_CANTCREAT, "cannot create '%s'", r->commits.data);
	remove_temporaries(r->commits.data);
	/* The lock is ours: from here on this run alone writes marks. */
	r->last_mark = ckpt_log_latest(r->commits.data);
}

/*
 * SETUP: open the sink the options name, claim it for the checkpoint and
 * check that it holds the mark of the newest commits/ entry.
 */
static void open_sink(struct run *r)
{
	if (opt.db && pg_is_uri(opt.db))
		sink = sink_pg_open(opt.db, opt.table);
	else if (opt.db)
		sink = sink_sqlite_open(opt.db, opt.table);
	else if (opt.dir)
		sink = sink_dir_open(opt.dir);
	else if (opt.csv)
		sink = sink_csv_open(opt.csv, opt.mode, opt.crlf);
	else if (opt.each_batch && !opt.to_stdout)
		sink = hook_sink_open();	/* --each-batch is the sink */
	else
		sink = sink_stdout_open();
	if (opt.checkpoint) {
		sink_identity(&r->text);
		ckpt_claim(&r->ck, "sink", r->text.data);
	}
	sink->checkpoint_id = opt.checkpoint ? r->ck.id : NULL;
	sink->mode = opt.mode;
	sink->key = opt.key;
	sink->no_new_columns = opt.no_new_columns;
	if (opt.checkpoint)
		check_sink_marks(r->commits.data, r->last_mark);
}

/* SETUP, in this order. */
static void setup(struct run *r)
{
	if (opt.checkpoint)
		open_checkpoint(r);
	if (opt.clean_source)
		cleaner_init(&r->cleaner, opt.clean_source, opt.clean_retention_us,
			     opt.checkpoint);
	open_sink(r);
	/*
	 * What a crash left queued, once the sink is known to hold what
	 * commits/ says: the files of a lost sink's batches are still to
	 * be loaded again.
	 */
	if (opt.clean_source)
		cleaner_resume(&r->cleaner, r->commits.data);
	if (opt.each_batch)
		hook_init(&r->hook, opt.each_batch, opt.checkpoint, opt.table, sink->name);
	r->progress = opt.to_stdout || (opt.csv && !strcmp(opt.csv, "-")) ? stderr : stdout;
	/* Not over progress objects already written to standard error. */
	meter_init(&r->meter, "inlet-commit", opt.progress,
		   opt.quiet || (r->progress == stderr && !opt.summary_only));
}

/*
 * IDLE -> IN_BATCH: the sink opens its transaction and says whether it
 * holds the batch already (a replay); such a batch writes nothing.
 */
static void begin_batch(struct run *r)
{
	struct batch *b = &r->b;

	check_origin(&r->in, &r->ck);
	*b = (struct batch){ .leaving_path = b->leaving_path,
			     .previous_ns = b->started_ns };
	b->id = r->in.id;
	b->started_ns = monotonic_ns();
	meter_batch(&r->meter, b->id);
	if (opt.each_batch)
		hook_begin(&r->hook);
	buf_reset(&r->retry);
	/* Unnumbered batches get no mark: nothing replays them. */
	b->already = sink->ops->begin(sink, b->id) == 1;
	if (r->pending_schema.len && !b->already)
		sink->ops->schema(sink, r->pending_schema.data, r->pending_schema.len);
}

/* A schema record: in force now inside a batch, and for the batches after it. */
static void take_schema(struct run *r, const struct record *rec)
{
	/* Between batches a schema applies from the next one. */
	buf_reset(&r->pending_schema);
	buf_add(&r->pending_schema, rec->text, rec->len);
	if (r->in.open && !r->b.already)
		sink->ops->schema(sink, rec->text, rec->len);
}

/* A file record starts a file's rows: the ledger's look-up, the cleaner's list. */
static void take_file(struct run *r, const struct record *rec)
{
	ledger_file_end(&r->b);
	ledger_file(&r->b, rec);
	r->b.files++;
	meter_file(&r->meter);
	if (opt.clean_source) {
		struct file_identity id;
		identity_from_record(&id, rec);
		buf_reset(&r->text);
		if (record_get_string(rec, "path", &r->text))
			cleaner_add(&r->cleaner, r->text.data, &id);
	}
}

/*
 * Another control record.  Only "skip" means something here: a file
 * parse did not read whole, counted as corrupt, kept out of the ledger
 * and of the cleaning, maybe listed again (its "retry").
 */
static void handle_control(struct run *r, const struct record *rec)
{
	if (strcmp(rec->event, "skip"))
		return;
	r->b.corrupt_files++;
	note_retry(rec, &r->retry);
	buf_reset(&r->text);
	if (sink->ledger && !r->b.already && record_get_string(rec, "path", &r->text)) {
		ledger_path(&r->text);
		sink->ledger->skipped(sink, r->text.data);
	}
	/* Not read completely: never cleaned. */
	buf_reset(&r->text);
	if (opt.clean_source && record_get_string(rec, "path", &r->text))
		cleaner_drop(&r->cleaner, r->text.data);
}

/* A row: to the sink (unless held already or left out by the ledger), to the hook. */
static void take_row(struct run *r, const struct record *rec)
{
	struct batch *b = &r->b;

	if (b->leaving)
		b->leaving_rows++;
	else if (!b->already)
		sink->ops->row(sink, rec, r->in.in.lineno);
	/* The command sees what the sink took: not a file another checkpoint loaded. */
	if (opt.each_batch && !b->leaving)
		hook_row(&r->hook, rec->text, rec->len);
	b->rows++;
	meter_row(&r->meter, rec->len);
}

/* IN_BATCH -> cut: nothing of the batch is kept; the restart replays it.  Exits 74. */
static void __attribute__((noreturn)) drop_batch(struct run *r)
{
	sink->ops->abort(sink);
	if (opt.clean_source)
		cleaner_forget(&r->cleaner);
	batch_die_cut(&r->in, "the batch was not committed and is replayed on restart");
}

/* end -> QUEUED: the batch's files in CK/clean-pending before the sink can hold it. */
static void queue_cleaning(struct run *r)
{
	if (opt.clean_source && r->b.id >= 0)
		cleaner_prepare(&r->cleaner, r->b.id);
	else if (opt.clean_source && r->b.files)
		unnumbered_not_cleaned(&r->cleaner, r->b.files);
}

/* QUEUED -> SINK COMMITTED: the rows and the mark in one transaction (or a held batch dropped). */
static void commit_to_sink(struct run *r)
{
	struct batch *b = &r->b;

	if (b->already) {
		sink->ops->abort(sink);
	} else {
		crash_point("commit-before-sink");
		sink->ops->commit(sink, b->id, b->rows - b->loaded_rows);
		r->t.inserted += b->rows - b->loaded_rows;
	}
	crash_point("commit-after-sink");
}

/*
 * HOOK RUN -> MARKED -> CLEANED: commits/N (with the paths parse asked
 * to be listed again), the old entries pruned, then the queued files of
 * committed batches cleaned.  Numbered batches with --checkpoint only.
 */
static void write_mark(struct run *r)
{
	struct batch *b = &r->b;
	char now[32];

	if (!opt.checkpoint || b->id < 0)
		return;
	if (b->marked)
		goto clean;
	iso8601_now(now);
	ckpt_path(&r->ck, "commits", b->id, &r->path);
	buf_reset(&r->text);
	buf_printf(&r->text, "{\"batch\":%lld,\"rows\":%lld,\"committed\":\"%s\"",
		   b->id, b->rows, now);
	/* Files parse left for a later batch: discover lists them again. */
	if (r->retry.len)
		buf_printf(&r->text, ",\"retry\":%s]", r->retry.data);
	buf_adds(&r->text, "}\n");
	if (write_file_atomic(r->path.data, r->text.data, r->text.len) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", r->path.data);
	if (b->id >= opt.keep && b->id % 10 == 0)
		ckpt_log_prune(r->commits.data, b->id - opt.keep + 1);
	r->last_mark = b->id;
	b->mark_ns = monotonic_ns();
	crash_point("commit-after-mark");
clean:
	if (opt.clean_source)
		cleaner_run(&r->cleaner, b->id);
}

/*
 * Did commits/ mark the batch before (a stream fed again by hand)?  Marks
 * come in order, so a batch at or below the newest one is marked.  Its
 * mark keeps saying when the sink took it, and its command had it.
 */
static bool marked_before(const struct run *r)
{
	return opt.checkpoint && r->b.id >= 0 && r->b.id <= r->last_mark;
}

/* IN_BATCH -> IDLE on "end": the steps of the order at the top, then the progress object. */
static void finish_batch(struct run *r)
{
	struct batch *b = &r->b;

	ledger_file_end(b);
	queue_cleaning(r);
	commit_to_sink(r);
	b->marked = marked_before(r);
	/* Before the mark: a failure or crash replays the batch to it. */
	if (opt.each_batch)
		hook_run(&r->hook, b->id, b->marked);
	b->added_ns = monotonic_ns();
	write_mark(r);
	r->t.corrupt_files += b->corrupt_files;
	r->t.loaded_files += b->loaded_files;
	r->t.loaded_rows += b->loaded_rows;
	r->t.batches++;
	meter_clear(&r->meter);	/* the object may go to the same terminal */
	print_progress(r->progress, sink, b);
}

/* At the end of the input: COPY INTO's summary, and what was cleaned. */
static void print_summary(struct run *r)
{
	const struct totals *t = &r->t;

	meter_finish(&r->meter);
	if (!opt.quiet) {
		fprintf(r->progress, "{\"num_affected_rows\":%lld,\"num_inserted_rows\":%lld,"
			"\"num_skipped_corrupt_files\":%lld", t->inserted, t->inserted,
			t->corrupt_files);
		/* Only when the ledger left files out: the COPY INTO shape otherwise. */
		if (t->loaded_files)
			fprintf(r->progress, ",\"num_skipped_loaded_files\":%lld,"
				"\"num_skipped_loaded_rows\":%lld", t->loaded_files,
				t->loaded_rows);
		fputs("}\n", r->progress);
	}
	if (opt.clean_source && !opt.quiet)
		cleaner_report(&r->cleaner);
}

/* Close the sink and free the run; the batch reader's status (0 or 66). */
static int teardown(struct run *r)
{
	int status;

	sink->ops->close(sink);
	status = batch_reader_status(&r->in);
	batch_reader_free(&r->in);
	buf_free(&r->commits);
	buf_free(&r->path);
	buf_free(&r->text);
	buf_free(&r->retry);
	buf_free(&r->b.leaving_path);
	buf_free(&r->pending_schema);
	if (opt.clean_source)
		cleaner_free(&r->cleaner);
	hook_free(&r->hook);
	if (opt.checkpoint)
		ckpt_close(&r->ck);
	return status;
}

int main(int argc, char **argv)
{
	struct run r = { 0 };	/* its bufs BUF_INIT, its batch none yet */
	/* SIGINT/SIGTERM: finish the batch in hand, then stop; ignored if so at start. */
	static volatile sig_atomic_t stop;
	int status;

	parse_options(argc, argv);
	check_options_exit();
	stream_setup_stdout();
	setup(&r);

	stream_catch_stop_signals(&stop, true);
	batch_reader_init_files(&r.in, argv + optind, argc - optind);
	sink->input = &r.in.in;
	r.in.in.interrupt = &stop;
	for (;;) {
		if (stop && !r.in.open)
			break;
		enum batch_event ev = batch_next(&r.in);
		const struct record *rec = &r.in.rec;

		switch (ev) {
		case BATCH_EOF: goto done;
		case BATCH_CUT: drop_batch(&r);
		case BATCH_BEGIN: begin_batch(&r); break;
		case BATCH_SCHEMA: take_schema(&r, rec); break;
		case BATCH_FILE: take_file(&r, rec); break;
		case BATCH_CONTROL: handle_control(&r, rec); break;
		case BATCH_ROW: take_row(&r, rec); break;
		case BATCH_END: finish_batch(&r); break;
		}
	}
done:
	print_summary(&r);
	status = teardown(&r);
	close_stdout();
	return status;
}
