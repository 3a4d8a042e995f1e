#!/usr/bin/env bats
# A stop in a composite's first moments (run_pipeline, inlet.sh-setup):
# whatever the moment of the first SIGTERM or SIGINT -- before the first
# stage exists, once it exists but has no handler yet, or later -- the
# stream stops as a stopped run does (exit 0, said once), and a restart
# loses and doubles nothing.  Each run is under timeout: a lost stop is a
# stream that runs on, killed after 20 s, and a failure here.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir land
	for i in 1 2 3; do echo "{\"id\":$i}" > "land/f$i.json"; done
}

# start: inlet autoload --trigger every:50ms of land in
# a process group of its own (setsid, as under a terminal or a service
# manager), under timeout; pid in $pid (autoload's, once bash runs it and
# its prelude catches TERM: timeout's child catches it too, until it
# execs), timeout's in $tpid.  setsid runs in timeout's child, so
# timeout stays out of the group: a signal to the group reaches autoload
# once.
#
# A signal to the group reaches every stage, inlet-commit too, but the
# composite starts the stages after the first with INT and TERM ignored,
# and inlet-commit keeps them so: a batch inlet-discover is writing at
# that moment (its offsets written, its "begin" not yet at commit) is
# committed, never cut by a commit stopping before it (141).  So the
# tests that signal the group stream a folder with files in it too.
start() {
	timeout -s KILL 20 setsid env --default-signal=INT inlet-autoload -c ck --db shop.db \
		--table t -o cloudFiles.format=json --trigger every:50ms --quiet land \
		2> err 3>&- &
	tpid=$!
	until child_running "$tpid" bash && catches_term "$child"; do
		kill -0 "$tpid" 2> /dev/null || fail "inlet-autoload ended before it ran: $(cat err)"
	done
	pid=$child
}

# stopped WHAT: the stream ended as a stopped run: exit 0 (not killed by
# the timeout), one line on stderr saying the stop, no process left in its
# group; a restart loads each file of the source once.
#
# bash 5.2.15 (Debian 12) runs a trap that lands while it parses a command
# substitution in the parser's state, and the trap then fails to parse
# ("unexpected EOF while looking for matching `)'"): the stop is lost.  The
# composites run no command substitution once their trap is set (the last
# test below holds them to it), so such a loss is a failure here.
stopped() {
	local rc=0
	wait "$tpid" || rc=$?
	[ "$rc" != 137 ] || {
		pkill -KILL -g "$pid" || true
		fail "the stop was lost ($1): still running after 20 s; stderr: $(cat err)"
	}
	[ "$rc" = 0 ] || fail "exit $rc ($1); stderr: $(cat err)"
	[ "$(wc -l < err)" = 1 ] && grep -qxE 'inlet-autoload: (stopped before anything ran|stopping: no batch in flight|finishing batch 0, Ctrl-C again to abort)' err ||
		fail "stderr ($1): $(cat err)"
	wait_until 5 group_gone "$pid" || fail "processes left ($1): $(pgrep -a -g "$pid")"
	inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json --quiet land
	run sql shop.db 'SELECT count(*), count(DISTINCT id) FROM t'
	assert_output '3|3'
	rm -rf ck shop.db err
}

# group_gone PGID: no process left in the group.
group_gone() {
	! pgrep -g "$1" > /dev/null
}

# slow_bin: a copy of the composite in slow/ (it puts its own folder
# first on PATH), whose inlet-discover takes 0.5 s to start: a wrapper
# that touches slow/started, sleeps, then execs the real one.  Until then
# the pipeline's first stage exists and cannot take a TERM.
slow_bin() {
	mkdir slow
	cp "$INLET_BIN/inlet-autoload" "$INLET_BIN/inlet.sh-setup" slow/
	for f in "$INLET_BIN"/inlet-*; do
		[ -e "slow/${f##*/}" ] || ln -s "$f" slow/
	done
	rm slow/inlet-discover
	cat > slow/inlet-discover <<EOF
#!/bin/bash
[ "\$1" = --check-options ] || { touch "$PWD/slow/started"; sleep 0.5; }
exec "$INLET_BIN/inlet-discover" "\$@"
EOF
	chmod +x slow/inlet-discover
}

# unready PID: PID does not catch TERM (SigCgt) and ignores it (SigIgn):
# a TERM sent to it now would be lost.
unready() {
	term_masks "$1"
	[ "$term_ignored" = 1 ] && [ "$term_caught" = 0 ]
}

# first_stage PID: the pid of the process under PID that runs slow/inlet-
# discover, on stdout: the oldest of that name, as a child it forks (for
# touch or sleep) bears its name until it execs.
first_stage() {
	pgrep -o -g "$1" -f "^/bin/bash $PWD/slow/inlet-discover"
}

@test "a SIGTERM to the composite at any moment of its start stops the stream: exit 0, said once" {
	for d in 0 0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.2; do
		start
		sleep "$d"
		kill -TERM "$pid"
		stopped "SIGTERM after $d s"
	done
}

@test "a Ctrl-C or SIGTERM to the whole group at any moment of the start stops every stage: exit 0" {
	# A stop that landed as run_pipeline's loop was about to wait for the
	# pipeline was once lost, silently (its trap pending until a signal
	# that a stream never sends); the loop now sleeps a quarter of a
	# second at most, so every stop here ends the stream within 20 s.
	for d in 0 0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.2; do
		for sig in INT TERM; do
			start
			sleep "$d"
			kill "-$sig" -- "-$pid"
			stopped "SIG$sig to the group after $d s"
		done
	done
}

@test "a stop while the first stage exists but has no TERM handler yet is delivered once it has one" {
	slow_bin
	for sig in TERM INT; do
		for to in composite group; do
			PATH=$PWD/slow:$PATH start
			wait_until 10 test -e slow/started
			stage=$(first_stage "$pid")
			unready "$stage" || fail "the first stage catches TERM already: $(grep Sig /proc/"$stage"/status)"
			if [ "$to" = group ]; then kill "-$sig" -- "-$pid"; else kill "-$sig" "$pid"; fi
			stopped "SIG$sig to the $to"
			rm slow/started
		done
	done
}

@test "a stop before the first stage has written its pid is delivered once it can take it" {
	# BASH_ENV holds the pipeline's wrapper of the first stage (bash -c,
	# its \$0 the pid file to write, \$1 the stage) before its first word.
	cat > env.sh <<EOF
[[ \${1-} == inlet-discover && \$0 == */0 ]] && { touch "$PWD/wrapper"; sleep 0.5; }
EOF
	for sig in TERM INT; do
		BASH_ENV=$PWD/env.sh start
		wait_until 10 test -e wrapper
		kill "-$sig" "$pid"
		stopped "SIG$sig"
		rm wrapper
	done
}

@test "two stops in the first moments: a clean stop or an abort, each as it should be" {
	# TERM and INT at once (two of a kind pending would be one): before
	# any stage, the first ends the command (0); after, the second aborts
	# (130, said last) unless the first was done already (0).
	for d in 0 0.001 0.005 0.01 0.02 0.05 0.1 0.2; do
		start
		sleep "$d"
		kill -TERM "$pid"
		kill -INT "$pid" 2> /dev/null || true
		rc=0
		wait "$tpid" || rc=$?
		[ "$rc" != 137 ] || fail "the stops were lost ($d s): $(cat err)"
		if grep -q aborting err; then
			assert_equal "$rc" 130
			assert_equal "$(tail -n 1 err)" 'inlet-autoload: aborting: the batch in flight is not committed'
			assert_equal "$(grep -c aborting err)" 1
		else
			assert_equal "$rc" 0
			[ "$(wc -l < err)" = 1 ] || fail "stderr ($d s): $(cat err)"
		fi
		grep -q Killed err && fail "bash's notices ($d s): $(cat err)"
		wait_until 5 group_gone "$pid" || fail "processes left: $(pgrep -a -g "$pid")"
		inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json --quiet land
		run sql shop.db 'SELECT count(*), count(DISTINCT id) FROM t'
		assert_output '3|3'
		rm -rf ck shop.db err
	done
}

# substitutions FILE...: the lines of the composites' FILEs (named as
# installed) that run a command substitution -- $(...), `...`, <(...) or
# >(...) -- while a stop trap may be set: in inlet.sh-setup those below
# its first trap of INT and TERM, in a composite all but the line that
# sources the prelude (it sets the trap).  A >(...) inside a stage's own
# bash -c is no concern: that bash ignores INT and TERM from birth.
# Comment lines are left out.
substitutions() {
	local f
	for f in "$@"; do
		awk -v f="${f##*/}" '
			f == "inlet.sh-setup" && !armed { if ($0 ~ /^trap .* INT TERM$/) armed = 1; next }
			/^[ \t]*#/ || /inlet\.sh-setup"$/ { next }
			/\$\([^(]|\$\($|<\(|`/ || (/>\(/ && !/bash -c \x27/) { print f ": " FNR ": " $0 }
			END { if (f == "inlet.sh-setup" && !armed) print f ": no trap of INT and TERM" }' "$f"
	done
}

@test "no command substitution runs in a composite once its stop trap is set" {
	run substitutions "$INLET_BIN"/inlet.sh-setup "$INLET_BIN"/inlet-autoload \
		"$INLET_BIN"/inlet-copy-into "$INLET_BIN"/inlet-ctas
	assert_success
	assert_output ''
	# What it finds, planted.
	mkdir planted
	printf '%s\n' 'a=$(true)' "trap 'exit 0' INT TERM" '# $(not run)' 'b=$((1 + 2))' \
		'c=$(true)' 'while read -r d; do :; done < <(true)' 'e=`true`' > planted/inlet.sh-setup
	printf '%s\n' '. "$(dirname "$0")/inlet.sh-setup"' 'f=$(' 'true)' \
		"g=(bash -c 'x 2> >(cat)')" 'h 2> >(cat)' > planted/inlet-ctas
	run substitutions planted/inlet.sh-setup planted/inlet-ctas
	assert_output - <<'OUT'
inlet.sh-setup: 5: c=$(true)
inlet.sh-setup: 6: while read -r d; do :; done < <(true)
inlet.sh-setup: 7: e=`true`
inlet-ctas: 2: f=$(
inlet-ctas: 5: h 2> >(cat)
OUT
	printf '%s\n' 'x=$(true)' > planted/inlet.sh-setup
	run substitutions planted/inlet.sh-setup
	assert_output 'inlet.sh-setup: no trap of INT and TERM'
}
