#!/usr/bin/env bats
# inlet-parse reads a CSV line with no quote (csv.c, csv_line_plain) or
# whose quoted fields each close on it (csv_line_quoted) on its own,
# without libcsv, and writes a field of plain ASCII into the row itself;
# every other line goes through libcsv, every other field through
# csv_field_cb.  The two must read alike: a line with no blank reads the
# same with --ignore-leading-white-space (which always takes libcsv's
# way, there being nothing to trim), so random such lines are read both
# ways and compared, under the quoting options that change the reading.
load helpers

# gen SEED: 400 lines of 3 fields (some 2 or 4), half of them quoted with
# '"', some with "'", no blank and no carriage return.
gen() {
	python3 - "$1" <<'PY'
import random, sys
R = random.Random(int(sys.argv[1]))
# Inside quotes: text, delimiters, doubled and escaped quotes, escaped
# escapes, lone escapes; now and then a lone quote or quote character.
inner = ['a', 'b', ',', ';', '\xc3\xa9', 'N', '1', '\xff', '""', '\\"', '\\\\', '\\',
         '\\a', "'", "''", '"']
plain = ['a', 'b', '\xc3\xa9', 'N', '1', '\\', ';', '"', "'"]
def field():
    k = R.random()
    if k < 0.5:
        return '"' + ''.join(R.choice(inner) for _ in range(R.randint(0, 5))) + '"'
    if k < 0.6:
        return "'" + ''.join(R.choice(inner) for _ in range(R.randint(0, 5))) + "'"
    return ''.join(R.choice(plain) for _ in range(R.randint(0, 4)))
out = ['c0,c1,c2']
for _ in range(400):
    out.append(','.join(field() for _ in range(R.choice([3] * 8 + [2, 4]))))
sys.stdout.buffer.write(('\n'.join(out) + '\n').encode('latin-1'))
PY
}

# read_both FILE SET: FILE read with the options SET (words split at '|')
# as it is and with --ignore-leading-white-space: the same rows, the same
# messages.
read_both() {
	local o
	IFS='|' read -r -a o <<< "$2"
	inlet-parse --quiet --rows-only "${o[@]}" "$1" > fast 2> fast.err ||
		fail "$1, '$2': $(cat fast.err)"
	inlet-parse --quiet --rows-only "${o[@]}" --ignore-leading-white-space "$1" \
		> slow 2> slow.err || fail "$1, '$2' (libcsv): $(cat slow.err)"
	cmp -s fast slow || fail "$1, '$2': $(diff fast slow | head -20)"
	cmp -s fast.err slow.err || fail "$1, '$2': $(diff fast.err slow.err)"
}

@test "a line of quoted fields reads as libcsv reads it, under every quoting option" {
	local set
	for seed in 1 2 3; do
		gen "$seed" > "d$seed.csv"
		for set in "" "--escape|none" "--escape|\\" "--quote|'" "--quote|'|--escape|'" \
			"--empty-value|E" "--null-value|N" "--escape|x" "--unescaped-quote-handling|raise_error"; do
			read_both "d$seed.csv" "$set"
		done
	done
	# The sample holds good lines and malformed ones.
	inlet-parse --quiet --rows-only d1.csv > fast
	[ "$(grep -vc '_corrupt_record' fast)" -gt 100 ] || fail "too few good rows: $(wc -l < fast)"
	grep -q '_corrupt_record' fast || fail "no malformed line in the sample"
}

@test "quoted fields on one line: doubled and escaped quotes, escaped escapes, lone escapes, empty fields" {
	{
		printf 'a,b,c\n'
		printf '"x ""y"" z","p\\"q","r\\\\s"\n'	# "x ""y"" z" | p\"q | r\\s
		printf '"t\\u",,""\n'			# a lone escape | empty | quoted empty
		printf '"1,2",";","\xc3\xa9"\n'
		printf '"ab"c,d,e\n'			# text after a closing quote
		printf '"open\nclose",m,n\n'		# a quote open past its line
	} > q.csv
	run inlet-parse --quiet --rows-only q.csv
	assert_success
	assert_line --index 0 '{"a":"x \"y\" z","b":"p\"q","c":"r\\s"}'
	assert_line --index 1 '{"a":"t\\u","b":null,"c":""}'
	assert_line --index 2 '{"a":"1,2","b":";","c":"é"}'
	assert_line --index 3 --partial '"_corrupt_record":"\"ab\"c,d,e"'
	assert_line --index 4 '{"a":"open\nclose","b":"m","c":"n"}'
	# No escape: the quote after p\ closes the field, and q" follows it.
	run inlet-parse --quiet --rows-only --escape none q.csv
	assert_line --index 0 --partial '"_corrupt_record":'
	assert_line --index 1 '{"a":"t\\u","b":null,"c":""}'
	run inlet-parse --quiet --rows-only --empty-value E q.csv
	assert_line --index 1 '{"a":"t\\u","b":null,"c":"E"}'
}

# gen_plain SEED: 400 lines without quotes: fields of 0 to 40 bytes (across
# the 16-byte steps of the scan, and lines shorter than one), of plain
# ASCII or with a backslash, a control character, UTF-8, invalid UTF-8 or
# the text N; 3 fields, some 2 or 4.
gen_plain() {
	python3 - "$1" <<'PY'
import random, sys
R = random.Random(int(sys.argv[1]))
rare = ['\\', '\x01', '\xc3\xa9', '\xff', '\x7f', '/']
def field():
    if R.random() < 0.1:
        return 'N'
    f = [R.choice('abcxyz019-._:') for _ in range(R.choice([0, 1, 3, 7, 8, 15, 16, 17, 31, 40]))]
    if f and R.random() < 0.3:
        f[R.randrange(len(f))] = R.choice(rare)
    return ''.join(f)
out = ['c0,c1,c2']
for _ in range(400):
    out.append(','.join(field() for _ in range(R.choice([3] * 8 + [2, 4]))))
sys.stdout.buffer.write(('\n'.join(out) + '\n').encode('latin-1'))
PY
}

@test "an unquoted line reads as libcsv reads it: plain and escaped bytes, UTF-8, limits, nulls" {
	local set
	for seed in 1 2; do
		gen_plain "$seed" > "p$seed.csv"
		# With --escape none a line with a backslash has nothing to scan.
		for set in "" "--null-value|N" "--max-chars-per-column|16" "--max-columns|3" \
			"--header|false" "--empty-value|E" "-d|;" "--escape|none"; do
			read_both "p$seed.csv" "$set"
		done
	done
	# Hand-checked: a field of 40 plain bytes, one with a control byte,
	# one with UTF-8, the null text, an empty field.
	printf 'a,b,c\n%s,x\001y,\303\251\nN,,zz\n' "$(printf 'q%.0s' {1..40})" > h.csv
	run inlet-parse --quiet --rows-only --null-value N h.csv
	assert_success
	assert_line --index 0 "{\"a\":\"$(printf 'q%.0s' {1..40})\",\"b\":\"x\\u0001y\",\"c\":\"é\"}"
	assert_line --index 1 '{"a":null,"b":null,"c":"zz"}'
}
