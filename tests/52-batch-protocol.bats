#!/usr/bin/env bats
# The batch protocol, the same in every stage (libcommon/batch.h): only
# discover numbers batches, a batch ends only with its "end", and a stream
# that stops inside a batch commits nothing of it.
load helpers

STAGES=(inlet-parse inlet-rescue inlet-cast inlet-window inlet-commit inlet-join)

# run_stage STAGE < INPUT: run STAGE with the least it needs, as run does.
run_stage() {
	local args=()
	case $1 in
	inlet-rescue) args=(--schema "a STRING") ;;
	inlet-window) args=(--time ts --window 30s) ;;
	inlet-commit) args=(--stdout --quiet) ;;
	inlet-join) args=(--static static.csv --on a) ;;
	esac
	run --separate-stderr "$1" "${args[@]}"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'a,b\n1,x\n' > static.csv
}

@test "every stage exits 74 on input that ends inside a batch, with one message" {
	printf '%s\n' '{"_inlet":"begin","batch":3}' '{"a":"1","ts":"2024-01-01T00:00:00Z"}' > cut
	for s in "${STAGES[@]}"; do
		run_stage "$s" < cut
		assert_equal "$s $status" "$s 74"
		[[ $stderr == *"input ended inside batch 3 (an upstream stage failed)"* ]] ||
			fail "$s: $stderr"
	done
}

@test "every stage exits 65 on an end without its begin, or a begin inside a batch" {
	printf '%s\n' '{"_inlet":"end","batch":0}' > stray
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"_inlet":"begin","batch":1}' > nested
	for s in "${STAGES[@]}"; do
		run_stage "$s" < stray
		assert_equal "$s $status" "$s 65"
		[[ $stderr == *"end of batch 0 that never began"* ]] || fail "$s: $stderr"
		run_stage "$s" < nested
		assert_equal "$s $status" "$s 65"
		[[ $stderr == *"batch 1 began before batch 0 ended"* ]] || fail "$s: $stderr"
	done
}

@test "a plain stream is framed by the first inlet stage: a failfast stage downstream commits nothing" {
	printf 'id,n\n1,1\n2,2\n3,x\n4,4\n' > c.csv
	run bash -c 'inlet-parse c.csv | inlet-cast --schema "id INT, n INT" --mode failfast \
		| inlet-commit --db t.db --table t --quiet; echo "${PIPESTATUS[*]}"'
	assert_line --index -1 "0 65 74"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
	# The same rows piped in from outside inlet: cast frames them.
	run bash -c 'inlet-parse c.csv | grep -v "\"_inlet\"" | inlet-cast --schema "id INT, n INT" \
		--mode failfast | inlet-commit --db t.db --table t --quiet; echo "${PIPESTATUS[*]}"'
	assert_line --index -1 "0 0 65 74"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

# orders FILE HH:MM:SS...: one order per time, on 2024-03-01.
orders() {
	local f=$1 t; shift
	for t in "$@"; do echo "{\"ts\":\"2024-03-01T${t}Z\",\"c\":\"C1\"}"; done > "$f"
}

@test "window invents no batch: discover's next batch, written while parse was dead, is replayed" {
	mkdir land
	orders land/a.json 12:00:05 12:00:40
	window=(inlet-window --checkpoint ck --time ts --window 30s --watermark 5s --output-mode append)
	commit=(inlet-commit --checkpoint ck --db t.db --table w --quiet)
	# A streaming discover; the rest of the pipeline dies after batch 0.
	inlet-discover --checkpoint ck --trigger every:100ms land > batches 3>&- &
	discover=$!
	wait_for batches '"end","batch":0'
	sed '/"end","batch":0/q' batches | inlet-parse | "${window[@]}" | "${commit[@]}"
	[ -f ck/commits/0 ]
	# window must not have taken number 1 for a batch of its own.
	[ ! -f ck/commits/1 ]
	orders land/b.json 12:01:20
	wait_for batches '"end","batch":1'
	kill -TERM "$discover"
	wait "$discover"
	# The restart replays batch 1; the last batch of the run releases what
	# its watermark closes: every window with its rows, once.
	inlet-discover --checkpoint ck land | inlet-parse | "${window[@]}" | "${commit[@]}"
	run sql t.db 'SELECT window_start, count FROM w ORDER BY 1'
	assert_output $'2024-03-01T12:00:00Z|1\n2024-03-01T12:00:30Z|1'
}

@test "window state deleted after a commit is refused (65), never restarted from zero" {
	mkdir land
	orders land/a.json 12:00:05
	window=(inlet-window --checkpoint ck --time ts --window 30s)
	inlet-discover --checkpoint ck land | inlet-parse | "${window[@]}" \
		| inlet-commit --checkpoint ck --db t.db --table w --mode upsert \
			--key window_start --quiet
	[ -f ck/commits/0 ] && [ -f ck/state/0 ]
	rm -r ck/state
	run "${window[@]}" < /dev/null
	assert_equal "$status" 65
	assert_output --partial "ck/state/0' is missing"
}

@test "window --checkpoint refuses an unnumbered batch (64): its state could not be tied to a commit" {
	orders rows 12:00:05
	run inlet-window --checkpoint ck --time ts --window 30s < rows
	assert_equal "$status" 64
	assert_output --partial "an unnumbered batch cannot be checkpointed"
}

@test "--rows-only: every stage writes plain rows for other tools, control records left out" {
	printf 'customer_id,name\nC1,Ann\n' > static.csv
	printf '%s\n' '{"customer_id":"C1","ts":"2024-03-01T12:00:05Z","_inlet_x":"data"}' > rows.ndjson
	run inlet-parse --rows-only --format json rows.ndjson
	assert_success
	assert_output "$(cat rows.ndjson)"
	run inlet-cast --rows-only --schema 'customer_id STRING, ts TIMESTAMP, _inlet_x STRING' rows.ndjson
	assert_output '{"customer_id":"C1","ts":"2024-03-01T12:00:05Z","_inlet_x":"data"}'
	run inlet-rescue --rows-only --schema 'customer_id STRING' --quiet rows.ndjson
	assert_output '{"customer_id":"C1"}'
	run inlet-join --rows-only --quiet --static static.csv --on customer_id rows.ndjson
	assert_output '{"customer_id":"C1","ts":"2024-03-01T12:00:05Z","_inlet_x":"data","name":"Ann"}'
	run inlet-window --rows-only --time ts --window 30s rows.ndjson
	assert_output '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"count":1}'
}
