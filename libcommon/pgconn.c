#include <errno.h>
#include <string.h>

#include "die.h"
#include "pgconn.h"
#include "pq.h"

bool pg_is_uri(const char *db)
{
	return !strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11);
}

void pg_check_uri(const char *uri)
{
	char *err = NULL;
	struct buf msg = BUF_INIT;

	pq_load();
	PQconninfoOption *opts = PQconninfoParse(uri, &err);
	if (opts) {
		PQconninfoFree(opts);
		return;
	}
	pg_one_line(&msg, err ? err : "out of memory");
	PQfreemem(err);
	die(EX_USAGE, "invalid value for --db: not a PostgreSQL URI: %s", msg.data);
}

struct pg_conn *pg_connect(const char *uri)
{
	/* The URI's own application_name wins over fallback_application_name. */
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { uri, program_invocation_short_name, NULL };
	PGconn *c;

	pq_load();
	if (!(c = PQconnectdbParams(keys, vals, 1)))
		die(EX_OSERR, "out of memory");
	return c;
}

void pg_one_line(struct buf *out, const char *msg)
{
	bool space = false;

	for (; msg && *msg; msg++) {
		if (*msg == '\n' || *msg == '\t' || *msg == '\r') {
			space = out->len > 0;
			continue;
		}
		if (space)
			buf_addc(out, ' ');
		space = false;
		buf_addc(out, *msg);
	}
}

void pg_redact_uri(struct buf *out, const char *uri)
{
	const char *p = strstr(uri, "://");
	const char *auth = p ? p + 3 : uri;
	const char *end = auth + strcspn(auth, "/?");
	const char *query = strchr(uri, '?');
	const char *at = NULL, *colon;

	/* The user part ends at the last '@' before the host's path or query. */
	for (const char *q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	p = uri;
	if (colon) {
		buf_add(out, uri, (size_t)(colon + 1 - uri));
		buf_adds(out, "***");
		p = at;
	}
	/* The query's password=VALUE, wherever it stands among the parameters. */
	for (;;) {
		const char *q = strstr(p, "password=");
		if (!q) {
			buf_adds(out, p);
			return;
		}
		bool param = query && q > query && (q[-1] == '?' || q[-1] == '&');
		buf_add(out, p, (size_t)(q + 9 - p));
		p = q + 9;
		if (param) {
			buf_adds(out, "***");
			p += strcspn(p, "&");
		}
	}
}
