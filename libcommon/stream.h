#ifndef INLET_STREAM_H
#define INLET_STREAM_H
/*
 * The stream contract of inlet(7): one JSON object per line.  Objects with
 * a top-level "_inlet" key are control records (begin, file, schema, end,
 * skip, and any future event, passed on unchanged); all others are rows.
 */
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"

struct stream_reader {
	int fd;			/* borrowed, or opened from paths */
	const char *name;	/* for messages: "standard input" or the file's path */
	char *buf;		/* owned: bytes read, [start, end) not yet returned */
	size_t start, end, cap;
	bool eof;
	char *line;		/* the current line, NUL-terminated, inside buf */
	size_t len;		/* length without the newline */
	unsigned long lineno;
	bool cut_short;		/* the current line ended at EOF without '\n' */
	/*
	 * Graceful stop: when *INTERRUPT is set by a signal handler (installed
	 * without SA_RESTART) while the reader waits for input, with STOP_OK
	 * and no partial line buffered, the reader reports end of input.
	 */
	volatile sig_atomic_t *interrupt;
	bool stop_ok;
	/* FILE arguments, read one after another as cat does ("-": stdin). */
	char *const *paths;	/* borrowed */
	int npaths, next;
	bool own_fd;		/* fd was opened here */
	bool switch_pending;	/* the current file ended: open the next one */
	int missing;		/* FILE arguments that could not be opened */
	/*
	 * Records are located (record_locate), not validated: set by the
	 * batch reader inside a batch whose "begin" claims valid rows, for a
	 * stage that called batch_reader_trust.
	 */
	bool trusted;
	/*
	 * Said after the error when the first record is not a JSON object
	 * (a stage's way to name what its standard input is meant to be), or
	 * NULL; the reader drops it once a record was read.
	 */
	const char *first_hint;
};

enum record_kind { RECORD_ROW, RECORD_CONTROL };

struct record {
	enum record_kind kind;
	const char *text;	/* borrowed from the reader, valid until next */
	size_t len;
	char event[16];		/* control records: "begin", "file", ... ("" if longer) */
	long long batch;	/* control records: "batch" member, or -1 */
	/*
	 * The top-level members in order, found by the one validating pass
	 * of record_classify: stages read them here instead of scanning the
	 * text again.  Valid until the next record_classify call.
	 */
	const struct json_field *fields;
	size_t nfields;
	/*
	 * The index in FIELDS of the last top-level "_inlet_source" member
	 * (inlet-parse --record-source), or -1: found by the same pass.
	 */
	long source;
};

void stream_reader_init(struct stream_reader *r, FILE *fp, const char *name);
/*
 * Read the N files PATHS one after another, as cat does ("-" is standard
 * input; no file at all: standard input alone).  A file that cannot be
 * opened is reported on standard error, counted in r->missing and passed
 * over; a file's last line ends at its end, newline or not.  Messages name
 * the file being read and its own line numbers.
 */
void stream_reader_init_files(struct stream_reader *r, char *const *paths, int n);
void stream_reader_free(struct stream_reader *r);

/*
 * Read the next line (no length limit); 1 on success, 0 at EOF.  A line
 * without its final newline at EOF is still returned.  A read error dies
 * with EX_IOERR naming the stream.  Reads the descriptor directly, so the
 * FILE must not have been read from before.
 */
int stream_next_line(struct stream_reader *r);

/*
 * Is the line S (N bytes) only blanks (spaces, tabs, carriage returns)?
 * Such a line holds no record, in a stream or in an input file.
 */
bool blank(const char *s, size_t n);

/*
 * Read and classify the next non-blank line (with R->trusted: locate it).
 * 1 on success, 0 at EOF.  A line that is not a JSON object dies with
 * EX_DATAERR, naming the stream and line: between stages that is a broken
 * pipeline, not bad user data.
 */
int stream_next_record(struct stream_reader *r, struct record *rec);

/*
 * Validate TEXT as one JSON object, classify it and list its members in
 * REC->fields.  0, or -1 with ERR if malformed.
 */
int record_classify(struct record *rec, const char *text, size_t len,
		    struct json_error *err);

/*
 * record_classify for text an inlet stage upstream validated (the batch's
 * "begin" claims "valid":"json-utf8"): the same record and members for
 * valid text, found with json_object_locate_next.  On any other text it
 * reads nothing outside TEXT and fails or lists members whose values may
 * be malformed (see json_object_locate_next).
 */
int record_locate(struct record *rec, const char *text, size_t len,
		  struct json_error *err);

/* Copy the string member KEY of REC into OUT (decoded); 1, or 0 if absent. */
int record_get_string(const struct record *rec, const char *key, struct buf *out);
/* The integer member KEY of REC, or DFLT when absent or not an integer. */
long long record_get_int(const struct record *rec, const char *key, long long dflt);

/*
 * Put LEN bytes of TEXT and a newline into FP: 0, or EOF on a write error
 * (what fwrite and putc return).  The commonest write of every stage: a
 * line that fits in the free part of FP's buffer is copied there at once,
 * where fwrite and putc each make a call, a lock check and a jump through
 * the stream's table.  glibc's FILE marks that free part with the fields
 * its own putc macro uses; a line-buffered or unbuffered stream keeps it
 * empty, and a stream with no buffer yet has none, so those, like a line
 * too long for what is left, go through fwrite.
 */
static inline int stream_put_line(FILE *fp, const char *text, size_t len)
{
#ifdef __GLIBC__
	if ((size_t)(fp->_IO_write_end - fp->_IO_write_ptr) > len) {
		memcpy(fp->_IO_write_ptr, text, len);
		fp->_IO_write_ptr[len] = '\n';
		fp->_IO_write_ptr += len + 1;
		return 0;
	}
#endif
	return fwrite(text, 1, len, fp) != len || putc('\n', fp) == EOF ? EOF : 0;
}

/*
 * Write TEXT and a newline to FP; dies with EX_IOERR on failure.  After
 * stream_rows_only(true) (a stage's --rows-only), control records are
 * left out: the output is plain NDJSON for tools other than inlet.
 */
void stream_write(FILE *fp, const char *text, size_t len);
void stream_rows_only(bool on);
/* Flush FP at a batch end; dies with EX_IOERR on failure. */
void stream_flush(FILE *fp);

/*
 * Give stdout a large buffer (rows are flushed at batch ends, not per
 * line) and, when standard input or output is a pipe, widen the pipe: a
 * 64 KiB pipe makes a stage sleep and wake its neighbour on the other CPU
 * every 64 KiB, which costs more than the work on a stream of small rows.
 */
void stream_setup_stdout(void);

/*
 * A stage in the middle of a pipeline (standard input not a terminal)
 * ignores SIGINT and SIGTERM and ends at end of input instead, so that a
 * signal to the whole pipeline lets the batch in flight reach the sink.
 */
void stream_defer_stop_signals(void);

/*
 * Install HANDLER-less flag setting for SIGINT and SIGTERM: *FLAG becomes 1,
 * and blocking calls are interrupted (no SA_RESTART).  With KEEP_IGNORED,
 * a signal ignored when the program started stays ignored, as a shell's
 * background job or nohup's command expects: a composite starts the
 * stages after its first ignoring both, so that the sink drains the batch
 * in flight to the end of its input instead of stopping before it.
 */
void stream_catch_stop_signals(volatile sig_atomic_t *flag, bool keep_ignored);

#endif
