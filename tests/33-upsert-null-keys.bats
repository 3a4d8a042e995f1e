#!/usr/bin/env bats
# inlet-commit --mode upsert: keys with a NULL part match NULL-safely.
#
# Spark's update output mode written with foreachBatch and a Delta MERGE
# (Databricks, "Upsert from streaming queries using foreachBatch"; Delta Lake,
# "Upsert into a table using merge") matches on the key; with the null-safe
# equal operator `<=>` (Databricks SQL, "<=> (lt eq gt sign) operator": true
# when both operands are NULL) a key with a NULL part is one key, updated in
# place, not a new row per batch.
load helpers

batch() {	# batch N ROW...
	local n=$1; shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	for r in "$@"; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

@test "a NULL key is one key: updated in place batch after batch" {
	{
		batch 0 '{"customer_id":null,"total":1}' '{"customer_id":"C1","total":1}'
		batch 1 '{"customer_id":null,"total":2}' '{"customer_id":"C1","total":2}'
		batch 2 '{"total":3}'
	} > in
	run inlet-commit -q --db t.db --table t --mode upsert --key customer_id < in
	assert_success
	run sql t.db "SELECT ifnull(customer_id, 'NULL'), total FROM t ORDER BY customer_id"
	assert_output $'NULL|3\nC1|2'
}

@test "a key with a NULL part: the other parts still tell rows apart" {
	w1='"window_start":"2024-03-01T12:00:00Z"' w2='"window_start":"2024-03-01T12:00:30Z"'
	{
		batch 0 "{$w1,\"c\":null,\"n\":1}" "{$w2,\"c\":null,\"n\":1}" "{$w1,\"c\":\"C1\",\"n\":1}"
		batch 1 "{$w1,\"c\":null,\"n\":2}" "{$w1,\"c\":\"C1\",\"n\":3}"
		batch 2 "{\"window_start\":null,\"c\":null,\"n\":4}" "{\"window_start\":null,\"c\":null,\"n\":5}"
	} > in
	run inlet-commit -q --db t.db --table t --mode upsert --key window_start,c < in
	assert_success
	run sql t.db "SELECT ifnull(window_start, 'NULL'), ifnull(c, 'NULL'), n FROM t ORDER BY window_start, c"
	assert_output $'NULL|NULL|5\n2024-03-01T12:00:00Z|NULL|2\n2024-03-01T12:00:00Z|C1|3\n2024-03-01T12:00:30Z|NULL|1'
}

@test "no value takes NULL's place: '', 'null', a NUL character, 0 and NULL are five keys" {
	{
		batch 0 '{"k":"","v":1}' '{"k":"null","v":1}' '{"k":"\u0000","v":1}' '{"k":0,"v":1}' '{"k":null,"v":1}'
		batch 1 '{"k":"","v":2}' '{"k":"null","v":2}' '{"k":"\u0000","v":2}' '{"k":0,"v":2}' '{"k":null,"v":2}'
	} > in
	run inlet-commit -q --db t.db --table t --mode upsert --key k < in
	assert_success
	run sql t.db "SELECT quote(k), v FROM t ORDER BY rowid"
	assert_output $'\'\'|2\n\'null\'|2\n\'\'|2\n\'0\'|2\nNULL|2'
	run sql t.db "SELECT count(*), count(DISTINCT hex(k)) FROM t"
	assert_output '5|4'
}

@test "keys without NULLs compare exactly as before" {
	{
		batch 0 '{"k":"a","v":1}' '{"k":"A","v":1}' '{"k":"a ","v":1}'
		batch 1 '{"k":"a","v":2}'
	} > in
	run inlet-commit -q --db t.db --table t --mode upsert --key k < in
	assert_success
	run sql t.db "SELECT k || '|' || v FROM t ORDER BY rowid"
	assert_output $'a|2\nA|1\na |1'
}

old_table() {	# a table as an older inlet upserted it: NULL keys repeated
	sql t.db "CREATE TABLE t (k TEXT, v TEXT);
		CREATE UNIQUE INDEX inlet_upsert_key_t ON t (k);
		INSERT INTO t VALUES (NULL, '1'), ('a', '1'), (NULL, '2'), (NULL, '3');"
}

@test "a table of an older inlet is upgraded: its NULL-key rows merged, keeping the latest" {
	old_table
	batch 0 '{"k":"b","v":"1"}' > in
	run --separate-stderr inlet-commit -q --db t.db --table t --mode upsert --key k < in
	assert_success
	assert_equal "$stderr" "inlet-commit: warning: sqlite:t.db:t: merged 2 rows whose upsert key repeated with a NULL part (written by an older inlet), keeping the latest of each key"
	run sql t.db "SELECT ifnull(k, 'NULL'), v FROM t ORDER BY rowid"
	assert_output $'a|1\nNULL|3\nb|1'
	run sql t.db "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 't'"
	assert_output 'inlet_upsert_nullsafe_t'
	batch 1 '{"k":null,"v":"4"}' > in
	run --separate-stderr inlet-commit -q --db t.db --table t --mode upsert --key k < in
	assert_success
	assert_equal "$stderr" ""
	run sql t.db "SELECT count(*), max(v) FROM t WHERE k IS NULL"
	assert_output '1|4'
}

@test "the upgrade is part of the batch: a cut batch leaves the old table as it was" {
	old_table
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"k":null,"v":"9"}' > in
	run inlet-commit -q --db t.db --table t --mode upsert --key k < in
	assert_equal "$status" 74
	run sql t.db "SELECT count(*) FROM t WHERE k IS NULL"
	assert_output '3'
	run sql t.db "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 't'"
	assert_output 'inlet_upsert_key_t'
}

@test "a replayed batch with a NULL key is skipped, not applied twice" {
	mkdir ck
	echo '{"id":"ck-1","created":"2024-01-01T00:00:00Z"}' > ck/metadata
	{
		batch 0 '{"k":null,"v":1}'
		batch 1 '{"k":null,"v":2}'
	} > in
	run inlet-commit -q --checkpoint ck --db t.db --table t --mode upsert --key k < in
	assert_success
	batch 0 '{"k":null,"v":1}' > again
	run inlet-commit -q --checkpoint ck --db t.db --table t --mode upsert --key k < again
	assert_success
	run sql t.db "SELECT count(*), max(v) FROM t"
	assert_output '1|2'
}
