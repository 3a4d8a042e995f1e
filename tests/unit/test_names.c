/*
 * libcommon/schema.h's names_equal, the word-at-a-time compare of names:
 * against memcmp at every length to 40, one byte changed at each place,
 * the bytes on either side of the N compared never read as part of them.
 */
#include <string.h>

#include "schema.h"
#include "unit.h"

int main(void)
{
	/* Unaligned starts, and bytes past N that differ: they must not count. */
	char a[64], b[64];
	int wrong_equal = 0, wrong_differ = 0, read_past = 0;

	for (size_t n = 0; n <= 40; n++) {
		for (size_t k = 0; k < sizeof(a); k++)
			a[k] = b[k] = (char)('a' + k % 26);
		char *x = a + 1, *y = b + 3;
		memmove(y, x, n);
		/* Past the end and before the start, unlike. */
		x[n] = 'X', y[n] = 'Y';
		x[-1] = '<', y[-1] = '>';
		if (!names_equal(x, y, n))
			read_past++;
		for (size_t i = 0; i < n; i++) {
			char keep = y[i];
			/* A change in the high bit and one in the low bit. */
			y[i] = (char)(keep ^ 0x80);
			if (names_equal(x, y, n))
				wrong_equal++;
			y[i] = (char)(keep ^ 0x01);
			if (names_equal(x, y, n))
				wrong_equal++;
			y[i] = keep;
			if (!names_equal(x, y, n))
				wrong_differ++;
		}
	}
	CHECK(!read_past, "equal names of 0 to 40 bytes are equal whatever lies around them");
	CHECK(!wrong_equal, "a name with any one byte changed is not equal");
	CHECK(!wrong_differ, "changing a byte back makes the name equal again");

	/* NUL is a byte like any other (a decoded name may hold one). */
	CHECK(names_equal("a\0b", "a\0b", 3), "names holding NUL compare whole");
	CHECK(!names_equal("a\0b", "a\0c", 3), "bytes after a NUL count");
	CHECK(!names_equal("order_id", "Order_id", 8), "case counts");
	CHECK(names_equal("customer_id", "customer_id", 11), "an 11-byte name");
	CHECK(!names_equal("payment_method", "payment_methoD", 14), "the last byte of 14");
	return unit_done();
}
