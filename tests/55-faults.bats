#!/usr/bin/env bats
# Fault injection: a full disk, a dying device, a closed standard output
# and a locked database, each in the middle of a batch.  Every fault must
# give a message naming the file, the exit status of inlet(7), leave the
# batch uncommitted (no commits/N; no _inlet_commits row, unless the sink
# had already committed it), and the next run without the fault must load
# every row exactly once.
#
# The faults come from tests/fault/shim.c, preloaded into one stage only.
load helpers

setup_file() {
	cc -shared -fPIC -o "$BATS_FILE_TMPDIR/shim.so" "$BATS_TEST_DIRNAME/fault/shim.c" -ldl
	# Under ASan the shim comes before the sanitizer runtime: allow it.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
}

# orders FROM TO: one file of orders per id, land/oID.json, ids FROM..TO.
orders() {
	mkdir -p land
	local i
	for i in $(seq "$1" "$2"); do
		printf '{"id":%d,"customer":"C%d","amount":"%d.50"}\n' "$i" "$((i % 7))" "$i" > "land/o$i.json"
	done
}

# stage NAME CMD...: run CMD, under the shim when FAULT_STAGE is NAME.
stage() {
	local name=$1
	shift
	if [ "$name" = "${FAULT_STAGE:-}" ]; then
		LD_PRELOAD=$BATS_FILE_TMPDIR/shim.so INLET_FAULT_CALL=$FAULT_CALL \
		INLET_FAULT_PATH=$FAULT_PATH INLET_FAULT_ERRNO=${FAULT_ERRNO:-ENOSPC} \
		INLET_FAULT_AFTER=${FAULT_AFTER:-0} INLET_FAULT_LOG=$PWD/fault.log "$@"
	else
		"$@"
	fi
}

# pipeline: discover | parse | rescue | cast | commit on checkpoint ck into
# shop.db table orders, two files a batch.  Sets CODES to the five exit
# statuses; each stage's messages are in STAGE.err.
pipeline() {
	{
		stage discover inlet-discover --checkpoint ck --max-files-per-trigger 2 land 2> discover.err \
		| stage parse inlet-parse --format json 2> parse.err \
		| stage rescue inlet-rescue --schema-location ck 2> rescue.err \
		| stage cast inlet-cast 2> cast.err \
		| stage commit inlet-commit --checkpoint ck --db shop.db --table orders --quiet 2> commit.err
		CODES="${PIPESTATUS[*]}"
	} || true
}

# not_committed N: batch N is marked neither in commits/ nor in the sink.
not_committed() {
	[ ! -e "ck/commits/$1" ] || { echo "ck/commits/$1 exists"; return 1; }
	run sql shop.db "SELECT count(*) FROM _inlet_commits WHERE batch = $1"
	assert_output 0
}

# exactly_once N: the table holds ids 1..N, each once.
exactly_once() {
	run sql shop.db 'SELECT count(*), count(DISTINCT id), min(id), max(id) FROM orders'
	assert_output "$1|$1|1|$1"
}

# The first batch (ids 1, 2) loads cleanly, then ids 3, 4 land: batch 1
# is the one the fault hits.
first_batch_then_two_more() {
	orders 1 2
	FAULT_STAGE= pipeline
	assert_equal "$CODES" "0 0 0 0 0"
	exactly_once 2
	orders 3 4
	touch -d '+1 minute' land/o3.json land/o4.json
}

# fault_reached: the shim did inject the fault (the test is not vacuous).
fault_reached() {
	[ -s fault.log ] || { echo "the fault was never injected"; return 1; }
}

# recovers N: a run without the fault loads everything exactly once.
recovers() {
	FAULT_STAGE= pipeline
	assert_equal "$CODES" "0 0 0 0 0"
	exactly_once "$1"
	[ -f "ck/commits/$(ls ck/offsets | sort -n | tail -1)" ]
}

# ---- the checkpoint: offsets/N (discover) ----

@test "offsets/N write fails with ENOSPC: discover exits 74 naming it, batch not emitted, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=write FAULT_PATH='*/ck/offsets/*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "$CODES" "74 0 0 0 0"
	run cat discover.err
	assert_output --partial "cannot write 'ck/offsets/1': No space left on device"
	[ ! -e ck/offsets/1 ]
	[ -z "$(ls -A ck/offsets | grep '^\.')" ]	# the temporary file was removed
	not_committed 1
	exactly_once 2
	recovers 4
}

@test "offsets/N fsync fails with EIO: discover exits 74 naming it, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=fsync FAULT_PATH='*/ck/offsets/.*' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "$CODES" "74 0 0 0 0"
	run cat discover.err
	assert_output --partial "cannot write 'ck/offsets/1': Input/output error"
	not_committed 1
	recovers 4
}

@test "offsets/N rename fails with EIO: discover exits 74 naming it, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=rename FAULT_PATH='*/ck/offsets/*' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "$CODES" "74 0 0 0 0"
	run cat discover.err
	assert_output --partial "cannot write 'ck/offsets/1': Input/output error"
	[ ! -e ck/offsets/1 ]
	not_committed 1
	recovers 4
}

@test "offsets/ folder fsync fails after the rename: discover exits 74, the batch is replayed" {
	first_batch_then_two_more
	# The folder's own fsync (write_file_atomic's last step): offsets/1 is
	# in place but not known durable, and the batch was not emitted.
	FAULT_STAGE=discover FAULT_CALL=fsync FAULT_PATH='*/ck/offsets' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "$CODES" "74 0 0 0 0"
	run cat discover.err
	assert_output --partial "cannot write 'ck/offsets/1': Input/output error"
	not_committed 1
	exactly_once 2
	recovers 4
}

@test "offsets/N open fails with ENOSPC (no inode left): discover exits 74, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=open FAULT_PATH='*/ck/offsets/.*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "$CODES" "74 0 0 0 0"
	run cat discover.err
	assert_output --partial "cannot write 'ck/offsets/1': No space left on device"
	not_committed 1
	recovers 4
}

# ---- the checkpoint: commits/N (commit) ----

@test "commits/N write fails with ENOSPC: commit exits 74 naming it; the sink holds the batch, the replay skips it" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=write FAULT_PATH='*/ck/commits/*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --partial "cannot write 'ck/commits/1': No space left on device"
	# Not marked in the checkpoint; the sink's transaction (rows + mark)
	# committed before commits/N, as inlet(7) orders them.
	[ ! -e ck/commits/1 ]
	run sql shop.db "SELECT count(*) FROM _inlet_commits WHERE batch = 1"
	assert_output 1
	exactly_once 4
	recovers 4
}

@test "commits/N fsync fails with EIO: commit exits 74 naming it, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=fsync FAULT_PATH='*/ck/commits/.*' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --partial "cannot write 'ck/commits/1': Input/output error"
	[ ! -e ck/commits/1 ]
	recovers 4
}

@test "commits/N close fails with EIO: commit exits 74 naming it, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=close FAULT_PATH='*/ck/commits/.*' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --partial "cannot write 'ck/commits/1': Input/output error"
	[ ! -e ck/commits/1 ]
	recovers 4
}

@test "commits/N rename fails with ENOSPC: commit exits 74 naming it, rerun loads once" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=rename FAULT_PATH='*/ck/commits/*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --partial "cannot write 'ck/commits/1': No space left on device"
	[ ! -e ck/commits/1 ]
	recovers 4
}

# ---- the checkpoint: schemas/V (rescue) ----

@test "schemas/0 write fails with ENOSPC on the first batch: rescue exits 74 naming it, nothing committed" {
	orders 1 2
	FAULT_STAGE=rescue FAULT_CALL=write FAULT_PATH='*/ck/schemas/*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "$CODES" "0 0 74 0 0"
	run cat rescue.err
	assert_output --partial "cannot write 'ck/schemas/0': No space left on device"
	[ ! -e ck/schemas/0 ]
	[ ! -e ck/commits/0 ]
	[ ! -e shop.db ] || { run sql shop.db "SELECT count(*) FROM _inlet_commits"; assert_output 0; }
	recovers 2
}

@test "schemas/V write fails with EIO on a new column: rescue exits 74, the batch is rolled back, rerun loads once" {
	first_batch_then_two_more
	printf '{"id":3,"customer":"C3","amount":"3.50","coupon":"X"}\n' > land/o3.json
	touch -d '+1 minute' land/o3.json
	FAULT_STAGE=rescue FAULT_CALL=write FAULT_PATH='*/ck/schemas/*' FAULT_ERRNO=EIO pipeline
	fault_reached
	run cat rescue.err
	assert_output --partial "cannot write 'ck/schemas/1': Input/output error"
	# cast sees its input end inside the batch rescue left: 74 too.
	assert_equal "$CODES" "0 0 74 74 74"
	run cat commit.err
	assert_output --partial "input ended inside batch 1"
	[ ! -e ck/schemas/1 ]
	not_committed 1
	exactly_once 2
	recovers 4
	run sql shop.db "SELECT coupon FROM orders WHERE id = 3"
	assert_output X
}

# ---- the sink: SQLite ----

@test "SQLite WAL write fails with ENOSPC: commit exits 74 naming the database, batch not committed" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=pwrite,write FAULT_PATH='*/shop.db-wal' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --regexp "'shop.db'.*(full|disk)"
	not_committed 1
	exactly_once 2
	recovers 4
}

@test "SQLite WAL write fails with EIO: commit exits 74 naming the database, batch not committed" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=pwrite,write FAULT_PATH='*/shop.db-wal' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --regexp "'shop.db'.*I/O error"
	not_committed 1
	exactly_once 2
	recovers 4
}

@test "SQLite sync fails with EIO at COMMIT: commit exits 74, batch not committed" {
	first_batch_then_two_more
	FAULT_STAGE=commit FAULT_CALL=fsync,fdatasync FAULT_PATH='*/shop.db*' FAULT_ERRNO=EIO pipeline
	fault_reached
	assert_equal "${CODES##* }" 74
	run cat commit.err
	assert_output --regexp "'shop.db'.*I/O error"
	not_committed 1
	exactly_once 2
	recovers 4
}

@test "SQLite database cannot be created (ENOSPC on open): commit exits 73 naming it" {
	orders 1 2
	FAULT_STAGE=commit FAULT_CALL=open FAULT_PATH='*/shop.db*' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES##* }" 73
	run cat commit.err
	assert_output --partial "cannot open database 'shop.db'"
	[ ! -e ck/commits/0 ]
	recovers 2
}

@test "SQLite busy: another connection holds BEGIN EXCLUSIVE; commit exits 75, then recovers" {
	first_batch_then_two_more
	mkfifo hold
	sqlite3 shop.db < hold > holder.out 2>&1 3>&- &
	holder=$!
	exec 7> hold
	echo 'BEGIN EXCLUSIVE;' >&7
	# Wait until the holder has the lock.
	for _ in $(seq 100); do
		sqlite3 -cmd '.timeout 0' shop.db 'BEGIN IMMEDIATE; ROLLBACK;' 2> /dev/null || break
		sleep 0.05
	done
	FAULT_STAGE= pipeline
	exec 7>&-
	wait "$holder" || true
	assert_equal "${CODES##* }" 75
	run cat commit.err
	assert_output --partial "'shop.db'"
	assert_output --partial "locked"
	not_committed 1
	exactly_once 2
	recovers 4
}

# ---- a closed standard output ----

# closed_pipe: fd 6 writes to a fifo nobody reads (EPIPE at once).
closed_pipe() {
	mkfifo out.fifo
	exec 5<> out.fifo
	exec 6> out.fifo
	exec 5<&-
}

@test "discover's standard output closed (SIGPIPE): killed by it, offsets/N kept, the batch replays" {
	orders 1 4
	closed_pipe
	run -141 bash -c "trap - PIPE; exec inlet-discover --checkpoint ck --max-files-per-trigger 2 land >&6"
	exec 6>&-
	[ -f ck/offsets/0 ]
	[ ! -e ck/commits/0 ]
	recovers 4
}

@test "discover's standard output closed, SIGPIPE ignored: EPIPE, exit 74 with a message" {
	orders 1 4
	closed_pipe
	run -74 bash -c "trap '' PIPE; exec inlet-discover --checkpoint ck --max-files-per-trigger 2 land >&6"
	exec 6>&-
	assert_output --partial "inlet-discover: cannot write"
	assert_output --partial "Broken pipe"
	[ -f ck/offsets/0 ]
	[ ! -e ck/commits/0 ]
	recovers 4
}

@test "commit's standard output closed: the batch is durable before the progress line, exit 74, rerun loads once" {
	orders 1 4
	closed_pipe
	run -74 bash -c "trap '' PIPE
		inlet-discover --checkpoint ck --max-files-per-trigger 2 land \
		| inlet-parse --format json | inlet-rescue --schema-location ck | inlet-cast \
		| inlet-commit --checkpoint ck --db shop.db --table orders >&6 2> commit.err
		exit \${PIPESTATUS[4]}"
	exec 6>&-
	run cat commit.err
	assert_output --partial "cannot write"
	assert_output --partial "Broken pipe"
	# The progress line comes after the sink's commit and commits/0.
	[ -f ck/commits/0 ]
	[ ! -e ck/commits/1 ]
	run sql shop.db "SELECT count(*) FROM orders"
	assert_output 2
	recovers 4
}

@test "sources/seen cannot be written: discover names the file" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=fflush FAULT_PATH='*/ck/sources/seen' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES%% *}" 74
	run cat discover.err
	assert_output --partial "cannot write 'ck/sources/seen': No space left on device"
	recovers 4
}

@test "sources/seen cannot be written: the batch already emitted still loads once" {
	first_batch_then_two_more
	FAULT_STAGE=discover FAULT_CALL=fflush FAULT_PATH='*/ck/sources/seen' FAULT_ERRNO=ENOSPC pipeline
	fault_reached
	assert_equal "${CODES%% *}" 74
	# offsets/1 was written and the batch emitted before the seen log:
	# commit took it, and the next start repairs the log from offsets/.
	recovers 4
}
