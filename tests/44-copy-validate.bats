#!/usr/bin/env bats
# inlet copy-into --validate (COPY INTO ... VALIDATE) and mergeSchema.
# Databricks, "COPY INTO" (docs.databricks.com/en/sql/language-manual/delta-copy-into.html):
# VALIDATE: "The data that is to be loaded into a table is validated but
# not written to the table", checking that it can be parsed and that the
# schema matches; "VALIDATE n ROWS" and a preview of the data "of 50 rows
# or less".  COPY_OPTIONS mergeSchema, default false: "If set to true, the
# schema can be evolved according to the incoming data"; without it a
# column the table lacks is an error.
load helpers

# customers FILE N FROM: a CSV file of N customers numbered from FROM.
customers() {
	mkdir -p "$(dirname "$1")"
	{
		echo 'id,name,joined'
		for ((i = $3; i < $3 + $2; i++)); do echo "$i,n$i,2024-01-0$((i % 9 + 1))"; done
	} > "$1"
}

# state: a fingerprint of everything a run could write (the database, the
# checkpoint and any other file here but the sources and the files of Bats'
# run --separate-stderr).
state() {
	{ sha256sum shop.db 2>/dev/null || echo no-db; } > state.now
	find . -path ./land -prune -o -name 'state.*' -o -name 'separate-stderr-*' -o -print | LC_ALL=C sort >> state.now
	[ ! -d shop.db.inlet ] || tar -C shop.db.inlet --sort=name --mtime=@0 -cf - . | sha256sum >> state.now
	[ ! -d shop.db.inlet ] || find shop.db.inlet -printf '%p %s %T@\n' | LC_ALL=C sort >> state.now
	cat state.now
}

@test "validate: parses and casts the files a load would take, prints the first 50 rows, writes nothing" {
	customers land/day1/a.csv 3 1
	inlet copy-into --db shop.db --table c --format csv --quiet land
	customers land/day2/b.csv 60 100
	state > state.before
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv --validate land
	assert_success
	[ "${#lines[@]}" = 50 ]
	assert_equal "${lines[0]}" '{"id":"100","name":"n100","joined":"2024-01-02"}'
	# Only the files not loaded before.
	! grep -q '"id":"1"' <<<"$output"
	[[ $stderr == *"validated 60 rows, 0 problems; nothing was loaded"* ]]
	state > state.after
	cmp state.before state.after
	# With --force, every file, loaded before or not.
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv --force --validate=all land
	assert_success
	[ "${#lines[@]}" = 63 ]
	state > state.after
	cmp state.before state.after
	# The load that follows takes the 60 rows: the validation marked nothing.
	run inlet copy-into --db shop.db --table c --format csv land
	assert_output '{"num_affected_rows":60,"num_inserted_rows":60,"num_skipped_corrupt_files":0}'
}

@test "validate=N prints N rows, validate=all every row; N must be a count above 0" {
	customers land/a.csv 7 1
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv --validate=3 land
	assert_success
	[ "${#lines[@]}" = 3 ]
	[[ $stderr == *"validated 7 rows"* ]]
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv --validate=all land
	assert_success
	[ "${#lines[@]}" = 7 ]
	for bad in 0 -1 x 5rows 05; do
		run inlet copy-into --db shop.db --table c --format csv --validate="$bad" land
		assert_equal "$status" 64
		assert_output --partial "for --validate"
	done
	[ ! -e shop.db ] && [ ! -e shop.db.inlet ]
}

@test "validate: malformed records and values that do not convert are named with file and reason, exit 65, nothing written" {
	mkdir land
	printf 'id,joined\n1,2024-01-01\n2,not-a-date\n3,"open\n' > land/a.csv
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv \
		--schema 'id INT, joined DATE' --mode failfast --validate land
	assert_equal "$status" 65
	assert_equal "$output" '{"id":1,"joined":"2024-01-01"}'
	[[ $stderr == *"inlet-copy-into: '$PWD/land/a.csv': unterminated quoted field: 3,\"open"* ]]
	[[ $stderr == *"inlet-copy-into: '$PWD/land/a.csv': column 'joined': cannot convert \"not-a-date\" to DATE"* ]]
	[[ $stderr == *"validated 1 rows, 2 problems; nothing was loaded"* ]]
	[ ! -e shop.db ] && [ ! -e shop.db.inlet ]
}

@test "validate: a table dropped since its loads is validated whole, and its history is not set aside" {
	customers land/a.csv 2 1
	inlet copy-into --db shop.db --table c --format csv --quiet land
	sqlite3 shop.db 'DROP TABLE c'
	state > state.before
	run --separate-stderr inlet copy-into --db shop.db --table c --format csv --validate land
	assert_success
	[ "${#lines[@]}" = 2 ]
	[[ $stderr == *"every file is validated"* ]]
	state > state.after
	cmp state.before state.after
}

@test "mergeSchema off: a column the table lacks is exit 65 naming it and the way out, and nothing of the batch is committed" {
	customers land/day1/a.csv 2 1
	inlet copy-into --db shop.db --table c --format csv --quiet land
	mkdir land/day2
	printf 'id,name,joined,Tier\n9,n9,2024-01-09,gold\n' > land/day2/b.csv
	run inlet copy-into --db shop.db --table c --format csv land
	assert_equal "$status" 65
	assert_output --partial "column 'Tier' is not in sqlite:shop.db:c, and --no-new-columns refuses new ones (COPY INTO's mergeSchema is off; -o mergeSchema=true adds them)"
	[ "$(sql shop.db 'SELECT count(*) FROM c')" = 2 ]
	[ "$(sql shop.db "SELECT count(*) FROM pragma_table_info('c') WHERE name = 'Tier'")" = 0 ]
	# VALIDATE says the same.
	run inlet copy-into --db shop.db --table c --format csv --validate land
	assert_equal "$status" 65
	assert_output --partial "column 'Tier' is not in table 'c'"
	# -o mergeSchema=false is the default spelled out.
	run inlet copy-into --db shop.db --table c --format csv -o mergeSchema=false land
	assert_equal "$status" 65
	run inlet copy-into --db shop.db --table c --format csv -o MERGESCHEMA=true land
	assert_success
	assert_output '{"num_affected_rows":1,"num_inserted_rows":1,"num_skipped_corrupt_files":0}'
	[ "$(sql shop.db "SELECT Tier FROM c WHERE id = '9'")" = gold ]
}

@test "mergeSchema off: columns the table has in another case are not new; a new table takes the data's columns" {
	mkdir land
	printf 'id,name\n1,a\n' > land/a.csv
	run inlet copy-into --db shop.db --table c --format csv land
	assert_success
	printf 'ID,Name\n2,b\n' > land/b.csv
	run inlet copy-into --db shop.db --table c --format csv land
	assert_success
	[ "$(sql shop.db 'SELECT count(*) FROM c')" = 2 ]
	printf 'id,name,x\n3,c,y\n' > land/c.csv
	run inlet copy-into --db shop.db --table c --format csv --merge-schema land
	assert_success
	[ "$(sql shop.db "SELECT x FROM c WHERE id = '3'")" = y ]
}

@test "copy-into -o: COPY_OPTIONS force, and unknown keys refused" {
	customers land/a.csv 2 1
	inlet copy-into --db shop.db --table c --format csv --quiet land
	run inlet copy-into --db shop.db --table c --format csv -o force=true land
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run inlet copy-into --db shop.db --table c --format csv -o validate=true land
	assert_equal "$status" 64
	assert_output --partial "unknown or unsupported option 'validate'"
	run inlet copy-into --db shop.db --table c --format csv -o mergeSchema=maybe land
	assert_equal "$status" 64
}
