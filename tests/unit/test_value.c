/* libcommon/value and schema: casts on text, dates, DDL. */
#include <string.h>

#include "buf.h"
#include "schema.h"
#include "value.h"
#include "unit.h"

static struct type T(enum type_kind k, int p, int s)
{
	struct type t = { k, p, s };
	return t;
}

/* Does V cast to T (with PATTERN) giving exactly WANT (NULL: must fail)? */
static int cast_is(const char *v, struct type t, const char *pattern, const char *want)
{
	struct buf out = BUF_INIT;
	int rc = value_cast(v, strlen(v), t, pattern, &out, NULL);
	int ok = want ? rc == 0 && out.data && !strcmp(out.data, want) : rc < 0;
	if (!ok)
		printf("# cast %s -> %s\n", v, rc == 0 ? out.data : "(failed)");
	buf_free(&out);
	return ok;
}

/* Do A and B cast to T giving the same result, or both fail? */
static int same_cast(const char *a, const char *b, struct type t)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	int ra = value_cast(a, strlen(a), t, NULL, &x, NULL);
	int rb = value_cast(b, strlen(b), t, NULL, &y, NULL);
	int ok = ra == rb && (ra < 0 || !strcmp(x.data, y.data));
	if (!ok)
		printf("# %s -> %s but %s -> %s\n", a, ra ? "(failed)" : x.data, b,
		       rb ? "(failed)" : y.data);
	buf_free(&x);
	buf_free(&y);
	return ok;
}

/*
 * Values already canonical are copied without arithmetic: the copy must
 * agree with the full cast of the same value written another way (an
 * exponent, an offset), which takes the long road.
 */
static int fast_paths_agree(void)
{
	static const char *ints[] = { "0", "7", "-7", "10", "00", "-0", "2147483647",
		"2147483648", "-2147483648", "999999999999999999", "1000000000000000000" };
	static const char *decs[] = { "0.00", "-0.00", "0.94", "-0.05", "602.94", "00.94",
		"99999999.99", "100000000.00", "-99999999.99", "1.5", "1.500", "7", "0.1" };
	char a[64], b[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
		snprintf(a, sizeof(a), "\"%s\"", ints[i]);
		snprintf(b, sizeof(b), "\"%s.0\"", ints[i]);
		bad += !same_cast(a, b, T(TYPE_INT, 0, 0));
		bad += !same_cast(a, b, T(TYPE_BIGINT, 0, 0));
	}
	for (size_t i = 0; i < sizeof(decs) / sizeof(*decs); i++) {
		snprintf(b, sizeof(b), "%se0", decs[i]);
		bad += !same_cast(decs[i], b, T(TYPE_DECIMAL, 10, 2));
		bad += !same_cast(decs[i], b, T(TYPE_DECIMAL, 3, 2));
		bad += !same_cast(decs[i], b, T(TYPE_DECIMAL, 5, 0));
		snprintf(a, sizeof(a), "\"%s\"", decs[i]);
		bad += !same_cast(a, b, T(TYPE_DECIMAL, 10, 2));
	}
	/* Every day of some years, and hours, minutes, seconds out of range. */
	for (int y = 1999; y <= 2001; y++)
		for (int m = 0; m <= 13; m++)
			for (int d = 0; d <= 32; d++) {
				snprintf(a, sizeof(a), "\"%04d-%02d-%02dT23:59:59Z\"", y, m, d);
				snprintf(b, sizeof(b), "\"%04d-%02d-%02dT23:59:59+00:00\"", y, m, d);
				bad += !same_cast(a, b, T(TYPE_TIMESTAMP, 0, 0));
			}
	static const char *times[] = { "24:00:00", "23:60:00", "23:59:60", "00:00:00", "1a:00:00" };
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++) {
		snprintf(a, sizeof(a), "\"2024-02-29T%sZ\"", times[i]);
		snprintf(b, sizeof(b), "\"2024-02-29T%s+00:00\"", times[i]);
		bad += !same_cast(a, b, T(TYPE_TIMESTAMP, 0, 0));
	}
	return bad == 0;
}

/*
 * value_timestamp_us reads back what timestamp_format writes (the form
 * inlet-cast writes and inlet-commit sends PostgreSQL in binary), and
 * nothing else.
 */
static int timestamp_us_round_trip(void)
{
	static const long long at[] = {
		0, 1, 500000, 123456, 999999, 86399999999LL, 951782400000000LL /* 2000-02-29 */,
		1709164800123400LL, -62135596800000000LL /* 0001-01-01 */,
		253402300799999999LL /* 9999-12-31T23:59:59.999999 */, -1, -86400000001LL,
	};
	static const char *const not[] = {
		"\"2024-03-01T00:00:00.500Z\"",	/* a trailing zero: not inlet's form */
		"\"2024-03-01T00:00:00.Z\"", "\"2024-03-01T00:00:00.1234567Z\"",
		"\"2024-03-01T00:00:00\"", "\"2024-03-01 00:00:00Z\"", "\"2024-02-30T00:00:00Z\"",
		"\"2024-13-01T00:00:00Z\"", "\"2024-03-01T24:00:00Z\"", "\"2024-03-01T23:60:00Z\"",
		"\"2024-03-01T23:59:60Z\"", "\"0000-03-01T00:00:00Z\"", "\"2024-0a-01T00:00:00Z\"",
		"\"2024-03-01T00:00:00+00:00\"", "2024-03-01T00:00:00Z", "\"2024-03-01T00:00:00.5\"Z",
	};
	struct buf b = BUF_INIT;
	int bad = 0;
	long long us;

	for (size_t i = 0; i < sizeof(at) / sizeof(*at); i++) {
		buf_reset(&b);
		buf_addc(&b, '"');
		timestamp_format(at[i], &b);
		buf_addc(&b, '"');
		if (!value_timestamp_us(b.data, b.len, &us) || us != at[i]) {
			printf("# %s read back as %lld, not %lld\n", b.data, us, at[i]);
			bad++;
		}
	}
	for (size_t i = 0; i < sizeof(not) / sizeof(*not); i++) {
		if (value_timestamp_us(not[i], strlen(not[i]), &us)) {
			printf("# %s taken as %lld\n", not[i], us);
			bad++;
		}
	}
	buf_free(&b);
	return bad == 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct type bigint = T(TYPE_BIGINT, 0, 0), int32 = T(TYPE_INT, 0, 0);
	struct type dec = T(TYPE_DECIMAL, 10, 2), dbl = T(TYPE_DOUBLE, 0, 0);
	struct type date = T(TYPE_DATE, 0, 0), ts = T(TYPE_TIMESTAMP, 0, 0);
	struct type str = T(TYPE_STRING, 0, 0), boolean = T(TYPE_BOOLEAN, 0, 0);

	CHECK(cast_is("9007199254740993", bigint, NULL, "9007199254740993"), "BIGINT keeps 2^53+1");
	CHECK(cast_is("\"9223372036854775807\"", bigint, NULL, "9223372036854775807"), "BIGINT max from a string");
	CHECK(cast_is("9223372036854775808", bigint, NULL, NULL), "BIGINT overflow is a mismatch");
	CHECK(cast_is("-9223372036854775808", bigint, NULL, "-9223372036854775808"), "BIGINT min");
	CHECK(cast_is("2147483648", int32, NULL, NULL), "INT overflow");
	CHECK(cast_is("\" +042 \"", int32, NULL, "42"), "INT from a padded string");
	CHECK(cast_is("12.0", int32, NULL, "12"), "an integral fraction is an integer");
	CHECK(cast_is("12.5", int32, NULL, NULL), "a fraction is not an integer");
	CHECK(cast_is("1e3", bigint, NULL, "1000"), "exponent form");
	CHECK(cast_is("\"abc\"", bigint, NULL, NULL), "text is not an integer");
	CHECK(cast_is("null", bigint, NULL, "null"), "null stays null");

	CHECK(cast_is("19.990", dec, NULL, "19.99"), "DECIMAL(10,2) of 19.990");
	CHECK(cast_is("\"19.995\"", dec, NULL, "20.00"), "half-up rounding");
	CHECK(cast_is("-0.005", dec, NULL, "-0.01"), "half-up away from zero");
	CHECK(cast_is("-0.004", dec, NULL, "0.00"), "negative zero is zero");
	CHECK(cast_is("99999999.994", dec, NULL, "99999999.99"), "fits the precision");
	CHECK(cast_is("99999999.995", dec, NULL, NULL), "rounding past the precision is a mismatch");
	CHECK(cast_is("7", dec, NULL, "7.00"), "an integer gets its scale");
	CHECK(cast_is("1.5e1", dec, NULL, "15.00"), "exponent in a decimal");

	CHECK(cast_is("19.990", dbl, NULL, "19.990"), "a double token passes byte for byte");
	CHECK(cast_is("\"0.1\"", dbl, NULL, "0.1"), "shortest round-trip text");
	CHECK(cast_is("\"INVALID_NUMBER\"", dbl, NULL, NULL), "text is not a double");
	CHECK(cast_is("1e400", dbl, NULL, NULL), "beyond double is a mismatch");
	CHECK(cast_is("\"nan\"", dbl, NULL, NULL), "nan is not a JSON number");

	CHECK(cast_is("99999", str, NULL, "\"99999\""), "a number as STRING keeps its text");
	CHECK(cast_is("{\"a\":1}", str, NULL, "\"{\\\"a\\\":1}\""), "an object as STRING is its JSON text");
	CHECK(cast_is("\"Yes\"", boolean, NULL, "true"), "yes is true");
	CHECK(cast_is("\"maybe\"", boolean, NULL, NULL), "maybe is not a boolean");

	CHECK(cast_is("\"2023-01-03\"", date, NULL, "\"2023-01-03\""), "ISO date");
	CHECK(cast_is("\"2023-02-30\"", date, NULL, NULL), "no February 30th");
	CHECK(cast_is("\"2024-02-29\"", date, NULL, "\"2024-02-29\""), "leap day");
	CHECK(cast_is("\"NOT_A_DATE\"", date, NULL, NULL), "NOT_A_DATE is not a date");
	CHECK(cast_is("\"03/01/2023\"", date, "dd/MM/yyyy", "\"2023-01-03\""), "Spark pattern dd/MM/yyyy");
	CHECK(cast_is("\"2023-01-03T23:30:00-02:00\"", date, NULL, "\"2023-01-04\""), "a date from a timestamp, in UTC");
	CHECK(cast_is("\"2024-03-01 12:00:05\"", ts, NULL, "\"2024-03-01T12:00:05Z\""), "space-separated timestamp");
	CHECK(cast_is("\"2024-03-01T12:00:05.250+01:00\"", ts, NULL, "\"2024-03-01T11:00:05.25Z\""), "offset to UTC, fraction kept");
	CHECK(cast_is("\"01 Mar 2024 01:02:03 PM\"", ts, "dd MMM yyyy hh:mm:ss a", "\"2024-03-01T13:02:03Z\""), "month names and AM/PM");
	CHECK(cast_is("\"2024-03-01'T'x\"", ts, "yyyy-MM-dd'T'HH", NULL), "pattern mismatch");
	CHECK(cast_is("1700000000", ts, NULL, "\"2023-11-14T22:13:20Z\""), "epoch seconds");
	CHECK(cast_is("\"1969-12-31T23:59:59.5Z\"", ts, NULL, "\"1969-12-31T23:59:59.5Z\""), "before the epoch");

	CHECK(fast_paths_agree(), "canonical values copied as they are agree with the full cast");
	CHECK(cast_is("\"602.94\"", dec, NULL, "602.94"), "a canonical decimal in a string");
	CHECK(cast_is("-0.00", dec, NULL, "0.00"), "-0.00 is written 0.00");
	CHECK(cast_is("123456789.00", dec, NULL, NULL), "eleven digits overflow DECIMAL(10,2)");

	struct schema s = SCHEMA_INIT;
	struct buf err = BUF_INIT, out = BUF_INIT;
	CHECK(schema_parse_ddl(&s, "customer_id STRING, total_amount DOUBLE, registration_date DATE NOT NULL, "
			       "price DECIMAL(10, 2) COMMENT 'x, y', `odd name` BIGINT, tags ARRAY<STRING>", &err) == 0,
	      "DDL parses (%s)", err.data ? err.data : "");
	CHECK(s.n == 6 && !strcmp(s.cols[4].name, "odd name") && s.cols[5].type.kind == TYPE_JSON,
	      "six columns, backquoted name, ARRAY as JSON");
	s.version = 3;
	schema_to_record(&s, &out);
	CHECK(!strcmp(out.data, "{\"_inlet\":\"schema\",\"version\":3,\"fields\":[{\"name\":\"customer_id\",\"type\":\"STRING\"},"
		      "{\"name\":\"total_amount\",\"type\":\"DOUBLE\"},{\"name\":\"registration_date\",\"type\":\"DATE\"},"
		      "{\"name\":\"price\",\"type\":\"DECIMAL(10,2)\"},{\"name\":\"odd name\",\"type\":\"BIGINT\"},"
		      "{\"name\":\"tags\",\"type\":\"JSON\"}]}"), "schema record text");
	struct schema back = SCHEMA_INIT;
	CHECK(schema_from_record(&back, out.data, out.len, &err) == 0 && back.n == 6 &&
	      back.version == 3 && back.cols[3].type.precision == 10, "record parses back");
	buf_reset(&err);
	struct schema bad = SCHEMA_INIT;
	CHECK(schema_parse_ddl(&bad, "a STRNG", &err) < 0 && strstr(err.data, "'a'"), "unknown type named");
	CHECK(type_widen(T(TYPE_INT, 0, 0), T(TYPE_DOUBLE, 0, 0)).kind == TYPE_DOUBLE, "INT widens to DOUBLE");
	CHECK(type_widen(T(TYPE_DATE, 0, 0), T(TYPE_TIMESTAMP, 0, 0)).kind == TYPE_STRING, "DATE and TIMESTAMP meet at STRING");
	CHECK(type_widen(T(TYPE_BIGINT, 0, 0), T(TYPE_DECIMAL, 20, 0)).precision == 20,
	      "BIGINT and DECIMAL(20,0) meet at DECIMAL(20,0)");
	CHECK(type_widen(T(TYPE_DECIMAL, 5, 2), T(TYPE_BIGINT, 0, 0)).precision == 22 &&
	      type_widen(T(TYPE_DECIMAL, 5, 2), T(TYPE_BIGINT, 0, 0)).scale == 2,
	      "DECIMAL(5,2) and BIGINT meet at DECIMAL(22,2), as Spark's compatibleType");
	CHECK(type_widen(T(TYPE_DECIMAL, 4, 2), T(TYPE_DECIMAL, 6, 3)).precision == 6 &&
	      type_widen(T(TYPE_DECIMAL, 4, 2), T(TYPE_DECIMAL, 6, 3)).scale == 3,
	      "DECIMAL(4,2) and DECIMAL(6,3) meet at DECIMAL(6,3)");
	CHECK(type_widen(T(TYPE_DECIMAL, 38, 0), T(TYPE_DECIMAL, 3, 2)).kind == TYPE_DOUBLE,
	      "DECIMALs beyond 38 digits meet at DOUBLE");
	CHECK(type_widen(T(TYPE_DECIMAL, 4, 2), T(TYPE_DOUBLE, 0, 0)).kind == TYPE_DOUBLE,
	      "DECIMAL and DOUBLE meet at DOUBLE");
	CHECK(type_widen(T(TYPE_DECIMAL, 4, 2), T(TYPE_BOOLEAN, 0, 0)).kind == TYPE_STRING,
	      "DECIMAL and BOOLEAN meet at STRING");
	bool is_null;
	const struct infer_rules json = { 0 }, csv = { .text = true, .examine_text = true },
		csv_plain = { .text = true }, prim = { .primitives_as_string = true },
		prefer_dec = { .prefers_decimal = true },
		csv_ts = { .text = true, .examine_text = true, .timestamp_format = "MM/dd/yyyy HH:mm" };
	struct type t;
	CHECK(value_infer("\"2021-01-01\"", 12, &csv, &is_null).kind == TYPE_DATE, "infer DATE from CSV text");
	CHECK(value_infer("\"2021-01-01\"", 12, &csv_plain, &is_null).kind == TYPE_STRING,
	      "CSV text stays STRING unless examined");
	CHECK(value_infer("\"02134\"", 7, &json, &is_null).kind == TYPE_STRING, "a JSON string stays STRING");
	CHECK(value_infer("\"true\"", 6, &json, &is_null).kind == TYPE_STRING, "\"true\" in JSON stays STRING");
	CHECK(value_infer("\"02134\"", 7, &prefer_dec, &is_null).kind == TYPE_STRING,
	      "a JSON string stays STRING with prefers_decimal");
	CHECK(value_infer("\"02134\"", 7, &csv, &is_null).kind == TYPE_INT, "CSV digits are INT");
	CHECK(value_infer("7", 1, &json, &is_null).kind == TYPE_BIGINT, "a JSON integer is BIGINT");
	CHECK(value_infer("9223372036854775808", 19, &json, &is_null).kind == TYPE_DECIMAL,
	      "2^63 is beyond BIGINT");
	t = value_infer("12345678901234567890", 20, &json, &is_null);
	CHECK(t.kind == TYPE_DECIMAL && t.precision == 20 && t.scale == 0,
	      "20 digits infer DECIMAL(20,0), as Spark's JsonInferSchema");
	CHECK(value_infer("-123456789012345678901234567890123456789", 40, &json, &is_null).kind == TYPE_DOUBLE,
	      "39 digits infer DOUBLE");
	CHECK(value_infer("1.5", 3, &json, &is_null).kind == TYPE_DOUBLE, "a fraction is DOUBLE");
	CHECK(value_infer("1e3", 3, &json, &is_null).kind == TYPE_DOUBLE, "an exponent is DOUBLE");
	t = value_infer("19.990", 6, &prefer_dec, &is_null);
	CHECK(t.kind == TYPE_DECIMAL && t.precision == 5 && t.scale == 3, "prefers_decimal: 19.990 is DECIMAL(5,3)");
	t = value_infer("0.05", 4, &prefer_dec, &is_null);
	CHECK(t.kind == TYPE_DECIMAL && t.precision == 2 && t.scale == 2, "prefers_decimal: 0.05 is DECIMAL(2,2)");
	t = value_infer("1.5e2", 5, &prefer_dec, &is_null);
	CHECK(t.kind == TYPE_DECIMAL && t.precision == 3 && t.scale == 0, "prefers_decimal: 1.5e2 is DECIMAL(3,0)");
	t = value_infer("\"2.50\"", 6, &(struct infer_rules){ .text = true, .examine_text = true, .prefers_decimal = true }, &is_null);
	CHECK(t.kind == TYPE_DECIMAL && t.precision == 3 && t.scale == 2, "prefers_decimal: CSV 2.50 is DECIMAL(3,2)");
	CHECK(value_infer("true", 4, &json, &is_null).kind == TYPE_BOOLEAN, "true is BOOLEAN");
	CHECK(value_infer("true", 4, &prim, &is_null).kind == TYPE_STRING, "primitives_as_string: true is STRING");
	CHECK(value_infer("12", 2, &prim, &is_null).kind == TYPE_STRING, "primitives_as_string: 12 is STRING");
	CHECK(value_infer("[1]", 3, &prim, &is_null).kind == TYPE_JSON, "primitives_as_string: arrays stay JSON");
	value_infer("\"\"", 2, &json, &is_null);
	CHECK(is_null, "an empty string counts as null");
	value_infer("null", 4, &json, &is_null);
	CHECK(is_null, "null is null");
	CHECK(value_infer("\"01/02/2024 10:00\"", 18, &csv_ts, &is_null).kind == TYPE_TIMESTAMP,
	      "timestamp_format types CSV text");
	CHECK(value_infer("\"01/02/2024 10:00\"", 18, &csv, &is_null).kind == TYPE_STRING,
	      "without timestamp_format, that text is STRING");
	CHECK(timestamp_us_round_trip(), "value_timestamp_us reads inlet's timestamps back, and only them");
	schema_free(&s);
	schema_free(&back);
	schema_free(&bad);
	buf_free(&err);
	buf_free(&out);
	return unit_done();
}
