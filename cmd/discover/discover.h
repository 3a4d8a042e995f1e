#ifndef INLET_DISCOVER_H
#define INLET_DISCOVER_H
/*
 * inlet-discover's pieces: the options, the checkpoint and emitting
 * batches (discover.c); the index of files already taken (seen.c) and its
 * log, sources/seen (seenlog.c); listing the sources (list.c); the
 * streaming triggers, every:DURATION and watch (watch.c).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "ckpt.h"
#include "datetime.h"
#include "identity.h"

enum trigger { TRIGGER_AVAILABLE_NOW, TRIGGER_ONCE, TRIGGER_EVERY, TRIGGER_WATCH };

struct options {
	const char *checkpoint;
	bool no_checkpoint;
	enum trigger trigger;
	long long interval_ms;	/* every:DURATION */
	long long max_files;	/* 0: no limit */
	long long max_bytes;	/* 0: no limit */
	bool allow_overwrites;
	bool follow_symlinks;
	bool no_recursive;	/* top folder and KEY=VALUE folders only */
	const char *pattern;
	long long keep;
	bool include_existing;
	long long min_age_ms;	/* 0: unchanged across two listings instead */
	long long backfill_ms;	/* watch: full listing every so often */
	bool quiet;
	long long shard_k, shard_n;	/* --shard K/N; N 1: every file */
	const char *modified_after, *modified_before;	/* as given; NULL: none */
	long long modified_after_us, modified_before_us;
};
extern struct options opt;

/*
 * The index of files already taken: path -> identity and the batch that
 * took it (seen.c).  An entry is either a line of the log of files taken
 * (sources/seen), mapped and read again when asked for, or a struct
 * seen_entry in the arena; a slot holds a tag of the path's hash and
 * where its entry is (0: empty).
 */
#define SEEN_KNOWN 1		/* dev, ino and mtime_ns are exact */
#define SEEN_FORGOTTEN 2	/* forgotten for a retry: take the path again */

struct seen_entry {
	long long size;
	long long mtime_ns;	/* without SEEN_KNOWN, exact to the microsecond only */
	unsigned long long dev, ino;
	long long batch;	/* the batch that took it; -1: none or unknown */
	unsigned long long hash;	/* of path; 0 in an entry read from the log */
	unsigned len;		/* of path */
	unsigned flags;		/* SEEN_ */
	char path[];		/* NUL-terminated */
};

/* A folder of the mapped log: its "f" lines from AT on, up to the next's. */
struct seen_folder {
	size_t at;		/* in the log */
	size_t path, len;	/* the folder and '/', in folder_paths */
	unsigned long long hash;	/* of the folder and '/' */
};

struct seen {
	unsigned long long *slots;
	size_t cap, count;
	struct buf arena;
	const char *log;	/* the mapped log, or NULL */
	size_t log_len, log_mapped;
	struct seen_folder *folders;
	size_t n_folders, folders_cap;
	struct buf folder_paths;
};

/* What a damaged checkpoint's message tells to do. */
#define REPAIR "restore the checkpoint folder from a backup, or start a new checkpoint"

#define PATH_HASH_INIT 14695981039346656037ULL
/* The hash of PATH continued with the N bytes of S (FNV-1a); never 0. */
unsigned long long path_hash(unsigned long long h, const char *s, size_t n);
/*
 * The entry of PATH (LEN bytes, hash H), or NULL (also when forgotten).
 * It belongs to the index and the calling thread: valid until the next
 * seen_find, seen_lookup, seen_next or seen_put on it.
 */
struct seen_entry *seen_find(const struct seen *s, const char *path, size_t len,
			     unsigned long long h);
/* Does the index hold PATH, not forgotten?  seen_find without the entry. */
bool seen_has(const struct seen *s, const char *path, size_t len, unsigned long long h);
/*
 * Start loading the slot of hash H into the cache: a probe is a cache miss
 * at millions of paths, so callers ask a few paths ahead.
 */
void seen_prefetch(const struct seen *s, unsigned long long h);
/*
 * Then, once that slot is in the cache, start loading the entry it holds
 * when it is H's: the probe's second miss, the path compared.
 */
void seen_prefetch_entry(const struct seen *s, unsigned long long h);
/* seen_find of a C string. */
struct seen_entry *seen_lookup(const struct seen *s, const char *path);
/*
 * Record PATH as taken by BATCH (-1: none) with the identity ID, replacing
 * an older entry; an ID that is not known holds the size and an mtime exact
 * to the microsecond (a log or offsets/ entry of an older inlet).
 */
void seen_put(struct seen *s, const char *path, size_t len, unsigned long long h,
	      const struct file_identity *id, long long batch);
/*
 * Make room for N more entries whose paths take PATH_BYTES in all, so that
 * loading them moves nothing.
 */
void seen_reserve(struct seen *s, size_t n, size_t path_bytes);
/* Forget PATH so that it is taken again; false when it was not there. */
bool seen_forget(struct seen *s, const char *path, size_t len, unsigned long long h);
/*
 * Keep the entries of the log of LEN bytes mapped at LOG (which seen_free
 * unmaps) where they are: seen_log_folder and seen_put_logged then point
 * at its lines instead of copying them.  The caller may lower log_len to
 * the complete lines it read.
 */
void seen_map_log(struct seen *s, const char *log, size_t len);
/*
 * The "f" lines of the log from AT on are in FOLDER (LEN bytes with its
 * '/', hash H), up to the next such call, which gives a larger AT.
 */
void seen_log_folder(struct seen *s, const char *folder, size_t len, unsigned long long h,
		     size_t at);
/*
 * seen_put of the log's "f" line whose name, as written, starts at NAME_AT
 * of the log, for PATH (LEN bytes, hash H): the entry stays in the log.
 * False, and nothing done, when the line lies beyond the mapping or what a
 * slot can name, or when PATH's entry is in the arena (forgotten): the
 * caller then calls seen_put.
 */
bool seen_put_logged(struct seen *s, const char *path, size_t len, unsigned long long h,
		     size_t name_at);
/* Where seen_next is: zeroed to start. */
struct seen_iter {
	size_t log_at, arena_at;
};
/*
 * The next entry (not forgotten): the log's, in its order, then the others
 * in the order they were added; NULL at the end.  Valid as seen_find's.
 */
struct seen_entry *seen_next(const struct seen *s, struct seen_iter *it);
void seen_free(struct seen *s);
/*
 * Free what lookups kept for the calling thread (seen_free does it for
 * its own): a thread that looked up calls it before it ends.
 */
void seen_thread_done(void);
/* The identity E holds (known only with SEEN_KNOWN). */
void seen_identity(const struct seen_entry *e, struct file_identity *id);
/*
 * Is ID the file E recorded, unchanged?  With both identities known, all
 * of it is compared (identity_equal); else the size and the microsecond.
 */
bool seen_same(const struct seen_entry *e, const struct file_identity *id);
/* T in microseconds since the epoch (floored), saturated at the limits. */
long long mtime_us(const struct timespec *t);

struct file {
	char *path;		/* owned, absolute */
	struct file_identity id;	/* id.size is the size */
	struct timespec mtime;
	size_t source_len;	/* path's first SOURCE_LEN bytes: its source folder; 0: none */
};

struct filelist {
	struct file *v;
	size_t n, cap;
};

/*
 * Add a copy of PATH with the identity of ST (LINK: the listing followed a
 * symlink to reach it, ST is the target's); its source_len is 0 until the
 * caller sets it.
 */
void filelist_add(struct filelist *l, const char *path, const struct stat *st, bool link);
/* Room for one more file at the end of L: the caller fills it. */
struct file *filelist_push(struct filelist *l);
void filelist_free(struct filelist *l);
/* T as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into OUT (32 bytes), as iso8601_utc. */
void format_mtime(char *out, const struct timespec *t);

/*
 * What the listing leaves out and why (leftout.c): each path reported once
 * per process on standard error, and counted.  Names hidden by Spark's rule
 * are left out unreported.
 */
struct left_out {
	struct seen paths;	/* reported already */
	long long count;	/* paths reported */
};
/*
 * "warning: leaving out 'PATH': REASON" (REASON from FMT, naming at most
 * one other path), unless PATH was reported before.
 */
void left_out(struct left_out *lo, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void left_out_free(struct left_out *lo);

/* Spark's hidden-file rule: '.' or '_' names (not key=value), ._COPYING_. */
bool hidden_name(const char *name);
/* Does the path below its source, REL, pass --pattern? */
/*
 * May the symlink PATH (its source root ends at REL_OFF - 1) be followed?
 * A regular file inside the root always, anything else only with
 * --follow-symlinks; *ST describes the target (st_mode 0: none).  When it
 * may not, the reason goes to LO (NULL: none), unless the target is a file
 * the --pattern leaves out anyway.
 */
bool symlink_allowed(const struct buf *path, size_t rel_off, struct stat *st,
		     struct left_out *lo);
/*
 * Can this process read NAME (in the folder DFD, or AT_FDCWD), the file
 * PATH?  When permission is denied, PATH is left out, reported to LO: a
 * later listing takes it once it can be read.
 */
bool readable(int dfd, const char *name, const char *path, struct left_out *lo);
bool pattern_matches(const char *rel);
/*
 * What this worker takes (scope.c): its shard of the files and the range
 * of modification times.  The shard of a file is
 * shard_of(shard_hash(SHARD_HASH_INIT, KEY), N), KEY being its path below
 * its source (inlet-discover(1) defines it); neither may ever change.
 */
#define SHARD_HASH_INIT 14695981039346656037ULL
/* FNV-1a 64 of the N bytes at S, continuing from H. */
unsigned long long shard_hash(unsigned long long h, const char *s, size_t n);
/* The shard, 0 to N - 1, of the key whose shard_hash is H. */
long long shard_of(unsigned long long h, long long n);
/* Is the key hashed to H this worker's (always, without --shard)? */
bool shard_takes(unsigned long long h);
/* The ISO 8601 timestamp VALUE of option NAME in microseconds; a bad one is a usage_error. */
long long parse_time_arg(const char *name, const char *value);
/* Is MTIME inside --modified-after/--modified-before (both exclusive)? */
bool in_time_range(const struct timespec *mtime);

/*
 * What a listing passes over without a word: files of other shards (they
 * are someone else's), files outside the time range (a later run with
 * another range may take them) and, with --no-recursive, the sub-folders
 * not listed.  Nothing in them is marked seen.
 */
struct passed_over {
	long long other_shards, out_of_range, subfolders;
};

/*
 * Whether the listing goes into the folder NAME below a source: always,
 * but with --no-recursive only into a partition folder (KEY=VALUE).
 */
bool folder_listed(const char *name);

/*
 * List the files of the sources into OUT, leaving out those SEEN (may be
 * NULL) holds unless --allow-overwrites and they changed.  What is left out
 * otherwise (links not followed, entries that cannot be looked at, files
 * that are not regular) is reported through LO; files of other shards and
 * outside the time range are counted in PO (reset first).
 */
void list_sources(char **sources, int n, const struct seen *seen, struct filelist *out,
		  struct left_out *lo, struct passed_over *po);
/*
 * Keep only files not taken before (or changed, with --allow-overwrites),
 * each once, oldest first.
 */
void filter_new(struct filelist *l, const struct seen *s);

struct state {
	struct ckpt ck;
	struct seen seen;
	struct buf offsets_dir, commits_dir, seen_path;
	FILE *seen_log;		/* append handle of sources/seen; NULL: not created yet */
	int log_map_fd;		/* the log the index maps, kept open; -1: none */
	struct stat log_map_st;	/* it as this process last left it */
	struct buf log_folder;	/* the log's last "d" folder and '/' */
	long long log_covered;	/* the log's last "b" line: offsets/ it holds */
	long long log_commits;	/* the log's last "c" line: commits/ read for retries */
	bool commits_unread_ok;	/* an older log: commits/ pruned before are no loss */
	size_t log_files;	/* "f" and "x" lines in the log, repeats included */
	long long next_batch;
	bool first_start;	/* no batch, no seen file: a new checkpoint */
	bool have_batches;	/* offsets/ holds a batch */
	bool newest_ends_run;	/* the newest of them says "last" */
	bool windowed;		/* an inlet-window keeps state in the checkpoint */
	volatile sig_atomic_t *stop;	/* SIGINT/SIGTERM arrived */
	struct left_out left_out;	/* what the listings left out, said once */
	struct passed_over passed_over;	/* by the latest full listing */
	long long files_emitted, batches_emitted;
};

/*
 * sources/seen (seenlog.c).  Load it into ST->seen, cross-check it against
 * OFFSETS and the latest commit COMMITTED (-1: none), and repair it from
 * the OFFSETS entries it lacks; an older format or a log mostly of
 * repeats is rewritten, and a missing one is created by the first write.
 * Malformed content, and a log that offsets/ and commits/ contradict (a
 * log lost or cut while its batches are pruned, batch numbers that would
 * start over), die with EX_DATAERR naming the file and the repair.
 */
void seen_log_load(struct state *st, const long long *offsets, size_t n_offsets,
		   long long committed);
/* Append FILES as taken by BATCH, then "b BATCH" when BATCH >= 0, and flush. */
void seen_log_append(struct state *st, const struct file *files, size_t n, long long batch);
/*
 * Append that the N PATHS are forgotten (taken again at the next listing)
 * and that commits/ entries up to COMMITS were read, and flush.
 */
void seen_log_forget(struct state *st, char *const *paths, size_t n, long long commits);
/* Rewrite the log from ST->seen, atomically, and reopen it for appending. */
void seen_log_compact(struct state *st);
/*
 * Die (EX_DATAERR, naming the file and the repair) when the log the index
 * maps was changed by another program since this one last wrote it (or
 * renamed, or another file renamed over it): its lines would no longer say
 * which files were taken.  Called after the load, before each write of the log
 * and before each batch's offsets/N.
 */
void seen_log_check(const struct state *st);

/*
 * Read the commits/ entries past the log's "c" line (retry.c): the files
 * their "retry" member names, which parse skipped because they changed
 * after the listing, are forgotten so that the next listing takes them
 * again, unless a later batch took them already.  A malformed entry dies
 * with EX_DATAERR naming it.
 */
void take_retries(struct state *st);

/*
 * Emit FILES in batches of the per-trigger limits (all in one batch for
 * once); between batches, stop early when a stop signal arrived.
 */
void emit_files(struct state *st, struct file *files, size_t n);

/*
 * Claim CK/metadata's "shard" for --shard (scope.c); a checkpoint of
 * another shard, or one that took every file, dies with EX_USAGE naming
 * both.  Needs ST->first_start.
 */
void claim_shard(struct state *st);

/* The streaming triggers: run until SIGINT/SIGTERM. */
void run_every(struct state *st, char **sources, int n);
void run_watch(struct state *st, char **sources, int n);

/* Milliseconds of CLOCK_MONOTONIC. */
long long now_ms(void);

#endif
