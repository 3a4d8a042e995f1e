#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "die.h"
#include "input.h"

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };

struct input {
	int fd;
	enum codec codec;
	gzFile gz;
	ZSTD_DCtx *zstd;
	char *zin;		/* zstd: compressed input buffer */
	ZSTD_inBuffer zbuf;
	int zeof;
	char *data;		/* decoded bytes: [start, end) not yet returned */
	size_t start, end, cap;
	int eof;
	int had_newline;
};

#define CHUNK (1 << 17)

struct input *input_open(const char *path)
{
	struct input *in = calloc(1, sizeof(*in));
	unsigned char magic[4];
	ssize_t n;

	if (!in)
		die(EX_OSERR, "out of memory");
	in->fd = -1;
	if (!strcmp(path, "-"))
		in->fd = dup(STDIN_FILENO);
	else
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0)
		goto fail;
	in->cap = CHUNK * 2;
	in->data = xmalloc(in->cap);
	/* Peek at the magic bytes; keep them as the first decoded bytes. */
	do
		n = read(in->fd, magic, sizeof(magic));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto fail;
	if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		in->codec = CODEC_GZIP;
	} else if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 &&
		   magic[2] == 0x2f && magic[3] == 0xfd) {
		in->codec = CODEC_ZSTD;
	} else {
		memcpy(in->data, magic, (size_t)n);
		in->end = (size_t)n;
		return in;
	}
	if (in->codec == CODEC_GZIP) {
		if (lseek(in->fd, 0, SEEK_SET) < 0) {
			errno = ESPIPE;
			goto fail;
		}
		in->gz = gzdopen(in->fd, "rb");
		if (!in->gz)
			goto fail;
		in->fd = -1;	/* owned by gz now */
		gzbuffer(in->gz, CHUNK);
	} else {
		in->zstd = ZSTD_createDCtx();
		in->zin = xmalloc(CHUNK);
		memcpy(in->zin, magic, 4);
		in->zbuf.src = in->zin;
		in->zbuf.size = 4;
		in->zbuf.pos = 0;
	}
	return in;
fail:
	{
		int saved = errno;
		input_close(in);
		errno = saved;
	}
	return NULL;
}

/* Append decoded bytes after in->end; returns bytes added, 0 at EOF, -1. */
static ssize_t fill(struct input *in, const char **why)
{
	size_t room = in->cap - in->end;
	ssize_t n;

	switch (in->codec) {
	case CODEC_PLAIN:
		do
			n = read(in->fd, in->data + in->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			*why = strerror(errno);
		return n;
	case CODEC_GZIP: {
		int r = gzread(in->gz, in->data + in->end, (unsigned)room);
		if (r < 0) {
			int code;
			*why = gzerror(in->gz, &code);
			return -1;
		}
		return r;
	}
	case CODEC_ZSTD:
		for (;;) {
			ZSTD_outBuffer out = { in->data + in->end, room, 0 };
			if (in->zbuf.pos == in->zbuf.size && !in->zeof) {
				do
					n = read(in->fd, in->zin, CHUNK);
				while (n < 0 && errno == EINTR);
				if (n < 0) {
					*why = strerror(errno);
					return -1;
				}
				if (n == 0)
					in->zeof = 1;
				in->zbuf.size = (size_t)n;
				in->zbuf.pos = 0;
			}
			size_t r = ZSTD_decompressStream(in->zstd, &out, &in->zbuf);
			if (ZSTD_isError(r)) {
				*why = ZSTD_getErrorName(r);
				return -1;
			}
			if (out.pos)
				return (ssize_t)out.pos;
			if (in->zeof && in->zbuf.pos == in->zbuf.size) {
				if (r != 0) {
					*why = "truncated zstd stream";
					return -1;
				}
				return 0;
			}
		}
	}
	return 0;
}

int input_next_line(struct input *in, char **line, size_t *len, const char **why)
{
	size_t scanned = in->start;

	for (;;) {
		char *nl = memchr(in->data + scanned, '\n', in->end - scanned);
		if (nl) {
			*line = in->data + in->start;
			*len = (size_t)(nl - *line);
			*nl = '\0';
			in->start = (size_t)(nl - in->data) + 1;
			in->had_newline = 1;
			return 1;
		}
		scanned = in->end;
		if (in->eof) {
			if (in->start == in->end)
				return 0;
			*line = in->data + in->start;
			*len = in->end - in->start;
			if (in->end == in->cap)
				in->data = xrealloc(in->data, ++in->cap);
			in->data[in->end] = '\0';
			in->start = in->end;
			in->had_newline = 0;
			return 1;
		}
		/* Move the partial line to the front, grow if it fills the buffer. */
		if (in->start > 0) {
			memmove(in->data, in->data + in->start, in->end - in->start);
			in->end -= in->start;
			scanned -= in->start;
			in->start = 0;
		}
		if (in->cap - in->end < CHUNK) {
			in->cap *= 2;
			in->data = xrealloc(in->data, in->cap);
		}
		ssize_t n = fill(in, why);
		if (n < 0)
			return -1;
		if (n == 0)
			in->eof = 1;
		in->end += (size_t)n;
	}
}

int input_last_had_newline(const struct input *in)
{
	return in->had_newline;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->gz)
		gzclose(in->gz);
	if (in->fd >= 0)
		close(in->fd);
	if (in->zstd)
		ZSTD_freeDCtx(in->zstd);
	free(in->zin);
	free(in->data);
	free(in);
}
