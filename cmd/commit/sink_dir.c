/*
 * The NDJSON folder sink and the console sink.
 *
 * A folder table is part files plus a manifest.  A batch is written to a
 * temporary name and renamed to part-BATCH-CKID.ndjson: the rename is the
 * commit, and the part's name is the batch's mark, so a replayed batch
 * finds its part and is skipped.  _manifest lists the parts in order, one
 * JSON line each; names starting with '_' or '.' are ignored by readers
 * that follow Spark's hidden-file rule, inlet-discover included.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ckpt.h"
#include "die.h"
#include "sink.h"
#include "stream.h"

struct dir_sink {
	struct sink base;
	char *dir;
	FILE *part;		/* the open batch's temporary file */
	struct buf tmp, final, manifest;
};

static void part_name(struct dir_sink *s, long long batch, struct buf *out)
{
	buf_reset(out);
	if (batch >= 0 && s->base.checkpoint_id)
		buf_printf(out, "%s/part-%08lld-%.8s.ndjson", s->dir, batch,
			   s->base.checkpoint_id);
	else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		buf_printf(out, "%s/part-%lld%09ld-%ld.ndjson", s->dir,
			   (long long)ts.tv_sec, ts.tv_nsec, (long)getpid());
	}
}

static int dir_begin(struct sink *base, long long batch)
{
	struct dir_sink *s = (struct dir_sink *)base;

	part_name(s, batch, &s->final);
	if (access(s->final.data, F_OK) == 0)
		return 1;
	buf_reset(&s->tmp);
	buf_printf(&s->tmp, "%s/.part.tmp%ld", s->dir, (long)getpid());
	s->part = fopen(s->tmp.data, "w");
	if (!s->part)
		die_errno(EX_CANTCREAT, "cannot create '%s'", s->tmp.data);
	return 0;
}

static void dir_schema(struct sink *base, const char *text, size_t len)
{
	(void)base, (void)text, (void)len;	/* NDJSON carries no schema */
}

static void dir_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct dir_sink *s = (struct dir_sink *)base;

	(void)lineno;
	if (fwrite(rec->text, 1, rec->len, s->part) != rec->len || putc('\n', s->part) == EOF)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
}

/* Overwrite: remove every part but KEEP. */
static void remove_other_parts(struct dir_sink *s, const char *keep)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	struct buf path = BUF_INIT;

	if (!d)
		die_errno(EX_IOERR, "cannot read folder '%s'", s->dir);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "part-", 5))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", s->dir, e->d_name);
		if (strcmp(path.data, keep) && unlink(path.data) < 0)
			die_errno(EX_IOERR, "cannot remove '%s'", path.data);
	}
	closedir(d);
	buf_free(&path);
}

static void dir_commit(struct sink *base, long long batch, long long rows)
{
	struct dir_sink *s = (struct dir_sink *)base;
	struct buf line = BUF_INIT, text = BUF_INIT;
	char now[32];

	if (fflush(s->part) != 0 || fsync(fileno(s->part)) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
	if (fclose(s->part) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->tmp.data);
	s->part = NULL;
	if (rename(s->tmp.data, s->final.data) < 0)
		die_errno(EX_IOERR, "cannot rename '%s' to '%s'", s->tmp.data, s->final.data);
	fsync_parent(s->final.data);

	iso8601_now(now);
	const char *base_name = strrchr(s->final.data, '/') + 1;
	buf_adds(&line, "{\"part\":");
	json_string_encode(&line, base_name, strlen(base_name));
	buf_printf(&line, ",\"batch\":%lld,\"rows\":%lld,\"committed\":\"%s\"}\n",
		   batch, rows, now);
	if (base->mode == SINK_OVERWRITE) {
		buf_add(&text, line.data, line.len);
	} else if (read_file(s->manifest.data, &text) < 0 && errno != ENOENT) {
		die_errno(EX_IOERR, "cannot read '%s'", s->manifest.data);
	} else {
		buf_add(&text, line.data, line.len);
	}
	if (write_file_atomic_mode(s->manifest.data, text.data, text.len, 0666) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", s->manifest.data);
	/* Overwrite: the manifest names only the new part before old ones go. */
	if (base->mode == SINK_OVERWRITE)
		remove_other_parts(s, s->final.data);
	buf_free(&line);
	buf_free(&text);
}

static void dir_abort(struct sink *base)
{
	struct dir_sink *s = (struct dir_sink *)base;

	if (s->part) {
		fclose(s->part);
		s->part = NULL;
		unlink(s->tmp.data);
	}
}

static void dir_close(struct sink *base)
{
	struct dir_sink *s = (struct dir_sink *)base;

	dir_abort(base);
	free(s->dir);
	free(base->name);
	buf_free(&s->tmp);
	buf_free(&s->final);
	buf_free(&s->manifest);
	free(s);
}

static const struct sink_ops dir_ops = {
	dir_begin, dir_schema, dir_row, dir_commit, dir_abort, dir_close
};

struct sink *sink_dir_open(const char *dir)
{
	struct dir_sink *s = calloc(1, sizeof(*s));
	struct buf name = BUF_INIT;

	if (!s)
		die(EX_OSERR, "out of memory");
	if (mkdir_p_mode(dir, 0777) < 0)
		die_errno(EX_CANTCREAT, "cannot create folder '%s'", dir);
	s->base.ops = &dir_ops;
	s->dir = xstrdup(dir);
	buf_printf(&name, "dir:%s", dir);
	s->base.name = xstrdup(name.data);
	buf_printf(&s->manifest, "%s/_manifest", dir);
	ckpt_clean_temporaries(dir);
	buf_free(&name);
	return &s->base;
}

/* ---- the console sink: rows to standard output, flushed per batch ---- */

static int out_begin(struct sink *base, long long batch)
{
	(void)base, (void)batch;
	return 0;
}

static void out_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	(void)base, (void)lineno;
	stream_write(stdout, rec->text, rec->len);
}

static void out_commit(struct sink *base, long long batch, long long rows)
{
	(void)base, (void)batch, (void)rows;
	stream_flush(stdout);
}

static void out_abort(struct sink *base)
{
	(void)base;
}

static void out_close(struct sink *base)
{
	free(base->name);
	free(base);
}

static const struct sink_ops stdout_ops = {
	out_begin, dir_schema, out_row, out_commit, out_abort, out_close
};

struct sink *sink_stdout_open(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		die(EX_OSERR, "out of memory");
	s->ops = &stdout_ops;
	s->name = xstrdup("stdout");
	return s;
}
