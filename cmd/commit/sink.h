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

#include "identity.h"
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
	/*
	 * Make the batch durable with its mark (ROWS: the rows it wrote) and
	 * the file versions it took.
	 */
	void (*commit)(struct sink *s, long long batch, long long rows);
	/* Drop the open batch. */
	void (*abort)(struct sink *s);
	void (*close)(struct sink *s);
};

/* Who holds a file version already: the (checkpoint, batch) that loaded it. */
struct ledger_hit {
	char checkpoint[64];
	long long batch;
};

/*
 * A database sink's file ledger (ledger.h, inlet-commit(1) LEDGER).
 * commit calls it only inside a batch that gets a mark (a numbered batch,
 * --checkpoint) and not already held, for file records with an identity.
 */
struct sink_ledger_ops {
	/*
	 * The file record of PATH, version ID, starts that file's rows.  1:
	 * the ledger holds the version from another (checkpoint, batch), put
	 * into BY, and its rows are to be left out; 0: take them, and record
	 * the version with the batch.  Takes the table's write lock.
	 */
	int (*file)(struct sink *s, const char *path, const struct file_identity *id,
		    struct ledger_hit *by);
	/* A "skip" record names PATH: it was not read whole, record no version of it. */
	void (*skipped)(struct sink *s, const char *path);
};

struct sink {
	const struct sink_ops *ops;
	const struct sink_ledger_ops *ledger;	/* NULL: the sink keeps no ledger */
	char *name;		/* owned: "sqlite:DB:TABLE", "postgresql://USER@HOST:PORT/DB:TABLE",
				   "dir:DIR", "csv:FILE", "stdout" */
	const char *checkpoint_id;	/* borrowed; NULL without --checkpoint */
	const struct stream_reader *input;	/* borrowed: names the input in messages */
	enum sink_mode mode;
	const char *key;	/* borrowed: upsert key columns, comma-separated */
	/*
	 * --no-new-columns (COPY INTO's mergeSchema off): a column the table
	 * lacks when a batch begins is refused; columns_fixed says the table
	 * existed then (set by the database sinks' begin).
	 */
	bool no_new_columns, columns_fixed;
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
