#!/usr/bin/env bats
# NaN and the infinities of a DOUBLE column, from a CSV (Spark's nanValue,
# positiveInf, negativeInf) and a JSON file (allowNonNumericNumbers, and
# the strings Spark's JacksonParser takes for a DoubleType: "NaN",
# "Infinity", "-Infinity", "+INF", "-INF"), into SQLite and PostgreSQL.
# Spark's DoubleType holds all three.  SQLite stores an infinity as a REAL
# (https://sqlite.org/floatingpoint.html), but a NaN bound as a double
# becomes NULL (https://sqlite.org/c3ref/bind_blob.html: "NaN ... is
# converted to NULL"): inlet keeps the text 'NaN' in the REAL column and
# says so, a deliberate difference (inlet-commit(1), inlet-options(7)).
# PostgreSQL's double precision holds NaN and the infinities
# (https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-FLOAT).
load helpers
load pg

# land: both formats, seven rows: 1.5, NaN, +Inf, -Inf from CSV, NaN,
# +Inf, -Inf from JSON.
land() {
	mkdir -p land
	printf 'id,x\n1,1.5\n2,NaN\n3,Inf\n4,-Inf\n' > land/a.csv
	printf '{"id":5,"x":NaN}\n{"id":6,"x":"+INF"}\n{"id":7,"x":-Infinity}\n' > land/b.json
}

@test "SQLite: +-Infinity are REAL infinities, NaN stays the text 'NaN' in the REAL column; nothing is NULL" {
	land
	run inlet copy-into --db n.db --table t -s 'id INT, x DOUBLE' land
	assert_success
	assert_line --partial "warning: batch 0: column 'x' of \"t\": 2 NaN values kept as the text 'NaN' (SQLite stores a NaN double as NULL)"
	run sql n.db "SELECT group_concat(id || ':' || typeof(x) || ':' || x, ' ') FROM (SELECT * FROM t ORDER BY id)"
	assert_output '1:real:1.5 2:text:NaN 3:real:Inf 4:real:-Inf 5:text:NaN 6:real:Inf 7:real:-Inf'
	# Real infinities compare as numbers; the text 'NaN' sorts above every
	# number, where Spark puts NaN too ("NaN is greater than any other
	# numeric value", https://spark.apache.org/docs/latest/sql-ref-datatypes.html#nan-semantics).
	run sql n.db "SELECT count(*) FROM t WHERE x > 1e308 AND typeof(x) = 'real'; SELECT count(*) FROM t WHERE x < -1e308; SELECT count(*) FROM t WHERE x IS NULL; SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY x, id)"
	assert_output $'2\n2\n0\n4,7,1,3,6,2,5'
	run sql n.db "SELECT type FROM pragma_table_info('t') WHERE name = 'x'"
	assert_output REAL
}

@test "SQLite: the NaN notice is once per column and batch, and says nothing without a NaN" {
	mkdir -p land
	printf 'x,y\nNaN,NaN\nNaN,1\n' > land/a.csv
	run inlet copy-into --db n.db --table t -s 'x DOUBLE, y DOUBLE' land
	assert_success
	assert_line --partial "column 'x' of \"t\": 2 NaN values"
	assert_line --partial "column 'y' of \"t\": 1 NaN value kept"
	run grep -c 'NaN value' <<< "$output"
	assert_output 2
	printf 'x,y\n1,Inf\n' > land/b.csv
	run inlet copy-into --db n.db --table t -s 'x DOUBLE, y DOUBLE' land
	assert_success
	refute_output --partial 'NaN'
}

@test "SQLite: the strings 'NaN' and 'Infinity' of a STRING column stay strings" {
	mkdir -p land
	printf 's,x\nNaN,Inf\n' > land/a.csv
	run inlet copy-into --db n.db --table t -s 's STRING, x DOUBLE' land
	assert_success
	run sql n.db "SELECT typeof(s), s, typeof(x) FROM t"
	assert_output 'text|NaN|real'
}

@test "cast: JSON strings Spark takes as NaN and infinities for a DOUBLE; others are mismatches" {
	# JacksonParser, DoubleType, VALUE_STRING: "NaN", "+INF" | "+Infinity" |
	# "Infinity", "-INF" | "-Infinity", if options.allowNonNumericNumbers.
	printf '%s\n' '{"x":"NaN"}' '{"x":"+Infinity"}' '{"x":"+INF"}' '{"x":"-INF"}' \
		'{"x":"nan"}' '{"x":"+NaN"}' '{"x":"Inf"}' > rows
	run bash -c "inlet-cast --rows-only -q -s 'x DOUBLE' < rows | jq -c .x"
	assert_output $'"NaN"\n"Infinity"\n"Infinity"\n"-Infinity"\nnull\nnull\nnull'
	run bash -c "inlet-cast --rows-only -q -s 'x DOUBLE' --allow-non-numeric-numbers false < rows | jq -c .x | sort -u"
	assert_output null
}

@test "copy-into --allow-non-numeric-numbers false: neither NaN nor its quoted form is a DOUBLE" {
	mkdir -p land
	printf '{"id":1,"x":"NaN"}\n' > land/q.json
	run inlet copy-into --db n.db --table t -s 'id INT, x DOUBLE' --allow-non-numeric-numbers false land
	assert_success
	run sql n.db "SELECT typeof(x) FROM t"
	assert_output null
	run inlet copy-into --db m.db --table t -s 'id INT, x DOUBLE' --format-option allowNonNumericNumbers=true land
	run sql m.db "SELECT x FROM t"
	assert_output NaN
}

@test "PostgreSQL: NaN and the infinities are double precision values, not text and not NULL" {
	land
	run inlet copy-into --db "$URI" --checkpoint ck --table t -s 'id INT, x DOUBLE' land
	assert_success
	refute_output --partial 'NaN value'
	run pg "SELECT string_agg(id || ':' || x::text, ' ' ORDER BY id) FROM t"
	assert_output '1:1.5 2:NaN 3:Infinity 4:-Infinity 5:NaN 6:Infinity 7:-Infinity'
	run pg "SELECT count(*) FROM t WHERE x = 'NaN'::float8; SELECT pg_typeof(x) FROM t LIMIT 1"
	assert_output $'2\ndouble precision'
}
