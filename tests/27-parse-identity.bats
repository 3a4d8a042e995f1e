#!/usr/bin/env bats
# inlet-parse reads only the file that was listed: no symbolic link put in
# its place, no FIFO or device, nothing changed since the listing; and
# zstd files, whole, cut short or in several frames.
load helpers

# identity PATH [-L]: the identity members of a file record for PATH, as
# discover writes them (-L: of the target of a symbolic link).
identity() {
	local dev ino size mtime
	read -r dev ino size mtime < <(stat $2 -c '%d %i %s %.9Y' "$1")
	printf ',"dev":%s,"ino":%s,"size":%s,"mtime_ns":%s' "$dev" "$ino" "$size" "${mtime/./}"
}

# batch FILE-RECORD-TAIL...: batch 0 on standard input, into 'in'; each
# argument is what follows "path": in a file record, e.g. '"/x.json"'.
file_records() {
	{
		echo '{"_inlet":"begin","batch":0}'
		for tail; do
			echo "{\"_inlet\":\"file\",\"batch\":0,\"path\":$tail}"
		done
		echo '{"_inlet":"end","batch":0}'
	} > in
}

@test "a listed file replaced by a symbolic link to another file is not read" {
	printf '{"a":1}\n' > a.json
	printf '{"secret":1}\n' > secret.json
	file_records "\"$PWD/a.json\"$(identity a.json)" "\"$PWD/b.json\""
	rm a.json
	ln -s secret.json a.json
	ln -s secret.json b.json	# no identity: still no link followed
	run --separate-stderr inlet-parse --format json < in
	assert_success
	refute_output --partial secret
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/a.json\",\"reason\":\"is a symbolic link\"}"
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/b.json\",\"reason\":\"is a symbolic link\"}"
	[[ $stderr == *"skipping '$PWD/a.json': is a symbolic link"* ]]
}

@test "a listed file renamed over by another file is left for a later batch, unread" {
	printf '{"a":1}\n' > a.json
	file_records "\"$PWD/a.json\"$(identity a.json)"
	printf '{"other":1}\n' > new.json
	mv new.json a.json
	run --separate-stderr inlet-parse --format json < in
	assert_success
	assert_equal "$(rows)" ""
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/a.json\",\"reason\":\"replaced by another file since it was listed\",\"retry\":true}"
	[[ $stderr == *"skipping '$PWD/a.json': replaced by another file since it was listed; it is left for a later batch"* ]]
}

@test "a FIFO listed is skipped at once with its reason, never waited on" {
	mkfifo f.json
	printf '{"a":1}\n' > ok.json
	file_records "\"$PWD/f.json\"" "\"$PWD/ok.json\"$(identity ok.json)"
	run --separate-stderr timeout -k 5 10 inlet-parse --format json < in
	assert_success
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/f.json\",\"reason\":\"not a regular file (a FIFO)\"}"
	assert_line '{"a":1}'
	[[ $stderr == *"1 unreadable files"* ]]
	run timeout -k 5 10 inlet-parse --format json --mode failfast < in
	assert_equal "$status" 66
	assert_output --partial "cannot open '$PWD/f.json': not a regular file (a FIFO)"
}

@test "a device listed or named is skipped, not read: /dev/zero gives no endless output" {
	file_records '"/dev/zero"' '"/dev/null"'
	# Bounded output even if /dev/zero were read: every piece is dropped.
	timeout -k 5 10 inlet-parse --format json --max-record-bytes 1k --mode dropmalformed \
		< in > out 2> err || { echo "status $?"; return 1; }
	grep -qxF '{"_inlet":"skip","batch":0,"path":"/dev/zero","reason":"not a regular file (a character device)"}' out
	grep -qxF '{"_inlet":"skip","batch":0,"path":"/dev/null","reason":"not a regular file (a character device)"}' out
	grep -qF "2 unreadable files" err
	# On the command line too; only '-' reads whatever it is given.
	# A FILE argument that cannot be read: exit 66 (EX_NOINPUT).
	rc=0
	timeout -k 5 10 inlet-parse --format json --max-record-bytes 1k --mode dropmalformed \
		/dev/zero > out 2> err || rc=$?
	[ "$rc" -eq 66 ] || { echo "status $rc"; return 1; }
	grep -qxF '{"_inlet":"skip","path":"/dev/zero","reason":"not a regular file (a character device)"}' out
	run_framed bash -c 'inlet-parse --format json - < /dev/null'
	assert_success
	assert_output ''
}

@test "a file appended to between listing and parse is skipped with retry, no row of it read" {
	printf '{"a":1}\n' > a.json
	printf '{"b":2}\n' > b.json
	file_records "\"$PWD/a.json\"$(identity a.json)" "\"$PWD/b.json\"$(identity b.json)"
	printf '{"a":2}\n' >> a.json
	run --separate-stderr inlet-parse --format json < in
	assert_success
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/a.json\",\"reason\":\"changed since it was listed (size 8, now 16)\",\"retry\":true}"
	assert_equal "$(rows)" '{"b":2}'
	# A later listing will bring it back: not a bad file, not a failfast stop.
	run --separate-stderr inlet-parse --format json --mode failfast < in
	assert_success
	assert_equal "$(rows)" '{"b":2}'
	run --separate-stderr inlet-parse --format json --bad-records-path bad < in
	assert_success
	[ ! -e bad ] || [ -z "$(find bad -name 'part-*' -size +0)" ]
}

@test "a file rewritten to the same size with another mtime is skipped with retry" {
	printf '{"a":1}\n' > a.json
	touch -d '2024-03-01 12:00:00.123456789' a.json
	file_records "\"$PWD/a.json\"$(identity a.json)"
	printf '{"a":9}\n' > a.json
	touch -d '2024-03-01 12:00:00.123456790' a.json	# 1 ns later
	run --separate-stderr inlet-parse --format json < in
	assert_success
	assert_equal "$(rows)" ""
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/a.json\",\"reason\":\"modified since it was listed\",\"retry\":true}"
}

@test "a record with \"link\":true follows its symbolic link; the same link without it is refused" {
	mkdir real
	printf '{"a":1}\n' > real/t.json
	ln -s real/t.json l.json
	file_records "\"$PWD/l.json\"$(identity l.json -L),\"link\":true" "\"$PWD/l.json\"$(identity l.json -L)"
	run --separate-stderr inlet-parse --format json --metadata < in
	assert_success
	assert_line --index 2 --partial "{\"a\":1,\"_metadata\":{\"file_path\":\"$PWD/l.json\",\"file_name\":\"l.json\",\"file_size\":8,"
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/l.json\",\"reason\":\"is a symbolic link\"}"
	assert_equal "$(rows | wc -l)" 1
	# Followed, the target is still checked against the listing.
	printf '{"a":1}\n' >> real/t.json
	run --separate-stderr inlet-parse --format json < in
	assert_line "{\"_inlet\":\"skip\",\"batch\":0,\"path\":\"$PWD/l.json\",\"reason\":\"changed since it was listed (size 8, now 16)\",\"retry\":true}"
	assert_equal "$(rows)" ""
}

@test "files whose identity matches are read whole, compressed ones included, to the nanosecond" {
	seq 1 3 | sed 's/.*/{"n":&}/' > t.json
	touch -d '2024-03-01 12:00:00.123456789' t.json
	zstd -q -c t.json > t.json.zst
	gzip -c t.json > t.json.gz
	file_records "\"$PWD/t.json\"$(identity t.json)" "\"$PWD/t.json.zst\"$(identity t.json.zst)" \
		"\"$PWD/t.json.gz\"$(identity t.json.gz)"
	run --separate-stderr inlet-parse --format json --metadata < in
	assert_success
	[ -z "$stderr" ]
	refute_output --partial '"skip"'
	assert_equal "$(rows | wc -l)" 9
	assert_line "{\"n\":3,\"_metadata\":{\"file_path\":\"$PWD/t.json\",\"file_name\":\"t.json\",\"file_size\":24,\"file_block_start\":0,\"file_block_length\":24,\"file_modification_time\":\"2024-03-01T12:00:00.123456Z\",\"row\":2}}"
}

@test "file records without an identity, as an older inlet wrote them, are read as before" {
	printf 'a\n1\n' > x.csv
	gzip -c x.csv > y.csv.gz
	zstd -q -c x.csv > z.csv.zst
	file_records "\"$PWD/x.csv\",\"size\":4,\"mtime\":\"t\"" "\"$PWD/y.csv.gz\"" "\"$PWD/z.csv.zst\""
	run --separate-stderr inlet-parse < in
	assert_success
	[ -z "$stderr" ]
	assert_equal "$(rows)" $'{"a":"1"}\n{"a":"1"}\n{"a":"1"}'
}

@test "_metadata describes the file read, not what its record said" {
	printf '{"a":1}\n{"a":2}\n' > t.json
	touch -d '2024-03-01 12:00:00 UTC' t.json
	file_records "\"$PWD/t.json\",\"size\":5,\"mtime\":\"2020-01-01T00:00:00.000000Z\""
	run inlet-parse --format json --metadata < in
	assert_success
	assert_line "{\"a\":2,\"_metadata\":{\"file_path\":\"$PWD/t.json\",\"file_name\":\"t.json\",\"file_size\":16,\"file_block_start\":0,\"file_block_length\":16,\"file_modification_time\":\"2024-03-01T12:00:00.000000Z\",\"row\":1}}"
}

@test "a file named as an argument gets a file record with the identity read" {
	printf '{"a":1}\n' > t.json
	ln -s t.json l.json
	run_framed inlet-parse l.json
	assert_success
	assert_line --index 0 "{\"_inlet\":\"file\",\"path\":\"$PWD/t.json\",\"mtime\":\"$(date -u -r t.json +%Y-%m-%dT%H:%M:%S.%6NZ)\"$(identity t.json),\"format\":\"json\"}"
	assert_line --index 1 '{"a":1}'
}

@test "a file that changes while it is read is named on standard error" {
	seq 1 200000 | sed 's/.*/{"n":&}/' > big.json
	mkfifo out.fifo
	inlet-parse --format json big.json > out.fifo 2> err &
	pid=$!
	exec 4< out.fifo
	# parse now blocks on the full pipe, in the middle of the file.
	head -n 3 <&4 > /dev/null
	sleep 0.5
	echo '{"n":0}' >> big.json
	cat <&4 > /dev/null
	exec 4<&-
	wait "$pid"
	grep -qF "warning: '$PWD/big.json' changed while it was read" err
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
	rc=0
	inlet-parse full.json.zst cut.json.zst magic.json.zst > out 2> err || rc=$?
	[ "$rc" -eq 66 ]	# FILE arguments that cannot be read whole
	# Only the files cut short are reported, not the whole one.
	[ "$(grep -c '^{"_inlet":"skip"' out)" -eq 2 ]
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/cut.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/magic.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	# The rows before the cut, in order, and no half line made a record.
	inlet-parse cut.json.zst > out 2> err || [ $? -eq 66 ]
	grep -v '^{"_inlet"' out > rows
	[ "$(wc -l < rows)" -gt 1000 ]
	head -n "$(wc -l < rows)" full.json | cmp - rows
	run inlet-parse --mode failfast cut.json.zst
	assert_equal "$status" 74
	assert_output --partial "cannot read '$PWD/cut.json.zst': truncated zstd stream"
	# A whole frame and then the start of another is cut short too.
	{ zstd -q -c full.json; head -c 6 full.json.zst; } > two.json.zst
	inlet-parse two.json.zst > out 2> err || [ $? -eq 66 ]
	grep -qxF "{\"_inlet\":\"skip\",\"path\":\"$PWD/two.json.zst\",\"reason\":\"truncated zstd stream\"}" out
	grep -v '^{"_inlet"' out | cmp - full.json
}
