#include <errno.h>
#include <string.h>

#include "identity.h"

void identity_from_stat(struct file_identity *id, const struct stat *st, bool link)
{
	id->known = true;
	id->link = link;
	id->dev = (unsigned long long)st->st_dev;
	id->ino = (unsigned long long)st->st_ino;
	id->size = (long long)st->st_size;
	id->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* An unsigned integer member of REC; false when absent or not a plain integer. */
static bool get_uint(const struct record *rec, const char *key, unsigned long long *out)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field *f = &rec->fields[i];
		unsigned long long x = 0;
		if (!json_key_is(f, key))
			continue;
		if (!f->val_len || f->val_len > 20)
			return false;
		for (size_t j = 0; j < f->val_len; j++) {
			char c = f->val[j];
			if (c < '0' || c > '9')
				return false;
			unsigned long long next = x * 10 + (unsigned)(c - '0');
			if (next / 10 != x)
				return false;	/* overflow */
			x = next;
		}
		*out = x;
		return true;
	}
	return false;
}

void identity_from_record(struct file_identity *id, const struct record *rec)
{
	unsigned long long size, mtime;
	const char *v;
	size_t n;

	memset(id, 0, sizeof(*id));
	id->known = get_uint(rec, "dev", &id->dev) && get_uint(rec, "ino", &id->ino) &&
		    get_uint(rec, "size", &size) && get_uint(rec, "mtime_ns", &mtime) &&
		    size <= (unsigned long long)1 << 62 && mtime <= (unsigned long long)1 << 62;
	if (id->known) {
		id->size = (long long)size;
		id->mtime_ns = (long long)mtime;
	}
	id->link = json_object_get(rec->text, rec->len, "link", &v, &n) == 1 &&
		   n == 4 && !memcmp(v, "true", 4);
}

bool identity_same_file(const struct file_identity *a, const struct file_identity *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

bool identity_equal(const struct file_identity *a, const struct file_identity *b)
{
	return identity_same_file(a, b) && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

void identity_append(struct buf *out, const struct file_identity *id)
{
	buf_printf(out, ",\"dev\":%llu,\"ino\":%llu,\"size\":%lld,\"mtime_ns\":%lld",
		   id->dev, id->ino, id->size, id->mtime_ns);
	if (id->link)
		buf_adds(out, ",\"link\":true");
}

const char *identity_change(const struct file_identity *want,
			    const struct file_identity *got, struct buf *out)
{
	buf_reset(out);
	if (!identity_same_file(want, got))
		return "replaced by another file since it was listed";
	if (want->size != got->size) {
		buf_printf(out, "changed since it was listed (size %lld, now %lld)",
			   want->size, got->size);
		return out->data;
	}
	return "modified since it was listed";
}

const char *identity_not_regular(mode_t mode)
{
	if (S_ISDIR(mode))
		return strerror(EISDIR);
	if (S_ISFIFO(mode))
		return "not a regular file (a FIFO)";
	if (S_ISCHR(mode))
		return "not a regular file (a character device)";
	if (S_ISBLK(mode))
		return "not a regular file (a block device)";
	if (S_ISSOCK(mode))
		return "not a regular file (a socket)";
	if (S_ISLNK(mode))
		return "not a regular file (a symbolic link)";
	return "not a regular file";
}
