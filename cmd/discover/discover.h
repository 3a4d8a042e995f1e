#ifndef INLET_DISCOVER_H
#define INLET_DISCOVER_H
/*
 * inlet-discover's pieces: the options, the index of files already taken,
 * listing, and emitting batches (discover.c); the streaming triggers,
 * every:DURATION and watch (watch.c).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "buf.h"
#include "ckpt.h"

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
	const char *pattern;
	long long keep;
	bool include_existing;
	long long min_age_ms;	/* 0: unchanged across two listings instead */
	long long backfill_ms;	/* watch: full listing every so often */
	bool quiet;
};
extern struct options opt;

/* The index of files already taken: path -> size, mtime. */
struct seen_entry {
	char *path;		/* owned; NULL marks an empty slot */
	long long size;
	char mtime[32];
};

struct seen {
	struct seen_entry *slots;
	size_t cap, count;
};

/* The slot of PATH: its entry, or the empty slot where it would go. */
struct seen_entry *seen_find(struct seen *s, const char *path);
/* Record PATH with SIZE and MTIME (replacing an older entry). */
void seen_put(struct seen *s, const char *path, long long size, const char *mtime);
void seen_free(struct seen *s);

struct file {
	char *path;		/* owned, absolute */
	long long size;
	long long mtime_ns;
	char mtime[32];
};

struct filelist {
	struct file *v;
	size_t n, cap;
};

void filelist_add(struct filelist *l, const char *path, const struct stat *st);
void filelist_free(struct filelist *l);

/* Spark's hidden-file rule: '.' or '_' names (not key=value), ._COPYING_. */
bool hidden_name(const char *name);
/* Does the path below its source, REL, pass --pattern? */
bool pattern_matches(const char *rel);
/* Walk the folder PATH (absolute) into OUT; REL_OFF starts the part below the source. */
void walk(struct buf *path, size_t rel_off, struct filelist *out);
/* List every file of the sources into OUT. */
void list_sources(char **sources, int n, struct filelist *out);
/* Keep only files not taken before (or changed, with --allow-overwrites), oldest first. */
void filter_new(struct filelist *l, struct seen *s);

struct state {
	struct ckpt ck;
	struct seen seen;
	struct buf offsets_dir, seen_path;
	FILE *seen_log;		/* append handle of sources/seen */
	long long next_batch;
	bool first_start;	/* no batch, no seen file: a new checkpoint */
	volatile sig_atomic_t *stop;	/* SIGINT/SIGTERM arrived */
	long long files_emitted, batches_emitted;
};

/* Write offsets/N, emit batch N, then remember its files. */
void emit_batch(struct state *st, const struct file *files, size_t n, long long batch);
/*
 * Emit FILES in batches of the per-trigger limits (all in one batch for
 * once); between batches, stop early when a stop signal arrived.
 */
void emit_files(struct state *st, struct file *files, size_t n);
/* Remember FILES as taken without emitting them (--include-existing-files false). */
void mark_seen(struct state *st, const struct filelist *files);

/* The streaming triggers: run until SIGINT/SIGTERM. */
void run_every(struct state *st, char **sources, int n);
void run_watch(struct state *st, char **sources, int n);

/* Milliseconds of CLOCK_MONOTONIC. */
long long now_ms(void);

#endif
