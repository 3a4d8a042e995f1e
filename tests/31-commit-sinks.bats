#!/usr/bin/env bats
# inlet-commit's sinks against an adversary: a folder table cut short at any
# point, two writers on one folder, a slow batch beside another table's
# writer, a database replaced under a batch, and rows SQLite cannot hold as
# they are.
load helpers

setup_file() {
	cc -shared -fPIC -o "$BATS_FILE_TMPDIR/shim.so" "$BATS_TEST_DIRNAME/fault/shim.c" -ldl
	# Under ASan the shim comes before the sanitizer runtime: allow it.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
}

teardown() {
	touch "$BATS_TEST_TMPDIR/go"	# release a writer a failed test left waiting
}

# wait_go: block until the file go exists (at most 20 s), as a slow upstream.
wait_go() {
	local i
	for i in $(seq 400); do [ -e go ] && return 0; sleep 0.05; done
	return 1
}

# until_true CMD...: retry CMD for up to 10 s.
until_true() {
	local i
	for i in $(seq 200); do "$@" && return 0; sleep 0.05; done
	echo "gave up waiting for: $*"
	return 1
}

# orders N: files land/o1.json .. oN.json of 3 orders each.
orders() {
	mkdir -p land
	local i j
	for i in $(seq 1 "$1"); do
		for j in 1 2 3; do echo "{\"order_id\":\"$i-$j\"}"; done > "land/o$i.json"
	done
}

# folder MODE [VAR=VALUE...]: discover | parse | commit --dir table, two
# files a batch, the commit stage run with the given environment.  Sets
# CODES to the three exit statuses; commit's messages go to commit.err.
folder() {
	local mode=$1
	shift
	{
		inlet-discover --checkpoint ck --max-files-per-trigger 2 land 2> discover.err \
		| inlet-parse --format json \
		| env "$@" inlet-commit --checkpoint ck --dir table --mode "$mode" --quiet 2> commit.err
		CODES="${PIPESTATUS[*]}"
	} || true
}

shim() {	# the environment that makes CALL fail on PATH after AFTER successes
	echo LD_PRELOAD="$BATS_FILE_TMPDIR/shim.so" INLET_FAULT_CALL="$1" \
		INLET_FAULT_PATH="$2" INLET_FAULT_AFTER="$3" INLET_FAULT_LOG="$PWD/fault.log"
}

# manifest_agrees: _manifest names exactly the part files in the folder.
manifest_agrees() {
	sed 's/^{"part":"\([^"]*\)".*/\1/' table/_manifest | sort > named
	ls table | grep '^part-' | sort > present || true
	diff named present || { echo "_manifest and the part files disagree"; return 1; }
}

# rows_once N: the parts _manifest names hold N rows, each once.
rows_once() {
	manifest_agrees
	(cd table && cat $(cat ../named)) > rows
	[ "$(wc -l < rows)" -eq "$1" ] || { echo "$(wc -l < rows) rows, want $1"; return 1; }
	[ "$(sort -u rows | wc -l)" -eq "$1" ] || { echo "duplicate rows"; return 1; }
}

# ---- the folder sink: a commit cut short converges ----

@test "dir sink: _manifest that cannot be written after the part's rename: the rerun lists every part, each row once" {
	orders 5
	folder append $(shim rename '*/table/_manifest' 1)
	[ -s fault.log ]
	assert_equal "$CODES" "0 0 74"
	[ ! -e ck/commits/1 ]
	folder append
	assert_equal "$CODES" "0 0 0"
	rows_once 15
	grep -q "removed 'table/part-00000001-" commit.err
}

@test "dir sink: overwrite cut short before _manifest: the rerun leaves the last batch's part alone, no old part beside it" {
	orders 4
	folder overwrite $(shim rename '*/table/_manifest' 1)
	[ -s fault.log ]
	assert_equal "$CODES" "0 0 74"
	folder overwrite
	assert_equal "$CODES" "0 0 0"
	[ "$(wc -l < table/_manifest)" -eq 1 ]
	rows_once 6
	run sort rows
	assert_output "$(printf '{"order_id":"%s"}\n' 3-1 3-2 3-3 4-1 4-2 4-3)"
	grep -q '"batch":1,' table/_manifest
}

@test "dir sink: kill -9 at every step of a commit, then a clean run: _manifest and parts agree, each row once" {
	orders 5
	for mode in append overwrite; do
		points="commit-before-sink commit-dir-after-part commit-dir-after-manifest commit-after-sink commit-after-mark"
		[ "$mode" = overwrite ] && points="$points commit-dir-overwrite"
		for point in $points; do
			rm -rf ck table
			folder "$mode" INLET_CRASH_AT="$point"
			[ "${CODES##* }" = 137 ] || { echo "$mode $point: commit exited ${CODES##* }, not killed"; false; }
			folder "$mode"
			assert_equal "$CODES" "0 0 0"
			if [ "$mode" = append ]; then
				rows_once 15
			else
				rows_once 3
				run cat rows
				assert_output "$(printf '{"order_id":"5-%s"}\n' 1 2 3)"
			fi
			[ -f ck/commits/2 ]
		done
	done
}

@test "dir sink: a malformed _manifest line is refused with 65 naming it, nothing removed" {
	orders 2
	folder append
	echo 'not json' >> table/_manifest
	cp -r table before
	orders 4
	folder append
	assert_equal "${CODES##* }" 65
	grep -q "'table/_manifest' line 2" commit.err
	diff -r -x .lock before table
}

# ---- the folder sink: one writer at a time ----

@test "dir sink: a second writer on the same folder exits 75 naming the holder, and the first commits" {
	{ batch 0 '{"a":1}' | head -2; wait_go; echo '{"_inlet":"end","batch":0}'; } \
		| inlet-commit --dir table --quiet 2> first.err &
	first=$!
	until_true [ -s table/.lock ]
	run inlet-commit --dir table --quiet <<< '{"b":2}'
	touch go
	wait "$first" || { cat first.err; false; }
	assert_equal "$status" 75
	assert_output --partial "'table' is in use by pid $first (inlet-commit)"
	[ "$(wc -l < table/_manifest)" -eq 1 ]
	run cat table/part-*
	assert_output '{"a":1}'
}

@test "dir sink: two writers at once never lose a _manifest line" {
	for w in 1 2; do
		(for i in $(seq 30); do
			code=0
			echo "{\"w\":$w,\"i\":$i}" | inlet-commit --dir table --quiet 2>> "w$w.err" || code=$?
			echo "$code" >> "w$w.codes"
		done) &
	done
	wait
	ok=$(cat w1.codes w2.codes | grep -c '^0$' || true)
	locked=$(cat w1.codes w2.codes | grep -c '^75$' || true)
	[ $((ok + locked)) -eq 60 ] || { cat w1.err w2.err; false; }
	rows_once "$ok"
}

# ---- SQLite: the write lock is taken when the batch is written ----

@test "sqlite: a batch begun with no rows yet does not lock out another table's writer" {
	{ batch 0 '{"a":1}'; echo '{"_inlet":"begin","batch":1}'; wait_go; echo '{"a":2}'
	  echo '{"_inlet":"end","batch":1}'; } \
		| inlet-commit --checkpoint ck --db t.db --table a > slow.out 2> slow.err &
	slow=$!
	until_true grep -q '"batch":0' slow.out
	sleep 0.2
	start=$SECONDS
	run inlet-commit --db t.db --table b --quiet <<< '{"x":1}'
	took=$((SECONDS - start))
	touch go
	wait "$slow" || { cat slow.err; false; }
	assert_success
	[ "$took" -lt 5 ]
	run sql t.db 'SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)'
	assert_output '2|1'
}

# ---- SQLite: the database replaced under a batch ----

# slow_batch: batch 0 with one row into t.db, then a wait for go; returns
# once the writer holds the database's write lock.  t.db exists first: a
# database inlet-commit creates takes its first batch without a
# write-ahead log (41-commit-sqlite-load.bats).
slow_batch() {
	sql t.db 'PRAGMA user_version = 1'
	{ batch 0 '{"a":1}' | head -2; wait_go; echo '{"_inlet":"end","batch":0}'; } \
		| inlet-commit --checkpoint ck --db t.db --table t > slow.out 2> slow.err &
	slow=$!
	until_true [ -e t.db-wal ]
	until_true eval "! sqlite3 t.db 'BEGIN IMMEDIATE; ROLLBACK' 2> /dev/null"
}

@test "sqlite: the database deleted under a batch: exit 74 naming it, commits/0 not written" {
	slow_batch
	rm t.db t.db-wal t.db-shm
	touch go
	status=0
	wait "$slow" || status=$?
	assert_equal "$status" 74
	grep -q "'t.db'" slow.err
	[ ! -e ck/commits/0 ]
	! grep -q '"batch":0' slow.out
}

@test "sqlite: the database replaced under a batch: exit 74, the new file untouched, commits/0 not written" {
	sql other.db 'CREATE TABLE keep (x); INSERT INTO keep VALUES (7)'
	slow_batch
	# As a restore would: the file and its write-ahead log.
	rm t.db-wal t.db-shm
	mv other.db t.db
	touch go
	status=0
	wait "$slow" || status=$?
	assert_equal "$status" 74
	grep -q "'t.db'" slow.err
	[ ! -e ck/commits/0 ]
	run sql t.db "SELECT group_concat(name) FROM sqlite_master"
	assert_output keep
}

# ---- SQLite: rows it cannot hold as they are ----

@test "sqlite: keys that differ only in case are refused with 65 naming the line and both keys" {
	batch 0 '{"id":1}' '{"a":1,"b":0,"A":2}' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	assert_output --partial "line 3"
	assert_output --partial "'a'"
	assert_output --partial "'A'"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "sqlite: a window beside a window_start key, or a key twice, is refused too" {
	echo '{"window":{"start":"s","end":"e"},"window_start":"x"}' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	assert_output --partial "'window_start'"
	assert_output --partial "'window'"
	echo '{"k":1,"k":2}' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
}

@test "sqlite: keys in another case in other rows still share one column" {
	batch 0 '{"a":"1"}' '{"A":"2"}' > in
	run inlet-commit --db t.db --table t < in
	assert_success
	run sql t.db 'SELECT group_concat(a) FROM t'
	assert_output '1,2'
}

@test "sqlite: {} rows before the table exists are rows of NULLs, counted as written" {
	batch 0 '{}' '{}' '{"a":"1"}' '{}' > in
	run inlet-commit --db t.db --table t < in
	assert_success
	assert_line --index 0 --partial '"rows":4,"inserted":4'
	run sql t.db "SELECT count(*), count(a) FROM t"
	assert_output '4|1'
	run sql t.db "SELECT coalesce(a, '-') FROM t ORDER BY rowid"
	assert_output $'-\n-\n1\n-'
}

@test "sqlite: {} rows before a schema record's table land in it" {
	{ echo '{"_inlet":"begin","batch":0}'; echo '{}'
	  echo '{"_inlet":"schema","fields":[{"name":"n","type":"INT"}]}'
	  echo '{"n":5}'; echo '{"_inlet":"end","batch":0}'; } > in
	run inlet-commit --db t.db --table t --quiet < in
	assert_success
	run sql t.db "SELECT count(*), sum(n) FROM t"
	assert_output '2|5'
}

@test "sqlite: a batch of only {} rows and no table is refused with 65, nothing said inserted" {
	batch 0 '{}' '{}' > in
	run inlet-commit --checkpoint ck --db t.db --table t < in
	assert_equal "$status" 65
	assert_output --partial "line 2"
	refute_output --partial '"inserted"'
	[ ! -e ck/commits/0 ]
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "sqlite: more columns than SQLite allows is 65 naming the record" {
	awk 'BEGIN { printf "{\"id\":1}\n{"; for (i = 1; i <= 2001; i++) printf "%s\"c%d\":%d", (i > 1 ? "," : ""), i, i; print "}" }' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	assert_output --partial "line 2"
	assert_output --partial "2000"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "sqlite: a schema record with more columns than SQLite allows is 65" {
	awk 'BEGIN { printf "{\"_inlet\":\"schema\",\"fields\":["; for (i = 1; i <= 2001; i++) printf "%s{\"name\":\"c%d\",\"type\":\"INT\"}", (i > 1 ? "," : ""), i; print "]}"; print "{\"c1\":1}" }' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
	assert_output --partial "2000"
}
