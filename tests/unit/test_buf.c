/* libcommon/buf: growth, formatting, reset and free, bytes of any value. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unit.h"

/* Byte I of the pattern the growth checks write: every value, NUL included. */
static char pattern(size_t i)
{
	return (char)(i * 7 + i / 251);
}

/* Is B exactly the first N bytes of the pattern, NUL-terminated? */
static int holds_pattern(const struct buf *b, size_t n)
{
	if (b->len != n || b->cap < n + 1 || b->data[n] != '\0')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b->data[i] != pattern(i))
			return 0;
	return 1;
}

static void growth(void)
{
	/* Sizes around every power of two up to 1 MiB, and some odd ones. */
	size_t sizes[64], nsizes = 0;
	for (size_t p = 1; p <= (1u << 20); p <<= 2) {
		sizes[nsizes++] = p - 1;
		sizes[nsizes++] = p;
		sizes[nsizes++] = p + 1;
	}
	sizes[nsizes++] = 0;
	sizes[nsizes++] = 4097;
	sizes[nsizes++] = 3000001;

	int byte_ok = 1, chunk_ok = 1;
	for (size_t k = 0; k < nsizes; k++) {
		size_t n = sizes[k];
		struct buf a = BUF_INIT, c = BUF_INIT;
		for (size_t i = 0; i < n; i++)
			buf_addc(&a, pattern(i));
		/* The same bytes in uneven pieces, some empty. */
		char piece[97];
		for (size_t i = 0, step = 0; i < n; step = (step + 13) % 97) {
			size_t m = step < n - i ? step : n - i;
			for (size_t j = 0; j < m; j++)
				piece[j] = pattern(i + j);
			buf_add(&c, piece, m);
			i += m;
		}
		if (n == 0) {
			/* Nothing added: the data may stay unallocated. */
			byte_ok &= a.len == 0;
			chunk_ok &= c.len == 0;
		} else {
			byte_ok &= holds_pattern(&a, n);
			chunk_ok &= holds_pattern(&c, n);
		}
		buf_free(&a);
		buf_free(&c);
	}
	CHECK(byte_ok, "buf_addc keeps every byte through growth (%zu sizes up to 3 MB)", nsizes);
	CHECK(chunk_ok, "buf_add in uneven pieces keeps every byte through growth");

	struct buf b = BUF_INIT;
	buf_add(&b, "", 0);
	CHECK(b.len == 0 && b.data && b.data[0] == '\0',
	      "adding nothing to an empty buffer leaves a valid empty string");
	buf_reserve(&b, 10000);
	CHECK(b.cap >= 10000 && b.len == 0 && b.data[0] == '\0',
	      "buf_reserve gives capacity without changing the content");
	char *before = b.data;
	for (int i = 0; i < 9000; i++)
		buf_addc(&b, 'x');
	CHECK(b.data == before && b.len == 9000, "appends within the reserved capacity do not move the data");
	size_t cap = b.cap;
	buf_reserve(&b, 5);
	CHECK(b.cap == cap && b.len == 9000, "buf_reserve never shrinks");
	buf_free(&b);
}

static void printing(void)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%d-%s", 42, "x");
	CHECK(!strcmp(b.data, "42-x") && b.len == 4, "buf_printf formats");
	buf_printf(&b, "%s", "");
	CHECK(b.len == 4 && !strcmp(b.data, "42-x"), "an empty format appends nothing");
	buf_printf(&b, "|%05.1f|%lld|%c", 3.14159, -9000000000LL, 'z');
	CHECK(!strcmp(b.data, "42-x|003.1|-9000000000|z"), "buf_printf appends after what is there");

	/* Output far longer than any first guess, in one call. */
	size_t n = 1000000;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	buf_reset(&b);
	buf_adds(&b, "<");
	buf_printf(&b, "%s>%s", big, big + n - 3);
	CHECK(b.len == n + 5 && b.data[0] == '<' && !memcmp(b.data + 1, big, n) &&
	      b.data[n + 1] == '>' && !strcmp(b.data + n + 2, big + n - 3),
	      "buf_printf with a megabyte of output");
	buf_reset(&b);
	buf_printf(&b, "%*s", 70000, "r");
	CHECK(b.len == 70000 && b.data[69999] == 'r' && b.data[0] == ' ', "buf_printf with a wide field");
	free(big);

	/* Many small formatted appends: each lands after the previous one. */
	buf_reset(&b);
	int ok = 1;
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "%d,", i);
	const char *p = b.data;
	for (int i = 0; i < 20000 && ok; i++) {
		char *end;
		ok = strtol(p, &end, 10) == i && *end == ',';
		p = end + 1;
	}
	CHECK(ok && *p == '\0' && (size_t)(p - b.data) == b.len, "20000 buf_printf appends in order");
	buf_free(&b);
}

static void reset_and_free(void)
{
	struct buf b = BUF_INIT;

	buf_reset(&b);
	CHECK(b.len == 0 && b.data == NULL, "resetting a new buffer is harmless");
	buf_adds(&b, "some text that is long enough to need memory");
	size_t cap = b.cap;
	char *data = b.data;
	buf_reset(&b);
	CHECK(b.len == 0 && b.data[0] == '\0', "reset empties the buffer");
	CHECK(b.cap == cap && b.data == data, "reset keeps the memory for reuse");
	buf_adds(&b, "again");
	CHECK(!strcmp(b.data, "again") && b.len == 5, "a reset buffer takes new content from the start");

	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0, "free leaves an empty buffer");
	buf_adds(&b, "reused");
	CHECK(!strcmp(b.data, "reused") && b.len == 6, "a freed buffer is reusable");
	buf_free(&b);
	buf_free(&b);
	CHECK(b.data == NULL, "freeing twice is harmless");
}

static void embedded_nuls(void)
{
	struct buf b = BUF_INIT;
	static const char bytes[] = { 'a', '\0', 'b', '\0', '\0', (char)0xff, 'c' };

	buf_add(&b, bytes, sizeof(bytes));
	CHECK(b.len == sizeof(bytes) && !memcmp(b.data, bytes, sizeof(bytes)) &&
	      b.data[b.len] == '\0', "buf_add keeps embedded NULs and counts them");
	buf_addc(&b, '\0');
	buf_adds(&b, "tail");
	CHECK(b.len == sizeof(bytes) + 5 && b.data[sizeof(bytes)] == '\0' &&
	      !strcmp(b.data + sizeof(bytes) + 1, "tail"), "buf_addc of a NUL is a byte like any other");
	buf_printf(&b, "%c%s", '\0', "z");
	CHECK(b.len == sizeof(bytes) + 7 && b.data[b.len - 2] == '\0' && b.data[b.len - 1] == 'z',
	      "buf_printf counts a NUL it writes with %%c");
	buf_adds(&b, "");
	CHECK(b.len == sizeof(bytes) + 7, "buf_adds stops at the string's end");
	buf_free(&b);
}

int main(void)
{
	growth();
	printing();
	reset_and_free();
	embedded_nuls();
	return unit_done();
}
