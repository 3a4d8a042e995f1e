#!/usr/bin/env bats
# inlet copy-into and inlet ctas: the notebook's COPY INTO and CTAS cells.
load helpers

# day DIR ID...: a CSV of customers with those ids.
day() {
	local dir=$1; shift
	mkdir -p "$dir"
	{
		echo 'customer_id,first_name,registration_date'
		for id in "$@"; do echo "$id,Name $id,2023-01-0${id: -1}"; done
	} > "$dir/part-00000.csv"
}

@test "copy-into loads day1, a rerun loads nothing, new days load once" {
	day src/day1 C1 C2 C3
	run inlet copy-into --db shop.db --table customers_batch --format csv src/day1
	assert_success
	assert_output '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run inlet copy-into --db shop.db --table customers_batch --format csv 'src/*'
	assert_output '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	day src/day6 C6
	day src/day3 C4 C5
	run inlet copy-into --db shop.db --table customers_batch --format csv 'src/*'
	assert_output '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run sql shop.db 'SELECT count(*), count(DISTINCT customer_id) FROM customers_batch'
	assert_output '6|6'
	[ -f shop.db.inlet/customers_batch/metadata ]
}

@test "copy-into: a file modified after loading is not loaded again" {
	day src/day1 C1
	inlet copy-into --db shop.db --table t --format csv src > /dev/null
	echo 'C9,Late,2023-01-09' >> src/day1/part-00000.csv
	run inlet copy-into --db shop.db --table t --format csv src
	assert_output --partial '"num_inserted_rows":0'
}

@test "copy-into --force loads everything again" {
	day src/day1 C1 C2
	inlet copy-into --db shop.db --table t --format csv src > /dev/null
	run inlet copy-into --db shop.db --table t --format csv --force src
	assert_output --partial '"num_inserted_rows":2'
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 4
}

@test "copy-into --pattern picks files as COPY INTO's PATTERN does" {
	day src/day1 C1
	day src/day2 C2
	run inlet copy-into --db shop.db --table t --format csv --pattern 'day2/*.csv' src
	assert_output --partial '"num_inserted_rows":1'
	run sql shop.db 'SELECT customer_id FROM t'
	assert_output C2
}

# Databricks ignoreCorruptFiles (default false): the load fails unless it is set.
@test "copy-into counts unreadable files as skipped corrupt files with --ignore-corrupt-files true" {
	day src/day1 C1
	printf '\x1f\x8bnot really gzip' > src/day1/part-00001.csv
	run inlet copy-into --db shop.db --table t --format csv src
	assert_equal "$status" 65
	run inlet copy-into --db shop.db --table t --format csv --ignore-corrupt-files true src
	assert_success
	assert_output --partial '"num_inserted_rows":1,"num_skipped_corrupt_files":1'
}

@test "copy-into with failfast exits 65 and loads nothing of the batch" {
	day src/day1 C1
	printf 'customer_id,first_name,registration_date\nC2,"open\n' > src/day1/part-00001.csv
	run inlet copy-into --db shop.db --table t --format csv --mode failfast src
	assert_equal "$status" 65
	assert_output --partial "unterminated quoted field"
	run sql shop.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "copy-into --checkpoint puts the checkpoint where asked" {
	day src/day1 C1
	inlet copy-into --db shop.db --table t --format csv --checkpoint myck src > /dev/null
	[ -f myck/commits/0 ]
	[ ! -e shop.db.inlet ]
}

@test "copy-into needs --db, --table and a source" {
	run inlet copy-into --table t src
	assert_equal "$status" 64
	run inlet copy-into --db x.db src
	assert_equal "$status" 64
	run inlet copy-into --db x.db --table t
	assert_equal "$status" 64
}

@test "ctas creates, and a rerun replaces rather than duplicates" {
	day src C1 C2
	run inlet ctas --db shop.db --table customer_cts src/part-00000.csv
	assert_success
	assert_output --partial '"num_inserted_rows":2'
	inlet ctas --db shop.db --table customer_cts src/part-00000.csv > /dev/null
	run sql shop.db 'SELECT count(*) FROM customer_cts'
	assert_output 2
}

@test "ctas from another table copies it (CREATE TABLE ... AS SELECT * FROM table)" {
	day src C1 C2 C3
	inlet ctas --db shop.db --table customer_cts src > /dev/null
	run inlet ctas --db shop.db --table customer_cts_copy sqlite:shop.db:customer_cts
	assert_success
	assert_output '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run sql shop.db 'SELECT group_concat(customer_id) FROM customer_cts_copy'
	assert_output C1,C2,C3
	run inlet ctas --db other.db --table c sqlite:shop.db:customer_cts
	assert_success
	run sql other.db 'SELECT count(*) FROM c'
	assert_output 3
}

@test "ctas from a missing database exits 66" {
	run inlet ctas --db shop.db --table t sqlite:nowhere.db:x
	assert_equal "$status" 66
}

@test "ctas may replace a table with a copy of itself" {
	day src C1 C2
	inlet ctas --db shop.db --table t src > /dev/null
	run inlet ctas --db shop.db --table t sqlite:shop.db:t
	assert_success
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 2
	run inlet ctas --db shop.db --table u sqlite:shop.db:nope
	assert_equal "$status" 66
	assert_output --partial "no table 'nope'"
}

@test "composites check option values before starting the pipeline" {
	for c in copy-into ctas; do
		run inlet "$c" --db x.db --table t --mode nope src
		assert_equal "$status" 64
		assert_output "inlet-$c: invalid value 'nope' for --mode: expected permissive, dropmalformed or failfast"
		run inlet "$c" --db x.db --table t --format xml src
		assert_equal "$status" 64
	done
	[ ! -e x.db ]
}
