#!/usr/bin/env bats
# inlet-cast --map: exact numbers through libjq 1.6, and $__batch, the one
# processing time of a micro-batch.
load helpers

# number: N becomes a random JSON number of the kinds doubles lose or respell: big
# integers, decimals with trailing zeros or too many digits, exponents,
# values out of a double's range, negative zero, and plain small ones.
number() {
	local sign='' d
	((RANDOM % 3 == 0)) && sign=-
	case $((RANDOM % 9)) in
	0) d=$((RANDOM % 9 + 1))$RANDOM$RANDOM$RANDOM$RANDOM$((RANDOM % 10)) ;;
	1) d=900719925474099$((RANDOM % 10)) ;;
	2) d=$((RANDOM % 1000)).$((RANDOM % 1000))0 ;;
	3) d=0.$RANDOM$RANDOM$RANDOM$RANDOM$RANDOM ;;
	4) d=$((RANDOM % 10))E$((RANDOM % 20)) ;;
	5) d=$((RANDOM % 100)).$((RANDOM % 100))e-$((RANDOM % 400)) ;;
	6) d=1e$((300 + RANDOM % 200)) ;;
	7) d=0; ((RANDOM % 2)) && d=0.0 ;;
	8) d=$RANDOM ;;
	esac
	N=$sign$d
}

# fuzz_rows N: N rows {"v":V,"o":{"a":[V2,{"w":V3}]},"s":"t"} into rows,
# and what the projections below must give into x.expected, n.expected.
fuzz_rows() {
	local i v v2 v3
	exec 6> rows 7> x.expected 8> n.expected
	for ((i = 0; i < $1; i++)); do
		number; v=$N; number; v2=$N; number; v3=$N
		echo "{\"v\":$v,\"o\":{\"a\":[$v2,{\"w\":$v3}]},\"s\":\"r$i\"}" >&6
		echo "{\"x\":$v}" >&7
		echo "{\"n\":$v2,\"m\":{\"a\":[$v2,{\"w\":$v3}]},\"c\":[$v3,$v]}" >&8
	done
	exec 6>&- 7>&- 8>&-
}

@test "--map: a number moved, renamed or copied keeps its exact text, at any depth" {
	echo '{"id":9007199254740993,"amt":19.990,"e":1E3,"a":{"b":[1.50,1e400,-0.0]}}' > in
	run inlet-cast --rows-only --map '{x: .id, y: .amt, z: .amt, n: .a.b[0], big: .a.b[1], e, m: .a, l: [.id, {k: .amt}]}' < in
	assert_success
	assert_output '{"x":9007199254740993,"y":19.990,"z":19.990,"n":1.50,"big":1e400,"e":1E3,"m":{"b":[1.50,1e400,-0.0]},"l":[9007199254740993,{"k":19.990}]}'
	# through assignments, sorting, selection and definitions as well
	run inlet-cast --rows-only --map 'def f: .amt; del(.a) | .id = f | .e = ([.e, .amt] | max)' < in
	assert_output '{"id":19.990,"amt":19.990,"e":1E3}'
}

@test "--map: numbers the program computes are written as jq writes them" {
	echo '{"id":9007199254740993,"amt":19.990,"e":1E3,"x":1e400}' > in
	prog='{a: (.id + 0), b: (.amt * 2), c: (.e - 0), d: (.x + 1), s: "\(.amt)", t: (.id | tostring)}'
	run inlet-cast --rows-only --map "$prog" < in
	assert_success
	assert_output "$(jq -c "$prog" in)"
	assert_output '{"a":9007199254740992,"b":39.98,"c":1000,"d":1.7976931348623157e+308,"s":"19.99","t":"9007199254740992"}'
}

@test "--map: two texts of one double in a row each keep their own text" {
	# The rule of inlet-cast(1): a number is written as the literal it
	# comes from, not as some literal of the same value.
	echo '{"a":19.990,"b":19.99,"c":1.0,"d":1,"e":9007199254740993,"f":9007199254740992}' > in
	run inlet-cast --rows-only --map '{a: .b, b: .a, c: .d, d: .c, e: .f, f: .e}' < in
	assert_success
	assert_output '{"a":19.99,"b":19.990,"c":1,"d":1.0,"e":9007199254740992,"f":9007199254740993}'
}

@test "--map fuzz: random big integers, decimals and exponents against the plain path and jq" {
	# outside Bats' per-command trap, which makes a shell loop slow
	bash -c "$(declare -f number fuzz_rows); fuzz_rows 600"
	# '.' gives every row back byte for byte, as cast without --map does
	inlet-cast --rows-only --map '.' < rows > identity
	inlet-cast --rows-only < rows > plain
	cmp rows plain
	cmp rows identity
	inlet-cast --rows-only --map '{x: .v}' < rows > x.out
	cmp x.expected x.out
	inlet-cast --rows-only --map '{n: .o.a[0], m: .o, c: [.o.a[1].w, .v]}' < rows > n.out
	cmp n.expected n.out
	# computed values: exactly jq's own output
	prog='{c: (.v + 0), d: (.o.a[0] * 3), e: (.v - .o.a[1].w), s: "\(.v)"}'
	inlet-cast --rows-only --map "$prog" < rows > computed
	jq -c "$prog" rows > computed.jq
	cmp computed.jq computed
	# and the fuzz did reach numbers a double changes
	grep -c '"c":' computed > /dev/null
	[ "$(paste -d' ' <(jq -c '{c: .v}' rows) <(sed 's/^{"v":\([^,]*\),.*/{"c":\1}/' rows) | awk '$1 != $2' | wc -l)" -gt 100 ]
}

@test "--map with --schema: exact numbers reach the conversion" {
	echo '{"id":9007199254740993,"amt":19.990}' > in
	run inlet-cast --rows-only --schema 'x BIGINT, y DECIMAL(10,3)' --map '{x: .id, y: .amt}' < in
	assert_success
	assert_output '{"x":9007199254740993,"y":19.990}'
}

@test "--map: a program of definitions alone is the identity; compile errors show the user's text" {
	echo '{"a":1.50}' > in
	run inlet-cast --rows-only --map 'def f: 1;' < in
	assert_success
	assert_output '{"a":1.50}'
	run inlet-cast --map '{a: .a +* 2}' < in
	assert_equal "$status" 64
	assert_output --partial "cannot compile --map '{a: .a +* 2}'"
	refute_output --partial 'input as'
	# $__batch is defined, other variables are not
	run inlet-cast --map '{a: $nosuch}' < in
	assert_equal "$status" 64
	assert_output --partial 'nosuch is not defined'
}

# batches N M: N batches of M rows each, batch numbers 0..N-1, checkpoint "ck1".
batches() {
	local b r
	for ((b = 0; b < $1; b++)); do
		echo "{\"_inlet\":\"begin\",\"batch\":$b,\"checkpoint\":\"ck1\"}"
		for ((r = 0; r < $2; r++)); do echo "{\"r\":$r}"; done
		echo "{\"_inlet\":\"end\",\"batch\":$b}"
	done
}

@test "\$__batch.time: one processing time per micro-batch, in microseconds, in batch order" {
	# Databricks: current_timestamp() "returns the current timestamp at the
	# start of query evaluation"; all its calls in one micro-batch return the
	# same value (docs.databricks.com/en/sql/language-manual/functions/current_timestamp.html).
	bash -c "$(declare -f batches); batches 2 1500" > in
	inlet-cast --rows-only --map '{b: $__batch.id, t: $__batch.time, ck: $__batch.checkpoint}' < in > out
	[ "$(wc -l < out)" -eq 3000 ]
	# exactly two distinct values, each holding its own batch
	run bash -c "sort -u out | wc -l"
	assert_output 2
	t0=$(sed -n 1p out | jq -r .t)
	t1=$(sed -n 1501p out | jq -r .t)
	[ "$(grep -c "\"b\":0,\"t\":\"$t0\",\"ck\":\"ck1\"" out)" -eq 1500 ]
	[ "$(grep -c "\"b\":1,\"t\":\"$t1\",\"ck\":\"ck1\"" out)" -eq 1500 ]
	[[ $t0 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]
	[[ $t1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]
	[[ $t0 < $t1 ]]
}

@test "\$__batch.time is taken when the batch begins, not at its rows" {
	utc() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }
	{
		utc > before
		echo '{"_inlet":"begin","batch":7}'
		sleep 1
		utc > rows-sent
		echo '{"r":1}'
		echo '{"r":2}'
		echo '{"_inlet":"end","batch":7}'
	} | inlet-cast --rows-only --map '{t: $__batch.time, id: $__batch.id, ck: $__batch.checkpoint}' > out
	t=$(jq -r .t out | sort -u)
	[ "$(echo "$t" | wc -l)" -eq 1 ]
	[[ ! $t < $(cat before) ]]
	[[ $t < $(cat rows-sent) ]]
	run jq -c '{id, ck}' out
	assert_output $'{"id":7,"ck":null}\n{"id":7,"ck":null}'
}

@test "\$__batch on a plain stream: the batch cast frames has no number and no checkpoint" {
	printf '{"a":1}\n{"a":2}\n' > in
	run_framed inlet-cast --map '{a, id: $__batch.id, ck: $__batch.checkpoint, t: ($__batch.time | length)}' < in
	assert_success
	assert_output $'{"a":1,"id":null,"ck":null,"t":27}\n{"a":2,"id":null,"ck":null,"t":27}'
}

# Spark's file metadata column is hidden: "select("*")" leaves it out, it is
# in a row only when selected (Databricks, "File metadata column").  Found:
# the README's autoload example, '. + {_source_file: ._metadata.file_path}',
# stored a _metadata column.
@test "--map: _metadata is read but not kept unless the program names it" {
	printf 'id\n1\n' > a.csv
	inlet-parse -m a.csv | inlet-cast --rows-only --map '. + {src: ._metadata.file_name}' > out
	run cat out
	assert_output '{"id":"1","src":"a.csv"}'
	inlet-parse -m a.csv | inlet-cast --rows-only --schema 'id INT' \
		--map '. + {src: ._metadata.file_name}' > out
	run cat out
	assert_output '{"id":1,"src":"a.csv"}'
	# Named as a key, or declared in the schema, it stays.
	run bash -c "inlet-parse -m a.csv | inlet-cast --rows-only --map '{id, _metadata} | ._metadata |= {file_name}'"
	assert_output '{"id":"1","_metadata":{"file_name":"a.csv"}}'
	run bash -c "inlet-parse -m a.csv | inlet-cast --rows-only --schema 'id INT, _metadata JSON' --map '. + {n: 1}' | jq -c '._metadata.file_name'"
	assert_output '"a.csv"'
	# Without --map, a _metadata parse was asked for is the user's choice.
	run bash -c "inlet-parse -m a.csv | inlet-cast --rows-only --schema 'id INT' | jq -c 'has(\"_metadata\")'"
	assert_output true
}
