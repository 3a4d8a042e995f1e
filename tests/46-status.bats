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
	assert_output '{"database":"shop.db","tables":[{"table":"_inlet_commits","rows":1},{"table":"_inlet_files","rows":1},{"table":"t","rows":1}]}'
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

@test "status --json is valid JSON whatever the checkpoint path and table name hold" {
	# A tab, a quote, a backslash, a newline and a byte that is not UTF-8:
	# each broke the JSON the shell version built by hand.
	local ck=$'ck\t"q\\\n'$'\xff' t=$'t\t"q\\\n'$'\xfe'
	mkdir -p land
	echo '{"id":1}' > land/a.json
	inlet-discover --checkpoint "$ck" land | inlet-parse --format json \
		| inlet-commit --checkpoint "$ck" --db shop.db --table "$t" --quiet
	run --separate-stderr inlet status "$ck" --db shop.db --table "$t" --json
	assert_success
	echo "$output" | jq -e . > /dev/null
	# The names come back byte for byte (\udcXX for a byte that is not
	# UTF-8, as in file records), the rest as before.
	assert_output --partial '"checkpoint":"ck\t\"q\\\n\udcff"'
	assert_output --partial '"table":"t\t\"q\\\n\udcfe","rows":1,"sink_last_batch":0'
	[ "$(echo "$output" | jq -r '.problems | length')" = 0 ]
	run --separate-stderr inlet status --db shop.db --json
	assert_success
	echo "$output" | jq -e . > /dev/null
	[ "$(echo "$output" | jq -c '[.tables[] | select(.table == "_inlet_commits") | .rows]')" = '[1]' ]
	assert_output --partial '{"table":"t\t\"q\\\n\udcfe","rows":1}'
	# Problems name files: valid JSON too.
	rm "$ck/metadata"
	run --separate-stderr inlet status "$ck" --json
	assert_equal "$status" 65
	[ "$(echo "$output" | jq -r '.problems[0]')" = "'"$'ck\t"q\\\n\xef\xbf\xbd'"/metadata' is missing but '"$'ck\t"q\\\n\xef\xbf\xbd'"/offsets' holds entries: restore it from a backup or start a new checkpoint" ]
}

@test "status: the schema version from a schema location of its own, recorded in the checkpoint" {
	# Databricks keeps the inferred schema and its versions in
	# cloudFiles.schemaLocation, which need not be the checkpoint
	# (https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/schema.html).
	mkdir -p land
	echo '{"id":1}' > land/a.json
	pipe() {
		inlet-discover --checkpoint ck land | inlet-parse --format json \
			| inlet-rescue --schema-location schemas-here --quiet \
			| inlet-commit --checkpoint ck --db shop.db --table t --quiet
	}
	pipe
	[ -e schemas-here/schemas/0 ] && [ ! -e ck/schemas ]
	run inlet status ck --json
	assert_success
	assert_output --partial '"schema_version":-1,'
	run inlet status ck --schema-location schemas-here --json
	assert_success
	assert_output --partial '"schema_version":0,'
	# Recorded: later runs find it without the option.
	run inlet status ck --json
	assert_output --partial '"schema_version":0,'
	# A new column is a new version there.
	echo '{"id":2,"extra":"x"}' > land/b.json
	pipe || true
	[ -e schemas-here/schemas/1 ]
	run inlet status ck
	assert_success
	assert_line --regexp '^schema version +1$'
	# Another location than the recorded one is refused; a missing one too.
	mkdir elsewhere
	run inlet status ck --schema-location elsewhere
	assert_equal "$status" 64
	assert_output --partial "schema_location"
	run inlet status ck --schema-location nowhere
	assert_equal "$status" 66
	assert_output --partial "no schema location folder 'nowhere'"
	run inlet status --schema-location schemas-here --db shop.db
	assert_equal "$status" 64
}

@test "status: a checkpoint file it cannot parse is an error naming it, exit 65; a crash's cut line is not" {
	setup_stream
	cp -r ck good
	echo '{"id":' > ck/metadata
	run inlet status ck
	assert_equal "$status" 65
	assert_output --partial "checkpoint file 'ck/metadata' is malformed"
	rm -r ck && cp -r good ck
	printf 'f\tbroken\n' >> ck/sources/seen
	run inlet status ck --json
	assert_equal "$status" 65
	assert_output --regexp "checkpoint file 'ck/sources/seen' line [0-9]+: bad file line"
	rm -r ck && cp -r good ck
	echo 'not json' >> ck/offsets/1
	run inlet status ck
	assert_equal "$status" 65
	assert_output --partial "checkpoint file 'ck/offsets/1' line 4 is malformed"
	rm -r ck && cp -r good ck
	sed -i '1s/.*/inlet-seen 9/' ck/sources/seen
	run inlet status ck
	assert_equal "$status" 65
	assert_output --partial "is of format 9, newer than this inlet reads"
	# discover reads the same log the same way.
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "is of format 9, newer than this inlet reads"
	# A last line cut short by a crash is left out, and the log is not
	# changed: repairing it is discover's.
	rm -r ck && cp -r good ck
	printf 'f\tc.json\t9' >> ck/sources/seen
	cp ck/sources/seen seen.before
	run inlet status ck --json
	assert_success
	assert_output --partial '"files_seen":2,'
	cmp ck/sources/seen seen.before
}

@test "status counts files as discover does: forgotten ones are not taken, a file taken again once" {
	setup_stream
	run inlet status ck --json
	assert_output --partial '"files_seen":2,'
	printf 'x\ta.json\n' >> ck/sources/seen
	run inlet status ck --json
	assert_output --partial '"files_seen":1,'
	printf 'f\ta.json\t9\t1\t-\t-\t3\nf\ta.json\t9\t2\t-\t-\t4\n' >> ck/sources/seen
	run inlet status ck --json
	assert_output --partial '"files_seen":2,'
	# offsets/ entries: their file records, not lines that merely mention one.
	echo '{"_inlet":"skip","batch":1,"why":{"_inlet":"file"}}' >> ck/offsets/1
	run inlet status ck --json
	assert_output --partial '"batches_ahead":1,"files_ahead":1,'
}

@test "status --check-options checks and reads nothing; usage errors are one line, exit 64" {
	run inlet status nowhere --db nowhere.db --table t --check-options
	assert_success
	assert_output ''
	run inlet status ck --db 'postgresql:///x?%zz' --check-options
	assert_equal "$status" 64
	assert_output --partial "not a PostgreSQL URI"
	run inlet status --check-options
	assert_equal "$status" 64
	run inlet status a b
	assert_equal "$status" 64
	assert_output "inlet-status: give one CHECKPOINT; try 'inlet status --help'"
	run inlet status ck --table t
	assert_equal "$status" 64
	assert_output --partial "--table needs --db"
}
