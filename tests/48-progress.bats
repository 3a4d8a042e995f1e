#!/usr/bin/env bats
# Progress on a terminal: inlet-commit draws one line on standard error,
# redrawn in place (the batch in flight, files, rows, MB/s), for the
# composites too since commit is their last stage; never when standard
# error is not a terminal, or with --quiet.  script(1) gives the command a
# terminal.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p land
	for i in 1 2 3; do echo "{\"id\":$i,\"n\":\"x$i\"}" > "land/f$i.json"; done
}

# on_terminal CMD...: run CMD with a terminal as its standard output and
# error; $output holds what the terminal showed, bytes as they came.
on_terminal() {
	local cmd
	cmd=$(printf '%q ' "$@")
	run script -qec "$cmd" /dev/null
}

@test "copy-into on a terminal shows the batch, files and rows, redrawn in place" {
	on_terminal inlet copy-into --db shop.db --table t --format json land
	assert_success
	assert_output --partial $'\r\e[Kinlet-commit: batch 0, '
	assert_output --partial 'inlet-commit: 3 files, 3 rows, '
	assert_output --partial ' MB/s'
	assert_output --partial '"num_inserted_rows":3'
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 3
}

@test "ctas and autoload on a terminal show it too" {
	on_terminal inlet ctas --db shop.db --table c --format json land/f1.json land/f2.json
	assert_success
	assert_output --partial 'inlet-commit: 2 files, 2 rows, '
	on_terminal inlet autoload -c ck --db shop.db --table a \
		-o cloudFiles.format=json -o cloudFiles.schemaLocation=ck land
	assert_success
	assert_output --partial 'inlet-commit: 3 files, 3 rows, '
}

@test "no progress line when standard error is not a terminal" {
	run --separate-stderr inlet copy-into --db shop.db --table t --format json land
	assert_success
	[[ $stderr != *$'\r'* && $stderr != *$'\e'* ]] || fail "control characters on stderr: $stderr"
	refute [ -n "$stderr" ]
}

@test "--quiet silences it on a terminal" {
	on_terminal inlet copy-into --quiet --db shop.db --table t --format json land
	assert_success
	refute_output --partial 'inlet-commit:'
	on_terminal inlet autoload --quiet -c ck --db shop.db --table a \
		-o cloudFiles.format=json -o cloudFiles.schemaLocation=ck land
	assert_success
	refute_output --partial 'inlet-commit:'
}

@test "inlet-commit --progress draws the line when standard error is not a terminal" {
	batch 0 '{"a":1}' '{"a":2}' > in
	run --separate-stderr inlet-commit --progress --db shop.db --table t < in
	assert_success
	[[ $stderr == *$'\r\e[Kinlet-commit: batch 0, 0 files, 0 rows'* ]] || fail "stderr: $stderr"
	[[ $stderr == *'inlet-commit: 0 files, 2 rows, '*' MB/s' ]] || fail "stderr: $stderr"
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 2
}
