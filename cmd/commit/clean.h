#ifndef INLET_COMMIT_CLEAN_H
#define INLET_COMMIT_CLEAN_H
/*
 * --clean-source (Auto Loader's cleanSource): once a batch is durable in
 * the sink and in commits/N, the source files parse read completely are
 * deleted or moved.  Never before, and never a file that is not the one
 * that was read: each file carries the identity of its file record
 * (identity.h) and is left in place, with a warning, when the path no
 * longer holds that file unchanged.
 *
 * The order of calls for one batch N:
 *
 *   cleaner_add(path, id)    each "file" record of the batch
 *   cleaner_drop(path)       each "skip" record (parse did not read it all)
 *   cleaner_prepare(N)       before the sink commits N (or aborts a batch
 *                            it already holds): the files are queued in
 *                            CK/clean-pending, durably
 *   ... sink commit, commits/N written ...
 *   cleaner_run(N)           the queue's entries of batches <= N are cleaned
 *
 * A batch that is not committed is forgotten with cleaner_forget().  At
 * start, cleaner_resume() cleans what a crash or a failure left queued for
 * committed batches and drops the entries of batches that were not
 * committed: their replay queues them again.  A file that cannot be
 * cleaned is reported and stays queued; nothing here makes commit fail
 * except a checkpoint that cannot be written or read.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "identity.h"

struct clean_entry {
	long long batch;
	char *path;		/* owned */
	struct file_identity id;
};

struct clean_list {
	struct clean_entry *v;	/* owned */
	size_t n, cap;
};

struct cleaner {
	char *move_to;		/* the archive folder, resolved; NULL: delete */
	int archive_fd;		/* open on move_to, or -1 */
	struct buf queue_path;	/* CK/clean-pending */
	struct clean_list queue;	/* CK/clean-pending as last written */
	struct clean_list batch;	/* the files of the batch in hand */
	bool warned_unknown;	/* the no-identity warning was given */
	/*
	 * Files counted since cleaner_init, for commit's progress and
	 * summary: CLEANED were deleted or moved (or already gone); LEFT were
	 * left in place on purpose, each with a warning (changed since it was
	 * listed, no identity, reached through a symbolic link); FAILED could
	 * not be deleted or moved and stay queued for the next batch and start.
	 */
	long long cleaned, left, failed;
};

/*
 * Check SPEC, "delete" or "move:DIR", for the checkpoint folder CHECKPOINT
 * (may be NULL), creating nothing.  Dies with EX_USAGE on a bad SPEC or no
 * checkpoint.
 */
void cleaner_check(const char *spec, const char *checkpoint);
/*
 * Parse SPEC, "delete" or "move:DIR" (DIR is created when missing), for
 * the checkpoint folder CHECKPOINT (borrowed, may be NULL).  Dies with
 * EX_USAGE on a bad SPEC or no checkpoint, EX_CANTCREAT when DIR cannot be
 * created or opened.
 */
void cleaner_init(struct cleaner *c, const char *spec, const char *checkpoint);
/*
 * At start, once COMMITS_DIR (CK/commits) is in order: read
 * CK/clean-pending, clean the entries of committed batches (commits/N
 * exists, or N is below the oldest entry, pruned) and drop the others.
 * Dies with EX_DATAERR on a malformed queue (naming the line and the
 * repair), EX_IOERR when it cannot be read or rewritten.
 */
void cleaner_resume(struct cleaner *c, const char *commits_dir);
/*
 * A source file of the batch in hand, with the identity of its file
 * record (ID->known false when the record had none).  PATH and ID are
 * copied.
 */
void cleaner_add(struct cleaner *c, const char *path, const struct file_identity *id);
/* PATH was not read completely: do not clean it (every entry of it in the batch). */
void cleaner_drop(struct cleaner *c, const char *path);
/* Forget the batch's files (it was not committed). */
void cleaner_forget(struct cleaner *c);
/*
 * Queue the batch's files as batch BATCH in CK/clean-pending (replacing
 * entries of BATCH queued before), durably, then forget them.  Call
 * before the sink commits BATCH.  Files without an identity or reached
 * through a symbolic link are not queued: warned and counted as left.
 * Dies with EX_IOERR when the queue cannot be written, before anything
 * of the batch is committed.
 */
void cleaner_prepare(struct cleaner *c, long long batch);
/*
 * COMMITTED is durable (commits/COMMITTED written): clean the queued
 * files of batches up to it, and retry those that failed before.  Never
 * fails: problems are warnings on stderr and counts.
 */
void cleaner_run(struct cleaner *c, long long committed);
void cleaner_free(struct cleaner *c);

#endif
