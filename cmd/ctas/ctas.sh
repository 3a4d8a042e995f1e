#!/bin/bash
# inlet ctas: CREATE OR REPLACE TABLE ... AS SELECT * FROM files (or from
# another table), replacing the table atomically in one transaction.
set -u
prog=inlet-ctas
_inlet_self=$(readlink -f "$0") && . "${_inlet_self%/*}/inlet.sh-setup"

usage() {
	cat <<'USAGE'
usage: inlet ctas --db FILE|URI --table NAME [options] SOURCE...
       inlet ctas --db FILE --table NAME sqlite:DB:TABLE
       inlet ctas --db FILE|URI --table NAME --source-table SRC postgresql://...

CREATE OR REPLACE TABLE AS SELECT: replace the table with every record of
SOURCE (files, folders or globs), or with a copy of another SQLite table,
or of a PostgreSQL table, its columns' types kept.
Nothing is remembered: a rerun replaces the table again.

      --db FILE|URI         SQLite database (created when missing), or a
                            PostgreSQL database: postgresql://...
      --table NAME          table to create or replace
      --source-table SRC    the table of a postgresql:// SOURCE: NAME or
                            SCHEMA.NAME
  -f, --format FMT          csv, tsv, json or text (default: from file names)
  -s, --schema DDL          cast the rows to this schema (the SELECT list's
                            types)
      --map JQ              a jq program for each row (the SELECT list)
  -o, --option KEY=VALUE    a reader option by Spark's name, as read_files
                            takes them (repeatable): header, sep,
                            multiLine, timeZone, recursiveFileLookup, ...;
                            each is the flag below of the same meaning
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

# --complete (inlet.sh-setup): the values no stage's --complete gives.
complete_stages=(parse cast commit)
complete_table() {
	printf '%s\n' '--ignore-corrupt-files true false' '--ignore-missing-files true false' \
		'--recursive-file-lookup true false'
}

db= table= quiet=0 schema= map= header= on= source_table= ignore_missing=false
recursive= recursive_what= partitions_what=
discover_args=() parse_args=() cast_args=() commit_args=()
getopt_or_die f:s:d:o:mqh \
	db:,table:,source-table:,option:,format:,schema:,map:,header:,delimiter:,quote:,escape:,null-value:,empty-value:,max-columns:,max-chars-per-column:,unescaped-quote-handling:,whole-text,nan-value:,positive-inf:,negative-inf:,comment:,skip-rows:,ignore-leading-white-space,ignore-trailing-white-space,multiline,encoding:,date-format:,timestamp-format:,time-zone:,recursive-file-lookup:,mode:,metadata,allow-unquoted-control-chars:,allow-backslash-escaping-any-character:,allow-numeric-leading-zeros:,allow-unquoted-field-names:,allow-comments:,allow-non-numeric-numbers:,allow-single-quotes:,partition-columns:,ignore-corrupt-files:,ignore-missing-files:,quiet,help,version \
	"$@"
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	--source-table) source_table=$2; shift 2 ;;
	-f|--format) stage_opt parse "--format $2" --format "$2"; shift 2 ;;
	-s|--schema) schema=$2; stage_opt cast "--schema $2" --schema "$2"; shift 2 ;;
	--map) map=$2; stage_opt cast "--map $2" --map "$2"; shift 2 ;;
	# read_files' options, by Spark's names.
	-o|--option)
		format_option "$2" "-o $2" ||
			usage_error "unknown or unsupported option '${2%%=*}' (see inlet-options(7))"
		shift 2 ;;
	--ignore-leading-white-space|--ignore-trailing-white-space|--multiline|--whole-text)
		reader_flag "$1" "$1"; shift ;;
	-m|--metadata) stage_opt parse "$1" --metadata; shift ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	*)	# the reader flags that take a value
		reader_flag "$1 $2" "$1" "$2" || usage_error "unhandled option '$1'"
		shift 2 ;;
	esac
done
[ "$ignore_missing" = true ] && stage_opt parse "--ignore-missing-files true" --ignore-missing-files
recursive_lookup
# The values first: a bad one is the error, even with options missing.
# What an option alone is checked with (--check-options reads nothing):
discover_check_base=(--no-checkpoint .)
check_options
[ -n "$db" ] || usage_error "--db FILE is required"
[ -n "$table" ] || usage_error "--table NAME is required"
[ $# -gt 0 ] || usage_error "no SOURCE given"
cast_plan
stage_opt commit "--db $db" --db "$db"
stage_opt commit "--table $table" --table "$table"

# pg_ctas URI: NAME from --source-table of the PostgreSQL database URI,
# read with psql (the one program that reads PostgreSQL rows here: the C
# stages link libpq to write or describe a table, none writes one out).
# Into the same database (the same URI): one CREATE TABLE AS in a
# transaction, the server copying its own types.  Elsewhere: the columns'
# types as an inlet schema record, then the rows as row_to_json prints
# them (numbers with every digit), as one batch for inlet-commit
# --mode overwrite, which replaces NAME in one transaction.
pg_ctas() {
	local src=$1 sch= tbl=$source_table from reg err out rc rows
	command -v psql >/dev/null || die "the psql program is needed for a postgresql:// source" 69
	# SCHEMA.NAME split at the first dot, each part as written (as inlet join does).
	if [[ $tbl == ?*.?* ]]; then
		sch=${tbl%%.*} tbl=${tbl#*.}
		from=':"sch".:"tbl"' reg="quote_ident(:'sch') || '.' || quote_ident(:'tbl')"
	else
		from=':"tbl"' reg="quote_ident(:'tbl')"
	fi
	capture err mktemp && capture out mktemp || die "cannot create a temporary file" 73
	trap 'rm -f "$err" "$out"' EXIT
	psql_run() {
		psql "$src" -XAtq -v ON_ERROR_STOP=1 -v sch="$sch" -v tbl="$tbl" -v dst="$table" \
			-v tmp="_inlet_ctas_$$" -f - > "$out" 2> "$err"
		rc=$?
		[ "$rc" = 0 ] && return 0
		# psql: 2 when the connection failed or was lost, 3 for an SQL error.
		local why
		capture why psql_why
		[ "$rc" = 2 ] && die "cannot read PostgreSQL at '$src': $why" 69
		# An SQL error: its first line, without psql's place in our script.
		capture why sed -n '1{s/^psql:<stdin>:[0-9]*: //; s/^ERROR: *//; p}' "$err"
		die "cannot read table '$source_table' in '$src': $why" 66
	}
	# psql's connection error, on one line.
	psql_why() {
		tr '\n\t' '  ' < "$err" | sed 's/  */ /g; s/ $//; s/^psql: //; s/^error: //'
	}
	if [ "$src" = "$db" ]; then
		psql_run <<SQL
BEGIN;
DROP TABLE IF EXISTS :"tmp";
CREATE TABLE :"tmp" AS SELECT * FROM $from;
DROP TABLE IF EXISTS :"dst";
ALTER TABLE :"tmp" RENAME TO :"dst";
COMMIT;
SELECT count(*) FROM :"dst";
SQL
		capture rows cat "$out"
		[ "$quiet" = 1 ] ||
			printf '{"num_affected_rows":%s,"num_inserted_rows":%s,"num_skipped_corrupt_files":0}\n' "$rows" "$rows"
		exit 0
	fi
	# One snapshot for the types and the rows; values in one spelling.
	psql_run <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = ISO;
SET LOCAL extra_float_digits = 1;
SELECT '{"_inlet":"begin","batch":0}';
SELECT json_build_object('_inlet', 'schema', 'version', 0, 'fields', coalesce(json_agg(json_build_object(
	'name', a.attname, 'type', CASE
	WHEN t.typname = 'int8' THEN 'BIGINT'
	WHEN t.typname = 'int4' THEN 'INT'
	WHEN t.typname = 'int2' THEN 'SMALLINT'
	WHEN t.typname = 'numeric' AND a.atttypmod >= 4
	     AND (a.atttypmod - 4) >> 16 BETWEEN 1 AND 38
	     AND (a.atttypmod - 4) & 65535 <= (a.atttypmod - 4) >> 16
		THEN format('DECIMAL(%s,%s)', (a.atttypmod - 4) >> 16, (a.atttypmod - 4) & 65535)
	WHEN t.typname IN ('float4', 'float8') THEN 'DOUBLE'
	WHEN t.typname = 'bool' THEN 'BOOLEAN'
	WHEN t.typname = 'date' THEN 'DATE'
	WHEN t.typname IN ('timestamptz', 'timestamp') THEN 'TIMESTAMP'
	WHEN t.typname IN ('json', 'jsonb') THEN 'JSON'
	ELSE 'STRING' END) ORDER BY a.attnum), '[]'))
	FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
	WHERE a.attrelid = ($reg)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
-- json keeps its input's line breaks: as jsonb it is one line.
SELECT string_agg(CASE WHEN a.atttypid = 'json'::regtype
	THEN quote_ident(a.attname) || '::jsonb AS ' || quote_ident(a.attname)
	ELSE quote_ident(a.attname) END, ', ' ORDER BY a.attnum) AS cols
	FROM pg_attribute a
	WHERE a.attrelid = ($reg)::regclass AND a.attnum > 0 AND NOT a.attisdropped \gset
SELECT row_to_json(r.*) FROM (SELECT :cols FROM $from) AS r;
SELECT '{"_inlet":"end","batch":0}';
COMMIT;
SQL
	commit_args+=(--mode overwrite)
	if [ "$quiet" = 1 ]; then commit_args+=(--quiet); else commit_args+=(--summary-only); fi
	inlet-commit "${commit_args[@]}" < "$out"
	exit $?
}

case $1 in
postgresql://*|postgres://*) ;;
*) [ -z "$source_table" ] ||
	usage_error "--source-table names the table of a postgresql:// source; '$1' is not one" ;;
esac
case $1 in
postgresql://*|postgres://*)
	[ $# -eq 1 ] || usage_error "a postgresql:// source stands alone"
	[ -n "$source_table" ] || usage_error "a postgresql:// source needs --source-table NAME"
	[ ${#parse_args[@]} -eq 0 ] && [ ${#cast_args[@]} -eq 0 ] ||
		usage_error "a postgresql:// source is copied as it is: no reader, --schema or --map options"
	commit_check_base=(--db "$db" --table t)
	check_options commit
	pg_ctas "$1"
	;;
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
	capture src_path readlink -f "$src_db"
	capture db_path readlink -f "$db"
	if [ "$src_path" = "$db_path" ]; then
		schema=main
	else
		literal q_src_db "$src_db"
		attach="ATTACH $q_src_db AS src;"
	fi
	literal q_src_name "$src_table"
	capture exists sqlite3 -bail "$src_db" "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = $q_src_name" ||
		die "cannot read database '$src_db'" 66
	[ "$exists" = 1 ] || die "no table '$src_table' in '$src_db'" 66
	# Built under a temporary name and renamed, so a table can replace itself.
	ident q_tmp "_inlet_ctas_$$"
	ident q_src "$src_table"
	ident q_table "$table"
	sql="$attach
BEGIN IMMEDIATE;
DROP TABLE IF EXISTS main.$q_tmp;
CREATE TABLE main.$q_tmp AS SELECT * FROM $schema.$q_src;
DROP TABLE IF EXISTS main.$q_table;
ALTER TABLE main.$q_tmp RENAME TO $q_table;
COMMIT;
SELECT count(*) FROM main.$q_table;"
	capture rows sqlite3 -bail "$db" "$sql" || exit 74
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
capture summary mktemp || die "cannot create a temporary file" 73
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
