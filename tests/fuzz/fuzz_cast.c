/*
 * The casts of libcommon/value.h (value_cast), the decimal converter
 * first.  Input: "TYPE[|PATTERN]\nVALUE" where TYPE is a type name
 * ("DECIMAL(10,2)", "bigint", ...) and VALUE one JSON value, exactly as a
 * row member gives it.  Invariants: the result is one JSON value; a
 * DECIMAL(p,s) result has s fraction digits and at most p digits; INT and
 * BIGINT results are integers; casting the result again gives it back
 * byte for byte (a value already of its type passes unchanged); a value
 * value_timestamp_us reads is what timestamp_format writes for it.
 */
#include <ctype.h>

#include "buf.h"
#include "json.h"
#include "schema.h"
#include "value.h"
#include "fuzz.h"

static void check_decimal(const struct buf *out, struct type t)
{
	const char *p = out->data, *dot;
	size_t digits = 0;

	if (*p == '-')
		p++;
	dot = strchr(p, '.');
	for (const char *q = p; *q; q++)
		if (isdigit((unsigned char)*q))
			digits++;
	FUZZ_ASSERT(t.scale ? dot && strlen(dot + 1) == (size_t)t.scale : !dot,
		    "DECIMAL(%d,%d) result '%s' has the scale", t.precision, t.scale, out->data);
	/* "0.05" for DECIMAL(2,2) has a leading 0 beyond the precision. */
	size_t lead0 = p[0] == '0' ? 1 : 0;
	FUZZ_ASSERT(digits - lead0 <= (size_t)t.precision,
		    "DECIMAL(%d,%d) result '%s' within the precision", t.precision, t.scale,
		    out->data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strndup(data, size);
	char *nl = memchr(in, '\n', size), *bar;
	const char *pattern = NULL, *why = NULL;
	struct type t;

	if (!nl)
		goto out;
	*nl = '\0';
	if ((bar = strchr(in, '|'))) {
		*bar = '\0';
		pattern = bar + 1;
	}
	if (type_parse(in, strlen(in), &t) < 0)
		goto out;
	const char *v = nl + 1;
	size_t n = size - (size_t)(v - in);
	if (!n || json_skip_value(v, v + n, 0, v, NULL) != v + n ||
	    v[0] == ' ' || v[0] == '\t' || v[0] == '\n' || v[0] == '\r')
		goto out;
	char *val = fuzz_strndup((const uint8_t *)v, n);
	struct buf out = BUF_INIT, again = BUF_INIT;
	if (value_cast(val, n, t, pattern, &out, &why) == 0) {
		FUZZ_ASSERT(out.len && json_skip_value(out.data, out.data + out.len, 0,
						       out.data, NULL) == out.data + out.len,
			    "result '%s' is one JSON value", out.data ? out.data : "");
		if (strcmp(out.data, "null")) {
			if (t.kind == TYPE_DECIMAL)
				check_decimal(&out, t);
			if (t.kind == TYPE_INT || t.kind == TYPE_BIGINT)
				FUZZ_ASSERT(strspn(out.data, "-0123456789") == out.len,
					    "integer result '%s'", out.data);
		}
		/* Already converted: ISO text for dates, so no pattern. */
		char *res = fuzz_strndup((const uint8_t *)out.data, out.len);
		int rc = value_cast(res, out.len, t, NULL, &again, &why);
		FUZZ_ASSERT(rc == 0 && again.len == out.len && !memcmp(again.data, out.data, out.len),
			    "cast of the result '%s' gives it back (got '%s')", out.data,
			    rc == 0 ? again.data : why);
		free(res);
	} else {
		FUZZ_ASSERT(why != NULL, "a failed cast gives a reason");
		FUZZ_ASSERT(out.len == 0, "a failed cast leaves OUT unchanged");
	}
	/* Inlet's own timestamp text (value_timestamp_us) is what timestamp_format writes. */
	long long us;
	if (value_timestamp_us(val, n, &us)) {
		struct buf ts = BUF_INIT;
		buf_addc(&ts, '"');
		timestamp_format(us, &ts);
		buf_addc(&ts, '"');
		FUZZ_ASSERT(ts.len == n && !memcmp(ts.data, val, n),
			    "timestamp %s read as %lld us, written back as %s", val, us, ts.data);
		buf_free(&ts);
	}
	/* Inference of the same text, as rescue's schema inference reads CSV. */
	bool is_null;
	const struct infer_rules rules = { .text = true, .examine_text = true,
					   .prefers_decimal = data[0] & 1 };
	value_infer(val, n, &rules, &is_null);
	buf_free(&out);
	buf_free(&again);
	free(val);
out:
	free(in);
	return 0;
}
