#!/usr/bin/env bats
# make install / make uninstall with DESTDIR and PREFIX=/usr: binaries, man
# pages and completions land in the usual places, the installed inlet runs
# from there, and uninstall removes exactly what install put there.
#
# The build goes to a temporary B= and BIN= so that nothing in the source
# tree is touched: a copy of build/ and bin/ when they are the tree's own
# (make then only rebuilds what changed), else a fresh build.
load helpers

setup_file() {
	local b=$BATS_FILE_TMPDIR
	if [ "$INLET_BIN" = "$INLET_ROOT/bin" ] && [ -d "$INLET_ROOT/build" ]; then
		cp -a "$INLET_ROOT/build" "$b/build"
		cp -a "$INLET_ROOT/bin" "$b/bin"
	fi
	export MAKEVARS="B=$b/build BIN=$b/bin PREFIX=/usr"
}

# mk TARGET DESTDIR: make TARGET at the top of the tree, into DESTDIR.
mk() {
	make -s -C "$INLET_ROOT" $MAKEVARS DESTDIR="$2" "$1"
}

# mk_local TARGET DESTDIR: the same with PREFIX=/usr/local.
mk_local() {
	make -s -C "$INLET_ROOT" $MAKEVARS PREFIX=/usr/local DESTDIR="$2" "$1"
}

# files DIR: every file and symlink under DIR, relative, sorted.
files() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
}

# programs: inlet and the inlet-NAME of every stage and composite in cmd/.
programs() {
	local d
	echo inlet
	for d in "$INLET_ROOT"/cmd/*/; do
		d=$(basename "$d")
		[ "$d" = inlet ] || echo "inlet-$d"
	done
}

@test "install: binaries, man pages and completions in the usual places" {
	root=$BATS_TEST_TMPDIR/root
	run mk install "$root"
	assert_success
	for p in $(programs); do
		[ -f "$root/usr/bin/$p" ] && [ -x "$root/usr/bin/$p" ] || fail "usr/bin/$p not installed"
		[ "$(stat -c %a "$root/usr/bin/$p")" = 755 ]
	done
	# man1 and man7, every page of man/
	n=0
	for page in "$INLET_ROOT"/man/*.[17]; do
		sec=${page##*.}
		f=$root/usr/share/man/man$sec/$(basename "$page")
		[ -f "$f" ] || fail "$f not installed"
		cmp "$page" "$f"
		[ "$(stat -c %a "$f")" = 644 ]
		n=$((n + 1))
	done
	[ "$n" -gt 2 ]
	[ -f "$root/usr/share/man/man1/inlet.1" ]
	[ -f "$root/usr/share/man/man7/inlet.7" ]
	[ -f "$root/usr/share/man/man7/inlet-options.7" ]
	# completions: bash-completion loads completions/NAME on demand, so
	# every program needs its own name there
	for p in $(programs); do
		[ -e "$root/usr/share/bash-completion/completions/$p" ] || fail "no bash completion for $p"
	done
	cmp "$INLET_ROOT/completions/inlet.bash" "$root/usr/share/bash-completion/completions/inlet"
	cmp "$INLET_ROOT/completions/_inlet" "$root/usr/share/zsh/vendor-completions/_inlet"
	cmp "$INLET_ROOT/completions/inlet.fish" "$root/usr/share/fish/vendor_completions.d/inlet.fish"
	# nothing outside /usr
	run bash -c "cd '$root' && ls"
	assert_output usr
}

@test "install: the installed inlet runs from there, every program the same version" {
	root=$BATS_TEST_TMPDIR/root
	mk install "$root"
	run "$root/usr/bin/inlet" --version
	assert_success
	assert_output --regexp '^inlet \(inlet\) [0-9]+\.[0-9]+\.[0-9]+$'
	version=${output##* }
	# the dispatcher runs the stages installed beside it, with a PATH
	# that has no other inlet
	run env PATH=/usr/bin:/bin "$root/usr/bin/inlet" discover --version
	assert_success
	assert_output "inlet-discover (inlet) $version"
	for p in $(programs); do
		run "$root/usr/bin/$p" --version
		assert_success
		assert_output "$p (inlet) $version"
	done
	# and it works: a file into a table
	printf 'id,name\n1,Ann\n2,Bo\n' > c.csv
	run env PATH="$root/usr/bin:/usr/bin:/bin" inlet ctas --db t.db --table t --format csv c.csv
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	# man finds the installed pages
	if command -v man > /dev/null; then
		run env MANPATH="$root/usr/share/man" man -w inlet-options
		assert_success
		assert_output "$root/usr/share/man/man7/inlet-options.7"
	fi
}

@test "install: the installed bash completion completes inlet" {
	root=$BATS_TEST_TMPDIR/root
	mk install "$root"
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	run bash -c "
		. /usr/share/bash-completion/bash_completion
		. '$root/usr/share/bash-completion/completions/inlet'
		PATH='$root/usr/bin':\$PATH
		COMP_WORDS=(inlet dis); COMP_CWORD=1; COMP_LINE='inlet dis'; COMP_POINT=\${#COMP_LINE}
		\$(complete -p inlet | sed -E 's/.* -F ([^ ]+) .*/\1/') inlet dis inlet
		printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_success
	assert_line discover
}

@test "uninstall: removes exactly what install put there" {
	root=$BATS_TEST_TMPDIR/root
	# files of other packages in the same folders must stay
	mkdir -p "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/man/man7" \
		"$root/usr/share/bash-completion/completions" "$root/usr/share/fish/vendor_completions.d"
	touch "$root/usr/bin/jq" "$root/usr/bin/inletx" "$root/usr/share/man/man1/jq.1" \
		"$root/usr/share/man/man7/regex.7" "$root/usr/share/bash-completion/completions/make" \
		"$root/usr/share/fish/vendor_completions.d/git.fish"
	before=$(files "$root")
	mk install "$root"
	installed=$(files "$root")
	[ "$(echo "$installed" | wc -l)" -gt "$(echo "$before" | wc -l)" ]
	run mk uninstall "$root"
	assert_success
	run files "$root"
	assert_output "$before"
	# uninstall twice is harmless
	run mk uninstall "$root"
	assert_success
}

@test "uninstall: the tree is empty of files afterwards" {
	root=$BATS_TEST_TMPDIR/root
	mk install "$root"
	[ -n "$(files "$root")" ]
	run mk uninstall "$root"
	assert_success
	run files "$root"
	assert_output ''
}

@test "install: examples go to the documentation folder" {
	root=$BATS_TEST_TMPDIR/root
	mk install "$root"
	ex=$root/usr/share/doc/inlet/examples
	[ -x "$ex/gen-shop" ]
	[ -f "$ex/notebook/Makefile" ]
	for c in "$INLET_ROOT"/examples/notebook/[0-9][0-9]-*.sh; do
		[ -x "$ex/notebook/$(basename "$c")" ]
		[ -f "$ex/notebook/$(basename "$c" .sh).expected" ]
	done
	mk uninstall "$root"
	run files "$root"
	assert_output ''
}

@test "install PREFIX=/usr/local: each shell's completion where that shell looks for /usr/local" {
	root=$BATS_TEST_TMPDIR/root
	run mk_local install "$root"
	assert_success
	share=$root/usr/local/share
	# zsh: /usr/local/share/zsh/site-functions is in zsh's default $fpath
	# (zsh's configure: --enable-site-fndir=DATADIR/zsh/site-functions).
	cmp "$INLET_ROOT/completions/_inlet" "$share/zsh/site-functions/_inlet"
	[ ! -e "$share/zsh/vendor-completions" ] || fail "zsh completion in vendor-completions under /usr/local"
	# fish: vendor_completions.d under each folder of XDG_DATA_DIRS.
	cmp "$INLET_ROOT/completions/inlet.fish" "$share/fish/vendor_completions.d/inlet.fish"
	for p in $(programs); do
		[ -e "$share/fish/vendor_completions.d/$p.fish" ] || fail "no fish completion for $p"
		[ -e "$share/bash-completion/completions/$p" ] || fail "no bash completion for $p"
	done
	# The shells find them there, by their own lookup rules.
	if command -v zsh > /dev/null; then
		zsh -fc 'print -rl -- $fpath' | grep -qx /usr/local/share/zsh/site-functions ||
			fail "this zsh does not look in /usr/local/share/zsh/site-functions"
		run zsh -fc "fpath=('$share/zsh/site-functions' \$fpath); autoload -Uz compinit
			compinit -u -D; print -r -- \$_comps[inlet] \$_comps[inlet-parse]"
		assert_output '_inlet _inlet'
	fi
	if command -v fish > /dev/null; then
		run env XDG_DATA_DIRS="$share" PATH="$root/usr/local/bin:$PATH" \
			fish -c 'complete -C "inlet-parse --format "'
		assert_line --regexp '^tsv'
	fi
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		run env XDG_DATA_DIRS="$share" bash --norc --noprofile -c '
			. /usr/share/bash-completion/bash_completion
			_completion_loader inlet-discover; complete -p inlet-discover'
		assert_output --partial 'inlet-discover'
		assert_output --partial ' -F _inlet '
	fi
	run mk_local uninstall "$root"
	assert_success
	run files "$root"
	assert_output ''
}

@test "README says how to enable the completions of each shell" {
	section=$(sed -n '/^## Installing$/,/^## /p' "$INLET_ROOT/README.md")
	[[ $section == *"share/zsh/site-functions"* && $section == *compinit* && $section == *fpath* ]] ||
		fail "zsh: $section"
	[[ $section == *"fish/vendor_completions.d"* && $section == *XDG_DATA_DIRS* ]] || fail "fish"
	[[ $section == *"bash-completion/completions"* && $section == *bash_completion* ]] || fail "bash"
}
