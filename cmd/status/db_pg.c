/*
 * A PostgreSQL sink, read only: the tables of the current schema (where
 * inlet-commit creates them, cmd/commit/sink_pg.c), their rows and the
 * marks of "_inlet_commits".
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "die.h"
#include "pgconn.h"
#include "pq.h"
#include "status.h"

struct pg_db {
	struct db base;
	PGconn *conn;
	struct buf where;	/* "HOST:PORT", for messages */
};

/* MSG on one line, in place of what OUT held. */
static void flatten(struct buf *out, const char *msg)
{
	buf_reset(out);
	pg_one_line(out, msg ? msg : "unknown error");
}

/* Run SQL with the text parameters PARAMS; a failure dies naming WHAT. */
static PGresult *query(struct pg_db *s, const char *sql, int n, const char *const *params,
		       const char *what)
{
	PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
	struct buf msg = BUF_INIT;

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	flatten(&msg, res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL);
	if (!res || !PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
		flatten(&msg, PQerrorMessage(s->conn));
	die(EX_IOERR, "cannot %s in PostgreSQL at %s: %s", what, s->where.data, msg.data);
}

/* The one integer of RES. */
static long long one_int(PGresult *res)
{
	long long n = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;

	PQclear(res);
	return n;
}

static long long pg_count(struct db *base, const char *table)
{
	struct pg_db *s = (struct pg_db *)base;
	/* libpq's own quoting of an identifier. */
	char *q = PQescapeIdentifier(s->conn, table, strlen(table));
	struct buf sql = BUF_INIT;
	long long n;

	if (!q)
		die(EX_DATAERR, "cannot quote table name '%s': %s", table,
		    PQerrorMessage(s->conn));
	buf_printf(&sql, "SELECT count(*) FROM %s", q);
	PQfreemem(q);
	n = one_int(query(s, sql.data, 0, NULL, "count the rows"));
	buf_free(&sql);
	return n;
}

#define TABLES "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"

static bool pg_exists(struct db *base, const char *table)
{
	const char *params[] = { table };
	PGresult *res = query((struct pg_db *)base, TABLES " AND c.relname = $1", 1, params,
			      "list the tables");
	bool yes = PQntuples(res) > 0;

	PQclear(res);
	return yes;
}

static void pg_tables(struct db *base, void (*fn)(void *, const char *, size_t, long long),
		      void *ctx)
{
	/* Byte order, as SQLite's list. */
	PGresult *res = query((struct pg_db *)base, TABLES " ORDER BY c.relname COLLATE \"C\"",
			      0, NULL, "list the tables");

	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		fn(ctx, name, (size_t)PQgetlength(res, i, 0), pg_count(base, name));
	}
	PQclear(res);
}

static long long pg_last_mark(struct db *base, const char *id)
{
	const char *params[] = { id };

	if (!pg_exists(base, "_inlet_commits"))
		return -1;
	return one_int(query((struct pg_db *)base, "SELECT coalesce(max(batch), -1)"
			     " FROM \"_inlet_commits\" WHERE checkpoint_id = $1", 1, params,
			     "read the marks"));
}

static void pg_columns(struct db *base, const char *table,
		       void (*fn)(void *, const char *, const char *), void *ctx)
{
	const char *params[] = { table };
	PGresult *res = query((struct pg_db *)base, "SELECT a.attname,"
			      " format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
			      " JOIN pg_class c ON c.oid = a.attrelid"
			      " JOIN pg_namespace n ON n.oid = c.relnamespace"
			      " WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
			      " AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped"
			      " ORDER BY a.attnum", 1, params, "read the columns");

	for (int i = 0; i < PQntuples(res); i++)
		fn(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
}

static void pg_loads(struct db *base, const char *table,
		     void (*fn)(void *, const char *, long long, long long, long long), void *ctx)
{
	const char *params[] = { table };
	PGresult *res;

	if (!pg_exists(base, "_inlet_commits"))
		return;
	res = query((struct pg_db *)base, "SELECT checkpoint_id, count(*), max(batch),"
		    " coalesce(sum(rows), 0) FROM \"_inlet_commits\" WHERE table_name = $1"
		    " GROUP BY checkpoint_id ORDER BY checkpoint_id COLLATE \"C\"", 1, params,
		    "read the marks");
	for (int i = 0; i < PQntuples(res); i++)
		fn(ctx, PQgetvalue(res, i, 0), strtoll(PQgetvalue(res, i, 1), NULL, 10),
		   strtoll(PQgetvalue(res, i, 2), NULL, 10), strtoll(PQgetvalue(res, i, 3), NULL, 10));
	PQclear(res);
}

static void pg_close(struct db *base)
{
	struct pg_db *s = (struct pg_db *)base;

	PQfinish(s->conn);
	buf_free(&s->where);
	free(s);
}

static const struct db_ops pg_ops = {
	pg_tables, pg_exists, pg_count, pg_last_mark, pg_columns, pg_loads, pg_close
};

struct db *db_pg_open(const char *uri)
{
	struct pg_db *s = xcalloc(1, sizeof(*s));
	const char *host, *port;

	pg_check_uri(uri);
	s->base.ops = &pg_ops;
	s->base.name = uri;
	s->conn = pg_connect(uri);
	host = PQhost(s->conn);
	port = PQport(s->conn);
	buf_printf(&s->where, "%s:%s", host && *host ? host : "localhost",
		   port && *port ? port : "5432");
	if (PQstatus(s->conn) != CONNECTION_OK) {
		struct buf msg = BUF_INIT;
		flatten(&msg, PQerrorMessage(s->conn));
		die(EX_IOERR, "cannot connect to PostgreSQL at %s: %s", s->where.data, msg.data);
	}
	return &s->base;
}
