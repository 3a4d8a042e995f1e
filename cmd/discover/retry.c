/*
 * Retries: files parse skipped because they changed between the listing
 * and the read.  They were never read, so they are taken again: commit
 * writes their paths in commits/N as "retry":[...], and discover forgets
 * them from its index (an "x" line in sources/seen), so that the next
 * listing takes them with their new identity.
 *
 * A path is forgotten only while the index says batch N or an earlier one
 * took it: once a later batch took it again, commits/N is history.  That
 * makes reading a commits/ entry twice harmless, so the "c" line that
 * records how far commits/ was read needs no sync.
 */
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "fileio.h"
#include "json.h"
#include "discover.h"

/* Forget the retry paths of the commits/ entry NAME (batch BATCH) into FORGOTTEN. */
static void read_commit(struct state *st, const char *name, long long batch,
			struct filelist *forgotten)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	struct json_error err;
	struct json_iter it;
	const char *val;
	size_t len;
	int r;

	if (read_file(name, &text) < 0)
		die_errno(EX_IOERR, "cannot read '%s'", name);
	if (json_object_validate(text.data, text.len, &err) < 0)
		die(EX_DATAERR, "checkpoint file '%s' is malformed (%s); restore it or "
		    "start a new checkpoint", name, err.msg);
	if (json_object_get(text.data, text.len, "retry", &val, &len) != 1)
		goto out;
	if (json_array_open(&it, val, len, &err) < 0)
		die(EX_DATAERR, "checkpoint file '%s': \"retry\" is not an array of paths; "
		    "restore it or start a new checkpoint", name);
	while ((r = json_array_next(&it, &val, &len, &err)) == 1) {
		if (!json_is_string(val, len))
			die(EX_DATAERR, "checkpoint file '%s': \"retry\" holds a value that "
			    "is not a path; restore it or start a new checkpoint", name);
		buf_reset(&path);
		json_string_decode(&path, val, len);
		unsigned long long h = path_hash(PATH_HASH_INIT, path.data, path.len);
		const struct seen_entry *e = seen_find(&st->seen, path.data, path.len, h);
		if (!e || e->batch > batch || strlen(path.data) != path.len)
			continue;	/* taken again since, or never ours */
		seen_forget(&st->seen, path.data, path.len, h);
		struct file *f = filelist_push(forgotten);
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(path.data);
	}
out:
	buf_free(&text);
	buf_free(&path);
}

void take_retries(struct state *st)
{
	struct filelist forgotten = { 0 };
	struct buf name = BUF_INIT;
	size_t n;
	long long *commits = ckpt_log_list(st->commits_dir.data, &n);
	long long through = st->log_commits;

	for (size_t i = 0; i < n; i++) {
		if (commits[i] <= st->log_commits)
			continue;
		if (commits[i] > st->log_commits + 1 && through == st->log_commits &&
		    !st->commits_unread_ok)
			warning("'%s' lost commits/%lld to %lld before they were read; files "
				"parse skipped in those batches, if any, are not taken again "
				"(keep more with inlet-commit --keep-batches)",
				st->commits_dir.data, st->log_commits + 1, commits[i] - 1);
		ckpt_path(&st->ck, "commits", commits[i], &name);
		size_t before = forgotten.n;
		read_commit(st, name.data, commits[i], &forgotten);
		if (forgotten.n > before && !opt.quiet)
			fprintf(stderr, "inlet-discover: taking again %zu files that batch %lld "
				"skipped\n", forgotten.n - before, commits[i]);
		through = commits[i];
	}
	if (through > st->log_commits) {
		char **paths = xmalloc((forgotten.n + 1) * sizeof(*paths));
		for (size_t i = 0; i < forgotten.n; i++)
			paths[i] = forgotten.v[i].path;
		seen_log_forget(st, paths, forgotten.n, through);
		free(paths);
	}
	st->commits_unread_ok = false;
	filelist_free(&forgotten);
	buf_free(&name);
	free(commits);
}
