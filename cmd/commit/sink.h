#ifndef INLET_COMMIT_SINK_H
#define INLET_COMMIT_SINK_H
/*
 * A sink takes one batch at a time.  sink_begin() says whether the sink
 * already holds the batch (a replay after a crash between the sink's own
 * commit and commits/N); sink_commit() makes the rows and the batch's mark
 * durable together.  Every failure dies with a sysexits code.
 */
#include <stdbool.h>
#include <stddef.h>

#include "stream.h"

enum sink_mode { SINK_APPEND, SINK_OVERWRITE, SINK_UPSERT };

struct sink;

struct sink_ops {
	/* 1 if the sink already holds (checkpoint, BATCH); BATCH < 0: no mark. */
	int (*begin)(struct sink *s, long long batch);
	/* A schema control record: create or add the columns it lists. */
	void (*schema)(struct sink *s, const char *text, size_t len);
	/* One row (validated, its members listed); LINENO for messages. */
	void (*row)(struct sink *s, const struct record *rec, unsigned long lineno);
	/* Make the batch durable with its mark. */
	void (*commit)(struct sink *s, long long batch, long long rows);
	/* Drop the open batch. */
	void (*abort)(struct sink *s);
	void (*close)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	char *name;		/* owned: "sqlite:DB:TABLE", "postgresql://USER@HOST:PORT/DB:TABLE",
				   "dir:DIR", "csv:FILE", "stdout" */
	const char *checkpoint_id;	/* borrowed; NULL without --checkpoint */
	const struct stream_reader *input;	/* borrowed: names the input in messages */
	enum sink_mode mode;
	const char *key;	/* borrowed: upsert key columns, comma-separated */
};

/* Each returns a sink the caller ends with s->ops->close(s). */
struct sink *sink_sqlite_open(const char *db, const char *table);
/*
 * Table TABLE of the PostgreSQL database at URI (postgresql:// or
 * postgres://, as libpq takes it).  Dies with EX_USAGE for a URI libpq
 * cannot parse, EX_IOERR when the server cannot be reached (the message
 * names host, port and reason).  The sink's name shows no password.
 */
struct sink *sink_pg_open(const char *uri, const char *table);
/* Whether --db DB names a PostgreSQL database (its scheme). */
bool sink_is_postgres(const char *db);
/* Dies with EX_USAGE unless URI parses as libpq connection options. */
void sink_pg_check_uri(const char *uri);
struct sink *sink_dir_open(const char *dir);
/*
 * The CSV file PATH ("-": standard output, no marks) in MODE (append or
 * overwrite), lines ending in CRLF when CRLF, else LF.  Takes the lock of
 * PATH.inlet/ and checks PATH against its state there: dies with
 * EX_TEMPFAIL when another writer holds it, EX_DATAERR when PATH is not
 * the file the state marks or is shorter, or is not inlet's in append mode.
 */
struct sink *sink_csv_open(const char *path, enum sink_mode mode, bool crlf);
struct sink *sink_stdout_open(void);

#endif
