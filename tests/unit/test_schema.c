/* libcommon/schema: Spark DDL, schema records, lookups, type widening. */
#include <string.h>

#include "buf.h"
#include "schema.h"
#include "unit.h"

/* Parse DDL; the columns as "name:TYPE;..." into OUT, or "error: MESSAGE". */
static void ddl(const char *text, struct buf *out)
{
	struct schema s = SCHEMA_INIT;
	struct buf err = BUF_INIT;

	buf_reset(out);
	if (schema_parse_ddl(&s, text, &err) < 0) {
		buf_printf(out, "error: %s", err.data ? err.data : "");
	} else {
		for (size_t i = 0; i < s.n; i++) {
			buf_add(out, s.cols[i].name, s.cols[i].name_len);
			buf_addc(out, ':');
			type_name(s.cols[i].type, out);
			buf_addc(out, ';');
		}
	}
	schema_free(&s);
	buf_free(&err);
}

static void check_ddl(const char *text, const char *want)
{
	struct buf got = BUF_INIT;

	ddl(text, &got);
	CHECK(!strcmp(got.data, want), "DDL \"%s\" -> %s (got %s)", text, want, got.data);
	buf_free(&got);
}

/* Does TEXT fail, with a message holding each of the two pieces? */
static void check_ddl_error(const char *text, const char *piece1, const char *piece2)
{
	struct schema s = SCHEMA_INIT;
	struct buf err = BUF_INIT;
	int rc = schema_parse_ddl(&s, text, &err);

	CHECK(rc == -1 && err.len && strstr(err.data, piece1) && (!piece2 || strstr(err.data, piece2)),
	      "DDL \"%s\" is refused naming '%s'%s%s (got %d: %s)", text, piece1,
	      piece2 ? " and " : "", piece2 ? piece2 : "", rc, err.len ? err.data : "");
	schema_free(&s);
	buf_free(&err);
}

static void parse_ddl(void)
{
	/* Spark DDL as StructType.fromDDL and the schema option take it. */
	check_ddl("id BIGINT, price DECIMAL(10,2), day DATE",
		  "id:BIGINT;price:DECIMAL(10,2);day:DATE;");
	check_ddl("  a int ,b string,c double  ", "a:INT;b:STRING;c:DOUBLE;");
	check_ddl("a INTEGER, b LONG, c FLOAT, d BOOL, e TIMESTAMP_NTZ, f VARCHAR(20), g CHAR(3)",
		  "a:INT;b:BIGINT;c:DOUBLE;d:BOOLEAN;e:TIMESTAMP;f:STRING;g:STRING;");
	check_ddl("a SMALLINT, b TINYINT, c REAL, d TIMESTAMP_LTZ, e VARIANT, f TEXT",
		  "a:SMALLINT;b:TINYINT;c:DOUBLE;d:TIMESTAMP;e:JSON;f:STRING;");
	check_ddl("a: INT, b:STRING", "a:INT;b:STRING;");
	check_ddl("s STRUCT<x: INT, y: ARRAY<STRING>>, l ARRAY<INT>, m MAP<STRING, INT>",
		  "s:JSON;l:JSON;m:JSON;");
	check_ddl("id BIGINT NOT NULL, note STRING COMMENT 'a, note: with (brackets)', x INT",
		  "id:BIGINT;note:STRING;x:INT;");
	check_ddl("id BIGINT NOT NULL COMMENT \"the id\"", "id:BIGINT;");
	check_ddl("Id INT, id INT", "Id:INT;id:INT;");

	/* Backquoted names: any character, a doubled backquote stands for one. */
	check_ddl("`first name` STRING, `a,b` INT", "first name:STRING;a,b:INT;");
	check_ddl("`we``ird` INT", "we`ird:INT;");
	check_ddl("`select` INT, `x:y` DATE", "select:INT;x:y:DATE;");
	check_ddl("`é` STRING", "\xc3\xa9:STRING;");

	/* DECIMAL(p,s): Spark's bounds are 1 <= p <= 38 and 0 <= s <= p. */
	check_ddl("a DECIMAL", "a:DECIMAL(10,0);");
	check_ddl("a DECIMAL(5)", "a:DECIMAL(5,0);");
	check_ddl("a decimal( 12 , 4 )", "a:DECIMAL(12,4);");
	check_ddl("a DEC(3,1), b NUMERIC(7,7)", "a:DECIMAL(3,1);b:DECIMAL(7,7);");
	check_ddl("a DECIMAL(1,0), b DECIMAL(38,38), c DECIMAL(38,0)",
		  "a:DECIMAL(1,0);b:DECIMAL(38,38);c:DECIMAL(38,0);");
	check_ddl_error("a DECIMAL(39,0)", "'a'", "DECIMAL(39,0)");
	check_ddl_error("a DECIMAL(0,0)", "'a'", "DECIMAL(0,0)");
	check_ddl_error("a DECIMAL(5,6)", "'a'", "DECIMAL(5,6)");
	check_ddl_error("a DECIMAL(10,-1)", "'a'", "DECIMAL(10,-1)");
	check_ddl_error("a DECIMAL()", "'a'", NULL);
	check_ddl_error("a DECIMAL(x,1)", "'a'", NULL);
	check_ddl_error("a DECIMAL(10,2", "unbalanced", "'a'");
	check_ddl_error("a INT(5)", "'a'", "INT(5)");

	/* Errors name the column and the problem. */
	check_ddl_error("", "no columns", NULL);
	check_ddl_error("   ", "no columns", NULL);
	check_ddl_error("a", "'a'", "missing type");
	check_ddl_error("a FOO", "'a'", "'FOO'");
	check_ddl_error("a INT, b", "'b'", "missing type");
	check_ddl_error("a INT,, b INT", "cannot read the column ''", NULL);
	check_ddl_error("a INT, a BIGINT", "'a'", "declared twice");
	check_ddl_error("`a` INT, a STRING", "'a'", "declared twice");
	check_ddl_error("a INT b STRING", "unexpected 'b STRING'", "'a'");
	check_ddl_error("`abc INT", "unterminated", "`abc INT");
	check_ddl_error("`\xff` INT", "not valid UTF-8", NULL);
	check_ddl_error("s STRUCT<a: INT", "unbalanced", "'s'");
}

static void records(void)
{
	struct schema s = SCHEMA_INIT, back = SCHEMA_INIT;
	struct buf err = BUF_INIT, rec = BUF_INIT, rec2 = BUF_INIT;

	CHECK(schema_parse_ddl(&s, "id BIGINT, `a \"q\" \\ b` DECIMAL(10,2), "
			       "`é\tx` TIMESTAMP, j ARRAY<INT>", &err) == 0, "a schema to round-trip");
	/* A name holding NUL, as a decoded JSON key may. */
	struct type t_bool = { TYPE_BOOLEAN, 0, 0 };
	schema_add(&s, "n\0ul", 4, t_bool);
	s.version = 7;
	schema_to_record(&s, &rec);
	CHECK(!strcmp(rec.data, "{\"_inlet\":\"schema\",\"version\":7,\"fields\":["
		      "{\"name\":\"id\",\"type\":\"BIGINT\"},"
		      "{\"name\":\"a \\\"q\\\" \\\\ b\",\"type\":\"DECIMAL(10,2)\"},"
		      "{\"name\":\"\xc3\xa9\\tx\",\"type\":\"TIMESTAMP\"},"
		      "{\"name\":\"j\",\"type\":\"JSON\"},"
		      "{\"name\":\"n\\u0000ul\",\"type\":\"BOOLEAN\"}]}"),
	      "schema_to_record writes the documented record (got %s)", rec.data);
	CHECK(schema_from_record(&back, rec.data, rec.len, &err) == 0, "the record reads back");
	int same = back.n == s.n && back.version == 7;
	for (size_t i = 0; same && i < s.n; i++)
		same = back.cols[i].name_len == s.cols[i].name_len &&
		       !memcmp(back.cols[i].name, s.cols[i].name, s.cols[i].name_len) &&
		       back.cols[i].type.kind == s.cols[i].type.kind &&
		       back.cols[i].type.precision == s.cols[i].type.precision &&
		       back.cols[i].type.scale == s.cols[i].type.scale;
	CHECK(same, "round trip keeps names (quotes, tab, UTF-8, NUL), types and the version");
	schema_to_record(&back, &rec2);
	CHECK(!strcmp(rec.data, rec2.data), "and writes the same record again");

	schema_free(&back);
	CHECK(back.n == 0 && back.cols == NULL && back.version == -1, "schema_free empties");
	struct schema nov = SCHEMA_INIT;
	schema_add(&nov, "x", 1, t_bool);
	buf_reset(&rec);
	schema_to_record(&nov, &rec);
	CHECK(strstr(rec.data, "\"version\":0,") != NULL, "a schema not from a record is written as version 0");
	schema_free(&nov);

	schema_copy(&back, &s);
	CHECK(back.n == s.n && back.version == 7 && back.cols[0].name != s.cols[0].name &&
	      back.cols[4].name_len == 4 && !memcmp(back.cols[4].name, "n\0ul", 4),
	      "schema_copy is a deep copy");
	schema_free(&back);

	/* Records that are not schemas. */
	static const char *bad[] = {
		"", "[]", "{}", "{\"fields\":{}}", "{\"fields\":[1]}",
		"{\"fields\":[{\"name\":\"a\"}]}",
		"{\"fields\":[{\"type\":\"INT\"}]}",
		"{\"fields\":[{\"name\":1,\"type\":\"INT\"}]}",
		"{\"fields\":[{\"name\":\"a\",\"type\":\"NOPE\"}]}",
		"{\"fields\":[{\"name\":\"a\",\"type\":\"DECIMAL(40,1)\"}]}",
		"{\"fields\":[{\"name\":\"a\",\"type\":\"INT\"}",
		"{\"fields\":[{\"name\":\"a\",\"type\":\"INT\"},]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct schema x = SCHEMA_INIT;
		buf_reset(&err);
		CHECK(schema_from_record(&x, bad[i], strlen(bad[i]), &err) == -1 && err.len,
		      "schema record '%s' is refused with a message (%s)", bad[i],
		      err.len ? err.data : "none");
		schema_free(&x);
	}
	struct schema empty = SCHEMA_INIT;
	const char *e = "{\"_inlet\":\"schema\",\"version\":3,\"fields\":[]}";
	CHECK(schema_from_record(&empty, e, strlen(e), &err) == 0 && empty.n == 0 &&
	      empty.version == 3, "a schema record with no fields");
	schema_free(&empty);

	schema_free(&s);
	buf_free(&err);
	buf_free(&rec);
	buf_free(&rec2);
}

static void lookups(void)
{
	struct schema s = SCHEMA_INIT;
	struct buf err = BUF_INIT;

	schema_parse_ddl(&s, "id INT, Name STRING, `nAmE2` STRING, `ü` INT", &err);
	struct type t = { TYPE_STRING, 0, 0 };
	size_t at = schema_add(&s, "a\0b", 3, t);
	CHECK(at == 4 && s.n == 5, "schema_add returns the new column's index");

	CHECK(schema_find(&s, "id", 2) == 0, "find by exact name");
	CHECK(schema_find(&s, "Name", 4) == 1, "find is exact in case");
	CHECK(schema_find(&s, "name", 4) == -1, "find does not ignore case");
	CHECK(schema_find(&s, "Nam", 3) == -1, "find does not take a prefix");
	CHECK(schema_find(&s, "Names", 5) == -1, "find does not take a longer name");
	CHECK(schema_find(&s, "idx", 2) == 0, "find reads only N bytes of the name");
	CHECK(schema_find(&s, "a\0b", 3) == 4, "find a name holding NUL");
	CHECK(schema_find(&s, "a", 1) == -1 && schema_find(&s, "a\0c", 3) == -1,
	      "a name holding NUL is not its prefix");
	CHECK(schema_find(&s, "\xc3\xbc", 2) == 3, "find a UTF-8 name");

	CHECK(schema_find_nocase(&s, "NAME", 4) == 1, "nocase finds NAME as Name");
	CHECK(schema_find_nocase(&s, "name2", 5) == 2, "nocase finds name2 as nAmE2");
	CHECK(schema_find_nocase(&s, "nam", 3) == -1, "nocase does not take a prefix");
	CHECK(schema_find_nocase(&s, "names", 5) == -1, "nocase does not take a longer name");
	CHECK(schema_find_nocase(&s, "ID!", 2) == 0, "nocase reads only N bytes of the name");
	CHECK(schema_find_nocase(&s, "\xc3\x9c", 2) == -1, "nocase ignores ASCII case only (Ü is not ü)");
	/* A name holding NUL is compared over its whole length. */
	CHECK(schema_find_nocase(&s, "A", 1) == -1, "nocase: 'A' is not the column 'a\\0b'");
	CHECK(schema_find_nocase(&s, "A\0B", 3) == 4, "nocase finds 'A\\0B' as 'a\\0b'");
	CHECK(schema_find_nocase(&s, "id\0zz", 5) == -1, "nocase: 'id\\0zz' is not 'id'");

	CHECK(schema_find_hint(&s, "Name", 4, 1) == 1, "hint: the hinted column");
	CHECK(schema_find_hint(&s, "Name", 4, 0) == 1, "hint: a wrong hint still finds the column");
	CHECK(schema_find_hint(&s, "Name", 4, 99) == 1, "hint: a hint past the end is ignored");
	CHECK(schema_find_hint(&s, "nope", 4, 1) == -1, "hint: a missing name");
	CHECK(schema_find_hint(&s, "Nam", 3, 1) == -1, "hint: a prefix of the hinted column is not it");

	/* Many columns: growth keeps earlier names. */
	struct schema big = SCHEMA_INIT;
	char name[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		schema_add(&big, name, strlen(name), t);
	}
	int ok = big.n == 1000;
	for (int i = 0; ok && i < 1000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		ok = schema_find(&big, name, strlen(name)) == i &&
		     schema_find_hint(&big, name, strlen(name), (size_t)i) == i;
	}
	CHECK(ok, "1000 added columns are all found at their index");
	schema_free(&big);
	schema_free(&s);
	buf_free(&err);
}

static struct type ty(enum type_kind k)
{
	struct type t = { k, 0, 0 };
	if (k == TYPE_DECIMAL) {
		t.precision = 10;
		t.scale = 2;
	}
	return t;
}

static void widening(void)
{
	/*
	 * The table of schema.h and inlet-rescue(1): INT -> BIGINT -> DOUBLE
	 * as Spark's JSON schema inference widens numbers
	 * (JsonInferSchema.compatibleType, by TypeCoercion's
	 * findTightestCommonType), a DECIMAL with an integer as a DECIMAL
	 * holding both and with a DOUBLE as DOUBLE, and any other mix is
	 * STRING, Spark's fallback there.  Row A widened with column B.
	 */
	enum { S = TYPE_STRING, I = TYPE_INT, L = TYPE_BIGINT, D = TYPE_DOUBLE, M = TYPE_DECIMAL,
	       B = TYPE_BOOLEAN, DT = TYPE_DATE, TS = TYPE_TIMESTAMP, J = TYPE_JSON };
	static const int table[9][9] = {
		/*        S  I  L  D  M  B  DT  TS  J */
		/* S  */ { S, S, S, S, S, S, S,  S,  S },
		/* I  */ { S, I, L, D, M, S, S,  S,  S },
		/* L  */ { S, L, L, D, M, S, S,  S,  S },
		/* D  */ { S, D, D, D, D, S, S,  S,  S },
		/* M  */ { S, M, M, D, M, S, S,  S,  S },
		/* B  */ { S, S, S, S, S, B, S,  S,  S },
		/* DT */ { S, S, S, S, S, S, DT, S,  S },
		/* TS */ { S, S, S, S, S, S, S,  TS, S },
		/* J  */ { S, S, S, S, S, S, S,  S,  J },
	};
	int ok = 1, sym = 1;
	struct buf a = BUF_INIT, b = BUF_INIT, w = BUF_INIT;
	for (int i = 0; i < 9; i++)
		for (int j = 0; j < 9; j++) {
			struct type got = type_widen(ty(i), ty(j));
			struct type rev = type_widen(ty(j), ty(i));
			if ((int)got.kind != table[i][j]) {
				ok = 0;
				buf_reset(&a); buf_reset(&b); buf_reset(&w);
				type_name(ty(i), &a);
				type_name(ty(j), &b);
				type_name(got, &w);
				printf("# widen %s %s gave %s\n", a.data, b.data, w.data);
			}
			sym &= got.kind == rev.kind;
		}
	CHECK(ok, "type_widen follows the documented table for every pair of kinds");
	CHECK(sym, "type_widen does not depend on the order");

	struct type d102 = { TYPE_DECIMAL, 10, 2 }, d124 = { TYPE_DECIMAL, 12, 4 };
	struct type got = type_widen(d102, d102);
	CHECK(got.kind == TYPE_DECIMAL && got.precision == 10 && got.scale == 2,
	      "the same DECIMAL keeps its precision and scale");
	got = type_widen(d102, d124);
	CHECK(got.kind == TYPE_DECIMAL && got.precision == 12 && got.scale == 4,
	      "two different DECIMALs widen to one holding both, as Spark's "
	      "JsonInferSchema.compatibleType does");
	struct type d382 = { TYPE_DECIMAL, 38, 2 }, d3810 = { TYPE_DECIMAL, 38, 10 };
	CHECK(type_widen(d382, d3810).kind == TYPE_DOUBLE,
	      "DECIMALs that need more than 38 digits widen to DOUBLE");
	got = type_widen(ty(TYPE_BIGINT), d102);
	CHECK(got.kind == TYPE_DECIMAL && got.precision == 22 && got.scale == 2,
	      "a BIGINT meets a DECIMAL as DECIMAL(20,0)");
	CHECK(type_widen(type_widen(ty(TYPE_INT), ty(TYPE_BIGINT)), ty(TYPE_DOUBLE)).kind == TYPE_DOUBLE,
	      "widening is transitive along INT -> BIGINT -> DOUBLE");
	struct type tiny = { TYPE_INT, 8, 0 }, small = { TYPE_INT, 16, 0 };
	got = type_widen(tiny, small);
	CHECK(got.kind == TYPE_INT && type_int_bits(got) == 16 &&
	      type_int_bits(type_widen(small, ty(TYPE_INT))) == 32 &&
	      type_int_bits(type_widen(ty(TYPE_INT), tiny)) == 32,
	      "TINYINT -> SMALLINT -> INT, in either order");
	struct type d11 = { TYPE_DECIMAL, 1, 1 };
	got = type_widen(tiny, d11);
	CHECK(got.kind == TYPE_DECIMAL && got.precision == 4 && got.scale == 1,
	      "a TINYINT meets a DECIMAL as DECIMAL(3,0), Spark's DecimalType.forType(ByteType)");
	buf_free(&a);
	buf_free(&b);
	buf_free(&w);
}

static void type_names(void)
{
	static const struct { const char *in; const char *out; } good[] = {
		{ "bigint", "BIGINT" }, { " Int ", "INT" }, { "decimal(10, 2)", "DECIMAL(10,2)" },
		{ "DECIMAL", "DECIMAL(10,0)" }, { "varchar(255)", "STRING" }, { "json", "JSON" },
		{ "map<string,int>", "JSON" }, { "timestamp", "TIMESTAMP" }, { "date", "DATE" },
		{ "boolean", "BOOLEAN" }, { "double", "DOUBLE" }, { "string", "STRING" },
	};
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct type t;
		buf_reset(&out);
		int rc = type_parse(good[i].in, strlen(good[i].in), &t);
		if (rc == 0)
			type_name(t, &out);
		CHECK(rc == 0 && !strcmp(out.data, good[i].out), "type '%s' is %s", good[i].in, good[i].out);
	}
	/* Only LEN bytes are read. */
	struct type t;
	CHECK(type_parse("INTEGERS", 3, &t) == 0 && t.kind == TYPE_INT, "type_parse reads only LEN bytes");
	static const char *bad[] = { "", "integers", "int int", "decimal(10,2)x", "varchar(",
				     "decimal 10", "unknown" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(type_parse(bad[i], strlen(bad[i]), &t) == -1, "type '%s' is refused", bad[i]);
	static const char *bad_decimal[] = { "decimal(10,)", "decimal(4294967306,0)",
					     "decimal(,2)", "decimal(10,4294967298)" };
	for (size_t i = 0; i < sizeof(bad_decimal) / sizeof(bad_decimal[0]); i++)
		CHECK(type_parse(bad_decimal[i], strlen(bad_decimal[i]), &t) == -1,
		      "type '%s' is refused", bad_decimal[i]);
	buf_free(&out);
}

int main(void)
{
	parse_ddl();
	records();
	lookups();
	widening();
	type_names();
	return unit_done();
}
