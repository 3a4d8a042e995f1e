#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "die.h"
#include "json.h"
#include "schema.h"

size_t schema_add(struct schema *s, const char *name, size_t n, struct type t)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->cols = xrealloc(s->cols, s->cap * sizeof(*s->cols));
	}
	s->cols[s->n].name = xmalloc(n + 1);
	if (n)
		memcpy(s->cols[s->n].name, name, n);
	s->cols[s->n].name[n] = '\0';
	s->cols[s->n].name_len = n;
	s->cols[s->n].type = t;
	return s->n++;
}

void schema_free(struct schema *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->cols[i].name);
	free(s->cols);
	s->cols = NULL;
	s->n = s->cap = 0;
	s->version = -1;
}

void schema_copy(struct schema *dst, const struct schema *src)
{
	schema_free(dst);
	for (size_t i = 0; i < src->n; i++)
		schema_add(dst, src->cols[i].name, src->cols[i].name_len,
			   src->cols[i].type);
	dst->version = src->version;
}

/* Is column C named by the N bytes of NAME?  Inline: it runs per field. */
static inline bool name_is(const struct column_def *c, const char *name, size_t n)
{
	return c->name_len == n && names_equal(c->name, name, n);
}

long schema_find(const struct schema *s, const char *name, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (name_is(&s->cols[i], name, n))
			return (long)i;
	return -1;
}

long schema_find_nocase(const struct schema *s, const char *name, size_t n)
{
	/* Byte by byte over both lengths: a decoded name may hold NUL. */
	for (size_t i = 0; i < s->n; i++) {
		const struct column_def *c = &s->cols[i];
		size_t k = 0;

		if (c->name_len != n)
			continue;
		while (k < n && tolower((unsigned char)c->name[k]) ==
				tolower((unsigned char)name[k]))
			k++;
		if (k == n)
			return (long)i;
	}
	return -1;
}

void type_name(struct type t, struct buf *out)
{
	static const char *names[] = { "STRING", "INT", "BIGINT", "DOUBLE", "DECIMAL",
				       "BOOLEAN", "DATE", "TIMESTAMP", "JSON" };
	if (t.kind == TYPE_DECIMAL)
		buf_printf(out, "DECIMAL(%d,%d)", t.precision, t.scale);
	else if (t.kind == TYPE_INT && t.precision == 8)
		buf_adds(out, "TINYINT");
	else if (t.kind == TYPE_INT && t.precision == 16)
		buf_adds(out, "SMALLINT");
	else
		buf_adds(out, names[t.kind]);
}

static bool word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && !strncasecmp(p, w, n);
}

int type_parse(const char *text, size_t len, struct type *t)
{
	static const struct { const char *name; enum type_kind kind; int bits; } simple[] = {
		{ "STRING", TYPE_STRING, 0 }, { "VARCHAR", TYPE_STRING, 0 }, { "CHAR", TYPE_STRING, 0 },
		{ "TEXT", TYPE_STRING, 0 }, { "INT", TYPE_INT, 0 }, { "INTEGER", TYPE_INT, 0 },
		{ "SMALLINT", TYPE_INT, 16 }, { "TINYINT", TYPE_INT, 8 },
		{ "SHORT", TYPE_INT, 16 }, { "BYTE", TYPE_INT, 8 },
		{ "BIGINT", TYPE_BIGINT, 0 }, { "LONG", TYPE_BIGINT, 0 },
		{ "DOUBLE", TYPE_DOUBLE, 0 }, { "FLOAT", TYPE_DOUBLE, 0 }, { "REAL", TYPE_DOUBLE, 0 },
		{ "BOOLEAN", TYPE_BOOLEAN, 0 }, { "BOOL", TYPE_BOOLEAN, 0 }, { "DATE", TYPE_DATE, 0 },
		{ "TIMESTAMP", TYPE_TIMESTAMP, 0 }, { "TIMESTAMP_NTZ", TYPE_TIMESTAMP, 0 },
		{ "TIMESTAMP_LTZ", TYPE_TIMESTAMP, 0 }, { "JSON", TYPE_JSON, 0 },
		{ "VARIANT", TYPE_JSON, 0 },
	};
	const char *p = text, *end = text + len;
	size_t n;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (n = 0; p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_'); n++)
		;
	memset(t, 0, sizeof(*t));
	if (word_is(p, n, "DECIMAL") || word_is(p, n, "DEC") || word_is(p, n, "NUMERIC")) {
		const char *q = p + n;
		t->kind = TYPE_DECIMAL;
		t->precision = 10;
		t->scale = 0;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q == end)
			return 0;
		char *e;
		if (*q++ != '(')
			return -1;
		/* Digits only, so that "(10,)" and "(4294967306,0)" are refused. */
		long v = strtol(q, &e, 10);
		if (e == q || v < 1 || v > 38)
			return -1;
		t->precision = (int)v;
		q = e;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q < end && *q == ',') {
			q++;
			while (q < end && isspace((unsigned char)*q))
				q++;
			v = strtol(q, &e, 10);
			if (e == q || v < 0 || v > 38)
				return -1;
			t->scale = (int)v;
			q = e;
		}
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q + 1 != end || *q != ')' || t->precision < 1 || t->precision > 38 ||
		    t->scale < 0 || t->scale > t->precision)
			return -1;
		return 0;
	}
	if (word_is(p, n, "STRUCT") || word_is(p, n, "ARRAY") || word_is(p, n, "MAP")) {
		t->kind = TYPE_JSON;
		return 0;
	}
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (!word_is(p, n, simple[i].name))
			continue;
		const char *q = p + n;
		/* VARCHAR(n) and CHAR(n): the length is not enforced. */
		if (q < end && *q == '(' && t->kind == TYPE_STRING && simple[i].kind == TYPE_STRING) {
			while (q < end && *q != ')')
				q++;
			q++;
		}
		if (q != end)
			return -1;
		t->kind = simple[i].kind;
		t->precision = simple[i].bits;
		return 0;
	}
	return -1;
}

/* Skip a balanced <...> or (...) starting at P; returns the end or NULL. */
static const char *skip_brackets(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '<' || *p == '(')
			depth++;
		else if (*p == '>' || *p == ')') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

int schema_parse_ddl(struct schema *s, const char *ddl, struct buf *err)
{
	const char *p = ddl;

	for (;;) {
		struct buf name = BUF_INIT;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (*p == '`') {
			const char *q = ++p;
			while (*q && !(*q == '`' && q[1] != '`')) {
				if (*q == '`')
					q++;
				buf_addc(&name, *q++);
			}
			if (*q != '`') {
				buf_printf(err, "unterminated `name` at '%s'", p - 1);
				buf_free(&name);
				return -1;
			}
			p = q + 1;
		} else {
			const char *q = p;
			while (*q && !isspace((unsigned char)*q) && *q != ',' && *q != ':')
				q++;
			buf_add(&name, p, (size_t)(q - p));
			p = q;
		}
		while (isspace((unsigned char)*p) || *p == ':')
			p++;
		const char *t0 = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '(' || *p == '<') {
			const char *e = skip_brackets(p);
			if (!e) {
				buf_printf(err, "unbalanced brackets in the type of '%s'", name.data);
				buf_free(&name);
				return -1;
			}
			p = e;
		}
		struct type t;
		if (!name.len || p == t0 || type_parse(t0, (size_t)(p - t0), &t) < 0) {
			buf_printf(err, "cannot read the column '%s': unknown or missing type '%.*s'",
				   name.len ? name.data : "", (int)(p > t0 ? p - t0 : 1), t0);
			buf_free(&name);
			return -1;
		}
		/* Constraints and comments are accepted and ignored. */
		for (;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (!strncasecmp(p, "NOT NULL", 8)) {
				p += 8;
			} else if (!strncasecmp(p, "COMMENT", 7)) {
				p += 7;
				while (isspace((unsigned char)*p))
					p++;
				if (*p == '\'' || *p == '"') {
					char q = *p++;
					while (*p && *p != q)
						p++;
					if (*p)
						p++;
				}
			} else {
				break;
			}
		}
		if (!utf8_valid(name.data, name.len)) {
			buf_adds(err, "a column name is not valid UTF-8");
			buf_free(&name);
			return -1;
		}
		if (schema_find(s, name.data, name.len) >= 0) {
			buf_printf(err, "column '%s' is declared twice", name.data);
			buf_free(&name);
			return -1;
		}
		schema_add(s, name.data, name.len, t);
		buf_free(&name);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p) {
			buf_printf(err, "unexpected '%s' after the column '%s'", p,
				   s->cols[s->n - 1].name);
			return -1;
		}
		break;
	}
	if (!s->n) {
		buf_adds(err, "no columns");
		return -1;
	}
	return 0;
}

int schema_from_record(struct schema *s, const char *text, size_t len, struct buf *err)
{
	const char *fields, *v, *nv, *tv;
	size_t flen, vlen, nn, tn;
	struct json_iter it;
	struct buf name = BUF_INIT;
	int r;

	if (json_object_validate(text, len, NULL) < 0 ||
	    json_object_get(text, len, "fields", &fields, &flen) != 1 ||
	    json_array_open(&it, fields, flen, NULL) < 0) {
		buf_adds(err, "not a schema record with a \"fields\" array");
		return -1;
	}
	if (json_object_get(text, len, "version", &v, &vlen) == 1)
		s->version = strtoll(v, NULL, 10);
	while ((r = json_array_next(&it, &v, &vlen, NULL)) == 1) {
		struct type t;
		if (json_object_get(v, vlen, "name", &nv, &nn) != 1 || !json_is_string(nv, nn) ||
		    json_object_get(v, vlen, "type", &tv, &tn) != 1 || !json_is_string(tv, tn) ||
		    type_parse(tv + 1, tn - 2, &t) < 0) {
			buf_printf(err, "field %.*s has no valid name and type", (int)vlen, v);
			buf_free(&name);
			return -1;
		}
		buf_reset(&name);
		json_string_decode(&name, nv, nn);
		schema_add(s, name.data, name.len, t);
	}
	buf_free(&name);
	if (r < 0) {
		buf_adds(err, "malformed \"fields\" array");
		return -1;
	}
	return 0;
}

void schema_to_record(const struct schema *s, struct buf *out)
{
	buf_printf(out, "{\"_inlet\":\"schema\",\"version\":%lld,\"fields\":[",
		   s->version < 0 ? 0 : s->version);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			buf_addc(out, ',');
		buf_adds(out, "{\"name\":");
		json_string_encode(out, s->cols[i].name, s->cols[i].name_len);
		buf_adds(out, ",\"type\":\"");
		type_name(s->cols[i].type, out);
		buf_adds(out, "\"}");
	}
	buf_adds(out, "]}");
}

static int numeric_rank(enum type_kind k)
{
	switch (k) {
	case TYPE_INT: return 1;
	case TYPE_BIGINT: return 2;
	case TYPE_DOUBLE: return 3;
	default: return 0;
	}
}

/* A DECIMAL holding every value of the integer or decimal type T. */
static struct type as_decimal(struct type t)
{
	/* Spark's DecimalType.forType: 3, 5, 10 and 20 digits. */
	static const int digits[] = { 3, 5, 10, 20 };
	int bits = type_int_bits(t);
	struct type d = { TYPE_DECIMAL, digits[bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3], 0 };

	return t.kind == TYPE_DECIMAL ? t : d;
}

int type_int_bits(struct type t)
{
	if (t.kind == TYPE_BIGINT)
		return 64;
	return t.kind == TYPE_INT && t.precision ? t.precision : 32;
}

struct type type_widen(struct type a, struct type b)
{
	struct type str = { TYPE_STRING, 0, 0 }, dbl = { TYPE_DOUBLE, 0, 0 };

	if (a.kind == TYPE_INT && b.kind == TYPE_INT)
		return type_int_bits(a) >= type_int_bits(b) ? a : b;
	if (a.kind == b.kind && (a.kind != TYPE_DECIMAL ||
				 (a.precision == b.precision && a.scale == b.scale)))
		return a;
	if (numeric_rank(a.kind) && numeric_rank(b.kind))
		return numeric_rank(a.kind) > numeric_rank(b.kind) ? a : b;
	/* Spark's JsonInferSchema.compatibleType for DECIMAL. */
	if ((a.kind == TYPE_DECIMAL && numeric_rank(b.kind)) ||
	    (b.kind == TYPE_DECIMAL && numeric_rank(a.kind))) {
		if (a.kind == TYPE_DOUBLE || b.kind == TYPE_DOUBLE)
			return dbl;
		a = as_decimal(a);
		b = as_decimal(b);
	}
	if (a.kind == TYPE_DECIMAL && b.kind == TYPE_DECIMAL) {
		int scale = a.scale > b.scale ? a.scale : b.scale;
		int ra = a.precision - a.scale, rb = b.precision - b.scale;
		int range = ra > rb ? ra : rb;
		struct type d = { TYPE_DECIMAL, range + scale, scale };
		return range + scale > 38 ? dbl : d;
	}
	return str;
}
