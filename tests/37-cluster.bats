#!/usr/bin/env bats
# examples/cluster: the notebook's Auto Loader flow as N shards under GNU
# parallel (local login ':') into one PostgreSQL table (a throw-away server,
# tests/pg.bash).  Exactly once has to hold across the shards, across a
# shard killed with kill -9 in the middle and run again, and across a new
# split (4 shards become 3, with fresh checkpoints) over the same landing
# folder: the file ledger leaves the files already loaded out, and says so
# (inlet-commit(1), LEDGER; inlet-discover(1), Shards).
load helpers
load pg

RUN=$INLET_ROOT/examples/cluster/run-shards.sh

# shop FILES: 25 orders a file in FILES files, gen-shop's, in ds/; the first
# 18 order files land in land/ (the rest are for later, by arrive).
shop() {
	command -v parallel > /dev/null || fail "GNU parallel not found: run 'make deps' (package parallel)"
	"$INLET_ROOT/examples/gen-shop" --orders $((25 * $1)) --order-files "$1" ds > /dev/null
	mkdir -p land
	arrive 1 18
}

# arrive FROM TO: order files FROM..TO land, their time kept.
arrive() {
	local i d
	for i in $(seq "$1" "$2"); do
		d=$(printf 'batch_%02d' "$i")
		cp -rp "ds/stream_source/$d" land/
	done
}

# landed: the orders in the landing folder.
landed() {
	cat land/*/*.json | wc -l
}

# exactly_once ROWS: the table holds ROWS orders, no order twice, and they
# are the orders of the landing folder.
exactly_once() {
	run pg 'SELECT count(*), count(DISTINCT order_id) FROM orders'
	assert_output "$1|$1"
	run pg 'SELECT order_id FROM orders ORDER BY order_id'
	assert_output "$(cat land/*/*.json | jq -r .order_id | LC_ALL=C sort)"
}

# shard_files K N: how many landed files shard K of N takes.
shard_files() {
	inlet-discover --no-checkpoint --quiet --shard "$1/$2" land | grep -c '^{"_inlet":"file"'
}

# left_out ERR: the files that commit said it left out in ERR (parallel's
# stderr, each line tagged with its shard), sorted.
left_out() {
	sed -n "s/^[0-9]*	inlet-commit: '\\(.*\\)' already loaded by checkpoint [^ ]* batch [0-9]*; its 25 rows left out\$/\\1/p" "$1" |
		LC_ALL=C sort
}

# ckid CK: the id of checkpoint CK.
ckid() {
	jq -r .id "$1/metadata"
}

@test "cluster: 4 shards under parallel load every order exactly once, each file by its shard" {
	shop 18
	BIN=$INLET_BIN run "$RUN" 4 land "$URI" ck
	assert_success
	# One tagged summary line a shard (K, a tab, the summary).
	for k in 0 1 2 3; do
		assert_line --regexp "^$k	\\{\"num_affected_rows\":$((25 * $(shard_files $k 4))),"
	done
	exactly_once "$(landed)"
	# Each shard's checkpoint loaded exactly the files of its shard.
	for k in 0 1 2 3; do
		run pg "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid ck/shard-$k-of-4)'"
		assert_output "$(shard_files $k 4)"
	done
	run pg 'SELECT count(*), count(DISTINCT path) FROM _inlet_files'
	assert_output '18|18'
	# A second run over the same checkpoints: nothing new, nothing twice.
	BIN=$INLET_BIN run "$RUN" 4 land "$URI" ck
	assert_success
	exactly_once "$(landed)"
}

@test "cluster: a shard killed mid-run and run again, then 3 shards with fresh checkpoints plus new files: every order once" {
	shop 24
	# Every batch's commit waits 0.3 s between its transaction and
	# commits/N (--each-batch runs there): the kill lands in that gap, the
	# worst moment, a batch in the table that its checkpoint does not know.
	mkdir slow
	ln -s "$INLET_BIN"/inlet-* slow/
	rm slow/inlet-commit
	printf '#!/bin/sh\nexec %q --each-batch "cat > /dev/null; sleep 0.3" "$@"\n' \
		"$INLET_BIN/inlet-commit" > slow/inlet-commit
	chmod +x slow/inlet-commit
	# The victim: the shard with the most files (at least 3, so that it is
	# killed with some of its files loaded and some not).
	victim=0 most=0
	for k in 0 1 2 3; do
		n=$(shard_files $k 4)
		[ "$n" -le "$most" ] || { victim=$k most=$n; }
	done
	[ "$most" -ge 3 ]
	BIN=$PWD/slow "$RUN" 4 land "$URI" ck > run1.out 2> run1.err &
	par=$!
	vck=ck/shard-$victim-of-4
	wait_until 30 test -e "$vck/commits/0"
	# The job's process group: shard.sh and its whole pipeline.
	job=$(pgrep -P "$par" -f "shard.sh $victim/4 ")
	kill -9 -- "-$job"
	st=0
	wait "$par" || st=$?
	assert_equal "$st" 1	# parallel: one job failed
	# It was killed in the middle: some of its files in, not all.
	took=$(pg "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid "$vck")'")
	[ "$took" -ge 1 ] && [ "$took" -lt "$most" ] ||
		fail "the victim had loaded $took of its $most files when killed"
	# The others finished.
	run pg 'SELECT count(DISTINCT checkpoint_id) FROM _inlet_files'
	assert_output 4
	# Run again on the same checkpoints: every order once.
	BIN=$INLET_BIN run "$RUN" 4 land "$URI" ck
	assert_success
	exactly_once "$(landed)"
	run pg "SELECT count(*) FROM _inlet_files WHERE checkpoint_id = '$(ckid "$vck")'"
	assert_output "$most"

	# A new split: 3 shards, fresh checkpoints, the same landing folder
	# and 6 new files.  The 18 old files are said once each and left out.
	arrive 19 24
	BIN=$INLET_BIN "$RUN" 3 land "$URI" ck3 > run3.out 2> run3.err || {
		cat run3.err
		fail "3 shards failed"
	}
	exactly_once "$(landed)"
	assert_equal "$(landed)" 600
	run left_out run3.err
	assert_output "$(find "$PWD/land" -path '*/batch_0*' -o -path '*/batch_1[0-8]/*' | grep json | LC_ALL=C sort)"
	assert_equal "$(grep -c 'already loaded' run3.err)" 18
	# The new files are in, under the new checkpoints, and nothing else.
	new=$(for k in 0 1 2; do printf "'%s'," "$(ckid ck3/shard-$k-of-3)"; done)
	run pg "SELECT path FROM _inlet_files WHERE checkpoint_id IN (${new%,}) ORDER BY path"
	assert_output "$(find "$PWD/land" -path '*/batch_19/*' -o -path '*/batch_2*/*' | LC_ALL=C sort)"
	# The summaries count what was left out: 18 files, 450 rows.
	sum=$(grep -o '"num_skipped_loaded_files":[0-9]*' run3.out | cut -d: -f2 | paste -sd+ | bc)
	assert_equal "$sum" 18
}
