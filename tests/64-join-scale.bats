#!/usr/bin/env bats
# inlet-join's static side at scale: a CSV file read through inlet-parse
# (whose rows join only locates, trusting the claim parse puts on them),
# built in place in an arena sized from the file, indexed with its slots
# fetched ahead.  Every property is checked against a join computed here,
# value for value: keys repeated and out of order, keys with escapes,
# values of every length class, a static file that grows and shrinks
# between batches, a compressed file and a folder (no size to go by).
load helpers
load join

teardown() {
	join_teardown
}

# make_static ROWS SEED: static.csv and expect.py's data (static.json: the
# rows as parse writes them).  Keys: C%06d, a third of them twice or three
# times, out of order; keys with quotes, a tab, a newline, non-ASCII and a
# control character (escapes in JSON); one empty key (null: left out).
# Values: empty (null), 1, 100, 200 and 20000 bytes (a length of one, two
# and three bytes in the arena), with quotes and newlines.  (No backslash:
# Spark's CSV reader takes it as an escape, which is not the point here.)
make_static() {
	python3 - "$1" "$2" <<'PY'
import csv, json, random, sys
rows, seed = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
odd = ['q"uote', 'q""2', 'tab\there', 'new\nline', 'caf\u00e9 \u00fcber', 'ctl\x01x', 'A']
def text(n):
    s = ''.join(r.choice('abc xyz"\u00e9\n') for _ in range(n))
    return 'v' + s + 'w'		# no blank at either end
static = []
for i in range(rows):
    key = 'C%06d' % (r.randrange(rows * 2 // 3))
    if i % 97 == 5:
        key = odd[i // 97 % len(odd)]
    if i == rows // 2:
        key = ''
    lens = [0, 1, 100, 200, 20000 if i % 501 == 7 else 3]
    cols = [key] + [text(lens[(i + c) % len(lens)]) if lens[(i + c) % len(lens)] else ''
                    for c in range(4)] + [str(i)]
    static.append(cols)
with open('static.csv', 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['id', 'a', 'b', 'c', 'd', 'n'])
    w.writerows(static)
json.dump(static, open('static.json', 'w'))
PY
}

# make_stream ROWS SEED: stream.ndjson, keys met and not, some spelled
# with escapes (\u0043 for C, \" and \\ as \u0022 and \u005c).
make_stream() {
	python3 - "$1" "$2" <<'PY'
import json, random, sys
rows, seed = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
static = json.load(open('static.json'))
keys = [row[0] for row in static if row[0]]
out = []
for j in range(rows):
    key = r.choice(keys) if j % 3 else 'C%06d' % r.randrange(10**6)
    text = json.dumps(key, ensure_ascii=False)
    if j % 5 == 1:
        text = text.replace('C', '\\u0043', 1).replace('\\"', '\\u0022').replace('\\\\', '\\u005c')
    out.append('{"j":%d,"id":%s}' % (j, text))
open('stream.ndjson', 'w', encoding='utf-8').write('\n'.join(out) + '\n')
PY
}

# expect TYPE: the join of stream.ndjson with static.json, as inlet-join
# writes it with --rows-only.
expect() {
	python3 - "$1" <<'PY'
import json, sys
kind = sys.argv[1]
static = json.load(open('static.json'))
index = {}
for row in static:
    if row[0]:
        index.setdefault(row[0], []).append(row)
names = ['a', 'b', 'c', 'd', 'n']
def value(v):
    return json.dumps(v, ensure_ascii=False) if v else 'null'
out = []
for line in open('stream.ndjson', encoding='utf-8'):
    line = line.rstrip('\n')
    key = json.loads(line)['id']
    matches = index.get(key, [])
    for m in matches:
        out.append(line[:-1] + ',' + ','.join('"%s":%s' % (n, value(v))
                                              for n, v in zip(names, m[1:])) + '}')
    if not matches and kind == 'left':
        out.append(line[:-1] + ',' + ','.join('"%s":null' % n for n in names) + '}')
sys.stdout.write('\n'.join(out) + '\n')
PY
}

@test "a CSV static side of thousands of rows joins value for value, left and inner" {
	make_static 6000 64
	make_stream 9000 64
	for type in left inner; do
		expect "$type" > "expect.$type"
		run --separate-stderr inlet-join --rows-only --static static.csv --on id \
			--type "$type" < stream.ndjson
		assert_success
		[[ $stderr == "inlet-join: loaded static 'static.csv': 5999 rows, 5 columns to add, "*"; 1 with a null key left out" ]]
		printf '%s\n' "$output" > out
		run cmp out "expect.$type"
		assert_success
	done
	[ "$(wc -l < expect.inner)" -gt 6000 ]	# keys do repeat
}

@test "the static table's memory is at most 1.2 times the CSV file it is read from" {
	# Rows of about 80 bytes, as bench/gen-customers writes them.
	python3 - <<'PY'
with open('customers.csv', 'w') as f:
    f.write('customer_id,first_name,last_name,email,city,signup_date,segment\n')
    for i in range(40000):
        f.write('C%07d,Greta,Kowalski,greta.kowalski.%d@example.com,Berlin,2023-%02d-%02d,consumer\n'
                % (i, i, 1 + i % 12, 1 + i % 28))
PY
	run --separate-stderr inlet-join --static customers.csv --on customer_id < /dev/null
	assert_success
	bytes=$(sed -n 's/.* columns to add, \([0-9]*\) bytes.*/\1/p' <<< "$stderr")
	size=$(stat -c %s customers.csv)
	echo "# $bytes bytes held for a file of $size" >&3
	[ -n "$bytes" ] && [ "$bytes" -gt "$size" ]	# every value is held
	[ "$((bytes * 10))" -le "$((size * 12))" ]
}

@test "a static file that grows past its first size and shrinks between batches: each version joins whole" {
	make_static 300 1
	make_stream 2000 1
	expect left > expect.1
	start_join --static static.csv --on id --type left
	wait_for err "loaded static"
	{ echo '{"_inlet":"begin","batch":1}'; cat stream.ndjson; echo '{"_inlet":"end","batch":1}'; } >&7
	wait_for out '{"_inlet":"end","batch":1}'
	# Ten times as many rows, then a tenth: larger and smaller than the
	# arena sized from the first file.
	make_static 3000 2
	make_stream 2000 2
	expect left > expect.2
	{ echo '{"_inlet":"begin","batch":2}'; cat stream.ndjson; echo '{"_inlet":"end","batch":2}'; } >&7
	wait_for out '{"_inlet":"end","batch":2}'
	make_static 30 3
	make_stream 500 3
	expect left > expect.3
	{ echo '{"_inlet":"begin","batch":3}'; cat stream.ndjson; echo '{"_inlet":"end","batch":3}'; } >&7
	stop_join
	assert_equal "$join_status" 0
	grep -v '^{"_inlet":' out > got
	cat expect.1 expect.2 expect.3 > expect
	run cmp got expect
	assert_success
	[ "$(grep -c 'reloaded static' err)" -eq 2 ]
}

@test "a compressed static file and a folder of files (no size to size the table by) join as the plain file does" {
	make_static 4000 7
	make_stream 3000 7
	expect left > expect
	gzip -k static.csv
	mkdir folder
	python3 - <<'PY'
# The same rows split in two files at a row boundary (values hold newlines).
import csv
rows = list(csv.reader(open('static.csv', newline='', encoding='utf-8')))
for name, part in (('folder/part-1.csv', rows[1:2001]), ('folder/part-2.csv', rows[2001:])):
    with open(name, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(rows[0])
        w.writerows(part)
PY
	for source in static.csv.gz folder; do
		run --separate-stderr inlet-join --rows-only --static "$source" --on id \
			--type left < stream.ndjson
		assert_success
		[[ $stderr == *": 3999 rows, 5 columns to add, "*"; 1 with a null key left out" ]]
		printf '%s\n' "$output" > out
		run cmp out expect
		assert_success
	done
}

@test "static rows that list members of one length in changing orders: each value goes to its own column" {
	# Names of 1 to 17 bytes; at each position, rows put another name of
	# the same length, differing in the first, a middle or the last byte
	# only, so only a comparison of every byte tells them apart.
	python3 - <<'PY'
import json, random
r = random.Random(5)
groups = [['a', 'b'], ['abc', 'abd'], ['abcd', 'xbcd'], ['abcde', 'abxde', 'abcdx'],
          ['abcdefg', 'abcdefh'], ['abcdefgh', 'xbcdefgh'], ['abcdefghijk', 'abcdefghijz'],
          ['abcdefghijklmnopq', 'abcdefghXjklmnopq', 'abcdefghijklmnopZ']]
static, index = [], {}
for i in range(3000):
    order = [g[:] for g in groups]
    for g in order:
        r.shuffle(g)
    members = [('k', '"K%04d"' % (i % 1000))] + [(n, '"%s-%d"' % (n, i)) for g in order for n in g]
    static.append('{' + ','.join('"%s":%s' % m for m in members) + '}')
    if i == 0:		# the added columns, in the order first met
        names = [n for n, _ in members[1:]]
    index.setdefault('K%04d' % (i % 1000), []).append(dict(members))
open('static.ndjson', 'w').write('\n'.join(static) + '\n')
stream, out = [], []
for j in range(0, 1200, 3):
    line = '{"k":"K%04d"}' % j
    stream.append(line)
    for m in index.get('K%04d' % j, []):
        out.append(line[:-1] + ',' + ','.join('"%s":%s' % (n, m[n]) for n in names) + '}')
open('stream.ndjson', 'w').write('\n'.join(stream) + '\n')
open('expect', 'w').write('\n'.join(out) + '\n')
PY
	run --separate-stderr inlet-join --rows-only --static static.ndjson --on k < stream.ndjson
	assert_success
	printf '%s\n' "$output" > out
	run cmp out expect
	assert_success
}
