/*
 * libcommon/cli: option values.  A value that does not parse dies with 64
 * (EX_USAGE) and a message naming the option and the value: those cases
 * run in a child process.
 */
#include <limits.h>
#include <string.h>

#include "cli.h"
#include "unit.h"

enum parser { COUNT, SIZE, DURATION, MODE, BOOL };
static const char *const parser_names[] = { "count", "size", "duration", "mode", "bool" };

struct call {
	enum parser p;
	const char *value;
};

static void run_parser(void *arg)
{
	const struct call *c = arg;

	switch (c->p) {
	case COUNT: parse_count_arg("--opt", c->value); break;
	case SIZE: parse_size_arg("--opt", c->value); break;
	case DURATION: parse_duration_arg("--opt", c->value); break;
	case MODE: parse_mode_arg("--opt", c->value); break;
	case BOOL: parse_bool_arg("--opt", c->value); break;
	}
}

/*
 * Does parser P refuse VALUE the documented way: exit 64, and one line on
 * stderr "test_cli: invalid value 'VALUE' for --opt: expected ..." naming
 * what it expected (EXPECTED)?
 */
static void refuses(enum parser p, const char *value, const char *expected)
{
	struct call c = { p, value };
	char err[512], want[256];
	int status = unit_fork(run_parser, &c, err, sizeof(err));

	snprintf(want, sizeof(want), "test_cli: invalid value '%s' for --opt: expected %s",
		 value, expected);
	CHECK(status == 64 && !strncmp(err, want, strlen(want)) &&
	      strchr(err, '\n') == err + strlen(err) - 1,
	      "%s refuses '%s' with 64 (status %d, stderr: %.*s)", parser_names[p], value,
	      status, (int)strcspn(err, "\n"), err);
}

static void counts(void)
{
	CHECK(parse_count_arg("--opt", "0") == 0, "count 0");
	CHECK(parse_count_arg("--opt", "1000") == 1000, "count 1000");
	CHECK(parse_count_arg("--opt", "9223372036854775807") == LLONG_MAX, "count at the largest long long");
	static const char *bad[] = { "", "-1", "abc", "12abc", "1.5", "1e3", "10k",
				     "9223372036854775808", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(COUNT, bad[i], "a count");
}

static void sizes(void)
{
	static const struct { const char *in; long long want; } good[] = {
		{ "0", 0 }, { "512", 512 },
		{ "1k", 1024 }, { "1K", 1024 }, { "512k", 512LL << 10 }, { "1kb", 1024 },
		{ "1KB", 1024 }, { "10m", 10LL << 20 }, { "10M", 10LL << 20 },
		{ "1g", 1LL << 30 }, { "10g", 10LL << 30 }, { "2G", 2LL << 30 },
		{ "1t", 1LL << 40 }, { "3T", 3LL << 40 }, { "1.5k", 1536 }, { "0.5m", 512 << 10 },
		{ "8388607t", 8388607LL << 40 },	/* the largest whole number of TiB */
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(parse_size_arg("--opt", good[i].in) == good[i].want, "size '%s' is %lld",
		      good[i].in, good[i].want);

	static const char *bad[] = { "", "k", "-1", "-1k", "10x", "10kk", "10 k", "10kbb",
				     "1p", "abc", "10b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(SIZE, bad[i], "a size such as 512k, 10m or 1g");
	/* Past the range of long long, or not decimal digits. */
	static const char *huge[] = { "9999999999t", "8388608t", "1e30", "inf", "nan", "0x10",
				      " 10k" };
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		refuses(SIZE, huge[i], "a size such as 512k, 10m or 1g");
}

static void durations(void)
{
	static const struct { const char *in; long long ms; } good[] = {
		/* A bare number is seconds. */
		{ "0", 0 }, { "10", 10000 }, { "1.5", 1500 },
		{ "500ms", 500 }, { "1ms", 1 }, { "10s", 10000 }, { "1m", 60000 },
		{ "2h", 7200000 }, { "1d", 86400000 }, { "0.5s", 500 }, { "1.5m", 90000 },
		{ "10 seconds", 10000 }, { "1 second", 1000 }, { "1 minute", 60000 },
		{ "5 minutes", 300000 }, { "1 hour", 3600000 }, { "3 hours", 10800000 },
		{ "1 day", 86400000 }, { "2 days", 172800000 },
		{ "250 milliseconds", 250 }, { "1 millisecond", 1 },
		{ "30sec", 30000 }, { "30 sec", 30000 }, { "2min", 120000 }, { "2 min", 120000 },
		/* Any case, as Spark's interval strings. */
		{ "10 SECONDS", 10000 }, { "1 Minute", 60000 }, { "500MS", 500 }, { "2H", 7200000 },
		{ "10  seconds", 10000 },
	};
	/*
	 * Spark's trigger intervals are written "10 seconds", "1 minute"
	 * (Trigger.ProcessingTime in the Structured Streaming Programming
	 * Guide, "Triggers"); Databricks' trigger(processingTime='10 seconds').
	 */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(parse_duration_arg("--opt", good[i].in) == good[i].ms * 1000,
		      "duration '%s' is %lld ms", good[i].in, good[i].ms);
	/* One grammar with window's (datetime.h): pairs and weeks. */
	CHECK(parse_duration_arg("--opt", "1m30s") == 90000000, "duration '1m30s' is 90 s");
	CHECK(parse_duration_arg("--opt", "1w") == 604800000000LL, "duration '1w' is a week");
	CHECK(parse_duration_arg("--opt", "250us") == 250, "duration '250us' is 250 us");

	static const char *bad[] = { "", "s", "-1s", "-1", "10x", "10 parsecs",
				     "10 s econds", "nan", "inf", "1e12", "10\tseconds",
				     "1m30", "999999999999 days", "0x10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(DURATION, bad[i], "a duration such as 500ms, 30s, 1m30s, 1.5h or "
			"\"10 seconds\"");
}

static void modes(void)
{
	CHECK(parse_mode_arg("--opt", "permissive") == MODE_PERMISSIVE, "mode permissive");
	CHECK(parse_mode_arg("--opt", "PERMISSIVE") == MODE_PERMISSIVE, "mode PERMISSIVE (Spark's spelling)");
	CHECK(parse_mode_arg("--opt", "dropmalformed") == MODE_DROPMALFORMED, "mode dropmalformed");
	CHECK(parse_mode_arg("--opt", "DROPMALFORMED") == MODE_DROPMALFORMED, "mode DROPMALFORMED");
	CHECK(parse_mode_arg("--opt", "failfast") == MODE_FAILFAST, "mode failfast");
	CHECK(parse_mode_arg("--opt", "FailFast") == MODE_FAILFAST, "mode FailFast");
	static const char *bad[] = { "", "permissive ", "drop", "fail-fast", "strict" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(MODE, bad[i], "permissive, dropmalformed or failfast");
}

static void bools(void)
{
	static const char *yes[] = { "true", "TRUE", "True", "yes", "YES", "1", "on", "On" };
	static const char *no[] = { "false", "FALSE", "no", "No", "0", "off", "OFF" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(parse_bool_arg("--opt", yes[i]) == 1, "bool '%s' is true", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(parse_bool_arg("--opt", no[i]) == 0, "bool '%s' is false", no[i]);
	static const char *bad[] = { "", "2", "t", "y", "n", "truee", "enabled", " true" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(BOOL, bad[i], "true or false");
}

/* print_version's standard output, into the captured standard error. */
static void version(void *arg)
{
	dup2(2, 1);
	print_version();
}

int main(void)
{
	counts();
	sizes();
	durations();
	modes();
	bools();

	char err[64];
	CHECK(unit_fork(version, NULL, err, sizeof(err)) == 0 &&
	      !strcmp(err, "test_cli (inlet) " INLET_VERSION "\n"),
	      "print_version prints 'PROG (inlet) VERSION' and exits 0");
	return unit_done();
}
