/*
 * Field text to JSON strings.  CSV fields are any bytes; checking UTF-8
 * and escaping in the same pass touches each byte once.
 */
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "parse.h"

/* 0: copied as is; 1: escaped; 2: starts a multi-byte sequence. */
static const unsigned char byte_class[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 2,
};

bool encode_utf8(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t start = out->len;
	char *o;

	/* Room for the quotes and every byte as it is; escapes make more. */
	buf_grow(out, n + 2);
	o = out->data + out->len;
	*o++ = '"';
	while (p < end) {
		const unsigned char *run = p;
		for (;;) {
			for (uint64_t w; end - p >= 8; p += 8) {
				memcpy(&w, p, 8);
				if (word_special(w))
					break;
			}
			while (p < end && !byte_class[*p])
				p++;
			if (p == end || byte_class[*p] == 1)
				break;
			size_t k = utf8_seq_len(p, end);
			if (!k) {
				out->len = start;
				out->data[start] = '\0';
				return false;
			}
			p += k;
		}
		memcpy(o, run, (size_t)(p - run));
		o += p - run;
		if (p == end)
			break;
		size_t at = (size_t)(o - out->data);
		out->len = at;
		buf_grow(out, (size_t)(end - p) + 6);
		o = out->data + at;
		unsigned char c = *p++;
		*o++ = '\\';
		switch (c) {
		case '"': case '\\': *o++ = (char)c; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	*o = '\0';
	out->len = (size_t)(o - out->data);
	return true;
}

void encode_lossy(struct buf *out, const char *s, size_t n)
{
	if (encode_utf8(out, s, n))
		return;
	struct buf clean = BUF_INIT;
	utf8_repair(&clean, s, n);
	encode_utf8(out, clean.data, clean.len);
	buf_free(&clean);
}
