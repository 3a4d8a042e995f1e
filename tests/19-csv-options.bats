#!/usr/bin/env bats
# Spark's CSV and text reader options in inlet-parse and inlet-cast, and
# through the composites.  Each follows
# https://spark.apache.org/docs/latest/sql-data-sources-csv.html (CSV) or
# https://spark.apache.org/docs/latest/sql-data-sources-text.html (text) or
# https://docs.databricks.com/en/ingestion/file-metadata-column.html (_metadata).
load helpers

# Spark CSV doc, nanValue / positiveInf / negativeInf: "Sets the string
# representation of a non-number value" (default NaN), "of a positive
# infinity value" (Inf), "of a negative infinity value" (-Inf).
@test "cast: nanValue, positiveInf, negativeInf read a DOUBLE column's texts, written as JSON strings" {
	printf 'x,n\nNaN,1\nInf,2\n-Inf,3\n1.5,4\nInfinity,5\n' > d.csv
	run inlet-parse -q d.csv
	run inlet-cast --schema 'x DOUBLE, n INT' <<<"$output"
	assert_success
	assert_line '{"x":"NaN","n":1}'
	assert_line '{"x":"Infinity","n":2}'
	assert_line '{"x":"-Infinity","n":3}'
	assert_line '{"x":1.5,"n":4}'
	# Not one of the three texts: not a number, rescued.
	assert_line --partial '{"x":null,"n":5,"_rescued_data":{"x":"Infinity"'
	# Another column type keeps the text as it would without the options.
	run inlet-parse -q d.csv
	run inlet-cast --schema 'x STRING, n INT' <<<"$output"
	assert_line '{"x":"Inf","n":2}'
}

@test "cast: --nan-value, --positive-inf, --negative-inf replace the defaults" {
	printf 'x\nnan\n+inf\nminus\nNaN\n' > d.csv
	run inlet-parse -q d.csv
	run inlet-cast --nan-value nan --positive-inf +inf --negative-inf minus \
		--schema 'x DOUBLE' <<<"$output"
	assert_line '{"x":"NaN"}'
	assert_line '{"x":"Infinity"}'
	assert_line '{"x":"-Infinity"}'
	# The default text no longer reads as NaN.
	assert_line --partial '{"x":null,"_rescued_data":{"x":"NaN"'
	# JSON rows are JSON's: --nan-value is CSV's; Spark's JacksonParser
	# takes "NaN" itself (allowNonNumericNumbers), not the CSV texts.
	batch 0 '{"_inlet":"file","batch":0,"path":"/land/f.json","format":"json"}' '{"x":"NaN"}' '{"x":"nan"}' > in
	run inlet-cast --nan-value nan --schema 'x DOUBLE' < in
	assert_success
	assert_line '{"x":"NaN"}'
	assert_line --partial '{"x":null,"_rescued_data":{"x":"nan"'
}

# Spark CSV doc, emptyValue: "Sets the string representation of an empty value."
@test "parse: --empty-value is what a quoted empty value reads as; an unquoted empty one stays null" {
	printf 'a,b\n"",x\n,y\n"z",""\n' > e.csv
	run inlet-parse --empty-value EMPTY e.csv
	assert_success
	assert_line '{"a":"EMPTY","b":"x"}'
	assert_line '{"a":null,"b":"y"}'
	assert_line '{"a":"z","b":"EMPTY"}'
	run inlet-parse e.csv
	assert_line '{"a":"","b":"x"}'
}

# Spark CSV doc, maxColumns: "Defines a hard limit of how many columns a
# record can have" (default 20480).
@test "parse: --max-columns makes a record with more fields malformed, as --mode says" {
	printf 'a,b\n1,2\n' > ok.csv
	printf 'a,b,c\n1,2,3\n' > wide.csv
	run inlet-parse --max-columns 2 ok.csv
	assert_line '{"a":"1","b":"2"}'
	run inlet-parse --header false --max-columns 2 wide.csv
	refute_line --partial '"_c2"'
	assert_line '{"_c0":"1","_c1":"2","_corrupt_record":"1,2,3"}'
	run inlet-parse --header false --max-columns 2 --mode failfast wide.csv
	assert_equal "$status" 65
	assert_output --partial 'more than 2 fields (--max-columns)'
	run inlet-parse --header false --max-columns 3 wide.csv
	assert_line '{"_c0":"1","_c1":"2","_c2":"3"}'
	run inlet-parse --max-columns 0 ok.csv
	assert_equal "$status" 64
}

# Spark CSV doc, maxCharsPerColumn: "Defines the maximum number of
# characters allowed for any given value being read" (default -1: unlimited).
@test "parse: --max-chars-per-column counts characters; a longer value is malformed" {
	printf 'a,b\nabc,\xc3\xa9\xc3\xa9\xc3\xa9\nabcd,x\n"a,bc",y\n' > l.csv
	run inlet-parse --max-chars-per-column 3 l.csv
	assert_success
	assert_line '{"a":"abc","b":"ééé"}'
	assert_line --partial '"_corrupt_record":"abcd,x"'
	assert_line --partial '"_corrupt_record":"\"a,bc\",y"'
	run inlet-parse --max-chars-per-column 3 --mode failfast l.csv
	assert_equal "$status" 65
	assert_output --partial 'field 1 longer than 3 characters'
	run inlet-parse --max-chars-per-column -1 l.csv
	assert_line '{"a":"abcd","b":"x"}'
	run inlet-parse --max-chars-per-column 0 l.csv
	assert_equal "$status" 64
}

# Spark CSV doc, unescapedQuoteHandling: STOP_AT_CLOSING_QUOTE,
# BACK_TO_DELIMITER, STOP_AT_DELIMITER, SKIP_VALUE, RAISE_ERROR.
@test "parse: --unescaped-quote-handling raise_error; the others are refused with the reason" {
	printf 'a,b\nx"y,2\n"ok",3\n' > q.csv
	run inlet-parse q.csv
	assert_line '{"a":"x\"y","b":"2"}'
	run inlet-parse --unescaped-quote-handling RAISE_ERROR q.csv
	assert_line '{"_corrupt_record":"x\"y,2"}'
	assert_line '{"a":"ok","b":"3"}'
	run inlet-parse --unescaped-quote-handling raise_error --mode failfast q.csv
	assert_equal "$status" 65
	assert_output --partial 'a quote inside an unquoted value'
	for how in STOP_AT_CLOSING_QUOTE BACK_TO_DELIMITER STOP_AT_DELIMITER SKIP_VALUE; do
		run inlet-parse --unescaped-quote-handling "$how" q.csv
		assert_equal "$status" 64
		assert_output --partial "$how is not supported: inlet's CSV reader (libcsv)"
	done
	run inlet-parse --unescaped-quote-handling nonsense q.csv
	assert_equal "$status" 64
}

# Spark CSV doc, sep: "Sets a separator for each field and value. This
# separator can be one or more characters."
@test "parse: a multi-character --delimiter splits on the whole sequence; quoted it is text" {
	printf 'a||b\n1||"x||y"\n3|||4\n5|6||7\n' > m.csv
	run inlet-parse -d '||' m.csv
	assert_success
	assert_line '{"a":"1","b":"x||y"}'
	assert_line '{"a":"3","b":"|4"}'
	assert_line '{"a":"5|6","b":"7"}'
	printf 'a\xc3\xbe\xc3\xbeb\n1\xc3\xbe\xc3\xbe2\n' > u.csv
	run inlet-parse -d $'\xc3\xbe\xc3\xbe' u.csv
	assert_line '{"a":"1","b":"2"}'
	run inlet-parse -d '|"' m.csv
	assert_equal "$status" 64
}

# Spark text doc, wholetext: "If true, read each file from input path(s)
# as a single row."
@test "parse: --whole-text makes each text file one row, an empty one too" {
	printf 'l1\nl2\r\n\nl4' > w.txt
	: > e.txt
	run inlet-parse --whole-text w.txt e.txt
	assert_success
	assert_equal "$(rows)" "$(printf '%s\n' '{"value":"l1\nl2\r\n\nl4"}' '{"value":""}')"
	run inlet-parse --whole-text --max-record-bytes 4 --mode failfast w.txt
	assert_equal "$status" 65
}

# Databricks file metadata column: file_block_start and file_block_length.
@test "parse: --metadata gives file_block_start 0 and file_block_length the file's size" {
	printf 'a\n1\n2\n' > t.csv
	run inlet-parse --metadata t.csv
	run jq -c 'select(._inlet == null) | ._metadata | [.file_block_start, .file_block_length, .file_size]' <<<"$output"
	assert_output "$(printf '[0,6,6]\n[0,6,6]')"
}

# Spark CSV doc, samplingRatio: "Defines fraction of rows used for schema inferring."
@test "autoload: samplingRatio is refused with the reason before anything runs" {
	mkdir land
	printf 'a\n1\n' > land/a.csv
	run inlet autoload -c ck --db t.db --table t -o samplingRatio=0.5 land
	assert_equal "$status" 64
	assert_output --partial 'not supported: inlet infers the schema from whole sample files'
	[ ! -e ck/offsets/0 ]
}

@test "autoload -o: emptyValue, maxColumns, maxCharsPerColumn, nanValue, sep '||' reach the stages" {
	mkdir land
	printf 'a||b||x\n""||1||NaN\nlong||2||inf\n1||2||3||4\n' > land/a.csv
	run inlet autoload -c ck --db t.db --table t -q -s 'a STRING, b INT, x DOUBLE' \
		-o sep='||' -o emptyValue=E -o maxColumns=3 -o maxCharsPerColumn=3 \
		-o positiveInf=inf -o mode=DROPMALFORMED land
	assert_success
	run sql t.db "SELECT a, b, x, typeof(x) FROM t ORDER BY b"
	# SQLite keeps the JSON string "NaN" as text in the REAL column.
	assert_output "$(printf 'E|1|NaN|text')"
	run inlet autoload -c ck2 --db t.db --table t2 -o maxColumns=zero land
	assert_equal "$status" 64
	[ ! -e ck2/offsets/0 ]
	run inlet autoload -c ck3 --db t.db --table t3 -o unescapedQuoteHandling=SKIP_VALUE land
	assert_equal "$status" 64
	[ ! -e ck3/offsets/0 ]
}

@test "autoload -o wholetext=true: each text file one row" {
	mkdir land
	printf 'l1\nl2\n' > land/a.txt
	run inlet autoload -c ck --db t.db --table t -q -o cloudFiles.format=text -o wholetext=true land
	assert_success
	run sql t.db "SELECT count(*), value = char(108,49,10,108,50,10) FROM t"
	assert_output '1|1'
}

@test "ctas and copy-into: the CSV flags reach parse and cast" {
	mkdir src
	printf 'a;;x\n"";;-Inf\nabcde;;1\n' > src/p.csv
	run inlet ctas --db t.db --table c -q -d ';;' --empty-value E --max-chars-per-column 4 \
		--mode dropmalformed --negative-inf -Inf --schema 'a STRING, x DOUBLE' src/p.csv
	assert_success
	# A REAL infinity in SQLite (inlet-commit(1)), which sqlite3 prints -Inf.
	run sql t.db "SELECT a, x, typeof(x) FROM c"
	assert_output 'E|-Inf|real'
	run inlet copy-into --db t.db --table k -q -d ';;' --max-columns 1 --mode failfast src
	assert_equal "$status" 65
	assert_output --partial 'more than 1 fields (--max-columns)'
	run inlet ctas --db t.db --table n --nan-value x src/p.csv
	assert_equal "$status" 64
	assert_output --partial '--nan-value needs --schema'
	mkdir txt
	printf 'a\nb\n' > txt/w.txt
	run inlet copy-into --db t.db --table w -q --whole-text txt
	assert_success
	run sql t.db "SELECT count(*) FROM w"
	assert_output '1'
}
