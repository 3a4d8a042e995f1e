#!/usr/bin/env bats
# Man pages: every page in man/ lints clean with mandoc, every binary has
# its page, and every option a binary's --help prints is documented in it.
load helpers

MAN_DIR=$INLET_ROOT/man

# binaries: the names of the programs under test (inlet, inlet-NAME), one
# per line.
binaries() {
	local b
	for b in "$INLET_BIN"/inlet "$INLET_BIN"/inlet-*; do
		[ -f "$b" ] && [ -x "$b" ] && basename "$b"
	done
}

# long_options BIN: every long option named in BIN's --help, one per line.
long_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z-]*' | sed 's/-*$//' | LC_ALL=C sort -u
}

# option_lines BIN: the option lines of BIN's --help, as "SHORT LONG" (SHORT
# is "-" when the option has no short form).
option_lines() {
	"$1" --help | sed -nE 's/^ {2,6}(-([A-Za-z0-9]), )?--([a-z][a-z0-9-]*).*/\2 \3/p' |
		while read -r a b; do
			if [ -n "$b" ]; then echo "$a $b"; else echo "- $a"; fi
		done
}

# synopsis PAGE: the mdoc source of PAGE's SYNOPSIS section.
synopsis() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1"
}

@test "man: every page lints clean with mandoc -Tlint -W warning" {
	command -v mandoc > /dev/null || skip "mandoc is not installed (apt-get install mandoc)"
	local page n=0
	for page in "$MAN_DIR"/*.[1-9]; do
		run mandoc -Tlint -W warning "$page"
		if [ "$status" -ne 0 ] || [ -n "$output" ]; then
			echo "$page:"
			echo "$output"
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "man: every binary has its page, and inlet(7) exists" {
	local name missing=
	[ -n "$(binaries)" ]
	for name in $(binaries); do
		[ -f "$MAN_DIR/$name.1" ] || missing="$missing $name.1"
	done
	[ -f "$MAN_DIR/inlet.7" ] || missing="$missing inlet.7"
	if [ -n "$missing" ]; then
		echo "missing man pages:$missing"
		return 1
	fi
}

@test "man: every long option in --help is in the binary's page" {
	local name opt page missing=
	for name in $(binaries); do
		page=$MAN_DIR/$name.1
		[ -f "$page" ] || continue	# reported by the test above
		for opt in $(long_options "$INLET_BIN/$name"); do
			# mdoc writes --name as "Fl -name".
			grep -qE -- "Fl -${opt#--}([^a-z0-9-]|\$)" "$page" ||
				missing="$missing $name:$opt"
		done
	done
	if [ -n "$missing" ]; then
		echo "long options missing from man pages:$missing"
		return 1
	fi
}

@test "man: every option of --help has its .It entry and is in the SYNOPSIS" {
	local name short long page item missing=
	for name in $(binaries); do
		page=$MAN_DIR/$name.1
		[ -f "$page" ] || continue	# reported by the test above
		while read -r short long; do
			# The item that describes it: ".It Fl c Ar dir , Fl -checkpoint Ar dir".
			item=$(grep -E -- "^\.It .*Fl -${long}([^a-z0-9-]|\$)" "$page" | head -n 1)
			if [ -z "$item" ]; then
				missing="$missing $name:--$long(.It)"
			elif [ "$short" != - ] && ! grep -qE -- "Fl ${short}([^a-zA-Z0-9]|\$)" <<< "$item"; then
				missing="$missing $name:-$short(.It)"
			fi
			synopsis "$page" | grep -qE -- "(Fl|\|) -${long}([^a-z0-9-]|\$)" ||
				missing="$missing $name:--$long(SYNOPSIS)"
		done < <(option_lines "$INLET_BIN/$name")
	done
	if [ -n "$missing" ]; then
		echo "options not documented as expected:$missing"
		return 1
	fi
}

@test "man: inlet(1) lists every command inlet --help lists" {
	local cmd missing=
	for cmd in $(inlet --help | sed -nE 's/^  ([a-z][a-z-]*)  +.*/\1/p'); do
		grep -qE "^\.It Cm ${cmd}\$" "$MAN_DIR/inlet.1" || missing="$missing $cmd"
	done
	if [ -n "$missing" ]; then
		echo "commands missing from inlet.1:$missing"
		return 1
	fi
}

@test "man: every page renders with man -l" {
	command -v man > /dev/null || skip "man is not installed"
	local page
	for page in "$MAN_DIR"/*.[1-9]; do
		run man -l "$page"
		assert_success
		assert_output --partial "NAME"
	done
}
