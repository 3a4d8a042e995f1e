#!/usr/bin/env bats
# inlet status: a stream's state from its checkpoint, and a database's tables.
load helpers

setup_stream() {
	mkdir -p land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land | head -n 3 > first
	inlet-parse --format json < first | inlet-rescue --schema-location ck --quiet \
		| inlet-commit --checkpoint ck --db shop.db --table t --quiet
	# Batch 1 written ahead, never committed.
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land > /dev/null
}

@test "status: committed and pending batches, files, schema, sink rows" {
	setup_stream
	run inlet status ck --db shop.db --table t --json
	assert_success
	assert_output --regexp '^\{"checkpoint":"ck","id":"[0-9a-f]{32}","last_committed_batch":0,"last_offset":1,"batches_ahead":1,"files_ahead":1,"files_seen":2,"schema_version":0,"state_bytes":0,"clean_pending":0,"table":"t","rows":1,"sink_last_batch":0,"problems":\[\]\}$'
	run inlet status ck
	assert_success
	assert_line --regexp '^batches ahead +1 \(1 files, replayed on restart\)$'
}

@test "status shows the damage the stages refuse, naming the file and the repair, exit 65" {
	setup_stream
	cp -r ck good
	cp shop.db good.db
	rm ck/metadata
	run inlet status ck
	assert_equal "$status" 65
	assert_line --partial "problem                  'ck/metadata' is missing but 'ck/offsets' holds entries"
	rm -r ck && cp -r good ck
	head -n 1 ck/sources/seen > ck/sources/.x && mv ck/sources/.x ck/sources/seen
	run inlet status ck --json
	assert_equal "$status" 65
	assert_output --partial '"problems":["'"'"'ck/sources/seen'"'"' is missing or empty while batches were committed'
	rm -r ck && cp -r good ck
	rm -r ck/offsets ck/commits
	run inlet status ck
	assert_equal "$status" 65
	assert_output --partial "'ck/offsets' and 'ck/commits' are gone but 'ck/sources/seen' records batches"
	rm -r ck && cp -r good ck
	sqlite3 shop.db 'DELETE FROM _inlet_commits'
	run inlet status ck --db shop.db --table t
	assert_equal "$status" 65
	assert_output --partial "says batch 0 is durable in 'shop.db', but it holds no mark of it"
	# Each of these is what the stage refuses too.
	run inlet-commit --checkpoint ck --db shop.db --table t < /dev/null
	assert_equal "$status" 65
}

@test "status --db lists every table and its rows" {
	setup_stream
	run inlet status --db shop.db
	assert_success
	assert_line --regexp '^t +1$'
	run inlet status --db shop.db --json
	assert_output '{"database":"shop.db","tables":[{"table":"_inlet_commits","rows":1},{"table":"t","rows":1}]}'
}

@test "status: a missing checkpoint or database is reported, exit 66" {
	run inlet status nowhere
	assert_equal "$status" 66
	mkdir empty
	run inlet status empty
	assert_equal "$status" 66
	assert_output --partial "not a checkpoint"
	run inlet status --db nowhere.db
	assert_equal "$status" 66
	run inlet status
	assert_equal "$status" 64
}
