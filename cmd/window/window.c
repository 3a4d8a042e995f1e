/*
 * inlet-window: event-time windows, aggregated, with Spark's watermark and
 * output modes (inlet-window(1)).
 *
 * Batch N runs under the watermark computed at the end of batch N-1 (max
 * event time seen - delay; it never moves back).  At the end of batch N the
 * state is written to CK/state/N before the batch's rows and its "end"
 * record are released, so a restart that restores the state of the last
 * committed batch L and sees batch L+1 again emits the same rows again.
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
#include "fault.h"
#include "fileio.h"
#include "json.h"
#include "state.h"
#include "batch.h"
#include "stream.h"
#include "datetime.h"
#include "value.h"

enum output_mode { MODE_APPEND, MODE_UPDATE, MODE_COMPLETE };
static const char *const mode_names[] = { "append", "update", "complete" };

#define MAX_WINDOWS_PER_ROW 1000
#define PROBLEMS_SHOWN 10
#define OUT_PIECE (256 * 1024)

static struct options {
	const char *time_field;
	long long time_unit_us;		/* of epoch numbers */
	struct window_spec spec;
	long long delay_us;		/* watermark delay; -1: no watermark */
	enum output_mode mode;
	const char *late_path;
	const char *checkpoint;
	bool quiet;
} opt = {
	.time_unit_us = US_PER_SEC,
	.delay_us = -1,
	.mode = MODE_UPDATE,
};

static void usage(int code)
{
	FILE *fp = code ? stderr : stdout;

	fprintf(fp,
"usage: inlet-window --time FIELD --window DURATION [--slide DURATION]\n"
"                    [--group-by KEYS] [--agg AGG]... [--watermark DURATION]\n"
"                    [--output-mode MODE] [options] [FILE...]\n"
"\n"
"Aggregate the rows on standard input in event-time windows and write one\n"
"row per window and group, per batch, as Spark's groupBy(window(...)) does.\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n"
"      --time FIELD          event time: ISO-8601 text or epoch numbers\n"
"      --time-unit UNIT      unit of epoch numbers: s (default), ms or us\n"
"      --window DURATION     window length, e.g. 30s, 10m, 1h, \"1 minute\"\n"
"      --slide DURATION      sliding windows (default: tumbling)\n"
"      --group-by KEYS       group keys, comma-separated\n"
"      --agg AGG             count, sum:F, avg:F, min:F, max:F or\n"
"                            approx_count_distinct:F (repeatable; default\n"
"                            count)\n"
"      --watermark DURATION  how late a row may be; without it no window\n"
"                            is ever final and no row is late\n"
"      --output-mode MODE    update (default): windows changed in a batch;\n"
"                            append: each window once, when final (needs\n"
"                            --watermark); complete: every window\n"
"      --late-records FILE   append late rows to FILE as NDJSON\n"
"  -c, --checkpoint DIR      checkpoint folder (state/), shared with\n"
"                            inlet-commit\n"
"      --rows-only           rows only: leave out control records,\n"
"                            for tools other than inlet\n"
"  -q, --quiet               no summary on standard error\n"
"      --check-options       check the options and exit; for scripts that\n"
"                            build pipelines\n"
"  -h, --help                show this help\n"
"      --version             show the version\n");
	exit(code);
}

static long long duration_arg(const char *name, const char *value, bool zero_ok)
{
	long long us = parse_duration_arg(name, value);

	if (!zero_ok && us == 0)
		die(EX_USAGE, "invalid value '%s' for %s: the duration must be more "
		    "than 0", value, name);
	return us;
}

/* ,"NAME": as output text. */
static char *label(const char *prefix, const char *name)
{
	struct buf b = BUF_INIT, n = BUF_INIT;

	buf_printf(&n, "%s%s", prefix, name);
	buf_addc(&b, ',');
	json_string_encode(&b, n.data, n.len);
	buf_addc(&b, ':');
	buf_free(&n);
	return b.data;
}

static void add_agg(const char *arg)
{
	static const struct { const char *name; enum agg_kind kind; } kinds[] = {
		{ "sum", AGG_SUM }, { "avg", AGG_AVG }, { "min", AGG_MIN },
		{ "max", AGG_MAX }, { "approx_count_distinct", AGG_DISTINCT },
	};
	struct window_spec *s = &opt.spec;
	const char *colon = strchr(arg, ':');
	struct agg_spec a = { AGG_COUNT, NULL, NULL };
	size_t i;

	if (!strcmp(arg, "count")) {
		a.label = label("", "count");
	} else {
		for (i = 0; colon && i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strlen(kinds[i].name) == (size_t)(colon - arg) &&
			    !strncmp(kinds[i].name, arg, (size_t)(colon - arg)))
				break;
		if (!colon || !colon[1] || i == sizeof(kinds) / sizeof(kinds[0]))
			die(EX_USAGE, "invalid value '%s' for --agg: expected count, sum:F, "
			    "avg:F, min:F, max:F or approx_count_distinct:F", arg);
		a.kind = kinds[i].kind;
		a.field = colon + 1;
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "%s_", kinds[i].name);
		a.label = label(prefix, a.field);
	}
	for (i = 0; i < s->n_aggs; i++)
		if (!strcmp(s->aggs[i].label, a.label))
			die(EX_USAGE, "--agg '%s' is given twice", arg);
	s->aggs = xrealloc(s->aggs, (s->n_aggs + 1) * sizeof(*s->aggs));
	s->aggs[s->n_aggs++] = a;
}

static void set_group_by(char *list)
{
	struct window_spec *s = &opt.spec;

	for (char *p = list, *comma;; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p)
			die(EX_USAGE, "invalid value for --group-by: an empty key name");
		s->keys = xrealloc(s->keys, (s->n_keys + 1) * sizeof(*s->keys));
		s->key_labels = xrealloc(s->key_labels, (s->n_keys + 1) * sizeof(char *));
		s->keys[s->n_keys] = p;
		s->key_labels[s->n_keys++] = label("", p);
		if (!comma)
			break;
	}
}

static void parse_options(int argc, char **argv)
{
	enum { O_TIME = 256, O_TIME_UNIT, O_WINDOW, O_SLIDE, O_GROUP_BY, O_AGG,
	       O_WATERMARK, O_MODE, O_LATE, O_ROWS_ONLY, O_CHECK_OPTIONS, O_VERSION };
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, O_TIME },
		{ "time-unit", required_argument, NULL, O_TIME_UNIT },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "slide", required_argument, NULL, O_SLIDE },
		{ "group-by", required_argument, NULL, O_GROUP_BY },
		{ "agg", required_argument, NULL, O_AGG },
		{ "watermark", required_argument, NULL, O_WATERMARK },
		{ "output-mode", required_argument, NULL, O_MODE },
		{ "late-records", required_argument, NULL, O_LATE },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "rows-only", no_argument, NULL, O_ROWS_ONLY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "check-options", no_argument, NULL, O_CHECK_OPTIONS },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct window_spec *s = &opt.spec;
	int c;

	while ((c = cli_getopt(argc, argv, "c:qh", longopts)) != -1) {
		switch (c) {
		case O_TIME: opt.time_field = optarg; break;
		case O_TIME_UNIT:
			if (!strcmp(optarg, "s"))
				opt.time_unit_us = US_PER_SEC;
			else if (!strcmp(optarg, "ms"))
				opt.time_unit_us = 1000;
			else if (!strcmp(optarg, "us"))
				opt.time_unit_us = 1;
			else
				die(EX_USAGE, "invalid value '%s' for --time-unit: expected "
				    "s, ms or us", optarg);
			break;
		case O_WINDOW: s->size_us = duration_arg("--window", optarg, false); break;
		case O_SLIDE: s->slide_us = duration_arg("--slide", optarg, false); break;
		case O_GROUP_BY:
			if (s->n_keys)
				die(EX_USAGE, "--group-by is given twice: list the keys "
				    "comma-separated");
			set_group_by(xstrdup(optarg));
			break;
		case O_AGG: add_agg(optarg); break;
		case O_WATERMARK: opt.delay_us = duration_arg("--watermark", optarg, true); break;
		case O_MODE:
			for (opt.mode = MODE_APPEND; opt.mode <= MODE_COMPLETE; opt.mode++)
				if (!strcmp(optarg, mode_names[opt.mode]))
					break;
			if (opt.mode > MODE_COMPLETE)
				die(EX_USAGE, "invalid value '%s' for --output-mode: expected "
				    "append, update or complete", optarg);
			break;
		case O_LATE: opt.late_path = optarg; break;
		case 'c': opt.checkpoint = optarg; break;
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case 'q': opt.quiet = true; break;
		case O_CHECK_OPTIONS: check_options = 1; break;
		case 'h': usage(0); break;
		case O_VERSION: print_version();
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (!opt.time_field || !s->size_us)
		usage_error("--time FIELD and --window DURATION are required");
	if (!s->slide_us)
		s->slide_us = s->size_us;
	if (s->slide_us > s->size_us)
		die(EX_USAGE, "--slide must not be longer than --window");
	if ((s->size_us + s->slide_us - 1) / s->slide_us > MAX_WINDOWS_PER_ROW)
		die(EX_USAGE, "--window / --slide puts each row in more than %d windows",
		    MAX_WINDOWS_PER_ROW);
	/* Spark: append mode needs a watermark, or no window is ever final. */
	if (opt.mode == MODE_APPEND && opt.delay_us < 0)
		die(EX_USAGE, "--output-mode append needs --watermark");
	if (!s->n_aggs)
		add_agg("count");
}

struct run {
	struct window_table table;
	struct batch_reader in;
	long long watermark;	/* in force in the current batch */
	long long max_event;	/* of the current batch; LLONG_MIN: none yet */
	long long batch;	/* the open batch */
	bool already_committed;
	long long committed;	/* last batch committed when we started; -1: none */
	long long since;	/* the first batch with a snapshot */
	long long last;		/* highest batch seen, or committed */
	FILE *late;
	struct ckpt ck;
	struct buf state_dir, commits_dir, path, options, out, snapshot, keys;
	const char **vals;	/* per row: group key values, then aggregate inputs */
	size_t *lens;
	size_t *name_lens;	/* of their member names */
	size_t time_len;
	size_t wanted;		/* fields to find in a row: time, keys, agg inputs */
	bool count_only;	/* no aggregate reads a field */
	bool pending;		/* a row waits to be added: see add_row */
	long long pending_time;
	struct buf pending_keys;
	long long rows, late_rows, bad_time, not_numeric, batches;
};

static bool closed_by(const struct window *w, long long watermark)
{
	return w->start + opt.spec.size_us <= watermark;
}

static bool changed(const struct window *w, long long unused)
{
	return w->changed;
}

static bool every(const struct window *w, long long unused)
{
	return true;
}

static void show_value(struct buf *b, const char *v, size_t n)
{
	if (n > 60)
		buf_printf(b, "%.60s...", v);
	else
		buf_add(b, v, n);
}

static bool bad_time(struct run *r, const char *v, size_t n)
{
	struct buf b = BUF_INIT;

	if (++r->bad_time > PROBLEMS_SHOWN)
		return false;
	if (!v)
		buf_printf(&b, "no '%s' field", opt.time_field);
	else if (n == 4 && !memcmp(v, "null", 4))
		buf_printf(&b, "'%s' is null", opt.time_field);
	else {
		buf_printf(&b, "cannot read '%s' value ", opt.time_field);
		show_value(&b, v, n);
		buf_adds(&b, " as a timestamp");
	}
	warning("'%s' line %lu: %s; row skipped%s", r->in.in.name, r->in.in.lineno, b.data,
		r->bad_time == PROBLEMS_SHOWN ? " (further ones are counted, not shown)" : "");
	buf_free(&b);
	return false;
}

static bool event_time(struct run *r, const char *v, size_t n, long long *t)
{
	bool ok;

	if (!v || (n == 4 && !memcmp(v, "null", 4)))
		return bad_time(r, v, n);
	if (json_is_string(v, n))
		ok = datetime_parse(v + 1, n - 2, NULL, t) == 0 ||
			timestamp_parse_epoch(v + 1, n - 2, opt.time_unit_us, t) == 0;
	else
		ok = timestamp_parse_epoch(v, n, opt.time_unit_us, t) == 0;
	return ok || bad_time(r, v, n);
}

static void not_numeric(struct run *r, size_t agg)
{
	const struct agg_spec *a = &opt.spec.aggs[agg];
	size_t n = opt.spec.n_keys + agg;
	struct buf b = BUF_INIT;

	if (++r->not_numeric > PROBLEMS_SHOWN)
		return;
	show_value(&b, r->vals[n], r->lens[n]);
	warning("'%s' line %lu: '%s' value %s is not a decimal number; left out of "
		"%.*s%s", r->in.in.name, r->in.in.lineno, a->field, b.data,
		(int)strlen(a->label) - 4, a->label + 2,
		r->not_numeric == PROBLEMS_SHOWN ? " (further ones are counted, not shown)" : "");
	buf_free(&b);
}

/* json_key_is() with the name's length known: the per-field hot path. */
static bool key_is(const struct json_field *f, const char *name, size_t len)
{
	if (f->key_escaped)
		return json_key_is(f, name);
	return f->key_len == len && !memcmp(f->key, name, len);
}

/* Add the row at T with KEYS to its open windows, the aggregates from r->vals. */
static void add_to_windows(struct run *r, long long t, const struct buf *keys)
{
	const struct window_spec *s = &opt.spec;
	size_t nk = s->n_keys;
	bool first = true;

	/* Windows holding t start at multiples of the slide in (t - size, t]. */
	for (long long start = floor_div(t, s->slide_us) * s->slide_us;
	     start > t - s->size_us; start -= s->slide_us) {
		if (start + s->size_us <= r->watermark)
			break;		/* this window and all earlier ones are closed */
		struct window *w = table_get(&r->table, start, keys->data, keys->len);
		w->rows++;
		w->changed = true;
		for (size_t i = 0; !r->count_only && i < s->n_aggs; i++)
			if (window_add(&r->table, w, i, r->vals[nk + i], r->lens[nk + i]) < 0 &&
			    first)
				not_numeric(r, i);
		first = false;
	}
}

/* Add the row add_row left waiting, if any. */
static void add_pending(struct run *r)
{
	if (r->pending)
		add_to_windows(r, r->pending_time, &r->pending_keys);
	r->pending = false;
}

static void add_row(struct run *r, const struct record *rec)
{
	const struct window_spec *s = &opt.spec;
	size_t nk = s->n_keys, nv = nk + s->n_aggs, wanted = r->wanted, found = 0;
	const char *tv = NULL;
	size_t tn = 0;
	long long t, last_start;

	/* The members record_classify found: the first of each name counts. */
	memset(r->vals, 0, nv * sizeof(*r->vals));
	for (size_t k = 0; k < rec->nfields && found < wanted; k++) {
		const struct json_field *f = &rec->fields[k];
		if (!tv && key_is(f, opt.time_field, r->time_len)) {
			tv = f->val;
			tn = f->val_len;
			found++;
		}
		for (size_t i = 0; i < nv; i++) {
			const char *name = i < nk ? s->keys[i] : s->aggs[i - nk].field;
			if (name && !r->vals[i] && key_is(f, name, r->name_lens[i])) {
				r->vals[i] = f->val;
				r->lens[i] = f->val_len;
				found++;
			}
		}
	}
	if (!event_time(r, tv, tn, &t))
		return;
	r->rows++;
	if (t > r->max_event)
		r->max_event = t;

	/* Group keys are compared and written as their exact JSON text. */
	buf_reset(&r->keys);
	for (size_t i = 0; i < nk; i++) {
		if (i)
			buf_addc(&r->keys, KEY_SEP);
		if (r->vals[i])
			buf_add(&r->keys, r->vals[i], r->lens[i]);
		else
			buf_adds(&r->keys, "null");
	}

	/* Late: even the last window holding t is closed. */
	last_start = floor_div(t, s->slide_us) * s->slide_us;
	if (last_start + s->size_us <= r->watermark) {
		r->late_rows++;
		if (r->late)
			stream_write(r->late, rec->text, rec->len);
		return;
	}
	if (!r->count_only) {
		add_to_windows(r, t, &r->keys);
		return;
	}
	/*
	 * A row that only counts waits while the next one is parsed, and its
	 * slot is fetched meanwhile: with a million keys, a lookup is
	 * otherwise a cache miss per row.
	 */
	table_warm(&r->table, last_start, r->keys.data, r->keys.len);
	add_pending(r);
	struct buf swap = r->pending_keys;
	r->pending_keys = r->keys;
	r->keys = swap;
	r->pending_time = t;
	r->pending = true;
}

static void begin_batch(struct run *r, long long id)
{
	r->batch = id;
	r->already_committed = id >= 0 && id <= r->committed;
	r->max_event = LLONG_MIN;
	if (id > r->last)
		r->last = id;
}

/* Save the state, less the windows EVICTED is about to close (or none). */
static void write_snapshot(struct run *r, long long evicted)
{
	long long committed;

	buf_reset(&r->snapshot);
	table_snapshot(&r->table, r->batch, r->watermark, evicted, r->options.data,
		       &r->snapshot);
	ckpt_path(&r->ck, "state", r->batch, &r->path);
	if (write_file_atomic(r->path.data, r->snapshot.data, r->snapshot.len) < 0)
		die_errno(EX_IOERR, "cannot write '%s'", r->path.data);
	/* Keep the last two, and all from the last commit on: commit may lag. */
	committed = ckpt_log_latest(r->commits_dir.data);
	if (committed >= 0)
		ckpt_log_prune(r->state_dir.data,
			       committed < r->batch - 1 ? committed : r->batch - 1);
}

static void write_out(struct buf *out)
{
	if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
		die_errno(EX_IOERR, "cannot write output");
	buf_reset(out);
}

/*
 * End the open batch: pick the rows the output mode releases, move the
 * watermark, save the state, then write the rows.  AT_EOF folds in the
 * no-data batch Spark's available-now trigger runs last: in append mode
 * the final watermark closes windows too.
 */
static void finish_batch(struct run *r, bool at_eof)
{
	long long next = r->watermark, closing = r->watermark;
	struct window_ref *list = NULL;
	size_t n = 0;

	add_pending(r);
	buf_reset(&r->out);
	if (r->already_committed)
		return;
	r->batches++;
	if (opt.delay_us >= 0 && r->max_event != LLONG_MIN &&
	    r->max_event - opt.delay_us > next)
		next = r->max_event - opt.delay_us;
	if (at_eof)
		closing = next;
	switch (opt.mode) {
	case MODE_APPEND: list = table_select(&r->table, closed_by, closing, &n); break;
	case MODE_UPDATE: list = table_select(&r->table, changed, 0, &n); break;
	case MODE_COMPLETE: list = table_select(&r->table, every, 0, &n); break;
	}
	r->watermark = next;
	if (r->late && fflush(r->late) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", opt.late_path);
	/*
	 * Complete mode keeps every window; the others drop the closed ones
	 * once written, and the state saved already leaves them out.
	 */
	crash_point("window-before-state");
	if (opt.checkpoint)
		write_snapshot(r, opt.mode == MODE_COMPLETE ? NO_WATERMARK : closing);
	crash_point("window-after-state");
	/* The rows go out in pieces: a million of them need not sit in memory. */
	for (size_t i = 0; i < n; i++) {
		struct window *w = table_window(&r->table, list[i].index);
		table_prefetch(&r->table, list, n, i);
		window_format(&r->table, w, &r->out);
		w->changed = false;
		if (r->out.len >= OUT_PIECE)
			write_out(&r->out);
	}
	write_out(&r->out);
	free(list);
	if (opt.mode != MODE_COMPLETE)
		table_evict(&r->table, closing);
}

static void restore(struct run *r)
{
	struct buf text = BUF_INIT;
	long long watermark;

	if (r->committed < 0)
		return;
	ckpt_path(&r->ck, "state", r->committed, &r->path);
	if (read_file(r->path.data, &text) < 0) {
		if (errno != ENOENT)
			die_errno(EX_IOERR, "cannot read '%s'", r->path.data);
		/* A window stage new to an old pipeline starts empty; a gap is damage. */
		if (r->committed >= r->since || ckpt_log_latest(r->state_dir.data) >= 0)
			die(EX_DATAERR, "checkpoint file '%s' is missing: it holds the state "
			    "of committed batch %lld; restore it or start a new checkpoint",
			    r->path.data, r->committed);
		return;
	}
	table_restore(&r->table, r->path.data, &text, r->committed, r->options.data,
		      &watermark);
	if (opt.delay_us >= 0)
		r->watermark = watermark == NO_WATERMARK ? 0 : watermark;
	buf_free(&text);
}

static void open_checkpoint(struct run *r)
{
	ckpt_open(&r->ck, opt.checkpoint);
	ckpt_lock(&r->ck, "window");
	ckpt_path(&r->ck, "state", -1, &r->state_dir);
	ckpt_path(&r->ck, "commits", -1, &r->commits_dir);
	if (mkdir_p(r->state_dir.data) < 0)
		die_errno(EX_CANTCREAT, "cannot create '%s'", r->state_dir.data);
	remove_temporaries(r->state_dir.data);
	r->committed = ckpt_log_latest(r->commits_dir.data);
	r->last = r->committed;
	/*
	 * The first batch this window stage saw, kept in the metadata: from
	 * it on, every committed batch has its snapshot, so a missing one is
	 * damage even when the whole state/ folder went.
	 */
	if (ckpt_metadata_get(&r->ck, "window_since", &r->path))
		r->since = strtoll(r->path.data, NULL, 10);
	else {
		r->since = r->committed + 1;
		buf_reset(&r->path);
		buf_printf(&r->path, "%lld", r->since);
		ckpt_claim(&r->ck, "window_since", r->path.data);
	}
	restore(r);
}

int main(int argc, char **argv)
{
	struct run r;
	size_t nv;

	parse_options(argc, argv);
	check_options_exit();
	stream_setup_stdout();
	stream_defer_stop_signals();
	memset(&r, 0, sizeof(r));
	table_init(&r.table, &opt.spec);
	r.watermark = opt.delay_us >= 0 ? 0 : NO_WATERMARK;	/* Spark starts at epoch 0 */
	r.committed = r.last = -1;
	nv = opt.spec.n_keys + opt.spec.n_aggs;
	r.vals = xmalloc(nv * sizeof(*r.vals));
	r.lens = xmalloc(nv * sizeof(*r.lens));
	r.name_lens = xmalloc(nv * sizeof(*r.name_lens));
	r.wanted = 1;
	for (size_t i = 0; i < nv; i++) {
		const char *name = i < opt.spec.n_keys ? opt.spec.keys[i] :
			opt.spec.aggs[i - opt.spec.n_keys].field;
		r.name_lens[i] = name ? strlen(name) : 0;
		r.wanted += name != NULL;
	}
	r.count_only = true;
	for (size_t i = 0; i < opt.spec.n_aggs; i++)
		r.count_only &= opt.spec.aggs[i].kind == AGG_COUNT;
	r.time_len = strlen(opt.time_field);
	spec_describe(&opt.spec, opt.time_field, mode_names[opt.mode], &r.options);
	if (opt.checkpoint)
		open_checkpoint(&r);
	if (opt.late_path && !(r.late = fopen(opt.late_path, "a")))
		die_errno(EX_CANTCREAT, "cannot open '%s'", opt.late_path);

	batch_reader_init_files(&r.in, argv + optind, argc - optind);
	for (;;) {
		enum batch_event ev = batch_next(&r.in);
		const struct record *rec = &r.in.rec;

		switch (ev) {
		case BATCH_EOF:
			goto done;
		case BATCH_CUT:
			batch_die_cut(&r.in, "its windows were not released and are "
				      "replayed on restart");
		case BATCH_ROW:
			if (!r.already_committed)
				add_row(&r, rec);
			continue;
		case BATCH_SCHEMA:
			continue;	/* it describes the input rows, not the windows */
		case BATCH_BEGIN:
			if (r.in.id < 0 && opt.checkpoint)
				die(EX_USAGE, "'%s' line %lu: %s cannot be checkpointed: "
				    "--checkpoint needs batches numbered by inlet-discover "
				    "--checkpoint", r.in.in.name, r.in.in.lineno,
				    "an unnumbered batch");
			begin_batch(&r, r.in.id);
			break;
		case BATCH_END:
			/*
			 * The last batch of a finite run also releases what the
			 * final watermark closes (Spark leaves them for a later
			 * trigger); replayed, it does the same.
			 */
			finish_batch(&r, opt.mode == MODE_APPEND && r.in.last);
			break;
		case BATCH_FILE:
		case BATCH_CONTROL:
			break;
		}
		stream_write(stdout, rec->text, rec->len);
		if (ev == BATCH_END)
			stream_flush(stdout);
	}
done:
	if (!opt.quiet && (isatty(STDERR_FILENO) || r.late_rows || r.bad_time ||
			   r.not_numeric))
		fprintf(stderr, "%s: %lld rows in %lld batches, %lld late rows dropped, "
			"%lld rows without a valid time, %lld values not numeric, %zu "
			"windows in state\n", program_invocation_short_name, r.rows,
			r.batches, r.late_rows, r.bad_time, r.not_numeric, r.table.count);
	if (r.late && fclose(r.late) != 0)
		die_errno(EX_IOERR, "cannot write '%s'", opt.late_path);
	int status = batch_reader_status(&r.in);
	batch_reader_free(&r.in);
	table_free(&r.table);
	free(r.vals);
	free(r.lens);
	free(r.name_lens);
	buf_free(&r.state_dir);
	buf_free(&r.commits_dir);
	buf_free(&r.path);
	buf_free(&r.options);
	buf_free(&r.out);
	buf_free(&r.snapshot);
	buf_free(&r.keys);
	buf_free(&r.pending_keys);
	if (opt.checkpoint)
		ckpt_close(&r.ck);
	close_stdout();
	return status;
}
