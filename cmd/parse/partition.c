/*
 * Hive-style partition columns: the key=value folders between a file's
 * source folder and the file become members of each of its rows, as
 * Spark's partition discovery and Auto Loader's cloudFiles.partitionColumns
 * make them.  Values are JSON strings (URL-unescaped, as Spark's
 * unescapePathName does; __HIVE_DEFAULT_PARTITION__ is null): typing them
 * is inference's business (inlet-rescue).
 */
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "json.h"
#include "parse.h"
#include "rowwriter.h"
#include "stream.h"

#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"

/* Append S (N bytes) to OUT with each %XX turned into its byte. */
static void unescape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n &&
		    (hi = hex_digit_value((unsigned char)s[i + 1])) >= 0 && (lo = hex_digit_value((unsigned char)s[i + 2])) >= 0) {
			buf_addc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			buf_addc(out, s[i]);
		}
	}
}

void partition_columns_parse(struct partition_spec *spec, const char *list)
{
	const char *p = list;

	spec->explicit = true;
	spec->n = 0;
	buf_reset(&spec->names);
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			die(EX_USAGE, "invalid value '%s' for --partition-columns: an empty "
			    "name in the list", list);
		if (spec->n == PARTITION_MAX)
			die(EX_USAGE, "invalid value '%s' for --partition-columns: more than "
			    "%d names", list, PARTITION_MAX);
		spec->name[spec->n++] = spec->names.len;
		buf_add(&spec->names, s, len);
		buf_addc(&spec->names, '\0');
		if (!comma)
			break;
		p = comma + 1;
	}
}

/* Add the column NAME (decoded) with the JSON value VAL to P. */
static void add_value(struct partition_values *p, const char *name, size_t name_len,
		      const char *val, size_t val_len)
{
	struct partition_value *v = &p->v[p->n++];

	v->name = p->text.len;
	v->name_len = name_len;
	buf_add(&p->text, name, name_len);
	buf_addc(&p->text, '\0');
	v->val = p->text.len;
	v->val_len = val_len;
	buf_add(&p->text, val, val_len);
	buf_addc(&p->text, '\0');
}

static const char *name_of(const struct partition_values *p, size_t i)
{
	return p->text.data + p->v[i].name;
}

/*
 * The key=value folders of REL (the path below the source, the file's
 * name last), innermost first, into P: Spark's parsePartition walks up
 * from the file's folder and stops at the first folder that is not
 * key=value once it has found one.  A name found twice keeps the
 * innermost value.
 */
static void discover_values(struct partition_values *p, const char *rel)
{
	const char *end = strrchr(rel, '/');
	struct buf name = BUF_INIT, val = BUF_INIT, json = BUF_INIT;

	while (end && end > rel && p->n < PARTITION_MAX) {
		const char *start = end;
		while (start > rel && start[-1] != '/')
			start--;
		const char *eq = memchr(start, '=', (size_t)(end - start));
		buf_reset(&name);
		buf_reset(&val);
		if (eq) {
			unescape(&name, start, (size_t)(eq - start));
			unescape(&val, eq + 1, (size_t)(end - eq - 1));
		}
		if (!name.len || !val.len) {
			if (p->n)
				break;
		} else {
			bool dup = false;
			for (size_t i = 0; i < p->n && !dup; i++)
				dup = p->v[i].name_len == name.len &&
				      !memcmp(name_of(p, i), name.data, name.len);
			if (!dup) {
				buf_reset(&json);
				if (!strcmp(val.data, HIVE_NULL))
					buf_adds(&json, "null");
				else
					encode_lossy(&json, val.data, val.len);
				add_value(p, name.data, name.len, json.data, json.len);
			}
		}
		end = start > rel ? start - 1 : NULL;
	}
	/* Outermost first, as the folders read. */
	for (size_t i = 0, j = p->n ? p->n - 1 : 0; i < j; i++, j--) {
		struct partition_value t = p->v[i];
		p->v[i] = p->v[j];
		p->v[j] = t;
	}
	buf_free(&name);
	buf_free(&val);
	buf_free(&json);
}

void partition_values_find(struct partition_values *p, const struct partition_spec *spec,
			   const char *path, const char *source)
{
	struct partition_values found = { 0 };
	size_t n = source ? strlen(source) : 0;

	p->n = 0;
	buf_reset(&p->text);
	if (spec->explicit && !spec->n)
		return;		/* --partition-columns '': none */
	if (source && n && !strncmp(path, source, n) && path[n] == '/')
		discover_values(spec->explicit ? &found : p, path + n + 1);
	if (!spec->explicit)
		return;
	/* The columns listed, each in every row: null where the path has none. */
	for (size_t i = 0; i < spec->n; i++) {
		const char *want = spec->names.data + spec->name[i];
		size_t k = 0;
		while (k < found.n && strcmp(name_of(&found, k), want))
			k++;
		if (k < found.n)
			add_value(p, want, strlen(want), found.text.data + found.v[k].val,
				  found.v[k].val_len);
		else
			add_value(p, want, strlen(want), "null", 4);
	}
	buf_free(&found.text);
}

void partition_values_apply(const struct partition_values *p, struct buf *row,
			    struct buf *scratch)
{
	bool used[PARTITION_MAX] = { false };
	struct rowwriter w;
	struct record rec;
	const char *text;
	size_t len;

	buf_addc(row, '}');
	if (record_classify(&rec, row->data, row->len, NULL) != 0 || rec.kind != RECORD_ROW)
		die(EX_SOFTWARE, "a row built is not an object: %s", row->data);
	rowwriter_begin(&w, &rec, scratch, NULL);
	/* Spark: a data column named as a partition column takes the folder's value. */
	for (size_t i = 0; i < rec.nfields; i++) {
		const struct json_field *f = &rec.fields[i];
		size_t k = 0;
		while (k < p->n && (used[k] || !json_key_is(f, name_of(p, k))))
			k++;
		if (k < p->n) {
			used[k] = true;
			rowwriter_set(&w, i, p->text.data + p->v[k].val, p->v[k].val_len);
		} else {
			rowwriter_keep(&w, i);
		}
	}
	for (size_t k = 0; k < p->n; k++)
		if (!used[k])
			rowwriter_add(&w, name_of(p, k), p->v[k].name_len,
				      p->text.data + p->v[k].val, p->v[k].val_len);
	text = rowwriter_finish(&w, &len);
	if (text == row->data) {
		row->data[--row->len] = '\0';	/* unchanged: open it again */
		return;
	}
	buf_reset(row);
	buf_add(row, text, len - 1);
}

void partition_values_names(const struct partition_values *p, struct buf *out)
{
	buf_addc(out, '[');
	for (size_t k = 0; k < p->n; k++) {
		if (k)
			buf_addc(out, ',');
		encode_lossy(out, name_of(p, k), p->v[k].name_len);
	}
	buf_addc(out, ']');
}

void partition_values_free(struct partition_values *p)
{
	buf_free(&p->text);
}
