/* libcommon/pgconn: URI recognition, one-line messages, passwords kept out of messages. */
#include <string.h>

#include "buf.h"
#include "pgconn.h"
#include "unit.h"

/* Is pg_redact_uri(URI) exactly WANT? */
static int redacts(const char *uri, const char *want)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "");
	pg_redact_uri(&out, uri);
	int ok = !strcmp(out.data, want);
	if (!ok)
		printf("# got '%s'\n", out.data);
	buf_free(&out);
	return ok;
}

static void redaction(void)
{
	CHECK(redacts("postgresql://h/db", "postgresql://h/db"), "no user: as given");
	CHECK(redacts("postgresql://u@h:5433/db", "postgresql://u@h:5433/db"), "a user alone is kept");
	CHECK(redacts("postgresql://u:s3cr3t@h/db", "postgresql://u:***@h/db"), "the user part's password");
	CHECK(redacts("postgres://u:p@ss@h/db?sslmode=require", "postgres://u:***@h/db?sslmode=require"),
	      "a password holding '@' up to the last '@' before the host");
	CHECK(redacts("postgresql:///db?host=/tmp&password=x&user=u", "postgresql:///db?host=/tmp&password=***&user=u"),
	      "the query's password among other parameters");
	CHECK(redacts("postgresql:///db?password=x", "postgresql:///db?password=***"),
	      "the query's password first");
	CHECK(redacts("postgresql://u:a@h/db?user=v&password=b", "postgresql://u:***@h/db?user=v&password=***"),
	      "both at once");
	CHECK(redacts("postgresql:///db?host=/tmp&xpassword=1", "postgresql:///db?host=/tmp&xpassword=1"),
	      "a parameter that only ends in password= is not one");
	CHECK(redacts("postgresql://h/password=db", "postgresql://h/password=db"),
	      "password= in the path is not a parameter");
}

static void recognition(void)
{
	CHECK(pg_is_uri("postgresql://h/db") && pg_is_uri("postgres://h/db"), "both schemes");
	CHECK(!pg_is_uri("t.db") && !pg_is_uri("postgresql:/h") && !pg_is_uri("sqlite:x"), "others are not");
}

static void one_line(void)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "");
	pg_one_line(&out, "FATAL:  no such database\n\tDETAIL: x\r\n");
	CHECK(!strcmp(out.data, "FATAL:  no such database DETAIL: x"), "newlines and tabs become one space, none at the end");
	buf_free(&out);
}

int main(void)
{
	redaction();
	recognition();
	one_line();
	return unit_done();
}
