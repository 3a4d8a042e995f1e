#!/usr/bin/env bats
# The row writer (libcommon/rowwriter.h) behind rescue, cast, join and
# parse: one set of rules for rebuilding a row, so the stages agree.
load helpers

# The rescued data column holds what did not fit the schema and the
# source file's path, _file_path (Databricks, "What is the rescued data
# column?": https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/schema.html).

@test "rescue: a row whose only extra member is an upstream _rescued_data passes byte for byte" {
	file_batch 0 '{"_rescued_data":{"old":true,"_file_path":"/p"}, "a":1}' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT' --schema-evolution-mode rescue < in
	assert_success
	assert_equal "$(rows)" '{"_rescued_data":{"old":true,"_file_path":"/p"}, "a":1}'
	# It rescued nothing: no row is counted as rescued by it.
	[[ $stderr != *"rows with rescued data"* ]]
}

@test "rescue and cast leave the same upstream _rescued_data the same way" {
	row='{"_rescued_data":{"old":true,"_file_path":"/p"},"a":1,"b":"x"}'
	file_batch 0 "$row" > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT, b STRING' < in
	assert_success
	assert_equal "$(rows)" "$row"
	run --separate-stderr inlet-cast --schema 'a BIGINT, b STRING' < in
	assert_success
	assert_equal "$(rows)" "$row"
}

@test "rescue: an upstream _rescued_data with nothing new goes to the end as it came when the row is rebuilt" {
	file_batch 0 '{"_rescued_data":{},"a":1,"zz":2}' '{"_rescued_data":{"_file_path":"/p"},"zz":2}' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT' < in
	assert_success
	assert_equal "$(rows)" $'{"a":1,"_rescued_data":{}}\n{"_rescued_data":{"_file_path":"/p"}}'
}

@test "rescue: merging into an upstream _rescued_data names the current file once" {
	file_batch 0 '{"a":1,"x":2,"_rescued_data":{"old":[1, 2],"_file_path":"/p"}}' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT' --schema-evolution-mode rescue < in
	assert_success
	assert_equal "$(rows)" '{"a":1,"_rescued_data":{"x":2,"old":[1, 2],"_file_path":"/land/f0.json"}}'
	[[ $stderr == *"1 rows with rescued data"* ]]
}

@test "rescue and cast keep a rebuilt row's bytes up to its first change, blanks before '{' too" {
	file_batch 0 '  {"a" : 1, "b": 2,"zz":3}' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT, b BIGINT' < in
	assert_success
	assert_equal "$(rows)" '  {"a" : 1, "b": 2}'
	file_batch 0 '  {"a" : 1, "b": "2","c":3}' > in
	run --separate-stderr inlet-cast --schema 'a BIGINT, b STRING, c STRING' < in
	assert_success
	assert_equal "$(rows)" '  {"a" : 1, "b": "2","c":"3"}'
}

@test "rescue: a row whose only member is dropped is {}" {
	file_batch 0 '{"zz":1}' '{ "zz" : 1 }' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT' < in
	assert_success
	assert_equal "$(rows)" $'{}\n{}'
}

@test "a rescued-data column named with a quote is escaped in rescue and cast" {
	file_batch 0 '{"a":"x","zz":1}' > in
	run --separate-stderr inlet-rescue --schema 'a STRING' --schema-evolution-mode rescue \
		--rescued-data-column 'r"q' < in
	assert_success
	assert_equal "$(rows)" '{"a":"x","r\"q":{"zz":1,"_file_path":"/land/f0.json"}}'
	file_batch 0 '{"a":"x"}' > in
	run --separate-stderr inlet-cast --schema 'a BIGINT' --rescued-data-column 'r"q' < in
	assert_success
	assert_equal "$(rows)" '{"a":null,"r\"q":{"a":"x","_file_path":"/land/f0.json"}}'
	rows | jq -e . > /dev/null
}
