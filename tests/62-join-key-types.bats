#!/usr/bin/env bats
# inlet-join: keys of different JSON types compare by value, as Spark does.
#
# Spark SQL type coercion (TypeCoercion.scala, findCommonTypeForBinaryComparison;
# "Default type coercion rules of Spark", 1 Promote strings: "For Binary
# Comparison ... Atomic and String, cast as Atomic type"): in `s.id = c.id`
# with one side a string and the other a number, the string is cast to the
# number's type.  JSON inference types an integer BIGINT and any other number
# DOUBLE (Spark JSON data source, inferSchema / cloudFiles.inferColumnTypes).
# CAST(string AS BIGINT), Spark's default (non-ANSI) cast, trims blanks and
# drops a fraction of digits; a string that does not cast is null, and null
# never matches (Spark SQL, "NULL semantics": = on a null is null).
load helpers

@test "a number key in the stream matches the same value as a CSV string" {
	printf 'customer_id,name\n123,Ann\n7,Bob\n' > c.csv
	printf '%s\n' '{"customer_id":123,"o":1}' '{"customer_id":7,"o":2}' '{"customer_id":8,"o":3}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --type left < in
	assert_success
	assert_output - <<'EOF'
{"customer_id":123,"o":1,"name":"Ann"}
{"customer_id":7,"o":2,"name":"Bob"}
{"customer_id":8,"o":3,"name":null}
EOF
}

@test "string keys cast to BIGINT as Spark does: zeros, blanks, sign, a dropped fraction" {
	printf '%s\n' '{"id":"0123","n":"zeros"}' '{"id":" 124 ","n":"blanks"}' \
		'{"id":"+125","n":"sign"}' '{"id":"126.0","n":"point"}' '{"id":"127.9","n":"fraction"}' \
		'{"id":"12 8","n":"inner blank"}' '{"id":"129x","n":"junk"}' '{"id":"1e2","n":"exponent"}' \
		'{"id":"","n":"empty"}' '{"id":"99999999999999999999","n":"overflow"}' > s.ndjson
	printf '%s\n' '{"id":123}' '{"id":124}' '{"id":125}' '{"id":126}' '{"id":127}' \
		'{"id":128}' '{"id":129}' '{"id":100}' '{"id":0}' '{"id":-1}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":123,"n":"zeros"}
{"id":124,"n":"blanks"}
{"id":125,"n":"sign"}
{"id":126,"n":"point"}
{"id":127,"n":"fraction"}
{"id":128,"n":null}
{"id":129,"n":null}
{"id":100,"n":null}
{"id":0,"n":null}
{"id":-1,"n":null}
EOF
}

@test "against a DOUBLE the string is cast to DOUBLE: its fraction counts" {
	printf '%s\n' '{"id":"9.50","n":"a"}' '{"id":"1e3","n":"b"}' '{"id":"2.5d","n":"c"}' \
		'{"id":"-0","n":"d"}' '{"id":"9.4","n":"e"}' > s.ndjson
	printf '%s\n' '{"id":9.5}' '{"id":1000.0}' '{"id":2.5}' '{"id":0.0}' '{"id":9.45}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":9.5,"n":"a"}
{"id":1000.0,"n":"b"}
{"id":2.5,"n":"c"}
{"id":0.0,"n":"d"}
{"id":9.45,"n":null}
EOF
}

@test "a string key in the stream matches a number of the static side" {
	printf '%s\n' '{"id":123,"n":"int"}' '{"id":9.5,"n":"double"}' '{"id":123,"n":"int again"}' > s.ndjson
	printf '%s\n' '{"id":"0123"}' '{"id":"123.7"}' '{"id":"9.50"}' '{"id":"9"}' '{"id":"abc"}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":"0123","n":"int"}
{"id":"0123","n":"int again"}
{"id":"123.7","n":"int"}
{"id":"123.7","n":"int again"}
{"id":"9.50","n":"double"}
{"id":"9","n":null}
{"id":"abc","n":null}
EOF
}

@test "keys of one type still compare by text: 42 and 42.0, \"1\" and \"01\" differ" {
	printf '%s\n' '{"id":42,"n":"int"}' '{"id":"1","n":"one"}' > s.ndjson
	printf '%s\n' '{"id":42.0}' '{"id":"01"}' '{"id":42}' '{"id":"1"}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	# Two numbers, or two strings, compare by text even where their values
	# are equal (42.0 is not 42, "01" is not "1"); across types, 42.0 meets
	# the string "1" cast to 1.0 and "01" meets 42 cast from 1: no match.
	assert_output - <<'EOF'
{"id":42.0,"n":null}
{"id":"01","n":null}
{"id":42,"n":"int"}
{"id":"1","n":"one"}
EOF
}

@test "the warning comes once per run, naming the key and both types" {
	printf 'id,name\n1,Ann\n2,Bob\n' > c.csv
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' > in
	run_framed --separate-stderr inlet-join -q --static c.csv --on id < in
	assert_success
	assert_equal "$(grep -c warning <<< "$stderr")" 1
	assert_equal "$stderr" "inlet-join: warning: join key 'id': 'standard input' line 1 has a number (1) where static 'c.csv' has a string; they compare as Spark compares them, the string cast to the number's type"
	assert_equal "${#lines[@]}" 2
}

@test "no warning when both sides' keys are of one type" {
	printf 'id,name\n1,Ann\n' > c.csv
	printf '%s\n' '{"id":"1"}' '{"id":"2"}' > in
	run_framed --separate-stderr inlet-join -q --static c.csv --on id --type left < in
	assert_success
	assert_equal "$stderr" ""
	assert_output - <<'EOF'
{"id":"1","name":"Ann"}
{"id":"2","name":null}
EOF
}

@test "a boolean key never meets a string, and says so once" {
	printf '%s\n' '{"id":"true","n":"s"}' > s.ndjson
	printf '%s\n' '{"id":true}' '{"id":"true"}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":true,"n":null}
{"id":"true","n":"s"}
EOF
	assert_equal "$(grep -c 'such keys never match' <<< "$stderr")" 1
}

@test "two keys: each part compares by value on its own" {
	printf 'a,b,n\n1,x,one-x\n1,y,one-y\n02,x,two-x\n' > c.csv
	printf '%s\n' '{"a":1,"b":"x"}' '{"a":2,"b":"x"}' '{"a":1,"b":"z"}' '{"a":"1","b":"y"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on a,b --type left < in
	assert_success
	assert_output - <<'EOF'
{"a":1,"b":"x","n":"one-x"}
{"a":2,"b":"x","n":"two-x"}
{"a":1,"b":"z","n":null}
{"a":"1","b":"y","n":"one-y"}
EOF
}

@test "semi, anti and inner joins use the same comparison" {
	printf 'id,name\n0123,Ann\n' > c.csv
	printf '%s\n' '{"id":123}' '{"id":124}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on id --type semi < in
	assert_output '{"id":123}'
	run_framed --separate-stderr inlet-join --static c.csv --on id --type anti < in
	assert_output '{"id":124}'
	run_framed --separate-stderr inlet-join --static c.csv --on id < in
	assert_output '{"id":123,"name":"Ann"}'
}

@test "every static row of a key is joined, exact and cast matches alike" {
	printf '%s\n' '{"id":"5","n":"a"}' '{"id":5,"n":"b"}' '{"id":"05","n":"c"}' '{"id":"5","n":"d"}' > s.ndjson
	printf '%s\n' '{"id":5}' '{"id":"5"}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	# 5 meets b exactly, then a, c and d cast; "5" meets a and d exactly, then b.
	assert_output - <<'EOF'
{"id":5,"n":"b"}
{"id":5,"n":"a"}
{"id":5,"n":"c"}
{"id":5,"n":"d"}
{"id":"5","n":"a"}
{"id":"5","n":"d"}
{"id":"5","n":"b"}
EOF
}

@test "a reloaded static side of another type is compared by value too" {
	printf 'id,name\n1,Ann\n' > c.csv
	mkfifo in
	inlet-join -q --static c.csv --on id --type left --rows-only < in > out 2> err &
	pid=$!
	exec 5> in
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"id":1}' '{"_inlet":"end","batch":0}' >&5
	# Batch 0 is written (flushed at its end) before the static side changes.
	for _ in $(seq 200); do grep -q Ann out && break; sleep 0.05; done
	printf 'id,name\n1,Bea\n' > c.csv
	touch -d '+1 min' c.csv
	printf '%s\n' '{"_inlet":"begin","batch":1}' '{"id":1}' '{"id":"1"}' '{"_inlet":"end","batch":1}' >&5
	exec 5>&-
	wait "$pid"
	run cat out
	assert_output - <<'EOF'
{"id":1,"name":"Ann"}
{"id":1,"name":"Bea"}
{"id":"1","name":"Bea"}
EOF
}
