#include <string.h>

#include "json.h"
#include "rowwriter.h"

void rowwriter_begin_new(struct rowwriter *w, struct buf *out)
{
	buf_reset(out);
	buf_addc(out, '{');
	*w = (struct rowwriter){ .out = out, .started = true, .changed = true };
}

void rowwriter_start(struct rowwriter *w, size_t i)
{
	const struct record *rec = w->rec;
	const char *from, *upto;

	if (w->started)
		return;
	w->started = true;
	from = rec->text;	/* blanks before the '{' included */
	if (i >= rec->nfields) {
		/* An addition: all of the row but its closing brace. */
		upto = rec->text + rec->len;
		while (upto[-1] != '}')
			upto--;
		upto--;
		w->members = rec->nfields > 0;
	} else if (i == 0) {
		upto = (const char *)memchr(from, '{', rec->len) + 1;
	} else {
		const struct json_field *prev = &rec->fields[i - 1];
		upto = prev->val + prev->val_len;
		w->members = true;
	}
	buf_add(w->out, from, (size_t)(upto - from));
}

void rowwriter_drop(struct rowwriter *w, size_t i)
{
	rowwriter_start(w, i);
	w->changed = true;
}

void rowwriter_set(struct rowwriter *w, size_t i, const char *val, size_t len)
{
	const struct json_field *f = &w->rec->fields[i];

	if (len == f->val_len && !memcmp(val, f->val, len)) {
		rowwriter_keep(w, i);
		return;
	}
	rowwriter_start(w, i);
	w->changed = true;
	rowwriter_append(w, f->key, f->key_len, val, len);
}

/* The next member is an addition: after REC's members. */
static void start_addition(struct rowwriter *w)
{
	if (!w->started)
		rowwriter_start(w, w->rec->nfields);
	w->changed = true;
}

/* Does KEY need no escape?  The names stages add every row mostly don't. */
static bool plain(const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
			return false;
	}
	return true;
}

/* Append the key KEY, escaped, and its ':' to OUT. */
static void append_key(struct rowwriter *w, const char *key, size_t key_len)
{
	struct buf *out = w->out;

	if (w->members)
		buf_addc(out, ',');
	if (plain(key, key_len)) {
		buf_addc(out, '"');
		buf_add(out, key, key_len);
		buf_add(out, "\":", 2);
	} else {
		json_string_encode(out, key, key_len);
		buf_addc(out, ':');
	}
	w->members = true;
}

void rowwriter_add_key(struct rowwriter *w, const char *key, size_t key_len)
{
	start_addition(w);
	append_key(w, key, key_len);
}

void rowwriter_add(struct rowwriter *w, const char *key, size_t key_len,
		   const char *val, size_t val_len)
{
	rowwriter_add_key(w, key, key_len);
	buf_add(w->out, val, val_len);
}

/* Append "RAW":VAL to the rescued members, opening their object. */
static void rescue_member(struct buf *r, const char *raw, size_t raw_len,
			  const char *val, size_t val_len)
{
	buf_addc(r, r->len ? ',' : '{');
	buf_addc(r, '"');
	buf_add(r, raw, raw_len);
	buf_add(r, "\":", 2);
	buf_add(r, val, val_len);
}

void rowwriter_rescue(struct rowwriter *w, const struct json_field *f)
{
	rescue_member(w->rescued, f->key, f->key_len, f->val, f->val_len);
}

void rowwriter_prior_rescued(struct rowwriter *w, size_t i)
{
	const struct json_field *f = &w->rec->fields[i];

	rowwriter_start(w, i);
	w->prior = f->val;
	w->prior_len = f->val_len;
}

bool rowwriter_write_rescued(struct rowwriter *w, const char *name,
			     const char *path, size_t path_len)
{
	struct buf *r = w->rescued;

	if (!rowwriter_has_rescued(w)) {
		/*
		 * Written even when the row is unchanged so far: OUT is then
		 * not used, unless an addition that follows changes the row.
		 */
		if (w->prior) {
			append_key(w, name, strlen(name));
			buf_add(w->out, w->prior, w->prior_len);
		}
		return false;
	}
	if (w->prior) {
		struct json_iter it;
		struct json_field f;

		json_object_open(&it, w->prior, w->prior_len, NULL);
		while (json_object_next(&it, &f, NULL) == 1)
			if (!json_key_is(&f, "_file_path"))
				rescue_member(r, f.key, f.key_len, f.val, f.val_len);
	}
	buf_adds(r, ",\"_file_path\":");
	if (path)
		json_path_encode(r, path, path_len);
	else
		buf_adds(r, "null");
	buf_addc(r, '}');
	rowwriter_add_key(w, name, strlen(name));
	buf_add(w->out, r->data, r->len);
	return true;
}
