#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "datetime.h"
#include "die.h"
#include "fileio.h"
#include "json.h"

static void check_new(const char *dir, const char *metadata);

static void new_id(char *out)
{
	unsigned char raw[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw))
		die_errno(EX_OSERR, "cannot read '/dev/urandom'");
	close(fd);
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
}

static void parse_metadata(struct ckpt *ck, const char *path, struct buf *text)
{
	const char *v;
	size_t n;
	struct json_error err;

	if (json_object_validate(text->data, text->len, &err) < 0)
		die(EX_DATAERR, "checkpoint file '%s' is malformed (%s at byte %zu); "
		    "restore it from a backup or start a new checkpoint",
		    path, err.msg, err.offset + 1);
	if (json_object_get(text->data, text->len, "id", &v, &n) != 1 ||
	    !json_is_string(v, n) || n - 2 == 0 || n - 2 >= sizeof(ck->id))
		die(EX_DATAERR, "checkpoint file '%s' has no valid \"id\"; "
		    "restore it from a backup or start a new checkpoint", path);
	memcpy(ck->id, v + 1, n - 2);
	ck->id[n - 2] = '\0';
	if (json_object_get(text->data, text->len, "layout", &v, &n) == 1) {
		long layout = strtol(v, NULL, 10);
		if (layout > CKPT_LAYOUT)
			die(EX_DATAERR, "checkpoint '%s' has layout %ld, newer than this "
			    "inlet understands (%d); upgrade inlet", ck->dir, layout,
			    CKPT_LAYOUT);
	}
}

void ckpt_open(struct ckpt *ck, const char *dir)
{
	struct buf path = BUF_INIT, text = BUF_INIT;

	ck->dir = xstrdup(dir);
	if (mkdir_p(dir) < 0)
		die_errno(EX_CANTCREAT, "cannot create checkpoint folder '%s'", dir);
	buf_printf(&path, "%s/metadata", dir);
	if (read_file(path.data, &text) < 0) {
		if (errno != ENOENT)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		check_new(dir, path.data);
		char id[33], now[32];
		new_id(id);
		iso8601_now(now);
		buf_printf(&text, "{\"id\":\"%s\",\"created\":\"%s\",\"layout\":%d}\n",
			   id, now, CKPT_LAYOUT);
		/* link(2) instead of rename: two first starts race, one wins. */
		struct buf tmp = BUF_INIT;
		buf_printf(&tmp, "%s/.metadata.new%ld", dir, (long)getpid());
		if (write_file_atomic(tmp.data, text.data, text.len) < 0)
			die_errno(EX_CANTCREAT, "cannot write '%s'", path.data);
		if (link(tmp.data, path.data) < 0 && errno != EEXIST)
			die_errno(EX_CANTCREAT, "cannot write '%s'", path.data);
		unlink(tmp.data);
		fsync_parent(path.data);
		buf_free(&tmp);
		buf_reset(&text);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
	}
	parse_metadata(ck, path.data, &text);
	buf_free(&path);
	buf_free(&text);
}

int ckpt_open_existing(struct ckpt *ck, const char *dir)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = 0;

	ck->dir = xstrdup(dir);
	ck->id[0] = '\0';
	buf_printf(&path, "%s/metadata", dir);
	if (read_file(path.data, &text) == 0)
		parse_metadata(ck, path.data, &text);
	else if (errno == ENOENT)
		rc = -1;
	else
		die_errno(EX_IOERR, "cannot read '%s'", path.data);
	buf_free(&path);
	buf_free(&text);
	if (rc < 0)
		errno = ENOENT;
	return rc;
}

/*
 * A checkpoint without metadata must be a new one: with batches, schemas
 * or state already in it, a new id would make every sink mark a stranger
 * and replay committed batches.
 */
static void check_new(const char *dir, const char *metadata)
{
	static const char *const parts[] = { "offsets", "commits", "schemas", "state" };
	struct buf sub = BUF_INIT;

	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		buf_reset(&sub);
		buf_printf(&sub, "%s/%s", dir, parts[i]);
		if (ckpt_log_latest(sub.data) >= 0)
			die(EX_DATAERR, "checkpoint file '%s' is missing but '%s' holds "
			    "entries: restore the metadata from a backup (its id is in the "
			    "sink's marks) or start a new checkpoint", metadata, sub.data);
	}
	buf_free(&sub);
}

void ckpt_claim(struct ckpt *ck, const char *key, const char *value)
{
	struct buf path = BUF_INIT, lock = BUF_INIT, text = BUF_INIT, have = BUF_INIT;
	const char *v;
	size_t n;
	int fd;

	buf_printf(&path, "%s/metadata", ck->dir);
	/* discover and commit claim at the same time: one rewrite at a time. */
	buf_printf(&lock, "%s/.lock-metadata", ck->dir);
	fd = open(lock.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		die_errno(EX_CANTCREAT, "cannot lock '%s'", lock.data);
	if (read_file(path.data, &text) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", path.data);
	if (json_object_get(text.data, text.len, key, &v, &n) == 1) {
		if (!json_is_string(v, n) || json_string_decode(&have, v, n) < 0)
			die(EX_DATAERR, "checkpoint file '%s': \"%s\" is not a string; "
			    "restore it from a backup", path.data, key);
		if (strcmp(have.data, value))
			die(EX_USAGE, "checkpoint '%s' belongs to %s '%s', not '%s': give "
			    "each pipeline its own checkpoint (if the %s moved, change "
			    "\"%s\" in '%s')", ck->dir, key, have.data, value, key, key,
			    path.data);
	} else {
		while (text.len && (text.data[text.len - 1] == '\n' ||
				    text.data[text.len - 1] == '}'))
			text.data[--text.len] = '\0';
		buf_printf(&text, ",\"%s\":", key);
		json_path_encode(&text, value, strlen(value));
		buf_adds(&text, "}\n");
		if (write_file_atomic(path.data, text.data, text.len) < 0)
			die_errno(EX_IOERR, "cannot write '%s'", path.data);
	}
	close(fd);
	buf_free(&path);
	buf_free(&lock);
	buf_free(&text);
	buf_free(&have);
}

int ckpt_metadata_get(const struct ckpt *ck, const char *key, struct buf *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	const char *v;
	size_t n;
	int found = 0;

	buf_reset(out);
	buf_printf(&path, "%s/metadata", ck->dir);
	if (read_file(path.data, &text) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", path.data);
	if (json_object_get(text.data, text.len, key, &v, &n) == 1) {
		if (!json_is_string(v, n) || json_string_decode(out, v, n) < 0)
			die(EX_DATAERR, "checkpoint file '%s': \"%s\" is not a string; "
			    "restore it from a backup", path.data, key);
		found = 1;
	}
	buf_free(&path);
	buf_free(&text);
	return found;
}

void ckpt_close(struct ckpt *ck)
{
	free(ck->dir);
	ck->dir = NULL;
}

void ckpt_lock(const struct ckpt *ck, const char *role)
{
	struct buf path = BUF_INIT, what = BUF_INIT;

	buf_printf(&path, "%s/.lock-%s", ck->dir, role);
	buf_printf(&what, "checkpoint '%s'", ck->dir);
	lock_take(path.data, 0600, what.data, "another pipeline is running on it");
	buf_free(&path);
	buf_free(&what);
}

void ckpt_path(const struct ckpt *ck, const char *sub, long long n, struct buf *out)
{
	buf_reset(out);
	if (n >= 0)
		buf_printf(out, "%s/%s/%lld", ck->dir, sub, n);
	else
		buf_printf(out, "%s/%s", ck->dir, sub);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static bool numeric_name(const char *s, long long *n)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 18)
		return false;
	*n = strtoll(s, &end, 10);
	return *end == '\0';
}

long long *ckpt_log_list(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long long *list = NULL;
	size_t n = 0, cap = 0;

	*count = 0;
	if (!d) {
		if (errno == ENOENT)
			return NULL;
		die_errno(EX_IOERR, "cannot read folder '%s'", dir);
	}
	while ((e = readdir(d))) {
		long long v;
		if (!numeric_name(e->d_name, &v))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			list = xrealloc(list, cap * sizeof(*list));
		}
		list[n++] = v;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), cmp_ll);
	*count = n;
	return list;
}

long long ckpt_log_latest(const char *dir)
{
	size_t n;
	long long *list = ckpt_log_list(dir, &n);
	long long latest = n ? list[n - 1] : -1;

	free(list);
	return latest;
}

size_t ckpt_log_prune(const char *dir, long long keep_from)
{
	size_t n, removed = 0;
	long long *list = ckpt_log_list(dir, &n);
	struct buf path = BUF_INIT;

	for (size_t i = 0; i < n && list[i] < keep_from; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%lld", dir, list[i]);
		if (unlink(path.data) == 0)
			removed++;
	}
	if (removed)
		fsync_parent(path.data);
	buf_free(&path);
	free(list);
	return removed;
}
