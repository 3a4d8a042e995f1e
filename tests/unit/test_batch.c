/* libcommon/batch: the events of the batch protocol, framing included. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "unit.h"

/* The events of TEXT, one letter each, into OUT: B F S R C E, x for EOF. */
static void events(const char *text, char *out, size_t cap, char *framed)
{
	struct batch_reader br;
	size_t n = 0;
	int fds[2];
	FILE *fp;

	/* The reader reads a descriptor: the text goes through a pipe. */
	if (pipe(fds) < 0 || write(fds[1], text, strlen(text)) < 0)
		return;
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	batch_reader_init(&br, fp, "test");
	for (;;) {
		enum batch_event ev = batch_next(&br);
		static const char letters[] = "xBFSRCEK";
		if (n + 1 < cap)
			out[n++] = letters[ev];
		if (ev == BATCH_BEGIN && framed)
			*framed = br.framed ? 'y' : 'n';
		if (ev == BATCH_EOF || ev == BATCH_CUT)
			break;
	}
	out[n] = '\0';
	batch_reader_free(&br);
	fclose(fp);
}

int main(void)
{
	char got[64], framed = '?';

	events("{\"_inlet\":\"begin\",\"batch\":0}\n{\"_inlet\":\"file\",\"batch\":0,\"path\":\"/a\"}\n"
	       "{\"a\":1}\n{\"_inlet\":\"end\",\"batch\":0}\n", got, sizeof(got), &framed);
	CHECK(!strcmp(got, "BFREx") && framed == 'n', "a numbered batch: %s", got);

	events("{\"a\":1}\n{\"a\":2}\n", got, sizeof(got), &framed);
	CHECK(!strcmp(got, "BRREx") && framed == 'y', "plain rows are framed: %s", got);

	events("{\"_inlet\":\"schema\",\"version\":0,\"fields\":[]}\n{\"a\":1}\n", got, sizeof(got), NULL);
	CHECK(!strcmp(got, "SBREx"), "a schema between batches does not open one: %s", got);

	events("{\"a\":1}\n{\"_inlet\":\"begin\",\"batch\":4}\n{\"a\":2}\n{\"_inlet\":\"end\",\"batch\":4}\n",
	       got, sizeof(got), NULL);
	CHECK(!strcmp(got, "BREBREx"), "a real begin ends a framed batch first: %s", got);

	events("{\"_inlet\":\"begin\",\"batch\":1}\n{\"a\":1}\n", got, sizeof(got), NULL);
	CHECK(!strcmp(got, "BRK"), "input ending inside a batch is a cut: %s", got);

	events("{\"_inlet\":\"future\",\"x\":1}\n", got, sizeof(got), NULL);
	CHECK(!strcmp(got, "Cx"), "an unknown control record passes between batches: %s", got);

	events("{\"_inlet\":\"skip\",\"path\":\"/a\",\"reason\":\"r\"}\n", got, sizeof(got), NULL);
	CHECK(!strcmp(got, "BCEx"), "a skip record outside a batch is framed: %s", got);

	events("", got, sizeof(got), NULL);
	CHECK(!strcmp(got, "x"), "an empty stream has no batch: %s", got);
	return unit_done();
}
