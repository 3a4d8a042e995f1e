#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "datetime.h"
#include "die.h"

long long parse_count_arg(const char *opt, const char *value)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno || end == value || *end || n < 0)
		die(EX_USAGE, "invalid value '%s' for %s: expected a count", value, opt);
	return n;
}

long long parse_size_arg(const char *opt, const char *value)
{
	char *end;
	double n;
	long long mult = 1;

	errno = 0;
	n = strtod(value, &end);
	/* Decimal digits and a point only (no "inf", "nan", hex, exponent or space). */
	if (errno || end == value || !isdigit((unsigned char)value[0]) ||
	    end != value + strspn(value, "0123456789."))
		goto bad;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1LL << 10; end++; break;
	case 'm': case 'M': mult = 1LL << 20; end++; break;
	case 'g': case 'G': mult = 1LL << 30; end++; break;
	case 't': case 'T': mult = 1LL << 40; end++; break;
	default: goto bad;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	/* Within long long (2^63 is exact as a double). */
	if (*end || !(n * (double)mult < 9223372036854775808.0))
		goto bad;
	return (long long)(n * (double)mult);
bad:
	die(EX_USAGE, "invalid value '%s' for %s: expected a size such as 512k, 10m or 1g",
	    value, opt);
}

long long parse_duration_arg(const char *opt, const char *value)
{
	long long us = duration_scan(value);

	if (us < 0)
		die(EX_USAGE, "invalid value '%s' for %s: expected a duration such as "
		    "500ms, 30s, 1m30s, 1.5h or \"10 seconds\"", value, opt);
	return us;
}

enum record_mode parse_mode_arg(const char *opt, const char *value)
{
	if (!strcasecmp(value, "permissive"))
		return MODE_PERMISSIVE;
	if (!strcasecmp(value, "dropmalformed"))
		return MODE_DROPMALFORMED;
	if (!strcasecmp(value, "failfast"))
		return MODE_FAILFAST;
	die(EX_USAGE, "invalid value '%s' for %s: expected permissive, dropmalformed "
	    "or failfast", value, opt);
}

int parse_bool_arg(const char *opt, const char *value)
{
	static const char *yes[] = { "true", "yes", "1", "on" };
	static const char *no[] = { "false", "no", "0", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(value, yes[i]))
			return 1;
		if (!strcasecmp(value, no[i]))
			return 0;
	}
	die(EX_USAGE, "invalid value '%s' for %s: expected true or false", value, opt);
}

int check_options;

void usage_error(const char *fmt, ...)
{
	const char *name = program_invocation_short_name;
	va_list ap;

	fprintf(stderr, "%s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* "inlet-cast" is run as "inlet cast": point at that spelling. */
	if (!strncmp(name, "inlet-", 6))
		fprintf(stderr, "; try 'inlet %s --help'\n", name + 6);
	else
		fprintf(stderr, "; try '%s --help'\n", name);
	exit(EX_USAGE);
}

/* The error getopt_long reported for the long option ARG ("--name[=v]"). */
static void bad_long_option(const char *arg, const struct option *longopts)
{
	size_t len = strcspn(arg + 2, "=");
	const struct option *found = NULL;
	int matches = 0;

	for (const struct option *o = longopts; o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		found = o;
		if (strlen(o->name) == len) {
			matches = 1;	/* an exact name wins over longer ones */
			break;
		}
		matches++;
	}
	if (matches > 1)
		usage_error("ambiguous option '%.*s'", (int)len + 2, arg);
	if (!found)
		usage_error("unknown option '%.*s'", (int)len + 2, arg);
	if (found->has_arg == required_argument && !arg[2 + len])
		usage_error("option '--%s' requires an argument", found->name);
	if (found->has_arg == no_argument && arg[2 + len])
		usage_error("option '--%s' takes no value", found->name);
	usage_error("invalid option '%s'", arg);
}

/* Whether ARG, the element getopt_long stopped at, is a long option. */
static int is_long_option(const char *arg, const struct option *longopts)
{
	size_t len;

	if (strncmp(arg, "--", 2) || !arg[2])
		return 0;
	if (!optopt)
		return 1;	/* getopt_long sets it to 0 for long options only */
	/* optopt is the option's value: a short letter stuck in a later
	 * element ("--quiet -x") is not this one. */
	len = strcspn(arg + 2, "=");
	for (const struct option *o = longopts; o->name; o++)
		if (!strncmp(o->name, arg + 2, len) && o->val == optopt)
			return 1;
	return 0;
}

int cli_getopt(int argc, char **argv, const char *optstring,
	       const struct option *longopts)
{
	const char *spec;
	int c;

	opterr = 0;	/* the messages are ours: one line each */
	c = getopt_long(argc, argv, optstring, longopts, NULL);
	if (c != '?')
		return c;
	if (optind > 0 && optind <= argc && is_long_option(argv[optind - 1], longopts))
		bad_long_option(argv[optind - 1], longopts);
	spec = optopt > 0 && optopt < 256 && optopt != ':' ?
		strchr(optstring, optopt) : NULL;
	if (spec && spec[1] == ':')
		usage_error("option '-%c' requires an argument", optopt);
	if (optopt > 0 && optopt < 256)
		usage_error("unknown option '-%c'", optopt);
	usage_error("invalid option '%s'", argv[optind - 1]);
}

void check_options_exit(void)
{
	if (!check_options)
		return;
	close_stdout();
	exit(0);
}

void print_version(void)
{
	printf("%s (inlet) %s\n", program_invocation_short_name, INLET_VERSION);
	close_stdout();
	exit(0);
}

void parse_shard_arg(const char *value, long long *k, long long *n)
{
	const char *slash = strchr(value, '/');

	if (!slash || slash == value || !slash[1] || strspn(value, "0123456789") !=
	    (size_t)(slash - value) || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    slash - value > 7 || strlen(slash + 1) > 7)
		usage_error("invalid value '%s' for --shard: expected K/N, two whole "
			    "numbers with 0 <= K < N (e.g. 0/4)", value);
	*k = strtoll(value, NULL, 10);
	*n = strtoll(slash + 1, NULL, 10);
	if (*n < 1 || *n > SHARD_MAX)
		usage_error("invalid value '%s' for --shard: N must be 1 to %d", value,
			    SHARD_MAX);
	if (*k >= *n)
		usage_error("invalid value '%s' for --shard: K must be below N "
			    "(shards are numbered 0 to %lld)", value, *n - 1);
}
