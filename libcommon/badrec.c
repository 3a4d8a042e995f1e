#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "badrec.h"
#include "die.h"
#include "fileio.h"
#include "json.h"

void badrec_init(struct badrec *b, const char *root)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(b, 0, sizeof(*b));
	b->root = root;
	b->records.name = "bad_records";
	b->files.name = "bad_files";
	gmtime_r(&now, &tm);
	strftime(b->stamp, sizeof(b->stamp), "%Y%m%dT%H%M%S", &tm);
}

static FILE *kind_open(struct badrec *b, struct badrec_kind *k)
{
	if (k->fp)
		return k->fp;
	if (!k->dir.len) {
		buf_printf(&k->dir, "%s/%s/%s", b->root, b->stamp, k->name);
		if (mkdir_p_mode(k->dir.data, 0777) < 0)
			die_errno(EX_CANTCREAT, "cannot create '%s'", k->dir.data);
		/* The new folders themselves must survive a crash. */
		char *slash = strrchr(k->dir.data, '/');
		*slash = '\0';
		int rc = fsync_parent(k->dir.data);
		*slash = '/';
		if (rc < 0 || fsync_parent(k->dir.data) < 0)
			die_errno(EX_IOERR, "cannot sync '%s'", k->dir.data);
	}
	buf_reset(&k->tmp);
	buf_printf(&k->tmp, "%s/.part-%ld.tmp", k->dir.data, (long)getpid());
	k->fp = fopen(k->tmp.data, "we");
	if (!k->fp)
		die_errno(EX_CANTCREAT, "cannot create '%s'", k->tmp.data);
	return k->fp;
}

static void kind_write(struct badrec *b, struct badrec_kind *k)
{
	FILE *fp = kind_open(b, k);

	buf_addc(&b->line, '\n');
	if (fwrite(b->line.data, 1, b->line.len, fp) != b->line.len)
		die_errno(EX_IOERR, "cannot write '%s'", k->tmp.data);
	k->pending++;
}

void badrec_record(struct badrec *b, const char *path, const char *record,
		   size_t len, const char *reason)
{
	buf_reset(&b->line);
	buf_adds(&b->line, "{\"path\":");
	if (path)
		json_path_encode(&b->line, path, strlen(path));
	else
		buf_adds(&b->line, "null");
	buf_adds(&b->line, ",\"record\":");
	json_string_encode(&b->line, record, len);
	buf_adds(&b->line, ",\"reason\":");
	json_string_encode(&b->line, reason, strlen(reason));
	buf_addc(&b->line, '}');
	kind_write(b, &b->records);
}

void badrec_file(struct badrec *b, const char *path, const char *reason)
{
	buf_reset(&b->line);
	buf_adds(&b->line, "{\"path\":");
	json_path_encode(&b->line, path, strlen(path));
	buf_adds(&b->line, ",\"reason\":");
	json_string_encode(&b->line, reason, strlen(reason));
	buf_addc(&b->line, '}');
	kind_write(b, &b->files);
}

static void kind_commit(struct badrec_kind *k, long long *entries)
{
	struct buf part = BUF_INIT;
	FILE *fp = k->fp;

	if (!fp)
		return;
	k->fp = NULL;
	if (fflush(fp) != 0 || fsync(fileno(fp)) < 0 || fclose(fp) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", k->tmp.data);
	/* link(), not rename(): a run started in the same second keeps its parts. */
	for (;;) {
		buf_reset(&part);
		buf_printf(&part, "%s/part-%05lld", k->dir.data, k->part++);
		if (link(k->tmp.data, part.data) == 0)
			break;
		if (errno != EEXIST)
			die_errno(EX_CANTCREAT, "cannot create '%s'", part.data);
	}
	if (unlink(k->tmp.data) < 0 || fsync_parent(part.data) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", part.data);
	*entries += k->pending;
	k->pending = 0;
	buf_free(&part);
}

void badrec_commit(struct badrec *b)
{
	kind_commit(&b->records, &b->entries);
	kind_commit(&b->files, &b->entries);
}

static void kind_discard(struct badrec_kind *k)
{
	if (!k->fp)
		return;
	fclose(k->fp);
	k->fp = NULL;
	unlink(k->tmp.data);
	k->pending = 0;
}

void badrec_discard(struct badrec *b)
{
	kind_discard(&b->records);
	kind_discard(&b->files);
}

void badrec_free(struct badrec *b)
{
	badrec_discard(b);
	buf_free(&b->records.dir);
	buf_free(&b->records.tmp);
	buf_free(&b->files.dir);
	buf_free(&b->files.tmp);
	buf_free(&b->line);
}
