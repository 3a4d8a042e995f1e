#!/usr/bin/env bats
# The PostgreSQL sink against a real server: a throw-away cluster from
# Debian's postgresql package, started for this file and stopped after it
# (unix socket only, no TCP; tests/pg.bash).  Each test gets its own database.
load helpers
load pg

# orders N: N files land/oI.json of 3 orders each.
orders() {
	mkdir -p land
	local i j
	for i in $(seq 1 "$1"); do
		for j in 1 2 3; do echo "{\"order_id\":\"$i-$j\",\"total\":$i.50}"; done > "land/o$i.json"
	done
}

# pipeline: discover | parse | commit on ck into table orders, two files a batch.
pipeline() {
	inlet-discover --checkpoint ck --max-files-per-trigger 2 land \
		| inlet-parse --format json \
		| inlet-commit --checkpoint ck --db "$URI" --table orders --quiet
}

exactly_once() {	# exactly_once ROWS
	run pg 'SELECT count(*), count(DISTINCT order_id) FROM orders'
	assert_output "$1|$1"
}

@test "types from the schema record, numbers and decimals exact to the digit" {
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"BIGINT"},{"name":"n","type":"INT"},{"name":"amount","type":"DECIMAL(38,3)"},{"name":"x","type":"DOUBLE"},{"name":"day","type":"DATE"},{"name":"at","type":"TIMESTAMP"},{"name":"ok","type":"BOOLEAN"},{"name":"doc","type":"JSON"},{"name":"s","type":"STRING"}]}' \
		'{"id":9007199254740993,"n":-2147483648,"amount":"12345678901234567890123456789012345.990","x":0.1,"day":"2024-02-29","at":"2024-03-01T10:00:00.123456Z","ok":true,"doc":{"a":[1,19.990,"x"]},"s":"plain"}' \
		'{"id":-9223372036854775808,"amount":19.990,"ok":false,"doc":"just a string"}' > in
	run inlet-commit --db "$URI" --table typed -q < in
	assert_success
	run pg "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attnum > 0"
	assert_output 'id bigint, n integer, amount numeric(38,3), x double precision, day date, at timestamp with time zone, ok boolean, doc jsonb, s text'
	run pg "SET TimeZone = 'UTC'; SELECT id, n, amount, x, day, at, ok, doc, s FROM typed ORDER BY ok DESC"
	assert_output '9007199254740993|-2147483648|12345678901234567890123456789012345.990|0.1|2024-02-29|2024-03-01 10:00:00.123456+00|t|{"a": [1, 19.990, "x"]}|plain
-9223372036854775808||19.990||||f|"just a string"|'
}

@test "every byte of a string and every name arrives as sent, quoted" {
	# Tabs, newlines, CR, backslashes, the COPY end marker, quotes, UTF-8.
	printf '%s\n' '{"id":1,"s":"a\tb\nc\rd\\e\\.f\\Ng","we\"ird name":"é ✓ \\\\N","Select":"x"}' \
		'{"id":2,"s":"\\.","we\"ird name":null,"Select":"\\N"}' > in
	run inlet-commit --db "$URI" --table 'my "table"; drop' -q < in
	assert_success
	run pg "SELECT s = E'a\\tb\\nc\\rd\\\\e\\\\.f\\\\Ng', \"we\"\"ird name\" = E'é ✓ \\\\\\\\N', \"Select\" FROM \"my \"\"table\"\"; drop\" WHERE id = '1'"
	assert_output 't|t|x'
	run pg "SELECT s = E'\\\\.', \"Select\" = E'\\\\N', octet_length(\"Select\") FROM \"my \"\"table\"\"; drop\" WHERE id = '2'"
	assert_output 't|t|2'
	run pg "SELECT count(*) FROM \"my \"\"table\"\"; drop\" WHERE \"we\"\"ird name\" IS NULL"
	assert_output 1
}

@test "append: batches add up, the marks go into _inlet_commits with the rows" {
	{ batch 0 '{"a":1}' '{"a":2}'; batch 1 '{"a":3}'; } > in
	run inlet-commit -c ck --db "$URI" --table t < in
	assert_success
	assert_line --index 0 --regexp '^\{"batch":0,"sink":"postgresql://postgres@[^"]*:t","files":0,"rows":2,"inserted":2,'
	assert_line --index 2 '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run pg 'SELECT string_agg(a, $$,$$ ORDER BY a) FROM t'
	assert_output '1,2,3'
	run pg "SELECT batch, table_name, rows, checkpoint_id = '$(jq -r .id ck/metadata)' FROM _inlet_commits ORDER BY batch"
	assert_output $'0|t|2|t\n1|t|1|t'
	[ -f ck/commits/1 ]
}

@test "a replayed batch the table holds is skipped, not loaded twice" {
	{ batch 0 '{"a":1}'; batch 1 '{"a":2}' '{"a":3}'; } > in
	inlet-commit -c ck --db "$URI" --table t -q < in
	# As after a crash between the transaction and commits/1.
	rm ck/commits/1
	batch 1 '{"a":2}' '{"a":3}' > replay
	run inlet-commit -c ck --db "$URI" --table t < replay
	assert_success
	assert_line --index 0 --partial '"rows":2,"inserted":0,"already_committed":true'
	run pg 'SELECT count(*) FROM t'
	assert_output 3
}

@test "overwrite replaces the table in one transaction: a failing batch leaves the old rows" {
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"n","type":"INT"}]}' '{"n":1}' '{"n":2}' > in
	inlet-commit --db "$URI" --table t --mode overwrite -q < in
	# The second row is no integer: the server refuses it after the DELETE.
	batch 1 '{"n":3}' '{"n":"three"}' > bad
	run inlet-commit --db "$URI" --table t --mode overwrite -q bad
	assert_failure 65
	assert_output --partial "'bad' line 3:"
	assert_output --partial 'invalid input syntax for type integer: "three"'
	run pg 'SELECT string_agg(n::text, $$,$$ ORDER BY n) FROM t'
	assert_output '1,2'
	batch 2 '{"n":7}' > good
	run inlet-commit --db "$URI" --table t --mode overwrite -q < good
	assert_success
	run pg 'SELECT string_agg(n::text, $$,$$ ORDER BY n) FROM t'
	assert_output '7'
}

@test "overwrite: a reader sees the old rows until the batch commits" {
	inlet-commit --db "$URI" --table t -q <<<'{"n":"old"}'
	mkfifo feed
	inlet-commit --db "$URI" --table t --mode overwrite -q < feed > out 2>&1 &
	exec 7> feed
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"n":"new"}' >&7
	# The batch has taken the table (its DELETE waits for the commit).
	wait_until 10 bash -c "[ \"\$(psql '$URI' -XAtq -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 't' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()\")\" != 0 ]"
	run pg 'SELECT string_agg(n, $$,$$) FROM t'
	assert_output 'old'
	echo '{"_inlet":"end","batch":0}' >&7
	exec 7>&-
	wait
	run pg 'SELECT string_agg(n, $$,$$) FROM t'
	assert_output 'new'
}

@test "overwrite takes a schema's new types as a new table would; after rows it does not wipe them" {
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"v","type":"BIGINT"}]}' '{"v":1}' > b0
	inlet-commit --db "$URI" --table t --mode overwrite -q b0
	batch 1 '{"_inlet":"schema","version":1,"fields":[{"name":"v","type":"DATE"}]}' '{"v":"2024-05-01"}' > b1
	run inlet-commit --db "$URI" --table t --mode overwrite -q b1
	assert_success
	run pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'"
	assert_output date
	run pg 'SELECT v FROM t'
	assert_output 2024-05-01
	# Once the batch wrote a row, a type its values do not convert to is refused.
	batch 2 '{"v":"2024-06-01"}' '{"_inlet":"schema","version":2,"fields":[{"name":"v","type":"BOOLEAN"}]}' '{"v":true}' > b2
	run inlet-commit --db "$URI" --table t --mode overwrite -q b2
	assert_failure 65
	assert_output --partial "cannot change column 'v'"
	run pg 'SELECT v FROM t'
	assert_output 2024-05-01
}

@test "upsert: NULL key parts are one key, the last row of a key wins" {
	# Delta MERGE with <=> matches NULL keys (Databricks: "MERGE INTO", null-safe equal).
	batch 0 '{"k":"a","n":1,"v":"first"}' '{"k":"a","n":null,"v":"n-null"}' \
		'{"k":null,"n":null,"v":"both-null-1"}' '{"k":null,"n":null,"v":"both-null-2"}' > b0
	batch 1 '{"k":null,"n":null,"v":"both-null-3"}' '{"k":"a","n":null,"v":"n-null-2"}' \
		'{"k":"","n":null,"v":"empty-not-null"}' '{"k":"a","n":1,"v":"second"}' > b1
	run inlet-commit -c ck --db "$URI" --table up --mode upsert --key k,n -q b0 b1
	assert_success
	run pg "SELECT coalesce(k, '<null>'), coalesce(n, '<null>'), v FROM up ORDER BY 1, 2"
	assert_output '|<null>|empty-not-null
<null>|<null>|both-null-3
a|1|second
a|<null>|n-null-2'
	# The key is unique in the table itself, NULL parts included.
	run pg "INSERT INTO up (k, n, v) VALUES (NULL, NULL, 'dup')"
	assert_failure
	assert_output --partial 'duplicate key'
}

@test "upsert keys on typed columns with NULLs, and a key that is no column is an error" {
	batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"day","type":"DATE"},{"name":"n","type":"BIGINT"},{"name":"c","type":"INT"}]}' \
		'{"day":null,"n":0,"c":1}' '{"day":null,"n":null,"c":2}' '{"day":"1970-01-01","n":null,"c":3}' \
		'{"day":null,"n":0,"c":4}' > in
	run inlet-commit --db "$URI" --table up --mode upsert --key day,n -q < in
	assert_success
	run pg "SELECT coalesce(day::text, '-'), coalesce(n::text, '-'), c FROM up ORDER BY 1, 2"
	assert_output $'-|-|2\n-|0|4\n1970-01-01|-|3'
	run inlet-commit --db "$URI" --table up --mode upsert --key nope -q <<<'{"c":5}'
	assert_failure 65
	assert_output --partial "upsert key column 'nope' is not among the columns"
}

@test "new keys and schema versions add columns; an INT widens to BIGINT" {
	{
		batch 0 '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"INT"}]}' '{"id":1}'
		batch 1 '{"_inlet":"schema","version":1,"fields":[{"name":"id","type":"BIGINT"},{"name":"price","type":"DECIMAL(10,2)"}]}' \
			'{"id":9007199254740993,"price":"19.99","extra":"x"}'
	} > in
	run inlet-commit -c ck --db "$URI" --table t -q < in
	assert_success
	run pg "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0"
	assert_output 'id bigint, price numeric(10,2), extra text'
	run pg "SELECT id, coalesce(price::text, '-'), coalesce(extra, '-') FROM t ORDER BY id"
	assert_output $'1|-|-\n9007199254740993|19.99|x'
	# A type no value converts to is refused, the table left as it was.
	batch 2 '{"_inlet":"schema","version":2,"fields":[{"name":"id","type":"DATE"}]}' '{"id":"2024-01-01"}' > in2
	run inlet-commit --db "$URI" --table t -q in2
	assert_failure 65
	assert_output --partial "cannot change column 'id'"
	run pg 'SELECT count(*) FROM t'
	assert_output 2
}

@test "rows with no keys make a table without columns, then rows of NULLs" {
	run inlet-commit --db "$URI" --table t -q <<<$'{}\n{}\n{"a":"x"}'
	assert_success
	run pg "SELECT count(*), count(a) FROM t"
	assert_output '3|1'
}

@test "killed between the transaction and commits/N: no duplicate, no loss" {
	orders 5
	INLET_CRASH_AT=commit-after-sink run pipeline
	assert_equal "$status" 137
	[ ! -f ck/commits/0 ]
	exactly_once 6
	run pipeline
	assert_success
	exactly_once 15
	[ -f ck/commits/2 ]
}

@test "killed inside the transaction, rows sent: the server rolls it back, the replay loads once" {
	orders 4
	# 3000 rows in the first batch: far beyond libpq's 8 KB send buffer,
	# so the server has received rows when the writer is killed.
	seq 1 3000 | sed 's/.*/{"order_id":"big-&","total":1}/' > land/o0.json
	INLET_CRASH_AT=commit-before-sink run pipeline
	assert_equal "$status" 137
	# None of the rows the server received is in the table.
	run pg "SELECT count(*) FROM _inlet_commits"
	assert_output 0
	run pg "SELECT to_regclass('orders') IS NULL"
	assert_output t
	run pipeline
	assert_success
	exactly_once 3012
}

@test "killed after commits/N: the next run goes on from the next batch" {
	orders 4
	INLET_CRASH_AT=commit-after-mark run pipeline
	assert_equal "$status" 137
	[ -f ck/commits/0 ]
	run pipeline
	assert_success
	exactly_once 12
}

@test "a connection lost in the middle of a batch: exit 74, nothing of it committed, replayed once" {
	orders 2
	inlet-discover --checkpoint ck land > batches
	mkfifo feed
	inlet-commit -c ck --db "$URI" --table orders --quiet < feed > out 2> err &
	pid=$!
	exec 7> feed
	head -n -1 batches | inlet-parse --format json | grep -v '"_inlet":"end"' >&7 || true
	# The batch's transaction is open on the server: cut it off.
	wait_until 10 bash -c "[ \"\$(psql '$URI' -XAtq -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()\")\" != 0 ]"
	pg "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()" > /dev/null
	echo "$(tail -n 1 batches)" >&7
	exec 7>&-
	code=0
	wait "$pid" || code=$?
	assert_equal "$code" 74
	run cat err
	assert_output --partial 'lost the connection to PostgreSQL at '
	assert_output --partial 'the batch was rolled back and is replayed on restart'
	[ ! -f ck/commits/0 ]
	run pg "SELECT count(*) FROM _inlet_commits"
	assert_output 0
	run pipeline
	assert_success
	exactly_once 6
}

@test "a connection the server closes between batches is opened again, and the stream goes on" {
	mkfifo feed
	inlet-commit -c ck --db "$URI" --table t < feed > out 2> err &
	pid=$!
	exec 7> feed
	batch 0 '{"a":1}' >&7
	wait_until 10 test -f ck/commits/0
	# As a server restart or an idle timeout would.
	pg "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND application_name = 'inlet-commit'" > /dev/null
	batch 1 '{"a":2}' >&7
	exec 7>&-
	code=0
	wait "$pid" || code=$?
	assert_equal "$code" 0
	run cat err
	assert_output --partial "warning: lost the connection to PostgreSQL at $PGROOT:5432 ("
	assert_output --partial 'terminating connection due to administrator command'
	assert_output --partial '; connecting again in 1 s'
	run pg 'SELECT string_agg(a, $$,$$ ORDER BY a) FROM t'
	assert_output '1,2'
	[ -f ck/commits/1 ]
}

@test "a second writer on the same table waits, then gives up with 75" {
	mkfifo feed
	inlet-commit --db "$URI" --table t -q < feed > first.out 2>&1 &
	exec 7> feed
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"a":1}' >&7
	wait_until 10 bash -c "[ \"\$(psql '$URI' -XAtq -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()\")\" != 0 ]"
	# lock_timeout from the URI bounds the wait (10 s otherwise).
	run inlet-commit --db "$URI&options=-c%20lock_timeout%3D500ms" --table t -q <<<'{"a":2}'
	assert_failure 75
	assert_output --regexp 'is locked by another writer of the same table \(server process [0-9]+ of inlet-commit from the local socket, in a transaction since [0-9-]+T[0-9:]+Z\); gave up after lock_timeout'
	# Another table is not held up.
	run inlet-commit --db "$URI" --table other -q <<<'{"a":3}'
	assert_success
	echo '{"_inlet":"end","batch":0}' >&7
	exec 7>&-
	wait
	run pg 'SELECT string_agg(a, $$,$$) FROM t'
	assert_output '1'
}

@test "two writers of one table take turns: the second waits for the first batch, both commit" {
	mkfifo feed
	inlet-commit --db "$URI" --table t -q < feed > first.out 2>&1 &
	first=$!
	exec 7> feed
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"w":"first"}' >&7
	wait_until 10 bash -c "[ \"\$(psql '$URI' -XAtq -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()\")\" != 0 ]"
	inlet-commit --db "$URI" --table t -q <<<'{"w":"second"}' > second.out 2>&1 &
	second=$!
	sleep 0.5
	echo '{"_inlet":"end","batch":0}' >&7
	exec 7>&-
	wait "$first"
	wait "$second"
	run pg 'SELECT string_agg(w, $$,$$ ORDER BY w) FROM t'
	assert_output 'first,second'
}

@test "a bad URI is a usage error; a server that is not there names host and reason" {
	run inlet-commit --db 'postgresql://x/db?nosuchoption=1' --table t < /dev/null
	assert_failure 64
	assert_output --partial 'not a PostgreSQL URI: invalid URI query parameter: "nosuchoption"'
	run inlet-commit --check-options --db 'postgres://x/db?nosuchoption=1' --table t
	assert_failure 64
	mkdir nothere
	# --check-options checks the URI without connecting.
	run inlet-commit --check-options --db "postgres:///db?host=$PWD/nothere" --table t --mode upsert --key k
	assert_success
	run inlet-commit --db "postgres:///db?host=$PWD/nothere&user=postgres" --table t < /dev/null
	assert_failure 74
	assert_output --partial "cannot connect to PostgreSQL at $PWD/nothere:5432: "
	assert_output --partial 'No such file or directory'
	run inlet-commit --db "postgresql:///nosuchdb?host=$PGROOT&user=postgres" --table t < /dev/null
	assert_failure 74
	assert_output --partial 'database "nosuchdb" does not exist'
}

@test "commits/ says a batch is durable but the table has no mark of it: 65" {
	batch 0 '{"a":1}' | inlet-commit -c ck --db "$URI" --table t -q
	pg 'DELETE FROM _inlet_commits' > /dev/null
	run inlet-commit -c ck --db "$URI" --table t -q < /dev/null
	assert_failure 65
	assert_output --partial "'ck/commits/0' says batch 0 is durable in postgresql://postgres@"
	assert_output --partial 'holds no mark of it'
}

@test "the password stays out of the progress and the checkpoint" {
	batch 0 '{"a":1}' > in
	run inlet-commit -c ck --db "postgresql://postgres:s3cret@/$DB?host=$PGROOT" --table t < in
	assert_success
	refute_output --partial s3cret
	run grep -r s3cret ck
	assert_failure
}

# COPY INTO without mergeSchema refuses a column the table lacks
# (Databricks, COPY INTO: COPY_OPTIONS mergeSchema, default false).
@test "--no-new-columns: a column the table lacks is 65, the batch left out" {
	batch 0 '{"a":1}' | inlet-commit -c ck --db "$URI" --table t --no-new-columns -q
	run inlet-commit -c ck --db "$URI" --table t --no-new-columns -q < <(batch 1 '{"a":2}' '{"a":3,"b":4}')
	assert_failure 65
	assert_output --partial "line 3: column 'b' is not in postgresql://"
	run pg 'SELECT count(*) FROM t'
	assert_output 1
	batch 1 '{"a":2}' '{"a":3,"b":4}' | inlet-commit -c ck --db "$URI" --table t -q
	run pg 'SELECT count(*), count(b) FROM t'
	assert_output '3|1'
}

@test "libpq is loaded only when PostgreSQL is named: one that cannot be loaded is 69, nothing committed" {
	batch 0 '{"id":1}' > in
	# SQLite needs no libpq: a missing one is not even looked for.
	INLET_LIBPQ=/nonexistent/libpq.so.5 run inlet-commit --db t.db --table t -q < in
	assert_success
	assert_equal "$(sqlite3 t.db 'SELECT count(*) FROM t')" 1
	INLET_LIBPQ=/nonexistent/libpq.so.5 run --separate-stderr inlet-commit --checkpoint ck --db "$URI" --table t -q < in
	assert_equal "$status" 69
	assert_equal "$stderr" "inlet-commit: cannot load libpq, which PostgreSQL needs (Debian's package libpq5): /nonexistent/libpq.so.5: cannot open shared object file: No such file or directory"
	[ ! -e ck/commits/0 ]
	# A library that is not libpq: named, with the first function it lacks.
	INLET_LIBPQ=libz.so.1 run --separate-stderr inlet-commit --db "$URI" --table t -q < in
	assert_equal "$status" 69
	assert_equal "$stderr" "inlet-commit: cannot use 'libz.so.1' as libpq: it has no PQclear"
	run pg "SELECT count(*) FROM pg_tables WHERE tablename = 't'"
	assert_output 0
	# The library named, when it is libpq, is the one used (a full path:
	# an empty INLET_LIBPQ would test nothing).
	local lib
	lib=$(PATH=$PATH:/sbin:/usr/sbin ldconfig -p | awk '$1 == "libpq.so.5" { print $NF; exit }')
	[ -f "$lib" ]
	INLET_LIBPQ=$lib run inlet-commit --db "$URI" --table t -q < in
	assert_success
	run pg 'SELECT id FROM t'
	assert_output 1
}
