/*
 * The SQLite sink.  One transaction holds a batch's rows and its mark in
 * "_inlet_commits" (checkpoint id, batch), so after a crash the sink
 * either has both or neither; a replayed batch finds its mark and is
 * skipped.  Identifiers come from data and are always quoted.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ckpt.h"
#include "die.h"
#include "json.h"
#include "sink.h"

struct column {
	char *name;		/* owned */
	size_t name_len;
	long long bound;	/* the last row that bound a value to it */
	char *type;		/* owned: declared SQL type */
	bool integer;		/* INTEGER affinity: booleans bind as 0/1 */
};

struct field_ref {
	size_t col;
	const char *val;
	size_t len;
};

struct sqlite_sink {
	struct sink base;
	sqlite3 *db;
	char *path;
	struct buf qtable;	/* the quoted table name */
	struct column *cols;
	size_t ncols, capcols;
	bool table_exists;
	bool replace_pending;	/* overwrite: drop the old table on first use */
	sqlite3_stmt *insert;	/* NULL when columns changed */
	sqlite3_stmt *has_mark;
	struct field_ref *refs;
	size_t caprefs;
	struct buf scratch;
	long long rows_bound;	/* rows bound so far, to tell columns left unbound */
};

static void quote_ident(struct buf *out, const char *name, size_t n)
{
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '"')
			buf_addc(out, '"');
		buf_addc(out, name[i] ? name[i] : '?');
	}
	buf_addc(out, '"');
}

static void exec(struct sqlite_sink *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int busy = sqlite3_errcode(s->db) == SQLITE_BUSY ||
			   sqlite3_errcode(s->db) == SQLITE_LOCKED;
		error("cannot update '%s': %s", s->path, msg ? msg : "unknown error");
		sqlite3_free(msg);
		exit(busy ? EX_TEMPFAIL : EX_IOERR);
	}
}

static sqlite3_stmt *prepare(struct sqlite_sink *s, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(EX_IOERR, "cannot prepare a statement on '%s': %s", s->path,
		    sqlite3_errmsg(s->db));
	return st;
}

const char *sql_type_for(const char *t)
{
	static const char *ints[] = { "INT", "INTEGER", "BIGINT", "LONG", "SMALLINT",
				      "TINYINT", "SHORT", "BYTE", "BOOLEAN", NULL };
	for (size_t i = 0; ints[i]; i++)
		if (!strcasecmp(t, ints[i]))
			return "INTEGER";
	if (!strcasecmp(t, "DOUBLE") || !strcasecmp(t, "FLOAT") || !strcasecmp(t, "REAL"))
		return "REAL";
	/* DECIMAL stays TEXT so its digits stay exact; dates are ISO-8601 text. */
	return "TEXT";
}

static void forget_columns(struct sqlite_sink *s)
{
	for (size_t i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		free(s->cols[i].type);
	}
	s->ncols = 0;
	if (s->insert) {
		sqlite3_finalize(s->insert);
		s->insert = NULL;
	}
}

static void load_columns(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;

	forget_columns(s);
	buf_adds(&sql, "SELECT name, type FROM pragma_table_info(?)");
	st = prepare(s, sql.data);
	/* The unquoted name: pragma_table_info takes it as a value. */
	struct buf name = BUF_INIT;
	for (size_t i = 1; i + 1 < s->qtable.len; i++) {
		buf_addc(&name, s->qtable.data[i]);
		if (s->qtable.data[i] == '"')
			i++;
	}
	sqlite3_bind_text(st, 1, name.data, (int)name.len, SQLITE_TRANSIENT);
	s->table_exists = false;
	while (sqlite3_step(st) == SQLITE_ROW) {
		s->table_exists = true;
		if (s->ncols == s->capcols) {
			s->capcols = s->capcols ? s->capcols * 2 : 16;
			s->cols = xrealloc(s->cols, s->capcols * sizeof(*s->cols));
		}
		const char *type = (const char *)sqlite3_column_text(st, 1);
		s->cols[s->ncols].name = xstrdup((const char *)sqlite3_column_text(st, 0));
		s->cols[s->ncols].name_len = strlen(s->cols[s->ncols].name);
		s->cols[s->ncols].bound = -1;
		s->cols[s->ncols].type = xstrdup(type ? type : "");
		s->cols[s->ncols].integer = type && !strcasecmp(type, "INTEGER");
		s->ncols++;
	}
	sqlite3_finalize(st);
	buf_free(&sql);
	buf_free(&name);
}

/* SQL names cannot hold NUL: quote_ident writes it '?', and so do we. */
static void sql_name(struct buf *name)
{
	for (size_t k = 0; k < name->len; k++)
		if (!name->data[k])
			name->data[k] = '?';
}

/* SQLite's names are case-insensitive (ASCII). */
static bool column_is(const struct column *c, const char *name, size_t n)
{
	return c->name_len == n &&
	       (!memcmp(c->name, name, n) || !strncasecmp(c->name, name, n));
}

static size_t find_column(struct sqlite_sink *s, const char *name, size_t n, size_t hint)
{
	/* Rows usually list their fields in column order: try HINT first. */
	if (hint < s->ncols && column_is(&s->cols[hint], name, n))
		return hint;
	for (size_t i = 0; i < s->ncols; i++)
		if (column_is(&s->cols[i], name, n))
			return i;
	return (size_t)-1;
}

static void drop_if_pending(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;

	if (!s->replace_pending)
		return;
	s->replace_pending = false;
	buf_printf(&sql, "DROP TABLE IF EXISTS %s", s->qtable.data);
	exec(s, sql.data);
	forget_columns(s);
	s->table_exists = false;
	buf_free(&sql);
}

/* Add column NAME (creating the table if needed) and return its index. */
static size_t add_column(struct sqlite_sink *s, const char *name, size_t n,
			 const char *sqltype)
{
	struct buf sql = BUF_INIT;

	if (s->table_exists)
		buf_printf(&sql, "ALTER TABLE %s ADD COLUMN ", s->qtable.data);
	else
		buf_printf(&sql, "CREATE TABLE %s (", s->qtable.data);
	quote_ident(&sql, name, n);
	buf_printf(&sql, " %s%s", sqltype, s->table_exists ? "" : ")");
	exec(s, sql.data);
	s->table_exists = true;
	buf_free(&sql);
	if (s->ncols == s->capcols) {
		s->capcols = s->capcols ? s->capcols * 2 : 16;
		s->cols = xrealloc(s->cols, s->capcols * sizeof(*s->cols));
	}
	s->cols[s->ncols].name = xmalloc(n + 1);
	memcpy(s->cols[s->ncols].name, name, n);
	s->cols[s->ncols].name[n] = '\0';
	s->cols[s->ncols].name_len = n;
	s->cols[s->ncols].bound = -1;
	s->cols[s->ncols].type = xstrdup(sqltype);
	s->cols[s->ncols].integer = !strcmp(sqltype, "INTEGER");
	if (s->insert) {
		sqlite3_finalize(s->insert);
		s->insert = NULL;
	}
	return s->ncols++;
}

/* The key columns of --key, each as a quoted identifier, into OUT. */
static void key_list(struct sqlite_sink *s, struct buf *out)
{
	const char *k = s->base.key;

	while (*k) {
		size_t n = strcspn(k, ",");
		if (find_column(s, k, n, 0) == (size_t)-1)
			die(EX_DATAERR, "upsert key column '%.*s' is not among the columns "
			    "of %s", (int)n, k, s->base.name);
		if (out->len)
			buf_addc(out, ',');
		quote_ident(out, k, n);
		k += n + (k[n] == ',');
	}
}

static bool is_key(struct sqlite_sink *s, const char *name)
{
	const char *k = s->base.key;
	size_t len = strlen(name);

	while (*k) {
		size_t n = strcspn(k, ",");
		if (n == len && !strncasecmp(k, name, n))
			return true;
		k += n + (k[n] == ',');
	}
	return false;
}

/*
 * Upsert: a unique index on the key makes ON CONFLICT work; a later row
 * with the same key replaces the other columns (Spark's update mode).
 */
static void add_upsert_clause(struct sqlite_sink *s, struct buf *sql)
{
	struct buf keys = BUF_INIT, ddl = BUF_INIT, index = BUF_INIT;
	bool any = false;

	key_list(s, &keys);
	buf_adds(&index, "inlet_upsert_key_");
	buf_add(&index, s->qtable.data + 1, s->qtable.len - 2);
	buf_adds(&ddl, "CREATE UNIQUE INDEX IF NOT EXISTS ");
	quote_ident(&ddl, index.data, index.len);
	buf_printf(&ddl, " ON %s (%s)", s->qtable.data, keys.data);
	exec(s, ddl.data);
	buf_printf(sql, " ON CONFLICT (%s) DO ", keys.data);
	for (size_t i = 0; i < s->ncols; i++) {
		if (is_key(s, s->cols[i].name))
			continue;
		buf_adds(sql, any ? ", " : "UPDATE SET ");
		quote_ident(sql, s->cols[i].name, strlen(s->cols[i].name));
		buf_adds(sql, " = excluded.");
		quote_ident(sql, s->cols[i].name, strlen(s->cols[i].name));
		any = true;
	}
	if (!any)
		buf_adds(sql, "NOTHING");
	buf_free(&keys);
	buf_free(&ddl);
	buf_free(&index);
}

static void prepare_insert(struct sqlite_sink *s)
{
	struct buf sql = BUF_INIT;

	buf_printf(&sql, "INSERT INTO %s (", s->qtable.data);
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&sql, ',');
		quote_ident(&sql, s->cols[i].name, strlen(s->cols[i].name));
	}
	buf_adds(&sql, ") VALUES (");
	for (size_t i = 0; i < s->ncols; i++)
		buf_adds(&sql, i ? ",?" : "?");
	buf_addc(&sql, ')');
	if (s->base.mode == SINK_UPSERT)
		add_upsert_clause(s, &sql);
	s->insert = prepare(s, sql.data);
	buf_free(&sql);
}

static int sq_begin(struct sink *base, long long batch)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	exec(s, "BEGIN IMMEDIATE");
	if (batch >= 0 && base->checkpoint_id) {
		sqlite3_reset(s->has_mark);
		sqlite3_bind_text(s->has_mark, 1, base->checkpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->has_mark, 2, batch);
		int rc = sqlite3_step(s->has_mark);
		sqlite3_reset(s->has_mark);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE)
			die(EX_IOERR, "cannot read '%s': %s", s->path, sqlite3_errmsg(s->db));
	}
	/* Columns may have changed since the last batch (another writer). */
	load_columns(s);
	s->replace_pending = base->mode == SINK_OVERWRITE;
	return 0;
}

static void sq_schema(struct sink *base, const char *text, size_t len)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	const char *fields, *v;
	size_t flen, vlen;
	struct json_iter it;
	struct buf name = BUF_INIT, type = BUF_INIT;

	if (json_object_get(text, len, "fields", &fields, &flen) != 1 ||
	    json_array_open(&it, fields, flen, NULL) < 0)
		die(EX_DATAERR, "schema record without a \"fields\" array");
	drop_if_pending(s);
	while (json_array_next(&it, &v, &vlen, NULL) == 1) {
		const char *nv, *tv;
		size_t nn, tn;
		if (json_object_get(v, vlen, "name", &nv, &nn) != 1 ||
		    !json_is_string(nv, nn))
			die(EX_DATAERR, "schema record field without a name");
		buf_reset(&name);
		buf_reset(&type);
		json_string_decode(&name, nv, nn);
		sql_name(&name);
		if (json_object_get(v, vlen, "type", &tv, &tn) == 1 && json_is_string(tv, tn))
			json_string_decode(&type, tv, tn);
		else
			buf_adds(&type, "STRING");
		const char *want = sql_type_for(type.data);
		size_t col = find_column(s, name.data, name.len, 0);
		if (col == (size_t)-1)
			add_column(s, name.data, name.len, want);
		else if (strcasecmp(s->cols[col].type, want))
			die(EX_DATAERR, "cannot change column '%s' of %s from %s to %s (%s); "
			    "SQLite cannot alter a column's type: write to a new table",
			    name.data, s->base.name, s->cols[col].type, want, type.data);
	}
	buf_free(&name);
	buf_free(&type);
}

/* At most 18 digits, no leading zero, an optional '-': fits an int64. */
static bool plain_integer(const char *v, size_t n)
{
	size_t i = v[0] == '-';

	if (n - i == 0 || n - i > 18 || (v[i] == '0' && n - i > 1))
		return false;
	for (; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static long long integer_of(const char *v, size_t n)
{
	size_t i = v[0] == '-';
	long long x = 0;

	for (; i < n; i++)
		x = x * 10 + (v[i] - '0');
	return v[0] == '-' ? -x : x;
}

/*
 * Bind V, a slice of the row's text, to parameter IDX.  The row's text
 * outlives sqlite3_step, so SQLite need not copy it (SQLITE_STATIC); only
 * strings with escapes are decoded, into a copy SQLite keeps.
 */
static void bind_value(struct sqlite_sink *s, int idx, const struct column *col,
		       const char *v, size_t n)
{
	switch (v[0]) {
	case '"':
		if (!memchr(v + 1, '\\', n - 2)) {
			sqlite3_bind_text(s->insert, idx, v + 1, (int)n - 2, SQLITE_STATIC);
			break;
		}
		buf_reset(&s->scratch);
		json_string_decode(&s->scratch, v, n);
		sqlite3_bind_text(s->insert, idx, s->scratch.data, (int)s->scratch.len,
				  SQLITE_TRANSIENT);
		break;
	case 'n':
		sqlite3_bind_null(s->insert, idx);
		break;
	case 't': case 'f':
		if (col->integer)
			sqlite3_bind_int(s->insert, idx, v[0] == 't');
		else
			sqlite3_bind_text(s->insert, idx, v, (int)n, SQLITE_STATIC);
		break;
	default:
		/*
		 * Numbers keep their text; column affinity decides the storage.
		 * A plain integer for an INTEGER column is bound as one, which is
		 * what the affinity would make of it, without SQLite parsing it.
		 */
		if (col->integer && plain_integer(v, n)) {
			sqlite3_bind_int64(s->insert, idx, integer_of(v, n));
			break;
		}
		sqlite3_bind_text(s->insert, idx, v, (int)n, SQLITE_STATIC);
	}
}

/* Map column NAME (added if new) to the value V of this row. */
static void add_ref(struct sqlite_sink *s, const char *name, size_t n,
		    const char *v, size_t vn, size_t *nrefs)
{
	size_t col = find_column(s, name, n, *nrefs);

	if (col == (size_t)-1)
		col = add_column(s, name, n, "TEXT");
	if (*nrefs == s->caprefs) {
		s->caprefs = s->caprefs ? s->caprefs * 2 : 32;
		s->refs = xrealloc(s->refs, s->caprefs * sizeof(*s->refs));
	}
	s->refs[(*nrefs)++] = (struct field_ref){ col, v, vn };
}

static void sq_row(struct sink *base, const struct record *rec, unsigned long lineno)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	size_t nrefs = 0;

	(void)lineno;
	drop_if_pending(s);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct json_field f = rec->fields[i];
		/* SQLite: a window struct becomes window_start / window_end. */
		if (f.val[0] == '{' && json_key_is(&f, "window")) {
			const char *v;
			size_t vn;
			if (json_object_get(f.val, f.val_len, "start", &v, &vn) == 1)
				add_ref(s, "window_start", 12, v, vn, &nrefs);
			if (json_object_get(f.val, f.val_len, "end", &v, &vn) == 1)
				add_ref(s, "window_end", 10, v, vn, &nrefs);
			continue;
		}
		if (f.key_escaped) {
			struct buf decoded = BUF_INIT;
			json_key_decode(&decoded, &f);
			sql_name(&decoded);
			add_ref(s, decoded.data, decoded.len, f.val, f.val_len, &nrefs);
			buf_free(&decoded);
		} else {
			add_ref(s, f.key, f.key_len, f.val, f.val_len, &nrefs);
		}
	}
	if (!s->table_exists) {
		/* An empty object still makes a table, with no data columns. */
		return;
	}
	if (!s->insert)
		prepare_insert(s);
	/*
	 * Every column gets a value each row: the row's, or NULL where it has
	 * none (cheaper than sqlite3_clear_bindings, which frees and resets
	 * every parameter).
	 */
	long long row = ++s->rows_bound;
	for (size_t i = 0; i < nrefs; i++) {
		struct column *c = &s->cols[s->refs[i].col];
		bind_value(s, (int)s->refs[i].col + 1, c, s->refs[i].val, s->refs[i].len);
		c->bound = row;
	}
	for (size_t c = 0; c < s->ncols; c++)
		if (s->cols[c].bound != row)
			sqlite3_bind_null(s->insert, (int)c + 1);
	if (sqlite3_step(s->insert) != SQLITE_DONE)
		die(EX_IOERR, "cannot insert into '%s': %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_reset(s->insert);
}

static void sq_commit(struct sink *base, long long batch, long long rows)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;
	struct buf sql = BUF_INIT;

	if (s->replace_pending) {
		/* Overwrite with no rows: the table stays, emptied. */
		s->replace_pending = false;
		if (s->table_exists) {
			buf_printf(&sql, "DELETE FROM %s", s->qtable.data);
			exec(s, sql.data);
		}
	}
	if (batch >= 0 && base->checkpoint_id) {
		sqlite3_stmt *st = prepare(s,
			"INSERT INTO \"_inlet_commits\" (checkpoint_id, batch, table_name,"
			" rows, committed_at) VALUES (?, ?, ?, ?, ?)");
		char now[32];
		iso8601_now(now);
		sqlite3_bind_text(st, 1, base->checkpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, batch);
		sqlite3_bind_text(st, 3, base->name + strlen("sqlite:") + strlen(s->path) + 1,
				  -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, rows);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(EX_IOERR, "cannot record batch %lld in '%s': %s", batch,
			    s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
	}
	exec(s, "COMMIT");
	buf_free(&sql);
}

static void sq_abort(struct sink *base)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
	load_columns(s);
}

static void sq_close(struct sink *base)
{
	struct sqlite_sink *s = (struct sqlite_sink *)base;

	forget_columns(s);
	sqlite3_finalize(s->has_mark);
	if (sqlite3_close(s->db) != SQLITE_OK)
		die(EX_IOERR, "cannot close '%s': %s", s->path, sqlite3_errmsg(s->db));
	free(s->cols);
	free(s->refs);
	free(s->path);
	free(base->name);
	buf_free(&s->qtable);
	buf_free(&s->scratch);
	free(s);
}

static const struct sink_ops sqlite_ops = {
	sq_begin, sq_schema, sq_row, sq_commit, sq_abort, sq_close
};

struct sink *sink_sqlite_open(const char *db, const char *table)
{
	struct sqlite_sink *s = calloc(1, sizeof(*s));
	struct buf name = BUF_INIT;

	if (!s)
		die(EX_OSERR, "out of memory");
	s->base.ops = &sqlite_ops;
	s->path = xstrdup(db);
	buf_printf(&name, "sqlite:%s:%s", db, table);
	s->base.name = xstrdup(name.data);
	buf_free(&name);
	quote_ident(&s->qtable, table, strlen(table));
	/*
	 * One thread uses SQLite: no mutexes, no memory statistics (they take
	 * a global mutex on every allocation).  Both must precede any use.
	 */
	static bool configured;
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = true;
	}
	if (sqlite3_open_v2(db, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die(EX_CANTCREAT, "cannot open database '%s': %s", db,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
	sqlite3_busy_timeout(s->db, 10000);
	/* WAL lets readers (a join's static side, a user's query) run alongside. */
	exec(s, "PRAGMA journal_mode=WAL");
	exec(s, "PRAGMA synchronous=FULL");
	exec(s, "CREATE TABLE IF NOT EXISTS \"_inlet_commits\" ("
		"checkpoint_id TEXT NOT NULL, batch INTEGER NOT NULL,"
		" table_name TEXT NOT NULL, rows INTEGER NOT NULL,"
		" committed_at TEXT NOT NULL, PRIMARY KEY (checkpoint_id, batch))");
	s->has_mark = prepare(s, "SELECT 1 FROM \"_inlet_commits\""
			      " WHERE checkpoint_id = ? AND batch = ?");
	load_columns(s);
	return &s->base;
}
