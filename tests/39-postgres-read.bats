#!/usr/bin/env bats
# PostgreSQL wherever a table is read: inlet join --static postgresql://...
# --static-table, inlet ctas from a PostgreSQL table and into PostgreSQL,
# inlet copy-into --db postgresql://..., against a real server: a
# throw-away cluster from Debian's postgresql package (tests/pg.bash: unix
# socket only, no TCP), a database of its own for each test.
load helpers
load join
load pg

teardown() {
	join_teardown
}

# The customers of the join tests, in PostgreSQL with their types.
pg_customers() {
	pg "CREATE TABLE customers (id bigint, name text, credit numeric(38,10), vip boolean,
		prefs jsonb, raw json, born date, seen timestamptz, score double precision);
	INSERT INTO customers VALUES
		(9223372036854775807, 'Big', 12345678901234567890123456.1234567890, true,
		 '{\"lang\": \"fr\", \"n\": [1, 19.990]}', E'{\"a\":\n\t1}', '2024-02-29',
		 '2024-03-01 10:00:00.123456+00', 0.1),
		(7, 'Bob', 1.5, false, '\"plain\"', '[]', '1999-12-31', '2024-01-01 00:00:00+00', 3),
		(NULL, 'Nobody', 0, NULL, NULL, NULL, NULL, NULL, NULL),
		(-9223372036854775808, 'Small', -0.0000000001, false, 'null', 'null', NULL, NULL, -2.5e-300)"
}

# The same rows as PostgreSQL prints them, as an NDJSON static file.
ndjson_customers() {
	cat > c.ndjson <<'EOF'
{"id":9223372036854775807,"name":"Big","credit":12345678901234567890123456.1234567890,"vip":true,"prefs":{"n": [1, 19.990], "lang": "fr"},"raw":{"a":  1},"born":"2024-02-29","seen":"2024-03-01 10:00:00.123456+00","score":0.1}
{"id":7,"name":"Bob","credit":1.5000000000,"vip":false,"prefs":"plain","raw":[],"born":"1999-12-31","seen":"2024-01-01 00:00:00+00","score":3.0}
{"id":null,"name":"Nobody","credit":0.0000000000,"vip":null,"prefs":null,"raw":null,"born":null,"seen":null,"score":null}
{"id":-9223372036854775808,"name":"Small","credit":-0.0000000001,"vip":false,"prefs":null,"raw":null,"born":null,"seen":null,"score":-2.5e-300}
EOF
}

stream_orders() {
	printf '%s\n' '{"o":1,"id":9223372036854775807}' '{"o":2,"id":"7"}' '{"o":3,"id":null}' \
		'{"o":4,"id":8}' '{"o":5,"id":-9223372036854775808}' '{"o":6}' '{"o":7,"id":" 0007 "}'
}

@test "join --static postgresql://: the same bytes as the same rows from NDJSON, types kept" {
	pg_customers
	ndjson_customers
	stream_orders > in
	run_framed --separate-stderr inlet-join --static "$URI" --static-table customers --on id --type left < in
	assert_success
	local from_pg=$output
	[[ $stderr == *"loaded static '$URI' table 'customers': 3 rows, 8 columns to add"*"1 with a null key left out"* ]] ||
		fail "stderr: $stderr"
	run_framed --separate-stderr inlet-join --static c.ndjson --on id --type left < in
	assert_success
	assert_equal "$from_pg" "$output"
	# What those bytes are: every digit, true/false, JSON as JSON, text as text.
	assert_line --index 0 '{"o":1,"id":9223372036854775807,"name":"Big","credit":12345678901234567890123456.1234567890,"vip":true,"prefs":{"n": [1, 19.990], "lang": "fr"},"raw":{"a":  1},"born":"2024-02-29","seen":"2024-03-01 10:00:00.123456+00","score":0.1}'
	assert_line --index 1 '{"o":2,"id":"7","name":"Bob","credit":1.5000000000,"vip":false,"prefs":"plain","raw":[],"born":"1999-12-31","seen":"2024-01-01 00:00:00+00","score":3.0}'
	# A null or missing key matches nothing; " 0007 " is cast as Spark does.
	assert_line --index 2 '{"o":3,"id":null,"name":null,"credit":null,"vip":null,"prefs":null,"raw":null,"born":null,"seen":null,"score":null}'
	assert_line --index 6 --regexp '^\{"o":7,"id":" 0007 ","name":"Bob",'
	echo "$output" | jq -e . > /dev/null
}

@test "join --static postgresql://: the same bytes as a SQLite table of the same rows" {
	pg "CREATE TABLE c (id bigint, tier text, n integer); INSERT INTO c VALUES
		(9007199254740993, 'gold', 1), (NULL, 'none', 2), (2, NULL, NULL), (2, 'second', 3)"
	sql s.db "CREATE TABLE c (id INTEGER, tier TEXT, n INTEGER); INSERT INTO c VALUES
		(9007199254740993, 'gold', 1), (NULL, 'none', 2), (2, NULL, NULL), (2, 'second', 3)"
	printf '%s\n' '{"id":9007199254740993}' '{"id":9007199254740992}' '{"id":"2"}' '{"id":null}' > in
	run_framed --separate-stderr inlet-join --static "$URI" --static-table public.c --on id --type left < in
	assert_success
	local from_pg=$output
	run_framed --separate-stderr inlet-join --static sqlite:s.db:c --on id --type left < in
	assert_success
	assert_equal "$from_pg" "$output"
	assert_output - <<'EOF'
{"id":9007199254740993,"tier":"gold","n":1}
{"id":9007199254740992,"tier":null,"n":null}
{"id":"2","tier":null,"n":null}
{"id":"2","tier":"second","n":3}
{"id":null,"tier":null,"n":null}
EOF
}

@test "join --static-table: a schema-qualified name, a name with capitals, --select" {
	pg 'CREATE SCHEMA dim; CREATE TABLE dim."Tiers" (id int, tier text, r int);
		INSERT INTO dim."Tiers" VALUES (1, $$gold$$, 10)'
	pg 'CREATE TABLE "Tiers" (id int, tier text); INSERT INTO "Tiers" VALUES (1, $$wrong schema$$)'
	echo '{"id":1}' > in
	pg "ALTER DATABASE $DB SET log_statement = 'all'"
	run_framed --separate-stderr inlet-join --static "$URI" --static-table dim.Tiers --on id --select r,tier < in
	assert_success
	assert_output '{"id":1,"r":10,"tier":"gold"}'
	# Only the keys and the selected columns are read, in the table's order;
	# a selected column the table lacks is missing as from any other source.
	grep -q 'statement: SELECT "id","tier","r" FROM "dim"."Tiers"$' "$PGROOT/server.log" ||
		fail "$(grep -i 'select' "$PGROOT/server.log")"
	run --separate-stderr inlet-join --static "$URI" --static-table dim.Tiers --on id --select nope < in
	assert_equal "$status" 65
	[[ $stderr == *"it has no column 'nope' (--select)"* ]] || fail "stderr: $stderr"
	run_framed --separate-stderr inlet-join --static "$URI" --static-table Tiers --on id < in
	assert_success
	assert_output '{"id":1,"tier":"wrong schema"}'
}

@test "join --static postgresql://: an UPDATE that keeps the row count is seen by the next batch" {
	pg "CREATE TABLE c (id text, tier text); INSERT INTO c VALUES ('C1', 'silver'), ('C2', 'bronze')"
	start_join --static "$URI" --static-table c --on id
	wait_for err "loaded static"
	batch 0 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	# Same count, same sizes: only the values moved.
	pg "UPDATE c SET tier = CASE id WHEN 'C1' THEN 'bronze' ELSE 'silver' END"
	batch 1 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":1}'
	# Nothing changed: not read again.
	batch 2 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":2}'
	# A row deleted and another inserted in one transaction, the count kept.
	pg "BEGIN; DELETE FROM c WHERE id = 'C1'; INSERT INTO c VALUES ('C1', 'gold'); COMMIT"
	batch 3 '{"id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"id":"C1","tier":"silver"}\n{"id":"C1","tier":"bronze"}\n{"id":"C1","tier":"bronze"}\n{"id":"C1","tier":"gold"}'
	[ "$(grep -c "reloaded static '$URI' table 'c': 2 rows" err)" -eq 2 ] || fail "$(cat err)"
}

@test "join --static postgresql://: a table gone mid-run keeps the last version, with a warning" {
	pg "CREATE TABLE c (id text, tier text); INSERT INTO c VALUES ('C1', 'silver')"
	start_join --static "$URI" --static-table c --on id
	wait_for err "loaded static"
	batch 0 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	pg "DROP TABLE c"
	batch 1 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":1}'
	pg "CREATE TABLE c (id text, tier text); INSERT INTO c VALUES ('C1', 'gold')"
	batch 2 '{"id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"id":"C1","tier":"silver"}\n{"id":"C1","tier":"silver"}\n{"id":"C1","tier":"gold"}'
	grep -q "warning: cannot read static '$URI' table 'c' again: relation \"c\" does not exist; batch 1 is joined with the version read at" err ||
		fail "$(cat err)"
}

# JSON has no NaN or infinities: a double precision or numeric NaN and the
# infinities come as the strings inlet-cast writes for a DOUBLE's, never null.
@test "join --static postgresql://: NaN and the infinities are the strings inlet-cast writes" {
	pg "CREATE TABLE s (id int, d double precision, n numeric);
	    INSERT INTO s VALUES (1, 'NaN', 'NaN'), (2, 'Infinity', 'Infinity'), (3, '-Infinity', '-Infinity'), (4, 1.5, 2)"
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' '{"id":4}' > in
	run_framed --separate-stderr inlet-join --static "$URI" --static-table s --on id < in
	assert_success
	assert_output - <<'OUT'
{"id":1,"d":"NaN","n":"NaN"}
{"id":2,"d":"Infinity","n":"Infinity"}
{"id":3,"d":"-Infinity","n":"-Infinity"}
{"id":4,"d":1.5,"n":2}
OUT
}

@test "join --static postgresql://: messages name the URI without its password" {
	pg "CREATE TABLE c (id text, tier text)"
	echo '{"id":1}' > in
	run --separate-stderr inlet-join --static "postgresql://postgres:s3cr3t@/$DB?host=$PGROOT&password=s3cr3t" \
		--static-table c --on id < in
	assert_success
	[[ $stderr == *"loaded static 'postgresql://postgres:***@/$DB?host=$PGROOT&password=***' table 'c': 0 rows"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr != *s3cr3t* ]] || fail "stderr: $stderr"
}

@test "join --static postgresql://: usage, a missing table, an unreachable server" {
	echo '{"id":1}' > in
	run --separate-stderr inlet-join --static "$URI" --on id < in
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-join: a PostgreSQL --static needs --static-table NAME"
	printf 'id\n1\n' > c.csv
	run --separate-stderr inlet-join --static c.csv --static-table c --on id < in
	assert_equal "$status" 64
	[[ $stderr == *"--static-table names the table of a PostgreSQL --static"* ]]
	run --separate-stderr inlet-join --static "$URI" --static-table c --on id --check-options
	assert_success
	run --separate-stderr inlet-join --static "$URI" --static-table nosuch --on id < in
	assert_equal "$status" 66
	assert_equal "$stderr" "inlet-join: cannot read static '$URI' table 'nosuch': relation \"nosuch\" does not exist"
	run --separate-stderr inlet-join --static "postgresql:///nosuchdb?host=$PGROOT&user=postgres" \
		--static-table c --on id < in
	assert_equal "$status" 69
	[[ $stderr == "inlet-join: cannot connect to PostgreSQL at $PGROOT:5432/nosuchdb for the static table: "*'database "nosuchdb" does not exist' ]] ||
		fail "stderr: $stderr"
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	# No server at all on that socket.
	run --separate-stderr inlet-join --static "postgresql:///x?host=$BATS_TEST_TMPDIR&user=postgres" \
		--static-table c --on id < in
	assert_equal "$status" 69
	[[ $stderr == "inlet-join: cannot connect to PostgreSQL at $BATS_TEST_TMPDIR:5432/x for the static table: "*"No such file or directory"* ]] ||
		fail "stderr: $stderr"
}

# ---- copy-into --db postgresql:// ----

@test "copy-into --db postgresql://: twice loads once, force loads again, the history goes with the table" {
	mkdir -p land
	printf 'id,name\n1,Ann\n2,Bob\n' > land/a.csv
	run --separate-stderr inlet copy-into --db "$URI" --table c --checkpoint ck --format csv land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run --separate-stderr inlet copy-into --db "$URI" --table c --checkpoint ck --format csv land
	assert_success
	assert_output '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	[ "$(pg 'SELECT count(*) FROM c')" = 2 ]
	run --separate-stderr inlet copy-into --db "$URI" --table c --force --format csv land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	[ "$(pg 'SELECT count(*) FROM c')" = 4 ]
	# Another checkpoint's marks are not this history: only ours count.
	pg "UPDATE _inlet_commits SET checkpoint_id = 'someone-else'"
	pg 'TRUNCATE c'
	pg "DELETE FROM _inlet_files"
	run --separate-stderr inlet copy-into --db "$URI" --table c --checkpoint ck --format csv land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	[[ $stderr == *"table 'c' in '$URI' is not the table 'ck' loaded (dropped or created anew): its load history is set aside as 'ck.set-aside-"* ]] ||
		fail "stderr: $stderr"
	# Dropped: loads again, the history set aside.
	pg 'DROP TABLE c'
	run --separate-stderr inlet copy-into --db "$URI" --table c --checkpoint ck --format csv land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	[ "$(pg 'SELECT count(*) FROM c')" = 2 ]
	# A PostgreSQL --db has no folder beside it for a default checkpoint.
	run --separate-stderr inlet copy-into --db "$URI" --table c --format csv land
	assert_equal "$status" 64
	[[ $stderr == *"a PostgreSQL --db has no folder beside it for the load history: give --checkpoint DIR (or --force)"* ]]
}

@test "copy-into --db postgresql:// --validate writes nothing, and checks the table's columns (mergeSchema off)" {
	mkdir -p land
	printf 'id,name\n1,Ann\n' > land/a.csv
	inlet copy-into --db "$URI" --table "Cust" --checkpoint ck --format csv --quiet land
	printf 'ID,Name\n2,Bob\n' > land/b.csv
	snapshot() {
		pg 'SELECT * FROM "Cust" ORDER BY id'
		pg 'SELECT checkpoint_id, batch, rows FROM _inlet_commits ORDER BY batch'
		pg 'SELECT path FROM _inlet_files ORDER BY path'
		find ck -printf '%p %s %T@\n' | LC_ALL=C sort
	}
	snapshot > before
	run --separate-stderr inlet copy-into --db "$URI" --table Cust --checkpoint ck --format csv --validate land
	assert_success
	assert_output '{"ID":"2","Name":"Bob"}'
	[[ $stderr == *"validated 1 rows, 0 problems; nothing was loaded"* ]]
	snapshot > after
	cmp before after
	# A column the table lacks: 65 at its row, nothing written.
	printf 'id,name,extra\n3,Cy,x\n' > land/c.csv
	run --separate-stderr inlet copy-into --db "$URI" --table Cust --checkpoint ck --format csv --validate land
	assert_equal "$status" 65
	[[ $stderr == *"column 'extra' is not in table 'Cust': COPY INTO's mergeSchema is off"* ]] || fail "stderr: $stderr"
	snapshot > after
	cmp before after
	# The load refuses it the same way; with --merge-schema it is added.
	run --separate-stderr inlet copy-into --db "$URI" --table Cust --checkpoint ck --format csv land
	assert_equal "$status" 65
	run --separate-stderr inlet copy-into --db "$URI" --table Cust --checkpoint ck --format csv --merge-schema land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	[ "$(pg 'SELECT count(*), count(extra) FROM "Cust"')" = '3|1' ]
}

@test "copy-into --db postgresql://: a server that cannot be reached is 74, naming it" {
	mkdir -p land ck/commits
	printf 'id\n1\n' > land/a.csv
	run --separate-stderr inlet copy-into --db "postgresql:///x?host=$BATS_TEST_TMPDIR&user=postgres" \
		--table c --checkpoint ck --format csv land
	assert_equal "$status" 74
	[[ $stderr == "inlet-status: cannot connect to PostgreSQL at $BATS_TEST_TMPDIR:5432: "*"No such file or directory"* ]] ||
		fail "stderr: $stderr"
}

# ---- ctas from and into PostgreSQL ----

# The columns of TABLE in PostgreSQL, "name type, ...".
pg_columns() {
	pg "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"
}

@test "ctas --source-table: PostgreSQL into SQLite, types carried over, every digit kept" {
	pg_customers
	pg 'ALTER TABLE customers ADD COLUMN n integer DEFAULT 5, ADD COLUMN s smallint DEFAULT -3,
		ADD COLUMN wide numeric, ADD COLUMN v varchar(10) DEFAULT $$x$$'
	pg 'UPDATE customers SET wide = 123456789012345678901234567890123456789012.5 WHERE id = 7'
	sql shop.db "CREATE TABLE copy (old TEXT); INSERT INTO copy VALUES ('gone')"
	run --separate-stderr inlet ctas --db shop.db --table copy --source-table public.customers "$URI"
	assert_success
	assert_output '{"num_affected_rows":4,"num_inserted_rows":4,"num_skipped_corrupt_files":0}'
	run sql shop.db "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('copy')"
	assert_output 'id INTEGER, name TEXT, credit TEXT, vip INTEGER, prefs TEXT, raw TEXT, born TEXT, seen TEXT, score REAL, n INTEGER, s INTEGER, wide TEXT, v TEXT'
	run sql shop.db "SELECT id, credit, vip, prefs, raw, born, seen, score, n, s, wide FROM copy ORDER BY name"
	assert_output - <<'EOF2'
9223372036854775807|12345678901234567890123456.1234567890|1|{"n": [1, 19.990], "lang": "fr"}|{"a": 1}|2024-02-29|2024-03-01T10:00:00.123456+00:00|0.1|5|-3|
7|1.5000000000|0|plain|[]|1999-12-31|2024-01-01T00:00:00+00:00|3.0|5|-3|123456789012345678901234567890123456789012.5
|0.0000000000|||||||5|-3|
-9223372036854775808|-0.0000000001|0|||||-2.5e-300|5|-3|
EOF2
	# typeof: the integers are integers, the decimals text with their digits.
	[ "$(sql shop.db "SELECT typeof(id), typeof(credit), typeof(score) FROM copy WHERE name = 'Big'")" = 'integer|text|real' ]
}

@test "ctas --source-table: PostgreSQL into PostgreSQL, in the same database and in another" {
	pg_customers
	pg 'CREATE TABLE copy (old text)'
	# The same URI: the server copies it, every type exact.
	run --separate-stderr inlet ctas --db "$URI" --table copy --source-table customers "$URI"
	assert_success
	assert_output '{"num_affected_rows":4,"num_inserted_rows":4,"num_skipped_corrupt_files":0}'
	run pg_columns copy
	assert_output 'id bigint, name text, credit numeric(38,10), vip boolean, prefs jsonb, raw json, born date, seen timestamp with time zone, score double precision'
	# (json has no equality: rows compared as their text)
	[ "$(pg 'SELECT count(*) FROM (SELECT c::text FROM copy c EXCEPT ALL SELECT c::text FROM customers c) d')" = 0 ]
	# A table replaces itself.
	run --separate-stderr inlet ctas --db "$URI" --table copy --source-table copy "$URI"
	assert_success
	assert_output --partial '"num_inserted_rows":4,'
	# Another database: through inlet's types.
	psql "postgresql:///postgres?host=$PGROOT&user=postgres" -Xq -c "CREATE DATABASE ${DB}_b"
	local other="postgresql:///${DB}_b?host=$PGROOT&user=postgres"
	run --separate-stderr inlet ctas --db "$other" --table copy --source-table customers "$URI"
	assert_success
	assert_output '{"num_affected_rows":4,"num_inserted_rows":4,"num_skipped_corrupt_files":0}'
	run psql "$other" -XAtq -c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'copy'::regclass AND attnum > 0 AND NOT attisdropped"
	assert_output 'id bigint, name text, credit numeric(38,10), vip boolean, prefs jsonb, raw jsonb, born date, seen timestamp with time zone, score double precision'
	run psql "$other" -XAtq -c "SET TimeZone = 'UTC'; SELECT id, credit, vip, prefs, seen FROM copy WHERE name = 'Big'"
	assert_output '9223372036854775807|12345678901234567890123456.1234567890|t|{"n": [1, 19.990], "lang": "fr"}|2024-03-01 10:00:00.123456+00'
}

@test "ctas --db postgresql:// from files" {
	printf 'id,name\n1,Ann\n2,Bob\n' > c.csv
	run --separate-stderr inlet ctas --db "$URI" --table c --format csv --schema 'id BIGINT, name STRING' c.csv
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	printf 'id,name\n3,Cy\n' > c.csv
	run --separate-stderr inlet ctas --db "$URI" --table c --format csv --schema 'id BIGINT, name STRING' c.csv
	assert_success
	[ "$(pg 'SELECT id, name FROM c')" = '3|Cy' ]
	run pg_columns c
	assert_output 'id bigint, name text'
}

@test "ctas --source-table: usage, a missing table, an unreachable server" {
	run --separate-stderr inlet ctas --db shop.db --table t "$URI"
	assert_equal "$status" 64
	[[ $stderr == *"a postgresql:// source needs --source-table NAME"* ]]
	printf 'id\n1\n' > c.csv
	run --separate-stderr inlet ctas --db shop.db --table t --source-table x c.csv
	assert_equal "$status" 64
	[[ $stderr == *"--source-table names the table of a postgresql:// source; 'c.csv' is not one"* ]]
	run --separate-stderr inlet ctas --db shop.db --table t --source-table x --format csv "$URI"
	assert_equal "$status" 64
	run --separate-stderr inlet ctas --db shop.db --table t --source-table nosuch "$URI"
	assert_equal "$status" 66
	assert_equal "$stderr" "inlet-ctas: cannot read table 'nosuch' in '$URI': relation \"nosuch\" does not exist"
	[ ! -e shop.db ]
	run --separate-stderr inlet ctas --db shop.db --table t --source-table c "postgresql:///x?host=$BATS_TEST_TMPDIR&user=postgres"
	assert_equal "$status" 69
	[[ $stderr == "inlet-ctas: cannot read PostgreSQL at 'postgresql:///x?host=$BATS_TEST_TMPDIR&user=postgres': "*"$BATS_TEST_TMPDIR/.s.PGSQL.5432"*"No such file or directory"* ]] ||
		fail "stderr: $stderr"
	[ "$(echo "$stderr" | wc -l)" = 1 ]
}

# ---- status --db --table: what copy-into asks, from either database ----

@test "status --db --table: one table's rows, columns and loads, the same from PostgreSQL and SQLite" {
	{ batch 0 '{"id":1,"Name":"a"}' '{"id":2,"Name":"b"}'; batch 1 '{"id":3,"Name":"c"}'; } > in
	inlet-commit -c ck --db "$URI" --table 'my "t"' -q < in
	inlet-commit -c ck2 --db shop.db --table 'my "t"' -q < in
	local id
	run inlet status --db "$URI" --table 'my "t"' --json
	assert_success
	id=$(jq -r .id ck/metadata)
	assert_output "{\"database\":\"$URI\",\"table\":\"my \\\"t\\\"\",\"exists\":true,\"rows\":3,\"columns\":[{\"name\":\"id\",\"type\":\"text\"},{\"name\":\"Name\",\"type\":\"text\"}],\"loads\":[{\"checkpoint_id\":\"$id\",\"batches\":2,\"last_batch\":1,\"rows\":3}]}"
	id=$(jq -r .id ck2/metadata)
	run inlet status --db shop.db --table 'my "t"' --json
	assert_success
	assert_output "{\"database\":\"shop.db\",\"table\":\"my \\\"t\\\"\",\"exists\":true,\"rows\":3,\"columns\":[{\"name\":\"id\",\"type\":\"TEXT\"},{\"name\":\"Name\",\"type\":\"TEXT\"}],\"loads\":[{\"checkpoint_id\":\"$id\",\"batches\":2,\"last_batch\":1,\"rows\":3}]}"
	# Dropped: no columns, its marks still there.
	pg 'DROP TABLE "my ""t"""'
	run inlet status --db "$URI" --table 'my "t"'
	assert_success
	assert_line --regexp '^exists +false$'
	assert_line --regexp '^rows +0$'
	assert_line --regexp '^loaded by +[0-9a-f]+: 2 batches, last 1, 3 rows$'
	refute_line --partial 'column'
}

@test "join: libpq is loaded only for a PostgreSQL --static; one that cannot be loaded is 69" {
	ndjson_customers
	stream_orders > in
	INLET_LIBPQ=/nonexistent/libpq.so.5 run_framed --separate-stderr inlet-join --static c.ndjson --on id --type left < in
	assert_success
	assert_equal "${#lines[@]}" 7
	INLET_LIBPQ=/nonexistent/libpq.so.5 run --separate-stderr inlet-join --static "$URI" --static-table customers --on id < in
	assert_equal "$status" 69
	assert_output ''
	assert_equal "$stderr" "inlet-join: cannot load libpq, which PostgreSQL needs (Debian's package libpq5): /nonexistent/libpq.so.5: cannot open shared object file: No such file or directory"
}
