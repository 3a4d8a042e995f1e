/*
 * A SQLite sink, read only: its tables, their rows and the marks of
 * "_inlet_commits" that inlet-commit keeps (cmd/commit/sink_sqlite.c).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "die.h"
#include "status.h"

struct sqlite_db {
	struct db base;
	sqlite3 *db;
};

static __attribute__((noreturn)) void fail(struct sqlite_db *s, const char *what)
{
	die(EX_IOERR, "cannot read database '%s' (%s): %s", s->base.name, what,
	    sqlite3_errmsg(s->db));
}

static sqlite3_stmt *prepare(struct sqlite_db *s, const char *sql, const char *what)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(s, what);
	return st;
}

/* The one integer SQL gives back. */
static long long one_int(struct sqlite_db *s, sqlite3_stmt *st, const char *what)
{
	long long n;

	if (sqlite3_step(st) != SQLITE_ROW)
		fail(s, what);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long sqlite_count(struct db *base, const char *table)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	/* %w: SQLite's own quoting of an identifier. */
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	long long n;

	if (!sql)
		die(EX_OSERR, "out of memory");
	n = one_int(s, prepare(s, sql, "count the rows"), "count the rows");
	sqlite3_free(sql);
	return n;
}

static bool sqlite_exists(struct db *base, const char *table)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	sqlite3_stmt *st = prepare(s, "SELECT count(*) FROM sqlite_master"
				   " WHERE type = 'table' AND name = ?", "list the tables");

	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	return one_int(s, st, "list the tables") > 0;
}

static void sqlite_tables(struct db *base, void (*fn)(void *, const char *, size_t, long long),
			  void *ctx)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	sqlite3_stmt *st = prepare(s, "SELECT name FROM sqlite_master WHERE type = 'table'"
				   " ORDER BY name", "list the tables");
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		char *copy = xstrndup(name ? name : "", len);
		fn(ctx, copy, len, sqlite_count(base, copy));
		free(copy);
	}
	if (rc != SQLITE_DONE)
		fail(s, "list the tables");
	sqlite3_finalize(st);
}

static long long sqlite_last_mark(struct db *base, const char *id)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	sqlite3_stmt *st;

	if (!sqlite_exists(base, "_inlet_commits"))
		return -1;
	st = prepare(s, "SELECT coalesce(max(batch), -1) FROM \"_inlet_commits\""
		     " WHERE checkpoint_id = ?", "read the marks");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return one_int(s, st, "read the marks");
}

static void sqlite_columns(struct db *base, const char *table,
			   void (*fn)(void *, const char *, const char *), void *ctx)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	sqlite3_stmt *st = prepare(s, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid",
				   "read the columns");
	int rc;

	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		fn(ctx, name ? name : "", type ? type : "");
	}
	if (rc != SQLITE_DONE)
		fail(s, "read the columns");
	sqlite3_finalize(st);
}

static void sqlite_loads(struct db *base, const char *table,
			 void (*fn)(void *, const char *, long long, long long, long long),
			 void *ctx)
{
	struct sqlite_db *s = (struct sqlite_db *)base;
	sqlite3_stmt *st;
	int rc;

	if (!sqlite_exists(base, "_inlet_commits"))
		return;
	st = prepare(s, "SELECT checkpoint_id, count(*), max(batch), coalesce(sum(rows), 0)"
		     " FROM \"_inlet_commits\" WHERE table_name = ? GROUP BY checkpoint_id"
		     " ORDER BY checkpoint_id", "read the marks");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		fn(ctx, id ? id : "", sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		   sqlite3_column_int64(st, 3));
	}
	if (rc != SQLITE_DONE)
		fail(s, "read the marks");
	sqlite3_finalize(st);
}

static void sqlite_close(struct db *base)
{
	struct sqlite_db *s = (struct sqlite_db *)base;

	sqlite3_close(s->db);
	free(s);
}

static const struct db_ops sqlite_ops = {
	sqlite_tables, sqlite_exists, sqlite_count, sqlite_last_mark, sqlite_columns,
	sqlite_loads, sqlite_close
};

struct db *db_sqlite_open(const char *path)
{
	struct sqlite_db *s = xcalloc(1, sizeof(*s));
	struct stat sb;

	s->base.ops = &sqlite_ops;
	s->base.name = path;
	/* Only reads: never a new, empty database in a mistyped path. */
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		die(EX_NOINPUT, "cannot open database '%s'", path);
	/*
	 * Read-write, though only read: the last connection to close removes
	 * a WAL database's -wal and -shm files only if it can write, and
	 * inlet-copy-into asks before a load that must leave nothing behind.
	 * (A file that cannot be written is opened read-only.)
	 */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die(EX_IOERR, "cannot open database '%s': %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
	/* A commit in flight holds the write lock briefly: wait, as commit does. */
	sqlite3_busy_timeout(s->db, 10000);
	return &s->base;
}
