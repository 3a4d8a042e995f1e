/*
 * The Spark DDL parser (libcommon/schema.h) as --schema and
 * --schema-hints feed it.  Invariants: a parsed schema written as a
 * schema record reads back with the same names and types, and each
 * type's name parses back to the same type.
 */
#include "buf.h"
#include "json.h"
#include "schema.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ddl = fuzz_strndup(data, size);
	struct schema s = SCHEMA_INIT, back = SCHEMA_INIT;
	struct buf err = BUF_INIT, rec = BUF_INIT, name = BUF_INIT;

	if (schema_parse_ddl(&s, ddl, &err) == 0) {
		FUZZ_ASSERT(s.n > 0, "a parsed schema has columns");
		for (size_t i = 0; i < s.n; i++) {
			struct type t;
			buf_reset(&name);
			type_name(s.cols[i].type, &name);
			FUZZ_ASSERT(type_parse(name.data, name.len, &t) == 0 &&
				    t.kind == s.cols[i].type.kind &&
				    t.precision == s.cols[i].type.precision &&
				    t.scale == s.cols[i].type.scale,
				    "type name '%s' parses back", name.data);
			schema_find(&s, s.cols[i].name, strlen(s.cols[i].name));
			schema_find_nocase(&s, s.cols[i].name, strlen(s.cols[i].name));
		}
		schema_to_record(&s, &rec);
		buf_reset(&err);
		FUZZ_ASSERT(schema_from_record(&back, rec.data, rec.len, &err) == 0,
			    "record '%s' reads back: %s", rec.data, err.data ? err.data : "");
		FUZZ_ASSERT(back.n == s.n, "same column count");
		for (size_t i = 0; i < s.n; i++) {
			FUZZ_ASSERT(!strcmp(back.cols[i].name, s.cols[i].name),
				    "column %zu name", i);
			FUZZ_ASSERT(back.cols[i].type.kind == s.cols[i].type.kind &&
				    back.cols[i].type.precision == s.cols[i].type.precision &&
				    back.cols[i].type.scale == s.cols[i].type.scale,
				    "column %zu type", i);
			if (i)
				type_widen(s.cols[i - 1].type, s.cols[i].type);
		}
	} else {
		FUZZ_ASSERT(err.len > 0, "a refused DDL has a message");
	}
	/* The text as a schema record too (a schemas/V file). */
	struct schema r = SCHEMA_INIT;
	buf_reset(&err);
	schema_from_record(&r, ddl, size, &err);
	schema_free(&r);
	schema_free(&s);
	schema_free(&back);
	buf_free(&err);
	buf_free(&rec);
	buf_free(&name);
	free(ddl);
	return 0;
}
