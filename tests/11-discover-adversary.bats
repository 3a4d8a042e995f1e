#!/usr/bin/env bats
# inlet-discover against an adversary: the file's identity in each record
# and in the seen log, retries asked for by commit, a damaged checkpoint
# refused at start, names that are not UTF-8, and watch's trigger.
load helpers

# paths: the paths of the file records of the output, one a line.
paths() {
	jq -r 'select(._inlet == "file") | .path' <<<"$output"
}

# ---- 1. identity in the file record and in the seen log ----

@test "each file record carries dev, ino, size and mtime_ns of the file listed" {
	files 2 land
	touch -d '2024-03-04 05:06:07.987654321 UTC' land/f2.json
	run inlet-discover --checkpoint ck land
	assert_success
	rec=$(grep -F '/land/f2.json"' <<<"$output")
	[ "$(jq .dev <<<"$rec")" = "$(stat -c %d land/f2.json)" ]
	[ "$(jq .ino <<<"$rec")" = "$(stat -c %i land/f2.json)" ]
	[ "$(jq .size <<<"$rec")" = 8 ]
	[[ $rec == *',"mtime_ns":1709528767987654321,"source":"'"$PWD/land"'"}' ]]	# jq would round it
	[ "$(jq -r .mtime <<<"$rec")" = 2024-03-04T05:06:07.987654Z ]
	[ "$(jq .link <<<"$rec")" = null ]
	# offsets/0 holds exactly what went out.
	diff <(printf '%s\n' "$output") ck/offsets/0
}

@test "a file reached through a symlink says link:true and carries the target's identity" {
	files 1 land
	ln -s "$PWD/land/f1.json" land/alias.json
	run inlet-discover --checkpoint ck land
	assert_success
	rec=$(grep -F '/land/alias.json"' <<<"$output")
	[ "$(jq .link <<<"$rec")" = true ]
	[ "$(jq .ino <<<"$rec")" = "$(stat -L -c %i land/alias.json)" ]
	[ "$(jq .link <<<"$(grep -F '/land/f1.json"' <<<"$output")")" = null ]
}

@test "the seen log keeps each file's identity and the batch that took it" {
	files 1 land
	touch -d '2024-03-04 05:06:07.987654321 UTC' land/f1.json
	inlet-discover --checkpoint ck land > /dev/null
	[ "$(head -n 1 ck/sources/seen)" = "inlet-seen 3" ]
	grep -qx "$(printf 'f\tf1.json\t8\t1709528767987654321\t%s\t%s\t0' \
		"$(stat -c %d land/f1.json)" "$(stat -c %i land/f1.json)")" ck/sources/seen
}

@test "--allow-overwrites takes a file replaced by another of the same size and mtime" {
	files 1 land
	touch -d '2024-03-04 05:06:07 UTC' land/f1.json
	inlet-discover --checkpoint ck --allow-overwrites land > /dev/null
	commit_all ck
	# Another file (another inode), same size, same mtime: only the identity tells.
	echo '{"i":9}' > land/new && touch -d '2024-03-04 05:06:07 UTC' land/new
	mv land/new land/f1.json
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	[ "$(paths)" = "$PWD/land/f1.json" ]
	# After a restart too: the identity came back from the log.
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_output ""
}

@test "a format 2 log is read and upgraded in place, its files not taken again" {
	files 2 land
	mkdir -p ck/sources
	# A checkpoint of an older inlet: it had its metadata too.
	echo '{"id":"0123456789abcdef0123456789abcdef","created":"2024-01-01T00:00:00.000000Z","layout":1}' > ck/metadata
	{
		echo 'inlet-seen 2'
		printf 'd\t%s\n' "$PWD/land"
		for f in f1 f2; do
			printf 'f\t%s.json\t%s\t%s\n' "$f" "$(stat -c %s land/$f.json)" \
				"$(( $(stat -c %.6Y land/$f.json | tr -d .) ))"
		done
		printf 'b\t0\n'
	} > ck/sources/seen
	mkdir -p ck/offsets ck/commits
	# offsets/0 as an inlet of that format wrote it: numbered, no checkpoint id.
	inlet-discover --no-checkpoint land | sed -e 's/^{"_inlet":"\(begin\|file\)"/&,"batch":0/' \
		-e 's/^{"_inlet":"end"}/{"_inlet":"end","batch":0}/' > ck/offsets/0
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	assert_output ""
	[ "$(head -n 1 ck/sources/seen)" = "inlet-seen 3" ]
	grep -q "^f	f1.json	8	[0-9]*000	-	-	-1\$" ck/sources/seen
}

# ---- 2. retries asked for by commit ----

@test "a file commit lists for retry is taken again in a later batch, once" {
	files 2 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_retry ck 0 "$PWD/land/f2.json"
	echo '{"i":22}' > land/f2.json	# it changed: that is why parse skipped it
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	[ "$(paths)" = "$PWD/land/f2.json" ]
	assert_line --index 0 --partial '{"_inlet":"begin","batch":1,'
	[ "$(jq -s '.[1].size' <<<"$output")" = 9 ]
	[[ $stderr == *"taking again 1 files that batch 0 skipped"* ]]
	commit_all ck
	# Read once: a restart does not take it a third time.
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
}

@test "a retry of a file a later batch took again is not forgotten again" {
	files 1 land
	inlet-discover --checkpoint ck land > /dev/null
	echo '{"i":11}' > land/f1.json
	# Batch 1 takes it again (--allow-overwrites) before commits/0 is read.
	inlet-discover --checkpoint ck --allow-overwrites land > /dev/null
	[ -e ck/offsets/1 ]
	commit_retry ck 0 "$PWD/land/f1.json"
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	# Even when the log forgets that commits/0 was read.
	sed -i '/^c\t/d' ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
}

@test "a retry survives a crash before the file is taken again" {
	files 2 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_retry ck 0 "$PWD/land/f1.json"
	# Read the commit, but stop before anything is emitted (no source left).
	mv land away
	mkdir land
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	grep -q "^x	f1.json\$" ck/sources/seen
	rmdir land && mv away land
	run inlet-discover --checkpoint ck land
	assert_success
	[ "$(paths)" = "$PWD/land/f1.json" ]
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_output ""
}

@test "every: a retry is taken at the next listing without a restart" {
	files 1 land
	inlet-discover --checkpoint ck --trigger every:100ms land > out 2> err &
	pid=$!
	for _ in $(seq 50); do grep -q '"end"' out && break; sleep 0.1; done
	commit_retry ck 0 "$PWD/land/f1.json"
	for _ in $(seq 50); do [ "$(grep -c '"file"' out)" -ge 2 ] && break; sleep 0.1; done
	kill -TERM "$pid"
	wait "$pid"
	[ "$(grep -c '"file"' out)" -eq 2 ]
	grep -q '"batch":1,"path":"'"$PWD"'/land/f1.json"' out
}

@test "a malformed commits/ entry is refused, naming it" {
	files 1 land
	inlet-discover --checkpoint ck land > /dev/null
	mkdir -p ck/commits
	echo '{"batch":0,"retry":"/x"}' > ck/commits/0
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/commits/0"
	echo '{"batch":0,' > ck/commits/0
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/commits/0"
}

# ---- 3. a damaged checkpoint is refused at start ----

# three_batches: batches 0, 1, 2 emitted and committed, offsets/ pruned to
# the last 2 (--keep-batches 2), then a fourth file waiting.
three_batches() {
	mkdir land
	for i in 1 2 3; do
		echo "{\"i\":$i}" > land/f$i.json
		inlet-discover --checkpoint ck --keep-batches 2 land > /dev/null
		commit_all ck
	done
	inlet-discover --checkpoint ck --keep-batches 2 land > /dev/null
	[ ! -e ck/offsets/0 ]
	echo '{"i":4}' > land/f4.json
}

@test "a seen log deleted, emptied or cut to its header while batches exist is refused (65)" {
	three_batches
	cp ck/sources/seen good
	for damage in 'rm ck/sources/seen' ': > ck/sources/seen' \
		      'echo inlet-seen\ 3 > ck/sources/seen' \
		      'sed -i "/^b\t0/,\$d" ck/sources/seen'; do
		cp good ck/sources/seen
		eval "$damage"
		run inlet-discover --checkpoint ck --keep-batches 2 land
		assert_equal "$status" 65
		assert_output --partial "ck/sources/seen"
		assert_output --partial "restore the checkpoint folder from a backup, or start a new checkpoint"
		refute_output --partial '"_inlet"'
	done
	cp good ck/sources/seen
	run inlet-discover --checkpoint ck --keep-batches 2 land
	assert_success
	[ "$(paths)" = "$PWD/land/f4.json" ]
}

# inlet-discover reads the log's lines where they lie, in the mapped file:
# one changed under it by another program must never make it take a file
# again.  strace holds two folder reads 2 s each, so that the log is cut
# while commits/ is read (the log mapped, not yet written again), or
# while the source is listed (the lookups then read a page the file lost),
# or overwritten in place, at the same size, or replaced by a copy renamed
# over it, while the source is listed.
@test "a seen log cut, overwritten or replaced by another program while discover runs: said and stopped (65, 74), then refused (65), nothing taken twice" {
	strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"
	# Files in sub-folders too: the second lister looks them up.
	files 3 land
	files 3 land/a
	files 3 land/b
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	echo '{"i":4}' > land/f4.json
	cp -a ck ck.good
	for when in checkpoint listing overwrite swap; do
		rm -rf ck && cp -a ck.good ck
		# The first thread's 9th and 10th folder reads are of commits/
		# (after the log is mapped, before it is written again), the
		# 11th and 12th of land/; each waits 2 s.
		calls=9..10
		[ "$when" = checkpoint ] || calls=11..12
		ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=getdents64 \
			-e inject=getdents64:delay_exit=2000000:when=$calls \
			inlet-discover --checkpoint ck land > out 2> err &
		tracer=$!
		wait_until 10 child_running "$tracer" inlet-discover || fail "$when: not started: $(cat err)"
		pid=$child
		if [ "$when" = checkpoint ]; then
			# Mapped, and commits/ open again: take_retries reads it.
			wait_until 20 sh -c "grep -q sources/seen /proc/$pid/maps &&
				ls -l /proc/$pid/fd | grep -q '$PWD/ck/commits\$'"
		else
			wait_until 20 sh -c "ls -l /proc/$pid/fd | grep -q '$PWD/land\$'"
		fi || fail "$when: discover never held what is changed; alive: $(kill -0 "$pid" 2>&1 && echo yes); stderr: $(cat err)"
		if [ "$when" = overwrite ]; then
			# The same size, other bytes, in place.
			head -c "$(stat -c %s ck/sources/seen)" /dev/zero | tr '\0' x |
				dd of=ck/sources/seen conv=notrunc status=none
		elif [ "$when" = swap ]; then
			# A copy renamed over it: the mapped file is no longer the log.
			cp ck/sources/seen seen.copy && mv seen.copy ck/sources/seen
		else
			: > ck/sources/seen
		fi
		rc=0
		wait "$tracer" || rc=$?
		if [ "$when" != listing ]; then
			[ "$rc" = 65 ] || fail "$when: exit $rc: $(cat err)"
			grep -q "checkpoint file 'ck/sources/seen' was changed by another program" err
		else
			[ "$rc" = 74 ] || fail "$when: exit $rc: $(cat err)"
			grep -q "sources/seen could not be read while in use" err
		fi
		[ ! -s out ] || fail "$when: a batch: $(head -3 out)"
		[ ! -e ck/offsets/1 ]
		if [ "$when" = swap ]; then
			# The copy is a good log: the next start takes the new file once.
			run inlet-discover --checkpoint ck land
			assert_success
			[ "$(paths)" = "$PWD/land/f4.json" ]
			continue
		fi
		run inlet-discover --checkpoint ck land
		assert_equal "$status" 65
		assert_output --partial "ck/sources/seen"
		refute_output --partial '"_inlet"'
	done
}

@test "offsets/ and commits/ deleted while the log says batches were emitted: refused, not renumbered" {
	three_batches
	rm -r ck/offsets ck/commits
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/sources/seen"
	assert_output --partial "numbering would start again at 0"
	refute_output --partial '"_inlet"'
}

@test "a commit mark past the last offsets/ entry is refused" {
	three_batches
	echo '{"batch":7,"rows":1,"committed":"2024-01-01T00:00:00.000000Z"}' > ck/commits/7
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "commits/7"
	rm ck/commits/7 ck/offsets/*
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "no offsets/ entry"
}

@test "an offsets/ entry of another checkpoint is refused" {
	files 1 land
	inlet-discover --checkpoint other land > /dev/null
	inlet-discover --checkpoint ck land > /dev/null
	cp other/offsets/0 ck/offsets/0
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/offsets/0' belongs to checkpoint"
}

@test "legitimate starts still work: new checkpoint, crash after offsets/N, pruning" {
	three_batches
	# A crash after offsets/3 was written and before the log's append.
	cp ck/sources/seen before
	run inlet-discover --checkpoint ck --keep-batches 2 land
	assert_success
	[ "$(paths)" = "$PWD/land/f4.json" ]
	cp before ck/sources/seen
	run --separate-stderr inlet-discover --checkpoint ck --keep-batches 2 land
	assert_success
	[[ $stderr == *"replaying uncommitted batch 3"* ]]
	[ "$(paths)" = "$PWD/land/f4.json" ]
	# Even if commit finished batch 3 before the crash.
	cp before ck/sources/seen
	commit_all ck
	run inlet-discover --checkpoint ck --keep-batches 2 land
	assert_success
	assert_output ""
	[ "$(grep -c '^f' ck/sources/seen)" -eq 4 ]
}

# ---- 4. names that are not UTF-8 ----

@test "a Latin-1 name is written with the surrogate escape, and read back from offsets/" {
	mkdir land
	name=$(printf 'caf\xe9.json')
	echo '{"i":1}' > "land/$name"
	run inlet-discover --checkpoint ck land
	assert_success
	assert_line --index 1 --partial '"path":"'"$PWD"'/land/caf\udce9.json"'
	# Every line is valid JSON (jq reads it), offsets/0 is what went out.
	jq -c . ck/offsets/0 > /dev/null
	diff <(printf '%s\n' "$output") ck/offsets/0
	# The log holds the name's own bytes.
	grep -q "^f	$name	8	" ck/sources/seen
	# A restart replays offsets/0 verbatim, and takes nothing again.
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	diff <(printf '%s\n' "$output") ck/offsets/0
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	# The seen log lost: repaired from offsets/0, which decodes to the same bytes.
	printf 'inlet-seen 3\n' > ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	grep -q "^f	$name	8	" ck/sources/seen
}

@test "a retry of a Latin-1 name in commits/N is taken again" {
	mkdir land
	name=$(printf 'caf\xe9.json')
	echo '{"i":1}' > "land/$name"
	inlet-discover --checkpoint ck land > /dev/null
	mkdir -p ck/commits
	printf '{"batch":0,"rows":0,"committed":"2024-01-01T00:00:00.000000Z","retry":["%s/land/caf\\udce9.json"]}\n' \
		"$PWD" > ck/commits/0
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	assert_line --index 1 --partial '"batch":1,"path":"'"$PWD"'/land/caf\udce9.json"'
}

# ---- 5. watch: a file is taken complete, and the backlog goes first ----

# watch_until N: wait until the watching discover wrote N file records to out.
watch_until() {
	for _ in $(seq 100); do
		[ "$(grep -c '"_inlet":"file"' out)" -ge "$1" ] && return 0
		sleep 0.1
	done
}

@test "watch: a file created empty and written afterwards is taken with its rows" {
	mkdir land
	inlet-discover --checkpoint ck --trigger watch land > out 2> err &
	pid=$!
	sleep 0.5
	: > land/a.json			# created empty, and closed
	sleep 0.5
	printf '{"i":1}\n{"i":2}\n{"i":3}\n' > land/a.json	# then filled
	watch_until 1
	sleep 1.5			# an empty take would have gone out by now
	kill -TERM "$pid"
	wait "$pid"
	[ "$(grep -c '"_inlet":"file"' out)" -eq 1 ]
	grep -q '"path":"'"$PWD"'/land/a.json",.*"size":24,' out
}

@test "watch: a file still open for writing waits for its close" {
	mkdir land
	inlet-discover --checkpoint ck --trigger watch --backfill-interval 300ms land > out 2> err &
	pid=$!
	sleep 0.5
	# One writer, one open: a line, a pause past a second, a line, the close.
	{ echo '{"i":1}'; sleep 1.5; echo '{"i":2}'; } > land/slow.json
	watch_until 1
	kill -TERM "$pid"
	wait "$pid"
	[ "$(grep -c '"_inlet":"file"' out)" -eq 1 ]
	grep -q '"size":16,' out
}

@test "watch: after a start the files already there go out oldest first, before new ones" {
	mkdir land
	echo '{"t":1}' > land/old.json && touch -d '-1 hour' land/old.json
	echo '{"t":2}' > land/young.json	# too young to take at once
	inlet-discover --checkpoint ck --trigger watch land > out 2> err &
	pid=$!
	sleep 0.1
	echo '{"t":3}' > land/new.json
	watch_until 3
	kill -TERM "$pid"
	wait "$pid"
	[ "$(jq -r 'select(._inlet == "file") | .path | sub(".*/"; "")' out | tr '\n' ' ')" = \
	  "old.json young.json new.json " ]
}
