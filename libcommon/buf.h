#ifndef INLET_BUF_H
#define INLET_BUF_H
/*
 * A growable byte buffer.  The buffer owns data; data is always
 * NUL-terminated after len so it can be used as a C string.  Growth never
 * fails (out of memory dies with EX_OSERR).
 */
#include <stddef.h>
#include <stdint.h>
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

/*
 * Copy the N bytes SRC to DST (not overlapping), a short copy inline: two
 * overlapping words or halves, not a call (most pieces are a few bytes).
 */
static inline void copy_short(char *dst, const char *src, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n > 16) {
		memcpy(dst, src, n);
	} else if (n >= 8) {
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, src, 4);
		memcpy(&y, src + n - 4, 4);
		memcpy(dst, &x, 4);
		memcpy(dst + n - 4, &y, 4);
	} else if (n) {
		char c0 = src[0], c1 = src[n / 2], c2 = src[n - 1];
		dst[0] = c0;
		dst[n / 2] = c1;
		dst[n - 1] = c2;
	}
}

/* Make room for EXTRA more bytes (plus the terminating NUL). */
static inline void buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_reserve(b, b->len + extra + 1);
}

static inline void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	copy_short(b->data + b->len, data, n);
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
