/* libcommon/json: the scanner, string codecs, and the JSONTestSuite vectors. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"
#include "json.h"
#include "unit.h"

static bool valid_document(const char *s, size_t n)
{
	struct json_error err;
	const char *end = json_skip_value(s, s + n, 0, s, &err);

	if (!end)
		return false;
	while (end < s + n && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	return end == s + n;
}

static void conformance(void)
{
	const char *root = getenv("INLET_CONFORMANCE");
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	int y_bad = 0, n_bad = 0, total = 0;

	buf_adds(&dir, root ? root : "tests/conformance");
	buf_adds(&dir, "/JSONTestSuite/test_parsing");
	DIR *d = opendir(dir.data);
	/* The vectors are part of the repository: missing is a failure. */
	CHECK(d != NULL, "JSONTestSuite vectors at %s", dir.data);
	if (!d) {
		buf_free(&dir);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir.data, e->d_name);
		buf_reset(&text);
		if (read_file(path.data, &text) < 0)
			continue;
		bool ok = valid_document(text.data, text.len);
		total++;
		if (e->d_name[0] == 'y' && !ok) {
			y_bad++;
			printf("# rejected %s\n", e->d_name);
		}
		if (e->d_name[0] == 'n' && ok) {
			n_bad++;
			printf("# accepted %s\n", e->d_name);
		}
	}
	closedir(d);
	CHECK(total > 300, "JSONTestSuite read (%d files)", total);
	CHECK(y_bad == 0, "every y_ document accepted (%d rejected)", y_bad);
	CHECK(n_bad == 0, "every n_ document rejected (%d accepted)", n_bad);
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
}

/* ENCODED decodes back to the LEN bytes of PATH, and is valid UTF-8 JSON. */
static bool round_trips(const char *path, size_t len, struct buf *enc)
{
	struct buf dec = BUF_INIT;
	struct json_error err;
	bool ok;

	buf_reset(enc);
	json_path_encode(enc, path, len);
	ok = json_skip_value(enc->data, enc->data + enc->len, 0, enc->data, &err) ==
	     enc->data + enc->len && utf8_valid(enc->data, enc->len) &&
	     json_string_decode(&dec, enc->data, enc->len) == 0 &&
	     dec.len == len && !memcmp(dec.data, path, len);
	buf_free(&dec);
	return ok;
}

/* json_path_encode: the surrogate escape for bytes that are not UTF-8. */
static void path_escape(struct buf *b)
{
	buf_reset(b);
	json_path_encode(b, "/d/caf\xe9.csv", 11);
	CHECK(!strcmp(b->data, "\"/d/caf\\udce9.csv\""), "a Latin-1 byte is written \\udce9 (%s)",
	      b->data);
	buf_reset(b);
	json_path_encode(b, "/d/caf\xc3\xa9\t\"x\".csv", 16);
	CHECK(!strcmp(b->data, "\"/d/caf\xc3\xa9\\t\\\"x\\\".csv\""),
	      "valid UTF-8 is written as json_string_encode does (%s)", b->data);
	CHECK(round_trips("/d/caf\xe9.csv", 11, b), "a Latin-1 name round-trips");
	CHECK(round_trips("\xff\xfe\x80", 3, b), "bytes that never start UTF-8 round-trip");
	CHECK(round_trips("a\xc3", 2, b), "a sequence cut at the end round-trips");
	CHECK(round_trips("\xc3(\xe2\x82", 4, b), "broken sequences round-trip");
	CHECK(round_trips("\xed\xb2\x80", 3, b) && strstr(b->data, "\\udced\\udcb2\\udc80"),
	      "an encoded surrogate is three escaped bytes");
	CHECK(round_trips("\xc0\xaf", 2, b), "an overlong sequence round-trips");
	CHECK(round_trips("lit\\udce9", 9, b), "a literal backslash-u stays text");
	CHECK(round_trips("\xf0\x9f\x98\x80\x01", 5, b), "4-byte UTF-8 and controls round-trip");
	{
		char all[256];
		for (int i = 0; i < 256; i++)
			all[i] = (char)(i ? i : 1);
		CHECK(round_trips(all, sizeof(all), b), "every byte round-trips");
	}
	buf_reset(b);
	{ const char *q = "\"\\udc7f\\udd00\\udce9\""; json_string_decode(b, q, strlen(q)); }
	CHECK(b->len == 7 && !memcmp(b->data, "\xef\xbf\xbd\xef\xbf\xbd\xe9", 7),
	      "only \\udc80..\\udcff decode to a byte; other lone surrogates to U+FFFD");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct json_error err;
	struct json_iter it;
	struct json_field f;
	struct buf b = BUF_INIT;
	const char *v;
	size_t n;

	const char *row = "{\"id\":9007199254740993,\"amt\":19.990,\"s\":\"a\\\"b\",\"o\":{\"x\":[1,2]}}";
	CHECK(json_object_validate(row, strlen(row), &err) == 0, "a row validates");
	CHECK(json_object_get(row, strlen(row), "id", &v, &n) == 1 &&
	      n == 16 && !memcmp(v, "9007199254740993", 16), "big integer keeps its text");
	CHECK(json_object_get(row, strlen(row), "amt", &v, &n) == 1 &&
	      n == 6 && !memcmp(v, "19.990", 6), "decimal keeps its trailing zero");
	CHECK(json_object_get(row, strlen(row), "o", &v, &n) == 1 &&
	      n == 11 && !memcmp(v, "{\"x\":[1,2]}", 11), "nested value is one raw span");
	CHECK(json_object_get(row, strlen(row), "missing", &v, &n) == 0, "absent key");

	json_object_open(&it, row, strlen(row), &err);
	int members = 0;
	while (json_object_next(&it, &f, &err) == 1)
		members++;
	CHECK(members == 4, "iteration sees four members");

	const char *bad[] = { "{\"a\":1,}", "{\"a\" 1}", "[1]", "{\"a\":01}", "{\"a\":1} x",
			      "{\"a\":\"\xff\"}", "{\"a\":tru}", "", "{\"a\":\"x}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(json_object_validate(bad[i], strlen(bad[i]), &err) < 0,
		      "rejects malformed object #%zu (%s)", i, err.msg);

	buf_reset(&b);
	{ const char *q = "\"a\\u00e9\\ud83d\\ude00\\n\""; json_string_decode(&b, q, strlen(q)); }
	CHECK(!strcmp(b.data, "a\xc3\xa9\xf0\x9f\x98\x80\n"), "decodes escapes and surrogate pairs");
	buf_reset(&b);
	json_string_encode(&b, "q\"\\\n\x01", 5);
	CHECK(!strcmp(b.data, "\"q\\\"\\\\\\n\\u0001\""), "encodes quotes and control bytes");
	buf_reset(&b);
	{ const char *q = "\"\\ud800x\""; json_string_decode(&b, q, strlen(q)); }
	CHECK(!strcmp(b.data, "\xef\xbf\xbdx"), "a lone surrogate decodes to U+FFFD");

	path_escape(&b);

	CHECK(utf8_valid("h\xc3\xa9", 3), "valid UTF-8");
	CHECK(!utf8_valid("\xc0\xaf", 2), "overlong UTF-8 rejected");
	CHECK(!utf8_valid("\xed\xa0\x80", 3), "encoded surrogate rejected");
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4), "beyond U+10FFFF rejected");
	{
		const unsigned char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x82";
		const unsigned char *end = s + sizeof(s) - 1;
		CHECK(utf8_seq_len(s, end) == 1 && utf8_seq_len(s + 1, end) == 2 &&
		      utf8_seq_len(s + 3, end) == 3 && utf8_seq_len(s + 6, end) == 4,
		      "utf8_seq_len gives each sequence's length");
		CHECK(utf8_seq_len(s + 10, end) == 0 && utf8_seq_len(s + 2, end) == 0,
		      "utf8_seq_len: a cut sequence or a continuation byte is 0");
		struct buf r = BUF_INIT;
		utf8_repair(&r, "a\xff\xc3\xa9\xe2\x82", 6);
		CHECK(r.len == 12 && !memcmp(r.data, "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd", 12),
		      "utf8_repair replaces each stray byte by U+FFFD, keeps valid ones");
		buf_free(&r);
	}

	char deep[2000];
	memset(deep, '[', sizeof(deep));
	CHECK(json_skip_value(deep, deep + sizeof(deep), 0, deep, &err) == NULL,
	      "deep nesting is an error, not a crash");

	conformance();
	buf_free(&b);
	return unit_done();
}
