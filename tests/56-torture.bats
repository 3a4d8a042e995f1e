#!/usr/bin/env bats
# Crash torture, short: kill -9 a random stage (or the whole pipeline) at
# random moments while files keep landing, restart, and at the end every
# generated row is in the table exactly once, the windows equal those of an
# uninterrupted run, and --clean-source left no file in the landing
# folder.  `make torture` runs the long version (tests/torture/run --cycles
# 20: 200 cycles over the five variants and two triggers).
load helpers

# torture VARIANT TRIGGER: a short torture run (5 kill -9 cycles) of
# VARIANT under TRIGGER, which must lose, duplicate, leave and differ in
# nothing, with every stage ending the way a killed pipeline's do.
torture() {
	local spec=$2
	[ "$spec" != every ] || spec=every:50ms
	run "$INLET_ROOT/tests/torture/run" --cycles 5 --variant "$1" --trigger "$2" \
		--bin "$INLET_BIN"
	assert_success
	refute_output --partial unexpected
	assert_line --regexp "^torture: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0, windows differing $3, files left in landing $4 \\(variant $1, trigger $spec$5\\)\$"
	assert_line --regexp '^torture: total: cycles 5, rows [1-9][0-9]*, lost 0, duplicated 0, windows differing 0, files left in landing 0 \(seed [0-9]+\)$'
}

@test "torture, rows, trigger every:50ms: 5 kill -9 cycles lose and duplicate nothing" {
	torture rows every - -
}

@test "torture, rows, trigger watch: 5 kill -9 cycles lose and duplicate nothing" {
	torture rows watch - -
}

@test "torture with join and window in update mode, trigger every:50ms: windows equal an uninterrupted run" {
	torture update every 0 -
}

@test "torture with join and window in update mode, trigger watch: windows equal an uninterrupted run" {
	torture update watch 0 -
}

@test "torture with join and window in append mode, trigger every:50ms: each window once, equal to an uninterrupted run" {
	torture append every 0 -
}

@test "torture with join and window in append mode, trigger watch: each window once, equal to an uninterrupted run" {
	torture append watch 0 -
}

@test "torture with window in append mode, input ended before the last cycles: the final run with no new file releases the closed windows" {
	torture drain every 0 -
}

@test "torture with --clean-source move, trigger every:50ms: every file archived, every row once" {
	torture move every - 0 ', 0 not archived, 0 unknown in the archive'
}

@test "torture with --clean-source delete, trigger watch: every file gone, every row once" {
	torture delete watch - 0
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
