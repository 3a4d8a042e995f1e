#!/usr/bin/env bats
# Shell completions: completions/inlet.bash (run here, with bash-completion
# loaded and without), completions/_inlet (zsh) and completions/inlet.fish.
# None lists an option: each asks the command's hidden --complete, which
# the same table as --help gives (libcommon/options.h; the composites'
# getopt list and usage text).  So the tests run the three shells against
# --complete and --help, and an option a command adds completes without a
# change to the scripts.
load helpers
bats_require_minimum_version 1.5.0

BASH_FILE=$INLET_ROOT/completions/inlet.bash
ZSH_FILE=$INLET_ROOT/completions/_inlet
FISH_FILE=$INLET_ROOT/completions/inlet.fish
: "${BASH_COMPLETION:=/usr/share/bash-completion/bash_completion}"

# modes: "plain" (bash-completion not loaded), then "bc" (loaded) when it
# is installed.
modes() {
	echo plain
	if [ -r "$BASH_COMPLETION" ]; then echo bc; fi
}

# complete_line MODE LINE [BREAKS]: complete LINE (cursor at its end) in a
# fresh bash with completions/inlet.bash sourced and, for MODE bc,
# bash-completion loaded first.  LINE is split as readline splits it: at
# blanks, with each character of BREAKS a word of its own.  The default,
# "=:", is what the default COMP_WORDBREAKS does to inlet's values
# ("every:10s" is "every" ":" "10s"); "=" is a COMP_WORDBREAKS without ':'.
# The function is the one `complete -p` registers for the first word.
# Output: COMPREPLY, sorted, one per line.  The arguments the function gives
# compopt (-o nospace, ...) are in $COMPOPT_LOG, one call a line.
COMPOPT_LOG=$BATS_FILE_TMPDIR/compopt
complete_line() {
	run bash --norc --noprofile -c '
		mode=$1 line=$2 file=$3 bc=$4 breaks=$5 log=$6
		if [ "$mode" = bc ]; then . "$bc" || exit 99; fi
		. "$file" || exit 98
		: > "$log"
		compopt() { printf "%s\n" "$*" >> "$log"; }
		split=$line
		for ((k = 0; k < ${#breaks}; k++)); do
			c=${breaks:k:1} split=${split//"$c"/ $c }
		done
		read -ra COMP_WORDS <<< "$split"
		case $line in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line} COMP_TYPE=9 COMP_KEY=9
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 97
		fn=${spec#*-F } fn=${fn%% *}
		COMPREPLY=()
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
	' complete_line "$1" "$2" "$BASH_FILE" "$BASH_COMPLETION" "${3-=:}" "$COMPOPT_LOG"
}

# nospace: true when the last complete_line asked for no space after the word.
nospace() {
	grep -qE -- '(^| )-o nospace( |$)' "$COMPOPT_LOG"
}

# sorted WORD...: the words one per line, sorted as complete_line sorts.
sorted() {
	printf '%s\n' "$@" | LC_ALL=C sort
}

# help_options BIN: the options (short and long) BIN's --help defines, one
# per line, sorted.  Only option lines count ("  -c, --checkpoint DIR",
# "      --no-checkpoint"), not options named inside descriptions.
help_options() {
	"$1" --help | sed -nE 's/^ {2,6}(-([A-Za-z0-9]), )?--([A-Za-z0-9][A-Za-z0-9-]*).*/\2 \3/p' |
		while read -r a b; do
			if [ -n "$b" ]; then echo "-$a"; echo "--$b"; else echo "--$a"; fi
		done | LC_ALL=C sort
}

# help_commands: the command names "inlet --help" lists.
help_commands() {
	inlet --help | sed -nE 's/^  ([a-z][a-z-]*)  +[A-Za-z].*/\1/p'
}

# Every command, as the dispatcher lists them: a new one without
# completions fails the tests below.
COMMANDS=$(help_commands)

# enum_options BIN: the options of BIN's --help that take one of a fixed set
# of values (MODE, FMT, BOOL, TYPE, UNIT, AGG), one per line.  A value may be
# a prefix with a placeholder (every:DURATION, sum:F): completion offers the
# prefix (every:, sum:).
enum_options() {
	"$1" --help |
		sed -nE 's/^ {2,6}(-[A-Za-z0-9], )?(--[a-z0-9-]+) (MODE|FMT|BOOL|TYPE|UNIT|AGG)( .*)?$/\2/p'
}

# fish_complete LINE: the candidates fish offers for LINE, sorted, without
# their descriptions.
fish_complete() {
	run fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$FISH_FILE" "$1"
	assert_success
	output=$(cut -f1 <<< "$output" | LC_ALL=C sort)
}

# zsh_complete LINE: the candidates zsh offers for LINE (cursor at its end),
# sorted, one per line.  completions/_inlet runs in an interactive zsh on a
# pseudo-terminal (zsh/zpty), with compadd wrapped to print what it adds;
# the line is never run.  Skips the test when zsh has no zsh/zpty.
zsh_complete() {
	local init=$BATS_FILE_TMPDIR/zsh-init
	[ -f "$init" ] || cat > "$init" <<'EOF'
PROMPT= RPROMPT=
fpath=("$INLET_ZSH_DIR" $fpath)
autoload -Uz compinit && compinit -u -d "$INLET_ZSH_DUMP"
bindkey -e '^I' complete-word
zstyle ':completion:*' insert-tab false
compadd() {
	# Queries (-O, -A, -D) add nothing.
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "$@"
		return
	fi
	local -a __hits
	local __h
	builtin compadd -A __hits "$@"
	for __h in $__hits; do print -r -- "<hit>$IPREFIX$__h"; done
	builtin compadd "$@"
}
__inlet_test_done() { print -r -- '<'done'>'; exit }
comppostfuncs=(__inlet_test_done)
print -r -- '<'ready'>'
EOF
	run timeout 30 zsh -f -c '
		zmodload zsh/zpty || exit 77
		export INLET_ZSH_DIR=$1 INLET_ZSH_DUMP=$2/zcompdump
		zpty z zsh -f -i || exit 77
		zpty -w z "source ${(q)3}"
		zpty -r z out "*<ready>*" || exit 2
		zpty -w -n z "$4"$'"'\t'"'
		zpty -r z out "*<done>*" || exit 3
		zpty -d z
		print -r -- ${(F)${(M)${(f)out//$'"'\r'"'/}:#*<hit>*}#*<hit>}
	' zsh "${ZSH_FILE%/*}" "$BATS_FILE_TMPDIR" "$init" "$1"
	[ "$status" -ne 77 ] || skip "zsh has no zsh/zpty module: completions/_inlet not run"
	assert_success
	output=$(LC_ALL=C sort -u <<< "$output")
}

@test "completions: the bash file registers one function for inlet and every inlet-NAME" {
	names="inlet $(printf 'inlet-%s ' $COMMANDS)"
	for mode in $(modes); do
		run bash --norc --noprofile -c '
			mode=$1 file=$2 bc=$3; shift 3
			if [ "$mode" = bc ]; then
				. "$bc" || exit 99
				declare -F _init_completion >/dev/null || exit 96
			else
				! declare -F _init_completion >/dev/null || exit 95
			fi
			. "$file" || exit 98
			for n; do complete -p "$n" || exit 1; done' \
			_ "$mode" "$BASH_FILE" "$BASH_COMPLETION" $names
		assert_success
		assert_equal "${#lines[@]}" "$(wc -w <<< "$names")"
		fn=${lines[0]#*-F } fn=${fn%% *}
		for l in "${lines[@]}"; do
			[[ $l == "complete -F $fn "* ]] || fail "$mode: not the same function: $l"
		done
	done
}

@test "completions: bash 'inlet <TAB>' offers the commands of inlet --help" {
	for mode in $(modes); do
		complete_line "$mode" "inlet "
		assert_success
		assert_output "$(sorted $(help_commands))"
		assert_output "$(sorted $COMMANDS)"
		complete_line "$mode" "inlet co"
		assert_output "$(sorted commit copy-into)"
		complete_line "$mode" "inlet --"
		assert_output "$(sorted --help --version)"
	done
}

@test "completions: bash 'inlet parse --for<TAB>' gives --format" {
	for mode in $(modes); do
		complete_line "$mode" "inlet parse --for"
		assert_success
		assert_output "--format"
		complete_line "$mode" "inlet-parse --for"
		assert_output "--format"
	done
}

@test "completions: bash 'inlet parse --format <TAB>' gives csv tsv json text" {
	for mode in $(modes); do
		for line in "inlet parse --format " "inlet parse -f " "inlet-parse --format " \
			"inlet parse --format="; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted csv tsv json text)"
		done
		for line in "inlet copy-into --format " "inlet-ctas -f "; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted csv tsv json text)"
		done
		complete_line "$mode" "inlet parse --format=j"
		assert_output "json"
	done
}

@test "completions: bash 'inlet-commit --mode <TAB>' gives append overwrite upsert" {
	for mode in $(modes); do
		for line in "inlet-commit --mode " "inlet commit --mode " "inlet-commit --mode="; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted append overwrite upsert)"
		done
	done
}

@test "completions: bash --mode of parse, copy-into and ctas gives permissive dropmalformed failfast" {
	for mode in $(modes); do
		for cmd in parse copy-into ctas; do
			for line in "inlet-$cmd --mode " "inlet $cmd --mode "; do
				complete_line "$mode" "$line"
				assert_success
				assert_output "$(sorted permissive dropmalformed failfast)"
			done
		done
	done
}

@test "completions: bash 'inlet-discover --trigger <TAB>' gives available-now once every: watch" {
	for mode in $(modes); do
		for line in "inlet-discover --trigger " "inlet-discover -t " "inlet discover --trigger " \
			"inlet autoload --trigger " "inlet-autoload -t "; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted available-now once every: watch)"
		done
		complete_line "$mode" "inlet-discover --trigger=ev"
		assert_output "every:"
	done
}

@test "completions: bash values of --include-existing-files, --clean-source, --schema-evolution-mode, cast --mode" {
	for mode in $(modes); do
		complete_line "$mode" "inlet-discover --include-existing-files "
		assert_output "$(sorted true false)"
		complete_line "$mode" "inlet commit --clean-source "
		assert_output "$(sorted delete move:)"
		complete_line "$mode" "inlet-rescue --schema-evolution-mode "
		assert_output "$(sorted add-new-columns rescue fail-on-new-columns none)"
		complete_line "$mode" "inlet cast --mode "
		assert_output "$(sorted permissive dropmalformed failfast)"
	done
}

@test "completions: bash values of join --type, window --output-mode and --time-unit" {
	for mode in $(modes); do
		for line in "inlet-join --type " "inlet join --type=" "inlet-join --quiet --type "; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted inner left semi anti)"
		done
		for line in "inlet-window --output-mode " "inlet window --output-mode="; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted append update complete)"
		done
		complete_line "$mode" "inlet-window --time-unit "
		assert_output "$(sorted s ms us)"
		complete_line "$mode" "inlet window --output-mode c"
		assert_output "complete"
		# Free-text values offer nothing.
		for line in "inlet-join --on " "inlet-join --rename " "inlet-window --time " \
			"inlet window --window " "inlet-window --group-by "; do
			complete_line "$mode" "$line"
			assert_success
			assert_output ""
		done
		# Operands are FILEs, read in turn as cat does.
		touch rows.ndjson
		complete_line "$mode" "inlet-window --time ts r"
		assert_output "rows.ndjson"
		complete_line "$mode" "inlet-commit --stdout r"
		assert_output "rows.ndjson"
	done
}

@test "completions: bash 'inlet-window --agg <TAB>' gives count and FUNCTION: with no space after ':'" {
	for mode in $(modes); do
		for line in "inlet-window --agg " "inlet window --agg " "inlet-window --agg="; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "$(sorted count sum: avg: min: max: approx_count_distinct:)"
		done
		complete_line "$mode" "inlet-window --agg a"
		assert_output "$(sorted avg: approx_count_distinct:)"
		complete_line "$mode" "inlet-window --agg su"
		assert_output "sum:"
		nospace || fail "$mode: a space after sum:"
		complete_line "$mode" "inlet window --agg=ma"
		assert_output "max:"
		nospace || fail "$mode: a space after max:"
		complete_line "$mode" "inlet-window --agg cou"
		assert_output "count"
		! nospace || fail "$mode: no space after count"
		# The field after "sum:": free text, whether or not readline splits
		# the word at ':'.
		for breaks in "=:" "="; do
			for line in "inlet-window --agg sum:" "inlet-window --agg avg:am" \
				"inlet window --agg=approx_count_distinct:" "inlet-window -q --agg min:x"; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output ""
			done
		done
	done
}

@test "completions: bash 'inlet-join --static <TAB>' gives files and sqlite:, then the database's files" {
	mkdir sub && touch dim.csv
	for mode in $(modes); do
		for breaks in "=:" "="; do
			for line in "inlet-join --static " "inlet join --static " "inlet-join --static="; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output "$(sorted dim.csv sub sqlite:)"
			done
			complete_line "$mode" "inlet-join --static sq" "$breaks"
			assert_output "sqlite:"
			nospace || fail "$mode '$breaks': a space after sqlite:"
			# Readline splits "sqlite:DB" at the ':': the candidates are
			# the part after it; as one word, they keep "sqlite:".
			if [ "$breaks" = "=:" ]; then pre=; else pre=sqlite:; fi
			for line in "inlet-join --static sqlite:" "inlet join --static=sqlite:" \
				"inlet-join --on id --static sqlite:"; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output "$(sorted ${pre}dim.csv ${pre}sub)"
			done
			complete_line "$mode" "inlet-join --static sqlite:d" "$breaks"
			assert_output "${pre}dim.csv"
			nospace || fail "$mode '$breaks': a space after the database, before :TABLE"
			# The table: free text.
			for line in "inlet-join --static sqlite:dim.csv:" "inlet-join --static=sqlite:dim.csv:t"; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output ""
			done
		done
	done
}

@test "completions: bash values after a ':' of move:DIR and every:DURATION" {
	mkdir somedir
	for mode in $(modes); do
		for breaks in "=:" "="; do
			if [ "$breaks" = "=:" ]; then pre=; else pre=move:; fi
			for line in "inlet-commit --clean-source move:" "inlet commit --clean-source=move:so"; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output "${pre}somedir"
			done
			for line in "inlet-discover --trigger every:" "inlet autoload -t every:1"; do
				complete_line "$mode" "$line" "$breaks"
				assert_success
				assert_output ""
			done
		done
	done
}

@test "completions: bash 'inlet autoload -o <TAB>' gives the Databricks options, then their values" {
	for mode in $(modes); do
		complete_line "$mode" "inlet autoload -o cloudFiles.schemaE"
		assert_success
		assert_output "cloudFiles.schemaEvolutionMode="
		complete_line "$mode" "inlet-autoload -o cloudFiles.schemaEvolutionMode="
		assert_output "$(sorted addNewColumns rescue failOnNewColumns none)"
		complete_line "$mode" "inlet autoload --option cloudFiles.format=j"
		assert_output "json"
		complete_line "$mode" "inlet autoload -o header="
		assert_output "$(sorted true false)"
	done
}

@test "completions: bash --header gives true false" {
	for mode in $(modes); do
		for cmd in parse copy-into ctas; do
			complete_line "$mode" "inlet-$cmd --header "
			assert_success
			assert_output "$(sorted true false)"
		done
	done
}

@test "completions: bash --checkpoint and --dir give folders, --db and operands give files" {
	mkdir somedir && touch somefile.csv
	for mode in $(modes); do
		for line in "inlet-discover --checkpoint " "inlet-discover -c " "inlet-commit --checkpoint " \
			"inlet commit --dir " "inlet copy-into --checkpoint " "inlet-rescue -l " \
			"inlet autoload --checkpoint " "inlet status " "inlet-window -c " \
			"inlet window --checkpoint "; do
			complete_line "$mode" "$line"
			assert_success
			assert_output "somedir"
		done
		for line in "inlet-commit --db " "inlet copy-into --db " "inlet-ctas --db " \
			"inlet-discover --no-checkpoint " "inlet parse " "inlet-parse -q " \
			"inlet-copy-into --db x.db --table t " "inlet ctas --db x.db --table t " \
			"inlet autoload --db " "inlet-autoload -c ck --db x.db --table t " \
			"inlet-window --late-records " "inlet join --static "; do
			complete_line "$mode" "$line"
			assert_success
			assert_line "somefile.csv"
		done
		# Free-text values offer nothing (neither options nor files).
		complete_line "$mode" "inlet-commit --table "
		assert_output ""
	done
}

@test "completions: bash offers exactly the options of each binary's --help" {
	for cmd in $COMMANDS; do
		want=$(help_options "inlet-$cmd")
		[ -n "$want" ] || fail "no options found in inlet-$cmd --help"
		for mode in $(modes); do
			for line in "inlet-$cmd -" "inlet $cmd -"; do
				complete_line "$mode" "$line"
				assert_success
				assert_equal "$output" "$want"
			done
			complete_line "$mode" "inlet-$cmd --"
			assert_equal "$output" "$(grep -e '^--' <<< "$want")"
		done
	done
}

@test "completions: --complete lists the options of --help, five tab-separated fields a line" {
	for cmd in $COMMANDS; do
		run --separate-stderr "inlet-$cmd" --complete
		assert_success
		[ -z "$stderr" ] || fail "inlet-$cmd --complete: $stderr"
		bad=$(awk -F'\t' 'NF != 5 || $1 == "" || $2 == "" || $3 == "" || $4 == "" || $5 == ""' <<< "$output")
		[ -z "$bad" ] || fail "inlet-$cmd --complete: not five fields: $bad"
		got=$(awk -F'\t' '$1 ~ /^--/ { print $1; if ($2 != "-") print $2 }' <<< "$output" | LC_ALL=C sort)
		assert_equal "$got" "$(help_options "inlet-$cmd")"
		grep -q "^operand	" <<< "$output" || fail "inlet-$cmd --complete: no operand line"
		# The dispatcher passes it on.
		assert_equal "$(inlet "$cmd" --complete)" "$output"
	done
	run inlet --complete
	assert_success
	assert_line "operand	-	-	$(help_commands | paste -sd ' ')	-"
}

@test "completions: --complete is that word alone; no abbreviation it would share changes" {
	# parse's --comment is still --com, as getopt_long allowed before.
	run inlet-parse --com '#' --check-options
	assert_success
	run inlet-parse --comp --check-options
	assert_failure 64
	assert_output --partial "unknown option '--comp'"
	run --separate-stderr inlet-discover --complete .
	assert_equal "$status" 64
	[[ $stderr == *"unknown option '--complete'"* ]] || fail "$stderr"
	run --separate-stderr inlet-copy-into --complete --db x.db
	assert_equal "$status" 64
}

# fake_stage NAME LINE...: an inlet-NAME first on PATH that is the real one
# with LINE... added to its --complete: an option added to its table.
fake_stage() {
	local name=$1 real line
	real=$(command -v "inlet-$name")
	shift
	mkdir -p "$BATS_FILE_TMPDIR/fake"
	{
		echo '#!/bin/bash'
		echo 'if [ "$*" = --complete ]; then'
		printf '\t%q --complete\n' "$real"
		for line; do printf '\tprintf "%%s\\n" %q\n' "$line"; done
		echo '	exit'
		echo 'fi'
		printf 'exec %q "$@"\n' "$real"
	} > "$BATS_FILE_TMPDIR/fake/inlet-$name"
	chmod +x "$BATS_FILE_TMPDIR/fake/inlet-$name"
	export PATH=$BATS_FILE_TMPDIR/fake:$PATH
}

@test "completions: an option added to a command's --complete completes in bash, zsh and fish unchanged" {
	fake_stage join "$(printf -- '--zebra-mode\t-z\tMODE\tstripes spots\tthe zebra mode')" \
		"$(printf -- '--zebra-pen\t-\tDIR\t<dir>\twhere the zebra lives')"
	run inlet-join --complete
	assert_line --partial "--zebra-mode"
	mkdir pen && touch hay
	for mode in $(modes); do
		complete_line "$mode" "inlet-join --zeb"
		assert_output "$(sorted --zebra-mode --zebra-pen)"
		complete_line "$mode" "inlet-join -"
		assert_line -- "-z"
		for line in "inlet-join --zebra-mode " "inlet-join -z " "inlet-join --zebra-mode="; do
			complete_line "$mode" "$line"
			assert_output "$(sorted spots stripes)"
		done
		complete_line "$mode" "inlet-join --zebra-pen "
		assert_output "pen"
	done
	fish_complete "inlet-join --zeb"
	assert_equal "$output" "$(sorted --zebra-mode --zebra-pen)"
	fish_complete "inlet-join -z "
	assert_equal "$output" "$(sorted spots stripes)"
	fish_complete "inlet-join --zebra-pen "
	assert_equal "$output" "pen/"
	zsh_complete "inlet-join --zeb"
	assert_equal "$output" "$(sorted --zebra-mode --zebra-pen)"
	zsh_complete "inlet-join --zebra-mode "
	assert_equal "$output" "$(sorted spots stripes)"
	zsh_complete "inlet-join --zebra-pen "
	assert_equal "$output" "pen"
	# The scripts name no option of any command.
	for f in "$BASH_FILE" "$ZSH_FILE" "$FISH_FILE"; do
		run grep -nE -- '--(checkpoint|format|static|agg|trigger|mode|zebra)' "$f"
		assert_failure
	done
}

@test "completions: every command is registered in all three completion files" {
	[ -n "$COMMANDS" ] || fail "no commands found in inlet --help"
	# Each inlet-NAME binary built is a command inlet --help lists.
	for b in "$INLET_BIN"/inlet-*; do
		grep -qx "${b##*/inlet-}" <<< "$COMMANDS" || fail "inlet --help does not list ${b##*/}"
	done
	for cmd in $COMMANDS; do
		grep -qE "^#compdef( [a-z-]+)* inlet-$cmd( |\$)" "$ZSH_FILE" ||
			fail "_inlet: #compdef lacks inlet-$cmd"
		grep -qE "(^| )inlet-$cmd( |\$)" "$FISH_FILE" || fail "inlet.fish: inlet-$cmd not registered"
	done
}

@test "completions: the values offered for MODE, FMT, BOOL, TYPE, UNIT and AGG options are the ones the binary takes" {
	mkdir empty
	n=0
	for cmd in $COMMANDS; do
		for option in $(enum_options "inlet-$cmd"); do
			n=$((n + 1))
			echo "# inlet-$cmd $option"	# shown when a check fails
			complete_line plain "inlet-$cmd $option "
			assert_success
			offered=$output
			[ -n "$offered" ] || fail "inlet-$cmd $option: no values offered"
			# A wrong value: the error message lists the valid ones.  The
			# option comes first, so a stage checks it before the rest
			# (--db ... is there for the composites).
			run --separate-stderr "inlet-$cmd" "$option" no-such-value \
				--db t.db --table t -q empty < /dev/null
			assert_equal "$status" 64
			[[ $stderr == *"invalid value 'no-such-value' for $option: expected "* ]] ||
				fail "inlet-$cmd $option no-such-value: unexpected error: $stderr"
			expected=$(sed -n 's/.* expected //p' <<< "$stderr" |
				sed -E 's/,/ /g; s/ or / /g; s/:[A-Z]+/:/g')
			assert_equal "$offered" "$(sorted $expected)"
			if command -v fish >/dev/null; then
				fish_complete "inlet-$cmd $option "
				assert_equal "$output" "$offered"
			fi
			if command -v zsh >/dev/null; then
				zsh_complete "inlet-$cmd $option "
				assert_equal "$output" "$offered"
			fi
			for v in $offered; do
				[[ $v == *: ]] && v=${v}10s	# every:DURATION, sum:FIELD
				run --separate-stderr "inlet-$cmd" "$option" "$v" \
					--db t.db --table t -q empty < /dev/null
				[[ $stderr != *"invalid value"* ]] ||
					fail "inlet-$cmd $option $v: rejected: $stderr"
			done
		done
	done
	[ "$n" -ge 19 ] || fail "only $n MODE/FMT/BOOL/TYPE/UNIT/AGG options found in the --help texts"
}

@test "completions: the --encoding values offered are the ones inlet-parse reads" {
	echo '{"a":1}' > in.json
	complete_line plain "inlet-parse --encoding "
	assert_success
	offered=$output
	[ -n "$offered" ] || fail "no --encoding values offered"
	for v in $offered; do
		run --separate-stderr inlet-parse --encoding "$v" -q in.json
		assert_success
	done
	run --separate-stderr inlet-parse --encoding latin-9000 -q in.json
	assert_equal "$status" 64
	if command -v fish >/dev/null; then
		fish_complete "inlet parse --encoding "
		assert_equal "$output" "$offered"
	fi
	if command -v zsh >/dev/null; then
		zsh_complete "inlet-parse --encoding "
		assert_equal "$output" "$offered"
	fi
}

@test "completions: bash-completion loads the file for every inlet-NAME symlink" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion is not installed ($BASH_COMPLETION)"
	dir=$BATS_TEST_TMPDIR/user/completions
	mkdir -p "$dir"
	cp "$BASH_FILE" "$dir/inlet"
	for cmd in $COMMANDS; do ln -s inlet "$dir/inlet-$cmd"; done
	for n in inlet $(printf 'inlet-%s ' $COMMANDS); do
		run env BASH_COMPLETION_USER_DIR="$BATS_TEST_TMPDIR/user" \
			bash --norc --noprofile -c '. "$1" && __load_completion "$2" && complete -p "$2"' \
			_ "$BASH_COMPLETION" "$n"
		assert_success
		assert_output --regexp "^complete -F [^ ]+ $n\$"
	done
}

@test "completions: zsh -n accepts _inlet" {
	command -v zsh >/dev/null || skip "zsh is not installed: no syntax check of completions/_inlet"
	run zsh -n "$ZSH_FILE"
	assert_success
	assert_output ""
}

@test "completions: fish -n accepts inlet.fish" {
	command -v fish >/dev/null || skip "fish is not installed: no syntax check of completions/inlet.fish"
	run fish --no-config -n "$FISH_FILE"
	assert_success
	assert_output ""
}

@test "completions: fish offers the options and values of each binary" {
	command -v fish >/dev/null || skip "fish is not installed: completions/inlet.fish not run"
	mkdir somedir
	fish_complete "inlet "
	assert_equal "$output" "$(sorted $COMMANDS)"
	for cmd in $COMMANDS; do
		want=$(help_options "inlet-$cmd")
		fish_complete "inlet-$cmd -"
		assert_equal "$output" "$want"
		fish_complete "inlet $cmd -"
		assert_equal "$output" "$want"
	done
	fish_complete "inlet parse --format "
	assert_equal "$output" "$(sorted csv tsv json text)"
	fish_complete "inlet-commit --mode "
	assert_equal "$output" "$(sorted append overwrite upsert)"
	fish_complete "inlet ctas --mode "
	assert_equal "$output" "$(sorted permissive dropmalformed failfast)"
	fish_complete "inlet-discover --trigger "
	assert_equal "$output" "$(sorted available-now once every: watch)"
	fish_complete "inlet-commit --clean-source "
	assert_equal "$output" "$(sorted delete move:)"
	fish_complete "inlet rescue --schema-evolution-mode "
	assert_equal "$output" "$(sorted add-new-columns rescue fail-on-new-columns none)"
	fish_complete "inlet autoload -o cloudFiles.format="
	assert_equal "$output" "$(sorted cloudFiles.format=csv cloudFiles.format=json cloudFiles.format=text)"
	fish_complete "inlet copy-into --header "
	assert_equal "$output" "$(sorted true false)"
	fish_complete "inlet-discover --checkpoint "
	assert_equal "$output" "somedir/"
	fish_complete "inlet-window -c "
	assert_equal "$output" "somedir/"
	fish_complete "inlet join --type "
	assert_equal "$output" "$(sorted inner left semi anti)"
	fish_complete "inlet-window --output-mode "
	assert_equal "$output" "$(sorted append update complete)"
	fish_complete "inlet window --time-unit "
	assert_equal "$output" "$(sorted s ms us)"
	fish_complete "inlet-window --agg "
	assert_equal "$output" "$(sorted count sum: avg: min: max: approx_count_distinct:)"
	fish_complete "inlet-window --agg sum:"
	assert_equal "$output" ""
	touch dim.csv
	fish_complete "inlet-join --static "
	assert_equal "$output" "$(sorted dim.csv somedir/ sqlite:)"
	fish_complete "inlet join --static sqlite:"
	assert_equal "$output" "$(sorted sqlite:dim.csv: sqlite:somedir/)"
	fish_complete "inlet-join --static=sqlite:d"
	assert_equal "$output" "--static=sqlite:dim.csv:"
	fish_complete "inlet-join --static sqlite:dim.csv:"
	assert_equal "$output" ""
}

@test "completions: zsh offers the options and values of each binary" {
	command -v zsh >/dev/null || skip "zsh is not installed: completions/_inlet not run"
	mkdir somedir && touch dim.csv
	zsh_complete "inlet "
	assert_equal "$output" "$(sorted $COMMANDS)"
	for cmd in $COMMANDS; do
		want=$(help_options "inlet-$cmd")
		zsh_complete "inlet-$cmd -"
		assert_equal "$output" "$want"
		zsh_complete "inlet $cmd -"
		assert_equal "$output" "$want"
	done
	zsh_complete "inlet-window --agg "
	assert_equal "$output" "$(sorted count sum: avg: min: max: approx_count_distinct:)"
	zsh_complete "inlet window --agg sum:"
	assert_equal "$output" ""
	zsh_complete "inlet-join --static "
	assert_equal "$output" "$(sorted dim.csv somedir sqlite:)"
	zsh_complete "inlet join --static sqlite:"
	assert_equal "$output" "$(sorted sqlite:dim.csv sqlite:somedir)"
	zsh_complete "inlet-join --static sqlite:dim.csv:"
	assert_equal "$output" ""
	zsh_complete "inlet-window -c "
	assert_equal "$output" "somedir"
	zsh_complete "inlet-discover --trigger "
	assert_equal "$output" "$(sorted available-now once every: watch)"
	zsh_complete "inlet-commit --clean-source "
	assert_equal "$output" "$(sorted delete move:)"
}
