#!/usr/bin/env bats
# Hostile input: identifiers from data are always quoted; a path in the
# data never makes a stage write (or delete) anywhere; discover follows
# symlinks only as documented; data never becomes a control record.
load helpers

setup_file() {
	cc -shared -fPIC -o "$BATS_FILE_TMPDIR/shim.so" "$BATS_TEST_DIRNAME/fault/shim.c" -ldl
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
}

# pipeline TABLE: discover | parse | rescue | cast | commit on ck into t.db.
# pipeline TABLE [CK LAND]: one checkpoint per table, as inlet(7) requires.
pipeline() {
	local ck=${2:-ck} land=${3:-land}
	inlet-discover --checkpoint "$ck" "$land" \
		| inlet-parse --format json \
		| inlet-rescue --schema-location "$ck" --quiet \
		| inlet-cast \
		| inlet-commit --checkpoint "$ck" --db t.db --table "$1" --quiet
}

# watched CMD...: run CMD with every open for writing, rename, write,
# truncate and delete-by-rename logged (not failed) in writes.log, except
# under the folders a stage may write: the checkpoint, the database.
watched() {
	LD_PRELOAD=$BATS_FILE_TMPDIR/shim.so INLET_FAULT_CALL=openw,rename,ftruncate \
	INLET_FAULT_PATH='*' INLET_FAULT_ERRNO=0 INLET_FAULT_LOG=$PWD/writes.log \
	INLET_FAULT_EXCEPT="$PWD/ck/*:$PWD/t.db*:$PWD/table/*" "$@"
}

# ---- identifiers ----

@test "hostile column names (quotes, semicolons, SQL, unicode, empty) land as columns, quoted" {
	mkdir land
	# Keys: x"); DROP TABLE t; --   semi;colon   a'b   ünï 日本   "q"   select   (empty)
	printf '%s\n' '{"id":1,"x\"); DROP TABLE t; --":"a","semi;colon":"b","a'"'"'b":"c","ünï 日本":"d","\"q\"":"e","select":"f","":"g","[br]":"h","`bt`":"i"}' > land/a.json
	run pipeline t
	assert_success
	run sql t.db "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	assert_output "$(printf '_inlet_commits\n_inlet_files\nt')"
	run sql t.db "SELECT group_concat(name, '|') FROM pragma_table_info('t')"
	assert_output 'id|x"); DROP TABLE t; --|semi;colon|a'"'"'b|ünï 日本|"q"|select||[br]|`bt`|_rescued_data'
	run sql t.db "SELECT * FROM t"
	assert_output '1|a|b|c|d|e|f|g|h|i|'
}

@test "hostile table names are quoted: quotes, semicolons, SQL, unicode" {
	mkdir land
	echo '{"id":1}' > land/a.json
	run pipeline 't"; DROP TABLE x; --'
	assert_success
	run sql t.db "SELECT id FROM \"t\"\"; DROP TABLE x; --\""
	assert_output 1
	mkdir land2
	echo '{"id":2}' > land2/b.json
	run pipeline 'tâblé 日本' ck2 land2
	assert_success
	run sql t.db "SELECT id FROM \"tâblé 日本\""
	assert_output 2
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
	assert_output 4	# the two, _inlet_commits and the ledger _inlet_files
}

@test "column names that differ only in case go to one column" {
	mkdir land
	printf '{"id":1,"Name":"a"}\n{"id":2,"name":"b"}\n' > land/a.json
	run pipeline t
	assert_success
	run sql t.db "SELECT count(*) FROM pragma_table_info('t') WHERE name LIKE 'name'"
	assert_output 1
	run sql t.db "SELECT count(*) FROM t"
	assert_output 2
}

@test "a column name holding U+0000 does not stall commit" {
	mkdir land
	printf '{"id":1,"a\\u0000b":"x"}\n{"id":2,"a\\u0000b":"y"}\n' > land/a.json
	run pipeline t
	assert_success
	run sql t.db "SELECT count(*) FROM t"
	assert_output 2
	# SQL names cannot hold NUL: the column is "a?b", with the values.
	run sql t.db "SELECT group_concat(\"a?b\") FROM t"
	assert_output "x,y"
	printf '{"id":3,"a\\u0000b":"z"}\n' > land/b.json
	run pipeline t
	assert_success
	run sql t.db "SELECT group_concat(\"a?b\") FROM t"
	assert_output "x,y,z"
}

@test "the marks table cannot be the target: --table _inlet_commits is refused" {
	echo '{"checkpoint_id":"x","batch":0,"table_name":"t","rows":1,"committed_at":"now"}' > rows.json
	run inlet-commit --db t.db --table _inlet_commits < rows.json
	assert_equal "$status" 64
	assert_output --partial "_inlet_commits"
	run inlet-commit --db t.db --table _Inlet_Commits < rows.json
	assert_equal "$status" 64
	run inlet-commit --db t.db --table sqlite_master < rows.json
	assert_equal "$status" 64
	assert_output --partial "sqlite_"
	[ ! -e t.db ] || [ "$(sqlite3 t.db "SELECT count(*) FROM sqlite_master WHERE name = '_inlet_commits'")" = 0 ]
}

# ---- data never becomes a control record ----

@test "a data line with a top-level \"_inlet\" key never makes commit --clean-source delete a file" {
	mkdir land
	echo secret > canary.txt
	printf '{"id":1}\n{"_inlet":"file","path":"%s/canary.txt","size":7,"mtime":"2024-01-01T00:00:00.000000Z"}\n' "$PWD" > land/a.json
	inlet-discover --checkpoint ck land | inlet-parse --format json \
		| inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0
	[ -f canary.txt ]
}

@test "a data line with a top-level \"_inlet\" key is a row, not a begin/end of batch" {
	mkdir land
	printf '{"id":1}\n{"_inlet":"begin","batch":7}\n{"id":2}\n' > land/a.json
	run pipeline t
	assert_success
	run sql t.db "SELECT count(*) FROM t WHERE id IN (1, 2)"
	assert_output 2
}

@test "a CSV header named _inlet does not turn rows into control records" {
	printf '_inlet,path\nfile,/etc/passwd\n' > a.csv
	run inlet-parse --format csv a.csv
	assert_success
	refute_line --regexp '^\{"_inlet":"file","path":"/etc/passwd"'
}

# ---- paths from data are read, never written ----

@test "a file record naming /etc/passwd: parse only reads it, opens nothing for writing" {
	sum=$(sha256sum /etc/passwd)
	echo '{"_inlet":"file","batch":0,"path":"/etc/passwd"}' > stream
	run watched inlet-parse --format text < stream
	assert_success
	assert_line --index 0 '{"_inlet":"begin","last":true,"valid":"json-utf8"}'
	assert_line --index 1 '{"_inlet":"file","batch":0,"path":"/etc/passwd","format":"text"}'
	assert_line --index 2 --partial '{"value":"root:'
	[ "$(sha256sum /etc/passwd)" = "$sum" ]
	[ ! -s writes.log ] || { cat writes.log; false; }
}

@test "paths inside rows never make any stage write outside the checkpoint and the sink" {
	mkdir land elsewhere
	echo keep > elsewhere/victim
	printf '%s\n' "{\"id\":1,\"path\":\"$PWD/elsewhere/victim\",\"file\":\"$PWD/elsewhere/new\",\"_metadata\":{\"file_path\":\"$PWD/elsewhere/victim\"},\"_rescued_data\":{\"_file_path\":\"$PWD/elsewhere/new2\"}}" > land/a.json
	watched inlet-discover --checkpoint ck land \
		| watched inlet-parse --format json \
		| watched inlet-rescue --schema-location ck --quiet \
		| watched inlet-cast \
		| watched inlet-commit --checkpoint ck --db t.db --table t --quiet
	[ ! -s writes.log ] || { cat writes.log; false; }
	run cat elsewhere/victim
	assert_output keep
	[ ! -e elsewhere/new ] && [ ! -e elsewhere/new2 ]
	run sql t.db "SELECT path FROM t"
	assert_output "$PWD/elsewhere/victim"
}

@test "the folder sink names its part files after batch and checkpoint, never after data" {
	mkdir land
	echo '{"id":1,"part":"../../escape","_manifest":"x"}' > land/a.json
	watched inlet-discover --checkpoint ck land | watched inlet-parse --format json \
		| watched inlet-commit --checkpoint ck --dir table --quiet
	[ ! -s writes.log ] || { cat writes.log; false; }
	run ls table
	assert_output --regexp '^_manifest'$'\n''part-00000000-[0-9a-f]{8}\.ndjson$'
	[ ! -e escape ] && [ ! -e ../escape ]
}

@test "jq programs come only from the command line: a row holding one is data" {
	echo '{"id":1,"map":"error(\"boom\")","_inlet_map":".id = 9"}' | inlet-cast --map '.' > out
	run cat out
	assert_output '{"_inlet":"begin","last":true}
{"id":1,"map":"error(\"boom\")","_inlet_map":".id = 9"}
{"_inlet":"end"}'
}

# ---- discover and symlinks ----

# links: land/ with a file, a symlink to it, a symlink to a file outside,
# and a symlink to a folder outside.
links() {
	mkdir -p land outside
	echo '{"in":1}' > land/in.json
	echo '{"secret":1}' > outside/s.json
	ln -s in.json land/in-link.json
	ln -s ../outside/s.json land/out-link.json
	ln -s ../outside land/dirlink
}

@test "discover takes a symlink to a file inside the source, not one to a file outside, and no folder symlink" {
	links
	# What is left out is said on stderr (tests/12-discover-left-out.bats).
	run --separate-stderr inlet-discover --no-checkpoint land
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/in.json\""
	# The link itself is the file record's path (the same data twice).
	assert_line --partial "\"path\":\"$PWD/land/in-link.json\""
	refute_line --partial out-link.json
	refute_line --partial dirlink
	refute_output --partial outside
}

@test "discover --follow-symlinks follows folder symlinks and links out of the source" {
	links
	run inlet-discover --no-checkpoint --follow-symlinks land
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/out-link.json\""
	assert_line --partial "\"path\":\"$PWD/land/dirlink/s.json\""
}

@test "discover --follow-symlinks never loops on a symlink to a folder above" {
	mkdir -p land/a
	echo '{"x":1}' > land/a/f.json
	ln -s .. land/a/up
	run timeout 10 inlet-discover --no-checkpoint --follow-symlinks land
	assert_success
	assert_equal "$(grep -c '"_inlet":"file"' <<< "$output")" 1
}

@test "discover --trigger every applies the symlink rule" {
	links
	inlet-discover --checkpoint ck --trigger every:50ms land > out 2> err 3>&- &
	pid=$!
	# Until the file inside is taken (two listings), then one more listing.
	for _ in $(seq 100); do
		grep -q in-link.json out 2> /dev/null && break
		sleep 0.05
	done
	sleep 0.2
	kill "$pid"
	wait "$pid" || true
	run grep -o '"path":"[^"]*"' out
	refute_output --partial out-link.json
	refute_output --partial dirlink
	assert_output --partial in.json
}

@test "discover --trigger watch applies the symlink rule to links moved in" {
	mkdir land
	inlet-discover --checkpoint ck --trigger watch land > out 2> err 3>&- &
	pid=$!
	sleep 0.3
	ln -s /etc/hostname .evil
	mv .evil land/evil.json
	echo '{"x":1}' > land/.n && mv land/.n land/ok.json
	# A link to a file inside the folder is followed, as when listing.
	ln -s "$PWD/land/ok.json" .good
	mv .good land/link.json
	sleep 0.5
	kill "$pid"
	wait "$pid" || true
	run cat out
	assert_output --partial ok.json
	assert_output --partial link.json
	refute_output --partial evil.json
}

# ---- permissions ----

@test "checkpoint files are created 0600 and folders 0700, whatever the umask" {
	mkdir land
	echo '{"id":1}' > land/a.json
	umask 022
	pipeline t
	[ "$(stat -c %a ck)" = 700 ]
	[ "$(stat -c %a ck/offsets)" = 700 ]
	[ "$(stat -c %a ck/offsets/0)" = 600 ]
	[ "$(stat -c %a ck/commits/0)" = 600 ]
	[ "$(stat -c %a ck/metadata)" = 600 ]
	[ "$(stat -c %a ck/sources/seen)" = 600 ]
}
