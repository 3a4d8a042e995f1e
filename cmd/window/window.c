/*
 * inlet-window: event-time windows, aggregated, with Spark's watermark and
 * output modes (inlet-window(1)).
 *
 * Batch N runs under the watermark computed at the end of batch N-1 (max
 * event time seen - delay; it never moves back).  At the end of batch N the
 * state is written to CK/state/N before the batch's rows and its "end"
 * record are released, so a restart that restores the state of the last
 * committed batch L and sees batch L+1 again emits the same rows again.
 *
 * With --partial a shard writes, per batch, the states its rows made and
 * keeps none; with --merge those states are added up under the minimum
 * (or maximum) of the shards' watermarks, and released as rows would be.
 */
#include <errno.h>
#include <stdarg.h>
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
#include "options.h"
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
	bool partial, merge;		/* --partial, --merge */
	bool mode_given, time_unit_given;
	long long shard_k, shard_n;	/* --shard K/N; shard_n 0: not given */
	bool policy_max, policy_given;	/* --watermark-policy */
} opt = {
	.time_unit_us = US_PER_SEC,
	.delay_us = -1,
	.mode = MODE_UPDATE,
};

/* The options: getopt, --help and --complete (options.h). */
enum { O_TIME = 256, O_TIME_UNIT, O_WINDOW, O_SLIDE, O_GROUP_BY, O_AGG,
       O_WATERMARK, O_MODE, O_LATE, O_ROWS_ONLY,
       O_PARTIAL, O_MERGE, O_SHARD, O_POLICY };
static const struct optdef optdefs[] = {
	{ O_TIME, "time", OPT_REQUIRED, "FIELD", NULL,
	  "event time: ISO-8601 text or epoch numbers" },
	{ O_TIME_UNIT, "time-unit", OPT_REQUIRED, "UNIT", "s ms us",
	  "unit of epoch numbers: s (default), ms or us" },
	{ O_WINDOW, "window", OPT_REQUIRED, "DURATION", NULL,
	  "window length, e.g. 30s, 10m, 1h, \"1 minute\"" },
	{ O_SLIDE, "slide", OPT_REQUIRED, "DURATION", NULL,
	  "sliding windows (default: tumbling)" },
	{ O_GROUP_BY, "group-by", OPT_REQUIRED, "KEYS", NULL,
	  "group keys, comma-separated" },
	{ O_AGG, "agg", OPT_REQUIRED, "AGG", "count sum: avg: min: max: approx_count_distinct:",
	  "count, sum:F, avg:F, min:F, max:F or\n"
	  "approx_count_distinct:F (repeatable; default\n"
	  "count)" },
	{ O_WATERMARK, "watermark", OPT_REQUIRED, "DURATION", NULL,
	  "how late a row may be; without it no window\n"
	  "is ever final and no row is late" },
	{ O_MODE, "output-mode", OPT_REQUIRED, "MODE", "append update complete",
	  "update (default): windows changed in a batch;\n"
	  "append: each window once, when final (needs\n"
	  "--watermark); complete: every window" },
	{ O_LATE, "late-records", OPT_REQUIRED, "FILE", OPT_FILE,
	  "append late rows to FILE as NDJSON" },
	{ O_PARTIAL, "partial", OPT_NONE, NULL, NULL,
	  "write partial aggregate states per batch, for\n"
	  "--merge, instead of rows" },
	{ O_SHARD, "shard", OPT_REQUIRED, "K/N", NULL,
	  "with --partial: this is shard K of N (0 <= K < N)" },
	{ O_MERGE, "merge", OPT_NONE, NULL, NULL,
	  "combine the partial rows of every shard into\n"
	  "the rows one window stage would write" },
	{ O_POLICY, "watermark-policy", OPT_REQUIRED, "P", "min max",
	  "with --merge: the global watermark is the min\n"
	  "(default) or the max of the shards' watermarks" },
	{ 'c', "checkpoint", OPT_REQUIRED, "DIR", OPT_DIR,
	  "checkpoint folder (state/), shared with\n"
	  "inlet-commit" },
	OPT_ROWS_ONLY(O_ROWS_ONLY),
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "no summary on standard error" },
	OPT_END
};
static struct optset optset = { optdefs, 28, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-window --time FIELD --window DURATION [--slide DURATION]\n"
"                    [--group-by KEYS] [--agg AGG]... [--watermark DURATION]\n"
"                    [--output-mode MODE] [options] [FILE...]\n"
"   or: inlet-window --partial --shard K/N --time FIELD --window DURATION ...\n"
"   or: inlet-window --merge --window DURATION ... [FILE...]\n"
"\n"
"Aggregate the rows on standard input in event-time windows and write one\n"
"row per window and group, per batch, as Spark's groupBy(window(...)) does.\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n");
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

/* The options --partial and --merge take, and those they leave to the other. */
static void check_roles(void)
{
	if (opt.partial && opt.merge)
		usage_error("--partial and --merge exclude each other: a shard "
			    "writes partial rows, the merge reads them");
	if (opt.partial && !opt.shard_n)
		usage_error("--partial needs --shard K/N: the merge tells the shards "
			    "apart by it");
	if (opt.shard_n && !opt.partial)
		usage_error("--shard is for --partial");
	if (opt.policy_given && !opt.merge)
		usage_error("--watermark-policy is for --merge");
	if (opt.partial && opt.mode_given)
		usage_error("--output-mode is for --merge: --partial writes the "
			    "states of every window a batch changed");
	if ((opt.partial || opt.merge) && opt.late_path)
		usage_error("--late-records does not apply to --%s: %s",
			    opt.partial ? "partial" : "merge", opt.partial ?
			    "which rows are late is for the merge to decide" :
			    "the merge drops states of closed windows, not rows");
	if (opt.merge && (opt.time_field || opt.time_unit_given))
		usage_error("--%s does not apply to --merge: the partial rows carry "
			    "their windows", opt.time_field ? "time" : "time-unit");
}

static void parse_options(int argc, char **argv)
{
	struct window_spec *s = &opt.spec;
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case O_TIME: opt.time_field = optarg; break;
		case O_TIME_UNIT:
			opt.time_unit_given = true;
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
			opt.mode_given = true;
			for (opt.mode = MODE_APPEND; opt.mode <= MODE_COMPLETE; opt.mode++)
				if (!strcmp(optarg, mode_names[opt.mode]))
					break;
			if (opt.mode > MODE_COMPLETE)
				die(EX_USAGE, "invalid value '%s' for --output-mode: expected "
				    "append, update or complete", optarg);
			break;
		case O_LATE: opt.late_path = optarg; break;
		case O_PARTIAL: opt.partial = true; break;
		case O_MERGE: opt.merge = true; break;
		case O_SHARD: parse_shard_arg(optarg, &opt.shard_k, &opt.shard_n); break;
		case O_POLICY:
			if (strcmp(optarg, "min") && strcmp(optarg, "max"))
				die(EX_USAGE, "invalid value '%s' for --watermark-policy: "
				    "expected min or max", optarg);
			opt.policy_max = !strcmp(optarg, "max");
			opt.policy_given = true;
			break;
		case 'c': opt.checkpoint = optarg; break;
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	check_roles();
	if (opt.merge && !s->size_us)
		usage_error("--window DURATION is required");
	if ((!opt.time_field && !opt.merge) || !s->size_us)
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
	unsigned pending_tag;	/* table_tag of its last window */
	struct buf pending_keys;
	long long rows, late_rows, bad_time, not_numeric, batches;
	/* --partial: the members before "window" in this batch's partial rows */
	struct buf partial_head;
	/* --merge: each shard's watermark (NO_WATERMARK: nothing heard yet) */
	long long *shard_wm;
	long long n_shards;	/* N of the shards' K/N; 0: no partial row yet */
	long long late_states;	/* partial rows of closed windows, dropped */
	bool batch_seen;	/* a batch has begun in this run */
	struct buf text;
};

/*
 * The watermark rows are judged by.  A shard's own is not the global one
 * (the merge's, which may be behind it): it drops nothing, and the merge
 * drops the states of windows its watermark closed.
 */
static long long in_force(const struct run *r)
{
	return opt.partial ? NO_WATERMARK : r->watermark;
}

static bool closed_by(const struct window *w, long long watermark)
{
	return w->start + opt.spec.size_us <= watermark;
}

static bool changed(const struct window *w, long long unused)
{
	return w->changed;
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

/*
 * Add the row at T with KEYS to its open windows, the aggregates from
 * r->vals.  TAG is table_tag of the last of them, which add_row computed.
 */
static void add_to_windows(struct run *r, long long t, const struct buf *keys,
			   unsigned tag)
{
	const struct window_spec *s = &opt.spec;
	size_t nk = s->n_keys;
	bool first = true;

	/* Windows holding t start at multiples of the slide in (t - size, t]. */
	for (long long start = floor_div(t, s->slide_us) * s->slide_us;
	     start > t - s->size_us; start -= s->slide_us) {
		if (start + s->size_us <= in_force(r))
			break;		/* this window and all earlier ones are closed */
		if (!first)
			tag = table_tag(start, keys->data, keys->len);
		struct window *w = table_get_tagged(&r->table, tag, start, keys->data,
						    keys->len);
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
		add_to_windows(r, r->pending_time, &r->pending_keys, r->pending_tag);
	r->pending = false;
}

static void add_row(struct run *r, const struct record *rec)
{
	const struct window_spec *s = &opt.spec;
	size_t nk = s->n_keys, nv = nk + s->n_aggs, wanted = r->wanted, found = 0;
	const char *tv = NULL;
	size_t tn = 0;
	long long t, last_start;
	unsigned tag;

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
	if (last_start + s->size_us <= in_force(r)) {
		r->late_rows++;
		if (r->late)
			stream_write(r->late, rec->text, rec->len);
		return;
	}
	tag = table_tag(last_start, r->keys.data, r->keys.len);
	if (!r->count_only) {
		add_to_windows(r, t, &r->keys, tag);
		return;
	}
	/*
	 * A row that only counts waits while the next one is parsed, and its
	 * slot is fetched meanwhile: with a million keys, a lookup is
	 * otherwise a cache miss per row.
	 */
	table_warm(&r->table, tag);
	add_pending(r);
	struct buf swap = r->pending_keys;
	r->pending_keys = r->keys;
	r->keys = swap;
	r->pending_time = t;
	r->pending_tag = tag;
	r->pending = true;
}

/* ---- --merge: partial rows in ---- */

/* A partial row that does not fit: exit 65 naming the input and the line. */
#define bad_partial(r, ...) \
	die(EX_DATAERR, "'%s' line %lu: %s", (r)->in.in.name, (r)->in.in.lineno, \
	    partial_message(__VA_ARGS__))

static const char *__attribute__((format(printf, 1, 2)))
partial_message(const char *fmt, ...)
{
	static char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return text;
}

/* A duration as the options take it: "30s", "1500ms", "10us". */
static const char *duration_text(long long us, char *out, size_t size)
{
	if (us % US_PER_SEC == 0)
		snprintf(out, size, "%llds", us / US_PER_SEC);
	else if (us % 1000 == 0)
		snprintf(out, size, "%lldms", us / 1000);
	else
		snprintf(out, size, "%lldus", us);
	return out;
}

/* The names of the members of the object V, comma-separated, into OUT. */
static void member_names(const char *v, size_t n, struct buf *out)
{
	struct json_iter it;
	struct json_field f;

	buf_reset(out);
	if (json_object_open(&it, v, n, NULL) < 0)
		return;
	while (json_object_next(&it, &f, NULL) == 1) {
		if (out->len)
			buf_addc(out, ',');
		json_key_decode(out, &f);
	}
}

/* Refuse a partial row whose group keys or aggregates are not this merge's. */
static void check_names(struct run *r, const char *v, size_t n, bool aggs)
{
	const struct window_spec *s = &opt.spec;
	size_t want = aggs ? s->n_aggs : s->n_keys;
	struct buf mine = BUF_INIT;

	member_names(v, n, &r->text);
	for (size_t i = 0; i < want; i++) {
		const char *label = aggs ? s->aggs[i].label : s->key_labels[i];
		if (i)
			buf_addc(&mine, ',');
		/* ,"name": -> name (the names here need no escapes to compare) */
		json_string_decode(&mine, label + 1, strlen(label) - 2);
	}
	if (strcmp(mine.data ? mine.data : "", r->text.data ? r->text.data : ""))
		bad_partial(r, "the partial row's %s are '%s', this merge's %s '%s': "
			    "run --partial and --merge with the same %s",
			    aggs ? "aggregates" : "group keys", r->text.data ? r->text.data : "",
			    aggs ? "--agg gives" : "--group-by gives", mine.data ? mine.data : "",
			    aggs ? "--agg options" : "--group-by");
	buf_free(&mine);
}

static long long member_time(struct run *r, const char *row, size_t len,
			     const char *name, bool null_ok)
{
	const char *v;
	size_t n;
	long long t;

	if (json_object_get(row, len, name, &v, &n) != 1)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"%s\"", name);
	if (null_ok && n == 4 && !memcmp(v, "null", 4))
		return NO_WATERMARK;
	if (!json_is_string(v, n) || datetime_parse(v + 1, n - 2, NULL, &t) < 0)
		bad_partial(r, "partial row's \"%s\" is not a timestamp", name);
	return t;
}

static long long member_count(struct run *r, const char *row, size_t len,
			      const char *name, bool null_ok)
{
	const char *v;
	size_t n;
	long long x = 0;

	if (json_object_get(row, len, name, &v, &n) != 1)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"%s\"", name);
	if (null_ok && n == 4 && !memcmp(v, "null", 4))
		return -1;
	if (!n || n > 18 || strspn(v, "0123456789") < n)
		bad_partial(r, "partial row's \"%s\" is not a whole number", name);
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (v[i] - '0');
	return x;
}

/* "K/N" of a partial row: its shard's index, N checked against the others'. */
static long long member_shard(struct run *r, const char *row, size_t len)
{
	const char *v, *slash;
	size_t n;
	long long k = 0, total = 0;

	if (json_object_get(row, len, "shard", &v, &n) != 1)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"shard\"");
	slash = n > 4 && v[0] == '"' ? memchr(v, '/', n) : NULL;
	if (!slash || slash == v + 1 || slash + 2 >= v + n || v[n - 1] != '"' ||
	    strspn(v + 1, "0123456789") != (size_t)(slash - v - 1) ||
	    strspn(slash + 1, "0123456789") != (size_t)(v + n - 1 - slash - 1) ||
	    slash - v > 7 || v + n - slash > 8)
		bad_partial(r, "partial row's \"shard\" is not \"K/N\"");
	for (const char *p = v + 1; p < slash; p++)
		k = k * 10 + (*p - '0');
	for (const char *p = slash + 1; p < v + n - 1; p++)
		total = total * 10 + (*p - '0');
	if (total < 1 || k >= total)
		bad_partial(r, "partial row's \"shard\" %.*s is not K/N with 0 <= K < N",
			    (int)n, v);
	if (!r->n_shards) {
		r->n_shards = total;
		r->shard_wm = xmalloc((size_t)total * sizeof(*r->shard_wm));
		for (long long i = 0; i < total; i++)
			r->shard_wm[i] = NO_WATERMARK;
	} else if (total != r->n_shards) {
		bad_partial(r, "partial row of shard %.*s, but earlier ones came from "
			    "%lld shards: every shard needs the same N in --shard K/N",
			    (int)n, v, r->n_shards);
	}
	return k;
}

/* Check a partial row against this merge's options: exit 65 naming the difference. */
static void check_partial(struct run *r, const char *row, size_t len, long long end,
			  long long start)
{
	const struct window_spec *s = &opt.spec;
	long long slide = member_count(r, row, len, "slide_us", false);
	long long delay = member_count(r, row, len, "delay_us", true);
	char a[32], b[32];

	if (end - start != s->size_us)
		bad_partial(r, "the partial row was made with --window %s, this merge has "
			    "--window %s", duration_text(end - start, a, sizeof(a)),
			    duration_text(s->size_us, b, sizeof(b)));
	if (slide != s->slide_us)
		bad_partial(r, "the partial row was made with --slide %s, this merge has "
			    "--slide %s", duration_text(slide, a, sizeof(a)),
			    duration_text(s->slide_us, b, sizeof(b)));
	if (delay != opt.delay_us) {
		if (delay < 0 || opt.delay_us < 0)
			bad_partial(r, "the partial row was made %s --watermark, this merge "
				    "runs %s it", delay < 0 ? "without" : "with",
				    opt.delay_us < 0 ? "without" : "with");
		bad_partial(r, "the partial row was made with --watermark %s, this merge "
			    "has --watermark %s", duration_text(delay, a, sizeof(a)),
			    duration_text(opt.delay_us, b, sizeof(b)));
	}
	if (floor_div(start, s->slide_us) * s->slide_us != start)
		bad_partial(r, "partial row's window start is not a multiple of --slide");
}

static void merge_row(struct run *r, const struct record *rec)
{
	const struct window_spec *s = &opt.spec;
	const char *row = rec->text, *v, *e;
	size_t len = rec->len, n, en;
	struct json_iter it;
	struct json_field f;
	long long start, end, rows, wm, k;
	struct window *w;
	size_t i = 0;

	if (json_object_get(row, len, "partial", &v, &n) != 1 || n != 1 || v[0] != '1')
		bad_partial(r, "not a partial row of inlet-window --partial "
			    "(no \"partial\":1)");
	k = member_shard(r, row, len);
	wm = member_time(r, row, len, "watermark", true);
	if (json_object_get(row, len, "window", &v, &n) != 1)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"window\"");
	start = member_time(r, v, n, "start", false);
	end = member_time(r, v, n, "end", false);
	check_partial(r, row, len, end, start);
	if (json_object_get(row, len, "keys", &v, &n) != 1 ||
	    json_object_open(&it, v, n, NULL) < 0)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"keys\"");
	check_names(r, v, n, false);
	buf_reset(&r->keys);
	while (json_object_next(&it, &f, NULL) == 1) {
		if (i++)
			buf_addc(&r->keys, KEY_SEP);
		buf_add(&r->keys, f.val, f.val_len);
	}
	rows = member_count(r, row, len, "rows", false);
	if (json_object_get(row, len, "aggs", &v, &n) != 1 ||
	    json_object_open(&it, v, n, NULL) < 0)
		bad_partial(r, "not a partial row of inlet-window --partial: no \"aggs\"");
	check_names(r, v, n, true);
	if (rows < 1)
		bad_partial(r, "partial row's \"rows\" is 0");

	/* The shard's watermark counts even when the state itself comes too late. */
	if (wm != NO_WATERMARK && wm > r->shard_wm[k])
		r->shard_wm[k] = wm;
	r->rows++;
	if (start + s->size_us <= r->watermark) {
		r->late_states++;
		r->late_rows += rows;
		return;
	}
	w = table_get(&r->table, start, r->keys.data, r->keys.len);
	w->rows += rows;
	w->changed = true;
	for (i = 0; i < s->n_aggs; i++) {
		struct json_field g;
		if (json_object_next(&it, &g, NULL) != 1)
			bad_partial(r, "partial row's aggregates are cut short");
		e = g.val;
		en = g.val_len;
		if (window_merge(&r->table, w, i, rows, e, en) < 0)
			bad_partial(r, "partial row's state of %.*s is malformed",
				    (int)strlen(s->aggs[i].label) - 4, s->aggs[i].label + 2);
	}
}

/*
 * The global watermark after a batch: the min (or with --watermark-policy
 * max, the max) of the shards' watermarks.  Under min a shard not heard
 * from yet holds it where it is; it never moves back.
 */
static long long merged_watermark(const struct run *r)
{
	long long m = NO_WATERMARK;

	if (opt.delay_us < 0)
		return r->watermark;
	for (long long k = 0; k < r->n_shards; k++) {
		long long x = r->shard_wm[k];
		if (x == NO_WATERMARK) {
			if (!opt.policy_max)
				return r->watermark;
			continue;
		}
		if (m == NO_WATERMARK || (opt.policy_max ? x > m : x < m))
			m = x;
	}
	return m > r->watermark ? m : r->watermark;
}

static void begin_batch(struct run *r, long long id)
{
	r->batch = id;
	r->already_committed = id >= 0 && id <= r->committed;
	r->max_event = LLONG_MIN;
	if (id > r->last)
		r->last = id;
}

/* --merge's snapshot header member: ,"shards":[watermark or null, ...]. */
static void shards_text(const struct run *r, struct buf *out)
{
	buf_adds(out, ",\"shards\":[");
	for (long long k = 0; k < r->n_shards; k++) {
		if (k)
			buf_addc(out, ',');
		if (r->shard_wm[k] == NO_WATERMARK) {
			buf_adds(out, "null");
			continue;
		}
		buf_addc(out, '"');
		timestamp_format(r->shard_wm[k], out);
		buf_addc(out, '"');
	}
	buf_addc(out, ']');
}

/* The members of this batch's partial rows before "window": see inlet-window(1). */
static void partial_head(const struct run *r, long long watermark, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "{\"partial\":1,\"shard\":\"%lld/%lld\",\"watermark\":",
		   opt.shard_k, opt.shard_n);
	if (watermark == NO_WATERMARK) {
		buf_adds(out, "null");
	} else {
		buf_addc(out, '"');
		timestamp_format(watermark, out);
		buf_addc(out, '"');
	}
	if (opt.delay_us < 0)
		buf_adds(out, ",\"delay_us\":null");
	else
		buf_printf(out, ",\"delay_us\":%lld", opt.delay_us);
	buf_printf(out, ",\"slide_us\":%lld,", opt.spec.slide_us);
}

/* Save the state, less the windows EVICTED is about to close (or none). */
static void write_snapshot(struct run *r, long long evicted)
{
	long long committed;

	buf_reset(&r->snapshot);
	buf_reset(&r->text);
	if (opt.merge)
		shards_text(r, &r->text);
	table_snapshot(&r->table, r->batch, r->watermark, evicted, r->options.data,
		       r->text.data, &r->snapshot);
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
	if (opt.merge)
		next = merged_watermark(r);
	else if (opt.delay_us >= 0 && r->max_event != LLONG_MIN &&
		 r->max_event - opt.delay_us > next)
		next = r->max_event - opt.delay_us;
	if (at_eof)
		closing = next;
	/* A shard hands on every state of the batch and keeps none. */
	if (opt.partial) {
		closing = LLONG_MAX;
		partial_head(r, next, &r->partial_head);
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
		write_snapshot(r, opt.mode == MODE_COMPLETE && !opt.partial ?
			       NO_WATERMARK : closing);
	crash_point("window-after-state");
	/* Listed after the snapshot's list is freed: the two never sit side by side. */
	if (opt.partial)
		list = table_select(&r->table, NULL, 0, &n);
	else switch (opt.mode) {
	case MODE_APPEND: list = table_select(&r->table, closed_by, closing, &n); break;
	case MODE_UPDATE: list = table_select(&r->table, changed, 0, &n); break;
	case MODE_COMPLETE: list = table_select(&r->table, NULL, 0, &n); break;
	}
	/* The rows go out in pieces: a million of them need not sit in memory. */
	for (size_t i = 0; i < n; i++) {
		struct window *w = table_window(&r->table, list[i].index);
		table_prefetch(&r->table, list, n, i);
		if (opt.partial)
			window_format_partial(&r->table, w, r->partial_head.data, &r->out);
		else
			window_format(&r->table, w, &r->out);
		w->changed = false;
		if (r->out.len >= OUT_PIECE)
			write_out(&r->out);
	}
	write_out(&r->out);
	free(list);
	if (opt.mode != MODE_COMPLETE || opt.partial)
		table_evict(&r->table, closing);
}

/* The shards' watermarks from the header of the state restore() read (in r->text). */
static void restore_shards(struct run *r)
{
	struct json_iter it;
	const char *v;
	size_t n;
	int more;

	if (json_object_get(r->text.data, r->text.len, "shards", &v, &n) != 1 ||
	    json_array_open(&it, v, n, NULL) < 0)
		die(EX_DATAERR, "checkpoint file '%s' line 1 is malformed (no shards' "
		    "watermarks); restore it or start a new checkpoint", r->path.data);
	while ((more = json_array_next(&it, &v, &n, NULL)) == 1) {
		long long t = NO_WATERMARK;
		if (!(n == 4 && !memcmp(v, "null", 4)) &&
		    (!json_is_string(v, n) || datetime_parse(v + 1, n - 2, NULL, &t) < 0))
			more = -1;
		if (more < 0 || r->n_shards >= 1000000)
			break;
		r->shard_wm = xrealloc(r->shard_wm, (size_t)(r->n_shards + 1) *
				       sizeof(*r->shard_wm));
		r->shard_wm[r->n_shards++] = t;
	}
	if (more != 0)
		die(EX_DATAERR, "checkpoint file '%s' line 1 is malformed (bad shards' "
		    "watermarks); restore it or start a new checkpoint", r->path.data);
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
	buf_reset(&r->text);
	table_restore(&r->table, r->path.data, &text, r->committed, r->options.data,
		      &watermark, &r->text);
	if (opt.delay_us >= 0)
		r->watermark = watermark == NO_WATERMARK ? 0 : watermark;
	if (opt.merge)
		restore_shards(r);
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
	r.time_len = opt.time_field ? strlen(opt.time_field) : 0;
	spec_describe(&opt.spec, opt.merge ? "-" : opt.time_field,
		      opt.partial ? "-" : mode_names[opt.mode], &r.options);
	/* A shard's state or a merge's is not a window stage's: told apart here. */
	if (opt.partial)
		buf_printf(&r.options, " partial=%lld/%lld", opt.shard_k, opt.shard_n);
	if (opt.merge)
		buf_printf(&r.options, " merge=%s", opt.policy_max ? "max" : "min");
	if (opt.checkpoint)
		open_checkpoint(&r);
	if (opt.late_path && !(r.late = fopen(opt.late_path, "a")))
		die_errno(EX_CANTCREAT, "cannot open '%s'", opt.late_path);

	/*
	 * The batch's file and skip records follow its window rows: the rows
	 * aggregate every file, so inlet-commit must not count them as the
	 * last file's (its file ledger attributes rows to the file before).
	 */
	struct buf held = BUF_INIT;

	batch_reader_init_files(&r.in, argv + optind, argc - optind);
	batch_reader_trust(&r.in);	/* its output goes on to another stage */
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
			if (r.already_committed)
				continue;
			if (opt.merge)
				merge_row(&r, rec);
			else
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
			/*
			 * Shards' streams put one after another number their
			 * batches again: a checkpointed commit would take the
			 * second batch 0 as committed and drop it.
			 */
			if (opt.merge && opt.checkpoint && r.batch_seen && r.in.id <= r.batch)
				die(EX_DATAERR, "'%s' line %lu: batch %lld after batch %lld: "
				    "with --checkpoint the merge needs batches numbered "
				    "once, as inlet-discover numbers the files of partial "
				    "rows it reads back", r.in.in.name, r.in.in.lineno,
				    r.in.id, r.batch);
			r.batch_seen = true;
			begin_batch(&r, r.in.id);
			break;
		case BATCH_END:
			/*
			 * The last batch of a finite run also releases what the
			 * final watermark closes (Spark leaves them for a later
			 * trigger); replayed, it does the same.
			 */
			finish_batch(&r, opt.mode == MODE_APPEND && r.in.last);
			for (size_t at = 0; at < held.len;) {
				const char *line = held.data + at;
				size_t n = (size_t)((char *)memchr(line, '\n', held.len - at) - line);
				stream_write(stdout, line, n);
				at += n + 1;
			}
			buf_reset(&held);
			break;
		case BATCH_FILE:
		case BATCH_CONTROL:
			buf_add(&held, rec->text, rec->len);
			buf_addc(&held, '\n');
			continue;
		}
		stream_write(stdout, rec->text, rec->len);
		if (ev == BATCH_END)
			stream_flush(stdout);
	}
done:
	if (opt.merge && !opt.quiet && (isatty(STDERR_FILENO) || r.late_states))
		fprintf(stderr, "%s: %lld partial rows in %lld batches, %lld of closed "
			"windows dropped (%lld rows), %zu windows in state\n",
			program_invocation_short_name, r.rows, r.batches, r.late_states,
			r.late_rows, r.table.count);
	else if (!opt.quiet && (isatty(STDERR_FILENO) || r.late_rows || r.bad_time ||
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
	buf_free(&held);
	buf_free(&r.pending_keys);
	buf_free(&r.partial_head);
	buf_free(&r.text);
	free(r.shard_wm);
	if (opt.checkpoint)
		ckpt_close(&r.ck);
	close_stdout();
	return status;
}
