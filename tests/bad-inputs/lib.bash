# The runner of the bad-input catalogue (tests/bad-inputs/CASES), sourced by
# tests/23-bad-inputs.bats after helpers.bash.  See the header of CASES.

CASES_DIR=$BATS_TEST_DIRNAME/bad-inputs

# case_fields NAME: set c_flags c_exit c_err c_rows c_bad c_skip c_ff c_known
# from the line of NAME in CASES.
case_fields() {
	local line
	line=$(grep -v '^#' "$CASES_DIR/CASES" | grep -m1 "^$1|") ||
		{ echo "no case '$1' in CASES"; return 1; }
	IFS='|' read -r _ c_flags c_exit c_err c_rows c_bad c_skip c_ff c_known <<<"$line"
}

# case_names: every case, in file order.
case_names() {
	grep -v -e '^#' -e '^$' "$CASES_DIR/CASES" | cut -d'|' -f1
}

# case_prepare NAME DIR: make DIR hold the input; DIR/.args gets the
# arguments (one a line), DIR/.stdin what goes on standard input.
# Returns 77 when the case cannot run here (e.g. as root).
case_prepare() {
	local name=$1 dir=$2 rc=0
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	: > "$dir/.stdin"
	if [ -e "$CASES_DIR/$name.gen" ]; then
		(cd "$dir" && bash "$CASES_DIR/$name.gen" > .args) 3>&- || rc=$?
		return $rc
	fi
	cp "$CASES_DIR/$name.in" "$dir/input" && echo input > "$dir/.args"
}

# case_run NAME DIR [EXTRA...]: inlet-parse FLAGS EXTRA ARGS in DIR, into
# DIR/out, DIR/err, DIR/status.  60 s at most: a hang is a failure (124).
case_run() {
	local name=$1 dir=$2 rc=0
	shift 2
	local -a args=()
	mapfile -t args < "$dir/.args"
	(cd "$dir" && timeout 60 inlet-parse $c_flags "$@" -- "${args[@]}" \
		< .stdin > out 2> err) 3>&- || rc=$?
	echo "$rc" > "$dir/status"
	# Good rows: neither control records nor rows with the corrupt column.
	grep -v '^{"_inlet":' "$dir/out" | grep -Ev '(^\{|,)"_corrupt_record":"' > "$dir/good" || true
	grep -v '^{"_inlet":' "$dir/out" | grep -Ec '(^\{|,)"_corrupt_record":"' > "$dir/ncorrupt" || true
	grep -c '^{"_inlet":"skip"' "$dir/out" > "$dir/nskip" || true
}

# case_expected NAME DIR: the expected good rows, in DIR/expected.
case_expected() {
	if [ -e "$CASES_DIR/$1.rows" ]; then
		cp "$CASES_DIR/$1.rows" "$2/expected"
	elif [ -e "$2/expected.rows" ]; then
		cp "$2/expected.rows" "$2/expected"
	else
		: > "$2/expected"
	fi
}

# crashed DIR: the run died of a signal, a sanitizer report or a timeout.
crashed() {
	local st
	st=$(cat "$1/status")
	[ "$st" -ge 124 ] || grep -Eq 'runtime error:|Sanitizer|LeakSanitizer' "$1/err"
}

# lost DIR ROWS: how many expected good rows are missing from the output;
# for ROWS 'N+', how many of the first N are not there in order.
lost() {
	if [[ $2 == *+ ]]; then
		local same
		same=$(paste -d'\n' <(head -n "${2%+}" "$1/expected") "$1/good" | head -n $((2 * ${2%+})) |
			awk 'NR % 2 { e = $0; next } $0 == e { n++; next } { exit } END { print n + 0 }')
		echo $(( ${2%+} - same ))
		return
	fi
	diff <(sort "$1/expected") <(sort "$1/good") | grep -c '^<' || true
}

# rows_ok DIR: the good rows are the expected ones, exactly (COUNT) or as
# a prefix of them of at least COUNT rows (COUNT+).
rows_ok() {
	local dir=$1 want=$2 n
	n=$(wc -l < "$dir/good")
	if [[ $want == *+ ]]; then
		[ "$n" -ge "${want%+}" ] && cmp -s "$dir/good" <(head -n "$n" "$dir/expected")
	else
		[ "$n" -eq "$want" ] && cmp -s "$dir/good" "$dir/expected"
	fi
}

# check_case NAME: the permissive run of one case, as the CASES line says.
check_case() {
	local name=$1 dir=$BATS_TEST_TMPDIR/$1 rc=0 st
	case_fields "$name" || return 1
	case_prepare "$name" "$dir" || rc=$?
	[ "$rc" -eq 77 ] && skip "$(cat "$dir/.args")"
	[ "$rc" -eq 0 ] || { echo "generator failed: $rc"; return 1; }
	case_run "$name" "$dir"
	case_expected "$name" "$dir"
	local c=0 l
	crashed "$dir" && c=1
	l=$(lost "$dir" "$c_rows")
	echo "$name $c $l" >> "$BATS_FILE_TMPDIR/figure"
	st=$(cat "$dir/status")
	local fail=()
	[ "$c" -eq 0 ] || fail+=("crashed (status $st)")
	[ "$st" = "$c_exit" ] || fail+=("exit $st, expected $c_exit")
	case $c_err in
	'*') ;;
	-)	[ ! -s "$dir/err" ] || fail+=("stderr not empty") ;;
	*)	grep -qF -- "$c_err" "$dir/err" || fail+=("stderr lacks '$c_err'") ;;
	esac
	rows_ok "$dir" "$c_rows" || fail+=("good rows differ ($l lost)")
	[ "$(cat "$dir/ncorrupt")" = "$c_bad" ] ||
		fail+=("$(cat "$dir/ncorrupt") corrupt rows, expected $c_bad")
	[ "$(cat "$dir/nskip")" = "$c_skip" ] ||
		fail+=("$(cat "$dir/nskip") skipped files, expected $c_skip")
	if [ -n "$c_known" ]; then
		[ ${#fail[@]} -gt 0 ] || { echo "$name: passes now: clear its KNOWN field"; return 1; }
		skip "known failure: $c_known"
	fi
	if [ ${#fail[@]} -gt 0 ]; then
		printf '%s: %s\n' "$name" "${fail[@]}"
		echo "--- stderr"; head -c 2000 "$dir/err"
		echo "--- good rows"; head -c 2000 "$dir/good"
		echo "--- expected"; head -c 2000 "$dir/expected"
		return 1
	fi
}

# check_failfast NAME: under --mode failfast the case exits as its
# failfast field says, naming the file and line of the first bad record.
check_failfast() {
	local name=$1 dir=$BATS_TEST_TMPDIR/ff-$1 rc=0 st
	case_fields "$name" || return 1
	[ -z "$c_known" ] || return 0
	case_prepare "$name" "$dir" || rc=$?
	[ "$rc" -eq 77 ] && return 0
	[ "$rc" -eq 0 ] || { echo "$name: generator failed"; return 1; }
	case_run "$name" "$dir" --mode failfast
	st=$(cat "$dir/status")
	crashed "$dir" && { echo "$name: crashed under failfast ($st)"; return 1; }
	local want=${c_ff%@*}
	[ "$st" = "$want" ] || { echo "$name: failfast exit $st, expected $want: $(head -c 300 "$dir/err")"; return 1; }
	if [[ $c_ff == *@* ]]; then
		grep -Eq "^inlet-parse: '[^']*' line ${c_ff#*@}: " "$dir/err" ||
			{ echo "$name: failfast message lacks \"'PATH' line ${c_ff#*@}: \": $(head -c 300 "$dir/err")"; return 1; }
	fi
	# A batch that failed is never committed: no end record after the error.
	if [ "$want" != 0 ] && grep -q '^{"_inlet":"end"' "$dir/out"; then
		echo "$name: an end record despite the failure"; return 1
	fi
	return 0
}

# check_badrecords NAME: with --bad-records-path the good rows are all there,
# no corrupt row or skip goes missing: each bad record and unreadable file is
# one line of bad_records/ or bad_files/.
check_badrecords() {
	local name=$1 dir=$BATS_TEST_TMPDIR/br-$1 rc=0 st n
	case_fields "$name" || return 1
	[ -z "$c_known" ] || return 0
	case_prepare "$name" "$dir" || rc=$?
	[ "$rc" -eq 77 ] && return 0
	[ "$rc" -eq 0 ] || { echo "$name: generator failed"; return 1; }
	case_run "$name" "$dir" --bad-records-path "$dir/bad"
	case_expected "$name" "$dir"
	st=$(cat "$dir/status")
	crashed "$dir" && { echo "$name: crashed with --bad-records-path ($st)"; return 1; }
	[ "$st" = "$c_exit" ] || { echo "$name: exit $st, expected $c_exit"; return 1; }
	rows_ok "$dir" "$c_rows" || { echo "$name: good rows differ, $(lost "$dir" "$c_rows") lost"; return 1; }
	[ "$(cat "$dir/ncorrupt")" = 0 ] || { echo "$name: corrupt rows still in the stream"; return 1; }
	n=$(cat "$dir"/bad/*/bad_records/part-* 2>/dev/null | wc -l)
	[ "$n" = "$c_bad" ] || { echo "$name: $n bad records in the folder, expected $c_bad"; return 1; }
	n=$(cat "$dir"/bad/*/bad_files/part-* 2>/dev/null | wc -l)
	[ "$n" = "$c_skip" ] || { echo "$name: $n bad files in the folder, expected $c_skip"; return 1; }
	if [ "$c_bad" != 0 ] || [ "$c_skip" != 0 ]; then
		[[ $(ls "$dir/bad") =~ ^[0-9]{8}T[0-9]{6}$ ]] || { echo "$name: folder $(ls "$dir/bad")"; return 1; }
		cat "$dir"/bad/*/bad_*/part-* | jq -e 'has("path") and has("reason")' > /dev/null ||
			{ echo "$name: a bad_* line without path and reason"; return 1; }
	else
		[ ! -e "$dir/bad" ] || { echo "$name: a bad folder without bad records"; return 1; }
	fi
	return 0
}
