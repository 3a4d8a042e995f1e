#ifndef INLET_PARTCOLS_H
#define INLET_PARTCOLS_H
/*
 * The partition columns of a file, as inlet-parse names them in its file
 * record: "partition_columns":["date","country"].  Their values are folder
 * text (JSON strings) whatever the file's format, so inference and casts
 * read them as CSV text is read.
 */
#include <stdbool.h>

#include "buf.h"
#include "json.h"
#include "stream.h"

/*
 * The names of the file record REC's "partition_columns" into NAMES
 * (emptied first; each name NUL-terminated, one after another): none when
 * REC has no such array.
 */
void partcols_read(const struct record *rec, struct buf *names);
/* Is member F one of NAMES (as partcols_read leaves them)? */
bool partcols_has(const struct buf *names, const struct json_field *f);

#endif
