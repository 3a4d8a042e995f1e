#!/bin/bash
# inlet autoload: Auto Loader (spark.readStream.format("cloudFiles")) as a
# pipeline.  Databricks option names carry over with -o; each maps to a
# flag of one stage, and an option inlet does not support is an error.
set -u
prog=inlet-autoload
_inlet_self=$(readlink -f "$0") && . "${_inlet_self%/*}/inlet.sh-setup"

usage() {
	cat <<'USAGE'
usage: inlet autoload --checkpoint DIR --db FILE|URI --table NAME
                      [-o OPTION=VALUE]... [options] SOURCE...

Auto Loader: discover new files under SOURCE, parse them, give them a
schema (inferred and evolved, or given) and commit each micro-batch into
an SQLite or PostgreSQL table exactly once.  Databricks option names are
accepted with -o, e.g. -o cloudFiles.format=json
-o cloudFiles.schemaLocation=ck.

  -c, --checkpoint DIR    the checkpointLocation (required)
      --db FILE|URI       SQLite database, or PostgreSQL's postgresql://...
      --table NAME        target table (toTable)
  -o, --option KEY=VALUE  a Databricks/Spark option (repeatable; see below)
  -s, --schema DDL        the .schema(...) of the reader
      --map JQ            a jq program for each row (withColumn, select)
      --shard K/N         take shard K of N of the files (inlet-discover
                          --shard): one worker of N, each with its own
                          checkpoint, into one table
  -t, --trigger MODE      available-now (default; also availableNow),
                          once, every:DURATION (also processingTime=DURATION,
                          e.g. processingTime='10 seconds'), watch
      --each-batch CMD    foreachBatch: run CMD (sh -c) once per committed
                          batch, its rows on standard input (inlet-commit)
  -q, --quiet             no progress objects
  -h, --help              show this help
      --version           show the version

Options (case-insensitive): cloudFiles.format, cloudFiles.schemaLocation,
cloudFiles.inferColumnTypes, cloudFiles.schemaEvolutionMode,
cloudFiles.schemaHints, cloudFiles.rescuedDataColumn, rescuedDataColumn,
cloudFiles.schemaInference.sampleSize.numFiles,
cloudFiles.schemaInference.sampleSize.numBytes,
cloudFiles.maxFilesPerTrigger, cloudFiles.maxBytesPerTrigger,
cloudFiles.includeExistingFiles, cloudFiles.allowOverwrites,
cloudFiles.backfillInterval, cloudFiles.cleanSource,
cloudFiles.cleanSource.moveDestination,
cloudFiles.cleanSource.retentionDuration, cloudFiles.validateOptions,
cloudFiles.useIncrementalListing, header, sep, delimiter, quote, escape,
nullValue, emptyValue, nanValue, positiveInf, negativeInf, maxColumns,
maxCharsPerColumn, unescapedQuoteHandling, wholetext,
ignoreLeadingWhiteSpace, ignoreTrailingWhiteSpace, skipRows,
dateFormat, timestampFormat, timeZone, spark.sql.session.timeZone, mode, columnNameOfCorruptRecord,
badRecordsPath, multiLine, inferSchema, comment, encoding, pathGlobFilter,
fileNamePattern, enforceSchema, cloudFiles.partitionColumns, ignoreCorruptFiles,
ignoreMissingFiles, recursiveFileLookup, allowSingleQuotes, allowNonNumericNumbers,
allowComments, allowUnquotedFieldNames, allowNumericLeadingZeros,
allowBackslashEscapingAnyCharacter, allowUnquotedControlChars,
prefersDecimal, primitivesAsString, dropFieldIfAllNull,
cloudFiles.csv.header, cloudFiles.csv.delimiter, cloudFiles.json.multiline.
USAGE
	exit 0
}

# --complete (inlet.sh-setup): -o takes the keys the help lists, and
# these keys take these values.
complete_stages=(discover commit)
complete_table() {
	local k
	printf -- '--option'
	usage | sed -n '/^Options (case-insensitive):/,$p' |
		sed 's/^Options (case-insensitive)://; s/,/ /g; s/\.$//' | tr -s ' \n' '\n\n' |
		sed -n 's/^\(..*\)$/ \1=/p' | tr -d '\n'
	printf '\n%s\n' 'cloudFiles.format= csv json text' \
		'cloudFiles.schemaEvolutionMode= addNewColumns rescue failOnNewColumns none' \
		'cloudFiles.cleanSource= OFF DELETE MOVE' 'mode= PERMISSIVE DROPMALFORMED FAILFAST' \
		'cloudFiles.schemaLocation= <dir>' 'cloudFiles.cleanSource.moveDestination= <dir>' \
		'cloudFiles.useIncrementalListing= auto true false' 'cloudFiles.useNotifications= false'
	for k in cloudFiles.inferColumnTypes inferSchema cloudFiles.includeExistingFiles \
		cloudFiles.allowOverwrites cloudFiles.validateOptions header cloudFiles.csv.header \
		enforceSchema multiLine cloudFiles.json.multiline wholetext ignoreLeadingWhiteSpace \
		ignoreTrailingWhiteSpace ignoreCorruptFiles ignoreMissingFiles recursiveFileLookup \
		allowSingleQuotes allowNonNumericNumbers allowComments allowUnquotedFieldNames \
		allowNumericLeadingZeros allowBackslashEscapingAnyCharacter allowUnquotedControlChars \
		prefersDecimal primitivesAsString dropFieldIfAllNull; do
		printf '%s= true false\n' "$k"
	done
}

# infer_first_start SOURCE...: at the first start (no schema stored in the
# schema location, none given), infer schemas/0 from a sample of every file
# found, as Auto Loader does (cloudFiles.schemaInference.sampleSize.numFiles,
# default 1000, and .numBytes), not from the first micro-batch alone: a
# listing without a checkpoint, parsed as the pipeline parses, into
# inlet-rescue --infer-only.  Nothing is marked seen; bad records are left
# to the pipeline, which writes them once.
infer_first_start() {
	local i a v files=1000 includes=true
	local -a list=(--no-checkpoint --trigger once --quiet) p=()
	[ -n "$location" ] && [ -z "$schema" ] || return 0
	compgen -G "$location/schemas/[0-9]*" > /dev/null && return 0
	for ((i = 0; i < ${#rescue_args[@]}; i++)); do
		[ "${rescue_args[i]}" = --sample-files ] && files=${rescue_args[i + 1]}
	done
	for ((i = 0; i < ${#discover_args[@]}; i++)); do
		a=${discover_args[i]} v=${discover_args[i + 1]:-}
		case $a in
		--) break ;;
		--quiet|--allow-overwrites) continue ;;
		--no-recursive) list+=("$a"); continue ;;
		--pattern|--modified-after|--modified-before) list+=("$a" "$v") ;;
		--include-existing-files) bool_value includes "$a" "$v" ;;
		esac
		i=$((i + 1))
	done
	# Without the existing files the first batch is all there is to infer from.
	[ "$includes" = true ] || return 0
	for ((i = 0; i < ${#parse_args[@]}; i++)); do
		case ${parse_args[i]} in
		--bad-records-path) i=$((i + 1)) ;;
		*) p+=("${parse_args[i]}") ;;
		esac
	done
	list+=(--max-files-per-trigger "$files" -- "$@")
	local infer_list=(inlet-discover "${list[@]}")
	local infer_parse=(inlet-parse --quiet ${p[@]+"${p[@]}"})
	local infer_rescue=(inlet-rescue "${rescue_args[@]}" --infer-only)
	[ "$quiet" = 1 ] && infer_rescue+=(--quiet)
	pipeline_checkpoint=
	run_pipeline infer_list infer_parse infer_rescue || exit
	[ "$pipeline_stopped" = 0 ] || exit 0
}

ck= db= table= schema= map= trigger=available-now quiet=0 infer=false
discover_args=() parse_args=() rescue_args=() cast_args=() commit_args=()
location= clean= move_to= on= header= enforce= retention= retention_what=
recursive= recursive_what= partitions_what=
getopt_or_die c:o:s:t:qh \
	checkpoint:,db:,table:,option:,schema:,map:,shard:,trigger:,each-batch:,quiet,help,version \
	"$@"
eval set -- "$opts"
options=()
while :; do
	case $1 in
	-c|--checkpoint) ck=$2; shift 2 ;;
	--db) db=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	-o|--option) options+=("$2"); shift 2 ;;
	-s|--schema) schema=$2; shift 2 ;;
	--map) map=$2; shift 2 ;;
	-t|--trigger) trigger=$2; shift 2 ;;
	--shard) stage_opt discover "--shard $2" --shard "$2"; shift 2 ;;
	--each-batch) stage_opt commit "--each-batch $2" --each-batch "$2"; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage ;;
	--version) echo "$prog (inlet) @VERSION@"; exit 0 ;;
	--) shift; break ;;
	esac
done

# Databricks' spellings of the triggers: .trigger(availableNow=True) and
# .trigger(processingTime='10 seconds'); discover checks the duration.
case $trigger in
availableNow|availablenow|available-now) t=available-now ;;
processingTime=*|processingtime=*)
	t=${trigger#*=}
	t=${t#[\'\"]} t=${t%[\'\"]}
	t=every:$t ;;
*) t=$trigger ;;
esac
stage_opt discover "--trigger $trigger" --trigger "$t"

# Each -o goes to the stage flags it means; the stages check the values
# (check_options below), so a refusal names the option as typed here.
for kv in ${options[@]+"${options[@]}"}; do
	[[ $kv == *=* ]] || usage_error "invalid option '$kv': expected KEY=VALUE"
	key=${kv%%=*} value=${kv#*=} what="-o $kv"
	case ${key,,} in
	cloudfiles.format) stage_opt parse "$what" --format "${value,,}" ;;
	cloudfiles.schemalocation) location=$value ;;
	cloudfiles.infercolumntypes|inferschema)
		bool_value infer "$what" "$value"
		[ "$infer" = true ] && stage_opt rescue "$what" --infer-column-types ;;
	cloudfiles.schemaevolutionmode) stage_opt rescue "$what" --schema-evolution-mode "$value" ;;
	cloudfiles.schemahints) stage_opt rescue "$what" --schema-hints "$value" ;;
	cloudfiles.schemainference.samplesize.numfiles) stage_opt rescue "$what" --sample-files "$value" ;;
	cloudfiles.schemainference.samplesize.numbytes) stage_opt rescue "$what" --sample-bytes "$value" ;;
	# Spark's JSON inference options (DataFrameReader.json).
	prefersdecimal)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt rescue "$what" --prefers-decimal ;;
	primitivesasstring)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt rescue "$what" --primitives-as-string ;;
	dropfieldifallnull)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt rescue "$what" --drop-field-if-all-null ;;
	cloudfiles.rescueddatacolumn|rescueddatacolumn)
		stage_opt rescue "$what" --rescued-data-column "$value"
		stage_opt cast "$what" --rescued-data-column "$value" ;;
	cloudfiles.maxfilespertrigger) stage_opt discover "$what" --max-files-per-trigger "$value" ;;
	cloudfiles.maxbytespertrigger) stage_opt discover "$what" --max-bytes-per-trigger "$value" ;;
	cloudfiles.includeexistingfiles) stage_opt discover "$what" --include-existing-files "$value" ;;
	modifiedafter|cloudfiles.modifiedafter) stage_opt discover "$what" --modified-after "$value" ;;
	modifiedbefore|cloudfiles.modifiedbefore) stage_opt discover "$what" --modified-before "$value" ;;
	cloudfiles.allowoverwrites)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt discover "$what" --allow-overwrites ;;
	# Databricks writes it '1 day' or '1 week': quotes as in its examples.
	cloudfiles.backfillinterval)
		v=${value#[\'\"]} v=${v%[\'\"]}
		stage_opt discover "$what" --backfill-interval "$v" ;;
	cloudfiles.cleansource)
		case ${value,,} in
		off) clean= ;;
		delete) clean=delete ;;
		move) clean=move ;;
		*) die "$what: expected OFF, DELETE or MOVE" ;;
		esac ;;
	cloudfiles.cleansource.movedestination) move_to=$value ;;
	cloudfiles.cleansource.retentionduration) retention=${value#[\'\"]} retention=${retention%[\'\"]} retention_what=$what ;;
	cloudfiles.validateoptions)
		bool_value on "$what" "$value"
		[ "$on" = true ] || die "$what is not supported: inlet always validates options" ;;
	cloudfiles.useincrementallisting)	# listing is always full
		case ${value,,} in auto|true|false) ;; *) die "$what: expected auto, true or false" ;; esac ;;
	cloudfiles.usenotifications)
		bool_value on "$what" "$value"
		[ "$on" = false ] || die "$what is not supported: use --trigger watch (inotify) for the lowest latency" ;;
	badrecordspath)
		stage_opt parse "$what" --bad-records-path "$value"
		stage_opt cast "$what" --bad-records-path "$value" ;;
	multiline|cloudfiles.json.multiline)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --multiline ;;
	comment) stage_opt parse "$what" --comment "$value" ;;
	# Spark's JSON reader leniencies; parse checks the BOOL.
	allowsinglequotes) stage_opt parse "$what" --allow-single-quotes "$value" ;;
	allownonnumericnumbers)
		stage_opt parse "$what" --allow-non-numeric-numbers "$value"
		stage_opt cast "$what" --allow-non-numeric-numbers "$value" ;;
	allowcomments) stage_opt parse "$what" --allow-comments "$value" ;;
	allowunquotedfieldnames) stage_opt parse "$what" --allow-unquoted-field-names "$value" ;;
	allownumericleadingzeros) stage_opt parse "$what" --allow-numeric-leading-zeros "$value" ;;
	allowbackslashescapinganycharacter)
		stage_opt parse "$what" --allow-backslash-escaping-any-character "$value" ;;
	allowunquotedcontrolchars) stage_opt parse "$what" --allow-unquoted-control-chars "$value" ;;
	encoding|charset) stage_opt parse "$what" --encoding "$value" ;;
	header|cloudfiles.csv.header) stage_opt parse "$what" --header "$value"; header=${value,,} ;;
	enforceschema) bool_value enforce "$what" "$value" ;;
	sep|delimiter|cloudfiles.csv.delimiter) stage_opt parse "$what" --delimiter "$value" ;;
	quote) stage_opt parse "$what" --quote "$value" ;;
	escape) stage_opt parse "$what" --escape "$value" ;;
	nullvalue) stage_opt parse "$what" --null-value "$value" ;;
	emptyvalue) stage_opt parse "$what" --empty-value "$value" ;;
	maxcolumns) stage_opt parse "$what" --max-columns "$value" ;;
	maxcharspercolumn) stage_opt parse "$what" --max-chars-per-column "$value" ;;
	unescapedquotehandling) stage_opt parse "$what" --unescaped-quote-handling "$value" ;;
	wholetext)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --whole-text ;;
	# A DOUBLE column's special texts are the conversion's (parse keeps text).
	nanvalue) stage_opt cast "$what" --nan-value "$value" ;;
	positiveinf) stage_opt cast "$what" --positive-inf "$value" ;;
	negativeinf) stage_opt cast "$what" --negative-inf "$value" ;;
	samplingratio)
		usage_error "$what is not supported: inlet infers the schema from whole sample files (cloudFiles.schemaInference.sampleSize.numFiles and .numBytes), not a fraction of the rows" ;;
	skiprows) stage_opt parse "$what" --skip-rows "$value" ;;
	ignoreleadingwhitespace)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --ignore-leading-white-space ;;
	ignoretrailingwhitespace)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --ignore-trailing-white-space ;;
	dateformat) stage_opt cast "$what" --date-format "$value" ;;
	timestampformat) stage_opt cast "$what" --timestamp-format "$value" ;;
	# Spark reads a TIMESTAMP without an offset in timeZone, else the session's.
	timezone|spark.sql.session.timezone) stage_opt cast "$what" --time-zone "$value" ;;
	# Spark's mode and corrupt-record column govern the reader and the
	# conversion both: a value that does not convert is a bad record too.
	mode)
		stage_opt parse "$what" --mode "${value,,}"
		stage_opt cast "$what" --mode "${value,,}" ;;
	columnnameofcorruptrecord)
		stage_opt parse "$what" --column-name-of-corrupt-record "$value"
		stage_opt cast "$what" --column-name-of-corrupt-record "$value" ;;
	pathglobfilter|filenamepattern) stage_opt discover "$what" --pattern "$value" ;;
	# Hive-style key=value folders: every one by default, '' for none.
	cloudfiles.partitioncolumns)
		partitions_what=$what
		stage_opt parse "$what" --partition-columns "$value" ;;
	# Spark's generic file source option: false reads a folder's own files
	# and its KEY=VALUE folders; true every sub-folder, without partition
	# columns.  Not given: every sub-folder, as Auto Loader lists them.
	recursivefilelookup)
		bool_value recursive "$what" "$value"
		recursive_what=$what
		[ "$recursive" = false ] && stage_opt discover "$what" --no-recursive ;;
	# Spark's defaults for a stream: a corrupt or vanished file fails the batch.
	ignorecorruptfiles)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --ignore-corrupt-files ;;
	ignoremissingfiles)
		bool_value on "$what" "$value"
		[ "$on" = true ] && stage_opt parse "$what" --ignore-missing-files ;;
	*) usage_error "unknown or unsupported option '$key'" ;;
	esac
done

# Spark: "If data source explicitly specifies the partitionSpec when
# recursiveFileLookup is true, exception will be thrown."
if [ "$recursive" = true ]; then
	[ -z "$partitions_what" ] ||
		usage_error "$recursive_what turns partition columns off: it cannot go with $partitions_what"
	stage_opt parse "$recursive_what" --partition-columns ''
fi

# The values first: a bad one is the error, even with options missing.
# What an option alone is checked with (--check-options reads nothing):
discover_check_base=(--no-checkpoint .)
rescue_check_base=(--schema 'x STRING')
check_options
[ -n "$ck" ] || usage_error "--checkpoint DIR is required"
[ -n "$db" ] || usage_error "--db FILE is required"
[ -n "$table" ] || usage_error "--table NAME is required"
[ $# -gt 0 ] || usage_error "no SOURCE given"
[ -n "$schema" ] && stage_opt rescue "--schema $schema" --schema "$schema"
# Databricks: enforceSchema "is ignored by default when using Auto Loader to
# rescue data": by name, unless asked for or there is no header to match.
position=()
case $enforce,$header in true,*|*,false|*,no|*,0|*,off)
	[ -n "$schema" ] && [ -z "$map" ] &&
		position=(inlet-cast --by-position --schema "$schema" ${cast_args[@]+"${cast_args[@]}"}) ;;
esac
[ -n "$map" ] && stage_opt cast "--map $map" --map "$map"
# _metadata is hidden in Spark until selected: parse adds it when --map uses it.
[[ $map == *_metadata* ]] && parse_args+=(--metadata)
if [ "$clean" = move ]; then
	[ -n "$move_to" ] || usage_error "cloudFiles.cleanSource=MOVE needs cloudFiles.cleanSource.moveDestination"
	clean=move:$move_to
fi
[ -n "$clean" ] && commit_args+=(--clean-source "$clean")
# Databricks: retentionDuration (default 30 days; inlet-commit's too)
# "must be greater than 7 days for DELETE"; inlet-commit checks it, and
# takes 0 as "at once".
if [ -n "$retention_what" ]; then
	[ -n "$clean" ] || usage_error "$retention_what needs cloudFiles.cleanSource=MOVE or DELETE"
	commit_check_base=(-c ck --db x.db --table t --clean-source "$clean")
	stage_opt commit "$retention_what" --clean-retention "$retention"
	check_options
fi
[ "$quiet" = 1 ] && commit_args+=(--quiet)

# Without a schema location or a schema, rows keep the columns they bring:
# the pipeline has no rescue stage (no stand-in process either, which a
# stop signal would kill in the middle of a batch).
if [ -n "$location" ]; then
	rescue_args=(--schema-location "$location" ${rescue_args[@]+"${rescue_args[@]}"})
elif [ -z "$schema" ] && [ ${#rescue_args[@]} -gt 0 ]; then
	usage_error "schema options need cloudFiles.schemaLocation or --schema"
fi
# Auto Loader types every column STRING unless cloudFiles.inferColumnTypes
# (https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/schema.html):
# JSON's numbers and booleans too.
if [ -n "$location" ] && [ -z "$schema" ] && [ "$infer" != true ]; then
	rescue_args+=(--primitives-as-string)
fi
discover_args=(--checkpoint "$ck" --quiet ${discover_args[@]+"${discover_args[@]}"} -- "$@")
commit_args=(--checkpoint "$ck" --db "$db" --table "$table" ${commit_args[@]+"${commit_args[@]}"})
rescue=()
[ ${#rescue_args[@]} -gt 0 ] && rescue=(rescue)
check_options discover parse ${rescue[@]+rescue} cast commit
check_sources "$@"

# The first Ctrl-C (or SIGTERM) finishes the batch in flight: 0 after a
# clean stop, 130 when a second one aborts it (run_pipeline).
infer_first_start "$@"
pipeline_checkpoint=$ck
discover=(inlet-discover "${discover_args[@]}")
cast_reports_records ${cast_args[@]+"${cast_args[@]}"} ${rescue_args[@]+"${rescue_args[@]}"} &&
	parse_args+=(--record-source)
parse=(inlet-parse ${parse_args[@]+"${parse_args[@]}"})
cast=(inlet-cast ${cast_args[@]+"${cast_args[@]}"})
commit=(inlet-commit "${commit_args[@]}")
if [ ${#rescue_args[@]} -gt 0 ]; then
	rescue=(inlet-rescue "${rescue_args[@]}")
	run_pipeline discover parse ${position[@]+position} rescue cast commit
else
	run_pipeline discover parse cast commit
fi
rc=$?
# A schema location of its own (the notebook's layout) is recorded in the
# checkpoint, so that 'inlet status CK' finds the schema's versions.
if [ -n "$location" ] && [ -e "$ck/metadata" ]; then
	capture location_path readlink -f "$location"
	capture ck_path readlink -f "$ck"
	[ "$location_path" = "$ck_path" ] ||
		inlet-status "$ck" --schema-location "$location" > /dev/null || rc=$?
fi
exit "$rc"

