#!/usr/bin/env bats
# inlet-discover --modified-after / --modified-before: Databricks' generic
# file source options modifiedAfter / modifiedBefore ("an optional
# timestamp as a filter to only ingest files that have a modification
# timestamp after / before the provided timestamp", example value
# "2021-01-01 00:00:00.000000 UTC+0";
# https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/options.html#generic-options).
# Both bounds are exclusive, as Spark implements them
# (sql/core/.../datasources/pathFilterStrategies.scala: ModifiedAfterFilter
# takes mtime > threshold, ModifiedBeforeFilter mtime < threshold), and a
# timestamp without an offset is read in the session time zone, UTC here.
load helpers

# paths: the names of the files discover emitted ($output), sorted.
paths() {
	jq -r 'select(._inlet == "file") | .path | sub(".*/"; "")' <<<"$output" | LC_ALL=C sort |
		paste -sd' '
}

# Files a minute apart around 2024-06-01 13:00 UTC, one exactly on it.
landing() {
	mkdir -p land/sub
	echo 1 > land/early.json;  touch -d '2024-06-01T12:59:00Z' land/early.json
	echo 2 > land/on.json;     touch -d '2024-06-01T13:00:00Z' land/on.json
	echo 3 > land/sub/late.json; touch -d '2024-06-01T13:01:00Z' land/sub/late.json
	echo 4 > land/later.json;  touch -d '2024-06-01T13:02:00Z' land/later.json
}

@test "--modified-after and --modified-before are exclusive bounds" {
	landing
	run --separate-stderr inlet-discover --no-checkpoint --modified-after 2024-06-01T13:00:00 land
	assert_success
	assert_equal "$(paths)" "late.json later.json"
	run --separate-stderr inlet-discover --no-checkpoint --modified-before 2024-06-01T13:00:00 land
	assert_equal "$(paths)" "early.json"
	run --separate-stderr inlet-discover --no-checkpoint --modified-after '2024-06-01 12:59:00' \
		--modified-before 2024-06-01T13:02:00Z land
	assert_equal "$(paths)" "late.json on.json"
	# One microsecond before the file's time: taken.
	run --separate-stderr inlet-discover --no-checkpoint --modified-after 2024-06-01T12:59:59.999999 land
	assert_equal "$(paths)" "late.json later.json on.json"
	# What is left out is not a warning: the range was asked for.
	assert_equal "$stderr" ""
}

@test "a timestamp with an offset, Databricks' 'UTC+0' form, or a date alone" {
	landing
	run --separate-stderr inlet-discover --no-checkpoint --modified-after 2024-06-01T15:00:00+02:00 land
	assert_equal "$(paths)" "late.json later.json"
	run --separate-stderr inlet-discover --no-checkpoint --modified-after '2024-06-01 13:00:30.000000 UTC+0' land
	assert_equal "$(paths)" "late.json later.json"
	run --separate-stderr inlet-discover --no-checkpoint --modified-before '2024-06-01 14:01:30 UTC+1' land
	assert_equal "$(paths)" "early.json late.json on.json"
	run --separate-stderr inlet-discover --no-checkpoint --modified-after 2024-06-02 land
	assert_success
	assert_equal "$(paths)" ""
}

@test "files outside the range are not marked seen: a later run with another range takes them" {
	landing
	run --separate-stderr inlet-discover --checkpoint ck --modified-after 2024-06-01T13:00:00 land
	assert_success
	assert_equal "$(paths)" "late.json later.json"
	commit_all ck
	run --separate-stderr inlet-discover --checkpoint ck --modified-after 2024-06-01T13:00:00 land
	assert_equal "$(paths)" ""
	commit_all ck
	# A backfill of the earlier files on the same checkpoint: each taken once.
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	assert_equal "$(paths)" "early.json on.json"
	# Also when the first start skips existing files.
	run --separate-stderr inlet-discover --checkpoint ck2 --include-existing-files false \
		--modified-before 2024-06-01T13:00:00 land
	assert_equal "$(paths)" ""
	run --separate-stderr inlet-discover --checkpoint ck2 land
	assert_equal "$(paths)" "late.json later.json on.json"
}

@test "the summary counts the files outside the range" {
	landing
	script -qec "inlet-discover --no-checkpoint --modified-after 2024-06-01T13:00:00 land > out" \
		/dev/null > tty
	grep -qF "inlet-discover: 2 new files in 1 batches; 2 files modified outside --modified-after/--modified-before" tty ||
		fail "summary: $(cat tty)"
	# A file given as a source obeys the range too.
	script -qec "inlet-discover --no-checkpoint --modified-before 2024-06-01T13:00:00 land/on.json land/early.json > out" \
		/dev/null > tty
	grep -qF "1 new files in 1 batches; 1 files modified outside" tty || fail "summary: $(cat tty)"
	grep -q '/early.json"' out
	! grep -q '/on.json"' out
}

@test "the range holds under every:DURATION and watch" {
	landing
	run --separate-stderr timeout --preserve-status -s INT 1.5 \
		inlet-discover --checkpoint ck --trigger every:200ms --modified-before 2024-06-01T13:01:00 land
	assert_success
	assert_equal "$(paths)" "early.json on.json"
	inlet-discover --checkpoint ck2 --trigger watch --modified-after 2024-06-01T13:00:00 land > out 2> err &
	pid=$!
	wait_until 10 grep -q '"_inlet":"end"' out || fail "no first batch: $(cat err)"
	echo 5 > land/new.json		# now: after the bound
	# Moved in with its old time: the event is in, the file is out of range.
	echo 6 > old.json; touch -d '2024-01-01T00:00:00Z' old.json; mv old.json land/
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	output=$(cat out)
	assert_equal "$(paths)" "late.json later.json new.json"
}

@test "a bad --modified-after or --modified-before is 64 before anything is created" {
	landing
	for bad in yesterday 2024-13-01 2024-06-01T25:00:00 '2024-06-01 UTC' 1717246800 '' \
		   '2024-06-01T13:00:00+25:00' '2024-06-01 13:00:00 UTC+'; do
		for o in --modified-after --modified-before; do
			run --separate-stderr inlet-discover --checkpoint ck "$o" "$bad" land
			[ "$status" -eq 64 ] || fail "$o '$bad' gave $status"
			[[ $stderr == *"invalid value '$bad' for $o"* ]] || fail "$o '$bad': $stderr"
			run inlet-discover --checkpoint ck "$o" "$bad" --check-options land
			[ "$status" -eq 64 ] || fail "--check-options $o '$bad' gave $status"
			[ ! -e ck ] || fail "$o '$bad' created the checkpoint"
		done
	done
	# A range that holds nothing is a mistake, not an empty run.
	run --separate-stderr inlet-discover --checkpoint ck --modified-after 2024-06-02 \
		--modified-before 2024-06-01 land
	[ "$status" -eq 64 ]
	[[ $stderr == *"--modified-after '2024-06-02' is not before --modified-before '2024-06-01'"* ]] || fail "$stderr"
	[ ! -e ck ]
	run inlet-discover --checkpoint ck --modified-after 2024-06-01 --modified-before 2024-06-02 \
		--check-options land
	assert_success
}
