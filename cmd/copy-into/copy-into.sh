#!/bin/bash
# inlet copy-into: COPY INTO as a pipeline.  Files already loaded into the
# table are skipped because the checkpoint beside the database remembers
# them (DB.inlet/TABLE/ unless --checkpoint is given); the history goes
# with the table, as Databricks keeps it in the table's log.
set -u
prog=inlet-copy-into
. "$(dirname "$(readlink -f "$0")")/inlet.sh-setup"

usage() {
	cat <<'USAGE'
usage: inlet copy-into --db FILE --table NAME [options] SOURCE...

COPY INTO: load the files under SOURCE (folders, files or globs) that were
not loaded into the table before, and print the num_affected_rows /
num_inserted_rows / num_skipped_corrupt_files summary (and
num_malformed_rows when records were malformed).  A rerun loads nothing
and prints zeros; a table dropped or created anew starts with no history.

      --db FILE             SQLite database (created when missing)
      --table NAME          target table (created on first load)
  -f, --format FMT          csv, tsv, json or text (default: from file names)
  -s, --schema DDL          cast the rows to this schema (the SELECT list's
                            types)
      --map JQ              a jq program for each row (the SELECT list)
      --header BOOL         CSV: first line names the columns (default true)
  -d, --delimiter CHAR      CSV field delimiter (default ',')
      --quote CHAR          CSV quote character (default '"')
      --escape CHAR         CSV escape of a quote inside quotes
      --null-value STR      CSV text read as null
      --comment CHAR        CSV: skip lines starting with CHAR
      --skip-rows N         CSV: skip the first N lines of each file
      --ignore-leading-white-space
                            CSV: trim blanks before values
      --ignore-trailing-white-space
                            CSV: trim blanks after values
      --multiline           JSON: each file is one object or an array
      --encoding NAME       the files' encoding: UTF-8 only
      --date-format PATTERN with --schema: Spark pattern for DATE text
      --timestamp-format PATTERN
                            with --schema: Spark pattern for TIMESTAMP text
      --pattern GLOB        only files whose name (or path below SOURCE,
                            if GLOB has a '/') matches: COPY INTO's PATTERN
      --mode MODE           malformed records and values that do not
                            convert: permissive (default), dropmalformed or
                            failfast
  -m, --metadata            add the _metadata column
      --force               load every file again, loaded before or not
                            (COPY_OPTIONS force); forced loads are not
                            remembered
  -c, --checkpoint DIR      where to remember loaded files
                            (default: DB.inlet/TABLE)
  -q, --quiet               print no summary
  -h, --help                show this help
      --version             show the version
USAGE
	exit 0
}

db= table= ck= force=0 quiet=0 schema= map= header=
discover_args=() parse_args=() cast_args=() commit_args=()
getopt_or_die f:s:d:c:mqh \
	db:,table:,format:,schema:,map:,header:,delimiter:,quote:,escape:,null-value:,comment:,skip-rows:,ignore-leading-white-space,ignore-trailing-white-space,multiline,encoding:,date-format:,timestamp-format:,pattern:,mode:,metadata,force,checkpoint:,quiet,help,version \
	"$@"
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-f|--format) stage_opt parse "--format $2" --format "$2"; shift 2 ;;
	-s|--schema) schema=$2; stage_opt cast "--schema $2" --schema "$2"; shift 2 ;;
	--map) map=$2; stage_opt cast "--map $2" --map "$2"; shift 2 ;;
	--header|-d|--delimiter|--quote|--escape|--null-value|--comment|--skip-rows|--encoding)
		flag=$1
		[ "$flag" = -d ] && flag=--delimiter
		[ "$flag" = --header ] && header=${2,,}
		stage_opt parse "$1 $2" "$flag" "$2"; shift 2 ;;
	--ignore-leading-white-space|--ignore-trailing-white-space|--multiline)
		stage_opt parse "$1" "$1"; shift ;;
	--date-format|--timestamp-format) stage_opt cast "$1 $2" "$1" "$2"; shift 2 ;;
	--mode)
		stage_opt parse "--mode $2" --mode "$2"
		stage_opt cast "--mode $2" --mode "$2"
		shift 2 ;;
	-m|--metadata) stage_opt parse "$1" --metadata; shift ;;
	--pattern) stage_opt discover "--pattern $2" --pattern "$2"; shift 2 ;;
	--force) force=1; shift ;;
	-c|--checkpoint) ck=$2; shift 2 ;;
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
		[[ $a == --date-format || $a == --timestamp-format ]] &&
			usage_error "$a needs --schema"
	done
	cast_args=()
fi
# Spark applies a schema to header-less CSV columns (_c0, _c1) by position.
case $header in false|no|0|off) [ -n "$schema" ] && [ -z "$map" ] && cast_args+=(--by-position) ;; esac
[ "$force" = 1 ] || { [ -n "$ck" ] || ck=$db.inlet/$table; }
if [ -n "$ck" ]; then
	discover_args+=(--checkpoint "$ck")
	commit_args+=(--checkpoint "$ck")
	pipeline_checkpoint=$ck
else
	discover_args+=(--no-checkpoint)
fi
discover_args+=(--quiet -- "$@")
stage_opt commit "--db $db" --db "$db"
stage_opt commit "--table $table" --table "$table"
if [ "$quiet" = 1 ]; then commit_args+=(--quiet); else commit_args+=(--summary-only); fi
# Each stage checks its own options (--check-options): the values it
# takes are the values copy-into takes.  What an option alone is checked
# with:
commit_check_base=(--db "$db" --table t)
check_options discover parse ${cast_args[@]+cast} commit
check_sources "$@"

if [ -n "$ck" ] && [ -d "$ck/commits" ]; then
	# The load history goes with the table (Databricks keeps it in the
	# table's log): a table dropped, or created anew, starts with none.
	# SQLite gives a table no identity of its own, so the table is the
	# one this history loaded when it exists, holds the commit marks
	# inlet-commit wrote with this checkpoint's id, and is not empty
	# while those loads inserted rows (DROP TABLE and CREATE TABLE again
	# leave the marks but not the rows).
	id=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$ck/metadata" 2>/dev/null)
	same=0
	if [ -n "$id" ] && [ -f "$db" ]; then
		command -v sqlite3 >/dev/null ||
			die "the sqlite3 program is needed to check the history in '$ck'" 69
		marks="FROM _inlet_commits WHERE checkpoint_id = $(literal "$id") AND table_name = $(literal "$table")"
		exists=$(sqlite3 -batch "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $(literal "$table")
			AND EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_inlet_commits')" 2>/dev/null) || exists=0
		[ "$exists" = 1 ] &&
			same=$(sqlite3 -batch "$db" "SELECT EXISTS (SELECT 1 $marks)
				AND (EXISTS (SELECT 1 FROM $(ident "$table")) OR (SELECT coalesce(sum(rows), 0) $marks) = 0)" 2>/dev/null)
	fi
	if [ "$same" != 1 ] && [ -n "$(ls "$ck/commits" 2>/dev/null)" ]; then
		aside=$ck.set-aside-$(date -u +%Y%m%dT%H%M%SZ)-$$
		mv -- "$ck" "$aside" || die "cannot set aside '$ck'" 73
		printf "%s: table '%s' in '%s' is not the table '%s' loaded (dropped or created anew): its load history is set aside as '%s', and the files load again\n" \
			"$prog" "$table" "$db" "$ck" "$aside" >&2
	fi
fi

discover=(inlet-discover "${discover_args[@]}")
# parse's count line gives the malformed records for the summary.
counts=$(mktemp) summary=$(mktemp)
trap 'rm -f "$counts" "$summary"' EXIT
parse=(bash -c 'f=$1; shift; "$@" 2> >(tee -a "$f" >&2); rc=$?; wait $!; exit $rc' \
	copy-into "$counts" inlet-parse ${parse_args[@]+"${parse_args[@]}"})
commit=(inlet-commit "${commit_args[@]}")
# cast only when there is a schema or a SELECT list to apply.
stages=(discover parse)
if [ ${#cast_args[@]} -gt 0 ]; then
	cast=(inlet-cast "${cast_args[@]}")
	stages+=(cast)
fi
run_pipeline "${stages[@]}" commit > "$summary"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
malformed=$(sed -n 's/^inlet-parse: [0-9]* rows from [0-9]* files; \([0-9]*\) malformed records.*/\1/p' "$counts" | tail -n 1)
if [ "${malformed:-0}" -gt 0 ]; then
	sed "s/}\$/,\"num_malformed_rows\":$malformed}/" "$summary"
else
	cat "$summary"
fi
