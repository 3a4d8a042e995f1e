/*
 * inlet-join: enrich each row of the stream with the matching rows of a
 * static table, the stream on the left (Spark's stream-static join).
 *
 * The static side is read into a hash table at start, and read again at a
 * batch's "begin" record when its source changed, so every batch is joined
 * against one version and a change shows from the next batch on (Spark
 * re-reads the static side every micro-batch).  A version that cannot be
 * read keeps the last good one.  Keys of one JSON type compare by their
 * text; a string meets a number as Spark compares them, cast to the
 * number's type (key.h), so "0123" matches 123.  Joined rows are built from
 * text, never from converted values.
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "datetime.h"
#include "cli.h"
#include "die.h"
#include "json.h"
#include "pgconn.h"
#include "key.h"
#include "options.h"
#include "rowwriter.h"
#include "schema.h"
#include "source.h"
#include "batch.h"
#include "stream.h"
#include "table.h"

enum join_type { JOIN_INNER, JOIN_LEFT, JOIN_SEMI, JOIN_ANTI };

static struct options {
	const char *static_source;
	const char *static_table;		/* --static-table: PostgreSQL's */
	struct buf static_name;			/* the source as messages name it */
	char **stream_key, **static_key;	/* --on: nkeys of each */
	size_t *stream_key_len;
	size_t nkeys;
	enum join_type type;
	char **select;				/* NULL: all but the keys */
	size_t nselect;
	const char *prefix;
	char **rename_old, **rename_new;
	size_t nrename;
	bool quiet;
} opt = {
	.prefix = "",
};

/* semi and anti joins filter the stream; inner and left add columns. */
static bool adds_columns(void)
{
	return opt.type == JOIN_INNER || opt.type == JOIN_LEFT;
}

/* The options: getopt, --help and --complete (options.h). */
enum { O_STATIC = 256, O_STATIC_TABLE, O_ON, O_TYPE, O_SELECT, O_PREFIX, O_RENAME, O_ROWS_ONLY };
static const struct optdef optdefs[] = {
	{ O_STATIC, "static", OPT_REQUIRED, "SOURCE", "<file> sqlite:<file>:",
	  "a .csv, .json, .jsonl or .ndjson file (maybe .gz or\n"
	  ".zst), a folder of them, sqlite:DATABASE:TABLE, or\n"
	  "a PostgreSQL database, postgresql://..." },
	{ O_STATIC_TABLE, "static-table", OPT_REQUIRED, "NAME", NULL,
	  "the table of a PostgreSQL --static: NAME or\n"
	  "SCHEMA.NAME" },
	{ O_ON, "on", OPT_REQUIRED, "KEYS", NULL,
	  "KEY[,KEY...]; STREAM_KEY=STATIC_KEY where the\n"
	  "names differ" },
	{ O_TYPE, "type", OPT_REQUIRED, "TYPE", "inner left semi anti",
	  "inner (default), left, semi or anti" },
	{ O_SELECT, "select", OPT_REQUIRED, "COLUMNS", NULL,
	  "static columns to add (default: all but the keys)" },
	{ O_PREFIX, "prefix", OPT_REQUIRED, "STR", NULL,
	  "put STR before the names of the added columns" },
	{ O_RENAME, "rename", OPT_REQUIRED, "OLD=NEW", NULL,
	  "add the static column OLD as NEW (repeatable)" },
	OPT_ROWS_ONLY(O_ROWS_ONLY),
	{ 'q', "quiet", OPT_NONE, NULL, NULL,
	  "do not report the static table's size" },
	OPT_END
};
static struct optset optset = { optdefs, 26, OPT_FILE, NULL, NULL };

static void usage(int code)
{
	optset_help(code, &optset,
"usage: inlet-join --static SOURCE --on KEYS [options] [FILE...]\n"
"\n"
"Join the rows on standard input with a static table, the stream on the\n"
"left, and write the joined rows.  The static side is read again at the\n"
"start of a batch when it changed since it was last read.\n"
"FILEs are read one after another, as cat does ('-' is standard input);\n"
"none: standard input.\n"
"\n");
}

/* Append the comma-separated names of VALUE to *ITEMS. */
static void split_list(const char *option, const char *value, char ***items, size_t *n)
{
	for (const char *p = value; ; p++) {
		size_t len = strcspn(p, ",");
		if (!len)
			die(EX_USAGE, "invalid value '%s' for %s: expected NAME[,NAME...]",
			    value, option);
		*items = xrealloc(*items, (*n + 1) * sizeof(**items));
		(*items)[(*n)++] = xstrndup(p, len);
		p += len;
		if (!*p)
			break;
	}
}

/* Split "LEFT=RIGHT" into two new strings; NULL *RIGHT if there is no '='. */
static void split_pair(const char *option, const char *value, char **left, char **right)
{
	const char *eq = strchr(value, '=');

	*right = NULL;
	if (!eq) {
		*left = xstrdup(value);
		return;
	}
	if (eq == value || !eq[1])
		die(EX_USAGE, "invalid value '%s' for %s: a name is missing around '='",
		    value, option);
	*left = xstrndup(value, (size_t)(eq - value));
	*right = xstrdup(eq + 1);
}

static void parse_options(int argc, char **argv)
{
	static const char *types[] = { "inner", "left", "semi", "anti" };
	char **on = NULL;
	size_t non = 0;
	int c;

	while ((c = optset_getopt(argc, argv, &optset)) != -1) {
		switch (c) {
		case O_STATIC: opt.static_source = optarg; break;
		case O_STATIC_TABLE: opt.static_table = optarg; break;
		case O_ON: split_list("--on", optarg, &on, &non); break;
		case O_TYPE: {
			int t = 0;
			while (t < 4 && strcasecmp(optarg, types[t]))
				t++;
			if (t == 4)
				die(EX_USAGE, "invalid value '%s' for --type: expected "
				    "inner, left, semi or anti", optarg);
			opt.type = (enum join_type)t;
			break;
		}
		case O_SELECT: split_list("--select", optarg, &opt.select, &opt.nselect); break;
		case O_PREFIX: opt.prefix = optarg; break;
		case O_RENAME: {
			char *old, *new;
			split_pair("--rename", optarg, &old, &new);
			if (!new)
				die(EX_USAGE, "invalid value '%s' for --rename: expected OLD=NEW",
				    optarg);
			opt.rename_old = xrealloc(opt.rename_old, (opt.nrename + 1) * sizeof(char *));
			opt.rename_new = xrealloc(opt.rename_new, (opt.nrename + 1) * sizeof(char *));
			opt.rename_old[opt.nrename] = old;
			opt.rename_new[opt.nrename++] = new;
			break;
		}
		case O_ROWS_ONLY: stream_rows_only(true); break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(0); break;
		default: usage_error("unhandled option '%s'", argv[optind - 1]);
		}
	}
	if (!opt.static_source || !non)
		usage_error("--static and --on are required");
	static_source_check(opt.static_source, opt.static_table);
	if (!adds_columns() && (opt.select || *opt.prefix || opt.nrename))
		die(EX_USAGE, "--select, --prefix and --rename name added columns; "
		    "--type %s adds none", types[opt.type]);
	opt.nkeys = non;
	opt.stream_key = xmalloc(non * sizeof(char *));
	opt.static_key = xmalloc(non * sizeof(char *));
	opt.stream_key_len = xmalloc(non * sizeof(size_t));
	for (size_t i = 0; i < non; i++) {
		split_pair("--on", on[i], &opt.stream_key[i], &opt.static_key[i]);
		if (!opt.static_key[i])
			opt.static_key[i] = xstrdup(opt.stream_key[i]);
		opt.stream_key_len[i] = strlen(opt.stream_key[i]);
		free(on[i]);
	}
	free(on);
}

static void free_options(void)
{
	for (size_t i = 0; i < opt.nkeys; i++) {
		free(opt.stream_key[i]);
		free(opt.static_key[i]);
	}
	for (size_t i = 0; i < opt.nselect; i++)
		free(opt.select[i]);
	for (size_t i = 0; i < opt.nrename; i++) {
		free(opt.rename_old[i]);
		free(opt.rename_new[i]);
	}
	free(opt.stream_key);
	free(opt.static_key);
	free(opt.stream_key_len);
	free(opt.select);
	buf_free(&opt.static_name);
	free(opt.rename_old);
	free(opt.rename_new);
}

static bool name_is(const char *want, const char *name, size_t n)
{
	return strlen(want) == n && !memcmp(want, name, n);
}

/* F's name, decoded into SCRATCH only when it holds escapes. */
static const char *field_name(const struct json_field *f, struct buf *scratch, size_t *n)
{
	if (!f->key_escaped) {
		*n = f->key_len;
		return f->key;
	}
	buf_reset(scratch);
	json_key_decode(scratch, f);
	*n = scratch->len;
	return scratch->data;
}

/*
 * A key's text.  A string's escapes are normalised, so "\u0041" and "A"
 * are one key; any other value keeps its exact text (42 and 42.0 differ).
 */
static void add_key(struct buf *out, const char *v, size_t n, struct buf *tmp)
{
	if (v[0] == '"' && memchr(v, '\\', n)) {
		buf_reset(tmp);
		if (json_string_decode(tmp, v, n) == 0) {
			json_string_encode(out, tmp->data, tmp->len);
			return;
		}
	}
	buf_add(out, v, n);
}

/*
 * A name's bucket in a 256-bit filter of the output names, by its length
 * and its first and last bytes, ASCII case folded as the names compare
 * (| 0x20 folds a letter's case; other bytes merely share buckets): most
 * stream names are told apart from the output names without a lookup.
 */
static inline unsigned name_bucket(const char *name, size_t n)
{
	unsigned a = n ? (unsigned char)name[0] | 0x20 : 0;
	unsigned z = n ? (unsigned char)name[n - 1] | 0x20 : 0;

	return ((unsigned)n * 37 + a * 5 + z) & 255;
}

/* ---- one version of the static side ---- */

struct version {
	struct table table;
	char **cols;		/* static names of the added columns */
	size_t ncols, capcols;
	struct strmap col_of;	/* static name -> added column */
	struct buf *out;	/* per column: the output name, escaped, unquoted */
	struct buf keys;	/* per column from KEY_AT[C]: "OUT[C]": */
	size_t *key_at;
	struct buf nulls;	/* every column null: the members a row with no match adds */
	struct strmap out_of;	/* output name -> column, case-folded */
	uint64_t out_filter[4];	/* bit name_bucket(N): maybe an output name N */
	long long rows, null_keys;
	char loaded[32];	/* when, for messages */
	unsigned *key_kinds;	/* per key: the kinds (key.h) of its static values */
	struct table alt;	/* by the other forms of the keys, built on first need */
	bool alt_built;
};

static void version_free(struct version *v)
{
	if (!v)
		return;
	table_free(&v->table);
	table_free(&v->alt);
	free(v->key_kinds);
	for (size_t c = 0; c < v->ncols; c++) {
		free(v->cols[c]);
		if (v->out)
			buf_free(&v->out[c]);
	}
	free(v->cols);
	free(v->out);
	buf_free(&v->keys);
	free(v->key_at);
	buf_free(&v->nulls);
	strmap_free(&v->col_of);
	strmap_free(&v->out_of);
	free(v);
}

static size_t add_column(struct version *v, const char *name, size_t n)
{
	if (v->ncols == v->capcols) {
		v->capcols = v->capcols ? v->capcols * 2 : 16;
		v->cols = xrealloc(v->cols, v->capcols * sizeof(*v->cols));
	}
	v->cols[v->ncols] = xstrndup(name, n);
	strmap_put(&v->col_of, name, n, (int)v->ncols);
	return v->ncols++;
}

/*
 * What a member at one position of the last static row was: rows of one
 * source list the same names in the same order, so a name that matches
 * costs a comparison, not a lookup.
 */
struct position {
	char *name;		/* owned; NULL: nothing known */
	size_t len;
	uint64_t head, tail;	/* the name's words (name_words) */
	uint64_t keys;		/* bit K: it is the static key K */
	int col;		/* the added column, or -1 */
};

/*
 * The names of the last row read member by member, position by
 * position, and its plan: a row of PLAN_N members named the same takes
 * key K from member KEY_SRC[K] (SIZE_MAX: none) without looking at what
 * each member is.  PLAN_N 0: no plan.  Both sides keep one: the static
 * rows (struct loader) and the stream's (join_row).
 */
struct shape {
	struct position *pos;
	size_t npos;
	size_t plan_n;
	size_t *key_src;	/* per key */
};

static void shape_free(struct shape *sh)
{
	for (size_t i = 0; i < sh->npos; i++)
		free(sh->pos[i].name);
	free(sh->pos);
	free(sh->key_src);
	*sh = (struct shape){ 0 };
}

/*
 * The first and last words of the N bytes NAME, overlapping (halves of
 * a name of 4 to 7 bytes, bytes 0, N/2 and N-1 of a shorter one): two
 * names of one length up to 16 bytes are equal when their words are.
 */
static inline void name_words(const char *name, size_t n, uint64_t *head, uint64_t *tail)
{
	uint32_t a, b;

	if (n >= 8) {
		memcpy(head, name, 8);
		memcpy(tail, name + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&a, name, 4);
		memcpy(&b, name + n - 4, 4);
		*head = a;
		*tail = b;
	} else {
		*head = n ? (uint64_t)(unsigned char)name[0] |
			    (uint64_t)(unsigned char)name[n / 2] << 8 |
			    (uint64_t)(unsigned char)name[n - 1] << 16 : 0;
		*tail = 0;
	}
}

/*
 * A column's value in the static row being read: valid when STAMP is the
 * row's (rows are numbered from 1, so 0 is a column never seen), which
 * spares clearing every column before each row.
 */
struct value_at {
	const char *val;
	size_t len;
	uint64_t stamp;
};

/* What load_row needs between rows; arrays indexed by key or column. */
struct loader {
	struct version *v;
	const char **key_val;
	size_t *key_len;
	bool *key_seen;
	struct value_at *col;	/* per added column */
	uint64_t stamp;		/* the row being read */
	size_t cap;
	/*
	 * The plan of the last row read member by member, when it had every
	 * key; it takes column C too, from member COL_SRC[C] (-1: null).  A
	 * plan is made again after each row read member by member, the only
	 * rows that add columns.
	 */
	struct shape shape;
	long *col_src;		/* CAP of them */
	struct buf name, tmp;
	struct buf *why;
};

static void loader_fit(struct loader *l)
{
	if (l->col && l->v->ncols <= l->cap)
		return;
	size_t old = l->cap;
	l->cap = l->v->capcols ? l->v->capcols : 16;
	l->col = xrealloc(l->col, l->cap * sizeof(*l->col));
	memset(l->col + old, 0, (l->cap - old) * sizeof(*l->col));
	l->col_src = xrealloc(l->col_src, l->cap * sizeof(*l->col_src));
}

static void loader_free(struct loader *l)
{
	free(l->key_val);
	free(l->key_len);
	free(l->key_seen);
	free(l->col);
	free(l->col_src);
	shape_free(&l->shape);
	buf_free(&l->name);
	buf_free(&l->tmp);
}

/* What the member named NAME is: the keys it is, its column (added if new). */
static struct position classify_name(struct loader *l, const char *name, size_t n)
{
	struct version *v = l->v;
	struct position p = { NULL, n, 0, 0, 0, -1 };

	for (size_t k = 0; k < opt.nkeys; k++)
		if (name_is(opt.static_key[k], name, n))
			p.keys |= 1ULL << (k < 63 ? k : 63);
	p.col = strmap_get(&v->col_of, name, n);
	if (p.col < 0 && !opt.select && adds_columns() && !p.keys) {
		p.col = (int)add_column(v, name, n);
		loader_fit(l);
	}
	return p;
}

/* Remember POS as what the member at position I is. */
static void remember(struct shape *sh, size_t i, const char *name, struct position pos)
{
	if (i >= sh->npos) {
		sh->pos = xrealloc(sh->pos, (i + 1) * sizeof(*sh->pos));
		for (; sh->npos <= i; sh->npos++)
			sh->pos[sh->npos] = (struct position){ NULL, SIZE_MAX, 0, 0, 0, -1 };
	}
	free(sh->pos[i].name);
	pos.name = xstrndup(name, pos.len);
	name_words(pos.name, pos.len, &pos.head, &pos.tail);
	sh->pos[i] = pos;
}

/*
 * Whether F is named as P remembers (names_equal: inline, word by word);
 * a position where nothing is known has the length SIZE_MAX.
 */
static inline bool same_name(const struct position *p, const struct json_field *f)
{
	uint64_t head, tail;

	if (p->len != f->key_len || f->key_escaped)
		return false;
	name_words(f->key, f->key_len, &head, &tail);
	return head == p->head && tail == p->tail &&
	       (f->key_len <= 16 || names_equal(p->name, f->key, f->key_len));
}

/*
 * After a row of N members read member by member: the plan of SH for the
 * rows that follow, each key from the last member of its name, as member
 * by member (COL_SRC, when not NULL, each added column from its member).
 * False, and no plan (each row read member by member), when a position is
 * not remembered (more keys than bits) or, with ALL_KEYS, a key is
 * missing (the static side counts such a row).
 */
static bool make_plan(struct shape *sh, size_t n, long *col_src, size_t ncols, bool all_keys)
{
	sh->plan_n = 0;
	if (n > sh->npos || !n)
		return false;
	if (!sh->key_src)
		sh->key_src = xmalloc((opt.nkeys ? opt.nkeys : 1) * sizeof(*sh->key_src));
	for (size_t c = 0; c < ncols; c++)
		col_src[c] = -1;
	for (size_t k = 0; k < opt.nkeys; k++)
		sh->key_src[k] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct position *pos = &sh->pos[i];
		if (pos->len == SIZE_MAX)
			return false;
		if (col_src && pos->col >= 0)
			col_src[pos->col] = (long)i;
		for (size_t k = 0; pos->keys && k < opt.nkeys; k++)
			if (pos->keys >> k & 1)
				sh->key_src[k] = i;
	}
	for (size_t k = 0; k < opt.nkeys && all_keys; k++)
		if (sh->key_src[k] == SIZE_MAX)
			return false;
	sh->plan_n = n;
	return true;
}

/* Whether REC is a row the plan of SH is for: as many members, named the same. */
static inline bool fits_plan(const struct shape *sh, const struct record *rec)
{
	if (!sh->plan_n || rec->nfields != sh->plan_n)
		return false;
	for (size_t i = 0; i < rec->nfields; i++)
		if (!same_name(&sh->pos[i], &rec->fields[i]))
			return false;
	return true;
}

/*
 * A static row goes into the arena as its key and values (table.h),
 * one value per added column known so far (a column first seen in a later
 * row is null in earlier ones).  A row with a null or missing key can
 * never match, so it is counted and left out.
 */
static int load_row(void *ctx, const struct record *rec)
{
	struct loader *l = ctx;
	struct version *v = l->v;
	/* More keys than bits: every member is looked up by name. */
	bool cache = opt.nkeys < 64;
	uint64_t stamp = ++l->stamp;
	size_t known = cache ? l->shape.npos : 0, nfields = rec->nfields;
	const struct json_field *fields = rec->fields;
	/* Locals: the stores below would otherwise reload them each member. */
	const struct position *known_pos = l->shape.pos;
	struct value_at *col = l->col;

	bool planned = fits_plan(&l->shape, rec);

	if (planned) {
		for (size_t k = 0; k < opt.nkeys; k++) {
			l->key_val[k] = fields[l->shape.key_src[k]].val;
			l->key_len[k] = fields[l->shape.key_src[k]].val_len;
		}
		goto put;
	}
	if (opt.nkeys == 1)
		l->key_val[0] = NULL;
	else
		memset(l->key_val, 0, opt.nkeys * sizeof(*l->key_val));
	for (size_t i = 0; i < nfields; i++) {
		const struct json_field *f = &fields[i];
		const struct position *pos;
		struct position named;
		if (i < known && same_name(&known_pos[i], f)) {
			pos = &known_pos[i];
		} else {
			size_t n;
			const char *name = field_name(f, &l->name, &n);
			named = classify_name(l, name, n);
			pos = &named;
			if (cache) {
				remember(&l->shape, i, name, named);
				known_pos = l->shape.pos;
				pos = &known_pos[i];
				known = l->shape.npos;
			}
			col = l->col;	/* a new column may have moved it */
		}
		if (pos->col >= 0)
			col[pos->col] = (struct value_at){ f->val, f->val_len, stamp };
		if (pos->keys) {
			for (size_t k = 0; k < opt.nkeys; k++) {
				if (!(pos->keys >> k & 1))
					continue;
				l->key_val[k] = f->val;
				l->key_len[k] = f->val_len;
				l->key_seen[k] = true;
			}
		}
	}
	if (cache)
		make_plan(&l->shape, nfields, l->col_src, l->v->ncols, true);
put:
	v->rows++;
	for (size_t k = 0; k < opt.nkeys; k++) {
		if (!l->key_val[k] || json_is_null(l->key_val[k], l->key_len[k])) {
			v->null_keys++;
			return 0;
		}
		v->key_kinds[k] |= key_kind_of(l->key_val[k]);
	}
	/* Built in the arena itself: no copy. */
	struct buf *row = table_arena(&v->table);
	for (size_t k = 0; k < opt.nkeys; k++) {
		if (k)
			buf_addc(row, TABLE_KEY_SEP);
		add_key(row, l->key_val[k], l->key_len[k], &l->tmp);
	}
	if (v->ncols) {
		/*
		 * Room for every value at once: each takes at most its text
		 * and a length of up to 10 bytes, and null is 5 bytes.
		 */
		size_t ncols = v->ncols;
		buf_grow(row, rec->len + 10 * ncols + 1);
		char *p = row->data + row->len;
		*p++ = TABLE_SEP;
		for (size_t c = 0; c < ncols; c++) {
			if (planned) {
				long i = l->col_src[c];
				if (i >= 0)
					p = table_write_value(p, fields[i].val, fields[i].val_len);
				else
					p = table_write_value(p, "null", 4);
			} else if (col[c].stamp == stamp) {
				p = table_write_value(p, col[c].val, col[c].len);
			} else {
				p = table_write_value(p, "null", 4);
			}
		}
		*p = '\0';
		row->len = (size_t)(p - row->data);
	}
	table_end_row(&v->table);
	return 0;
}

static const char *renamed(const char *name)
{
	for (size_t i = opt.nrename; i-- > 0; )
		if (!strcmp(opt.rename_old[i], name))
			return opt.rename_new[i];
	return NULL;
}

/*
 * Check the columns against the options and name the output columns.
 * Without rows a source shows no columns, so an empty static table is
 * not held to --on and --select.
 */
static int name_columns(struct version *v, struct loader *l, struct buf *why)
{
	bool known = v->rows > 0;

	for (size_t k = 0; k < opt.nkeys && known; k++)
		if (!l->key_seen[k]) {
			buf_printf(why, "it has no column '%s' (--on)", opt.static_key[k]);
			return EX_DATAERR;
		}
	for (size_t c = 0; c < v->ncols && known; c++)
		if (!l->col[c].stamp) {
			buf_printf(why, "it has no column '%s' (--select)", v->cols[c]);
			return EX_DATAERR;
		}
	for (size_t i = 0; i < opt.nrename && known; i++)
		if (strmap_get(&v->col_of, opt.rename_old[i], strlen(opt.rename_old[i])) < 0) {
			buf_printf(why, "--rename %s=%s: '%s' is not a column it adds",
				   opt.rename_old[i], opt.rename_new[i], opt.rename_old[i]);
			return EX_DATAERR;
		}
	v->out = xmalloc((v->ncols ? v->ncols : 1) * sizeof(*v->out));
	for (size_t c = 0; c < v->ncols; c++)
		v->out[c] = (struct buf)BUF_INIT;
	struct buf name = BUF_INIT;
	int rc = 0;
	for (size_t c = 0; c < v->ncols && !rc; c++) {
		const char *to = renamed(v->cols[c]);
		buf_reset(&name);
		if (!to)
			buf_adds(&name, opt.prefix);
		buf_adds(&name, to ? to : v->cols[c]);
		if (strmap_get(&v->out_of, name.data, name.len) >= 0) {
			buf_printf(why, "two added columns would be named '%s'; "
				   "use --prefix or --rename", name.data);
			rc = EX_DATAERR;
		}
		for (size_t k = 0; k < opt.nkeys && !rc; k++)
			if (!strcasecmp(opt.stream_key[k], name.data)) {
				buf_printf(why, "its column '%s' would overwrite the stream "
					   "column '%s'; use --prefix or --rename",
					   v->cols[c], opt.stream_key[k]);
				rc = EX_DATAERR;
			}
		if (!strcmp(name.data, "_inlet")) {
			buf_printf(why, "its column '%s' cannot be added as '_inlet'",
				   v->cols[c]);
			rc = EX_DATAERR;
		}
		strmap_put(&v->out_of, name.data, name.len, (int)c);
		unsigned b = name_bucket(name.data, name.len);
		v->out_filter[b / 64] |= 1ULL << (b % 64);
		json_string_encode(&v->out[c], name.data, name.len);
		/* The quotes go: the row writer takes a key's text between them. */
		memmove(v->out[c].data, v->out[c].data + 1, v->out[c].len - 2);
		v->out[c].len -= 2;
		v->out[c].data[v->out[c].len] = '\0';
	}
	/* The members added to every row, written once: their keys, and all null. */
	v->key_at = xmalloc((v->ncols + 1) * sizeof(*v->key_at));
	for (size_t c = 0; c < v->ncols && !rc; c++) {
		v->key_at[c] = v->keys.len;
		buf_printf(&v->keys, "\"%s\":", v->out[c].data);
		buf_printf(&v->nulls, "%s\"%s\":null", c ? "," : "", v->out[c].data);
	}
	v->key_at[v->ncols] = v->keys.len;
	buf_free(&name);
	return rc;
}

/*
 * Read the version of SRC last fingerprinted into a new table.  NULL, with
 * WHY and *CODE, when it cannot be read or does not fit the options.
 */
static struct version *load(struct static_source *src, struct buf *why, int *code)
{
	struct version *v = xmalloc(sizeof(*v));
	struct loader l = { .v = v, .why = why };

	memset(v, 0, sizeof(*v));
	v->out_of.fold = true;
	v->key_kinds = xmalloc(opt.nkeys * sizeof(*v->key_kinds));
	memset(v->key_kinds, 0, opt.nkeys * sizeof(*v->key_kinds));
	if (adds_columns())
		for (size_t i = 0; i < opt.nselect; i++)
			add_column(v, opt.select[i], strlen(opt.select[i]));
	l.key_val = xmalloc(opt.nkeys * sizeof(*l.key_val));
	l.key_len = xmalloc(opt.nkeys * sizeof(*l.key_len));
	l.key_seen = xmalloc(opt.nkeys * sizeof(*l.key_seen));
	memset(l.key_seen, 0, opt.nkeys * sizeof(*l.key_seen));
	loader_fit(&l);
	/* The rows are about as large as the files they come from (table.h). */
	table_reserve(&v->table, src->bytes + src->bytes / 16);
	*code = static_source_read(src, load_row, &l, why);
	if (!*code)
		*code = name_columns(v, &l, why);
	loader_free(&l);
	if (*code) {
		version_free(v);
		return NULL;
	}
	table_index(&v->table);
	iso8601_now(v->loaded);
	return v;
}

/*
 * The static source as messages name it: a PostgreSQL URI without its
 * password (a message ends up in logs), and the table read there.
 */
static void static_name(struct buf *out)
{
	if (!pg_is_uri(opt.static_source)) {
		buf_adds(out, opt.static_source);
		return;
	}
	pg_redact_uri(out, opt.static_source);
	buf_printf(out, "' table '%s", opt.static_table);
}

static void report(const struct version *v, const char *verb)
{
	size_t bytes = table_bytes(&v->table);

	if (opt.quiet)
		return;
	fprintf(stderr, "%s: %s static '%s': %u row%s, %zu column%s to add, %zu bytes "
		"(%.1f MiB)", program_invocation_short_name, verb, opt.static_name.data,
		v->table.rows, v->table.rows == 1 ? "" : "s", v->ncols,
		v->ncols == 1 ? "" : "s", bytes, (double)bytes / (1 << 20));
	if (v->null_keys)
		fprintf(stderr, "; %lld with a null key left out", v->null_keys);
	fputc('\n', stderr);
}

/* ---- the stream ---- */

/*
 * A row whose lookup waits: a copy of its text (its members are not kept:
 * see hold_row), its keys, and with one key its hash and whether the key
 * has a '\\'.
 */
struct held {
	struct record rec;
	struct buf text;
	unsigned long lineno;
	const char **key_val;
	size_t *key_len;
	uint32_t hash;
	bool backslash;
};

/* Rows held: a row's slot is fetched one row ahead, its static row the next. */
#define HELD 2

struct state {
	const struct stream_reader *in;	/* for messages: the input's name */
	struct static_source src;
	struct version *cur;
	struct buf tried;	/* the fingerprint last loaded or failed */
	struct buf fp, why;
	const char **key_val;	/* the row being finished: its key values */
	size_t *key_len;
	struct buf key, tmp, name, out;
	struct buf tail;	/* the members emit_joined adds to a row */
	/* The stream's rows, named as the last one read member by member was. */
	struct shape shape;
	/* Keys of two types (key.h): */
	bool warned;		/* the warning went out */
	struct buf forms, norm;
	size_t *form_at;	/* per key: where its forms start in FORMS */
	int *form_n, *form_i;	/* per key: how many, and the one in use */
	table_row *matches;	/* the static rows a row matched */
	size_t nmatches, capmatches;
	/*
	 * The rows whose lookups wait while the next rows are read, oldest
	 * first from HEAD, so that their slots, then their static rows, are
	 * fetched meanwhile (see join_row).
	 */
	struct held held[HELD];
	unsigned head, nheld;
	const char **next_val;	/* the keys of the row being read */
	size_t *next_len;
};

/*
 * At a batch start: read the static side again if it changed.  A version
 * that fails is not retried until it changes again (unless the failure was
 * a busy database), so the warning comes once.
 */
static void refresh(struct state *st, long long batch)
{
	struct version *v = NULL;
	int code = static_source_fingerprint(&st->src, &st->fp, &st->why);

	if (code) {	/* the failure itself stands for the version */
		buf_reset(&st->fp);
		buf_printf(&st->fp, "!%s", st->why.data);
	}
	if (st->fp.len == st->tried.len && !memcmp(st->fp.data, st->tried.data, st->fp.len))
		return;
	buf_reset(&st->tried);
	buf_add(&st->tried, st->fp.data, st->fp.len);
	if (!code)
		v = load(&st->src, &st->why, &code);
	if (!v) {
		if (code == EX_TEMPFAIL)	/* busy: try again at the next batch */
			buf_reset(&st->tried);
		warning("cannot read static '%s' again: %s; batch %lld is joined with "
			"the version read at %s", opt.static_name.data, st->why.data, batch,
			st->cur->loaded);
		return;
	}
	version_free(st->cur);
	st->cur = v;
	st->shape.plan_n = 0;	/* what collides is the version's */
	report(v, "reloaded");
}

static void die_collision(const char *input, const struct version *v, int c,
			  const char *name, size_t n,
			  unsigned long lineno)
{
	die(EX_DATAERR, "'%s' line %lu: the static column '%s' would "
	    "overwrite the stream column '%.*s'; use --prefix or --rename",
	    input, lineno, v->cols[c], (int)n, name);
}

/* A schema record names the stream's columns before any row shows them. */
static void check_schema(struct state *st, const struct record *rec, unsigned long lineno)
{
	const char *fields, *f, *name;
	size_t flen, n, nlen;
	struct json_iter it;

	if (!st->cur->out_of.count ||
	    json_object_get(rec->text, rec->len, "fields", &fields, &flen) != 1 ||
	    json_array_open(&it, fields, flen, NULL) < 0)
		return;
	while (json_array_next(&it, &f, &n, NULL) == 1) {
		if (json_object_get(f, n, "name", &name, &nlen) != 1 || !json_is_string(name, nlen))
			continue;
		buf_reset(&st->name);
		json_string_decode(&st->name, name, nlen);
		int c = strmap_get(&st->cur->out_of, st->name.data, st->name.len);
		if (c >= 0)
			die_collision(st->in->name, st->cur, c, st->name.data, st->name.len, lineno);
	}
}

/*
 * Write the stream row REC plus the values of the static row ROW: the
 * added members are built in ST->tail (all null, with no row, come
 * ready-made) and added at once.
 */
static void emit_joined(struct state *st, const struct record *rec, table_row row)
{
	const struct version *v = st->cur;
	const char *p, *text;
	struct rowwriter w;
	size_t len;

	if (!v->ncols) {
		/* The row as it came: what the row writer writes of an unchanged row. */
		stream_write(stdout, rec->text, rec->len);
		return;
	}
	rowwriter_begin(&w, rec, &st->out, NULL);
	if (row == TABLE_NONE) {
		rowwriter_add_members_raw(&w, v->nulls.data, v->nulls.len);
	} else {
		struct buf *t = &st->tail;
		t->len = 0;
		p = table_values(&v->table, row);
		for (size_t c = 0; c < v->ncols; c++) {
			const char *key = v->keys.data + v->key_at[c], *val = "null";
			size_t key_len = v->key_at[c + 1] - v->key_at[c], n = 4;
			bool string = false;
			/* None left (null): columns the row was read before. */
			if (p)
				p = table_next_value(p, &val, &n, &string);
			buf_grow(t, key_len + n + 3);
			if (c)
				t->data[t->len++] = ',';
			copy_short(t->data + t->len, key, key_len);
			t->len += key_len;
			if (string)
				t->data[t->len++] = '"';
			copy_short(t->data + t->len, val, n);
			t->len += n;
			if (string)
				t->data[t->len++] = '"';
		}
		rowwriter_add_members_raw(&w, t->data, t->len);
	}
	text = rowwriter_finish(&w, &len);
	stream_write(stdout, text, len);
}

/* Put in ST->key the combination ST->form_i of the forms in ST->forms. */
static void combine_forms(struct state *st)
{
	buf_reset(&st->key);
	for (size_t k = 0; k < opt.nkeys; k++) {
		const char *f = st->forms.data + st->form_at[k];
		for (int i = 0; i < st->form_i[k]; i++)
			f += strlen(f) + 1;
		if (k)
			buf_addc(&st->key, TABLE_KEY_SEP);
		buf_adds(&st->key, f);
	}
}

/* Step ST->form_i to the next combination (an odometer); false after the last. */
static bool next_combination(struct state *st)
{
	for (size_t k = 0; k < opt.nkeys; k++) {
		if (++st->form_i[k] < st->form_n[k])
			return true;
		st->form_i[k] = 0;
	}
	return false;
}

/*
 * Index V's static rows by every combination of their keys' forms but the
 * exact one (the main index has that), each entry holding its row's number
 * after the key.  Built the first time a stream key meets a static key of
 * the other type, so a join of one type costs nothing more.
 */
static void build_alt(struct state *st, struct version *v)
{
	for (table_row row = table_first_row(&v->table); row != TABLE_NONE;
	     row = table_next_row(&v->table, row)) {
		size_t len;
		const char *key = table_key(&v->table, row, &len), *end = key + len;
		buf_reset(&st->forms);
		for (size_t k = 0; k < opt.nkeys; k++) {
			const char *sep = memchr(key, TABLE_KEY_SEP, (size_t)(end - key));
			if (!sep)
				sep = end;
			st->form_at[k] = st->forms.len;
			st->form_n[k] = key_forms(&st->forms, key, (size_t)(sep - key),
						  KEY_STATIC, &st->tmp);
			st->form_i[k] = 0;
			key = sep + 1;
		}
		while (next_combination(st)) {
			combine_forms(st);
			/* Its one value: the row's number, as text. */
			char number[24];
			int n = snprintf(number, sizeof(number), "%" PRIu64, row);
			buf_addc(&st->key, TABLE_SEP);
			table_put_value(&st->key, number, (size_t)n);
			table_add(&v->alt, st->key.data, st->key.len);
		}
	}
	table_index(&v->alt);
	v->alt_built = true;
}

static void add_match(struct state *st, table_row row)
{
	if (st->nmatches == st->capmatches) {
		st->capmatches = st->capmatches ? 2 * st->capmatches : 16;
		st->matches = xrealloc(st->matches, st->capmatches * sizeof(*st->matches));
	}
	st->matches[st->nmatches++] = row;
}

/*
 * The static rows matching the stream's key by value across types, after
 * EXACT (the chain of the exact match, or TABLE_NONE), into ST->matches.
 * A part whose static values are all of its own type is looked up by its
 * text only.
 */
static void match_across_types(struct state *st, table_row exact,
			       struct table_cursor *cur)
{
	struct version *v = st->cur;

	if (!v->alt_built)
		build_alt(st, v);
	st->nmatches = 0;
	for (; exact != TABLE_NONE; exact = table_find_next(cur))
		add_match(st, exact);
	buf_reset(&st->forms);
	for (size_t k = 0; k < opt.nkeys; k++) {
		buf_reset(&st->norm);
		add_key(&st->norm, st->key_val[k], st->key_len[k], &st->tmp);
		st->form_at[k] = st->forms.len;
		st->form_n[k] = key_forms(&st->forms, st->norm.data, st->norm.len,
					  KEY_STREAM, &st->tmp);
		if (!(v->key_kinds[k] & ~key_kind_of(st->key_val[k])))
			st->form_n[k] = 1;
		st->form_i[k] = 0;
	}
	while (next_combination(st)) {
		combine_forms(st);
		struct table_cursor alt;
		table_row r = table_find(&v->alt, st->key.data, st->key.len,
					 hash_bytes(st->key.data, st->key.len), &alt);
		for (; r != TABLE_NONE; r = table_find_next(&alt)) {
			/* The number ends at the row's NUL. */
			const char *val = "";
			size_t n;
			bool string;
			table_next_value(table_values(&v->alt, r), &val, &n, &string);
			add_match(st, (table_row)strtoull(val, NULL, 10));
		}
	}
}

static const char *kind_name(unsigned kind)
{
	return kind & KEY_STRING ? "a string" : kind & KEY_NUMBER ? "a number" :
	       "a boolean or nested value";
}

/* Once per run: the two sides' keys are of different types. */
static void warn_types(struct state *st, size_t k, unsigned stream_kind,
		       unsigned static_kinds, unsigned long lineno)
{
	st->warned = true;
	warning("join key '%s': '%s' line %lu has %s (%.*s) where static '%s' has "
		"%s; %s", opt.stream_key[k], st->in->name, lineno, kind_name(stream_kind),
		(int)(st->key_len[k] > 60 ? 60 : st->key_len[k]), st->key_val[k],
		opt.static_name.data, kind_name(static_kinds),
		(stream_kind | static_kinds) == (KEY_STRING | KEY_NUMBER) ?
		"they compare as Spark compares them, the string cast to the "
		"number's type" : "such keys never match");
}

static void write_matches(struct state *st, const struct record *rec, table_row first,
			  struct table_cursor *cur, const table_row *rows, size_t n);

/*
 * Look up and write the oldest held row.
 */
static void finish_row(struct state *st)
{
	const struct version *v = st->cur;
	struct held *h = &st->held[st->head];
	const struct record *rec = &h->rec;
	unsigned long lineno = h->lineno;

	st->head = (st->head + 1) % HELD;
	st->nheld--;
	st->key_val = h->key_val;
	st->key_len = h->key_len;
	if (opt.nkeys == 1) {
		/*
		 * The common case first: one key, not null, of the static
		 * keys' one type, without escapes to normalise.
		 */
		const char *key = st->key_val[0];
		size_t key_len = st->key_len[0];
		if (key && !json_is_null(key, key_len) && !(v->key_kinds[0] & ~key_kind_of(key)) &&
		    !(key[0] == '"' && h->backslash)) {
			struct table_cursor cur;
			table_row match = table_find(&v->table, key, key_len, h->hash, &cur);
			write_matches(st, rec, match, &cur, NULL, 0);
			return;
		}
	}
	/* Null keys never match, as in SQL. */
	table_row match = TABLE_NONE;
	struct table_cursor cur = { NULL, 0 };
	bool null_key = false, across = false;
	for (size_t k = 0; k < opt.nkeys; k++)
		if (!st->key_val[k] || json_is_null(st->key_val[k], st->key_len[k]))
			null_key = true;
	for (size_t k = 0; k < opt.nkeys && !null_key; k++) {
		unsigned kind = key_kind_of(st->key_val[k]);
		unsigned other = v->key_kinds[k] & ~kind;
		if (!other)
			continue;	/* the common case: one type on both sides */
		if (!st->warned)
			warn_types(st, k, kind, other, lineno);
		if ((kind | other) & KEY_STRING && (kind | other) & KEY_NUMBER &&
		    !(kind & KEY_OTHER))
			across = true;
	}
	if (!null_key) {
		const char *key = st->key_val[0];
		size_t key_len = st->key_len[0];
		uint32_t hash = h->hash;
		if (opt.nkeys > 1 || (key[0] == '"' && h->backslash)) {
			buf_reset(&st->key);
			for (size_t k = 0; k < opt.nkeys; k++) {
				if (k)
					buf_addc(&st->key, TABLE_KEY_SEP);
				add_key(&st->key, st->key_val[k], st->key_len[k], &st->tmp);
			}
			key = st->key.data;
			key_len = st->key.len;
			hash = hash_bytes(key, key_len);
		}
		match = table_find(&v->table, key, key_len, hash, &cur);
	}
	if (across) {
		match_across_types(st, match, &cur);
		write_matches(st, rec, TABLE_NONE, NULL, st->matches, st->nmatches);
	} else {
		write_matches(st, rec, match, &cur, NULL, 0);
	}
}

/* Write the held rows, if any: before any other record goes out. */
static void flush_rows(struct state *st)
{
	while (st->nheld)
		finish_row(st);
}

/*
 * Hold REC, whose keys are in ST->next_val, after the rows held: a copy
 * of its text, not of its members, which nothing after the lookup reads
 * (the row writer only adds members after the last, which takes the text
 * and the member count).
 */
static void hold_row(struct state *st, const struct record *rec, unsigned long lineno,
		     uint32_t hash, bool backslash)
{
	struct held *h = &st->held[(st->head + st->nheld++) % HELD];
	buf_reset(&h->text);
	buf_add(&h->text, rec->text, rec->len);
	const char *from = rec->text, *to = h->text.data;
	h->rec = *rec;
	h->rec.text = to;
	h->rec.fields = NULL;
	for (size_t k = 0; k < opt.nkeys; k++) {
		h->key_val[k] = st->next_val[k] ? to + (st->next_val[k] - from) : NULL;
		h->key_len[k] = st->next_len[k];
	}
	h->lineno = lineno;
	h->hash = hash;
	h->backslash = backslash;
}

/* The stream keys the member named NAME (N bytes) is: their values are F's. */
/* The keys the member F, named NAME, is: set as the row's, and as bits. */
static inline uint64_t match_keys(struct state *st, const struct json_field *f,
				  const char *name, size_t n)
{
	uint64_t keys = 0;

	for (size_t k = 0; k < opt.nkeys; k++)
		if (opt.stream_key_len[k] == n && names_equal(opt.stream_key[k], name, n)) {
			st->next_val[k] = f->val;
			st->next_len[k] = f->val_len;
			keys |= 1ULL << (k < 63 ? k : 63);
		}
	return keys;
}

/*
 * Join one row of the stream.  The hot loop: the row's members, listed by
 * the reader's one validating pass, are looked at once, for the keys and,
 * when columns are added, for collisions; a row named member for member
 * as the last one so looked at takes its keys from where that one had
 * them, with no collision (the plan, as for static rows; a new version
 * of the static side drops it).  The row's key is hashed and
 * its slot fetched; the static row the slot of the row before names is
 * fetched; the row before that is looked up and written; and this one
 * waits for the next two.  With a large static side a lookup is
 * otherwise two cache misses per row, one after the other.
 */
static void join_row(struct state *st, const struct record *rec, unsigned long lineno)
{
	const struct version *v = st->cur;
	int collision = -1;

	if (opt.nkeys == 1 && !v->out_of.count) {
		/*
		 * One key, nothing added to collide with: the key alone, its
		 * name compared only when its length matches (the last
		 * member of that name wins, as below).
		 */
		const char *want = opt.stream_key[0], *val = NULL;
		size_t want_len = opt.stream_key_len[0], val_len = 0;
		const struct json_field *f = rec->fields, *end = f + rec->nfields;
		for (; f < end; f++) {
			if (f->key_escaped) {
				size_t n;
				const char *name = field_name(f, &st->name, &n);
				if (n != want_len || !names_equal(want, name, n))
					continue;
			} else if (f->key_len != want_len || !names_equal(want, f->key, want_len)) {
				continue;
			}
			val = f->val;
			val_len = f->val_len;
		}
		st->next_val[0] = val;
		st->next_len[0] = val_len;
	} else if (fits_plan(&st->shape, rec)) {
		/* Named as the row the plan is for: its keys where they were, no collision. */
		for (size_t k = 0; k < opt.nkeys; k++) {
			size_t i = st->shape.key_src[k];
			st->next_val[k] = i != SIZE_MAX ? rec->fields[i].val : NULL;
			st->next_len[k] = i != SIZE_MAX ? rec->fields[i].val_len : 0;
		}
	} else {
		/* Each member for the keys and, when columns are added, for a collision. */
		bool adds = v->out_of.count, cache = opt.nkeys < 64;
		for (size_t k = 0; k < opt.nkeys; k++)
			st->next_val[k] = NULL;
		for (size_t i = 0; i < rec->nfields; i++) {
			const struct json_field *f = &rec->fields[i];
			size_t n = f->key_len;
			const char *name = f->key_escaped ? field_name(f, &st->name, &n) : f->key;
			/* Most names are not output names: the filter tells, unhashed. */
			unsigned b = adds ? name_bucket(name, n) : 0;
			if (adds && collision < 0 && (v->out_filter[b / 64] >> (b % 64) & 1) &&
			    (collision = strmap_get(&v->out_of, name, n)) >= 0) {
				buf_reset(&st->key);
				buf_add(&st->key, name, n);
			}
			uint64_t keys = match_keys(st, f, name, n);
			if (cache && !(i < st->shape.npos && same_name(&st->shape.pos[i], f)))
				remember(&st->shape, i, name,
					 (struct position){ NULL, n, 0, 0, keys, -1 });
		}
		if (cache && collision < 0)
			make_plan(&st->shape, rec->nfields, NULL, 0, false);
	}
	if (collision >= 0) {
		struct buf name = st->key;	/* finish_row uses st->key */
		st->key = (struct buf)BUF_INIT;
		flush_rows(st);
		die_collision(st->in->name, v, collision, name.data, name.len, lineno);
	}
	/* One pass over the key hashes it and tells whether it has escapes. */
	uint32_t hash = 0;
	bool backslash = false;
	if (opt.nkeys == 1 && st->next_val[0]) {
		hash = hash_key(st->next_val[0], st->next_len[0], &backslash);
		table_prefetch(&v->table, hash);
	}
	/* The row finished next: its slot is here by now; fetch its static row. */
	if (st->nheld >= 2) {
		const struct held *h = &st->held[(st->head + 1) % HELD];
		if (opt.nkeys == 1 && h->key_val[0])
			table_prefetch_row(&v->table, h->hash);
	}
	if (st->nheld == HELD)
		finish_row(st);
	hold_row(st, rec, lineno, hash, backslash);
}

/*
 * Write the stream row REC joined with its matches: FIRST and the rest
 * of its key's rows from CUR when ROWS is NULL, else the N rows of ROWS.
 */
static void write_matches(struct state *st, const struct record *rec, table_row first,
			  struct table_cursor *cur, const table_row *rows, size_t n)
{
	table_row match = rows ? (n ? rows[0] : TABLE_NONE) : first;
	size_t i = 0;

	switch (opt.type) {
	case JOIN_SEMI:
		if (match != TABLE_NONE)
			stream_write(stdout, rec->text, rec->len);
		return;
	case JOIN_ANTI:
		if (match == TABLE_NONE)
			stream_write(stdout, rec->text, rec->len);
		return;
	case JOIN_INNER:
		if (match == TABLE_NONE)
			return;
		break;
	case JOIN_LEFT:
		break;
	}
	if (match == TABLE_NONE)
		emit_joined(st, rec, TABLE_NONE);
	while (match != TABLE_NONE) {
		emit_joined(st, rec, match);
		if (rows)
			match = ++i < n ? rows[i] : TABLE_NONE;
		else
			match = table_find_next(cur);
	}
}

/* With --select, or no column added: the keys and those columns only. */
static void want_columns(struct static_source *src)
{
	size_t n = opt.nkeys + (adds_columns() ? opt.nselect : 0);
	char **names;

	if (adds_columns() && !opt.select)
		return;
	names = xmalloc(n * sizeof(*names));
	memcpy(names, opt.static_key, opt.nkeys * sizeof(*names));
	if (adds_columns())
		memcpy(names + opt.nkeys, opt.select, opt.nselect * sizeof(*names));
	static_source_want(src, names, n);
	free(names);
}

int main(int argc, char **argv)
{
	struct state st = { .tried = BUF_INIT };
	struct batch_reader in;
	int code;

	parse_options(argc, argv);
	check_options_exit();
	stream_setup_stdout();
	stream_defer_stop_signals();
	static_name(&opt.static_name);
	static_source_init(&st.src, opt.static_source, opt.static_table);
	want_columns(&st.src);
	code = static_source_fingerprint(&st.src, &st.fp, &st.why);
	if (!code)
		st.cur = load(&st.src, &st.why, &code);
	if (!st.cur)
		die(code == EX_DATAERR ? EX_DATAERR : EX_NOINPUT, "cannot read static '%s': %s",
		    opt.static_name.data, st.why.data);
	buf_add(&st.tried, st.fp.data, st.fp.len);
	report(st.cur, "loaded");
	for (unsigned i = 0; i < HELD; i++) {
		st.held[i].key_val = xmalloc(opt.nkeys * sizeof(*st.held[i].key_val));
		st.held[i].key_len = xmalloc(opt.nkeys * sizeof(*st.held[i].key_len));
	}
	st.form_at = xmalloc(opt.nkeys * sizeof(*st.form_at));
	st.form_n = xmalloc(opt.nkeys * sizeof(*st.form_n));
	st.form_i = xmalloc(opt.nkeys * sizeof(*st.form_i));
	st.next_val = xmalloc(opt.nkeys * sizeof(*st.next_val));
	st.next_len = xmalloc(opt.nkeys * sizeof(*st.next_len));

	batch_reader_init_files(&in, argv + optind, argc - optind);
	batch_reader_trust(&in);	/* its output goes on to another stage */
	st.in = &in.in;
	for (;;) {
		enum batch_event ev = batch_next(&in);
		const struct record *rec = &in.rec;

		if (ev != BATCH_ROW)
			flush_rows(&st);
		if (ev == BATCH_EOF)
			break;
		if (ev == BATCH_CUT)
			batch_die_cut(&in, "the batch is replayed on restart");
		if (ev == BATCH_ROW) {
			join_row(&st, rec, in.in.lineno);
			continue;
		}
		if (ev == BATCH_BEGIN)
			refresh(&st, in.id);
		else if (ev == BATCH_SCHEMA)
			check_schema(&st, rec, in.in.lineno);
		stream_write(stdout, rec->text, rec->len);
		if (ev == BATCH_END)
			stream_flush(stdout);
	}
	int status = batch_reader_status(&in);
	batch_reader_free(&in);
	version_free(st.cur);
	static_source_close(&st.src);
	for (unsigned i = 0; i < HELD; i++) {
		free(st.held[i].key_val);
		free(st.held[i].key_len);
		buf_free(&st.held[i].text);
	}
	free(st.form_at);
	free(st.form_n);
	free(st.form_i);
	free(st.matches);
	free(st.next_val);
	free(st.next_len);
	buf_free(&st.forms);
	buf_free(&st.norm);
	buf_free(&st.tried);
	buf_free(&st.fp);
	buf_free(&st.why);
	buf_free(&st.key);
	buf_free(&st.tmp);
	buf_free(&st.name);
	buf_free(&st.out);
	buf_free(&st.tail);
	shape_free(&st.shape);
	free_options();
	close_stdout();
	return status;
}
