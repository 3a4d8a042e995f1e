# The signal state of a process, read from /proc: for the Bats suite
# (helpers.bash loads it) and for tests/torture/stop-early, which runs
# without Bats.

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

# catches_term PID [PROGRAM]: PID has its handler for SIGTERM -- and, with
# PROGRAM, runs that program (the name of its executable), read first: a
# child forked by timeout or strace keeps its parent's handler until it
# execs, and a TERM that lands after the exec but before the program sets
# its own kills it.
catches_term() {
	local exe
	if [ $# -gt 1 ]; then
		exe=$(readlink "/proc/$1/exe" 2> /dev/null) && [ "${exe##*/}" = "$2" ] || return 1
	fi
	term_masks "$1"
	[ "$term_caught" = 1 ]
}
