/*
 * The JSON scanner of libcommon/json.h, as inlet-parse and every stage
 * use it: validate a line as one object, iterate its members, decode keys
 * and string values, and look members up.  Invariants: what validates
 * iterates to the same end; decoded strings of valid JSON are valid
 * UTF-8 and re-encode to JSON that decodes to the same bytes.  The
 * locating scan of a claimed batch (record_locate) stays inside any text,
 * gives members whose keys and strings decode, and finds exactly the
 * members record_classify finds in valid text.  Objects read by the
 * offsets of their quotes are read as the scanner reads them.
 */
#include <stdbool.h>

#include "buf.h"
#include "json.h"
#include "stream.h"
#include "fuzz.h"

static void check_string(const char *raw, size_t n)
{
	struct buf dec = BUF_INIT, enc = BUF_INIT, again = BUF_INIT;

	FUZZ_ASSERT(json_string_decode(&dec, raw, n) == 0, "decode of a valid string");
	if (utf8_valid(dec.data ? dec.data : "", dec.len)) {
		json_string_encode(&enc, dec.data ? dec.data : "", dec.len);
		FUZZ_ASSERT(json_skip_value(enc.data, enc.data + enc.len, 0, enc.data, NULL) ==
			    enc.data + enc.len, "re-encoded string is one JSON value");
		json_string_decode(&again, enc.data, enc.len);
		FUZZ_ASSERT(again.len == dec.len && !memcmp(again.data ? again.data : "",
							   dec.data ? dec.data : "", dec.len),
			    "encode/decode round trip");
	}
	buf_free(&dec);
	buf_free(&enc);
	buf_free(&again);
}

static void walk_value(const char *v, size_t n, int depth)
{
	struct json_iter it;
	struct json_field f;
	const char *e;
	size_t en;
	int r;

	if (depth > 8)
		return;
	if (json_is_string(v, n)) {
		check_string(v, n);
	} else if (v[0] == '{') {
		FUZZ_ASSERT(json_object_open(&it, v, n, NULL) == 0, "nested object opens");
		while ((r = json_object_next(&it, &f, NULL)) == 1) {
			struct buf key = BUF_INIT;
			json_key_decode(&key, &f);
			buf_free(&key);
			walk_value(f.val, f.val_len, depth + 1);
		}
		FUZZ_ASSERT(r == 0, "nested object iterates to its end");
	} else if (v[0] == '[') {
		FUZZ_ASSERT(json_array_open(&it, v, n, NULL) == 0, "nested array opens");
		while ((r = json_array_next(&it, &e, &en, NULL)) == 1)
			walk_value(e, en, depth + 1);
		FUZZ_ASSERT(r == 0, "nested array iterates to its end");
	}
}

/* record_locate on any text: inside it, and the same as record_classify on valid text. */
static void check_locate(const char *text, size_t size)
{
	struct json_field want[64];
	struct record rec;
	size_t nwant = 0, total = 0;
	int valid = record_classify(&rec, text, size, NULL) == 0;

	if (valid) {
		total = rec.nfields;
		nwant = total < 64 ? total : 64;
		memcpy(want, rec.fields, nwant * sizeof(*want));
	}
	if (record_locate(&rec, text, size, NULL) < 0) {
		FUZZ_ASSERT(!valid, "valid object located");
		return;
	}
	for (size_t i = 0; i < rec.nfields; i++) {
		const struct json_field *f = &rec.fields[i];
		struct buf b = BUF_INIT;
		FUZZ_ASSERT(f->key >= text && f->key + f->key_len < text + size, "key inside");
		FUZZ_ASSERT(f->val >= text && f->val_len > 0 && f->val + f->val_len <= text + size,
			    "value inside");
		json_key_decode(&b, f);
		if (json_is_string(f->val, f->val_len))
			json_string_decode(&b, f->val, f->val_len);
		buf_free(&b);
		if (i < nwant)
			FUZZ_ASSERT(f->key == want[i].key && f->key_len == want[i].key_len &&
				    f->key_escaped == want[i].key_escaped && f->val == want[i].val &&
				    f->val_len == want[i].val_len, "member %zu as classified", i);
	}
	if (valid)
		FUZZ_ASSERT(rec.nfields == total, "as many members as classified");
}

/*
 * An object read by the offsets of its quotes (json_object_members_indexed,
 * AVX2 or AVX-512 as INLET_SIMD leaves it) is read as the scanner reads it,
 * validating and locating: the same members, spans and result.
 */
static void check_indexed(const char *text, size_t size)
{
	static struct json_field a[256], b[256];

	for (int locate = 0; locate < 2; locate++) {
		struct json_iter it;
		size_t na = 0, nb = 0;
		int ra, rb;
		if (json_object_open(&it, text, size, NULL) < 0)
			return;
		ra = json_object_members_indexed(&it, a, 256, &na, NULL, locate);
		if (ra == 2)
			continue;
		json_object_open(&it, text, size, NULL);
		while (nb < 256 && (rb = locate ? json_object_locate_next(&it, &b[nb], NULL)
					       : json_object_next(&it, &b[nb], NULL)) == 1)
			nb++;
		if (nb == 256)
			rb = 1;
		FUZZ_ASSERT(ra == rb && na == nb, "read by its quotes as scanned (%d %zu, %d %zu)",
			    ra, na, rb, nb);
		for (size_t i = 0; i < na; i++)
			FUZZ_ASSERT(a[i].key == b[i].key && a[i].key_len == b[i].key_len &&
				    a[i].key_escaped == b[i].key_escaped && a[i].val == b[i].val &&
				    a[i].val_len == b[i].val_len, "member %zu read by its quotes as scanned", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct json_error err;
	struct json_iter it;
	struct json_field f;
	struct record rec;
	int r;

	/* Any value: the scanner's core. */
	const char *end = json_skip_value(text, text + size, 0, text, &err);
	if (!end)
		FUZZ_ASSERT(err.offset <= size, "error offset inside the text");
	else
		FUZZ_ASSERT(end > text && end <= text + size, "value end inside the text");

	if (json_object_validate(text, size, &err) == 0) {
		FUZZ_ASSERT(record_classify(&rec, text, size, NULL) == 0, "valid object classifies");
		json_object_open(&it, text, size, NULL);
		while ((r = json_object_next(&it, &f, NULL)) == 1) {
			struct buf key = BUF_INIT;
			const char *v;
			size_t vn;
			json_key_decode(&key, &f);
			/* A key without NUL finds a member (the first of that name). */
			if (key.data && strlen(key.data) == key.len) {
				FUZZ_ASSERT(json_object_get(text, size, key.data, &v, &vn) == 1,
					    "json_object_get finds key '%s'", key.data);
			}
			buf_free(&key);
			walk_value(f.val, f.val_len, 0);
		}
		FUZZ_ASSERT(r == 0, "valid object iterates to its end");
		if (rec.kind == RECORD_CONTROL) {
			struct buf s = BUF_INIT;
			record_get_string(&rec, "path", &s);
			record_get_int(&rec, "size", -1);
			buf_free(&s);
		}
	} else {
		FUZZ_ASSERT(err.offset <= size, "error offset inside the text");
	}
	if (size && text[0] == '[' && json_array_open(&it, text, size, NULL) == 0) {
		const char *v;
		size_t vn;
		while (json_array_next(&it, &v, &vn, NULL) == 1)
			;
	}
	utf8_valid(text, size);
	check_locate(text, size);
	check_indexed(text, size);
	free(text);
	return 0;
}
