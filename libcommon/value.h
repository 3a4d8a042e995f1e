#ifndef INLET_VALUE_H
#define INLET_VALUE_H
/*
 * Conversions of raw JSON values to schema types, on text: integers are
 * range-checked as digits, decimals are rounded as digits, so nothing
 * passes through a double unless the type is DOUBLE.  A value already of
 * the target type passes byte for byte.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "datetime.h"
#include "schema.h"

/*
 * Append to OUT the JSON text of the raw value V (N bytes) converted to T.
 * PATTERN is a Spark date/time pattern for DATE and TIMESTAMP (NULL: ISO
 * 8601).  Returns 0, or -1 when V does not convert (OUT unchanged, and
 * *WHY, if given, a static reason).  JSON null converts to null.
 */
int value_cast(const char *v, size_t n, struct type t, const char *pattern,
	       struct buf *out, const char **why);
/*
 * As value_cast, but 1 (and nothing appended) when the cast gives V
 * itself, so that a stage can keep the row's text as it is.
 */
int value_cast_keep(const char *v, size_t n, struct type t, const char *pattern,
		    struct buf *out, const char **why);
/*
 * As value_cast_keep, a TIMESTAMP's text without an offset being a local
 * time in ZONE (NULL: UTC; datetime.h time_zone_load), as Spark's timeZone
 * option reads it.  The result is UTC as ever.
 */
int value_cast_keep_in(const char *v, size_t n, struct type t, const char *pattern,
		       const struct time_zone *zone, struct buf *out, const char **why);

/*
 * Whether value_cast_keep_in would return 1 for V (N bytes), T and
 * PATTERN, decided the cheap way: V is already the canonical text of
 * its type (null, a string for STRING, an integer in range without
 * leading zeros, a DECIMAL's exact digits, "YYYY-MM-DDTHH:MM:SS[.f]Z").
 * False says nothing more: call value_cast_keep_in.  For stages that
 * check every value of every row.
 */
bool value_is_cast(const char *v, size_t n, struct type t, const char *pattern);

/*
 * V (quotes included) as value_is_cast takes a TIMESTAMP, inlet's own
 * form "YYYY-MM-DDTHH:MM:SS[.f]Z" (1 to 6 fraction digits, the last not
 * 0), in microseconds since 1970-01-01 UTC in *US; false when V is not
 * of that form.
 */
bool value_timestamp_us(const char *v, size_t n, long long *us);

/*
 * The rules value_infer follows: those of the format the row came from
 * (parse's "format" in the file record) and the stage's options.
 */
struct infer_rules {
	bool text;		/* the row came from text (CSV): its strings hold the values */
	bool examine_text;	/* with TEXT: type the strings (else STRING) */
	bool primitives_as_string; /* numbers and booleans are STRING (Spark's primitivesAsString) */
	bool prefers_decimal;	/* fractions as DECIMAL(p,s) (Spark's prefersDecimal) */
	const char *timestamp_format;	/* with EXAMINE_TEXT: pattern for TIMESTAMP, or NULL (ISO 8601) */
	const char *date_format;	/* with EXAMINE_TEXT: pattern for DATE, or NULL (yyyy-MM-dd) */
};

/*
 * The type a raw JSON value V (N bytes) suggests, for inference, as
 * Spark's JsonInferSchema does for JSON: an integer is BIGINT, beyond
 * that DECIMAL(digits,0) up to 38 digits, then DOUBLE; a fraction DOUBLE
 * (DECIMAL(p,s) with PREFERS_DECIMAL); true/false BOOLEAN; a string STRING
 * whatever it holds (even with PREFERS_DECIMAL, where Spark would make
 * "02134" DECIMAL(4,0)); with PRIMITIVES_AS_STRING numbers and booleans
 * are STRING too.  With R->TEXT and R->EXAMINE_TEXT, strings are typed
 * as Spark's CSVInferSchema does: INT, BIGINT, DECIMAL(digits,0), DOUBLE,
 * BOOLEAN, TIMESTAMP, DATE.  Objects and arrays are JSON.  *IS_NULL is set
 * for null and for the empty string (Spark counts both as null until all
 * rows are seen).
 */
struct type value_infer(const char *v, size_t n, const struct infer_rules *r, bool *is_null);

#endif
