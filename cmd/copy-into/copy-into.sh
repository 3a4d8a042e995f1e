#!/bin/bash
# inlet copy-into: COPY INTO as a pipeline.  Files already loaded into the
# table are skipped because the checkpoint beside the database remembers
# them (DB.inlet/TABLE/ unless --checkpoint is given); the history goes
# with the table, as Databricks keeps it in the table's log.
set -u
prog=inlet-copy-into
_inlet_self=$(readlink -f "$0") && . "${_inlet_self%/*}/inlet.sh-setup"

usage() {
	cat <<'USAGE'
usage: inlet copy-into --db FILE|URI --table NAME [options] SOURCE...

COPY INTO: load the files under SOURCE (folders, files or globs) that were
not loaded into the table before, and print the num_affected_rows /
num_inserted_rows / num_skipped_corrupt_files summary (and
num_malformed_rows when records were malformed).  A rerun loads nothing
and prints zeros; a table dropped or created anew starts with no history.

      --db FILE|URI         SQLite database (created when missing), or a
                            PostgreSQL database: postgresql://...
      --table NAME          target table (created on first load)
  -f, --format FMT          csv, tsv, json or text (default: from file names)
  -s, --schema DDL          cast the rows to this schema (the SELECT list's
                            types)
      --map JQ              a jq program for each row (the SELECT list)
USAGE
	reader_usage
	cat <<'USAGE'
      --pattern GLOB        only files whose name (or path below SOURCE,
                            if GLOB has a '/') matches: COPY INTO's PATTERN
      --mode MODE           malformed records and values that do not
                            convert: permissive (default), dropmalformed or
                            failfast
  -m, --metadata            add the _metadata column
      --partition-columns LIST
                            the key=value folders that become columns (a
                            comma list; '' for none; default: every one)
      --ignore-corrupt-files BOOL
                            skip and count a file that cannot be read whole
                            (default false: the load fails)
      --ignore-missing-files BOOL
                            skip and count a file gone once listed
                            (default true, as for Databricks' COPY INTO)
      --force               load every file again, loaded before or not
                            (COPY_OPTIONS force); forced loads are not
                            remembered
  -c, --checkpoint DIR      where to remember loaded files
                            (default: DB.inlet/TABLE; needed with a
                            PostgreSQL --db)
      --merge-schema        add the data's new columns to the table
                            (COPY_OPTIONS mergeSchema; off by default: a
                            column the table lacks is an error)
  -o, --option KEY=VALUE    COPY_OPTIONS by name: mergeSchema=BOOL,
                            force=BOOL
      --format-option KEY=VALUE
                            FORMAT_OPTIONS by Spark's name (repeatable):
                            header, sep, multiLine, timeZone, ...; each is
                            the flag above of the same meaning
      --validate[=N|all]    VALIDATE: parse and cast the files a load would
                            take, write nothing, print the first N rows
                            (default 50; all: every row) and every problem;
                            exit 65 when there is one
  -q, --quiet               print no summary
  -h, --help                show this help
      --version             show the version
USAGE
	exit 0
}

# --complete (inlet.sh-setup): the values no stage's --complete gives.
complete_stages=(parse cast discover commit)
complete_table() {
	printf '%s\n' '--ignore-corrupt-files true false' '--ignore-missing-files true false' \
		'--recursive-file-lookup true false' \
		'--option mergeSchema= force=' 'mergeSchema= true false' 'force= true false'
}

# copy_option KEY=VALUE: one of COPY_OPTIONS, by its Databricks name.
copy_option() {
	local key=${1%%=*} on
	[[ $1 == *=* ]] || usage_error "invalid option '$1': expected KEY=VALUE"
	case ${key,,} in
	mergeschema) bool_value merge "-o $1" "${1#*=}" ;;
	force) bool_value on "-o $1" "${1#*=}"; [ "$on" = true ] && force=1 || force=0 ;;
	*)
		reader_key "$key" &&
			usage_error "'$key' is one of FORMAT_OPTIONS, not COPY_OPTIONS: give it with --format-option $1"
		usage_error "unknown or unsupported option '$key' (COPY_OPTIONS: mergeSchema, force)" ;;
	esac
}

# FORMAT_OPTIONS KEY=VALUE: the reader options, by their Spark names.
# mergeSchema is COPY_OPTIONS' in inlet: the files' columns are always
# merged, and the table's evolve with -o mergeSchema=true.
format_options() {
	local key=${1%%=*}
	case ${key,,} in
	force|mergeschema)
		usage_error "'$key' is one of COPY_OPTIONS, not FORMAT_OPTIONS: give it with -o $1" ;;
	esac
	format_option "$1" "--format-option $1" ||
		usage_error "unknown or unsupported FORMAT_OPTIONS key '$key' (see inlet-options(7))"
}

db= table= ck= force=0 quiet=0 schema= map= header= merge=false validate= on= ignore_missing=true
recursive= recursive_what= partitions_what=
discover_args=() parse_args=() cast_args=() commit_args=()
getopt_or_die f:s:d:c:o:mqh \
	merge-schema,option:,format-option:,validate::,db:,table:,format:,schema:,map:,header:,delimiter:,quote:,escape:,null-value:,empty-value:,max-columns:,max-chars-per-column:,unescaped-quote-handling:,whole-text,nan-value:,positive-inf:,negative-inf:,comment:,skip-rows:,ignore-leading-white-space,ignore-trailing-white-space,multiline,encoding:,date-format:,timestamp-format:,time-zone:,recursive-file-lookup:,pattern:,mode:,metadata,allow-unquoted-control-chars:,allow-backslash-escaping-any-character:,allow-numeric-leading-zeros:,allow-unquoted-field-names:,allow-comments:,allow-non-numeric-numbers:,allow-single-quotes:,partition-columns:,ignore-corrupt-files:,ignore-missing-files:,force,checkpoint:,quiet,help,version \
	"$@"
eval set -- "$opts"
while :; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-f|--format) stage_opt parse "--format $2" --format "$2"; shift 2 ;;
	-s|--schema) schema=$2; stage_opt cast "--schema $2" --schema "$2"; shift 2 ;;
	--map) map=$2; stage_opt cast "--map $2" --map "$2"; shift 2 ;;
	--ignore-leading-white-space|--ignore-trailing-white-space|--multiline|--whole-text)
		reader_flag "$1" "$1"; shift ;;
	-m|--metadata) stage_opt parse "$1" --metadata; shift ;;
	--force) force=1; shift ;;
	--merge-schema) merge=true; shift ;;
	--validate) validate=${2:-50}; shift 2 ;;
	-o|--option) copy_option "$2"; shift 2 ;;
	--format-option) format_options "$2"; shift 2 ;;
	-c|--checkpoint) ck=$2; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	*)	# the reader flags that take a value
		reader_flag "$1 $2" "$1" "$2" || usage_error "unhandled option '$1'"
		shift 2 ;;
	esac
done
recursive_lookup
# Databricks: ignoreMissingFiles is true for COPY INTO.
[ "$ignore_missing" = true ] && parse_args+=(--ignore-missing-files)
# The values first: a bad one is the error, even with options missing.
# What an option alone is checked with (--check-options reads nothing):
discover_check_base=(--no-checkpoint .)
check_options
case ${validate,,} in
'') ;;
all) validate=-1 ;;
*[!0-9]*|0*) usage_error "invalid value '$validate' for --validate: expected a number of rows above 0, or all (spelled --validate=N)" ;;
esac
[ -n "$db" ] || usage_error "--db FILE is required"
[ -n "$table" ] || usage_error "--table NAME is required"
[ $# -gt 0 ] || usage_error "no SOURCE given"
cast_plan
# A PostgreSQL database has no folder beside it to keep the history in.
pg=0
case $db in postgresql://*|postgres://*) pg=1 ;; esac
[ "$force" = 1 ] || [ -n "$ck" ] || [ "$pg" = 0 ] ||
	usage_error "a PostgreSQL --db has no folder beside it for the load history: give --checkpoint DIR (or --force)"
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

# The table as inlet-status reads it, in SQLite or PostgreSQL: whether it
# exists, its rows, its columns and the checkpoints whose marks name it
# (one JSON object; read once, when asked).
tstatus=
table_status() {
	[ -n "$tstatus" ] && return 0
	capture tstatus inlet-status --db "$db" --table "$table" --json || exit $?
	local re=',"exists":(true|false),"rows":([0-9]+),"columns":(\[.*\]),"loads":'
	[[ $tstatus =~ $re ]] || die "inlet-status wrote an unexpected description of '$table': $tstatus" 70
	t_exists=${BASH_REMATCH[1]} t_rows=${BASH_REMATCH[2]} t_columns=${BASH_REMATCH[3]}
}

if [ -n "$ck" ] && [ -d "$ck/commits" ]; then
	# The load history goes with the table (Databricks keeps it in the
	# table's log): a table dropped, or created anew, starts with none.
	# SQLite gives a table no identity of its own, so the table is the
	# one this history loaded when it exists, holds the commit marks
	# inlet-commit wrote with this checkpoint's id, and is not empty
	# while those loads inserted rows (DROP TABLE and CREATE TABLE again
	# leave the marks but not the rows).  PostgreSQL is asked the same.
	capture id sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$ck/metadata" 2>/dev/null
	same=0 history=0
	compgen -G "$ck/commits/*" > /dev/null && history=1
	if [ -n "$id" ] && { [ "$pg" = 1 ] || [ -f "$db" ]; }; then
		table_status
		# (an id is hex: it needs no quoting in the pattern)
		re="\{\"checkpoint_id\":\"$id\",\"batches\":[0-9]+,\"last_batch\":-?[0-9]+,\"rows\":([0-9]+)\}"
		if [ "$t_exists" = true ] && [[ $tstatus =~ $re ]] &&
		   { [ "$t_rows" -gt 0 ] || [ "${BASH_REMATCH[1]}" = 0 ]; }; then
			same=1
		fi
	fi
	if [ "$same" != 1 ] && [ "$history" = 1 ] && [ -n "$validate" ]; then
		printf "%s: table '%s' in '%s' is not the table '%s' loaded (dropped or created anew): every file is validated, as a load would take them all again\n" \
			"$prog" "$table" "$db" "$ck" >&2
		ck=
	elif [ "$same" != 1 ] && [ "$history" = 1 ]; then
		capture aside date -u +%Y%m%dT%H%M%SZ
		aside=$ck.set-aside-$aside-$$
		mv -- "$ck" "$aside" || die "cannot set aside '$ck'" 73
		printf "%s: table '%s' in '%s' is not the table '%s' loaded (dropped or created anew): its load history is set aside as '%s', and the files load again\n" \
			"$prog" "$table" "$db" "$ck" "$aside" >&2
	fi
fi

# mergeSchema (COPY_OPTIONS, off by default as in Databricks): the rows
# that would go into an existing table bring no column it lacks.  The
# table's columns, compared by lower-cased name (SQLite's names are
# case-insensitive), none when the table does not exist yet: the first
# load creates it from the data, as CREATE TABLE would.
# A load leaves the check to inlet-commit --no-new-columns, inside the
# batch's transaction.  VALIDATE, which commits nothing, checks with a jq
# program for inlet-cast --map: a row with a column the table lacks is 65.
check=()
if [ "$merge" = false ] && { [ "$pg" = 1 ] || [ -f "$db" ]; }; then
	table_status
	if [ "$t_exists" = true ] && [ "$t_columns" != "[]" ]; then
		check_map="($tstatus) as \$t | (\$t.columns | map({key: (.name | ascii_downcase), value: true}) | from_entries) as \$have
	| ([keys_unsorted[] | select(\$have[ascii_downcase] | not)]) as \$new
	| if \$new == [] then . else error(\"column '\" + \$new[0] + \"' is not in table '\" + \$t.table +
	  \"': COPY INTO's mergeSchema is off; add it to the table with --merge-schema (-o mergeSchema=true), or leave it out with --map\") end"
		# cast's "--map failed: " said as copy-into's own check.
		check=(bash -c '"$@" 2> >(sed -u "s/^inlet-cast: \(.*\): --map failed: /$0: \1: /" >&2); rc=$?; wait $!; exit $rc' \
			"$prog" inlet-cast --quiet --map "$check_map")
	fi
fi

# VALIDATE: the pipeline of a load, on a copy of the load history, into
# nothing: the rows go to standard output (the first N), the problems
# parse and cast set aside (--bad-records-path) to standard error.
validate_run() {
	local tmp rc bad n=0 rows f a skip=0 args=() lines q_prog q_f
	capture tmp mktemp -d || die "cannot create a temporary folder" 73
	trap 'rm -rf "$tmp"' EXIT
	# discover's --checkpoint, on the copy; --mode is left out: every problem is reported.
	# (no history: the table's was not this table's, or --force).
	for a in "${discover_args[@]}"; do
		if [ "$skip" = 1 ]; then skip=0; continue; fi
		case $a in
		--checkpoint) skip=1; args+=(--checkpoint "$tmp/ck") ;;
		*) args+=("$a") ;;
		esac
	done
	if [ -n "$ck" ] && [ -d "$ck" ]; then
		cp -a -- "$ck" "$tmp/ck" || die "cannot copy '$ck' to validate" 74
	fi
	discover=(inlet-discover "${args[@]}")
	without_mode parse ${parse_args[@]+"${parse_args[@]}"}
	parse=(inlet-parse --quiet --bad-records-path "$tmp/bad" ${parse[@]+"${parse[@]}"})
	stages=(discover parse)
	if [ ${#cast_args[@]} -gt 0 ]; then
		without_mode cast "${cast_args[@]}"
		cast=(inlet-cast --quiet --bad-records-path "$tmp/bad" ${cast[@]+"${cast[@]}"})
		stages+=(cast)
	fi
	if [ ${#check[@]} -gt 0 ]; then
		check+=(--rows-only)
	else
		check=(inlet-cast --quiet --rows-only)
	fi
	preview=(awk -v n="$validate" -v out="$tmp/rows" 'n < 0 || NR <= n { print } END { print NR > out }')
	run_pipeline "${stages[@]}" check preview
	rc=$?
	for f in "$tmp"/bad/*/bad_records/* "$tmp"/bad/*/bad_files/*; do
		[ -f "$f" ] || continue
		literal q_prog "$prog"
		literal q_f "$f"
		sqlite3 -batch :memory: "SELECT printf('%s: ''%s'': %s%s', $q_prog,
			json_extract(value, '\$.path'), json_extract(value, '\$.reason'),
			coalesce(': ' || json_extract(value, '\$.record'), ''))
			FROM json_each('[' || replace(rtrim(CAST(readfile($q_f) AS TEXT), char(10)), char(10), ',') || ']')" >&2 ||
			die "cannot read '$f'" 74
		capture lines wc -l < "$f"
		n=$((n + lines))
	done
	capture rows cat "$tmp/rows" 2>/dev/null
	[ "$quiet" = 1 ] || [ "$rc" != 0 ] ||
		printf '%s: validated %s rows, %s problems; nothing was loaded\n' "$prog" "${rows:-0}" "$n" >&2
	[ "$rc" = 0 ] || exit "$rc"
	[ "$n" = 0 ] || exit 65
	exit 0
}

# without_mode ARRAY WORD...: ARRAY=(WORD...) without "--mode M".
without_mode() {
	local -n _out=$1
	shift
	_out=()
	while [ $# -gt 0 ]; do
		if [ "$1" = --mode ]; then shift 2; continue; fi
		_out+=("$1")
		shift
	done
}

cast_reports_records ${cast_args[@]+"${cast_args[@]}"} && parse_args+=(--record-source)
[ -z "$validate" ] || validate_run
discover=(inlet-discover "${discover_args[@]}")
# parse's count line gives the malformed records for the summary.
capture counts mktemp && capture summary mktemp || die "cannot create a temporary file" 73
trap 'rm -f "$counts" "$summary"' EXIT
parse=(bash -c 'f=$1; shift; "$@" 2> >(tee -a "$f" >&2); rc=$?; wait $!; exit $rc' \
	copy-into "$counts" inlet-parse ${parse_args[@]+"${parse_args[@]}"})
[ "$merge" = true ] || commit_args+=(--no-new-columns)
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
capture malformed sed -n 's/^inlet-parse: [0-9]* rows from [0-9]* files; \([0-9]*\) malformed records.*/\1/p' "$counts"
malformed=${malformed##*$'\n'}
if [ "${malformed:-0}" -gt 0 ]; then
	sed "s/}\$/,\"num_malformed_rows\":$malformed}/" "$summary"
else
	cat "$summary"
fi
