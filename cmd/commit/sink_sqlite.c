/*
 * The SQLite sink.  One transaction holds a batch's rows and its mark in
 * "_inlet_commits" (checkpoint id, batch), so after a crash the sink
 * either has both or neither; a replayed batch finds its mark and is
 * skipped.  The mark is looked up with a plain read when the batch begins;
 * the write transaction (and the database's one write lock) starts only
 * when the batch first writes, so a slow upstream does not lock out other
 * tables' writers.  Identifiers come from data and are always quoted.
 *
 * The file ledger (ledger.h) is a table of the same database: a file
 * record is looked up in it inside the batch's write transaction, whose
 * lock (the database's one write lock) keeps any other writer from
 * loading the same version between the look-up and the commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "columns.h"
#include "datetime.h"
#include "die.h"
#include "identity.h"
#include "json.h"
#include "ledger.h"
#include "sink.h"

/* Rows a multi-row INSERT takes at most (see prepare_insert). */
#define CHUNK_ROWS 32

/* Bytes of rows inserted between two starts of write-back (start_writeback). */
#define WRITEBACK_STEP ((size_t)2 << 20)

struct sqlite_sink {
	struct sink base;
	sqlite3 *db;
	char *path;
	char *table;		/* owned: the table's name, unquoted */
	struct buf qtable;	/* the quoted table name */
	struct columns c;	/* types: SQLite's declared types */
	bool table_exists;
	bool writing;		/* the batch's write transaction is open */
	bool rollback_journal;	/* a new file before its first batch: see use_wal */
	bool replace_pending;	/* overwrite: drop the old table on first use */
	/* The files opened: a batch must not go into one unlinked or replaced. */
	struct file_identity opened, opened_wal;
	/* Rows with no keys seen before the table exists, written once it does. */
	long long empty_rows;
	unsigned long empty_lineno;	/* the first of them */
	unsigned long lineno;		/* the row being written, for messages */
	sqlite3_stmt *insert;	/* one row; NULL when columns changed */
	/*
	 * Append and overwrite: rows wait in a chunk of chunk_rows for one
	 * multi-row INSERT, which runs SQLite's statement once for them all
	 * (its start, cursor and end) instead of once a row.  A row's text
	 * is copied into chunk_text (the reader's is gone at the next row)
	 * and its values, slices of that copy, are bound at the flush.
	 */
	sqlite3_stmt *insert_chunk;	/* chunk_rows rows; NULL with insert */
	size_t chunk_rows;		/* 1: a row at a time (upsert) */
	size_t nchunk;			/* rows waiting */
	struct buf chunk_text;
	struct chunk_val { size_t col, off, len; } *chunk_vals;
	size_t nchunk_vals, capchunk_vals;
	size_t chunk_ends[CHUNK_ROWS];	/* per row waiting: its values' end in chunk_vals */
	unsigned long long *chunk_mark;	/* per column: the flush row that gave a value */
	size_t capchunk_mark;
	unsigned long long chunk_stamp;
	sqlite3_stmt *has_mark;
	sqlite3_stmt *ledger_get;	/* who loaded a file version */
	struct ledger_batch ledger;	/* the versions the batch takes */
	struct buf scratch;
	/* The batch's NaN values kept as text, per REAL column: said at commit. */
	struct nan_count { size_t col; long long n; } *nans;
	size_t nnans;
	/*
	 * The database opened read-only from its first batch until SQLite
	 * closes it, and its write-ahead log while a batch writes (-1 when
	 * not open), to start their write-back early (open_writeback); the
	 * bytes of rows inserted since it was last started.
	 */
	int writeback_fd[2];
	size_t unsynced;
};


/* The input being committed, for messages. */
static const char *input_name(const struct sqlite_sink *s)
{
	return s->base.input ? s->base.input->name : "standard input";
}

static void exec(struct sqlite_sink *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int busy = sqlite3_errcode(s->db) == SQLITE_BUSY ||
			   sqlite3_errcode(s->db) == SQLITE_LOCKED;
		error("cannot update '%s': %s", s->path, msg ? msg : "unknown error");
		sqlite3_free(msg);
		exit(busy ? EX_TEMPFAIL : EX_IOERR);
	}
}

static sqlite3_stmt *prepare(struct sqlite_sink *s, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(EX_IOERR, "cannot prepare a statement on '%s': %s", s->path,
		    sqlite3_errmsg(s->db));
	return st;
}

/* SQLite affinity for an inlet schema type ("DECIMAL(10,2)" -> "TEXT"). */
static const char *sql_type_for(const char *t)
{
	static const char *ints[] = { "INT", "INTEGER", "BIGINT", "LONG", "SMALLINT",
				      "TINYINT", "SHORT", "BYTE", "BOOLEAN", NULL };
	for (size_t i = 0; ints[i]; i++)
		if (!strcasecmp(t, ints[i]))
			return "INTEGER";
	if (!strcasecmp(t, "DOUBLE") || !strcasecmp(t, "FLOAT") || !strcasecmp(t, "REAL"))
		return "REAL";
	/* DECIMAL stays TEXT so its digits stay exact; dates are ISO-8601 text. */
	return "TEXT";
}

static void forget_inserts(struct sqlite_sink *s)
{
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->insert_chunk);
	s->insert = s->insert_chunk = NULL;
}

/* The rows waiting are dropped (the batch rolls back). */
static void chunk_discard(struct sqlite_sink *s)
{
	s->nchunk = 0;
	s->nchunk_vals = 0;
	buf_reset(&s->chunk_text);
}

static void flush_chunk(struct sqlite_sink *s);

static void close_writeback_log(struct sqlite_sink *s)
{
	if (s->writeback_fd[1] >= 0)
		close(s->writeback_fd[1]);
	s->writeback_fd[1] = -1;
}

/*
 * A large batch fills the page cache with the table's new pages, and the
 * COMMIT's fsync then waits while the kernel writes them all.  Asking it
 * to start writing them every WRITEBACK_STEP bytes of rows overlaps that
 * I/O with the batch's work.  The fsync still makes the batch durable:
 * this moves writes earlier, it neither adds nor skips one, and a file
 * replaced under the sink is caught by check_still_opened, not here.
 *
 * The database's descriptor stays open until SQLite has closed the file:
 * closing any descriptor of a file drops every POSIX lock the process
 * holds on it, SQLite's included (https://sqlite.org/howtocorrupt.html,
 * 2.2).  SQLite locks the -shm file, never the log, whose descriptor is
 * opened for each batch (the log may not exist yet, or be a new file).
 */
static void open_writeback(struct sqlite_sink *s)
{
	struct buf path = BUF_INIT;

	if (s->writeback_fd[0] < 0)
		s->writeback_fd[0] = open(s->path, O_RDONLY | O_CLOEXEC);
	close_writeback_log(s);
	buf_printf(&path, "%s-wal", s->path);
	/* No log (a rollback journal): -1, nothing to start there. */
	s->writeback_fd[1] = open(path.data, O_RDONLY | O_CLOEXEC);
	s->unsynced = 0;
	buf_free(&path);
}

static void start_writeback(struct sqlite_sink *s, size_t bytes)
{
	s->unsynced += bytes;
	if (s->unsynced < WRITEBACK_STEP)
		return;
	s->unsynced = 0;
	for (int i = 0; i < 2; i++)
		if (s->writeback_fd[i] >= 0)
			(void)sync_file_range(s->writeback_fd[i], 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void forget_columns(struct sqlite_sink *s)
{
	columns_forget(&s->c);
	forget_inserts(s);
}

static void load_columns(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;

	forget_columns(s);
	buf_adds(&sql, "SELECT name, type FROM pragma_table_info(?)");
	st = prepare(s, sql.data);
	/* The unquoted name: pragma_table_info takes it as a value. */
	struct buf name = BUF_INIT;
	for (size_t i = 1; i + 1 < s->qtable.len; i++) {
		buf_addc(&name, s->qtable.data[i]);
		if (s->qtable.data[i] == '"')
			i++;
	}
	sqlite3_bind_text(st, 1, name.data, (int)name.len, SQLITE_TRANSIENT);
	s->table_exists = false;
	while (sqlite3_step(st) == SQLITE_ROW) {
		s->table_exists = true;
		const char *col = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		columns_push(&s->c, col, strlen(col), type ? type : "");
	}
	sqlite3_finalize(st);
	buf_free(&sql);
	buf_free(&name);
}

/* SQL names cannot hold NUL: quote_ident writes it '?', and so do we. */
static void sql_name(struct buf *name)
{
	for (size_t k = 0; k < name->len; k++)
		if (!name->data[k])
			name->data[k] = '?';
}

static size_t find_column(struct sqlite_sink *s, const char *name, size_t n, size_t hint)
{
	return columns_find(&s->c, name, n, hint);
}

static void drop_if_pending(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;

	if (!s->replace_pending)
		return;
	s->replace_pending = false;
	buf_printf(&sql, "DROP TABLE IF EXISTS %s", s->qtable.data);
	exec(s, sql.data);
	forget_columns(s);
	s->table_exists = false;
	buf_free(&sql);
}

/*
 * Rows with no keys that came before the table existed: each is a row of
 * NULLs, as it would be in the table, written now that there is one (in
 * their place: every row before the one creating the table was empty).
 */
static void write_empty_rows(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;

	buf_printf(&sql, "INSERT INTO %s DEFAULT VALUES", s->qtable.data);
	st = prepare(s, sql.data);
	for (; s->empty_rows > 0; s->empty_rows--) {
		if (sqlite3_step(st) != SQLITE_DONE)
			die(EX_IOERR, "cannot insert into '%s': %s", s->path,
			    sqlite3_errmsg(s->db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	buf_free(&sql);
}

/*
 * Add column NAME (creating the table if needed) and return its index.
 * One past SQLite's column limit is bad data (65), named by the row's line,
 * or by the schema record when no row is being written.
 */
static size_t add_column(struct sqlite_sink *s, const char *name, size_t n,
			 const char *sqltype)
{
	struct buf sql = BUF_INIT;
	int limit = sqlite3_limit(s->db, SQLITE_LIMIT_COLUMN, -1);

	columns_check_new(&s->base, name, n, s->lineno);
	/* The rows waiting were bound to the columns as they were. */
	flush_chunk(s);
	if (s->c.ncols >= (size_t)limit) {
		if (s->lineno)
			die(EX_DATAERR, "'%s' line %lu: key '%.*s' would be column "
			    "%zu of %s, and SQLite allows %d", input_name(s), s->lineno, (int)n, name,
			    s->c.ncols + 1, s->base.name, limit);
		die(EX_DATAERR, "schema record: field '%.*s' would be column %zu of %s, "
		    "and SQLite allows %d", (int)n, name, s->c.ncols + 1, s->base.name, limit);
	}
	if (s->table_exists)
		buf_printf(&sql, "ALTER TABLE %s ADD COLUMN ", s->qtable.data);
	else
		buf_printf(&sql, "CREATE TABLE %s (", s->qtable.data);
	sql_quote_ident(&sql, name, n);
	buf_printf(&sql, " %s%s", sqltype, s->table_exists ? "" : ")");
	exec(s, sql.data);
	if (!s->table_exists) {
		s->table_exists = true;
		write_empty_rows(s);
	}
	buf_free(&sql);
	columns_push(&s->c, name, n, sqltype);
	forget_inserts(s);
	return s->c.ncols - 1;
}

/* A key no column holds yet: a TEXT column keeps any value's text. */
static size_t add_row_column(void *sink, const char *name, size_t n, const char *key,
			     size_t key_len)
{
	return add_column(sink, name, n, "TEXT");
}

/* The key columns of --key, each as a quoted identifier, into OUT. */
static void key_list(struct sqlite_sink *s, struct buf *out)
{
	const char *k = s->base.key;

	while (*k) {
		size_t n = strcspn(k, ",");
		if (find_column(s, k, n, 0) == (size_t)-1)
			die(EX_DATAERR, "upsert key column '%.*s' is not among the columns "
			    "of %s", (int)n, k, s->base.name);
		if (out->len)
			buf_addc(out, ',');
		sql_quote_ident(out, k, n);
		k += n + (k[n] == ',');
	}
}

static bool is_key(struct sqlite_sink *s, const char *name)
{
	const char *k = s->base.key;
	size_t len = strlen(name);

	while (*k) {
		size_t n = strcspn(k, ",");
		if (n == len && !strncasecmp(k, name, n))
			return true;
		k += n + (k[n] == ',');
	}
	return false;
}

/* The key of --key as "ifnull(K1,X'00'),ifnull(K2,X'00')...", into OUT. */
static void null_safe_key_list(struct sqlite_sink *s, struct buf *out)
{
	const char *k = s->base.key;
	struct buf plain = BUF_INIT;

	key_list(s, &plain);	/* checks that every key is a column */
	buf_free(&plain);
	while (*k) {
		size_t n = strcspn(k, ",");
		if (out->len)
			buf_addc(out, ',');
		buf_adds(out, "ifnull(");
		sql_quote_ident(out, k, n);
		buf_adds(out, ",X'00')");
		k += n + (k[n] == ',');
	}
}

/* 1 if the index NAME (unquoted) exists. */
static int index_exists(struct sqlite_sink *s, const char *name)
{
	sqlite3_stmt *st = prepare(s, "SELECT 1 FROM sqlite_master "
				   "WHERE type = 'index' AND name = ?");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		die(EX_IOERR, "cannot read '%s': %s", s->path, sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW;
}

/*
 * A table upserted by an older inlet has a plain unique index, under which
 * every row with a NULL key part was a new row.  Drop that index and merge
 * those rows, keeping the latest of each key (the last one written, as an
 * upsert would have), and say how many went.  In the batch's transaction.
 */
static void upgrade_upsert_index(struct sqlite_sink *s, const char *table,
				 const char *keys)
{
	struct buf sql = BUF_INIT, old = BUF_INIT;

	buf_printf(&old, "inlet_upsert_key_%s", table);
	if (index_exists(s, old.data)) {
		buf_adds(&sql, "DROP INDEX ");
		sql_quote_ident(&sql, old.data, old.len);
		exec(s, sql.data);
	}
	buf_reset(&sql);
	buf_printf(&sql, "DELETE FROM %s WHERE rowid NOT IN "
		   "(SELECT max(rowid) FROM %s GROUP BY %s)", s->qtable.data,
		   s->qtable.data, keys);
	exec(s, sql.data);
	int merged = sqlite3_changes(s->db);
	if (merged)
		warning("%s: merged %d row%s whose upsert key repeated with a NULL part "
			"(written by an older inlet), keeping the latest of each key",
			s->base.name, merged, merged == 1 ? "" : "s");
	buf_free(&sql);
	buf_free(&old);
}

/*
 * Upsert: a later row with the same key replaces the other columns
 * (Spark's update mode).  Keys match NULL-safely, as Delta's MERGE with
 * <=> does, so a NULL key part is one key and not a new one each time.
 * SQLite's UNIQUE index holds NULLs as distinct, so the index and the
 * ON CONFLICT target are over ifnull(KEY, X'00'): the sink binds text,
 * numbers and NULL only, so no value can equal that blob, and every other
 * key compares exactly as it did.
 */
static void add_upsert_clause(struct sqlite_sink *s, struct buf *sql)
{
	struct buf keys = BUF_INIT, ddl = BUF_INIT, index = BUF_INIT, table = BUF_INIT;
	bool any = false;

	null_safe_key_list(s, &keys);
	buf_add(&table, s->qtable.data + 1, s->qtable.len - 2);
	buf_printf(&index, "inlet_upsert_nullsafe_%s", table.data);
	if (!index_exists(s, index.data)) {
		upgrade_upsert_index(s, table.data, keys.data);
		buf_adds(&ddl, "CREATE UNIQUE INDEX ");
		sql_quote_ident(&ddl, index.data, index.len);
		buf_printf(&ddl, " ON %s (%s)", s->qtable.data, keys.data);
		exec(s, ddl.data);
	}
	buf_printf(sql, " ON CONFLICT (%s) DO ", keys.data);
	for (size_t i = 0; i < s->c.ncols; i++) {
		if (is_key(s, s->c.cols[i].name))
			continue;
		buf_adds(sql, any ? ", " : "UPDATE SET ");
		sql_quote_ident(sql, s->c.cols[i].name, strlen(s->c.cols[i].name));
		buf_adds(sql, " = excluded.");
		sql_quote_ident(sql, s->c.cols[i].name, strlen(s->c.cols[i].name));
		any = true;
	}
	if (!any)
		buf_adds(sql, "NOTHING");
	buf_free(&keys);
	buf_free(&ddl);
	buf_free(&index);
	buf_free(&table);
}

/* "INSERT INTO t (a,b) VALUES (?,?),(?,?)...", ROWS rows, into SQL. */
static void insert_sql(struct sqlite_sink *s, size_t rows, struct buf *sql)
{
	buf_printf(sql, "INSERT INTO %s (", s->qtable.data);
	for (size_t i = 0; i < s->c.ncols; i++) {
		if (i)
			buf_addc(sql, ',');
		sql_quote_ident(sql, s->c.cols[i].name, strlen(s->c.cols[i].name));
	}
	buf_adds(sql, ") VALUES ");
	for (size_t r = 0; r < rows; r++) {
		buf_adds(sql, r ? ",(" : "(");
		for (size_t i = 0; i < s->c.ncols; i++)
			buf_adds(sql, i ? ",?" : "?");
		buf_addc(sql, ')');
	}
}

/*
 * Rows a chunk holds: CHUNK_ROWS, fewer when that many rows' parameters
 * would pass SQLite's limit on them; 1 for an upsert, whose rows may
 * update one another and so go one statement each.
 */
static void prepare_insert(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;
	size_t params = (size_t)sqlite3_limit(s->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);

	insert_sql(s, 1, &sql);
	if (s->base.mode == SINK_UPSERT)
		add_upsert_clause(s, &sql);
	s->insert = prepare(s, sql.data);
	s->chunk_rows = s->base.mode == SINK_UPSERT || !s->c.ncols ? 1 :
			params / s->c.ncols < CHUNK_ROWS ? params / s->c.ncols : CHUNK_ROWS;
	if (s->chunk_rows > 1) {
		buf_reset(&sql);
		insert_sql(s, s->chunk_rows, &sql);
		s->insert_chunk = prepare(s, sql.data);
	} else {
		s->chunk_rows = 1;
	}
	buf_free(&sql);
}

/*
 * A plain read, outside any transaction: the write lock waits for the
 * batch's first write (start_write).  Only one process writes a
 * checkpoint's batches (its lock), so the mark cannot appear in between;
 * if it did, its primary key would refuse the second.
 */
static int sq_begin(struct sink *base, long long batch)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	s->empty_rows = 0;
	s->empty_lineno = 0;
	s->nnans = 0;
	base->columns_fixed = s->table_exists;
	ledger_batch_reset(&s->ledger);
	if (batch >= 0 && base->checkpoint_id) {
		sqlite3_reset(s->has_mark);
		sqlite3_bind_text(s->has_mark, 1, base->checkpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->has_mark, 2, batch);
		int rc = sqlite3_step(s->has_mark);
		sqlite3_reset(s->has_mark);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE)
			die(EX_IOERR, "cannot read '%s': %s", s->path, sqlite3_errmsg(s->db));
	}
	s->replace_pending = base->mode == SINK_OVERWRITE;
	return 0;
}

/* Open the batch's write transaction, taking the lock, at its first write. */
static void start_write(struct sqlite_sink *s)
{
	if (s->writing)
		return;
	exec(s, "BEGIN IMMEDIATE");
	s->writing = true;
	open_writeback(s);
	/* Columns may have changed since the last batch (another writer). */
	load_columns(s);
}

/* Drop the table's ledger rows, in the batch's transaction. */
static void forget_ledger(struct sqlite_sink *s)
{
	sqlite3_stmt *st = prepare(s, "DELETE FROM \"" LEDGER_TABLE "\" WHERE table_name = ?");

	sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die(EX_IOERR, "cannot update the file ledger of '%s': %s", s->path,
		    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
}

/*
 * The ledger goes with the table (ledger.h): a table missing, or empty
 * while its ledger says rows were loaded, was dropped or emptied, and its
 * files load again.  Once a batch, in its write transaction.
 */
static void check_ledger(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int stale = 1;

	if (s->ledger.checked)
		return;
	s->ledger.checked = true;
	if (s->table_exists) {
		buf_printf(&sql, "SELECT NOT EXISTS (SELECT 1 FROM %s) AND EXISTS (SELECT 1 "
			   "FROM \"" LEDGER_TABLE "\" WHERE table_name = ? AND rows > 0)",
			   s->qtable.data);
		st = prepare(s, sql.data);
		sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			die(EX_IOERR, "cannot read '%s': %s", s->path, sqlite3_errmsg(s->db));
		stale = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (stale)
		forget_ledger(s);
	buf_free(&sql);
}

/*
 * The ledger's look-up, in the write transaction: nothing can record the
 * version between it and the batch's commit.  Overwrite replaces the
 * table's ledger with the batch's files, so it looks nothing up.
 */
static int sq_file(struct sink *base, const char *path, const struct file_identity *id,
		   struct ledger_hit *by)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	int rc;

	start_write(s);
	if (ledger_batch_retake(&s->ledger, path, id))
		return 0;
	if (base->mode != SINK_OVERWRITE) {
		check_ledger(s);
		sqlite3_reset(s->ledger_get);
		sqlite3_bind_text(s->ledger_get, 1, s->table, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->ledger_get, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->ledger_get, 3, id->size);
		sqlite3_bind_int64(s->ledger_get, 4, id->mtime_ns);
		rc = sqlite3_step(s->ledger_get);
		if (rc == SQLITE_ROW) {
			const char *ck = (const char *)sqlite3_column_text(s->ledger_get, 0);
			snprintf(by->checkpoint, sizeof(by->checkpoint), "%s", ck ? ck : "");
			by->batch = sqlite3_column_int64(s->ledger_get, 1);
			sqlite3_reset(s->ledger_get);
			ledger_batch_leave(&s->ledger);
			return 1;
		}
		sqlite3_reset(s->ledger_get);
		if (rc != SQLITE_DONE)
			die(EX_IOERR, "cannot read the file ledger of '%s': %s", s->path,
			    sqlite3_errmsg(s->db));
	}
	ledger_batch_add(&s->ledger, path, id);
	return 0;
}

static void sq_file_skipped(struct sink *base, const char *path)
{
	ledger_batch_drop(&((struct sqlite_sink *)base)->ledger, path);
}

/*
 * The batch's file versions, in its transaction; overwrite first forgets
 * the table's others, as the table forgets their rows.
 */
static void record_files(struct sqlite_sink *s, long long batch)
{
	sqlite3_stmt *st;
	char now[32];

	if (s->base.mode == SINK_OVERWRITE)
		forget_ledger(s);
	if (batch < 0 || !s->base.checkpoint_id || !s->ledger.n)
		return;
	iso8601_now(now);
	st = prepare(s, "INSERT INTO \"" LEDGER_TABLE "\" (table_name, path, size,"
		     " mtime_ns, dev, ino, checkpoint_id, batch, committed_at, rows)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	for (size_t i = 0; i < s->ledger.n; i++) {
		const struct ledger_file *f = &s->ledger.files[i];
		sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, f->id.size);
		sqlite3_bind_int64(st, 4, f->id.mtime_ns);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)f->id.dev);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)f->id.ino);
		sqlite3_bind_text(st, 7, s->base.checkpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, batch);
		sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, f->rows);
		/* The unique key refuses a version loaded twice: the batch fails whole. */
		if (sqlite3_step(st) != SQLITE_DONE)
			die(EX_IOERR, "cannot record '%s' in the file ledger of '%s': %s",
			    f->path, s->path, sqlite3_errmsg(s->db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
}

static void sq_schema(struct sink *base, const char *text, size_t len)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	const char *fields, *v;
	size_t flen, vlen;
	struct json_iter it;
	struct buf name = BUF_INIT, type = BUF_INIT;

	if (json_object_get(text, len, "fields", &fields, &flen) != 1 ||
	    json_array_open(&it, fields, flen, NULL) < 0)
		die(EX_DATAERR, "schema record without a \"fields\" array");
	start_write(s);
	s->lineno = 0;
	drop_if_pending(s);
	while (json_array_next(&it, &v, &vlen, NULL) == 1) {
		const char *nv, *tv;
		size_t nn, tn;
		if (json_object_get(v, vlen, "name", &nv, &nn) != 1 ||
		    !json_is_string(nv, nn))
			die(EX_DATAERR, "schema record field without a name");
		buf_reset(&name);
		buf_reset(&type);
		json_string_decode(&name, nv, nn);
		sql_name(&name);
		if (json_object_get(v, vlen, "type", &tv, &tn) == 1 && json_is_string(tv, tn))
			json_string_decode(&type, tv, tn);
		else
			buf_adds(&type, "STRING");
		const char *want = sql_type_for(type.data);
		size_t col = find_column(s, name.data, name.len, 0);
		if (col == (size_t)-1)
			add_column(s, name.data, name.len, want);
		else if (strcasecmp(s->c.cols[col].type, want))
			die(EX_DATAERR, "cannot change column '%s' of %s from %s to %s (%s); "
			    "SQLite cannot alter a column's type: write to a new table",
			    name.data, s->base.name, s->c.cols[col].type, want, type.data);
	}
	buf_free(&name);
	buf_free(&type);
}

/* At most 18 digits, no leading zero, an optional '-': fits an int64. */
static bool plain_integer(const char *v, size_t n)
{
	size_t i = v[0] == '-';

	if (n - i == 0 || n - i > 18 || (v[i] == '0' && n - i > 1))
		return false;
	for (; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static long long integer_of(const char *v, size_t n)
{
	size_t i = v[0] == '-';
	long long x = 0;

	for (; i < n; i++)
		x = x * 10 + (v[i] - '0');
	return v[0] == '-' ? -x : x;
}

/*
 * SQLite's REAL affinity (https://sqlite.org/datatype3.html#determination_of_column_affinity):
 * a declared type with REAL, FLOA or DOUB in it and no INT.
 */
static bool real_affinity(const char *type)
{
	return !strcasestr(type, "INT") && (strcasestr(type, "REAL") || strcasestr(type, "FLOA") ||
					    strcasestr(type, "DOUB"));
}

/* Count a NaN kept as text in column COL for the batch's notice. */
static void count_nan(struct sqlite_sink *s, size_t col)
{
	for (size_t i = 0; i < s->nnans; i++)
		if (s->nans[i].col == col) {
			s->nans[i].n++;
			return;
		}
	s->nans = xrealloc(s->nans, (s->nnans + 1) * sizeof(*s->nans));
	s->nans[s->nnans++] = (struct nan_count){ col, 1 };
}

/*
 * The strings inlet-cast writes for a DOUBLE's NaN and infinities, in a
 * REAL column.  SQLite keeps an infinity as a REAL, bound as a double; a
 * NaN bound as a double becomes NULL, a silent loss, so the text 'NaN'
 * stays, counted and said at commit.  True when V was bound here.
 */
static bool bind_special_double(struct sqlite_sink *s, sqlite3_stmt *st, int idx,
				const struct column *col, const char *v, size_t n)
{
	bool nan = n == 5 && !memcmp(v, "\"NaN\"", 5);
	bool inf = n == 10 && !memcmp(v, "\"Infinity\"", 10);
	bool minus_inf = n == 11 && !memcmp(v, "\"-Infinity\"", 11);

	if (!(nan || inf || minus_inf) || !real_affinity(col->type))
		return false;
	if (nan) {
		count_nan(s, (size_t)(col - s->c.cols));
		sqlite3_bind_text(st, idx, "NaN", 3, SQLITE_STATIC);
	} else {
		sqlite3_bind_double(st, idx, inf ? INFINITY : -INFINITY);
	}
	return true;
}

/*
 * Bind V, a slice of a row's text, to parameter IDX of ST.  The text
 * outlives sqlite3_step, so SQLite need not copy it (SQLITE_STATIC); only
 * strings with escapes are decoded, into a copy SQLite keeps.  Inline, and
 * the kinds of value tested by how often rows hold them: strings, numbers,
 * null, booleans.
 */
static inline __attribute__((always_inline)) void
bind_value(struct sqlite_sink *s, sqlite3_stmt *st, int idx, const struct column *col,
	   const char *v, size_t n)
{
	if (v[0] == '"') {
		/* Only "NaN", "Infinity" and "-Infinity" can be a REAL's special. */
		if (n <= 11 && (v[1] == 'N' || v[1] == 'I' || v[1] == '-') &&
		    bind_special_double(s, st, idx, col, v, n))
			return;
		if (!memchr(v + 1, '\\', n - 2)) {
			sqlite3_bind_text(st, idx, v + 1, (int)n - 2, SQLITE_STATIC);
			return;
		}
		buf_reset(&s->scratch);
		json_string_decode(&s->scratch, v, n);
		sqlite3_bind_text(st, idx, s->scratch.data, (int)s->scratch.len,
				  SQLITE_TRANSIENT);
		return;
	}
	if (v[0] != 'n' && v[0] != 't' && v[0] != 'f') {
		/*
		 * Numbers keep their text; column affinity decides the storage.
		 * A plain integer for an INTEGER column is bound as one, which is
		 * what the affinity would make of it, without SQLite parsing it.
		 */
		if (col->integer && plain_integer(v, n))
			sqlite3_bind_int64(st, idx, integer_of(v, n));
		else
			sqlite3_bind_text(st, idx, v, (int)n, SQLITE_STATIC);
		return;
	}
	if (v[0] == 'n')
		sqlite3_bind_null(st, idx);
	else if (col->integer)
		sqlite3_bind_int(st, idx, v[0] == 't');
	else
		sqlite3_bind_text(st, idx, v, (int)n, SQLITE_STATIC);
}

static void step_insert(struct sqlite_sink *s, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(EX_IOERR, "cannot insert into '%s': %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
}

/* The row bound last (c->refs) joins the chunk: a copy of its text, its values. */
static void chunk_add(struct sqlite_sink *s, const struct record *rec)
{
	const struct columns *c = &s->c;
	size_t base = s->chunk_text.len;

	buf_add(&s->chunk_text, rec->text, rec->len);
	if (s->nchunk_vals + c->nrefs > s->capchunk_vals) {
		s->capchunk_vals = (s->nchunk_vals + c->nrefs) * 2;
		s->chunk_vals = xrealloc(s->chunk_vals,
					 s->capchunk_vals * sizeof(*s->chunk_vals));
	}
	for (size_t i = 0; i < c->nrefs; i++) {
		const struct field_ref *f = &c->refs[i];
		size_t off;
		/* Values are slices of the row's text; any other is copied too. */
		if (f->val >= rec->text && f->val + f->len <= rec->text + rec->len) {
			off = base + (size_t)(f->val - rec->text);
		} else {
			off = s->chunk_text.len;
			buf_add(&s->chunk_text, f->val, f->len);
		}
		s->chunk_vals[s->nchunk_vals++] = (struct chunk_val){ f->col, off, f->len };
	}
	s->chunk_ends[s->nchunk++] = s->nchunk_vals;
}

/*
 * Insert the rows waiting: a full chunk with one run of insert_chunk,
 * fewer (the batch's last) a row at a time.  Each row binds every
 * column: its value, or NULL where it has none.
 */
static void flush_chunk(struct sqlite_sink *s)
{
	const struct columns *c = &s->c;
	bool full = s->nchunk == s->chunk_rows;
	sqlite3_stmt *st = full ? s->insert_chunk : s->insert;
	size_t v = 0;

	if (!s->nchunk)
		return;
	if (s->capchunk_mark < c->ncols) {
		s->chunk_mark = xrealloc(s->chunk_mark, c->ncols * sizeof(*s->chunk_mark));
		memset(s->chunk_mark + s->capchunk_mark, 0,
		       (c->ncols - s->capchunk_mark) * sizeof(*s->chunk_mark));
		s->capchunk_mark = c->ncols;
	}
	for (size_t r = 0; r < s->nchunk; r++) {
		int first = full ? (int)(r * c->ncols) + 1 : 1;
		unsigned long long stamp = ++s->chunk_stamp;
		for (; v < s->chunk_ends[r]; v++) {
			const struct chunk_val *cv = &s->chunk_vals[v];
			s->chunk_mark[cv->col] = stamp;
			bind_value(s, st, first + (int)cv->col, &c->cols[cv->col],
				   s->chunk_text.data + cv->off, cv->len);
		}
		for (size_t i = 0; i < c->ncols; i++)
			if (s->chunk_mark[i] != stamp)
				sqlite3_bind_null(st, first + (int)i);
		if (!full)
			step_insert(s, st);
	}
	if (full)
		step_insert(s, st);
	start_writeback(s, s->chunk_text.len);
	chunk_discard(s);
}

static void sq_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	struct columns *c = &s->c;

	start_write(s);
	s->lineno = lineno;
	drop_if_pending(s);
	ledger_batch_row(&s->ledger);
	columns_bind_row(c, rec, input_name(s), lineno);
	if (!s->table_exists) {
		/* No keys and no table yet: SQLite has no table without columns. */
		if (!s->empty_rows++)
			s->empty_lineno = lineno;
		return;
	}
	if (!s->insert)
		prepare_insert(s);
	if (s->chunk_rows > 1) {
		chunk_add(s, rec);
		if (s->nchunk == s->chunk_rows)
			flush_chunk(s);
		return;
	}
	/*
	 * Every column gets a value each row: the row's, or NULL where it has
	 * none (cheaper than sqlite3_clear_bindings, which frees and resets
	 * every parameter).
	 */
	for (size_t i = 0; i < c->nrefs; i++)
		bind_value(s, s->insert, (int)c->refs[i].col + 1, &c->cols[c->refs[i].col],
			   c->refs[i].val, c->refs[i].len);
	for (size_t i = 0; i < c->ncols; i++)
		if (!columns_has_value(c, i))
			sqlite3_bind_null(s->insert, (int)i + 1);
	step_insert(s, s->insert);
	start_writeback(s, rec->len);
}

static void remember_wal(struct sqlite_sink *s);

/*
 * A database this sink created takes its first batch with a rollback
 * journal, as sqlite3's .import does: the new pages go straight into the
 * file, once, where a write-ahead log would hold them all and then copy
 * them into the file at its checkpoint.  synchronous=EXTRA syncs the
 * journal's directory after the COMMIT unlinks the journal, so the commit
 * survives a power cut as WAL's does.  Then, and at close, the database
 * goes to WAL with synchronous=FULL.  Another connection using the file
 * at that moment (a reader, or a writer in its own first batch) can keep
 * SQLite from switching, at once and without waiting: it is tried again
 * after the next batch.  False while the rollback journal stays.
 */
static bool use_wal(struct sqlite_sink *s)
{
	sqlite3_stmt *st = prepare(s, "PRAGMA journal_mode=WAL");
	int rc = sqlite3_step(st);
	bool wal = rc == SQLITE_ROW &&
		   !strcasecmp((const char *)sqlite3_column_text(st, 0), "wal");

	if (rc != SQLITE_ROW && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		die(EX_IOERR, "cannot set '%s' to WAL: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	if (!wal)
		return false;
	s->rollback_journal = false;
	exec(s, "PRAGMA synchronous=FULL");
	remember_wal(s);
	return true;
}

/*
 * The database file (and its write-ahead log) must still be the ones
 * opened: a batch written into a file deleted or replaced under it would
 * be reported done and be nowhere.
 */
static void check_still_opened(struct sqlite_sink *s, long long batch)
{
	const struct file_identity *want[] = { &s->opened, &s->opened_wal };
	struct buf path = BUF_INIT;

	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		struct file_identity got;
		const char *what = NULL;

		if (!want[i]->known)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s%s", s->path, i ? "-wal" : "");
		if (stat(path.data, &st) < 0) {
			if (errno != ENOENT)
				die_errno(EX_IOERR, "cannot stat '%s'", path.data);
			what = "deleted";
		} else {
			identity_from_stat(&got, &st, false);
			/* Size and mtime change with every write: the file is dev, ino. */
			if (!identity_same_file(&got, want[i]))
				what = "replaced by another file";
		}
		if (what) {
			exec(s, "ROLLBACK");
			s->writing = false;
			die(EX_IOERR, "'%s' was %s while batch %lld was written into it; the "
			    "batch was rolled back", path.data, what, batch);
		}
	}
	buf_free(&path);
}

static void sq_commit(struct sink *base, long long batch, long long rows)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	struct buf sql = BUF_INIT;

	start_write(s);
	flush_chunk(s);
	if (s->empty_rows)
		die(EX_DATAERR, "'%s' line %lu: %lld row%s with no keys, and no "
		    "table %s to hold %s: SQLite cannot create a table without columns; "
		    "send a schema record or a row with a key first", input_name(s),
		    s->empty_lineno,
		    s->empty_rows, s->empty_rows == 1 ? "" : "s", s->qtable.data,
		    s->empty_rows == 1 ? "it" : "them");
	if (s->replace_pending) {
		/* Overwrite with no rows: the table stays, emptied. */
		s->replace_pending = false;
		if (s->table_exists) {
			buf_printf(&sql, "DELETE FROM %s", s->qtable.data);
			exec(s, sql.data);
		}
	}
	if (batch >= 0 && base->checkpoint_id) {
		sqlite3_stmt *st = prepare(s,
			"INSERT INTO \"_inlet_commits\" (checkpoint_id, batch, table_name,"
			" rows, committed_at) VALUES (?, ?, ?, ?, ?)");
		char now[32];
		iso8601_now(now);
		sqlite3_bind_text(st, 1, base->checkpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, batch);
		sqlite3_bind_text(st, 3, base->name + strlen("sqlite:") + strlen(s->path) + 1,
				  -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, rows);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(EX_IOERR, "cannot record batch %lld in '%s': %s", batch,
			    s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
	}
	record_files(s, batch);
	ledger_batch_reset(&s->ledger);
	check_still_opened(s, batch);
	exec(s, "COMMIT");
	s->writing = false;
	close_writeback_log(s);
	if (s->rollback_journal)
		use_wal(s);
	for (size_t i = 0; i < s->nnans; i++) {
		buf_reset(&sql);
		if (batch >= 0)
			buf_printf(&sql, "batch %lld: ", batch);
		warning("%scolumn '%s' of %s: %lld NaN value%s kept as the text 'NaN' "
			"(SQLite stores a NaN double as NULL)", sql.len ? sql.data : "",
			s->c.cols[s->nans[i].col].name, s->qtable.data, s->nans[i].n,
			s->nans[i].n == 1 ? "" : "s");
	}
	buf_free(&sql);
	s->nnans = 0;
}

static void sq_abort(struct sink *base)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
	s->writing = false;
	close_writeback_log(s);
	s->empty_rows = 0;
	s->nnans = 0;
	chunk_discard(s);
	ledger_batch_reset(&s->ledger);
	load_columns(s);
}

static void sq_close(struct sink *base)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	close_writeback_log(s);
	forget_columns(s);
	columns_free(&s->c);
	if (s->rollback_journal && !use_wal(s))
		warning("'%s' stays in rollback-journal mode: another connection kept "
			"SQLite from setting WAL; the next run sets it", s->path);
	sqlite3_finalize(s->has_mark);
	sqlite3_finalize(s->ledger_get);
	ledger_batch_free(&s->ledger);
	free(s->nans);
	if (sqlite3_close(s->db) != SQLITE_OK)
		die(EX_IOERR, "cannot close '%s': %s", s->path, sqlite3_errmsg(s->db));
	if (s->writeback_fd[0] >= 0)	/* only now: see open_writeback */
		close(s->writeback_fd[0]);
	free(s->path);
	free(s->table);
	free(base->name);
	buf_free(&s->qtable);
	buf_free(&s->scratch);
	buf_free(&s->chunk_text);
	free(s->chunk_vals);
	free(s->chunk_mark);
	free(s);
}

static void remember_wal(struct sqlite_sink *s)
{
	struct buf wal = BUF_INIT;
	struct stat st;

	buf_printf(&wal, "%s-wal", s->path);
	if (stat(wal.data, &st) == 0)
		identity_from_stat(&s->opened_wal, &st, false);
	buf_free(&wal);
}

/* What check_still_opened compares with: the files as opened. */
static void remember_opened(struct sqlite_sink *s)
{
	struct stat st;

	if (stat(s->path, &st) < 0)
		die_errno(EX_IOERR, "cannot stat '%s'", s->path);
	identity_from_stat(&s->opened, &st, false);
	remember_wal(s);
}

static const struct sink_ops sqlite_ops = {
	sq_begin, sq_schema, sq_row, sq_commit, sq_abort, sq_close
};

static const struct sink_ledger_ops sqlite_ledger = { sq_file, sq_file_skipped };

struct sink *sink_sqlite_open(const char *db, const char *table)
{
	struct sqlite_sink *s = xcalloc(1, sizeof(*s));
	s->writeback_fd[0] = s->writeback_fd[1] = -1;
	struct buf name = BUF_INIT;
	struct stat st;
	struct buf wal = BUF_INIT;
	/*
	 * A file SQLite creates now, or an empty one with no write-ahead log
	 * (which could hold a database all of whose pages are in it): its
	 * first batch goes without WAL (use_wal).
	 */
	buf_printf(&wal, "%s-wal", db);
	bool fresh = stat(db, &st) < 0 ? errno == ENOENT :
		     st.st_size == 0 && stat(wal.data, &st) < 0 && errno == ENOENT;
	buf_free(&wal);

	s->base.ops = &sqlite_ops;
	s->base.ledger = &sqlite_ledger;
	s->path = xstrdup(db);
	s->table = xstrdup(table);
	buf_printf(&name, "sqlite:%s:%s", db, table);
	s->base.name = xstrdup(name.data);
	buf_free(&name);
	sql_quote_ident(&s->qtable, table, strlen(table));
	s->c = (struct columns){
		.fold_case = true,	/* SQLite's names ignore ASCII case */
		.fold_why = "SQLite's column names ignore case",
		.nul_as_qmark = true,	/* as quote_ident writes it */
		.sink_name = s->base.name,
		.add = add_row_column,
		.sink = s,
	};
	/*
	 * One thread uses SQLite: no mutexes, no memory statistics (they take
	 * a global mutex on every allocation).  Both must precede any use.
	 */
	static bool configured;
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = true;
	}
	if (sqlite3_open_v2(db, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die(EX_CANTCREAT, "cannot open database '%s': %s", db,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
	sqlite3_busy_timeout(s->db, 10000);
	/* WAL lets readers (a join's static side, a user's query) run alongside. */
	/*
	 * A file another writer has just made, in its first batch, is not
	 * set to WAL yet, and cannot be while that batch runs: this writer
	 * takes its turn in rollback-journal mode too, and sets WAL after.
	 */
	if (fresh || !use_wal(s)) {
		s->rollback_journal = true;
		exec(s, "PRAGMA synchronous=EXTRA");
	}
	exec(s, "CREATE TABLE IF NOT EXISTS \"_inlet_commits\" ("
		"checkpoint_id TEXT NOT NULL, batch INTEGER NOT NULL,"
		" table_name TEXT NOT NULL, rows INTEGER NOT NULL,"
		" committed_at TEXT NOT NULL, PRIMARY KEY (checkpoint_id, batch))");
	/* SQLite's table names ignore case: so does the ledger's. */
	exec(s, "CREATE TABLE IF NOT EXISTS \"" LEDGER_TABLE "\" ("
		"table_name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL,"
		" size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, dev INTEGER,"
		" ino INTEGER, checkpoint_id TEXT NOT NULL, batch INTEGER NOT NULL,"
		" committed_at TEXT NOT NULL, rows INTEGER NOT NULL,"
		" PRIMARY KEY (table_name, path, size, mtime_ns))");
	s->ledger_get = prepare(s, "SELECT checkpoint_id, batch FROM \"" LEDGER_TABLE "\""
				" WHERE table_name = ? AND path = ? AND size = ?"
				" AND mtime_ns = ?");
	s->has_mark = prepare(s, "SELECT 1 FROM \"_inlet_commits\""
			      " WHERE checkpoint_id = ? AND batch = ?");
	load_columns(s);
	remember_opened(s);
	return &s->base;
}
