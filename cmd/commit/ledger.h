#ifndef INLET_COMMIT_LEDGER_H
#define INLET_COMMIT_LEDGER_H
/*
 * The file ledger of the database sinks (inlet-commit(1), LEDGER): a
 * table "_inlet_files" in the database, one row per file version a table
 * holds, written in the transaction of the batch that loaded it and
 * unique per (table_name, path, size, mtime_ns):
 *
 *   table_name, path   the table, and the path as discover listed it
 *   size, mtime_ns     the version: the file record's size and mtime_ns
 *   dev, ino           where it lived on the loading host (information:
 *                      they differ between hosts of one shared folder)
 *   checkpoint_id, batch, committed_at   who loaded it, and when
 *   rows               the rows the batch wrote of it
 *
 * The sink looks a version up when its file record comes (under the
 * table's write lock); this module keeps the versions the open batch
 * takes, written with the batch's mark.  The ledger goes with the table:
 * before its first look-up in a batch the sink drops the table's ledger
 * rows when the table is missing (dropped), or empty while its ledger
 * says rows were loaded (dropped and created anew, or emptied).  The
 * module owns copies of the paths; it fails only on allocation (dies as
 * xmalloc does).
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "identity.h"

#define LEDGER_TABLE "_inlet_files"

struct ledger_file {
	char *path;		/* owned */
	struct file_identity id;
	long long rows;		/* the rows the batch wrote of it */
};

/* The versions the open batch takes. */
struct ledger_batch {
	struct ledger_file *files;
	size_t n, cap;
	size_t current;		/* the file whose rows come now; (size_t)-1: none */
	bool checked;		/* the table's ledger was checked against the table */
};

/*
 * The path as the ledger keeps it, in PATH (changed in place): as it is
 * when valid UTF-8, else in the JSON form of file records, each stray
 * byte \udcXX (inlet(7), "File names"), which PostgreSQL's text holds.
 */
void ledger_path(struct buf *path);

/*
 * The batch takes version (PATH, ID->size, ID->mtime_ns) already (a file
 * listed twice): it becomes the current file again, and true.
 */
bool ledger_batch_retake(struct ledger_batch *lb, const char *path,
			 const struct file_identity *id);
/* No file's rows come now: the current file is left out. */
void ledger_batch_leave(struct ledger_batch *lb);
/* Take the version: it becomes the current file. */
void ledger_batch_add(struct ledger_batch *lb, const char *path,
		      const struct file_identity *id);
/* The sink wrote a row: one more of the current file's, if any. */
void ledger_batch_row(struct ledger_batch *lb);
/* A skip record names PATH: not read whole, so none of its versions is recorded. */
void ledger_batch_drop(struct ledger_batch *lb, const char *path);
/* Forget every version (the batch begins, committed or was dropped). */
void ledger_batch_reset(struct ledger_batch *lb);
void ledger_batch_free(struct ledger_batch *lb);

#endif
