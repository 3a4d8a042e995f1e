#!/usr/bin/env bats
# inlet-rescue's schema inference, by Spark's rules: JSON values keep their
# JSON types and strings stay STRING; CSV text is typed only when asked;
# --infer-only samples the whole stream before the pipeline starts.
load helpers

# batch N FORMAT ROW...: one batch of one file, parsed as FORMAT
# ("" for a file record without a format).
batch() {
	local n=$1 fmt=$2; shift 2
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	if [ -n "$fmt" ]; then
		echo "{\"_inlet\":\"file\",\"batch\":$n,\"path\":\"/land/f$n.$fmt\",\"format\":\"$fmt\"}"
	else
		echo "{\"_inlet\":\"file\",\"batch\":$n,\"path\":\"/land/f$n\"}"
	fi
	for r in "$@"; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

# type_of CK COLUMN: the type of COLUMN in CK/schemas/0, or "absent".
type_of() {
	jq -r --arg c "$2" '[.fields[] | select(.name == $c) | .type] | first // "absent"' "$1/schemas/0"
}

# Spark, JsonInferSchema.inferField (the JSON data source's schema
# inference): integers are LongType, BIG_INTEGER is DecimalType(precision,0)
# up to 38 digits, then DoubleType; fractions DoubleType; true/false
# BooleanType; a string StringType unless prefersDecimal or inferTimestamp.
@test "JSON: BIGINT, DECIMAL(n,0) beyond it, DOUBLE beyond 38 digits, DOUBLE, BOOLEAN, JSON" {
	batch 0 json '{"n":-9223372036854775808,"big":12345678901234567890,"huge":123456789012345678901234567890123456789,"f":19.90,"e":1e3,"ok":false,"o":{"x":"1"},"a":[1]}' > in
	run --separate-stderr inlet-rescue --schema-location ck < in
	assert_success
	[ "$(type_of ck n)" = BIGINT ]
	[ "$(type_of ck big)" = 'DECIMAL(20,0)' ]
	[ "$(type_of ck huge)" = DOUBLE ]
	[ "$(type_of ck f)" = DOUBLE ]
	[ "$(type_of ck e)" = DOUBLE ]
	[ "$(type_of ck ok)" = BOOLEAN ]
	[ "$(type_of ck o)" = JSON ]
	[ "$(type_of ck a)" = JSON ]
	# 2^63 is the first integer beyond BIGINT: 19 digits.
	batch 0 json '{"n":9223372036854775808}' > in2
	inlet-rescue --schema-location ck2 --quiet < in2 > /dev/null
	[ "$(type_of ck2 n)" = 'DECIMAL(19,0)' ]
}

# Spark, JsonInferSchema: a VALUE_STRING is StringType (no number, boolean
# or timestamp inference from JSON strings without prefersDecimal /
# inferTimestamp), whatever cloudFiles.inferColumnTypes says.
@test "JSON strings stay STRING, even with --infer-column-types" {
	batch 0 json '{"zip":"02134","flag":"true","at":"2024-01-01T10:00:00Z","day":"2024-01-01","amt":"12.5"}' > in
	inlet-rescue --schema-location ck --infer-column-types --quiet < in > out
	for c in zip flag at day amt; do
		[ "$(type_of ck $c)" = STRING ] || fail "$c is $(type_of ck $c)"
	done
	# ...and the rows pass as they came: nothing was rewritten.
	grep -qxF '{"zip":"02134","flag":"true","at":"2024-01-01T10:00:00Z","day":"2024-01-01","amt":"12.5"}' out
}

# Databricks, Auto Loader schema inference: CSV columns are strings unless
# cloudFiles.inferColumnTypes; the text source has the fixed schema
# value STRING.  The format comes from parse's file record.
@test "the format in the file record decides: CSV text is typed with --infer-column-types, JSON and text are not" {
	{
		batch 0 csv '{"c_id":"7","c_flag":"true","c_day":"2024-01-01"}'
		batch 1 json '{"j_id":"7","j_flag":"true"}'
		batch 2 text '{"value":"42"}'
	} > in
	inlet-rescue --schema-location ck --infer-column-types --sample-files 10 --quiet --infer-only < in
	[ "$(type_of ck c_id)" = INT ]
	[ "$(type_of ck c_flag)" = BOOLEAN ]
	[ "$(type_of ck c_day)" = DATE ]
	[ "$(type_of ck j_id)" = STRING ]
	[ "$(type_of ck j_flag)" = STRING ]
	[ "$(type_of ck value)" = STRING ]
}

@test "rows without a file record, or with one naming no format, are JSON" {
	printf '%s\n' '{"a":"1","b":2}' > plain
	inlet-rescue --schema-location ck --infer-column-types --quiet < plain > /dev/null
	[ "$(type_of ck a)" = STRING ]
	[ "$(type_of ck b)" = BIGINT ]
	batch 0 '' '{"a":"1"}' > in
	inlet-rescue --schema-location ck2 --infer-column-types --quiet < in > /dev/null
	[ "$(type_of ck2 a)" = STRING ]
	# A CSV file's format does not leak into the next batch's plain rows.
	{ batch 0 csv '{"x":"1"}'; echo '{"_inlet":"begin","batch":1}'; echo '{"y":"1"}'; echo '{"_inlet":"end","batch":1}'; } > in3
	inlet-rescue --schema-location ck3 --infer-column-types --infer-only --quiet < in3
	[ "$(type_of ck3 x)" = INT ]
	[ "$(type_of ck3 y)" = STRING ]
}

# The issue's finding, end to end through parse: "02134" became 2134, "true"
# became 1, timestamp text was rewritten.  Spark's JSON source keeps them.
@test "through parse, cast and commit: JSON strings land as the text they were" {
	mkdir land
	echo '{"zip":"02134","flag":"true","at":"2024-01-01T10:00:00+02:00","n":5}' > land/a.json
	inlet-discover --checkpoint ck land | inlet-parse --format json \
		| inlet-rescue --schema-location ck --infer-column-types --quiet \
		| inlet-cast --quiet | inlet-commit --checkpoint ck --db t.db --table t --quiet
	run sql t.db 'SELECT zip, flag, at, n, typeof(zip), typeof(flag), typeof(n) FROM t'
	assert_output '02134|true|2024-01-01T10:00:00+02:00|5|text|text|integer'
}

# Spark JSON option primitivesAsString: "infers all primitive values as a
# string type"; Databricks Auto Loader without cloudFiles.inferColumnTypes
# infers every JSON column as a string.
@test "--primitives-as-string: every number and boolean is STRING, nested values stay JSON, text exact" {
	batch 0 json '{"n":1,"f":19.990,"b":true,"big":12345678901234567890,"o":{"k":1},"s":"x"}' > in
	run --separate-stderr inlet-rescue --schema-location ck --primitives-as-string < in
	assert_success
	for c in n f b big s; do
		[ "$(type_of ck $c)" = STRING ] || fail "$c is $(type_of ck $c)"
	done
	[ "$(type_of ck o)" = JSON ]
	assert_line '{"n":1,"f":19.990,"b":true,"big":12345678901234567890,"o":{"k":1},"s":"x"}'
	# A column added later follows the same rule.
	{ batch 1 json '{"n":2,"late":3.5}'; } > in2
	inlet-rescue --schema-location ck --primitives-as-string --quiet < in2 > /dev/null
	grep -q '{"name":"late","type":"STRING"}' ck/schemas/1
}

@test "--primitives-as-string with --infer-column-types is a usage error" {
	run inlet-rescue --schema-location ck --primitives-as-string --infer-column-types < /dev/null
	assert_equal "$status" 64
	assert_output --partial "--primitives-as-string and --infer-column-types"
	[ ! -e ck/schemas/0 ]
}

# Spark, JsonInferSchema.compatibleType: a DecimalType meets an integral type
# as DecimalType.forType (LongType is DECIMAL(20,0)), DoubleType meets a
# decimal at DoubleType, two decimals at the wider one.
@test "widening across rows follows Spark's compatibleType for DECIMAL" {
	batch 0 json '{"a":1,"b":1.5,"c":true}' '{"a":12345678901234567890,"b":12345678901234567890,"c":12345678901234567890}' > in
	inlet-rescue --schema-location ck --quiet < in > /dev/null
	[ "$(type_of ck a)" = 'DECIMAL(20,0)' ]
	[ "$(type_of ck b)" = DOUBLE ]
	[ "$(type_of ck c)" = STRING ]
}

# Spark, JsonInferSchema.inferField: a zero-length string is NullType until
# all rows are merged, then StringType (canonicalizeType).
@test "an empty string counts as null: it neither types nor blocks a column" {
	batch 0 json '{"a":"","b":""}' '{"a":7}' > in
	inlet-rescue --schema-location ck --quiet < in > /dev/null
	[ "$(type_of ck a)" = BIGINT ]
	[ "$(type_of ck b)" = STRING ]
}

# Databricks, Auto Loader: cloudFiles.schemaInference.sampleSize.numFiles
# (default 1000) files are sampled at the first start, not one
# micro-batch.  The issue's finding: with maxFilesPerTrigger=1, {"a":1} then
# {"a":1.5} inferred BIGINT and rescued 1.5.
@test "--infer-only samples every batch: {\"a\":1} then {\"a\":1.5} is DOUBLE, and writes nothing" {
	{ batch 0 json '{"a":1}'; batch 1 json '{"a":1.5}'; } > in
	run --separate-stderr inlet-rescue --schema-location ck --infer-only < in
	assert_success
	assert_output ''
	[ "$(type_of ck a)" = DOUBLE ]
	[ "$(ls ck/schemas)" = 0 ]
	[[ $stderr == *"inferred schema version 0 from 2 rows in 2 files"* ]]
}

@test "the two-command recipe: infer from a listing, then the pipeline loads 1.5 unrescued" {
	mkdir land
	echo '{"a":1}' > land/a.json; touch -d '2024-01-01 00:00:01' land/a.json
	echo '{"a":1.5}' > land/b.json; touch -d '2024-01-01 00:00:02' land/b.json
	run bash -c 'set -o pipefail; inlet-discover --no-checkpoint --trigger once --max-files-per-trigger 1000 land \
		| inlet-parse --format json | inlet-rescue --schema-location ck --infer-only --quiet'
	assert_success
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json \
		| inlet-rescue --schema-location ck --quiet | inlet-cast --quiet \
		| inlet-commit --checkpoint ck --db t.db --table t --quiet
	run sql t.db "SELECT group_concat(a, ' '), count(_rescued_data) FROM t"
	assert_output '1.0 1.5|0'
	[ "$(ls ck/schemas)" = 0 ]
}

@test "--infer-only stops sampling after --sample-files files, across batches" {
	{ batch 0 json '{"a":1}'; batch 1 json '{"a":2}'; batch 2 json '{"a":"x","late":1}'; } > in
	run --separate-stderr inlet-rescue --schema-location ck --infer-only --sample-files 2 < in
	assert_success
	[ "$(type_of ck a)" = BIGINT ]
	[ "$(type_of ck late)" = absent ]
	[[ $stderr == *"from 2 rows in 2 files"* ]]
}

@test "--infer-only stops sampling after --sample-bytes bytes of records" {
	{ batch 0 json '{"a":1}'; batch 1 json '{"a":"a string well past the first hundred bytes of records"}'; } > in
	inlet-rescue --schema-location ck --infer-only --sample-bytes 100 --quiet < in
	[ "$(type_of ck a)" = BIGINT ]
	inlet-rescue --schema-location ck2 --infer-only --quiet < in
	[ "$(type_of ck2 a)" = STRING ]
}

@test "--infer-only over a stored version changes nothing, reads its whole input, exits 0" {
	batch 0 json '{"a":1}' > in
	inlet-rescue --schema-location ck --quiet < in > /dev/null
	cp ck/schemas/0 before
	# Far more than a pipe holds: a reader that stopped early would
	# leave the writer killed by SIGPIPE.
	run --separate-stderr bash -c 'set -o pipefail; for i in $(seq 1 20000); do echo "{\"a\":1.5,\"b\":\"$i\"}"; done \
		| inlet-rescue --schema-location ck --infer-only --schema-hints "c DATE"'
	assert_success
	assert_output ''
	[[ $stderr == *"already holds schema version 0: nothing inferred"* ]]
	cmp before ck/schemas/0
	[ "$(ls ck/schemas)" = 0 ]
}

@test "--infer-only takes rescue's lock: 75 while a pipeline holds the location" {
	mkfifo feed
	inlet-rescue --schema-location ck --schema 'a BIGINT' < feed > /dev/null &
	local pid=$!
	exec 8> feed
	for _ in $(seq 1 100); do
		[ -e ck/.lock-rescue ] && ! flock -n ck/.lock-rescue true && break
		sleep 0.05
	done
	batch 0 json '{"a":1}' > in
	run inlet-rescue --schema-location ck --infer-only < in
	exec 8>&-
	wait "$pid"
	assert_equal "$status" 75
	assert_output --partial "in use by pid $pid (inlet-rescue)"
}

@test "--infer-only needs --schema-location and refuses --schema" {
	run inlet-rescue --schema 'a INT' --infer-only < /dev/null
	assert_equal "$status" 64
	run inlet-rescue --schema-location ck --schema 'a INT' --infer-only < /dev/null
	assert_equal "$status" 64
	assert_output --partial "--infer-only"
	[ ! -e ck/schemas/0 ]
}

@test "--infer-only on a stream cut inside a batch stores nothing and exits 74" {
	batch 0 json '{"a":1}' | head -n 3 > in
	run inlet-rescue --schema-location ck --infer-only < in
	assert_equal "$status" 74
	[ ! -e ck/schemas/0 ]
}

@test "--infer-only without rows stores nothing, says so, and the pipeline infers later" {
	batch 0 json > in
	run --separate-stderr inlet-rescue --schema-location ck --infer-only < in
	assert_success
	[[ $stderr == *"no rows in the stream: nothing inferred"* ]]
	[ ! -e ck/schemas/0 ]
}

# Spark JSON/CSV option prefersDecimal: "infers all floating-point values
# as a decimal type"; a JSON string holding a number stays STRING here
# (Spark would type it: a deliberate difference, see inlet-rescue(1)).
@test "--prefers-decimal: fractions are DECIMAL(p,s) from their text, widened across rows" {
	batch 0 json '{"p":19.90,"q":"1.5","r":0.05}' '{"p":1.125}' > in
	inlet-rescue --schema-location ck --prefers-decimal --quiet < in > /dev/null
	[ "$(type_of ck p)" = 'DECIMAL(5,3)' ]
	[ "$(type_of ck q)" = STRING ]
	[ "$(type_of ck r)" = 'DECIMAL(2,2)' ]
	batch 0 csv '{"price":"2.50"}' > in2
	inlet-rescue --schema-location ck2 --prefers-decimal --infer-column-types --quiet < in2 > /dev/null
	[ "$(type_of ck2 price)" = 'DECIMAL(3,2)' ]
}

# Spark JSON option dropFieldIfAllNull: "whether to ignore column of all
# null values or empty array/struct during schema inference".
@test "--drop-field-if-all-null: an all-null column is left out, named, and its nulls are no new column" {
	batch 0 json '{"a":1,"gone":null}' '{"a":2,"gone":""}' > in
	run --separate-stderr inlet-rescue --schema-location ck --drop-field-if-all-null < in
	assert_success
	[ "$(type_of ck gone)" = absent ]
	[[ $stderr == *"column 'gone' left out"* ]]
	[[ $stderr == *"2 values of unknown columns dropped"* ]]
	assert_line '{"a":1}'
	[ "$(ls ck/schemas)" = 0 ]
	# A real value later is a new column, as any other.
	batch 1 json '{"a":3,"gone":"now"}' > in2
	inlet-rescue --schema-location ck --drop-field-if-all-null --quiet < in2 > /dev/null
	grep -q '"gone"' ck/schemas/1
	# Without the option the column is STRING.
	inlet-rescue --schema-location ck3 --quiet < in > /dev/null
	[ "$(type_of ck3 gone)" = STRING ]
}

# Spark CSV option timestampFormat: used when inferring TIMESTAMP from text.
@test "--timestamp-format and --date-format type CSV text by their patterns" {
	batch 0 csv '{"at":"01/02/2024 10:00","d":"02.01.2024"}' > in
	inlet-rescue --schema-location ck --infer-column-types --quiet < in > /dev/null
	[ "$(type_of ck at)" = STRING ]
	[ "$(type_of ck d)" = STRING ]
	inlet-rescue --schema-location ck2 --infer-column-types --timestamp-format 'MM/dd/yyyy HH:mm' \
		--date-format 'dd.MM.yyyy' --quiet < in > /dev/null
	[ "$(type_of ck2 at)" = TIMESTAMP ]
	[ "$(type_of ck2 d)" = DATE ]
	run inlet-rescue --schema-location ck3 --timestamp-format '' < /dev/null
	assert_equal "$status" 64
}
