#!/usr/bin/env bats
# The README's tour runs as written and prints what it says it prints.
load helpers

@test "README tour: every command runs and each commented result matches" {
	# The tour is the shell block that starts with 'mkdir -p tour'.
	sed -n '/^```sh$/,/^```$/p' "$INLET_ROOT/README.md" \
		| sed -n '/^mkdir -p tour/,/^sqlite3 shop.db/p' > tour.sh
	[ -s tour.sh ]
	run bash -e tour.sh
	assert_success
	# Each "# {...}" or "# N" comment after a command is its expected output.
	expected=$(grep -E '^# (\{|[0-9])' tour.sh | sed 's/^# //')
	sqlite_line=$(grep -E '^sqlite3 ' tour.sh | sed 's/.*# //')
	for want in $expected; do
		assert_line "$want"
	done
	assert_line --index $((${#lines[@]} - 1)) "$sqlite_line"
}
