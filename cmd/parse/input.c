#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <iconv.h>
#include <strings.h>
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
	unsigned char magic[4];	/* plain: the bytes read to tell the codec */
	size_t magic_len;
	char *data;		/* decoded bytes: [start, end) not yet returned */
	size_t start, end, cap;
	int eof;
	bool line_ended;	/* the last line came with its separator */
	/* Lines end at sep; sep_len 0: not decided yet ('\n', or '\r' alone). */
	char sep[INPUT_SEP_MAX];
	size_t sep_len;
	/* Character set: raw holds decompressed bytes not yet converted. */
	const char *charset;	/* NULL: UTF-8 unless a byte order mark says */
	bool charset_checked;	/* the byte order mark was looked for */
	iconv_t cd;		/* (iconv_t)-1: no conversion */
	size_t unit;		/* bytes skipped past an invalid sequence */
	char *raw;
	size_t raw_len;
	bool raw_eof;
};

/* Bytes looked at for a '\n' before a file is taken for CR-only. */
#define SNIFF (1 << 16)

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
	struct input *in = xcalloc(1, sizeof(*in));

	in->fd = -1;
	in->cd = (iconv_t)-1;
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
		memcpy(in->magic, magic, (size_t)n);
		in->magic_len = (size_t)n;
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

/* Decompressed bytes into DST (ROOM bytes at most); bytes added, 0 at EOF, -1. */
static ssize_t fill_decoded(struct input *in, char *dst, size_t room, const char **why)
{
	ssize_t n;

	switch (in->codec) {
	case CODEC_PLAIN:
		if (in->magic_len) {
			n = (ssize_t)(in->magic_len < room ? in->magic_len : room);
			memcpy(dst, in->magic, (size_t)n);
			memmove(in->magic, in->magic + n, in->magic_len - (size_t)n);
			in->magic_len -= (size_t)n;
			return n;
		}
		do
			n = read(in->fd, dst, room);
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
			in->gz.next_out = (unsigned char *)dst;
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
			ZSTD_outBuffer out = { dst, room, 0 };
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

bool input_charset_known(const char *charset)
{
	iconv_t cd = iconv_open("UTF-8", charset);

	if (cd == (iconv_t)-1)
		return false;
	iconv_close(cd);
	return true;
}

void input_set_encoding(struct input *in, const char *charset)
{
	in->charset = charset;
}

void input_set_line_sep(struct input *in, const char *sep, size_t len)
{
	memcpy(in->sep, sep, len);
	in->sep_len = len;
}

static void raw_consume(struct input *in, size_t n)
{
	memmove(in->raw, in->raw + n, in->raw_len - n);
	in->raw_len -= n;
}

/* Read decompressed bytes into in->raw until it holds N or the input ends. */
static int raw_fill(struct input *in, size_t n, const char **why)
{
	while (in->raw_len < n && !in->raw_eof) {
		ssize_t r = fill_decoded(in, in->raw + in->raw_len, CHUNK - in->raw_len, why);
		if (r < 0)
			return -1;
		if (r == 0)
			in->raw_eof = true;
		in->raw_len += (size_t)r;
	}
	return 0;
}

/*
 * Choose the conversion, at the first read: --encoding's, or the one a
 * UTF-32 or UTF-16 byte order mark at the start says (as Spark detects
 * them in JSON), or none.  0, or -1 with *WHY.
 */
static int start_charset(struct input *in, const char **why)
{
	const unsigned char *b;
	const char *from = in->charset;

	in->charset_checked = true;
	in->raw = xmalloc(CHUNK);
	if (raw_fill(in, 4, why) < 0)
		return -1;
	b = (const unsigned char *)in->raw;
	if (!from && in->raw_len >= 4 && ((b[0] == 0xff && b[1] == 0xfe && !b[2] && !b[3]) ||
					  (!b[0] && !b[1] && b[2] == 0xfe && b[3] == 0xff)))
		from = "UTF-32";	/* glibc reads the mark and drops it */
	else if (!from && in->raw_len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) ||
					       (b[0] == 0xfe && b[1] == 0xff)))
		from = "UTF-16";
	if (!from)
		return 0;	/* UTF-8: in->raw is handed over as it is */
	in->cd = iconv_open("UTF-8", from);
	if (in->cd == (iconv_t)-1) {
		*why = strerror(errno);
		return -1;
	}
	/* Past an invalid sequence, go on at the next code unit. */
	in->unit = strstr(from, "32") || !strncasecmp(from, "UCS-4", 5) ? 4 :
		   strstr(from, "16") || !strncasecmp(from, "UCS-2", 5) ? 2 : 1;
	return 0;
}

/*
 * Convert in->raw into DST (ROOM bytes, room for a few characters at
 * least).  A sequence invalid in the charset becomes the byte 0xff, never
 * in UTF-8: the record that holds it is malformed where it is checked.
 */
static ssize_t fill_converted(struct input *in, char *dst, size_t room, const char **why)
{
	size_t made = 0, need = 1;	/* read no more than needed: a pipe may be slow */

	for (;;) {
		if (raw_fill(in, need, why) < 0)
			return -1;
		char *ip = in->raw, *op = dst + made;
		size_t il = in->raw_len, ol = room - made;
		size_t r = iconv(in->cd, &ip, &il, &op, &ol);
		int e = errno;

		made = room - ol;
		raw_consume(in, in->raw_len - il);
		if (r == (size_t)-1 && (e == EILSEQ || (e == EINVAL && in->raw_eof))) {
			if (!ol)
				return (ssize_t)made;
			dst[made++] = (char)0xff;
			raw_consume(in, in->raw_len < in->unit ? in->raw_len : in->unit);
			continue;
		}
		if (made)
			return (ssize_t)made;
		need = in->raw_len + 1;	/* a sequence cut by the end of what was read */
		if (in->raw_eof && !in->raw_len) {
			op = dst;
			ol = room;
			iconv(in->cd, NULL, NULL, &op, &ol);
			return (ssize_t)(room - ol);
		}
	}
}

/* Append UTF-8 bytes after in->end; returns bytes added, 0 at EOF, -1. */
static ssize_t fill(struct input *in, const char **why)
{
	/* zlib counts in unsigned ints. */
	size_t room = in->cap - in->end < (1u << 30) ? in->cap - in->end : (1u << 30);
	char *dst = in->data + in->end;

	if (!in->charset_checked && start_charset(in, why) < 0)
		return -1;
	if (in->cd != (iconv_t)-1)
		return fill_converted(in, dst, room, why);
	if (in->raw_len) {
		/* What start_charset read to look for a byte order mark. */
		size_t n = in->raw_len;
		memcpy(dst, in->raw, n);
		in->raw_len = 0;
		return (ssize_t)n;
	}
	if (in->raw_eof)
		return 0;
	return fill_decoded(in, dst, room, why);
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

/*
 * Without --line-sep, a line ends at '\n' (a CRLF's '\r' is the caller's),
 * unless the file's first SNIFF bytes hold a '\r' and no '\n': old Mac and
 * Excel exports end lines with '\r' alone, and Spark reads them so.
 */
static int choose_line_end(struct input *in, const char **why)
{
	size_t n;

	while (!in->eof && (n = in->end - in->start) < SNIFF &&
	       !memchr(in->data + in->start, '\n', n))
		if (refill(in, why) < 0)
			return -1;
	n = in->end - in->start;
	in->sep[0] = !memchr(in->data + in->start, '\n', n) &&
		     memchr(in->data + in->start, '\r', n) ? '\r' : '\n';
	in->sep_len = 1;
	return 0;
}

static char *find_sep(const struct input *in, char *p, size_t n)
{
	if (in->sep_len == 1)
		return memchr(p, in->sep[0], n);
	return memmem(p, n, in->sep, in->sep_len);
}

int input_next_line(struct input *in, size_t max, char **line, size_t *len,
		    bool *more, const char **why)
{
	size_t scanned = 0;	/* bytes of this line known to hold no separator */

	if (!in->sep_len && choose_line_end(in, why) < 0)
		return -1;
	for (;;) {
		size_t avail = in->end - in->start;
		/* A line of MAX bytes has its separator at MAX at the latest. */
		size_t look = avail < max + in->sep_len ? avail : max + in->sep_len;
		char *nl = find_sep(in, in->data + in->start + scanned, look - scanned);
		*line = in->data + in->start;
		if (nl) {
			*len = (size_t)(nl - *line);
			*more = false;
			in->start += *len + in->sep_len;
			in->line_ended = true;
			return 1;
		}
		if (avail >= max + in->sep_len || (in->eof && avail)) {
			*len = avail > max ? max : avail;
			*more = avail > max;
			in->start += *len;
			in->line_ended = false;
			return 1;
		}
		if (in->eof)
			return 0;
		/* A separator may start in the last sep_len - 1 bytes looked at. */
		scanned = look >= in->sep_len ? look - (in->sep_len - 1) : 0;
		if (refill(in, why) < 0)
			return -1;
	}
}

bool input_line_ended(const struct input *in)
{
	return in->line_ended;
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
	if (in->cd != (iconv_t)-1)
		iconv_close(in->cd);
	free(in->raw);
	if (in->fd >= 0)
		close(in->fd);
	if (in->zstd)
		ZSTD_freeDCtx(in->zstd);
	free(in->zin);
	free(in->data);
	free(in);
}
