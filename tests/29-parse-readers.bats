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

# ---- line separators ----

# CSV, JSON and text pages, lineSep: by default "\r, \r\n and \n" end a
# line when reading.  inlet keeps '\n' (and CRLF) as the line end, and a
# file whose first 64 KiB hold a '\r' but no '\n' -- an old Mac or Excel
# export -- is read with '\r' alone: never zero rows in silence.
@test "line-sep: a CR-only CSV, JSON or text file loads every line" {
	printf 'a,b\r1,2\r"x\ry",4\r' > t.csv
	run --separate-stderr inlet-parse t.csv
	assert_success
	# Inside quotes, a line end reads as \n (univocity's normalized newline).
	assert_equal "$(rows)" '{"a":"1","b":"2"}
{"a":"x\ny","b":"4"}'
	printf '{"a":1}\r{"a":2}' > t.json
	run inlet-parse t.json
	assert_equal "$(rows)" '{"a":1}
{"a":2}'
	printf 'one\rtwo\r' > t.txt
	run inlet-parse t.txt
	assert_equal "$(rows)" '{"value":"one"}
{"value":"two"}'
}

@test "line-sep: with a '\n' in the file, a lone CR stays data and CRLF still ends lines" {
	printf 'a,b\r\n1,x\ry\r\n' > t.csv
	run inlet-parse t.csv
	assert_success
	assert_equal "$(rows)" '{"a":"1","b":"x\ry"}'
}

# lineSep (CSV, JSON, text pages): "Defines the line separator that should
# be used for parsing"; Spark allows one character for CSV, inlet up to 8 bytes.
@test "line-sep: --line-sep STR splits CSV, JSON and text at STR, escapes read" {
	printf 'a|b;;1|2;;"3;x"|4;;' > t.csv
	run inlet-parse -d '|' --line-sep ';;' t.csv
	assert_success
	assert_equal "$(rows)" '{"a":"1","b":"2"}
{"a":"3;x","b":"4"}'
	printf '{"a":1}\x1e{"a":2}\x1e' > t.json
	run inlet-parse --line-sep $'\x1e' t.json
	assert_equal "$(rows)" '{"a":1}
{"a":2}'
	printf 'x\ny\rz' > t.txt
	run inlet-parse --line-sep '\r' t.txt
	assert_equal "$(rows)" '{"value":"x\ny"}
{"value":"z"}'
	# Line numbers in messages count separators.
	printf '{"a":1};{"a";{"a":3}' > b.json
	run inlet-parse --line-sep ';' --mode failfast b.json
	assert_equal "$status" 65
	assert_output --partial "'$PWD/b.json' line 2:"
}

@test "line-sep: an empty or too long --line-sep is a usage error before anything is read" {
	for v in '' 123456789; do
		run inlet-parse --line-sep "$v" --check-options
		assert_equal "$status" 64
	done
	run inlet-parse --line-sep 12345678 --check-options
	assert_success
}

# ---- encoding ----

# CSV and JSON pages, encoding / charset: "decodes the CSV files by the
# given encoding type" (default UTF-8).
@test "encoding: Latin-1, Windows-1252, UTF-16 and UTF-32 are converted to UTF-8 exactly" {
	printf 'name,v\n\xe9t\xe9,1\n\xc0 la,2\n' > l1.csv
	run --separate-stderr inlet-parse --encoding latin1 l1.csv
	assert_success
	assert_equal "$(rows)" '{"name":"été","v":"1"}
{"name":"À la","v":"2"}'
	printf 'a\n\x80 \x93q\x94\n' > w.csv
	run inlet-parse --encoding WINDOWS-1252 w.csv
	assert_equal "$(rows)" '{"a":"€ “q”"}'
	for cs in UTF-16 UTF-16LE UTF-16BE UTF-32; do
		printf 'a,b\n\xc3\xa9,\xf0\x9f\x98\x80\n' | iconv -f UTF-8 -t $cs > u.csv
		run --separate-stderr inlet-parse --encoding $cs u.csv
		assert_success
		assert_equal "$(rows)" '{"a":"é","b":"😀"}'
	done
	printf '{"a":"\xc3\xa9"}\n' | iconv -f UTF-8 -t UTF-16LE > t.json
	run inlet-parse --encoding utf-16le t.json
	assert_equal "$(rows)" '{"a":"é"}'
	printf 'x\xe9\n' > t.txt
	run inlet-parse --encoding iso-8859-1 t.txt
	assert_equal "$(rows)" '{"value":"xé"}'
}

# JSON page, encoding: "the encoding of input JSON files is detected
# automatically" when multiLine is true, by its byte order mark.
@test "encoding: a JSON file starting with a UTF-16 or UTF-32 byte order mark is read without --encoding" {
	for cs in UTF-16 UTF-32; do
		printf '{"a":"\xc3\xa9"}\n{"b":2}\n' | iconv -f UTF-8 -t $cs > t.json
		run --separate-stderr inlet-parse t.json
		assert_success
		assert_equal "$(rows)" '{"a":"é"}
{"b":2}'
		printf '[{"a":"\xc3\xa9"},\n {"b":2}]' | iconv -f UTF-8 -t $cs > m.json
		run --separate-stderr inlet-parse --multiline m.json
		assert_equal "$(rows)" '{"a":"é"}
{"b":2}'
	done
	printf '\xfe\xff\x00{\x00}\x00\n' > be.json
	run inlet-parse be.json
	assert_equal "$(rows)" '{}'
}

@test "encoding: an invalid byte sequence is a malformed record naming the file and line" {
	# 0x81 has no character in Windows-1252.
	printf 'a\nok\nx\x81y\nfine\n' > w.csv
	run --separate-stderr inlet-parse --encoding cp1252 w.csv
	assert_success
	assert_equal "$(rows | sed -n 1p)" '{"a":"ok"}'
	assert_equal "$(rows | sed -n 3p)" '{"a":"fine"}'
	[[ "$(rows | sed -n 2p)" == *'"_corrupt_record":"x'* ]]
	run inlet-parse --encoding cp1252 --mode failfast w.csv
	assert_equal "$status" 65
	assert_output --partial "'$PWD/w.csv' line 3: invalid byte sequence for --encoding cp1252"
	printf 'ok\nx\x81\n' > w.txt
	run --separate-stderr inlet-parse --encoding cp1252 --mode dropmalformed w.txt
	assert_equal "$(rows)" '{"value":"ok"}'
	[[ "$stderr" == *"1 malformed records (1 dropped)"* ]]
	# A lone UTF-16 surrogate; the next line is read.
	printf '{\x00"\x00a\x00"\x00:\x001\x00}\x00\n\x00"\x00\x00\xd8"\x00\n\x00{\x00}\x00\n\x00' > s.json
	run inlet-parse --encoding utf-16le --mode failfast s.json
	assert_equal "$status" 65
	assert_output --partial "line 2: invalid byte sequence for --encoding utf-16le"
	run --separate-stderr inlet-parse --encoding utf-16le s.json
	assert_equal "$(rows | sed -n 3p)" '{}'
}

@test "encoding: an unknown charset is a usage error before anything is read" {
	printf 'a\n1\n' > t.csv
	run inlet-parse --encoding no-such-charset --check-options
	assert_equal "$status" 64
	assert_output --partial "unknown --encoding 'no-such-charset'"
	run inlet-parse --encoding no-such-charset t.csv
	assert_equal "$status" 64
	refute_output --partial '"_inlet"'
	run inlet-parse --encoding UTF-8 t.csv
	assert_success
}

@test "encoding: conversion streams, memory stays flat for a 60 MB file" {
	command -v /usr/bin/time > /dev/null || skip "no /usr/bin/time"
	{ echo a; yes "$(printf '\xe9t\xe9 \xe0 la plage')" | head -n 3000000; } > big.csv
	/usr/bin/time -f %M -o rss inlet-parse --encoding latin1 -q big.csv > out
	assert_equal "$(grep -c '"été à la plage"' out)" 3000000
	# Peak RSS in kB, far below the file's 60 MB.
	[ "$(cat rss)" -lt 30000 ]
}
