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

struct input;

/*
 * Open PATH ("-" for standard input); NULL with errno set on failure.  A
 * directory fails with EISDIR.
 */
struct input *input_open(const char *path);
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
