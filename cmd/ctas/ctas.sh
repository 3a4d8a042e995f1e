#!/bin/bash
# inlet ctas: CREATE OR REPLACE TABLE ... AS SELECT * FROM files (or from
# another table), replacing the table atomically in one transaction.
set -u
prog=inlet-ctas
. "$(dirname "$(readlink -f "$0")")/inlet.sh-setup"

usage() {
	cat <<'USAGE'
usage: inlet ctas --db FILE --table NAME [options] SOURCE...
       inlet ctas --db FILE --table NAME sqlite:DB:TABLE

CREATE OR REPLACE TABLE AS SELECT: replace the table with every record of
SOURCE (files, folders or globs), or with a copy of another SQLite table.
Nothing is remembered: a rerun replaces the table again.

      --db FILE             SQLite database (created when missing)
      --table NAME          table to create or replace
  -f, --format FMT          csv, tsv, json or text (default: from file names)
  -s, --schema DDL          cast the rows to this schema (the SELECT list's
                            types)
      --map JQ              a jq program for each row (the SELECT list)
USAGE
	reader_usage
	cat <<'USAGE'
      --mode MODE           malformed records and values that do not
                            convert: permissive (default), dropmalformed or
                            failfast
  -m, --metadata            add the _metadata column
      --partition-columns LIST
                            the key=value folders that become columns (a
                            comma list; '' for none; default: every one)
      --ignore-corrupt-files BOOL
                            skip and count a file that cannot be read whole
                            (default false: nothing is replaced)
      --ignore-missing-files BOOL
                            skip and count a file gone once listed
                            (default false: nothing is replaced)
  -q, --quiet               print no summary
  -h, --help                show this help
      --version             show the version
USAGE
	exit 0
}

db= table= quiet=0 schema= map= header= on=
discover_args=() parse_args=() cast_args=() commit_args=()
getopt_or_die f:s:d:mqh \
	db:,table:,format:,schema:,map:,header:,delimiter:,quote:,escape:,null-value:,empty-value:,max-columns:,max-chars-per-column:,unescaped-quote-handling:,whole-text,nan-value:,positive-inf:,negative-inf:,comment:,skip-rows:,ignore-leading-white-space,ignore-trailing-white-space,multiline,encoding:,date-format:,timestamp-format:,mode:,metadata,allow-unquoted-control-chars:,allow-backslash-escaping-any-character:,allow-numeric-leading-zeros:,allow-unquoted-field-names:,allow-comments:,allow-non-numeric-numbers:,allow-single-quotes:,partition-columns:,ignore-corrupt-files:,ignore-missing-files:,quiet,help,version \
	"$@"
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-f|--format) stage_opt parse "--format $2" --format "$2"; shift 2 ;;
	-s|--schema) schema=$2; stage_opt cast "--schema $2" --schema "$2"; shift 2 ;;
	--map) map=$2; stage_opt cast "--map $2" --map "$2"; shift 2 ;;
	--header|-d|--delimiter|--quote|--escape|--null-value|--comment|--skip-rows|--encoding|\
	--empty-value|--max-columns|--max-chars-per-column|--unescaped-quote-handling)
		flag=$1
		[ "$flag" = -d ] && flag=--delimiter
		[ "$flag" = --header ] && header=${2,,}
		stage_opt parse "$1 $2" "$flag" "$2"; shift 2 ;;
	--ignore-leading-white-space|--ignore-trailing-white-space|--multiline|--whole-text)
		stage_opt parse "$1" "$1"; shift ;;
	--date-format|--timestamp-format|--nan-value|--positive-inf|--negative-inf)
		stage_opt cast "$1 $2" "$1" "$2"; shift 2 ;;
	--mode)
		stage_opt parse "--mode $2" --mode "$2"
		stage_opt cast "--mode $2" --mode "$2"
		shift 2 ;;
	-m|--metadata) stage_opt parse "$1" --metadata; shift ;;
	--partition-columns) stage_opt parse "$1 $2" "$1" "$2"; shift 2 ;;
	--allow-*) stage_opt parse "$1 $2" "$1" "$2"; shift 2 ;;	# JSON leniencies: parse checks BOOL
	--ignore-corrupt-files|--ignore-missing-files)
		bool_value on "invalid value '$2' for $1" "$2"
		[ "$on" = true ] && stage_opt parse "$1 $2" "$1"
		shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done
# The values first: a bad one is the error, even with options missing.
# What an option alone is checked with (--check-options reads nothing):
discover_check_base=(--no-checkpoint .)
check_options
[ -n "$db" ] || usage_error "--db FILE is required"
[ -n "$table" ] || usage_error "--table NAME is required"
[ $# -gt 0 ] || usage_error "no SOURCE given"
if [ -z "$schema" ] && [ -z "$map" ] && [ ${#cast_args[@]} -gt 0 ]; then
	# --mode alone: cast is not in the pipeline, parse takes it.
	for a in "${cast_args[@]}"; do
		[[ $a == --date-format || $a == --timestamp-format || $a == --nan-value ||
		   $a == --positive-inf || $a == --negative-inf ]] &&
			usage_error "$a needs --schema"
	done
	cast_args=()
fi
# Spark applies a schema to header-less CSV columns (_c0, _c1) by position.
case $header in false|no|0|off) [ -n "$schema" ] && [ -z "$map" ] && cast_args+=(--by-position) ;; esac
stage_opt commit "--db $db" --db "$db"
stage_opt commit "--table $table" --table "$table"

case $1 in
sqlite:*)
	# sqlite:DB:TABLE -> a copy of that table, in one transaction.
	[ $# -eq 1 ] || usage_error "a sqlite: source stands alone"
	[ ${#parse_args[@]} -eq 0 ] && [ ${#cast_args[@]} -eq 0 ] ||
		usage_error "a sqlite: source is copied as it is: no reader, --schema or --map options"
	commit_check_base=(--db "$db" --table t)
	check_options commit
	src=${1#sqlite:}
	src_db=${src%:*} src_table=${src##*:}
	[ -n "$src_db" ] && [ "$src_db" != "$src" ] && [ -n "$src_table" ] ||
		usage_error "invalid source '$1': expected sqlite:DB:TABLE"
	[ -f "$src_db" ] || die "cannot open database '$src_db'" 66
	command -v sqlite3 >/dev/null || die "the sqlite3 program is needed for a sqlite: source" 69
	schema=src attach=
	if [ "$(readlink -f "$src_db")" = "$(readlink -f "$db")" ]; then
		schema=main
	else
		attach="ATTACH $(literal "$src_db") AS src;"
	fi
	exists=$(sqlite3 -bail "$src_db" "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = $(literal "$src_table")") ||
		die "cannot read database '$src_db'" 66
	[ "$exists" = 1 ] || die "no table '$src_table' in '$src_db'" 66
	# Built under a temporary name and renamed, so a table can replace itself.
	tmp="_inlet_ctas_$$"
	sql="$attach
BEGIN IMMEDIATE;
DROP TABLE IF EXISTS main.$(ident "$tmp");
CREATE TABLE main.$(ident "$tmp") AS SELECT * FROM $schema.$(ident "$src_table");
DROP TABLE IF EXISTS main.$(ident "$table");
ALTER TABLE main.$(ident "$tmp") RENAME TO $(ident "$table");
COMMIT;
SELECT count(*) FROM main.$(ident "$table");"
	rows=$(sqlite3 -bail "$db" "$sql") || exit 74
	[ "$quiet" = 1 ] ||
		printf '{"num_affected_rows":%s,"num_inserted_rows":%s,"num_skipped_corrupt_files":0}\n' "$rows" "$rows"
	exit 0
	;;
esac

discover_args+=(--no-checkpoint --trigger once --quiet -- "$@")
commit_args+=(--mode overwrite)
if [ "$quiet" = 1 ]; then commit_args+=(--quiet); else commit_args+=(--summary-only); fi
# Each stage checks its own options (--check-options) before anything runs.
commit_check_base=(--db "$db" --table t)
check_options discover parse ${cast_args[@]+cast} commit
check_sources "$@"

discover=(inlet-discover "${discover_args[@]}")
cast_reports_records ${cast_args[@]+"${cast_args[@]}"} && parse_args+=(--record-source)
parse=(inlet-parse ${parse_args[@]+"${parse_args[@]}"})
commit=(inlet-commit "${commit_args[@]}")
# The summary only once the table is replaced: a failed stage leaves none.
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
# cast only when there is a schema or a SELECT list to apply.
stages=(discover parse)
if [ ${#cast_args[@]} -gt 0 ]; then
	cast=(inlet-cast "${cast_args[@]}")
	stages+=(cast)
fi
run_pipeline "${stages[@]}" commit > "$summary"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
cat "$summary"
