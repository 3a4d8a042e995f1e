/*
 * What the listing leaves out, said once.  A link that leads out of the
 * source, a link to nothing, an entry that cannot be looked at, a FIFO:
 * each is reported on standard error the first time this process meets
 * it, so that a poll every few seconds does not repeat itself.  Names
 * hidden by Spark's rule are left out without a word (hidden_name).
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "die.h"
#include "discover.h"

/* The listing's two threads report here. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void left_out(struct left_out *lo, const char *path, const char *fmt, ...)
{
	static const struct file_identity none;
	size_t len = strlen(path);
	unsigned long long h = path_hash(PATH_HASH_INIT, path, len);
	char why[PATH_MAX + 256];	/* the reason names at most one other path */
	va_list ap;

	pthread_mutex_lock(&lock);
	if (!seen_has(&lo->paths, path, len, h)) {
		seen_put(&lo->paths, path, len, h, &none, -1);
		lo->count++;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		warning("leaving out '%s': %s", path, why);
	}
	pthread_mutex_unlock(&lock);
}

void left_out_free(struct left_out *lo)
{
	seen_free(&lo->paths);
	lo->count = 0;
}
