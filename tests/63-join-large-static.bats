#!/usr/bin/env bats
# inlet-join with a static side far larger than any starting capacity of
# its table: repeated keys in scattered order, values of every length
# class and kind, checked row by row against a join computed here.
load helpers

# Write static.ndjson, stream.ndjson and the expected left and inner joins.
# Static: 30,000 rows; keys K00000..K08999 come back two or three times,
# out of order; U keys once.  Values: strings of 0, 1, 15, 62..65, 200
# and 9000 bytes with escapes, numbers, nested values with a tab in them,
# booleans, and a column the first 100 rows lack (null in their joins).
# The key member moves between first, second and third place.
make_join_data() {
	python3 - <<'PY'
import random
r = random.Random(63)
lens = [0, 1, 15, 62, 63, 64, 65, 200]
def string(i):
    n = lens[i % len(lens)] if i % 997 else 9000
    body = ''.join(r.choice('ab\\"\u00e9 ') for _ in range(n))
    return '"' + body.replace('\\', '\\\\').replace('"', '\\"') + '"'
rows = []
for i in range(30000):
    key = '"K%05d"' % (i * 7 % 9000) if i < 24000 else '"U%05d"' % i
    cols = [('s', string(i)), ('n', ['-1.5e3', '12345678901234567890', '0', 'null'][i % 4]),
            ('o', '{"a": [1,\t2], "b" : null}' if i % 3 else '[]'), ('b', 'true' if i % 2 else 'false')]
    if i >= 100:
        cols.append(('late', '"L%d"' % i))
    cols.insert(i % 3, ('id', key))
    rows.append((key, dict(cols), cols))
with open('static.ndjson', 'w', encoding='utf-8') as f:
    for key, _, cols in rows:
        f.write('{' + ','.join('"%s":%s' % c for c in cols) + '}\n')
index = {}
for key, values, _ in rows:
    index.setdefault(key, []).append(values)
names = ['s', 'n', 'o', 'b', 'late']
stream, left, inner = [], [], []
for j in range(20000):
    # a key met 2-3 times or missing, a U key, an unknown key, an escaped K key
    key = ['"K%05d"' % (j % 12000), '"U%05d"' % (24000 + j % 6000), '"M%05d"' % j,
           '"K\\u0030%04d"' % (j % 10000)][j % 4]
    text = '{"j":%d,"id":%s}' % (j, key)
    stream.append(text)
    matches = index.get(key.replace('\\u0030', '0'), [])
    for m in matches:
        row = text[:-1] + ',' + ','.join('"%s":%s' % (c, m.get(c, 'null')) for c in names) + '}'
        left.append(row)
        inner.append(row)
    if not matches:
        left.append(text[:-1] + ',' + ','.join('"%s":null' % c for c in names) + '}')
for name, lines in (('stream.ndjson', stream), ('expect.left', left), ('expect.inner', inner)):
    with open(name, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
PY
}

@test "a large static side with repeated keys: every match, in static order, value for value" {
	make_join_data
	[ "$(wc -l < expect.inner)" -gt 20000 ]	# keys do repeat
	for type in left inner; do
		run --separate-stderr inlet-join --rows-only --static static.ndjson --on id \
			--type "$type" < stream.ndjson
		assert_success
		[[ $stderr == "inlet-join: loaded static 'static.ndjson': 30000 rows, 5 columns to add, "* ]]
		printf '%s\n' "$output" > out
		run cmp out "expect.$type"
		assert_success
	done
	# semi and anti: the stream rows that have a match, and those that do not
	run --separate-stderr inlet-join --rows-only --static static.ndjson --on id --type semi < stream.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" -eq "$(cut -d, -f1 expect.inner | sort -u | wc -l)" ]
	run --separate-stderr inlet-join --rows-only --static static.ndjson --on id --type anti < stream.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" -eq $((20000 - $(cut -d, -f1 expect.inner | sort -u | wc -l))) ]
}

@test "a large static side of string keys met by stream numbers: cast matches, repeated keys in order" {
	# Spark casts the string to the number's type (TypeCoercion, "Atomic
	# and String, cast as Atomic type"): "00042" = 42.
	python3 - <<'PY'
rows = ['{"k":"%05d","v":%d}' % (i * 7 % 9000, i) for i in range(24000)]
open('static.ndjson', 'w').write('\n'.join(rows) + '\n')
index = {}
for i in range(24000):
    index.setdefault(i * 7 % 9000, []).append(i)
out = []
for j in range(0, 12000, 7):
    for v in index.get(j, []):
        out.append('{"k":%d,"v":%d}' % (j, v))
open('stream.ndjson', 'w').write('\n'.join('{"k":%d}' % j for j in range(0, 12000, 7)) + '\n')
open('expect', 'w').write('\n'.join(out) + '\n')
PY
	run --separate-stderr inlet-join --rows-only --static static.ndjson --on k < stream.ndjson
	assert_success
	[[ $stderr == *"they compare as Spark compares them"* ]]
	printf '%s\n' "$output" > out
	run cmp out expect
	assert_success
}
