#!/usr/bin/env bats
# inlet-commit --csv: each value's exact text under one header, RFC 4180
# quoting, and each batch exactly once in the file whatever moment the
# pipeline was killed at; a file that is not the one marked is refused.
load helpers

teardown() {
	touch "$BATS_TEST_TMPDIR/go"	# release a writer a failed test left waiting
}

batch() {	# batch N ROW...: a begin/end-framed batch on stdout
	local n=$1; shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	for r in "$@"; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

# orders N: files land/o1.json .. oN.json of 3 orders each.
orders() {
	mkdir -p land
	local i j
	for i in $(seq 1 "$1"); do
		for j in 1 2 3; do echo "{\"order_id\":\"$i-$j\",\"total\":$i.50}"; done > "land/o$i.json"
	done
}

# pipeline [VAR=VALUE...]: discover | parse | commit --csv out.csv on
# checkpoint ck, two files a batch, commit run with the given environment
# and $MODE (append by default).  Sets CODES; commit's messages: commit.err.
pipeline() {
	{
		inlet-discover --checkpoint ck --max-files-per-trigger 2 land 2> discover.err \
		| inlet-parse --format json \
		| env "$@" inlet-commit --checkpoint ck --csv out.csv --mode "${MODE:-append}" \
			--quiet 2> commit.err
		CODES="${PIPESTATUS[*]}"
	} || true
}

# rows_once N: out.csv is one header and N distinct order rows.
rows_once() {
	[ "$(head -1 out.csv)" = order_id,total ] || { echo "header: $(head -1 out.csv)"; return 1; }
	[ "$(grep -c order_id out.csv)" -eq 1 ] || { echo "more than one header"; return 1; }
	tail -n +2 out.csv > rows
	[ "$(wc -l < rows)" -eq "$1" ] || { echo "$(wc -l < rows) rows, want $1"; cat out.csv; return 1; }
	[ "$(sort -u rows | wc -l)" -eq "$1" ] || { echo "duplicate rows"; cat out.csv; return 1; }
}

# import FILE: the CSV file as sqlite3's own reader sees it, as JSON rows.
import() {
	sqlite3 :memory: ".import --csv $1 t" '.mode json' 'SELECT * FROM t'
}

# ---- the text of each value ----

# Spark's CSV writer (https://spark.apache.org/docs/latest/sql-data-sources-csv.html):
# nullValue defaults to the empty string and emptyValue to "", so a null is
# an empty field and an empty string is "".
@test "csv: each value's exact text, RFC 4180 quoting, null empty and \"\" for the empty string" {
	printf '%s\n' '{"id":9007199254740993,"amt":19.990,"big":1e400,"neg":-0.5e-3,"s":"a,b","q":"say \"hi\"","nl":"l1\nl2","cr":"x\ry","u":"caf\u00e9 ü 中","n":null,"e":"","t":true,"f":false,"sp":" pad ","o":{"x": [1, "a,b"]},"a":[ ]}' \
		| inlet-commit --csv out.csv --quiet
	printf '%s\n' 'id,amt,big,neg,s,q,nl,cr,u,n,e,t,f,sp,o,a' \
		'9007199254740993,19.990,1e400,-0.5e-3,"a,b","say ""hi""","l1' \
		'l2",'"\"x"$'\r'"y\",café ü 中,,\"\",true,false, pad ,\"{\"\"x\"\":[1,\"\"a,b\"\"]}\",[]" > want
	cmp out.csv want || { diff <(cat -A want) <(cat -A out.csv); false; }
}

@test "csv: sqlite3's CSV reader gives back every value" {
	printf '%s\n' '{"id":9007199254740993,"amt":19.990,"s":"a,b","q":"say \"hi\"","nl":"l1\r\nl2","u":"caf\u00e9","e":"","o":{"k":"v, \"w\""}}' \
		'{"id":2,"amt":0.10,"s":"\"","q":",","nl":"\n","u":"ü","e":"x","o":[]}' \
		| inlet-commit --csv out.csv --quiet
	run import out.csv
	assert_success
	assert_output '[{"id":"9007199254740993","amt":"19.990","s":"a,b","q":"say \"hi\"","nl":"l1\r\nl2","u":"café","e":"","o":"{\"k\":\"v, \\\"w\\\"\"}"},
{"id":"2","amt":"0.10","s":"\"","q":",","nl":"\n","u":"ü","e":"x","o":"[]"}]'
}

@test "csv: columns in first-seen order over the whole first batch, a row missing one gets an empty field" {
	printf '%s\n' '{"b":1}' '{"a":2,"b":3}' '{"c":4}' | inlet-commit --csv out.csv --quiet
	run cat out.csv
	assert_output "$(printf '%s\n' b,a,c 1,, 3,2, ,,4)"
}

@test "csv: columns in the schema record's order, keys it lacks after them" {
	{
		echo '{"_inlet":"begin","batch":0}'
		echo '{"z":"1","x":"2"}'
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"x","type":"STRING"},{"name":"y","type":"INT"}]}'
		echo '{"y":5,"x":"6"}'
		echo '{"_inlet":"end","batch":0}'
	} > in
	inlet-commit --csv out.csv --quiet < in
	run cat out.csv
	assert_output "$(printf '%s\n' x,y,z 2,,1 6,5,)"
}

@test "csv: a later run appends under the same header, none written again" {
	printf '{"a":1,"b":"x"}\n' | inlet-commit --csv out.csv --quiet
	printf '{"b":"y"}\n{"b":"z","a":3}\n' | inlet-commit --csv out.csv --quiet
	run cat out.csv
	assert_output "$(printf '%s\n' a,b 1,x ,y 3,z)"
}

@test "csv: a new column after the header is refused with 65 naming it, the file as it was" {
	printf '{"a":1}\n' | inlet-commit --csv out.csv --quiet
	cp out.csv before
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< $'{"a":2}\n{"a":3,"b":4}'
	assert_equal "$status" 65
	[[ $stderr == *"line 2: column 'b' is not in the header of 'out.csv' (a)"*"--mode overwrite"* ]]
	cmp before out.csv
	# A schema record that adds one is refused the same way.
	batch 0 '{"_inlet":"schema","version":1,"fields":[{"name":"a","type":"INT"},{"name":"c","type":"STRING"}]}' '{"a":5}' > in
	run --separate-stderr inlet-commit --csv out.csv --quiet < in
	assert_equal "$status" 65
	[[ $stderr == *"schema record: column 'c' is not in the header"* ]]
	cmp before out.csv
	# Nothing half-written is left for the next run to find.
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":6}'
	assert_success
	[ -z "$stderr" ]
	run cat out.csv
	assert_output "$(printf '%s\n' a 1 6)"
}

@test "csv: a key twice in one row is refused with 65, nothing written" {
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":1,"a":2}'
	assert_equal "$status" 65
	[[ $stderr == *"line 1: key 'a' appears twice"* ]]
	[ ! -s out.csv ]
}

# LF by default, as Spark's CSV writer (lineSep, same page) and Unix tools write;
# RFC 4180's CRLF on request.
@test "csv: --crlf ends every line with CRLF, and a file's line ends are never mixed" {
	printf '{"a":"x\\ny"}\n{"a":1}\n' | inlet-commit --csv out.csv --crlf --quiet
	printf 'a\r\n"x\ny"\r\n1\r\n' > want
	cmp want out.csv
	run inlet-commit --csv out.csv --quiet <<< '{"a":2}'
	assert_equal "$status" 64
	assert_output --partial "'out.csv' has CRLF line ends"
	cmp want out.csv
}

@test "csv: - writes standard output with its header, progress on standard error" {
	run --separate-stderr inlet-commit --csv - <<< $'{"a":1,"b":"x,y"}\n{"b":null}'
	assert_success
	assert_output "$(printf '%s\n' a,b '1,"x,y"' ,)"
	[[ $stderr == *'"sink":"csv:-"'*'"num_inserted_rows":2'* ]]
	[ ! -e -.inlet ]
}

@test "csv: upsert is refused with 64, as are overwrite on standard output and --crlf alone" {
	run inlet-commit --csv out.csv --mode upsert --key a <<< '{"a":1}'
	assert_equal "$status" 64
	run inlet-commit --csv - --mode overwrite <<< '{"a":1}'
	assert_equal "$status" 64
	run inlet-commit --dir t --crlf <<< '{"a":1}'
	assert_equal "$status" 64
	run inlet-commit --csv out.csv --dir t <<< '{"a":1}'
	assert_equal "$status" 64
	[ ! -e out.csv ] && [ ! -e out.csv.inlet ]
}

# ---- exactly once ----

@test "csv: kill -9 at every step of a commit, then a clean run: every row once, one header" {
	orders 5
	for point in commit-before-sink commit-csv-after-append commit-after-sink commit-after-mark; do
		rm -rf ck out.csv out.csv.inlet
		pipeline INLET_CRASH_AT="$point"
		[ "${CODES##* }" = 137 ] || { echo "$point: commit exited ${CODES##* }, not killed"; false; }
		pipeline
		assert_equal "$CODES" "0 0 0"
		rows_once 15
		[ -f ck/commits/2 ]
	done
}

@test "csv: killed between the append and the mark, the torn batch is cut off on restart and written once" {
	orders 4
	pipeline
	orders 6
	touch -d '+1 minute' land/o5.json land/o6.json
	pipeline INLET_CRASH_AT=commit-csv-after-append
	assert_equal "${CODES##* }" 137
	# The batch's rows are in the file, fsynced, but not marked.
	[ "$(wc -l < out.csv)" -eq 19 ]
	[ ! -e ck/commits/2 ]
	pipeline
	assert_equal "$CODES" "0 0 0"
	grep -q "warning: 'out.csv' truncated from [0-9]* to [0-9]* bytes, its last mark" commit.err
	rows_once 18
	[ -f ck/commits/2 ]
}

@test "csv: a batch the file holds is skipped on replay, said in its progress object" {
	orders 2
	pipeline INLET_CRASH_AT=commit-after-sink
	[ ! -e ck/commits/0 ]
	inlet-discover --checkpoint ck land | inlet-parse --format json \
		| inlet-commit --checkpoint ck --csv out.csv > progress
	grep -q '"batch":0,"sink":"csv:out.csv".*"inserted":0,"already_committed":true' progress
	rows_once 6
}

@test "csv: bytes past the last mark are truncated on start, said on standard error" {
	printf '{"a":1}\n' | inlet-commit --csv out.csv --quiet
	printf '2\n3' >> out.csv
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":4}'
	assert_success
	[[ $stderr == *"'out.csv' truncated from 7 to 4 bytes"* ]]
	run cat out.csv
	assert_output "$(printf '%s\n' a 1 4)"
}

@test "csv: a file shorter than its mark, another file at its path, or none is refused with 65 and the repair" {
	printf '{"a":1}\n{"a":2}\n' | inlet-commit --csv out.csv --quiet
	printf 'a\n1\n' > short
	cat short > out.csv	# same file, rows removed
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":3}'
	assert_equal "$status" 65
	[[ $stderr == *"'out.csv' is 4 bytes, shorter than the 6 bytes"*"restore the file, or remove 'out.csv.inlet'"* ]]
	cmp short out.csv
	printf 'a\n1\n2\n' > other
	cp other out.csv.new && mv out.csv.new out.csv	# the same bytes, another file
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":3}'
	assert_equal "$status" 65
	[[ $stderr == *"'out.csv' is not the file inlet-commit wrote"* ]]
	cmp other out.csv
	rm out.csv
	run --separate-stderr inlet-commit --csv out.csv --quiet <<< '{"a":3}'
	assert_equal "$status" 65
	[[ $stderr == *"'out.csv' is missing"* ]]
	[ ! -e out.csv ]
}

@test "csv: a file inlet did not write is not appended to (65); overwrite replaces it" {
	printf 'x,y\n1,2\n' > theirs.csv
	run --separate-stderr inlet-commit --csv theirs.csv --quiet <<< '{"a":1}'
	assert_equal "$status" 65
	[[ $stderr == *"'theirs.csv' was not written by inlet-commit"* ]]
	run cat theirs.csv
	assert_output "$(printf '%s\n' x,y 1,2)"
	inlet-commit --csv theirs.csv --mode overwrite --quiet <<< '{"a":1}'
	run cat theirs.csv
	assert_output "$(printf '%s\n' a 1)"
}

@test "csv: the sink gone while commits/ says it holds batches is refused with 65" {
	orders 2
	pipeline
	rm -rf out.csv out.csv.inlet
	orders 3
	pipeline
	assert_equal "${CODES##* }" 65
	grep -q "holds no mark of it" commit.err
	[ ! -e out.csv ]
}

@test "csv: a second writer on the same file exits 75 naming the holder, and the first commits" {
	{ batch 0 '{"a":1}' | head -2; until [ -e go ]; do sleep 0.05; done; echo '{"_inlet":"end","batch":0}'; } \
		| inlet-commit --csv out.csv --quiet 2> first.err &
	first=$!
	for i in $(seq 200); do [ -s out.csv.inlet/.lock-csv ] && break; sleep 0.05; done
	run inlet-commit --csv out.csv --quiet <<< '{"a":2}'
	touch go
	wait "$first" || { cat first.err; false; }
	assert_equal "$status" 75
	assert_output --partial "CSV file 'out.csv' is in use by pid $first (inlet-commit)"
	run cat out.csv
	assert_output "$(printf '%s\n' a 1)"
}

# ---- overwrite ----

@test "csv: overwrite replaces the file with each batch by a rename, never in place" {
	orders 4
	printf 'old\n' > out.csv
	ln out.csv old-link	# the replaced file stays whole under its other name
	MODE=overwrite pipeline
	assert_equal "$CODES" "0 0 0"
	run cat out.csv
	assert_output "$(printf '%s\n' order_id,total 3-1,3.50 3-2,3.50 3-3,3.50 4-1,4.50 4-2,4.50 4-3,4.50)"
	run cat old-link
	assert_output old
	[ ! -e out.csv.inlet/csv-next ]
}

@test "csv: overwrite killed at each step leaves a whole file, and the rerun ends with the last batch" {
	orders 5
	for point in commit-before-sink commit-csv-after-append commit-csv-after-state commit-after-sink commit-after-mark; do
		rm -rf ck out.csv out.csv.inlet
		MODE=overwrite pipeline INLET_CRASH_AT="$point"
		[ "${CODES##* }" = 137 ] || { echo "$point: commit exited ${CODES##* }, not killed"; false; }
		# Whatever is at out.csv is one whole batch of two files, or nothing.
		if [ -e out.csv ]; then
			[ "$(wc -l < out.csv)" -eq 7 ] || { echo "$point: $(cat out.csv)"; false; }
		fi
		MODE=overwrite pipeline
		assert_equal "$CODES" "0 0 0"
		run cat out.csv
		assert_output "$(printf '%s\n' order_id,total 5-1,5.50 5-2,5.50 5-3,5.50)"
		[ -f ck/commits/2 ]
	done
	# Cut between the mark and the rename: the start finishes the rename.
	rm -rf ck out.csv out.csv.inlet
	MODE=overwrite pipeline INLET_CRASH_AT=commit-csv-after-state
	MODE=overwrite pipeline
	grep -q "'out.csv' replaced by 'out.csv.inlet/csv-next': an overwrite was cut short" commit.err
}

@test "csv: the file replaced while a batch is appended: exit 74, the batch taken back, the new file untouched" {
	printf '{"a":1}\n' | inlet-commit --csv out.csv --quiet
	{ echo '{"_inlet":"begin","batch":0}'; echo '{"a":2}'; until [ -e go ]; do sleep 0.05; done
	  echo '{"_inlet":"end","batch":0}'; } | inlet-commit --csv out.csv --quiet 2> commit.err &
	writer=$!
	for i in $(seq 200); do [ -s out.csv.inlet/.lock-csv ] && break; sleep 0.05; done
	sleep 0.2
	mv out.csv old.csv
	printf 'mine\n' > out.csv
	touch go
	code=0
	wait "$writer" || code=$?
	assert_equal "$code" 74
	grep -q "'out.csv' was deleted or replaced while batch 0 was written into it" commit.err
	run cat out.csv
	assert_output mine
	# The rows it had appended to the old file are taken back.
	run cat old.csv
	assert_output "$(printf '%s\n' a 1)"
}

@test "csv: a batch with a schema record and no rows writes the header alone, and later rows go under it" {
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"BIGINT"},{"name":"note","type":"STRING"}]}' \
		| inlet-commit --csv out.csv --quiet
	run cat out.csv
	assert_output id,note
	printf '{"note":"n"}\n' | inlet-commit --csv out.csv --quiet
	run cat out.csv
	assert_output "$(printf '%s\n' id,note ,n)"
}
