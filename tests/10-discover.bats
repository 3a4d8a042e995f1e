#!/usr/bin/env bats
# inlet-discover: listing, the seen index, write-ahead offsets and replay.
load helpers

@test "discover emits begin with the checkpoint id, file records with path, mtime and identity, then end" {
	mkdir land && printf 'abc\n' > land/a.csv
	touch -d '2024-01-02 03:04:05.123456789 UTC' land/a.csv
	run inlet-discover --checkpoint ck land
	assert_success
	id=$(jq -r .id ck/metadata)
	# The last batch of a finite run says so: windows release what it closes.
	assert_line --index 0 '{"_inlet":"begin","batch":0,"checkpoint":"'"$id"'","last":true}'
	assert_line --index 1 "{\"_inlet\":\"file\",\"batch\":0,\"path\":\"$PWD/land/a.csv\",\"mtime\":\"2024-01-02T03:04:05.123456Z\",\"dev\":$(stat -c %d land/a.csv),\"ino\":$(stat -c %i land/a.csv),\"size\":4,\"mtime_ns\":1704164645123456789,\"source\":\"$PWD/land\"}"
	assert_line --index 2 '{"_inlet":"end","batch":0}'
	run inlet-discover --no-checkpoint land
	# Without a checkpoint batches are unnumbered: a number would mean nothing.
	assert_line --index 0 '{"_inlet":"begin","last":true}'
}

@test "discover writes offsets/N with exactly the batch it emits" {
	files 3 land
	inlet-discover --checkpoint ck land > out
	cmp out ck/offsets/0
	[ -f ck/metadata ]
	grep -q '"id":"[0-9a-f]\{32\}"' ck/metadata
}

@test "a committed batch is not emitted again" {
	files 3 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
}

@test "an uncommitted batch is replayed verbatim before new files" {
	files 2 land
	inlet-discover --checkpoint ck land > first
	echo '{"i":99}' > land/new.json
	touch -d '+1 minute' land/new.json
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_success
	[ "$(head -n 4 <<<"$output")" = "$(cat first)" ]
	assert_line --index 4 --partial '{"_inlet":"begin","batch":1,"checkpoint":"'
	assert_line --index 5 --partial '"path":"'"$PWD"'/land/new.json"'
	[[ $stderr == *"replaying uncommitted batch 0"* ]]
}

@test "names that sort before seen ones are found (day6 then day3)" {
	files 1 src/day6
	inlet-discover --checkpoint ck src > /dev/null
	commit_all ck
	files 1 src/day3
	run inlet-discover --checkpoint ck src
	assert_success
	assert_line --partial "src/day3/f1.json"
	refute_line --partial "src/day6"
}

@test "folders that appear later are listed" {
	mkdir src
	run inlet-discover --checkpoint ck src
	assert_output ""
	files 2 src/later/deeper
	run inlet-discover --checkpoint ck src
	assert_line --partial "src/later/deeper/f1.json"
	assert_line --partial "src/later/deeper/f2.json"
}

@test "hidden, underscore and ._COPYING_ names are ignored, key=value folders kept" {
	mkdir -p land/_tmp land/.git "land/_year=2024" land/ok
	for f in land/.hidden.json land/_SUCCESS land/x.json._COPYING_ land/_tmp/a.json \
		 land/.git/b.json "land/_year=2024/c.json" land/ok/d.json; do
		echo '{}' > "$f"
	done
	run inlet-discover --no-checkpoint land
	assert_success
	assert_line --partial "land/ok/d.json"
	assert_line --partial "land/_year=2024/c.json"
	[ "$(grep -c '"file"' <<<"$output")" -eq 2 ]
}

@test "available-now splits by --max-files-per-trigger: 25 files in 10, 10, 5" {
	files 25 land
	run inlet-discover --checkpoint ck --max-files-per-trigger 10 land
	assert_success
	[ "$(grep -c '"begin"' <<<"$output")" -eq 3 ]
	[ "$(sed -n '/"batch":0,"path"/p' <<<"$output" | wc -l)" -eq 10 ]
	[ "$(sed -n '/"batch":2,"path"/p' <<<"$output" | wc -l)" -eq 5 ]
	[ -f ck/offsets/2 ]
}

@test "once takes everything in one batch, ignoring the limits" {
	files 25 land
	run inlet-discover --checkpoint ck --trigger once --max-files-per-trigger 10 land
	[ "$(grep -c '"begin"' <<<"$output")" -eq 1 ]
	[ "$(grep -c '"file"' <<<"$output")" -eq 25 ]
}

@test "--max-bytes-per-trigger is a soft limit and never splits a file" {
	mkdir land
	for i in 1 2 3 4; do head -c 1000 /dev/zero | tr '\0' x > "land/f$i.txt"; done
	run inlet-discover --no-checkpoint --max-bytes-per-trigger 1500 land
	[ "$(grep -c '"begin"' <<<"$output")" -eq 2 ]
	run inlet-discover --no-checkpoint --max-bytes-per-trigger 500 land
	[ "$(grep -c '"begin"' <<<"$output")" -eq 4 ]
}

@test "batches are ordered by modification time" {
	mkdir land
	echo 1 > land/b.txt; touch -d '2020-01-01' land/b.txt
	echo 2 > land/a.txt; touch -d '2021-01-01' land/a.txt
	run inlet-discover --no-checkpoint land
	assert_line --index 1 --partial "land/b.txt"
	assert_line --index 2 --partial "land/a.txt"
}

@test "a changed file is taken again only with --allow-overwrites" {
	files 1 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	echo '{"i":2,"more":true}' > land/f1.json
	run inlet-discover --checkpoint ck land
	assert_output ""
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_line --partial "land/f1.json"
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_output ""
}

@test "--pattern filters names, or paths below the source when it has a slash" {
	mkdir -p land/day1 land/day2
	echo a > land/day1/a.csv; echo b > land/day1/b.json; echo c > land/day2/c.csv
	run inlet-discover --no-checkpoint --pattern '*.csv' land
	[ "$(grep -c '"file"' <<<"$output")" -eq 2 ]
	run inlet-discover --no-checkpoint --pattern 'day2/*.csv' land
	[ "$(grep -c '"file"' <<<"$output")" -eq 1 ]
	assert_output --partial "day2/c.csv"
}

@test "glob sources match folders and files" {
	mkdir -p land/a land/b
	echo 1 > land/a/part-1.json; echo 2 > land/b/part-2.json; echo 3 > land/b/other.json
	run inlet-discover --no-checkpoint 'land/*/part-*.json'
	[ "$(grep -c '"file"' <<<"$output")" -eq 2 ]
	run inlet-discover --no-checkpoint 'land/{a,b}'
	[ "$(grep -c '"file"' <<<"$output")" -eq 3 ]
}

@test "a file reached through two sources is taken once" {
	files 2 land
	run inlet-discover --no-checkpoint land land/f1.json
	[ "$(grep -c '"file"' <<<"$output")" -eq 2 ]
}

@test "--no-checkpoint lists everything every time" {
	files 2 land
	inlet-discover --no-checkpoint land > /dev/null
	run inlet-discover --no-checkpoint land
	[ "$(grep -c '"file"' <<<"$output")" -eq 2 ]
	[ ! -e ck ]
}

@test "a missing source exits 66 naming it" {
	run inlet-discover --checkpoint ck nowhere
	assert_equal "$status" 66
	assert_output --partial "'nowhere'"
}

@test "a second discover on the same checkpoint exits 75 naming the holder" {
	files 1 land
	mkdir ck
	exec 9> ck/.lock-discover
	flock 9
	echo "pid 4242 (inlet-discover)" >&9
	run inlet-discover --checkpoint ck land
	exec 9>&-
	assert_equal "$status" 75
	assert_output --partial "in use by pid 4242 (inlet-discover)"
}

@test "the seen index survives a line cut short by a crash" {
	files 2 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	printf '{"_inlet":"file","batch":0,"pa' >> ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	[ "$(tail -c 1 ck/sources/seen | od -An -c | tr -d ' ')" = '\n' ]
}

@test "the seen index is repaired from offsets/ after a crash before its append" {
	files 2 land
	inlet-discover --checkpoint ck land > /dev/null
	echo 'inlet-seen 3' > ck/sources/seen
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	[ "$(grep -c '^f' ck/sources/seen)" -eq 2 ]
}

@test "the seen log is repaired from offsets/ when its last batch never reached it" {
	files 2 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	cp ck/sources/seen before
	echo '{"i":3}' > land/f3.json
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	# A crash after offsets/1, before the append; then a torn line.
	cp before ck/sources/seen
	printf 'f\tf3.js' >> ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	[ "$(grep -c '^f' ck/sources/seen)" -eq 3 ]
	[ "$(grep '^b' ck/sources/seen | tail -n 1)" = "$(printf 'b\t1')" ]
}

@test "known files are not listed again after a restart, and the log is only appended to" {
	files 3 land
	inlet-discover --checkpoint ck land > /dev/null
	commit_all ck
	inode=$(stat -c %i ck/sources/seen)
	echo '{"i":4}' > land/f4.json
	run inlet-discover --checkpoint ck land
	assert_success
	[ "$(grep -c '"file"' <<<"$output")" -eq 1 ]
	assert_line --partial "land/f4.json"
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_output ""
	[ "$(stat -c %i ck/sources/seen)" = "$inode" ]
	[ "$(head -n 1 ck/sources/seen)" = "inlet-seen 3" ]
	[ "$(grep -c '^f' ck/sources/seen)" -eq 4 ]
}

@test "with --allow-overwrites a known file whose mtime changed is taken again after a restart" {
	files 2 land
	touch -d '2024-01-02 03:04:05.123456789 UTC' land/f1.json land/f2.json
	inlet-discover --checkpoint ck --allow-overwrites land > /dev/null
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_output ""
	touch -d '2024-01-02 03:04:06 UTC' land/f2.json
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	[ "$(grep -c '"file"' <<<"$output")" -eq 1 ]
	assert_line --partial '"path":"'"$PWD"'/land/f2.json","mtime":"2024-01-02T03:04:06.000000Z"'
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_output ""
	# Without --allow-overwrites a change is not looked at.
	touch -d '2024-01-02 03:04:07 UTC' land/f1.json
	run inlet-discover --checkpoint ck land
	assert_output ""
}

@test "names with a tab, a newline, a carriage return and a backslash round-trip through the log" {
	mkdir land
	for f in "$(printf 'tab\there.json')" "$(printf 'new\nline.json')" \
		 "$(printf 'cr\rhere.json')" 'back\slash.json' 'plain.json'; do
		echo '{}' > "land/$f"
	done
	mkdir "land/$(printf 'sub\tdir')" && echo '{}' > "land/$(printf 'sub\tdir')/in.json"
	run inlet-discover --checkpoint ck land
	assert_success
	[ "$(grep -c '"file"' <<<"$output")" -eq 6 ]
	grep -q "^d	$PWD/land/sub\\\\tdir\$" ck/sources/seen
	assert_line --partial '"path":"'"$PWD"'/land/tab\there.json"'
	assert_line --partial '"path":"'"$PWD"'/land/new\nline.json"'
	assert_line --partial '"path":"'"$PWD"'/land/back\\slash.json"'
	grep -q '^f	tab\\there.json	3	' ck/sources/seen
	grep -q '^f	new\\nline.json	3	' ck/sources/seen
	grep -q '^f	cr\\rhere.json	3	' ck/sources/seen
	grep -q '^f	back\\\\slash.json	3	' ck/sources/seen
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_output ""
}

# old_seen_line PATH BATCH: a file record as the format 1 log held it.
old_seen_line() {
	printf '{"_inlet":"file","batch":%s,"path":' "$2"
	printf '%s' "$(jq -c -n --arg p "$1" '$p')"
	printf ',"size":%s,"mtime":"%s"}\n' "$(stat -c %s "$1")" \
		"$(date -u -d "@$(stat -c %.6Y "$1")" +%Y-%m-%dT%H:%M:%S.%6NZ)"
}

@test "a seen log of the old format (JSON file records) is read, then rewritten in the new one" {
	mkdir -p land ck/sources
	echo '{"i":1}' > land/f1.json
	echo '{"i":2}' > 'land/q"uote.json'
	touch -d '2024-01-02 03:04:05.123456789 UTC' land/f1.json 'land/q"uote.json'
	{
		old_seen_line "$PWD/land/f1.json" -1
		old_seen_line "$PWD/land/q\"uote.json" -1
	} > ck/sources/seen
	# A line cut short by a crash is dropped, as before.
	printf '{"_inlet":"file","batch":-1,"pa' >> ck/sources/seen
	echo '{"i":3}' > land/f3.json
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	[ "$(grep -c '"file"' <<<"$output")" -eq 1 ]
	assert_line --partial "land/f3.json"
	[ "$(head -n 1 ck/sources/seen)" = "inlet-seen 3" ]
	# An old line's identity is unknown; its mtime exact to the microsecond.
	grep -q "^f	f1.json	8	1704164645123456000	-	-	-1\$" ck/sources/seen
	grep -q '^f	q"uote.json	8	' ck/sources/seen
	grep -q '^f	f3.json	8	' ck/sources/seen
	[ "$(tail -n 1 ck/sources/seen)" = "$(printf 'b\t0')" ]
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	assert_output ""
}

@test "an old-format log is upgraded with the offsets/ entries it lacks" {
	files 2 land
	mkdir -p ck/sources ck/offsets
	# A checkpoint of an older inlet: it had its metadata too.
	echo '{"id":"0123456789abcdef0123456789abcdef","created":"2024-01-01T00:00:00.000000Z","layout":1}' > ck/metadata
	old_seen_line "$PWD/land/f1.json" 0 > ck/sources/seen
	{
		echo '{"_inlet":"begin","batch":0}'
		old_seen_line "$PWD/land/f1.json" 0
		echo '{"_inlet":"end","batch":0}'
	} > ck/offsets/0
	{
		echo '{"_inlet":"begin","batch":1}'
		old_seen_line "$PWD/land/f2.json" 1
		echo '{"_inlet":"end","batch":1}'
	} > ck/offsets/1
	commit_all ck
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	[ "$(grep -c '^f' ck/sources/seen)" -eq 2 ]
	[ "$(grep '^b' ck/sources/seen | tail -n 1)" = "$(printf 'b\t1')" ]
}

@test "a first start that found nothing is still the first start" {
	mkdir land
	inlet-discover --checkpoint ck --include-existing-files false land > /dev/null
	[ "$(cat ck/sources/seen)" = "inlet-seen 3" ]
	files 1 land
	run inlet-discover --checkpoint ck --include-existing-files false land
	assert_line --partial "land/f1.json"
}

@test "a seen log of a newer format is refused, naming it" {
	files 1 land
	mkdir -p ck/sources
	echo 'inlet-seen 4' > ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/sources/seen"
	assert_output --partial "format 4"
	printf 'inlet-seen 3\nq\ty\n' > ck/sources/seen
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/sources/seen' line 2"
}

@test "malformed checkpoint files are reported with their name, never overwritten" {
	files 1 land
	inlet-discover --checkpoint ck land > /dev/null
	echo 'garbage' > ck/offsets/0
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/offsets/0"
	[ "$(cat ck/offsets/0)" = garbage ]
	echo 'not json' > ck/metadata
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/metadata"
}

@test "a checkpoint of a newer layout is refused" {
	mkdir ck
	echo '{"id":"abc","created":"x","layout":99}' > ck/metadata
	files 1 land
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "layout 99"
}

@test "old offsets are pruned to --keep-batches" {
	files 6 land
	for i in 1 2 3 4 5 6; do
		inlet-discover --checkpoint ck --max-files-per-trigger 1 --keep-batches 2 land > /dev/null
		commit_all ck
	done
	inlet-discover --checkpoint ck --keep-batches 2 land > /dev/null
	[ "$(ls ck/offsets | wc -l)" -le 3 ]
	[ -f ck/offsets/5 ]
}

@test "symlinks: files inside the source are taken, outside ones and folders only with --follow-symlinks" {
	mkdir -p land/real outside/dir
	echo '{"in":1}' > land/real/a.json
	echo '{"out":1}' > outside/b.json
	echo '{"dir":1}' > outside/dir/c.json
	ln -s "$PWD/land/real/a.json" land/inside-link.json
	ln -s "$PWD/outside/b.json" land/outside-link.json
	ln -s "$PWD/outside/dir" land/dirlink
	ln -s "$PWD/land" land/real/loop
	# What is left out is said on stderr (tests/12-discover-left-out.bats).
	run --separate-stderr inlet-discover --no-checkpoint land
	assert_success
	assert_line --partial 'land/inside-link.json'
	refute_line --partial 'outside-link.json'
	refute_line --partial 'dirlink'
	run --separate-stderr inlet-discover --no-checkpoint --follow-symlinks land
	assert_success
	assert_line --partial 'land/outside-link.json'
	assert_line --partial 'land/dirlink/c.json'
	refute_line --partial 'loop'
}
