#ifndef INLET_DIE_H
#define INLET_DIE_H
/*
 * One way to fail, after git's usage.c: every message starts with the
 * program name, is lower-case, names the subject in quotes and has no full
 * stop.  Exit codes are the sysexits(3) contract of inlet(7).
 */
#include <sysexits.h>

/* Print "PROG: MESSAGE" on stderr and exit with CODE. */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* As die(), with ": strerror(errno)" appended. */
void die_errno(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Print "PROG: MESSAGE" on stderr; returns -1 so callers can return it. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROG: warning: MESSAGE" on stderr. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * malloc/realloc/calloc/strdup/strndup that die(EX_OSERR) instead of
 * returning NULL; the caller owns and frees the result.  xcalloc also dies
 * when NMEMB * SIZE overflows; xstrndup copies at most N bytes of S and
 * always terminates the copy.
 */
void *xmalloc(unsigned long n);
void *xrealloc(void *p, unsigned long n);
void *xcalloc(unsigned long nmemb, unsigned long size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, unsigned long n);

/*
 * Flush and close stdout, dying with EX_IOERR if any write failed (a full
 * disk or a broken pipe is never reported as success).  Call before exit 0.
 */
void close_stdout(void);

#endif
