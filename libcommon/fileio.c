#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "fileio.h"

int mkdir_p(const char *path)
{
	return mkdir_p_mode(path, 0700);
}

int mkdir_p_mode(const char *path, mode_t mode)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_adds(&b, path);
	for (char *p = b.data + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(b.data, mode) < 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	if (rc == 0) {
		struct stat st;
		if (stat(path, &st) < 0)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	buf_free(&b);
	return rc;
}

int fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;

	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_file_atomic_mode(path, data, len, 0600);
}

int write_file_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
	struct buf tmp = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd, saved;

	if (slash)
		buf_add(&tmp, path, (size_t)(slash - path + 1));
	buf_printf(&tmp, ".%s.tmp%ld", slash ? slash + 1 : path, (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto fail;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail_close;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail_close;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	if (rename(tmp.data, path) < 0)
		goto fail_unlink;
	buf_free(&tmp);
	return fsync_parent(path);
fail_close:
	saved = errno;
	close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp.data);
	errno = saved;
fail:
	buf_free(&tmp);
	return -1;
}

int read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	if (!out->data)
		buf_grow(out, 0), out->data[0] = '\0';
	return 0;
}

void remove_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct buf path = BUF_INIT;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.' || !strstr(e->d_name, ".tmp"))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, e->d_name);
		unlink(path.data);
	}
	closedir(d);
	buf_free(&path);
}

int lock_take(const char *path, mode_t mode, const char *what, const char *why)
{
	struct buf holder = BUF_INIT;
	char line[128];
	int fd, n;

	/* The descriptor stays open (and locked) until the process exits. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0)
		die_errno(EX_CANTCREAT, "cannot open lock '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			die_errno(EX_IOERR, "cannot lock '%s'", path);
		read_file(path, &holder);
		while (holder.len && holder.data[holder.len - 1] == '\n')
			holder.data[--holder.len] = '\0';
		die(EX_TEMPFAIL, "%s is in use by %s (lock '%s'); %s", what,
		    holder.len ? holder.data : "another process", path, why);
	}
	n = snprintf(line, sizeof(line), "pid %ld (%s)\n", (long)getpid(),
		     program_invocation_short_name);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)n, 0) != n)
		die_errno(EX_IOERR, "cannot write lock '%s'", path);
	buf_free(&holder);
	return fd;
}
