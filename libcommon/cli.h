#ifndef INLET_CLI_H
#define INLET_CLI_H

#include <getopt.h>
/*
 * Option values shared by the binaries.  Each parser dies with EX_USAGE,
 * naming the option and the value, when the value does not parse.
 */

/* A non-negative count ("1000"). */
long long parse_count_arg(const char *opt, const char *value);
/* A byte size with an optional k/m/g/t suffix (powers of 1024): "10g". */
long long parse_size_arg(const char *opt, const char *value);
/*
 * A duration in microseconds, in datetime.h's one grammar ("500ms",
 * "1m30s", "1.5s", Spark's "10 seconds"; a bare number is seconds).
 */
long long parse_duration_arg(const char *opt, const char *value);
/* The most shards --shard K/N takes. */
#define SHARD_MAX 1000000
/*
 * --shard K/N (discover's files, window's partial states): two whole
 * numbers with 0 <= K < N <= SHARD_MAX, into *K and *N.
 */
void parse_shard_arg(const char *value, long long *k, long long *n);
/* What a stage does with a record or value it cannot read (Spark's mode). */
enum record_mode { MODE_PERMISSIVE, MODE_DROPMALFORMED, MODE_FAILFAST };
/* permissive, dropmalformed or failfast, in any case. */
enum record_mode parse_mode_arg(const char *opt, const char *value);
/* true/false, yes/no, 1/0, on/off (any case). */
int parse_bool_arg(const char *opt, const char *value);
/*
 * --check-options, which every stage takes: the option loop sets
 * check_options, and the stage calls check_options_exit() once every
 * option, value and cross-option check has passed (DDL parsed, jq
 * compiled) and before it reads input or opens, locks or creates
 * anything.  A bad value has died with EX_USAGE before that point.
 */
extern int check_options;
/* With --check-options, exit 0 here; otherwise return. */
void check_options_exit(void);
/*
 * A usage error, inlet(7)'s rule: one line and a pointer to the help,
 * "PROG: MESSAGE; try 'inlet CMD --help'" on stderr, then exit EX_USAGE.
 * Never the whole help: that is for --help, on stdout.
 */
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/*
 * getopt_long(3) for every binary, with getopt's own messages replaced:
 * an unknown or ambiguous option, a missing argument or an argument given
 * to an option that takes none is a usage_error() naming the option as
 * typed ("-x", "--bogus").  Returns what getopt_long returns, never '?'.
 */
int cli_getopt(int argc, char **argv, const char *optstring,
	       const struct option *longopts);
/* Print "PROG (inlet) VERSION" on stdout and exit 0. */
void print_version(void) __attribute__((noreturn));

#endif
