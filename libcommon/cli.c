#include <ctype.h>
#include <errno.h>
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
