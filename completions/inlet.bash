# bash completion for inlet(1) and its commands                -*- shell-script -*-
#
# One file serves "inlet COMMAND ..." and each inlet-COMMAND binary: it is
# installed as completions/inlet, with inlet-discover, inlet-parse, ...
# symlinked to it, and registers the same function for every name.
#
# Uses bash-completion's helpers (_init_completion, _filedir) when they are
# loaded, and plain compgen when they are not.

_inlet_commands='discover parse rescue cast commit copy-into ctas autoload status'

# _inlet_options CMD: print CMD's options, long ones first, one per line.
# Keep in step with each command's --help (tests/91-completions.bats checks).
_inlet_options()
{
	case $1 in
	discover)
		printf '%s\n' --checkpoint --no-checkpoint --trigger \
			--max-files-per-trigger --max-bytes-per-trigger \
			--allow-overwrites --follow-symlinks --pattern --keep-batches \
			--include-existing-files --min-age --backfill-interval --quiet \
			--help --version -c -t -q -h
		;;
	parse)
		printf '%s\n' --format --multiline --header --delimiter --quote \
			--escape --null-value --comment --skip-rows \
			--ignore-leading-white-space --ignore-trailing-white-space \
			--encoding --metadata --mode --column-name-of-corrupt-record \
			--max-record-bytes --bad-records-path --quiet --help --version \
			-f -d -m -q -h
		;;
	rescue)
		printf '%s\n' --schema --schema-location --infer-column-types \
			--schema-hints --schema-evolution-mode --rescued-data-column \
			--sample-files --sample-bytes --quiet --help --version \
			-s -l -q -h
		;;
	cast)
		printf '%s\n' --schema --date-format --timestamp-format \
			--column-format --mode --rescued-data-column \
			--column-name-of-corrupt-record --bad-records-path --map \
			--quiet --help --version -s -m -q -h
		;;
	commit)
		printf '%s\n' --checkpoint --db --table --dir --stdout --mode --key \
			--clean-source --keep-batches --summary-only --quiet --help \
			--version -c -q -h
		;;
	copy-into)
		printf '%s\n' --db --table --format --header --delimiter --pattern \
			--mode --metadata --force --checkpoint --quiet --help \
			--version -f -d -m -c -q -h
		;;
	ctas)
		printf '%s\n' --db --table --format --header --delimiter --mode \
			--metadata --quiet --help --version -f -d -m -q -h
		;;
	autoload)
		printf '%s\n' --checkpoint --db --table --option --schema --map \
			--trigger --quiet --help --version -c -o -s -m -t -q -h
		;;
	status)
		printf '%s\n' --db --table --json --help --version -h
		;;
	esac
}

# The Databricks options of "inlet autoload -o KEY=VALUE".
_inlet_autoload_keys='cloudFiles.format cloudFiles.schemaLocation
	cloudFiles.inferColumnTypes cloudFiles.schemaEvolutionMode
	cloudFiles.schemaHints cloudFiles.rescuedDataColumn
	cloudFiles.maxFilesPerTrigger cloudFiles.maxBytesPerTrigger
	cloudFiles.includeExistingFiles cloudFiles.allowOverwrites
	cloudFiles.backfillInterval cloudFiles.cleanSource
	cloudFiles.cleanSource.moveDestination cloudFiles.validateOptions
	cloudFiles.useIncrementalListing cloudFiles.useNotifications header sep
	delimiter quote escape nullValue mode columnNameOfCorruptRecord
	pathGlobFilter fileNamePattern cloudFiles.csv.header
	cloudFiles.csv.delimiter'

# _inlet_compgen ARGS...: COMPREPLY from compgen ARGS, one word a line, so
# names with blanks survive.
_inlet_compgen()
{
	COMPREPLY=()
	mapfile -t COMPREPLY < <(compgen "$@")
}

# _inlet_prefixes WORDS: COMPREPLY from WORDS; a word ending in ':' or '='
# (every:, move:, KEY=) is the start of a value, so no space follows it.
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
	header | cloudfiles.csv.header)
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

# _inlet_value CMD OPTION: complete the value of OPTION for CMD.  Returns 1
# when OPTION takes no value, so the caller goes on.
_inlet_value()
{
	local cmd=$1 option=$2
	case $cmd:$option in
	discover:--checkpoint | discover:-c | commit:--checkpoint | commit:-c | \
	copy-into:--checkpoint | copy-into:-c | commit:--dir | \
	rescue:--schema-location | rescue:-l | parse:--bad-records-path | \
	cast:--bad-records-path | autoload:--checkpoint | autoload:-c)
		_inlet_files -d
		;;
	commit:--db | copy-into:--db | ctas:--db | autoload:--db | status:--db)
		_inlet_files
		;;
	discover:--trigger | discover:-t | autoload:--trigger | autoload:-t)
		_inlet_prefixes 'available-now once every: watch'
		;;
	discover:--include-existing-files | parse:--header | copy-into:--header | \
	ctas:--header)
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
	parse:--format | parse:-f | copy-into:--format | copy-into:-f | \
	ctas:--format | ctas:-f)
		_inlet_compgen -W 'csv json text' -- "$cur"
		;;
	parse:--encoding)
		_inlet_compgen -W 'UTF-8' -- "$cur"
		;;
	discover:--max-files-per-trigger | discover:--max-bytes-per-trigger | \
	discover:--pattern | discover:--keep-batches | discover:--min-age | \
	discover:--backfill-interval | \
	parse:--delimiter | parse:-d | parse:--quote | parse:--escape | \
	parse:--null-value | parse:--column-name-of-corrupt-record | \
	parse:--comment | parse:--skip-rows | parse:--max-record-bytes | \
	rescue:--schema | rescue:-s | rescue:--schema-hints | \
	rescue:--rescued-data-column | rescue:--sample-files | \
	rescue:--sample-bytes | \
	cast:--schema | cast:-s | cast:--date-format | cast:--timestamp-format | \
	cast:--column-format | cast:--rescued-data-column | \
	cast:--column-name-of-corrupt-record | cast:--map | cast:-m | \
	commit:--table | commit:--key | commit:--keep-batches | \
	copy-into:--table | copy-into:--delimiter | copy-into:-d | \
	copy-into:--pattern | ctas:--table | ctas:--delimiter | ctas:-d | \
	autoload:--table | autoload:--schema | autoload:-s | autoload:--map | \
	autoload:-m | status:--table)
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
		;;
	esac
	case " $_inlet_commands " in
	*" $cmd "*) ;;
	*) return 0 ;;
	esac

	# Readline splits "every:DURATION" and "move:DIR" at the ':' as well.
	local v= o=
	if [[ $cur == : ]] && ((cword > 2)); then
		v=${words[cword - 1]} o=${words[cword - 2]}
	elif [[ $prev == : ]] && ((cword > 3)); then
		v=${words[cword - 2]} o=${words[cword - 3]}
	fi
	case $v:$o in
	move:--clean-source)
		[[ $cur == : ]] && cur=
		_inlet_files -d
		return 0
		;;
	every:--trigger | every:-t)
		# A duration: nothing to offer.
		return 0
		;;
	esac

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
	rescue | cast | commit)
		# No operands: offer the long options.
		[[ -z $cur ]] && _inlet_compgen -W "$(_inlet_options "$cmd")" -- --
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
		inlet-cast inlet-commit inlet-copy-into inlet-ctas inlet-autoload \
		inlet-status

# ex: filetype=sh
