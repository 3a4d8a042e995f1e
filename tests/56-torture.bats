#!/usr/bin/env bats
# Crash torture, short: kill -9 a random stage (or the whole pipeline) at
# random moments while files keep landing, restart, and at the end every
# generated row is in the table exactly once.  `make torture` runs the
# long version (tests/torture/run --cycles 100).
load helpers

@test "torture, trigger every:50ms: 5 kill -9 cycles lose and duplicate nothing" {
	run "$INLET_ROOT/tests/torture/run" --cycles 5 --trigger every --pipeline rows --bin "$INLET_BIN"
	assert_success
	assert_output --regexp '^torture: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0 \(trigger every:50ms\)$'
}

@test "torture, trigger watch: 5 kill -9 cycles lose and duplicate nothing" {
	run "$INLET_ROOT/tests/torture/run" --cycles 5 --trigger watch --pipeline rows --bin "$INLET_BIN"
	assert_success
	assert_output --regexp '^torture: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0 \(trigger watch\)$'
}

# full_pipeline: inlet-join and inlet-window are built (cmd/join, cmd/window).
full_pipeline() {
	[ -x "$INLET_BIN/inlet-join" ] && [ -x "$INLET_BIN/inlet-window" ] ||
		skip "inlet-join or inlet-window is not built"
}

@test "torture with join and window, trigger every:50ms: windows equal an uninterrupted run" {
	full_pipeline
	run "$INLET_ROOT/tests/torture/run" --cycles 5 --trigger every --pipeline full --bin "$INLET_BIN"
	assert_success
	assert_output --regexp '^torture: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0 \(trigger every:50ms, with join and window: [1-9][0-9]* windows, 0 differ from the reference run\)$'
}

@test "torture with join and window, trigger watch: windows equal an uninterrupted run" {
	full_pipeline
	run "$INLET_ROOT/tests/torture/run" --cycles 5 --trigger watch --pipeline full --bin "$INLET_BIN"
	assert_success
	assert_output --regexp '^torture: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0 \(trigger watch, with join and window: [1-9][0-9]* windows, 0 differ from the reference run\)$'
}

@test "a stage killed in the middle of a line: commit rolls the batch back as an upstream failure (74)" {
	printf '{"_inlet":"begin","batch":0}\n{"id":1}\n{"id":2,"customer":"C' > cut.ndjson
	run inlet-commit --checkpoint ck --db t.db --table orders --quiet < cut.ndjson
	assert_equal "$status" 74
	assert_output --partial "input ended in the middle of a record"
	[ ! -e ck/commits/0 ]
}

@test "a stage killed in the middle of a line: nothing of the batch is committed" {
	printf '{"_inlet":"begin","batch":0}\n{"id":1}\n{"id":2,"customer":"C' > cut.ndjson
	run inlet-commit --checkpoint ck --db t.db --table orders --quiet < cut.ndjson
	assert_failure
	[ ! -e ck/commits/0 ]
	run sql t.db "SELECT count(*) FROM _inlet_commits"
	assert_output 0
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 'orders'"
	assert_output 0
}
