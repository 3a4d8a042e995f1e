/* libcommon/decimal: exact parse, format, rescale, add, compare, divide. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "decimal.h"
#include "value.h"
#include "unit.h"

static struct buf out = BUF_INIT;

/* S parsed and written back; "(refused)" when decimal_parse refuses it. */
static const char *fmt(const char *s)
{
	struct decimal d = DECIMAL_INIT;

	buf_reset(&out);
	if (decimal_parse(&d, s, strlen(s)) < 0)
		buf_adds(&out, "(refused)");
	else
		decimal_format(&d, &out);
	decimal_free(&d);
	return out.data;
}

/* A + B, as written. */
static const char *sum(const char *a, const char *b)
{
	struct decimal x = DECIMAL_INIT, y = DECIMAL_INIT;

	decimal_parse(&x, a, strlen(a));
	decimal_parse(&y, b, strlen(b));
	decimal_add(&x, &y);
	buf_reset(&out);
	decimal_format(&x, &out);
	decimal_free(&x);
	decimal_free(&y);
	return out.data;
}

/* S brought to SCALE, as written, with "!" appended when it was exact. */
static const char *at(const char *s, int scale)
{
	struct decimal d = DECIMAL_INIT;

	decimal_parse(&d, s, strlen(s));
	bool exact = decimal_rescale(&d, scale);
	buf_reset(&out);
	decimal_format(&d, &out);
	if (exact)
		buf_addc(&out, '!');
	decimal_free(&d);
	return out.data;
}

static int cmp(const char *a, const char *b)
{
	struct decimal x = DECIMAL_INIT, y = DECIMAL_INIT;

	decimal_parse(&x, a, strlen(a));
	decimal_parse(&y, b, strlen(b));
	int c = decimal_cmp(&x, &y);
	decimal_free(&x);
	decimal_free(&y);
	return c;
}

static const char *quotient(const char *s, unsigned long long div, int extra)
{
	struct decimal d = DECIMAL_INIT;

	decimal_parse(&d, s, strlen(s));
	buf_reset(&out);
	decimal_format_quotient(&d, div, extra, &out);
	decimal_free(&d);
	return out.data;
}

static size_t digits(const char *s)
{
	struct decimal d = DECIMAL_INIT;

	decimal_parse(&d, s, strlen(s));
	size_t n = decimal_digits(&d);
	decimal_free(&d);
	return n;
}

#define IS(got, want) CHECK(!strcmp((got), (want)), "%s is %s (got %s)", #got, want, out.data)

int main(void)
{
	IS(fmt("19.990"), "19.990");
	IS(fmt("-5"), "-5");
	IS(fmt("+.5"), "0.5");
	IS(fmt("5."), "5");
	IS(fmt("-0.00"), "0.00");
	IS(fmt("1.5e3"), "1500");
	IS(fmt("1.5E-3"), "0.0015");
	IS(fmt("000123.4500"), "123.4500");
	IS(fmt("123456789012345678901234567890.123456789012345678901234567890"),
	   "123456789012345678901234567890.123456789012345678901234567890");
	fmt("1e100000");
	CHECK(out.len == 100001 && out.data[0] == '1' && out.data[100000] == '0',
	      "1e100000 is a 1 and 100000 zeros");
	const char *refused[] = { "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", " 1",
				  "1 ", "1e 5", "0x10", "inf", "nan", "1e100001", "1e-100001",
				  "--1", "1,5" };
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		IS(fmt(refused[i]), "(refused)");

	CHECK(digits("0") == 0 && digits("0.000") == 0, "zero has no digits");
	CHECK(digits("000123") == 3 && digits("1.50") == 3, "digits: no leading zeros, trailing kept");
	CHECK(digits("1000000000") == 10 && digits("999999999") == 9, "digits across a limb");

	IS(sum("0.1", "0.2"), "0.3");
	IS(sum("19.990", "0.010"), "20.000");
	IS(sum("-1.5", "1.5"), "0.0");
	IS(sum("-1.5", "0.25"), "-1.25");
	IS(sum("999999999.999999999", "0.000000001"), "1000000000.000000000");
	IS(sum("1e3", "0.5"), "1000.5");

	IS(at("1.005", 2), "1.01");
	IS(at("-1.005", 2), "-1.01");
	IS(at("1.004", 2), "1.00");
	IS(at("9.995", 2), "10.00");
	IS(at("0.5", 0), "1");
	IS(at("-0.4", 0), "0");
	IS(at("0.05", 0), "0");
	IS(at("1.50", 1), "1.5!");
	IS(at("1.5", 3), "1.500!");
	IS(at("1.5e2", 0), "150!");
	IS(at("1e-500", 2), "0.00");
	IS(at("0e-500", 2), "0.00!");
	IS(at("123456789012345678901.5", 0), "123456789012345678902");
	IS(at("1.0000000000000000001", 0), "1");
	IS(at("1.0000000000000000000", 0), "1!");
	IS(at("0.0000000000000000005", 18), "0.000000000000000001");
	IS(at("0.00000000000000000049999", 18), "0.000000000000000000");

	CHECK(cmp("1.10", "1.1") == 0 && cmp("1e2", "100.0") == 0, "compare by value, any scale");
	CHECK(cmp("-2", "1") < 0 && cmp("-1", "-2") > 0 && cmp("0.001", "0") > 0,
	      "compare with signs");

	IS(quotient("10", 3, 4), "3.3333");
	IS(quotient("2", 3, 0), "1");
	IS(quotient("-1", 2, 0), "-1");
	IS(quotient("19.99", 2, 4), "9.995000");

	/* One pass over the digits: a 1,000,000-digit fraction is quick. */
	size_t n = 1000000;
	char *big = malloc(n + 3);
	memcpy(big, "0.", 2);
	memset(big + 2, '7', n);
	big[n + 2] = '\0';
	clock_t t0 = clock();
	struct decimal d = DECIMAL_INIT;
	int rc = decimal_parse(&d, big, n + 2);
	bool exact = decimal_rescale(&d, 3);
	buf_reset(&out);
	decimal_format(&d, &out);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(rc == 0 && !exact && !strcmp(out.data, "0.778") && secs < 2,
	      "a million-digit fraction rounds in linear time (%.2fs)", secs);
	decimal_free(&d);
	free(big);

	/* cast's DECIMAL(p,s), INT and BIGINT on top of it. */
	struct type dec = { TYPE_DECIMAL, 10, 2 }, bigint = { TYPE_BIGINT, 0, 0 };
	struct buf c = BUF_INIT;
	CHECK(value_cast("1e-5000", 7, dec, NULL, &c, NULL) == 0 && !strcmp(c.data, "0.00"),
	      "a tiny exponent casts to DECIMAL(10,2) as 0.00");
	buf_reset(&c);
	CHECK(value_cast("\"99999999.995\"", 14, dec, NULL, &c, NULL) < 0,
	      "rounding up past the precision fails");
	buf_reset(&c);
	CHECK(value_cast("1.2e1", 5, bigint, NULL, &c, NULL) == 0 && !strcmp(c.data, "12"),
	      "1.2e1 is the BIGINT 12");
	buf_reset(&c);
	CHECK(value_cast("1.25e1", 6, bigint, NULL, &c, NULL) < 0, "1.25e1 is not an integer");
	buf_free(&c);

	buf_free(&out);
	return unit_done();
}
