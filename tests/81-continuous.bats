#!/usr/bin/env bats
# examples/continuous.sh: the notebook's continuous processing cell.
load helpers

@test "continuous example: a stream while batches 3..10 arrive, then a clean stop" {
	run "$INLET_ROOT/examples/continuous.sh" "$BATS_TEST_TMPDIR/cont"
	assert_success
	assert_line --partial 'Arriving: Batch 03...'
	assert_line --partial 'Arriving: Batch 10...'
	assert_line 'rows: 2000 (source lines: 2000)'
	assert_line 'stopped with status 0'
}
