#!/usr/bin/env bats
# The catalogue of bad inputs (tests/bad-inputs/CASES): each case in the
# default permissive mode, then all of them under --mode failfast and with
# --bad-records-path, and the figure: cases, crashes, lost good rows.
# Written by tests/bad-inputs/mkbats from CASES; do not edit by hand.
load helpers
load bad-inputs/lib

@test "the tests are those of CASES (tests/bad-inputs/mkbats)" {
	local want got
	want=$(case_names | sed 's/.*/case: &/')
	got=$(grep -o '^@test "case: [^"]*' "$BATS_TEST_FILENAME" | sed 's/^@test "//')
	[ "$want" = "$got" ] || { diff <(echo "$want") <(echo "$got"); return 1; }
	[ "$(case_names | wc -l)" -ge 40 ]
	[ "$(case_names | sort | uniq -d)" = "" ]
	for name in $(case_names); do
		[ -e "$CASES_DIR/$name.in" ] || [ -e "$CASES_DIR/$name.gen" ] ||
			{ echo "no input for $name"; return 1; }
	done
}

@test "case: csv-empty" {
	check_case csv-empty
}

@test "case: csv-header-only" {
	check_case csv-header-only
}

@test "case: csv-header-only-bom" {
	check_case csv-header-only-bom
}

@test "case: csv-bom-header-row" {
	check_case csv-bom-header-row
}

@test "case: csv-only-blank-lines" {
	check_case csv-only-blank-lines
}

@test "case: csv-blank-lines" {
	check_case csv-blank-lines
}

@test "case: csv-no-final-newline" {
	check_case csv-no-final-newline
}

@test "case: csv-crlf-lf-mixed" {
	check_case csv-crlf-lf-mixed
}

@test "case: csv-lone-cr" {
	check_case csv-lone-cr
}

@test "case: csv-cr-line-ends" {
	check_case csv-cr-line-ends
}

@test "case: csv-quoted-crlf" {
	check_case csv-quoted-crlf
}

@test "case: csv-nul-bytes" {
	check_case csv-nul-bytes
}

@test "case: csv-invalid-utf8-quoted" {
	check_case csv-invalid-utf8-quoted
}

@test "case: csv-invalid-utf8-unquoted" {
	check_case csv-invalid-utf8-unquoted
}

@test "case: csv-overlong-utf8" {
	check_case csv-overlong-utf8
}

@test "case: csv-surrogate-utf8" {
	check_case csv-surrogate-utf8
}

@test "case: csv-truncated-utf8-eof" {
	check_case csv-truncated-utf8-eof
}

@test "case: csv-header-not-utf8" {
	check_case csv-header-not-utf8
}

@test "case: csv-unterminated-quote-eof" {
	check_case csv-unterminated-quote-eof
}

@test "case: csv-header-unterminated-quote" {
	check_case csv-header-unterminated-quote
}

@test "case: csv-lone-quote" {
	check_case csv-lone-quote
}

@test "case: csv-quote-in-unquoted" {
	check_case csv-quote-in-unquoted
}

@test "case: csv-text-after-closing-quote" {
	check_case csv-text-after-closing-quote
}

@test "case: csv-empty-vs-null" {
	check_case csv-empty-vs-null
}

@test "case: csv-too-few-fields" {
	check_case csv-too-few-fields
}

@test "case: csv-too-many-fields" {
	check_case csv-too-many-fields
}

@test "case: csv-header-false-ragged" {
	check_case csv-header-false-ragged
}

@test "case: csv-duplicate-header" {
	check_case csv-duplicate-header
}

@test "case: csv-empty-header-name" {
	check_case csv-empty-header-name
}

@test "case: csv-10000-columns" {
	check_case csv-10000-columns
}

@test "case: csv-huge-field-limit" {
	check_case csv-huge-field-limit
}

@test "case: csv-100mb-line" {
	check_case csv-100mb-line
}

@test "case: json-empty" {
	check_case json-empty
}

@test "case: json-blank-lines" {
	check_case json-blank-lines
}

@test "case: json-crlf" {
	check_case json-crlf
}

@test "case: json-bom" {
	check_case json-bom
}

@test "case: json-duplicate-keys" {
	check_case json-duplicate-keys
}

@test "case: json-nan-infinity" {
	check_case json-nan-infinity
}

@test "case: json-big-numbers" {
	check_case json-big-numbers
}

@test "case: json-bad-numbers" {
	check_case json-bad-numbers
}

@test "case: json-not-object" {
	check_case json-not-object
}

@test "case: json-trailing-garbage" {
	check_case json-trailing-garbage
}

@test "case: json-unterminated-string" {
	check_case json-unterminated-string
}

@test "case: json-unterminated-object" {
	check_case json-unterminated-object
}

@test "case: json-invalid-utf8" {
	check_case json-invalid-utf8
}

@test "case: json-nul-byte" {
	check_case json-nul-byte
}

@test "case: json-control-chars" {
	check_case json-control-chars
}

@test "case: json-lone-surrogate-escape" {
	check_case json-lone-surrogate-escape
}

@test "case: json-deep-nesting" {
	check_case json-deep-nesting
}

@test "case: json-deep-unbalanced" {
	check_case json-deep-unbalanced
}

@test "case: json-long-line-limit" {
	check_case json-long-line-limit
}

@test "case: json-multiline-not-object" {
	check_case json-multiline-not-object
}

@test "case: json-multiline-two-docs" {
	check_case json-multiline-two-docs
}

@test "case: json-multiline-empty-array" {
	check_case json-multiline-empty-array
}

@test "case: json-multiline-deep" {
	check_case json-multiline-deep
}

@test "case: text-invalid-utf8" {
	check_case text-invalid-utf8
}

@test "case: text-nul" {
	check_case text-nul
}

@test "case: text-blank-lines" {
	check_case text-blank-lines
}

@test "case: text-long-line-limit" {
	check_case text-long-line-limit
}

@test "case: gz-wrong-name" {
	check_case gz-wrong-name
}

@test "case: gz-concatenated" {
	check_case gz-concatenated
}

@test "case: gz-empty" {
	check_case gz-empty
}

@test "case: gz-truncated" {
	check_case gz-truncated
}

@test "case: zst-not-zstd" {
	check_case zst-not-zstd
}

@test "case: zst-corrupt" {
	check_case zst-corrupt
}

@test "case: zst-truncated" {
	check_case zst-truncated
}

@test "case: stdin-gzip" {
	check_case stdin-gzip
}

@test "case: fifo-gzip" {
	check_case fifo-gzip
}

@test "case: dir-named-json" {
	check_case dir-named-json
}

@test "case: fifo" {
	check_case fifo
}

@test "case: symlink-loop" {
	check_case symlink-loop
}

@test "case: dangling-symlink" {
	check_case dangling-symlink
}

@test "case: permission-denied" {
	check_case permission-denied
}

@test "case: deleted-before-parse" {
	check_case deleted-before-parse
}

@test "case: growing-file" {
	check_case growing-file
}

@test "case: unknown-extension" {
	check_case unknown-extension
}

@test "case: stream-not-json" {
	check_case stream-not-json
}

@test "case: stream-file-without-path" {
	check_case stream-file-without-path
}

@test "every case under --mode failfast: exit 65 naming 'PATH' line N, or as its FAILFAST field says" {
	local failed=0
	for name in $(case_names); do
		check_failfast "$name" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
}

@test "every case with --bad-records-path: bad records in the folder, every good row still in the stream" {
	local failed=0
	for name in $(case_names); do
		check_badrecords "$name" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
}

@test "the figure: cases, crashes (0), lost good rows (0)" {
	local fig=$BATS_FILE_TMPDIR/figure
	[ -s "$fig" ] || skip "no case ran"
	local cases run crashes lost known klost=0
	cases=$(case_names | wc -l)
	run=$(wc -l < "$fig")
	crashes=$(awk '{ s += $2 } END { print s + 0 }' "$fig")
	known=$(grep -v -e '^#' -e '^$' "$CASES_DIR/CASES" | awk -F'|' '$9 != ""' | wc -l)
	# Lost rows count only where the case is not a known failure.
	lost=0
	while read -r name c l; do
		case_fields "$name"
		if [ -n "$c_known" ]; then klost=$((klost + l)); else lost=$((lost + l)); fi
	done < "$fig"
	echo "# bad inputs: $cases cases ($run run here), $crashes crashes, $lost lost good rows;" \
		"$known known failures skipped ($klost good rows lost by them)" >&3
	[ "$crashes" -eq 0 ]
	[ "$lost" -eq 0 ]
}
