#ifndef INLET_CKPT_H
#define INLET_CKPT_H
/*
 * The checkpoint directory of inlet(7): plain files, each written to a
 * temporary name beginning with '.', fsynced, renamed into place and the
 * folder fsynced (fileio.h), so a reader never sees half a file.
 *
 *   CK/metadata      {"id":...,"created":...,"layout":1}, written once
 *   CK/offsets/N     discover's write-ahead log of batch N
 *   CK/commits/N     commit's mark that batch N is durable in the sink
 *   CK/sources/seen  discover's index of files already taken
 *   CK/.lock-ROLE    flock(2) of the stage that owns a part
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define CKPT_LAYOUT 1

struct ckpt {
	char *dir;		/* owned */
	char id[40];		/* hex id from CK/metadata */
};

/*
 * Open the checkpoint DIR, creating it and its metadata when missing.
 * Malformed metadata or a newer layout dies with EX_DATAERR naming the file;
 * a folder that cannot be created dies with EX_CANTCREAT.
 */
void ckpt_open(struct ckpt *ck, const char *dir);
/*
 * Open the existing checkpoint DIR to read it, creating nothing (status):
 * 0, or -1 with errno ENOENT when DIR has no metadata file (CK->dir is
 * set either way; ckpt_close frees it).  Malformed metadata or a newer
 * layout dies as ckpt_open does; another read error dies with EX_IOERR.
 */
int ckpt_open_existing(struct ckpt *ck, const char *dir);
void ckpt_close(struct ckpt *ck);

/*
 * Claim the checkpoint for KEY = VALUE (commit: "sink", the absolute sink
 * it writes): the first claim is recorded in CK/metadata; a later one with
 * another VALUE dies with EX_USAGE naming both, since one pipeline's
 * batches must never land in another's sink.
 */
void ckpt_claim(struct ckpt *ck, const char *key, const char *value);
/* The string member KEY of CK/metadata into OUT (reset first): 1, or 0 when absent. */
int ckpt_metadata_get(const struct ckpt *ck, const char *key, struct buf *out);

/*
 * Take the exclusive lock of ROLE ("discover", "commit", ...) for the
 * process's lifetime.  If another process holds it, die with EX_TEMPFAIL
 * naming the holder's pid and program.
 */
void ckpt_lock(const struct ckpt *ck, const char *role);

/* Path "CK/SUB" or "CK/SUB/N" into OUT (reset first). */
void ckpt_path(const struct ckpt *ck, const char *sub, long long n, struct buf *out);

/*
 * The numbered entries of the log folder DIR, ascending, in a malloc'd
 * array the caller frees; *COUNT gets their number.  A missing folder is an
 * empty log.  Temporary files ('.' names) are ignored.
 */
long long *ckpt_log_list(const char *dir, size_t *count);
/* The highest entry of the log folder DIR, or -1 when it is empty. */
long long ckpt_log_latest(const char *dir);
/* Remove entries below KEEP_FROM; returns how many were removed. */
size_t ckpt_log_prune(const char *dir, long long keep_from);

#endif
