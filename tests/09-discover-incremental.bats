#!/usr/bin/env bats
# inlet-discover's incremental pass: folders read in large pieces, the seen
# log read line by line in one pass, and every known file still known by
# the identity the log gave back.
load helpers

# paths: the paths of the file records of the output, one a line.
paths() {
	jq -r 'select(._inlet == "file") | .path' <<<"$output"
}

# seen_log LINE...: a checkpoint whose sources/seen holds the folder land/
# and then LINE... (tab-separated), as inlet-discover writes it.
seen_log() {
	inlet-discover --checkpoint ck empty > /dev/null
	{
		printf 'inlet-seen 3\nd\t%s\n' "$PWD/land"
		printf '%s\n' "$@"
	} > ck/sources/seen
}

@test "a folder larger than one read of the listing is listed whole, each file once" {
	mkdir -p land/_k=v
	# Long names: 3000 entries take several reads of the folder.
	long=$(printf 'x%.0s' $(seq 150))
	for i in $(seq -w 1 3000); do echo "land/$long-$i.json"; done | xargs touch
	touch land/.hidden land/_tmp land/a.json._COPYING_ land/_k=v/p.json
	run inlet-discover --checkpoint ck --max-files-per-trigger 100000 land
	assert_success
	[ "$(paths | wc -l)" -eq 3001 ]
	[ "$(paths | sort -u | wc -l)" -eq 3001 ]
	[ "$(paths | grep -c -- "-[0-9]*.json$")" -eq 3000 ]
	paths | grep -qx "$PWD/land/_k=v/p.json"
	[ "$(paths | grep -c -e hidden -e _tmp -e _COPYING_)" -eq 0 ]
	commit_all ck
	# Incremental: the 3001 known files are passed over, the new one taken.
	echo '{"i":1}' > "land/$long-new.json"
	run inlet-discover --checkpoint ck land
	assert_success
	[ "$(paths)" = "$PWD/land/$long-new.json" ]
}

@test "every field of the log's file lines comes back: a file is taken again only when its identity differs" {
	mkdir -p land empty
	for f in a b c e; do echo '{"i":1}' > "land/$f.json"; done
	printf '{"i":1}\n' > "land/t"$'\t'"ab.json"
	touch -d '2024-03-04 05:06:07.123456789 UTC' land/*
	dev=$(stat -c %d land/a.json)
	ns=1709528767123456789
	id() { printf '%s\t%s' "$dev" "$(stat -c %i "land/$1")"; }
	seen_log \
		"$(printf 'f\ta.json\t8\t%s\t%s\t-1' $ns "$(id a.json)")" \
		"$(printf 'f\tb.json\t8\t1709528767123456000\t-\t-\t-1')" \
		"$(printf 'f\tt\\tab.json\t8\t%s\t%s\t-1' $ns "$(id $'t\tab.json')")" \
		"$(printf 'f\tc.json\t8\t%s\t%s\t-1' $((ns + 1)) "$(id c.json)")" \
		"$(printf 'f\te.json\t8\t%s\t%s\t%s\t-1' $ns "$dev" $(( $(stat -c %i land/e.json) + 1 )))"
	# Without --allow-overwrites a known file is never taken again.
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	# With it: a.json, b.json (size and microsecond) and the escaped name
	# are the files the log holds; c.json's mtime and e.json's inode differ.
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	[ "$(paths | sort | tr '\n' ' ')" = "$PWD/land/c.json $PWD/land/e.json " ]
}

@test "a malformed file line of the log is refused, naming the file and line, exit 65" {
	mkdir -p land empty
	for line in 'f\ta.json\t9\t1\t-\t5\t0' 'f\ta.json\t9\t1\t5\t-\t0' \
		'f\ta.json\t9\t1\t1\t99999999999999999999999\t0' 'f\ta.json\t9\t1\t1\t2\t-2' \
		'f\ta.json\t9x\t1\t1\t2\t0' 'f\ta.json\t9\t1\t1\t2\t0\t7' 'f\ta.json\t9\t1\t1\t2\t' \
		'f\t\t9\t1\t1\t2\t0' 'f\ta\\q.json\t9\t1\t1\t2\t0'; do
		rm -rf ck
		seen_log "$(printf "$line")"
		cp ck/sources/seen before
		run inlet-discover --checkpoint ck land
		assert_equal "$status" 65
		assert_output --partial "checkpoint file 'ck/sources/seen' line 3: "
		cmp ck/sources/seen before
	done
}

# The index keeps the log's lines where they are, in the mapped log, and
# reads one again when asked: these make it choose between lines.

@test "a path the log names twice is the later line's; a forgotten path is taken; compaction keeps each file once, as last known" {
	mkdir -p land empty
	for f in a b c d; do echo '{"i":1}' > "land/$f.json"; done
	dev=$(stat -c %d land/a.json)
	now() { printf '%s\t%s\t%s\t%s' "$(stat -c %s "land/$1")" \
		"$(stat -c %.9Y "land/$1" | tr -d .)" "$dev" "$(stat -c %i "land/$1")"; }
	old() { printf '3\t1000\t%s\t1' "$dev"; }
	# Over 1024 repeats of d.json: the log is compacted when loaded.
	seen_log \
		"$(printf 'f\ta.json\t%s\t-1' "$(old)")" \
		"$(printf 'f\ta.json\t%s\t-1' "$(now a.json)")" \
		"$(printf 'f\tb.json\t%s\t-1' "$(now b.json)")" \
		"$(printf 'x\tb.json')" \
		"$(printf 'f\tc.json\t%s\t-1' "$(old)")" \
		"$(printf 'x\tc.json')" \
		"$(printf 'f\tc.json\t%s\t-1' "$(now c.json)")" \
		$(for i in $(seq 1100); do printf 'f:d.json:%s:-1\n' "$(now d.json | tr '\t' ':')"; done)
	sed -i 's/:/\t/g' ck/sources/seen
	[ "$(grep -c '^f' ck/sources/seen)" -eq 1105 ]
	# Only b.json: a.json and c.json are as their last lines say.
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	[ "$(paths)" = "$PWD/land/b.json" ]
	# Compacted: each file once, with the identity its last line gave.
	[ "$(grep -c '^f' ck/sources/seen)" -eq 4 ]
	for f in a c d; do
		grep -qxF "$(printf 'f\t%s.json\t%s\t-1' "$f" "$(now "$f.json")")" ck/sources/seen
	done
	grep -q "^f	b.json	.*	0\$" ck/sources/seen
	! grep -q '^x' ck/sources/seen
	commit_all ck
	run inlet-discover --checkpoint ck --allow-overwrites land
	assert_success
	assert_output ""
}

@test "an index that outgrows what the log's first 64 KiB foretold keeps every file known" {
	mkdir -p land empty
	long=$(printf 'y%.0s' $(seq 200))
	# 400 long names fill the sample; 3000 short ones follow.
	{
		for i in $(seq 400); do echo "land/$long-$i"; done
		for i in $(seq 3000); do echo "land/s$i"; done
	} | xargs touch
	touch "land/t"$'\t'"ab"
	seen_log \
		$(for i in $(seq 400); do printf 'f:%s-%s:0:0:-:-:-1\n' "$long" "$i"; done) \
		$(for i in $(seq 3000); do printf 'f:s%s:0:0:-:-:-1\n' "$i"; done) \
		"$(printf 'f\tt\\tab\t0\t0\t-\t-\t-1')"
	sed -i 's/:/\t/g' ck/sources/seen
	[ "$(head -c 65536 ck/sources/seen | grep -c "$long")" -ge 300 ]
	run inlet-discover --checkpoint ck land
	assert_success
	assert_output ""
	touch land/new
	run inlet-discover --checkpoint ck land
	assert_success
	[ "$(paths)" = "$PWD/land/new" ]
}
