#!/usr/bin/env bats
# One meaning per short option (inlet(7), Options): across every stage and
# composite, a letter stands for one long option, and a long option has at
# most one letter.  The pairs are read from each program's --help.
load helpers

PROGRAMS="inlet inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit inlet-copy-into inlet-ctas inlet-autoload inlet-status"
STAGES="inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit"

# pairs: "LETTER --LONG PROGRAM" for every "-X, --long" option line of every
# program's --help ("  -c, --checkpoint DIR  ..."), one a line.
pairs() {
	local p
	for p in $PROGRAMS; do
		"$p" --help | sed -nE "s/^ {1,8}-([A-Za-z0-9]), (--[A-Za-z0-9][A-Za-z0-9-]*).*/\1 \2 $p/p"
	done
}

@test "short options: the --help of every program is read" {
	run pairs
	assert_success
	# Each stage has at least -q/--quiet and -h/--help: an extraction that
	# finds nothing cannot pass the tests below.
	for p in $STAGES; do
		grep -qx "q --quiet $p" <<< "$output" || fail "no '-q, --quiet' read from $p --help"
		grep -qx "h --help $p" <<< "$output" || fail "no '-h, --help' read from $p --help"
	done
}

@test "short options: a letter has one long name across every program" {
	run pairs
	assert_success
	clashes=$(awk '{ long[$1] = long[$1] ? long[$1] : $2 }
		long[$1] != $2 { print "-" $1 ": " long[$1] " and " $2 " (" $3 ")" }' <<< "$output")
	if [ -n "$clashes" ]; then
		# Name every program of each clashing letter.
		for l in $(cut -d: -f1 <<< "$clashes" | sort -u); do
			echo "$l means: $(grep "^${l#-} " <<< "$output" | cut -d' ' -f2- | tr '\n' ';')"
		done
		fail "a short option with two meanings: $clashes"
	fi
}

@test "short options: a long name has at most one letter across every program" {
	run pairs
	assert_success
	clashes=$(awk '{ short[$2] = short[$2] ? short[$2] : $1 }
		short[$2] != $1 { print $2 ": -" short[$2] " and -" $1 " (" $3 ")" }' <<< "$output")
	[ -z "$clashes" ] || fail "a long option with two letters: $clashes"
}

@test "short options: a stage takes no short option its --help does not show" {
	# A letter dropped from --help but left in the getopt string would keep
	# its old meaning unseen.
	for p in $STAGES; do
		shown=$("$p" --help | sed -nE 's/^ {1,8}-([A-Za-z0-9]), --.*/\1/p' | tr -d '\n')
		for l in {a..z} {A..Z}; do
			[[ $shown == *"$l"* ]] && continue
			run --separate-stderr "$p" "-$l" x < /dev/null
			[ "$status" -eq 64 ] && [[ $stderr == *"unknown option '-$l'"* ]] ||
				fail "$p takes -$l ($status: $stderr), which its --help does not show"
		done
	done
}

@test "short options: -m is --metadata; cast's --map has no letter" {
	run --separate-stderr inlet-cast -m '{a}'
	assert_equal "$status" 64
	[[ $stderr == *"unknown option '-m'"* ]]
	run --separate-stderr inlet-cast --map '{a}' --check-options
	assert_success
	run inlet-parse --help
	assert_output --partial "-m, --metadata"
}
