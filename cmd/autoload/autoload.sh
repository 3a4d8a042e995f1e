#!/bin/bash
# inlet autoload: Auto Loader (spark.readStream.format("cloudFiles")) as a
# pipeline.  Databricks option names carry over with -o; each maps to a
# flag of one stage, and an option inlet does not support is an error.
set -u -o pipefail
prog=inlet-autoload

usage() {
	cat <<'USAGE'
usage: inlet autoload --checkpoint DIR --db FILE --table NAME
                      [-o OPTION=VALUE]... [options] SOURCE...

Auto Loader: discover new files under SOURCE, parse them, give them a
schema (inferred and evolved, or given) and commit each micro-batch into a
SQLite table exactly once.  Databricks option names are accepted with -o,
e.g. -o cloudFiles.format=json -o cloudFiles.schemaLocation=ck.

  -c, --checkpoint DIR    the checkpointLocation (required)
      --db FILE           SQLite database
      --table NAME        target table (toTable)
  -o, --option KEY=VALUE  a Databricks/Spark option (repeatable; see below)
  -s, --schema DDL        the .schema(...) of the reader
  -m, --map JQ            a jq program for each row (withColumn, select)
  -t, --trigger MODE      available-now (default), once, every:DURATION,
                          watch
  -q, --quiet             no progress objects
  -h, --help              show this help
      --version           show the version

Options (case-insensitive): cloudFiles.format, cloudFiles.schemaLocation,
cloudFiles.inferColumnTypes, cloudFiles.schemaEvolutionMode,
cloudFiles.schemaHints, cloudFiles.rescuedDataColumn,
cloudFiles.maxFilesPerTrigger, cloudFiles.maxBytesPerTrigger,
cloudFiles.includeExistingFiles, cloudFiles.allowOverwrites,
cloudFiles.backfillInterval, cloudFiles.cleanSource,
cloudFiles.cleanSource.moveDestination, cloudFiles.validateOptions,
cloudFiles.useIncrementalListing, header, sep, delimiter, quote, escape,
nullValue, mode, columnNameOfCorruptRecord, badRecordsPath, multiLine,
inferSchema, comment, encoding, pathGlobFilter, fileNamePattern,
cloudFiles.csv.header, cloudFiles.csv.delimiter, cloudFiles.json.multiline.
USAGE
	exit "${1:-0}"
}

die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-64}"; }

bool() {	# bool OPTION VALUE: true or false, or a usage error
	case ${2,,} in
	true) echo true ;;
	false) echo false ;;
	*) die "invalid value '$2' for $1: expected true or false" ;;
	esac
}

ck= db= table= schema= map= trigger=available-now quiet=0
discover_args=() parse_args=() rescue_args=() cast_args=() commit_args=()
format= location= clean= move_to=
opts=$(getopt -n "$prog" -o c:o:s:m:t:qh \
	-l checkpoint:,db:,table:,option:,schema:,map:,trigger:,quiet,help,version \
	-- "$@") || usage 64 >&2
eval set -- "$opts"
options=()
while :; do
	case $1 in
	-c|--checkpoint) ck=$2; shift 2 ;;
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-o|--option) options+=("$2"); shift 2 ;;
	-s|--schema) schema=$2; shift 2 ;;
	-m|--map) map=$2; shift 2 ;;
	-t|--trigger)
		case $2 in available-now|once|watch|every:?*) ;;
		*) die "invalid value '$2' for --trigger: expected available-now, once, every:DURATION or watch" ;;
		esac
		trigger=$2; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage 0 ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done

for kv in ${options[@]+"${options[@]}"}; do
	[[ $kv == *=* ]] || die "invalid option '$kv': expected KEY=VALUE"
	key=${kv%%=*} value=${kv#*=}
	case ${key,,} in
	cloudfiles.format)
		case ${value,,} in
		csv|json|text) format=${value,,} ;;
		*) die "cloudFiles.format=$value is not supported (csv, json, text)" ;;
		esac ;;
	cloudfiles.schemalocation) location=$value ;;
	cloudfiles.infercolumntypes)
		[ "$(bool "$key" "$value")" = true ] && rescue_args+=(--infer-column-types) ;;
	cloudfiles.schemaevolutionmode) rescue_args+=(--schema-evolution-mode "$value") ;;
	cloudfiles.schemahints) rescue_args+=(--schema-hints "$value") ;;
	cloudfiles.rescueddatacolumn) rescue_args+=(--rescued-data-column "$value") ;;
	cloudfiles.maxfilespertrigger) discover_args+=(--max-files-per-trigger "$value") ;;
	cloudfiles.maxbytespertrigger) discover_args+=(--max-bytes-per-trigger "$value") ;;
	cloudfiles.includeexistingfiles)
		discover_args+=(--include-existing-files "$(bool "$key" "$value")") ;;
	cloudfiles.allowoverwrites)
		[ "$(bool "$key" "$value")" = true ] && discover_args+=(--allow-overwrites) ;;
	cloudfiles.backfillinterval) discover_args+=(--backfill-interval "$value") ;;
	cloudfiles.cleansource)
		case ${value,,} in
		off) clean= ;;
		delete) clean=delete ;;
		move) clean=move ;;
		*) die "invalid value '$value' for $key: expected OFF, DELETE or MOVE" ;;
		esac ;;
	cloudfiles.cleansource.movedestination) move_to=$value ;;
	cloudfiles.validateoptions)
		[ "$(bool "$key" "$value")" = true ] || die "$key=false is not supported: inlet always validates options" ;;
	cloudfiles.useincrementallisting)	# listing is always full
		case ${value,,} in auto|true|false) ;; *) die "invalid value '$value' for $key: expected auto, true or false" ;; esac ;;
	badrecordspath) parse_args+=(--bad-records-path "$value"); cast_args+=(--bad-records-path "$value") ;;
	multiline|cloudfiles.json.multiline)
		[ "$(bool "$key" "$value")" = true ] && parse_args+=(--multiline) ;;
	inferschema)
		[ "$(bool "$key" "$value")" = true ] && rescue_args+=(--infer-column-types) ;;
	comment) parse_args+=(--comment "$value") ;;
	encoding|charset) parse_args+=(--encoding "$value") ;;
	header|cloudfiles.csv.header) parse_args+=(--header "$(bool "$key" "$value")") ;;
	sep|delimiter|cloudfiles.csv.delimiter) parse_args+=(--delimiter "$value") ;;
	quote) parse_args+=(--quote "$value") ;;
	escape) parse_args+=(--escape "$value") ;;
	nullvalue) parse_args+=(--null-value "$value") ;;
	mode) parse_args+=(--mode "${value,,}") ;;
	columnnameofcorruptrecord) parse_args+=(--column-name-of-corrupt-record "$value") ;;
	pathglobfilter|filenamepattern) discover_args+=(--pattern "$value") ;;
	cloudfiles.usenotifications)
		[ "$(bool "$key" "$value")" = false ] || die "$key=true is not supported: use --trigger watch (inotify) for the lowest latency" ;;
	*) die "unknown or unsupported option '$key'" ;;
	esac
done

[ -n "$ck" ] || die "--checkpoint DIR is required"
[ -n "$db" ] || die "--db FILE is required"
[ -n "$table" ] || die "--table NAME is required"
[ $# -gt 0 ] || die "no SOURCE given"
[ -n "$format" ] && parse_args+=(--format "$format")
# _metadata is hidden in Spark until selected: parse adds it when --map uses it.
[[ $map == *_metadata* ]] && parse_args+=(--metadata)
if [ "$clean" = move ]; then
	[ -n "$move_to" ] || die "cloudFiles.cleanSource=MOVE needs cloudFiles.cleanSource.moveDestination"
	commit_args+=(--clean-source "move:$move_to")
elif [ "$clean" = delete ]; then
	commit_args+=(--clean-source delete)
fi
[ "$quiet" = 1 ] && commit_args+=(--quiet)

here=$(dirname "$(readlink -f "$0")")
[ -x "$here/inlet-discover" ] && PATH=$here:$PATH

# Without a schema location or a schema, rows keep the columns they bring:
# the pipeline has no rescue stage (no stand-in process either, which a
# stop signal would kill in the middle of a batch).
rescue=()
if [ -n "$location" ] || [ -n "$schema" ]; then
	rescue=(inlet-rescue ${location:+--schema-location "$location"} ${schema:+--schema "$schema"}
		${rescue_args[@]+"${rescue_args[@]}"})
elif [ ${#rescue_args[@]} -gt 0 ]; then
	die "schema options need cloudFiles.schemaLocation or --schema"
fi
cast=(inlet-cast ${map:+--map "$map"} ${cast_args[@]+"${cast_args[@]}"})

# A stop signal goes to discover, which finishes its batch; the other
# stages end at end of input once that batch is committed.
pidfile=$(mktemp) statusfile=$(mktemp)
trap 'rm -f "$pidfile" "$statusfile"' EXIT
interrupted=0
stop() {
	local pid
	interrupted=1
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
}
trap stop INT TERM
(
	# A stop signal to the whole process group must not end this shell
	# before it records the stages' statuses: the stages handle it.
	trap '' INT TERM
	discover() {
		bash -c 'echo $$ > "$1"; shift; exec "$@"' autoload "$pidfile" \
			inlet-discover --checkpoint "$ck" --trigger "$trigger" --quiet \
				${discover_args[@]+"${discover_args[@]}"} -- "$@"
	}
	commit() {
		inlet-commit --checkpoint "$ck" --db "$db" --table "$table" \
			${commit_args[@]+"${commit_args[@]}"}
	}
	if [ ${#rescue[@]} -gt 0 ]; then
		discover "$@" | inlet-parse ${parse_args[@]+"${parse_args[@]}"} \
			| "${rescue[@]}" | "${cast[@]}" | commit
	else
		discover "$@" | inlet-parse ${parse_args[@]+"${parse_args[@]}"} \
			| "${cast[@]}" | commit
	fi
	echo "${PIPESTATUS[*]}" > "$statusfile"
) &
pipeline=$!
# A trapped signal interrupts wait: wait again for the pipeline's own status.
while :; do
	interrupted=0
	wait "$pipeline"
	rc=$?
	if [ "$interrupted" = 1 ]; then
		kill -0 "$pipeline" 2>/dev/null && continue
		wait "$pipeline"
		rc=$?
	fi
	break
done
# The first stage that failed says why: report its status.
for code in $(cat "$statusfile" 2>/dev/null); do
	[ "$code" = 0 ] || exit "$code"
done
exit "$rc"
