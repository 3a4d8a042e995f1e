#!/usr/bin/env bats
# ignoreCorruptFiles / ignoreMissingFiles, with Spark's defaults (false):
# a listed file that is corrupt, or gone when parse opens it, fails the
# batch (nothing of it committed, a rerun retries it) unless the option
# says to skip it; skipped files are said on stderr and counted.
#  Spark: https://spark.apache.org/docs/latest/sql-data-sources-generic-options.html
#  Databricks (ignoreMissingFiles is true for COPY INTO):
#   https://docs.databricks.com/en/ingestion/file-format-options.html
# A file changed since it was listed is not missing: it is left for a
# later batch ("retry"), whatever the options (tests/27-parse-identity.bats).
load helpers

# land: two good files and, with "corrupt", a .gz that does not decompress.
land() {
	mkdir -p land
	echo '{"id":1}' > land/a.json
	echo '{"id":2}' > land/b.json
	if [ "${1:-}" = corrupt ]; then
		printf '\x1f\x8bnot really gzip' > land/c.json.gz
	fi
	return 0
}

@test "parse: a listed file gone before it is read exits 66 naming it, no end record" {
	land
	inlet-discover --no-checkpoint --quiet land > listing
	rm land/a.json
	run --separate-stderr inlet-parse < listing
	assert_equal "$status" 66
	[[ $stderr == *"cannot open '$PWD/land/a.json': No such file or directory"* ]] ||
		fail "stderr: $stderr"
	refute_output --partial '"_inlet":"end"'
	run --separate-stderr inlet-parse --ignore-missing-files < listing
	assert_success
	assert_line --partial "{\"_inlet\":\"skip\",\"path\":\"$PWD/land/a.json\""
	assert_line '{"id":2}'
	assert_line '{"_inlet":"end"}'
	[[ $stderr == *"skipping '$PWD/land/a.json'"*"1 unreadable files"* ]] || fail "stderr: $stderr"
}

@test "parse: a corrupt file exits 65 naming it; with --ignore-corrupt-files the rows read before the damage stay" {
	mkdir land
	seq 1 50000 | sed 's/.*/{"n":&}/' | gzip -c | head -c 30000 > land/cut.json.gz
	inlet-discover --no-checkpoint --quiet land > listing
	run --separate-stderr inlet-parse < listing
	assert_equal "$status" 65
	[[ $stderr == *"cannot read '$PWD/land/cut.json.gz': truncated gzip stream"* ]] ||
		fail "stderr: $stderr"
	refute_output --partial '"_inlet":"end"'
	# Spark: "the contents that have been read will still be returned".
	run --separate-stderr inlet-parse --ignore-corrupt-files < listing
	assert_success
	assert_line '{"n":1}'
	assert_line --partial "{\"_inlet\":\"skip\",\"path\":\"$PWD/land/cut.json.gz\",\"reason\":\"truncated gzip stream\"}"
	# One option does not stand for the other.
	run inlet-parse --ignore-missing-files < listing
	assert_equal "$status" 65
	# The failed batch keeps none of its bad records: it is replayed whole.
	printf 'not json\n' > land/a-bad.json
	touch -r land/cut.json.gz land/a-bad.json
	inlet-discover --no-checkpoint --quiet land > listing
	[ "$(grep -c '"_inlet":"file"' listing)" -eq 2 ]
	run inlet-parse --bad-records-path bad < listing
	assert_equal "$status" 65
	[ -z "$(find bad -type f 2> /dev/null)" ] || fail "$(find bad -type f)"
	run inlet-parse --bad-records-path bad --ignore-corrupt-files < listing
	assert_success
	[ "$(find bad -path '*bad_records*' -type f | wc -l)" -eq 1 ]
}

@test "parse: a regular file that cannot be opened is corrupt (65), not missing" {
	[ "$(id -u)" != 0 ] || skip "root reads any file"
	land
	# discover leaves an unreadable file out: made unreadable once listed.
	inlet-discover --no-checkpoint --quiet land > listing
	chmod 000 land/b.json
	run --separate-stderr inlet-parse --ignore-missing-files < listing
	assert_equal "$status" 65
	[[ $stderr == *"cannot open '$PWD/land/b.json': Permission denied"* ]] || fail "stderr: $stderr"
	run --separate-stderr inlet-parse --ignore-corrupt-files < listing
	assert_success
	assert_line '{"id":1}'
}

@test "parse: a file changed since it was listed is left for later, never a failure, whatever the options" {
	land
	inlet-discover --no-checkpoint --quiet land > listing
	echo '{"id":3}' >> land/a.json
	run --separate-stderr inlet-parse < listing
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/a.json\",\"reason\":\"changed since it was listed"
	assert_line --partial '"retry":true}'
}

@test "autoload: a vanished file fails the batch, nothing committed, and the rerun retries the same batch" {
	land
	# A listing written ahead (offsets/0) whose file then vanishes: the
	# pipeline is killed after discover wrote the batch, before parse read it.
	inlet-discover --checkpoint ck --quiet land > /dev/null
	rm land/a.json
	run --separate-stderr inlet autoload --checkpoint ck --db t.db --table t -q \
		-o cloudFiles.format=json land
	assert_equal "$status" 66
	[[ $stderr == *"cannot open '$PWD/land/a.json'"* ]] || fail "stderr: $stderr"
	[ ! -e ck/commits/0 ]
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	[ "$output" = 0 ] || [ "$(sql t.db 'SELECT count(*) FROM t')" = 0 ]
	# Again: the same batch, the same failure (the file is still gone).
	run inlet autoload --checkpoint ck --db t.db --table t -q -o cloudFiles.format=json land
	assert_equal "$status" 66
	[ ! -e ck/commits/0 ]
	# With ignoreMissingFiles the batch goes through, the file counted as skipped.
	run inlet autoload --checkpoint ck --db t.db --table t -q -o cloudFiles.format=json \
		-o ignoreMissingFiles=true land
	assert_success
	[ -e ck/commits/0 ]
	assert_equal "$(sql t.db 'SELECT group_concat(id) FROM t')" 2
}

@test "autoload: a corrupt file fails with 65 unless ignoreCorruptFiles=true" {
	land corrupt
	run --separate-stderr inlet autoload --checkpoint ck --db t.db --table t -q \
		-o cloudFiles.format=json land
	assert_equal "$status" 65
	[[ $stderr == *"cannot read '$PWD/land/c.json.gz'"* ]] || fail "stderr: $stderr"
	[ ! -e ck/commits/0 ]
	run inlet autoload --checkpoint ck --db t.db --table t -q -o cloudFiles.format=json \
		-o ignoreCorruptFiles=TRUE land
	assert_success
	assert_equal "$(sql t.db 'SELECT count(*) FROM t')" 2
	run inlet autoload --checkpoint ck2 --db t.db --table u -o ignoreCorruptFiles=maybe land
	assert_equal "$status" 64
}

@test "copy-into: corrupt fails by default; a vanished file is skipped by default (Databricks' COPY INTO)" {
	land corrupt
	run --separate-stderr inlet copy-into --db t.db --table t --format json land
	assert_equal "$status" 65
	run inlet copy-into --db t.db --table t --format json --ignore-corrupt-files true land
	assert_success
	assert_output --partial '"num_inserted_rows":2,"num_skipped_corrupt_files":1'
	# A listing (offsets/N) whose file vanished: skipped and counted.
	mkdir more
	echo '{"id":5}' > more/d.json
	echo '{"id":6}' > more/e.json
	inlet-discover --checkpoint ck --quiet more > /dev/null
	rm more/d.json
	run inlet copy-into --db t.db --table v --format json --checkpoint ck more
	assert_success
	assert_output --partial '"num_inserted_rows":1,"num_skipped_corrupt_files":1'
	# ... and a failure with --ignore-missing-files false.
	echo '{"id":7}' > more/f.json
	inlet-discover --checkpoint ck2 --quiet more > /dev/null
	rm more/f.json
	run inlet copy-into --db t.db --table w --format json --checkpoint ck2 \
		--ignore-missing-files false more
	assert_equal "$status" 66
}

@test "ctas: a corrupt or vanished file replaces nothing unless ignored" {
	land corrupt
	inlet ctas --db t.db --table t --format json -q --ignore-corrupt-files true land
	assert_equal "$(sql t.db 'SELECT count(*) FROM t')" 2
	echo '{"id":3}' > land/d.json
	run inlet ctas --db t.db --table t --format json -q land
	assert_equal "$status" 65
	# The table is the one before: nothing of the failed run.
	assert_equal "$(sql t.db 'SELECT count(*) FROM t')" 2
	run inlet ctas --db t.db --table t --format json -q --ignore-missing-files maybe land
	assert_equal "$status" 64
}
