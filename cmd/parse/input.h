#ifndef INLET_PARSE_INPUT_H
#define INLET_PARSE_INPUT_H
/*
 * A file opened for parsing, decompressed by content: gzip and zstd are
 * recognised by their magic bytes, anything else is read as it is.  Lines
 * come back one at a time; memory stays bounded by the longest line the
 * caller accepts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct input;

/* input_open: follow a symbolic link at PATH (by default it is refused). */
#define INPUT_FOLLOW 1
/* input_open: read a FIFO too, waiting for its writer. */
#define INPUT_FIFO 2

/*
 * Open PATH ("-" for standard input: anything but a directory) for
 * reading.  Only a regular file is read: anything else, a FIFO (unless
 * FLAGS has INPUT_FIFO), a device, a socket or a directory, fails without
 * a byte read and without waiting for a writer, and so does a symbolic
 * link unless FLAGS has INPUT_FOLLOW.  *ST gets the status of the
 * descriptor opened, the file that will be read; nothing is read before
 * the first line is asked for.  NULL on failure with the reason in *WHY
 * (static text, or strerror's).
 */
struct input *input_open(const char *path, int flags, struct stat *st,
			 const char **why);
/* The longest --line-sep, in bytes. */
#define INPUT_SEP_MAX 8

/*
 * Convert the file from CHARSET (a name iconv_open(3) knows) to UTF-8,
 * after decompression and before lines are split; NULL (the default): it
 * is UTF-8, unless it starts with a UTF-32 or UTF-16 byte order mark, then
 * read as that.  A byte sequence invalid in the charset comes out as the
 * byte 0xff, never in UTF-8, so the record holding it is malformed.  Call
 * before the first read; CHARSET must outlive IN.
 */
void input_set_encoding(struct input *in, const char *charset);
/* Can iconv convert CHARSET to UTF-8? */
bool input_charset_known(const char *charset);
/*
 * Lines end at SEP (LEN bytes, 1 to INPUT_SEP_MAX), left out of the line,
 * instead of the default: '\n', or '\r' for a file whose first 64 KiB
 * hold a '\r' and no '\n'.  Call before the first line.
 */
void input_set_line_sep(struct input *in, const char *sep, size_t len);
/*
 * The status of the file being read, now, in *ST; -1 with errno on failure.
 */
int input_stat(struct input *in, struct stat *st);
/*
 * The next line, without its separator (see input_set_line_sep; a '\r'
 * before a '\n' is kept: CSV needs to see it), in *LINE (owned by the input, valid until the next call) and
 * *LEN.  A line longer than MAX bytes comes in pieces of at most MAX
 * bytes: *MORE is true when the line goes on in the next piece.  1 on
 * success, 0 at EOF, -1 on a read or decompression error with a reason in
 * *WHY.
 */
int input_next_line(struct input *in, size_t max, char **line, size_t *len,
		    bool *more, const char **why);
/*
 * Did the last line input_next_line gave end with its separator?  False
 * for a last line the file does not end (and for a piece of a long line).
 */
bool input_line_ended(const struct input *in);
/*
 * Everything left to read, up to MAX bytes, in *DATA (owned by the input)
 * and *LEN; *WHOLE is false when there was more than MAX.  0, or -1 on a
 * read or decompression error with a reason in *WHY.
 */
int input_read_all(struct input *in, size_t max, char **data, size_t *len,
		   bool *whole, const char **why);
void input_close(struct input *in);

#endif
