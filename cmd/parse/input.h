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
/*
 * The status of the file being read, now, in *ST; -1 with errno on failure.
 */
int input_stat(struct input *in, struct stat *st);
/*
 * The next line, without its '\n' (a '\r' before it is kept: CSV needs to
 * see it), in *LINE (owned by the input, valid until the next call) and
 * *LEN.  A line longer than MAX bytes comes in pieces of at most MAX
 * bytes: *MORE is true when the line goes on in the next piece.  1 on
 * success, 0 at EOF, -1 on a read or decompression error with a reason in
 * *WHY.
 */
int input_next_line(struct input *in, size_t max, char **line, size_t *len,
		    bool *more, const char **why);
/*
 * Everything left to read, up to MAX bytes, in *DATA (owned by the input)
 * and *LEN; *WHOLE is false when there was more than MAX.  0, or -1 on a
 * read or decompression error with a reason in *WHY.
 */
int input_read_all(struct input *in, size_t max, char **data, size_t *len,
		   bool *whole, const char **why);
void input_close(struct input *in);

#endif
