#ifndef INLET_STATUS_H
#define INLET_STATUS_H
/*
 * inlet-status's pieces: the options and the output (status.c); what a
 * checkpoint says, read through the code that wrote it (checkpoint.c);
 * the sink's tables and marks in SQLite (db_sqlite.c) or PostgreSQL
 * (db_pg.c).
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* What a checkpoint folder says about its stream (inlet-status(1)). */
struct ck_status {
	const char *dir;
	char id[40];			/* "" without metadata */
	long long committed;		/* highest commits/ entry, or -1 */
	long long last_offset;		/* highest offsets/ entry, or -1 */
	long long batches_ahead, files_ahead;
	long long files_seen;		/* distinct files sources/seen holds */
	long long schema_version;	/* highest schemas/ entry of the schema location, or -1 */
	long long state_bytes;		/* of the latest state/ snapshot */
	long long clean_pending;	/* entries of clean-pending */
	long long window_since;		/* metadata's "window_since", or -1 */
	struct buf *problems;		/* owned: the damage found, one message each */
	size_t n_problems;
};

/*
 * Read the checkpoint DIR into ST; SCHEMA_LOCATION (NULL: the one the
 * metadata records, else DIR itself) is where rescue keeps schemas/, and
 * is recorded in the metadata when given.  A missing folder, or one that
 * holds neither metadata nor batches, dies with EX_NOINPUT; a file that
 * cannot be parsed dies with EX_DATAERR naming it (as the stage that
 * reads it would); a read error with EX_IOERR.  Damage the stages refuse
 * at start goes into ST->problems.
 */
void ck_status_read(struct ck_status *st, const char *dir, const char *schema_location);
/* Add a problem to ST (printf-style). */
void ck_problem(struct ck_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ck_status_free(struct ck_status *st);

/*
 * A database a stream commits into: SQLite (a file) or PostgreSQL (a
 * postgresql:// or postgres:// URI).  Each operation dies with EX_IOERR
 * naming the database when the database cannot be read.
 */
struct db;

struct db_ops {
	/* Call FN for every table (name of LEN bytes, any bytes) with its rows, by name. */
	void (*tables)(struct db *db, void (*fn)(void *ctx, const char *name, size_t len,
						   long long rows), void *ctx);
	/* Does TABLE exist? */
	bool (*exists)(struct db *db, const char *table);
	/* The rows of TABLE, which exists. */
	long long (*count)(struct db *db, const char *table);
	/* The highest batch the marks table holds for checkpoint ID, or -1. */
	long long (*last_mark)(struct db *db, const char *id);
	/* Call FN for each column of TABLE, in order, with its declared type. */
	void (*columns)(struct db *db, const char *table,
			void (*fn)(void *ctx, const char *name, const char *type), void *ctx);
	/*
	 * Call FN for each checkpoint whose marks name TABLE, by id: its marks,
	 * its highest batch and the rows its marks count.
	 */
	void (*loads)(struct db *db, const char *table,
		      void (*fn)(void *ctx, const char *id, long long batches, long long last,
				 long long rows), void *ctx);
	void (*close)(struct db *db);
};

struct db {
	const struct db_ops *ops;
	const char *name;	/* as given, for messages */
};

/*
 * Open the database WHERE to read it: a SQLite file that does not exist
 * dies with EX_NOINPUT; a server that cannot be reached with EX_IOERR,
 * naming it and the reason.
 */
struct db *db_sqlite_open(const char *path);
struct db *db_pg_open(const char *uri);

#endif
