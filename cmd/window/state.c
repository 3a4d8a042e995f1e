#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "json.h"
#include "state.h"
#include "timestamp.h"
#include "value.h"

void table_init(struct window_table *t, const struct window_spec *spec)
{
	memset(t, 0, sizeof(*t));
	t->spec = spec;
	t->cap = 1024;
	t->slot = xmalloc(t->cap * sizeof(*t->slot));
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
}

static void window_free(const struct window_spec *spec, struct window *w)
{
	for (size_t i = 0; i < spec->n_aggs; i++) {
		decimal_free(&w->agg[i].sum);
		free(w->agg[i].text);
		distinct_free(&w->agg[i].distinct);
	}
	free(w->keys);
	free(w);
}

void table_free(struct window_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i])
			window_free(t->spec, t->slot[i]);
	free(t->slot);
	for (int i = 0; i < 2; i++) {
		decimal_free(&t->scratch[i]);
		buf_free(&t->text[i]);
	}
	buf_free(&t->window_text);
}

static unsigned long long entry_hash(long long start, const char *keys, size_t n)
{
	unsigned long long h = hash64(keys, n) ^
		((unsigned long long)start * 0x9e3779b97f4a7c15ULL);

	return h ^ (h >> 31);
}

static size_t find_slot(const struct window_table *t, long long start,
			const char *keys, size_t n, unsigned long long h)
{
	size_t mask = t->cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		const struct window *w = t->slot[i];
		if (!w || (w->hash == h && w->start == start && w->keys_len == n &&
			   (!n || !memcmp(w->keys, keys, n))))
			return i;
	}
}

/* Re-insert every entry into a table of CAP slots. */
static void rehash(struct window_table *t, size_t cap)
{
	struct window **old = t->slot;
	size_t old_cap = t->cap;

	t->cap = cap;
	t->slot = xmalloc(cap * sizeof(*t->slot));
	memset(t->slot, 0, cap * sizeof(*t->slot));
	for (size_t i = 0; i < old_cap; i++) {
		struct window *w = old[i];
		if (w)
			t->slot[find_slot(t, w->start, w->keys, w->keys_len, w->hash)] = w;
	}
	free(old);
}

struct window *table_get(struct window_table *t, long long start,
			 const char *keys, size_t keys_len)
{
	unsigned long long h = entry_hash(start, keys, keys_len);
	size_t i, size;
	struct window *w;

	if ((t->count + 1) * 10 > t->cap * 7)
		rehash(t, t->cap * 2);
	i = find_slot(t, start, keys, keys_len, h);
	if (t->slot[i])
		return t->slot[i];
	size = sizeof(*w) + t->spec->n_aggs * sizeof(w->agg[0]);
	w = xmalloc(size);
	memset(w, 0, size);
	w->start = start;
	w->hash = h;
	w->keys = xmalloc(keys_len + 1);
	if (keys_len)
		memcpy(w->keys, keys, keys_len);
	w->keys[keys_len] = '\0';
	w->keys_len = keys_len;
	t->slot[i] = w;
	t->count++;
	return w;
}

/* A JSON number, or a string holding a decimal number, into D; 0 or -1. */
static int numeric(struct decimal *d, const char *val, size_t len)
{
	if (json_is_string(val, len))
		return decimal_parse(d, val + 1, len - 2);
	if (len && (val[0] == '-' || (val[0] >= '0' && val[0] <= '9')))
		return decimal_parse(d, val, len);
	return -1;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/*
 * The order of min and max: numbers (JSON numbers and strings holding a
 * decimal, compared exactly) before other strings (compared by their UTF-8
 * bytes, i.e. by code point, as Spark compares strings) before anything
 * else (true, false, objects, arrays: by their JSON text).
 */
static int value_cmp(struct window_table *t, const char *a, size_t alen,
		     const char *b, size_t blen)
{
	bool an = numeric(&t->scratch[0], a, alen) == 0;
	bool bn = numeric(&t->scratch[1], b, blen) == 0;
	int ra, rb;

	if (an && bn)
		return decimal_cmp(&t->scratch[0], &t->scratch[1]);
	ra = an ? 0 : json_is_string(a, alen) ? 1 : 2;
	rb = bn ? 0 : json_is_string(b, blen) ? 1 : 2;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 1 && (memchr(a, '\\', alen) || memchr(b, '\\', blen))) {
		buf_reset(&t->text[0]);
		buf_reset(&t->text[1]);
		json_string_decode(&t->text[0], a, alen);
		json_string_decode(&t->text[1], b, blen);
		return bytes_cmp(t->text[0].data, t->text[0].len,
				 t->text[1].data, t->text[1].len);
	}
	if (ra == 1)
		return bytes_cmp(a + 1, alen - 2, b + 1, blen - 2);
	return bytes_cmp(a, alen, b, blen);
}

int window_add(struct window_table *t, struct window *w, size_t i,
	       const char *val, size_t len)
{
	const struct agg_spec *a = &t->spec->aggs[i];
	struct agg_state *s = &w->agg[i];

	/* SQL aggregates ignore NULL; a missing field is NULL. */
	if (a->kind == AGG_COUNT || !val || (len == 4 && !memcmp(val, "null", 4)))
		return 0;
	switch (a->kind) {
	case AGG_SUM:
	case AGG_AVG:
		if (numeric(&t->scratch[0], val, len) < 0)
			return -1;
		decimal_add(&s->sum, &t->scratch[0]);
		s->n++;
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (s->text) {
			int c = value_cmp(t, val, len, s->text, s->len);
			if (a->kind == AGG_MIN ? c >= 0 : c <= 0)
				break;
		}
		s->text = xrealloc(s->text, len + 1);
		memcpy(s->text, val, len);
		s->text[len] = '\0';
		s->len = len;
		break;
	case AGG_DISTINCT:
		distinct_add(&s->distinct, hash64(val, len));
		break;
	case AGG_COUNT:
		break;
	}
	return 0;
}

static int window_order(const void *pa, const void *pb)
{
	const struct window *a = *(struct window *const *)pa;
	const struct window *b = *(struct window *const *)pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return bytes_cmp(a->keys, a->keys_len, b->keys, b->keys_len);
}

struct window **table_select(struct window_table *t,
			     bool (*keep)(const struct window *, long long),
			     long long arg, size_t *count)
{
	struct window **list = xmalloc((t->count ? t->count : 1) * sizeof(*list));
	size_t n = 0;

	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i] && keep(t->slot[i], arg))
			list[n++] = t->slot[i];
	qsort(list, n, sizeof(*list), window_order);
	*count = n;
	return list;
}

size_t table_evict(struct window_table *t, long long watermark)
{
	size_t removed = 0;

	if (watermark == NO_WATERMARK)
		return 0;
	for (size_t i = 0; i < t->cap; i++) {
		struct window *w = t->slot[i];
		/* Spark: a window is done once watermark >= its end. */
		if (w && w->start + t->spec->size_us <= watermark) {
			window_free(t->spec, w);
			t->slot[i] = NULL;
			removed++;
		}
	}
	if (removed) {
		t->count -= removed;
		rehash(t, t->cap);
	}
	return removed;
}

void window_format(struct window_table *t, const struct window *w, struct buf *out)
{
	/* Rows come sorted by start: format each window's bounds once. */
	if (!t->window_text.len || t->window_text_start != w->start) {
		buf_reset(&t->window_text);
		buf_adds(&t->window_text, "{\"window\":{\"start\":\"");
		timestamp_format(w->start, &t->window_text);
		buf_adds(&t->window_text, "\",\"end\":\"");
		timestamp_format(w->start + t->spec->size_us, &t->window_text);
		buf_adds(&t->window_text, "\"}");
		t->window_text_start = w->start;
	}
	buf_add(out, t->window_text.data, t->window_text.len);
	buf_add(out, w->keys, w->keys_len);
	for (size_t i = 0; i < t->spec->n_aggs; i++) {
		const struct agg_spec *a = &t->spec->aggs[i];
		const struct agg_state *s = &w->agg[i];
		buf_adds(out, a->label);
		switch (a->kind) {
		case AGG_COUNT:
			buf_printf(out, "%lld", w->rows);
			break;
		case AGG_SUM:
			if (s->n)
				decimal_format(&s->sum, out);
			else
				buf_adds(out, "null");
			break;
		case AGG_AVG:
			/* Spark: avg of DECIMAL(p,s) is DECIMAL(p+4,s+4), HALF_UP. */
			if (s->n)
				decimal_format_quotient(&s->sum, (unsigned long long)s->n, 4, out);
			else
				buf_adds(out, "null");
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (s->text)
				buf_add(out, s->text, s->len);
			else
				buf_adds(out, "null");
			break;
		case AGG_DISTINCT:
			buf_printf(out, "%lld", distinct_estimate(&s->distinct));
			break;
		}
	}
	buf_adds(out, "}\n");
}

static const char *const agg_names[] = {
	"count", "sum", "avg", "min", "max", "approx_count_distinct"
};

void spec_describe(const struct window_spec *spec, const char *time_field,
		   const char *mode, struct buf *out)
{
	buf_printf(out, "time=%s window=%lldus slide=%lldus group-by=", time_field,
		   spec->size_us, spec->slide_us);
	for (size_t i = 0; i < spec->n_keys; i++)
		buf_printf(out, "%s%s", i ? "," : "", spec->keys[i]);
	buf_adds(out, " agg=");
	for (size_t i = 0; i < spec->n_aggs; i++)
		buf_printf(out, "%s%s%s%s", i ? "," : "", agg_names[spec->aggs[i].kind],
			   spec->aggs[i].field ? ":" : "",
			   spec->aggs[i].field ? spec->aggs[i].field : "");
	buf_printf(out, " output-mode=%s", mode);
}

static bool keep_all(const struct window *w, long long unused)
{
	return true;
}

void table_snapshot(struct window_table *t, long long batch, long long watermark,
		    const char *options, struct buf *out)
{
	size_t n;
	struct window **list = table_select(t, keep_all, 0, &n);

	buf_printf(out, "{\"layout\":%d,\"batch\":%lld,\"watermark\":", STATE_LAYOUT, batch);
	if (watermark == NO_WATERMARK) {
		buf_adds(out, "null");
	} else {
		buf_addc(out, '"');
		timestamp_format(watermark, out);
		buf_addc(out, '"');
	}
	buf_printf(out, ",\"windows\":%zu,\"options\":", n);
	json_string_encode(out, options, strlen(options));
	buf_adds(out, "}\n");
	for (size_t k = 0; k < n; k++) {
		const struct window *w = list[k];
		buf_adds(out, "{\"start\":\"");
		timestamp_format(w->start, out);
		buf_adds(out, "\",\"keys\":{");
		if (w->keys_len)
			buf_add(out, w->keys + 1, w->keys_len - 1);
		buf_printf(out, "},\"rows\":%lld,\"aggs\":[", w->rows);
		for (size_t i = 0; i < t->spec->n_aggs; i++) {
			const struct agg_state *s = &w->agg[i];
			if (i)
				buf_addc(out, ',');
			switch (t->spec->aggs[i].kind) {
			case AGG_COUNT:
				buf_printf(out, "%lld", w->rows);
				break;
			case AGG_SUM:
			case AGG_AVG:
				buf_addc(out, '[');
				decimal_format(&s->sum, out);
				buf_printf(out, ",%lld]", s->n);
				break;
			case AGG_MIN:
			case AGG_MAX:
				if (s->text)
					buf_add(out, s->text, s->len);
				else
					buf_adds(out, "null");
				break;
			case AGG_DISTINCT:
				distinct_format(&s->distinct, out);
				break;
			}
		}
		buf_adds(out, "]}\n");
	}
	free(list);
}

/* ---- reading a snapshot back ---- */

struct reader {
	const char *path;
	unsigned long lineno;
};

static void __attribute__((noreturn)) malformed(const struct reader *r, const char *what)
{
	die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); restore it "
	    "or start a new checkpoint", r->path, r->lineno, what);
}

static bool get_count(const char *v, size_t n, long long *out)
{
	*out = 0;
	if (!n || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		*out = *out * 10 + (v[i] - '0');
	}
	return true;
}

static void restore_agg(struct window_table *t, const struct reader *r,
			struct window *w, size_t i, const char *v, size_t n)
{
	struct agg_state *s = &w->agg[i];
	struct json_iter it;
	const char *e;
	size_t en;

	switch (t->spec->aggs[i].kind) {
	case AGG_COUNT:
		break;
	case AGG_SUM:
	case AGG_AVG:
		if (json_array_open(&it, v, n, NULL) < 0 ||
		    json_array_next(&it, &e, &en, NULL) != 1 ||
		    decimal_parse(&s->sum, e, en) < 0 ||
		    json_array_next(&it, &e, &en, NULL) != 1 ||
		    !get_count(e, en, &s->n) ||
		    json_array_next(&it, &e, &en, NULL) != 0)
			malformed(r, "bad sum state");
		break;
	case AGG_MIN:
	case AGG_MAX:
		if (n == 4 && !memcmp(v, "null", 4))
			break;
		s->text = xmalloc(n + 1);
		memcpy(s->text, v, n);
		s->text[n] = '\0';
		s->len = n;
		break;
	case AGG_DISTINCT:
		if (distinct_parse(&s->distinct, v, n) < 0)
			malformed(r, "bad approx_count_distinct state");
		break;
	}
}

static void restore_entry(struct window_table *t, const struct reader *r,
			  const char *line, size_t len, struct buf *keys)
{
	const struct window_spec *spec = t->spec;
	struct json_iter it;
	struct json_field f;
	const char *v, *e;
	size_t n, en, i = 0;
	long long start, rows;
	struct window *w;

	if (json_object_validate(line, len, NULL) < 0)
		malformed(r, "not a JSON object");
	if (json_object_get(line, len, "start", &v, &n) != 1 || !json_is_string(v, n) ||
	    datetime_parse(v + 1, n - 2, NULL, &start) < 0 ||
	    floor_div(start, spec->slide_us) * spec->slide_us != start)
		malformed(r, "bad window start");
	buf_reset(keys);
	if (json_object_get(line, len, "keys", &v, &n) != 1 ||
	    json_object_open(&it, v, n, NULL) < 0)
		malformed(r, "no group keys");
	while (json_object_next(&it, &f, NULL) == 1) {
		if (i >= spec->n_keys || !json_key_is(&f, spec->keys[i]))
			malformed(r, "group keys differ from --group-by");
		buf_adds(keys, spec->key_labels[i++]);
		buf_add(keys, f.val, f.val_len);
	}
	if (i != spec->n_keys)
		malformed(r, "group keys differ from --group-by");
	if (json_object_get(line, len, "rows", &v, &n) != 1 || !get_count(v, n, &rows) ||
	    rows < 1)
		malformed(r, "bad row count");
	w = table_get(t, start, keys->data, keys->len);
	if (w->rows)
		malformed(r, "window and keys repeated");
	w->rows = rows;
	if (json_object_get(line, len, "aggs", &v, &n) != 1 ||
	    json_array_open(&it, v, n, NULL) < 0)
		malformed(r, "no aggregates");
	for (i = 0; i < spec->n_aggs; i++) {
		if (json_array_next(&it, &e, &en, NULL) != 1)
			malformed(r, "aggregates differ from --agg");
		restore_agg(t, r, w, i, e, en);
	}
	if (json_array_next(&it, &e, &en, NULL) != 0)
		malformed(r, "aggregates differ from --agg");
}

void table_restore(struct window_table *t, const char *path, struct buf *text,
		   long long batch, const char *options, long long *watermark)
{
	struct reader r = { path, 1 };
	struct buf stored = BUF_INIT, keys = BUF_INIT;
	const char *p = text->data, *end = text->data + text->len, *v, *nl;
	size_t n, len;
	long long layout, at;

	if (!text->len || text->data[text->len - 1] != '\n')
		malformed(&r, "truncated");
	nl = memchr(p, '\n', (size_t)(end - p));
	len = (size_t)(nl - p);
	if (json_object_validate(p, len, NULL) < 0)
		malformed(&r, "the header is not a JSON object");
	if (json_object_get(p, len, "layout", &v, &n) != 1 || !get_count(v, n, &layout))
		malformed(&r, "no layout");
	if (layout > STATE_LAYOUT)
		die(EX_DATAERR, "checkpoint file '%s' has layout %lld, newer than this "
		    "inlet understands (%d); upgrade inlet", path, layout, STATE_LAYOUT);
	if (json_object_get(p, len, "batch", &v, &n) != 1 || !get_count(v, n, &at) ||
	    at != batch)
		malformed(&r, "not the state of its batch");
	if (json_object_get(p, len, "watermark", &v, &n) != 1)
		malformed(&r, "no watermark");
	if (n == 4 && !memcmp(v, "null", 4))
		*watermark = NO_WATERMARK;
	else if (!json_is_string(v, n) || datetime_parse(v + 1, n - 2, NULL, watermark) < 0)
		malformed(&r, "bad watermark");
	if (json_object_get(p, len, "options", &v, &n) != 1 || !json_is_string(v, n))
		malformed(&r, "no options");
	json_string_decode(&stored, v, n);
	if (strcmp(stored.data, options))
		die(EX_USAGE, "checkpoint file '%s' holds the state of other options "
		    "(%s); run with the same options or start a new checkpoint",
		    path, stored.data);
	for (p = nl + 1; p < end; p = nl + 1) {
		r.lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		restore_entry(t, &r, p, (size_t)(nl - p), &keys);
	}
	buf_free(&stored);
	buf_free(&keys);
}
