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


/* The type a raw JSON value suggests, for inference; STRING values are
 * examined only when EXAMINE_STRINGS.  *IS_NULL is set for null. */
struct type value_infer(const char *v, size_t n, bool examine_strings, bool *is_null);

#endif
