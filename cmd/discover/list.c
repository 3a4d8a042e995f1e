/*
 * Listing the sources of inlet-discover.
 *
 * A listing is as cheap as `find -type f` when little is new: the type of
 * an entry comes from getdents64's d_type, a file already taken is looked up
 * in the index by its path alone, and only new files (every file, with
 * --allow-overwrites) are stat'ed, relative to the open folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "discover.h"

struct file *filelist_push(struct filelist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	return &l->v[l->n++];
}

void filelist_add(struct filelist *l, const char *path, const struct stat *st, bool link)
{
	struct file *f = filelist_push(l);
	f->path = xstrdup(path);
	identity_from_stat(&f->id, st, link);
	f->mtime = st->st_mtim;
	f->source_len = 0;
}

void filelist_free(struct filelist *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->v[k].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* T as iso8601_utc writes it. */
void format_mtime(char *out, const struct timespec *t)
{
	iso8601_utc(out, (long long)t->tv_sec, t->tv_nsec);
}

/* Spark's hidden-file rule (HadoopFSUtils.shouldFilterOutPathName). */
bool hidden_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return true;
	if (name[0] == '_' && !strchr(name, '='))
		return true;
	return n >= 10 && !strcmp(name + n - 10, "._COPYING_");
}

/*
 * Spark reads a folder's own files and, by partition discovery, those of
 * its KEY=VALUE folders; recursiveFileLookup=true goes into every folder.
 */
bool folder_listed(const char *name)
{
	const char *eq = strchr(name, '=');

	return !opt.no_recursive || (eq && eq > name);
}

bool pattern_matches(const char *rel)
{
	if (!opt.pattern)
		return true;
	if (strchr(opt.pattern, '/'))
		return fnmatch(opt.pattern, rel, FNM_PATHNAME) == 0;
	const char *base = strrchr(rel, '/');
	return fnmatch(opt.pattern, base ? base + 1 : rel, 0) == 0;
}

/* Report the link PATH that leads nowhere (realpath or stat said ERR). */
static void dangling(const struct buf *path, int err, struct left_out *lo)
{
	char to[PATH_MAX];
	ssize_t n;

	if (err == ENOENT && (n = readlink(path->data, to, sizeof(to) - 1)) >= 0) {
		to[n] = '\0';
		left_out(lo, path->data, "a symbolic link to '%s', which does not exist", to);
	} else {
		left_out(lo, path->data, "a symbolic link that cannot be followed: %s",
			 strerror(err));
	}
}

/*
 * A symlink is followed only to a regular file inside the source root,
 * unless --follow-symlinks; then folders too, but never to a folder above
 * (a loop).
 */
bool symlink_allowed(const struct buf *path, size_t rel_off, struct stat *st,
		     struct left_out *lo)
{
	char *target = realpath(path->data, NULL);
	bool ok = false, wanted = pattern_matches(path->data + rel_off);

	if (!target || stat(target, st) < 0) {
		int err = errno;
		st->st_mode = 0;
		if (lo && wanted)
			dangling(path, err, lo);
		goto out;
	}
	size_t root_len = rel_off ? rel_off - 1 : 0;
	bool inside = !strncmp(target, path->data, root_len) && target[root_len] == '/';
	if (S_ISREG(st->st_mode)) {
		ok = inside || opt.follow_symlinks;
		if (!ok && lo && wanted)
			left_out(lo, path->data, "a symbolic link to '%s', outside the source "
				 "(--follow-symlinks follows it)", target);
	} else if (S_ISDIR(st->st_mode) && opt.follow_symlinks) {
		size_t n = strlen(target);
		ok = strncmp(path->data, target, n) || (path->data[n] != '/' && path->data[n]);
		if (!ok && lo)
			left_out(lo, path->data, "a symbolic link to '%s', a folder above it "
				 "(a loop)", target);
	} else if (S_ISDIR(st->st_mode)) {
		if (lo)
			left_out(lo, path->data, "a symbolic link to the folder '%s' "
				 "(--follow-symlinks follows it)", target);
	} else if (lo && wanted) {
		left_out(lo, path->data, "a symbolic link to '%s': %s", target,
			 identity_not_regular(st->st_mode));
	}
out:
	free(target);
	return ok;
}

bool readable(int dfd, const char *name, const char *path, struct left_out *lo)
{
	if (faccessat(dfd, name, R_OK, AT_EACCESS) == 0 || errno != EACCES)
		return true;	/* other errors: opening it will say */
	left_out(lo, path, "cannot read it: %s", strerror(EACCES));
	return false;
}

/* A folder entry, read before any is looked at so lookups can be prefetched. */
struct listed {
	size_t name;		/* offset in lister.names */
	size_t len;
	unsigned long long hash;	/* of the whole path */
	unsigned char type;	/* d_type */
};

/*
 * What a listing needs while it walks one source.  ENTRIES and NAMES are
 * stacks: each folder pushes its entries and pops them when done.
 */
struct lister {
	struct buf path;	/* the entry at hand, absolute */
	size_t rel_off;		/* where the part below the source starts */
	size_t source_len;	/* the source folder's length: "source" of file records */
	const struct seen *seen;
	struct filelist *out;
	struct listed *entries;
	size_t n, cap;
	struct buf names;
	char *dents;		/* DENTS_BYTES for getdents64, or NULL */
	struct left_out *lo;
	struct passed_over *po;
	unsigned long long shard_h0;	/* shard_hash of the key up to path + rel_off */
	int depth;		/* folders walked into below the source */
	struct helper *helper;	/* the second lister, or NULL */
};

/*
 * The second lister: a thread that takes whole folders right below a
 * source while the first lister goes on with the rest, so that two cores
 * read folders (reading them, getdents64, is most of what a listing
 * costs).  A folder goes to it only when it is idle; it lists into its
 * own list and counters, which the first takes over once the source is
 * done.  The index is only read, each thread with its own scratch, and
 * what is left out is said under left_out's lock.
 */
struct helper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy;		/* a folder is posted and not done */
	bool quit;
	struct lister l;	/* its path: the folder posted */
	struct filelist out;
	struct passed_over po;
};

#define PREFETCH_AHEAD 8	/* lookups in flight: enough to hide a miss (two, per probe) */

/*
 * The regular file L->path (hash H, in the open folder DFD as NAME): add
 * it unless taken before.  A known file is stat'ed only with
 * --allow-overwrites, to see whether it changed; ST is set when HAVE_ST,
 * and is the target's when LINK.
 */
static void list_file(struct lister *l, unsigned long long h, int dfd, const char *name,
		      struct stat *st, bool have_st, bool link)
{
	struct file_identity id;

	const struct seen_entry *e = NULL;

	if (!pattern_matches(l->path.data + l->rel_off))
		return;
	if (opt.shard_n > 1 && !shard_takes(shard_hash(l->shard_h0, l->path.data + l->rel_off,
						      l->path.len - l->rel_off))) {
		l->po->other_shards++;
		return;
	}
	if (l->seen && !opt.allow_overwrites && seen_has(l->seen, l->path.data, l->path.len, h))
		return;
	if (l->seen && opt.allow_overwrites)
		e = seen_find(l->seen, l->path.data, l->path.len, h);
	if (!have_st && fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)	/* else vanished while listing */
			left_out(l->lo, l->path.data, "cannot stat it: %s", strerror(errno));
		return;
	}
	if (!S_ISREG(st->st_mode))
		return;		/* replaced while listing: the next listing says */
	identity_from_stat(&id, st, link);
	if (e && seen_same(e, &id))
		return;
	if (!in_time_range(&st->st_mtim)) {
		l->po->out_of_range++;
		return;		/* not seen: another range may take it */
	}
	if (!readable(dfd, name, l->path.data, l->lo))
		return;		/* taken once it can be read */
	filelist_add(l->out, l->path.data, st, link);
	l->out->v[l->out->n - 1].source_len = l->source_len;
}

/*
 * Folder entries as getdents64(2) gives them: read into one large buffer,
 * a folder of thousands of files costs one call and the one that says it
 * ended, and no readdir(3) per entry.
 */
struct dent64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];		/* NUL-terminated, padded */
};

#define DENTS_BYTES (256 << 10)

/* Spark's hidden-file rule on NAME of LEN bytes: hidden_name without a strlen. */
static bool hidden_entry(const char *name, size_t len)
{
	if (name[0] == '.' || name[0] == '_')
		return hidden_name(name);
	return len >= 10 && !memcmp(name + len - 10, "._COPYING_", 10);
}

/*
 * Push the entries of the open folder FD that are not hidden;
 * FOLDER_HASH is that of "FOLDER/".  False when reading it failed (errno).
 */
static bool read_folder(struct lister *l, int fd, unsigned long long folder_hash)
{
	ssize_t got;

	if (!l->dents)
		l->dents = xmalloc(DENTS_BYTES);
	while ((got = getdents64(fd, l->dents, DENTS_BYTES)) > 0) {
		for (ssize_t at = 0; at < got;) {
			const struct dent64 *e = (const struct dent64 *)(l->dents + at);
			size_t len = strlen(e->name);
			at += e->reclen;
			if (hidden_entry(e->name, len))	/* "." and ".." too */
				continue;
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 1024;
				l->entries = xrealloc(l->entries, l->cap * sizeof(*l->entries));
			}
			l->entries[l->n++] = (struct listed){ l->names.len, len,
				path_hash(folder_hash, e->name, len), e->type };
			buf_add(&l->names, e->name, len + 1);
		}
	}
	return got == 0;
}

static void walk(struct lister *l);

/* Free what a lister allocated as it walked. */
static void lister_free(struct lister *l)
{
	buf_free(&l->path);
	buf_free(&l->names);
	free(l->entries);
	free(l->dents);
}

/* Give the folder L->path to the helper if it is idle; false when not. */
static bool hand_over(struct lister *l)
{
	struct helper *h = l->helper;
	bool idle;

	pthread_mutex_lock(&h->mu);
	idle = !h->busy;
	if (idle) {
		buf_reset(&h->l.path);
		buf_add(&h->l.path, l->path.data, l->path.len);
		h->l.rel_off = l->rel_off;
		h->l.source_len = l->source_len;
		h->l.shard_h0 = l->shard_h0;
		h->busy = true;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return idle;
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->busy)
			break;
		pthread_mutex_unlock(&h->mu);
		walk(&h->l);
		pthread_mutex_lock(&h->mu);
		h->busy = false;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	seen_thread_done();
	return NULL;
}

/* Wait until the helper is done with its folder; take over what it found. */
static void helper_collect(struct helper *h, struct filelist *out, struct passed_over *po)
{
	pthread_mutex_lock(&h->mu);
	while (h->busy)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	for (size_t i = 0; i < h->out.n; i++)
		*filelist_push(out) = h->out.v[i];	/* the path moves with it */
	h->out.n = 0;
	po->other_shards += h->po.other_shards;
	po->out_of_range += h->po.out_of_range;
	po->subfolders += h->po.subfolders;
	memset(&h->po, 0, sizeof(h->po));
}

/*
 * A helper listing with SEEN and LO, when this process may run on a
 * second core; NULL otherwise, or when the thread cannot be started (one
 * lister does it all).  Stop signals stay with the first thread.
 */
static struct helper *helper_start(const struct seen *seen, struct left_out *lo)
{
	struct helper *h;
	sigset_t stops, old;
	cpu_set_t cpus;

	/* The cores this process may run on, not those the machine has. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0 || CPU_COUNT(&cpus) < 2)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->l.seen = seen;
	h->l.lo = lo;
	h->l.out = &h->out;
	h->l.po = &h->po;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	int rc = pthread_create(&h->thread, NULL, helper_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		free(h);
		return NULL;
	}
	return h;
}

static void helper_stop(struct helper *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->quit = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	filelist_free(&h->out);
	lister_free(&h->l);
	free(h);
}

/* Walk the folder L->path (absolute). */
static void walk(struct lister *l)
{
	struct buf *path = &l->path;
	/* "/" is walked as "": opened as "/". */
	int fd = open(path->len ? path->data : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t len = path->len, first = l->n, names_len = l->names.len;

	if (fd < 0) {
		if (errno != ENOENT)
			left_out(l->lo, path->data, "cannot read the folder: %s", strerror(errno));
		return;
	}
	buf_addc(path, '/');
	if (!read_folder(l, fd, path_hash(PATH_HASH_INIT, path->data, path->len))) {
		/* What was read is listed; the rest is said, and a later listing takes it. */
		path->data[len] = '\0';
		left_out(l->lo, path->data, "cannot read the folder: %s", strerror(errno));
		path->data[len] = '/';
	}
	for (size_t i = first; i < l->n; i++) {
		struct listed e = l->entries[i];	/* a copy: walk() below moves them */
		const char *name = l->names.data + e.name;
		struct stat st;
		bool have_st = false, link = false;
		if (l->seen && i + PREFETCH_AHEAD < l->n)
			seen_prefetch(l->seen, l->entries[i + PREFETCH_AHEAD].hash);
		if (l->seen && i + PREFETCH_AHEAD / 2 < l->n)
			seen_prefetch_entry(l->seen, l->entries[i + PREFETCH_AHEAD / 2].hash);
		path->len = len + 1;
		buf_add(path, name, e.len);
		/* Only file systems without d_type, and symlinks, cost a stat. */
		if (e.type == DT_UNKNOWN) {
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno != ENOENT)	/* else vanished while listing */
					left_out(l->lo, path->data, "cannot stat it: %s",
						 strerror(errno));
				continue;
			}
			e.type = IFTODT(st.st_mode);
			have_st = true;
		}
		if (e.type == DT_LNK) {
			if (!symlink_allowed(path, l->rel_off, &st, l->lo))
				continue;
			e.type = IFTODT(st.st_mode);
			have_st = link = true;
		}
		if (e.type == DT_DIR && folder_listed(name)) {
			/* The folders right below the source are shared out. */
			if (!(l->helper && l->depth == 0 && hand_over(l))) {
				l->depth++;
				walk(l);
				l->depth--;
			}
		} else if (e.type == DT_DIR) {
			l->po->subfolders++;
		} else if (e.type == DT_REG) {
			list_file(l, e.hash, fd, l->names.data + e.name, &st, have_st,
				  link);
		} else if (pattern_matches(path->data + l->rel_off)) {
			left_out(l->lo, path->data, "%s", identity_not_regular(DTTOIF(e.type)));
		}
	}
	close(fd);
	l->n = first;
	l->names.len = names_len;
	path->len = len;
	path->data[len] = '\0';
}

/*
 * List ROOT, whose shard key is KEY: "" for a folder given as a source,
 * so that the files below it are keyed by their path below it.
 */
static void list_root(const char *root, const char *key, const struct seen *seen,
		      struct filelist *out, struct left_out *lo, struct passed_over *po,
		      struct helper *helper)
{
	char *abs = realpath(root, NULL);
	struct stat st;
	size_t key_len = strlen(key);
	unsigned long long h;

	while (key_len && key[key_len - 1] == '/')	/* a glob ending in a slash */
		key_len--;
	h = shard_hash(SHARD_HASH_INIT, key, key_len);

	if (!abs || stat(abs, &st) < 0)
		die_errno(EX_NOINPUT, "cannot read source '%s'", root);
	if (S_ISDIR(st.st_mode)) {
		struct lister l = { .seen = seen, .out = out, .lo = lo, .po = po,
				    .shard_h0 = key_len ? shard_hash(h, "/", 1) : h,
				    .helper = helper };
		buf_adds(&l.path, abs);
		if (l.path.len == 1)	/* the root folder "/": opened as "/", walked as "" */
			l.path.len = 0;
		l.rel_off = l.path.len + 1;
		/* A folder a glob matched: its source starts before the wildcard. */
		l.source_len = l.path.len;
		if (key_len && l.path.len > key_len && l.path.data[l.path.len - key_len - 1] == '/' &&
		    !memcmp(l.path.data + l.path.len - key_len, key, key_len))
			l.source_len = l.path.len - key_len - 1;
		walk(&l);
		if (helper)
			helper_collect(helper, out, po);
		lister_free(&l);
	} else if (!S_ISREG(st.st_mode)) {
		left_out(lo, abs, "%s", identity_not_regular(st.st_mode));
	} else if (!shard_takes(h)) {
		po->other_shards++;
	} else if (!in_time_range(&st.st_mtim)) {
		po->out_of_range++;
	} else if (readable(AT_FDCWD, abs, abs, lo)) {
		filelist_add(out, abs, &st, false);	/* ABS is the target already */
	}
	free(abs);
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

/* The name of PATH, its last component. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The shard key of MATCH, a path the glob SOURCE matched: its part below
 * the folders before the first wildcard (landing/day?/a.json matched
 * landing/day1/a.json: "day1/a.json"), which is what a listing of that
 * folder, or watching it, keys the file by.
 */
static const char *glob_key(const char *source, const char *match)
{
	const char *magic = strpbrk(source, "*?[{"), *slash = magic;
	size_t lead;

	while (slash > source && slash[-1] != '/')
		slash--;
	lead = (size_t)(slash - source);
	if (strlen(match) <= lead || strncmp(match, source, lead))
		return base_name(match);	/* glob(3) rewrote the lead: escapes */
	return match + lead;
}

void list_sources(char **sources, int n, const struct seen *seen, struct filelist *out,
		  struct left_out *lo, struct passed_over *po)
{
	struct helper *helper = helper_start(seen, lo);

	memset(po, 0, sizeof(*po));
	for (int i = 0; i < n; i++) {
		if (!has_glob(sources[i])) {
			struct stat st;
			/* A file given as a source is keyed by its name. */
			bool file = stat(sources[i], &st) == 0 && !S_ISDIR(st.st_mode);
			list_root(sources[i], file ? base_name(sources[i]) : "", seen, out,
				  lo, po, helper);
			continue;
		}
		glob_t g;
		int rc = glob(sources[i], GLOB_BRACE | GLOB_NOSORT, NULL, &g);
		if (rc == GLOB_NOMATCH) {
			globfree(&g);
			continue;	/* nothing yet: a glob may match later */
		}
		if (rc != 0)
			die(EX_NOINPUT, "cannot expand source '%s'", sources[i]);
		for (size_t j = 0; j < g.gl_pathc; j++) {
			const char *name = strrchr(g.gl_pathv[j], '/');
			if (!hidden_name(name ? name + 1 : g.gl_pathv[j]))
				list_root(g.gl_pathv[j], glob_key(sources[i], g.gl_pathv[j]),
					  seen, out, lo, po, helper);
		}
		globfree(&g);
	}
	helper_stop(helper);
}

static int cmp_file(const void *a, const void *b)
{
	const struct file *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Is F new: not taken before, or changed since with --allow-overwrites? */
static bool is_new(const struct file *f, const struct seen *s)
{
	const struct seen_entry *e = seen_lookup(s, f->path);

	return !e || (opt.allow_overwrites && !seen_same(e, &f->id));
}

/* Filter first, then sort: only the new files are sorted. */
void filter_new(struct filelist *l, const struct seen *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (is_new(&l->v[i], s))
			l->v[kept++] = l->v[i];
		else
			free(l->v[i].path);
	}
	l->n = kept;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_file);
	/* The same file reached through two sources is taken once. */
	kept = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (kept && !strcmp(l->v[kept - 1].path, l->v[i].path))
			free(l->v[i].path);
		else
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
}
