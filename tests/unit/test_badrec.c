/*
 * libcommon/badrec: the --bad-records-path folder as Databricks lays out
 * badRecordsPath ("Handle bad records and files", Databricks
 * documentation: DIR/<timestamp>/bad_records and bad_files, JSON files).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "badrec.h"
#include "buf.h"
#include "fileio.h"
#include "stream.h"
#include "unit.h"

static char *tmpdir;

/* The names in folder DIR, sorted, as "a b c" into OUT; "-" when it is missing. */
static void names(const char *dir, struct buf *out)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	buf_reset(out);
	if (n < 0) {
		buf_adds(out, "-");
		return;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
			if (out->len)
				buf_addc(out, ' ');
			buf_adds(out, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
}

/* Does folder DIR hold exactly the names WANT ("" for none, "-" missing)? */
static int holds(const char *dir, const char *want)
{
	struct buf got = BUF_INIT;
	int ok;

	names(dir, &got);
	ok = !strcmp(got.data ? got.data : "", want);
	if (!ok)
		printf("# %s holds '%s', not '%s'\n", dir, got.data ? got.data : "", want);
	buf_free(&got);
	return ok;
}

/* Does every name in DIR start with '.' (temporaries only)? */
static int only_hidden(const char *dir)
{
	struct buf got = BUF_INIT;
	int ok;

	names(dir, &got);
	ok = got.len > 0 && got.data[0] == '.' && !strstr(got.data, " part-");
	buf_free(&got);
	return ok;
}

/* The content of ROOT/STAMP/KIND/PART into OUT ("" when absent). */
static void part(const char *root, const char *stamp, const char *kind, int n, struct buf *out)
{
	struct buf path = BUF_INIT;

	buf_reset(out);
	buf_printf(&path, "%s/%s/%s/part-%05d", root, stamp, kind, n);
	if (read_file(path.data, out) < 0)
		buf_reset(out);
	buf_free(&path);
}

static void path_of(struct buf *out, const char *root, const char *stamp, const char *kind)
{
	buf_reset(out);
	buf_printf(out, "%s", root);
	if (stamp)
		buf_printf(out, "/%s", stamp);
	if (kind)
		buf_printf(out, "/%s", kind);
}

/* Is LINE the entry {"path":PATH,"record":RECORD,"reason":REASON}? */
static int entry_is(const char *line, size_t len, const char *path, size_t path_len,
		    const char *record, size_t rec_len, const char *reason)
{
	struct record rec;
	struct buf v = BUF_INIT;
	int ok = record_classify(&rec, line, len, NULL) == 0 && rec.kind == RECORD_ROW;

	if (ok && path) {
		ok = record_get_string(&rec, "path", &v) && v.len == path_len &&
		     !memcmp(v.data, path, path_len);
	} else if (ok) {
		const char *nul = "\"path\":null,";
		ok = len > strlen(nul) && !memcmp(line + 1, nul, strlen(nul));
	}
	buf_reset(&v);
	if (ok && record) {
		ok = record_get_string(&rec, "record", &v) && v.len == rec_len &&
		     !memcmp(v.data, record, rec_len);
	} else if (ok) {
		ok = !record_get_string(&rec, "record", &v);
	}
	buf_reset(&v);
	ok = ok && record_get_string(&rec, "reason", &v) && !strcmp(v.data, reason);
	ok = ok && rec.nfields == (record ? 3u : 2u);
	buf_free(&v);
	return ok;
}

static void stamp(void)
{
	struct badrec b;
	char before[20], after[20];
	time_t t0 = time(NULL), t1;
	struct tm tm;
	struct buf root = BUF_INIT;

	path_of(&root, tmpdir, "stamp", NULL);
	badrec_init(&b, root.data);
	t1 = time(NULL);
	gmtime_r(&t0, &tm);
	strftime(before, sizeof(before), "%Y%m%dT%H%M%S", &tm);
	gmtime_r(&t1, &tm);
	strftime(after, sizeof(after), "%Y%m%dT%H%M%S", &tm);
	CHECK(strlen(b.stamp) == 15 && b.stamp[8] == 'T' &&
	      (!strcmp(b.stamp, before) || !strcmp(b.stamp, after)),
	      "the folder is named yyyyMMddTHHmmss, the run's start in UTC (%s)", b.stamp);
	CHECK(access(root.data, F_OK) != 0, "init creates nothing");
	badrec_commit(&b);
	badrec_discard(&b);
	CHECK(access(root.data, F_OK) != 0, "a run without bad records leaves no folder");
	badrec_free(&b);
	buf_free(&root);
}

static void commit_and_discard(void)
{
	struct badrec b;
	struct buf root = BUF_INIT, dir = BUF_INIT, text = BUF_INIT;
	const char *st = "20240102T030405";

	path_of(&root, tmpdir, "bad", NULL);
	badrec_init(&b, root.data);
	/* Not the time of day: the name is what the tests look for. */
	strcpy(b.stamp, st);

	static const char rec1[] = "1,\"two\nlines\",\xc3\xa9";
	badrec_record(&b, "/in/a.csv", rec1, sizeof(rec1) - 1, "3 fields, expected 2");
	path_of(&dir, root.data, st, "bad_records");
	CHECK(only_hidden(dir.data), "before commit, bad_records holds only a temporary file");
	path_of(&dir, root.data, st, "bad_files");
	CHECK(holds(dir.data, "-"), "bad_files is not created before a bad file");
	CHECK(b.entries == 0, "nothing is counted durable before commit");

	badrec_commit(&b);
	path_of(&dir, root.data, st, "bad_records");
	CHECK(holds(dir.data, "part-00000"), "commit makes part-00000 and removes the temporary");
	part(root.data, st, "bad_records", 0, &text);
	CHECK(text.len && text.data[text.len - 1] == '\n' && !memchr(text.data, '\n', text.len - 1) &&
	      entry_is(text.data, text.len - 1, "/in/a.csv", 9, rec1, sizeof(rec1) - 1,
		       "3 fields, expected 2"),
	      "the part holds one JSON line {path, record, reason} (%.*s)",
	      (int)strcspn(text.data, "\n"), text.data);
	CHECK(b.entries == 1, "one entry durable");

	/* A bad file, a record with no path, and a path that is not UTF-8. */
	badrec_file(&b, "/in/b\xff.csv", "cannot decompress");
	badrec_record(&b, NULL, "x", 1, "no path");
	badrec_record(&b, "/in/c.json", "{\"a\":", 5, "input ended");
	path_of(&dir, root.data, st, "bad_files");
	CHECK(only_hidden(dir.data), "bad_files is created at the first bad file, with a temporary only");
	badrec_commit(&b);
	CHECK(holds(dir.data, "part-00000"), "bad_files/part-00000 after commit");
	part(root.data, st, "bad_files", 0, &text);
	CHECK(entry_is(text.data, text.len - 1, "/in/b\xff.csv", 10, NULL, 0, "cannot decompress"),
	      "a bad file entry is {path, reason}, the path's bytes kept (%.*s)",
	      (int)strcspn(text.data, "\n"), text.data);
	path_of(&dir, root.data, st, "bad_records");
	CHECK(holds(dir.data, "part-00000 part-00001"), "the next batch is the next part");
	part(root.data, st, "bad_records", 1, &text);
	char *nl = memchr(text.data, '\n', text.len);
	CHECK(nl && entry_is(text.data, (size_t)(nl - text.data), NULL, 0, "x", 1, "no path") &&
	      entry_is(nl + 1, text.len - (size_t)(nl + 1 - text.data) - 1, "/in/c.json", 10,
		       "{\"a\":", 5, "input ended"),
	      "two entries of one batch in one part, in order, path null when unknown");
	CHECK(b.entries == 4, "four entries durable");

	badrec_commit(&b);
	CHECK(holds(dir.data, "part-00000 part-00001"), "a commit with nothing new makes no part");

	/* A batch that will be replayed: nothing of it stays. */
	badrec_record(&b, "/in/d.csv", "y", 1, "bad");
	badrec_file(&b, "/in/e.csv", "bad");
	badrec_discard(&b);
	CHECK(holds(dir.data, "part-00000 part-00001"), "discard leaves no part and no temporary in bad_records");
	path_of(&dir, root.data, st, "bad_files");
	CHECK(holds(dir.data, "part-00000"), "discard leaves no part and no temporary in bad_files");
	CHECK(b.entries == 4, "discarded entries are not counted");

	/* After a discard the run goes on. */
	badrec_record(&b, "/in/f.csv", "z", 1, "later");
	badrec_commit(&b);
	part(root.data, st, "bad_records", 2, &text);
	CHECK(entry_is(text.data, text.len - 1, "/in/f.csv", 9, "z", 1, "later"),
	      "an entry after a discard lands in the next part, without the discarded ones");

	/* badrec_free discards what is not committed. */
	badrec_record(&b, "/in/g.csv", "w", 1, "freed");
	badrec_free(&b);
	path_of(&dir, root.data, st, "bad_records");
	CHECK(holds(dir.data, "part-00000 part-00001 part-00002"), "free leaves no temporary");

	/* A run whose only batch is discarded leaves no file. */
	badrec_init(&b, root.data);
	strcpy(b.stamp, "20240102T030406");
	badrec_record(&b, "/in/h.csv", "v", 1, "bad");
	badrec_discard(&b);
	badrec_free(&b);
	path_of(&dir, root.data, "20240102T030406", "bad_records");
	CHECK(holds(dir.data, "") || holds(dir.data, "-"), "a discarded run's folder holds no file");

	buf_free(&root);
	buf_free(&dir);
	buf_free(&text);
}

/* One run in its own process: an entry, then wait for a byte on FD and commit. */
static void run(const char *root, const char *st, const char *rec, int wait_fd)
{
	struct badrec b;
	char c;

	badrec_init(&b, root);
	strcpy(b.stamp, st);
	badrec_record(&b, "/in/x.csv", rec, strlen(rec), "bad");
	if (wait_fd >= 0 && read(wait_fd, &c, 1) != 1)
		_exit(2);
	badrec_commit(&b);
	badrec_free(&b);
}

static void same_second(void)
{
	struct buf root = BUF_INIT, dir = BUF_INIT, a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	const char *st = "20240102T030405";
	int go[2], status_a, status_b;

	path_of(&root, tmpdir, "same", NULL);
	path_of(&dir, root.data, st, "bad_records");

	/* Two runs started in the same second, their batches interleaved. */
	if (pipe(go) < 0)
		return;
	fflush(stdout);
	pid_t pa = fork();
	if (pa == 0) {
		close(go[1]);
		run(root.data, st, "from A", go[0]);
		_exit(0);
	}
	close(go[0]);
	/* Run B starts once A's entry is written (its temporary exists). */
	for (int i = 0; i < 500 && !only_hidden(dir.data); i++)
		usleep(10000);
	pid_t pb = fork();
	if (pb == 0) {
		run(root.data, st, "from B", -1);
		_exit(0);
	}
	waitpid(pb, &status_b, 0);
	if (write(go[1], "x", 1) != 1)
		printf("# cannot signal run A\n");
	close(go[1]);
	waitpid(pa, &status_a, 0);
	CHECK(WIFEXITED(status_a) && !WEXITSTATUS(status_a) && WIFEXITED(status_b) &&
	      !WEXITSTATUS(status_b), "two runs in the same second both succeed");
	CHECK(holds(dir.data, "part-00000 part-00001"), "each has its own part");
	part(root.data, st, "bad_records", 0, &a);
	part(root.data, st, "bad_records", 1, &b);
	CHECK(entry_is(b.data, b.len - 1, "/in/x.csv", 9, "from A", 6, "bad") &&
	      entry_is(a.data, a.len - 1, "/in/x.csv", 9, "from B", 6, "bad"),
	      "neither overwrote the other (B committed first: part-00000)");

	/* A third run of the same second, after them, in this process. */
	run(root.data, st, "from C", -1);
	part(root.data, st, "bad_records", 2, &c);
	CHECK(holds(dir.data, "part-00000 part-00001 part-00002") &&
	      entry_is(c.data, c.len - 1, "/in/x.csv", 9, "from C", 6, "bad"),
	      "a later run of the same second takes the next free part");
	part(root.data, st, "bad_records", 0, &a);
	CHECK(entry_is(a.data, a.len - 1, "/in/x.csv", 9, "from B", 6, "bad"),
	      "and leaves the earlier parts as they were");

	buf_free(&root);
	buf_free(&dir);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

static void cannot_create(void *arg)
{
	struct badrec b;

	badrec_init(&b, arg);
	badrec_record(&b, NULL, "x", 1, "bad");
	badrec_commit(&b);
}

static void failures(void)
{
	struct buf root = BUF_INIT, want = BUF_INIT;
	char err[512];

	/* The root lies under a regular file: it cannot be created. */
	path_of(&root, tmpdir, "plain", NULL);
	write_file_atomic(root.data, "x", 1);
	buf_adds(&root, "/bad");
	int status = unit_fork(cannot_create, root.data, err, sizeof(err));
	buf_printf(&want, "test_badrec: cannot create '%s/", root.data);
	CHECK(status == 73 && !strncmp(err, want.data, want.len) && strstr(err, "/bad_records'"),
	      "a folder that cannot be created dies with 73 naming it (%d: %.*s)", status,
	      (int)strcspn(err, "\n"), err);
	buf_free(&root);
	buf_free(&want);
}

int main(void)
{
	tmpdir = unit_tmpdir();
	if (!tmpdir)
		return unit_done();
	stamp();
	commit_and_discard();
	same_second();
	failures();

	unit_rmdir(tmpdir);
	return unit_done();
}
