#include <string.h>

#include "partcols.h"

void partcols_read(const struct record *rec, struct buf *names)
{
	struct json_iter it;
	const char *v, *val;
	size_t n, val_len;

	buf_reset(names);
	if (json_object_get(rec->text, rec->len, "partition_columns", &v, &n) != 1 ||
	    *v != '[')
		return;
	json_array_open(&it, v, n, NULL);
	while (json_array_next(&it, &val, &val_len, NULL) == 1)
		if (json_string_decode(names, val, val_len) == 0)
			buf_addc(names, '\0');
}

bool partcols_has(const struct buf *names, const struct json_field *f)
{
	for (size_t i = 0; i < names->len;) {
		const char *name = names->data + i;
		if (json_key_is(f, name))
			return true;
		i += strlen(name) + 1;
	}
	return false;
}
