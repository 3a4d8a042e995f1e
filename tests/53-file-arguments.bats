#!/usr/bin/env bats
# Every stage reads FILE arguments in turn, as cat does: '-' is standard
# input, none is standard input alone, a file that cannot be opened is
# reported and exit 66 comes at the end, after the others were read.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'customer_id,name\nC1,Ann\n' > static.csv
	# The last line of a.ndjson has no newline: it still ends with the file.
	printf '{"customer_id":"C1","ts":"2024-01-01T00:00:01Z","n":"1"}\n{"customer_id":"C1","ts":"2024-01-01T00:00:02Z","n":"2"}' > a.ndjson
	printf '{"customer_id":"C1","ts":"2024-01-01T00:00:03Z","n":"3"}\n' > b.ndjson
	printf '{"customer_id":"C1","ts":"2024-01-01T00:00:04Z","n":"4"}\n' > c.ndjson
}

# run_stage STAGE ARG...: STAGE with the least it needs, then ARG...
run_stage() {
	local s=$1 args=()
	shift
	case $s in
	inlet-rescue) args=(--schema "customer_id STRING, ts STRING, n STRING" --quiet) ;;
	inlet-cast) args=(--schema "customer_id STRING, ts TIMESTAMP, n INT") ;;
	inlet-join) args=(--static static.csv --on customer_id --quiet) ;;
	inlet-window) args=(--time ts --window 1m --agg sum:n) ;;
	inlet-commit) args=(--stdout --quiet) ;;
	esac
	run --separate-stderr "$s" "${args[@]}" "$@"
}

@test "every stage reads its FILE arguments in order, '-' for standard input, like cat" {
	for s in inlet-rescue inlet-cast inlet-join inlet-commit; do
		run_stage "$s" a.ndjson - c.ndjson < b.ndjson
		assert_success
		[ "$(grep -o '"n":"\?[0-9]' <<<"$output" | tr -dc 0-9)" = 1234 ] ||
			fail "$s: $output"
	done
	run_stage inlet-window a.ndjson - c.ndjson < b.ndjson
	assert_success
	assert_output --partial '"sum_n":10'
}

@test "a FILE that cannot be opened is reported, the others are read, exit 66 at the end" {
	for s in inlet-rescue inlet-cast inlet-join inlet-window inlet-commit; do
		run_stage "$s" a.ndjson nosuch.ndjson c.ndjson
		assert_equal "$s $status" "$s 66"
		[[ $stderr == *"cannot open 'nosuch.ndjson': No such file or directory"* ]] ||
			fail "$s: $stderr"
		[ "$s" = inlet-commit ] || [[ $output == *'"_inlet":"end"'* ]] ||
			fail "$s wrote no end: $output"
		[[ $output == *'"n":'*4* || $output == *'"sum_n":7'* ]] ||
			fail "$s did not read c.ndjson: $output"
	done
	run_stage inlet-cast a.ndjson . c.ndjson
	assert_equal "$status" 66
	[[ $stderr == *"cannot open '.': Is a directory"* ]]
}

@test "messages name the FILE being read and its own line" {
	printf '{"m":1}\n{"m":"x"}\n' > bad.ndjson
	run --separate-stderr inlet-cast --schema 'm INT' --mode failfast a.ndjson bad.ndjson
	assert_equal "$status" 65
	[[ $stderr == *"'bad.ndjson'"*"(line 2 of the stream)"* ]] || fail "$stderr"
	printf '{"n":1}\nnot json\n' > broken.ndjson
	run --separate-stderr inlet-join --static static.csv --on customer_id a.ndjson broken.ndjson
	assert_equal "$status" 65
	[[ $stderr == *"'broken.ndjson' line 2"* ]] || fail "$stderr"
}

@test "FILE arguments into commit land once, like standard input" {
	run inlet-commit --db t.db --table t --quiet a.ndjson b.ndjson
	assert_success
	run sql t.db 'SELECT group_concat(n) FROM t'
	assert_output 1,2,3
}
