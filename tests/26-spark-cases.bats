#!/usr/bin/env bats
# Cases from Apache Spark's own CSV and JSON data-source tests (CSVSuite,
# JsonSuite in sql/core/src/test/scala/org/apache/spark/sql/execution/
# datasources/), translated to inlet commands.
load helpers

# ---- the schema applied by position ----

# Spark, DataFrameReader.csv / CSV data source options: "enforceSchema: If it
# is set to true, the specified or inferred schema will be forcibly applied
# to datasource files, and headers in CSV files will be ignored" -- by
# position; without a header the columns are _c0, _c1, ...
@test "--by-position types header-less _c0,_c1 columns and renames them to the schema's names" {
	printf '1,x,2021-01-02\n2,y,2021-01-03\n' > a.csv
	run --separate-stderr bash -c "inlet-parse --format csv --header false a.csv |
		inlet-cast --by-position --schema 'id INT, name STRING, d DATE' --rows-only"
	assert_success
	assert_output $'{"id":1,"name":"x","d":"2021-01-02"}\n{"id":2,"name":"y","d":"2021-01-03"}'
	[ -z "$stderr" ]
	# By name, the same rows do not match the schema: nothing is typed.
	run bash -c "inlet-parse --format csv --header false a.csv |
		inlet-cast --schema 'id INT, name STRING, d DATE' --rows-only 2>/dev/null"
	assert_line --index 0 '{"_c0":"1","_c1":"x","_c2":"2021-01-02"}'
}

@test "--by-position ignores the header's names: the schema applies in order (enforceSchema)" {
	printf 'b,a\n1,2021-05-06\n' > h.csv
	run bash -c "inlet-parse --format csv h.csv | inlet-cast --by-position --schema 'a INT, b DATE' --rows-only"
	assert_success
	assert_output '{"a":1,"b":"2021-05-06"}'
}

# CSVSuite "SPARK-20978: Fill the malformed column when the number of
# tokens is less than schema": schema "a string, b string, unparsed
# string", input "a" -> Row("a", null, "a").
@test "SPARK-20978: a short row gets nulls and, malformed, its text in the corrupt-record column" {
	printf '{"_c0":"a"}\n' > in
	run --separate-stderr inlet-cast --by-position --schema 'a STRING, b STRING, unparsed STRING' \
		--column-name-of-corrupt-record unparsed --rows-only < in
	assert_success
	assert_output '{"a":"a","b":null,"unparsed":"{\"_c0\":\"a\"}"}'
	[[ $stderr == *"1 rows had more or fewer values than the schema's columns"* ]]
}

# UnivocityParser: "If the number of tokens doesn't match the schema, we
# should treat it as a malformed record" (extra tokens are dropped from the
# partial result; inlet keeps them in _rescued_data).
@test "--by-position: too many values are malformed: rescued, dropped or fatal per --mode" {
	printf '{"_c0":1,"_c1":"x","_c2":"extra"}\n{"_c0":2,"_c1":"y"}\n' > in
	run --separate-stderr inlet-cast --by-position --schema 'id INT, name STRING' --rows-only < in
	assert_success
	assert_line --index 0 '{"id":1,"name":"x","_rescued_data":{"_c2":"extra","_file_path":null}}'
	assert_line --index 1 '{"id":2,"name":"y"}'
	[[ $stderr == *"1 rows had more or fewer values"* ]]
	run --separate-stderr inlet-cast --by-position --schema 'id INT, name STRING' --rows-only \
		--mode dropmalformed < in
	assert_success
	assert_output '{"id":2,"name":"y"}'
	run inlet-cast --by-position --schema 'id INT, name STRING' --mode failfast < in
	assert_equal "$status" 65
	assert_output --partial "record 1 (line 1 of the stream): malformed row: 3 values for the 2 columns of the schema"
	run inlet-cast --by-position --schema 'id INT, name STRING, z STRING' --mode failfast < in
	assert_equal "$status" 65
	assert_output --partial "record 2 (line 2 of the stream): malformed row: 2 values for the 3 columns"
}

@test "--by-position: _rescued_data, _metadata and the corrupt record are not values" {
	printf '%s\n' '{"_metadata":{"file_name":"a.csv"},"_c0":7,"_rescued_data":{"q":1,"_file_path":"/x"}}' > in
	run --separate-stderr inlet-cast --by-position --schema 'n INT' --rows-only < in
	assert_success
	assert_output '{"_metadata":{"file_name":"a.csv"},"n":7,"_rescued_data":{"q":1,"_file_path":"/x"}}'
	[ -z "$stderr" ]
}

# ---- patterns without separators ----

# Spark's datetime patterns follow java.time.format.DateTimeFormatter, whose
# adjacent value parsing gives "yyyyMMdd" four, two and two digits
# (CSVSuite and JsonSuite read dates with such patterns, e.g. "yyyyMMdd").
@test "patterns without separators: yyyyMMdd and yyyyMMdd HHmm read fixed widths" {
	printf '%s\n' 'd,t' '20210315,20210315 1430' '2021031,20210315 143' > a.csv
	run --separate-stderr bash -c "inlet-parse a.csv | inlet-cast --schema 'd DATE, t TIMESTAMP' \
		--date-format yyyyMMdd --timestamp-format 'yyyyMMdd HHmm' --rows-only"
	assert_success
	assert_line --index 0 '{"d":"2021-03-15","t":"2021-03-15T14:30:00Z"}'
	# Too few digits for the widths: no match, as in Spark.
	assert_line --index 1 --partial '{"d":null,"t":null,'
	run bash -c "echo '{\"t\":\"20210315143005123\"}' | inlet-cast --schema 't TIMESTAMP' \
		--timestamp-format yyyyMMddHHmmssSSS --rows-only"
	assert_output '{"t":"2021-03-15T14:30:05.123Z"}'
}

# ---- the corrupt-record column ----

# Spark keeps the original record: the row's own corrupt record wins.
@test "a row already holding the corrupt record keeps it, once, when a cast fails too" {
	printf '%s\n' '{"a":"x","_corrupt_record":"x;raw line"}' > in
	run --separate-stderr inlet-cast --schema 'a INT, _corrupt_record STRING' --rows-only < in
	assert_success
	assert_output '{"a":null,"_corrupt_record":"x;raw line"}'
	[ "$(grep -o _corrupt_record <<<"$output" | wc -l)" -eq 1 ]
	# A null one is filled, still once.
	printf '%s\n' '{"a":"x","_corrupt_record":null}' > in
	run --separate-stderr inlet-cast --schema 'a INT, _corrupt_record STRING' --rows-only < in
	assert_output '{"a":null,"_corrupt_record":"{\"a\":\"x\",\"_corrupt_record\":null}"}'
}

# CSVSuite "SPARK-18699 put malformed records in a `columnNameOfCorruptRecord`
# field" and JsonSuite: a corrupt-record column of IntegerType fails with
# "The field for corrupt records must be string type and nullable".
@test "SPARK-18699: a corrupt-record column that is not STRING is refused" {
	run inlet-cast --schema 'a INT, _corrupt_record INT' --check-options
	assert_equal "$status" 64
	assert_output --partial "the corrupt-record column '_corrupt_record' must be STRING, not INT"
	run inlet-cast --schema 'a INT, bad BIGINT' --column-name-of-corrupt-record bad < /dev/null
	assert_equal "$status" 64
	printf '%s\n' '{"_inlet":"schema","version":3,"fields":[{"name":"_corrupt_record","type":"INT"}]}' '{"_corrupt_record":1}' > in
	run inlet-cast < in
	assert_equal "$status" 65
	assert_output --partial "schema version 3: the corrupt-record column"
	refute_output --partial '{"_corrupt_record":1}'
}

# ---- dates without a pattern ----

# CSVSuite "SPARK-36536: use casting when datetime pattern is not set": with
# no dateFormat, "2021" and "2021-01 " are 2021-01-01, " 2021-2-1" is
# 2021-02-01, "2021-8-18 00:00:00" is 2021-08-18.
@test "SPARK-36536: without a pattern, 2021 and 2021-01 are the first day" {
	printf '%s\n' 'd,ts' '2021,2021' '2021-01,2021-01 ' ' 2021-2-1,2021-3-02' \
		'2021-8-18 00:00:00,2021-8-18 21:44:30Z' > t.csv
	run --separate-stderr bash -c "inlet-parse t.csv | inlet-cast --schema 'd DATE, ts TIMESTAMP' --rows-only"
	assert_success
	assert_output '{"d":"2021-01-01","ts":"2021-01-01T00:00:00Z"}
{"d":"2021-01-01","ts":"2021-01-01T00:00:00Z"}
{"d":"2021-02-01","ts":"2021-03-02T00:00:00Z"}
{"d":"2021-08-18","ts":"2021-08-18T21:44:30Z"}'
	[ -z "$stderr" ]
	# Still no date: a month without its year, a 13th month.
	run bash -c "printf 'd\n01-2021\n2021-13\n' | inlet-parse --format csv - | inlet-cast --schema 'd DATE' --rows-only 2>/dev/null"
	assert_line --index 0 --partial '"d":null'
	assert_line --index 1 --partial '"d":null'
}

# ---- integer ranges ----

# Spark's CSV reader converts a ByteType value with toByte and a ShortType
# one with toShort: "300" for TINYINT is a bad record (CSVSuite
# "SPARK-... test for DROPMALFORMED parsing mode" reads typed columns the same way).
@test "TINYINT, SMALLINT and INT are range-checked: out of range does not convert" {
	printf '%s\n' 't,s,i' '127,32767,2147483647' '-128,-32768,-2147483648' '128,32768,2147483648' '300,-32769,-2147483649' > r.csv
	run --separate-stderr bash -c "inlet-parse r.csv | inlet-cast --schema 't TINYINT, s SMALLINT, i INT' --rows-only"
	assert_success
	assert_line --index 0 '{"t":127,"s":32767,"i":2147483647}'
	assert_line --index 1 '{"t":-128,"s":-32768,"i":-2147483648}'
	assert_line --index 2 --partial '{"t":null,"s":null,"i":null,"_rescued_data":{"t":"128","s":"32768","i":"2147483648"'
	assert_line --index 3 --partial '{"t":null,"s":null,"i":null,"_rescued_data":{"t":"300","s":"-32769","i":"-2147483649"'
	[[ $stderr == *"6 values did not convert"* ]]
	run bash -c "inlet-parse r.csv | inlet-cast --schema 't TINYINT' --mode failfast"
	assert_equal "$status" 65
	assert_output --partial "cannot convert \"128\" to TINYINT (out of range)"
}

@test "TINYINT and SMALLINT keep their names in the schema record (BYTE and SHORT are the same)" {
	run bash -c "echo '{\"a\":1}' | inlet-cast --schema 'a TINYINT, b SMALLINT, c BYTE, d SHORT'"
	assert_line --partial '"fields":[{"name":"a","type":"TINYINT"},{"name":"b","type":"SMALLINT"},{"name":"c","type":"TINYINT"},{"name":"d","type":"SMALLINT"}]'
}

# ---- a delimiter outside ASCII ----

# CSVSuite "SPARK-... non-ASCII delimiter": Spark reads
# .option("sep", "\u00fe") (the thorn, UTF-8 c3 be) as one character.
@test "a one-character delimiter outside ASCII (þ) splits fields, and stays text inside quotes" {
	printf 'aþb\n1þ"x þ y"\n2þ"q\nr"\n3þ\n' > w.csv
	run --separate-stderr inlet-parse --delimiter þ --rows-only w.csv
	assert_success
	assert_output $'{"a":"1","b":"x \xc3\xbe y"}\n{"a":"2","b":"q\\nr"}\n{"a":"3","b":null}'
	[[ $stderr != *"malformed"* ]]
	# A four-byte character, and a malformed row's raw text keeps the bytes.
	printf 'a😀b\n1😀2😀3\n' > e.csv
	run --separate-stderr inlet-parse --delimiter 😀 --rows-only e.csv
	assert_output '{"a":"1","b":"2","_corrupt_record":"1😀2😀3"}'
	# Two characters are a multi-character sep (Spark 3; tests/19-csv-options);
	# bytes that are not UTF-8 are refused.
	run inlet-parse --delimiter þþ --check-options
	assert_success
	run inlet-parse --delimiter $'\xc3\xc3' --check-options
	assert_equal "$status" 64
	assert_output --partial "expected 1 to 16 bytes of UTF-8 text"
	run inlet-parse --delimiter $'\xc3' --format csv --check-options
	assert_success	# one byte, as before: not UTF-8, but one byte
}

@test "a non-ASCII delimiter: a 0xff byte of the text is no delimiter, the row is malformed" {
	printf 'aþb\n1\xff2þ3\n' > f.csv
	run --separate-stderr inlet-parse --delimiter þ --rows-only f.csv
	assert_success
	assert_line --index 0 --partial '"b":"3","_corrupt_record":'
	refute_line --partial '"a":"1"'
}

# ---- the corrupt record is the file's bytes ----

# Spark's multiLine JSON reader reads each file as one record: a file that
# does not parse is the corrupt record as a whole (JsonSuite "SPARK-18352:
# Handle multi-line corrupt documents (PERMISSIVE)").
@test "SPARK-18352: --multiline JSON: the corrupt record keeps the file's final newline" {
	printf '{"a":\n1\n' > m.json
	run --separate-stderr inlet-parse --multiline --rows-only m.json
	assert_output '{"_corrupt_record":"{\"a\":\n1\n"}'
	printf '{"a":\n1' > n.json
	run --separate-stderr inlet-parse --multiline --rows-only n.json
	assert_output '{"_corrupt_record":"{\"a\":\n1"}'
}

@test "an unterminated quote at the end of a CSV file: the record is the file's bytes, no invented newline" {
	printf 'a,b\n1,"x\ny' > u.csv
	run --separate-stderr inlet-parse --rows-only u.csv
	assert_output '{"a":"1","b":"x\ny","_corrupt_record":"1,\"x\ny"}'
	printf 'a,b\r\n1,"x\r\ny\r\n' > v.csv
	run --separate-stderr inlet-parse --rows-only v.csv
	assert_output '{"a":"1","b":"x\r\ny\r\n","_corrupt_record":"1,\"x\r\ny\r\n"}'
}

# ---- integers beyond BIGINT ----

# CSVSuite "SPARK-19610: Parse normal multi-line CSV files" and
# CSVInferSchema.tryParseDecimal: 92233720368547758070 is DECIMAL(20,0);
# JsonSuite "Primitive field and type inferring" (bigInteger):
# DecimalType(20, 0).
@test "integers beyond BIGINT are inferred as DECIMAL(20,0), from CSV and from JSON" {
	printf 'big,small\n92233720368547758070,1\n' > b.csv
	run bash -c "inlet-parse b.csv | inlet-rescue --schema-location sl --infer-column-types 2>/dev/null | grep '\"_inlet\":\"schema\"'"
	assert_output --partial '{"name":"big","type":"DECIMAL(20,0)"},{"name":"small","type":"INT"}'
	printf '{"big":92233720368547758070,"small":1}\n' > b.json
	run bash -c "inlet-parse b.json | inlet-rescue --schema-location sl2 2>/dev/null | grep '\"_inlet\":\"schema\"'"
	assert_output --partial '{"name":"big","type":"DECIMAL(20,0)"},{"name":"small","type":"BIGINT"}'
}

# ---- the composites apply a header-less CSV schema by position ----

@test "copy-into and ctas with --header false and --schema type the _c0.. columns by position" {
	mkdir land
	printf '1,x,2021-01-02\n2,y,2021-01-03\n' > land/a.csv
	run inlet copy-into --db c.db --table t --format csv --header false \
		--schema 'id INT, name STRING, d DATE' land
	assert_success
	assert_equal "$(sql c.db "select typeof(id), id, name, d from t order by id")" \
		$'integer|1|x|2021-01-02\ninteger|2|y|2021-01-03'
	run inlet ctas --db k.db --table t --format csv --header false \
		--schema 'id INT, name STRING, d DATE' land/a.csv
	assert_success
	assert_equal "$(sql k.db "select typeof(id), id, name, d from t order by id")" \
		$'integer|1|x|2021-01-02\ninteger|2|y|2021-01-03'
	# With a header the SELECT list's schema matches by name, as before.
	printf 'name,id\nz,3\n' > land/b.csv
	run inlet ctas --db h.db --table t --format csv --schema 'id INT, name STRING' land/b.csv
	assert_success
	assert_equal "$(sql h.db "select id, name from t")" '3|z'
}

# Databricks Auto Loader options: enforceSchema "is ignored by default when
# using Auto Loader to rescue data and allow schema evolution" (default true
# in Spark's reader).
@test "autoload: -o enforceSchema=true and -o header=false apply --schema by position" {
	mkdir land
	printf 'x,y\n1,a\n' > land/h.csv
	run inlet autoload -c ck1 --db a.db --table t -o enforceSchema=true --schema 'id INT, name STRING' land
	assert_success
	assert_equal "$(sql a.db "select typeof(id), id, name from t")" 'integer|1|a'
	run inlet autoload -c ck2 --db b.db --table t -o header=false --schema 'id INT, name STRING' land
	assert_success
	assert_equal "$(sql b.db "select id, name from t order by rowid")" $'|y\n1|a'
	# By default by name: the header's x, y are no schema columns.
	run inlet autoload -c ck3 --db n.db --table t --schema 'id INT, name STRING' land
	assert_success
	assert_equal "$(sql n.db "select count(*) from t where id is null and name is null")" 1
	run inlet autoload -c ck4 --db m.db --table t -o enforceSchema=maybe --schema 'id INT' land
	assert_equal "$status" 64
}

# Spark: partition columns come from the path and follow the data columns
# (partition discovery); a positional schema applies to the data columns only.
@test "--by-position leaves partition columns out of the positions" {
	mkdir -p land/date=2024-01-01
	printf '1,a\n2,b\n' > land/date=2024-01-01/x.csv
	run bash -c 'inlet-discover --no-checkpoint land | inlet-parse --header false | inlet-cast --by-position --schema "id INT, name STRING" --rows-only'
	assert_success
	assert_output $'{"id":1,"name":"a","date":"2024-01-01"}\n{"id":2,"name":"b","date":"2024-01-01"}'
}
