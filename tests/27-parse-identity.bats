#!/usr/bin/env bats
# inlet-parse: zstd files, whole, cut short or in several frames.
load helpers

# rows: the row objects of $output, control records dropped.
rows() {
	grep -v '"_inlet"' <<<"$output" || true
}

@test "zstd: small and large files, several frames, an empty one, are read whole" {
	seq 1 5 | sed 's/.*/{"n":&}/' > small.json
	zstd -q -c small.json > small.json.zst
	# > 1 MiB compressed: text that does not compress.
	head -c 3000000 /dev/urandom | base64 -w 60 | sed 's/.*/{"v":"&"}/' > big.json
	zstd -q -c big.json > big.json.zst
	[ "$(stat -c %s big.json.zst)" -gt 1048576 ]
	: > empty.json
	zstd -q -c empty.json > empty.json.zst
	cat small.json.zst empty.json.zst big.json.zst small.json.zst > multi.json.zst
	cat small.json big.json small.json > multi.json
	for f in small big empty multi; do
		inlet-parse --mode failfast "$f.json.zst" > out 2> err ||
			{ echo "$f: status $?"; cat err; return 1; }
		[ ! -s err ] || { echo "$f:"; cat err; return 1; }
		! grep -q '"skip"' out
		grep -v '^{"_inlet"' out | cmp - "$f.json"
	done
	# The last line, without its newline, is a row too.
	printf '{"a":1}\n{"a":2}' | zstd -q -c > nl.json.zst
	run --separate-stderr inlet-parse --mode failfast nl.json.zst
	assert_success
	assert_equal "$(rows)" $'{"a":1}\n{"a":2}'
	# Through a pipe, its magic bytes coming one at a time.
	run bash -c '{ head -c 1 small.json.zst; sleep 0.3; head -c 3 small.json.zst | tail -c 2;
		sleep 0.3; tail -c +4 small.json.zst; } | inlet-parse --format json -'
	assert_success
	assert_equal "$(rows)" "$(cat small.json)"
}

@test "zstd: a file cut short is still reported truncated, after the rows before the cut" {
	seq 1 30000 | sed 's/.*/{"n":&}/' > full.json
	zstd -q -c full.json > full.json.zst
	head -c $(( $(stat -c %s full.json.zst) - 100 )) full.json.zst > cut.json.zst
	head -c 4 full.json.zst > magic.json.zst
	inlet-parse full.json.zst cut.json.zst magic.json.zst > out 2> err
	# Only the files cut short are reported, not the whole one.
	[ "$(grep -c '^{"_inlet":"skip"' out)" -eq 2 ]
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/cut.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/magic.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	# The rows before the cut, in order, and no half line made a record.
	inlet-parse cut.json.zst > out 2> err
	grep -v '^{"_inlet"' out > rows
	[ "$(wc -l < rows)" -gt 1000 ]
	head -n "$(wc -l < rows)" full.json | cmp - rows
	run inlet-parse --mode failfast cut.json.zst
	assert_equal "$status" 74
	assert_output --partial "cannot read '$PWD/cut.json.zst': truncated zstd stream"
	# A whole frame and then the start of another is cut short too.
	{ zstd -q -c full.json; head -c 6 full.json.zst; } > two.json.zst
	inlet-parse two.json.zst > out 2> err
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/two.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	grep -v '^{"_inlet"' out | cmp - full.json
}
