#ifndef INLET_COMMIT_CLEAN_H
#define INLET_COMMIT_CLEAN_H
/*
 * --clean-source (Auto Loader's cleanSource): once a batch is durable in
 * the sink and in commits/N, its source files are deleted or moved.  Never
 * before.  Paths are first queued in CK/clean-pending, so a cleaning that
 * fails (or a crash in the middle) is retried on the next start; a failure
 * is reported, never fatal.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct cleaner {
	const char *move_to;	/* NULL: delete */
	struct buf queue_path;	/* CK/clean-pending */
	struct buf paths;	/* this batch's source files, NUL-separated */
	long long cleaned, failed;
};

/* Parse "delete" or "move:DIR"; dies with EX_USAGE otherwise. */
void cleaner_init(struct cleaner *c, const char *spec, const char *checkpoint);
/* Remember a source file of the batch in hand. */
void cleaner_add(struct cleaner *c, const char *path);
/* Forget the batch's files (it was not committed). */
void cleaner_forget(struct cleaner *c);
/* The batch is durable: clean its files, and retry what failed before. */
void cleaner_run(struct cleaner *c);
void cleaner_free(struct cleaner *c);

#endif
