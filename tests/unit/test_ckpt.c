/* libcommon/ckpt, stream and cli: atomic files, numbered logs, records. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ckpt.h"
#include "datetime.h"
#include "fileio.h"
#include "stream.h"
#include "unit.h"

int main(void)
{
	char tmpl[] = "/tmp/inlet-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct ckpt ck;

	CHECK(dir != NULL, "temporary folder");
	buf_printf(&path, "%s/a/b/c", dir);
	CHECK(mkdir_p(path.data) == 0, "mkdir -p makes nested folders");
	CHECK(mkdir_p(path.data) == 0, "mkdir -p on an existing folder");

	buf_reset(&path);
	buf_printf(&path, "%s/file", dir);
	CHECK(write_file_atomic(path.data, "hello\n", 6) == 0, "atomic write");
	CHECK(read_file(path.data, &text) == 0 && !strcmp(text.data, "hello\n"),
	      "reads back what was written");
	CHECK(write_file_atomic(path.data, "x", 1) == 0, "atomic overwrite");
	buf_reset(&text);
	read_file(path.data, &text);
	CHECK(text.len == 1 && text.data[0] == 'x', "overwrite replaces the content");

	buf_reset(&path);
	buf_printf(&path, "%s/ck", dir);
	ckpt_open(&ck, path.data);
	CHECK(strlen(ck.id) == 32, "a new checkpoint gets a 32-hex id");
	char id[40];
	strcpy(id, ck.id);
	ckpt_close(&ck);
	ckpt_open(&ck, path.data);
	CHECK(!strcmp(id, ck.id), "the id survives a reopen");

	struct buf log = BUF_INIT;
	ckpt_path(&ck, "offsets", -1, &log);
	mkdir_p(log.data);
	for (int i = 0; i < 12; i++) {
		struct buf p = BUF_INIT;
		ckpt_path(&ck, "offsets", i, &p);
		write_file_atomic(p.data, "{}\n", 3);
		buf_free(&p);
	}
	buf_reset(&text);
	buf_printf(&text, "%s/.7.tmp123", log.data);
	write_file_atomic(text.data, "junk", 4);
	size_t n;
	long long *list = ckpt_log_list(log.data, &n);
	CHECK(n == 12 && list[0] == 0 && list[11] == 11, "log lists numbers in order, ignoring temporaries");
	free(list);
	CHECK(ckpt_log_latest(log.data) == 11, "latest entry");
	CHECK(ckpt_log_prune(log.data, 10) == 10, "prune removes entries below the mark");
	CHECK(ckpt_log_latest(log.data) == 11, "prune keeps the newest");
	remove_temporaries(log.data);
	CHECK(access(text.data, F_OK) != 0, "temporaries are cleaned");
	CHECK(ckpt_log_latest("/nonexistent/inlet") == -1, "a missing log is empty");
	buf_free(&log);

	struct record rec;
	const char *ctl = "{\"_inlet\":\"file\",\"batch\":7,\"path\":\"/x\\/y\",\"size\":12}";
	CHECK(record_classify(&rec, ctl, strlen(ctl), NULL) == 0 &&
	      rec.kind == RECORD_CONTROL && !strcmp(rec.event, "file") && rec.batch == 7,
	      "a file record is a control record of batch 7");
	buf_reset(&text);
	CHECK(record_get_string(&rec, "path", &text) && !strcmp(text.data, "/x/y"),
	      "string member decoded");
	CHECK(record_get_int(&rec, "size", -1) == 12, "integer member");
	const char *row = "{\"batch\":3,\"a\":1}";
	CHECK(record_classify(&rec, row, strlen(row), NULL) == 0 &&
	      rec.kind == RECORD_ROW && rec.batch == -1, "a row with a batch column is a row");

	char when[32];
	iso8601_utc(when, 0, 123456789);
	CHECK(!strcmp(when, "1970-01-01T00:00:00.123456Z"), "ISO-8601 with microseconds");

	ckpt_close(&ck);
	buf_free(&path);
	buf_free(&text);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return unit_done();
}
