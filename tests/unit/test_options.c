/*
 * libcommon/options: one table drives getopt_long, the option lines of
 * --help and --complete.  What exits (usage errors, --complete, --version,
 * a table that contradicts itself) runs in a child process.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "unit.h"

enum { O_MODE = 256, O_LONG, O_NO_CK, O_LEVEL };

static const struct optdef defs[] = {
	{ 'c', "checkpoint", OPT_REQUIRED, "DIR", OPT_DIR, "checkpoint folder" },
	{ O_NO_CK, "no-checkpoint", OPT_NONE, NULL, NULL, "remember nothing" },
	{ O_MODE, "mode", OPT_REQUIRED, "MODE", "append overwrite",
	  "append (default) or\noverwrite" },
	{ O_LONG, "a-very-long-option", OPT_REQUIRED, "VALUE", NULL, "wraps" },
	{ O_LEVEL, "level", OPT_OPTIONAL, "N", NULL, "how much" },
	{ 'x', "hidden", OPT_NONE, NULL, NULL, NULL },
	{ 'q', "quiet", OPT_NONE, NULL, NULL, "say less" },
	OPT_END
};

static struct optset set = { defs, 24, OPT_FILE, NULL, NULL };

static void usage_lines(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	optset_usage(fp, &set);
	fclose(fp);
	CHECK(!strcmp(text,
		"  -c, --checkpoint DIR  checkpoint folder\n"
		"      --no-checkpoint   remember nothing\n"
		"      --mode MODE       append (default) or\n"
		"                        overwrite\n"
		"      --a-very-long-option VALUE\n"
		"                        wraps\n"
		"      --level[=N]       how much\n"
		"  -q, --quiet           say less\n"
		"      --check-options   check the options and exit; for scripts that\n"
		"                        build pipelines\n"
		"  -h, --help            show this help\n"
		"      --version         show the version\n"),
	      "--help's option lines: aligned at the column, long ones wrapped, "
	      "the hidden one left out:\n%s", text);
	free(text);
}

/* Parse ARGV (NULL-terminated) and write "key=optarg " per option into OUT. */
static void parse(char **argv, char *out, size_t cap)
{
	int argc = 0, c;

	while (argv[argc])
		argc++;
	optind = 0;	/* glibc: start over */
	out[0] = '\0';
	check_options = 0;
	while ((c = optset_getopt(argc, argv, &set)) != -1) {
		size_t n = strlen(out);
		if (c < 256)
			snprintf(out + n, cap - n, "%c=%s ", c, optarg ? optarg : "");
		else
			snprintf(out + n, cap - n, "%d=%s ", c, optarg ? optarg : "");
	}
}

static void getopt_forms(void)
{
	char got[256], want[256];
	char *a1[] = { "prog", "-c", "ck", "--checkpoint=ck2", "--checkpoint", "ck3", "-cck4",
		       "-q", "--mode", "append", "--mo=overwrite", "file", NULL };
	parse(a1, got, sizeof(got));
	snprintf(want, sizeof(want), "c=ck c=ck2 c=ck3 c=ck4 q= %d=append %d=overwrite ",
		 O_MODE, O_MODE);
	CHECK(!strcmp(got, want) && optind == 11, "short, long, =, attached and abbreviated "
	      "forms: '%s', operands from %d", got, optind);

	char *a2[] = { "prog", "--level", "--level=3", "--check-options", "-x", NULL };
	parse(a2, got, sizeof(got));
	snprintf(want, sizeof(want), "%d= %d=3 x= ", O_LEVEL, O_LEVEL);
	CHECK(!strcmp(got, want) && check_options == 1,
	      "an optional value only with '=', --check-options handled, a hidden option "
	      "still taken: '%s'", got);
}

struct call { char **argv; };

static void run_parse(void *arg)
{
	char got[256];

	parse(((struct call *)arg)->argv, got, sizeof(got));
}

/* Does ARGV end the program with STATUS and stderr starting with WANT? */
static void exits(char **argv, int status, const char *want)
{
	struct call c = { argv };
	char err[512];
	int got = unit_fork(run_parse, &c, err, sizeof(err));

	CHECK(got == status && !strncmp(err, want, strlen(want)),
	      "'%s %s' exits %d (%d), stderr '%.*s'", argv[1], argv[2] ? argv[2] : "", status,
	      got, (int)strcspn(err, "\n"), err);
}

static void usage_errors(void)
{
	char *a1[] = { "test_options", "--bogus", NULL };
	exits(a1, 64, "test_options: unknown option '--bogus'");
	char *a2[] = { "test_options", "-c", NULL };
	exits(a2, 64, "test_options: option '-c' requires an argument");
	char *a3[] = { "test_options", "--mode", NULL };
	exits(a3, 64, "test_options: option '--mode' requires an argument");
	char *a4[] = { "test_options", "--quiet=1", NULL };
	exits(a4, 64, "test_options: ");
	char *a5[] = { "test_options", "-z", NULL };
	exits(a5, 64, "test_options: unknown option '-z'");
	/* --no-checkpoint and --no-... : --n is not ambiguous, --c is. */
	char *a6[] = { "test_options", "--c", "x", NULL };
	exits(a6, 64, "test_options: ");
	/* --complete is that word alone: elsewhere no option. */
	char *a7[] = { "test_options", "--complete", "-q", NULL };
	exits(a7, 64, "test_options: unknown option '--complete'");
	char *a8[] = { "test_options", "--version", NULL };
	exits(a8, 0, "");
}

/* Run FN in a child and capture its stdout into OUT; returns the status. */
static int capture_stdout(void (*fn)(void *), void *arg, char *out, size_t cap)
{
	FILE *tmp = tmpfile();
	int status;
	pid_t pid;

	fflush(stdout);
	if (!tmp || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fileno(tmp), 1);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	rewind(tmp);
	size_t n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void complete_lines(void)
{
	char out[2048];
	char *argv[] = { "test_options", "--complete", NULL };
	struct call c = { argv };
	int status = capture_stdout(run_parse, &c, out, sizeof(out));

	CHECK(status == 0 && !strcmp(out,
		"--checkpoint\t-c\tDIR\t<dir>\tcheckpoint folder\n"
		"--no-checkpoint\t-\t-\t-\tremember nothing\n"
		"--mode\t-\tMODE\tappend overwrite\tappend (default) or\n"
		"--a-very-long-option\t-\tVALUE\t-\twraps\n"
		"--level\t-\t[N]\t-\thow much\n"
		"--quiet\t-q\t-\t-\tsay less\n"
		"--check-options\t-\t-\t-\tcheck the options and exit; for scripts that\n"
		"--help\t-h\t-\t-\tshow this help\n"
		"--version\t-\t-\t-\tshow the version\n"
		"operand\t-\t-\t<file>\t-\n"),
	      "--complete: five fields a line, the first help line, not the hidden "
	      "option (status %d):\n%s",
	      status, out);
}

static const struct optdef bad_defs[] = {
	{ 'c', "checkpoint", OPT_NONE, "DIR", NULL, "a value name without a value" },
	{ 0 }
};

static void run_bad(void *arg)
{
	struct optset bad = { bad_defs, 20, NULL, NULL, NULL };
	char *argv[] = { "test_options", NULL };

	(void)arg;
	optind = 0;
	optset_getopt(1, argv, &bad);
}

static void bad_table(void)
{
	char err[512];
	int status = unit_fork(run_bad, NULL, err, sizeof(err));

	CHECK(status == 70 && strstr(err, "'--checkpoint'"),
	      "a table that contradicts itself dies with 70 (%d): %s", status, err);
}

int main(void)
{
	usage_lines();
	getopt_forms();
	usage_errors();
	complete_lines();
	bad_table();
	return unit_done();
}
