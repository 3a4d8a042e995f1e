#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "die.h"
#include "options.h"

static size_t count_defs(const struct optdef *defs)
{
	size_t n = 0;

	while (defs[n].name)
		n++;
	return n;
}

static int has_arg(enum opt_arg arg)
{
	return arg == OPT_REQUIRED ? required_argument :
		arg == OPT_OPTIONAL ? optional_argument : no_argument;
}

/* Append DEF to the getopt arrays LONGOPTS (at *N) and SHORTOPTS. */
static void add_def(const struct optdef *def, struct option *longopts, size_t *n,
		    struct buf *shortopts)
{
	if (def->key <= 0 || def->key == '?' || def->key == ':')
		die(EX_SOFTWARE, "option table: bad key %d for '--%s'", def->key, def->name);
	if ((def->arg == OPT_NONE) != !def->argname)
		die(EX_SOFTWARE, "option table: '--%s' and its value name disagree", def->name);
	longopts[*n].name = def->name;
	longopts[*n].has_arg = has_arg(def->arg);
	longopts[*n].flag = NULL;
	longopts[*n].val = def->key;
	(*n)++;
	if (def->key >= 256)
		return;
	buf_addc(shortopts, (char)def->key);
	if (def->arg != OPT_NONE)
		buf_adds(shortopts, def->arg == OPT_OPTIONAL ? "::" : ":");
}

static void build(struct optset *set)
{
	size_t n = 0, total = count_defs(set->defs) + 1;
	struct option *longopts = xcalloc(total, sizeof(*longopts));
	struct buf shortopts = BUF_INIT;

	for (const struct optdef *d = set->defs; d->name; d++)
		add_def(d, longopts, &n, &shortopts);
	/* getopt_long wants a string even when no option has a letter. */
	buf_addc(&shortopts, '\0');
	set->longopts = longopts;
	set->shortopts = shortopts.data;
}

int optset_getopt(int argc, char **argv, struct optset *set)
{
	int c;

	/*
	 * --complete alone, spelled out: not a getopt option, so that it
	 * makes no abbreviation ambiguous (--com stays --comment).
	 */
	if (argc == 2 && !strcmp(argv[1], "--complete"))
		optset_complete(set);
	if (!set->longopts)
		build(set);
	for (;;) {
		c = cli_getopt(argc, argv, set->shortopts, set->longopts);
		switch (c) {
		case OPT_KEY_CHECK_OPTIONS: check_options = 1; break;
		case OPT_KEY_VERSION: print_version();
		default: return c;
		}
	}
}

/* DEF's left part of --help: "  -c, --checkpoint DIR". */
static void left_part(const struct optdef *def, struct buf *out)
{
	buf_reset(out);
	if (def->key < 256)
		buf_printf(out, "  -%c, --%s", def->key, def->name);
	else
		buf_printf(out, "      --%s", def->name);
	if (def->arg == OPT_REQUIRED)
		buf_printf(out, " %s", def->argname);
	else if (def->arg == OPT_OPTIONAL)
		buf_printf(out, "[=%s]", def->argname);
}

void optset_usage(FILE *fp, const struct optset *set)
{
	struct buf left = BUF_INIT;
	int col = set->help_column;

	for (const struct optdef *d = set->defs; d->name; d++) {
		if (!d->help)
			continue;
		left_part(d, &left);
		fputs(left.data, fp);
		/* The text starts at COL, after one blank at least. */
		if ((int)left.len < col)
			fprintf(fp, "%*s", col - (int)left.len, "");
		else
			fprintf(fp, "\n%*s", col, "");
		for (const char *p = d->help; *p; p++) {
			fputc(*p, fp);
			if (*p == '\n')
				fprintf(fp, "%*s", col, "");
		}
		fputc('\n', fp);
	}
	buf_free(&left);
}

void optset_help(int code, const struct optset *set, const char *text)
{
	FILE *fp = code ? stderr : stdout;

	fputs(text, fp);
	optset_usage(fp, set);
	if (!code)
		close_stdout();
	exit(code);
}

/* FIELD, or '-' when it is empty, then SEP. */
static void field(const char *s, size_t len, char sep)
{
	if (s && len)
		fwrite(s, 1, len, stdout);
	else
		putchar('-');
	putchar(sep);
}

void optset_complete(const struct optset *set)
{
	struct buf name = BUF_INIT;

	for (const struct optdef *d = set->defs; d->name; d++) {
		if (!d->help)
			continue;	/* hidden: not offered either */
		buf_reset(&name);
		buf_printf(&name, "--%s", d->name);
		field(name.data, name.len, '\t');
		buf_reset(&name);
		if (d->key < 256)
			buf_printf(&name, "-%c", d->key);
		field(name.data, name.len, '\t');
		buf_reset(&name);
		if (d->arg != OPT_NONE)
			buf_printf(&name, d->arg == OPT_OPTIONAL ? "[%s]" : "%s", d->argname);
		field(name.data, name.len, '\t');
		field(d->values, d->values ? strlen(d->values) : 0, '\t');
		field(d->help, d->help ? strcspn(d->help, "\n") : 0, '\n');
	}
	if (set->operands)
		printf("operand\t-\t-\t%s\t-\n", set->operands);
	buf_free(&name);
	close_stdout();
	exit(0);
}
