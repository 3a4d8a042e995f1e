/*
 * The PostgreSQL sink.  One transaction holds a batch's rows and its mark
 * in "_inlet_commits" (checkpoint id, batch), as in SQLite: after a crash
 * or a lost connection the server has both or neither (it rolls back a
 * transaction whose client went away), and a replayed batch finds its
 * mark and is skipped.
 *
 * Rows go to the server with COPY ... FROM STDIN, in binary format when
 * every column's type has a binary form inlet writes (bin_kind_of), else
 * in text format, one COPY per run of rows with the same columns: a row
 * bringing a new key ends the COPY, the column is added (ALTER TABLE), and
 * a new COPY starts.  Upserts copy into a temporary table and merge it
 * with INSERT ... ON CONFLICT.  Rows are gathered into COPY_CHUNK bytes
 * before they go to libpq: one CopyData message per chunk, sent whole at
 * once (flush_copy), not per row (libpq sends every 8 KiB, waking the
 * server each time).
 *
 * Writers of one table take turns: each batch's transaction starts with a
 * transaction-level advisory lock keyed on the table, waited for up to
 * lock_timeout (10 s unless the connection sets one), so workers sharing a
 * table (discover --shard) commit one after another and a writer stuck
 * behind another fails with EX_TEMPFAIL.  Identifiers come from data and
 * are always quoted.
 *
 * The file ledger (ledger.h) is looked up under that lock, inside the
 * batch's transaction: the writer after us sees the versions we recorded
 * (READ COMMITTED takes a new snapshot each statement), and the unique
 * key refuses a version recorded twice.  A look-up ends the open COPY.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "columns.h"
#include "pgconn.h"
#include "pq.h"
#include "datetime.h"
#include "die.h"
#include "json.h"
#include "ledger.h"
#include "schema.h"
#include "sink.h"
#include "value.h"

/* How COPY's binary format carries a column's values (bin_kind_of); NONE: it does not. */
enum bin_kind { BIN_NONE, BIN_INT4, BIN_INT8, BIN_FLOAT8, BIN_NUMERIC, BIN_BOOL,
		BIN_DATE, BIN_TIMESTAMPTZ, BIN_TEXT, BIN_JSONB };
static enum bin_kind bin_kind_of(const char *type);
static void put_be(struct buf *out, uint64_t v, unsigned bytes);

/* The first key of the advisory locks inlet takes: "inlt". */
#define LOCK_CLASS 1768844404

struct pg_sink {
	struct sink base;
	PGconn *conn;
	char *where;		/* owned: "HOST:PORT", for messages */
	char *table;		/* owned: the table's name, unquoted */
	struct buf qtable;	/* the quoted table name */
	struct columns c;	/* types: format_type() spelling, "numeric(10,2)" */
	bool table_exists;
	bool writing;		/* the batch's transaction is open */
	bool replace_pending;	/* overwrite: empty the table at first use */
	bool copying;		/* a COPY is open */
	bool copy_binary;	/* ... in binary format: bin_kinds[i] for column i */
	bool text_only;		/* a value binary cannot carry came: text to the batch's end */
	enum bin_kind *bin_kinds;
	unsigned long *copy_lines;	/* the input line of each row of the COPY */
	struct buf copy_data;	/* rows of the open COPY not yet handed to libpq */
	size_t copy_rows, copy_cap;
	long long batch_rows;	/* the rows of the batch so far: their order for upserts */
	unsigned long lineno;	/* the row being written, for messages */
	struct buf scratch;
	struct ledger_batch ledger;	/* the versions the batch takes */
};

static const char *input_name(const struct pg_sink *s)
{
	return s->base.input ? s->base.input->name : "standard input";
}



/*
 * The exit status for a failed statement: a lock not granted in time is
 * EX_TEMPFAIL, bad data (a value the column's type refuses, a duplicate
 * key) EX_DATAERR, a missing privilege EX_CANTCREAT, the rest (a lost
 * connection above all) EX_IOERR.
 */
static int status_of(const char *state)
{
	if (!state)
		return EX_IOERR;
	if (!strcmp(state, "55P03") || !strcmp(state, "40P01") || !strcmp(state, "40001"))
		return EX_TEMPFAIL;
	if (!strcmp(state, "42501"))
		return EX_CANTCREAT;
	if (!strncmp(state, "22", 2) || !strncmp(state, "23", 2) ||
	    !strcmp(state, "42804") || !strcmp(state, "54011"))
		return EX_DATAERR;
	return EX_IOERR;
}

/* Class 08 and 57P0x: the connection broke, or the server ended it. */
static bool connection_lost(struct pg_sink *s, const char *state)
{
	return PQstatus(s->conn) == CONNECTION_BAD ||
	       (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4)));
}

/*
 * Die for the failed RES (NULL: no answer) of what WHAT describes.  The
 * server rolls the open transaction back when the connection closes, so
 * the batch is never half committed.
 */
static void __attribute__((noreturn))
pg_fail(struct pg_sink *s, PGresult *res, const char *what)
{
	struct buf msg = BUF_INIT;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int code = status_of(state);

	if (connection_lost(s, state)) {
		buf_printf(&msg, "lost the connection to PostgreSQL at %s while trying to %s: ",
			   s->where, what);
		if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
			pg_one_line(&msg, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		else
			pg_one_line(&msg, PQerrorMessage(s->conn));
		code = EX_IOERR;
	} else {
		buf_printf(&msg, "cannot %s in %s: ", what, s->base.name);
		pg_one_line(&msg, res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL);
		if (!res || !PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
			pg_one_line(&msg, PQerrorMessage(s->conn));
		if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) {
			buf_adds(&msg, " (");
			pg_one_line(&msg, PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
			buf_addc(&msg, ')');
		}
	}
	if (code == EX_TEMPFAIL)
		buf_adds(&msg, "; another writer holds the table: try later");
	if (s->writing)
		buf_adds(&msg, "; the batch was rolled back and is replayed on restart");
	PQclear(res);
	die(code, "%s", msg.data);
}

/* Run SQL, which returns no rows (or rows nobody reads). */
static void run(struct pg_sink *s, const char *sql, const char *what)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		pg_fail(s, res, what);
	PQclear(res);
}

/* The session's settings, after connecting and after connecting again. */
static void session_setup(struct pg_sink *s)
{
	if (PQsetClientEncoding(s->conn, "UTF8"))
		pg_fail(s, NULL, "set the client encoding to UTF8");
	/* Timestamps are read and shown in UTC, whatever the server's zone. */
	run(s, "SET TimeZone = 'UTC'", "set the time zone");
}

/*
 * RES, a statement sent between batches (no transaction open), failed:
 * if the connection was lost (a server restart, a failover, an idle
 * timeout), connect again, waiting 1, 2, 4, 8 and 16 s between tries, so
 * a pipeline streaming for days outlives it.  True once connected again:
 * the caller sends its statement again.  Inside a batch a lost connection
 * stays fatal: the server rolled the batch back, and the replay brings its
 * rows again.
 */
static bool reconnect(struct pg_sink *s, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	struct buf why = BUF_INIT;

	if (s->writing || !connection_lost(s, state))
		return false;
	pg_one_line(&why, primary ? primary : PQerrorMessage(s->conn));
	for (unsigned wait = 1; wait <= 16; wait *= 2) {
		warning("lost the connection to PostgreSQL at %s (%s); connecting again "
			"in %u s", s->where, why.data, wait);
		sleep(wait);
		PQreset(s->conn);
		if (PQstatus(s->conn) == CONNECTION_OK) {
			buf_free(&why);
			session_setup(s);
			return true;
		}
		buf_reset(&why);
		pg_one_line(&why, PQerrorMessage(s->conn));
	}
	buf_free(&why);
	return false;
}

/* Server notices ("relation already exists, skipping") are noise; warnings are not. */
static void on_notice(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (sev && !strcmp(sev, "WARNING"))
		warning("%s: %s", ((struct pg_sink *)arg)->base.name, msg ? msg : "");
}

/* The PostgreSQL type of an inlet schema type, spelt as format_type() does. */
static void pg_type_for(const char *inlet_type, struct buf *out)
{
	struct type t;

	if (type_parse(inlet_type, strlen(inlet_type), &t) < 0) {
		buf_adds(out, "text");
		return;
	}
	switch (t.kind) {
	case TYPE_INT: buf_adds(out, "integer"); break;
	case TYPE_BIGINT: buf_adds(out, "bigint"); break;
	case TYPE_DOUBLE: buf_adds(out, "double precision"); break;
	case TYPE_DECIMAL: buf_printf(out, "numeric(%d,%d)", t.precision, t.scale); break;
	case TYPE_BOOLEAN: buf_adds(out, "boolean"); break;
	case TYPE_DATE: buf_adds(out, "date"); break;
	case TYPE_TIMESTAMP: buf_adds(out, "timestamp with time zone"); break;
	case TYPE_JSON: buf_adds(out, "jsonb"); break;
	default: buf_adds(out, "text"); break;
	}
}

/* Digits before the point a type holds: -1 for a type that is no number. */
static int integer_digits(const char *t, int *scale)
{
	int p, sc;

	*scale = 0;
	if (!strcmp(t, "smallint"))
		return 5;
	if (!strcmp(t, "integer"))
		return 10;
	if (!strcmp(t, "bigint"))
		return 19;
	if (!strcmp(t, "numeric")) {
		*scale = 1000;
		return 1000;
	}
	if (sscanf(t, "numeric(%d,%d)", &p, &sc) == 2) {
		*scale = sc;
		return p - sc;
	}
	return -1;
}

/* Whether every value of type WANT fits a column of type HAVE unchanged. */
static bool type_holds(const char *have, const char *want)
{
	int hs, ws, hd = integer_digits(have, &hs), wd = integer_digits(want, &ws);

	if (!strcmp(have, want) || !strcmp(have, "text"))
		return true;
	if (hd >= 0 && wd >= 0)
		return hd >= wd && hs >= ws && (hs > 0 || ws == 0 || !strcmp(have, "numeric"));
	/* Spark widens integers to DOUBLE. */
	return !strcmp(have, "double precision") && wd >= 0 && ws == 0;
}

static void forget_columns(struct pg_sink *s)
{
	columns_forget(&s->c);
}

/* The table's columns as the server has them (none: no table). */
static void load_columns(struct pg_sink *s)
{
	const char *params[1] = { s->qtable.data };
	PGresult *res = PQexecParams(s->conn,
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod), c.oid IS NOT NULL"
		" FROM (SELECT to_regclass($1) AS oid) c"
		" LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
		" AND NOT a.attisdropped ORDER BY a.attnum", 1, NULL, params, NULL, NULL, 0);

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		pg_fail(s, res, "read the columns of the table");
	forget_columns(s);
	s->table_exists = PQntuples(res) > 0 && !strcmp(PQgetvalue(res, 0, 2), "t");
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 0))
			columns_push(&s->c, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0),
				    PQgetvalue(res, i, 1));
	PQclear(res);
}

static size_t find_column(struct pg_sink *s, const char *name, size_t n, size_t hint)
{
	return columns_find(&s->c, name, n, hint);
}

static void end_copy(struct pg_sink *s);

/*
 * The bytes of COPY data handed to libpq at once: one CopyData message.
 * The server reads a message whole before it parses any of it, so a
 * message is well under a socket's buffer (208 KiB for a unix socket by
 * default), and the server parses one while the next is encoded.
 */
#define COPY_CHUNK (64 * 1024)

/*
 * Hand the gathered rows to libpq and send them all.  libpq alone sends
 * whole 8 KiB blocks and keeps the rest of the message until the next
 * call: the server, short of the message's end, would wait for the next
 * chunk to be encoded, and the two would take turns instead of working
 * at once.
 */
static void flush_copy(struct pg_sink *s)
{
	if (!s->copy_data.len)
		return;
	if (PQputCopyData(s->conn, s->copy_data.data, (int)s->copy_data.len) != 1 ||
	    PQflush(s->conn) != 0)
		pg_fail(s, NULL, "copy rows");
	buf_reset(&s->copy_data);
}

/* The SQL text of the table's lock key, after "pg_advisory_xact_lock(CLASS, ". */
static void lock_key(struct pg_sink *s, struct buf *sql)
{
	buf_adds(sql, "hashtext(current_schema() || '.' || '");
	for (const char *p = s->table; *p; p++) {
		if (*p == '\'')
			buf_addc(sql, '\'');
		buf_addc(sql, *p);
	}
	buf_adds(sql, "')");
}

/*
 * Who holds the table's lock, for the message: "process 123 of
 * inlet-commit from 10.0.0.5, in its batch since 2024-...".  Runs after
 * the failed transaction is rolled back; empty when the holder is gone.
 */
static void describe_holder(struct pg_sink *s, struct buf *out)
{
	struct buf sql = BUF_INIT;
	PGresult *res;

	buf_printf(&sql, "SELECT a.pid, coalesce(nullif(a.application_name, ''), 'a client'),"
		   " coalesce(host(a.client_addr), 'the local socket'),"
		   " to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		   " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
		   " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
		   " AND l.classid = %d AND l.objid::bigint = (", LOCK_CLASS);
	lock_key(s, &sql);
	buf_adds(&sql, "::bigint & 4294967295) LIMIT 1");
	res = PQexec(s->conn, sql.data);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		buf_printf(out, " (server process %s of %s from %s, in a transaction since %s)",
			   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
			   PQgetvalue(res, 0, 3));
	PQclear(res);
	buf_free(&sql);
}

/*
 * Open the batch's transaction at its first write: wait for the table's
 * lock, then read the columns (another writer may have added some).
 */
static void start_write(struct pg_sink *s)
{
	struct buf sql = BUF_INIT;

	if (s->writing)
		return;
	for (;;) {
		PGresult *begin = PQexec(s->conn, "BEGIN");
		if (begin && PQresultStatus(begin) == PGRES_COMMAND_OK) {
			PQclear(begin);
			break;
		}
		if (!reconnect(s, begin))
			pg_fail(s, begin, "begin a transaction");
		PQclear(begin);
	}
	s->writing = true;
	/* A lock wait is bounded: 10 s unless the connection chose its own. */
	run(s, "SELECT CASE WHEN current_setting('lock_timeout') IN ('0', '0ms') THEN "
	    "set_config('lock_timeout', '10s', true) END", "set lock_timeout");
	buf_printf(&sql, "SELECT pg_advisory_xact_lock(%d, ", LOCK_CLASS);
	lock_key(s, &sql);
	buf_addc(&sql, ')');
	PGresult *res = PQexec(s->conn, sql.data);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (state && !strcmp(state, "55P03")) {
			struct buf holder = BUF_INIT;
			PQclear(res);
			run(s, "ROLLBACK", "roll back");
			s->writing = false;
			describe_holder(s, &holder);
			die(EX_TEMPFAIL, "%s is locked by another writer of the same table%s; "
			    "gave up after lock_timeout (10 s unless the URI sets one): try "
			    "later", s->base.name, holder.data ? holder.data : "");
		}
		pg_fail(s, res, "lock the table");
	}
	PQclear(res);
	buf_free(&sql);
	load_columns(s);
	s->batch_rows = 0;
}

/* Overwrite: the table is emptied in the batch's transaction (DELETE: readers see old or new). */
static void empty_if_pending(struct pg_sink *s)
{
	struct buf sql = BUF_INIT;

	if (!s->replace_pending)
		return;
	s->replace_pending = false;
	if (!s->table_exists)
		return;
	buf_printf(&sql, "DELETE FROM %s", s->qtable.data);
	run(s, sql.data, "empty the table");
	buf_free(&sql);
}

/* Add column NAME of TYPE (creating the table if needed); its index. */
static size_t add_column(struct pg_sink *s, const char *name, size_t n, const char *type)
{
	struct buf sql = BUF_INIT;

	columns_check_new(&s->base, name, n, s->lineno);
	end_copy(s);
	if (s->table_exists)
		buf_printf(&sql, "ALTER TABLE %s ADD COLUMN ", s->qtable.data);
	else
		buf_printf(&sql, "CREATE TABLE %s (", s->qtable.data);
	sql_quote_ident(&sql, name, n);
	buf_printf(&sql, " %s%s", type, s->table_exists ? "" : ")");
	run(s, sql.data, s->table_exists ? "add a column" : "create the table");
	s->table_exists = true;
	buf_free(&sql);
	columns_push(&s->c, name, n, type);
	return s->c.ncols - 1;
}

/* Column COL gets type WANT from a schema record: kept, widened, or refused. */
static void retype_column(struct pg_sink *s, size_t col, const char *want, const char *inlet_type)
{
	struct column *c = &s->c.cols[col];
	struct buf sql = BUF_INIT;

	/* Overwrite, before its first row: the table is empty, any type goes. */
	bool fresh = s->base.mode == SINK_OVERWRITE && !s->batch_rows;

	if (!strcmp(c->type, want) || (type_holds(c->type, want) && !fresh))
		return;
	if (!fresh && !type_holds(want, c->type))
		die(EX_DATAERR, "cannot change column '%s' of %s from %s to %s (%s): its "
		    "values would not all convert; write to a new table", c->name,
		    s->base.name, c->type, want, inlet_type);
	end_copy(s);
	buf_printf(&sql, "ALTER TABLE %s ALTER COLUMN ", s->qtable.data);
	sql_quote_ident(&sql, c->name, c->name_len);
	buf_printf(&sql, " TYPE %s USING ", want);
	if (fresh)
		buf_printf(&sql, "NULL::%s", want);
	else {
		sql_quote_ident(&sql, c->name, c->name_len);
		buf_printf(&sql, "::%s", want);
	}
	run(s, sql.data, "change the type of a column");
	free(c->type);
	c->type = xstrdup(want);
	buf_free(&sql);
}

static void pg_schema(struct sink *base, const char *text, size_t len)
{
	struct pg_sink *s = (struct pg_sink *)base;
	const char *fields, *v;
	size_t flen, vlen;
	struct json_iter it;
	struct buf name = BUF_INIT, type = BUF_INIT, want = BUF_INIT;

	if (json_object_get(text, len, "fields", &fields, &flen) != 1 ||
	    json_array_open(&it, fields, flen, NULL) < 0)
		die(EX_DATAERR, "schema record without a \"fields\" array");
	start_write(s);
	s->lineno = 0;
	empty_if_pending(s);
	while (json_array_next(&it, &v, &vlen, NULL) == 1) {
		const char *nv, *tv;
		size_t nn, tn;
		if (json_object_get(v, vlen, "name", &nv, &nn) != 1 || !json_is_string(nv, nn))
			die(EX_DATAERR, "schema record field without a name");
		buf_reset(&name);
		buf_reset(&type);
		buf_reset(&want);
		json_string_decode(&name, nv, nn);
		if (memchr(name.data, '\0', name.len))
			die(EX_DATAERR, "schema record: field name '%s...' holds a NUL "
			    "character, which PostgreSQL names cannot", name.data);
		if (json_object_get(v, vlen, "type", &tv, &tn) == 1 && json_is_string(tv, tn))
			json_string_decode(&type, tv, tn);
		else
			buf_adds(&type, "STRING");
		pg_type_for(type.data, &want);
		size_t col = find_column(s, name.data, name.len, 0);
		if (col == (size_t)-1)
			add_column(s, name.data, name.len, want.data);
		else
			retype_column(s, col, want.data, type.data);
	}
	buf_free(&name);
	buf_free(&type);
	buf_free(&want);
}

/* The key of --key, each part checked to be a column. */
static size_t key_column(struct pg_sink *s, const char *k, size_t n)
{
	size_t col = find_column(s, k, n, 0);

	if (col == (size_t)-1)
		die(EX_DATAERR, "upsert key column '%.*s' is not among the columns of %s",
		    (int)n, k, s->base.name);
	return col;
}

static bool is_key(struct pg_sink *s, const char *name, size_t len)
{
	for (const char *k = s->base.key; *k;) {
		size_t n = strcspn(k, ",");
		if (n == len && !memcmp(k, name, n))
			return true;
		k += n + (k[n] == ',');
	}
	return false;
}

/* A constant of column type TYPE for COALESCE, or NULL when none is known. */
static const char *zero_of(const char *type)
{
	int sc;

	if (!strcmp(type, "text") || !strncmp(type, "character", 9))
		return "''";
	if (integer_digits(type, &sc) >= 0 || !strcmp(type, "double precision") ||
	    !strcmp(type, "real"))
		return "0";
	if (!strcmp(type, "boolean"))
		return "false";
	if (!strcmp(type, "date"))
		return "'1970-01-01'::date";
	if (!strcmp(type, "timestamp with time zone"))
		return "'1970-01-01 00:00:00+00'::timestamptz";
	if (!strcmp(type, "timestamp without time zone"))
		return "'1970-01-01 00:00:00'::timestamp";
	if (!strcmp(type, "jsonb"))
		return "'null'::jsonb";
	return NULL;
}

/*
 * The upsert key as index expressions: "(K IS NULL), COALESCE(K, 0), ...".
 * Keys match NULL-safely, as Delta's MERGE with <=> does: a NULL key part
 * is one key, not a new one each time.  A unique index holds NULLs as
 * distinct, so it is over expressions that are never NULL, and the pair
 * keeps a NULL apart from the constant that stands in for it.
 */
static void null_safe_keys(struct pg_sink *s, struct buf *out)
{
	for (const char *k = s->base.key; *k;) {
		size_t n = strcspn(k, ",");
		size_t col = key_column(s, k, n);
		const char *zero = zero_of(s->c.cols[col].type);
		if (!zero)
			die(EX_DATAERR, "upsert key column '%.*s' of %s is of type %s, "
			    "which inlet cannot key on", (int)n, k, s->base.name,
			    s->c.cols[col].type);
		if (out->len)
			buf_addc(out, ',');
		buf_addc(out, '(');
		sql_quote_ident(out, k, n);
		buf_adds(out, " IS NULL),COALESCE(");
		sql_quote_ident(out, k, n);
		buf_printf(out, ",%s)", zero);
		k += n + (k[n] == ',');
	}
}

/* The index's name: the table and the key, hashed (names are 63 bytes at most). */
static void upsert_index_name(struct pg_sink *s, struct buf *out)
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[2] = { s->table, s->base.key };

	for (size_t i = 0; i < 2; i++)
		for (const char *p = parts[i]; ; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			if (!*p)
				break;
		}
	buf_printf(out, "inlet_upsert_%016llx", (unsigned long long)h);
}

static void column_list(struct pg_sink *s, struct buf *sql)
{
	for (size_t i = 0; i < s->c.ncols; i++) {
		if (i)
			buf_addc(sql, ',');
		sql_quote_ident(sql, s->c.cols[i].name, s->c.cols[i].name_len);
	}
}

/* The name of the temporary table upserted rows are copied into. */
#define UPSERT_ROWS "\"inlet upsert rows\""
#define UPSERT_SEQ "\"inlet upsert seq\""

/* Merge the copied rows into the table: the last row of each key wins. */
static void merge_upserts(struct pg_sink *s)
{
	struct buf sql = BUF_INIT, keys = BUF_INIT, plain = BUF_INIT, index = BUF_INIT;
	bool any = false;

	null_safe_keys(s, &keys);
	upsert_index_name(s, &index);
	buf_adds(&sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
	sql_quote_ident(&sql, index.data, index.len);
	buf_printf(&sql, " ON %s (%s)", s->qtable.data, keys.data);
	run(s, sql.data, "create the upsert key's unique index");
	for (const char *k = s->base.key; *k;) {
		size_t n = strcspn(k, ",");
		if (plain.len)
			buf_addc(&plain, ',');
		sql_quote_ident(&plain, k, n);
		k += n + (k[n] == ',');
	}
	buf_reset(&sql);
	buf_printf(&sql, "INSERT INTO %s (", s->qtable.data);
	column_list(s, &sql);
	buf_adds(&sql, ") SELECT ");
	column_list(s, &sql);
	/* DISTINCT ON holds NULLs as equal: one row per NULL-safe key. */
	buf_printf(&sql, " FROM (SELECT DISTINCT ON (%s) * FROM " UPSERT_ROWS
		   " ORDER BY %s, " UPSERT_SEQ " DESC) AS latest ON CONFLICT (%s) DO ",
		   plain.data, plain.data, keys.data);
	for (size_t i = 0; i < s->c.ncols; i++) {
		if (is_key(s, s->c.cols[i].name, s->c.cols[i].name_len))
			continue;
		buf_adds(&sql, any ? ", " : "UPDATE SET ");
		sql_quote_ident(&sql, s->c.cols[i].name, s->c.cols[i].name_len);
		buf_adds(&sql, " = EXCLUDED.");
		sql_quote_ident(&sql, s->c.cols[i].name, s->c.cols[i].name_len);
		any = true;
	}
	if (!any)
		buf_adds(&sql, "NOTHING");
	run(s, sql.data, "upsert the batch's rows");
	run(s, "DROP TABLE " UPSERT_ROWS, "drop the temporary table of upserted rows");
	buf_free(&sql);
	buf_free(&keys);
	buf_free(&plain);
	buf_free(&index);
}

static void start_copy(struct pg_sink *s)
{
	struct buf sql = BUF_INIT;
	PGresult *res;

	if (s->base.mode == SINK_UPSERT) {
		buf_adds(&sql, "CREATE TEMPORARY TABLE " UPSERT_ROWS " (" UPSERT_SEQ " bigint");
		for (size_t i = 0; i < s->c.ncols; i++) {
			buf_addc(&sql, ',');
			sql_quote_ident(&sql, s->c.cols[i].name, s->c.cols[i].name_len);
			buf_printf(&sql, " %s", s->c.cols[i].type);
		}
		buf_adds(&sql, ") ON COMMIT DROP");
		run(s, sql.data, "create a temporary table for the upserted rows");
		buf_reset(&sql);
		buf_adds(&sql, "COPY " UPSERT_ROWS " (" UPSERT_SEQ);
		if (s->c.ncols)
			buf_addc(&sql, ',');
	} else {
		buf_printf(&sql, "COPY %s (", s->qtable.data);
	}
	column_list(s, &sql);
	buf_adds(&sql, ") FROM STDIN");
	/* Binary when every column's type has a binary form inlet writes. */
	s->copy_binary = !s->text_only && s->c.ncols;
	s->bin_kinds = xrealloc(s->bin_kinds, (s->c.ncols + 1) * sizeof(*s->bin_kinds));
	for (size_t i = 0; i < s->c.ncols; i++)
		if ((s->bin_kinds[i] = bin_kind_of(s->c.cols[i].type)) == BIN_NONE)
			s->copy_binary = false;
	if (s->copy_binary)
		buf_adds(&sql, " WITH (FORMAT binary)");
	/* A table without columns: no column list, and an empty line a row. */
	if (!s->c.ncols && s->base.mode != SINK_UPSERT) {
		buf_reset(&sql);
		buf_printf(&sql, "COPY %s FROM STDIN", s->qtable.data);
	}
	res = PQexec(s->conn, sql.data);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN)
		pg_fail(s, res, "start copying rows");
	PQclear(res);
	s->copying = true;
	s->copy_rows = 0;
	buf_reset(&s->copy_data);
	if (s->copy_binary) {
		/* The signature, no flags, no header extension. */
		buf_add(&s->copy_data, "PGCOPY\n\377\r\n", 11);
		put_be(&s->copy_data, 0, 4);
		put_be(&s->copy_data, 0, 4);
	}
	buf_free(&sql);
}

/* The input line of the row a COPY error names ("COPY t, line 3, column x"). */
static unsigned long copy_error_line(struct pg_sink *s, PGresult *res)
{
	const char *ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *p = ctx ? strstr(ctx, ", line ") : NULL;
	unsigned long n;

	if (!p || sscanf(p, ", line %lu", &n) != 1 || n < 1 || n > s->copy_rows)
		return 0;
	return s->copy_lines[n - 1];
}

/* End the open COPY (and merge upserted rows); a value refused names its line. */
static void end_copy(struct pg_sink *s)
{
	PGresult *res;

	if (!s->copying)
		return;
	s->copying = false;
	if (s->copy_binary)
		put_be(&s->copy_data, UINT16_MAX, 2);	/* -1: the trailer */
	flush_copy(s);
	if (PQputCopyEnd(s->conn, NULL) != 1)
		pg_fail(s, NULL, "copy rows");
	while ((res = PQgetResult(s->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			unsigned long line = copy_error_line(s, res);
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			if (line && status_of(state) == EX_DATAERR) {
				struct buf msg = BUF_INIT;
				pg_one_line(&msg, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
				PQclear(res);
				die(EX_DATAERR, "'%s' line %lu: %s refuses the row: %s; the batch "
				    "was rolled back", input_name(s), line, s->base.name, msg.data);
			}
			pg_fail(s, res, "copy rows");
		}
		PQclear(res);
	}
	if (s->base.mode == SINK_UPSERT)
		merge_upserts(s);
}

/* V, a JSON value, as a COPY text field of column C into OUT. */
static void copy_value(struct pg_sink *s, const struct column *c, const char *v, size_t n,
		       struct buf *out)
{
	const char *p = v, *end = v + n;

	if (v[0] == 'n') {
		buf_adds(out, "\\N");
		return;
	}
	/* A string is its text, except in a jsonb column, which takes JSON. */
	bool text = v[0] == '"' && strcmp(c->type, "jsonb");
	/* Without escapes it holds no backslash, tab or line end: sent as it is. */
	if (text && !memchr(v + 1, '\\', n - 2)) {
		buf_add(out, v + 1, n - 2);
		return;
	}
	if (text) {
		buf_reset(&s->scratch);
		json_string_decode(&s->scratch, v, n);
		if (memchr(s->scratch.data, '\0', s->scratch.len))
			die(EX_DATAERR, "'%s' line %lu: the value of column '%s' holds a NUL "
			    "character, which PostgreSQL text cannot", input_name(s),
			    s->lineno, c->name);
		p = s->scratch.data;
		end = p + s->scratch.len;
	}
	for (; p < end; p++) {
		switch (*p) {
		case '\\': buf_adds(out, "\\\\"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		default: buf_addc(out, *p);
		}
	}
}

/*
 * COPY's binary format for the types inlet creates: the server then reads
 * each value as it is stored (an int64 for a timestamptz, base-10000
 * digits for a numeric) instead of parsing its text.  Only values whose binary form is certain
 * are sent so: a value of another spelling (a string in a numeric column,
 * a timestamp with an offset, a number beyond its column's range) ends
 * the binary COPY, and the rest of the batch goes as text, where the
 * server reads or refuses it as ever.
 */

static enum bin_kind bin_kind_of(const char *type)
{
	static const struct { const char *type; enum bin_kind kind; } kinds[] = {
		{ "integer", BIN_INT4 }, { "bigint", BIN_INT8 },
		{ "double precision", BIN_FLOAT8 }, { "numeric", BIN_NUMERIC },
		{ "boolean", BIN_BOOL }, { "date", BIN_DATE },
		{ "timestamp with time zone", BIN_TIMESTAMPTZ }, { "text", BIN_TEXT },
		{ "jsonb", BIN_JSONB },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(type, kinds[i].type))
			return kinds[i].kind;
	return strncmp(type, "numeric(", 8) ? BIN_NONE : BIN_NUMERIC;
}

/* The low BYTES (1 to 8) bytes of V big-endian, as COPY's binary format has them. */
static void put_be(struct buf *out, uint64_t v, unsigned bytes)
{
	/* One 8-byte store: the bytes wanted first, the rest overwritten later. */
	uint64_t be = htobe64(v << (64 - 8 * bytes));

	buf_grow(out, 8);
	memcpy(out->data + out->len, &be, 8);
	out->len += bytes;
	out->data[out->len] = '\0';
}

/*
 * A row's fields are stored through a pointer into room bin_row made for
 * the whole row: one bound check a row, not three stores a number.
 */
static inline unsigned char *be16(unsigned char *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static inline unsigned char *be32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static inline unsigned char *be64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PG_EPOCH_DAYS 10957

/* The integer JSON number V (no fraction, no exponent) in [MIN, MAX]. */
static bool bin_integer(const char *v, size_t n, long long min, long long max, long long *out)
{
	bool neg = n && v[0] == '-';
	size_t i = neg;
	unsigned long long mag = 0;
	/* |MIN| = MAX + 1, written without overflowing. */
	unsigned long long limit = neg ? (unsigned long long)-(min + 1) + 1 : (unsigned long long)max;

	if (i == n || n - i > 19)
		return false;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		mag = mag * 10 + (unsigned)(v[i] - '0');
	}
	if (mag > limit)
		return false;
	*out = !neg ? (long long)mag : mag ? -(long long)(mag - 1) - 1 : 0;
	return true;
}

/* N decimal digits at P (all digits: the caller checked). */
static unsigned digits_at(const char *p, size_t n)
{
	unsigned v = 0;

	while (n--)
		v = v * 10 + (unsigned)(*p++ - '0');
	return v;
}

/* The decimal digit C as a number; above 9 when C is no digit. */
static inline unsigned digit(char c)
{
	return (unsigned)(unsigned char)c - '0';
}

/* The two digits at P as a number; above 99 when either is no digit. */
static inline unsigned two_digits(const char *p)
{
	unsigned a = digit(p[0]), b = digit(p[1]);

	return a > 9 || b > 9 ? 100 : a * 10 + b;
}

/*
 * The JSON number V (-?int(.frac)?, at most 1000 digits) as a numeric at
 * P: base-10000 digits around the point, the weight of the first, and the
 * fraction's digits as the display scale, as numeric_in makes it; the
 * column's typmod (rounding, precision) the server applies to both.
 * NULL when V is not of that form.  At most N + 16 bytes.
 */
static unsigned char *bin_numeric(const char *v, size_t n, unsigned char *p)
{
	bool neg = n && v[0] == '-';
	const char *q = v + neg, *end = v + n, *ip, *fp = NULL;
	size_t il, fl = 0;
	uint16_t d[260];
	size_t nd = 0, first;
	int weight;

	for (ip = q; q < end && *q >= '0' && *q <= '9'; q++)
		;
	il = (size_t)(q - ip);
	if (!il)
		return NULL;
	if (q < end && *q == '.') {
		for (fp = ++q; q < end && *q >= '0' && *q <= '9'; q++)
			;
		fl = (size_t)(q - fp);
		if (!fl)
			return NULL;
	}
	if (q != end || il + fl > 1000)
		return NULL;
	while (il > 1 && *ip == '0')
		ip++, il--;
	/* The integer part in groups of four from the point leftwards. */
	size_t head = il % 4 ? il % 4 : 4;
	d[nd++] = (uint16_t)digits_at(ip, head);
	for (size_t i = head; i < il; i += 4)
		d[nd++] = (uint16_t)digits_at(ip + i, 4);
	weight = (int)nd - 1;
	/* The fraction in groups of four from the point rightwards. */
	for (size_t i = 0; i < fl; i += 4) {
		size_t k = fl - i < 4 ? fl - i : 4;
		unsigned g = digits_at(fp + i, k);
		for (size_t z = k; z < 4; z++)
			g *= 10;
		d[nd++] = (uint16_t)g;
	}
	for (first = 0; first < nd && !d[first]; first++)
		weight--;
	while (nd > first && !d[nd - 1])
		nd--;
	if (first == nd) {	/* zero, of the scale written */
		weight = 0;
		neg = false;
	}
	p = be32(p, (uint32_t)(8 + 2 * (nd - first)));
	p = be16(p, (uint16_t)(nd - first));
	p = be16(p, (uint16_t)(int16_t)weight);
	p = be16(p, neg ? 0x4000 : 0);
	p = be16(p, (uint16_t)fl);
	for (size_t i = first; i < nd; i++)
		p = be16(p, d[i]);
	return p;
}

/* The digits of "YYYY-MM-DD" at S as days since 1970-01-01; years 1 to 9999. */
static bool scan_date(const char *s, long long *days)
{
	unsigned hi = two_digits(s), lo = two_digits(s + 2), m = two_digits(s + 5),
		 d = two_digits(s + 8);

	if (hi > 99 || lo > 99 || s[4] != '-' || s[7] != '-')
		return false;
	unsigned y = hi * 100 + lo;
	/* A day up to 28 is in every month; m above 12 takes in "no digits" (100). */
	if (!y || m < 1 || m > 12 || d < 1 || (d > 28 && d > days_in_month(y, m)))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/*
 * Store the field for V (N bytes of JSON, not null) of column C, of
 * binary kind KIND, at P, which has room for N + 20 bytes; the pointer
 * past it.  NULL when V is not of the one spelling the binary form is
 * certain for.
 */
static unsigned char *bin_value(struct pg_sink *s, const struct column *c, enum bin_kind kind,
				const char *v, size_t n, unsigned char *p)
{
	long long i;
	double x;
	char num[64], *e;

	switch (kind) {
	case BIN_INT4:
		if (!bin_integer(v, n, INT32_MIN, INT32_MAX, &i))
			return NULL;
		p = be32(p, 4);
		return be32(p, (uint32_t)(int32_t)i);
	case BIN_INT8:
		if (!bin_integer(v, n, INT64_MIN, INT64_MAX, &i))
			return NULL;
		p = be32(p, 8);
		return be64(p, (uint64_t)i);
	case BIN_FLOAT8:
		/* float8in reads with strtod too; its range errors are the server's to give. */
		if (n >= sizeof(num) || (v[0] != '-' && (v[0] < '0' || v[0] > '9')))
			return NULL;
		memcpy(num, v, n);
		num[n] = '\0';
		errno = 0;
		x = strtod(num, &e);
		if (errno || e != num + n)
			return NULL;
		uint64_t bits;
		memcpy(&bits, &x, sizeof(bits));
		p = be32(p, 8);
		return be64(p, bits);
	case BIN_NUMERIC:
		return bin_numeric(v, n, p);
	case BIN_BOOL:
		if (n == 4 && !memcmp(v, "true", 4))
			i = 1;
		else if (n == 5 && !memcmp(v, "false", 5))
			i = 0;
		else
			return NULL;
		p = be32(p, 1);
		*p = (unsigned char)i;
		return p + 1;
	case BIN_DATE:
		if (n != 12 || v[0] != '"' || v[11] != '"' || !scan_date(v + 1, &i))
			return NULL;
		p = be32(p, 4);
		return be32(p, (uint32_t)(int32_t)(i - PG_EPOCH_DAYS));
	case BIN_TIMESTAMPTZ:
		/* Microseconds since 2000: the form inlet-cast writes, certain. */
		if (!value_timestamp_us(v, n, &i))
			return NULL;
		i -= PG_EPOCH_DAYS * 86400 * US_PER_SEC;
		p = be32(p, 8);
		return be64(p, (uint64_t)i);
	case BIN_JSONB:
		/* Version 1, then the JSON text. */
		p = be32(p, (uint32_t)(n + 1));
		*p++ = 1;
		memcpy(p, v, n);
		return p + n;
	case BIN_TEXT:
		/* A string is its decoded text (no longer than V); any other value its JSON text. */
		if (v[0] == '"') {
			v++, n -= 2;
			if (memchr(v, '\\', n)) {
				buf_reset(&s->scratch);
				json_string_decode(&s->scratch, v - 1, n + 2);
				if (memchr(s->scratch.data, '\0', s->scratch.len))
					die(EX_DATAERR, "'%s' line %lu: the value of column '%s' "
					    "holds a NUL character, which PostgreSQL text cannot",
					    input_name(s), s->lineno, c->name);
				v = s->scratch.data;
				n = s->scratch.len;
			}
		}
		p = be32(p, (uint32_t)n);
		memcpy(p, v, n);
		return p + n;
	case BIN_NONE:
		break;
	}
	return NULL;
}

/*
 * The row (its text ROW_LEN bytes) as a binary tuple into OUT; false, OUT
 * unchanged, when a value cannot be.  No field is longer than its value's
 * text and 20 bytes, and the values are parts of the row's text: room
 * for the row's text and 20 bytes a column holds the tuple.
 */
static bool bin_row(struct pg_sink *s, size_t row_len, struct buf *out)
{
	struct columns *c = &s->c;
	bool upsert = s->base.mode == SINK_UPSERT;

	buf_grow(out, row_len + 20 * c->ncols + 16);
	unsigned char *p = (unsigned char *)out->data + out->len;
	p = be16(p, (uint16_t)(c->ncols + upsert));
	if (upsert) {
		p = be32(p, 8);
		p = be64(p, (uint64_t)s->batch_rows);
	}
	for (size_t i = 0; i < c->ncols; i++) {
		const struct field_ref *r = columns_has_value(c, i) ? &c->refs[c->cols[i].ref] : NULL;
		if (!r || r->val[0] == 'n') {
			p = be32(p, UINT32_MAX);	/* -1: NULL */
			continue;
		}
		p = bin_value(s, &c->cols[i], s->bin_kinds[i], r->val, r->len, p);
		if (!p) {
			out->data[out->len] = '\0';
			return false;
		}
	}
	out->len = (size_t)((char *)p - out->data);
	out->data[out->len] = '\0';
	return true;
}

/* A key no column holds yet: a text column keeps any value's text. */
static size_t add_row_column(void *sink, const char *name, size_t n, const char *key,
			     size_t key_len)
{
	struct pg_sink *s = sink;

	if (memchr(name, '\0', n))
		die(EX_DATAERR, "'%s' line %lu: key '%.*s' holds a NUL character, "
		    "which PostgreSQL names cannot", input_name(s), s->lineno,
		    (int)key_len, key);
	return add_column(s, name, n, "text");
}

/* The row as a line of COPY's text format into OUT. */
static void text_row(struct pg_sink *s, struct buf *out)
{
	struct columns *c = &s->c;
	bool upsert = s->base.mode == SINK_UPSERT;

	/* One field per column, in column order; \N where the row has none. */
	if (upsert)
		buf_printf(out, "%lld", s->batch_rows);
	for (size_t i = 0; i < c->ncols; i++) {
		if (i || upsert)
			buf_addc(out, '\t');
		if (!columns_has_value(c, i)) {
			buf_adds(out, "\\N");
			continue;
		}
		size_t r = c->cols[i].ref;
		copy_value(s, &c->cols[i], c->refs[r].val, c->refs[r].len, out);
	}
	buf_addc(out, '\n');
}

static void pg_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct pg_sink *s = (struct pg_sink *)base;
	struct columns *c = &s->c;

	start_write(s);
	s->lineno = lineno;
	empty_if_pending(s);
	ledger_batch_row(&s->ledger);
	columns_bind_row(c, rec, input_name(s), lineno);
	if (!s->table_exists) {
		/* A row with no keys: PostgreSQL has tables without columns. */
		struct buf sql = BUF_INIT;
		buf_printf(&sql, "CREATE TABLE %s ()", s->qtable.data);
		run(s, sql.data, "create the table");
		buf_free(&sql);
		s->table_exists = true;
	}
	if (!s->copying)
		start_copy(s);
	++s->batch_rows;
	if (s->copy_binary && !bin_row(s, rec->len, &s->copy_data)) {
		/* A value of a spelling binary is not certain for: the server reads its text. */
		s->text_only = true;
		end_copy(s);
		start_copy(s);
	}
	if (s->copy_rows == s->copy_cap) {
		s->copy_cap = s->copy_cap ? s->copy_cap * 2 : 1024;
		s->copy_lines = xrealloc(s->copy_lines, s->copy_cap * sizeof(*s->copy_lines));
	}
	s->copy_lines[s->copy_rows++] = lineno;
	if (!s->copy_binary)
		text_row(s, &s->copy_data);
	if (s->copy_data.len >= COPY_CHUNK)
		flush_copy(s);
}

/* A 64-bit integer as a parameter's text, in BUF. */
static const char *param_ll(char buf[32], long long v)
{
	snprintf(buf, 32, "%lld", v);
	return buf;
}

/*
 * The ledger goes with the table (ledger.h): a table missing, or empty
 * while its ledger says rows were loaded, was dropped or emptied, and its
 * files load again.  Once a batch, under the table's lock.
 */
static void check_ledger(struct pg_sink *s)
{
	struct buf sql = BUF_INIT;
	const char *params[1] = { s->table };

	if (s->ledger.checked)
		return;
	s->ledger.checked = true;
	buf_adds(&sql, "DELETE FROM \"" LEDGER_TABLE "\" WHERE table_name = $1");
	if (s->table_exists)
		buf_printf(&sql, " AND NOT EXISTS (SELECT 1 FROM %s) AND EXISTS (SELECT 1 "
			   "FROM \"" LEDGER_TABLE "\" WHERE table_name = $1 AND rows > 0)",
			   s->qtable.data);
	PGresult *res = PQexecParams(s->conn, sql.data, 1, NULL, params, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_fail(s, res, "check the file ledger against the table");
	PQclear(res);
	buf_free(&sql);
}

/* Look the version up under the table's lock; overwrite replaces the ledger. */
static int pg_file(struct sink *base, const char *path, const struct file_identity *id,
		   struct ledger_hit *by)
{
	struct pg_sink *s = (struct pg_sink *)base;
	char size[32], mtime[32];
	const char *params[4] = { s->table, path, param_ll(size, id->size),
				  param_ll(mtime, id->mtime_ns) };

	start_write(s);
	if (ledger_batch_retake(&s->ledger, path, id))
		return 0;
	if (base->mode != SINK_OVERWRITE) {
		end_copy(s);
		check_ledger(s);
		PGresult *res = PQexecParams(s->conn, "SELECT checkpoint_id, batch FROM \""
			LEDGER_TABLE "\" WHERE table_name = $1 AND path = $2 AND size = $3"
			" AND mtime_ns = $4", 4, NULL, params, NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
			pg_fail(s, res, "read the file ledger");
		if (PQntuples(res) > 0) {
			snprintf(by->checkpoint, sizeof(by->checkpoint), "%s",
				 PQgetvalue(res, 0, 0));
			by->batch = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
			PQclear(res);
			ledger_batch_leave(&s->ledger);
			return 1;
		}
		PQclear(res);
	}
	ledger_batch_add(&s->ledger, path, id);
	return 0;
}

static void pg_file_skipped(struct sink *base, const char *path)
{
	ledger_batch_drop(&((struct pg_sink *)base)->ledger, path);
}

/* The batch's file versions, in its transaction (overwrite: only they). */
static void record_files(struct pg_sink *s, long long batch)
{
	char b[32], size[32], mtime[32], dev[32], ino[32], now[32], rows[32];
	const char *params[10] = { s->table, NULL, size, mtime, dev, ino,
				   s->base.checkpoint_id, b, now, rows };

	if (s->base.mode == SINK_OVERWRITE) {
		PGresult *res = PQexecParams(s->conn, "DELETE FROM \"" LEDGER_TABLE "\""
					     " WHERE table_name = $1", 1, NULL, params,
					     NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			pg_fail(s, res, "replace the table's file ledger");
		PQclear(res);
	}
	if (batch < 0 || !s->base.checkpoint_id)
		return;
	param_ll(b, batch);
	iso8601_now(now);
	for (size_t i = 0; i < s->ledger.n; i++) {
		const struct ledger_file *f = &s->ledger.files[i];
		params[1] = f->path;
		param_ll(size, f->id.size);
		param_ll(mtime, f->id.mtime_ns);
		snprintf(dev, sizeof(dev), "%llu", f->id.dev);
		snprintf(ino, sizeof(ino), "%llu", f->id.ino);
		param_ll(rows, f->rows);
		/* The unique key refuses a version loaded twice: the batch fails whole. */
		PGresult *res = PQexecParams(s->conn, "INSERT INTO \"" LEDGER_TABLE "\""
			" (table_name, path, size, mtime_ns, dev, ino, checkpoint_id, batch,"
			" committed_at, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			10, NULL, params, NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			pg_fail(s, res, "record a file in the file ledger");
		PQclear(res);
	}
}

static void pg_commit(struct sink *base, long long batch, long long rows)
{
	struct pg_sink *s = (struct pg_sink *)base;

	start_write(s);
	empty_if_pending(s);
	end_copy(s);
	if (batch >= 0 && base->checkpoint_id) {
		char b[32], r[32], now[32];
		const char *params[5] = { base->checkpoint_id, b, s->table, r, now };
		snprintf(b, sizeof(b), "%lld", batch);
		snprintf(r, sizeof(r), "%lld", rows);
		iso8601_now(now);
		PGresult *res = PQexecParams(s->conn,
			"INSERT INTO \"_inlet_commits\" (checkpoint_id, batch, table_name, rows,"
			" committed_at) VALUES ($1, $2, $3, $4, $5)", 5, NULL, params, NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			pg_fail(s, res, "record the batch's mark");
		PQclear(res);
	}
	record_files(s, batch);
	ledger_batch_reset(&s->ledger);
	PGresult *res = PQexec(s->conn, "COMMIT");
	/* A transaction that failed answers COMMIT with ROLLBACK. */
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT"))
		pg_fail(s, res, "commit the batch");
	PQclear(res);
	s->writing = false;
}

static int pg_begin(struct sink *base, long long batch)
{
	struct pg_sink *s = (struct pg_sink *)base;

	base->columns_fixed = s->table_exists;
	ledger_batch_reset(&s->ledger);
	if (batch >= 0 && base->checkpoint_id) {
		char b[32];
		const char *params[2] = { base->checkpoint_id, b };
		snprintf(b, sizeof(b), "%lld", batch);
		PGresult *res;
		for (;;) {
			res = PQexecParams(s->conn, "SELECT 1 FROM \"_inlet_commits\""
					   " WHERE checkpoint_id = $1 AND batch = $2",
					   2, NULL, params, NULL, NULL, 0);
			if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
				break;
			if (!reconnect(s, res))
				pg_fail(s, res, "read the batch marks");
			PQclear(res);
		}
		int held = PQntuples(res) > 0;
		PQclear(res);
		if (held)
			return 1;
	}
	s->replace_pending = base->mode == SINK_OVERWRITE;
	s->text_only = false;
	return 0;
}

static void pg_abort_op(struct sink *base)
{
	struct pg_sink *s = (struct pg_sink *)base;
	PGresult *res;

	buf_reset(&s->copy_data);
	if (s->copying) {
		s->copying = false;
		if (PQputCopyEnd(s->conn, "batch abandoned") == 1)
			while ((res = PQgetResult(s->conn)))
				PQclear(res);
	}
	if (s->writing) {
		s->writing = false;
		run(s, "ROLLBACK", "roll the batch back");
	}
	s->replace_pending = false;
	s->text_only = false;
	ledger_batch_reset(&s->ledger);
	load_columns(s);
}

static void pg_close(struct sink *base)
{
	struct pg_sink *s = (struct pg_sink *)base;

	columns_free(&s->c);
	ledger_batch_free(&s->ledger);
	PQfinish(s->conn);
	free(s->copy_lines);
	free(s->bin_kinds);
	free(s->where);
	free(s->table);
	free(base->name);
	buf_free(&s->qtable);
	buf_free(&s->copy_data);
	buf_free(&s->scratch);
	free(s);
}

static const struct sink_ops pg_ops = {
	pg_begin, pg_schema, pg_row, pg_commit, pg_abort_op, pg_close
};

static const struct sink_ledger_ops pg_ledger = { pg_file, pg_file_skipped };


/* "HOST:PORT" of CONN, or of URI when the connection never came up. */
static char *where_of(PGconn *conn)
{
	const char *host = PQhost(conn), *port = PQport(conn);
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s:%s", host && *host ? host : "localhost",
		   port && *port ? port : "5432");
	return b.data;
}

struct sink *sink_pg_open(const char *uri, const char *table)
{
	struct pg_sink *s = calloc(1, sizeof(*s));
	struct buf name = BUF_INIT;

	if (!s)
		die(EX_OSERR, "out of memory");
	pg_check_uri(uri);
	s->base.ops = &pg_ops;
	s->base.ledger = &pg_ledger;
	s->table = xstrdup(table);
	sql_quote_ident(&s->qtable, table, strlen(table));
	s->conn = pg_connect(uri);
	s->where = where_of(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		struct buf msg = BUF_INIT;
		pg_one_line(&msg, PQerrorMessage(s->conn));
		die(EX_IOERR, "cannot connect to PostgreSQL at %s: %s", s->where, msg.data);
	}
	/* The name shows no password: it goes into progress and the checkpoint. */
	buf_printf(&name, "postgresql://%s@%s/%s:%s", PQuser(s->conn), s->where,
		   PQdb(s->conn), table);
	s->base.name = name.data;
	s->c = (struct columns){
		.sink_name = s->base.name,
		.add = add_row_column,
		.sink = s,
	};
	PQsetNoticeReceiver(s->conn, on_notice, s);
	session_setup(s);
	/* The marks table, created once even by writers starting together. */
	run(s, "BEGIN", "begin a transaction");
	s->writing = true;
	run(s, "SELECT pg_advisory_xact_lock(1768844404, 0)", "lock the marks table");
	run(s, "CREATE TABLE IF NOT EXISTS \"_inlet_commits\" ("
	    "checkpoint_id text NOT NULL, batch bigint NOT NULL,"
	    " table_name text NOT NULL, rows bigint NOT NULL,"
	    " committed_at timestamptz NOT NULL, PRIMARY KEY (checkpoint_id, batch))",
	    "create the marks table \"_inlet_commits\"");
	run(s, "CREATE TABLE IF NOT EXISTS \"" LEDGER_TABLE "\" ("
	    "table_name text NOT NULL, path text NOT NULL, size bigint NOT NULL,"
	    " mtime_ns bigint NOT NULL, dev numeric(20), ino numeric(20),"
	    " checkpoint_id text NOT NULL, batch bigint NOT NULL,"
	    " committed_at timestamptz NOT NULL, rows bigint NOT NULL,"
	    " PRIMARY KEY (table_name, path, size, mtime_ns))",
	    "create the file ledger \"" LEDGER_TABLE "\"");
	run(s, "COMMIT", "create the marks table \"_inlet_commits\"");
	s->writing = false;
	load_columns(s);
	return &s->base;
}
