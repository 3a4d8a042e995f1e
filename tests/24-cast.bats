#!/usr/bin/env bats
# inlet-cast: exact conversions, mismatches, patterns, and --map.
load helpers

@test "a row already of the schema's types passes byte for byte" {
	file_batch 0 '{"id":9007199254740993, "amt":19.990 ,"x":"keep"}' > in
	run inlet-cast --schema 'id BIGINT, amt DOUBLE' < in
	assert_line '{"id":9007199254740993, "amt":19.990 ,"x":"keep"}'
}

@test "--schema emits its record before the first row and replaces upstream ones" {
	{ echo '{"_inlet":"schema","version":7,"fields":[{"name":"a","type":"STRING"}]}'; file_batch 0 '{"a":"1"}'; } > in
	run inlet-cast --schema 'a INT' < in
	refute_line --partial '"version":7'
	assert_line --index 2 '{"_inlet":"schema","version":0,"fields":[{"name":"a","type":"INT"}]}'
	assert_line '{"a":1}'
}

@test "follows the latest schema record in the stream" {
	{
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"a","type":"STRING"}]}'
		file_batch 0 '{"a":1}'
		echo '{"_inlet":"schema","version":1,"fields":[{"name":"a","type":"BIGINT"}]}'
		file_batch 1 '{"a":"2"}'
	} > in
	run inlet-cast < in
	assert_line '{"a":"1"}'
	assert_line '{"a":2}'
}

@test "without any schema rows pass unchanged" {
	file_batch 0 '{"a":"1"}' > in
	run inlet-cast < in
	assert_line '{"a":"1"}'
}

@test "the notebook's rescue cell: INVALID_NUMBER is null and rescued with the file path" {
	file_batch 0 '{"order_id":99999,"total_amount":"INVALID_NUMBER","new_col":"surprise"}' > in
	run bash -c "inlet-rescue --schema 'order_id STRING, customer_id STRING, total_amount DOUBLE' --schema-evolution-mode rescue < in | inlet-cast 2>/dev/null"
	assert_success
	assert_line '{"order_id":"99999","total_amount":null,"_rescued_data":{"total_amount":"INVALID_NUMBER","new_col":"surprise","_file_path":"/land/f0.json"}}'
}

@test "dropmalformed drops a row that does not convert" {
	file_batch 0 '{"a":"x"}' '{"a":"2"}' > in
	run --separate-stderr inlet-cast --schema 'a INT' --mode dropmalformed < in
	assert_equal "$(rows)" '{"a":2}'
	[[ $stderr == *"1 values did not convert; 1 rows dropped"* ]]
}

@test "failfast exits 65 naming file, record and column" {
	file_batch 0 '{"a":"1"}' '{"a":"1e99"}' > in
	run inlet-cast --schema 'a INT' --mode failfast < in
	assert_equal "$status" 65
	assert_output --partial "'/land/f0.json' record 2 (line 4 of the stream): column 'a': cannot convert \"1e99\" to INT"
}

@test "BIGINT out of range and DECIMAL over its precision are mismatches" {
	file_batch 0 '{"b":9223372036854775808,"m":"123456789.99"}' > in
	run --separate-stderr inlet-cast --schema 'b BIGINT, m DECIMAL(5,2)' < in
	assert_line '{"b":null,"m":null,"_rescued_data":{"b":9223372036854775808,"m":"123456789.99","_file_path":"/land/f0.json"}}'
}

@test "with _corrupt_record in the schema the whole record goes there (the notebook's bad CSV)" {
	file_batch 0 '{"customer_id":"999","first_name":"Eve","registration_date":"2023-01-03"}' \
		'{"customer_id":"888","first_name":"Frank","registration_date":"NOT_A_DATE"}' > in
	run --separate-stderr inlet-cast --schema 'customer_id STRING, first_name STRING, registration_date DATE, _corrupt_record STRING' < in
	assert_line '{"customer_id":"999","first_name":"Eve","registration_date":"2023-01-03"}'
	assert_line '{"customer_id":"888","first_name":"Frank","registration_date":null,"_corrupt_record":"{\"customer_id\":\"888\",\"first_name\":\"Frank\",\"registration_date\":\"NOT_A_DATE\"}"}'
}

@test "date and timestamp patterns, globally and per column" {
	file_batch 0 '{"d":"03/01/2023","e":"2023.01.04","t":"01-03-2024 13:02"}' > in
	run inlet-cast --schema 'd DATE, e DATE, t TIMESTAMP' --date-format dd/MM/yyyy \
		--column-format e=yyyy.MM.dd --timestamp-format 'dd-MM-yyyy HH:mm' < in
	assert_line '{"d":"2023-01-03","e":"2023-01-04","t":"2024-03-01T13:02:00Z"}'
}

@test "--map reshapes rows; untouched numbers keep their exact text" {
	file_batch 0 '{"customer_id":"C1","big":9007199254740993,"amt":19.990,"drop":1}' > in
	run inlet-cast --map '{customer_id, big, amt, doubled: (.amt * 2)}' < in
	assert_success
	assert_line '{"customer_id":"C1","big":9007199254740993,"amt":19.990,"doubled":39.98}'
}

@test "--map passes control records and may filter or split rows" {
	file_batch 0 '{"a":1}' '{"a":5}' > in
	run inlet-cast --map 'select(.a > 2) | ., {a: 0}' < in
	assert_line --index 0 '{"_inlet":"begin","batch":0}'
	assert_equal "$(rows)" $'{"a":5}\n{"a":0}'
}

@test "the COPY INTO cell: TO_DATE and current_timestamp() through --schema and --map" {
	file_batch 0 '{"customer_id":"C1","first_name":"Ann","registration_date":"2023-01-05","junk":"x"}' > in
	run inlet-cast --schema 'customer_id STRING, first_name STRING, registration_date DATE, _ingestion_timestamp TIMESTAMP' \
		--date-format yyyy-MM-dd \
		--map '{customer_id, first_name, registration_date, _ingestion_timestamp: (now | todate)}' < in
	assert_success
	assert_line --regexp '^\{"customer_id":"C1","first_name":"Ann","registration_date":"2023-01-05","_ingestion_timestamp":"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"\}$'
}

@test "--map errors: a bad program is a usage error, a runtime error names the record" {
	run inlet-cast --map '{' < /dev/null
	assert_equal "$status" 64
	assert_output --partial "cannot compile --map"
	file_batch 0 '{"a":"x"}' > in
	run inlet-cast --map '{a: (.a | tonumber)}' < in
	assert_equal "$status" 65
	assert_output --partial "record 1 (line 3 of the stream): --map failed"
	run --separate-stderr inlet-cast --map '{a: (.a | tonumber)}' --mode dropmalformed < in
	assert_success
	assert_equal "$(rows)" ""
	run inlet-cast --map '.a' < in
	assert_equal "$status" 65
	assert_output --partial "--map must give objects"
}

@test "bad options are usage errors" {
	run inlet-cast --schema 'a NOPE' < /dev/null
	assert_equal "$status" 64
	run inlet-cast --column-format nope < /dev/null
	assert_equal "$status" 64
	run inlet-cast --mode sometimes < /dev/null
	assert_equal "$status" 64
}

@test "--bad-records-path: a row that does not convert goes to the folder, naming the column and value" {
	file_batch 0 '{"a":"1"}' '{"a":"x","b":2}' > in
	run --separate-stderr inlet-cast --schema 'a INT' --bad-records-path bad < in
	assert_success
	assert_equal "$(rows)" '{"a":1}'
	assert_equal "$(cat bad/*/bad_records/part-00000)" \
		'{"path":"/land/f0.json","record":"{\"a\":\"x\",\"b\":2}","reason":"column '\''a'\'': cannot convert \"x\" to INT (not an integer)"}'
	[[ $stderr == *"1 values did not convert; 1 rows dropped; 1 written to 'bad/"* ]]
	# Plain NDJSON has no file: the path is null.
	echo '{"a":"y"}' | inlet-cast --schema 'a INT' --bad-records-path plain -q
	assert_equal "$(jq -c .path plain/*/bad_records/part-00000)" null
}

@test "--bad-records-path: a failing --map goes there too; failfast cannot be combined" {
	file_batch 0 '{"a":"x"}' '{"a":"2"}' > in
	run --separate-stderr inlet-cast --map '{a: (.a | tonumber)}' --bad-records-path bad < in
	assert_success
	assert_equal "$(rows)" '{"a":2}'
	assert_equal "$(jq -r .reason bad/*/bad_records/part-00000)" \
		"--map failed: Invalid numeric literal at EOF at line 1, column 1 (while parsing 'x')"
	run inlet-cast --schema 'a INT' --bad-records-path bad --mode failfast < in
	assert_equal "$status" 64
}

@test "the notebook's cell: NOT_A_DATE ends in _corrupt_record, or in the bad-records folder" {
	printf 'customer_id,first_name,registration_date\n999,Eve,2023-01-03\n888,Frank,NOT_A_DATE\n' > customers.csv
	schema='customer_id STRING, first_name STRING, registration_date DATE, _corrupt_record STRING'
	run bash -c "inlet-parse customers.csv | inlet-cast --schema '$schema' 2>/dev/null"
	assert_success
	assert_equal "$(rows)" '{"customer_id":"999","first_name":"Eve","registration_date":"2023-01-03"}
{"customer_id":"888","first_name":"Frank","registration_date":null,"_corrupt_record":"{\"customer_id\":\"888\",\"first_name\":\"Frank\",\"registration_date\":\"NOT_A_DATE\"}"}'
	run bash -c "inlet-parse customers.csv | inlet-cast --schema '$schema' --bad-records-path bad 2>/dev/null"
	assert_success
	assert_equal "$(rows)" '{"customer_id":"999","first_name":"Eve","registration_date":"2023-01-03"}'
	assert_equal "$(jq -r '.path, .reason' bad/*/bad_records/part-00000)" "$PWD/customers.csv
column 'registration_date': cannot convert \"NOT_A_DATE\" to DATE (not a date)"
}

@test "--bad-records-path: the part is on disk before the batch's end record goes downstream" {
	{ file_batch 0 '{"a":"x"}'; file_batch 1 '{"a":"y"}'; } > in
	run -137 env INLET_CRASH_AT=cast-after-end inlet-cast --schema 'a INT' --bad-records-path bad -q < in
	assert_equal "${lines[-1]}" '{"_inlet":"end","batch":0}'
	assert_equal "$(jq -r .record bad/*/bad_records/part-00000)" '{"a":"x"}'
}

# nested N: an object whose member holds arrays down to N levels in all.
nested() {
	local open close
	open=$(printf '%*s' "$(($1 - 1))" '' | tr ' ' '[')
	close=$(printf '%*s' "$(($1 - 1))" '' | tr ' ' ']')
	echo "{\"a\":$open$close}"
}

@test "parse and cast --map agree on nesting: 255 levels pass, 256 are a malformed record, never a poison row" {
	nested 255 > ok.json
	nested 256 > deep.json
	run bash -c 'inlet-parse --format json ok.json | inlet-cast --map ". + {b: 1}" | grep -v "\"_inlet\""'
	assert_success
	assert_output --partial '"b":1'
	# Too deep for jq: parse keeps it as a corrupt record, so --map sees a
	# flat row and the stream goes on.
	run bash -c 'set -o pipefail; inlet-parse --format json -q deep.json ok.json | inlet-cast --map ". + {b: 1}" | grep -v "\"_inlet\""'
	assert_success
	assert_line --index 0 --regexp '^\{"_corrupt_record":"\{\\"a\\":\[\[.*"b":1\}$'
	assert_line --index 1 --partial '"b":1'
	run inlet-parse --format json --mode failfast deep.json
	assert_equal "$status" 65
	assert_output --partial "nested too deeply"
}
