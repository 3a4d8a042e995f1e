#!/usr/bin/env bats
# --check-options on every C stage: the options are checked as a run checks
# them, then the stage exits 0 having read nothing and created nothing; a
# bad value is 64 with the run's own message, and still nothing is created.
load helpers

# Run in a folder of its own: Bats keeps its --separate-stderr files in
# BATS_TEST_TMPDIR.
setup() {
	mkdir "$BATS_TEST_TMPDIR/work" && cd "$BATS_TEST_TMPDIR/work"
}

# A stream cut inside a batch: a stage that reads it exits 74.
CUT='{"_inlet":"begin","batch":1}'

# assert_nothing_created: the test's folder is as empty as setup left it.
assert_nothing_created() {
	run ls -A
	assert_output ""
}

# Good options naming paths that do not exist, and FILE operands that do
# not exist: a run would create the paths or fail to read the files.
good_commands() {
	cat <<'EOF'
inlet-discover -c ck/x --trigger every:90s --max-bytes-per-trigger 10m --min-age 2s src
inlet-parse -f csv --delimiter ';' --quote "'" --max-record-bytes 1m --bad-records-path bad nosuch.csv
inlet-rescue -l loc/x --schema-hints 'a INT, b DECIMAL(10,2)' --sample-bytes 1m nosuch
inlet-rescue -s 'a INT, b STRING' --schema-evolution-mode rescue -
inlet-cast -s 'a INT, d DATE' --map '{a, d: .when}' --bad-records-path bad nosuch
inlet-join --static nosuch.csv --on a --type left nosuch
inlet-window -c ck/x --time t --window 10m --slide 5m --watermark 1m --late-records late/x.json
inlet-commit -c ck/x --db no/such.db --table t --clean-source move:archive
inlet-commit -c ck/x --dir out/t --mode overwrite
EOF
}

@test "check-options: good options exit 0, read no input and create nothing" {
	while IFS= read -r cmd; do
		eval "set -- $cmd"
		run --separate-stderr "$@" --check-options <<< "$CUT"
		[ "$status" -eq 0 ] || fail "$cmd --check-options: exit $status: $stderr"
		[ -z "$output" ] || fail "$cmd --check-options wrote '$output'"
		[ -z "$stderr" ] || fail "$cmd --check-options said '$stderr'"
		assert_nothing_created
	done < <(good_commands)
}

@test "check-options: without it, the same options do create their paths" {
	# The property above holds because of --check-options, not because
	# these commands would create nothing anyway.
	run inlet-commit -c ck/x --dir out/t --mode overwrite < /dev/null
	assert_success
	[ -d ck/x ]
	run inlet-window -c ck2 --time t --window 10m --watermark 1m < /dev/null
	[ -d ck2 ]
	run inlet-cast -s 'a INT' <<< "$CUT"
	assert_equal "$status" 74
}

@test "check-options: a bad value exits 64 with the run's message, nothing created" {
	while IFS='|' read -r message cmd; do
		eval "set -- $cmd"
		run --separate-stderr "$@" --check-options < /dev/null
		[ "$status" -eq 64 ] || fail "$cmd --check-options: exit $status, not 64"
		[[ $stderr == *"$message"* ]] || fail "$cmd: '$stderr' lacks '$message'"
		# The run without --check-options says the same.
		run --separate-stderr "$@" < /dev/null
		[ "$status" -eq 64 ] || fail "$cmd: exit $status, not 64"
		[[ $stderr == *"$message"* ]] || fail "$cmd: '$stderr' lacks '$message'"
		assert_nothing_created
	done <<'EOF'
--trigger|inlet-discover -c ck --trigger every:soon src
10q|inlet-discover -c ck --max-bytes-per-trigger 10q src
--min-age|inlet-discover -c ck --min-age 5fortnights src
--delimiter and --quote must differ|inlet-parse --delimiter , --quote , -
--header|inlet-parse --header maybe -
--schema-hints|inlet-rescue -l loc --schema-hints 'a NOSUCHTYPE'
invalid --schema|inlet-rescue -s 'a' -
--sample-bytes|inlet-rescue -l loc --sample-bytes lots
cannot compile --map|inlet-cast --map '{a:' -
invalid --schema|inlet-cast -s 'a NOSUCHTYPE' -
--bad-records-path and --mode failfast|inlet-cast --bad-records-path bad --mode failfast -
--type|inlet-join --static t.csv --on a --type outer -
--select, --prefix and --rename|inlet-join --static t.csv --on a --type semi --prefix s_ -
--slide must not be longer|inlet-window -c ck --time t --window 1m --slide 2m --watermark 1s
--window|inlet-window -c ck --time t --window forever
--clean-source|inlet-commit -c ck --db x.db --table t --clean-source shred
--clean-source needs --checkpoint|inlet-commit --db x.db --table t --clean-source move:arch
reserved|inlet-commit -c ck --db x.db --table _inlet_commits
EOF
}

@test "check-options: required options and operands are still required" {
	for cmd in "inlet-discover -c ck" "inlet-discover src" "inlet-rescue" \
		"inlet-join --on a" "inlet-window --time t" "inlet-commit -c ck"; do
		run $cmd --check-options < /dev/null
		[ "$status" -eq 64 ] || fail "$cmd --check-options: exit $status, not 64"
	done
	assert_nothing_created
}

@test "check-options: every C stage lists it in --help" {
	for b in inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join inlet-window inlet-commit; do
		run "$b" --help
		assert_output --partial "--check-options"
	done
}
