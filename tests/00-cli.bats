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

@test "an unknown option exits 64 with usage on stderr" {
	for b in inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit inlet-copy-into inlet-ctas inlet-autoload inlet-status; do
		run --separate-stderr "$b" --no-such-option
		assert_equal "$status" 64
		assert_equal "$output" ""
		[[ $stderr == *usage:* ]]
	done
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
	run inlet frobnicate
	assert_equal "$status" 64
	assert_output --partial "'frobnicate' is not an inlet command"
}

@test "inlet with no command exits 64" {
	run inlet
	assert_equal "$status" 64
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
