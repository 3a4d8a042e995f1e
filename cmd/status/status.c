/*
 * inlet-status: what a checkpoint says about its stream, and what a
 * database holds (inlet-status(1)); the notebook's closing table-status
 * check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "die.h"
#include "json.h"
#include "options.h"
#include "pgconn.h"
#include "status.h"

static struct {
	const char *checkpoint;
	const char *db;
	const char *table;
	const char *schema_location;
	bool json;
} opt;

/* The options: getopt, --help and --complete (options.h). */
enum { O_DB = 256, O_TABLE, O_JSON, O_LOCATION };
static const struct optdef optdefs[] = {
	{ O_DB, "db", OPT_REQUIRED, "DATABASE", OPT_FILE,
	  "SQLite database file, or PostgreSQL's\n"
	  "postgresql://..." },
	{ O_TABLE, "table", OPT_REQUIRED, "NAME", NULL,
	  "the stream's table in --db; without\n"
	  "CHECKPOINT, the table to describe" },
	{ O_LOCATION, "schema-location", OPT_REQUIRED, "DIR", OPT_DIR,
	  "rescue's schema location, when it is not the\n"
	  "checkpoint (recorded in the checkpoint, so\n"
	  "later runs find it)" },
	{ O_JSON, "json", OPT_NONE, NULL, NULL,
	  "one JSON object instead of aligned text" },
	OPT_END
};
static struct optset optset = { optdefs, 30, OPT_DIR, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet status CHECKPOINT [--db DATABASE --table NAME] [--schema-location DIR]\n"
"                    [--json]\n"
"       inlet status --db DATABASE [--table NAME] [--json]\n"
"\n"
"The state of a stream from its checkpoint folder: the last committed\n"
"batch, batches written ahead but not committed, files taken, the schema\n"
"version, the window state, and (with --db and --table) the rows in the\n"
"sink.  With --db alone: every table of the database and its row count;\n"
"with --db and --table: that table's rows, columns and loads.\n"
"\n");
}

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case O_DB: opt.db = optarg; break;
		case O_TABLE: opt.table = optarg; break;
		case O_LOCATION: opt.schema_location = optarg; break;
		case O_JSON: opt.json = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		usage_error("give one CHECKPOINT");
	opt.checkpoint = optind < argc ? argv[optind] : NULL;
	if (!opt.checkpoint && !opt.db)
		usage_error("give a CHECKPOINT or --db DATABASE");
	if (opt.table && !opt.db)
		usage_error("--table needs --db");
	if (opt.schema_location && !opt.checkpoint)
		usage_error("--schema-location needs a CHECKPOINT");
	if (opt.db && !*opt.db)
		usage_error("--db must not be empty");
	if (opt.db && pg_is_uri(opt.db))
		pg_check_uri(opt.db);
}

/* ---- every table of a database ---- */

struct listing {
	struct buf out;
	bool first;
};

static void list_table(void *ctx, const char *name, size_t len, long long rows)
{
	struct listing *l = ctx;

	if (opt.json) {
		buf_adds(&l->out, l->first ? "{\"table\":" : ",{\"table\":");
		json_path_encode(&l->out, name, len);
		buf_printf(&l->out, ",\"rows\":%lld}", rows);
	} else {
		buf_printf(&l->out, "%-32s %12lld\n", name, rows);
	}
	l->first = false;
}

static void list_tables(struct db *db)
{
	struct listing l = { BUF_INIT, true };

	if (opt.json) {
		buf_adds(&l.out, "{\"database\":");
		json_path_encode(&l.out, opt.db, strlen(opt.db));
		buf_adds(&l.out, ",\"tables\":[");
	} else {
		buf_printf(&l.out, "%-32s %12s\n", "table", "rows");
	}
	db->ops->tables(db, list_table, &l);
	if (opt.json)
		buf_adds(&l.out, "]}\n");
	fwrite(l.out.data, 1, l.out.len, stdout);
	buf_free(&l.out);
}

/* ---- one table: its rows, columns and the checkpoints that loaded it ---- */

static void table_column(void *ctx, const char *name, const char *type)
{
	struct listing *l = ctx;

	if (opt.json) {
		buf_adds(&l->out, l->first ? "{\"name\":" : ",{\"name\":");
		json_path_encode(&l->out, name, strlen(name));
		buf_adds(&l->out, ",\"type\":");
		json_path_encode(&l->out, type, strlen(type));
		buf_addc(&l->out, '}');
	} else {
		buf_printf(&l->out, "%-24s %s %s\n", "column", name, type);
	}
	l->first = false;
}

static void table_load(void *ctx, const char *id, long long batches, long long last,
		       long long rows)
{
	struct listing *l = ctx;

	if (opt.json) {
		buf_adds(&l->out, l->first ? "{\"checkpoint_id\":" : ",{\"checkpoint_id\":");
		json_path_encode(&l->out, id, strlen(id));
		buf_printf(&l->out, ",\"batches\":%lld,\"last_batch\":%lld,\"rows\":%lld}",
			   batches, last, rows);
	} else {
		buf_printf(&l->out, "%-24s %s: %lld batches, last %lld, %lld rows\n", "loaded by",
			   id, batches, last, rows);
	}
	l->first = false;
}

/*
 * The table --table names: whether it exists, its rows and columns, and
 * each checkpoint whose marks name it (what inlet-copy-into asks).
 */
static void table_status(struct db *db)
{
	struct listing l = { BUF_INIT, true };
	bool exists = db->ops->exists(db, opt.table);
	long long rows = exists ? db->ops->count(db, opt.table) : 0;

	if (opt.json) {
		buf_adds(&l.out, "{\"database\":");
		json_path_encode(&l.out, opt.db, strlen(opt.db));
		buf_adds(&l.out, ",\"table\":");
		json_path_encode(&l.out, opt.table, strlen(opt.table));
		buf_printf(&l.out, ",\"exists\":%s,\"rows\":%lld,\"columns\":[",
			   exists ? "true" : "false", rows);
	} else {
		buf_printf(&l.out, "%-24s %s\n", "table", opt.table);
		buf_printf(&l.out, "%-24s %s\n", "exists", exists ? "true" : "false");
		buf_printf(&l.out, "%-24s %lld\n", "rows", rows);
	}
	if (exists)
		db->ops->columns(db, opt.table, table_column, &l);
	if (opt.json)
		buf_adds(&l.out, "],\"loads\":[");
	l.first = true;
	db->ops->loads(db, opt.table, table_load, &l);
	if (opt.json)
		buf_adds(&l.out, "]}\n");
	fwrite(l.out.data, 1, l.out.len, stdout);
	buf_free(&l.out);
}

/* ---- a stream ---- */

/* The stream's table in the sink. */
struct sink_status {
	long long rows;
	long long marked;	/* the sink's last batch of this checkpoint, or -1 */
};

static void read_sink(struct db *db, struct ck_status *st, struct sink_status *s)
{
	s->rows = db->ops->exists(db, opt.table) ? db->ops->count(db, opt.table) : 0;
	s->marked = db->ops->last_mark(db, st->id);
	if (st->committed >= 0 && s->marked < st->committed)
		ck_problem(st, "'%s/commits/%lld' says batch %lld is durable in '%s', but it "
			   "holds no mark of it: the database was replaced, emptied or "
			   "restored from an older backup", st->dir, st->committed,
			   st->committed, opt.db);
}

static void json_member(struct buf *out, const char *key, long long v)
{
	buf_printf(out, ",\"%s\":%lld", key, v);
}

static void write_json(struct buf *out, const struct ck_status *st, const struct sink_status *s)
{
	buf_adds(out, "{\"checkpoint\":");
	json_path_encode(out, st->dir, strlen(st->dir));
	buf_adds(out, ",\"id\":");
	json_path_encode(out, st->id, strlen(st->id));
	json_member(out, "last_committed_batch", st->committed);
	json_member(out, "last_offset", st->last_offset);
	json_member(out, "batches_ahead", st->batches_ahead);
	json_member(out, "files_ahead", st->files_ahead);
	json_member(out, "files_seen", st->files_seen);
	json_member(out, "schema_version", st->schema_version);
	json_member(out, "state_bytes", st->state_bytes);
	json_member(out, "clean_pending", st->clean_pending);
	if (s) {
		buf_adds(out, ",\"table\":");
		json_path_encode(out, opt.table, strlen(opt.table));
		json_member(out, "rows", s->rows);
		json_member(out, "sink_last_batch", s->marked);
	}
	buf_adds(out, ",\"problems\":[");
	for (size_t i = 0; i < st->n_problems; i++) {
		if (i)
			buf_addc(out, ',');
		json_path_encode(out, st->problems[i].data, st->problems[i].len);
	}
	buf_adds(out, "]}\n");
}

#define LINE "%-24s %"

static void write_text(struct buf *out, const struct ck_status *st, const struct sink_status *s)
{
	buf_printf(out, LINE "s\n", "checkpoint", st->dir);
	buf_printf(out, LINE "s\n", "id", st->id);
	buf_printf(out, LINE "lld\n", "last committed batch", st->committed);
	buf_printf(out, LINE "lld (%lld files, replayed on restart)\n", "batches ahead",
		   st->batches_ahead, st->files_ahead);
	buf_printf(out, LINE "lld\n", "files taken", st->files_seen);
	buf_printf(out, LINE "lld\n", "schema version", st->schema_version);
	buf_printf(out, LINE "lld\n", "window state bytes", st->state_bytes);
	buf_printf(out, LINE "lld\n", "files to clean", st->clean_pending);
	if (s) {
		buf_printf(out, LINE "s\n", "table", opt.table);
		buf_printf(out, LINE "lld\n", "rows", s->rows);
		buf_printf(out, LINE "lld\n", "sink's last batch", s->marked);
	}
	for (size_t i = 0; i < st->n_problems; i++)
		buf_printf(out, LINE "s\n", "problem", st->problems[i].data);
}

/* The stream's status; its exit code: 65 when the checkpoint is damaged. */
static int stream_status(struct db *db)
{
	struct ck_status st;
	struct sink_status sink;
	struct buf out = BUF_INIT;
	int code;

	ck_status_read(&st, opt.checkpoint, opt.schema_location);
	if (opt.table)
		read_sink(db, &st, &sink);
	if (opt.json)
		write_json(&out, &st, opt.table ? &sink : NULL);
	else
		write_text(&out, &st, opt.table ? &sink : NULL);
	fwrite(out.data, 1, out.len, stdout);
	/* A damaged checkpoint is 65, as the stages that refuse it. */
	code = st.n_problems ? EX_DATAERR : 0;
	buf_free(&out);
	ck_status_free(&st);
	return code;
}

int main(int argc, char **argv)
{
	struct db *db = NULL;
	int code = 0;

	parse_options(argc, argv);
	check_options_exit();
	if (opt.db)
		db = pg_is_uri(opt.db) ? db_pg_open(opt.db) : db_sqlite_open(opt.db);
	if (opt.checkpoint)
		code = stream_status(db);
	else if (opt.table)
		table_status(db);
	else
		list_tables(db);
	if (db)
		db->ops->close(db);
	close_stdout();
	return code;
}
