#!/usr/bin/env bats
# inlet-parse: Spark's reader defaults for escapes, line separators and
# character sets.  CSV options follow Spark's "CSV Files" data source page
# (https://spark.apache.org/docs/latest/sql-data-sources-csv.html), JSON
# ones its "JSON Files" page
# (https://spark.apache.org/docs/latest/sql-data-sources-json.html), text
# its "Text Files" page
# (https://spark.apache.org/docs/latest/sql-data-sources-text.html).
load helpers

# ---- escape ----

# CSV page, escape: "Sets a single character used for escaping quotes
# inside an already quoted value", default \ ; Spark's writer escapes a
# quote the same way (escapeQuotes, default true).
@test "csv escape: a quote escaped with a backslash loads by default, as Spark writes it" {
	printf 'name,n\n"Bo \\"Jr\\"",1\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_success
	assert_equal "$(rows)" '{"name":"Bo \"Jr\"","n":"1"}'
	refute_output --partial _corrupt_record
}

# RFC 4180 doubled quotes keep working beside the backslash escape.
@test "csv escape: doubled quotes inside a quoted value still stand for a quote" {
	printf 'a,b\n"a ""b""",x\n"""",""\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_success
	assert_equal "$(rows)" '{"a":"a \"b\"","b":"x"}
{"a":"\"","b":""}'
}

# CSV page: escape only escapes quotes inside a quoted value.  Elsewhere a
# backslash is data: outside quotes, and before anything but the quote
# (charToEscapeQuoteEscaping, default the escape itself: \\ is one \).
@test "csv escape: a backslash outside quotes, or before another character, is data" {
	printf 'a,b,c\nC:\\temp\\,x\\"y,"d:\\new"\n"\\\\",\\\\,"\\n"\n' > u.csv
	run inlet-parse --format csv u.csv
	assert_success
	assert_equal "$(rows)" '{"a":"C:\\temp\\","b":"x\\\"y","c":"d:\\new"}
{"a":"\\","b":"\\\\","c":"\\n"}'
}

@test "csv escape: an escaped quote next to the closing one, and a value left open by one" {
	printf 'a,b\n"x\\"",y\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_success
	assert_equal "$(rows)" '{"a":"x\"","b":"y"}'
	# "x\" escapes its last quote: the value is never closed.
	printf 'a,b\n"x\\",y\n' > t.csv
	run inlet-parse --format csv --mode failfast t.csv
	assert_equal "$status" 65
	assert_output --partial "line 2: unterminated quoted field"
}

@test "csv escape: --escape '' or none leaves only doubled quotes" {
	printf 'a\n"C:\\"\n"Bo \\"Jr\\""\n' > t.csv
	for off in '' none; do
		run --separate-stderr inlet-parse --format csv --escape "$off" t.csv
		assert_success
		assert_equal "$(rows | sed -n 1p)" '{"a":"C:\\"}'
		assert_equal "$(rows | sed -n 2p)" '{"_corrupt_record":"\"Bo \\\"Jr\\\"\""}'
	done
	run inlet-parse --format csv --escape '' --mode failfast t.csv
	assert_equal "$status" 65
	assert_output --partial "line 3: text after a closing quote"
}
