#!/usr/bin/env bats
# What the fuzzers found (tests/fuzz/regressions/), replayed through the
# product binaries.  Each reproducer file holds the harness's input; the
# test feeds the same value to the stage that meets it in a pipeline.
load helpers

REG=$BATS_TEST_DIRNAME/fuzz/regressions

@test "regression files exist for every finding" {
	for f in datetime-year-overflow cast-date-5-digit-year cast-negative-year \
		ddl-name-not-utf8 cast-decimal-zero-null-memcpy csv-empty-header-null-offset \
		ddl-empty-name-null-memcpy cast-pattern-long-run-overflow; do
		[ -s "$REG/$f" ]
	done
}

@test "an empty zone file (fuzz: zone-empty-file-null-offset) is refused as not a TZif file" {
	[ -e "$REG/zone-empty-file-null-offset" ] && [ ! -s "$REG/zone-empty-file-null-offset" ]
	mkdir -p zones/Test
	cp "$REG/zone-empty-file-null-offset" zones/Test/Empty
	TZDIR=$PWD/zones run --separate-stderr inlet-cast -s 't TIMESTAMP' --time-zone Test/Empty < /dev/null
	assert_equal "$status" 64
	[[ "$stderr" == *"'Test/Empty'"*"not a TZif file"* ]] || fail "$stderr"
}

@test "TIMESTAMP with a 6-digit year (fuzz: datetime-year-overflow) is refused, not wrapped around" {
	printf '{"t":"%s"}\n' "$(cat "$REG/datetime-year-overflow")" > in
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' < in
	assert_success
	assert_line --index 2 '{"t":null,"_rescued_data":{"t":"999999-12-31","_file_path":null}}'
}

@test "a pattern's long run of letters (fuzz: cast-pattern-long-run-overflow) reads no number past int, no overflow" {
	# The reproducer: a pattern of 72 'k' (hours), 'y', 16 digits and 'A'; a value of 26 digits.
	local pattern value
	pattern=$(sed -n '1s/^TIMESTAMP|//p' "$REG/cast-pattern-long-run-overflow")
	value=$(sed -n '2p' "$REG/cast-pattern-long-run-overflow")
	assert_equal "${#pattern}" 90
	assert_equal "$value" '"21444444444444444444444445"'
	printf '{"t":%s}\n' "$value" > in
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' --timestamp-format "$pattern" < in
	assert_success
	assert_line --index 2 "{\"t\":null,\"_rescued_data\":{\"t\":$value,\"_file_path\":null}}"
	# A run as long with leading zeros still reads the hour it holds.
	printf '{"t":"%s2024-01-02"}\n' "$(printf '0%.0s' {1..29})7" > in
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' --timestamp-format "$(printf 'H%.0s' {1..30})yyyy-MM-dd" < in
	assert_success
	assert_line --index 2 '{"t":"2024-01-02T07:00:00Z"}'
}

@test "TIMESTAMP with a 5-digit year within int64 microseconds casts exactly" {
	echo '{"t":"200000-01-01T00:00:00Z"}' > in
	run --separate-stderr inlet-cast --schema 't TIMESTAMP' < in
	assert_success
	assert_line --index 2 '{"t":"200000-01-01T00:00:00Z"}'
}

@test "DATE with a 5-digit year (fuzz: cast-date-5-digit-year) is not cut to \"20204-02-0\"" {
	echo '{"d":"01/02/20204"}' > in
	run --separate-stderr inlet-cast --schema 'd DATE' --date-format dd/MM/yyyy < in
	assert_success
	assert_line --index 2 '{"d":"20204-02-01"}'
	echo '{"d":"20204-02-01"}' > in
	run --separate-stderr inlet-cast --schema 'd DATE' < in
	assert_line --index 2 '{"d":"20204-02-01"}'
}

@test "a negative year (fuzz: cast-negative-year) is written so that inlet reads it back" {
	echo '{"t":"-0005-03-01T10:00:00Z"}' > in
	run --separate-stderr bash -c "inlet-cast --schema 't TIMESTAMP' < in | inlet-cast --schema 't TIMESTAMP'"
	assert_success
	assert_line --index 2 '{"t":"-0005-03-01T10:00:00Z"}'
}

@test "a DDL column name that is not UTF-8 (fuzz: ddl-name-not-utf8) is refused, not stored in schemas/0" {
	echo '{"a":1}' > in
	run inlet-rescue --schema-location ck --schema "$(cat "$REG/ddl-name-not-utf8")" < in
	assert_equal "$status" 64
	assert_output --partial "UTF-8"
	[ ! -e ck/schemas/0 ]
}

@test "DECIMAL zero (fuzz: cast-decimal-zero-null-memcpy) casts, under UBSan too" {
	# Was: buf_add(b, NULL, 0) called memcpy(dst, NULL, 0), undefined, and
	# the ASan+UBSan build of `make check` aborted (fixed in b8d6fec).
	echo '{"v":0,"w":"0.000","x":-0.0}' > in
	run --separate-stderr inlet-cast --schema 'v DECIMAL(10,0), w DECIMAL(5,2), x DECIMAL(3,1)' < in
	assert_success
	assert_line --index 2 '{"v":0,"w":0.00,"x":0.0}'
}

@test "a schema record whose first column is named \"\" (fuzz: ddl-empty-name-null-memcpy) casts, under UBSan too" {
	printf '%s\n' '{"_inlet":"schema","version":0,"fields":[{"name":"","type":"STRING"},{"name":"a","type":"INT"}]}' \
		'{"":"x","a":1}' > in
	run inlet-cast < in
	assert_success
	assert_line --index 2 '{"":"x","a":1}'
	printf '%s\n' '{"":"x","a":1}' > rows
	run inlet-rescue --schema-location ck --quiet < rows
	assert_success
	run inlet-rescue --schema-location ck --quiet < rows
	assert_success
}

@test "a CSV header of empty names (fuzz: csv-empty-header-null-offset) gets _c0, _c1" {
	# Was: NULL + 0 on the empty header's field buffer (UBSan), parse/csv.c.
	printf ',\n1,2\n' > a.csv
	run --separate-stderr inlet-parse --format csv a.csv
	assert_success
	assert_line --index 2 '{"_c0":"1","_c1":"2"}'
}
