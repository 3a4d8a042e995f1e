#!/usr/bin/env bats
# Validate once (inlet(7), "Validate once"): a "begin" record with
# "valid":"json-utf8" lets rescue, cast, join and window locate a batch's
# members without validating them again.  The claim is a promise between
# inlet stages: a forged one (sed between two stages, or typed by hand)
# must never crash a stage or read out of bounds, and inlet-commit, in
# front of every sink, never trusts it.
load helpers

CLAIM='{"_inlet":"begin","batch":0,"last":true,"valid":"json-utf8"}'
PLAIN='{"_inlet":"begin","batch":0,"last":true}'

# mkin BEGIN ROW...: a batch 0 with those rows, to the file "in".
mkin() {
	local begin=$1; shift
	{
		echo "$begin"
		for r in "$@"; do printf '%s\n' "$r"; done
		echo '{"_inlet":"end","batch":0}'
	} > in
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'k,name\nC1,Ann\nC2,Bo\n' > cust.csv
}

# stage NAME: run the stage NAME on the file "in" (status, output).
stage() {
	case $1 in
	rescue) run --separate-stderr inlet-rescue --quiet --schema 'id BIGINT, k STRING, t TIMESTAMP, n DOUBLE' < in ;;
	cast) run --separate-stderr inlet-cast --quiet --schema 'id BIGINT, k STRING, t TIMESTAMP, n DOUBLE' < in ;;
	join) run --separate-stderr inlet-join --quiet --static cust.csv --on k --type left < in ;;
	window) run --separate-stderr inlet-window --quiet --time t --window 30s --group-by k < in ;;
	esac
}

CLEAN=(
	'{"id":1,"k":"C1","t":"2024-01-01T00:00:01Z","n":-1.5e3,"s":"é ü 😀 \u00e9 \ud83d\ude00","o":{"a":[1,2,{"b":null}],"c":"}]"},"e":"tab\tq\"u\\","b":true}'
	'{ "id" : 2 , "k" : "C2" , "t" : "2024-01-01T00:00:31Z" , "n" : 0 , "x" : [ ] , "y" : { } , "z" : false }'
	'{"id":9007199254740993,"k":"C9","t":"2024-01-01T00:00:02Z","n":19.990,"\u006b2":"escaped key","_rescued_data":null}'
)

@test "parse claims valid rows on its begin record; a stage that frames a plain stream claims nothing" {
	echo '{"a":1}' > a.json
	run inlet-parse --format json a.json
	assert_success
	assert_line --index 0 '{"_inlet":"begin","last":true,"valid":"json-utf8"}'
	printf '{"_inlet":"begin","batch":3,"valid":"no"}\n{"_inlet":"end","batch":3}\n' > in
	run inlet-parse < in
	assert_output $'{"_inlet":"begin","batch":3,"valid":"json-utf8"}\n{"_inlet":"end","batch":3}'
	echo '{"a":1}' | inlet-cast --quiet --schema 'a INT' > out
	run head -1 out
	assert_output '{"_inlet":"begin","last":true}'
}

@test "a clean batch gives byte-identical output with and without the claim, in every trusting stage" {
	for s in rescue cast join window; do
		mkin "$PLAIN" "${CLEAN[@]}"
		stage $s
		assert_success
		plain=$(tail -n +2 <<<"$output")
		mkin "$CLAIM" "${CLEAN[@]}"
		stage $s
		assert_success
		assert_line --index 0 "$CLAIM"	# passed on unchanged
		[ "$(tail -n +2 <<<"$output")" = "$plain" ] || { echo "$s differs"; false; }
	done
}

@test "parse | rescue | cast | join: the same rows with the claim and with it taken out between every stage" {
	printf '%s\n' "${CLEAN[@]}" > rows.json
	S='id BIGINT, k STRING, t TIMESTAMP, n DOUBLE'
	strip() { sed 's/,"valid":"json-utf8"//'; }
	inlet-parse --quiet --format json rows.json | inlet-rescue --quiet --schema "$S" |
		inlet-cast --quiet | inlet-join --quiet --static cust.csv --on k > claimed
	inlet-parse --quiet --format json rows.json | strip | inlet-rescue --quiet --schema "$S" | strip |
		inlet-cast --quiet | strip | inlet-join --quiet --static cust.csv --on k > plain
	grep -q '"valid":"json-utf8"' claimed
	! grep -q '"valid"' plain
	[ "$(grep -c . claimed)" -ge 6 ]
	diff <(strip < claimed) plain
}

# Rows broken the ways sed or a hand can break them.
BROKEN=(
	$'{"k":"C1","s":"\xff\xfe"}'
	$'{"k":"C1","s":"\xc0\xaf"}'
	'{"k":"C1","n":1x}'
	'{"k":"C1","n":tru}'
	'{"k":"C1","n":-}'
	'{"k":"C1","o":[1,}'
	'{"k":"C1","o":[1}'
	'{"k":"C1","o":{"a"}}'
	'{"k":"C1","o":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}'
	'{"k":"C1","o":[[[[['
	'{"k":"C1","s":"abc'
	'{"k":"C1","s":"a\u12"}'
	'{"k":"C1","s":"a\u12'
	'{"k":"C1","s":"a\x"}'
	'{"k":"C1","s":"a\'
	$'{"k":"C1","s":"a\tb"}'
	$'{"k":"C1","n":1\x01}'
	$'{"k":"C1","o":[1,\x01]}'
	$'{"k":"C1","\xff":1}'
	'{"k":"C1",n:1}'
	'{"k":"C1","n" 1}'
	'{"k":"C1","n":1,}'
	'{"k":"C1","n":1} x'
	'{"k":"C1","n":}'
	'{"k":"C1",,"n":1}'
	'{"k":"C1","n":1'
	'{"k"'
	'{'
	'{"_inlet":"end","batch":0'
	'["not an object"]'
	'{"k":"C1","t":"2024-01-01T00:00:01Z","n":1e99999,"id":99999999999999999999999}'
)

@test "a forged claim over a broken row: every stage errors (65) or passes on what commit then refuses, never a crash" {
	for s in rescue cast join window; do
		for r in "${BROKEN[@]}"; do
			mkin "$PLAIN" '{"id":1,"k":"C1","t":"2024-01-01T00:00:01Z"}' "$r"
			stage $s
			plain_status=$status plain=$output
			mkin "$CLAIM" '{"id":1,"k":"C1","t":"2024-01-01T00:00:01Z"}' "$r"
			stage $s
			# Never a crash, a sanitizer report or an internal error.
			[ "$status" -eq 0 ] || [ "$status" -eq 65 ] ||
				{ echo "$s: status $status on: $r"; echo "$stderr"; false; }
			[ "$status" -ne 65 ] || [ "$plain_status" -eq 65 ] ||
				{ echo "$s: a valid row refused under the claim: $r"; false; }
			if [ "$status" -eq 65 ]; then
				[[ $stderr == *"standard input' line 3:"* ]] ||
					{ echo "$s: no line named: $stderr"; false; }
				continue
			fi
			[ "$(tail -n +2 <<<"$output")" = "$(tail -n +2 <<<"$plain")" ] && continue
			# Passed on under the claim (or the broken member left out, as
			# the stage leaves out members it drops): commit, which always
			# validates, refuses the batch whole or takes only valid rows.
			[ "$plain_status" -eq 65 ] || { echo "$s: output differs on: $r"; false; }
			printf '%s\n' "$output" > passed
			rm -f t.db
			run --separate-stderr inlet-commit --quiet --db t.db --table t < passed
			[ "$status" -eq 0 ] || [ "$status" -eq 65 ] || { echo "$s: commit $status on: $r"; false; }
			if [ "$status" -eq 65 ]; then
				[[ $stderr == *"'standard input' line "* ]]
				run sql t.db 'select count(*) from t'
				[ "$status" -ne 0 ] || [ "$output" = 0 ]
			fi
		done
	done
}

@test "commit never trusts the claim: a broken row is a 65 naming its line, and nothing reaches the table" {
	for r in $'{"a":"\xff"}' '{"a":1x}' '{"a":[1}' '{"a":tru}'; do
		rm -f t.db
		mkin "$CLAIM" '{"a":"ok"}' "$r"
		run --separate-stderr inlet-commit --quiet --db t.db --table t < in
		assert_failure 65
		[[ $stderr == *"'standard input' line 3: "* ]] || { echo "$stderr"; false; }
		run sql t.db 'select count(*) from t'
		[ "$status" -ne 0 ] || [ "$output" = 0 ]
	done
	# The same stream without the broken row commits: the claim itself is harmless.
	mkin "$CLAIM" '{"a":"ok"}'
	run inlet-commit --quiet --db t.db --table t < in
	assert_success
	run sql t.db 'select a from t'
	assert_output ok
}

@test "only the exact claim is trusted, only for its batch" {
	bad=$'{"k":"C1","s":"\xff"}'
	for begin in '{"_inlet":"begin","batch":0,"valid":"json"}' \
		      '{"_inlet":"begin","batch":0,"valid":true}' \
		      '{"_inlet":"begin","batch":0,"valid":"json-utf8 "}' \
		      '{"_inlet":"begin","batch":0,"Valid":"json-utf8"}'; do
		mkin "$begin" "$bad"
		stage rescue
		assert_failure 65
		[[ $stderr == *"invalid UTF-8"* ]]
	done
	# Batch 0 claims, batch 1 does not: batch 1's rows are validated again.
	{
		echo '{"_inlet":"begin","batch":0,"valid":"json-utf8"}'
		echo '{"k":"C1"}'
		echo '{"_inlet":"end","batch":0}'
		echo '{"_inlet":"begin","batch":1}'
		printf '%s\n' "$bad"
		echo '{"_inlet":"end","batch":1}'
	} > in
	run --separate-stderr inlet-cast --quiet < in
	assert_failure 65
	[[ $stderr == *"line 5: invalid UTF-8"* ]]
	# A row between batches is framed: no claim reaches it.
	{
		echo '{"_inlet":"begin","batch":0,"valid":"json-utf8"}'
		echo '{"_inlet":"end","batch":0}'
		printf '%s\n' "$bad"
	} > in
	run --separate-stderr inlet-join --quiet --static cust.csv --on k < in
	assert_failure 65
}

@test "a broken row the locating scan catches names the line and the claim" {
	mkin "$CLAIM" '{"k":"C1","s":"abc'
	run --separate-stderr inlet-window --quiet --time t --window 30s < in
	assert_failure 65
	[[ $stderr == *"'standard input' line 2: unterminated string at byte 15 (in a batch whose \"begin\" claims valid rows)"* ]] ||
		{ echo "$stderr"; false; }
}
