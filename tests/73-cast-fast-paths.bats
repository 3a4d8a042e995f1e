#!/usr/bin/env bats
# inlet-cast: the values a typed feed holds are checked the short way (an
# integer's digits, a decimal's digits either side of its point, a
# timestamp's fixed places, a member named as the next column); everything
# else takes the general conversion.  These rows sit on each side of every
# short cut: what each gives is written out here, from the rules below, not
# copied from a run.
#
# Ranges: Spark SQL data types (docs/sql-ref-datatypes): IntegerType is
# -2147483648 to 2147483647, LongType -9223372036854775808 to
# 9223372036854775807; a JSON integer outside is a bad record, as Spark's
# JSON reader fails on it (JacksonParser reads INT/BIGINT from a JSON
# integer only: a JSON string is a mismatch, tests/25-cast-json-strings).
# DecimalType(p,s) rounds half up to s digits (Decimal.changePrecision,
# ROUND_HALF_UP) and a value over p digits does not fit.  Timestamps: the
# Proleptic Gregorian calendar (Spark 3.0 migration guide), so 2024-02-29
# is a day and 2023-02-29, 1900-02-29, 24:00:00 are not; "Spark supports
# datetime of micro-of-second precision, which has up to 6 significant
# digits, but can parse nano-of-second with exceeded part truncated"
# (docs/sql-ref-datetime-pattern).  A value that does not convert is null
# and rescued (Databricks, "What is the rescued data column?").  inlet's
# own choices are inlet-cast(1)'s: integral numbers convert to integers,
# output is canonical text (-0 is 0, 0.5 is 0.50 for DECIMAL(10,2), UTC
# timestamps with the fraction's trailing zeros dropped).
load helpers

S='b BIGINT, i INT, d DECIMAL(10,2), t TIMESTAMP, s STRING'

# json_file FORMAT ROW...: one batch of a file parse read as FORMAT.
json_file() {
	local fmt=$1; shift
	echo '{"_inlet":"begin","batch":0}'
	echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"/land/f.$fmt\",\"format\":\"$fmt\"}"
	for r in "$@"; do echo "$r"; done
	echo '{"_inlet":"end","batch":0}'
}

@test "integers at the limits of BIGINT and INT pass as they are; one beyond is rescued" {
	json_file json \
		'{"b":9223372036854775807,"i":2147483647}' \
		'{"b":-9223372036854775808,"i":-2147483648}' \
		'{"b":9223372036854775808,"i":2147483648}' \
		'{"b":-9223372036854775809,"i":-2147483649}' \
		'{"b":9223372036854775799,"i":2147483639}' \
		'{"b":9223372036854775817,"i":2147483657}' \
		'{"b":10000000000000000000,"i":10000000000}' \
		'{"b":999999999999999999,"i":999999999}' \
		'{"b":1000000000000000000,"i":1000000000}' > in
	run --separate-stderr inlet-cast --schema 'b BIGINT, i INT' --rows-only < in
	assert_success
	assert_equal "$output" '{"b":9223372036854775807,"i":2147483647}
{"b":-9223372036854775808,"i":-2147483648}
{"b":null,"i":null,"_rescued_data":{"b":9223372036854775808,"i":2147483648,"_file_path":"/land/f.json"}}
{"b":null,"i":null,"_rescued_data":{"b":-9223372036854775809,"i":-2147483649,"_file_path":"/land/f.json"}}
{"b":9223372036854775799,"i":2147483639}
{"b":null,"i":null,"_rescued_data":{"b":9223372036854775817,"i":2147483657,"_file_path":"/land/f.json"}}
{"b":null,"i":null,"_rescued_data":{"b":10000000000000000000,"i":10000000000,"_file_path":"/land/f.json"}}
{"b":999999999999999999,"i":999999999}
{"b":1000000000000000000,"i":1000000000}'
	assert_equal "$stderr" "inlet-cast: 8 values did not convert; 0 rows dropped"
}

@test "TINYINT and SMALLINT limits, and the digit count of each type's limit" {
	run --separate-stderr inlet-cast --schema 'a TINYINT, b SMALLINT' --rows-only <<'R'
{"a":127,"b":32767}
{"a":-128,"b":-32768}
{"a":128,"b":32768}
{"a":-129,"b":-32769}
{"a":99,"b":9999}
{"a":100,"b":10000}
{"a":-100,"b":-10000}
R
	assert_success
	assert_equal "$output" '{"a":127,"b":32767}
{"a":-128,"b":-32768}
{"a":null,"b":null,"_rescued_data":{"a":128,"b":32768,"_file_path":null}}
{"a":null,"b":null,"_rescued_data":{"a":-129,"b":-32769,"_file_path":null}}
{"a":99,"b":9999}
{"a":100,"b":10000}
{"a":-100,"b":-10000}'
	assert_equal "$stderr" "inlet-cast: 4 values did not convert; 0 rows dropped"
}

@test "integers not in their canonical form convert to it; strings in JSON rows are rescued" {
	json_file json \
		'{"b":-0,"i":-0}' \
		'{"b":1e3,"i":1E2}' \
		'{"b":1.0,"i":2.5}' \
		'{"b":"007","i":"+1"}' \
		'{"b":"12","i":"-0"}' \
		'{"b":true,"i":null}' > in
	run --separate-stderr inlet-cast --schema 'b BIGINT, i INT' --rows-only < in
	assert_success
	assert_equal "$output" '{"b":0,"i":0}
{"b":1000,"i":100}
{"b":1,"i":null,"_rescued_data":{"i":2.5,"_file_path":"/land/f.json"}}
{"b":null,"i":null,"_rescued_data":{"b":"007","i":"+1","_file_path":"/land/f.json"}}
{"b":null,"i":null,"_rescued_data":{"b":"12","i":"-0","_file_path":"/land/f.json"}}
{"b":null,"i":null,"_rescued_data":{"b":true,"_file_path":"/land/f.json"}}'
	assert_equal "$stderr" "inlet-cast: 6 values did not convert; 0 rows dropped"
}

@test "in CSV rows numeric strings convert, leading zeros and signs dropped" {
	json_file csv \
		'{"b":"9223372036854775807","i":"007","d":"+1.5"}' \
		'{"b":"-0","i":"00","d":"-0.00"}' \
		'{"b":" 1","i":"1 ","d":" 1.10"}' \
		'{"b":"9223372036854775808","i":"1.0","d":"1."}' \
		'{"b":"-","i":"","d":"0.1a"}' > in
	run --separate-stderr inlet-cast --schema 'b BIGINT, i INT, d DECIMAL(10,2)' --rows-only < in
	assert_success
	assert_equal "$output" '{"b":9223372036854775807,"i":7,"d":1.50}
{"b":0,"i":0,"d":0.00}
{"b":1,"i":1,"d":1.10}
{"b":null,"i":1,"d":1.00,"_rescued_data":{"b":"9223372036854775808","_file_path":"/land/f.csv"}}
{"b":null,"i":null,"d":null,"_rescued_data":{"b":"-","i":"","d":"0.1a","_file_path":"/land/f.csv"}}'
	assert_equal "$stderr" "inlet-cast: 4 values did not convert; 0 rows dropped"
}

@test "DECIMAL: exact digits pass, others round half up, too many digits either side are rescued" {
	run --separate-stderr inlet-cast --schema 'd DECIMAL(10,2), e DECIMAL(3,3), z DECIMAL(5,0)' --rows-only <<'R'
{"d":12345678.99,"e":0.123,"z":12345}
{"d":-12345678.99,"e":-0.999,"z":-12345}
{"d":123456789.99,"e":1.000,"z":123456}
{"d":99999999.995,"e":0.1234,"z":12345.4}
{"d":12345678.999,"e":0.1235,"z":12345.5}
{"d":-0.00,"e":-0.000,"z":-0}
{"d":0.005,"e":0.0005,"z":0.5}
{"d":1.5,"e":0.1,"z":1.0}
{"d":1E+1,"e":1e-3,"z":1e4}
{"d":"12.345","e":"0.5","z":"7"}
{"d":-0.01,"e":0.001,"z":0}
R
	assert_success
	assert_equal "$output" '{"d":12345678.99,"e":0.123,"z":12345}
{"d":-12345678.99,"e":-0.999,"z":-12345}
{"d":null,"e":null,"z":null,"_rescued_data":{"d":123456789.99,"e":1.000,"z":123456,"_file_path":null}}
{"d":null,"e":0.123,"z":12345,"_rescued_data":{"d":99999999.995,"_file_path":null}}
{"d":12345679.00,"e":0.124,"z":12346}
{"d":0.00,"e":0.000,"z":0}
{"d":0.01,"e":0.001,"z":1}
{"d":1.50,"e":0.100,"z":1}
{"d":10.00,"e":0.001,"z":10000}
{"d":12.35,"e":0.500,"z":7}
{"d":-0.01,"e":0.001,"z":0}'
	assert_equal "$stderr" "inlet-cast: 4 values did not convert; 0 rows dropped"
}

@test "TIMESTAMP: the canonical form passes, other spellings convert, impossible times are rescued" {
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' --rows-only <<'R'
{"t":"2024-02-29T23:59:59Z"}
{"t":"2023-02-29T00:00:00Z"}
{"t":"1900-02-29T00:00:00Z"}
{"t":"2000-02-29T00:00:00Z"}
{"t":"2024-04-31T00:00:00Z"}
{"t":"2024-12-31T24:00:00Z"}
{"t":"2024-12-31T23:60:00Z"}
{"t":"2024-12-31T23:59:60Z"}
{"t":"2024-13-01T00:00:00Z"}
{"t":"2024-00-01T00:00:00Z"}
{"t":"2024-01-00T00:00:00Z"}
{"t":"2024-01-01T00:00:00.5Z"}
{"t":"2024-01-01T00:00:00.50Z"}
{"t":"2024-01-01T00:00:00.05Z"}
{"t":"2024-01-01T00:00:00.123Z"}
{"t":"2024-01-01T00:00:00.1234Z"}
{"t":"2024-01-01T00:00:00.12345Z"}
{"t":"2024-01-01T00:00:00.123456Z"}
{"t":"2024-01-01T00:00:00.1234567Z"}
{"t":"2024-01-01T00:00:00.12345678Z"}
{"t":"2024-01-01T00:00:00.123456789Z"}
{"t":"2024-01-01T00:00:00.000000Z"}
{"t":"2024-01-01T00:00:00.Z"}
{"t":"2024-01-01T00:00:00+02:00"}
{"t":"2024-01-01T00:00:00-05:30"}
{"t":"2024-01-01T00:00:00.5+01:00"}
{"t":"2024-01-01 00:00:00"}
{"t":"2024-01-01T00:00:0\u0030Z"}
{"t":"2024/01/01T00:00:00Z"}
{"t":"2024-01-01T00-00-00Z"}
{"t":"2O24-01-01T00:00:00Z"}
{"t":"0000-01-01T00:00:00Z"}
{"t":"0001-01-01T00:00:00Z"}
{"t":"9999-12-31T23:59:59.999999Z"}
{"t":1704067200}
{"t":null}
R
	assert_success
	assert_equal "$output" '{"t":"2024-02-29T23:59:59Z"}
{"t":null,"_rescued_data":{"t":"2023-02-29T00:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"1900-02-29T00:00:00Z","_file_path":null}}
{"t":"2000-02-29T00:00:00Z"}
{"t":null,"_rescued_data":{"t":"2024-04-31T00:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-12-31T24:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-12-31T23:60:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-12-31T23:59:60Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-13-01T00:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-00-01T00:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-01-00T00:00:00Z","_file_path":null}}
{"t":"2024-01-01T00:00:00.5Z"}
{"t":"2024-01-01T00:00:00.5Z"}
{"t":"2024-01-01T00:00:00.05Z"}
{"t":"2024-01-01T00:00:00.123Z"}
{"t":"2024-01-01T00:00:00.1234Z"}
{"t":"2024-01-01T00:00:00.12345Z"}
{"t":"2024-01-01T00:00:00.123456Z"}
{"t":"2024-01-01T00:00:00.123456Z"}
{"t":"2024-01-01T00:00:00.123456Z"}
{"t":"2024-01-01T00:00:00.123456Z"}
{"t":"2024-01-01T00:00:00Z"}
{"t":null,"_rescued_data":{"t":"2024-01-01T00:00:00.Z","_file_path":null}}
{"t":"2023-12-31T22:00:00Z"}
{"t":"2024-01-01T05:30:00Z"}
{"t":"2023-12-31T23:00:00.5Z"}
{"t":"2024-01-01T00:00:00Z"}
{"t":"2024-01-01T00:00:00Z"}
{"t":null,"_rescued_data":{"t":"2024/01/01T00:00:00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2024-01-01T00-00-00Z","_file_path":null}}
{"t":null,"_rescued_data":{"t":"2O24-01-01T00:00:00Z","_file_path":null}}
{"t":"0000-01-01T00:00:00Z"}
{"t":"0001-01-01T00:00:00Z"}
{"t":"9999-12-31T23:59:59.999999Z"}
{"t":"2024-01-01T00:00:00Z"}
{"t":null}'
	assert_equal "$stderr" "inlet-cast: 13 values did not convert; 0 rows dropped"
}

@test "a canonical timestamp is UTC whatever --time-zone says; text without an offset is not" {
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' --time-zone Europe/Paris --rows-only <<'R'
{"t":"2024-07-01T12:00:00Z"}
{"t":"2024-07-01T12:00:00.25Z"}
{"t":"2024-07-01T12:00:00"}
R
	assert_success
	assert_equal "$output" '{"t":"2024-07-01T12:00:00Z"}
{"t":"2024-07-01T12:00:00.25Z"}
{"t":"2024-07-01T10:00:00Z"}'
	# With a pattern the text is read by it, the canonical form too.
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' --timestamp-format 'yyyy-MM-dd HH:mm' --rows-only <<'R'
{"t":"2024-07-01T12:00:00Z"}
{"t":"2024-07-01 12:00"}
R
	assert_success
	assert_equal "$output" '{"t":null,"_rescued_data":{"t":"2024-07-01T12:00:00Z","_file_path":null}}
{"t":"2024-07-01T12:00:00Z"}'
}

@test "members by name whatever their order, spelling or number; the row's own columns stay" {
	run --separate-stderr inlet-cast --schema "$S" --rows-only <<'R'
{"b":1,"i":2,"d":3.00,"t":"2024-01-01T00:00:00Z","s":"x"}
{"t":"2024-03-01T00:00:00Z","s":"a","d":1.00,"i":3,"b":4}
{"\u0062":5,"i":1,"d\u0022":2}
{"b":1,"zz":2,"i":3,"d":0.5}
{"b":1}
{}
{"s":"dup","s":"dup2","b":1,"b":2.0}
{"b" : 1 , "i" : 2 , "d" : 3.00 , "t" : "2024-04-30T12:00:59Z" , "s" : "sp" }
{"b":1,"s":12.50,"i":"3"}
{"b":2,"i":"y","_rescued_data":{"q":1,"_file_path":"/old"}}
{"b":1,"_corrupt_record":"raw","i":"bad"}
{"b":1,"_corrupt_record":null,"i":2}
{"b":1,"_metadata":{"file_path":"p"},"i":"z"}
R
	assert_success
	assert_equal "$output" '{"b":1,"i":2,"d":3.00,"t":"2024-01-01T00:00:00Z","s":"x"}
{"t":"2024-03-01T00:00:00Z","s":"a","d":1.00,"i":3,"b":4}
{"\u0062":5,"i":1,"d\u0022":2}
{"b":1,"zz":2,"i":3,"d":0.50}
{"b":1}
{}
{"s":"dup","s":"dup2","b":1,"b":2}
{"b" : 1 , "i" : 2 , "d" : 3.00 , "t" : "2024-04-30T12:00:59Z" , "s" : "sp" }
{"b":1,"s":"12.50","i":null,"_rescued_data":{"i":"3","_file_path":null}}
{"b":2,"i":null,"_rescued_data":{"i":"y","q":1,"_file_path":null}}
{"b":1,"_corrupt_record":"raw","i":null,"_rescued_data":{"i":"bad","_file_path":null}}
{"b":1,"i":2,"_corrupt_record":null}
{"b":1,"_metadata":{"file_path":"p"},"i":null,"_rescued_data":{"i":"z","_file_path":null}}'
	assert_equal "$stderr" "inlet-cast: 4 values did not convert; 0 rows dropped"
}

@test "with the corrupt-record column declared a bad row keeps its text there; failfast names the value" {
	json_file json '{"b":9223372036854775807,"t":"2024-02-29T00:00:00Z"}' \
		'{"b":9223372036854775808,"t":"2024-02-29T00:00:00Z"}' > in
	run --separate-stderr inlet-cast --schema "b BIGINT, t TIMESTAMP, _corrupt_record STRING" --rows-only < in
	assert_success
	assert_equal "$output" '{"b":9223372036854775807,"t":"2024-02-29T00:00:00Z"}
{"b":null,"t":"2024-02-29T00:00:00Z","_corrupt_record":"{\"b\":9223372036854775808,\"t\":\"2024-02-29T00:00:00Z\"}"}'
	# The column declared among the others, in the row in its place: still
	# the row's own corrupt record (null: none, written last), not a value.
	run --separate-stderr inlet-cast --schema 'b BIGINT, _corrupt_record STRING, i INT' --rows-only <<'R'
{"b":1,"_corrupt_record":null,"i":2}
{"b":1,"_corrupt_record":null,"i":"x"}
{"b":1,"_corrupt_record":"kept","i":"x"}
R
	assert_success
	assert_equal "$output" '{"b":1,"i":2,"_corrupt_record":null}
{"b":1,"i":null,"_corrupt_record":"{\"b\":1,\"_corrupt_record\":null,\"i\":\"x\"}"}
{"b":1,"_corrupt_record":"kept","i":null}'
	assert_equal "$stderr" "inlet-cast: 2 values did not convert; 0 rows dropped"
	run inlet-cast --schema "b BIGINT, t TIMESTAMP" --mode failfast < in
	assert_equal "$status" 65
	assert_output --partial "'/land/f.json' record 2 (line 4 of the stream): column 'b': cannot convert 9223372036854775808 to BIGINT (out of range)"
}
