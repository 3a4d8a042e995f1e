#ifndef INLET_PQ_H
#define INLET_PQ_H
/*
 * libpq, loaded when a program first needs it: the programs that can
 * reach PostgreSQL (inlet-commit, inlet-join, inlet-status) do not link
 * it, since loading it and the 22 libraries it needs made every start
 * take 4.2 ms, PostgreSQL or not, where a stage without them takes
 * 1.0.  A file that calls libpq includes this header instead of
 * <libpq-fe.h>: the names below then call through pq_fn, which pq_load
 * fills (its members are fn_NAME: an argument of PQ_FUNCTIONS is
 * expanded, unless pasted or quoted, once these names are macros).
 */
#include <libpq-fe.h>

#define PQ_FUNCTIONS(X) \
	X(PQclear) X(PQcmdStatus) X(PQconnectdbParams) X(PQconninfoFree) \
	X(PQconninfoParse) X(PQdb) X(PQerrorMessage) X(PQescapeIdentifier) \
	X(PQexec) X(PQexecParams) X(PQfinish) X(PQflush) X(PQfmod) X(PQfname) \
	X(PQfreemem) X(PQftype) X(PQgetResult) X(PQgetisnull) X(PQgetlength) \
	X(PQgetvalue) X(PQhost) X(PQnfields) X(PQntuples) X(PQport) \
	X(PQputCopyData) X(PQputCopyEnd) X(PQreset) X(PQresultErrorField) \
	X(PQresultStatus) X(PQsendQuery) X(PQsetClientEncoding) \
	X(PQsetNoticeReceiver) X(PQsetSingleRowMode) X(PQstatus) X(PQuser)

struct pq_functions {
#define PQ_MEMBER(f) __typeof__(f) *fn_##f;
	PQ_FUNCTIONS(PQ_MEMBER)
#undef PQ_MEMBER
};
extern struct pq_functions pq_fn;

/*
 * Load libpq once: INLET_LIBPQ (inlet(7)) names the file, else
 * libpq.so.5 is looked for as the dynamic linker looks.  Dies with
 * EX_UNAVAILABLE, naming the file and the reason, when it cannot be
 * loaded or lacks a function.
 */
void pq_load(void);

/*
 * Each name in PQ_FUNCTIONS has its line here: a name missing from the
 * list has no member, one missing here calls libpq's own symbol, which
 * no program links; either fails the build.
 */
#define PQclear (pq_fn.fn_PQclear)
#define PQcmdStatus (pq_fn.fn_PQcmdStatus)
#define PQconnectdbParams (pq_fn.fn_PQconnectdbParams)
#define PQconninfoFree (pq_fn.fn_PQconninfoFree)
#define PQconninfoParse (pq_fn.fn_PQconninfoParse)
#define PQdb (pq_fn.fn_PQdb)
#define PQerrorMessage (pq_fn.fn_PQerrorMessage)
#define PQescapeIdentifier (pq_fn.fn_PQescapeIdentifier)
#define PQexec (pq_fn.fn_PQexec)
#define PQexecParams (pq_fn.fn_PQexecParams)
#define PQfinish (pq_fn.fn_PQfinish)
#define PQflush (pq_fn.fn_PQflush)
#define PQfmod (pq_fn.fn_PQfmod)
#define PQfname (pq_fn.fn_PQfname)
#define PQfreemem (pq_fn.fn_PQfreemem)
#define PQftype (pq_fn.fn_PQftype)
#define PQgetResult (pq_fn.fn_PQgetResult)
#define PQgetisnull (pq_fn.fn_PQgetisnull)
#define PQgetlength (pq_fn.fn_PQgetlength)
#define PQgetvalue (pq_fn.fn_PQgetvalue)
#define PQhost (pq_fn.fn_PQhost)
#define PQnfields (pq_fn.fn_PQnfields)
#define PQntuples (pq_fn.fn_PQntuples)
#define PQport (pq_fn.fn_PQport)
#define PQputCopyData (pq_fn.fn_PQputCopyData)
#define PQputCopyEnd (pq_fn.fn_PQputCopyEnd)
#define PQreset (pq_fn.fn_PQreset)
#define PQresultErrorField (pq_fn.fn_PQresultErrorField)
#define PQresultStatus (pq_fn.fn_PQresultStatus)
#define PQsendQuery (pq_fn.fn_PQsendQuery)
#define PQsetClientEncoding (pq_fn.fn_PQsetClientEncoding)
#define PQsetNoticeReceiver (pq_fn.fn_PQsetNoticeReceiver)
#define PQsetSingleRowMode (pq_fn.fn_PQsetSingleRowMode)
#define PQstatus (pq_fn.fn_PQstatus)
#define PQuser (pq_fn.fn_PQuser)

#endif
