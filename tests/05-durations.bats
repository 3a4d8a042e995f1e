#!/usr/bin/env bats
# One duration grammar for every option that takes a duration
# (libcommon/datetime.h): discover's trigger, age and backfill, window's
# size, slide and watermark read "1m30s", "1.5s" and Spark's "10 seconds"
# alike, and refuse the same text with the same message.
load helpers

# accepted_by_discover DURATION: discover runs with it (killed by timeout,
# not refused at start).
accepted_by_discover() {
	mkdir -p land
	run timeout 1 inlet-discover --no-checkpoint --trigger "every:$1" \
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
