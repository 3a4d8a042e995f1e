#!/bin/bash
# inlet status: what a checkpoint says about its stream, and what a
# database holds (the notebook's closing table-status check).
set -u -o pipefail
prog=inlet-status
. "$(dirname "$(readlink -f "$0")")/inlet.sh-setup"

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
	exit 0
}

json_string() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

db= table= json=0
getopt_or_die h db:,table:,json,help,version "$@"
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	--json) json=1; shift ;;
	-h|--help) usage ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done
[ $# -le 1 ] || usage_error "give one CHECKPOINT"
ck=${1:-}
[ -n "$ck" ] || [ -n "$db" ] || usage_error "give a CHECKPOINT or --db FILE"
[ -z "$table" ] || [ -n "$db" ] || usage_error "--table needs --db"
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
# Damage the stages refuse at start (inlet(7), "A checkpoint that knows it
# is damaged"): each problem names the file and the repair.
problems=()
problem() { problems+=("$1"); }
if [ ! -f "$ck/metadata" ]; then
	for d in offsets commits schemas state; do
		[ "$(latest "$ck/$d")" -ge 0 ] || continue
		problem "'$ck/metadata' is missing but '$ck/$d' holds entries: restore it from a backup or start a new checkpoint"
		break
	done
	[ ${#problems[@]} -gt 0 ] || die "'$ck' is not a checkpoint: no metadata file" 66
fi
id=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$ck/metadata" 2>/dev/null)
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
if [ "$committed" -ge 0 ] && [ "$offsets" -ge 0 ] && [ "$committed" -gt "$offsets" ]; then
	problem "'$ck/commits/$committed' marks a batch never written ahead (offsets/ ends at $offsets): restore '$ck/offsets' from a backup or start a new checkpoint"
fi
if [ "$committed" -ge 0 ] && [ "$(latest "$ck/offsets")" -ge 0 ] &&
   ! grep -q . <(tail -n +2 "$ck/sources/seen" 2>/dev/null); then
	problem "'$ck/sources/seen' is missing or empty while batches were committed: restore it from a backup or start a new checkpoint"
fi
if [ "$committed" -lt 0 ] && [ "$offsets" -lt 0 ] && [ -f "$ck/sources/seen" ] &&
   grep -q $'^b\t' "$ck/sources/seen"; then
	problem "'$ck/offsets' and '$ck/commits' are gone but '$ck/sources/seen' records batches: restore them from a backup or start a new checkpoint"
fi
since=$(sed -n 's/.*"window_since":"\([0-9]*\)".*/\1/p' "$ck/metadata" 2>/dev/null)
if [ -n "$since" ] && [ "$committed" -ge "$since" ] && [ ! -f "$ck/state/$committed" ]; then
	problem "'$ck/state/$committed' is missing: it holds the window state of committed batch $committed; restore it or start a new checkpoint"
fi
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
	if [ "$committed" -ge 0 ] && [ "$marked" -lt "$committed" ]; then
		problem "'$ck/commits/$committed' says batch $committed is durable in '$db', but it holds no mark of it: the database was replaced, emptied or restored from an older backup"
	fi
fi

if [ "$json" = 1 ]; then
	printf '{"checkpoint":%s,"id":"%s","last_committed_batch":%s,"last_offset":%s,' \
		"$(json_string "$ck")" "$id" "$committed" "$offsets"
	printf '"batches_ahead":%s,"files_ahead":%s,"files_seen":%s,"schema_version":%s,' \
		"$ahead" "$pending_files" "$seen" "$schema"
	printf '"state_bytes":%s,"clean_pending":%s' "$state_bytes" "$clean_pending"
	[ -n "$table" ] && printf ',"table":%s,"rows":%s,"sink_last_batch":%s' \
		"$(json_string "$table")" "$rows" "$marked"
	printf ',"problems":['
	sep=
	for p in ${problems[@]+"${problems[@]}"}; do
		printf '%s%s' "$sep" "$(json_string "$p")"
		sep=,
	done
	printf ']}\n'
else
	printf '%-24s %s\n' checkpoint "$ck" id "$id" \
		"last committed batch" "$committed" "batches ahead" "$ahead ($pending_files files, replayed on restart)" \
		"files taken" "$seen" "schema version" "$schema" "window state bytes" "$state_bytes" \
		"files to clean" "$clean_pending"
	[ -n "$table" ] && printf '%-24s %s\n' table "$table" rows "$rows" "sink's last batch" "$marked"
	for p in ${problems[@]+"${problems[@]}"}; do
		printf '%-24s %s\n' problem "$p"
	done
fi
# A damaged checkpoint is 65, as the stages that refuse it.
[ ${#problems[@]} -eq 0 ] || exit 65
exit 0
