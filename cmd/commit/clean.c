#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "clean.h"
#include "die.h"
#include "json.h"

void cleaner_init(struct cleaner *c, const char *spec, const char *checkpoint)
{
	memset(c, 0, sizeof(*c));
	if (!strncmp(spec, "move:", 5) && spec[5]) {
		if (mkdir_p_mode(spec + 5, 0777) < 0)
			die_errno(EX_CANTCREAT, "cannot create '%s' for --clean-source", spec + 5);
		c->move_to = realpath(spec + 5, NULL);
		if (!c->move_to)
			die_errno(EX_CANTCREAT, "cannot resolve '%s'", spec + 5);
	} else if (strcmp(spec, "delete")) {
		die(EX_USAGE, "invalid value '%s' for --clean-source: expected delete "
		    "or move:DIR", spec);
	}
	if (!checkpoint)
		die(EX_USAGE, "--clean-source needs --checkpoint");
	buf_printf(&c->queue_path, "%s/clean-pending", checkpoint);
}

void cleaner_add(struct cleaner *c, const char *path)
{
	buf_add(&c->paths, path, strlen(path) + 1);
}

void cleaner_forget(struct cleaner *c)
{
	buf_reset(&c->paths);
}

static int copy_file(const char *from, const char *to)
{
	char chunk[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (write(out, chunk, (size_t)n) != n) {
			n = -1;
			break;
		}
	int rc = n < 0 || fsync(out) < 0 ? -1 : 0;
	close(in);
	if (close(out) < 0)
		rc = -1;
	return rc;
}

/* Delete or move one file; 0, or -1 with errno (a vanished file is done). */
static int clean_one(const struct cleaner *c, const char *path)
{
	if (!c->move_to)
		return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	/* Spark's archive layout: DIR/<the file's absolute path>. */
	struct buf to = BUF_INIT;
	int rc = 0;
	buf_printf(&to, "%s%s", c->move_to, path);
	char *slash = strrchr(to.data, '/');
	*slash = '\0';
	if (mkdir_p_mode(to.data, 0777) < 0)
		rc = -1;
	*slash = '/';
	if (rc == 0 && rename(path, to.data) < 0) {
		if (errno == ENOENT)
			rc = 0;
		else if (errno != EXDEV || copy_file(path, to.data) < 0 || unlink(path) < 0)
			rc = -1;
	}
	buf_free(&to);
	return rc;
}

void cleaner_run(struct cleaner *c)
{
	struct buf queue = BUF_INIT, left = BUF_INIT, line = BUF_INIT, path = BUF_INIT;

	/* Queue first: a crash from here on leaves the work for the next start. */
	if (read_file(c->queue_path.data, &queue) < 0 && errno != ENOENT)
		warning("cannot read '%s': %s", c->queue_path.data, strerror(errno));
	for (const char *p = c->paths.data; p && p < c->paths.data + c->paths.len; p += strlen(p) + 1) {
		json_string_encode(&queue, p, strlen(p));
		buf_addc(&queue, '\n');
	}
	cleaner_forget(c);
	if (!queue.len)
		goto out;
	if (write_file_atomic(c->queue_path.data, queue.data, queue.len) < 0) {
		warning("cannot write '%s': %s; source files not cleaned",
			c->queue_path.data, strerror(errno));
		goto out;
	}
	for (char *p = queue.data, *nl; p < queue.data + queue.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(queue.data + queue.len - p));
		if (!nl)
			break;
		buf_reset(&path);
		if (json_string_decode(&path, p, (size_t)(nl - p)) < 0)
			continue;
		if (clean_one(c, path.data) == 0) {
			c->cleaned++;
		} else {
			warning("cannot %s '%s': %s (retried on the next batch and start)",
				c->move_to ? "move" : "delete", path.data, strerror(errno));
			c->failed++;
			buf_add(&left, p, (size_t)(nl - p + 1));
		}
	}
	if (left.len ? write_file_atomic(c->queue_path.data, left.data, left.len) < 0 :
		       unlink(c->queue_path.data) < 0 && errno != ENOENT)
		warning("cannot update '%s': %s", c->queue_path.data, strerror(errno));
out:
	buf_free(&queue);
	buf_free(&left);
	buf_free(&line);
	buf_free(&path);
}

void cleaner_free(struct cleaner *c)
{
	free((char *)c->move_to);
	buf_free(&c->queue_path);
	buf_free(&c->paths);
}
