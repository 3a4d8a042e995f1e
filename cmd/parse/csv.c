/*
 * CSV through libcsv.  Lines go to libcsv one at a time with '\n' as the
 * only record end, so a record always ends where a line ends and its raw
 * text is the lines it spans: the current one is still in the input's
 * buffer, only the earlier lines of a multi-line record are copied.  A
 * quoting scan beside libcsv catches what lenient libcsv accepts silently;
 * it runs only on lines that hold a quote (or an escape, or when blanks are
 * trimmed), since a line without one cannot change the quoting.  Fields are
 * checked and escaped into the row as libcsv hands them over.
 */
#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "json.h"
#include "parse.h"
#include "stream.h"

enum scan { AT_FIELD, UNQUOTED, QUOTED, ESCAPED, QUOTE_IN_QUOTED };

/* A field of a line csv_line_quoted splits. */
struct csv_span {
	size_t off, len;
	enum { SPAN_NULL, SPAN_FED, SPAN_UNQUOTED } in;
};

struct csv_state {
	struct parsed_file *src;
	struct csv_parser parser;
	/* The record being read. */
	unsigned long start_line;
	bool open;		/* it goes on past the current line */
	bool ended;		/* libcsv ended it on the current line */
	struct buf prior;	/* its lines before the current one, with '\n' */
	const char *line;	/* the current line, in the input's buffer */
	size_t line_len;
	size_t nfields;
	bool bad_utf8;
	bool unterminated;	/* a quote still open at the end of the file */
	bool no_final_newline;	/* ... whose last line has no line end: the '\n' fed after it is not the file's */
	const char *scan_error;	/* its quoting problem, if any */
	bool too_many;		/* more fields than --max-columns */
	size_t too_long;	/* 1 + the first field longer than --max-chars-per-column */
	struct buf row;		/* "{" and the fields so far */
	/* The first record's fields, kept until the columns are known. */
	struct buf first;
	size_t *off, *len;
	bool *null;
	size_t cap;
	/* The columns, encoded: "name": for the first, ,"name": after. */
	struct buf *keys;
	size_t ncols;
	bool have_columns;
	/* Quoting. */
	enum scan scan;
	bool skipping;		/* a record too long: follow its quoting to its end */
	bool rewrite;		/* libcsv reads the scan's output, not the line */
	struct buf feed;
	struct buf wide;	/* a line with --delimiter's UTF-8 bytes as one byte */
	struct buf unwide;	/* a field with them back */
	/* A line split by csv_line_quoted: its fields, their unescaped text. */
	struct csv_span *spans;
	size_t spans_cap;
	struct buf unquoted;
};

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Follow the quoting of the N bytes at P as libcsv reads them, noting text
 * after a closing quote (from there on the field is read as unquoted, as
 * Spark does).  With OUT, also write there what libcsv is to read instead:
 * ESC QUOTE as QUOTE QUOTE and ESC ESC as ESC (libcsv knows only doubled
 * quotes), without the blanks that --ignore-*-white-space trims.  OUT needs
 * room for N + 1 bytes.  Returns the bytes written.
 */
static size_t csv_scan(struct csv_state *s, const char *p, size_t n, char *out)
{
	const unsigned char delimiter = s->src->delimiter;
	size_t w = 0, held = 0, held_from = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
again:
		switch (s->scan) {
		case AT_FIELD:
			if (c == opt.quote) {
				s->scan = QUOTED;
			} else if (c == delimiter || c == '\n' || c == '\r') {
				/* libcsv skips a '\r' before a field */
			} else if (opt.trim_leading && is_blank(c)) {
				continue;
			} else {
				s->scan = UNQUOTED;
				goto again;
			}
			break;
		case UNQUOTED:
			if (c == delimiter || c == '\n') {
				held = 0;
				s->scan = AT_FIELD;
				break;
			}
			if (c == opt.quote && opt.quote_raise && !s->scan_error)
				s->scan_error = "a quote inside an unquoted value "
						"(--unescaped-quote-handling raise_error)";
			if (opt.trim_trailing && (is_blank(c) || c == '\r')) {
				if (!held++)
					held_from = i;
				continue;
			} else {
				if (held && out) {
					memcpy(out + w, p + held_from, held);
					w += held;
				}
				held = 0;
			}
			break;
		case QUOTED:
			if (c == opt.quote) {
				s->scan = QUOTE_IN_QUOTED;
			} else if (c == opt.escape && opt.escape != opt.quote) {
				s->scan = ESCAPED;
				continue;
			}
			break;
		case ESCAPED:
			s->scan = QUOTED;
			if (c == opt.quote) {
				if (out)
					out[w++] = (char)c;
			} else if (c != opt.escape) {
				if (out)
					out[w++] = (char)opt.escape;	/* a lone escape is itself */
				goto again;
			}
			break;
		case QUOTE_IN_QUOTED:
			if (c == opt.quote) {
				s->scan = QUOTED;
			} else if (c == delimiter || c == '\n') {
				s->scan = AT_FIELD;
			} else if (c == '\r') {
				/* libcsv takes it for a blank after the quote */
			} else if (opt.trim_trailing && is_blank(c)) {
				continue;
			} else {
				if (!s->scan_error)
					s->scan_error = "text after a closing quote";
				s->scan = UNQUOTED;
				goto again;
			}
			break;
		}
		if (out)
			out[w++] = (char)c;
	}
	return w;
}

static bool is_null(const char *data, size_t n)
{
	return !data || (opt.null_value && n == opt.null_len &&
			 !memcmp(data, opt.null_value, n));
}

static void add_field(struct csv_state *s, size_t i, const char *data, size_t n)
{
	const struct buf *key = &s->keys[i];

	buf_grow(&s->row, key->len);
	memcpy(s->row.data + s->row.len, key->data, key->len);
	s->row.len += key->len;
	if (is_null(data, n)) {
		buf_add(&s->row, "null", 4);
	} else if (!n && opt.empty_value) {
		json_string_encode(&s->row, opt.empty_value, opt.empty_len);
	} else if (!encode_utf8(&s->row, data, n)) {
		s->bad_utf8 = true;
		encode_lossy(&s->row, data, n);
	}
}

static void keep_field(struct csv_state *s, size_t i, const char *data, size_t n)
{
	if (i == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->off = xrealloc(s->off, s->cap * sizeof(*s->off));
		s->len = xrealloc(s->len, s->cap * sizeof(*s->len));
		s->null = xrealloc(s->null, s->cap * sizeof(*s->null));
	}
	s->off[i] = s->first.len;
	s->len[i] = data ? n : 0;
	s->null[i] = !data;
	if (data) {
		buf_add(&s->first, data, n);
		if (!utf8_valid(data, n))
			s->bad_utf8 = true;
	}
}

/* The characters of the N bytes at P (UTF-8 or not: lead bytes). */
static size_t chars(const unsigned char *p, size_t n)
{
	size_t c = 0;

	for (size_t k = 0; k < n; k++)
		c += (p[k] & 0xc0) != 0x80;
	return c;
}

static void csv_field_cb(void *data, size_t n, void *ctx)
{
	struct csv_state *s = ctx;
	size_t i = s->nfields++;

	/* Spark's maxColumns: the fields past it are not kept. */
	if (i >= opt.max_columns) {
		s->too_many = true;
		return;
	}

	/* The open field at the end of a file with no final line end. */
	if (s->no_final_newline && data && n && ((char *)data)[n - 1] == '\n')
		n--;
	/* A quoted --delimiter character is text: its bytes come back. */
	if (opt.wide_delimiter_len && data && memchr(data, WIDE_DELIMITER, n)) {
		const unsigned char *p = data;
		buf_reset(&s->unwide);
		for (size_t k = 0; k < n; k++) {
			if (p[k] == WIDE_DELIMITER)
				buf_add(&s->unwide, opt.wide_delimiter, opt.wide_delimiter_len);
			else
				buf_addc(&s->unwide, (char)p[k]);
		}
		data = s->unwide.data;
		n = s->unwide.len;
	}

	if (opt.max_chars > 0 && data && !s->too_long && n > (size_t)opt.max_chars &&
	    chars(data, n) > (size_t)opt.max_chars)
		s->too_long = i + 1;
	if (!s->have_columns)
		keep_field(s, i, data, n);
	else if (i < s->ncols)
		add_field(s, i, data, n);
}

/* The first record names the columns, or only counts them (--header false). */
static void take_columns(struct csv_state *s)
{
	bool named = opt.header && !s->bad_utf8;

	s->ncols = s->nfields < opt.max_columns ? s->nfields : opt.max_columns;
	s->keys = xmalloc((s->ncols ? s->ncols : 1) * sizeof(*s->keys));
	for (size_t i = 0; i < s->ncols; i++) {
		struct buf name = BUF_INIT;
		const char *f = s->len[i] ? s->first.data + s->off[i] : "";
		/*
		 * "_inlet" would make every row a control record, and
		 * "_inlet_source" would be taken by inlet-cast for the record's
		 * own source: such a column is read as _cN, and said so.
		 */
		if (named && s->len[i] && is_reserved_name(f, s->len[i])) {
			warning("'%s': column %zu is named \"%.*s\", a name inlet reserves: read as _c%zu",
				s->src->path, i + 1, (int)s->len[i], f, i);
			buf_printf(&name, "_c%zu", i);
		} else if (!named || s->len[i] == 0)
			buf_printf(&name, "_c%zu", i);
		else
			buf_add(&name, f, s->len[i]);
		/* Spark: a repeated header name gets its position appended. */
		for (size_t j = 0; j < i && named; j++) {
			if (s->len[j] == s->len[i] && s->len[i] &&
			    !memcmp(s->first.data + s->off[j], f, s->len[i])) {
				buf_printf(&name, "%zu", i);
				break;
			}
		}
		memset(&s->keys[i], 0, sizeof(s->keys[i]));
		if (i)
			buf_addc(&s->keys[i], ',');
		json_string_encode(&s->keys[i], name.data, name.len);
		buf_addc(&s->keys[i], ':');
		buf_free(&name);
	}
	s->have_columns = true;
}

static void reset_record(struct csv_state *s)
{
	buf_reset(&s->row);
	buf_addc(&s->row, '{');
	buf_reset(&s->prior);
	buf_reset(&s->first);
	s->nfields = 0;
	s->bad_utf8 = false;
	s->unterminated = false;
	s->scan_error = NULL;
	s->too_many = false;
	s->too_long = 0;
}

/* Why the record breaks --max-columns or --max-chars-per-column, or NULL. */
static const char *limit_reason(struct csv_state *s, char *why, size_t size)
{
	if (s->too_many) {
		snprintf(why, size, "more than %zu fields (--max-columns)", opt.max_columns);
		return why;
	}
	if (s->too_long) {
		snprintf(why, size, "field %zu longer than %lld characters "
			 "(--max-chars-per-column)", s->too_long, opt.max_chars);
		return why;
	}
	return NULL;
}

/*
 * The record's raw text, without its final line end; a record the end of
 * the file cuts (an open quote) is the file's bytes to its end.
 */
static const char *record_text(struct csv_state *s, size_t *n)
{
	const char *raw = s->line;

	*n = s->line_len;
	if (s->prior.len) {
		buf_add(&s->prior, s->line, s->line_len);
		raw = s->prior.data;
		*n = s->prior.len;
	}
	if (s->unterminated) {
		if (s->no_final_newline && *n && raw[*n - 1] == '\n')
			(*n)--;
		return raw;
	}
	while (*n && (raw[*n - 1] == '\n' || raw[*n - 1] == '\r'))
		(*n)--;
	return raw;
}

/* The record is complete: write its row, or report it malformed. */
static void finish_record(struct csv_state *s)
{
	const char *reason = NULL;
	char why[96];
	size_t n;

	if (s->scan_error) {
		/* libcsv read on as if the quote were open: no field is right. */
		reason = s->scan_error;
		buf_reset(&s->row);
		buf_addc(&s->row, '{');
	} else if (s->unterminated) {
		reason = "unterminated quoted field";
	} else if (limit_reason(s, why, sizeof(why))) {
		reason = why;
	} else if (s->bad_utf8) {
		reason = invalid_text_reason();
	} else if (s->nfields != s->ncols) {
		snprintf(why, sizeof(why), "expected %zu fields, found %zu",
			 s->ncols, s->nfields);
		reason = why;
	}
	if (!reason) {
		if (opt.record_source) {
			const char *raw = record_text(s, &n);
			record_source(s->src, s->start_line, raw, n);
		}
		emit_row(s->src, &s->row);
	} else {
		for (size_t i = s->nfields; i < s->ncols && !s->scan_error; i++) {
			buf_add(&s->row, s->keys[i].data, s->keys[i].len);
			buf_add(&s->row, "null", 4);
		}
		const char *raw = record_text(s, &n);
		bad_record(s->src, s->start_line, reason, raw, n, &s->row);
	}
	reset_record(s);
}

static void csv_record_cb(int c, void *ctx)
{
	struct csv_state *s = ctx;

	(void)c;
	s->ended = true;
	if (!s->have_columns) {
		char why[96];
		const char *bad_header = !opt.header ? NULL : s->scan_error ? s->scan_error :
					 s->unterminated ? "unterminated quoted field" :
					 limit_reason(s, why, sizeof(why));
		take_columns(s);
		for (size_t i = 0; i < s->ncols && !opt.header; i++)
			add_field(s, i, s->null[i] ? NULL : s->first.data + s->off[i], s->len[i]);
		buf_free(&s->first);
		if (opt.header) {
			/* A header that does not parse is a malformed record too. */
			if (bad_header) {
				size_t n;
				const char *raw = record_text(s, &n);
				buf_reset(&s->row);
				buf_addc(&s->row, '{');
				bad_record(s->src, s->start_line, bad_header, raw, n, &s->row);
			}
			reset_record(s);
			return;
		}
	}
	finish_record(s);
}

static int csv_is_space(unsigned char c)
{
	return c == '\r';	/* strip the CR of CRLF; blanks are the scan's */
}

static int csv_is_term(unsigned char c)
{
	return c == '\n';
}

static void csv_feed(struct csv_state *s, const char *p, size_t n)
{
	if (csv_parse(&s->parser, p, n, csv_field_cb, csv_record_cb, s) != n)
		die(EX_OSERR, "cannot parse '%s' line %lu: %s", s->src->path,
		    s->start_line, csv_strerror(csv_error(&s->parser)));
}

/* Can LINE change the quoting, or need rewriting? */
static bool needs_scan(const char *line, size_t len)
{
	return opt.trim_leading || opt.trim_trailing || memchr(line, opt.quote, len) ||
	       (opt.escape != opt.quote && memchr(line, opt.escape, len));
}

/*
 * libcsv tests every byte with is_space and is_term through pointers.  On
 * a line with no blank but the delimiter and no carriage return but a last
 * one, its built-in tests (blank; CR or LF) read the same: use them there.
 */
static void choose_tests(struct csv_state *s, const char *p, size_t n)
{
	const char *cr = memchr(p, '\r', n);
	bool builtin = (s->src->delimiter == ' ' || !memchr(p, ' ', n)) &&
		       (s->src->delimiter == '\t' || !memchr(p, '\t', n)) &&
		       (!cr || cr == p + n - 1);

	csv_set_space_func(&s->parser, builtin ? NULL : csv_is_space);
	csv_set_term_func(&s->parser, builtin ? NULL : csv_is_term);
}

/*
 * Follow the quoting of a line that starts outside any quote: up to its
 * first quote it holds only unquoted fields, so the scan starts there.
 */
static void scan_from_quote(struct csv_state *s, const char *line, size_t len)
{
	const char *q = memchr(line, opt.quote, len), *b = q;

	while (b > line && b[-1] == '\r')
		b--;
	s->scan = b == line || (unsigned char)b[-1] == s->src->delimiter ? AT_FIELD : UNQUOTED;
	csv_scan(s, q, len - (size_t)(q - line), NULL);
}

#ifdef __SSE2__
/* The 16 bytes at P: bits of the delimiters in *MD, of needs_encoding in *MS. */
static inline void field_masks(const char *p, unsigned char delimiter, unsigned *md,
			       unsigned *ms)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* Signed: bytes >= 0x80 are below 0x20 too. */
	__m128i sp = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
				  _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
					       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	*md = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)delimiter)));
	*ms = (unsigned)_mm_movemask_epi8(sp);
}
#endif

/*
 * The first DELIMITER at or after P, or END; *PLAIN tells whether every
 * byte before it is printable ASCII but '"' and '\\' (the field's JSON
 * string is its bytes in quotes).  16 bytes a step, the last step the
 * line's last 16 bytes (from START, the line's first).
 */
static inline const char *field_end(const char *p, const char *end, const char *start,
				    unsigned char delimiter, bool *plain)
{
	bool special = false;

#ifdef __SSE2__
	unsigned md, ms;
	while (end - p >= 16) {
		field_masks(p, delimiter, &md, &ms);
		if (md) {
			unsigned at = (unsigned)__builtin_ctz(md);
			*plain = !special && !(ms & ((1u << at) - 1));
			return p + at;
		}
		special |= ms != 0;
		p += 16;
	}
	if (p < end && end - start >= 16) {
		/* The line's last 16 bytes, those before P masked off. */
		unsigned skip = (unsigned)(16 - (end - p));
		field_masks(end - 16, delimiter, &md, &ms);
		md >>= skip;
		ms >>= skip;
		unsigned at = md ? (unsigned)__builtin_ctz(md) : (unsigned)(end - p);
		*plain = !special && !(ms & ((1u << at) - 1));
		return p + at;
	}
#endif
	for (; p < end && (unsigned char)*p != delimiter; p++)
		special |= needs_encoding((unsigned char)*p);
	*plain = !special;
	return p;
}

/*
 * The next field of the line, DATA of N bytes (NULL: an empty unquoted
 * one), PLAIN when all its bytes are printable ASCII but '"' and '\\'.
 * Such a field that is a column's value, within the limits and not
 * --null-value, goes into the row here, as csv_field_cb and add_field
 * would put it: its bytes in quotes.  Any other through them.
 */
static inline __attribute__((always_inline)) void
put_field(struct csv_state *s, const char *data, size_t n, bool plain)
{
	size_t i = s->nfields;

	/* ncols is at most --max-columns (take_columns). */
	if (!plain || !n || i >= s->ncols ||
	    (opt.max_chars >= 0 && n > (size_t)opt.max_chars) ||
	    (opt.null_value && n == opt.null_len && !memcmp(data, opt.null_value, n))) {
		csv_field_cb((void *)data, n, s);
		return;
	}
	const struct buf *key = &s->keys[i];
	buf_grow(&s->row, key->len + n + 2);
	char *o = s->row.data + s->row.len;
	copy_short(o, key->data, key->len);
	o += key->len;
	*o++ = '"';
	copy_short(o, data, n);
	o += n;
	*o++ = '"';
	*o = '\0';
	s->row.len = (size_t)(o - s->row.data);
	s->nfields++;
}

/*
 * Can the line FED (FED_LEN bytes) be split here, not by libcsv: it starts
 * a record, after the first, outside any quote, and holds no carriage
 * return (libcsv's one blank)?
 */
static bool splits_here(const struct csv_state *s, const char *fed, size_t fed_len)
{
	return !s->open && s->have_columns && s->scan == AT_FIELD &&
	       !memchr(fed, '\r', fed_len);
}

/*
 * A line that is a whole record with no quote, no escape and no carriage
 * return (most lines of most files): libcsv would split it at each
 * delimiter and trim nothing (its only blank is '\r', see csv_is_space),
 * giving NULL for an empty field.  Split it here instead, a scan per
 * field rather than a callback per byte.
 */
static bool csv_line_plain(struct csv_state *s, const char *line, size_t len,
			   const char *fed, size_t fed_len)
{
	const char *p = fed, *end = fed + fed_len;
	const unsigned char delimiter = s->src->delimiter;

	if (!splits_here(s, fed, fed_len))
		return false;
	s->line = line;
	s->line_len = len;
	for (;;) {
		bool plain;
		const char *d = field_end(p, end, fed, delimiter, &plain);
		size_t n = (size_t)(d - p);
		put_field(s, n ? p : NULL, n, plain);
		if (d == end)
			break;
		p = d + 1;
	}
	csv_record_cb('\n', s);
	return true;
}

/* The first byte of [P, END) that is A or B, or NULL. */
static const char *find_either(const char *p, const char *end, unsigned char a,
			       unsigned char b)
{
	if (a == b)
		return memchr(p, a, (size_t)(end - p));
	for (; p < end; p++)
		if ((unsigned char)*p == a || (unsigned char)*p == b)
			return p;
	return NULL;
}

/*
 * A line that is a whole record whose quoted fields each close on it,
 * followed by a delimiter or the line's end, and whose unquoted fields hold
 * no quote, with no carriage return and nothing to trim: read as
 * csv_scan's rewriting and libcsv would read it (a doubled quote or an
 * escaped quote is a quote, an escaped escape an escape, a lone escape
 * itself; an empty unquoted field NULL, an empty quoted one ""), without
 * a callback per byte.  False, with nothing done, for any other line: the
 * line is split first, and the fields go out only once all are known.
 */
static bool csv_line_quoted(struct csv_state *s, const char *line, size_t len,
			    const char *fed, size_t fed_len)
{
	const unsigned char quote = opt.quote, escape = opt.escape,
			    delimiter = s->src->delimiter;
	const char *p = fed, *end = fed + fed_len;
	size_t n = 0;

	if (opt.trim_leading || opt.trim_trailing || !splits_here(s, fed, fed_len))
		return false;
	buf_reset(&s->unquoted);
	for (;;) {
		if (n == s->spans_cap) {
			s->spans_cap = s->spans_cap ? 2 * s->spans_cap : 16;
			s->spans = xrealloc(s->spans, s->spans_cap * sizeof(*s->spans));
		}
		struct csv_span *f = &s->spans[n++];
		if (p < end && (unsigned char)*p == quote) {
			const char *from = ++p, *at = p;
			bool copied = false;
			size_t start = s->unquoted.len;
			for (;;) {
				const char *c = find_either(at, end, quote, escape);
				if (!c)
					return false;	/* open past the line */
				if ((unsigned char)*c == quote && !(c + 1 < end && (unsigned char)c[1] == quote)) {
					if (copied)
						buf_add(&s->unquoted, from, (size_t)(c - from));
					*f = copied ? (struct csv_span){ start, s->unquoted.len - start, SPAN_UNQUOTED }
						    : (struct csv_span){ (size_t)(from - fed), (size_t)(c - from), SPAN_FED };
					p = c + 1;
					break;
				}
				if ((unsigned char)*c == quote ||
				    (c + 1 < end && ((unsigned char)c[1] == quote || (unsigned char)c[1] == escape))) {
					/* "" or an escaped quote or escape: its second byte. */
					buf_add(&s->unquoted, from, (size_t)(c - from));
					buf_addc(&s->unquoted, c[1]);
					copied = true;
					from = at = c + 2;
				} else {
					at = c + 1;	/* a lone escape is itself */
				}
			}
			if (p == end)
				break;
			if ((unsigned char)*p != delimiter)
				return false;	/* text after a closing quote */
			p++;
			continue;
		}
		const char *d = memchr(p, delimiter, (size_t)(end - p));
		const char *field_end = d ? d : end;
		if (memchr(p, quote, (size_t)(field_end - p)))
			return false;	/* a quote inside an unquoted value */
		*f = field_end > p ? (struct csv_span){ (size_t)(p - fed), (size_t)(field_end - p), SPAN_FED }
				   : (struct csv_span){ 0, 0, SPAN_NULL };
		if (!d)
			break;
		p = d + 1;
	}
	s->line = line;
	s->line_len = len;
	for (size_t i = 0; i < n; i++) {
		const struct csv_span *f = &s->spans[i];
		/* An empty quoted field is "", not NULL. */
		const char *data = f->in == SPAN_NULL ? NULL :
				   (f->in == SPAN_FED ? fed : s->unquoted.data) + f->off;
		put_field(s, data, f->len, data && text_plain(data, f->len));
	}
	csv_record_cb('\n', s);
	return true;
}

/*
 * One whole line of the record being read: LINE as the file holds it (the
 * record's raw text), FED as libcsv is to read it (the same but with a
 * non-ASCII --delimiter).
 */
static void csv_line(struct csv_state *s, const char *line, size_t len,
		     const char *fed, size_t fed_len)
{
	const char *p = fed;
	size_t n = fed_len;

	bool scan = needs_scan(fed, fed_len);

	if (!scan && csv_line_plain(s, line, len, fed, fed_len))
		return;
	if (scan && csv_line_quoted(s, line, len, fed, fed_len))
		return;

	s->line = line;
	s->line_len = len;
	s->ended = false;
	if (scan && s->rewrite) {
		buf_reset(&s->feed);
		buf_grow(&s->feed, fed_len + 2);
		n = csv_scan(s, fed, fed_len, s->feed.data);
		n += csv_scan(s, "\n", 1, s->feed.data + n);
		p = s->feed.data;
		choose_tests(s, p, n - 1);
		csv_feed(s, p, n);
	} else {
		if (scan) {
			if (s->scan == AT_FIELD)
				scan_from_quote(s, fed, fed_len);
			else
				csv_scan(s, fed, fed_len, NULL);
			csv_scan(s, "\n", 1, NULL);
		}
		choose_tests(s, p, n);
		csv_feed(s, p, n);
		csv_feed(s, "\n", 1);
	}
	if (!s->ended && s->scan == AT_FIELD) {
		/* Text after a closing quote: the record ends here all the same. */
		csv_fini(&s->parser, NULL, NULL, NULL);
		finish_record(s);
		s->ended = true;
	}
	s->open = !s->ended;
	if (s->open) {
		buf_add(&s->prior, line, len);
		buf_addc(&s->prior, '\n');
	} else {
		s->scan = AT_FIELD;	/* libcsv ended the record: follow it */
	}
}

/*
 * The N bytes at LINE with each --delimiter (a UTF-8 character) turned
 * into the one byte WIDE_DELIMITER for libcsv; a WIDE_DELIMITER byte of the
 * text, invalid UTF-8 either way, becomes 0xfe so it is not one.  Valid
 * until the next call; *FED_LEN its length.
 */
static const char *widen_line(struct csv_state *s, const char *line, size_t n,
			      size_t *fed_len)
{
	const char *d = opt.wide_delimiter;
	size_t dn = opt.wide_delimiter_len, w = 0;
	char *out;

	buf_reset(&s->wide);
	buf_grow(&s->wide, n + 1);
	out = s->wide.data;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)line[i];
		if (c == (unsigned char)d[0] && n - i >= dn && !memcmp(line + i, d, dn)) {
			out[w++] = (char)WIDE_DELIMITER;
			i += dn;
		} else {
			out[w++] = (char)(c == WIDE_DELIMITER ? 0xfe : c);
			i++;
		}
	}
	out[w] = '\0';
	s->wide.len = w;
	*fed_len = w;
	return out;
}

/* A piece of a record too long to read: only its quoting matters. */
static void csv_skip(struct csv_state *s, const char *p, size_t n, bool eol)
{
	csv_scan(s, p, n, NULL);
	if (eol) {
		csv_scan(s, "\n", 1, NULL);
		s->skipping = s->scan != AT_FIELD;
	}
	s->scan_error = NULL;
}

/* The record has grown past --max-record-bytes with the piece P. */
static void csv_too_long(struct csv_state *s, const char *p, size_t n, bool eol)
{
	char reason[96];
	size_t room = s->prior.len < opt.max_record ? opt.max_record - s->prior.len : 0;

	too_long_reason(reason, sizeof(reason));
	csv_fini(&s->parser, NULL, NULL, NULL);
	buf_add(&s->prior, p, n < room ? n : room);
	buf_reset(&s->row);
	buf_addc(&s->row, '{');
	bad_record(s->src, s->start_line, reason, s->prior.data,
		   s->prior.len < opt.max_record ? s->prior.len : opt.max_record, &s->row);
	reset_record(s);
	s->open = false;
	s->skipping = true;
	csv_skip(s, p, n, eol);
}

int parse_csv(struct parsed_file *src, struct input *in, const char **why)
{
	struct csv_state s;
	unsigned long lineno = 0;
	bool more = false, skip_line = false;
	char *line;
	size_t len;
	int r;

	memset(&s, 0, sizeof(s));
	s.src = src;
	s.rewrite = opt.escape != opt.quote || opt.trim_leading || opt.trim_trailing;
	if (csv_init(&s.parser, CSV_EMPTY_IS_NULL) != 0)
		die(EX_SOFTWARE, "cannot initialise the CSV parser");
	csv_set_delim(&s.parser, src->delimiter);
	csv_set_quote(&s.parser, opt.quote);
	csv_set_space_func(&s.parser, csv_is_space);
	csv_set_term_func(&s.parser, csv_is_term);
	csv_set_blk_size(&s.parser, 1 << 16);
	reset_record(&s);

	for (;;) {
		bool line_starts = !more;
		r = input_next_line(in, opt.max_record, &line, &len, &more, why);
		if (r != 1)
			break;
		if (line_starts) {
			lineno++;
			if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
				line += 3, len -= 3;
			/* Skipped lines do not count as records (libcsv skips blank ones). */
			skip_line = (long long)lineno <= opt.skip_rows ||
				(!s.open && !s.skipping &&
				 ((opt.comment && len && (unsigned char)line[0] == opt.comment) ||
				  (!more && blank(line, len))));
		}
		if (skip_line)
			continue;
		if (s.skipping) {
			csv_skip(&s, line, len, !more);
			continue;
		}
		if (!s.open)
			s.start_line = lineno;
		if (more || s.prior.len + len > opt.max_record) {
			csv_too_long(&s, line, len, !more);
		} else if (opt.wide_delimiter_len) {
			size_t fed_len;
			const char *fed = widen_line(&s, line, len, &fed_len);
			csv_line(&s, line, len, fed, fed_len);
		} else {
			csv_line(&s, line, len, line, len);
		}
	}
	if (r == 0 && s.open) {
		s.unterminated = true;
		s.no_final_newline = !input_line_ended(in);
		s.line = "";
		s.line_len = 0;
		csv_fini(&s.parser, csv_field_cb, csv_record_cb, &s);
	}
	csv_free(&s.parser);
	for (size_t i = 0; i < s.ncols; i++)
		buf_free(&s.keys[i]);
	free(s.keys);
	free(s.off);
	free(s.len);
	free(s.null);
	buf_free(&s.first);
	buf_free(&s.prior);
	buf_free(&s.row);
	buf_free(&s.feed);
	buf_free(&s.wide);
	buf_free(&s.unwide);
	buf_free(&s.unquoted);
	free(s.spans);
	return r < 0 ? -1 : 0;
}
