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

/*
 * json_object_members reads a plain compact object from the offsets of
 * its quotes (with AVX2 or AVX-512) and leaves the rest to the scanner;
 * json_object_next and json_object_locate_next only ever scan.  On every
 * object below and on each of its mutations the two must agree: members,
 * spans, escape flags, result, and the error's message and offset.
 */
#define MAXF 2048

struct outcome {
	int rc;
	size_t n;
	struct json_field f[MAXF];
	const char *msg;
	size_t off;
};

/*
 * Read the object T: with json_object_members, MAX members a call, or
 * (MAX 0) with json_object_next / json_object_locate_next, one a call.
 */
static void read_object(const char *t, size_t len, bool locate, size_t max, struct outcome *o)
{
	struct json_iter it;
	struct json_error err = { NULL, 0 };
	size_t got;
	int r;

	o->n = 0;
	o->msg = NULL;
	o->off = 0;
	if (json_object_open(&it, t, len, &err) < 0) {
		o->rc = -2;
		return;
	}
	do {
		if (max) {
			r = json_object_members(&it, o->f + o->n,
						max < MAXF - o->n ? max : MAXF - o->n, &got, &err, locate);
		} else {
			r = locate ? json_object_locate_next(&it, &o->f[o->n], &err)
				   : json_object_next(&it, &o->f[o->n], &err);
			got = r == 1;
		}
		o->n += got;
	} while (r == 1 && o->n < MAXF);
	o->rc = r;
	if (r < 0) {
		o->msg = err.msg;
		o->off = err.offset;
	}
}

static bool same_outcome(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || a->n != b->n || a->off != b->off ||
	    (a->msg != b->msg && (!a->msg || !b->msg || strcmp(a->msg, b->msg))))
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct json_field *x = &a->f[i], *y = &b->f[i];
		if (x->key != y->key || x->key_len != y->key_len ||
		    x->key_escaped != y->key_escaped || x->val != y->val ||
		    x->val_len != y->val_len)
			return false;
	}
	return true;
}

static size_t indexed_reads;	/* objects json_object_members_indexed read */

/*
 * Both ways, both modes, all members at once and three at a time:
 * mismatches.  On a copy of exactly LEN bytes, so that a read past the
 * end fails the sanitized build.
 */
static int compare_ways(const char *text, size_t len, struct outcome *a, struct outcome *b)
{
	char *t = malloc(len ? len : 1);
	int bad = 0;

	memcpy(t, text, len);
	for (int locate = 0; locate < 2; locate++) {
		struct json_iter it;
		struct json_error err;
		size_t got;
		if (json_object_open(&it, t, len, &err) == 0 &&
		    json_object_members_indexed(&it, a->f, MAXF, &got, &err, locate) != 2)
			indexed_reads++;
		read_object(t, len, locate, 0, b);
		for (int k = 0; k < 2; k++) {
			read_object(t, len, locate, k ? 3 : MAXF, a);
			if (!same_outcome(a, b)) {
				if (bad++ < 5)
					printf("# %s, %s: members and scanner differ on [%.*s]\n",
					       locate ? "locating" : "validating",
					       k ? "3 at a time" : "all at once", (int)(len < 300 ? len : 300), t);
			}
		}
	}
	free(t);
	return bad;
}

/* The objects, and every mutation of each byte by one of BYTES, a deletion or an insertion. */
static int differential(void)
{
	static const char *rows[] = {
		"{\"order_id\":1000000001,\"customer_id\":\"C0108031\",\"order_timestamp\":\"2024-10-11T13:08:07Z\",\"total_amount\":602.94,\"quantity\":3,\"payment_method\":\"bank_transfer\",\"status\":\"paid\",\"product_id\":\"P14611\",\"campaign_id\":\"CMP-2024-09\",\"note\":null}",
		"{\"note\":\"customer wrote \\\"urgent\\\"\",\"k\\\"ey\":\"v\\\\\",\"e\":\"\\u00e9\\n\",\"t\":true,\"f\":false,\"z\":-0.5e+10}",
		"{\"o\":{\"x\":[1,2,{\"y\":\"}\"}]},\"a\":[],\"b\":{},\"s\":\"[{,:}]\",\"n\":-1}",
		"{\"caf\xc3\xa9\":\"na\xc3\xafve \xe2\x82\xac\",\"x\":1}",
		"{}",
		"{\"a\":1}",
		"  {\"a\" : 1 , \"b\":[ 1 ] }  ",
		"{\"\":\"\",\"a\":\"\"}",
		"{\"long\":\"0123456789012345678901234567890123456789012345678901234567890123456789\",\"n\":123456789012345678901234567890,\"s\":\"\\\\\\\\\\\"\"}",
	};
	static const char bytes[] = "\"\\:,{}[] \t\x01\x80\xc3" "a0-e.nu";
	struct outcome *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	char *t = malloc(8192);
	int bad = 0;
	size_t cases = 0;

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const char *row = rows[r];
		size_t len = strlen(row);
		bad += compare_ways(row, len, a, b);
		for (size_t i = 0; i < len; i++) {
			for (size_t c = 0; c < sizeof(bytes) - 1; c++) {
				memcpy(t, row, len);
				t[i] = bytes[c];
				bad += compare_ways(t, len, a, b);
				memcpy(t, row, i);
				t[i] = bytes[c];
				memcpy(t + i + 1, row + i, len - i);
				bad += compare_ways(t, len + 1, a, b);
				cases += 2;
			}
			memcpy(t, row, i);
			memcpy(t + i, row + i + 1, len - i - 1);
			bad += compare_ways(t, len - 1, a, b);
			cases++;
		}
	}
	/* Long rows: members across blocks, past the indexed length, and many of them. */
	for (size_t want = 60; want < 5000; want = want * 3 / 2) {
		size_t len = 0;
		t[len++] = '{';
		for (int m = 0; len < want; m++)
			len += (size_t)sprintf(t + len, "%s\"k%d\":%s", m ? "," : "",
					       m, m % 3 ? "\"value with \\\" quote\"" : "12.5");
		t[len++] = '}';
		bad += compare_ways(t, len, a, b);
		t[len / 2] = '\\';
		bad += compare_ways(t, len, a, b);
		cases += 2;
	}
	printf("# %zu mutated objects compared, %zu reads by the quotes' offsets\n",
	       cases, indexed_reads);
	/* The plain ones at least: the first row, and one in six of its mutations. */
	if (!getenv("INLET_SIMD") || strcmp(getenv("INLET_SIMD"), "none"))
		bad += indexed_reads < cases / 6;
	else
		bad += indexed_reads != 0;
	free(a);
	free(b);
	free(t);
	return bad;
}

/*
 * The comparison with each pass the CPU has, and with none: this program
 * again, as INLET_SIMD is read when a program starts.  A CPU without
 * AVX2 reads no object by its quotes, and says so.
 */
static void indexed_agrees(void)
{
	static const char *simd[] = { NULL, "avx2", "none" };

#if defined(__x86_64__) && defined(__GNUC__)
	bool avx2 = __builtin_cpu_supports("avx2");
#else
	bool avx2 = false;
#endif
	if (!avx2) {
		printf("# no AVX2: json_object_members always scans\n");
		simd[0] = simd[1] = "none";
	}
	for (size_t i = 0; i < sizeof(simd) / sizeof(simd[0]); i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (simd[i])
				setenv("INLET_SIMD", simd[i], 1);
			else
				unsetenv("INLET_SIMD");
			execl("/proc/self/exe", "test_json", "--differential", (char *)NULL);
			_exit(127);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "json_object_members agrees with the scanner on every mutation (INLET_SIMD=%s)",
		      simd[i] ? simd[i] : "unset");
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--differential"))
		return differential() ? 1 : 0;
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
	indexed_agrees();
	buf_free(&b);
	return unit_done();
}
