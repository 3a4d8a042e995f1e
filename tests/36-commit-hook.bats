#!/usr/bin/env bats
# inlet-commit --each-batch CMD, the shell's foreachBatch.  Spark's
# Structured Streaming Programming Guide, "Using Foreach and ForeachBatch"
# (spark.apache.org/docs/latest/structured-streaming-programming-guide.html):
# foreachBatch "is executed on the output data of every micro-batch", "by
# default, foreachBatch provides only at-least-once write guarantees", and
# the batchId lets the function deduplicate; an exception in it stops the
# query.  Here: CMD runs once the batch is in the sink and before
# commits/N, so a failure or a crash in between gives the batch to CMD
# again after a restart.
load helpers

# land N: land/fN.json with rows {"i":N1} and {"i":N2}.
land() {
	mkdir -p land
	printf '{"i":%s1}\n{"i":%s2}\n' "$1" "$1" > "land/f$1.json"
}

# pipeline [COMMIT OPTION...]: discover one file a batch, parse, commit into t.db.
pipeline() {
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet "$@"
}

# The hook used below: each batch's rows appended to got/ID, and what it saw
# when it ran (environment, sink rows, the mark) to seen.
HOOK='mkdir -p got; cat >> got/$INLET_BATCH_ID
	echo "$INLET_BATCH_ID|$INLET_TABLE|$INLET_CHECKPOINT|$INLET_SINK|$(sqlite3 t.db "SELECT count(*) FROM t")|$(test -e "$INLET_CHECKPOINT/commits/$INLET_BATCH_ID" && echo marked || echo unmarked)" >> seen'

@test "each-batch: CMD runs once per batch with the batch's rows, after the sink holds it and before commits/N" {
	land 1
	land 2
	run pipeline --each-batch "$HOOK"
	assert_success
	assert_equal "$(cat got/0)" "$(printf '{"i":11}\n{"i":12}')"
	assert_equal "$(cat got/1)" "$(printf '{"i":21}\n{"i":22}')"
	ls got > names
	assert_equal "$(cat names)" "$(printf '0\n1')"
	# Rows only: no control record reached CMD.
	! grep -q _inlet got/*
	assert_equal "$(cat seen)" "$(printf '0|t|%s/ck|sqlite:t.db:t|2|unmarked\n1|t|%s/ck|sqlite:t.db:t|4|unmarked' "$PWD" "$PWD")"
	[ -f ck/commits/0 ] && [ -f ck/commits/1 ]
	# A rerun has nothing new: CMD is not run again.
	run pipeline --each-batch "$HOOK"
	assert_success
	[ "$(wc -l < seen)" = 2 ]
}

@test "each-batch: a failing CMD stops the stream before the next batch (exit 70, the batch and the status named); the restart gives the batch to CMD again" {
	land 1
	land 2
	land 3
	run pipeline --each-batch "$HOOK"'; [ "$INLET_BATCH_ID" != 1 ] || [ -e ok ] || exit 3'
	assert_equal "$status" 70
	assert_output --partial "the --each-batch command exited with status 3 on batch 1 (2 rows)"
	assert_output --partial "a restart gives it to the command again"
	[ -f ck/commits/0 ]
	[ ! -e ck/commits/1 ]
	[ ! -e got/2 ]
	# Batch 1 is in the sink (before the hook), batch 2 is not.
	assert_equal "$(sql t.db 'SELECT group_concat(i) FROM (SELECT i FROM t ORDER BY i)')" "11,12,21,22"
	touch ok
	run pipeline --each-batch "$HOOK"
	assert_success
	# At least once: batch 1 twice, the sink's rows once each.
	assert_equal "$(cat got/1)" "$(printf '{"i":21}\n{"i":22}\n{"i":21}\n{"i":22}')"
	assert_equal "$(cat got/2)" "$(printf '{"i":31}\n{"i":32}')"
	assert_equal "$(sql t.db 'SELECT count(*), count(DISTINCT i) FROM t')" "6|6"
	[ -f ck/commits/2 ]
}

@test "each-batch: CMD killed by a signal is a failure too" {
	land 1
	run pipeline --each-batch 'cat > /dev/null; kill -KILL $$'
	assert_equal "$status" 70
	assert_output --partial "the --each-batch command was killed by signal 9"
	assert_output --partial "on batch 0"
	[ ! -e ck/commits/0 ]
}

@test "each-batch: a crash between the sink and CMD replays the batch to CMD after the restart" {
	land 1
	INLET_CRASH_AT=commit-after-sink run pipeline --each-batch "$HOOK"
	assert_failure
	[ ! -e got ]
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 2 ]
	run pipeline --each-batch "$HOOK"
	assert_success
	assert_equal "$(cat got/0)" "$(printf '{"i":11}\n{"i":12}')"
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 2 ]
	[ -f ck/commits/0 ]
}

@test "each-batch: a crash after CMD and before commits/N gives CMD the batch again (at least once)" {
	land 1
	# commit-after-sink is before CMD; kill commit from CMD itself, after it ran.
	run pipeline --each-batch 'cat >> rows; kill -KILL $PPID'
	assert_failure
	[ ! -e ck/commits/0 ]
	run pipeline --each-batch 'cat >> rows'
	assert_success
	assert_equal "$(cat rows)" "$(printf '{"i":11}\n{"i":12}\n{"i":11}\n{"i":12}')"
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 2 ]
}

@test "each-batch without a sink: CMD is the sink, commits/N follows it" {
	land 1
	land 2
	run bash -c 'inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json |
		inlet-commit --checkpoint ck --each-batch '"'"'[ "$INLET_BATCH_ID" != 1 ] || [ -e ok ] || exit 4; cat > out.$INLET_BATCH_ID; echo "${INLET_TABLE-none}|$INLET_SINK" >> env'"'"
	assert_equal "$status" 70
	assert_output --partial "exited with status 4 on batch 1"
	[ -f ck/commits/0 ] && [ ! -e ck/commits/1 ]
	touch ok
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json |
		inlet-commit --checkpoint ck --quiet --each-batch 'cat > out.$INLET_BATCH_ID; echo "${INLET_TABLE-none}|$INLET_SINK" >> env'
	assert_equal "$(cat out.0)" "$(printf '{"i":11}\n{"i":12}')"
	assert_equal "$(cat out.1)" "$(printf '{"i":21}\n{"i":22}')"
	assert_equal "$(cat env)" "$(printf 'none|each-batch\nnone|each-batch')"
	[ -f ck/commits/1 ]
	[ ! -e t.db ]
}

@test "each-batch: a stream fed again by hand does not give a marked batch to CMD again" {
	batch 0 '{"a":1}' > s
	inlet-commit --checkpoint ck --quiet --each-batch 'cat >> rows' < s
	inlet-commit --checkpoint ck --quiet --each-batch 'cat >> rows' < s
	assert_equal "$(cat rows)" '{"a":1}'
}

@test "each-batch: autoload --each-batch reaches inlet-commit" {
	land 1
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json --quiet \
		--each-batch 'cat > rows.$INLET_BATCH_ID' land
	assert_success
	assert_equal "$(cat rows.0)" "$(printf '{"i":11}\n{"i":12}')"
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json --quiet \
		--each-batch 'exit 9' land
	assert_success
	land 2
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json --quiet \
		--each-batch 'exit 9' land
	assert_equal "$status" 70
	assert_output --partial "exited with status 9 on batch 1"
}

@test "each-batch: no sink and no --each-batch is still a usage error" {
	run inlet-commit --checkpoint ck < /dev/null
	assert_equal "$status" 64
	run inlet-commit --check-options --each-batch 'true'
	assert_success
}

# The ledger (inlet-commit(1) LEDGER): a file another checkpoint loaded into
# the table is left out of this batch; the command, which sees what the
# sink took, does not get its rows either (that checkpoint's command did).
@test "each-batch: rows of a file the ledger leaves out do not reach CMD" {
	land 1
	inlet-discover --checkpoint ck1 land | inlet-parse --format json |
		inlet-commit --checkpoint ck1 --db t.db --table t --quiet --each-batch 'cat > first'
	land 2
	run --separate-stderr bash -c "inlet-discover --checkpoint ck2 land | inlet-parse --format json |
		inlet-commit --checkpoint ck2 --db t.db --table t --quiet --each-batch 'cat > second'"
	assert_success
	[[ $stderr == *"already loaded"* ]] || fail "$stderr"
	assert_equal "$(cat first)" $'{"i":11}\n{"i":12}'
	assert_equal "$(cat second)" $'{"i":21}\n{"i":22}'
	run sqlite3 t.db 'SELECT count(*), count(DISTINCT i) FROM t'
	assert_output '4|4'
}
