#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "die.h"
#include "identity.h"
#include "input.h"

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };

struct input {
	int fd;
	bool started;		/* the magic bytes were read: codec is known */
	enum codec codec;
	z_stream gz;		/* gzip: inflate state, fed from zin */
	bool gz_ready;		/* inflateInit2 done */
	bool gz_member_done;	/* a gzip member ended: another may follow */
	ZSTD_DCtx *zstd;
	char *zin;		/* compressed input buffer (gzip, zstd) */
	ZSTD_inBuffer zbuf;
	bool zstd_in_frame;	/* input of a frame consumed, its end not yet seen */
	int zeof;
	char *data;		/* decoded bytes: [start, end) not yet returned */
	size_t start, end, cap;
	int eof;
};

#define CHUNK (1 << 17)

/*
 * Open PATH, a regular file (or a FIFO with INPUT_FIFO), and its status in
 * *ST; -1 with *WHY.  A FIFO opens at once under O_NONBLOCK instead of
 * waiting for a writer, and is then refused with every other kind of file
 * before a byte is read.
 */
static int open_regular(const char *path, int flags, struct stat *st, const char **why)
{
	int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat pre;
	int fd, fl;

	if (!(flags & INPUT_FOLLOW))
		oflags |= O_NOFOLLOW;
	if (flags & INPUT_FIFO) {
		/* A FIFO waits for its writer, as cat(1) would; a device is refused
		 * before opening it can do anything (fstat below has the last word). */
		if (stat(path, &pre) == 0 && !S_ISREG(pre.st_mode) &&
		    !S_ISFIFO(pre.st_mode) && !S_ISDIR(pre.st_mode)) {
			*why = identity_not_regular(pre.st_mode);
			return -1;
		}
		oflags &= ~O_NONBLOCK;
	}
	fd = open(path, oflags);
	if (fd < 0) {
		/* O_NOFOLLOW says ELOOP for a link at the end of PATH. */
		if (errno == ELOOP && !(flags & INPUT_FOLLOW) &&
		    lstat(path, &pre) == 0 && S_ISLNK(pre.st_mode))
			*why = "is a symbolic link";
		else
			*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		*why = strerror(errno);
		goto fail;
	}
	if (!S_ISREG(st->st_mode) && !(S_ISFIFO(st->st_mode) && (flags & INPUT_FIFO))) {
		*why = identity_not_regular(st->st_mode);
		goto fail;
	}
	/* From here reads wait for data as reads of a file do. */
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		*why = strerror(errno);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Read up to N bytes, fewer only at EOF (a pipe may hand them out one by one). */
static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

struct input *input_open(const char *path, int flags, struct stat *st,
			 const char **why)
{
	struct input *in = calloc(1, sizeof(*in));

	if (!in)
		die(EX_OSERR, "out of memory");
	in->fd = -1;
	if (strcmp(path, "-")) {
		in->fd = open_regular(path, flags, st, why);
		if (in->fd < 0)
			goto fail;
	} else {
		/* Standard input is the user's choice, a pipe or a terminal included. */
		in->fd = dup(STDIN_FILENO);
		if (in->fd < 0 || fstat(in->fd, st) < 0) {
			*why = strerror(errno);
			goto fail;
		}
		if (S_ISDIR(st->st_mode)) {
			*why = strerror(EISDIR);
			goto fail;
		}
	}
	in->cap = CHUNK * 2;
	in->data = xmalloc(in->cap);
	return in;
fail:
	input_close(in);
	return NULL;
}

/*
 * Tell the codec by the magic bytes, at the first read: opening reads
 * nothing, so a file refused after input_open is never read.  0, or -1
 * with *WHY.
 */
static int start(struct input *in, const char **why)
{
	unsigned char magic[4];
	ssize_t n;

	in->started = true;
	n = read_full(in->fd, magic, sizeof(magic));
	if (n < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		in->codec = CODEC_GZIP;
	} else if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 &&
		   magic[2] == 0x2f && magic[3] == 0xfd) {
		in->codec = CODEC_ZSTD;
	} else {
		/* Plain: they are the first decoded bytes. */
		memcpy(in->data + in->end, magic, (size_t)n);
		in->end += (size_t)n;
		return 0;
	}
	/* The magic bytes are the start of the compressed input: no seeking back,
	 * so a pipe works as well as a file. */
	in->zin = xmalloc(CHUNK);
	memcpy(in->zin, magic, (size_t)n);
	if (in->codec == CODEC_GZIP) {
		in->gz.next_in = (unsigned char *)in->zin;
		in->gz.avail_in = (unsigned)n;
		if (inflateInit2(&in->gz, 15 + 16) != Z_OK) {
			*why = strerror(ENOMEM);
			return -1;
		}
		in->gz_ready = true;
	} else {
		in->zstd = ZSTD_createDCtx();
		if (!in->zstd) {
			*why = strerror(ENOMEM);
			return -1;
		}
		in->zbuf.src = in->zin;
		in->zbuf.size = (size_t)n;
		in->zbuf.pos = 0;
	}
	return 0;
}

int input_stat(struct input *in, struct stat *st)
{
	return fstat(in->fd, st);
}

/* Append decoded bytes after in->end; returns bytes added, 0 at EOF, -1. */
static ssize_t fill(struct input *in, const char **why)
{
	/* zlib counts in unsigned ints. */
	size_t room = in->cap - in->end < (1u << 30) ? in->cap - in->end : (1u << 30);
	ssize_t n;

	switch (in->codec) {
	case CODEC_PLAIN:
		do
			n = read(in->fd, in->data + in->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			*why = strerror(errno);
		return n;
	case CODEC_GZIP:
		for (;;) {
			if (in->gz.avail_in == 0 && !in->zeof) {
				do
					n = read(in->fd, in->zin, CHUNK);
				while (n < 0 && errno == EINTR);
				if (n < 0) {
					*why = strerror(errno);
					return -1;
				}
				if (n == 0)
					in->zeof = 1;
				in->gz.next_in = (unsigned char *)in->zin;
				in->gz.avail_in = (unsigned)n;
			}
			if (in->gz_member_done) {
				if (in->gz.avail_in == 0)
					return 0;	/* the last member ended with the file */
				/* Concatenated members, as gzip writes with cat. */
				inflateReset(&in->gz);
				in->gz_member_done = false;
			}
			in->gz.next_out = (unsigned char *)in->data + in->end;
			in->gz.avail_out = (unsigned)room;
			int r = inflate(&in->gz, Z_NO_FLUSH);
			ssize_t made = (ssize_t)(room - in->gz.avail_out);
			if (r == Z_STREAM_END)
				in->gz_member_done = true;
			else if (r == Z_BUF_ERROR && in->zeof && in->gz.avail_in == 0 && !made) {
				*why = "truncated gzip stream";
				return -1;
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				*why = in->gz.msg ? in->gz.msg : "corrupt gzip stream";
				return -1;
			}
			if (made)
				return made;
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
			size_t before = in->zbuf.pos;
			size_t r = ZSTD_decompressStream(in->zstd, &out, &in->zbuf);
			if (ZSTD_isError(r)) {
				*why = ZSTD_getErrorName(r);
				return -1;
			}
			/*
			 * 0 is the end of a frame, all of it flushed; another frame
			 * may follow (cat a.zst b.zst).  Once the input is used up,
			 * a call returns the size of the next frame's header, not 0:
			 * only a frame begun and not ended is a truncated stream.
			 */
			if (r == 0)
				in->zstd_in_frame = false;
			else if (in->zbuf.pos > before)
				in->zstd_in_frame = true;
			if (out.pos)
				return (ssize_t)out.pos;
			if (in->zeof && in->zbuf.pos == in->zbuf.size) {
				if (in->zstd_in_frame) {
					*why = "truncated zstd stream";
					return -1;
				}
				return 0;
			}
		}
	}
	return 0;
}

/* Make room for CHUNK more bytes after in->end, keeping [start, end). */
static void make_room(struct input *in)
{
	if (in->start > 0) {
		memmove(in->data, in->data + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->cap - in->end < CHUNK) {
		in->cap *= 2;
		in->data = xrealloc(in->data, in->cap);
	}
}

/* Read more into the buffer: 1, 0 at EOF, -1 with *WHY. */
static int refill(struct input *in, const char **why)
{
	size_t before;
	ssize_t n;

	make_room(in);
	before = in->end;
	if (!in->started && start(in, why) < 0)
		return -1;
	n = fill(in, why);
	if (n < 0)
		return -1;
	if (n == 0)
		in->eof = 1;
	in->end += (size_t)n;
	return in->end > before;
}

int input_next_line(struct input *in, size_t max, char **line, size_t *len,
		    bool *more, const char **why)
{
	size_t scanned = 0;	/* bytes of this line known to hold no '\n' */

	for (;;) {
		size_t avail = in->end - in->start;
		/* A line of MAX bytes has its '\n' at MAX at the latest. */
		size_t look = avail < max + 1 ? avail : max + 1;
		char *nl = memchr(in->data + in->start + scanned, '\n', look - scanned);
		*line = in->data + in->start;
		if (nl) {
			*len = (size_t)(nl - *line);
			*more = false;
			in->start += *len + 1;
			return 1;
		}
		if (avail > max || (in->eof && avail)) {
			*len = avail > max ? max : avail;
			*more = avail > max;
			in->start += *len;
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = look;
		if (refill(in, why) < 0)
			return -1;
	}
}

int input_read_all(struct input *in, size_t max, char **data, size_t *len,
		   bool *whole, const char **why)
{
	int r;

	while (in->end - in->start <= max && (r = refill(in, why)) != 0)
		if (r < 0)
			return -1;
	*data = in->data + in->start;
	*whole = in->end - in->start <= max;
	*len = *whole ? in->end - in->start : max;
	in->start += *len;
	return 0;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->gz_ready)
		inflateEnd(&in->gz);
	if (in->fd >= 0)
		close(in->fd);
	if (in->zstd)
		ZSTD_freeDCtx(in->zstd);
	free(in->zin);
	free(in->data);
	free(in);
}
