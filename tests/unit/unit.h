#ifndef INLET_UNIT_H
#define INLET_UNIT_H
/*
 * A minimal TAP producer for the C unit tests of libcommon: CHECK prints
 * "ok N - what" or "not ok N - what (file:line)"; unit_done() returns the
 * exit status.  tests/run-all counts the lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int unit_n, unit_failed;

/* COND is evaluated once: it may have effects (a call that appends). */
#define CHECK(cond, ...) do { \
	int unit_ok_ = !!(cond); \
	unit_n++; \
	if (unit_ok_) { \
		printf("ok %d - ", unit_n); \
	} else { \
		unit_failed++; \
		printf("not ok %d - ", unit_n); \
	} \
	printf(__VA_ARGS__); \
	if (!unit_ok_) \
		printf(" (%s:%d)", __FILE__, __LINE__); \
	putchar('\n'); \
} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

/*
 * Run FN(ARG) in a child process, for the functions that die: the child's
 * standard error is captured into ERR (CAP bytes, NUL-terminated) and its
 * standard output discarded.  Returns the exit status, 128 + the signal
 * when it was killed; a return from FN is exit 0.
 */
static inline int unit_fork(void (*fn)(void *), void *arg, char *err, size_t cap)
{
	FILE *tmp = tmpfile();
	int status;
	pid_t pid;

	err[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	if (!tmp || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		FILE *null = fopen("/dev/null", "w");
		if (null)
			dup2(fileno(null), 1);
		dup2(fileno(tmp), 2);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	rewind(tmp);
	size_t n = fread(err, 1, cap - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A fresh folder under $TMPDIR (or /tmp) for a test's files, or NULL after
 * a failed CHECK; unit_rmdir removes it and everything in it.
 */
static char unit_dir[4096];

static inline char *unit_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *dir;

	snprintf(unit_dir, sizeof(unit_dir), "%s/inlet-unit-XXXXXX", t && *t ? t : "/tmp");
	dir = mkdtemp(unit_dir);
	CHECK(dir != NULL, "temporary folder");
	return dir;
}

static inline void unit_rmdir(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

#endif
