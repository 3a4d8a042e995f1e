#!/usr/bin/env bats
# inlet-cast: in rows of JSON files, a JSON string where the schema wants a
# number or a boolean is a type mismatch, as Spark's JSON reader has it.
#
# Spark's JSON data source (JacksonParser.makeConverter) reads INT/BIGINT
# only from a JSON integer, DOUBLE only from a JSON number (or the strings
# NaN/Infinity, which inlet cannot hold), BOOLEAN only from true/false; any
# other token fails the record, which PERMISSIVE mode turns into nulls with
# the original in the rescued data column (Databricks, "What is the rescued
# data column?": "data type mismatches ... are rescued"), DROPMALFORMED drops
# and FAILFAST stops (Spark JSON data source options, "mode").  DecimalType
# also reads a JSON string (Spark 3.0+), as do DATE and TIMESTAMP; CSV values
# are all text, and the CSV reader converts them.
load helpers

json_file() {	# json_file FORMAT ROW...: one batch of a file read as FORMAT
	local fmt=$1; shift
	echo '{"_inlet":"begin","batch":0}'
	echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"/land/f.$fmt\",\"format\":\"$fmt\"}"
	for r in "$@"; do echo "$r"; done
	echo '{"_inlet":"end","batch":0}'
}

@test "a JSON string for DOUBLE, BIGINT, INT or BOOLEAN is rescued, not converted" {
	json_file json '{"d":"12.5","b":"3","i":"4","t":"true","ok":7}' > in
	run --separate-stderr inlet-cast --schema 'd DOUBLE, b BIGINT, i INT, t BOOLEAN, ok INT' < in
	assert_success
	assert_equal "$(rows)" '{"d":null,"b":null,"i":null,"t":null,"ok":7,"_rescued_data":{"d":"12.5","b":"3","i":"4","t":"true","_file_path":"/land/f.json"}}'
	assert_equal "$stderr" "inlet-cast: 4 values did not convert; 0 rows dropped"
}

@test "JSON numbers and booleans still convert, and strings for DECIMAL, DATE, TIMESTAMP, STRING" {
	json_file json '{"d":12,"b":3.0,"t":true,"m":"19.995","day":"2023-01-03","ts":"2024-03-01 12:00:05","s":"x"}' > in
	run --separate-stderr inlet-cast --schema 'd DOUBLE, b BIGINT, t BOOLEAN, m DECIMAL(10,2), day DATE, ts TIMESTAMP, s STRING' < in
	assert_success
	assert_equal "$(rows)" '{"d":12,"b":3,"t":true,"m":20.00,"day":"2023-01-03","ts":"2024-03-01T12:00:05Z","s":"x"}'
	assert_equal "$stderr" ""
}

@test "rows of CSV and text files convert their strings as before" {
	json_file csv '{"d":"12.5","b":"3","t":"true"}' > in
	run --separate-stderr inlet-cast --schema 'd DOUBLE, b BIGINT, t BOOLEAN' < in
	assert_success
	assert_equal "$(rows)" '{"d":12.5,"b":3,"t":true}'
	json_file text '{"value":"42"}' > in
	run --separate-stderr inlet-cast --schema 'value INT' < in
	assert_equal "$(rows)" '{"value":42}'
}

@test "a plain NDJSON stream, with no file record, is JSON" {
	printf '%s\n' '{"n":"3"}' '{"n":3}' > in
	run_framed --separate-stderr inlet-cast --schema 'n BIGINT' < in
	assert_success
	assert_output - <<'EOF'
{"_inlet":"schema","version":0,"fields":[{"name":"n","type":"BIGINT"}]}
{"n":null,"_rescued_data":{"n":"3","_file_path":null}}
{"n":3}
EOF
}

@test "the format follows each file record: CSV then JSON then CSV" {
	{
		echo '{"_inlet":"begin","batch":0}'
		echo '{"_inlet":"file","batch":0,"path":"/land/a.csv","format":"csv"}'
		echo '{"n":"1"}'
		echo '{"_inlet":"file","batch":0,"path":"/land/b.json","format":"json"}'
		echo '{"n":"2"}'
		echo '{"_inlet":"file","batch":0,"path":"/land/c.csv","format":"csv"}'
		echo '{"n":"3"}'
		echo '{"_inlet":"end","batch":0}'
	} > in
	run --separate-stderr inlet-cast --schema 'n INT' < in
	assert_success
	assert_equal "$(rows)" $'{"n":1}\n{"n":null,"_rescued_data":{"n":"2","_file_path":"/land/b.json"}}\n{"n":3}'
}

@test "parse names the format, and cast follows it end to end" {
	mkdir land
	printf 'a,b\n12.5,3\n' > land/x.csv
	printf '{"a":"12.5","b":3}\n' > land/y.json
	run --separate-stderr bash -c 'inlet-parse --header true land/x.csv | inlet-cast --schema "a DOUBLE, b BIGINT" --rows-only;
		inlet-parse land/y.json | inlet-cast --schema "a DOUBLE, b BIGINT" --rows-only'
	assert_success
	assert_output - <<EOF
{"a":12.5,"b":3}
{"a":null,"b":3,"_rescued_data":{"a":"12.5","_file_path":"$PWD/land/y.json"}}
EOF
}

@test "failfast stops at a JSON string for a number, naming file, record and column" {
	json_file json '{"b":1}' '{"b":"2"}' > in
	run inlet-cast --schema 'b BIGINT' --mode failfast < in
	assert_equal "$status" 65
	assert_output --partial "'/land/f.json' record 2 (line 4 of the stream): column 'b': cannot convert \"2\" to BIGINT (a JSON string, not a number)"
	refute_output --partial '"_inlet":"end"'
}

@test "dropmalformed drops the row, and counts it" {
	json_file json '{"b":1}' '{"b":"2"}' '{"b":3}' > in
	run --separate-stderr inlet-cast --schema 'b BIGINT' --mode dropmalformed < in
	assert_success
	assert_equal "$(rows)" $'{"b":1}\n{"b":3}'
	assert_equal "$stderr" "inlet-cast: 1 values did not convert; 1 rows dropped"
}

@test "with the corrupt-record column declared, the whole JSON record goes there" {
	json_file json '{"id":"C1","n":"5"}' > in
	run --separate-stderr inlet-cast --schema 'id STRING, n INT, _corrupt_record STRING' < in
	assert_success
	assert_equal "$(rows)" '{"id":"C1","n":null,"_corrupt_record":"{\"id\":\"C1\",\"n\":\"5\"}"}'
}

@test "a file record without a format did not come through parse: its strings convert" {
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"_inlet":"file","batch":0,"path":"/land/f.json"}' \
		'{"n":"3"}' '{"_inlet":"end","batch":0}' > in
	run --separate-stderr inlet-cast --schema 'n BIGINT' < in
	assert_success
	assert_equal "$(rows)" '{"n":3}'
}
