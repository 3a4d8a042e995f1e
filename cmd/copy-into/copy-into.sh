#!/bin/bash
# inlet copy-into: COPY INTO as a pipeline.  Files already loaded into the
# table are skipped because the checkpoint beside the database remembers
# them (DB.inlet/TABLE/ unless --checkpoint is given).
set -u
prog=inlet-copy-into

usage() {
	cat <<'USAGE'
usage: inlet copy-into --db FILE --table NAME [options] SOURCE...

COPY INTO: load the files under SOURCE (folders, files or globs) that were
not loaded into the table before, and print the num_affected_rows /
num_inserted_rows / num_skipped_corrupt_files summary.  A rerun loads
nothing and prints zeros.

      --db FILE             SQLite database (created when missing)
      --table NAME          target table (created on first load)
  -f, --format FMT          csv, json or text (default: from file names)
      --header BOOL         CSV: first line names the columns (default true)
  -d, --delimiter CHAR      CSV field delimiter (default ',')
      --pattern GLOB        only files whose name (or path below SOURCE,
                            if GLOB has a '/') matches: COPY INTO's PATTERN
      --mode MODE           malformed records: permissive (default),
                            dropmalformed or failfast
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
	exit "${1:-0}"
}

die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-64}"; }

db= table= ck= force=0 quiet=0
parse_args=() discover_args=()
opts=$(getopt -n "$prog" -o f:d:c:mqh \
	-l db:,table:,format:,header:,delimiter:,pattern:,mode:,metadata,force,checkpoint:,quiet,help,version \
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
	--pattern) discover_args+=(--pattern "$2"); shift 2 ;;
	--force) force=1; shift ;;
	-c|--checkpoint) ck=$2; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage 0 ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done
[ -n "$db" ] || die "--db FILE is required"
[ -n "$table" ] || die "--table NAME is required"
[ $# -gt 0 ] || die "no SOURCE given"

# Run the stages beside this script first, as the inlet dispatcher does.
here=$(dirname "$(readlink -f "$0")")
[ -x "$here/inlet-discover" ] && PATH=$here:$PATH

commit_args=(--db "$db" --table "$table")
if [ "$quiet" = 1 ]; then commit_args+=(--quiet); else commit_args+=(--summary-only); fi
if [ "$force" = 1 ]; then
	inlet-discover --no-checkpoint --quiet "${discover_args[@]}" -- "$@" \
		| inlet-parse "${parse_args[@]}" \
		| inlet-commit "${commit_args[@]}"
else
	[ -n "$ck" ] || ck=$db.inlet/$table
	inlet-discover --checkpoint "$ck" --quiet "${discover_args[@]}" -- "$@" \
		| inlet-parse "${parse_args[@]}" \
		| inlet-commit --checkpoint "$ck" "${commit_args[@]}"
fi
# The first stage that failed says why; report its status.
status=("${PIPESTATUS[@]}")
for s in "${status[@]}"; do
	[ "$s" = 0 ] || exit "$s"
done
exit 0
