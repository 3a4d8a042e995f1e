#!/usr/bin/env bats
# inlet-parse: Spark's JSON reader leniencies, each on and off.  They follow
# Spark's JSON data source options and their defaults
# (https://spark.apache.org/docs/latest/sql-data-sources-json.html):
# allowSingleQuotes and allowNonNumericNumbers true, allowComments,
# allowUnquotedFieldNames, allowNumericLeadingZeros,
# allowBackslashEscapingAnyCharacter and allowUnquotedControlChars false.
# A line that is strict JSON never changes; one that is not is written as
# the equivalent strict JSON.
load helpers

ALL_ON=(--allow-single-quotes true --allow-non-numeric-numbers true
	--allow-comments true --allow-unquoted-field-names true
	--allow-numeric-leading-zeros true
	--allow-backslash-escaping-any-character true
	--allow-unquoted-control-chars true)

# parse_json ARGS...: inlet-parse --format json -q ARGS on t.json, rows only.
parse_json() {
	run inlet-parse --format json -q "$@" t.json
	assert_success
	output=$(rows)
	mapfile -t lines <<< "$output"
}

@test "allowSingleQuotes: on by default, as in Spark; false makes the line a corrupt record" {
	printf '%s\n' "{'a':'x','b':'say \"hi\"'}" > t.json
	parse_json
	assert_output '{"a":"x","b":"say \"hi\""}'
	parse_json --allow-single-quotes false
	assert_output "{\"_corrupt_record\":\"{'a':'x','b':'say \\\"hi\\\"'}\"}"
}

@test "allowNonNumericNumbers: on by default; NaN and the infinities are written as strings" {
	printf '%s\n' '{"a":NaN,"b":Infinity,"c":-Infinity,"d":+Infinity,"e":INF,"f":+INF,"g":-INF}' \
		'{"a":-NaN}' '{"a":NaNa}' > t.json
	parse_json
	assert_line --index 0 \
		'{"a":"NaN","b":"Infinity","c":"-Infinity","d":"Infinity","e":"Infinity","f":"Infinity","g":"-Infinity"}'
	# Not among Spark's tokens: still malformed.
	assert_line --index 1 '{"_corrupt_record":"{\"a\":-NaN}"}'
	assert_line --index 2 '{"_corrupt_record":"{\"a\":NaNa}"}'
	parse_json --allow-non-numeric-numbers false
	refute_output --partial '"a":"NaN"'
	[ "$(grep -c '^{"_corrupt_record"' <<< "$output")" -eq 3 ]
}

@test "allowNonNumericNumbers: a leading + stays malformed for ordinary numbers" {
	printf '%s\n' '{"a":+1}' > t.json
	parse_json
	assert_output '{"_corrupt_record":"{\"a\":+1}"}'
}

@test "allowComments: off by default; on, /* */ and // comments are dropped" {
	printf '%s\n' '/* head */ {"a" /* x */ : 1, // rest' > t.json
	printf '%s\n' '{"a":1} // end' '{"a":"/* not a comment */"} /* open' >> t.json
	parse_json
	[ "$(grep -c '^{"_corrupt_record"' <<< "$output")" -eq 3 ]
	parse_json --allow-comments true
	# The first line holds an object cut by its comment; the last one an
	# unterminated comment: both stay malformed.
	assert_line --index 0 --regexp '^\{"_corrupt_record":"/\* head'
	assert_line --index 1 '{"a":1}'
	assert_line --index 2 --regexp '^\{"_corrupt_record":'
	printf '%s\n' '{/*c*/"a":/*d*/[1,/*e*/2]/*f*/}' > t.json
	parse_json --allow-comments true
	assert_output '{"a":[1,2]}'
}

@test "allowUnquotedFieldNames: off by default; on, names are quoted" {
	printf '%s\n' '{a:1,$b_2:"x",é:true}' > t.json
	parse_json
	assert_output --regexp '^\{"_corrupt_record":'
	parse_json --allow-unquoted-field-names true
	assert_output '{"a":1,"$b_2":"x","é":true}'
	# A value is never an unquoted name.
	printf '%s\n' '{a:b}' > t.json
	parse_json --allow-unquoted-field-names true
	assert_output '{"_corrupt_record":"{a:b}"}'
}

@test "allowNumericLeadingZeros: off by default; on, 007 is written 7 (no JSON number has leading zeros)" {
	printf '%s\n' '{"a":007,"b":-00.50,"c":0,"d":00,"e":0e5}' > t.json
	parse_json
	assert_output --regexp '^\{"_corrupt_record":'
	parse_json --allow-numeric-leading-zeros true
	assert_output '{"a":7,"b":-0.50,"c":0,"d":0,"e":0e5}'
	jq -e . <<< "$output" > /dev/null
}

@test "allowBackslashEscapingAnyCharacter: off by default; on, \\q is q; \\' needs only allowSingleQuotes" {
	printf '%s\n' '{"a":"\q\%"}' > t.json
	parse_json
	assert_output --regexp '^\{"_corrupt_record":'
	parse_json --allow-backslash-escaping-any-character true
	assert_output '{"a":"q%"}'
	printf '%s\n' "{\"a\":\"it\\'s\"}" > t.json
	parse_json
	assert_output "{\"a\":\"it's\"}"
	parse_json --allow-single-quotes false
	assert_output --regexp '^\{"_corrupt_record":'
	parse_json --allow-single-quotes false --allow-backslash-escaping-any-character true
	assert_output "{\"a\":\"it's\"}"
}

@test "allowUnquotedControlChars: off by default; on, raw control characters are escaped" {
	printf '{"a":"x\ty\001z"}\n' > t.json
	parse_json
	assert_output --regexp '^\{"_corrupt_record":'
	parse_json --allow-unquoted-control-chars true
	assert_output '{"a":"x\u0009y\u0001z"}'
	[ "$(jq -r .a <<< "$output")" = "$(printf 'x\ty\001z')" ]
}

@test "a line that is strict JSON passes byte for byte whatever the options" {
	printf '%s\n' '{ "a" : 1.0E+2 , "b":"\u00e9\/", "c" : [ 007.5e1 ] }' > t.json
	# (the last is no JSON: the exact-text rule only holds for JSON)
	printf '%s\n' '  {"n" : -0.000 ,"s":"NaN" , "k":{ }}  ' > t.json
	parse_json "${ALL_ON[@]}"
	assert_output '{"n" : -0.000 ,"s":"NaN" , "k":{ }}'
	parse_json --allow-single-quotes false --allow-non-numeric-numbers false
	assert_output '{"n" : -0.000 ,"s":"NaN" , "k":{ }}'
}

@test "a lenient line is still checked strictly: the _inlet key, arrays and bad UTF-8 stay malformed" {
	printf '%s\n' "{'_inlet':'begin'}" "['a']" "{'a':'x'} {'b':1}" > t.json
	printf "{'a':'\xff'}\n" >> t.json
	parse_json
	[ "$(grep -c '^{"_corrupt_record"' <<< "$output")" -eq 4 ]
	refute_output --partial '{"_inlet"'
	# The reason given is the strict reader's.
	run inlet-parse --format json --mode failfast t.json
	assert_equal "$status" 65
	assert_output --partial "t.json' line 1: expected a string key at byte 2"
}

@test "failfast names the strict reader's reason for a line no leniency saves" {
	printf '%s\n' '{"a":1}' "{'a':x}" > t.json
	run inlet-parse --format json --mode failfast t.json
	assert_equal "$status" 65
	assert_output --partial "t.json' line 2"
}

@test "--multiline: a file that is not strict JSON is read with the same leniencies" {
	cat > t.json <<'EOF'
// exported
[ {'a': 1, /* one */ 'b': NaN},
  {a: 007} ]
EOF
	parse_json --multiline --allow-comments true --allow-unquoted-field-names true \
		--allow-numeric-leading-zeros true
	assert_line --index 0 '{"a":1,"b":"NaN"}'
	assert_line --index 1 '{"a":7}'
	# Without allowComments the whole file is one corrupt record, byte for byte.
	parse_json --multiline --allow-unquoted-field-names true --allow-numeric-leading-zeros true
	[ "$(jq -r ._corrupt_record <<< "$output")" = "$(cat t.json)" ]
}

@test "a value that is not a boolean is a usage error" {
	printf '{}\n' > t.json
	for o in --allow-single-quotes --allow-non-numeric-numbers --allow-comments \
		--allow-unquoted-field-names --allow-numeric-leading-zeros \
		--allow-backslash-escaping-any-character --allow-unquoted-control-chars; do
		run inlet-parse --format json "$o" maybe t.json
		assert_equal "$status" 64
		assert_output --partial "invalid value 'maybe' for $o"
	done
}

@test "JSONTestSuite with every leniency on: nothing crashes, every row is one JSON object" {
	dir=$INLET_CONFORMANCE/JSONTestSuite/test_parsing
	[ -d "$dir" ] || fail "no conformance data at $dir"
	local f
	for f in "$dir"/*.json; do
		for mode in "" --multiline; do
			inlet-parse --format json "${ALL_ON[@]}" $mode -q "$f" > out 2> err ||
				{ echo "$f $mode: exit $?"; cat err; return 1; }
			grep -v '^{"_inlet"' out > got || true
			[ ! -s got ] || jq -e 'type == "object"' got > /dev/null ||
				{ echo "$f $mode: not JSON objects"; cat got; return 1; }
		done
	done
}

@test "autoload -o allowSingleQuotes / allowComments reach parse; a bad value is 64 before anything runs" {
	mkdir land
	printf '%s\n' "{'id':1} // one" > land/a.json
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o allowComments=true --quiet land
	assert_success
	run sql t.db 'SELECT id FROM t'
	assert_output 1
	run inlet autoload -c ck2 --db t.db --table t -o cloudFiles.format=json \
		-o allowComments=maybe land
	assert_equal "$status" 64
	assert_output --partial "maybe"
	[ ! -e ck2/offsets/0 ]
}

@test "copy-into and ctas take the --allow-* flags" {
	mkdir src
	printf '%s\n' '{id:1}' > src/a.json
	run inlet copy-into --db c.db --table t --format json --allow-unquoted-field-names true -q src
	assert_success
	run sql c.db 'SELECT id FROM t'
	assert_output 1
	run inlet ctas --db d.db --table t --format json --allow-single-quotes false \
		--allow-unquoted-field-names false -q src
	run sql d.db 'SELECT _corrupt_record FROM t'
	assert_output '{id:1}'
}
