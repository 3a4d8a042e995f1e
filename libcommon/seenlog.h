#ifndef INLET_SEENLOG_H
#define INLET_SEENLOG_H
/*
 * Reading CK/sources/seen, the log of files already taken (inlet(7)),
 * for inlet-discover, which writes it (cmd/discover/seenlog.c), and for
 * inlet-status.  Format 3:
 *
 *   inlet-seen 3           the first line: format and version
 *   d TAB FOLDER           the folder of the "f" and "x" lines below it
 *   f TAB NAME TAB SIZE TAB MTIME_NS TAB DEV TAB INO TAB BATCH
 *                          a file taken: FOLDER/NAME with its identity
 *                          (mtime in nanoseconds since the epoch) and the
 *                          batch that took it (-1: none, the file was
 *                          only marked by --include-existing-files false,
 *                          or unknown).  DEV and INO are "-" when the
 *                          identity is not known (a file taken by an
 *                          older inlet): MTIME_NS is then exact to the
 *                          microsecond only
 *   x TAB NAME             forget FOLDER/NAME: a batch's commit asked for
 *                          it again (parse skipped it, retry), so the next
 *                          listing takes it
 *   b TAB N                every file of offsets/N is above
 *   c TAB N                the retries of commits/ entries up to N are
 *                          above
 *
 * FOLDER and NAME are the exact bytes of the absolute path split at its
 * last '/' ("" for "/"), with backslash, tab, newline and carriage return
 * written as \\ \t \n \r.
 *
 * Each line depends only on lines above it, so any prefix of complete
 * lines is a valid log: a last line cut short by a crash is not read.
 *
 * Older formats: format 2 is this without "x" and "c" lines, with
 * "f NAME SIZE MTIME_US" (mtime in microseconds, no identity, no batch);
 * format 1 is one JSON file record a line, as in offsets/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "identity.h"

#define SEENLOG_HEADER "inlet-seen 3"
#define SEENLOG_VERSION 3

/* A file of the log, or a file record of offsets/. */
struct seenlog_file {
	const char *path;	/* absolute, NUL-terminated; the reader's, valid during the call */
	size_t len;
	/*
	 * Bytes of PATH that are the folder and '/' of the last "d" line,
	 * given to the folder callback before; 0 for a JSON record.
	 */
	size_t folder_len;
	struct file_identity id;	/* without id.known, mtime_ns is exact to the us */
	long long batch;	/* the batch that took it; -1: none or unknown */
	/*
	 * Where the name starts in the file, when the bytes there are the
	 * name itself (an "f" line of format 3 with nothing escaped), which
	 * seenlog_scan_file reads again; else -1.
	 */
	long long name_at;
};

/*
 * What the reader calls, line by line, in the log's order; a NULL member
 * is not called.  CTX is given back to each.
 */
struct seenlog_visitor {
	void *ctx;
	/* A "d" line: FOLDER (LEN bytes) is the folder and '/'. */
	void (*folder)(void *ctx, const char *folder, size_t len);
	/* An "f" line, or a file record of format 1. */
	void (*file)(void *ctx, const struct seenlog_file *f);
	/* An "x" line: F->path is forgotten (F->id and F->batch are not set). */
	void (*forget)(void *ctx, const struct seenlog_file *f);
	/*
	 * A "b" line: every file of offsets/BATCH is above.  In format 1, a
	 * record of a batch higher than any before (the log has no end mark).
	 */
	void (*covered)(void *ctx, long long batch);
	/* A "c" line: the retries of commits/ up to N are above. */
	void (*commits)(void *ctx, long long n);
};

/* What reading found. */
struct seenlog_info {
	int version;		/* 0: missing or empty, 1: JSON records, 2, 3 */
	bool missing;		/* no file at all (else: empty, when version is 0) */
	unsigned long lines;	/* complete lines after the header (format 1: all) */
	off_t complete;		/* bytes of the complete lines */
	bool cut;		/* a last line cut short follows them (a crash) */
};

/*
 * Read the log PATH, calling V for each complete line; the file is not
 * changed (the writer cuts a short last line off at INFO->complete).  A
 * malformed line dies with EX_DATAERR naming the file, the line and the
 * repair; a format newer than SEENLOG_VERSION dies with EX_DATAERR; a
 * read error with EX_IOERR.  A missing file is INFO->missing.
 */
void seenlog_read(const char *path, const struct seenlog_visitor *v,
		  struct seenlog_info *info);
/*
 * seenlog_read of the log open as FD (read from where it stands, left
 * open), named PATH in messages: a caller that maps the log reads the
 * very file it mapped.
 */
void seenlog_read_fd(const char *path, int fd, const struct seenlog_visitor *v,
		     struct seenlog_info *info);

/*
 * The common "f" line of format 3 after "f" and its tab, P..END (the
 * newline excluded): NAME SIZE MTIME_NS DEV INO BATCH in one pass, the end
 * of NAME into *NAME_END and the rest into ID and *BATCH.  False for any
 * other form, which seenlog_read reads by the general path or reports.
 */
bool seenlog_scan_file(const char *p, const char *end, const char **name_end,
		       struct file_identity *id, long long *batch);

/*
 * Line LINENO of the checkpoint file NAME (format 1 of the log, or an
 * offsets/ entry), LEN bytes at LINE, a JSON record: 1 and the file in
 * *F (its path in PATH, which F->path points into) if it is a file
 * record, 0 if another record.  A malformed line, or a file record
 * without path or with a bad mtime, dies with EX_DATAERR naming the file.
 */
int seenlog_file_record(const char *name, unsigned long lineno, const char *line,
			size_t len, struct buf *path, struct seenlog_file *f);

#endif
