# bash completion for inlet(1) and its commands                -*- shell-script -*-
#
# One file serves "inlet COMMAND ..." and each inlet-COMMAND binary: it is
# installed as completions/inlet, with inlet-discover, inlet-parse, ...
# symlinked to it, and registers the same function for every name.
#
# Uses bash-completion's helpers (_init_completion, _filedir) when they are
# loaded, and plain compgen when they are not.

_inlet_commands='discover parse commit copy-into ctas'

# _inlet_options CMD: print CMD's options, long ones first, one per line.
# Keep in step with each command's --help (tests/91-completions.bats checks).
_inlet_options()
{
	case $1 in
	discover)
		printf '%s\n' --checkpoint --no-checkpoint --trigger \
			--max-files-per-trigger --max-bytes-per-trigger \
			--allow-overwrites --pattern --keep-batches --quiet --help \
			--version -c -t -q -h
		;;
	parse)
		printf '%s\n' --format --header --delimiter --quote --escape \
			--null-value --metadata --mode \
			--column-name-of-corrupt-record --quiet --help --version \
			-f -d -m -q -h
		;;
	commit)
		printf '%s\n' --checkpoint --db --table --dir --stdout --mode --key \
			--keep-batches --summary-only --quiet --help --version \
			-c -q -h
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
	esac
}

# _inlet_compgen ARGS...: COMPREPLY from compgen ARGS, one word a line, so
# names with blanks survive.
_inlet_compgen()
{
	COMPREPLY=()
	mapfile -t COMPREPLY < <(compgen "$@")
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
	copy-into:--checkpoint | copy-into:-c | commit:--dir)
		_inlet_files -d
		;;
	commit:--db | copy-into:--db | ctas:--db)
		_inlet_files
		;;
	discover:--trigger | discover:-t)
		_inlet_compgen -W 'available-now once' -- "$cur"
		;;
	commit:--mode)
		_inlet_compgen -W 'append overwrite upsert' -- "$cur"
		;;
	parse:--mode | copy-into:--mode | ctas:--mode)
		_inlet_compgen -W 'permissive dropmalformed failfast' -- "$cur"
		;;
	parse:--format | parse:-f | copy-into:--format | copy-into:-f | \
	ctas:--format | ctas:-f)
		_inlet_compgen -W 'csv json text' -- "$cur"
		;;
	parse:--header | copy-into:--header | ctas:--header)
		_inlet_compgen -W 'true false' -- "$cur"
		;;
	discover:--max-files-per-trigger | discover:--max-bytes-per-trigger | \
	discover:--pattern | discover:--keep-batches | \
	parse:--delimiter | parse:-d | parse:--quote | parse:--escape | \
	parse:--null-value | parse:--column-name-of-corrupt-record | \
	commit:--table | commit:--key | commit:--keep-batches | \
	copy-into:--table | copy-into:--delimiter | copy-into:-d | \
	copy-into:--pattern | ctas:--table | ctas:--delimiter | ctas:-d)
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

	# The value of an option ("--opt VALUE" or "--opt=VALUE").
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
	commit)
		# No operands: offer the long options.
		[[ -z $cur ]] && _inlet_compgen -W "$(_inlet_options "$cmd")" -- --
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
	complete -F _inlet inlet inlet-discover inlet-parse inlet-commit \
		inlet-copy-into inlet-ctas

# ex: filetype=sh
