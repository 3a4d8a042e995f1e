#ifndef INLET_CAST_MAP_H
#define INLET_CAST_MAP_H
/*
 * cast --map: a jq program run on each row through libjq 1.6, with two
 * things libjq does not give by itself (inlet-cast(1), "The --map
 * program"):
 *
 *   - Exact numbers.  libjq 1.6 holds every number as a double.  The row
 *     is handed to jq with each number literal tagged with its place in
 *     the row's text; a number jq moves, renames or copies carries its tag
 *     to the output and is written as the text it came in with.  A number
 *     the program computes is a new double without a tag and is written
 *     as jq writes it.
 *   - $__batch, one value per micro-batch:
 *     {"time":"YYYY-MM-DDTHH:MM:SS.ffffffZ","id":N|null,"checkpoint":ID|null}.
 *     The program is compiled once as `input as $__batch | PROGRAM`, and
 *     `input` gives the batch's value once per row, so no batch costs a
 *     compile.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct map;

/* What map_row made of a row. */
enum map_result {
	MAP_OK,			/* every output went to the callback */
	MAP_ROW_FAILED,		/* the program failed on this row: REASON says why */
	MAP_NOT_OBJECT,		/* an output was not an object: REASON names its kind */
};

/*
 * Called once per output object: TEXT (LEN bytes, no newline) is valid
 * until the callback returns.
 */
typedef void map_emit_fn(const char *text, size_t len, void *data);

/*
 * Compile PROGRAM (borrowed for the life of the map).  Dies with EX_USAGE
 * and jq's messages when it does not compile, with EX_OSERR when libjq
 * cannot start.  The caller owns the result: map_free().
 */
struct map *map_new(const char *program);
void map_free(struct map *m);

/*
 * A micro-batch begins: $__batch becomes {"time": now, "id": ID (null when
 * negative), "checkpoint": CHECKPOINT (null when NULL or "")} for the rows
 * that follow, until the next call.
 */
void map_begin_batch(struct map *m, long long id, const char *checkpoint);

/*
 * Run the program on the row TEXT (one JSON object, LEN bytes, as the
 * stream reader gives it) and hand each output object to EMIT.  Outputs
 * given before a failure have been emitted.  On MAP_ROW_FAILED and
 * MAP_NOT_OBJECT, REASON (reset first) holds the message.
 */
enum map_result map_row(struct map *m, const char *text, size_t len,
			map_emit_fn *emit, void *data, struct buf *reason);

#endif
