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
	{ "commit", "write batches into SQLite, PostgreSQL or NDJSON, exactly once" },
	{ "copy-into", "COPY INTO: load files not loaded before into a table" },
	{ "ctas", "CREATE OR REPLACE TABLE AS SELECT from files" },
	{ "autoload", "Auto Loader: the whole pipeline behind Databricks option names" },
	{ "status", "what a checkpoint says about its stream; tables and row counts" },
};

static void usage(void)
{
	printf("usage: inlet COMMAND [ARGS...]\n"
	       "       inlet help [COMMAND]\n"
	       "       inlet --help | --version\n\n"
	       "Incremental file ingestion: small filters over NDJSON pipes.\n\n"
	       "Stages and composites:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].what);
	printf("\n'inlet help COMMAND' or 'inlet COMMAND --help' shows a command's "
	       "options;\nman inlet-COMMAND and inlet(7) say more.\n");
	close_stdout();
	exit(0);
}

/*
 * "inlet --complete": the dispatcher's options and its COMMAND operand in
 * the line format of options.h's optset_complete(), for the completion
 * scripts; "inlet NAME --complete" is inlet-NAME's own.
 */
static void complete(void)
{
	printf("--help\t-h\t-\t-\tshow this help\n"
	       "--version\t-\t-\t-\tshow the version\n"
	       "operand\t-\t-\t");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("%s%s", i ? " " : "", commands[i].name);
	printf("\t-\n");
	close_stdout();
	exit(0);
}

/*
 * Run inlet-NAME with ARGV (ARGV[0] is replaced by "inlet-NAME"): first
 * beside this binary, so a build tree works without installing, then on
 * PATH.  Returns only on failure, after a usage error for a NAME that is
 * no inlet command.
 */
static void run_command(const char *name, char **argv)
{
	struct buf prog = BUF_INIT, self = BUF_INIT;
	char exe[PATH_MAX];
	ssize_t n;

	if (strchr(name, '/') || !*name)
		usage_error("'%s' is not an inlet command", name);
	buf_printf(&prog, "inlet-%s", name);
	argv[0] = prog.data;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			buf_add(&self, exe, (size_t)(slash - exe + 1));
			buf_adds(&self, prog.data);
			if (access(self.data, X_OK) == 0)
				execv(self.data, argv);
		}
	}
	execvp(prog.data, argv);
	if (errno == ENOENT)
		usage_error("'%s' is not an inlet command", name);
	die_errno(EX_OSERR, "cannot run '%s'", prog.data);
}

/* "inlet help [COMMAND]": the dispatcher's help, or COMMAND --help. */
static void help(int argc, char **argv)
{
	static char help_opt[] = "--help";

	if (argc < 3)
		usage();
	if (argc > 3)
		usage_error("unexpected argument '%s' after 'help %s'", argv[3], argv[2]);
	if (argv[2][0] == '-')
		usage_error("'%s' is not an inlet command", argv[2]);
	char *args[] = { NULL, help_opt, NULL };
	run_command(argv[2], args);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage();
	if (!strcmp(argv[1], "--version"))
		print_version();
	if (!strcmp(argv[1], "--complete") && argc == 2)
		complete();
	if (!strcmp(argv[1], "help"))
		help(argc, argv);
	if (argv[1][0] == '-')
		usage_error("unknown option '%s'", argv[1]);
	run_command(argv[1], argv + 1);
}
