# bash completion for inlet(1) and its commands                -*- shell-script -*-
#
# One file serves "inlet COMMAND ..." and each inlet-COMMAND binary: it is
# installed as completions/inlet, with inlet-discover, inlet-parse, ...
# symlinked to it, and registers the same function for every name.
#
# It lists no option: each command says its own with "--complete"
# (libcommon/options.h), one line an option, tab-separated,
#	--LONG  -S  ARGNAME  VALUES  HELP
# ('-' for an empty field) and "operand - - VALUES -" for the operands.
# VALUES: <file>, <dir>, words, a word with a kind after a prefix
# (move:<dir>, sqlite:<file>:), a prefix before free text (every:), or a
# KEY= whose values are the line named KEY=.  The lines are asked once per
# command and shell, and kept in _inlet_cache_NAME.
#
# Uses bash-completion's helpers (_init_completion, _filedir) when they are
# loaded, and plain compgen when they are not.

# _inlet_spec PROGRAM [COMMAND]: the --complete lines of PROGRAM
# (inlet-NAME, or inlet with COMMAND) into $_inlet_lines.
_inlet_spec()
{
	local prog=${1/#\~/$HOME} var=_inlet_cache_${2:-${1##*/}}
	var=${var//[^A-Za-z0-9_]/_}
	if [[ -z ${!var+x} ]]; then
		printf -v "$var" '%s' "$("$prog" ${2:+"$2"} --complete 2>/dev/null)"
	fi
	_inlet_lines=${!var}
}

# _inlet_lookup NAME: the ARGNAME and VALUES of the line whose first or
# second field is NAME, into $_inlet_argname and $_inlet_values ("" for
# '-').  Returns 1 when there is none.
_inlet_lookup()
{
	local first short argname values
	while IFS=$'\t' read -r first short argname values _; do
		if [[ $first == "$1" || $short == "$1" ]]; then
			_inlet_argname=${argname#-} _inlet_values=${values#-}
			[[ $_inlet_values == - ]] && _inlet_values=
			return 0
		fi
	done <<< "$_inlet_lines"
	return 1
}

# _inlet_options: the option names (long, then short), one per line.
_inlet_options()
{
	local first short
	while IFS=$'\t' read -r first short _; do
		[[ $first == --* ]] || continue
		printf '%s\n' "$first"
		[[ $short == -? ]] && printf '%s\n' "$short"
	done <<< "$_inlet_lines"
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

# _inlet_words VALUES: complete $cur from VALUES (above).  A word ending in
# ':' or '=' is the start of a value, so no space follows it.
_inlet_words()
{
	local w words=() files=
	for w in $1; do
		case $w in
		'<file>') files=-f ;;
		'<dir>') [[ -z $files ]] && files=-d ;;
		*'<'*) words+=("${w%%<*}") ;;
		*) words+=("$w") ;;
		esac
	done
	COMPREPLY=()
	if [[ $files == -f ]]; then
		_inlet_files
	elif [[ $files == -d ]]; then
		_inlet_files -d
	fi
	local -a files_found=("${COMPREPLY[@]}")
	_inlet_compgen -W "${words[*]}" -- "$cur"
	if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *[:=] ]] && ((${#files_found[@]} == 0)); then
		# Not a file name: no quoting of the ':', no space after it.
		compopt +o filenames -o nospace 2>/dev/null
	fi
	COMPREPLY=("${files_found[@]}" "${COMPREPLY[@]}")
	return 0
}

# _inlet_prefixed VALUE: complete the part of VALUE after a prefix of the
# option's VALUES ($_inlet_values): folders after move:, files after
# sqlite: (then ':' and free text), free text after every:.  $cur is the
# part after VALUE's last ':'.  Returns 1 when no word is VALUE's prefix.
_inlet_prefixed()
{
	local w pre kind suffix rest
	for w in $_inlet_values; do
		if [[ $w == *'<'*'>'* ]]; then
			pre=${w%%<*} kind=${w#*<} kind=${kind%%>*} suffix=${w#*>}
		else
			pre=$w kind= suffix=
		fi
		[[ $pre == *[:=] && $value == "$pre"* ]] || continue
		rest=${value#"$pre"}
		COMPREPLY=()
		if [[ -n $kind && ( -z $suffix || $rest != *"$suffix"* ) ]]; then
			if [[ $kind == dir ]]; then _inlet_files -d; else _inlet_files; fi
			# The SUFFIX (":TABLE") follows: no space.
			[[ -n $suffix ]] && compopt -o nospace 2>/dev/null
		fi
		return 0
	done
	return 1
}

# _inlet_keyvalue: complete "OPTION KEY=VALUE" when the option's VALUES
# hold KEY= words: the keys, then the values of KEY's own line.  With
# bash-completion "KEY=VALUE" is one word; without, readline splits it into
# "KEY" "=" "VALUE".  Returns 1 when the word is no such value.
_inlet_keyvalue()
{
	local key option
	if [[ $cur != = ]] && _inlet_lookup "$prev" && [[ $_inlet_values == *=* ]]; then
		if [[ $cur != *=* ]]; then
			cur=$cur _inlet_words "$_inlet_values"
			return 0
		fi
		key=${cur%%=*} cur=${cur#*=}
	elif [[ $cur == = ]] && ((cword > 2)) && option=${words[cword - 2]} &&
		[[ $option == -* ]] && _inlet_lookup "$option" && [[ $_inlet_values == *=* ]]; then
		key=${words[cword - 1]} cur=
	elif [[ $prev == = ]] && ((cword > 3)) && option=${words[cword - 3]} &&
		[[ $option == -* ]] && _inlet_lookup "$option" && [[ $_inlet_values == *=* ]]; then
		key=${words[cword - 2]}
	else
		return 1
	fi
	COMPREPLY=()
	_inlet_lookup "$key=" && _inlet_words "$_inlet_values"
	return 0
}

# _inlet_value OPTION: complete the value of OPTION.  Returns 1 when
# OPTION takes no value (or is none of the command's), so the caller goes
# on.
_inlet_value()
{
	_inlet_lookup "$1" && [[ -n $_inlet_argname ]] || return 1
	# An optional value is only ever --opt=VALUE.
	[[ $_inlet_argname == '['* ]] && ! $split && return 1
	COMPREPLY=()
	[[ -n $_inlet_values ]] && _inlet_words "$_inlet_values"
	return 0
}

_inlet()
{
	local cur prev words cword split=false _inlet_lines _inlet_argname _inlet_values
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
		_inlet_spec "${words[0]}"
		;;
	*)
		_inlet_spec "${words[0]}"
		if ((cword == 1)); then
			if [[ $cur == -* ]]; then
				_inlet_compgen -W "$(_inlet_options)" -- "$cur"
			else
				_inlet_lookup operand && _inlet_words "$_inlet_values"
			fi
			return 0
		fi
		cmd=${words[1]} first=2
		if [[ $cmd == help ]]; then
			# inlet help COMMAND
			((cword == 2)) && _inlet_lookup operand && _inlet_words "$_inlet_values"
			return 0
		fi
		_inlet_lookup operand && [[ " $_inlet_values " == *" $cmd "* ]] || return 0
		_inlet_spec "${words[0]}" "$cmd"
		;;
	esac
	[[ -n $_inlet_lines ]] || return 0

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
	if [[ $value == *:* && -n $option ]] && _inlet_lookup "$option" &&
		[[ -n $_inlet_argname ]]; then
		cur=${cur##*:}
		if _inlet_prefixed; then
			[[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
			return 0
		fi
		cur=$word
	fi

	# The value of an option ("--opt VALUE" or "--opt=VALUE").
	if ((cword > first)) && ! $split; then
		_inlet_keyvalue && return 0
	fi
	if ((cword > first)) || $split; then
		_inlet_value "$prev" && return 0
	fi
	$split && return 0

	# After "--" every word is an operand.
	for ((i = first; i < cword; i++)); do
		[[ ${words[i]} == -- ]] && break
	done
	if ((i == cword)) && [[ $cur == -* ]]; then
		# "-": short and long options; "--": long ones only.
		_inlet_compgen -W "$(_inlet_options)" -- "$cur"
		return 0
	fi
	_inlet_lookup operand && _inlet_words "$_inlet_values"
	return 0
} &&
	complete -F _inlet inlet inlet-discover inlet-parse inlet-rescue \
		inlet-cast inlet-join inlet-window inlet-commit inlet-copy-into \
		inlet-ctas inlet-autoload inlet-status

# ex: filetype=sh
