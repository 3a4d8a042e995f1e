#!/usr/bin/env bats
# inlet-discover --shard K/N: N workers, each with its own checkpoint,
# split one landing zone.  The shard of a file is a fixed function of its
# path below its source (inlet-discover(1), SHARDS): FNV-1a 64 of the
# path's bytes, MurmurHash3's fmix64, modulo N.  These tests hold the
# binary to that definition (computed here independently, in Python) and
# to the partition it promises.
load helpers

# A landing zone with nested folders, spaces and UTF-8 in names.
landing() {
	mkdir -p land/2024/01 land/2024/02/deep "land/with space" land/été
	for i in $(seq 1 25); do echo "{\"i\":$i}" > "land/f$i.json"; done
	for i in $(seq 1 6); do echo "{\"j\":$i}" > "land/2024/01/part-$i.json"; done
	echo '{"k":1}' > land/2024/02/deep/z.json
	echo '{"k":2}' > "land/with space/a b.json"
	echo '{"k":3}' > "land/été/naïve ünïcode.json"
	echo '{"k":4}' > land/été/€.json
	# touch: old enough for the streaming triggers to take them at once
	find land -type f -exec touch -d '2024-01-01 00:00:00' {} +
}

# paths: the file paths discover emitted ($output), one a line, sorted.
paths() {
	jq -r 'select(._inlet == "file") | .path' <<<"$output" | LC_ALL=C sort
}

# expected K N [ROOT]: the files below ROOT (default land) that the
# definition gives shard K of N, as absolute paths, sorted.
expected() {
	python3 - "$1" "$2" "$PWD/${3:-land}" <<'EOF'
import os, sys
k, n, root = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
M = (1 << 64) - 1
def shard(key):
    h = 14695981039346656037
    for b in key:
        h = ((h ^ b) * 1099511628211) & M
    h ^= h >> 33; h = (h * 0xff51afd7ed558ccd) & M
    h ^= h >> 33; h = (h * 0xc4ceb9fe1a85ec53) & M
    h ^= h >> 33
    return h % n
out = []
for d, _, names in os.walk(root):
    for name in names:
        p = os.path.join(d, name)
        if shard(os.fsencode(os.path.relpath(p, root))) == k:
            out.append(os.fsencode(p))
for p in sorted(out):
    sys.stdout.buffer.write(p + b"\n")
EOF
}

@test "N workers take every file exactly once between them (N = 1, 2, 3, 7)" {
	landing
	all=$(find "$PWD/land" -type f | LC_ALL=C sort)
	[ "$(wc -l <<<"$all")" -eq 35 ]
	for n in 1 2 3 7; do
		: > taken
		for k in $(seq 0 $((n - 1))); do
			run --separate-stderr inlet-discover --checkpoint "ck$n-$k" --shard "$k/$n" land
			assert_success
			paths > "shard$k"
			# Not an empty shard: a hash that put everything in one would pass the rest.
			[ "$n" -gt 3 ] || [ -s "shard$k" ] || fail "shard $k/$n took nothing"
			cat "shard$k" >> taken
			assert_equal "$(cat "shard$k")" "$(expected "$k" "$n")"
		done
		assert_equal "$(LC_ALL=C sort taken)" "$all"
		# Each file once: no path in two shards.
		assert_equal "$(LC_ALL=C sort taken | uniq -d)" ""
	done
}

@test "the assignment is the same across runs, triggers, --no-checkpoint, globs and a moved landing zone" {
	landing
	want=$(expected 1 3)
	[ -n "$want" ]
	run --separate-stderr inlet-discover --no-checkpoint --shard 1/3 land
	assert_success
	assert_equal "$(paths)" "$want"
	run --separate-stderr inlet-discover --no-checkpoint --trigger once --shard 1/3 land
	assert_equal "$(paths)" "$want"
	# A glob keys files by their path below the folders before its wildcard.
	run --separate-stderr inlet-discover --no-checkpoint --shard 1/3 'land/*'
	assert_equal "$(paths)" "$want"
	run --separate-stderr inlet-discover --no-checkpoint --shard 1/3 "$PWD/land/20*/*/"
	assert_equal "$(paths)" "$(grep "/land/2024/0" <<<"$want" || true)"
	# A file given as a source is keyed by its name.
	run --separate-stderr inlet-discover --no-checkpoint --shard 1/3 land/f{1..25}.json
	assert_equal "$(paths)" "$(grep -E "/land/f[0-9]+\.json$" <<<"$want")"
	# A run per batch of one file: the same files, batch after batch.
	run --separate-stderr inlet-discover --checkpoint ck1 --shard 1/3 --max-files-per-trigger 1 land
	assert_equal "$(paths)" "$want"
	# The same tree elsewhere (another machine's mount point) splits the same way.
	cp -a land moved
	run --separate-stderr inlet-discover --no-checkpoint --shard 1/3 moved
	assert_equal "$(paths)" "$(expected 1 3 moved)"
	assert_equal "$(paths | sed "s|/moved/|/land/|")" "$want"
	# every:DURATION, stopped after its first listings.
	run --separate-stderr timeout --preserve-status -s INT 1.5 \
		inlet-discover --checkpoint ck2 --shard 1/3 --trigger every:200ms land
	assert_success
	assert_equal "$(paths)" "$want"
}

@test "watch: a worker takes only its shard, from the listing and from events" {
	landing
	inlet-discover --checkpoint ck --shard 2/3 --trigger watch land > out 2> err &
	pid=$!
	wait_until 10 grep -q '"_inlet":"end"' out || fail "no first batch: $(cat err)"
	for i in $(seq 1 20); do echo '{"new":1}' > "land/with space/new $i.json"; done
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	output=$(cat out)
	assert_equal "$(paths)" "$(expected 2 3)"
	grep -q "new " <<<"$(expected 2 3)" || fail "no new file in shard 2 to test events with"
}

@test "--shard takes K/N with 0 <= K < N; anything else is 64 before anything is created" {
	mkdir land
	echo '{}' > land/a.json
	for bad in 2/2 3/2 -1/2 1/0 0/0 a/b 1 1/ /2 1/2/3 '' ' 1/2' 0x1/2 1/99999999999999999999; do
		run --separate-stderr inlet-discover --checkpoint ck --shard "$bad" land
		[ "$status" -eq 64 ] || fail "--shard '$bad' gave $status"
		[[ $stderr == *"for --shard"* ]] || fail "--shard '$bad': $stderr"
		run --separate-stderr inlet-discover --checkpoint ck --shard "$bad" --check-options land
		[ "$status" -eq 64 ] || fail "--check-options --shard '$bad' gave $status"
		[ ! -e ck ] || fail "--shard '$bad' created the checkpoint"
	done
	run inlet-discover --checkpoint ck --shard 0/1 --check-options land
	assert_success
	run inlet-discover --checkpoint ck --shard 6/7 --check-options land
	assert_success
}

@test "the checkpoint claims its shard: another shard, another N or no --shard is 64 naming both" {
	landing
	run --separate-stderr inlet-discover --checkpoint ck --shard 0/2 land
	assert_success
	assert_equal "$(jq -r .shard ck/metadata)" "0/2"
	# A batch written ahead, not committed: a wrong shard must not replay it.
	for wrong in 1/2 0/3; do
		run --separate-stderr inlet-discover --checkpoint ck --shard "$wrong" land
		[ "$status" -eq 64 ] || fail "$wrong gave $status"
		assert_output ''
		[[ $stderr == *"checkpoint 'ck' belongs to shard 0/2, not $wrong"* ]] || fail "$stderr"
	done
	run --separate-stderr inlet-discover --checkpoint ck land
	[ "$status" -eq 64 ]
	assert_output ''
	[[ $stderr == *"belongs to shard 0/2, not 0/1 (no --shard: every file)"* ]] || fail "$stderr"
	# The right shard replays its batch and goes on.
	run --separate-stderr inlet-discover --checkpoint ck --shard 0/2 land
	assert_success
	assert_equal "$(paths)" "$(expected 0 2)"
	assert_equal "$(jq -r .shard ck/metadata)" "0/2"
	# A checkpoint that took every file is not turned into a shard's.
	run --separate-stderr inlet-discover --checkpoint all land
	assert_success
	run --separate-stderr inlet-discover --checkpoint all --shard 0/2 land
	[ "$status" -eq 64 ]
	[[ $stderr == *"belongs to shard 0/1 (no --shard: every file), not 0/2"* ]] || fail "$stderr"
	assert_equal "$(jq -r '.shard // "none"' all/metadata)" "none"
	run --separate-stderr inlet-discover --checkpoint all --shard 0/1 land
	assert_success
	# A deliberate re-shard is a new checkpoint.
	run --separate-stderr inlet-discover --checkpoint ck-new --shard 1/3 land
	assert_success
	assert_equal "$(paths)" "$(expected 1 3)"
	assert_equal "$(jq -r .shard ck-new/metadata)" "1/3"
}

@test "other shards' files are not said to be left out; the summary counts them" {
	landing
	n=$(expected 0 2 | wc -l)
	run --separate-stderr inlet-discover --no-checkpoint --shard 0/2 land
	assert_success
	assert_equal "$stderr" ''
	script -qec "inlet-discover --no-checkpoint --shard 0/2 land > out" /dev/null > tty
	grep -qF "inlet-discover: $n new files in 1 batches; $((35 - n)) files for other shards" tty ||
		fail "summary: $(cat tty)"
	script -qec "inlet-discover --no-checkpoint land > out" /dev/null > tty
	! grep -q "other shards" tty || fail "unsharded summary: $(cat tty)"
}
