#!/usr/bin/env bats
# inlet-rescue: inference, schema versions, evolution modes, _rescued_data.
load helpers

batch() {	# batch N ROW...
	local n=$1; shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	echo "{\"_inlet\":\"file\",\"batch\":$n,\"path\":\"/land/f$n.json\"}"
	for r in "$@"; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

rows() { grep -v '"_inlet"' <<<"$output" || true; }

@test "infers types from JSON values and stores schemas/0" {
	batch 0 '{"order_id":1,"amount":19.90,"ok":true,"tags":["a"],"note":"x","gone":null}' > in
	run inlet-rescue --schema-location ck < in
	assert_success
	run cat ck/schemas/0
	assert_output '{"_inlet":"schema","version":0,"fields":[{"name":"order_id","type":"BIGINT"},{"name":"amount","type":"DOUBLE"},{"name":"ok","type":"BOOLEAN"},{"name":"tags","type":"JSON"},{"name":"note","type":"STRING"},{"name":"gone","type":"STRING"},{"name":"_rescued_data","type":"JSON"}]}'
}

@test "the schema record goes out inside the batch, before the first row; known rows pass unchanged" {
	batch 0 '{"a":1,  "b":"x"}' > in
	run --separate-stderr inlet-rescue --schema-location ck < in
	assert_line --index 0 '{"_inlet":"begin","batch":0}'
	assert_line --index 2 --partial '{"_inlet":"schema","version":0'
	assert_line --index 3 '{"a":1,  "b":"x"}'
}

@test "types widen INT -> BIGINT -> DOUBLE -> STRING across the sample" {
	batch 0 '{"a":1,"b":1,"c":"x","d":true}' '{"a":2.5,"b":"t","c":3,"d":1}' > in
	inlet-rescue --schema-location ck < in > /dev/null
	run cat ck/schemas/0
	assert_output --partial '{"name":"a","type":"DOUBLE"},{"name":"b","type":"STRING"},{"name":"c","type":"STRING"},{"name":"d","type":"STRING"}'
}

# Databricks Auto Loader schema inference: CSV columns are STRING unless
# cloudFiles.inferColumnTypes; with it, Spark's CSV inference types the text.
# Parse's file record says the rows are CSV ("format":"csv").
@test "CSV text is STRING unless --infer-column-types" {
	batch 0 '{"id":"1","price":"2.50","day":"2024-01-01","at":"2024-01-01T10:00:00Z","flag":"true","big":"99999999999"}' \
		| sed 's/"path":"[^"]*"/&,"format":"csv"/' > in
	inlet-rescue --schema-location ck1 < in > /dev/null
	run cat ck1/schemas/0
	refute_output --partial '"INT"'
	inlet-rescue --schema-location ck2 --infer-column-types < in > /dev/null
	run cat ck2/schemas/0
	assert_output --partial '{"name":"id","type":"INT"},{"name":"price","type":"DOUBLE"},{"name":"day","type":"DATE"},{"name":"at","type":"TIMESTAMP"},{"name":"flag","type":"BOOLEAN"},{"name":"big","type":"BIGINT"}'
}

@test "--schema-hints override inferred types" {
	batch 0 '{"id":1,"price":"2.50"}' > in
	inlet-rescue --schema-location ck --schema-hints 'price DECIMAL(10,2), extra DATE' < in > /dev/null
	run cat ck/schemas/0
	assert_output --partial '{"name":"price","type":"DECIMAL(10,2)"},{"name":"extra","type":"DATE"}'
}

@test "add-new-columns: a new column is a new version, announced in-stream, the stream goes on" {
	{ batch 0 '{"a":1}'; batch 1 '{"a":2}'; batch 2 '{"a":3,"b":"new"}' '{"a":4}'; } > in
	run --separate-stderr inlet-rescue --schema-location ck < in
	assert_success
	[ -f ck/schemas/1 ]
	assert_line '{"a":3,"b":"new"}'
	assert_line --partial '{"_inlet":"schema","version":1,'
	assert_line '{"_inlet":"end","batch":2}'
	[[ $stderr == *"new column 'b' in '/land/f2.json': schema version 1"* ]]
}

@test "a restart uses the latest stored version" {
	{ batch 0 '{"a":1}'; batch 1 '{"a":2,"b":"x"}'; } > in
	inlet-rescue --schema-location ck < in > /dev/null
	batch 2 '{"a":3,"b":"y"}' > in2
	run inlet-rescue --schema-location ck < in2
	assert_line --partial '"version":1,'
	assert_line '{"a":3,"b":"y"}'
	[ ! -f ck/schemas/2 ]
}

@test "rescue mode: unknown fields go to _rescued_data with _file_path" {
	batch 0 '{"order_id":99999,"total_amount":"INVALID_NUMBER","new_col":"surprise"}' > in
	run inlet-rescue --schema 'order_id STRING, customer_id STRING, total_amount DOUBLE' \
		--schema-evolution-mode rescue < in
	assert_success
	assert_line '{"order_id":99999,"total_amount":"INVALID_NUMBER","_rescued_data":{"new_col":"surprise","_file_path":"/land/f0.json"}}'
}

@test "a field differing only in case is rescued, never a new column" {
	batch 0 '{"a":1}' > in
	inlet-rescue --schema-location ck < in > /dev/null
	batch 1 '{"A":2}' > in2
	run inlet-rescue --schema-location ck < in2
	assert_line '{"_rescued_data":{"A":2,"_file_path":"/land/f1.json"}}'
	[ ! -f ck/schemas/1 ]
}

@test "fail-on-new-columns exits 65 naming the column and the file; fixed schema continues" {
	{ batch 0 '{"a":1}'; batch 1 '{"a":2,"b":"x"}'; } > in
	run inlet-rescue --schema-location ck --schema-evolution-mode fail-on-new-columns < in
	assert_equal "$status" 65
	assert_output --partial "new column 'b' in '/land/f1.json'"
	refute_line '{"_inlet":"end","batch":1}'
	run inlet-rescue --schema-location ck --schema-evolution-mode fail-on-new-columns \
		--schema-hints 'b STRING' < in
	assert_success
	assert_line '{"a":2,"b":"x"}'
}

@test "none: unknown fields are dropped and counted" {
	batch 0 '{"a":1,"zz":2}' > in
	run --separate-stderr inlet-rescue --schema 'a BIGINT' < in
	assert_line '{"a":1}'
	[[ $stderr == *"1 values of unknown columns dropped"* ]]
}

@test "an upstream _rescued_data object is merged, not replaced" {
	batch 0 '{"a":1,"x":2,"_rescued_data":{"old":true,"_file_path":"/p"}}' > in
	run inlet-rescue --schema 'a BIGINT' --schema-evolution-mode rescue < in
	assert_line '{"a":1,"_rescued_data":{"x":2,"old":true,"_file_path":"/land/f0.json"}}'
}

@test "--rescued-data-column renames the column" {
	batch 0 '{"a":1,"x":2}' > in
	run inlet-rescue --schema 'a BIGINT' --schema-evolution-mode rescue --rescued-data-column extra < in
	assert_line '{"a":1,"extra":{"x":2,"_file_path":"/land/f0.json"}}'
}

@test "inference samples at most --sample-files files" {
	{
		echo '{"_inlet":"begin","batch":0}'
		for i in 1 2 3; do
			echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"/f$i\"}"
			echo "{\"c$i\":1}"
		done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run --separate-stderr inlet-rescue --schema-location ck --sample-files 1 < in
	assert_success
	run cat ck/schemas/0
	assert_output --partial '"c1"'
	refute_output --partial '"c3"'
	[ -f ck/schemas/1 ]
}

@test "a malformed schema version is reported with its name" {
	batch 0 '{"a":1}' > in
	inlet-rescue --schema-location ck < in > /dev/null
	echo 'garbage' > ck/schemas/0
	run inlet-rescue --schema-location ck < in
	assert_equal "$status" 65
	assert_output --partial "ck/schemas/0"
}

@test "a bad --schema is a usage error naming the column" {
	run inlet-rescue --schema 'a STRNG' < /dev/null
	assert_equal "$status" 64
	assert_output --partial "'a'"
	run inlet-rescue < /dev/null
	assert_equal "$status" 64
	run inlet-rescue --schema 'a INT' --schema-evolution-mode sometimes < /dev/null
	assert_equal "$status" 64
}

@test "Databricks spellings of the modes are accepted" {
	batch 0 '{"a":1,"b":2}' > in
	run inlet-rescue --schema 'a BIGINT' --schema-evolution-mode failOnNewColumns < in
	assert_equal "$status" 65
}

# Rows that leave the schema's order at each place: a column's own members
# first, then one member that needs a look of its own.  What follows it
# is looked up by name as before.  (An upstream _rescued_data with
# nothing more rescued here passes as it came.)
@test "a row in the schema's order up to any member, then out of it: the same columns kept, the same rescued" {
	schema='a BIGINT, b STRING, c BIGINT, _rescued_data STRING'
	batch 0 \
		'{"a":1,"b":"x","c":2}' \
		'{"a":1,"b":"x","zz":5,"c":2}' \
		'{"a":1,"c":2,"b":"x"}' \
		'{"a":1,"\u0062":"y","c":3}' \
		'{"a":1,"b":"x","c":2,"_rescued_data":{"q":1}}' \
		'{"a":1,"b":"x","c":2,"_rescued_data":{"q":1},"zz":5}' \
		'{"a":1,"B":"x","c":2}' \
		'{"a":{"n":1},"b":"x","c":2}' \
		'{"a":1}' \
		'{}' > in
	run --separate-stderr inlet-rescue --quiet --schema "$schema" --schema-evolution-mode rescue < in
	assert_success
	run rows
	assert_output - <<'ROWS'
{"a":1,"b":"x","c":2}
{"a":1,"b":"x","c":2,"_rescued_data":{"zz":5,"_file_path":"/land/f0.json"}}
{"a":1,"c":2,"b":"x"}
{"a":1,"\u0062":"y","c":3}
{"a":1,"b":"x","c":2,"_rescued_data":{"q":1}}
{"a":1,"b":"x","c":2,"_rescued_data":{"zz":5,"q":1,"_file_path":"/land/f0.json"}}
{"a":1,"c":2,"_rescued_data":{"B":"x","_file_path":"/land/f0.json"}}
{"a":{"n":1},"b":"x","c":2}
{"a":1}
{}
ROWS
}
