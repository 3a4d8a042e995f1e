#!/usr/bin/env bats
# The file ledger of the database sinks (inlet-commit(1), LEDGER): each
# batch records the file versions it loaded in _inlet_files, in its own
# transaction, and a version already there is left out, said and counted.
# Exactly once then holds across lost checkpoints, workers sharing a
# table and re-sharding.  Every case runs against SQLite and against a
# throw-away PostgreSQL (tests/pg.bash).
load helpers
load pg

# use sqlite|pg: the sink the test commits into (SINK, DBARG).
use() {
	SINK=$1
	if [ "$SINK" = pg ]; then DBARG=$URI; else DBARG=$PWD/shop.db; fi
}

# q QUERY: the query's result in the sink, '|' between columns.
q() {
	if [ "$SINK" = pg ]; then pg "$1"; else sql shop.db "$1"; fi
}

# orders FROM TO: one file of 3 orders a number, land/oI.json.
orders() {
	mkdir -p land
	local i j
	for i in $(seq "$1" "$2"); do
		for j in 1 2 3; do echo "{\"order_id\":\"$i-$j\",\"total\":$i.50}"; done > "land/o$i.json"
	done
}

# pipeline CK [discover options...]: discover | parse | commit on checkpoint
# CK into table orders, two files a batch; commit's messages in CK.err,
# its summary (the last line of its output) in CK.out.
pipeline() {
	local ck=$1
	shift
	inlet-discover --checkpoint "$ck" --max-files-per-trigger 2 "$@" land \
		| inlet-parse --format json \
		| inlet-commit --checkpoint "$ck" --db "$DBARG" --table orders --summary-only \
			${MODE:+--mode "$MODE"} > "$ck.out" 2> "$ck.err"
}

# exactly_once ROWS: the table holds ROWS rows, no order twice.
exactly_once() {
	run q 'SELECT count(*), count(DISTINCT order_id) FROM orders'
	assert_output "$1|$1"
}

# left_out CK: the files commit on CK said it left out, sorted.
left_out() {
	sed -n "s/^inlet-commit: '\\(.*\\)' already loaded by checkpoint .*/\\1/p" "$1.err" | sort
}

# ckid CK: the id of checkpoint CK.
ckid() {
	jq -r .id "$1/metadata"
}

lost_checkpoint() {
	orders 1 4
	pipeline ck
	exactly_once 12
	local old
	old=$(ckid ck)
	rm -rf ck
	orders 5 6
	pipeline ck
	exactly_once 18
	# Each old file said once, naming who loaded it and what was left out.
	run cat ck.err
	assert_line "inlet-commit: '$PWD/land/o1.json' already loaded by checkpoint $old batch 0; its 3 rows left out"
	assert_line "inlet-commit: '$PWD/land/o4.json' already loaded by checkpoint $old batch 1; its 3 rows left out"
	assert_equal "$(wc -l < ck.err)" 4
	assert_equal "$(cat ck.out)" '{"num_affected_rows":6,"num_inserted_rows":6,"num_skipped_corrupt_files":0,"num_skipped_loaded_files":4,"num_skipped_loaded_rows":12}'
	# The new files are in the ledger under the new checkpoint; nothing new for the old.
	run q "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid ck)'"
	assert_output 2
	run q "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$old'"
	assert_output 4
	# A third run: the checkpoint holds everything, nothing is looked up twice.
	pipeline ck
	exactly_once 18
	assert_equal "$(cat ck.err)" ""
}

@test "sqlite: a lost checkpoint loads nothing twice and says which files were left out" {
	use sqlite
	lost_checkpoint
}

@test "postgresql: a lost checkpoint loads nothing twice and says which files were left out" {
	use pg
	lost_checkpoint
}

# Two workers with checkpoints of their own over one folder into one
# table, at the same time: the ledger's look-up under the table's lock
# lets each file in once, whoever gets it first.
two_workers() {
	orders 1 16
	pipeline ck1 &
	local w1=$!
	pipeline ck2 &
	local w2=$!
	wait "$w1"
	wait "$w2"
	exactly_once 48
	# Each worker took some files and left out exactly the others'.
	local took1 took2
	took1=$(q "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid ck1)'")
	took2=$(q "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid ck2)'")
	assert_equal "$((took1 + took2))" 16
	assert_equal "$(left_out ck1 | wc -l)" "$took2"
	assert_equal "$(left_out ck2 | wc -l)" "$took1"
	run q 'SELECT count(DISTINCT path) FROM _inlet_files'
	assert_output 16
}

@test "sqlite: two checkpoints over the same folder into one table: every row once" {
	use sqlite
	two_workers
}

@test "postgresql: two checkpoints over the same folder into one table: every row once" {
	use pg
	two_workers
}

# Two shards, then three with fresh checkpoints (a change of N): the
# second split gives most files to another shard than the first did.
resharding() {
	orders 1 12
	pipeline a0 --shard 0/2
	pipeline a1 --shard 1/2
	exactly_once 36
	orders 13 16
	pipeline b0 --shard 0/3
	pipeline b1 --shard 1/3
	pipeline b2 --shard 2/3
	exactly_once 48
	# The twelve old files were each left out once, by some shard of three.
	assert_equal "$(cat b0.err b1.err b2.err | grep -c 'already loaded by checkpoint')" 12
	run q 'SELECT count(*), count(DISTINCT path) FROM _inlet_files'
	assert_output '16|16'
}

@test "sqlite: re-sharding from 2 to 3 shards with fresh checkpoints: every row once" {
	use sqlite
	resharding
}

@test "postgresql: re-sharding from 2 to 3 shards with fresh checkpoints: every row once" {
	use pg
	resharding
}

# A file rewritten (new size and mtime) is a new version and loads again,
# as Auto Loader's cloudFiles.allowOverwrites does; a file copied back in
# place with its time kept (a new inode, as on another host) is the same
# version and does not.
rewritten() {
	orders 1 3
	pipeline ck
	exactly_once 9
	rm -rf ck
	for j in 1 2 3 4; do echo "{\"order_id\":\"r1-$j\",\"total\":9.50}"; done > land/o1.json
	touch -d '2020-01-01 00:00:00' land/o1.json
	cp -p land/o2.json o2.copy
	rm land/o2.json
	cp -p o2.copy land/o2.json
	pipeline ck
	exactly_once 13
	run left_out ck
	assert_output "$PWD/land/o2.json
$PWD/land/o3.json"
	run q "SELECT count(*) FROM _inlet_files WHERE path = '$PWD/land/o1.json'"
	assert_output 2
}

@test "sqlite: a rewritten file loads again; the same version under a new inode does not" {
	use sqlite
	rewritten
}

@test "postgresql: a rewritten file loads again; the same version under a new inode does not" {
	use pg
	rewritten
}

# Overwrite replaces the table's ledger rows with the batch's own, in the
# batch's transaction: after it the ledger names only the files the table
# holds, and a rerun on a lost checkpoint loads every batch again.
overwrite() {
	orders 1 4
	MODE=overwrite pipeline ck
	run q 'SELECT order_id FROM orders ORDER BY order_id'
	assert_output "$(printf '%s\n' 3-1 3-2 3-3 4-1 4-2 4-3)"
	run q "SELECT path FROM _inlet_files WHERE table_name = 'orders' ORDER BY path"
	assert_output "$PWD/land/o3.json
$PWD/land/o4.json"
	rm -rf ck
	MODE=overwrite pipeline ck
	assert_equal "$(cat ck.err)" ""
	exactly_once 6
	run q 'SELECT count(*) FROM _inlet_files'
	assert_output 2
	# Back to append on a lost checkpoint: what the table holds is left
	# out, what the last overwrite dropped loads again.
	rm -rf ck
	orders 5 5
	pipeline ck
	exactly_once 15
	run left_out ck
	assert_output "$PWD/land/o3.json
$PWD/land/o4.json"
}

@test "sqlite: overwrite mode replaces the table's ledger entries with the batch's" {
	use sqlite
	overwrite
}

@test "postgresql: overwrite mode replaces the table's ledger entries with the batch's" {
	use pg
	overwrite
}

# The ledger goes with the table: a table dropped, or dropped and created
# anew (empty while its ledger says rows were loaded), loads its files
# again, as Databricks' COPY INTO does after DROP TABLE (its load history
# is in the table's log):
# https://docs.databricks.com/en/ingestion/copy-into/index.html
dropped_table() {
	orders 1 2
	pipeline ck
	rm -rf ck
	q 'DROP TABLE orders'
	pipeline ck
	assert_equal "$(cat ck.err)" ""
	exactly_once 6
	rm -rf ck
	q 'DROP TABLE orders'
	q 'CREATE TABLE orders (order_id TEXT, total TEXT)'
	pipeline ck
	exactly_once 6
	# A table that holds its rows keeps its ledger.
	rm -rf ck
	pipeline ck
	exactly_once 6
	assert_equal "$(left_out ck | wc -l)" 2
	run q "SELECT sum(rows) FROM _inlet_files WHERE table_name = 'orders'"
	assert_output 6
}

@test "sqlite: a dropped table, or one created anew, loads its files again" {
	use sqlite
	dropped_table
}

@test "postgresql: a dropped table, or one created anew, loads its files again" {
	use pg
	dropped_table
}

# Killed at each crash point of commit (libcommon/fault.h), then the
# checkpoint lost and a second worker run besides: every row once.
crashes() {
	local point
	orders 1 6
	for point in commit-before-sink commit-after-sink commit-after-mark; do
		INLET_CRASH_AT=$point run pipeline "k-$point"
		assert_equal "$status" 137
		rm -rf "k-$point"
	done
	pipeline w2
	exactly_once 18
	# The killed runs committed batch 0 at most (two of them did): its
	# files, once, and every other file by the last worker.
	run q 'SELECT count(*), count(DISTINCT path) FROM _inlet_files'
	assert_output '6|6'
	assert_equal "$(left_out w2 | wc -l)" 2
}

@test "sqlite: kill -9 at the crash points, checkpoints lost: every row once" {
	use sqlite
	crashes
}

@test "postgresql: kill -9 at the crash points, checkpoints lost: every row once" {
	use pg
	crashes
}

# identity PATH: the identity members of a file record for PATH.
identity() {
	stat -c ',"dev":%d,"ino":%i,"size":%s,"mtime_ns":%Y000000000' "$1"
}

# Rows before a batch's first file record belong to no file: they are
# committed as without a ledger, and the ledger records the file that
# follows.  A batch without file records (a plain stream) records nothing.
unattributed() {
	echo '{"order_id":"x"}' > x.json
	local f="{\"_inlet\":\"file\",\"batch\":0,\"path\":\"$PWD/x.json\"$(identity x.json)}"
	for w in 1 2; do
		printf '%s\n' '{"_inlet":"begin","batch":0}' "{\"order_id\":\"before-$w\"}" "$f" \
			"{\"order_id\":\"x-$w\"}" '{"_inlet":"end","batch":0}' \
			| inlet-commit --checkpoint "w$w" --db "$DBARG" --table orders --quiet 2> "w$w.err"
	done
	run q 'SELECT order_id FROM orders ORDER BY order_id'
	assert_output "$(printf '%s\n' before-1 before-2 x-1)"
	run cat w2.err
	assert_output "inlet-commit: '$PWD/x.json' already loaded by checkpoint $(ckid w1) batch 0; its 1 row left out"
	# A stream of rows only: committed, no ledger row.
	printf '%s\n' '{"_inlet":"begin","batch":0}' '{"order_id":"plain"}' '{"_inlet":"end","batch":0}' \
		| inlet-commit --checkpoint w3 --db "$DBARG" --table orders --quiet
	run q "SELECT count(*) FROM orders WHERE order_id = 'plain'"
	assert_output 1
	run q 'SELECT count(*) FROM _inlet_files'
	assert_output 1
}

@test "sqlite: rows before any file record are committed; the ledger records the batch's files" {
	use sqlite
	unattributed
}

@test "postgresql: rows before any file record are committed; the ledger records the batch's files" {
	use pg
	unattributed
}

# A file name that is not UTF-8 (latin-1 é): PostgreSQL's text cannot hold
# it as it is, so the ledger keeps it as file records write it, \udcXX.
latin1_name() {
	mkdir -p land
	echo '{"order_id":"e-1"}' > land/$'caf\xe9.json'
	pipeline ck
	rm -rf ck
	pipeline ck
	exactly_once 1
	run cat ck.err
	assert_output --partial "land/caf\\udce9.json' already loaded by checkpoint"
	run q 'SELECT path FROM _inlet_files'
	assert_output "$PWD/land/caf\\udce9.json"
}

@test "sqlite: a file name that is not UTF-8 is one version, left out once loaded" {
	use sqlite
	latin1_name
}

@test "postgresql: a file name that is not UTF-8 is one version, left out once loaded" {
	use pg
	latin1_name
}

@test "a file that a skip record names is not recorded, and loads when listed again" {
	use sqlite
	echo '{"order_id":"y"}' > y.json
	local f="{\"_inlet\":\"file\",\"batch\":0,\"path\":\"$PWD/y.json\"$(identity y.json)}"
	printf '%s\n' '{"_inlet":"begin","batch":0}' "$f" \
		"{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/y.json\",\"reason\":\"Input/output error\"}" \
		'{"_inlet":"end","batch":0}' \
		| inlet-commit --checkpoint w1 --db shop.db --table orders --quiet
	run sql shop.db 'SELECT count(*) FROM _inlet_files'
	assert_output 0
	printf '%s\n' '{"_inlet":"begin","batch":0}' "$f" '{"order_id":"y"}' '{"_inlet":"end","batch":0}' \
		| inlet-commit --checkpoint w2 --db shop.db --table orders --quiet
	run sql shop.db 'SELECT order_id FROM orders'
	assert_output y
}

@test "--table _inlet_files is refused: rows there would forge loaded files" {
	run --separate-stderr inlet-commit --db shop.db --table _inlet_files < /dev/null
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-commit: --table '_inlet_files' is reserved: inlet keeps its file ledger in _inlet_files"
	[ ! -e shop.db ]
}
