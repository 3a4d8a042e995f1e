#ifndef INLET_PARSE_INPUT_H
#define INLET_PARSE_INPUT_H
/*
 * A file opened for parsing, decompressed by content: gzip and zstd are
 * recognised by their magic bytes, anything else is read as it is.  Lines
 * come back one at a time, of any length.
 */
#include <stddef.h>
#include <stdio.h>

struct input;

/* Open PATH ("-" for standard input); NULL with errno set on failure. */
struct input *input_open(const char *path);
/*
 * The next line, without its '\n' (a '\r' before it is kept: CSV needs to
 * see it), in *LINE (owned by the input, valid until the next call) and
 * *LEN.  1 on success, 0 at EOF, -1 on a read or decompression error with
 * a reason in *WHY.
 */
int input_next_line(struct input *in, char **line, size_t *len, const char **why);
/* Did the last line returned end with '\n' (or at EOF without one)? */
int input_last_had_newline(const struct input *in);
void input_close(struct input *in);

#endif
