#ifndef INLET_COMMIT_HOOK_H
#define INLET_COMMIT_HOOK_H
/*
 * --each-batch CMD, the shell's foreachBatch: CMD runs through /bin/sh -c
 * once per batch, after the sink made the batch durable and before
 * commits/N is written, with the batch's rows (NDJSON, rows only) on its
 * standard input and INLET_BATCH_ID, INLET_CHECKPOINT, INLET_TABLE and
 * INLET_SINK in its environment; its standard output goes to commit's
 * standard error (commit's standard output is the progress stream).
 *
 * The order gives Spark's "at least once": a crash, or CMD failing,
 * between the sink's commit and commits/N leaves the batch unmarked, so
 * the restart replays it; the sink recognises it and skips it, and CMD
 * gets it again.  CMD should therefore be idempotent per INLET_BATCH_ID,
 * as Spark asks of foreachBatch.
 *
 * A batch that commits/ already marks (a stream fed again by hand) is
 * not given to CMD again: the caller says so.
 *
 * The rows wait in a temporary file (TMPDIR, else /tmp), unlinked at
 * once: memory stays bounded by the largest row.
 *
 * The order of calls for one batch: hook_begin, hook_row per row,
 * hook_run once the sink holds the batch.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sink;

struct hook {
	const char *command;	/* borrowed */
	char *checkpoint;	/* owned: absolute; NULL without --checkpoint */
	const char *table;	/* borrowed; NULL without --table */
	const char *sink;	/* borrowed: the sink's name */
	FILE *rows;		/* the batch's rows, an unlinked temporary file */
	char *rows_path;	/* owned: its name, for messages */
	long long count;	/* rows of the batch in hand */
};

/*
 * Set up the hook for COMMAND (borrowed).  CHECKPOINT and TABLE may be
 * NULL; SINK names the sink.  Dies with EX_CANTCREAT when the temporary
 * file cannot be created.
 */
void hook_init(struct hook *h, const char *command, const char *checkpoint,
	       const char *table, const char *sink);
/* A batch starts: forget the rows of the one before. */
void hook_begin(struct hook *h);
/* One row of the batch, TEXT of LEN bytes without its newline. */
void hook_row(struct hook *h, const char *text, size_t len);
/*
 * The batch BATCH (-1: unnumbered, INLET_BATCH_ID unset) is durable in
 * the sink: run the command on its rows and wait for it, unless MARKED
 * (commits/ holds the batch already: the command had it).  Dies with
 * EX_SOFTWARE, naming the batch and the status, when it exits non-zero or
 * is killed; with EX_IOERR when the rows cannot be written or read back,
 * EX_OSERR when it cannot be started.
 */
void hook_run(struct hook *h, long long batch, bool marked);
void hook_free(struct hook *h);

/*
 * The sink of --each-batch without another: it holds nothing, so every
 * batch, replays included, goes to the command.  Closed with
 * s->ops->close(s).
 */
struct sink *hook_sink_open(void);

#endif
