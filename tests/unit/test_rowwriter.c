/* Unit tests of rowwriter.h: every operation and the rules of its header. */
#include <stdlib.h>
#include <string.h>

#include "rowwriter.h"
#include "unit.h"

static struct record rec;
static struct buf out = BUF_INIT, resc = BUF_INIT, text = BUF_INIT;

/* Begin rewriting the row T (copied: the record's fields point into it). */
static void begin(struct rowwriter *w, const char *t, bool rescuing)
{
	buf_reset(&text);
	buf_adds(&text, t);
	if (record_classify(&rec, text.data, text.len, NULL) < 0) {
		printf("Bail out! malformed test row %s\n", t);
		exit(1);
	}
	rowwriter_begin(w, &rec, &out, rescuing ? &resc : NULL);
}

/* Is the finished row W exactly WANT? */
static bool is(struct rowwriter *w, const char *want)
{
	size_t len;
	const char *got = rowwriter_finish(w, &len);
	bool ok = len == strlen(want) && !memcmp(got, want, len);

	if (!ok)
		printf("# got %.*s\n# want %s\n", (int)len, got, want);
	return ok;
}

static void test_keep(void)
{
	struct rowwriter w;
	size_t len;

	begin(&w, " {\"a\" : 1,  \"b\":[1, 2] } ", false);
	rowwriter_keep(&w, 0);
	rowwriter_keep(&w, 1);
	CHECK(rowwriter_finish(&w, &len) == rec.text && len == rec.len,
	      "an unchanged row is the record's own text, blanks around it too");

	begin(&w, "{\"a\":1,\"b\":\"x\"}", false);
	rowwriter_set(&w, 0, "1", 1);
	rowwriter_set(&w, 1, "\"x\"", 3);
	CHECK(rowwriter_finish(&w, &len) == rec.text,
	      "set to the text a member holds is a keep");
}

static void test_drop(void)
{
	struct rowwriter w;

	begin(&w, "{\"a\":1}", false);
	rowwriter_drop(&w, 0);
	CHECK(is(&w, "{}"), "a row whose only member is dropped is {}");

	begin(&w, "{\"a\":1, \"b\":2,\"c\":3}", false);
	rowwriter_keep(&w, 0);
	rowwriter_keep(&w, 1);
	rowwriter_drop(&w, 2);
	CHECK(is(&w, "{\"a\":1, \"b\":2}"),
	      "dropping the last member keeps the bytes before it, blanks included");

	begin(&w, "{\"a\":1, \"b\":2,\"c\":3}", false);
	rowwriter_drop(&w, 0);
	rowwriter_keep(&w, 1);
	rowwriter_keep(&w, 2);
	CHECK(is(&w, "{\"b\":2,\"c\":3}"),
	      "dropping the first member: no comma before the next one");

	begin(&w, "{\"a\":1,\"b\":2,\"c\":3}", false);
	rowwriter_keep(&w, 0);
	rowwriter_drop(&w, 1);
	rowwriter_keep(&w, 2);
	CHECK(is(&w, "{\"a\":1,\"c\":3}"), "dropping a middle member: one comma");

	begin(&w, "{\"a\":1,\"b\":2}", false);
	rowwriter_drop(&w, 0);
	rowwriter_drop(&w, 1);
	CHECK(is(&w, "{}"), "every member dropped: {}");

	begin(&w, "  {\"a\":1,\"b\":2}", false);
	rowwriter_keep(&w, 0);
	rowwriter_drop(&w, 1);
	CHECK(is(&w, "  {\"a\":1}"), "the blanks before the '{' are kept");
}

static void test_set(void)
{
	struct rowwriter w;

	begin(&w, "{\"a\" :  \"1\",\"b\":\"x\",\"c\":true}", false);
	rowwriter_set(&w, 0, "1", 1);
	rowwriter_keep(&w, 1);
	rowwriter_set(&w, 2, "true", 4);
	CHECK(is(&w, "{\"a\":1,\"b\":\"x\",\"c\":true}"),
	      "set keeps the member's place; members after it are written without blanks");

	begin(&w, "{\"a\":1,\"b\":2}", false);
	rowwriter_keep(&w, 0);
	rowwriter_set(&w, 1, "null", 4);
	CHECK(is(&w, "{\"a\":1,\"b\":null}"), "set of the last member");

	begin(&w, "{\"a\\\"b\":1,\"\\u00e9\":2}", false);
	rowwriter_set(&w, 0, "10", 2);
	rowwriter_set(&w, 1, "20", 2);
	CHECK(is(&w, "{\"a\\\"b\":10,\"\\u00e9\":20}"),
	      "a member's key is written as it came, escapes and all");
}

static void test_add(void)
{
	struct rowwriter w;

	begin(&w, "{\"a\":1}", false);
	rowwriter_keep(&w, 0);
	rowwriter_add(&w, "b", 1, "2", 1);
	rowwriter_add_raw(&w, "c\\n", 3, "[3]", 3);
	CHECK(is(&w, "{\"a\":1,\"b\":2,\"c\\n\":[3]}"), "members are added after the last, in order");

	begin(&w, "{}", false);
	rowwriter_add(&w, "b", 1, "2", 1);
	CHECK(is(&w, "{\"b\":2}"), "an addition to {} takes no comma");

	begin(&w, " { } ", false);
	rowwriter_add(&w, "b", 1, "2", 1);
	CHECK(is(&w, " { \"b\":2}"), "an addition to a blank {}: its blanks kept, no comma");

	begin(&w, "{\"a\":1 } ", false);
	rowwriter_keep(&w, 0);
	rowwriter_add(&w, "b", 1, "2", 1);
	CHECK(is(&w, "{\"a\":1 ,\"b\":2}"),
	      "an addition keeps the row up to its closing brace, blanks included");

	begin(&w, "{\"a\":1}", false);
	rowwriter_add(&w, "q\"\\\n\x01\xc3\xa9", 7, "0", 1);
	CHECK(is(&w, "{\"a\":1,\"q\\\"\\\\\\n\\u0001\xc3\xa9\":0}"),
	      "an added key is escaped: quote, backslash, control characters");

	begin(&w, "{\"a\":1,\"b\":2}", false);
	rowwriter_drop(&w, 0);
	rowwriter_keep(&w, 1);
	rowwriter_add_key(&w, "v", 1);
	buf_adds(w.out, "\"x\"");
	CHECK(is(&w, "{\"b\":2,\"v\":\"x\"}"), "add_key: the caller writes the value");

	begin(&w, "{\"a\":1}", false);
	rowwriter_keep(&w, 0);
	rowwriter_add_key_raw(&w, "m\\u00e9", 7);
	buf_adds(w.out, "{\"row\":0}");
	CHECK(is(&w, "{\"a\":1,\"m\\u00e9\":{\"row\":0}}"),
	      "add_key_raw: the key as given, the caller writes the value");

	begin(&w, "{\"a\":1,\"b\":2}", false);
	rowwriter_drop(&w, 0);
	rowwriter_drop(&w, 1);
	rowwriter_add(&w, "c", 1, "3", 1);
	CHECK(is(&w, "{\"c\":3}"), "an addition after every member was dropped: no comma");
}

static void test_new_rows(void)
{
	struct rowwriter w;

	rowwriter_begin_new(&w, &out);
	CHECK(is(&w, "{}"), "a new row with no member is {}");
	rowwriter_begin_new(&w, &out);
	rowwriter_add(&w, "value", 5, "\"x\"", 3);
	rowwriter_add(&w, "n", 1, "1", 1);
	CHECK(is(&w, "{\"value\":\"x\",\"n\":1}"), "a new row: members in order, commas between");

	buf_reset(&out);
	buf_adds(&out, "{");
	rowwriter_continue(&w, &out);
	rowwriter_add(&w, "a", 1, "1", 1);
	CHECK(is(&w, "{\"a\":1}"), "continue with an open object without members: no comma");
	buf_reset(&out);
	buf_adds(&out, "{\"x\":null");
	rowwriter_continue(&w, &out);
	rowwriter_add(&w, "a", 1, "1", 1);
	CHECK(is(&w, "{\"x\":null,\"a\":1}"), "continue with an open object holding a member: a comma");
}

static void test_rescued(void)
{
	struct rowwriter w;

	begin(&w, "{\"a\":1,\"x\":2}", true);
	rowwriter_keep(&w, 0);
	rowwriter_rescue(&w, &rec.fields[1]);
	rowwriter_drop(&w, 1);
	CHECK(rowwriter_has_rescued(&w) &&
	      rowwriter_rescued_column(&w, "_rescued_data", "/p/f.json", 9) &&
	      is(&w, "{\"a\":1,\"_rescued_data\":{\"x\":2,\"_file_path\":\"/p/f.json\"}}"),
	      "_rescued_data is created, _file_path last");

	begin(&w, "{\"x\":2}", true);
	rowwriter_rescue(&w, &rec.fields[0]);
	rowwriter_drop(&w, 0);
	rowwriter_rescued_column(&w, "_rescued_data", NULL, 0);
	CHECK(is(&w, "{\"_rescued_data\":{\"x\":2,\"_file_path\":null}}"),
	      "the only member rescued: no comma before the column; no path: null");

	begin(&w, "{\"a\":1,\"x\":2,\"_rescued_data\":{\"old\" : [1, 2],\"_file_path\":\"/o\"},\"b\":3}",
	      true);
	rowwriter_keep(&w, 0);
	rowwriter_rescue(&w, &rec.fields[1]);
	rowwriter_drop(&w, 1);
	rowwriter_prior_rescued(&w, 2);
	rowwriter_keep(&w, 3);
	rowwriter_rescued_column(&w, "_rescued_data", "/n", 2);
	CHECK(is(&w, "{\"a\":1,\"b\":3,\"_rescued_data\":{\"x\":2,\"old\":[1, 2],"
		 "\"_file_path\":\"/n\"}}"),
	      "merged into an upstream _rescued_data: its members after ours, "
	      "their values' text kept, its _file_path replaced");

	begin(&w, "{\"_rescued_data\":{\"old\":1,\"_file_path\":\"/o\"},\"a\":1}", true);
	rowwriter_prior_rescued(&w, 0);
	rowwriter_keep(&w, 1);
	size_t len;
	CHECK(!rowwriter_rescued_column(&w, "_rescued_data", "/n", 2) &&
	      rowwriter_finish(&w, &len) == rec.text,
	      "nothing rescued, nothing changed: the row as it came");

	begin(&w, "{\"_rescued_data\":{},\"a\":\"1\"}", true);
	rowwriter_prior_rescued(&w, 0);
	rowwriter_set(&w, 1, "1", 1);
	rowwriter_rescued_column(&w, "_rescued_data", "/n", 2);
	CHECK(is(&w, "{\"a\":1,\"_rescued_data\":{}}"),
	      "nothing rescued, row changed: the upstream object as it came, at the end");

	begin(&w, "{\"_rescued_data\":{\"o\":1},\"a\":1}", true);
	rowwriter_prior_rescued(&w, 0);
	rowwriter_keep(&w, 1);
	rowwriter_rescued_column(&w, "_rescued_data", "/n", 2);
	rowwriter_add(&w, "_corrupt_record", 15, "\"t\"", 3);
	CHECK(is(&w, "{\"a\":1,\"_rescued_data\":{\"o\":1},\"_corrupt_record\":\"t\"}"),
	      "an addition after the column keeps the upstream object");

	begin(&w, "{\"a\":1,\"x\":2}", true);
	rowwriter_keep(&w, 0);
	rowwriter_rescue(&w, &rec.fields[1]);
	rowwriter_set(&w, 1, "null", 4);
	rowwriter_rescued_column(&w, "my \"col\"", "/p\xff", 3);
	CHECK(is(&w, "{\"a\":1,\"x\":null,\"my \\\"col\\\"\":{\"x\":2,"
		 "\"_file_path\":\"/p\\udcff\"}}"),
	      "the column's name is escaped; the path as json_path_encode writes it");
}

int main(void)
{
	test_keep();
	test_drop();
	test_set();
	test_add();
	test_new_rows();
	test_rescued();
	buf_free(&out);
	buf_free(&resc);
	buf_free(&text);
	return unit_done();
}
