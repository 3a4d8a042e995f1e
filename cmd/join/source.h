#ifndef INLET_JOIN_SOURCE_H
#define INLET_JOIN_SOURCE_H
/*
 * Where the static side of a join comes from: a CSV or NDJSON file, a
 * folder of them, a SQLite table ("sqlite:DB:TABLE") or a PostgreSQL table
 * (a postgresql:// URI and a table name).  Files are read by running
 * inlet-parse, so CSV is parsed in one place.  The SQLite connection stays
 * open for the whole run, because PRAGMA data_version only changes on a
 * connection that saw other connections commit; the PostgreSQL one too,
 * so that a batch costs one query, not a connection.
 */
#include <sqlite3.h>
#include <sys/types.h>

#include "buf.h"
#include "stream.h"

enum static_kind { STATIC_FILE, STATIC_FOLDER, STATIC_SQLITE, STATIC_PG };

struct pg_conn;		/* libpq's PGconn: only source.c sees libpq */

struct static_source {
	enum static_kind kind;
	const char *spec;	/* borrowed: as given, for messages */
	char *path;		/* owned: the file, folder or database */
	char *table;		/* owned: the SQLite table; PostgreSQL's, quoted
				   and maybe schema-qualified */
	sqlite3 *db;		/* owned: open on path */
	struct pg_conn *pg;	/* owned: open on path, the URI */
	char *where;		/* owned: PostgreSQL's "HOST:PORT/DATABASE" */
	dev_t dev;		/* of the database db has open */
	ino_t ino;
	struct buf want;	/* the columns to read, each '\0'-ended; empty: all */
	size_t nwant;
	struct buf select;	/* PostgreSQL: the select list of the wanted
				   columns the table has, by the last fingerprint */
	char *parse;		/* owned: inlet-parse beside us; NULL: from PATH */
	struct buf files;	/* the files found by the last fingerprint, each
				   with its format: "csv\0PATH\0json\0PATH\0" */
	size_t bytes;		/* the size of those files not compressed: what
				   their rows take, about, to size a table by */
};

/*
 * Called with each static row, a JSON object whose members REC lists
 * (checked once, by record_classify); 0 to go on.
 */
typedef int row_fn(void *ctx, const struct record *rec);

/*
 * Take SPEC (borrowed for the source's life) apart; TABLE (--static-table,
 * NULL if not given) is the table of a PostgreSQL SPEC, "NAME" or
 * "SCHEMA.NAME", and must be given with one and only with one.  A
 * malformed spec, a missing or unwanted TABLE, or a file whose format its
 * name does not tell dies with EX_USAGE; a source that does not exist, or
 * a database that does not open, with EX_NOINPUT; a PostgreSQL server
 * that cannot be reached with EX_UNAVAILABLE, naming it and libpq's reason.
 */
void static_source_check(const char *spec, const char *table);
void static_source_init(struct static_source *s, const char *spec, const char *table);
void static_source_close(struct static_source *s);

/*
 * Read only the N columns NAMES (copied) where the source can leave the
 * others out (PostgreSQL); names the table lacks are not asked for, so
 * that the caller finds them missing as with any other source.
 */
void static_source_want(struct static_source *s, char *const *names, size_t n);

/*
 * Describe the source's current version into FP (reset first): the same
 * text means the same data (files: names, sizes, mtimes and inodes;
 * SQLite: data_version and the database file's stat; PostgreSQL: the
 * table's columns, its row count and a sum of 64-bit hashes of its rows'
 * text, one scan of the table).  0, or EX_NOINPUT with the reason in WHY
 * (reset first).
 */
int static_source_fingerprint(struct static_source *s, struct buf *fp, struct buf *why);

/*
 * Read every row of the version last fingerprinted, calling ROW for each.
 * 0; or, with the reason in WHY, EX_NOINPUT when the source cannot be
 * read, EX_TEMPFAIL when the database is busy, or ROW's non-zero result
 * (ROW then fills WHY itself).
 */
int static_source_read(struct static_source *s, row_fn *row, void *ctx, struct buf *why);

#endif
