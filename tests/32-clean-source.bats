#!/usr/bin/env bats
# commit --clean-source against an adversary: only a file that parse read
# completely, of a committed batch, that is still the file that was listed,
# is deleted or moved; the archive cannot be turned against the mover; a
# crash leaves the work for the next start.  The streams are written here,
# file records with the identity discover gives them (dev, ino, size,
# mtime_ns), so that each case is exact.
load helpers

teardown() {
	[ -z "${OTHER_FS:-}" ] || rm -rf "$OTHER_FS"
}

# file_record BATCH PATH: a file record with PATH's identity as it is now.
file_record() {
	local t
	t=$(stat -c %.9Y "$2")
	printf '{"_inlet":"file","batch":%s,"path":"%s","size":%s,"mtime":"2024-01-01T00:00:00.000000Z","dev":%s,"ino":%s,"mtime_ns":%s}\n' \
		"$1" "$(realpath "$2")" "$(stat -c %s "$2")" "$(stat -c %d "$2")" \
		"$(stat -c %i "$2")" "$((10#${t%.*}${t#*.}))"
}

# batch N PATH...: batch N listing PATH... with their identities.
batch_of_files() {
	local n=$1 f
	shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	for f; do file_record "$n" "$f"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

# commit_clean WHAT: commit standard input with --clean-source WHAT, at
# once (--clean-retention 0; the retention cases are at the end).
commit_clean() {
	inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source "$1" --clean-retention 0
}

# A folder on another file system than the test's, or skip saying why.
other_fs() {
	local d
	for d in /dev/shm /run/shm /run/user/$(id -u); do
		[ -d "$d" ] && [ -w "$d" ] || continue
		[ "$(stat -c %d "$d")" != "$(stat -c %d .)" ] || continue
		OTHER_FS=$(mktemp -d "$d/inlet-clean.XXXXXX") && return 0
	done
	skip "no writable folder on a second file system (/dev/shm, /run/shm and /run/user are missing or on the same device as $PWD), so rename never gives EXDEV here"
}

@test "a file parse could not read completely is never cleaned" {
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' | gzip | head -c 15 > land/cut.json.gz
	batch_of_files 0 land/a.json land/cut.json.gz > stream
	run bash -c 'inlet-parse --format json --ignore-corrupt-files < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_success
	[ ! -e land/a.json ]
	[ -f land/cut.json.gz ]
	assert_output --partial "skipping '$PWD/land/cut.json.gz'"
}

@test "a file swapped for another after it was listed is not deleted" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json > stream
	# Swapped after parse read it, before commit cleans (parse itself
	# refuses a file swapped before it opens it: tests/27-parse-identity).
	inlet-parse --format json < stream > parsed
	echo '{"id":2,"late":true}' > land/new
	mv land/new land/a.json
	run bash -c 'inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0 < parsed'
	assert_success
	[ -f land/a.json ]
	assert_output --partial "not cleaning '$PWD/land/a.json'"
	assert_output --partial "left in place"
}

@test "a file rewritten after the batch was read is not deleted, even at the same size" {
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	batch_of_files 0 land/a.json land/b.json | inlet-parse --format json > parsed
	echo '{"id":3}' >> land/a.json
	sleep 0.05
	echo '{"id":4}' > land/b.json
	run commit_clean delete < parsed
	assert_success
	[ "$(cat land/a.json)" = "$(printf '{"id":1}\n{"id":3}')" ]
	[ "$(cat land/b.json)" = '{"id":4}' ]
	assert_output --partial "not cleaning '$PWD/land/a.json': changed since it was listed (size 9, now 18)"
	assert_output --partial "not cleaning '$PWD/land/b.json': modified since it was listed"
	# Left on purpose: not queued for another try.
	[ ! -e ck/clean-pending ]
}

@test "a file record without an identity is not cleaned, with one warning" {
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	printf '{"_inlet":"begin","batch":0}\n{"_inlet":"file","batch":0,"path":"%s"}\n{"_inlet":"file","batch":0,"path":"%s"}\n{"_inlet":"end","batch":0}\n' \
		"$PWD/land/a.json" "$PWD/land/b.json" > stream
	run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_success
	[ -f land/a.json ]
	[ -f land/b.json ]
	[ "$(grep -c 'has no identity' <<< "$output")" = 1 ]
}

@test "a symbolic link planted as an archive folder cannot send a moved file outside the archive" {
	mkdir land outside
	echo '{"id":1}' > land/a.json
	mkdir -p "archive$(dirname "$PWD/land")"
	ln -s "$PWD/outside" "archive$PWD/land"
	batch_of_files 0 land/a.json > stream
	run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:archive --clean-retention 0'
	assert_success
	[ ! -e outside/a.json ]
	[ -f land/a.json ]
	assert_output --partial "cannot move '$PWD/land/a.json': '$PWD/archive$PWD/land' in the archive is not a folder"
	# A failure is retried: once the link is gone, the next start moves it.
	[ -s ck/clean-pending ]
	rm "archive$PWD/land"
	run commit_clean move:archive < /dev/null
	assert_success
	[ ! -e land/a.json ]
	[ "$(cat "archive$PWD/land/a.json")" = '{"id":1}' ]
	[ ! -e ck/clean-pending ]
}

@test "a move across file systems never follows a link planted in the archive" {
	other_fs
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	echo precious > victim-a
	echo precious > victim-b
	mkdir -p "$OTHER_FS/archive$PWD/land"
	# At the file's name, and at the temporary name the copy is made under.
	ln -s "$PWD/victim-a" "$OTHER_FS/archive$PWD/land/a.json"
	ln -s "$PWD/victim-b" "$OTHER_FS/archive$PWD/land/.b.json.inlet-tmp"
	batch_of_files 0 land/a.json land/b.json > stream
	run bash -c "inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:$OTHER_FS/archive --clean-retention 0"
	assert_success
	[ "$(cat victim-a)" = precious ]
	[ "$(cat victim-b)" = precious ]
	[ ! -L "$OTHER_FS/archive$PWD/land/a.json" ]
	[ "$(cat "$OTHER_FS/archive$PWD/land/a.json")" = '{"id":1}' ]
	[ "$(cat "$OTHER_FS/archive$PWD/land/b.json")" = '{"id":2}' ]
	[ ! -e land/a.json ]
	[ ! -e land/b.json ]
	[ ! -e "$OTHER_FS/archive$PWD/land/.b.json.inlet-tmp" ]
}

@test "a move across file systems keeps the file's mode and modification time" {
	other_fs
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	chmod 600 land/a.json
	chmod 640 land/b.json
	touch -d '2021-03-04 05:06:07.123456789' land/b.json
	batch_of_files 0 land/a.json land/b.json > stream
	run bash -c "inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:$OTHER_FS/archive --clean-retention 0"
	assert_success
	[ ! -e land/a.json ]
	[ ! -e land/b.json ]
	[ "$(stat -c %a "$OTHER_FS/archive$PWD/land/a.json")" = 600 ]
	[ "$(stat -c %a "$OTHER_FS/archive$PWD/land/b.json")" = 640 ]
	[ "$(stat -c %.9Y "$OTHER_FS/archive$PWD/land/b.json")" = "$(date -d '2021-03-04 05:06:07.123456789' +%s.%N)" ]
}

@test "a crash between commits/N and the cleaning: the next start cleans the batch" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json > stream
	INLET_CRASH_AT=commit-after-mark run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_failure
	[ -f ck/commits/0 ]
	[ -f land/a.json ]
	run commit_clean delete < /dev/null
	assert_success
	[ ! -e land/a.json ]
	[ ! -e ck/clean-pending ]
}

@test "a crash before the sink commits: the files are queued first, the next start drops them, the replay cleans them" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json > stream
	INLET_CRASH_AT=commit-before-sink run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_failure
	[ ! -e ck/commits/0 ]
	grep -q "\"batch\":0,\"path\":\"$PWD/land/a.json\"" ck/clean-pending
	# Not committed: nothing is cleaned, the entry is dropped.
	run commit_clean delete < /dev/null
	assert_success
	[ -f land/a.json ]
	[ ! -e ck/clean-pending ]
	inlet-parse --format json < stream | commit_clean delete
	[ ! -e land/a.json ]
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 1 ]
}

@test "a replayed batch the sink already holds: its files are cleaned, unless rewritten since" {
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	batch_of_files 0 land/a.json land/b.json > stream
	INLET_CRASH_AT=commit-after-sink run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_failure
	[ -f land/a.json ]
	[ -f land/b.json ]
	# Rows added to b.json now were never loaded: the sink holds batch_of_files 0.
	# (Appended after parse read it: before, parse would leave it for later.)
	inlet-parse --format json < stream > parsed
	echo '{"id":3}' >> land/b.json
	run bash -c 'inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0 < parsed'
	assert_success
	[ ! -e land/a.json ]
	[ "$(cat land/b.json)" = "$(printf '{"id":2}\n{"id":3}')" ]
	assert_output --partial "not cleaning '$PWD/land/b.json'"
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 2 ]
}

@test "a file replaced after a crash left it queued is not deleted at the next start" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json > stream
	INLET_CRASH_AT=commit-after-mark run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_failure
	rm land/a.json
	echo '{"id":2,"new":true}' > land/a.json
	run commit_clean delete < /dev/null
	assert_success
	[ "$(cat land/a.json)" = '{"id":2,"new":true}' ]
	assert_output --partial "not cleaning '$PWD/land/a.json'"
	[ ! -e ck/clean-pending ]
}

@test "a path queued by an older inlet, without an identity, is left in place with a warning" {
	mkdir -p land
	echo '{"id":1}' > land/a.json
	# Batch 0 committed, its mark in the sink, as an older inlet left it.
	batch_of_files 0 > stream
	inlet-commit --checkpoint ck --db t.db --table t --quiet < stream
	[ -f ck/commits/0 ]
	printf '"%s"\n' "$PWD/land/a.json" > ck/clean-pending
	run commit_clean delete < /dev/null
	assert_success
	[ -f land/a.json ]
	assert_output --partial "not cleaning '$PWD/land/a.json': it was queued by an older inlet"
	[ ! -e ck/clean-pending ]
}

@test "a damaged clean-pending is exit 65 naming the line, and the file stays" {
	mkdir land
	echo '{"id":1}' > land/a.json
	inlet-commit --checkpoint ck --db t.db --table t --quiet < /dev/null
	printf '{"batch":0,"path":"%s"}\n' "$PWD/land/a.json" > ck/clean-pending
	run commit_clean delete < /dev/null
	assert_equal "$status" 65
	assert_output --partial "'ck/clean-pending' line 1"
	[ -f land/a.json ]
	[ -s ck/clean-pending ]
}

# ---- retention ----
# Databricks, "Clean up processed files with Auto Loader"
# (docs.databricks.com/aws/en/ingestion/cloud-object-storage/auto-loader/clean-source):
# files are moved or deleted "after the retention duration (default 30
# days) defined by cloudFiles.cleanSource.retentionDuration elapses";
# retentionDuration is the "amount of time to wait before processed files
# become candidates" and "must be greater than 7 days for DELETE"; no
# minimum for MOVE.  The options page: DELETE removes files "30 days after
# they are processed".  So the age counts from the commit, not from the
# file's modification time.

# iso_ago DAYS: the time DAYS days ago as the checkpoint writes it.
iso_ago() {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y-%m-%dT%H:%M:%S.000000Z
}

# set_processed ISO: make every entry of ck/clean-pending committed at ISO.
set_processed() {
	sed -i "s/\"processed\":\"[^\"]*\"/\"processed\":\"$1\"/" ck/clean-pending
}

@test "retention: by default a committed file stays 30 days, queued with its commit time" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json | inlet-parse --format json > parsed
	run inlet-commit --checkpoint ck --db t.db --table t --summary-only --clean-source delete < parsed
	assert_success
	[ -f land/a.json ]
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 1 ]
	grep -q "\"batch\":0,\"path\":\"$PWD/land/a.json\".*\"processed\":\"$(date -u +%Y-%m-%d)T" ck/clean-pending
	assert_output --partial "0 source files cleaned"
	assert_output --partial "1 waiting for their retention (the first due at $(date -u -d '+30 days' +%Y-%m-%d)T"
}

@test "retention: a later start cleans the files whose retention has passed, and only those" {
	mkdir land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	batch_of_files 0 land/a.json | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention '8 days'
	set_processed "$(iso_ago 9)"
	batch_of_files 1 land/b.json | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention '8 days'
	# Batch 0 was due (committed 9 days ago) and went at this run's start.
	[ ! -e land/a.json ]
	[ -f land/b.json ]
	grep -q "\"batch\":1," ck/clean-pending
	! grep -q "\"batch\":0," ck/clean-pending
	# Batch 1 only once 8 days have passed since its commit.
	sed -i "s/\"processed\":\"[^\"]*\"/\"processed\":\"$(iso_ago 7)\"/" ck/clean-pending
	run inlet-commit --checkpoint ck --db t.db --table t --summary-only --clean-source delete --clean-retention '8 days' < /dev/null
	assert_success
	[ -f land/b.json ]
	assert_output --partial "1 waiting for their retention"
	set_processed "$(iso_ago 8)"
	run inlet-commit --checkpoint ck --db t.db --table t --summary-only --clean-source delete --clean-retention '8 days' < /dev/null
	assert_success
	[ ! -e land/b.json ]
	[ ! -e ck/clean-pending ]
	[ "$(sql t.db 'SELECT count(*) FROM t')" = 2 ]
}

@test "retention: the age counts from the commit, not from the file's modification time" {
	mkdir land
	echo '{"id":1}' > land/a.json
	touch -d '60 days ago' land/a.json
	batch_of_files 0 land/a.json | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention '30 days'
	[ -f land/a.json ]
	run inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention '30 days' < /dev/null
	[ -f land/a.json ]
}

@test "retention: a crash before the commit time was queued takes it from commits/N at the next start" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json > stream
	INLET_CRASH_AT=commit-after-mark run bash -c 'inlet-parse --format json < stream | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention "10 days"'
	assert_failure
	[ -f ck/commits/0 ]
	! grep -q processed ck/clean-pending
	# commits/0 says the batch was committed 11 days ago: due now, not in 10 days.
	sed -i "s/\"committed\":\"[^\"]*\"/\"committed\":\"$(iso_ago 11)\"/" ck/commits/0
	run inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention '10 days' < /dev/null
	assert_success
	[ ! -e land/a.json ]
}

@test "retention: MOVE with a short retention moves the file on a later run once it passed" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:archive --clean-retention 2s
	[ -f land/a.json ]
	inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:archive --clean-retention 2s < /dev/null
	[ -f land/a.json ]
	sleep 2.1
	inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source move:archive --clean-retention 2s < /dev/null
	[ ! -e land/a.json ]
	[ -f "archive$PWD/land/a.json" ]
}

@test "retention: DELETE under 7 days is refused as Databricks does; 7 days, 0 and MOVE under 7 days are taken" {
	for r in 1s '6 days' '6d 23h 59m 59s'; do
		run inlet-commit --checkpoint ck --db t.db --table t --clean-source delete --clean-retention "$r" < /dev/null
		assert_equal "$status" 64
		assert_output --partial "under 7 days"
	done
	[ ! -e t.db ]
	for args in "delete --clean-retention 7d" "delete --clean-retention 0" "move:archive --clean-retention 1s"; do
		run inlet-commit --check-options --checkpoint ck --db t.db --table t --clean-source $args
		assert_success
	done
	run inlet-commit --checkpoint ck --db t.db --table t --clean-retention 1d < /dev/null
	assert_equal "$status" 64
	assert_output --partial "--clean-retention goes with --clean-source"
	run inlet-commit --checkpoint ck --db t.db --table t --clean-source move:a --clean-retention '1 month' < /dev/null
	assert_equal "$status" 64
}

@test "retention: a malformed processed time in clean-pending is exit 65 naming the line" {
	mkdir land
	echo '{"id":1}' > land/a.json
	batch_of_files 0 land/a.json | inlet-parse --format json |
		inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 8d
	set_processed yesterday
	run inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 8d < /dev/null
	assert_equal "$status" 65
	assert_output --partial "'ck/clean-pending' line 1: its \"processed\" is not an ISO-8601 time"
	[ -f land/a.json ]
}

@test "retention: autoload's cloudFiles.cleanSource.retentionDuration takes Databricks' interval spelling" {
	mkdir land
	echo '{"id":1}' > land/a.json
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json -o cloudFiles.cleanSource=DELETE \
		-o "cloudFiles.cleanSource.retentionDuration='1 day'" land
	assert_equal "$status" 64
	assert_output --partial "-o cloudFiles.cleanSource.retentionDuration='1 day'"
	assert_output --partial "under 7 days"
	[ ! -e ck ]
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o "cloudFiles.cleanSource.retentionDuration=14 days" land
	assert_equal "$status" 64
	inlet autoload -c ck --db t.db --table t --quiet -o cloudFiles.format=json -o cloudFiles.cleanSource=DELETE \
		-o "cloudFiles.cleanSource.retentionDuration=2 weeks" land
	[ -f land/a.json ]
	grep -q '"processed"' ck/clean-pending
	set_processed "$(iso_ago 15)"
	inlet autoload -c ck --db t.db --table t --quiet -o cloudFiles.format=json -o cloudFiles.cleanSource=DELETE \
		-o "cloudFiles.cleanSource.retentionDuration=2 weeks" land
	[ ! -e land/a.json ]
}
