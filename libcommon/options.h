#ifndef INLET_OPTIONS_H
#define INLET_OPTIONS_H
/*
 * One option table per stage, after git's parse-options.h: the table
 * drives getopt_long(3), the OPTIONS part of --help and the shell
 * completions, so the three cannot drift apart.
 *
 *	static const struct optdef optdefs[] = {
 *		{ 'c', "checkpoint", OPT_REQUIRED, "DIR", OPT_DIR,
 *		  "checkpoint folder (offsets/, sources/)" },
 *		{ O_MODE, "mode", OPT_REQUIRED, "MODE", "append overwrite upsert",
 *		  "append (default); overwrite: replace the table\n"
 *		  "atomically with each batch" },
 *		OPT_END
 *	};
 *	static struct optset optset = { optdefs, 33, OPT_FILE, NULL, NULL };
 *	static void usage(int code)
 *	{
 *		optset_help(code, &optset, "usage: inlet-NAME ...\n\nWhat it does.\n\n");
 *	}
 *	...
 *	while ((c = optset_getopt(argc, argv, &optset)) != -1)
 *		switch (c) { case 'c': ...; case O_MODE: ...; case 'h': usage(0); }
 *
 * The tables are the stages' own static data; nothing here is freed (the
 * getopt arrays are built once and live until exit).  Every failure is a
 * usage error (exit 64, cli.h's usage_error()) or, for a table that
 * contradicts itself, die(EX_SOFTWARE).
 */
#include <stdio.h>

/* Whether an option takes a value: none, one (--opt V or --opt=V), or an
 * optional one (--opt=V only, as getopt_long has it). */
enum opt_arg { OPT_NONE, OPT_REQUIRED, OPT_OPTIONAL };

/*
 * What completes a value (optdef.values, optset.operands): NULL, free
 * text; OPT_FILE, file names; OPT_DIR, folder names; or a fixed word list
 * separated by blanks ("json csv text").  A word may hold a kind in
 * brackets, for values with a prefix: "move:<dir>" is move: then a
 * folder, "sqlite:<file>:" is sqlite:, a file, then ':' and free text; a
 * word ending in ':' is a prefix before free text ("every:", "sum:").  A
 * word ending in '=' is a key whose values are given by its own line of
 * the --complete output (the composites' -o KEY=VALUE).
 */
#define OPT_FILE "<file>"
#define OPT_DIR "<dir>"

struct optdef {
	/*
	 * What optset_getopt() returns for the option: its short letter
	 * ('c' for -c), or a number from 256 up for a long-only option.
	 */
	int key;
	const char *name;	/* long name, without "--" */
	enum opt_arg arg;
	const char *argname;	/* the value's name in --help ("DIR"); NULL with OPT_NONE */
	const char *values;	/* what completes the value (above) */
	/* --help's text; '\n' starts an aligned line; NULL: not in --help */
	const char *help;
};

/*
 * The keys optset_getopt() handles itself: --check-options sets
 * check_options (cli.h), --version prints it and exits 0.
 */
enum { OPT_KEY_CHECK_OPTIONS = 0x10000, OPT_KEY_VERSION };

/* The entries every stage ends its table with: then the end. */
#define OPT_END \
	{ OPT_KEY_CHECK_OPTIONS, "check-options", OPT_NONE, NULL, NULL, \
	  "check the options and exit; for scripts that\nbuild pipelines" }, \
	{ 'h', "help", OPT_NONE, NULL, NULL, "show this help" }, \
	{ OPT_KEY_VERSION, "version", OPT_NONE, NULL, NULL, "show the version" }, \
	{ 0 }

/* --rows-only, as the filter stages say it; KEY is the stage's. */
#define OPT_ROWS_ONLY(key) \
	{ (key), "rows-only", OPT_NONE, NULL, NULL, \
	  "rows only: leave out control records,\nfor tools other than inlet" }

struct optset {
	const struct optdef *defs;	/* ends with an entry whose name is NULL */
	int help_column;	/* where --help's option texts start */
	const char *operands;	/* what completes the operands (values above) */
	/* Built by the first optset_getopt() call; the caller sets NULL. */
	void *longopts;
	char *shortopts;
};

/*
 * getopt_long(3) over SET's table (cli.h's cli_getopt: one-line usage
 * errors naming the option as typed, exit 64).  Returns the entry's key,
 * or -1 after the last option; handles the OPT_KEY_* options itself.
 * "PROG --complete", that word alone, is optset_complete(SET): it is no
 * getopt option, so it makes no abbreviation ambiguous.
 */
int optset_getopt(int argc, char **argv, struct optset *set);

/*
 * The option lines of --help on FP: "  -c, --checkpoint DIR" or
 * "      --name ARG", the text from SET->help_column (on the next line
 * when the left part reaches it), its '\n's indented to the same column.
 */
void optset_usage(FILE *fp, const struct optset *set);

/*
 * --help: TEXT (the synopsis and the description, the stage's own), then
 * optset_usage(); on stdout and exit 0 when CODE is 0 (74 when stdout
 * cannot be written), else on stderr and exit CODE.
 */
void optset_help(int code, const struct optset *set, const char *text)
	__attribute__((noreturn));

/*
 * --complete (git's --git-completion-helper): on stdout one line an
 * option of --help (a hidden one is not offered), five fields separated by tabs, '-' for an empty one:
 *
 *	--LONG  -S  ARGNAME  VALUES  HELP
 *
 * ARGNAME is '-' for an option without a value and "[NAME]" for an
 * optional one; VALUES as optdef.values; HELP the first line of the help.
 * Then "operand - - VALUES -" when SET->operands is set.  Exits 0 (74
 * when stdout cannot be written).
 */
void optset_complete(const struct optset *set)
	__attribute__((noreturn));

#endif
