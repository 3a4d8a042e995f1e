#include <libpq-fe.h>
#include <string.h>

#include "die.h"
#include "pgconn.h"

bool pg_is_uri(const char *db)
{
	return !strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11);
}

void pg_check_uri(const char *uri)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(uri, &err);
	struct buf msg = BUF_INIT;

	if (opts) {
		PQconninfoFree(opts);
		return;
	}
	pg_one_line(&msg, err ? err : "out of memory");
	PQfreemem(err);
	die(EX_USAGE, "invalid value for --db: not a PostgreSQL URI: %s", msg.data);
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
