#!/usr/bin/env bats
# inlet-discover never leaves a file out silently: a link out of the
# source, a link to nothing, an entry it cannot look at, a FIFO or socket
# is said on stderr with the reason, once per path for the life of the
# process, and counted in the summary.  Names Spark hides by rule stay
# unreported (Spark's InMemoryFileIndex / HadoopFSUtils.shouldFilterOutPathName
# skips names starting with '.' or '_' without '=', and '._COPYING_'; see
# https://spark.apache.org/docs/latest/sql-data-sources-generic-options.html).
load helpers

# said STDERR PATH: the number of "leaving out 'PATH'" lines in STDERR.
said() {
	grep -cF "inlet-discover: warning: leaving out '$2':" <<<"$1" || true
}

@test "a symlink to a file outside the source is left out and said, with the reason" {
	mkdir land outside
	echo '{"id":1}' > outside/x.json
	ln -s "$PWD/outside/x.json" land/x.json
	run --separate-stderr inlet-discover --no-checkpoint land
	assert_success
	refute_output --partial x.json
	assert_equal "$stderr" "inlet-discover: warning: leaving out '$PWD/land/x.json': a symbolic link to '$PWD/outside/x.json', outside the source (--follow-symlinks follows it)"
	# The pipeline of the finding: 0 rows, and now a word on why.
	run --separate-stderr bash -c 'inlet-discover --no-checkpoint land | inlet-parse | inlet-commit --db t.db --table t --quiet'
	assert_success
	[[ $stderr == *"leaving out '$PWD/land/x.json'"* ]] || fail "stderr: $stderr"
	# Followed when asked, and then nothing is said.
	run --separate-stderr inlet-discover --no-checkpoint --follow-symlinks land
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/x.json\""
	assert_equal "$stderr" ''
}

@test "a dangling link, a FIFO, a socket and a link to a folder are each said; hidden names are not" {
	mkdir -p land/sub
	echo '{"ok":1}' > land/ok.json
	ln -s nowhere.json land/dangling.json
	mkfifo land/pipe.json
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' land/sock.json
	ln -s "$PWD/land/sub" land/sublink
	ln -s loop.json land/loop.json
	# Ignored by Spark's rule, without a word: files and folders alike.
	mkfifo land/.hidden.json land/_tmp.json
	ln -s nowhere land/c.json._COPYING_
	mkdir land/_temporary && ln -s nowhere land/_temporary/x.json
	mkdir land/_year=2024 && echo '{"y":1}' > land/_year=2024/y.json
	run --separate-stderr inlet-discover --no-checkpoint land
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/ok.json\""
	assert_line --partial "\"path\":\"$PWD/land/_year=2024/y.json\""
	assert_equal "$(grep -c '"_inlet":"file"' <<<"$output")" 2
	[[ $stderr == *"leaving out '$PWD/land/dangling.json': a symbolic link to 'nowhere.json', which does not exist"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"leaving out '$PWD/land/pipe.json': not a regular file (a FIFO)"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"leaving out '$PWD/land/sock.json': not a regular file (a socket)"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"leaving out '$PWD/land/sublink': a symbolic link to the folder '$PWD/land/sub' (--follow-symlinks follows it)"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"leaving out '$PWD/land/loop.json': a symbolic link that cannot be followed: Too many levels of symbolic links"* ]] ||
		fail "stderr: $stderr"
	# Five lines, one per path, and none of the hidden names.
	assert_equal "$(grep -c 'leaving out' <<<"$stderr")" 5
	[[ $stderr != *hidden* && $stderr != *_tmp* && $stderr != *COPYING* && $stderr != *_temporary* ]] ||
		fail "a hidden name was reported: $stderr"
	# --pattern leaves out what it does not match, without a word.
	mkdir other
	echo '{"ok":1}' > other/ok.json
	mkfifo other/pipe.json
	ln -s nowhere.json other/dangling.json
	run --separate-stderr inlet-discover --no-checkpoint --pattern 'ok*' other
	assert_success
	assert_line --partial "\"path\":\"$PWD/other/ok.json\""
	assert_equal "$stderr" ''
	# A source that is itself not a regular file or folder.
	run --separate-stderr inlet-discover --no-checkpoint land/pipe.json
	assert_success
	assert_output ''
	assert_equal "$stderr" "inlet-discover: warning: leaving out '$PWD/land/pipe.json': not a regular file (a FIFO)"
}

@test "the summary line on a terminal counts what was left out" {
	mkdir land
	echo '{"ok":1}' > land/ok.json
	mkfifo land/a.json land/b.json
	script -qec "inlet-discover --no-checkpoint land > out" /dev/null > tty
	grep -qF 'inlet-discover: 1 new files in 1 batches; 2 left out (said above)' tty ||
		fail "$(cat tty)"
	# Nothing left out: the line as before.
	rm land/a.json land/b.json
	script -qec "inlet-discover --no-checkpoint land > out" /dev/null > tty
	grep -qF 'inlet-discover: 1 new files in 1 batches' tty
	! grep -q 'left out' tty
	# --quiet drops the summary, never the reasons.
	mkfifo land/c.json
	run --separate-stderr inlet-discover --no-checkpoint --quiet land
	[[ $stderr == *"leaving out '$PWD/land/c.json'"* ]] || fail "stderr: $stderr"
}

@test "every: each path is said once per process, and one that appears later once too" {
	mkdir land
	echo '{"ok":1}' > land/ok.json
	ln -s "$PWD/nothing.json" land/gone.json
	echo '{"e":1}' > elsewhere.json
	ln -s "$PWD/elsewhere.json" land/out.json
	( sleep 0.6; mkfifo land/late.json ) &
	run --separate-stderr timeout --preserve-status -s INT 2 inlet-discover --checkpoint ck --trigger every:50ms land
	wait
	assert_success
	assert_equal "$(said "$stderr" "$PWD/land/gone.json")" 1
	assert_equal "$(said "$stderr" "$PWD/land/out.json")" 1
	assert_equal "$(said "$stderr" "$PWD/land/late.json")" 1
	assert_equal "$(grep -c 'leaving out' <<<"$stderr")" 3
	# A new process says it again: the user may have missed the first run.
	run --separate-stderr inlet-discover --checkpoint ck land
	assert_equal "$(said "$stderr" "$PWD/land/gone.json")" 1
}

@test "watch: a FIFO made under watch and seen again by the backfill listings is said once" {
	mkdir land
	echo '{"ok":1}' > land/ok.json
	( sleep 0.5; mkfifo land/p.json; ln -s "$PWD/nothing" land/d.json; echo '{"n":2}' > land/n.json ) &
	run --separate-stderr timeout --preserve-status -s INT 2.5 inlet-discover --checkpoint ck --trigger watch \
		--backfill-interval 100ms land
	wait
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/n.json\""
	assert_equal "$(said "$stderr" "$PWD/land/p.json")" 1
	assert_equal "$(said "$stderr" "$PWD/land/d.json")" 1
	assert_equal "$(grep -c 'leaving out' <<<"$stderr")" 2
}

# A user without root's powers, for permissions: this one, or nobody.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

@test "a file or folder it may not read is said, and the file taken once it can be read" {
	# A folder every user can walk to, for the user without root's powers.
	top=$(mktemp -d /tmp/inlet-perm.XXXXXX)
	chmod 755 "$top"
	mkdir -p "$top/land/locked"
	echo '{"ok":1}' > "$top/land/ok.json"
	echo '{"s":1}' > "$top/land/secret.json"
	echo '{"l":1}' > "$top/land/locked/l.json"
	chmod 000 "$top/land/secret.json" "$top/land/locked"
	mkdir "$top/ck" && chmod 777 "$top/ck"
	run --separate-stderr as_user "$INLET_BIN/inlet-discover" --checkpoint "$top/ck" "$top/land"
	assert_success
	assert_line --partial "\"path\":\"$top/land/ok.json\""
	refute_output --partial secret.json
	[[ $stderr == *"leaving out '$top/land/secret.json': cannot read it: Permission denied"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"leaving out '$top/land/locked': cannot read the folder: Permission denied"* ]] ||
		fail "stderr: $stderr"
	# Readable now: the next run takes it, and only it (the checkpoint
	# must not have marked it seen).
	chmod 644 "$top/land/secret.json"
	chmod 755 "$top/land/locked"
	commit_all "$top/ck"
	run --separate-stderr as_user "$INLET_BIN/inlet-discover" --checkpoint "$top/ck" "$top/land"
	assert_success
	assert_line --partial "\"path\":\"$top/land/secret.json\""
	assert_line --partial "\"path\":\"$top/land/locked/l.json\""
	refute_output --partial ok.json
	assert_equal "$stderr" ''
	chmod -R u+rwX "$top"; rm -rf "$top"
}

@test "inlet-discover(1) documents the names ignored by rule and what is said instead" {
	man=$INLET_ROOT/man/inlet-discover.1
	grep -qF '._COPYING_' "$man"
	grep -qF '_SUCCESS , _temporary' "$man"
	grep -qF 'They are ignored without a word' "$man"
	grep -qF 'leaving out' "$man"
}
