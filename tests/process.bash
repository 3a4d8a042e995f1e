# A process's state, read from /proc: for the Bats suite (helpers.bash
# loads it) and for tests/torture/stop-early, which runs without Bats.

# runs PID PROGRAM: PID runs PROGRAM (the name of its executable).  A child
# forked by timeout or strace runs their program until it execs another.
runs() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2> /dev/null) && [ "${exe##*/}" = "$2" ]
}

# child_running PARENT PROGRAM: a child of PARENT runs PROGRAM; its pid
# into $child.
child_running() {
	local c cs=()
	# No newline ends the list: read says 1, and has read it.
	{ read -r -a cs < "/proc/$1/task/$1/children"; } 2> /dev/null
	for c in ${cs[@]+"${cs[@]}"}; do
		runs "$c" "$2" && child=$c && return 0
	done
	return 1
}

# signal_masks PID SIGNUM: whether PID catches signal SIGNUM (SigCgt) and
# ignores it (SigIgn), read at one time, into sig_caught and sig_ignored
# (0 or 1).  The file is read to the end, as in inlet.sh-setup: what read
# reads ahead and cannot seek back over is what the next read gets.
signal_masks() {
	local k v
	sig_caught=0 sig_ignored=0
	while read -r k v; do
		case $k in
		SigCgt:) sig_caught=$((0x$v >> ($2 - 1) & 1)) ;;
		SigIgn:) sig_ignored=$((0x$v >> ($2 - 1) & 1)) ;;
		esac
	done 2> /dev/null < "/proc/$1/status"
}

# term_masks PID: signal_masks for SIGTERM, into term_caught and
# term_ignored.
term_masks() {
	signal_masks "$1" 15
	term_caught=$sig_caught term_ignored=$sig_ignored
}

# catches PID SIGNUM [PROGRAM]: PID has its handler for signal SIGNUM --
# and, with PROGRAM, runs that program, read first: a child forked by
# timeout or strace keeps its parent's handler until it execs, and a
# signal that lands after the exec but before the program sets its own
# handler takes the default action.
catches() {
	[ $# -lt 3 ] || runs "$1" "$3" || return 1
	signal_masks "$1" "$2"
	[ "$sig_caught" = 1 ]
}

# catches_term PID [PROGRAM]: catches for SIGTERM.
catches_term() {
	catches "$1" 15 ${2+"$2"}
}
