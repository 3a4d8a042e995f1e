#!/usr/bin/env bats
# inlet-parse: the CSV options beyond the basics, whole JSON files
# (--multiline), the record size limit, the bad-records folder, and inputs
# meant to break it: no input may crash a stage or lose a good row.
load helpers

# repeat N CHAR: CHAR N times.
repeat() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

@test "csv: --comment skips lines starting with CHAR, but not inside a quoted field" {
	printf '# exported\na,b\n#1,2\n3,"x\n#kept"\n' > t.csv
	run inlet-parse --format csv --comment '#' t.csv
	assert_success
	assert_equal "$(rows)" '{"a":"3","b":"x\n#kept"}'
	run inlet-parse --format csv --comment , t.csv
	assert_equal "$status" 64
}

@test "csv: --skip-rows skips the first lines; the header is the next line that is not a comment" {
	printf 'report of 2024\n\n# generated\nid,v\n1,a\n' > t.csv
	run inlet-parse --format csv --skip-rows 2 --comment '#' t.csv
	assert_equal "$(rows)" '{"id":"1","v":"a"}'
	printf 'junk\nid,v\n1\n' > u.csv
	run inlet-parse --format csv --skip-rows 1 --mode failfast u.csv
	assert_equal "$status" 65
	assert_output --partial "u.csv' line 3: expected 2 fields, found 1"
	run inlet-parse --format csv --skip-rows -1 u.csv
	assert_equal "$status" 64
}

@test "csv: blanks around values are kept unless --ignore-leading/trailing-white-space" {
	printf 'a,b\n  x  ,  y\t\n' > t.csv
	run inlet-parse --format csv t.csv
	assert_equal "$(rows)" '{"a":"  x  ","b":"  y\t"}'
	run inlet-parse --format csv --ignore-leading-white-space t.csv
	assert_equal "$(rows)" '{"a":"x  ","b":"y\t"}'
	run inlet-parse --format csv --ignore-trailing-white-space t.csv
	assert_equal "$(rows)" '{"a":"  x","b":"  y"}'
	run inlet-parse --format csv --ignore-leading-white-space --ignore-trailing-white-space t.csv
	assert_equal "$(rows)" '{"a":"x","b":"y"}'
}

@test "csv: trimming stops at quotes; a field of blanks trimmed away is null" {
	printf 'a,b,c\n  " p, q "  ,   ,1\n' > t.csv
	run inlet-parse --format csv --ignore-leading-white-space --ignore-trailing-white-space t.csv
	assert_equal "$(rows)" '{"a":" p, q ","b":null,"c":"1"}'
	# Without trimming the quote is data, as Spark reads it: 4 fields.
	run inlet-parse --format csv t.csv
	assert_line --partial '"_corrupt_record":"  \" p, q \"  ,   ,1"'
	# Tab as the delimiter is never trimmed away.
	printf 'a\tb\n x \t \n' > t.tsv
	run inlet-parse --format csv -d '\t' --ignore-leading-white-space --ignore-trailing-white-space t.tsv
	assert_equal "$(rows)" '{"a":"x","b":null}'
}

@test "csv: --escape works with trimming and across lines" {
	printf 'a,b\n "say \\"hi\\"\n\\\\ok" ,2\n' > t.csv
	run inlet-parse --format csv --escape '\' --ignore-leading-white-space --ignore-trailing-white-space t.csv
	assert_equal "$(rows)" '{"a":"say \"hi\"\n\\ok","b":"2"}'
}

@test "--encoding takes the spellings of UTF-8 and refuses unknown names with a hint" {
	printf 'a\n\xc3\xa9\n' > t.csv
	for e in utf-8 UTF-8 utf8 Utf8; do
		run inlet-parse --format csv --encoding "$e" t.csv
		assert_success
		assert_line '{"a":"é"}'
	done
	run inlet-parse --format csv --encoding latin-9000 t.csv
	assert_equal "$status" 64
	assert_output --partial "unknown --encoding 'latin-9000'"
	assert_output --partial "iconv"
}

@test "json --multiline: an array of objects gives a row each, compacted, numbers as written" {
	printf '[\n  {"id": 9007199254740993,\n   "amt": 19.990, "s": "a  b\\n"},\n\t{"n": {"x": [1, 2.50, 1e400]}}\n]\n' > t.json
	run inlet-parse --format json --multiline t.json
	assert_success
	assert_equal "$(rows)" '{"id":9007199254740993,"amt":19.990,"s":"a  b\n"}
{"n":{"x":[1,2.50,1e400]}}'
}

@test "json --multiline: one object per file; empty files and [] hold no rows" {
	printf '\xef\xbb\xbf{\r\n  "a" : "x" ,\r\n  "b" : null\r\n}\r\n' > one.json
	: > empty.json
	printf ' [ ] \n' > none.json
	run inlet-parse --format json --multiline --metadata one.json empty.json none.json
	assert_success
	assert_equal "$(rows | jq -c 'del(._metadata.file_modification_time)')" \
		"{\"a\":\"x\",\"b\":null,\"_metadata\":{\"file_path\":\"$PWD/one.json\",\"file_name\":\"one.json\",\"file_size\":38,\"file_block_start\":0,\"file_block_length\":38,\"row\":0}}"
}

@test "json --multiline: anything else makes the file one corrupt record; failfast names the line" {
	printf '[{"a":1},\n 2]\n' > bad.json
	printf '{"a":1}' > good.json
	run --separate-stderr inlet-parse --format json --multiline bad.json good.json
	assert_success
	assert_equal "$(rows)" '{"_corrupt_record":"[{\"a\":1},\n 2]\n"}
{"a":1}'
	run inlet-parse --format json --multiline --mode failfast bad.json
	assert_equal "$status" 65
	assert_output --partial "bad.json' line 2: array element is not an object at byte 12"
	for text in '"x"' '[{"a":1}] x' '{"a":1}{' '[{"a":1}'; do
		printf '%s' "$text" > t.json
		run --separate-stderr inlet-parse --format json --multiline t.json
		assert_success
		assert_equal "$(rows | jq -r ._corrupt_record)" "$text"
	done
}

@test "--max-record-bytes: a longer JSON line is malformed, keeps its first bytes, the next lines load" {
	printf '{"a":1}\n{"a":"%s"}\n{"b":2}\n' "$(repeat 100 x)" > t.json
	run --separate-stderr inlet-parse --format json --max-record-bytes 50 t.json
	assert_success
	assert_equal "$(rows)" "{\"a\":1}
{\"_corrupt_record\":\"{\\\"a\\\":\\\"$(repeat 44 x)\"}
{\"b\":2}"
	run inlet-parse --format json --max-record-bytes 50 --mode failfast t.json
	assert_equal "$status" 65
	assert_output --partial "t.json' line 2: record longer than 50 bytes (--max-record-bytes)"
	run inlet-parse --format json --max-record-bytes 0 t.json
	assert_equal "$status" 64
}

@test "--max-record-bytes: a CSV record over the limit is skipped to its real end" {
	# The quoted field spans lines; its closing quote must not open a new one.
	printf 'a,b\n1,"%s\n%s, ""q"" \n"\n2,3\n' "$(repeat 30 x)" "$(repeat 30 y)" > t.csv
	run --separate-stderr inlet-parse --format csv --max-record-bytes 40 t.csv
	assert_success
	assert_equal "$(rows)" "{\"_corrupt_record\":\"1,\\\"$(repeat 30 x)\\n$(repeat 6 y)\"}
{\"a\":\"2\",\"b\":\"3\"}"
	[[ $stderr == *"1 malformed records"* ]]
}

@test "--max-record-bytes: a 100 MB line is never held in memory whole" {
	command -v /usr/bin/time > /dev/null || skip "no /usr/bin/time"
	{ printf 'a\n"'; repeat 100000000 x; printf '"\nok\n'; } > big.csv
	/usr/bin/time -f %M -o rss inlet-parse --format csv --max-record-bytes 1m -q big.csv > out
	assert_equal "$(grep -vc '"_inlet"' out)" 2
	grep -q '^{"a":"ok"}$' out
	# Peak RSS in kB: far below the 100 MB of the line (sanitizers add their own).
	[ "$(cat rss)" -lt 60000 ]
}

@test "--bad-records-path: bad records and unreadable files go to a timestamped folder, not downstream" {
	printf 'a,b\n1,2\n3\n"x"y,1\n\xff,5\n4,5\n' > t.csv
	run_framed --separate-stderr inlet-parse --format csv --bad-records-path bad t.csv gone.csv
	assert_equal "$status" 66	# gone.csv was named and cannot be opened
	assert_equal "$(rows)" '{"a":"1","b":"2"}
{"a":"4","b":"5"}'
	assert_line --partial '"_inlet":"skip"'
	stamp=$(ls bad)
	[[ $stamp =~ ^[0-9]{8}T[0-9]{6}$ ]]
	assert_equal "$(cat "bad/$stamp/bad_records/part-00000")" "{\"path\":\"$PWD/t.csv\",\"record\":\"3\",\"reason\":\"expected 2 fields, found 1\"}
{\"path\":\"$PWD/t.csv\",\"record\":\"\\\"x\\\"y,1\",\"reason\":\"text after a closing quote\"}
{\"path\":\"$PWD/t.csv\",\"record\":\"$(printf '\xef\xbf\xbd'),5\",\"reason\":\"invalid UTF-8\"}"
	assert_equal "$(cat "bad/$stamp/bad_files/part-00000")" \
		'{"path":"gone.csv","reason":"No such file or directory"}'
	assert_equal "$(find bad -name '.*' | wc -l)" 0
	[[ $stderr == *"3 malformed records"*"4 written to 'bad/$stamp'"* ]]
}

@test "--bad-records-path: each batch's part is on disk before its end record goes downstream" {
	printf 'a\n1\n1,2\n' > x.csv
	{
		for n in 0 1; do
			echo "{\"_inlet\":\"begin\",\"batch\":$n}"
			echo "{\"_inlet\":\"file\",\"batch\":$n,\"path\":\"$PWD/x.csv\"}"
			echo "{\"_inlet\":\"end\",\"batch\":$n}"
		done
		# A batch cut short upstream is replayed later: nothing of it is kept.
		echo '{"_inlet":"begin","batch":2}'
		echo "{\"_inlet\":\"file\",\"batch\":2,\"path\":\"$PWD/x.csv\"}"
	} > in
	# Killed the moment batch 0's end record is out: its part is there.
	run -137 env INLET_CRASH_AT=parse-after-end inlet-parse --format csv --bad-records-path crash -q < in
	assert_equal "${lines[-1]}" '{"_inlet":"end","batch":0}'
	assert_equal "$(ls -A crash/*/bad_records/)" part-00000
	assert_equal "$(jq -r .record crash/*/bad_records/part-00000)" 1,2
	# The input ends inside batch 2: 74, and its end record never goes out.
	run --separate-stderr inlet-parse --format csv --bad-records-path bad -q < in
	assert_equal "$status" 74
	[[ $stderr == *"input ended inside batch 2 (an upstream stage failed)"* ]]
	assert_line '{"_inlet":"end","batch":1}'
	refute_line '{"_inlet":"end","batch":2}'
	# Nothing of batch 2 is kept: no part of its own, none added to batch 1's.
	assert_equal "$(ls -A bad/*/bad_records/)" $'part-00000\npart-00001'
	assert_equal "$(cat bad/*/bad_records/part-00001)" "$(cat bad/*/bad_records/part-00000)"
	assert_equal "$(wc -l < bad/*/bad_records/part-00001)" 1
}

@test "--bad-records-path: no folder without bad records; failfast cannot be combined" {
	printf 'a\n1\n' > t.csv
	run inlet-parse --format csv --bad-records-path bad t.csv
	assert_success
	[ ! -e bad ]
	run inlet-parse --format csv --bad-records-path bad --mode failfast t.csv
	assert_equal "$status" 64
	assert_output --partial "cannot be combined"
	mkdir ro && printf 'a\n1,2\n' > u.csv && touch ro/f
	run inlet-parse --format csv --bad-records-path ro/f u.csv
	assert_equal "$status" 73
	assert_output --partial "cannot create 'ro/f/"
}

@test "hostile CSV: NUL bytes, lone CR, unterminated quote at EOF, a 10 MB field" {
	printf 'a,b\n1,\0x\n\0\0,2\n' > nul.csv
	run_framed inlet-parse --format csv nul.csv
	assert_success
	assert_line '{"a":"1","b":"\u0000x"}'
	assert_line '{"a":"\u0000\u0000","b":"2"}'
	# A lone CR is data, not a line end: the row count tells.
	printf 'a,b\n1,x\ry\n2,3\n' > cr.csv
	run_framed inlet-parse --format csv cr.csv
	assert_equal "$(rows)" '{"a":"1","b":"x\ry"}
{"a":"2","b":"3"}'
	printf 'a,b\n0,1\n1,"open\n2,3' > open.csv
	run_framed --separate-stderr inlet-parse --format csv open.csv
	assert_success
	assert_line '{"a":"0","b":"1"}'
	assert_line '{"a":"1","b":"open\n2,3","_corrupt_record":"1,\"open\n2,3"}'
	{ printf 'a,b\n1,"'; repeat 10000000 z; printf '"\n2,3\n'; } > big.csv
	inlet-parse --format csv big.csv > out
	assert_equal "$(grep -vc '"_inlet"' out)" 2
	# One framed batch: begin, the file record, the two rows, end.
	assert_equal "$(sed -n 1p out)" "$FRAME_BEGIN_VALID"
	assert_equal "$(sed -n '$p' out)" "$FRAME_END"
	assert_equal "$(wc -l < out)" 5
	assert_equal "$(sed -n 3p out | jq -r '.b | length')" 10000000
	grep -q '^{"a":"2","b":"3"}$' out
}

@test "JSONTestSuite: n_ files are corrupt records, y_ objects pass, nothing crashes" {
	dir=$INLET_CONFORMANCE/JSONTestSuite/test_parsing
	[ -d "$dir" ] || fail "no conformance data at $dir (tests/conformance is part of the repository)"
	local f name n=0
	for f in "$dir"/*.json; do
		name=$(basename "$f")
		for mode in "" --multiline; do
			# The strict reader: Spark's defaults allow single quotes and
			# NaN/Infinity (18-json-leniency.bats), which some n_ cases hold.
			inlet-parse --format json --allow-single-quotes false \
				--allow-non-numeric-numbers false $mode -q "$f" > out 2> err ||
				{ echo "$name $mode: exit $?"; cat err; return 1; }
			grep -v '"_inlet"' out > got || true
			jq -e . got > /dev/null 2>&1 || [ ! -s got ] ||
				{ echo "$name $mode: output is not JSON"; cat got; return 1; }
			case $name in
			n_*)	# a row, if any, is a corrupt record
				if grep -v '^{"_corrupt_record":' got | grep -q .; then
					echo "$name $mode: a good row"; cat got; return 1
				fi ;;
			y_*)	if jq -e 'type == "object"' "$f" > /dev/null 2>&1; then
					want=$(jq -S -c . "$f")
					if [ -n "$mode" ] || [ "$(wc -l < "$f")" -eq 0 ]; then
						[ "$(jq -S -c . got)" = "$want" ] ||
							{ echo "$name $mode: $(cat got)"; return 1; }
					fi
				fi ;;
			esac
			n=$((n + 1))
		done
		# The same bytes as CSV and text must not crash either.
		inlet-parse --format csv -q "$f" > /dev/null || { echo "$name as csv: exit $?"; return 1; }
		inlet-parse --format text -q "$f" > /dev/null || { echo "$name as text: exit $?"; return 1; }
	done
	[ "$n" -gt 600 ]
}

@test "y_ JSON lines pass byte for byte when they are objects on one line" {
	dir=$INLET_CONFORMANCE/JSONTestSuite/test_parsing
	[ -d "$dir" ] || fail "no conformance data at $dir (tests/conformance is part of the repository)"
	local f
	for f in "$dir"/y_object*.json; do
		[ "$(wc -l < "$f")" -eq 0 ] || continue
		inlet-parse --format json "$f" | grep -v '"_inlet"' | tr -d '\n' > got
		# Blanks around the object are not part of it.
		sed 's/^[ \t]*//; s/[ \t]*$//' "$f" | tr -d '\n' > want
		cmp got want || { echo "differs: $f"; return 1; }
	done
}
