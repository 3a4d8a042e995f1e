#ifndef INLET_FILEIO_H
#define INLET_FILEIO_H
/*
 * Whole files and folders, crash-safe: a file is written to a temporary
 * name beginning with '.', fsynced, renamed into place and its folder
 * fsynced, so a reader never sees half a file.  The checkpoint (ckpt.h),
 * the sinks and the bad-records folder all write this way.
 */
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/*
 * Write DATA to PATH atomically (tmp + fsync + rename + folder fsync).
 * 0 on success, -1 with errno set (the temporary file is removed).  The
 * file is created 0600: checkpoints hold paths and data of their own.
 */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The same for a file of the user's (MODE, less the umask). */
int write_file_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);
/* Append the whole file PATH to OUT; 0, or -1 with errno set. */
int read_file(const char *path, struct buf *out);
/* mkdir -p, new folders 0700 (checkpoints); 0, or -1 with errno set. */
int mkdir_p(const char *path);
/* mkdir -p for a folder of the user's: new folders MODE, less the umask. */
int mkdir_p_mode(const char *path, mode_t mode);
/* fsync the folder that holds PATH; 0 or -1. */
int fsync_parent(const char *path);
/*
 * Remove the temporary files ('.NAME.tmp*') a write_file_atomic() cut by
 * a crash left in DIR.  A folder that cannot be read is left as it is.
 */
void remove_temporaries(const char *dir);

/*
 * Take the exclusive lock file PATH (created MODE, less the umask) for the
 * process's lifetime, writing "pid N (PROGRAM)" in it; returns its
 * descriptor.  If another process holds it, die with EX_TEMPFAIL: "WHAT is
 * in use by HOLDER (lock 'PATH'); WHY".
 */
int lock_take(const char *path, mode_t mode, const char *what, const char *why);

#endif
