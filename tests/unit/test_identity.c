/* libcommon/identity: a file's identity on real files, and in records. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "identity.h"
#include "stream.h"
#include "unit.h"

static char *tmpdir;

/* A fixed past modification time, so that no check races the clock. */
#define PAST_SEC 1577836800LL	/* 2020-01-01T00:00:00Z */
#define PAST_NSEC 123456789LL

static void file_path(struct buf *out, const char *name)
{
	buf_reset(out);
	buf_printf(out, "%s/%s", tmpdir, name);
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
		printf("# cannot write %s\n", path);
}

static void set_mtime(const char *path, long long sec, long long nsec)
{
	struct timespec ts[2] = { { (time_t)sec, nsec }, { (time_t)sec, nsec } };

	if (utimensat(AT_FDCWD, path, ts, 0) < 0)
		printf("# cannot set the time of %s\n", path);
}

/* The identity of PATH as discover takes it (following a link when LINK). */
static struct file_identity identity_of(const char *path, bool link)
{
	struct file_identity id;
	struct stat st;

	memset(&id, 0, sizeof(id));
	if (stat(path, &st) == 0)
		identity_from_stat(&id, &st, link);
	return id;
}

/* ID written into a file record and read back, as parse reads discover's. */
static struct file_identity through_record(const struct file_identity *id, struct buf *text)
{
	struct file_identity back;
	struct record rec;

	buf_reset(text);
	buf_adds(text, "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"/x\"");
	identity_append(text, id);
	buf_addc(text, '}');
	memset(&back, 0xff, sizeof(back));
	if (record_classify(&rec, text->data, text->len, NULL) == 0)
		identity_from_record(&back, &rec);
	return back;
}

static void from_stat(void)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct stat st;

	file_path(&path, "a");
	write_text(path.data, "hello\n");
	set_mtime(path.data, PAST_SEC, PAST_NSEC);
	stat(path.data, &st);
	struct file_identity id = identity_of(path.data, false);
	CHECK(id.known && !id.link && id.dev == (unsigned long long)st.st_dev &&
	      id.ino == (unsigned long long)st.st_ino && id.size == 6,
	      "from_stat takes the device, inode and size");
	CHECK(id.mtime_ns == PAST_SEC * 1000000000LL + PAST_NSEC,
	      "from_stat takes the modification time to the nanosecond");

	struct file_identity back = through_record(&id, &text);
	CHECK(back.known && identity_equal(&id, &back) && !back.link,
	      "append then from_record gives the same identity (%s)", text.data);
	char want[256];
	snprintf(want, sizeof(want), ",\"dev\":%llu,\"ino\":%llu,\"size\":6,\"mtime_ns\":%lld}",
		 id.dev, id.ino, PAST_SEC * 1000000000LL + PAST_NSEC);
	CHECK(strstr(text.data, want) != NULL, "append writes the documented members");

	/* A symbolic link the listing followed: the target's identity, marked. */
	struct buf link = BUF_INIT;
	file_path(&link, "link-to-a");
	if (symlink(path.data, link.data) < 0)
		printf("# cannot make the link\n");
	struct file_identity via = identity_of(link.data, true);
	CHECK(via.link && identity_equal(&via, &id), "through a symlink: the target's identity, link set");
	back = through_record(&via, &text);
	CHECK(back.link && identity_equal(&back, &id) && strstr(text.data, ",\"link\":true}"),
	      "link:true is written and read back");
	buf_free(&link);
	buf_free(&path);
	buf_free(&text);
}

static void from_record(void)
{
	static const struct { const char *members; bool known; const char *what; } cases[] = {
		{ "\"dev\":1,\"ino\":2,\"size\":3,\"mtime_ns\":4", true, "all four members" },
		{ "\"mtime_ns\":4,\"size\":3,\"ino\":2,\"dev\":1", true, "members in any order" },
		{ "\"ino\":2,\"size\":3,\"mtime_ns\":4", false, "no dev" },
		{ "\"dev\":1,\"size\":3,\"mtime_ns\":4", false, "no ino" },
		{ "\"dev\":1,\"ino\":2,\"mtime_ns\":4", false, "no size" },
		{ "\"dev\":1,\"ino\":2,\"size\":3", false, "no mtime_ns" },
		{ "\"dev\":1,\"ino\":2,\"size\":\"3\",\"mtime_ns\":4", false, "a size as a string" },
		{ "\"dev\":1,\"ino\":2,\"size\":-3,\"mtime_ns\":4", false, "a negative size" },
		{ "\"dev\":1,\"ino\":2,\"size\":3.0,\"mtime_ns\":4", false, "a fractional size" },
		{ "\"dev\":1,\"ino\":2,\"size\":3e2,\"mtime_ns\":4", false, "a size with an exponent" },
		{ "\"dev\":1,\"ino\":2,\"size\":null,\"mtime_ns\":4", false, "a null size" },
		{ "\"dev\":18446744073709551615,\"ino\":18446744073709551615,\"size\":3,\"mtime_ns\":4",
		  true, "dev and ino at the largest 64-bit value" },
		{ "\"dev\":18446744073709551616,\"ino\":2,\"size\":3,\"mtime_ns\":4", false,
		  "a dev past 64 bits" },
		{ "\"dev\":1,\"ino\":99999999999999999999,\"size\":3,\"mtime_ns\":4", false,
		  "an ino past 64 bits (20 digits)" },
		{ "\"dev\":1,\"ino\":2,\"size\":4611686018427387904,\"mtime_ns\":4", true,
		  "a size of 2^62" },
		{ "\"dev\":1,\"ino\":2,\"size\":4611686018427387905,\"mtime_ns\":4", false,
		  "a size past 2^62" },
		{ "\"dev\":1,\"ino\":2,\"size\":3,\"mtime_ns\":9223372036854775807", false,
		  "an mtime past 2^62" },
	};
	struct buf text = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct file_identity id;
		struct record rec;
		buf_reset(&text);
		buf_printf(&text, "{\"_inlet\":\"file\",\"path\":\"/p\",%s}", cases[i].members);
		memset(&id, 0xff, sizeof(id));
		int rc = record_classify(&rec, text.data, text.len, NULL);
		identity_from_record(&id, &rec);
		CHECK(rc == 0 && id.known == cases[i].known && !id.link,
		      "from_record, %s: %s", cases[i].what, cases[i].known ? "known" : "not known");
	}
	struct file_identity id;
	struct record rec;
	const char *r = "{\"_inlet\":\"file\",\"dev\":1,\"ino\":2,\"size\":3,\"mtime_ns\":4,\"link\":true}";
	record_classify(&rec, r, strlen(r), NULL);
	identity_from_record(&id, &rec);
	CHECK(id.known && id.link && id.dev == 1 && id.ino == 2 && id.size == 3 && id.mtime_ns == 4,
	      "from_record reads the values and link:true");
	r = "{\"_inlet\":\"file\",\"dev\":1,\"ino\":2,\"size\":3,\"mtime_ns\":4,\"link\":\"true\"}";
	record_classify(&rec, r, strlen(r), NULL);
	identity_from_record(&id, &rec);
	CHECK(id.known && !id.link, "link as a string is not a link");
	r = "{\"_inlet\":\"file\",\"dev\":1,\"ino\":2,\"size\":3,\"mtime_ns\":4,\"x\":{\"link\":true}}";
	record_classify(&rec, r, strlen(r), NULL);
	identity_from_record(&id, &rec);
	CHECK(id.known && !id.link, "a nested link member is not the record's");
	buf_free(&text);
}

/* The change message for WANT against the file at PATH now. */
static const char *change_now(const struct file_identity *want, const char *path,
			      struct file_identity *got, struct buf *out)
{
	*got = identity_of(path, false);
	return identity_change(want, got, out);
}

static void changes(void)
{
	struct buf path = BUF_INIT, other = BUF_INIT, msg = BUF_INIT;
	struct file_identity listed, now;
	const char *why;

	file_path(&path, "data.csv");
	write_text(path.data, "id\n1\n");
	set_mtime(path.data, PAST_SEC, PAST_NSEC);
	listed = identity_of(path.data, false);

	/* Unchanged, and the same file through a hard link. */
	now = identity_of(path.data, false);
	CHECK(identity_equal(&listed, &now) && identity_same_file(&listed, &now), "unchanged: equal");
	file_path(&other, "hard.csv");
	if (link(path.data, other.data) < 0)
		printf("# cannot make the hard link\n");
	now = identity_of(other.data, false);
	CHECK(identity_equal(&listed, &now), "a hard link is the same file, unchanged");
	unlink(other.data);

	/* Rewritten in place with the same size: same file, not equal. */
	write_text(path.data, "id\n2\n");
	why = change_now(&listed, path.data, &now, &msg);
	CHECK(identity_same_file(&listed, &now) && !identity_equal(&listed, &now),
	      "rewritten in place, same size: the same file, changed");
	CHECK(!strcmp(why, "modified since it was listed"), "and the change is 'modified' (%s)", why);

	/* Rewritten in place, grown. */
	set_mtime(path.data, PAST_SEC, PAST_NSEC);
	listed = identity_of(path.data, false);
	write_text(path.data, "id\n2\n3\n4\n");
	why = change_now(&listed, path.data, &now, &msg);
	CHECK(identity_same_file(&listed, &now) && !identity_equal(&listed, &now) &&
	      !strcmp(why, "changed since it was listed (size 5, now 9)") && why == msg.data,
	      "grown in place: the change names both sizes (%s)", why);

	/* Grown then its time set back: the size alone tells. */
	set_mtime(path.data, PAST_SEC, PAST_NSEC);
	now = identity_of(path.data, false);
	CHECK(!identity_equal(&listed, &now), "a changed size is a change even at the listed time");

	/* Touched: same content, a new time. */
	listed = identity_of(path.data, false);
	set_mtime(path.data, PAST_SEC, PAST_NSEC + 1);
	why = change_now(&listed, path.data, &now, &msg);
	CHECK(identity_same_file(&listed, &now) && !identity_equal(&listed, &now) &&
	      !strcmp(why, "modified since it was listed"), "touched, one nanosecond later: modified");

	/* Replaced by rename: another file under the same name. */
	listed = identity_of(path.data, false);
	file_path(&other, "new.tmp");
	write_text(other.data, "id\n2\n3\n4\n");
	set_mtime(other.data, PAST_SEC, PAST_NSEC + 1);	/* same size and time */
	if (rename(other.data, path.data) < 0)
		printf("# cannot rename\n");
	why = change_now(&listed, path.data, &now, &msg);
	CHECK(!identity_same_file(&listed, &now) && !identity_equal(&listed, &now),
	      "replaced by rename, same size and time: another file");
	CHECK(!strcmp(why, "replaced by another file since it was listed"), "and the change says so (%s)", why);

	/* A message in OUT is reset first. */
	buf_adds(&msg, "stale");
	struct file_identity small = listed;
	small.size = 1;
	why = identity_change(&listed, &small, &msg);
	CHECK(!strcmp(why, "changed since it was listed (size 9, now 1)"), "OUT is reset before the message");

	buf_free(&path);
	buf_free(&other);
	buf_free(&msg);
}

int main(void)
{
	tmpdir = unit_tmpdir();
	if (!tmpdir)
		return unit_done();
	from_stat();
	from_record();
	changes();

	unit_rmdir(tmpdir);
	return unit_done();
}
