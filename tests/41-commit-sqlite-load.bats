#!/usr/bin/env bats
# inlet-commit into SQLite, the load path: rows go many to an INSERT
# statement, and a database inlet-commit creates takes its first batch
# with a rollback journal before it is set to WAL (inlet-commit(1), --db).
load helpers

# A test that failed while slow_first's writer waits: let its input end.
teardown() {
	touch "$BATS_TEST_TMPDIR/go" "$BATS_TEST_TMPDIR/go0" "$BATS_TEST_TMPDIR/go1"
}

# numbered N: a schema record, then rows 1..N, {"i":N,...}: every third
# without "s", row 33 the first with "late", row 40 with escapes in "s",
# row 50 with no keys at all.
numbered() {
	local i
	echo '{"_inlet":"schema","version":0,"fields":[{"name":"i","type":"BIGINT"},{"name":"s","type":"STRING"},{"name":"late","type":"STRING"}]}'
	for ((i = 1; i <= $1; i++)); do
		if ((i == 50)); then
			echo '{}'
		elif ((i == 40)); then
			echo '{"i":40,"s":"q\"uo\\te\n","late":"x"}'
		elif ((i % 3 == 0)); then
			echo "{\"i\":$i${late:+,\"late\":\"L$i\"}}"
		else
			echo "{\"i\":$i,\"s\":\"v$i\"${late:+,\"late\":\"L$i\"}}"
		fi
		((i != 32)) || late=1
	done
}

# expected N: what numbered N must leave, as sql prints
# "rowid|i|quote(s)|quote(late)".
expected() {
	local i s l
	for ((i = 1; i <= $1; i++)); do
		s="'v$i'" l=NULL
		((i % 3)) || s=NULL
		((i <= 32)) || l="'L$i'"
		if ((i == 40)); then
			s="'q\"uo\\te"$'\n'"'" l="'x'"
		elif ((i == 50)); then
			echo "50|NULL|NULL|NULL"
			continue
		fi
		echo "$i|$i|$s|$l"
	done
}

@test "sqlite: rows many to a statement keep their order and values; a key a row lacks is NULL, not the row before's" {
	local n
	# Around the chunk's size: less than one, one, one and a row, several.
	for n in 1 31 32 33 64 65 100; do
		rm -f t.db*
		late= numbered "$n" > rows
		{ echo '{"_inlet":"begin","batch":0}'; cat rows; echo '{"_inlet":"end","batch":0}'; } > in
		run inlet-commit --quiet --db t.db --table t < in
		assert_success
		run sql t.db 'SELECT rowid, quote(i), quote(s), quote(late) FROM t ORDER BY rowid'
		assert_output "$(expected "$n")"
	done
}

@test "sqlite: a key that becomes a column in the middle of a statement's rows: the rows before it hold NULL there" {
	{
		echo '{"_inlet":"begin","batch":0}'
		for i in $(seq 1 20); do echo "{\"a\":$i}"; done
		echo '{"a":21,"b":"new"}'
		for i in $(seq 22 40); do echo "{\"b\":\"b$i\",\"a\":$i}"; done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run inlet-commit --quiet --db t.db --table t < in
	assert_success
	run sql t.db "SELECT count(*), count(b), min(CASE WHEN b IS NOT NULL THEN a END),
		sum(a), group_concat(b, '') FROM t"
	assert_output "40|20|21|820|new$(printf 'b%s' $(seq 22 40))"
	run sql t.db 'SELECT count(*) FROM t WHERE rowid != a'
	assert_output 0
}

@test "sqlite: a NaN in a REAL column among a statement's rows is kept as text and counted" {
	{
		echo '{"_inlet":"begin","batch":0}'
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"x","type":"DOUBLE"}]}'
		for i in $(seq 1 70); do
			case $i in 5|37|70) echo '{"x":"NaN"}' ;; 6) echo '{"x":"Infinity"}' ;; *) echo "{\"x\":$i.5}" ;; esac
		done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run --separate-stderr inlet-commit --quiet --db t.db --table t < in
	assert_success
	[[ $stderr == *"3 NaN values kept as the text 'NaN'"* ]]
	run sql t.db "SELECT group_concat(rowid || typeof(x), ' ') FROM t WHERE typeof(x) != 'real'"
	assert_output '5text 37text 70text'
	run sql t.db "SELECT x FROM t WHERE rowid IN (4, 6)"
	assert_output $'4.5\nInf'
}

@test "sqlite: an input cut inside a batch leaves none of its rows, not even those of full statements" {
	mkdir ck
	batch 0 '{"a":1}' > in
	inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	{
		echo '{"_inlet":"begin","batch":1}'
		for i in $(seq 1 100); do echo "{\"a\":$i}"; done
	} > cut
	run inlet-commit --quiet --checkpoint ck --db t.db --table t < cut
	assert_failure 74
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 1
	[ ! -e ck/commits/1 ]
}

@test "sqlite: upsert rows of one batch still update one another in order" {
	{
		echo '{"_inlet":"begin","batch":0}'
		for i in $(seq 1 70); do echo "{\"k\":$((i % 5)),\"v\":$i}"; done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run inlet-commit --quiet --db t.db --table t --mode upsert --key k < in
	assert_success
	run sql t.db "SELECT group_concat(k || '=' || v, ' ') FROM (SELECT k, v FROM t ORDER BY k)"
	assert_output '0=70 1=66 2=67 3=68 4=69'
}

# slow_first N: batch 0 of N rows of 100 bytes, then a wait for go, into
# the new database t.db; returns once the writer holds its write lock.
slow_first() {
	{
		echo '{"_inlet":"begin","batch":0}'
		seq "$1" | awk '{ printf "{\"i\":%d,\"pad\":\"%0100d\"}\n", $1, $1 }'
		until [ -e go ]; do sleep 0.05; done
		echo '{"_inlet":"end","batch":0}'
	} | inlet-commit --quiet --checkpoint ck --db t.db --table t > slow.out 2> slow.err &
	slow=$!
	# Not before the file is there: the probe would create it.
	wait_until 10 test -e t.db
	wait_until 10 eval "! sqlite3 t.db 'BEGIN IMMEDIATE; ROLLBACK' 2> /dev/null"
}

@test "sqlite: a new database's first batch goes through a rollback journal, then the database is WAL" {
	slow_first 10
	# The batch's pages are in the cache or the file, its journal beside it
	# (made just after the lock is taken): no log.
	wait_until 10 test -e t.db-journal
	[ ! -e t.db-wal ]
	touch go
	wait "$slow"
	[ ! -e t.db-journal ]
	run sql t.db 'PRAGMA journal_mode'
	assert_output wal
	run sql t.db 'SELECT count(*), sum(i) FROM t'
	assert_output '10|55'
	# The next batch goes through the log.
	batch 1 '{"i":11}' > in
	run inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	assert_success
	run sql t.db 'SELECT count(*), (SELECT count(*) FROM _inlet_commits) FROM t'
	assert_output '11|2'
}

@test "sqlite: a new database deleted under its first batch: exit 74 naming it, commits/0 not written" {
	slow_first 10
	wait_until 10 test -e t.db-journal
	rm t.db t.db-journal
	touch go
	status=0
	wait "$slow" || status=$?
	assert_equal "$status" 74
	grep -q "'t.db' was deleted" slow.err
	[ ! -e ck/commits/0 ]
}

@test "sqlite: killed in a new database's first batch, its pages already in the file: none of it is there, and the rerun loads it once" {
	# 30,000 rows of 100 bytes outgrow SQLite's 2 MB cache: pages go into
	# the file before the COMMIT, with the journal to undo them.
	slow_first 30000
	wait_until 10 eval '[ "$(stat -c %s t.db)" -gt 1000000 ]'
	[ -s t.db-journal ]
	kill -9 "$slow"
	# The job is the pipeline: its input side waits for go.
	touch go
	wait "$slow" || true
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
	[ ! -e ck/commits/0 ]
	{
		echo '{"_inlet":"begin","batch":0}'
		seq 30000 | awk '{ printf "{\"i\":%d,\"pad\":\"%0100d\"}\n", $1, $1 }'
		echo '{"_inlet":"end","batch":0}'
	} > in
	run inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	assert_success
	run sql t.db 'SELECT count(*), count(DISTINCT i), sum(i) FROM t'
	assert_output '30000|30000|450015000'
	run sql t.db 'PRAGMA journal_mode'
	assert_output wal
	[ -e ck/commits/0 ]
}

@test "sqlite: a database that exists is set to WAL before its first batch" {
	sql t.db 'CREATE TABLE other (x); INSERT INTO other VALUES (1)'
	run sql t.db 'PRAGMA journal_mode'
	assert_output delete
	slow_first 10
	# Its batch is under way (the writer holds the lock): through the log.
	wait_until 10 test -e t.db-wal
	touch go
	wait "$slow"
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 10
}

@test "sqlite: a new database with no batch at all is left in WAL mode" {
	run inlet-commit --quiet --db t.db --table t < /dev/null
	assert_success
	run sql t.db 'PRAGMA journal_mode'
	assert_output wal
}

# padded N FIRST [COUNT]: batch N of COUNT (30,000) rows of about 110
# bytes (3.3 MB), i from FIRST.
padded() {
	echo "{\"_inlet\":\"begin\",\"batch\":$1}"
	seq "$2" $(($2 + ${3:-30000} - 1)) | awk '{ printf "{\"i\":%d,\"pad\":\"%0100d\"}\n", $1, $1 }'
	echo "{\"_inlet\":\"end\",\"batch\":$1}"
}

@test "sqlite: a batch of more than 2 MiB of rows starts its pages' write-back as it goes, into the file and then into the log; a small batch does not" {
	# The calls are seen through strace; a machine that forbids tracing says so.
	strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"
	# LeakSanitizer cannot run under ptrace; the other checks still do.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	padded 0 1 > in
	strace -f -y -e trace=sync_file_range -o trace0 inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	# 3.3 MB of rows: started once at least, on the database (rollback
	# journal: no log yet), and never on anything else.
	run grep -c 'sync_file_range([0-9]*</[^>]*/t\.db>' trace0
	assert_success
	[ "$output" -ge 1 ]
	! grep 'sync_file_range(' trace0 | grep -qv '/t\.db>'
	# The next batch goes into the write-ahead log.
	padded 1 30001 > in
	strace -f -y -e trace=sync_file_range -o trace1 inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	grep -q 'sync_file_range([0-9]*</[^>]*/t\.db-wal>' trace1
	# 100 rows: no call at all.
	{ echo '{"_inlet":"begin","batch":2}'; seq 60001 60100 | awk '{ printf "{\"i\":%d}\n", $1 }'; echo '{"_inlet":"end","batch":2}'; } > in
	strace -f -y -e trace=sync_file_range -o trace2 inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	! grep -q 'sync_file_range(' trace2
	# Every row once.
	run sql t.db 'SELECT count(*), count(DISTINCT i), min(i + 0), max(i + 0), (SELECT count(*) FROM _inlet_commits) FROM t'
	assert_output '60100|60100|1|60100|3'
}

@test "sqlite: while a large batch is written, write-back started, no other writer gets in: into the file and into the log" {
	# Closing any descriptor of the database would drop SQLite's locks on
	# it (POSIX locks are the process's), so the write-back keeps its own.
	{
		padded 0 1 | sed '$d'
		until [ -e go0 ]; do sleep 0.05; done
		echo '{"_inlet":"end","batch":0}'
		padded 1 30001 100000 | sed '$d'
		until [ -e go1 ]; do sleep 0.05; done
		echo '{"_inlet":"end","batch":1}'
	} | inlet-commit --checkpoint ck --db t.db --table t > slow.out 2> slow.err &
	slow=$!
	# 3.3 MB in, past SQLite's 2 MB cache: the pages go into the file,
	# the journal beside it.
	wait_until 20 eval '[ -s t.db-journal ] && [ "$(stat -c %s t.db)" -gt 1000000 ]'
	! sqlite3 t.db 'BEGIN IMMEDIATE; ROLLBACK' 2> /dev/null
	touch go0
	wait_until 20 test -e ck/commits/0
	# 11 MB: the pages go into the log.
	wait_until 20 eval '[ "$(stat -c %s t.db-wal 2> /dev/null || echo 0)" -gt 1000000 ]'
	! sqlite3 t.db 'BEGIN IMMEDIATE; ROLLBACK' 2> /dev/null
	touch go1
	wait "$slow"
	run sql t.db 'SELECT count(*), count(DISTINCT i), (SELECT count(*) FROM _inlet_commits) FROM t'
	assert_output '130000|130000|2'
}

@test "sqlite: a second writer opening a new database while its first batch is written waits its turn, then both are in; WAL after" {
	# The first batch's pages are in the file: not new to the second,
	# which cannot set WAL while that batch holds the file.
	slow_first 30000
	wait_until 10 eval '[ "$(stat -c %s t.db)" -gt 1000000 ]'
	batch 0 '{"x":1}' > in
	inlet-commit --quiet --checkpoint ck2 --db t.db --table u < in 2> second.err &
	second=$!
	# Long enough for it to open the file and ask for WAL.
	sleep 1
	touch go
	wait "$slow"
	wait "$second" || fail "the second writer failed: $(cat second.err)"
	run sql t.db 'SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM u), (SELECT count(*) FROM _inlet_commits)'
	assert_output '30000|1|2'
	run sql t.db 'PRAGMA journal_mode'
	assert_output wal
}
