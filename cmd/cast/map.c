/*
 * cast --map through libjq 1.6: exact numbers and $__batch (see map.h).
 *
 * Exact numbers rest on one fact of libjq 1.6: a number is a jv struct
 * whose value is u.number, and the struct's size field, unused for
 * numbers, is copied wherever the value goes (jv_copy is a struct copy;
 * arrays and objects store the struct).  Arithmetic makes a new number
 * with jv_number(), size 0.  So the row is built here, not by jv_parse,
 * with each number's size set to 1 + its index in a per-row table of
 * literal texts, and the writer puts that text back for a number whose
 * tag and double both match the table.
 */
#include <jq.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datetime.h"
#include "die.h"
#include "json.h"
#include "map.h"

struct number_text {
	const char *text;	/* inside the row being mapped */
	size_t len;
	double value;
};

struct map {
	jq_state *jq;
	jv batch;		/* $__batch of the current batch */
	bool have_batch;
	bool batch_given;	/* `input` gave $__batch for the current row */
	struct number_text *nums;	/* the current row's number literals */
	size_t nnums, cap;
	struct buf scratch;	/* a decoded key or string, copied at once */
	struct buf out;		/* one output object's text */
	struct json_error err;	/* the row builder's failure */
};

static void jq_error_cb(void *data, jv msg)
{
	struct buf *errors = data;

	if (jv_get_kind(msg) == JV_KIND_STRING)
		buf_printf(errors, "%s\n", jv_string_value(msg));
	jv_free(msg);
}

/*
 * `input` in the program: the wrapper's one call per row gets $__batch;
 * any other gets "no more inputs", as without the wrapper.
 */
static jv batch_input(jq_state *jq, void *data)
{
	struct map *m = data;

	if (m->batch_given)
		return jv_invalid();
	m->batch_given = true;
	return jv_copy(m->batch);
}

static bool try_compile(jq_state *jq, const char *text, jv args)
{
	return jq_compile_args(jq, text, args) != 0;
}

/*
 * The program does not compile: jq's messages, then exit 64 with
 * everything freed, so that the sanitizer build reports no leak.
 */
static void compile_failed(struct map *m, const char *program, struct buf *errors,
			   struct buf *wrapped)
{
	error("cannot compile --map '%s':\n%s", program,
	      errors->len ? errors->data : "unknown error");
	jq_teardown(&m->jq);
	free(m);
	buf_free(errors);
	buf_free(wrapped);
	exit(EX_USAGE);
}

struct map *map_new(const char *program)
{
	struct map *m = xmalloc(sizeof(*m));
	struct buf errors = BUF_INIT, wrapped = BUF_INIT;

	memset(m, 0, sizeof(*m));
	m->jq = jq_init();
	if (!m->jq)
		die(EX_OSERR, "cannot start libjq");
	jq_set_error_cb(m->jq, jq_error_cb, &errors);
	/*
	 * $__batch is bound per row, not per compile: libjq 1.6 binds
	 * jq_compile_args variables as constants, and a compile costs tens
	 * of milliseconds.  The wrapper is on the program's first line, so
	 * jq's line numbers stay the user's.  Always an object of
	 * arguments: the 1.6 array form double-frees.
	 */
	buf_printf(&wrapped, "input as $__batch | %s", program);
	if (!try_compile(m->jq, wrapped.data, jv_object())) {
		/* Compile the program alone, for messages about the user's text. */
		buf_reset(&errors);
		if (!try_compile(m->jq, program,
				 jv_object_set(jv_object(), jv_string("__batch"), jv_null())))
			compile_failed(m, program, &errors, &wrapped);
		/* It compiles alone: only definitions, or nothing, which is `.` */
		buf_adds(&wrapped, "\n.");
		buf_reset(&errors);
		if (!try_compile(m->jq, wrapped.data, jv_object()))
			compile_failed(m, program, &errors, &wrapped);
	}
	/* Later messages (runtime errors) come back through jq_next. */
	jq_set_error_cb(m->jq, NULL, NULL);
	jq_set_input_cb(m->jq, batch_input, m);
	m->batch = jv_null();
	buf_free(&errors);
	buf_free(&wrapped);
	return m;
}

void map_free(struct map *m)
{
	if (!m)
		return;
	jq_teardown(&m->jq);
	jv_free(m->batch);
	free(m->nums);
	buf_free(&m->scratch);
	buf_free(&m->out);
	free(m);
}

void map_begin_batch(struct map *m, long long id, const char *checkpoint)
{
	char now[32];
	jv b = jv_object();

	iso8601_now(now);
	b = jv_object_set(b, jv_string("time"), jv_string(now));
	b = jv_object_set(b, jv_string("id"), id < 0 ? jv_null() : jv_number((double)id));
	b = jv_object_set(b, jv_string("checkpoint"),
			  checkpoint && *checkpoint ? jv_string(checkpoint) : jv_null());
	jv_free(m->batch);
	m->batch = b;
	m->have_batch = true;
}

/* ---- the row, as jq values with tagged numbers ---- */

static bool build_value(struct map *m, const char *p, size_t len, jv *out);

static jv string_value(struct map *m, const char *raw, size_t len)
{
	if (!memchr(raw, '\\', len))
		return jv_string_sized(raw + 1, (int)(len - 2));
	buf_reset(&m->scratch);
	json_string_decode(&m->scratch, raw, len);
	/* jv_string_sized turns bytes that are not UTF-8 into U+FFFD, as jq's parser does. */
	return jv_string_sized(m->scratch.data, (int)m->scratch.len);
}

static jv number_value(struct map *m, const char *p, size_t len)
{
	/* The text ends at a delimiter, never past the row's NUL: strtod stops there. */
	double d = strtod(p, NULL);
	jv n = jv_number(d);

	if (m->nnums == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->nums = xrealloc(m->nums, m->cap * sizeof(*m->nums));
	}
	m->nums[m->nnums] = (struct number_text){ p, len, d };
	/* The tag (see the top of this file); INT_MAX numbers in a row is beyond any line. */
	n.size = (int)++m->nnums;
	return n;
}

static bool build_object(struct map *m, const char *p, size_t len, jv *out)
{
	struct json_iter it;
	struct json_field f;
	jv obj = jv_object();
	int r;

	if (json_object_open(&it, p, len, &m->err) < 0) {
		jv_free(obj);
		return false;
	}
	while ((r = json_object_next(&it, &f, &m->err)) == 1) {
		jv key, val;
		if (f.key_escaped) {
			buf_reset(&m->scratch);
			json_key_decode(&m->scratch, &f);
			key = jv_string_sized(m->scratch.data, (int)m->scratch.len);
		} else {
			key = jv_string_sized(f.key, (int)f.key_len);
		}
		if (!build_value(m, f.val, f.val_len, &val)) {
			jv_free(key);
			jv_free(obj);
			return false;
		}
		/* A repeated key: the last value, at the first one's place, as jq reads it. */
		obj = jv_object_set(obj, key, val);
	}
	if (r < 0) {
		jv_free(obj);
		return false;
	}
	*out = obj;
	return true;
}

static bool build_array(struct map *m, const char *p, size_t len, jv *out)
{
	struct json_iter it;
	const char *v;
	size_t vlen;
	jv arr = jv_array();
	int r;

	if (json_array_open(&it, p, len, &m->err) < 0) {
		jv_free(arr);
		return false;
	}
	while ((r = json_array_next(&it, &v, &vlen, &m->err)) == 1) {
		jv val;
		if (!build_value(m, v, vlen, &val)) {
			jv_free(arr);
			return false;
		}
		arr = jv_array_append(arr, val);
	}
	if (r < 0) {
		jv_free(arr);
		return false;
	}
	*out = arr;
	return true;
}

/* The value P (LEN bytes, already validated by the stream reader) as a jv. */
static bool build_value(struct map *m, const char *p, size_t len, jv *out)
{
	switch (*p) {
	case '{': return build_object(m, p, len, out);
	case '[': return build_array(m, p, len, out);
	case '"': *out = string_value(m, p, len); return true;
	case 't': *out = jv_true(); return true;
	case 'f': *out = jv_false(); return true;
	case 'n': *out = jv_null(); return true;
	default: *out = number_value(m, p, len); return true;
	}
}

/* ---- jq's outputs, as text ---- */

static void write_number(struct map *m, jv v, struct buf *out)
{
	double d = jv_number_value(v);

	if (v.size > 0 && (size_t)v.size <= m->nnums) {
		const struct number_text *n = &m->nums[v.size - 1];
		if (!memcmp(&n->value, &d, sizeof(d))) {
			buf_add(out, n->text, n->len);
			return;
		}
	}
	/* Computed: exactly as jq writes it (NaN as null, infinities as +-DBL_MAX). */
	jv s = jv_dump_string(jv_copy(v), 0);
	buf_adds(out, jv_string_value(s));
	jv_free(s);
}

/* Append the value V (borrowed) as JSON; false when nested too deep for the stream. */
static bool write_value(struct map *m, jv v, int depth, struct buf *out)
{
	bool ok = true;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL: buf_add(out, "null", 4); break;
	case JV_KIND_TRUE: buf_add(out, "true", 4); break;
	case JV_KIND_FALSE: buf_add(out, "false", 5); break;
	case JV_KIND_NUMBER: write_number(m, v, out); break;
	case JV_KIND_STRING:
		json_string_encode(out, jv_string_value(v),
				   (size_t)jv_string_length_bytes(jv_copy(v)));
		break;
	case JV_KIND_ARRAY: {
		if (depth > JSON_MAX_DEPTH)
			return false;
		int n = jv_array_length(jv_copy(v));
		buf_addc(out, '[');
		for (int i = 0; i < n && ok; i++) {
			jv e = jv_array_get(jv_copy(v), i);
			if (i)
				buf_addc(out, ',');
			ok = write_value(m, e, depth + 1, out);
			jv_free(e);
		}
		buf_addc(out, ']');
		break;
	}
	case JV_KIND_OBJECT: {
		bool first = true;
		if (depth > JSON_MAX_DEPTH)
			return false;
		buf_addc(out, '{');
		jv_object_foreach(v, key, val) {
			if (!first)
				buf_addc(out, ',');
			first = false;
			if (ok) {
				json_string_encode(out, jv_string_value(key),
						   (size_t)jv_string_length_bytes(jv_copy(key)));
				buf_addc(out, ':');
				ok = write_value(m, val, depth + 1, out);
			}
			jv_free(key);
			jv_free(val);
		}
		buf_addc(out, '}');
		break;
	}
	default:
		ok = false;	/* invalid: jq_next never gives one as an output */
	}
	return ok;
}

/* ---- one row ---- */

/* REASON: "--map failed: MSG" from jq's error value R (consumed). */
static void failure(jv r, struct buf *reason)
{
	jv msg = jv_invalid_get_msg(r);
	jv text = jv_get_kind(msg) == JV_KIND_STRING ? jv_copy(msg) :
		  jv_dump_string(jv_copy(msg), 0);

	buf_printf(reason, "--map failed: %s", jv_string_value(text));
	jv_free(text);
	jv_free(msg);
}

enum map_result map_row(struct map *m, const char *text, size_t len,
			map_emit_fn *emit, void *data, struct buf *reason)
{
	jv input, r;

	buf_reset(reason);
	if (!m->have_batch)
		map_begin_batch(m, -1, NULL);
	m->nnums = 0;
	if (!build_value(m, text, len, &input)) {
		buf_printf(reason, "--map cannot read the row: %s at byte %zu",
			   m->err.msg, m->err.offset);
		return MAP_ROW_FAILED;
	}
	m->batch_given = false;
	jq_start(m->jq, input, 0);
	while (jv_is_valid(r = jq_next(m->jq))) {
		if (jv_get_kind(r) != JV_KIND_OBJECT) {
			buf_printf(reason, "--map must give objects, it gave a%s %s",
				   jv_get_kind(r) == JV_KIND_ARRAY ? "n" : "",
				   jv_kind_name(jv_get_kind(r)));
			jv_free(r);
			return MAP_NOT_OBJECT;
		}
		buf_reset(&m->out);
		bool ok = write_value(m, r, 0, &m->out);
		jv_free(r);
		if (!ok) {
			buf_printf(reason, "--map gave an object nested deeper than %d levels",
				   JSON_MAX_DEPTH + 1);
			return MAP_ROW_FAILED;
		}
		emit(m->out.data, m->out.len, data);
	}
	if (!jv_invalid_has_msg(jv_copy(r))) {
		jv_free(r);
		return MAP_OK;
	}
	failure(r, reason);
	return MAP_ROW_FAILED;
}
