#ifndef INLET_BUF_H
#define INLET_BUF_H
/*
 * A growable byte buffer.  The buffer owns data; data is always
 * NUL-terminated after len so it can be used as a C string.  Growth never
 * fails (out of memory dies with EX_OSERR).
 */
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Make the capacity at least NEED bytes: the slow path of buf_grow. */
void buf_reserve(struct buf *b, size_t need);

/*
 * The appends are inline: rows are built from many short pieces, and a
 * call plus a memcpy of unknown size per piece cost more than the copy.
 */

/* Make room for EXTRA more bytes (plus the terminating NUL). */
static inline void buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_reserve(b, b->len + extra + 1);
}

static inline void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory for reuse. */
void buf_reset(struct buf *b);
/* Release the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

#endif
