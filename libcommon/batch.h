#ifndef INLET_BATCH_H
#define INLET_BATCH_H
/*
 * The batch protocol of inlet(7), read in one place.  Every stage reads
 * its input through a batch reader and switches over the events it
 * returns; the reader owns the rules:
 *
 *   - A batch is "begin", then files, schemas and rows, then "end".
 *     Only discover numbers batches; a batch framed anywhere else is
 *     unnumbered (id -1).
 *   - A row, "file" or "skip" record outside any batch starts a batch
 *     framed here: the reader returns BATCH_BEGIN with a synthesized
 *     record {"_inlet":"begin","last":true} before it, and BATCH_END with
 *     {"_inlet":"end"} when the input ends (or a real "begin" comes).  A
 *     stage passes these on like real ones, so the first inlet stage
 *     frames a plain NDJSON stream and the rule below holds end to end.
 *   - Input that ends inside a batch begun upstream is BATCH_CUT: the
 *     stage drops what it holds of the batch and calls batch_die_cut()
 *     (exit 74).  Nothing of such a batch may be committed.
 *   - "end" without its "begin", an "end" of another batch, or a "begin"
 *     inside a batch is a broken stream: exit 65 naming the line.
 *   - A "begin" with "valid":"json-utf8" claims that every record of the
 *     batch is valid UTF-8 JSON, validated or built by an inlet stage
 *     upstream (inlet(7), "Validate once").  A stage that called
 *     batch_reader_trust then only locates the members of such a batch's
 *     records (record_locate); every other stage, and every other batch,
 *     is validated in full.  The claim is a promise between inlet stages,
 *     not a proof: a forged one never makes the reader read out of
 *     bounds, and inlet-commit never trusts it.
 *
 * State diagram:  BETWEEN --begin--> IN_BATCH --end--> BETWEEN
 *                 BETWEEN --row/file/skip--> FRAMED --EOF/begin--> BETWEEN
 *                 IN_BATCH --EOF--> CUT (the stage exits 74)
 */
#include <stdbool.h>
#include <stdio.h>

#include "stream.h"

enum batch_event {
	BATCH_EOF,	/* end of input, between batches */
	BATCH_BEGIN,	/* a batch starts: id, last, checkpoint, framed are set */
	BATCH_FILE,	/* a "file" record */
	BATCH_SCHEMA,	/* a "schema" record, inside or between batches */
	BATCH_ROW,	/* a row */
	BATCH_CONTROL,	/* any other control record ("skip", future events) */
	BATCH_END,	/* the batch ends: id etc. still describe it */
	BATCH_CUT,	/* the input ended inside a batch begun upstream */
};

struct batch_reader {
	struct stream_reader in;	/* in.interrupt may be set by the stage */
	struct record rec;	/* the current record: for a framed BEGIN/END, the
				   synthesized one (no fields) */
	bool open;		/* a batch has begun and not ended */
	bool framed;		/* the batch was framed here: no "begin" came */
	bool last;		/* the batch ends a finite run ("last":true, or framed) */
	long long id;		/* the batch's number; -1: unnumbered */
	char checkpoint[48];	/* the begin record's "checkpoint" id, or "" */
	bool valid;		/* the begin record claims "valid":"json-utf8" */
	bool trust;		/* batch_reader_trust: locate a claimed batch */
	/* private */
	struct record held;	/* read, returned after a synthesized event */
	bool holding;
};

/* The records of a batch framed by the first inlet stage (no newline). */
extern const char batch_framed_begin[], batch_framed_end[];

/* The value of the claim of a "begin" record's "valid" member. */
extern const char batch_valid_claim[];

/* Read FP (named NAME in messages) as a batch stream. */
void batch_reader_init(struct batch_reader *br, FILE *fp, const char *name);
/* Read the N FILE arguments PATHS one after another (none: standard input). */
void batch_reader_init_files(struct batch_reader *br, char *const *paths, int n);
/* 0, or EX_NOINPUT when a FILE argument could not be opened (each was reported). */
int batch_reader_status(const struct batch_reader *br);
void batch_reader_free(struct batch_reader *br);

/*
 * Trust the claim: the records of a batch whose "begin" claims valid rows
 * are located, not validated.  Only for a stage whose output goes on to
 * another inlet stage; inlet-commit, in front of the sinks, never calls it.
 */
void batch_reader_trust(struct batch_reader *br);

/*
 * Write the "begin" record TEXT (LEN bytes, validated: a BATCH_BEGIN's
 * br->rec, or batch_framed_begin) to FP as stream_write does, with the claim "valid":"json-utf8" when VALID and
 * without any "valid" member otherwise.  A stage may set VALID only when
 * every record it writes in the batch is one it validated or built.
 */
void batch_write_begin(FILE *fp, const char *text, size_t len, bool valid);

/*
 * The next event; br->rec is its record, valid until the next call.  Dies
 * with EX_DATAERR on a broken stream and with EX_IOERR on a read error.
 * Between batches and inside a framed batch, a stop signal set in
 * br->in.interrupt while waiting for input reads as end of input.
 */
enum batch_event batch_next(struct batch_reader *br);

/*
 * Exit 74 for BATCH_CUT: "input ended inside batch N (an upstream stage
 * failed); CONSEQUENCE".  The stage calls it after dropping the batch.
 */
void batch_die_cut(const struct batch_reader *br, const char *consequence)
	__attribute__((noreturn));


#endif
