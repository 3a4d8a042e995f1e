# bash completion for inlet(1) and its commands                -*- shell-script -*-
#
# One file serves "inlet COMMAND ..." and each inlet-COMMAND binary: it is
# installed as completions/inlet, with inlet-discover, inlet-parse, ...
# symlinked to it, and registers the same function for every name.
#
# Uses bash-completion's helpers (_init_completion, _filedir) when they are
# loaded, and plain compgen when they are not.

_inlet_commands='discover parse rescue cast join window commit copy-into ctas autoload status'

# _inlet_options CMD: print CMD's options, long ones first, one per line.
# Keep in step with each command's --help (tests/91-completions.bats checks).
_inlet_options()
{
	case $1 in
	discover)
		printf '%s\n' --checkpoint --no-checkpoint --trigger \
			--max-files-per-trigger --max-bytes-per-trigger \
			--allow-overwrites --follow-symlinks --no-recursive --pattern --keep-batches \
			--include-existing-files --min-age --backfill-interval --shard \
			--modified-after --modified-before --quiet \
			--check-options --help --version -c -t -q -h
		;;
	parse)
		printf '%s\n' --format --multiline --header --delimiter --quote \
			--allow-single-quotes --allow-non-numeric-numbers --allow-comments --allow-unquoted-field-names \
			--allow-numeric-leading-zeros --allow-backslash-escaping-any-character --allow-unquoted-control-chars \
			--escape --null-value --empty-value --max-columns \
			--max-chars-per-column --unescaped-quote-handling --whole-text \
			--comment --skip-rows \
			--ignore-leading-white-space --ignore-trailing-white-space \
			--encoding --line-sep --metadata --record-source --mode --column-name-of-corrupt-record \
			--max-record-bytes --bad-records-path --partition-columns \
			--ignore-corrupt-files --ignore-missing-files --rows-only --quiet \
			--check-options --help --version \
			-f -d -m -q -h
		;;
	rescue)
		printf '%s\n' --schema --schema-location --infer-column-types \
			--primitives-as-string --prefers-decimal --drop-field-if-all-null \
			--timestamp-format --date-format --infer-only \
			--schema-hints --schema-evolution-mode --rescued-data-column \
			--sample-files --sample-bytes --rows-only --quiet \
			--check-options --help --version \
			-s -l -q -h
		;;
	cast)
		printf '%s\n' --schema --by-position --date-format --timestamp-format \
			--time-zone --allow-non-numeric-numbers --nan-value --positive-inf --negative-inf \
			--column-format --mode --rescued-data-column \
			--column-name-of-corrupt-record --bad-records-path --map \
			--rows-only --quiet --check-options --help --version -s -q -h
		;;
	join)
		printf '%s\n' --static --static-table --on --type --select --prefix --rename \
			--rows-only --quiet --check-options --help --version -q -h
		;;
	window)
		printf '%s\n' --time --time-unit --window --slide --group-by --agg \
			--watermark --output-mode --late-records --partial --shard --merge \
			--watermark-policy --checkpoint --rows-only --quiet \
			--check-options --help --version -c -q -h
		;;
	commit)
		printf '%s\n' --checkpoint --db --table --dir --csv --crlf --stdout \
			--mode --key --no-new-columns --clean-source --clean-retention --each-batch --keep-batches --summary-only --progress --quiet \
			--check-options --help --version -c -q -h
		;;
	copy-into)
		printf '%s\n' --db --table --format --schema --map --header \
			--delimiter --quote --escape --null-value --comment --skip-rows \
			--empty-value --max-columns --max-chars-per-column \
			--unescaped-quote-handling --whole-text --nan-value \
			--positive-inf --negative-inf \
			--ignore-leading-white-space --ignore-trailing-white-space \
			--multiline --encoding --date-format --timestamp-format --pattern \
			--allow-single-quotes --allow-non-numeric-numbers --allow-comments --allow-unquoted-field-names \
			--allow-numeric-leading-zeros --allow-backslash-escaping-any-character --allow-unquoted-control-chars \
			--mode --metadata --partition-columns --ignore-corrupt-files \
			--ignore-missing-files --force --merge-schema --option --validate \
			--time-zone --recursive-file-lookup --format-option \
			--checkpoint --quiet --help --version -f -s -d -m -c -o -q -h
		;;
	ctas)
		printf '%s\n' --db --table --source-table --format --schema --map --header \
			--delimiter --quote --escape --null-value --comment --skip-rows \
			--empty-value --max-columns --max-chars-per-column \
			--unescaped-quote-handling --whole-text --nan-value \
			--positive-inf --negative-inf \
			--ignore-leading-white-space --ignore-trailing-white-space \
			--multiline --encoding --date-format --timestamp-format --mode \
			--allow-single-quotes --allow-non-numeric-numbers --allow-comments --allow-unquoted-field-names \
			--allow-numeric-leading-zeros --allow-backslash-escaping-any-character --allow-unquoted-control-chars \
			--metadata --partition-columns --ignore-corrupt-files \
			--ignore-missing-files --time-zone --recursive-file-lookup --option \
			--quiet --help --version -f -s -d -m -o -q -h
		;;
	autoload)
		printf '%s\n' --checkpoint --db --table --option --schema --map \
			--shard --trigger --each-batch --quiet --help --version -c -o -s -t -q -h
		;;
	status)
		printf '%s\n' --db --table --schema-location --json --check-options \
			--help --version -h
		;;
	esac
}

# The Databricks options of "inlet autoload -o KEY=VALUE".
_inlet_autoload_keys='cloudFiles.format cloudFiles.schemaLocation
	cloudFiles.inferColumnTypes cloudFiles.schemaEvolutionMode
	cloudFiles.schemaHints cloudFiles.rescuedDataColumn
	cloudFiles.maxFilesPerTrigger cloudFiles.maxBytesPerTrigger
	cloudFiles.includeExistingFiles cloudFiles.allowOverwrites modifiedAfter modifiedBefore
	cloudFiles.backfillInterval cloudFiles.cleanSource
	cloudFiles.cleanSource.moveDestination cloudFiles.cleanSource.retentionDuration
	cloudFiles.validateOptions
	cloudFiles.useIncrementalListing cloudFiles.useNotifications header sep
	delimiter quote escape nullValue emptyValue nanValue positiveInf negativeInf
	maxColumns maxCharsPerColumn unescapedQuoteHandling wholetext
	mode columnNameOfCorruptRecord
	badRecordsPath multiLine inferSchema comment encoding charset
	pathGlobFilter fileNamePattern cloudFiles.csv.header
	cloudFiles.csv.delimiter cloudFiles.json.multiline rescuedDataColumn
	cloudFiles.schemaInference.sampleSize.numFiles
	cloudFiles.schemaInference.sampleSize.numBytes ignoreLeadingWhiteSpace
	ignoreTrailingWhiteSpace skipRows dateFormat timestampFormat
	allowSingleQuotes allowNonNumericNumbers allowComments allowUnquotedFieldNames
	allowNumericLeadingZeros allowBackslashEscapingAnyCharacter allowUnquotedControlChars prefersDecimal primitivesAsString dropFieldIfAllNull
	cloudFiles.partitionColumns ignoreCorruptFiles ignoreMissingFiles
	recursiveFileLookup'

# _inlet_compgen ARGS...: COMPREPLY from compgen ARGS, one word a line, so
# names with blanks survive.
_inlet_compgen()
{
	COMPREPLY=()
	mapfile -t COMPREPLY < <(compgen "$@")
}

# _inlet_prefixes WORDS: COMPREPLY from WORDS; a word ending in ':' or '='
# (every:, move:, sum:, KEY=) is the start of a value, so no space follows
# it.
_inlet_prefixes()
{
	_inlet_compgen -W "$1" -- "$cur"
	[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[:=] ]] &&
		compopt -o nospace 2>/dev/null
	return 0
}

# _inlet_autoload_option: complete "-o KEY=VALUE" of inlet autoload: the
# keys, then the values of those that take a fixed set.  Returns 1 when the
# word is not such a value.  With bash-completion "KEY=VALUE" is one word;
# without, readline splits it into "KEY" "=" "VALUE".
_inlet_autoload_option()
{
	local key value
	if [[ $prev == -o || $prev == --option ]]; then
		if [[ $cur != *=* ]]; then
			_inlet_prefixes "$(printf '%s= ' $_inlet_autoload_keys)"
			return 0
		fi
		key=${cur%%=*} value=${cur#*=}
	elif [[ $cur == = ]] && ((cword > 2)) &&
		[[ ${words[cword - 2]} == -o || ${words[cword - 2]} == --option ]]; then
		key=${words[cword - 1]} value=
	elif [[ $prev == = ]] && ((cword > 3)) &&
		[[ ${words[cword - 3]} == -o || ${words[cword - 3]} == --option ]]; then
		key=${words[cword - 2]} value=$cur
	else
		return 1
	fi
	local cur=$value
	case ${key,,} in
	cloudfiles.format)
		_inlet_compgen -W 'csv json text' -- "$cur" ;;
	cloudfiles.schemaevolutionmode)
		_inlet_compgen -W 'addNewColumns rescue failOnNewColumns none' -- "$cur" ;;
	cloudfiles.cleansource)
		_inlet_compgen -W 'OFF DELETE MOVE' -- "$cur" ;;
	mode)
		_inlet_compgen -W 'PERMISSIVE DROPMALFORMED FAILFAST' -- "$cur" ;;
	cloudfiles.infercolumntypes | cloudfiles.includeexistingfiles | \
	cloudfiles.allowoverwrites | cloudfiles.validateoptions | \
	cloudfiles.useincrementallisting | cloudfiles.usenotifications | \
	header | cloudfiles.csv.header | ignorecorruptfiles | ignoremissingfiles | \
	recursivefilelookup | \
	allowsinglequotes | allownonnumericnumbers | allowcomments | allowunquotedfieldnames | \
	allownumericleadingzeros | allowbackslashescapinganycharacter | allowunquotedcontrolchars | \
	prefersdecimal | primitivesasstring | dropfieldifallnull)
		_inlet_compgen -W 'true false' -- "$cur" ;;
	cloudfiles.schemalocation | cloudfiles.cleansource.movedestination)
		_inlet_files -d ;;
	*)
		COMPREPLY=() ;;
	esac
	return 0
}

# _inlet_files [-d]: file (or, with -d, folder) names for $cur.
_inlet_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$@"
		return
	fi
	compopt -o filenames 2>/dev/null
	if [[ $1 == -d ]]; then
		_inlet_compgen -d -- "$cur"
	else
		_inlet_compgen -f -- "$cur"
	fi
}

# _inlet_static: the SOURCE of inlet join --static: a file or folder, or
# the prefix sqlite: of sqlite:DATABASE:TABLE.
_inlet_static()
{
	_inlet_files
	if [[ sqlite: == "$cur"* ]]; then
		COMPREPLY+=(sqlite:)
		if ((${#COMPREPLY[@]} == 1)); then
			# Not a file name: no quoting of the ':', no space after it.
			compopt +o filenames -o nospace 2>/dev/null
		fi
	fi
	return 0
}

# _inlet_colon_value CMD OPTION VALUE: complete a VALUE of OPTION that starts
# with a prefix ending in ':' (every:DURATION, move:DIR, sum:FIELD,
# sqlite:DATABASE:TABLE); $cur is the part after its last ':'.  Returns 1
# when OPTION takes no such value.
_inlet_colon_value()
{
	case $1:$2:$3 in
	commit:--clean-source:move:*)
		_inlet_files -d
		;;
	discover:--trigger:every:* | discover:-t:every:* | \
	autoload:--trigger:every:* | autoload:-t:every:*)
		# A duration: nothing to offer.
		COMPREPLY=()
		;;
	window:--agg:*:*)
		# A field name: nothing to offer.
		COMPREPLY=()
		;;
	join:--static:sqlite:*:*)
		# A table name: nothing to offer.
		COMPREPLY=()
		;;
	join:--static:sqlite:*)
		# The database; ":TABLE" follows, so no space.
		_inlet_files
		compopt -o nospace 2>/dev/null
		;;
	*)
		return 1
		;;
	esac
	return 0
}

# _inlet_value CMD OPTION: complete the value of OPTION for CMD.  Returns 1
# when OPTION takes no value, so the caller goes on.
_inlet_value()
{
	local cmd=$1 option=$2
	case $cmd:$option in
	discover:--checkpoint | discover:-c | commit:--checkpoint | commit:-c | \
	copy-into:--checkpoint | copy-into:-c | commit:--dir | \
	rescue:--schema-location | rescue:-l | parse:--bad-records-path | \
	cast:--bad-records-path | autoload:--checkpoint | autoload:-c | \
	window:--checkpoint | window:-c | status:--schema-location)
		_inlet_files -d
		;;
	commit:--db | commit:--csv | copy-into:--db | ctas:--db | autoload:--db | status:--db | \
	window:--late-records)
		_inlet_files
		;;
	join:--static)
		_inlet_static
		;;
	join:--type)
		_inlet_compgen -W 'inner left semi anti' -- "$cur"
		;;
	window:--output-mode)
		_inlet_compgen -W 'append update complete' -- "$cur"
		;;
	window:--time-unit)
		_inlet_compgen -W 's ms us' -- "$cur"
		;;
	window:--watermark-policy)
		_inlet_compgen -W 'min max' -- "$cur"
		;;
	window:--agg)
		_inlet_prefixes 'count sum: avg: min: max: approx_count_distinct:'
		;;
	discover:--trigger | discover:-t | autoload:--trigger | autoload:-t)
		_inlet_prefixes 'available-now once every: watch'
		;;
	discover:--include-existing-files | parse:--header | copy-into:--header | \
	ctas:--header | copy-into:--ignore-corrupt-files | \
	copy-into:--ignore-missing-files | ctas:--ignore-corrupt-files | \
	ctas:--ignore-missing-files | parse:--allow-* | copy-into:--allow-* | ctas:--allow-* | \
	cast:--allow-* | \
	copy-into:--recursive-file-lookup | ctas:--recursive-file-lookup)
		_inlet_compgen -W 'true false' -- "$cur"
		;;
	commit:--mode)
		_inlet_compgen -W 'append overwrite upsert' -- "$cur"
		;;
	commit:--clean-source)
		_inlet_prefixes 'delete move:'
		;;
	parse:--mode | cast:--mode | copy-into:--mode | ctas:--mode)
		_inlet_compgen -W 'permissive dropmalformed failfast' -- "$cur"
		;;
	rescue:--schema-evolution-mode)
		_inlet_compgen -W 'add-new-columns rescue fail-on-new-columns none' -- "$cur"
		;;
	parse:--format | parse:-f)
		_inlet_compgen -W 'csv tsv json text' -- "$cur"
		;;
	copy-into:--format | copy-into:-f | ctas:--format | ctas:-f)
		_inlet_compgen -W 'csv tsv json text' -- "$cur"
		;;
	parse:--unescaped-quote-handling | copy-into:--unescaped-quote-handling | \
	ctas:--unescaped-quote-handling)
		_inlet_compgen -W 'raise_error' -- "$cur"
		;;
	parse:--encoding | copy-into:--encoding | ctas:--encoding)
		_inlet_compgen -W 'utf-8 latin1 cp1252 utf-16 utf-16le utf-16be utf-32' -- "$cur"
		;;
	discover:--max-files-per-trigger | discover:--max-bytes-per-trigger | \
	discover:--pattern | discover:--keep-batches | discover:--min-age | \
	discover:--backfill-interval | discover:--shard | \
	discover:--modified-after | discover:--modified-before | \
	parse:--delimiter | parse:-d | parse:--quote | parse:--escape | \
	parse:--null-value | parse:--column-name-of-corrupt-record | \
	parse:--empty-value | parse:--max-columns | parse:--max-chars-per-column | \
	cast:--nan-value | cast:--positive-inf | cast:--negative-inf | \
	copy-into:--empty-value | copy-into:--max-columns | \
	copy-into:--max-chars-per-column | copy-into:--nan-value | \
	copy-into:--positive-inf | copy-into:--negative-inf | \
	ctas:--empty-value | ctas:--max-columns | ctas:--max-chars-per-column | \
	ctas:--nan-value | ctas:--positive-inf | ctas:--negative-inf | \
	parse:--comment | parse:--skip-rows | parse:--line-sep | parse:--max-record-bytes | \
	parse:--partition-columns | copy-into:--partition-columns | \
	ctas:--partition-columns | \
	rescue:--schema | rescue:-s | rescue:--schema-hints | \
	rescue:--rescued-data-column | rescue:--sample-files | \
	rescue:--sample-bytes | rescue:--timestamp-format | rescue:--date-format | \
	cast:--schema | cast:-s | cast:--date-format | cast:--timestamp-format | \
	cast:--column-format | cast:--rescued-data-column | \
	cast:--time-zone | copy-into:--time-zone | ctas:--time-zone | \
	copy-into:--format-option | ctas:--option | ctas:-o | \
	cast:--column-name-of-corrupt-record | cast:--map | \
	join:--on | join:--select | join:--prefix | join:--rename | \
	window:--time | window:--window | window:--slide | window:--group-by | \
	window:--watermark | window:--shard | \
	commit:--table | commit:--key | commit:--keep-batches | commit:--clean-retention | \
	commit:--each-batch | autoload:--each-batch | autoload:--shard | \
	copy-into:--option | copy-into:-o | \
	copy-into:--table | copy-into:--delimiter | copy-into:-d | \
	copy-into:--pattern | ctas:--table | ctas:--delimiter | ctas:-d | \
	copy-into:--schema | copy-into:-s | copy-into:--map | copy-into:--quote | \
	copy-into:--escape | copy-into:--null-value | copy-into:--comment | \
	copy-into:--skip-rows | copy-into:--date-format | \
	copy-into:--timestamp-format | ctas:--schema | ctas:-s | ctas:--map | \
	ctas:--quote | ctas:--escape | ctas:--null-value | ctas:--comment | \
	ctas:--skip-rows | ctas:--date-format | ctas:--timestamp-format | \
	autoload:--table | autoload:--schema | autoload:-s | autoload:--map | \
	status:--table)
		# Free text: nothing to offer.
		COMPREPLY=()
		;;
	*)
		return 1
		;;
	esac
	return 0
}

_inlet()
{
	local cur prev words cword split=false
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=
		((cword > 0)) && prev=${words[cword - 1]}
		# COMP_WORDBREAKS splits "--opt=value" into "--opt" "=" "value".
		if [[ $cur == = ]] && ((cword > 0)) && [[ ${words[cword - 1]} == --* ]]; then
			cur= split=true
		elif [[ $prev == = ]] && ((cword > 1)) && [[ ${words[cword - 2]} == --* ]]; then
			prev=${words[cword - 2]} split=true
		elif [[ $cur == --*=* ]]; then
			prev=${cur%%=*} cur=${cur#*=} split=true
		fi
	fi
	COMPREPLY=()

	local name=${words[0]##*/} cmd first
	case $name in
	inlet-*)
		cmd=${name#inlet-} first=1
		;;
	*)
		if ((cword == 1)); then
			if [[ $cur == -* ]]; then
				_inlet_compgen -W '--help --version -h' -- "$cur"
			else
				_inlet_compgen -W "$_inlet_commands" -- "$cur"
			fi
			return 0
		fi
		cmd=${words[1]} first=2
		if [[ $cmd == help ]]; then
			# inlet help COMMAND
			((cword == 2)) && _inlet_compgen -W "$_inlet_commands" -- "$cur"
			return 0
		fi
		;;
	esac
	case " $_inlet_commands " in
	*" $cmd "*) ;;
	*) return 0 ;;
	esac

	# A value with a prefix: every:DURATION, move:DIR, sum:FIELD,
	# sqlite:DATABASE:TABLE.  Readline splits it at each ':' as well
	# ("sqlite" ":" "db" ":" ""): join the words back into VALUE and find the
	# OPTION before them.  When COMP_WORDBREAKS lacks ':' it is one word.
	local value=$cur option= pre= word=$cur i=$cword
	while ((i > first)) && [[ ${words[i]} == : || ${words[i - 1]} == : ]]; do
		((i--))
		value=${words[i]}$value
	done
	if ((i == cword)); then
		# One word ("--opt=" is split off already): the candidates keep
		# what comes before its last ':'.
		if ((cword > first)) || $split; then
			option=$prev pre=${cur%"${cur##*:}"}
		fi
	elif [[ $value == --*=* ]]; then
		option=${value%%=*} value=${value#*=}
	elif [[ ${words[i - 1]} == = ]] && ((i - 1 > first)); then
		option=${words[i - 2]}
	elif ((i > first)); then
		option=${words[i - 1]}
	fi
	if [[ $value == *:* && -n $option ]]; then
		cur=${cur##*:}
		if _inlet_colon_value "$cmd" "$option" "$value"; then
			[[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
			return 0
		fi
		cur=$word
	fi

	# The value of an option ("--opt VALUE" or "--opt=VALUE").
	if [[ $cmd == autoload ]] && ((cword > first)) && ! $split; then
		_inlet_autoload_option && return 0
	fi
	if ((cword > first)) || $split; then
		_inlet_value "$cmd" "$prev" && return 0
	fi
	$split && return 0

	# After "--" every word is a SOURCE / FILE.
	local i
	for ((i = first; i < cword; i++)); do
		[[ ${words[i]} == -- ]] && break
	done
	if ((i == cword)) && [[ $cur == -* ]]; then
		# "-": short and long options; "--": long ones only.
		_inlet_compgen -W "$(_inlet_options "$cmd")" -- "$cur"
		return 0
	fi

	case $cmd in
	rescue | cast | join | window | commit)
		# FILE operands, read in turn as cat does.
		_inlet_files
		;;
	status)
		# CHECKPOINT
		_inlet_files -d
		;;
	ctas)
		# SOURCE... or sqlite:DB:TABLE
		_inlet_files
		;;
	*)
		_inlet_files
		;;
	esac
	return 0
} &&
	complete -F _inlet inlet inlet-discover inlet-parse inlet-rescue \
		inlet-cast inlet-join inlet-window inlet-commit inlet-copy-into \
		inlet-ctas inlet-autoload inlet-status

# ex: filetype=sh
