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
: "${INLET_CONFORMANCE:=$INLET_ROOT/../shared/conformance}"
# Sanitizer builds: fail a test on any report, and keep leaks in view.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# sql DB QUERY: run a query with the sqlite3 shell, list mode.
sql() {
	sqlite3 -batch "$1" "$2"
}
