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
 * committed: their replay queues them again.
 *
 * Retention (Databricks' cloudFiles.cleanSource.retentionDuration): a
 * queued file is cleaned only once RETENTION has passed since its batch
 * was committed ("processed", in Databricks' words).  The commit time is
 * stamped on the queue entry by the first cleaner_run or cleaner_resume
 * that sees the batch committed (cleaner_resume takes it from commits/N
 * when it is still there), so the queue alone says, on any later start,
 * which files are due.  A retention of 0 cleans at once.
 *
 * A file that cannot be cleaned is reported and stays queued; nothing
 * here makes commit fail except a checkpoint that cannot be written or
 * read.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "identity.h"

struct clean_entry {
	long long batch;
	long long processed_us;	/* when the batch was committed; -1: not yet known */
	char *path;		/* owned */
	struct file_identity id;
};

struct clean_list {
	struct clean_entry *v;	/* owned */
	size_t n, cap;
};

struct cleaner {
	char *move_to;		/* the archive folder, resolved; NULL: delete */
	long long retention_us;	/* time after the commit before a file is cleaned */
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
	 * WAITING (as of the last pass) are committed and queued, their
	 * retention not over; DUE_US is when the first of them is due.
	 */
	long long cleaned, left, failed;
	long long waiting, due_us;
};

/* The retention when none is given: Databricks' default, 30 days. */
#define CLEAN_RETENTION_DEFAULT_US (30LL * 86400 * 1000000)
/* The least retention for delete (but 0, at once): Databricks' 7 days. */
#define CLEAN_RETENTION_DELETE_MIN_US (7LL * 86400 * 1000000)

/*
 * Check SPEC, "delete" or "move:DIR", with RETENTION_US (microseconds,
 * >= 0) for the checkpoint folder CHECKPOINT (may be NULL), creating
 * nothing.  Dies with EX_USAGE on a bad SPEC, no checkpoint, or delete
 * with a retention above 0 and under 7 days.
 */
void cleaner_check(const char *spec, long long retention_us, const char *checkpoint);
/*
 * Parse SPEC, "delete" or "move:DIR" (DIR is created when missing), with
 * RETENTION_US, for the checkpoint folder CHECKPOINT (borrowed, may be
 * NULL).  Dies as cleaner_check does, and with EX_CANTCREAT when DIR
 * cannot be created or opened.
 */
void cleaner_init(struct cleaner *c, const char *spec, long long retention_us,
		  const char *checkpoint);
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
 * COMMITTED is durable (commits/COMMITTED written): stamp the queued
 * files of batches up to it with the time now when they have none, clean
 * those whose retention is over, and retry those that failed before.
 * Never fails: problems are warnings on stderr and counts.
 */
void cleaner_run(struct cleaner *c, long long committed);
/*
 * The counts on stderr, one line: "inlet-commit: N source files cleaned,
 * N left in place, N failures to clean", and the files waiting for their
 * retention with the time the first is due.
 */
void cleaner_report(const struct cleaner *c);
void cleaner_free(struct cleaner *c);

#endif
