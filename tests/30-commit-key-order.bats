#!/usr/bin/env bats
# inlet-commit: a row's keys find their columns whatever order the rows
# list them in.  The sinks try first the column the last row's key at the
# same place was; these rows change the order, the lengths and the case
# of their keys so that a first try trusted without checking would put a
# value in the wrong column, or let two keys share one.
load helpers

@test "sqlite: keys in a changing order, of one length, windows between them, land in their columns" {
	batch 0 \
		'{"abcdefgh1":"p1","abcdefgh2":"q1","a":"s1","b":"t1"}' \
		'{"abcdefgh2":"q2","abcdefgh1":"p2","b":"t2","a":"s2"}' \
		'{"b":"t3","window":{"start":"w3s","end":"w3e"},"a":"s3","abcdefgh1":"p3"}' \
		'{"A":"s4","window":{"start":"w4s","end":"w4e"},"ABCDEFGH2":"q4"}' \
		'{"a":"s5","abcdefgh1":"p5","abcdefgh2":"q5","b":"t5","window":{"start":"w5s","end":"w5e"}}' \
		'{"window_end":"w6e","b":"t6","a":"s6","window_start":"w6s"}' > in
	run inlet-commit --db t.db --table t < in
	assert_success
	run sql t.db "SELECT a, coalesce(b,'-'), coalesce(abcdefgh1,'-'), coalesce(abcdefgh2,'-'),
		coalesce(window_start,'-'), coalesce(window_end,'-') FROM t ORDER BY a"
	assert_output "$(printf '%s\n' 's1|t1|p1|q1|-|-' 's2|t2|p2|q2|-|-' 's3|t3|p3|-|w3s|w3e' \
		's4|-|-|q4|w4s|w4e' 's5|t5|p5|q5|w5s|w5e' 's6|t6|-|-|w6s|w6e')"
}

@test "sqlite: a key twice is refused even where the row before had another key" {
	batch 0 '{"abcdefgh1":"1","abcdefgh2":"2"}' '{"abcdefgh1":"3","abcdefgh1":"4"}' > in
	run --separate-stderr inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	[[ $stderr == *"line 3: key 'abcdefgh1' appears twice"* ]]
}

@test "sqlite: two keys equal but for case are refused after a row that named them apart" {
	batch 0 '{"id":"1","x":"2"}' '{"id":"3","ID":"4"}' > in
	run --separate-stderr inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	[[ $stderr == *"keys 'id' and 'ID' are both column 'id'"* ]]
}

@test "sqlite: strings that are no REAL's special, numbers, nulls and booleans bind as before" {
	batch 0 '{"r":1.5,"s":"x","i":1}' \
		'{"r":"-Infinity","s":"-Infinity","i":"NaN"}' \
		'{"r":"-x","s":"Nope","i":true}' \
		'{"r":null,"s":"a\"b","i":-12}' > in
	run inlet-commit --db t.db --table t < in
	assert_success
	run sql t.db "SELECT quote(r), quote(s), quote(i) FROM t ORDER BY rowid"
	assert_output "$(printf '%s\n' "'1.5'|'x'|'1'" "'-Infinity'|'-Infinity'|'NaN'" \
		"'-x'|'Nope'|'true'" "NULL|'a\"b'|'-12'")"
}
