#!/usr/bin/env bats
# The PostgreSQL sink's binary COPY: rows of the types inlet creates go in
# COPY's binary format, encoded by inlet; every value must arrive as the
# server would have read its text.  A throw-away server (tests/pg.bash);
# the server logs each test database's statements, so that a test sees
# which format a COPY used and cannot pass through the text path alone.
load helpers
load pg

# log_statements: the server logs every statement of $DB's next sessions.
log_statements() {
	psql "postgresql:///postgres?host=$PGROOT&user=postgres" -Xq \
		-c "ALTER DATABASE $DB SET log_statement = 'all'"
}

# copies TABLE FORMAT: how many COPYs into "TABLE" in FORMAT (binary or
# text) the server logged so far.
copies() {
	local n
	if [ "$2" = binary ]; then
		n=$(grep -c "statement: COPY \"$1\" (.*) FROM STDIN WITH (FORMAT binary)" "$PGROOT/server.log")
	else
		n=$(grep -c "statement: COPY \"$1\" (.*) FROM STDIN\$" "$PGROOT/server.log")
	fi
	echo "$n"
}

SCHEMA='{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"INT"},{"name":"b","type":"BIGINT"},{"name":"x","type":"DOUBLE"},{"name":"d","type":"DECIMAL(20,4)"},{"name":"dn","type":"DECIMAL(38,10)"},{"name":"ok","type":"BOOLEAN"},{"name":"day","type":"DATE"},{"name":"at","type":"TIMESTAMP"},{"name":"doc","type":"JSON"},{"name":"s","type":"STRING"}]}'

# edge_rows: rows whose every value has an exact binary form, edges of each type.
edge_rows() {
	cat <<'EOF'
{"id":1,"b":0,"x":0.1,"d":0,"dn":0.0000000001,"ok":true,"day":"2024-02-29","at":"2024-03-01T10:00:00Z","doc":{"a":[1,19.990,"x"]},"s":"plain"}
{"id":-2147483648,"b":-9223372036854775808,"x":-0.0,"d":-0.5,"dn":-1234567890123456789012345678.1234567891,"ok":false,"day":"0001-01-01","at":"0001-01-01T00:00:00.000001Z","doc":"just a string","s":"tab\there\nnewline \\ back \\N \\. end"}
{"id":2147483647,"b":9223372036854775807,"x":1e300,"d":10000,"dn":0.00,"day":"9999-12-31","at":"9999-12-31T23:59:59.999999Z","doc":null,"s":"é ✓ \u00e9 \ud83d\ude00"}
{"id":3,"b":-1,"x":-2.5e-300,"d":12345678.9012,"dn":100000000.0000000001,"ok":null,"day":"1999-12-31","at":"1999-12-31T23:59:59.5Z","doc":[],"s":""}
{"id":4,"b":10000,"x":123456789012345678901234567890,"d":-0.00,"dn":-0.0001,"day":"2000-01-01","at":"2000-01-01T00:00:00.12Z","doc":{},"s":"x"}
{"id":5,"x":5,"d":99999.9999,"dn":9999.99990000,"day":"1970-01-01","at":"1969-12-31T23:59:59.999Z","s":123}
{"id":6,"d":0.1234,"dn":1.10,"at":"2024-10-11T13:08:07.1234Z","s":{"nested":"\"q\""}}
EOF
}

# every_column TABLE: the table's rows, every column as text, in id order.
every_column() {
	pg "SET TimeZone = 'UTC'; SELECT id, b, x, d, dn, ok, day, at, doc, s FROM \"$1\" ORDER BY id"
}

@test "binary COPY: every value arrives as the server reads its text" {
	log_statements
	{ echo "$SCHEMA"; edge_rows; } > in
	run inlet-commit --db "$URI" --table bin -q < in
	assert_success
	[ "$(copies bin binary)" = 1 ]
	[ "$(copies bin text)" = 0 ]
	# The same rows through the text path: a table of the same columns and
	# one of a type inlet sends no binary for (varchar), left NULL.
	pg 'CREATE TABLE txt (id integer, b bigint, x double precision, d numeric(20,4),
		dn numeric(38,10), ok boolean, day date, at timestamp with time zone, doc jsonb,
		s text, pad varchar(5))'
	edge_rows > in2
	run inlet-commit --db "$URI" --table txt -q < in2
	assert_success
	[ "$(copies txt text)" = 1 ]
	[ "$(copies txt binary)" = 0 ]
	run every_column bin
	assert_success
	[ "$(pg "SELECT count(*) FROM bin")" = 7 ]
	[ "$output" = "$(every_column txt)" ]
	# And a few as they must read, so that both paths cannot be wrong alike.
	run pg "SET TimeZone = 'UTC'; SELECT d, dn, at, octet_length(s) FROM bin WHERE id = 4"
	assert_output '0.0000|-0.0001000000|2000-01-01 00:00:00.12+00|1'
	run pg "SELECT d, dn, day, s FROM bin WHERE id = -2147483648"
	assert_output "-0.5000|-1234567890123456789012345678.1234567891|0001-01-01|tab	here
newline \\ back \\N \\. end"
}

@test "binary COPY: a value of another spelling sends the batch's rest as text, which the server reads" {
	log_statements
	batch 0 "$SCHEMA" '{"id":1,"d":1.5}' '{"id":2,"d":"2.25"}' '{"id":3,"d":3e2,"at":"2024-01-01 10:00:00+02"}' '{"id":4,"d":4}' > b0
	batch 1 '{"id":5,"d":5.5,"b":12345678901234567890}' > b1
	batch 2 '{"id":6,"d":6}' > b2
	run inlet-commit -c ck --db "$URI" --table t -q b0 b1 b2
	assert_failure 65
	# Batch 1's bigint is out of range: the server's own refusal, naming the line.
	assert_output --partial "'b1' line 2: postgresql://"
	assert_output --partial 'out of range for type bigint'
	run pg "SET TimeZone = 'UTC'; SELECT string_agg(id || '=' || d || coalesce('@' || at, ''), ' ' ORDER BY id) FROM t"
	assert_output '1=1.5000 2=2.2500 3=300.0000@2024-01-01 08:00:00+00 4=4.0000'
	# Batch 0 began binary and went on as text; batch 1 began binary again.
	[ "$(copies t binary)" = 2 ]
	[ "$(copies t text)" = 2 ]
}

@test "binary COPY: the column's precision and scale are the server's, and a refusal names its line past the first chunks" {
	# 30000 rows (well past one 64 KiB chunk), the 29999th too large for numeric(6,2).
	{
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"n","type":"INT"},{"name":"v","type":"DECIMAL(6,2)"},{"name":"s","type":"STRING"}]}'
		for i in $(seq 1 29998); do echo "{\"n\":$i,\"v\":1.005,\"s\":\"some padding to fill the chunks\"}"; done
		echo '{"n":29999,"v":10000.5,"s":"too large"}'
		echo '{"n":30000,"v":1,"s":"last"}'
	} > in
	log_statements
	run inlet-commit --db "$URI" --table p -q < in
	assert_failure 65
	assert_output --partial "'standard input' line 30000: "
	assert_output --partial 'numeric field overflow'
	[ "$(copies p binary)" = 1 ]
	# The batch, the table's creation with it, was rolled back whole.
	run pg "SELECT to_regclass('p') IS NULL"
	assert_output t
	# Rounded by the column's scale as numeric_in rounds: 1.005 is 1.01.
	head -n 3 in > ok
	run inlet-commit --db "$URI" --table p -q < ok
	assert_success
	run pg "SELECT string_agg(v::text, ',' ORDER BY n) FROM p"
	assert_output '1.01,1.01'
}

@test "binary COPY: upserts carry their order, the last row of a key wins" {
	log_statements
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"k","type":"INT"},{"name":"v","type":"DECIMAL(10,2)"}]}' \
		'{"k":1,"v":1.10}' '{"k":2,"v":2}' '{"k":1,"v":1.30}' '{"k":null,"v":9}' '{"k":null,"v":9.5}' > b0
	run inlet-commit -c ck --db "$URI" --table up --mode upsert --key k -q b0
	assert_success
	run pg "SELECT coalesce(k::text, '-') || '=' || v FROM up ORDER BY k NULLS FIRST"
	assert_output '-=9.50
1=1.30
2=2.00'
	run grep -c 'statement: COPY "inlet upsert rows" (.*) FROM STDIN WITH (FORMAT binary)' "$PGROOT/server.log"
	assert_output 1
}

@test "binary COPY: a timestamp not in inlet-cast's form (a trailing zero) goes as text, and is stored the same" {
	log_statements
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"INT"},{"name":"at","type":"TIMESTAMP"}]}' \
		'{"id":1,"at":"2024-01-01T10:00:00.5Z"}' '{"id":2,"at":"2024-01-01T10:00:00.500Z"}' > b0
	run inlet-commit --db "$URI" --table tz0 -q < b0
	assert_success
	# The first row went binary, the one cast never writes as text.
	[ "$(copies tz0 binary)" = 1 ]
	[ "$(copies tz0 text)" = 1 ]
	run pg "SET TimeZone = 'UTC'; SELECT string_agg(id || ' ' || at, ',' ORDER BY id) FROM tz0"
	assert_output '1 2024-01-01 10:00:00.5+00,2 2024-01-01 10:00:00.5+00'
}

@test "binary COPY: a date or time no calendar has goes as text, and the server refuses it" {
	# Each would be a real day or time if its fields were only added up
	# (2024-02-30 as 2024-03-01): the encoder must leave it to the server.
	log_statements
	local n=0 v
	for v in '"day":"2023-02-29"' '"day":"2024-02-30"' '"day":"2024-04-31"' '"day":"2024-13-01"' \
		'"day":"2024-00-10"' '"day":"2024-01-00"' '"day":"0000-01-01"' '"day":"2024-0a-01"' \
		'"at":"2024-04-31T10:00:00Z"' '"at":"2024-01-01T10:60:00Z"' '"at":"2024-01-01T10:00:61Z"' \
		'"at":"2024-01-01T1a:00:00Z"'; do
		n=$((n + 1))
		{
			echo '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"INT"},{"name":"day","type":"DATE"},{"name":"at","type":"TIMESTAMP"}]}'
			echo '{"id":1,"day":"2024-02-29","at":"2024-02-29T23:59:59Z"}'
			echo "{\"id\":2,$v}"
		} > in
		run inlet-commit --db "$URI" --table "t$n" -q < in
		assert_failure 65
		assert_output --partial "'standard input' line 3: "
		# The first row went binary, the refused one as text.
		[ "$(copies "t$n" binary)" = 1 ]
		[ "$(copies "t$n" text)" = 1 ]
		run pg "SELECT to_regclass('t$n') IS NULL"
		assert_output t
	done
	# The last days of months and of leap years are days.
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"day","type":"DATE"},{"name":"at","type":"TIMESTAMP"}]}' \
		'{"day":"2024-02-29","at":"2000-02-29T23:59:59.999999Z"}' '{"day":"2023-02-28","at":"2024-04-30T00:00:00Z"}' \
		'{"day":"2024-12-31","at":"1900-02-28T12:34:56Z"}' > b0
	run inlet-commit --db "$URI" --table ends -q < b0
	assert_success
	[ "$(copies ends binary)" = 1 ]
	[ "$(copies ends text)" = 0 ]
	run pg "SET TimeZone = 'UTC'; SELECT string_agg(day || ' ' || at, ',' ORDER BY day) FROM ends"
	assert_output '2023-02-28 2024-04-30 00:00:00+00,2024-02-29 2000-02-29 23:59:59.999999+00,2024-12-31 1900-02-28 12:34:56+00'
}
