#include <string.h>

#include "batch.h"
#include "die.h"

const char batch_framed_begin[] = "{\"_inlet\":\"begin\",\"last\":true}";
const char batch_framed_end[] = "{\"_inlet\":\"end\"}";
const char batch_valid_claim[] = "json-utf8";

void batch_reader_init(struct batch_reader *br, FILE *fp, const char *name)
{
	memset(br, 0, sizeof(*br));
	stream_reader_init(&br->in, fp, name);
	br->id = -1;
}

void batch_reader_init_files(struct batch_reader *br, char *const *paths, int n)
{
	memset(br, 0, sizeof(*br));
	stream_reader_init_files(&br->in, paths, n);
	br->id = -1;
}

int batch_reader_status(const struct batch_reader *br)
{
	return br->in.missing ? EX_NOINPUT : 0;
}

void batch_reader_free(struct batch_reader *br)
{
	stream_reader_free(&br->in);
}

void batch_reader_trust(struct batch_reader *br)
{
	br->trust = true;
}

void batch_write_begin(FILE *fp, const char *text, size_t len, bool valid)
{
	static const char claim[] = "\"valid\":\"json-utf8\"";
	struct buf b = BUF_INIT;
	struct json_iter it;
	struct json_field f;
	bool first = true;

	/* The begin record was validated: no batch is located before it. */
	buf_addc(&b, '{');
	if (json_object_open(&it, text, len, NULL) == 0) {
		while (json_object_next(&it, &f, NULL) == 1) {
			if (json_key_is(&f, "valid"))
				continue;
			if (!first)
				buf_addc(&b, ',');
			first = false;
			buf_addc(&b, '"');
			buf_add(&b, f.key, f.key_len);
			buf_add(&b, "\":", 2);
			buf_add(&b, f.val, f.val_len);
		}
	}
	if (valid) {
		if (!first)
			buf_addc(&b, ',');
		buf_add(&b, claim, sizeof(claim) - 1);
	}
	buf_addc(&b, '}');
	stream_write(fp, b.data, b.len);
	buf_free(&b);
}

/* "batch N" or "an unnumbered batch" in NAME, for messages. */
#define BATCH_NAME_MAX 40
static const char *batch_name(long long id, char *name)
{
	if (id < 0)
		return "an unnumbered batch";
	snprintf(name, BATCH_NAME_MAX, "batch %lld", id);
	return name;
}

static void synthesize(struct batch_reader *br, const char *text, size_t len, const char *event)
{
	br->valid = br->in.trusted = false;	/* a framed batch claims nothing */
	memset(&br->rec, 0, sizeof(br->rec));
	br->rec.kind = RECORD_CONTROL;
	br->rec.text = text;
	br->rec.len = len;
	br->rec.batch = -1;
	strcpy(br->rec.event, event);
}

/* A row, file or skip arrived between batches: frame a batch around it. */
static enum batch_event frame(struct batch_reader *br)
{
	br->held = br->rec;
	br->holding = true;
	br->open = br->framed = br->last = true;
	br->id = -1;
	br->checkpoint[0] = '\0';
	synthesize(br, batch_framed_begin, sizeof(batch_framed_begin) - 1, "begin");
	return BATCH_BEGIN;
}

static enum batch_event end_framed(struct batch_reader *br)
{
	br->open = false;
	synthesize(br, batch_framed_end, sizeof(batch_framed_end) - 1, "end");
	return BATCH_END;
}

static enum batch_event on_begin(struct batch_reader *br)
{
	const char *v;
	size_t n;

	if (br->open && br->framed) {
		br->held = br->rec;
		br->holding = true;
		return end_framed(br);
	}
	if (br->open) {
		char a[BATCH_NAME_MAX], b[BATCH_NAME_MAX];
		die(EX_DATAERR, "'%s' line %lu: %s began before %s ended", br->in.name,
		    br->in.lineno, batch_name(br->rec.batch, a), batch_name(br->id, b));
	}
	br->open = true;
	br->framed = false;
	br->id = br->rec.batch;
	br->last = false;
	br->valid = false;
	br->checkpoint[0] = '\0';
	for (size_t i = 0; i < br->rec.nfields; i++) {
		const struct json_field *f = &br->rec.fields[i];
		v = f->val;
		n = f->val_len;
		if (json_key_is(f, "last"))
			br->last = n == 4 && !memcmp(v, "true", 4);
		else if (json_key_is(f, "checkpoint") && json_is_string(v, n) &&
			 n - 2 < sizeof(br->checkpoint))
			memcpy(br->checkpoint, v + 1, n - 2), br->checkpoint[n - 2] = '\0';
		else if (json_key_is(f, "valid"))
			br->valid = n == sizeof(batch_valid_claim) + 1 && v[0] == '"' &&
				    !memcmp(v + 1, batch_valid_claim, n - 2);
	}
	br->in.trusted = br->trust && br->valid;
	return BATCH_BEGIN;
}

static enum batch_event on_end(struct batch_reader *br)
{
	char a[BATCH_NAME_MAX], b[BATCH_NAME_MAX];

	if (!br->open || br->framed)
		die(EX_DATAERR, "'%s' line %lu: end of %s that never began", br->in.name,
		    br->in.lineno, batch_name(br->rec.batch, a));
	if (br->rec.batch != br->id)
		die(EX_DATAERR, "'%s' line %lu: end of %s inside %s", br->in.name,
		    br->in.lineno, batch_name(br->rec.batch, a), batch_name(br->id, b));
	br->open = false;
	br->in.trusted = false;	/* between batches every record is validated */
	return BATCH_END;
}

enum batch_event batch_next(struct batch_reader *br)
{
	if (br->holding) {
		struct json_error err;
		br->holding = false;
		/* Again: the stage may have classified other text meanwhile. */
		if (record_classify(&br->rec, br->held.text, br->held.len, &err) < 0)
			die(EX_SOFTWARE, "'%s' line %lu: a held record no longer parses",
			    br->in.name, br->in.lineno);
	} else {
		/* A stop signal may end the input only where no batch is cut. */
		br->in.stop_ok = !br->open || br->framed;
		if (!stream_next_record(&br->in, &br->rec)) {
			if (br->open && br->framed)
				return end_framed(br);
			return br->open ? BATCH_CUT : BATCH_EOF;
		}
	}
	if (br->rec.kind == RECORD_CONTROL) {
		if (!strcmp(br->rec.event, "begin"))
			return on_begin(br);
		if (!strcmp(br->rec.event, "end"))
			return on_end(br);
	}
	if (br->rec.kind == RECORD_ROW)
		return br->open ? BATCH_ROW : frame(br);
	if (!strcmp(br->rec.event, "schema"))
		return BATCH_SCHEMA;
	if (!strcmp(br->rec.event, "file"))
		return br->open ? BATCH_FILE : frame(br);
	if (!strcmp(br->rec.event, "skip") && !br->open)
		return frame(br);
	return BATCH_CONTROL;
}

void batch_die_cut(const struct batch_reader *br, const char *consequence)
{
	char name[BATCH_NAME_MAX];

	die(EX_IOERR, "'%s': input ended inside %s (an upstream stage failed); %s",
	    br->in.name, batch_name(br->id, name), consequence);
}
