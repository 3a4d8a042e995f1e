/*
 * inlet-discover: list source folders and emit batches of new files.
 *
 * Exactly-once rests on the order of writes (inlet(7)): offsets/N is
 * written before batch N is emitted; sources/seen is appended after, and
 * is repaired from offsets/ at start, so it needs no fsync of its own.
 * On start every batch written ahead but not committed (offsets/N with no
 * commits/N) is emitted again, verbatim, before anything new.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ckpt.h"
#include "cli.h"
#include "die.h"
#include "fileio.h"
#include "json.h"
#include "options.h"
#include "stream.h"
#include "discover.h"

struct options opt = {
	.trigger = TRIGGER_AVAILABLE_NOW,
	.max_files = 1000,
	.keep = 100,
	.include_existing = true,
	.backfill_ms = 60000,
	.shard_n = 1,
};

/* The options: getopt, --help and --complete (options.h). */
enum { O_NO_CK = 256, O_MAX_FILES, O_MAX_BYTES, O_ALLOW, O_PATTERN,
       O_KEEP, O_FOLLOW, O_EXISTING, O_MIN_AGE, O_BACKFILL, O_SHARD, O_AFTER,
       O_BEFORE, O_NO_RECURSIVE };
static const struct optdef optdefs[] = {
	{ 'c', "checkpoint", OPT_REQUIRED, "DIR", OPT_DIR,
	  "checkpoint folder (offsets/, sources/)" },
	{ O_NO_CK, "no-checkpoint", OPT_NONE, NULL, NULL,
	  "list everything once; remember nothing" },
	{ 't', "trigger", OPT_REQUIRED, "MODE", "available-now once every: watch",
	  "available-now (default): all new files in\n"
	  "batches, then exit; once: one batch of all;\n"
	  "every:DURATION: list every so often and run\n"
	  "until stopped; watch: inotify, lowest latency" },
	{ O_MAX_FILES, "max-files-per-trigger", OPT_REQUIRED, "N", NULL,
	  "files per batch (default 1000, 0: no limit)" },
	{ O_MAX_BYTES, "max-bytes-per-trigger", OPT_REQUIRED, "SIZE", NULL,
	  "soft byte limit per batch (e.g. 10g)" },
	{ O_ALLOW, "allow-overwrites", OPT_NONE, NULL, NULL,
	  "take a seen file again when its size or\n"
	  "modification time changed" },
	{ O_FOLLOW, "follow-symlinks", OPT_NONE, NULL, NULL,
	  "follow symlinks to folders, and to files\n"
	  "outside the source (default: only to\n"
	  "files inside it)" },
	{ O_PATTERN, "pattern", OPT_REQUIRED, "GLOB", NULL,
	  "only files whose name (or path below the\n"
	  "source, if GLOB has a '/') matches" },
	{ O_NO_RECURSIVE, "no-recursive", OPT_NONE, NULL, NULL,
	  "only the top folder of each source and its\n"
	  "partition folders (KEY=VALUE), as Spark's\n"
	  "recursiveFileLookup=false" },
	{ O_KEEP, "keep-batches", OPT_REQUIRED, "N", NULL,
	  "offsets/ entries kept (default 100)" },
	{ O_EXISTING, "include-existing-files", OPT_REQUIRED, "BOOL", "true false",
	  "false: on a new checkpoint, skip the files\n"
	  "already there (default true)" },
	{ O_MIN_AGE, "min-age", OPT_REQUIRED, "DURATION", NULL,
	  "polling: take a file once its modification\n"
	  "time is this old (default: once unchanged\n"
	  "across two listings)" },
	{ O_BACKFILL, "backfill-interval", OPT_REQUIRED, "DURATION", NULL,
	  "watch: list everything this often to catch\n"
	  "missed files (default 1m)" },
	{ O_SHARD, "shard", OPT_REQUIRED, "K/N", NULL,
	  "take only shard K of N (0 <= K < N): a fixed\n"
	  "hash of each file's path below its source\n"
	  "picks its shard; one checkpoint per shard" },
	{ O_AFTER, "modified-after", OPT_REQUIRED, "TIME", NULL,
	  "only files modified after TIME (ISO 8601;\n"
	  "UTC unless it has an offset)" },
	{ O_BEFORE, "modified-before", OPT_REQUIRED, "TIME", NULL,
	  "only files modified before TIME" },
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "no summary on standard error (what a\n"
	  "listing leaves out is still said)" },
	OPT_END
};
static struct optset optset = { optdefs, 33, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-discover (--checkpoint DIR | --no-checkpoint) [options] SOURCE...\n"
"\n"
"List SOURCE folders, files or globs recursively and write batches of files\n"
"not taken before as inlet control records on standard output.\n"
"\n");
}

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
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
				opt.interval_ms = parse_duration_arg("--trigger every:", optarg + 6) / 1000;
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
		case O_NO_RECURSIVE: opt.no_recursive = true; break;
		case O_MIN_AGE: opt.min_age_ms = (parse_duration_arg("--min-age", optarg) + 999) / 1000; break;
		case O_BACKFILL:
			opt.backfill_ms = parse_duration_arg("--backfill-interval", optarg) / 1000;
			if (opt.backfill_ms < 1)
				die(EX_USAGE, "--backfill-interval must be 1ms or more");
			break;
		case O_SHARD: parse_shard_arg(optarg, &opt.shard_k, &opt.shard_n); break;
		case O_AFTER:
			opt.modified_after_us = parse_time_arg("--modified-after", optarg);
			opt.modified_after = optarg;
			break;
		case O_BEFORE:
			opt.modified_before_us = parse_time_arg("--modified-before", optarg);
			opt.modified_before = optarg;
			break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("no SOURCE given");
	if (!opt.checkpoint == !opt.no_checkpoint)
		usage_error("give either --checkpoint DIR or --no-checkpoint");
	if (opt.modified_after && opt.modified_before &&
	    opt.modified_after_us >= opt.modified_before_us)
		usage_error("--modified-after '%s' is not before --modified-before '%s': "
			    "no file could be taken", opt.modified_after, opt.modified_before);
}

/* ---- the checkpoint side ---- */

/* Remember FILES as taken by BATCH (-1: marked, not emitted). */
static void remember_files(struct seen *seen, const struct file *files, size_t n,
			   long long batch)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(files[i].path);
		seen_put(seen, files[i].path, len, path_hash(PATH_HASH_INIT, files[i].path, len),
			 &files[i].id, batch);
	}
}

/*
 * An offsets/ entry must be begin N, file records of batch N, end N: it is
 * replayed verbatim, so anything else is damage to report, not to emit.
 * A begin record naming another checkpoint (ID) is one copied from
 * elsewhere.
 */
/* Does the batch TEXT (checked) end a finite run ("last":true)? */
static bool batch_is_last(const struct buf *text)
{
	const char *nl = memchr(text->data, '\n', text->len), *v;
	size_t n;

	return json_object_get(text->data, (size_t)(nl - text->data), "last", &v, &n) == 1 &&
	       n == 4 && !memcmp(v, "true", 4);
}

static void check_offsets(const char *name, const struct buf *text, long long batch,
			  const char *id)
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
		if (lineno == 1) {
			struct buf ck = BUF_INIT;
			if (record_get_string(&rec, "checkpoint", &ck) && strcmp(ck.data, id))
				die(EX_DATAERR, "checkpoint file '%s' belongs to checkpoint "
				    "'%s', not this one ('%s'); restore the folder from a "
				    "backup or start a new checkpoint", name, ck.data, id);
			buf_free(&ck);
		}
		ended = !strcmp(rec.event, "end");
		p = nl + 1;
	}
}

static void open_state(struct state *st)
{
	struct buf sources = BUF_INIT, path = BUF_INIT;
	size_t n_offsets;
	long long *offsets, committed;

	ckpt_open(&st->ck, opt.checkpoint);
	ckpt_lock(&st->ck, "discover");
	ckpt_path(&st->ck, "offsets", -1, &st->offsets_dir);
	ckpt_path(&st->ck, "commits", -1, &st->commits_dir);
	ckpt_path(&st->ck, "sources", -1, &sources);
	if (mkdir_p(st->offsets_dir.data) < 0 || mkdir_p(sources.data) < 0)
		die_errno(EX_CANTCREAT, "cannot create folders in '%s'", st->ck.dir);
	remove_temporaries(st->offsets_dir.data);
	remove_temporaries(sources.data);
	buf_printf(&st->seen_path, "%s/seen", sources.data);

	committed = ckpt_log_latest(st->commits_dir.data);
	offsets = ckpt_log_list(st->offsets_dir.data, &n_offsets);
	st->first_start = committed < 0 && n_offsets == 0 &&
			  access(st->seen_path.data, F_OK) != 0;
	/* Before anything is replayed: a batch of another shard is not ours. */
	claim_shard(st);
	seen_log_load(st, offsets, n_offsets, committed);

	/* Replay: batches written ahead and not committed, in order, verbatim. */
	st->next_batch = committed + 1;
	for (size_t i = 0; i < n_offsets; i++) {
		if (offsets[i] <= committed)
			continue;
		struct buf text = BUF_INIT;
		ckpt_path(&st->ck, "offsets", offsets[i], &path);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		check_offsets(path.data, &text, offsets[i], st->ck.id);
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
	/* Did the newest batch, committed or not, end a finite run? */
	if (n_offsets) {
		struct buf text = BUF_INIT;
		ckpt_path(&st->ck, "offsets", offsets[n_offsets - 1], &path);
		if (read_file(path.data, &text) < 0)
			die_errno(EX_IOERR, "cannot read '%s'", path.data);
		check_offsets(path.data, &text, offsets[n_offsets - 1], st->ck.id);
		st->newest_ends_run = batch_is_last(&text);
		st->have_batches = true;
		st->windowed = ckpt_metadata_get(&st->ck, "window_since", &path);
		buf_free(&text);
	}

	/* Keep the last --keep-batches committed entries. */
	if (committed >= opt.keep)
		ckpt_log_prune(st->offsets_dir.data, committed - opt.keep + 1);
	free(offsets);
	buf_free(&sources);
	buf_free(&path);
}

/*
 * Write offsets/N, emit batch N, then remember its files.  LAST marks the
 * last batch of a finite run ("last":true in its begin record).
 */
static void emit_batch(struct state *st, const struct file *files, size_t n, long long batch,
		bool last)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	bool remember = !opt.no_checkpoint;
	char mtime[32];

	/*
	 * Only a checkpoint's batches are numbered: without one a number
	 * would mean nothing, and commit would mark it as if it did.
	 */
	buf_adds(&text, "{\"_inlet\":\"begin\"");
	if (remember)
		buf_printf(&text, ",\"batch\":%lld", batch);
	/* commit refuses a batch numbered by another checkpoint. */
	if (remember)
		buf_printf(&text, ",\"checkpoint\":\"%s\"", st->ck.id);
	/* The end of a finite run: windows downstream release what it closes. */
	if (last)
		buf_adds(&text, ",\"last\":true");
	buf_adds(&text, "}\n");
	for (size_t i = 0; i < n; i++) {
		buf_adds(&text, "{\"_inlet\":\"file\"");
		if (remember)
			buf_printf(&text, ",\"batch\":%lld", batch);
		buf_adds(&text, ",\"path\":");
		json_path_encode(&text, files[i].path, strlen(files[i].path));
		format_mtime(mtime, &files[i].mtime);
		buf_printf(&text, ",\"mtime\":\"%s\"", mtime);
		identity_append(&text, &files[i].id);
		/* parse reads Hive-style partition folders below it. */
		if (files[i].source_len) {
			buf_adds(&text, ",\"source\":");
			json_path_encode(&text, files[i].path, files[i].source_len);
		}
		buf_adds(&text, "}\n");
	}
	if (remember)
		buf_printf(&text, "{\"_inlet\":\"end\",\"batch\":%lld}\n", batch);
	else
		buf_adds(&text, "{\"_inlet\":\"end\"}\n");

	if (remember) {
		/* The files were told new by the log: it must be as this run left it. */
		seen_log_check(st);
		ckpt_path(&st->ck, "offsets", batch, &path);
		if (write_file_atomic(path.data, text.data, text.len) < 0)
			die_errno(EX_IOERR, "cannot write '%s'", path.data);
	}
	if (fwrite(text.data, 1, text.len, stdout) != text.len)
		die_errno(EX_IOERR, "cannot write output");
	stream_flush(stdout);
	if (remember)
		seen_log_append(st, files, n, batch);
	/* Without a checkpoint the index still stops a stream taking a file twice. */
	remember_files(&st->seen, files, n, batch);
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
		/*
		 * A stop before a batch's offsets are written: the batch is not
		 * started, and its files stay new for the next run.  A stage
		 * after this one may have stopped on the same signal (the
		 * interrupt key signals the whole pipeline), and a batch begun
		 * now would find no one to take it.
		 */
		if (*st->stop)
			return;
		while (j < n) {
			if (opt.trigger != TRIGGER_ONCE && j > i &&
			    ((opt.max_files && (long long)(j - i) >= opt.max_files) ||
			     (opt.max_bytes && bytes >= opt.max_bytes)))
				break;
			bytes += files[j].id.size;
			j++;
		}
		emit_batch(st, files + i, j - i, st->next_batch,
			   j == n && (opt.trigger == TRIGGER_AVAILABLE_NOW ||
				      opt.trigger == TRIGGER_ONCE));
		i = j;
	}
}

/* Remember FILES as taken without emitting them (--include-existing-files false). */
static void mark_seen(struct state *st, const struct filelist *files)
{
	remember_files(&st->seen, files->v, files->n, -1);
	/* One atomic write: a crash leaves no half-marked first start. */
	if (!opt.no_checkpoint)
		seen_log_compact(st);
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
	check_options_exit();
	sources = argv + optind;
	nsources = argc - optind;
	stream_setup_stdout();
	memset(&st, 0, sizeof(st));
	st.log_map_fd = -1;
	st.stop = &stop;
	stream_catch_stop_signals(&stop, false);
	if (!opt.no_checkpoint)
		open_state(&st);
	else
		st.first_start = true;

	if (!opt.include_existing && st.first_start) {
		/* cloudFiles.includeExistingFiles=false: evaluated on the first start only. */
		list_sources(sources, nsources, NULL, &files, &st.left_out, &st.passed_over);
		filter_new(&files, &st.seen);
		mark_seen(&st, &files);
		filelist_free(&files);
	}
	/* The log marks this start as done, even when it has nothing in it yet. */
	if (!opt.no_checkpoint && !st.seen_log)
		seen_log_compact(&st);
	if (!opt.no_checkpoint)
		take_retries(&st);
	if (opt.trigger == TRIGGER_EVERY) {
		run_every(&st, sources, nsources);
	} else if (opt.trigger == TRIGGER_WATCH) {
		run_watch(&st, sources, nsources);
	} else {
		list_sources(sources, nsources, &st.seen, &files, &st.left_out, &st.passed_over);
		filter_new(&files, &st.seen);
		long long replayed = st.batches_emitted;
		emit_files(&st, files.v, files.n);
		/*
		 * A finite run ends with a batch marked "last", so that windows
		 * downstream release what the final watermark closes.  When no
		 * new file came and the newest batch (replayed, or committed by
		 * a streaming run) does not say so, that is an empty batch; a
		 * run after it has nothing to add.  Only a pipeline with a window
		 * (it claims "window_since" in the metadata) needs one.
		 */
		if (st.batches_emitted == replayed && st.have_batches &&
		    !st.newest_ends_run && st.windowed && !stop)
			emit_batch(&st, NULL, 0, st.next_batch, true);
		filelist_free(&files);
	}
	if (!opt.quiet && isatty(STDERR_FILENO)) {
		fprintf(stderr, "inlet-discover: %lld new files in %lld batches",
			st.files_emitted, st.batches_emitted);
		if (st.left_out.count)
			fprintf(stderr, "; %lld left out (said above)", st.left_out.count);
		if (st.passed_over.other_shards)
			fprintf(stderr, "; %lld files for other shards",
				st.passed_over.other_shards);
		if (st.passed_over.out_of_range)
			fprintf(stderr, "; %lld files modified outside --modified-after/"
				"--modified-before", st.passed_over.out_of_range);
		if (st.passed_over.subfolders)
			fprintf(stderr, "; %lld sub-folders not listed (--no-recursive)",
				st.passed_over.subfolders);
		fputc('\n', stderr);
	}
	if (!opt.no_checkpoint) {
		if (st.seen_log && fclose(st.seen_log) != 0)
			die_errno(EX_IOERR, "cannot write '%s'", st.seen_path.data);
		buf_free(&st.offsets_dir);
		buf_free(&st.commits_dir);
		buf_free(&st.seen_path);
		buf_free(&st.log_folder);
		ckpt_close(&st.ck);
	}
	seen_free(&st.seen);
	left_out_free(&st.left_out);
	close_stdout();
	return 0;
}
