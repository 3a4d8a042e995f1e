/*
 * The versions a batch takes into a database sink's file ledger (ledger.h).
 */
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "json.h"
#include "ledger.h"

/* The identity another host computes alike: path, size, mtime (not dev, ino). */
static bool same_version(const struct ledger_file *f, const char *path,
			 const struct file_identity *id)
{
	return f->id.size == id->size && f->id.mtime_ns == id->mtime_ns &&
	       !strcmp(f->path, path);
}

bool ledger_batch_retake(struct ledger_batch *lb, const char *path,
			 const struct file_identity *id)
{
	for (size_t i = 0; i < lb->n; i++)
		if (same_version(&lb->files[i], path, id)) {
			lb->current = i;
			return true;
		}
	return false;
}

void ledger_batch_leave(struct ledger_batch *lb)
{
	lb->current = (size_t)-1;
}

void ledger_batch_add(struct ledger_batch *lb, const char *path,
		      const struct file_identity *id)
{
	if (lb->n == lb->cap) {
		lb->cap = lb->cap ? lb->cap * 2 : 16;
		lb->files = xrealloc(lb->files, lb->cap * sizeof(*lb->files));
	}
	lb->files[lb->n].path = xstrdup(path);
	lb->files[lb->n].id = *id;
	lb->files[lb->n].rows = 0;
	lb->current = lb->n++;
}

void ledger_batch_row(struct ledger_batch *lb)
{
	if (lb->current < lb->n)
		lb->files[lb->current].rows++;
}

void ledger_batch_drop(struct ledger_batch *lb, const char *path)
{
	size_t kept = 0, current = (size_t)-1;

	for (size_t i = 0; i < lb->n; i++) {
		if (!strcmp(lb->files[i].path, path)) {
			free(lb->files[i].path);
			continue;
		}
		if (i == lb->current)
			current = kept;
		lb->files[kept++] = lb->files[i];
	}
	lb->n = kept;
	lb->current = current;
}

void ledger_batch_reset(struct ledger_batch *lb)
{
	for (size_t i = 0; i < lb->n; i++)
		free(lb->files[i].path);
	lb->n = 0;
	lb->current = (size_t)-1;
	lb->checked = false;
}

void ledger_batch_free(struct ledger_batch *lb)
{
	ledger_batch_reset(lb);
	free(lb->files);
	lb->files = NULL;
	lb->cap = 0;
}

void ledger_path(struct buf *path)
{
	struct buf json = BUF_INIT;

	if (utf8_valid(path->data, path->len))
		return;
	json_path_encode(&json, path->data, path->len);
	buf_reset(path);
	buf_add(path, json.data + 1, json.len - 2);	/* without its quotes */
	buf_free(&json);
}
