#!/usr/bin/env bats
# The README's "In a Makefile" recipe: with SHELL := /bin/bash and
# .SHELLFLAGS := -eo pipefail -c, a stage that fails fails the target.  The
# Makefile is taken from the README as written, and its recipe must be the
# README's headline pipeline (GNU make runs recipes with /bin/sh -c unless
# SHELL and .SHELLFLAGS say otherwise:
# https://www.gnu.org/software/make/manual/html_node/Choosing-the-Shell.html).
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	readme=$INLET_ROOT/README.md
	# The headline pipeline: the README's first sh block.
	awk '/^```sh$/ { on = 1; next } on && /^```$/ { exit } on' "$readme" > headline
	# The Makefile: the make block of the "In a Makefile" section.
	sed -n '/^## In a Makefile$/,/^## /p' "$readme" |
		sed -n '/^```make$/,/^```$/{/^```/d;p;}' > Makefile
	export PATH="$INLET_BIN:$PATH"
}

@test "README: the Makefile's recipe is the headline pipeline, with the settings that fail the target" {
	[ -s headline ] && [ -s Makefile ]
	grep -qx 'SHELL := /bin/bash' Makefile
	grep -qx '.SHELLFLAGS := -eo pipefail -c' Makefile
	# The recipe lines, tab and leading blanks dropped, are the pipeline's.
	diff <(sed -n 's/^\t//p' Makefile | sed 's/^ *//') <(sed 's/^ *//' headline)
}

@test "README: the Makefile fails when the source folder is missing, and loads when it is there" {
	run make -s load
	assert_failure
	assert_output --partial "cannot read source 'landing/orders'"
	assert_output --partial "Error 66"
	# The same recipe without the two settings is green: what they are for.
	grep -v -e '^SHELL' -e '^.SHELLFLAGS' Makefile > Makefile.plain
	run make -s -f Makefile.plain load
	assert_success
	# With the source, the target loads it and succeeds.
	mkdir -p landing/orders
	printf '{"order_id":"o1","amount":19.990}\n' > landing/orders/a.json
	rm -rf ck shop.db
	run make -s load
	assert_success
	assert_equal "$(sql shop.db 'SELECT order_id, amount FROM bronze_orders')" 'o1|19.990'
}

@test "examples/Makefile runs its recipes with bash, -e and pipefail" {
	grep -qE '^SHELL +:= /bin/bash$' "$INLET_ROOT/examples/Makefile"
	grep -qE '^\.SHELLFLAGS +:= -e[a-z]* -o pipefail -c$|^\.SHELLFLAGS +:= -eo pipefail -c$' \
		"$INLET_ROOT/examples/Makefile"
}
