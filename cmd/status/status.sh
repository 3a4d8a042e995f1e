#!/bin/bash
# inlet status: what a checkpoint says about its stream, and what a
# database holds (the notebook's closing table-status check).
set -u -o pipefail
prog=inlet-status

usage() {
	cat <<'USAGE'
usage: inlet status CHECKPOINT [--db FILE --table NAME] [--json]
       inlet status --db FILE [--json]

The state of a stream from its checkpoint folder: the last committed
batch, batches written ahead but not committed, files taken, the schema
version, the window state, and (with --db and --table) the rows in the
sink.  With --db alone: every table of the database and its row count.

      --db FILE       SQLite database
      --table NAME    the stream's table in --db
      --json          one JSON object instead of aligned text
  -h, --help          show this help
      --version       show the version
USAGE
	exit "${1:-0}"
}

die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-64}"; }
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
json_string() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

db= table= json=0
opts=$(getopt -n "$prog" -o h -l db:,table:,json,help,version -- "$@") || usage 64 >&2
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	--json) json=1; shift ;;
	-h|--help) usage 0 ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done
[ $# -le 1 ] || die "give one CHECKPOINT"
ck=${1:-}
[ -n "$ck" ] || [ -n "$db" ] || die "give a CHECKPOINT or --db FILE"
[ -z "$table" ] || [ -n "$db" ] || die "--table needs --db"
if [ -n "$db" ]; then
	[ -f "$db" ] || die "cannot open database '$db'" 66
	command -v sqlite3 >/dev/null || die "the sqlite3 program is needed for --db" 69
fi

# latest DIR: the highest numbered entry, or -1
latest() {
	local n
	n=$(ls "$1" 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1)
	echo "${n:--1}"
}

if [ -z "$ck" ]; then
	# Every table and its row count.
	tables=$(sqlite3 -batch "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") ||
		die "cannot read database '$db'" 74
	first=1
	[ "$json" = 1 ] && printf '{"database":%s,"tables":[' "$(json_string "$db")"
	[ "$json" = 1 ] || printf '%-32s %12s\n' table rows
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		n=$(sqlite3 -batch "$db" "SELECT count(*) FROM $(ident "$t")") || die "cannot count '$t'" 74
		if [ "$json" = 1 ]; then
			[ $first = 1 ] || printf ','
			printf '{"table":%s,"rows":%s}' "$(json_string "$t")" "$n"
		else
			printf '%-32s %12s\n' "$t" "$n"
		fi
		first=0
	done <<<"$tables"
	[ "$json" = 1 ] && printf ']}\n'
	exit 0
fi

[ -d "$ck" ] || die "no checkpoint folder '$ck'" 66
[ -f "$ck/metadata" ] || die "'$ck' is not a checkpoint: no metadata file" 66
id=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$ck/metadata")
committed=$(latest "$ck/commits")
offsets=$(latest "$ck/offsets")
ahead=0
pending_files=0
for f in "$ck"/offsets/*; do
	n=${f##*/}
	[[ $n =~ ^[0-9]+$ ]] || continue
	if [ "$n" -gt "$committed" ]; then
		ahead=$((ahead + 1))
		pending_files=$((pending_files + $(grep -c '"_inlet":"file"' "$f")))
	fi
done
seen=0
if [ -f "$ck/sources/seen" ]; then
	# inlet(7): formats 2 and 3 have a "d" line per folder and an "f" line
	# per file (a file taken again repeats); format 3 adds "x" lines that
	# forget a file parse left for a later batch.  Format 1 is JSON.
	case $(head -n 1 "$ck/sources/seen") in
	"inlet-seen 2"|"inlet-seen 3")
		seen=$(awk -F '\t' '$1 == "d" { d = $2 }
			$1 == "f" { s[d SUBSEP $2] = 1 }
			$1 == "x" { delete s[d SUBSEP $2] }
			END { for (k in s) n++; print n + 0 }' "$ck/sources/seen")
		;;
	*)
		seen=$(grep -c '"_inlet":"file"' "$ck/sources/seen")
		;;
	esac
fi
schema=$(latest "$ck/schemas")
state_bytes=0
if [ -d "$ck/state" ]; then
	s=$(latest "$ck/state")
	[ "$s" -ge 0 ] && state_bytes=$(stat -c %s "$ck/state/$s")
fi
clean_pending=0
[ -f "$ck/clean-pending" ] && clean_pending=$(wc -l < "$ck/clean-pending")
rows=
if [ -n "$table" ]; then
	exists=$(sqlite3 -batch "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $(literal "$table")") ||
		die "cannot read database '$db'" 74
	if [ "$exists" = 1 ]; then
		rows=$(sqlite3 -batch "$db" "SELECT count(*) FROM $(ident "$table")") || die "cannot count '$table'" 74
	else
		rows=0
	fi
	marked=$(sqlite3 -batch "$db" "SELECT coalesce(max(batch), -1) FROM _inlet_commits WHERE checkpoint_id = $(literal "$id")" 2>/dev/null || echo -1)
fi

if [ "$json" = 1 ]; then
	printf '{"checkpoint":%s,"id":"%s","last_committed_batch":%s,"last_offset":%s,' \
		"$(json_string "$ck")" "$id" "$committed" "$offsets"
	printf '"batches_ahead":%s,"files_ahead":%s,"files_seen":%s,"schema_version":%s,' \
		"$ahead" "$pending_files" "$seen" "$schema"
	printf '"state_bytes":%s,"clean_pending":%s' "$state_bytes" "$clean_pending"
	[ -n "$table" ] && printf ',"table":%s,"rows":%s,"sink_last_batch":%s' \
		"$(json_string "$table")" "$rows" "$marked"
	printf '}\n'
else
	printf '%-24s %s\n' checkpoint "$ck" id "$id" \
		"last committed batch" "$committed" "batches ahead" "$ahead ($pending_files files, replayed on restart)" \
		"files taken" "$seen" "schema version" "$schema" "window state bytes" "$state_bytes" \
		"files to clean" "$clean_pending"
	[ -n "$table" ] && printf '%-24s %s\n' table "$table" rows "$rows" "sink's last batch" "$marked"
fi
exit 0
