# Shared set-up for the Bats suite.  INLET_BIN names the folder of binaries
# under test (bin/ for the normal build, build-san/bin under sanitizers).
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${INLET_BIN:=$BATS_TEST_DIRNAME/../bin}"
INLET_BIN=$(cd "$INLET_BIN" && pwd)
export PATH="$INLET_BIN:$PATH"
export INLET_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
FIXTURES=$BATS_TEST_DIRNAME/fixtures
: "${INLET_CONFORMANCE:=$INLET_ROOT/tests/conformance}"
# Sanitizer builds: fail a test on any report, and keep leaks in view.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# runs, child_running, catches, catches_term, signal_masks, term_masks.
. "$BATS_TEST_DIRNAME/process.bash"

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# sql DB QUERY: run a query with the sqlite3 shell, list mode.
sql() {
	sqlite3 -batch "$1" "$2"
}

# files N DIR: create N small files DIR/f01.json ...
files() {
	mkdir -p "$2"
	for i in $(seq -w 1 "$1"); do echo "{\"i\":$i}" > "$2/f$i.json"; done
}

# commit_all CK: mark every offsets/N as committed, as inlet-commit would.
commit_all() {
	mkdir -p "$1/commits"
	for f in "$1"/offsets/*; do
		[ -e "$f" ] || continue
		n=$(basename "$f")
		[ -e "$1/commits/$n" ] ||
			echo "{\"batch\":$n,\"rows\":1,\"committed\":\"2024-01-01T00:00:00.000000Z\"}" \
				> "$1/commits/$n"
	done
}

# commit_retry CK N PATH...: commits/N as inlet-commit writes it when parse
# skipped PATH... with "retry":true.
commit_retry() {
	local ck=$1 n=$2
	shift 2
	mkdir -p "$ck/commits"
	jq -c -n --argjson n "$n" '{batch:$n,rows:0,committed:"2024-01-01T00:00:00.000000Z",
		retry:$ARGS.positional}' --args "$@" > "$ck/commits/.$n.tmp"
	mv "$ck/commits/.$n.tmp" "$ck/commits/$n"	# atomic, as inlet-commit writes it
}

# batch N ROW...: batch N framed by its begin and end records, on stdout.
batch() {
	local n=$1 r
	shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	for r; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

# file_batch N ROW...: the same, the rows after the file record of
# /land/fN.json, as inlet-parse writes a JSON file's rows.
file_batch() {
	local n=$1 r
	shift
	echo "{\"_inlet\":\"begin\",\"batch\":$n}"
	echo "{\"_inlet\":\"file\",\"batch\":$n,\"path\":\"/land/f$n.json\"}"
	for r; do echo "$r"; done
	echo "{\"_inlet\":\"end\",\"batch\":$n}"
}

# rows: the rows of $output, its control records left out (a control
# record is a line that starts with {"_inlet": -- a row holding that text
# elsewhere stays).
rows() {
	awk 'index($0, "{\"_inlet\":") != 1' <<<"$output"
}

# wait_for FILE TEXT: until a line of FILE holds TEXT (10 s at most); on
# timeout, say what FILE holds and fail.
wait_for() {
	local i
	for i in $(seq 100); do
		grep -qF -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	{
		echo "timed out waiting for '$2' in $1; it holds:"
		cat "$1" 2> /dev/null
	} | fail
}

# wait_until SECONDS COMMAND...: retry until COMMAND succeeds; 1 on timeout.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# The frame the first inlet stage puts around a plain stream (one without
# control records), and inlet-parse around the files named as arguments.
FRAME_BEGIN='{"_inlet":"begin","last":true}'
# inlet-parse's frame claims valid rows (inlet(7), "Validate once").
FRAME_BEGIN_VALID='{"_inlet":"begin","last":true,"valid":"json-utf8"}'
FRAME_END='{"_inlet":"end"}'

# run_framed [run's options] CMD...: run CMD as Bats' `run` does, then fail
# the test unless its output is exactly one framed batch: FRAME_BEGIN (or
# FRAME_BEGIN_VALID) the first line, FRAME_END the last, no begin or end record between them.  On
# success $output and ${lines[@]} hold only what is between the two, so the
# assertions that follow read the rows as they did before streams were
# framed; $status and $stderr are left as `run` set them.  Stderr merged
# into $output counts as output: give --separate-stderr when CMD may write
# to it.
run_framed() {
	local arg
	for arg in "$@"; do
		case $arg in
		--keep-empty-lines)
			fail "run_framed: --keep-empty-lines is not supported" ;;
		--) break ;;
		-*|'!') ;;
		*) break ;;
		esac
	done
	run "$@" || return
	local n=${#lines[@]} i FRAME_BEGIN=$FRAME_BEGIN
	[[ $output != "$FRAME_BEGIN_VALID"$'\n'* ]] || FRAME_BEGIN=$FRAME_BEGIN_VALID
	if [[ $output != "$FRAME_BEGIN"$'\n'* || $output != *$'\n'"$FRAME_END" ]]; then
		{
			echo "run_framed: the output is not one framed batch (first line $FRAME_BEGIN, last line $FRAME_END)"
			echo "command: $BATS_RUN_COMMAND"
			echo "status : $status"
			echo "output (${n} lines):"
			printf '%s\n' "$output"
		} | fail
		return
	fi
	for ((i = 1; i < n - 1; i++)); do
		if [[ ${lines[i]} =~ ^[[:space:]]*\{[[:space:]]*\"_inlet\"[[:space:]]*:[[:space:]]*\"(begin|end)\" ]]; then
			{
				echo "run_framed: line $((i + 1)) of the output is a second frame record inside the batch: ${lines[i]}"
				echo "command: $BATS_RUN_COMMAND"
				echo "output (${n} lines):"
				printf '%s\n' "$output"
			} | fail
			return
		fi
	done
	if [[ $output == "$FRAME_BEGIN"$'\n'"$FRAME_END" ]]; then
		output=
	else
		output=${output#"$FRAME_BEGIN"$'\n'}
		output=${output%$'\n'"$FRAME_END"}
	fi
	lines=("${lines[@]:1:n-2}")
}
