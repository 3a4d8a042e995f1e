#ifndef INLET_PARSE_H
#define INLET_PARSE_H
/*
 * What the parts of inlet-parse share: the options, the file being parsed,
 * and the ways a record leaves, as a row or as a malformed record.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "input.h"

#define WIDE_DELIMITER 0xff
/* The longest --delimiter, in bytes: a multi-character one as Spark 3's sep. */
#define WIDE_DELIMITER_MAX 16
/* The most partition columns a file takes, or --partition-columns names. */
#define PARTITION_MAX 64

/* --partition-columns: which key=value folders become columns. */
struct partition_spec {
	bool explicit;		/* a list was given; false: every key=value folder */
	size_t n;		/* names listed (0 with EXPLICIT: none at all) */
	size_t name[PARTITION_MAX];	/* offsets of the names in NAMES */
	struct buf names;	/* NUL-terminated names */
};

/* The partition columns of one file: names and JSON values, in TEXT. */
struct partition_value {
	size_t name, name_len, val, val_len;	/* offsets and lengths in TEXT */
};
struct partition_values {
	size_t n;
	struct partition_value v[PARTITION_MAX];
	struct buf text;
};

/* FORMAT_TSV is CSV with a tab for delimiter: a source's format is never TSV. */
enum format { FORMAT_AUTO, FORMAT_CSV, FORMAT_TSV, FORMAT_JSON, FORMAT_TEXT };

/*
 * Spark's JSON reader options (allowSingleQuotes, ...): what a record that
 * fails the strict check may still hold.  Spark's defaults: single quotes
 * and non-numeric numbers on, the rest off.
 */
struct json_leniency {
	bool single_quotes;	/* {'a':'x'} */
	bool non_numeric;	/* NaN, Infinity, -Infinity, +INF, ... */
	bool comments;		/* C and C++ comments */
	bool unquoted_names;	/* {a:1} */
	bool leading_zeros;	/* 007 */
	bool escape_any;	/* "\'" is "'" */
	bool control_chars;	/* a raw tab or newline inside a string */
};

extern struct options {
	enum format format;
	bool multiline;		/* JSON: a whole file is one document */
	struct json_leniency json;	/* --allow-single-quotes ... */
	bool header;
	unsigned char delimiter;	/* --delimiter; 0: from the format */
	/*
	 * A --delimiter outside ASCII or of more than one character: its
	 * bytes (2 to WIDE_DELIMITER_MAX).  csv.c
	 * reads each line with them turned into the byte WIDE_DELIMITER,
	 * which is then opt.delimiter (no UTF-8 text holds it).
	 */
	char wide_delimiter[WIDE_DELIMITER_MAX + 1];
	size_t wide_delimiter_len;
	unsigned char quote, escape;
	unsigned char comment;	/* CSV lines starting with it are skipped; 0: none */
	const char *null_value;
	size_t null_len;
	const char *empty_value;	/* --empty-value: a quoted "" reads as it; NULL: "" */
	size_t empty_len;
	size_t max_columns;	/* --max-columns: a record with more is malformed */
	long long max_chars;	/* --max-chars-per-column; -1: no limit */
	bool quote_raise;	/* --unescaped-quote-handling raise_error */
	bool whole_text;	/* text: each file is one row */
	long long skip_rows;
	bool trim_leading, trim_trailing;
	const char *encoding;	/* --encoding, an iconv name; NULL: UTF-8 */
	char line_sep[INPUT_SEP_MAX];	/* --line-sep; line_sep_len 0: the default */
	size_t line_sep_len;
	size_t max_record;	/* bytes; longer records are malformed */
	bool metadata;
	bool record_source;	/* --record-source: _inlet_source in each row */
	enum record_mode mode;
	const char *corrupt_column;
	const char *bad_records;	/* --bad-records-path, or NULL */
	struct partition_spec partitions;
	bool ignore_corrupt;	/* --ignore-corrupt-files: skip, else fail the batch */
	bool ignore_missing;	/* --ignore-missing-files: skip, else fail the batch */
	bool quiet;
} opt;

/* The file being parsed. */
struct parsed_file {
	const char *path;
	const char *arg;	/* the FILE argument as given; NULL: a listed file */
	long long batch;	/* -1 outside batches */
	struct buf meta;	/* the _metadata value up to the row: {...,"row": */
	long long row;		/* rows emitted from this file */
	enum format format;	/* CSV, JSON or TEXT */
	unsigned char delimiter;	/* CSV: ',' for .csv, tab for .tsv, or --delimiter */
	struct partition_values parts;	/* added to each row */
	/* --record-source: the next row's record, its first line (0: none) */
	unsigned long source_line;
	const char *source_raw;
	size_t source_raw_len;
	struct buf scratch;	/* for adding them */
};

/*
 * Finish ROW (an object still open: "{..." without the closing brace, or
 * just "{"), adding _metadata, and write it.
 */
void emit_row(struct parsed_file *src, struct buf *row);
/*
 * Is NAME (N bytes) a member name data may not hold: "_inlet" (a control
 * record) or "_inlet_source" (the record's source for inlet-cast)?
 */
bool is_reserved_name(const char *name, size_t n);
/*
 * The record of the next emit_row: its first LINE in the file and its
 * text RAW (N bytes, borrowed until then), for --record-source.
 */
void record_source(struct parsed_file *src, unsigned long line, const char *raw, size_t n);
/*
 * A malformed record: RAW (N bytes, not necessarily UTF-8) starting at
 * LINE.  failfast exits 65 with REASON; --bad-records-path writes it
 * there; dropmalformed counts it; permissive writes ROW (an open object
 * with what could be read, as for emit_row) with RAW in the corrupt-record
 * column.  ROW is left in any state.
 */
void bad_record(struct parsed_file *src, unsigned long line, const char *reason,
		const char *raw, size_t n, struct buf *row);
/* Why text that is not UTF-8 is malformed: "invalid UTF-8", or the charset's. */
const char *invalid_text_reason(void);
/* "record longer than N bytes ..." for --max-record-bytes, into REASON. */
void too_long_reason(char *reason, size_t size);

/* Is C a byte a JSON string cannot hold as it is, or one that needs a UTF-8 check? */
static inline bool needs_encoding(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

/*
 * Does W, 8 bytes of text, hold one that a JSON string cannot hold as it
 * is or that needs a UTF-8 check (below 0x20, '"', '\\' or non-ASCII)?  It
 * may say yes wrongly after such a byte, never no wrongly.
 */
static inline bool word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

	return ((w - ones * 0x20) | ((w ^ ones * '"') - ones) |
		((w ^ ones * '\\') - ones) | w) & high;
}

/* Is every byte of the N bytes at P printable ASCII but '"' and '\\'? */
static inline bool text_plain(const char *p, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (word_special(w))
			return false;
	}
	for (; i < n; i++)
		if (needs_encoding((unsigned char)p[i]))
			return false;
	return true;
}

/*
 * Append S (N bytes) as a JSON string when it is valid UTF-8, checking and
 * escaping in one pass; false, with OUT unchanged, when it is not.
 */
bool encode_utf8(struct buf *out, const char *s, size_t n);
/* Append S as a JSON string, invalid UTF-8 replaced by U+FFFD. */
void encode_lossy(struct buf *out, const char *s, size_t n);

/*
 * --partition-columns LIST (a comma list; "" for none) into SPEC; a
 * usage error for an empty name or too many.
 */
void partition_columns_parse(struct partition_spec *spec, const char *list);
/*
 * The partition columns of the file PATH below the folder SOURCE (NULL:
 * not known) into P, as SPEC says: every key=value folder, or the columns
 * listed, null where the path has none.
 */
void partition_values_find(struct partition_values *p, const struct partition_spec *spec,
			   const char *path, const char *source);
/*
 * Add P's columns to ROW (an open object, as for emit_row; left open): a
 * member of the same name takes the folder's value in its place, as in
 * Spark.  SCRATCH is a buffer of the caller's.
 */
void partition_values_apply(const struct partition_values *p, struct buf *row,
			    struct buf *scratch);
/* Append P's names to OUT as a JSON array of strings. */
void partition_values_names(const struct partition_values *p, struct buf *out);
void partition_values_free(struct partition_values *p);

/*
 * Read TEXT (LEN bytes: an object or an array, blanks and comments around
 * it) with the leniencies O allows and write it to OUT as strict JSON,
 * without the blanks: NaN and the infinities as the strings "NaN",
 * "Infinity" and "-Infinity", numbers without their leading zeros.  False
 * when TEXT is not JSON even so, or when O allows nothing.  OUT still
 * needs the strict check (UTF-8, depth, the "_inlet" key) (lenient.c).
 */
bool json_lenient(struct buf *out, const char *text, size_t len,
		  const struct json_leniency *o);

/* The rows of a CSV file; 0, or -1 with *WHY on a read error (csv.c). */
int parse_csv(struct parsed_file *src, struct input *in, const char **why);

#endif
