#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"
#include "json.h"
#include "pgconn.h"
#include "pq.h"
#include "source.h"
#include "stream.h"

/* "csv" or "json" from the name, past a .gz or .zst ending; NULL if neither. */
static const char *format_of(const char *name)
{
	size_t n = strlen(name);

	if (n > 3 && !strcasecmp(name + n - 3, ".gz"))
		n -= 3;
	else if (n > 4 && !strcasecmp(name + n - 4, ".zst"))
		n -= 4;
	static const struct { const char *ext, *format; } ext[] = {
		{ ".csv", "csv" }, { ".json", "json" }, { ".jsonl", "json" },
		{ ".ndjson", "json" },
	};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i].ext);
		if (n > e && !strncasecmp(name + n - e, ext[i].ext, e))
			return ext[i].format;
	}
	return NULL;
}

/* Whether NAME ends in .gz or .zst: its size does not tell its rows'. */
static bool compressed(const char *name)
{
	size_t n = strlen(name);

	return (n > 3 && !strcasecmp(name + n - 3, ".gz")) ||
	       (n > 4 && !strcasecmp(name + n - 4, ".zst"));
}

/* inlet-parse beside our own binary, so a build tree uses its own. */
static char *find_parse(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	struct buf path = BUF_INIT;
	buf_add(&path, self, (size_t)(slash - self) + 1);
	buf_adds(&path, "inlet-parse");
	if (access(path.data, X_OK) == 0)
		return path.data;
	buf_free(&path);
	return NULL;
}

static int open_db(struct static_source *s, struct buf *why)
{
	struct stat st;

	if (stat(s->path, &st) < 0) {
		buf_adds(why, strerror(errno));
		return EX_NOINPUT;
	}
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		buf_adds(why, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		s->db = NULL;
		return EX_NOINPUT;
	}
	sqlite3_busy_timeout(s->db, 5000);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

void static_source_check(const char *spec, const char *table)
{
	if (pg_is_uri(spec)) {
		if (!table || !*table)
			die(EX_USAGE, "a PostgreSQL --static needs --static-table NAME");
		pg_check_uri(spec);
	} else if (table) {
		die(EX_USAGE, "--static-table names the table of a PostgreSQL --static "
		    "(postgresql://...); '%s' is not one", spec);
	}
}

static void pg_init(struct static_source *s, const char *table);

void static_source_init(struct static_source *s, const char *spec, const char *table)
{
	struct stat st;
	struct buf why = BUF_INIT;

	static_source_check(spec, table);
	memset(s, 0, sizeof(*s));
	s->spec = spec;
	if (pg_is_uri(spec)) {
		s->kind = STATIC_PG;
		s->path = xstrdup(spec);
		pg_init(s, table);
		return;
	}
	if (!strncmp(spec, "sqlite:", 7)) {
		const char *db = spec + 7, *colon = strrchr(db, ':');
		if (!colon || colon == db || !colon[1])
			die(EX_USAGE, "invalid value '%s' for --static: expected "
			    "sqlite:DATABASE:TABLE", spec);
		s->kind = STATIC_SQLITE;
		s->path = xstrndup(db, (size_t)(colon - db));
		s->table = xstrdup(colon + 1);
		if (open_db(s, &why))
			die(EX_NOINPUT, "cannot open static '%s': %s", spec, why.data);
		return;
	}
	s->path = xstrdup(spec);
	if (stat(spec, &st) < 0)
		die_errno(EX_NOINPUT, "cannot open static '%s'", spec);
	s->kind = S_ISDIR(st.st_mode) ? STATIC_FOLDER : STATIC_FILE;
	if (s->kind == STATIC_FILE && !format_of(spec))
		die(EX_USAGE, "cannot tell the format of static '%s' from its name: "
		    "expected .csv, .json, .jsonl or .ndjson, maybe with .gz or .zst", spec);
	s->parse = find_parse();
}

void static_source_close(struct static_source *s)
{
	sqlite3_close(s->db);
	if (s->pg)	/* libpq is loaded only when a PostgreSQL source is named */
		PQfinish((PGconn *)s->pg);
	free(s->where);
	free(s->path);
	free(s->table);
	free(s->parse);
	buf_free(&s->files);
	buf_free(&s->want);
	buf_free(&s->select);
	memset(s, 0, sizeof(*s));
}

void static_source_want(struct static_source *s, char *const *names, size_t n)
{
	buf_reset(&s->want);
	for (size_t i = 0; i < n; i++)
		buf_add(&s->want, names[i], strlen(names[i]) + 1);
	s->nwant = n;
}

static void add_file(struct static_source *s, struct buf *fp, const char *path,
		     const struct stat *st)
{
	buf_adds(&s->files, format_of(path));
	buf_addc(&s->files, '\0');
	buf_add(&s->files, path, strlen(path) + 1);
	if (!compressed(path))
		s->bytes += (size_t)st->st_size;
	buf_printf(fp, "%s\t%lld\t%lld.%09ld\t%llu\n", path, (long long)st->st_size,
		   (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		   (unsigned long long)st->st_ino);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Spark skips names starting with '.' or '_'; other formats are not ours. */
static int list_folder(struct static_source *s, struct buf *fp, struct buf *why)
{
	DIR *dir = opendir(s->path);
	struct dirent *d;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct buf path = BUF_INIT;
	int rc = 0;

	if (!dir) {
		buf_adds(why, strerror(errno));
		return EX_NOINPUT;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || d->d_name[0] == '_' || !format_of(d->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(d->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", s->path, names[i]);
		if (stat(path.data, &st) < 0) {
			if (errno == ENOENT)	/* gone since the listing */
				continue;
			buf_printf(why, "'%s': %s", path.data, strerror(errno));
			rc = EX_NOINPUT;
			break;
		}
		if (S_ISREG(st.st_mode))
			add_file(s, fp, path.data, &st);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&path);
	return rc;
}

static int sqlite_fingerprint(struct static_source *s, struct buf *fp, struct buf *why)
{
	struct stat st;
	sqlite3_stmt *q;

	if (stat(s->path, &st) < 0) {
		buf_adds(why, strerror(errno));
		return EX_NOINPUT;
	}
	/* Replaced by another file: the open connection still sees the old one. */
	if (!s->db || st.st_dev != s->dev || st.st_ino != s->ino) {
		sqlite3_close(s->db);
		s->db = NULL;
		if (open_db(s, why))
			return EX_NOINPUT;
	}
	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		buf_adds(why, sqlite3_errmsg(s->db));
		sqlite3_finalize(q);
		return EX_NOINPUT;
	}
	buf_printf(fp, "%lld\t%llu\t%lld\t%lld.%09ld\n", sqlite3_column_int64(q, 0),
		   (unsigned long long)st.st_ino, (long long)st.st_size,
		   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	sqlite3_finalize(q);
	return 0;
}

static int pg_fingerprint(struct static_source *s, struct buf *fp, struct buf *why);
static int read_pg(struct static_source *s, row_fn *row, void *ctx, struct buf *why);

int static_source_fingerprint(struct static_source *s, struct buf *fp, struct buf *why)
{
	struct stat st;

	buf_reset(fp);
	buf_reset(why);
	buf_reset(&s->files);
	s->bytes = 0;
	buf_printf(fp, "%s\n", s->spec);	/* never empty, even for an empty folder */
	if (s->kind == STATIC_SQLITE)
		return sqlite_fingerprint(s, fp, why);
	if (s->kind == STATIC_PG)
		return pg_fingerprint(s, fp, why);
	if (s->kind == STATIC_FOLDER)
		return list_folder(s, fp, why);
	if (stat(s->path, &st) < 0) {
		buf_adds(why, strerror(errno));
		return EX_NOINPUT;
	}
	add_file(s, fp, s->path, &st);
	return 0;
}

/* ---- files, through inlet-parse ---- */

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * inlet-parse --mode failfast: a malformed record or an unreadable file
 * fails the whole load, so a half-read dimension table never replaces a
 * good one.
 */
static int read_file_rows(struct static_source *s, const char *format, const char *path,
		     row_fn *row, void *ctx, struct buf *why)
{
	int fds[2], rc = 0, status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		buf_printf(why, "cannot run inlet-parse: %s", strerror(errno));
		return EX_TEMPFAIL;
	}
	if ((pid = fork()) < 0) {
		buf_printf(why, "cannot run inlet-parse: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return EX_TEMPFAIL;
	}
	if (pid == 0) {
		char *argv[] = { "inlet-parse", "--format", (char *)format, "--mode",
				 "failfast", "--quiet", "--", (char *)path, NULL };
		int null = open("/dev/null", O_RDONLY);
		/* Our standard input is the stream: the child must not read it. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0)
			_exit(126);
		if (s->parse)
			execv(s->parse, argv);
		else
			execvp("inlet-parse", argv);
		dprintf(2, "%s: cannot run '%s': %s\n", program_invocation_short_name,
			s->parse ? s->parse : "inlet-parse", strerror(errno));
		_exit(127);	/* not exit(): our stdout buffer is not the child's */
	}
	close(fds[1]);
	FILE *fp = fdopen(fds[0], "r");
	if (!fp)
		die_errno(EX_OSERR, "cannot read from inlet-parse");
	struct stream_reader r;
	struct record rec;
	struct json_error err;
	stream_reader_init(&r, fp, path);
	while (rc == 0 && stream_next_line(&r)) {
		if (!r.len)
			continue;
		if (record_classify(&rec, r.line, r.len, &err) < 0) {
			buf_printf(why, "'%s': inlet-parse wrote a bad line: %s", path, err.msg);
			rc = EX_NOINPUT;
		} else if (rec.kind == RECORD_CONTROL) {
			if (!strcmp(rec.event, "skip")) {
				buf_printf(why, "'%s' cannot be read", path);
				rc = EX_NOINPUT;
			}
		} else {
			rc = row(ctx, &rec);
		}
	}
	stream_reader_free(&r);
	fclose(fp);
	status = wait_child(pid);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		buf_printf(why, "'%s': inlet-parse %s %d", path,
			   WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
			   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		rc = EX_NOINPUT;
	}
	return rc;
}

/* ---- SQLite ---- */

/* As a JSON string, bytes that are not UTF-8 replaced by U+FFFD. */
static void encode_text(struct buf *out, const char *s, size_t n, struct buf *tmp)
{
	if (utf8_valid(s, n)) {
		json_string_encode(out, s, n);
		return;
	}
	buf_reset(tmp);
	utf8_repair(tmp, s, n);
	json_string_encode(out, tmp->data, tmp->len);
}

/* NAME as the start of member I of a row: '{' or ',', the key, ':'. */
static void member_prefix(struct buf *out, int i, const char *name, struct buf *tmp)
{
	*out = (struct buf)BUF_INIT;
	buf_addc(out, i ? ',' : '{');
	encode_text(out, name, strlen(name), tmp);
	buf_addc(out, ':');
}

/*
 * The shortest text that reads back as D; a REAL keeps a '.' or 'e'.
 * JSON has no infinity: inlet-commit stores a DOUBLE's infinities as REAL
 * ones, and they read back as the strings inlet-cast writes for them.
 */
static void encode_real(struct buf *out, double d)
{
	char s[32];

	if (isinf(d)) {
		buf_adds(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		return;
	}
	if (isnan(d)) {		/* SQLite never returns one; kept as cast writes it */
		buf_adds(out, "\"NaN\"");
		return;
	}
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(s, sizeof(s), "%.*g", digits, d);
		if (strtod(s, NULL) == d)
			break;
	}
	buf_adds(out, s);
	if (!strpbrk(s, ".e"))
		buf_adds(out, ".0");
}

static void encode_base64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	buf_addc(out, '"');
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { b64[v >> 18], b64[(v >> 12) & 63],
			      i + 1 < n ? b64[(v >> 6) & 63] : '=',
			      i + 2 < n ? b64[v & 63] : '=' };
		buf_add(out, q, 4);
	}
	buf_addc(out, '"');
}

static int read_sqlite(struct static_source *s, row_fn *row, void *ctx, struct buf *why)
{
	struct buf sql = BUF_INIT, text = BUF_INIT, tmp = BUF_INIT, *names = NULL;
	sqlite3_stmt *q = NULL;
	int ncols = 0, rc = 0, step = SQLITE_DONE;
	long long rows = 0;
	struct record rec;
	struct json_error err;

	buf_adds(&sql, "SELECT * FROM \"");
	for (const char *p = s->table; *p; p++) {
		if (*p == '"')
			buf_addc(&sql, '"');
		buf_addc(&sql, *p);
	}
	buf_addc(&sql, '"');
	if (sqlite3_prepare_v2(s->db, sql.data, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	ncols = sqlite3_column_count(q);
	names = xmalloc((size_t)ncols * sizeof(*names));
	for (int i = 0; i < ncols; i++)
		member_prefix(&names[i], i, sqlite3_column_name(q, i), &tmp);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_reset(&text);
		for (int i = 0; i < ncols; i++) {
			buf_add(&text, names[i].data, names[i].len);
			switch (sqlite3_column_type(q, i)) {
			case SQLITE_NULL:
				buf_adds(&text, "null");
				break;
			case SQLITE_INTEGER:
				buf_printf(&text, "%lld", sqlite3_column_int64(q, i));
				break;
			case SQLITE_FLOAT:
				encode_real(&text, sqlite3_column_double(q, i));
				break;
			case SQLITE_BLOB:
				encode_base64(&text, sqlite3_column_blob(q, i),
					      (size_t)sqlite3_column_bytes(q, i));
				break;
			default: {
				const char *v = (const char *)sqlite3_column_text(q, i);
				encode_text(&text, v ? v : "", v ? (size_t)sqlite3_column_bytes(q, i) : 0,
					    &tmp);
			}
			}
		}
		buf_adds(&text, ncols ? "}" : "{}");
		rows++;
		/* A column named "_inlet" makes it a control record: a row all the same. */
		if (record_classify(&rec, text.data, text.len, &err) < 0) {
			buf_printf(why, "static row %lld is not a JSON object: %s", rows, err.msg);
			rc = EX_DATAERR;
		} else {
			rc = row(ctx, &rec);
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		goto fail;
	goto out;
fail:
	rc = sqlite3_errcode(s->db) == SQLITE_BUSY || sqlite3_errcode(s->db) == SQLITE_LOCKED
		? EX_TEMPFAIL : EX_NOINPUT;
	buf_adds(why, sqlite3_errmsg(s->db));
out:
	sqlite3_finalize(q);
	for (int i = 0; i < ncols; i++)
		buf_free(&names[i]);
	free(names);
	buf_free(&sql);
	buf_free(&text);
	buf_free(&tmp);
	return rc;
}

/* ---- PostgreSQL ---- */

/* The reason RES (NULL: none) or the connection gives, on one line, in WHY. */
static void pg_why(struct buf *why, PGconn *c, PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	buf_reset(why);
	pg_one_line(why, msg ? msg : PQerrorMessage(c));
	if (!why->len)
		buf_adds(why, "unknown error");
}

/*
 * One spelling of values whatever the server's or the role's defaults:
 * ISO dates, timestamps in UTC, doubles in their shortest exact text,
 * UTF-8.  0, or EX_NOINPUT with the reason in WHY.
 */
static int pg_session(PGconn *c, struct buf *why)
{
	PGresult *res = PQexec(c, "SET DateStyle = ISO; SET IntervalStyle = postgres; "
			       "SET TimeZone = 'UTC'; SET extra_float_digits = 1; "
			       "SET client_encoding = 'UTF8'");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_why(why, c, res);
		rc = EX_NOINPUT;
	}
	PQclear(res);
	return rc;
}

/* TABLE, "NAME" or "SCHEMA.NAME" (split at the first dot), quoted into OUT. */
static void pg_quote_table(PGconn *c, struct buf *out, const char *table)
{
	const char *given = table, *dot = strchr(table, '.');
	char *q;

	if (dot && dot != table && dot[1]) {
		if (!(q = PQescapeIdentifier(c, table, (size_t)(dot - table))))
			goto bad;
		buf_adds(out, q);
		buf_addc(out, '.');
		PQfreemem(q);
		table = dot + 1;
	}
	if (!(q = PQescapeIdentifier(c, table, strlen(table))))
		goto bad;
	buf_adds(out, q);
	PQfreemem(q);
	return;
bad: {
		struct buf why = BUF_INIT;
		pg_why(&why, c, NULL);
		die(EX_USAGE, "invalid value '%s' for --static-table: %s", given, why.data);
	}
}

static void pg_init(struct static_source *s, const char *table)
{
	PGconn *c = pg_connect(s->path);
	const char *host, *port, *db;
	struct buf where = BUF_INIT, why = BUF_INIT, quoted = BUF_INIT;

	s->pg = c;
	host = PQhost(c);
	port = PQport(c);
	db = PQdb(c);
	buf_printf(&where, "%s:%s/%s", host && *host ? host : "localhost",
		   port && *port ? port : "5432", db ? db : "");
	s->where = where.data;
	if (PQstatus(c) != CONNECTION_OK) {
		pg_why(&why, c, NULL);
		die(EX_UNAVAILABLE, "cannot connect to PostgreSQL at %s for the static table: %s",
		    s->where, why.data);
	}
	if (pg_session(c, &why))
		die(EX_UNAVAILABLE, "cannot set up the session with PostgreSQL at %s: %s",
		    s->where, why.data);
	pg_quote_table(c, &quoted, table);
	s->table = quoted.data;
}

/*
 * A lost connection (a server restart, an idle timeout) is made again
 * once per call; 0 when the connection is up.
 */
static int pg_alive(struct static_source *s, struct buf *why)
{
	PGconn *c = (PGconn *)s->pg;

	if (PQstatus(c) == CONNECTION_OK)
		return 0;
	PQreset(c);
	if (PQstatus(c) != CONNECTION_OK) {
		pg_why(why, c, NULL);
		return EX_TEMPFAIL;
	}
	return pg_session(c, why);
}

/*
 * The select list: "*", or the wanted columns that RES (the table's
 * columns) has, in the table's order, quoted.
 */
static void pg_select(struct static_source *s, PGresult *res)
{
	bool first = true;

	buf_reset(&s->select);
	if (!s->nwant) {
		buf_addc(&s->select, '*');
		return;
	}
	for (int i = 0; i < PQnfields(res); i++) {
		const char *name = PQfname(res, i), *w = s->want.data;
		size_t k = 0;
		while (k < s->nwant && strcmp(w, name)) {
			w += strlen(w) + 1;
			k++;
		}
		char *q = k < s->nwant ? PQescapeIdentifier((PGconn *)s->pg, name, strlen(name)) : NULL;
		if (!q)
			continue;
		if (!first)
			buf_addc(&s->select, ',');
		buf_adds(&s->select, q);
		PQfreemem(q);
		first = false;
	}
}

/*
 * The columns (name, type, modifier), the row count and the sum of a
 * 64-bit hash of each row's text.  Counters such as pg_stat's n_tup_upd
 * are cheaper but reach the statistics late (a backend reports them up to
 * a second after its commit) and can be reset; xmin misses nothing
 * either, but also changes with an UPDATE that writes the same values.
 * The hash costs one scan of the table a batch, on the server, with no
 * row sent: about what the server spends to send the table once.
 */
static int pg_fingerprint(struct static_source *s, struct buf *fp, struct buf *why)
{
	PGconn *c = (PGconn *)s->pg;
	struct buf sql = BUF_INIT;
	PGresult *res;
	int rc;

	if ((rc = pg_alive(s, why)))
		return rc;
	buf_printf(&sql, "SELECT * FROM %s LIMIT 0", s->table);
	res = PQexec(c, sql.data);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		goto fail;
	for (int i = 0; i < PQnfields(res); i++)
		buf_printf(fp, "%s\t%u\t%d\n", PQfname(res, i), PQftype(res, i), PQfmod(res, i));
	pg_select(s, res);
	PQclear(res);
	buf_reset(&sql);
	/* r.* is the whole row even when a column is named r. */
	buf_printf(&sql, "SELECT count(*), coalesce(sum(hashtextextended(r.*::text, 0)::numeric), 0)"
		   " FROM %s AS r", s->table);
	res = PQexec(c, sql.data);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto fail;
	buf_printf(fp, "%s\t%s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	PQclear(res);
	buf_free(&sql);
	return 0;
fail:
	pg_why(why, c, res);
	rc = PQstatus(c) == CONNECTION_OK ? EX_NOINPUT : EX_TEMPFAIL;
	PQclear(res);
	buf_free(&sql);
	return rc;
}

/*
 * Whether V is a number JSON can hold: not NaN, Infinity or -Infinity,
 * which PostgreSQL prints so and which become those strings, as
 * inlet-cast writes a DOUBLE's (JSON has no such numbers).
 */
static bool finite_text(const char *v)
{
	if (*v == '-')
		v++;
	return *v >= '0' && *v <= '9';
}

/* One value of type TYPE (pg_type's oid), as its text says it, into OUT. */
static void pg_value(struct buf *out, unsigned type, const char *v, size_t n, struct buf *tmp)
{
	switch (type) {
	case 20: case 21: case 23: case 26: case 1700:	/* int8, int2, int4, oid, numeric */
		if (finite_text(v))
			buf_add(out, v, n);
		else
			json_string_encode(out, v, n);
		return;
	case 700: case 701:			/* float4, float8: keep a '.' or 'e' */
		if (!finite_text(v)) {
			json_string_encode(out, v, n);
			return;
		}
		buf_add(out, v, n);
		if (!strpbrk(v, ".e"))
			buf_adds(out, ".0");
		return;
	case 16:				/* bool */
		buf_adds(out, *v == 't' ? "true" : "false");
		return;
	case 114: case 3802:			/* json keeps its input's blanks */
		for (size_t i = 0; i < n; i++)	/* (a string cannot hold them raw) */
			buf_addc(out, v[i] == '\n' || v[i] == '\r' || v[i] == '\t' ? ' ' : v[i]);
		return;
	default:
		encode_text(out, v, n, tmp);
	}
}

static int read_pg(struct static_source *s, row_fn *row, void *ctx, struct buf *why)
{
	PGconn *c = (PGconn *)s->pg;
	struct buf sql = BUF_INIT, text = BUF_INIT, tmp = BUF_INIT, *names = NULL;
	PGresult *res;
	int ncols = -1, rc = 0;
	long long rows = 0;
	struct record rec;
	struct json_error err;

	if ((rc = pg_alive(s, why)))
		return rc;
	buf_printf(&sql, "SELECT %s FROM %s", s->select.data, s->table);
	/* Row by row: the table is never held twice, as a result and as the index. */
	if (!PQsendQuery(c, sql.data) || !PQsetSingleRowMode(c)) {
		pg_why(why, c, NULL);
		rc = EX_TEMPFAIL;
		goto out;
	}
	while ((res = PQgetResult(c))) {
		ExecStatusType status = PQresultStatus(res);
		if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK) {
			if (!rc) {
				pg_why(why, c, res);
				rc = PQstatus(c) == CONNECTION_OK ? EX_NOINPUT : EX_TEMPFAIL;
			}
		} else if (status == PGRES_SINGLE_TUPLE && !rc) {	/* else drained */
			if (ncols < 0) {
				ncols = PQnfields(res);
				names = xmalloc((size_t)ncols * sizeof(*names));
				for (int i = 0; i < ncols; i++)
					member_prefix(&names[i], i, PQfname(res, i), &tmp);
			}
			buf_reset(&text);
			for (int i = 0; i < ncols; i++) {
				buf_add(&text, names[i].data, names[i].len);
				if (PQgetisnull(res, 0, i))
					buf_adds(&text, "null");
				else
					pg_value(&text, PQftype(res, i), PQgetvalue(res, 0, i),
						 (size_t)PQgetlength(res, 0, i), &tmp);
			}
			buf_adds(&text, ncols ? "}" : "{}");
			rows++;
			if (record_classify(&rec, text.data, text.len, &err) < 0) {
				buf_printf(why, "static row %lld is not a JSON object: %s", rows, err.msg);
				rc = EX_DATAERR;
			} else {
				rc = row(ctx, &rec);
			}
		}
		PQclear(res);
	}
out:
	for (int i = 0; i < ncols; i++)
		buf_free(&names[i]);
	free(names);
	buf_free(&sql);
	buf_free(&text);
	buf_free(&tmp);
	return rc;
}

int static_source_read(struct static_source *s, row_fn *row, void *ctx, struct buf *why)
{
	int rc = 0;

	buf_reset(why);
	if (s->kind == STATIC_SQLITE)
		return read_sqlite(s, row, ctx, why);
	if (s->kind == STATIC_PG)
		return read_pg(s, row, ctx, why);
	for (size_t at = 0; rc == 0 && at < s->files.len; ) {
		const char *format = s->files.data + at;
		const char *path = format + strlen(format) + 1;
		at = (size_t)(path + strlen(path) + 1 - s->files.data);
		rc = read_file_rows(s, format, path, row, ctx, why);
	}
	return rc;
}
