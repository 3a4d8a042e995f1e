/*
 * inlet-discover: list source folders and emit batches of new files.
 *
 * Exactly-once rests on the order of writes (inlet(7)): offsets/N is
 * written before batch N is emitted; sources/seen is appended after, and
 * is repaired from offsets/ at start, so it needs no fsync of its own.
 * On start every batch written ahead but not committed (offsets/N with no
 * commits/N) is emitted again, verbatim, before anything new.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ckpt.h"
#include "cli.h"
#include "die.h"
#include "json.h"
#include "stream.h"
#include "discover.h"

struct options opt = {
	.trigger = TRIGGER_AVAILABLE_NOW,
	.max_files = 1000,
	.keep = 100,
	.include_existing = true,
	.backfill_ms = 60000,
};

static void usage(int code)
{
	FILE *fp = code ? stderr : stdout;

	fprintf(fp,
"usage: inlet-discover (--checkpoint DIR | --no-checkpoint) [options] SOURCE...\n"
"\n"
"List SOURCE folders, files or globs recursively and write batches of files\n"
"not taken before as inlet control records on standard output.\n"
"\n"
"  -c, --checkpoint DIR           checkpoint folder (offsets/, sources/)\n"
"      --no-checkpoint            list everything once; remember nothing\n"
"  -t, --trigger MODE             available-now (default): all new files in\n"
"                                 batches, then exit; once: one batch of all;\n"
"                                 every:DURATION: list every so often and run\n"
"                                 until stopped; watch: inotify, lowest latency\n"
"      --max-files-per-trigger N  files per batch (default 1000, 0: no limit)\n"
"      --max-bytes-per-trigger SIZE\n"
"                                 soft byte limit per batch (e.g. 10g)\n"
"      --allow-overwrites         take a seen file again when its size or\n"
"                                 modification time changed\n"
"      --follow-symlinks          follow symlinks to folders, and to files\n"
"                                 outside the source (default: only to\n"
"                                 files inside it)\n"
"      --pattern GLOB             only files whose name (or path below the\n"
"                                 source, if GLOB has a '/') matches\n"
"      --keep-batches N           offsets/ entries kept (default 100)\n"
"      --include-existing-files BOOL\n"
"                                 false: on a new checkpoint, skip the files\n"
"                                 already there (default true)\n"
"      --min-age DURATION         polling: take a file once its modification\n"
"                                 time is this old (default: once unchanged\n"
"                                 across two listings)\n"
"      --backfill-interval DURATION\n"
"                                 watch: list everything this often to catch\n"
"                                 missed files (default 1m)\n"
"  -q, --quiet                    no summary on standard error\n"
"  -h, --help                     show this help\n"
"      --version                  show the version\n");
	exit(code);
}

static void parse_options(int argc, char **argv)
{
	enum { O_NO_CK = 256, O_MAX_FILES, O_MAX_BYTES, O_ALLOW, O_PATTERN,
	       O_KEEP, O_FOLLOW, O_EXISTING, O_MIN_AGE, O_BACKFILL, O_VERSION };
	static const struct option longopts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "no-checkpoint", no_argument, NULL, O_NO_CK },
		{ "trigger", required_argument, NULL, 't' },
		{ "max-files-per-trigger", required_argument, NULL, O_MAX_FILES },
		{ "max-bytes-per-trigger", required_argument, NULL, O_MAX_BYTES },
		{ "allow-overwrites", no_argument, NULL, O_ALLOW },
		{ "pattern", required_argument, NULL, O_PATTERN },
		{ "keep-batches", required_argument, NULL, O_KEEP },
		{ "follow-symlinks", no_argument, NULL, O_FOLLOW },
		{ "include-existing-files", required_argument, NULL, O_EXISTING },
		{ "min-age", required_argument, NULL, O_MIN_AGE },
		{ "backfill-interval", required_argument, NULL, O_BACKFILL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt.checkpoint = optarg; break;
		case O_NO_CK: opt.no_checkpoint = true; break;
		case 't':
			if (!strcmp(optarg, "available-now"))
				opt.trigger = TRIGGER_AVAILABLE_NOW;
			else if (!strcmp(optarg, "once"))
				opt.trigger = TRIGGER_ONCE;
			else if (!strcmp(optarg, "watch"))
				opt.trigger = TRIGGER_WATCH;
			else if (!strncmp(optarg, "every:", 6)) {
				opt.trigger = TRIGGER_EVERY;
				opt.interval_ms = parse_duration_arg("--trigger every:", optarg + 6);
				if (opt.interval_ms < 1)
					die(EX_USAGE, "--trigger every: needs an interval of 1ms or more");
			} else
				die(EX_USAGE, "invalid value '%s' for --trigger: expected "
				    "available-now, once, every:DURATION or watch", optarg);
			break;
		case O_MAX_FILES:
			opt.max_files = parse_count_arg("--max-files-per-trigger", optarg);
			break;
		case O_MAX_BYTES:
			opt.max_bytes = parse_size_arg("--max-bytes-per-trigger", optarg);
			break;
		case O_ALLOW: opt.allow_overwrites = true; break;
		case O_PATTERN: opt.pattern = optarg; break;
		case O_KEEP:
			opt.keep = parse_count_arg("--keep-batches", optarg);
			if (opt.keep < 2)
				die(EX_USAGE, "--keep-batches must be at least 2");
			break;
		case O_EXISTING:
			opt.include_existing = parse_bool_arg("--include-existing-files", optarg);
			break;
		case O_FOLLOW: opt.follow_symlinks = true; break;
		case O_MIN_AGE: opt.min_age_ms = parse_duration_arg("--min-age", optarg); break;
		case O_BACKFILL:
			opt.backfill_ms = parse_duration_arg("--backfill-interval", optarg);
			if (opt.backfill_ms < 1)
				die(EX_USAGE, "--backfill-interval must be more than 0");
			break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		case O_VERSION: print_version();
		default: usage(EX_USAGE);
		}
	}
	if (optind >= argc) {
		error("no SOURCE given");
		usage(EX_USAGE);
	}
	if (!opt.checkpoint == !opt.no_checkpoint) {
		error("give either --checkpoint DIR or --no-checkpoint");
		usage(EX_USAGE);
	}
}

/* ---- the index of files already taken: path -> size, mtime ---- */



static unsigned long long hash_path(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct seen_entry *seen_find(struct seen *s, const char *path)
{
	size_t mask = s->cap - 1, i = hash_path(path) & mask;

	while (s->slots[i].path && strcmp(s->slots[i].path, path))
		i = (i + 1) & mask;
	return &s->slots[i];
}

static void seen_grow(struct seen *s)
{
	struct seen old = *s;

	s->cap = old.cap ? old.cap * 2 : 1024;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots)
		die(EX_OSERR, "out of memory for the file index");
	s->count = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.slots[i].path)
			continue;
		*seen_find(s, old.slots[i].path) = old.slots[i];
		s->count++;
	}
	free(old.slots);
}

/* Record PATH as taken with SIZE and MTIME (replacing an older entry). */
void seen_put(struct seen *s, const char *path, long long size,
		     const char *mtime)
{
	if ((s->count + 1) * 10 >= s->cap * 7)
		seen_grow(s);
	struct seen_entry *e = seen_find(s, path);
	if (!e->path) {
		e->path = xstrdup(path);
		s->count++;
	}
	e->size = size;
	snprintf(e->mtime, sizeof(e->mtime), "%s", mtime);
}

void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].path);
	free(s->slots);
}

/* ---- candidate files ---- */



void filelist_add(struct filelist *l, const char *path, const struct stat *st)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	struct file *f = &l->v[l->n++];
	f->path = xstrdup(path);
	f->size = (long long)st->st_size;
	f->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	iso8601_utc(f->mtime, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
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

bool pattern_matches(const char *rel)
{
	if (!opt.pattern)
		return true;
	if (strchr(opt.pattern, '/'))
		return fnmatch(opt.pattern, rel, FNM_PATHNAME) == 0;
	const char *base = strrchr(rel, '/');
	return fnmatch(opt.pattern, base ? base + 1 : rel, 0) == 0;
}

/*
 * A symlink is followed only to a regular file inside the source root,
 * unless --follow-symlinks; then folders too, but never to a folder above
 * (a loop).  On success *ST describes the target.
 */
static bool symlink_allowed(const struct buf *path, size_t rel_off, struct stat *st)
{
	char *target = realpath(path->data, NULL);
	bool ok = false;

	if (!target || stat(target, st) < 0)
		goto out;
	size_t root_len = rel_off ? rel_off - 1 : 0;
	bool inside = !strncmp(target, path->data, root_len) && target[root_len] == '/';
	if (S_ISREG(st->st_mode)) {
		ok = inside || opt.follow_symlinks;
	} else if (S_ISDIR(st->st_mode) && opt.follow_symlinks) {
		size_t n = strlen(target);
		ok = strncmp(path->data, target, n) || (path->data[n] != '/' && path->data[n]);
	}
out:
	free(target);
	return ok;
}

/* Walk DIR (absolute); REL_OFF is where the path below the source starts. */
void walk(struct buf *path, size_t rel_off, struct filelist *out)
{
	DIR *d = opendir(path->data);
	struct dirent *e;
	size_t len = path->len;

	if (!d) {
		if (errno != ENOENT)
			warning("cannot read folder '%s': %s", path->data, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		if (hidden_name(e->d_name))
			continue;
		path->len = len;
		buf_addc(path, '/');
		buf_adds(path, e->d_name);
		if (lstat(path->data, &st) < 0)
			continue;	/* vanished while listing */
		if (S_ISLNK(st.st_mode) && !symlink_allowed(path, rel_off, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, rel_off, out);
		else if (S_ISREG(st.st_mode) && pattern_matches(path->data + rel_off))
			filelist_add(out, path->data, &st);
	}
	closedir(d);
	path->len = len;
	path->data[len] = '\0';
}

static void list_root(const char *root, struct filelist *out)
{
	char *abs = realpath(root, NULL);
	struct stat st;

	if (!abs || stat(abs, &st) < 0)
		die_errno(EX_NOINPUT, "cannot read source '%s'", root);
	if (S_ISDIR(st.st_mode)) {
		struct buf path = BUF_INIT;
		buf_adds(&path, abs);
		if (path.len == 1)	/* the root folder "/" */
			path.len = 0;
		walk(&path, path.len + 1, out);
		buf_free(&path);
	} else if (S_ISREG(st.st_mode)) {
		filelist_add(out, abs, &st);
	}
	free(abs);
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

void list_sources(char **sources, int n, struct filelist *out)
{
	for (int i = 0; i < n; i++) {
		if (!has_glob(sources[i])) {
			list_root(sources[i], out);
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
				list_root(g.gl_pathv[j], out);
		}
		globfree(&g);
	}
}

static int cmp_file(const void *a, const void *b)
{
	const struct file *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Keep only files not taken before (or changed, with --allow-overwrites). */
void filter_new(struct filelist *l, struct seen *s)
{
	size_t kept = 0;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_file);
	for (size_t i = 0; i < l->n; i++) {
		struct file *f = &l->v[i];
		bool take = true;
		if (s->cap) {
			struct seen_entry *e = seen_find(s, f->path);
			if (e->path)
				take = opt.allow_overwrites &&
				       (e->size != f->size || strcmp(e->mtime, f->mtime));
		}
		/* The same file reached through two sources is taken once. */
		if (take && kept && !strcmp(l->v[kept - 1].path, f->path))
			take = false;
		if (take)
			l->v[kept++] = *f;
		else
			free(f->path);
	}
	l->n = kept;
}

/* ---- the checkpoint side ---- */


/* Add the file records of the NDJSON text (an offsets/ entry or the seen log). */
static long long index_records(struct state *st, const char *name, char *text,
			       size_t len, FILE *append_to)
{
	struct buf path = BUF_INIT, mtime = BUF_INIT;
	unsigned long lineno = 0;
	long long max_batch = -1;
	char *p = text, *end = text + len;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct record rec;
		struct json_error err;
		lineno++;
		if (record_classify(&rec, p, n, &err) < 0)
			die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); "
			    "restore it or start a new checkpoint", name, lineno, err.msg);
		if (!strcmp(rec.event, "file")) {
			buf_reset(&path);
			buf_reset(&mtime);
			if (!record_get_string(&rec, "path", &path) ||
			    !record_get_string(&rec, "mtime", &mtime))
				die(EX_DATAERR, "checkpoint file '%s' line %lu: file record "
				    "without path or mtime", name, lineno);
			seen_put(&st->seen, path.data, record_get_int(&rec, "size", -1),
				 mtime.data);
			if (rec.batch > max_batch)
				max_batch = rec.batch;
			if (append_to)
				stream_write(append_to, p, n);
		}
		p = nl ? nl + 1 : end;
	}
	buf_free(&path);
	buf_free(&mtime);
	return max_batch;
}

/*
 * An offsets/ entry must be begin N, file records of batch N, end N: it is
 * replayed verbatim, so anything else is damage to report, not to emit.
 */
static void check_offsets(const char *name, const struct buf *text, long long batch)
{
	const char *p = text->data, *end = text->data + text->len;
	unsigned long lineno = 0;
	bool ended = false;

	if (!text->len || text->data[text->len - 1] != '\n')
		die(EX_DATAERR, "checkpoint file '%s' is truncated; restore it or "
		    "start a new checkpoint", name);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record rec;
		struct json_error err;
		const char *want = lineno == 0 ? "begin" : "file";
		lineno++;
		if (record_classify(&rec, p, (size_t)(nl - p), &err) < 0)
			die(EX_DATAERR, "checkpoint file '%s' line %lu is malformed (%s); "
			    "restore it or start a new checkpoint", name, lineno, err.msg);
		if (nl + 1 == end)
			want = "end";
		if (ended || rec.kind != RECORD_CONTROL || rec.batch != batch ||
		    strcmp(rec.event, want))
			die(EX_DATAERR, "checkpoint file '%s' line %lu: expected the %s "
			    "record of batch %lld; restore it or start a new checkpoint",
			    name, lineno, want, batch);
		ended = !strcmp(rec.event, "end");
		p = nl + 1;
	}
}

/*
 * Load sources/seen, then repair it from the offsets/ entries it does not
 * cover yet (a crash after offsets/N and before the append).  A last line
 * cut short by a crash is dropped: offsets/ still holds its truth.
 */
static void load_seen(struct state *st, const long long *offsets, size_t n_offsets)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	long long covered;

	if (read_file(st->seen_path.data, &text) < 0 && errno != ENOENT)
		die_errno(EX_IOERR, "cannot read '%s'", st->seen_path.data);
	if (text.len && text.data[text.len - 1] != '\n') {
		char *nl = text.len ? memrchr(text.data, '\n', text.len) : NULL;
		text.len = nl ? (size_t)(nl - text.data + 1) : 0;
		if (truncate(st->seen_path.data, (off_t)text.len) < 0)
			die_errno(EX_IOERR, "cannot repair '%s'", st->seen_path.data);
	}
	covered = index_records(st, st->seen_path.data, text.data, text.len, NULL);
	st->seen_log = fopen(st->seen_path.data, "a");
	if (!st->seen_log)
		die_errno(EX_CANTCREAT, "cannot open '%s'", st->seen_path.data);
	for (size_t i = 0; i < n_offsets; i++) {
		if (offsets[i] <= covered)
			continue;
		ckpt_path(&st->ck, "offsets", offsets[i], &path);
		buf_reset(&text);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		index_records(st, path.data, text.data, text.len, st->seen_log);
	}
	stream_flush(st->seen_log);
	buf_free(&text);
	buf_free(&path);
}

static void open_state(struct state *st)
{
	struct buf commits = BUF_INIT, sources = BUF_INIT, path = BUF_INIT;
	size_t n_offsets;
	long long *offsets, committed;

	ckpt_open(&st->ck, opt.checkpoint);
	ckpt_lock(&st->ck, "discover");
	ckpt_path(&st->ck, "offsets", -1, &st->offsets_dir);
	ckpt_path(&st->ck, "commits", -1, &commits);
	ckpt_path(&st->ck, "sources", -1, &sources);
	if (mkdir_p(st->offsets_dir.data) < 0 || mkdir_p(sources.data) < 0)
		die_errno(EX_CANTCREAT, "cannot create folders in '%s'", st->ck.dir);
	ckpt_clean_temporaries(st->offsets_dir.data);
	ckpt_clean_temporaries(sources.data);
	buf_printf(&st->seen_path, "%s/seen", sources.data);

	committed = ckpt_log_latest(commits.data);
	offsets = ckpt_log_list(st->offsets_dir.data, &n_offsets);
	st->first_start = committed < 0 && n_offsets == 0 &&
			  access(st->seen_path.data, F_OK) != 0;
	load_seen(st, offsets, n_offsets);

	/* Replay: batches written ahead and not committed, in order, verbatim. */
	st->next_batch = committed + 1;
	for (size_t i = 0; i < n_offsets; i++) {
		if (offsets[i] <= committed)
			continue;
		struct buf text = BUF_INIT;
		ckpt_path(&st->ck, "offsets", offsets[i], &path);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		check_offsets(path.data, &text, offsets[i]);
		if (text.len && fwrite(text.data, 1, text.len, stdout) != text.len)
			die_errno(EX_IOERR, "cannot write output");
		stream_flush(stdout);
		if (!opt.quiet)
			fprintf(stderr, "inlet-discover: replaying uncommitted batch %lld\n",
				offsets[i]);
		st->next_batch = offsets[i] + 1;
		st->batches_emitted++;
		buf_free(&text);
	}
	if (n_offsets && offsets[n_offsets - 1] >= st->next_batch)
		st->next_batch = offsets[n_offsets - 1] + 1;

	/* Keep the last --keep-batches committed entries. */
	if (committed >= opt.keep)
		ckpt_log_prune(st->offsets_dir.data, committed - opt.keep + 1);
	free(offsets);
	buf_free(&commits);
	buf_free(&sources);
	buf_free(&path);
}

/* Write offsets/N, then emit the batch, then remember its files. */
void emit_batch(struct state *st, const struct file *files, size_t n, long long batch)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	bool remember = !opt.no_checkpoint;

	buf_printf(&text, "{\"_inlet\":\"begin\",\"batch\":%lld}\n", batch);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&text, "{\"_inlet\":\"file\",\"batch\":%lld,\"path\":", batch);
		json_string_encode(&text, files[i].path, strlen(files[i].path));
		buf_printf(&text, ",\"size\":%lld,\"mtime\":\"%s\"}\n",
			   files[i].size, files[i].mtime);
	}
	buf_printf(&text, "{\"_inlet\":\"end\",\"batch\":%lld}\n", batch);

	if (remember) {
		ckpt_path(&st->ck, "offsets", batch, &path);
		if (write_file_atomic(path.data, text.data, text.len) < 0)
			die_errno(EX_IOERR, "cannot write '%s'", path.data);
	}
	if (fwrite(text.data, 1, text.len, stdout) != text.len)
		die_errno(EX_IOERR, "cannot write output");
	stream_flush(stdout);
	if (remember) {
		/* Lines 2..n+1 of the batch are its file records. */
		char *first = strchr(text.data, '\n') + 1;
		char *last = text.data + text.len - 1;
		while (last > first && last[-1] != '\n')
			last--;
		if (last > first &&
		    fwrite(first, 1, (size_t)(last - first), st->seen_log) !=
		    (size_t)(last - first))
			die_errno(EX_IOERR, "cannot write '%s'", st->seen_path.data);
		stream_flush(st->seen_log);
	}
	/* Without a checkpoint the index still stops a stream taking a file twice. */
	for (size_t i = 0; i < n; i++)
		seen_put(&st->seen, files[i].path, files[i].size, files[i].mtime);
	st->batches_emitted++;
	st->files_emitted += (long long)n;
	st->next_batch = batch + 1;
	buf_free(&text);
	buf_free(&path);
}

void emit_files(struct state *st, struct file *files, size_t n)
{
	size_t i = 0;

	/* Trigger.Once takes all files in one batch, ignoring the limits. */
	while (i < n) {
		size_t j = i;
		long long bytes = 0;
		if (i > 0 && *st->stop)
			return;	/* the batch in flight is done: stop here */
		while (j < n) {
			if (opt.trigger != TRIGGER_ONCE && j > i &&
			    ((opt.max_files && (long long)(j - i) >= opt.max_files) ||
			     (opt.max_bytes && bytes >= opt.max_bytes)))
				break;
			bytes += files[j].size;
			j++;
		}
		emit_batch(st, files + i, j - i, st->next_batch);
		i = j;
	}
}

void mark_seen(struct state *st, const struct filelist *files)
{
	struct buf line = BUF_INIT;

	for (size_t i = 0; i < files->n; i++) {
		const struct file *f = &files->v[i];
		seen_put(&st->seen, f->path, f->size, f->mtime);
		if (opt.no_checkpoint)
			continue;
		buf_reset(&line);
		buf_adds(&line, "{\"_inlet\":\"file\",\"batch\":-1,\"path\":");
		json_string_encode(&line, f->path, strlen(f->path));
		buf_printf(&line, ",\"size\":%lld,\"mtime\":\"%s\"}", f->size, f->mtime);
		stream_write(st->seen_log, line.data, line.len);
	}
	if (!opt.no_checkpoint)
		stream_flush(st->seen_log);
	buf_free(&line);
}

void filelist_free(struct filelist *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->v[k].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

long long now_ms(void)
{
	return monotonic_ns() / 1000000;
}

int main(int argc, char **argv)
{
	static volatile sig_atomic_t stop;
	struct state st;
	struct filelist files = { 0 };
	char **sources;
	int nsources;

	parse_options(argc, argv);
	sources = argv + optind;
	nsources = argc - optind;
	stream_setup_stdout();
	memset(&st, 0, sizeof(st));
	st.stop = &stop;
	stream_catch_stop_signals(&stop);
	if (!opt.no_checkpoint)
		open_state(&st);
	else
		st.first_start = true;

	if (!opt.include_existing && st.first_start) {
		/* cloudFiles.includeExistingFiles=false: evaluated on the first start only. */
		list_sources(sources, nsources, &files);
		filter_new(&files, &st.seen);
		mark_seen(&st, &files);
		filelist_free(&files);
	}
	if (opt.trigger == TRIGGER_EVERY) {
		run_every(&st, sources, nsources);
	} else if (opt.trigger == TRIGGER_WATCH) {
		run_watch(&st, sources, nsources);
	} else {
		list_sources(sources, nsources, &files);
		filter_new(&files, &st.seen);
		emit_files(&st, files.v, files.n);
		filelist_free(&files);
	}
	if (!opt.quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "inlet-discover: %lld new files in %lld batches\n",
			st.files_emitted, st.batches_emitted);
	if (!opt.no_checkpoint) {
		if (fclose(st.seen_log) != 0)
			die_errno(EX_IOERR, "cannot write '%s'", st.seen_path.data);
		buf_free(&st.offsets_dir);
		buf_free(&st.seen_path);
		ckpt_close(&st.ck);
	}
	seen_free(&st.seen);
	close_stdout();
	return 0;
}
