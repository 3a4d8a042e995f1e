#!/usr/bin/env bats
# inlet-commit's progress objects carry Spark's StreamingQueryProgress names
# after inlet's own, so monitoring written for Spark reads them: batchId,
# numInputRows, inputRowsPerSecond, processedRowsPerSecond, durationMs.
# Spark: "Monitoring Streaming Queries" / "Reading Metrics Interactively",
# https://spark.apache.org/docs/latest/structured-streaming-programming-guide.html#reading-metrics-interactively
# and the StreamingQueryProgress API:
# https://spark.apache.org/docs/latest/api/scala/org/apache/spark/sql/streaming/StreamingQueryProgress.html
# (inputRowsPerSecond: "the aggregate rate of data arriving";
# processedRowsPerSecond: "the aggregate rate at which Spark is processing
# data"; durationMs: "the amount of time taken to perform various
# operations in milliseconds").
load helpers

# object N FILE: the progress object of batch N (null: unnumbered) in FILE,
# alone, so that jq -e judges it and not the summary line after it.
object() {
	jq -c --argjson n "$1" 'select(has("batch") and .batch == $n)' "$2"
}

# two_batches: after 0.5 s (commit is reading by then) batch 0 (one row),
# 1 s later batch 1, whose two rows arrive 0.6 s apart, on standard output.
two_batches() {
	sleep 0.5
	batch 0 '{"a":1}'
	sleep 1
	echo '{"_inlet":"begin","batch":1}'
	echo '{"a":2}'
	sleep 0.6
	echo '{"a":3}'
	echo '{"_inlet":"end","batch":1}'
}

@test "progress: Spark's names come after every member inlet had, with the same values" {
	batch 0 '{"a":1}' '{"a":2}' '{"a":3}' > in
	run inlet-commit -c ck --db t.db --table t < in
	assert_success
	first=${lines[0]}
	run jq -c 'keys_unsorted' <<<"$first"
	assert_output '["batch","sink","files","rows","inserted","already_committed","corrupt_files","duration_ms","rows_per_sec","timestamp","batchId","numInputRows","inputRowsPerSecond","processedRowsPerSecond","durationMs"]'
	run jq -e '.batchId == .batch and .numInputRows == .rows and .numInputRows == 3
		and (.durationMs | keys_unsorted) == ["addBatch","commitOffsets","triggerExecution"]
		and ([.durationMs[]] | all(type == "number" and . >= 0 and floor == .))' <<<"$first"
	assert_success
}

@test "progress: durationMs measures the batch: triggerExecution spans the rows' arrival, addBatch within it" {
	two_batches | inlet-commit -c ck --db t.db --table t > out
	run jq -e '.durationMs as $d
		| $d.triggerExecution >= 600 and $d.triggerExecution < 3000
		and $d.addBatch >= 600 and $d.addBatch <= $d.triggerExecution
		and $d.commitOffsets <= $d.triggerExecution
		and $d.addBatch + $d.commitOffsets <= $d.triggerExecution' <<<"$(object 1 out)"
	assert_success
	# Spark: processedRowsPerSecond = numInputRows / the trigger's time.
	run jq -e '.processedRowsPerSecond as $p
		| ($p - .numInputRows / (.durationMs.triggerExecution / 1000) | fabs) < 0.01
		and $p <= 2 / 0.6' <<<"$(object 1 out)"
	assert_success
}

@test "progress: inputRowsPerSecond is the rows over the time since the previous batch began" {
	two_batches | inlet-commit -c ck --db t.db --table t > out
	# The first batch of a run has no previous trigger: Spark reports 0.
	run jq -e '.inputRowsPerSecond == 0' <<<"$(object 0 out)"
	assert_success
	# Batch 1 began 1 s (a little more) after batch 0: 2 rows / ~1 s, not
	# the rate of its own 0.6 s (3.3).
	run jq -e '.inputRowsPerSecond > 1.3 and .inputRowsPerSecond < 2.2' <<<"$(object 1 out)"
	assert_success
}

@test "progress: no mark, no commitOffsets; an unnumbered batch has a null batchId" {
	echo '{"a":1}' > in
	run inlet-commit --db t.db --table t < in
	assert_success
	run jq -e '.batchId == null and .numInputRows == 1
		and (.durationMs | keys_unsorted) == ["addBatch","triggerExecution"]' <<<"${lines[0]}"
	assert_success
	# A numbered batch without a checkpoint writes no commits/N either.
	batch 4 '{"a":1}' > in
	run inlet-commit --db t.db --table t < in
	run jq -e '.batchId == 4
		and (.durationMs | has("commitOffsets") | not)' <<<"${lines[0]}"
	assert_success
}

@test "progress: a batch the sink already held counts its input rows, as Spark counts rows read" {
	batch 0 '{"a":1}' '{"a":2}' > in
	inlet-commit -c ck --db t.db --table t < in > /dev/null
	rm ck/commits/0
	run inlet-commit -c ck --db t.db --table t < in
	assert_success
	run jq -e '.already_committed and .inserted == 0
		and .numInputRows == 2 and .batchId == 0' <<<"${lines[0]}"
	assert_success
}

@test "progress: with --stdout the objects, Spark's names too, go to standard error" {
	batch 0 '{"a":1}' > in
	run --separate-stderr inlet-commit --stdout < in
	assert_success
	assert_output '{"a":1}'
	run jq -e '.numInputRows == 1 and .batchId == 0' <<<"$(object 0 - <<<"$stderr")"
	assert_success
}

@test "progress: no eventTime.watermark, since no stage reports one to commit" {
	# inlet-window keeps its watermark in its own state (CK/state/N) and
	# passes none down the stream: commit has nothing honest to report.
	batch 0 '{"ts":"2024-03-01T00:00:10Z"}' '{"ts":"2024-03-01T00:05:00Z"}' |
		inlet-window --time ts --window 1m --watermark 1m |
		inlet-commit --db t.db --table t > out
	run jq -e 'has("numInputRows") and (has("eventTime") | not)' <<<"$(object 0 out)"
	assert_success
}
