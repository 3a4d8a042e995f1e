#!/usr/bin/env bats
# One duration grammar for every option that takes a duration
# (libcommon/datetime.h): discover's trigger, age and backfill, window's
# size, slide and watermark read "1m30s", "1.5s" and Spark's "10 seconds"
# alike, and refuse the same text with the same message.
load helpers

# accepted_by_discover DURATION: discover runs with it (stopped by
# timeout, not refused at start).  Without the leak check: on the
# sanitized build, LeakSanitizer's check at the exit that TERM asks for
# once hung with discover spinning under its tracer, and timeout waited
# on it for good; -k ends such a run, as a failure.
accepted_by_discover() {
	mkdir -p land
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run timeout -k 10 1 inlet-discover --no-checkpoint --trigger "every:$1" \
		--min-age "$1" --backfill-interval "$1" land
	[ "$status" -eq 124 ] || fail "discover refused '$1' (status $status): $output"
}

@test "discover and window accept the same spellings" {
	for d in 1m30s '1m 30s' 1.5s 500ms 10 '10 seconds' '1 minute 30 seconds' 1h 2d '1 week'; do
		accepted_by_discover "$d"
		run inlet-window --time ts --window "$d" --slide "$d" --watermark "$d" < /dev/null
		assert_success
	done
}

@test "discover and window refuse the same text with the same message" {
	mkdir -p land
	for d in 1m30 10x -1s .5s '10 seconds ago'; do
		run inlet-discover --no-checkpoint --trigger "every:$d" land
		assert_failure 64
		assert_output --partial "invalid value '$d' for --trigger every:: expected a duration such as 500ms, 30s, 1m30s"
		run inlet-window --time ts --window "$d" < /dev/null
		assert_failure 64
		assert_output --partial "invalid value '$d' for --window: expected a duration such as 500ms, 30s, 1m30s"
	done
}

@test "a window of 1m30s and one of 1.5m are the same 90 s window" {
	batch 0 '{"ts":"2024-03-01T00:00:10Z"}' '{"ts":"2024-03-01T00:01:29Z"}' \
		'{"ts":"2024-03-01T00:01:31Z"}' > in
	run inlet-window --time ts --window 1m30s --output-mode complete < in
	a=$output
	run inlet-window --time ts --window 1.5m --output-mode complete < in
	assert_equal "$output" "$a"
	assert_line '{"window":{"start":"2024-03-01T00:00:00Z","end":"2024-03-01T00:01:30Z"},"count":2}'
	assert_line '{"window":{"start":"2024-03-01T00:01:30Z","end":"2024-03-01T00:03:00Z"},"count":1}'
}

@test "a zero window is refused; a zero watermark is allowed" {
	run inlet-window --time ts --window 0s < /dev/null
	assert_failure 64
	assert_output --partial "the duration must be more than 0"
	run inlet-window --time ts --window 10s --watermark 0s < /dev/null
	assert_success
}

# Databricks, Auto Loader options: cloudFiles.backfillInterval "can be
# specified as a string like 1 day or 1 week"
# (https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/options.html);
# Spark's interval strings spell the units as words, singular or plural.
# Weeks and days are part of the one grammar, so every duration option
# takes them.
@test "weeks and days in words or letters: Databricks' '1 week', '1 day', '12 hours'" {
	mkdir -p land
	for d in '1 week' '2 weeks' '1 day' '3 days' 1d 1w '12 hours' '1 Week' '1 week 2 days'; do
		accepted_by_discover "$d"
	done
	# The same amount whatever the spelling: a window of a week, and one
	# of 7 days, 168 hours or 1w, hold the same rows in the same window.
	batch 0 '{"ts":"2024-03-01T00:00:00Z"}' '{"ts":"2024-03-06T23:00:00Z"}' \
		'{"ts":"2024-03-08T00:00:00Z"}' > in
	run inlet-window --time ts --window '1 week' --output-mode complete < in
	assert_success
	week=$output
	assert_line '{"window":{"start":"2024-02-29T00:00:00Z","end":"2024-03-07T00:00:00Z"},"count":2}'
	for d in '7 days' 7d 1w '168 hours' '2 days 120 hours'; do
		run inlet-window --time ts --window "$d" --output-mode complete < in
		assert_equal "$output" "$week"
	done
	run inlet-window --time ts --window '2 weeks' --output-mode complete < in
	# Windows are aligned on the epoch (a Thursday), as Spark aligns them.
	assert_line '{"window":{"start":"2024-02-29T00:00:00Z","end":"2024-03-14T00:00:00Z"},"count":3}'
}

@test "words that are no unit are refused: '1 fortnight', '1 wk', '1 dayz'" {
	mkdir -p land
	for d in '1 fortnight' '1 wk' '1 dayz' 'week' '1 week ago'; do
		run inlet-discover --no-checkpoint --trigger watch --backfill-interval "$d" land
		assert_failure 64
		assert_output --partial "invalid value '$d' for --backfill-interval"
	done
}

@test "autoload: cloudFiles.backfillInterval takes '1 week', quoted or not, and refuses what is no duration" {
	mkdir land
	echo '{"a":1}' > land/a.json
	for d in '1 week' "'1 week'" '"1 day"' '12 hours'; do
		run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
			-o "cloudFiles.backfillInterval=$d" --quiet land
		assert_success
	done
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 1
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o "cloudFiles.backfillInterval=1 fortnight" --quiet land
	assert_failure 64
	assert_output --partial "cloudFiles.backfillInterval=1 fortnight"
}
