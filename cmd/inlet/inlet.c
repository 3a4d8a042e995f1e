/*
 * inlet: run "inlet NAME ARGS..." as "inlet-NAME ARGS...", as git does.
 * The program is looked up first beside this binary (so a build tree
 * works without installing), then on PATH.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "die.h"

static const struct {
	const char *name, *what;
} commands[] = {
	{ "discover", "list source folders, emit batches of new files" },
	{ "parse", "turn CSV, JSON lines or text files into JSON rows" },
	{ "rescue", "give rows the schema's columns: infer, evolve, rescue the rest" },
	{ "cast", "convert values to the schema's types; reshape rows with jq" },
	{ "join", "enrich rows from a static table that may change between batches" },
	{ "window", "event-time windows with watermarks: count, sum, avg, min, max" },
	{ "commit", "write batches into SQLite, an NDJSON folder or stdout, exactly once" },
	{ "copy-into", "COPY INTO: load files not loaded before into a table" },
	{ "ctas", "CREATE OR REPLACE TABLE AS SELECT from files" },
	{ "autoload", "Auto Loader: the whole pipeline behind Databricks option names" },
	{ "status", "what a checkpoint says about its stream; tables and row counts" },
};

static void usage(int code)
{
	FILE *fp = code ? stderr : stdout;

	fprintf(fp, "usage: inlet COMMAND [ARGS...]\n"
		"       inlet --help | --version\n\n"
		"Incremental file ingestion: small filters over NDJSON pipes.\n\n"
		"Stages and composites:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].what);
	fprintf(fp, "\n'inlet COMMAND --help' shows a command's options; "
		"man inlet-COMMAND and inlet(7) say more.\n");
	exit(code);
}

int main(int argc, char **argv)
{
	struct buf prog = BUF_INIT, self = BUF_INIT;
	char exe[PATH_MAX];
	ssize_t n;

	if (argc < 2)
		usage(EX_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		usage(0);
	if (!strcmp(argv[1], "--version"))
		print_version();
	if (argv[1][0] == '-') {
		error("unknown option '%s'", argv[1]);
		usage(EX_USAGE);
	}
	if (strchr(argv[1], '/'))
		die(EX_USAGE, "'%s' is not an inlet command", argv[1]);

	buf_printf(&prog, "inlet-%s", argv[1]);
	argv[1] = prog.data;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			buf_add(&self, exe, (size_t)(slash - exe + 1));
			buf_adds(&self, prog.data);
			if (access(self.data, X_OK) == 0)
				execv(self.data, argv + 1);
		}
	}
	execvp(prog.data, argv + 1);
	if (errno == ENOENT)
		die(EX_USAGE, "'%s' is not an inlet command; see 'inlet --help'",
		    prog.data + strlen("inlet-"));
	die_errno(EX_OSERR, "cannot run '%s'", prog.data);
}
