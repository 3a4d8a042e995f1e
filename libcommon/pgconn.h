#ifndef INLET_PGCONN_H
#define INLET_PGCONN_H
/*
 * PostgreSQL's --db values, for the programs that can reach PostgreSQL
 * (inlet-commit's sink, inlet-status's and inlet-join's readers): whether
 * a value names a PostgreSQL database, whether libpq can parse it (which
 * loads libpq, pq.h), and libpq's messages on one line.  The other
 * programs never link this file.
 */
#include <stdbool.h>

#include "buf.h"

/* Whether DB is a postgresql:// or postgres:// URI. */
bool pg_is_uri(const char *db);
/*
 * Dies with EX_USAGE, naming libpq's reason, unless libpq parses URI;
 * with EX_UNAVAILABLE when libpq cannot be loaded (pq_load).
 */
void pg_check_uri(const char *uri);
/*
 * A connection to URI (libpq's PGconn, loaded by pq_load), the server
 * showing the program's name unless the URI sets application_name; the
 * caller owns it and checks PQstatus.  Dies with EX_OSERR when libpq has
 * no memory for it.
 */
struct pg_conn *pg_connect(const char *uri);
/*
 * Append MSG (a server or libpq message; NULL: nothing) to OUT on one
 * line: its newlines, tabs and carriage returns become single spaces, and
 * none is left at its end.
 */
void pg_one_line(struct buf *out, const char *msg);
/*
 * Append URI to OUT as messages may show it: a password in its user part
 * (postgresql://user:SECRET@host) or its query (password=SECRET) becomes
 * "***".  Everything else is kept as given.
 */
void pg_redact_uri(struct buf *out, const char *uri);

#endif
