#!/usr/bin/env bats
# Conventions every binary shares (inlet(7)): --help, --version, usage errors.
load helpers

BINARIES="inlet inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit inlet-copy-into inlet-ctas inlet-autoload inlet-status"

@test "every binary prints usage on --help and exits 0" {
	for b in $BINARIES; do
		run "$b" --help
		assert_success
		assert_output --partial "usage: "
	done
}

@test "every binary prints the same version" {
	run inlet --version
	assert_success
	version=${output##* }
	for b in $BINARIES; do
		run "$b" --version
		assert_success
		assert_output "$b (inlet) $version"
	done
}

# pointer BIN: the help a usage error of BIN points at.
pointer() {
	if [ "$1" = inlet ]; then echo "try 'inlet --help'"; else echo "try 'inlet ${1#inlet-} --help'"; fi
}

# assert_usage_error BIN MESSAGE: the last run exited 64, wrote nothing on
# stdout and exactly one line on stderr, "BIN: MESSAGE; try '...'".
assert_usage_error() {
	[ "$status" -eq 64 ] || fail "$1: exit $status, not 64"
	[ -z "$output" ] || fail "$1 wrote '$output' on stdout"
	[ "$stderr" = "$1: $2; $(pointer "$1")" ] ||
		fail "$1: expected '$1: $2; $(pointer "$1")', got '$stderr'"
}

@test "usage errors: an unknown option is one line naming it and a pointer, exit 64" {
	# The C binaries and the dispatcher (the shell composites are not yet).
	for b in inlet inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit; do
		run --separate-stderr "$b" --no-such-option
		assert_usage_error "$b" "unknown option '--no-such-option'"
	done
	for b in inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit; do
		run --separate-stderr "$b" --no-such-option=1
		assert_usage_error "$b" "unknown option '--no-such-option'"
		run --separate-stderr "$b" -Z
		assert_usage_error "$b" "unknown option '-Z'"
		# A short letter stuck after a good one is named, not the cluster.
		run --separate-stderr "$b" -qZ
		assert_usage_error "$b" "unknown option '-Z'"
		run --separate-stderr "$b" --quiet=yes
		assert_usage_error "$b" "option '--quiet' takes no value"
		# getopt's own messages ("unrecognized option") never show.
		run --separate-stderr "$b" --no-such-option
		[[ $stderr != *unrecognized* && $stderr != *usage:* ]] || fail "$b: $stderr"
	done
}

@test "usage errors: an option without its argument, as typed, exit 64" {
	run --separate-stderr inlet-cast --schema
	assert_usage_error inlet-cast "option '--schema' requires an argument"
	run --separate-stderr inlet-cast -s
	assert_usage_error inlet-cast "option '-s' requires an argument"
	# An abbreviation is named by the option it stands for.
	run --separate-stderr inlet-cast --sch
	assert_usage_error inlet-cast "option '--schema' requires an argument"
	run --separate-stderr inlet-commit --stdout --mode
	assert_usage_error inlet-commit "option '--mode' requires an argument"
	run --separate-stderr inlet-discover --no-checkpoint -t
	assert_usage_error inlet-discover "option '-t' requires an argument"
	run --separate-stderr inlet-window --time
	assert_usage_error inlet-window "option '--time' requires an argument"
	run --separate-stderr inlet-join --static
	assert_usage_error inlet-join "option '--static' requires an argument"
	run --separate-stderr inlet-parse -f
	assert_usage_error inlet-parse "option '-f' requires an argument"
	run --separate-stderr inlet-rescue --schema-location
	assert_usage_error inlet-rescue "option '--schema-location' requires an argument"
}

@test "usage errors: an ambiguous abbreviation is named, exit 64" {
	# --c: --column-format, --column-name-of-corrupt-record, --check-options.
	run --separate-stderr inlet-cast --c x
	assert_usage_error inlet-cast "ambiguous option '--c'"
	# An exact name is never ambiguous, even when it is a prefix of another.
	run --separate-stderr inlet-window --time t --window 1m --watermark 1s --check-options
	assert_equal "$status" 0
}

@test "usage errors: missing required options and operands are one line, exit 64" {
	run --separate-stderr inlet-discover --no-checkpoint
	assert_usage_error inlet-discover "no SOURCE given"
	run --separate-stderr inlet-discover src
	assert_usage_error inlet-discover "give either --checkpoint DIR or --no-checkpoint"
	run --separate-stderr inlet-rescue
	assert_usage_error inlet-rescue "give --schema DDL or --schema-location DIR (to infer the schema)"
	run --separate-stderr inlet-join --on a
	assert_usage_error inlet-join "--static and --on are required"
	run --separate-stderr inlet-window --time t
	assert_usage_error inlet-window "--time FIELD and --window DURATION are required"
	run --separate-stderr inlet-commit
	assert_usage_error inlet-commit "give exactly one sink: --db FILE --table NAME, --dir DIR, --csv FILE or --stdout"
	run --separate-stderr inlet-commit --db x.db
	assert_usage_error inlet-commit "--db and --table go together"
	run --separate-stderr inlet
	assert_usage_error inlet "no command given"
	run --separate-stderr inlet --bogus
	assert_usage_error inlet "unknown option '--bogus'"
	[ ! -e x.db ]
}

@test "usage errors: through the dispatcher, the stage's own line" {
	run --separate-stderr inlet cast --bogus
	assert_usage_error inlet-cast "unknown option '--bogus'"
}

@test "inlet dispatches to inlet-NAME" {
	run inlet parse --version
	assert_success
	assert_output --partial "inlet-parse (inlet)"
}

@test "inlet lists its commands" {
	run inlet --help
	assert_success
	for c in discover parse rescue cast join window commit copy-into ctas autoload status; do
		assert_output --partial "  $c "
	done
}

@test "inlet with an unknown command exits 64 naming it" {
	run --separate-stderr inlet frobnicate
	assert_usage_error inlet "'frobnicate' is not an inlet command"
	run --separate-stderr inlet ../bin/inlet-cast
	assert_usage_error inlet "'../bin/inlet-cast' is not an inlet command"
}

@test "inlet help CMD shows CMD's help, as CMD --help does" {
	for c in discover parse rescue cast join window commit copy-into ctas autoload status; do
		run --separate-stderr inlet help "$c"
		assert_success
		expected=$("inlet-$c" --help)
		[ "$output" = "$expected" ] || fail "inlet help $c differs from inlet-$c --help"
		[ -z "$stderr" ] || fail "inlet help $c said '$stderr'"
	done
}

@test "inlet help alone is inlet --help; a bad topic is one line, exit 64" {
	run --separate-stderr inlet help
	assert_success
	[ "$output" = "$(inlet --help)" ]
	assert_output --partial "inlet help [COMMAND]"
	run --separate-stderr inlet help frobnicate
	assert_usage_error inlet "'frobnicate' is not an inlet command"
	run --separate-stderr inlet help --bogus
	assert_usage_error inlet "'--bogus' is not an inlet command"
	run --separate-stderr inlet help cast parse
	assert_usage_error inlet "unexpected argument 'parse' after 'help cast'"
}

@test "bad option values are usage errors naming the option" {
	run inlet-discover --no-checkpoint --trigger sometimes .
	assert_equal "$status" 64
	assert_output --partial "--trigger"
	run inlet-discover --no-checkpoint --max-files-per-trigger -3 .
	assert_equal "$status" 64
	run inlet-discover --no-checkpoint --max-bytes-per-trigger 10q .
	assert_equal "$status" 64
	assert_output --partial "10q"
	run inlet-parse --format xml
	assert_equal "$status" 64
	run inlet-parse --header maybe
	assert_equal "$status" 64
	run inlet-commit --stdout --mode merge
	assert_equal "$status" 64
}

@test "the shell composites still exit 64 on an unknown option, stdout empty" {
	for b in inlet-copy-into inlet-ctas inlet-autoload inlet-status; do
		run --separate-stderr "$b" --no-such-option
		assert_equal "$status" 64
		assert_equal "$output" ""
	done
}

@test "completions: 'inlet help <TAB>' offers the command names (bash, fish)" {
	commands="discover parse rescue cast join window commit copy-into ctas autoload status"
	run bash --norc --noprofile -c '
		. "$1" || exit 98
		COMP_WORDS=(inlet help ""); COMP_CWORD=2
		COMP_LINE="inlet help " COMP_POINT=11
		_inlet inlet "" help
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' bash "$INLET_ROOT/completions/inlet.bash"
	assert_success
	assert_output "$(printf '%s\n' $commands | LC_ALL=C sort)"
	run bash --norc --noprofile -c '
		. "$1" || exit 98
		COMP_WORDS=(inlet help cast ""); COMP_CWORD=3
		COMP_LINE="inlet help cast " COMP_POINT=16
		_inlet inlet "" cast
		printf "%s\n" "${COMPREPLY[@]}"' bash "$INLET_ROOT/completions/inlet.bash"
	assert_output ""
	command -v fish > /dev/null || fail "fish is not installed (make deps installs it)"
	run fish --no-config -c 'source $argv[1]; complete -C "inlet help "' "$INLET_ROOT/completions/inlet.fish"
	assert_success
	output=$(cut -f1 <<< "$output" | LC_ALL=C sort)
	assert_output "$(printf '%s\n' $commands | LC_ALL=C sort)"
}
