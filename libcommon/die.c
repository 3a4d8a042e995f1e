#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

static void vreport(const char *prefix, const char *fmt, va_list ap, int errnum)
{
	fprintf(stderr, "%s: %s", program_invocation_short_name, prefix);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
	exit(code);
}

void die_errno(int code, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, errnum);
	va_end(ap);
	exit(code);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void *xmalloc(unsigned long n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(EX_OSERR, "out of memory allocating %lu bytes", n);
	return p;
}

void *xrealloc(void *p, unsigned long n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EX_OSERR, "out of memory allocating %lu bytes", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EX_OSERR, "out of memory");
	return p;
}

void *xcalloc(unsigned long nmemb, unsigned long size)
{
	void *p;

	if (!nmemb || !size)
		nmemb = size = 1;
	p = nmemb > (unsigned long)-1 / size ? NULL : calloc(nmemb, size);
	if (!p)
		die(EX_OSERR, "out of memory allocating %lu times %lu bytes", nmemb, size);
	return p;
}

char *xstrndup(const char *s, unsigned long n)
{
	char *p = strndup(s, n);

	if (!p)
		die(EX_OSERR, "out of memory");
	return p;
}

void close_stdout(void)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		failed = 1;
	if (failed)
		die_errno(EX_IOERR, "cannot write standard output");
}
