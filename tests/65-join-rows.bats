#!/usr/bin/env bats
# inlet-join's short cuts, each against the row by row result computed
# here: a join that adds no column writes each stream row as it came (the
# row writer's output for a row it does not change), whatever its spacing
# and escapes; a static row named member for member as the row before is
# read by that row's plan, and every row that breaks the plan (a repeated,
# missing, new, escaped or moved name, a missing key) is read member by
# member, each value to its own column.
load helpers
load join

teardown() {
	join_teardown
}

# stream.ndjson: rows with blanks around members and the object, tabs,
# a CR before the newline, escapes in names and values, nested values,
# an empty object, a repeated key (the last one counts), and keys spelled
# with escapes; keys.csv holds the keys K1 to K9 but K4.
make_rows() {
	printf 'k\nK1\nK2\nK3\nK5\nK6\nK7\nK8\nK9\n' > keys.csv
	{
		printf '%s\n' '{"k":"K1","a":1}'
		printf '%s\n' '{ "k" :"K2" ,"a":[1, 2 ,3] , "b": {"x" : 1} }'
		printf '%s\n' '  {"k" : "K3"}  '
		printf '\t%s\t\n' '{"k":"K4"}'
		printf '%s\r\n' '{"a":"x","k":"K5"}'
		printf '%s\n' '{"\u006b":"K6","n":"\u00e9\n\"q\""}'
		printf '%s\n' '{"k":"K\u0037"}'
		printf '%s\n' '{"k":"K4","k":"K8"}'
		printf '%s\n' '{"k":"K9","k":"K4"}'
		printf '%s\n' '{}'
		printf '%s\n' '{"k":null,"z":"K1"}'
		printf '%s\n' '{"kk":"K1","K":"K1"}'
	} > stream.ndjson
}

# expect TYPE: the rows TYPE keeps, as they came (a CR before the newline
# is not part of a line).  Matches: K1 K2 K3 K5 K6 K7 (escaped) K8 (the
# last of two keys); not: K4, K9 then K4, no key, a null key, other names.
expect() {
	python3 - "$1" <<'PY'
import sys
kind = sys.argv[1]
lines = open('stream.ndjson', newline='').read().split('\n')[:-1]
lines = [l[:-1] if l.endswith('\r') else l for l in lines]
match = [True, True, True, False, True, True, True, True, False, False, False, False]
keep = {'left': [True] * len(lines), 'inner': match, 'semi': match,
        'anti': [not m for m in match]}[kind]
sys.stdout.write(''.join(l + '\n' for l, k in zip(lines, keep) if k))
PY
}

@test "no column added: every join type writes the stream's rows byte for byte as they came" {
	make_rows
	for type in left inner semi anti; do
		inlet-join --quiet --rows-only --static keys.csv --on k --type "$type" \
			< stream.ndjson > out 2> err || fail "--type $type failed: $(cat err)"
		expect "$type" > want
		cmp out want || fail "--type $type: $(diff out want)"
		[ ! -s err ] || fail "--type $type wrote to stderr: $(cat err)"
	done
}

@test "semi and anti with a static side of several columns (none added): the rows as they came" {
	make_rows
	{ printf 'v,k,w\n'; tail -n +2 keys.csv | sed 's/.*/x,&,"y, z"/'; } > wide.csv
	for type in semi anti; do
		inlet-join --quiet --rows-only --static wide.csv --on k --type "$type" \
			< stream.ndjson > out 2> err || fail "--type $type failed: $(cat err)"
		expect "$type" > want
		cmp out want || fail "--type $type: $(diff out want)"
	done
}

@test "one column added: a stream row that has its name fails, naming the line" {
	printf 'k,v\nK1,x\n' > s.csv
	printf '%s\n' '{"k":"K1","a":1}' '{"k":"K2","v":2}' > in
	run --separate-stderr inlet-join --quiet --rows-only --static s.csv --on k --type left < in
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"line 2: the static column 'v' would overwrite the stream column 'v'"* ]]
}

# static.ndjson: runs of rows of one layout, each run broken by a row
# that repeats a name (the last value counts), lacks a column (null),
# brings a new column (null in the rows before it), spells a name with
# an escape, lists the members in another order, or lacks the key (left
# out, counted); then the first layout again.  Values of every kind.
# make_static rev: the same rows in the reverse order.
make_static() {
	python3 - "${1:-}" <<'PY'
import json, sys
rows = []		# (raw static line, key or None, {column: raw value})
def add(members):
    text = '{' + ','.join('"%s":%s' % m for m in members) + '}'
    vals, key = {}, None
    for name, val in members:
        plain = json.loads('"%s"' % name)
        if plain == 'id':
            key = val
        else:
            vals[plain] = val
    if key == 'null':
        key = None
    rows.append((text, key, vals))
def usual(i):
    return [('id', '"K%d"' % i), ('a', '"a%d"' % i), ('b', str(i)), ('c', '[%d, {"x":"\\u00e9"}]' % i)]
i = 0
breaks = [
    lambda i: usual(i) + [('a', '"again%d"' % i)],
    lambda i: [m for m in usual(i) if m[0] != 'b'],
    lambda i: usual(i) + [('d', '"new%d"' % i)],
    lambda i: [('\\u0069d', '"K%d"' % i)] + usual(i)[1:],
    lambda i: [('i\\u0064', '"K%d"' % i)] + usual(i)[1:],
    lambda i: [('\\u0061', '"esc%d"' % i)] + [m for m in usual(i) if m[0] != 'a'],
    lambda i: list(reversed(usual(i))),
    lambda i: usual(i)[1:],
    lambda i: [('id', 'null')] + usual(i)[1:],
    lambda i: [('c', '1'), ('b', '2'), ('a', '"3"'), ('id', '"K%d"' % i), ('c', '"last%d"' % i)],
]
for br in breaks:
    for _ in range(3):
        add(usual(i)); i += 1
    add(br(i)); i += 1
# A column named \u0062 (its name escaped: "\\u0062"), then at its place
# "b" spelled "\u0062", the same bytes: "b" again, its last value.
odd = lambda i: usual(i) + [('\\\\u0062', '"odd%d"' % i)]
for _ in range(3):
    add(odd(i)); i += 1
add(usual(i) + [('\\u0062', '"b%d"' % i)]); i += 1
add(odd(i)); i += 1
# Rows without the key in a run, of one layout: each left out and counted.
for _ in range(3):
    add(usual(i)[1:]); i += 1
for _ in range(3):
    add(usual(i)); i += 1
if sys.argv[1] == 'rev':
    rows.reverse()
open('static.ndjson', 'w').write(''.join(r[0] + '\n' for r in rows))
# The added columns in the order first met; a row lacking one: null.
cols = []
for _, _, vals in rows:
    for c in vals:
        if c not in cols:
            cols.append(c)
stream, out = [], []
for j in range(i + 2):
    line = '{"id":"K%d","s":%d}' % (j, j)
    stream.append(line)
    for text, key, vals in rows:
        if key == '"K%d"' % j:
            out.append(line[:-1] + ',' + ','.join('%s:%s' % (json.dumps(c), vals.get(c, 'null')) for c in cols) + '}')
open('stream.ndjson', 'w').write(''.join(l + '\n' for l in stream))
open('expect', 'w').write(''.join(l + '\n' for l in out))
open('nullkeys', 'w').write('%d\n' % sum(1 for r in rows if r[1] is None))
PY
}

@test "static rows that break the layout of the rows before them: each value to its own column, the last of a repeated name" {
	make_static
	run --separate-stderr inlet-join --rows-only --static static.ndjson --on id --type inner < stream.ndjson
	assert_success
	printf '%s\n' "$output" > out
	run cmp out expect
	assert_success
	[[ "$stderr" == *"; $(cat nullkeys) with a null key left out"* ]]
}

@test "static rows that break the layout, read again when the file changes: each version joins whole" {
	make_static
	start_join --rows-only --static static.ndjson --on id --type inner
	wait_for err "loaded static"
	cp expect expect.1
	{ echo '{"_inlet":"begin","batch":1}'; cat stream.ndjson; echo '{"_inlet":"end","batch":1}'; } >&7
	wait_for out "$(tail -n 1 expect.1)"
	# The same rows in the reverse order: other plans, other columns first.
	make_static rev
	cp expect expect.2
	{ echo '{"_inlet":"begin","batch":2}'; cat stream.ndjson; echo '{"_inlet":"end","batch":2}'; } >&7
	stop_join
	assert_equal "$join_status" 0
	cat expect.1 expect.2 > want
	run cmp out want
	assert_success
	[ "$(grep -c 'reloaded static' err)" -eq 1 ]
}

@test "an empty static object, first or after a plan, and a run of them: left out as rows without the key" {
	for order in first after run; do
		case $order in
		first) printf '%s\n' '{}' '{"k":"K1","v":1}' '{"k":"K2","v":2}' ;;
		after) printf '%s\n' '{"k":"K1","v":1}' '{"k":"K2","v":2}' '{}' '{"k":"K3","v":3}' ;;
		run) printf '%s\n' '{}' '{}' '{}' '{"k":"K1","v":1}' ;;
		esac > e.ndjson
		printf '%s\n' '{"k":"K1"}' '{"k":"K3"}' > in
		inlet-join --rows-only --static e.ndjson --on k --type left < in > out 2> err ||
			fail "$order: $(cat err)"
		case $order in
		first) want='{"k":"K1","v":1}\n{"k":"K3","v":null}\n'; nulls=1 ;;
		after) want='{"k":"K1","v":1}\n{"k":"K3","v":3}\n'; nulls=1 ;;
		run) want='{"k":"K1","v":1}\n{"k":"K3","v":null}\n'; nulls=3 ;;
		esac
		printf "$want" | cmp - out || fail "$order: $(cat out)"
		grep -q "; $nulls with a null key left out" err || fail "$order: $(cat err)"
	done
}

# Rows wait for their lookup while the next rows are read (join_row): the
# rows held must go out in their order, each with its matches, before any
# record that follows them.  Batches of 0 to 6 rows, keys that match and
# keys that do not, a key with several static rows, and a batch's "end"
# straight after its last row: the output is computed here row by row.
@test "rows held for their lookups go out in order, before the record after them, in batches of every size" {
	printf 'k,v\nK1,one\nK2,two\nK2,deux\nK3,three\n' > st.csv
	python3 - > stream.ndjson <<'PY'
import json
keys = ['K1', 'K9', 'K2', 'K3', 'K8', 'K1', 'K2']
i = 0
for b, size in enumerate([0, 1, 2, 3, 1, 6, 5, 4, 2, 0, 1]):
    print(json.dumps({'_inlet': 'begin', 'batch': b}, separators=(',', ':')))
    for _ in range(size):
        print(json.dumps({'k': keys[i % len(keys)], 'n': i}, separators=(',', ':')))
        i += 1
    print(json.dumps({'_inlet': 'end', 'batch': b}, separators=(',', ':')))
PY
	python3 - > want <<'PY'
import json
static = {'K1': ['one'], 'K2': ['two', 'deux'], 'K3': ['three']}
for line in open('stream.ndjson'):
    r = json.loads(line)
    if '_inlet' in r:
        print(line, end='')
        continue
    for v in static.get(r['k'], [None]):
        print(json.dumps(dict(r, v=v), separators=(',', ':')))
PY
	inlet-join --quiet --static st.csv --on k --type left < stream.ndjson > out 2> err ||
		fail "inlet-join failed: $(cat err)"
	cmp out want || fail "$(diff out want)"
	# Inner: rows that match nothing leave, the others keep their places.
	grep -v '"v":null' want > want.inner
	inlet-join --quiet --static st.csv --on k --type inner < stream.ndjson > out 2> err ||
		fail "inlet-join --type inner failed: $(cat err)"
	cmp out want.inner || fail "$(diff out want.inner)"
}

# in.ndjson: runs of stream rows of one layout, each run broken by a row
# that repeats the key (the last one counts), lacks it, moves it, spells
# it with an escape, brings a new member or has none; the static side
# adds a column.  Each row's key is the one read member by member.
@test "stream rows that break the layout of the rows before them: each row joined on its own key" {
	printf 'k,v\nK1,one\nK2,two\nK3,three\n' > s.csv
	python3 - <<'PY'
import json
usual = lambda i: [('k', '"K%d"' % (i % 4)), ('a', str(i)), ('b', '"x"')]
breaks = [
    lambda i: usual(i) + [('k', '"K%d"' % ((i + 1) % 4))],
    lambda i: usual(i)[1:],
    lambda i: list(reversed(usual(i))),
    lambda i: [('\\u006b', '"K%d"' % (i % 4))] + usual(i)[1:],
    lambda i: usual(i) + [('c', 'null')],
    lambda i: [],
    lambda i: [('K', '"K1"'), ('kk', '"K2"')] + usual(i)[1:],
]
rows, i = [], 0
for br in breaks:
    for _ in range(3):
        rows.append(usual(i)); i += 1
    rows.append(br(i)); i += 1
for _ in range(3):
    rows.append(usual(i)); i += 1
static = {'"K1"': '"one"', '"K2"': '"two"', '"K3"': '"three"'}
lines, want = [], []
for members in rows:
    text = '{' + ','.join('"%s":%s' % m for m in members) + '}'
    lines.append(text)
    key = None
    for name, val in members:
        if json.loads('"%s"' % name) == 'k':
            key = val
    add = '"v":' + static.get(key, 'null')
    want.append(text[:-1] + (',' if members else '') + add + '}')
open('in.ndjson', 'w').write(''.join(l + '\n' for l in lines))
open('want', 'w').write(''.join(l + '\n' for l in want))
PY
	inlet-join --quiet --rows-only --static s.csv --on k --type left < in.ndjson > out 2> err ||
		fail "$(cat err)"
	cmp out want || fail "$(diff out want)"
	# After a run of rows read by their plan, a row that has the added name fails.
	{ head -n 5 in.ndjson; echo '{"k":"K1","a":1,"v":2}'; } > bad.ndjson
	run --separate-stderr inlet-join --quiet --rows-only --static s.csv --on k --type left < bad.ndjson
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"line 6: the static column 'v' would overwrite the stream column 'v'"* ]]
}

@test "stream rows read by their plan, then a static side that adds a column they have: the next batch fails" {
	printf 'k,v\nK1,one\n' > s.csv
	start_join --rows-only --static s.csv --on k --type left
	wait_for err "loaded static"
	{
		echo '{"_inlet":"begin","batch":1}'
		for i in 1 2 3 4 5; do echo '{"k":"K1","w":'$i'}'; done
		echo '{"_inlet":"end","batch":1}'
	} >&7
	wait_for out '{"k":"K1","w":5,"v":"one"}'
	printf 'k,v,w\nK1,one,uno\n' > s.new
	mv s.new s.csv
	# inlet-join may end at the first row, before the rest is written.
	{
		echo '{"_inlet":"begin","batch":2}'
		for i in 6 7; do echo '{"k":"K1","w":'$i'}'; done
		echo '{"_inlet":"end","batch":2}'
	} >&7 2> /dev/null || true
	stop_join
	assert_equal "$join_status" 65
	grep -q "the static column 'w' would overwrite the stream column 'w'" err || fail "$(cat err)"
	! grep -q '"w":6' out || fail "a row of batch 2 was written: $(cat out)"
}
