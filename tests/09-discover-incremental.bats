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

# A model of what discovery owes: on each run, a file is taken when its
# path was never taken, when commit asked for it again (retry), or, with
# --allow-overwrites, when its identity (dev, inode, size, mtime) differs
# from the one it was taken with.  Random histories of new, appended,
# replaced, touched and deleted files under three folders, names with a
# tab, a backslash, a blank and UTF-8, each run a new process reading the
# log (mapped), and enough repeats that the log is compacted on the way.
@test "random histories: each run takes exactly the files the model says, the log compacted on the way" {
	RANDOM=${INLET_HISTORY_SEED:-19}
	mkdir -p land/a land/b/c land/d
	local -A taken=() forgotten=() now=()
	local folders=(a b/c d) kinds=(plain tab bslash blank utf8) n=0 batch=-1
	local shrank=0 lines_before lines_after name
	identities() {
		now=()
		local line
		while IFS= read -r line; do
			now[${line%$'\x1f'*}]=${line##*$'\x1f'}
		done < <(find "$PWD/land" -type f -exec stat --printf '%n\x1f%d:%i:%s:%.9Y\n' {} +)
	}
	# new_name: a name never used before, in $name.
	new_name() {
		n=$((n + 1))
		case ${kinds[RANDOM % 5]} in
		plain) name=f$n.json ;;
		tab) name=t$'\t'$n.json ;;
		bslash) name='b\'$n.json ;;
		blank) name="s $n.json" ;;
		utf8) name=é$n.json ;;
		esac
	}
	# 120 files to begin with, taken again every third run: the log holds
	# more than 1024 repeats beyond twice its files after some 30 runs.
	for i in $(seq 120); do echo '{"i":1}' > "land/${folders[i % 3]}/g$i.json"; done
	for run in $(seq 45); do
		local existing=() p allow=$((RANDOM % 2)) i
		for p in "${!now[@]}"; do existing+=("$p"); done
		for ((i = RANDOM % 6; i > 0; i--)); do
			new_name
			echo '{"i":1}' > "land/${folders[RANDOM % 3]}/$name"
		done
		if [ $((run % 3)) = 0 ]; then
			allow=1	# every file again: repeats, until the log is compacted
			for p in ${existing[@]+"${existing[@]}"}; do echo x >> "$p"; done
		elif [ ${#existing[@]} -gt 0 ]; then
			for ((i = RANDOM % 4; i > 0; i--)); do
				p=${existing[RANDOM % ${#existing[@]}]}
				[ -e "$p" ] || continue
				case $((RANDOM % 4)) in
				0) echo x >> "$p" ;;
				1) cp "$p" "$p.new" && mv "$p.new" "$p" ;;	# another inode
				2) touch -d "@$((1700000000 + RANDOM))" "$p" ;;
				3) rm "$p" ;;
				esac
			done
		fi
		identities
		local want=()
		for p in "${!now[@]}"; do
			if [ -z "${taken[$p]+x}" ] || [ -n "${forgotten[$p]+x}" ] ||
			   { [ "$allow" = 1 ] && [ "${taken[$p]}" != "${now[$p]}" ]; }; then
				want+=("$p")
			fi
		done
		local args=(--checkpoint ck)
		[ "$allow" = 0 ] || args+=(--allow-overwrites)
		lines_before=0
		[ ! -e ck/sources/seen ] || lines_before=$(wc -l < ck/sources/seen)
		run --separate-stderr inlet-discover "${args[@]}" land
		assert_success
		local want_s got_s
		got_s=$(jq -r 'select(._inlet == "file") | .path' <<<"$output" | sort)
		want_s=$(printf '%s\n' ${want[@]+"${want[@]}"} | sed '/^$/d' | sort)
		[ "$got_s" = "$want_s" ] || fail "run $run (allow $allow): got
$got_s
want
$want_s"
		lines_after=$(wc -l < ck/sources/seen)
		[ "$lines_after" -ge "$lines_before" ] || shrank=$((shrank + 1))
		for p in ${want[@]+"${want[@]}"}; do
			taken[$p]=${now[$p]}
			unset -v 'forgotten[$p]'
		done
		[ ${#want[@]} -gt 0 ] || continue
		batch=$((batch + 1))
		# Now and then commit asks for one of the batch's files again.
		if [ $((RANDOM % 4)) = 0 ]; then
			p=${want[RANDOM % ${#want[@]}]}
			commit_retry ck "$batch" "$p"
			forgotten[$p]=1
		fi
		commit_all ck
	done
	[ "$shrank" -gt 0 ] || fail "the log was never compacted"
}
