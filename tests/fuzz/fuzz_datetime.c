/*
 * The date/timestamp parser (libcommon/value.h datetime_parse).  Input:
 * "PATTERN\nTEXT" (a Spark pattern, as --timestamp-format and
 * --column-format give it), or TEXT alone for ISO 8601.  Invariant: a
 * parsed instant within years 1..9999 formats as ISO 8601 text that
 * parses back to the same instant.
 */
#include "buf.h"
#include "value.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strndup(data, size);
	char *nl = memchr(in, '\n', size);
	const char *pattern = NULL, *text = in;
	size_t n = size;
	long long us, back;

	if (nl) {
		*nl = '\0';
		pattern = in;
		text = nl + 1;
		n = size - (size_t)(text - in);
		/* The text is its own allocation, so reads past it are caught. */
	}
	char *t = fuzz_strndup((const uint8_t *)text, n);
	if (datetime_parse(t, n, pattern, &us) == 0) {
		/* -62135596800 s: 0001-01-01; 253402300799 s: 9999-12-31T23:59:59 */
		if (us >= -62135596800000000LL && us <= 253402300799999999LL) {
			struct buf iso = BUF_INIT;
			timestamp_format(us, &iso);
			FUZZ_ASSERT(datetime_parse(iso.data, iso.len, NULL, &back) == 0 &&
				    back == us, "'%s' parses back to %lld", iso.data, us);
			buf_free(&iso);
		}
	}
	free(t);
	free(in);
	return 0;
}
