/*
 * A fault-injection shim for the tests: LD_PRELOAD it into one inlet
 * program and chosen calls on chosen files fail, as a full disk or a
 * dying device would make them.
 *
 *   INLET_FAULT_CALL   calls to fail, comma-separated: write, pwrite,
 *                      fsync, fdatasync, rename, close, open, openw (an
 *                      open for writing, creating or truncating), ftruncate,
 *                      fflush, fclose (stdio writes reach the kernel
 *                      inside libc, where no shim can see them, so
 *                      fflush/fclose stand for them), or "all"
 *   INLET_FAULT_PATH   fnmatch(3) glob on the absolute path ('*' also
 *                      matches '/'); for descriptors, the path that
 *                      /proc/self/fd/N names; for rename, either name
 *   INLET_FAULT_EXCEPT globs, ':'-separated, of paths never to fail
 *   INLET_FAULT_ERRNO  ENOSPC (default), EIO, EPIPE, EDQUOT, EROFS,
 *                      EACCES, or a number; 0 only logs the calls (a
 *                      watch: the call goes through)
 *   INLET_FAULT_AFTER  let this many matching calls succeed first (0)
 *   INLET_FAULT_TIMES  fail this many calls, then succeed again (0: all)
 *   INLET_FAULT_LOG    append one line per injected failure to this file
 *                      ("CALL PATH ERRNO"), so a test can tell the fault
 *                      was reached
 *
 * Build: cc -shared -fPIC -o shim.so tests/fault/shim.c -ldl
 * Without INLET_FAULT_CALL the shim only passes calls through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *calls;	/* INLET_FAULT_CALL, or NULL: off */
static const char *pattern;
static int fault_errno = ENOSPC;
static long after, times;
static long matched, failed;	/* atomics */
static const char *log_path;
static const char *except;	/* INLET_FAULT_EXCEPT */

#define REAL(name) real_##name
#define DECLARE_REAL(ret, name, ...) \
	static ret (*real_##name)(__VA_ARGS__)
#define RESOLVE(name) \
	do { if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name); } while (0)

DECLARE_REAL(int, open, const char *, int, ...);
DECLARE_REAL(int, open64, const char *, int, ...);
DECLARE_REAL(int, openat, int, const char *, int, ...);
DECLARE_REAL(int, openat64, int, const char *, int, ...);
DECLARE_REAL(int, __open_2, const char *, int);
DECLARE_REAL(int, __open64_2, const char *, int);
DECLARE_REAL(ssize_t, write, int, const void *, size_t);
DECLARE_REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
DECLARE_REAL(ssize_t, pwrite64, int, const void *, size_t, off_t);
DECLARE_REAL(int, fsync, int);
DECLARE_REAL(int, fdatasync, int);
DECLARE_REAL(int, rename, const char *, const char *);
DECLARE_REAL(int, renameat, int, const char *, int, const char *);
DECLARE_REAL(int, renameat2, int, const char *, int, const char *, unsigned);
DECLARE_REAL(int, close, int);
DECLARE_REAL(int, ftruncate, int, off_t);
DECLARE_REAL(int, ftruncate64, int, off_t);
DECLARE_REAL(FILE *, fopen, const char *, const char *);
DECLARE_REAL(FILE *, fopen64, const char *, const char *);
DECLARE_REAL(int, fflush, FILE *);
DECLARE_REAL(int, fclose, FILE *);

static int parse_errno(const char *s)
{
	static const struct { const char *name; int value; } names[] = {
		{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EPIPE", EPIPE },
		{ "EDQUOT", EDQUOT }, { "EROFS", EROFS }, { "EACCES", EACCES },
		{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].value;
	if (!strcmp(s, "0"))
		return 0;
	int n = atoi(s);
	return n > 0 ? n : ENOSPC;
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *v;

	calls = getenv("INLET_FAULT_CALL");
	if (calls && !*calls)
		calls = NULL;
	pattern = getenv("INLET_FAULT_PATH");
	if (!pattern || !*pattern)
		pattern = "*";
	if ((v = getenv("INLET_FAULT_ERRNO")))
		fault_errno = parse_errno(v);
	if ((v = getenv("INLET_FAULT_AFTER")))
		after = atol(v);
	if ((v = getenv("INLET_FAULT_TIMES")))
		times = atol(v);
	log_path = getenv("INLET_FAULT_LOG");
	except = getenv("INLET_FAULT_EXCEPT");
}

/* Is PATH among the INLET_FAULT_EXCEPT globs? */
static int excepted(const char *path)
{
	char glob[4096];

	for (const char *p = except; p && *p; ) {
		size_t len = strcspn(p, ":");
		if (len && len < sizeof(glob)) {
			memcpy(glob, p, len);
			glob[len] = '\0';
			if (fnmatch(glob, path, 0) == 0)
				return 1;
		}
		p += len + (p[len] == ':');
	}
	return 0;
}

/* Is CALL among INLET_FAULT_CALL? */
static int call_selected(const char *call)
{
	size_t n = strlen(call);

	if (!calls)
		return 0;
	for (const char *p = calls; *p; ) {
		size_t len = strcspn(p, ",");
		if ((len == n && !strncmp(p, call, n)) || (len == 3 && !strncmp(p, "all", 3)))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The absolute form of PATH relative to DIRFD into OUT. */
static void absolute(int dirfd, const char *path, char *out, size_t size)
{
	char base[4096];

	if (path[0] == '/') {
		snprintf(out, size, "%s", path);
		return;
	}
	if (dirfd == AT_FDCWD) {
		if (!getcwd(base, sizeof(base)))
			base[0] = '\0';
	} else {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		ssize_t n = readlink(link, base, sizeof(base) - 1);
		base[n > 0 ? n : 0] = '\0';
	}
	snprintf(out, size, "%s/%s", base, path);
}

static void fd_path(int fd, char *out, size_t size)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

static void note(const char *call, const char *path)
{
	char line[4400];
	int fd, n;

	if (!log_path)
		return;
	RESOLVE(open);
	RESOLVE(write);
	RESOLVE(close);
	fd = REAL(open)(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %s %s\n", call, path,
		     !fault_errno ? "watched" : strerrorname_np(fault_errno) ?
		     strerrorname_np(fault_errno) : "?");
	if (n > 0)
		REAL(write)(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	REAL(close)(fd);
}

/*
 * Should this call on PATH (or, with PATH2, on either) fail now?  Counts
 * the matching calls; sets errno when it says yes.
 */
static int should_fail(const char *call, const char *path, const char *path2)
{
	const char *hit = NULL;

	if (!calls || !call_selected(call))
		return 0;
	if (path && fnmatch(pattern, path, 0) == 0 && !excepted(path))
		hit = path;
	else if (path2 && fnmatch(pattern, path2, 0) == 0 && !excepted(path2))
		hit = path2;
	if (!hit)
		return 0;
	long k = __atomic_fetch_add(&matched, 1, __ATOMIC_SEQ_CST);
	if (k < after)
		return 0;
	if (times > 0 && __atomic_fetch_add(&failed, 1, __ATOMIC_SEQ_CST) >= times)
		return 0;
	note(call, hit);
	if (!fault_errno)
		return 0;	/* watch only */
	errno = fault_errno;
	return 1;
}

static int fd_fails(const char *call, int fd)
{
	char path[4096];

	if (!calls || !call_selected(call))
		return 0;
	fd_path(fd, path, sizeof(path));
	return should_fail(call, path, NULL);
}

static int path_fails(const char *call, int dirfd, const char *p)
{
	char path[4096];

	if (!calls || !call_selected(call) || !p)
		return 0;
	absolute(dirfd, p, path, sizeof(path));
	return should_fail(call, path, NULL);
}

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

/* open and, for FLAGS that write, openw. */
static int open_fails(int dirfd, const char *p, int flags)
{
	return path_fails("open", dirfd, p) ||
	       ((flags & WRITE_FLAGS) && path_fails("openw", dirfd, p));
}

/* ---- open ---- */

#define OPEN_MODE(flags, mode) do { \
	if ((flags) & (O_CREAT | __O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, flags); \
		mode = va_arg(ap, mode_t); \
		va_end(ap); \
	} \
} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	RESOLVE(open);
	if (open_fails(AT_FDCWD, path, flags))
		return -1;
	return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	RESOLVE(open64);
	if (open_fails(AT_FDCWD, path, flags))
		return -1;
	return REAL(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	RESOLVE(openat);
	if (open_fails(dirfd, path, flags))
		return -1;
	return REAL(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	RESOLVE(openat64);
	if (open_fails(dirfd, path, flags))
		return -1;
	return REAL(openat64)(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
	RESOLVE(__open_2);
	if (open_fails(AT_FDCWD, path, flags))
		return -1;
	return REAL(__open_2)(path, flags);
}

int __open64_2(const char *path, int flags)
{
	RESOLVE(__open64_2);
	if (open_fails(AT_FDCWD, path, flags))
		return -1;
	return REAL(__open64_2)(path, flags);
}

/* ---- writes and syncs ---- */

ssize_t write(int fd, const void *buf, size_t n)
{
	RESOLVE(write);
	if (fd_fails("write", fd))
		return -1;
	return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	RESOLVE(pwrite);
	if (fd_fails("pwrite", fd))
		return -1;
	return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	RESOLVE(pwrite64);
	if (fd_fails("pwrite", fd))
		return -1;
	return REAL(pwrite64)(fd, buf, n, off);
}

int fsync(int fd)
{
	RESOLVE(fsync);
	if (fd_fails("fsync", fd))
		return -1;
	return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
	RESOLVE(fdatasync);
	if (fd_fails("fdatasync", fd))
		return -1;
	return REAL(fdatasync)(fd);
}

int ftruncate(int fd, off_t len)
{
	RESOLVE(ftruncate);
	if (fd_fails("ftruncate", fd))
		return -1;
	return REAL(ftruncate)(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	RESOLVE(ftruncate64);
	if (fd_fails("ftruncate", fd))
		return -1;
	return REAL(ftruncate64)(fd, len);
}

/* close(2) releases the descriptor even when it reports an error. */
int close(int fd)
{
	RESOLVE(close);
	if (fd_fails("close", fd)) {
		int saved = errno;
		REAL(close)(fd);
		errno = saved;
		return -1;
	}
	return REAL(close)(fd);
}

/* ---- rename ---- */

static int rename_fails(int olddir, const char *from, int newdir, const char *to)
{
	char a[4096], b[4096];

	if (!calls || !call_selected("rename"))
		return 0;
	absolute(olddir, from, a, sizeof(a));
	absolute(newdir, to, b, sizeof(b));
	return should_fail("rename", a, b);
}

int rename(const char *from, const char *to)
{
	RESOLVE(rename);
	if (rename_fails(AT_FDCWD, from, AT_FDCWD, to))
		return -1;
	return REAL(rename)(from, to);
}

int renameat(int olddir, const char *from, int newdir, const char *to)
{
	RESOLVE(renameat);
	if (rename_fails(olddir, from, newdir, to))
		return -1;
	return REAL(renameat)(olddir, from, newdir, to);
}

int renameat2(int olddir, const char *from, int newdir, const char *to, unsigned flags)
{
	RESOLVE(renameat2);
	if (rename_fails(olddir, from, newdir, to))
		return -1;
	return REAL(renameat2)(olddir, from, newdir, to, flags);
}

/* ---- stdio: libc opens and writes inside, unseen; these stand for it ---- */

static int fopen_fails(const char *path, const char *mode)
{
	int flags = mode && strpbrk(mode, "wa+") ? O_WRONLY : O_RDONLY;

	return open_fails(AT_FDCWD, path, flags);
}

FILE *fopen(const char *path, const char *mode)
{
	RESOLVE(fopen);
	if (fopen_fails(path, mode))
		return NULL;
	return REAL(fopen)(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	RESOLVE(fopen64);
	if (fopen_fails(path, mode))
		return NULL;
	return REAL(fopen64)(path, mode);
}

int fflush(FILE *fp)
{
	RESOLVE(fflush);
	if (fp && fd_fails("fflush", fileno(fp)))
		return EOF;
	return REAL(fflush)(fp);
}

int fclose(FILE *fp)
{
	RESOLVE(fclose);
	if (fp && fd_fails("fclose", fileno(fp))) {
		int saved = errno;
		REAL(fclose)(fp);
		errno = saved;
		return EOF;
	}
	return REAL(fclose)(fp);
}
