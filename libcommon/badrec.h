#ifndef INLET_BADREC_H
#define INLET_BADREC_H
/*
 * A --bad-records-path folder, laid out as Databricks lays out
 * badRecordsPath:
 *
 *   DIR/yyyyMMddTHHmmss/bad_records/part-NNNNN  {"path":..,"record":..,"reason":..}
 *   DIR/yyyyMMddTHHmmss/bad_files/part-NNNNN    {"path":..,"reason":..}
 *
 * The timestamp (UTC) is the start of the run; the folders are created at
 * the first entry of their kind.  Entries go to a temporary file whose name
 * starts with '.', so readers skip it; badrec_commit() makes them durable
 * as the next free part file.  A crash before that leaves only the
 * temporary file, and the batch is replayed into the next run's folder.
 * Every failure dies, naming the file: bad records are never lost quietly.
 */
#include <stdio.h>

#include "buf.h"

struct badrec_kind {
	const char *name;	/* "bad_records" or "bad_files" */
	struct buf dir;		/* DIR/STAMP/NAME once created */
	struct buf tmp;		/* its temporary file, while open */
	FILE *fp;		/* open while this batch has entries */
	long long pending;	/* entries in it */
	long long part;		/* the next part number to try */
};

struct badrec {
	const char *root;	/* DIR, borrowed */
	char stamp[20];		/* yyyyMMddTHHmmss of the run's start */
	struct badrec_kind records, files;
	struct buf line;	/* scratch for one entry */
	long long entries;	/* entries made durable, both kinds */
};

/* Prepare ROOT (borrowed) for this run; nothing is created yet. */
void badrec_init(struct badrec *b, const char *root);
/*
 * A record that could not be read: RECORD (LEN bytes) from PATH (NULL when
 * not known), and why.  All must be valid UTF-8, as json_string_encode()
 * wants them.
 */
void badrec_record(struct badrec *b, const char *path, const char *record,
		   size_t len, const char *reason);
/* A file that could not be read. */
void badrec_file(struct badrec *b, const char *path, const char *reason);
/* Make the entries written so far durable (a batch ends). */
void badrec_commit(struct badrec *b);
/* Throw away the entries not committed (their batch will be replayed). */
void badrec_discard(struct badrec *b);
/* Discard what is not committed and release the memory. */
void badrec_free(struct badrec *b);

#endif
