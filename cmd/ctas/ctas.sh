#!/bin/bash
# inlet ctas: CREATE OR REPLACE TABLE ... AS SELECT * FROM files (or from
# another table), replacing the table atomically in one transaction.
set -u
prog=inlet-ctas

usage() {
	cat <<'USAGE'
usage: inlet ctas --db FILE --table NAME [options] SOURCE...
       inlet ctas --db FILE --table NAME sqlite:DB:TABLE

CREATE OR REPLACE TABLE AS SELECT: replace the table with every record of
SOURCE (files, folders or globs), or with a copy of another SQLite table.
Nothing is remembered: a rerun replaces the table again.

      --db FILE             SQLite database (created when missing)
      --table NAME          table to create or replace
  -f, --format FMT          csv, json or text (default: from file names)
      --header BOOL         CSV: first line names the columns (default true)
  -d, --delimiter CHAR      CSV field delimiter (default ',')
      --mode MODE           malformed records: permissive (default),
                            dropmalformed or failfast
  -m, --metadata            add the _metadata column
  -q, --quiet               print no summary
  -h, --help                show this help
      --version             show the version
USAGE
	exit "${1:-0}"
}

die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-64}"; }

# "name" quoted as an SQL identifier.
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
# 'text' quoted as an SQL string.
literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

db= table= quiet=0
parse_args=()
opts=$(getopt -n "$prog" -o f:d:mqh \
	-l db:,table:,format:,header:,delimiter:,mode:,metadata,quiet,help,version \
	-- "$@") || usage 64 >&2
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-f|--format)
		case $2 in csv|json|text) ;; *) die "invalid value '$2' for --format: expected csv, json or text" ;; esac
		parse_args+=(--format "$2"); shift 2 ;;
	--header)
		case $2 in true|false) ;; *) die "invalid value '$2' for --header: expected true or false" ;; esac
		parse_args+=(--header "$2"); shift 2 ;;
	-d|--delimiter) parse_args+=(--delimiter "$2"); shift 2 ;;
	--mode)
		case $2 in permissive|dropmalformed|failfast) ;;
		*) die "invalid value '$2' for --mode: expected permissive, dropmalformed or failfast" ;; esac
		parse_args+=(--mode "$2"); shift 2 ;;
	-m|--metadata) parse_args+=(--metadata); shift ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage 0 ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done
[ -n "$db" ] || die "--db FILE is required"
[ -n "$table" ] || die "--table NAME is required"
[ $# -gt 0 ] || die "no SOURCE given"

case $1 in
sqlite:*)
	# sqlite:DB:TABLE -> a copy of that table, in one transaction.
	[ $# -eq 1 ] || die "a sqlite: source stands alone"
	src=${1#sqlite:}
	src_db=${src%:*} src_table=${src##*:}
	[ -n "$src_db" ] && [ "$src_db" != "$src" ] && [ -n "$src_table" ] ||
		die "invalid source '$1': expected sqlite:DB:TABLE"
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

here=$(dirname "$(readlink -f "$0")")
[ -x "$here/inlet-discover" ] && PATH=$here:$PATH

commit_args=(--db "$db" --table "$table" --mode overwrite)
if [ "$quiet" = 1 ]; then commit_args+=(--quiet); else commit_args+=(--summary-only); fi
inlet-discover --no-checkpoint --trigger once --quiet -- "$@" \
	| inlet-parse "${parse_args[@]}" \
	| inlet-commit "${commit_args[@]}"
status=("${PIPESTATUS[@]}")
for s in "${status[@]}"; do
	[ "$s" = 0 ] || exit "$s"
done
exit 0
