#!/usr/bin/env bats
# inlet-parse: CSV through libcsv, JSON lines byte for byte, text, and
# what happens to records and files that cannot be read.
load helpers

@test "csv-spectrum: every vector parses to its expected rows" {
	dir=$INLET_CONFORMANCE/csv-spectrum
	[ -d "$dir" ] || fail "no conformance data at $dir (tests/conformance is part of the repository)"
	for csv in "$dir"/csvs/*.csv; do
		name=$(basename "$csv" .csv)
		got=$(inlet-parse --format csv "$csv" | grep -v '"_inlet"' | jq -S -s .)
		# Some vectors hold one object rather than an array of them.
		want=$(jq -S 'if type == "array" then . else [.] end' "$dir/json/$name.json")
		if [ "$name" = location_coordinates ]; then
			# The upstream vector's phone number disagrees with its own CSV
			# (2095257564 there): compare the other columns.
			got=$(jq -S 'map(del(."Contact Phone Number"))' <<<"$got")
			want=$(jq -S 'map(del(."Contact Phone Number"))' <<<"$want")
		fi
		if [ "$got" != "$want" ]; then
			echo "mismatch in $name"; echo "got: $got"; echo "want: $want"
			return 1
		fi
	done
}

@test "csv: an empty unquoted field is null, a quoted \"\" is the empty string" {
	printf 'a,b,c\n1,,""\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_success
	assert_line '{"a":"1","b":null,"c":""}'
}

@test "csv: --null-value names another text read as null" {
	printf 'a,b\nNA,x\n' > t.csv
	run inlet-parse --format csv --null-value NA t.csv
	assert_line '{"a":null,"b":"x"}'
}

@test "csv: --header false names columns _c0, _c1, ..." {
	printf '1,2\n3,4\n' > t.csv
	run_framed inlet-parse --format csv --header false t.csv
	assert_line --index 1 '{"_c0":"1","_c1":"2"}'
	assert_line --index 2 '{"_c0":"3","_c1":"4"}'
}

@test "csv: a repeated header name gets its position appended" {
	printf 'a,a,b\n1,2,3\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_line '{"a":"1","a1":"2","b":"3"}'
}

@test "csv: --delimiter takes characters (up to 16 bytes), or \\t for tab" {
	printf 'a;b\n1;2\n' > t.csv
	run inlet-parse --format csv --delimiter ';' t.csv
	assert_line '{"a":"1","b":"2"}'
	printf 'a\tb\n1\t2\n' > t.tsv
	run inlet-parse --format csv -d '\t' t.tsv
	assert_line '{"a":"1","b":"2"}'
	run inlet-parse --format csv --delimiter ';;;;;;;;;;;;;;;;;' t.csv
	assert_equal "$status" 64
	run inlet-parse --format csv --delimiter '' t.csv
	assert_equal "$status" 64
}

@test "csv: --quote and --escape" {
	printf "a,b\n'x,y',2\n" > q.csv
	run inlet-parse --format csv --quote "'" q.csv
	assert_line '{"a":"x,y","b":"2"}'
	printf 'a,b\n"say \\"hi\\"",2\n' > e.csv
	run inlet-parse --format csv --escape '\' e.csv
	assert_line '{"a":"say \"hi\"","b":"2"}'
}

@test "csv: quoted fields span lines; CRLF and a UTF-8 BOM are handled" {
	printf '\xef\xbb\xbfid,note\r\n1,"two\r\nlines"\r\n2,plain\r\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_line '{"id":"1","note":"two\r\nlines"}'
	assert_line '{"id":"2","note":"plain"}'
}

@test "csv: spaces around fields are kept, as Spark keeps them" {
	printf 'a,b\n  x  , y\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_line '{"a":"  x  ","b":" y"}'
}

@test "csv: a row with the wrong field count goes to _corrupt_record with its text" {
	printf 'a,b\n1,2\n3\n4,5,6\n' > t.csv
	run --separate-stderr inlet-parse --format csv t.csv
	assert_success
	assert_line '{"a":"1","b":"2"}'
	assert_line '{"a":"3","b":null,"_corrupt_record":"3"}'
	assert_line '{"a":"4","b":"5","_corrupt_record":"4,5,6"}'
	[[ $stderr == *"2 malformed records"* ]]
}

@test "csv: an unterminated quote is malformed, not swallowed" {
	printf 'a,b\n1,"open\n2,3\n' > t.csv
	run inlet-parse --format csv --mode failfast t.csv
	assert_equal "$status" 65
	assert_output --partial "t.csv' line 2: unterminated quoted field"
}

@test "csv: text after a closing quote is malformed, and later rows still load" {
	printf 'a,b\n"x"y,1\n2,3\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_success
	assert_line '{"_corrupt_record":"\"x\"y,1"}'
	assert_line '{"a":"2","b":"3"}'
}

@test "csv: invalid UTF-8 is malformed; the record keeps U+FFFD in its place" {
	printf 'a\nok\nbad\xff\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_line '{"a":"ok"}'
	assert_line $'{"a":"bad\xef\xbf\xbd","_corrupt_record":"bad\xef\xbf\xbd"}'
}

@test "csv: values stay strings, big integers and decimals keep their text" {
	run inlet-parse --format csv "$FIXTURES/big.csv"
	assert_line '{"order_id":"9007199254740993","total":"19.990"}'
}

@test "json: lines pass through byte for byte" {
	printf '{"id":9007199254740993,"amt":19.990,"e":1e400,"s":"\\u00e9","n":{"a":[1,2.50]}}\n{ "spaced" : true }\n' > t.json
	inlet-parse --format json t.json | grep -v '"_inlet"' > out
	cmp t.json out
}

@test "json: blank lines are skipped, CRLF line ends accepted" {
	printf '{"a":1}\r\n\n   \n{"a":2}\n' > t.json
	run inlet-parse --format json t.json
	assert_equal "$(rows)" $'{"a":1}\n{"a":2}'
}

@test "json: permissive keeps a bad line in _corrupt_record" {
	printf '{"a":1}\n{"a":\n[1,2]\n{"a":2}\n' > t.json
	run --separate-stderr inlet-parse --format json t.json
	assert_success
	assert_equal "$(rows)" '{"a":1}
{"_corrupt_record":"{\"a\":"}
{"_corrupt_record":"[1,2]"}
{"a":2}'
	[[ $stderr == *"2 malformed records (0 dropped)"* ]]
}

@test "json: --column-name-of-corrupt-record renames the column" {
	printf 'nope\n' > t.json
	run inlet-parse --format json --column-name-of-corrupt-record bad t.json
	assert_line '{"bad":"nope"}'
}

@test "json: dropmalformed drops and counts" {
	printf '{"a":1}\n{oops}\n{"a":2}\n' > t.json
	run --separate-stderr inlet-parse --format json --mode dropmalformed t.json
	assert_success
	assert_equal "$(rows)" $'{"a":1}\n{"a":2}'
	[[ $stderr == *"1 malformed records (1 dropped)"* ]]
}

@test "json: failfast exits 65 naming the file and line" {
	printf '{"a":1}\n{"a":1}\n{oops}\n' > t.json
	run inlet-parse --format json --mode failfast t.json
	assert_equal "$status" 65
	assert_output --partial "inlet-parse: '$PWD/t.json' line 3: "
}

@test "json: invalid UTF-8 is malformed and the raw text is kept, repaired" {
	printf '{"a":"\xc3"}\n' > t.json
	run inlet-parse --format json t.json
	assert_line $'{"_corrupt_record":"{\\"a\\":\\"\xef\xbf\xbd\\"}"}'
}

@test "text: each line becomes {\"value\": line}" {
	printf 'hello "world"\n\ttab\n' > t.txt
	run inlet-parse --format text t.txt
	assert_line '{"value":"hello \"world\""}'
	assert_line '{"value":"\ttab"}'
}

@test "--metadata adds file_path, file_name, file_size, file_modification_time and row" {
	printf '{"a":1}\n{}\n' > t.json
	touch -d '2024-03-01 12:00:00 UTC' t.json
	run inlet-parse --format json --metadata t.json
	assert_line "{\"a\":1,\"_metadata\":{\"file_path\":\"$PWD/t.json\",\"file_name\":\"t.json\",\"file_size\":11,\"file_block_start\":0,\"file_block_length\":11,\"file_modification_time\":\"2024-03-01T12:00:00.000000Z\",\"row\":0}}"
	assert_line "{\"_metadata\":{\"file_path\":\"$PWD/t.json\",\"file_name\":\"t.json\",\"file_size\":11,\"file_block_start\":0,\"file_block_length\":11,\"file_modification_time\":\"2024-03-01T12:00:00.000000Z\",\"row\":1}}"
}

@test "gzip and zstd files are read by content, whatever their name" {
	printf 'a\n1\n' > plain.csv
	gzip -c plain.csv > zipped.dat
	zstd -q -c plain.csv > packed.dat
	run inlet-parse --format csv zipped.dat
	assert_line '{"a":"1"}'
	run inlet-parse --format csv packed.dat
	assert_line '{"a":"1"}'
	gzip -c plain.csv > orders.csv.gz
	run inlet-parse orders.csv.gz
	assert_line '{"a":"1"}'
}

@test "a corrupt compressed file is reported and the batch goes on" {
	printf '\x1f\x8bgarbage' > bad.csv
	printf 'a\n1\n' > good.csv
	run_framed --separate-stderr inlet-parse --format csv bad.csv good.csv
	# A FILE argument that cannot be read: exit 66, once the others are read.
	assert_equal "$status" 66
	assert_line --partial '"_inlet":"skip"'
	assert_line '{"a":"1"}'
}

@test "files named by file records are parsed, control records pass through in order" {
	printf 'a\n1\n' > x.csv
	{
		echo '{"_inlet":"begin","batch":4}'
		echo "{\"_inlet\":\"file\",\"batch\":4,\"path\":\"$PWD/x.csv\",\"size\":4,\"mtime\":\"t\"}"
		echo '{"_inlet":"future-event","x":1}'
		echo '{"_inlet":"end","batch":4}'
	} > in
	run inlet-parse --format csv < in
	assert_success
	assert_line --index 0 '{"_inlet":"begin","batch":4,"valid":"json-utf8"}'
	assert_line --index 1 --partial '"_inlet":"file"'
	assert_line --index 2 '{"a":"1"}'
	assert_line --index 3 '{"_inlet":"future-event","x":1}'
	assert_line --index 4 '{"_inlet":"end","batch":4}'
}

# Spark's ignoreMissingFiles (default false): the batch fails unless it is set.
@test "a vanished file fails the batch (66); with --ignore-missing-files it is reported, counted, and the batch goes on" {
	printf 'a\n1\n' > here.csv
	{
		echo '{"_inlet":"begin","batch":0}'
		echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"$PWD/gone.csv\"}"
		echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"$PWD/here.csv\"}"
		echo '{"_inlet":"end","batch":0}'
	} > in
	run --separate-stderr inlet-parse --format csv < in
	assert_equal "$status" 66
	refute_output --partial '"_inlet":"end"'
	[[ $stderr == *"cannot open '$PWD/gone.csv'"* ]]
	run --separate-stderr inlet-parse --format csv --ignore-missing-files < in
	assert_success
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/gone.csv\",\"reason\":\"No such file or directory\"}"
	assert_line '{"a":"1"}'
	[[ $stderr == *"skipping '$PWD/gone.csv'"* ]]
	run inlet-parse --format csv --mode failfast < in
	assert_equal "$status" 66
}

@test "the format comes from the file name when --format is not given" {
	printf 'a\n1\n' > t.csv
	printf '{"b":2}\n' > t.ndjson
	run_framed inlet-parse t.csv t.ndjson
	assert_line '{"a":"1"}'
	assert_line '{"b":2}'
	printf 'x' > t.bin
	run inlet-parse t.bin
	assert_equal "$status" 64
	assert_output --partial "give --format"
}

@test "'-' reads standard input" {
	run_framed bash -c 'printf "a,b\n1,2\n" | inlet-parse --format csv -'
	assert_output '{"a":"1","b":"2"}'
}

@test "a very long line is read whole" {
	head -c 3000000 /dev/zero | tr '\0' x > long
	{ printf '{"v":"'; cat long; printf '"}\n'; } > t.json
	inlet-parse --format json t.json | grep -v '"_inlet"' > out
	cmp t.json out
}

@test "malformed input between stages is a clear error" {
	run bash -c 'echo "not json" | inlet-parse --format csv'
	assert_equal "$status" 65
	assert_output --partial "'standard input' line 1"
}

@test "CSV piped in without '-': the error says standard input is a stream, and how to parse it" {
	printf 'a,b\n1,2\n' > t.csv
	run --separate-stderr bash -c 'inlet-parse --format csv < t.csv'
	assert_equal "$status" 65
	assert_equal "$stderr" "inlet-parse: 'standard input' line 1: not a JSON object at byte 1; without a FILE, inlet-parse reads the files an inlet stream lists (inlet-discover's output) on standard input: to parse standard input itself, name it '-' (inlet-parse -f FORMAT -)"
	# Only the first record: a bad line later in a stream is a broken stream.
	run --separate-stderr bash -c 'printf "{\"a\":1}\nx\n" | inlet-parse'
	assert_equal "$status" 65
	assert_equal "$stderr" "inlet-parse: 'standard input' line 2: not a JSON object at byte 1"
	# The hint is inlet-parse's: the other stages read rows.
	run --separate-stderr bash -c 'inlet-cast < t.csv'
	assert_equal "$status" 65
	assert_equal "$stderr" "inlet-cast: 'standard input' line 1: not a JSON object at byte 1"
	run_framed bash -c 'inlet-parse --format csv - < t.csv'
	assert_output '{"a":"1","b":"2"}'
}

@test "unreadable inputs are skipped with their reason: a directory, a symlink loop, a truncated .gz" {
	mkdir x.json
	ln -s loop.json loop.json
	seq 1 50000 | sed 's/.*/{"n":&}/' | gzip -c > full.json.gz
	head -c 30000 full.json.gz > cut.json.gz
	printf '{"a":1}\n' > ok.json
	run_framed --separate-stderr inlet-parse x.json loop.json cut.json.gz ok.json
	assert_equal "$status" 66
	assert_line "{\"_inlet\":\"skip\",\"path\":\"$PWD/x.json\",\"reason\":\"Is a directory\"}"
	assert_line '{"_inlet":"skip","path":"loop.json","reason":"Too many levels of symbolic links"}'
	assert_line "{\"_inlet\":\"skip\",\"path\":\"$PWD/cut.json.gz\",\"reason\":\"truncated gzip stream\"}"
	# The rows before the damage stay; no half line becomes a record.
	refute_output --partial _corrupt_record
	assert_line '{"n":1}'
	assert_line '{"a":1}'
	[[ $stderr == *"3 unreadable files"* ]]
	run inlet-parse --mode failfast cut.json.gz
	assert_equal "$status" 74
	assert_output --partial "cannot read '$PWD/cut.json.gz': truncated gzip stream"
}

@test "a file that is not zstd despite its name is read as it is" {
	printf '{"a":1}\n' > t.json.zst
	run inlet-parse t.json.zst
	assert_success
	assert_line '{"a":1}'
}
