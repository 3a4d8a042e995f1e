#!/usr/bin/env bats
# inlet-commit into SQLite, the load path: rows go many to an INSERT
# statement (inlet-commit(1), --db).
load helpers

# numbered N: a schema record, then rows 1..N, {"i":N,...}: every third
# without "s", row 33 the first with "late", row 40 with escapes in "s",
# row 50 with no keys at all.
numbered() {
	local i
	echo '{"_inlet":"schema","version":0,"fields":[{"name":"i","type":"BIGINT"},{"name":"s","type":"STRING"},{"name":"late","type":"STRING"}]}'
	for ((i = 1; i <= $1; i++)); do
		if ((i == 50)); then
			echo '{}'
		elif ((i == 40)); then
			echo '{"i":40,"s":"q\"uo\\te\n","late":"x"}'
		elif ((i % 3 == 0)); then
			echo "{\"i\":$i${late:+,\"late\":\"L$i\"}}"
		else
			echo "{\"i\":$i,\"s\":\"v$i\"${late:+,\"late\":\"L$i\"}}"
		fi
		((i != 32)) || late=1
	done
}

# expected N: what numbered N must leave, as sql prints
# "rowid|i|quote(s)|quote(late)".
expected() {
	local i s l
	for ((i = 1; i <= $1; i++)); do
		s="'v$i'" l=NULL
		((i % 3)) || s=NULL
		((i <= 32)) || l="'L$i'"
		if ((i == 40)); then
			s="'q\"uo\\te"$'\n'"'" l="'x'"
		elif ((i == 50)); then
			echo "50|NULL|NULL|NULL"
			continue
		fi
		echo "$i|$i|$s|$l"
	done
}

@test "sqlite: rows many to a statement keep their order and values; a key a row lacks is NULL, not the row before's" {
	local n
	# Around the chunk's size: less than one, one, one and a row, several.
	for n in 1 31 32 33 64 65 100; do
		rm -f t.db*
		late= numbered "$n" > rows
		{ echo '{"_inlet":"begin","batch":0}'; cat rows; echo '{"_inlet":"end","batch":0}'; } > in
		run inlet-commit --quiet --db t.db --table t < in
		assert_success
		run sql t.db 'SELECT rowid, quote(i), quote(s), quote(late) FROM t ORDER BY rowid'
		assert_output "$(expected "$n")"
	done
}

@test "sqlite: a key that becomes a column in the middle of a statement's rows: the rows before it hold NULL there" {
	{
		echo '{"_inlet":"begin","batch":0}'
		for i in $(seq 1 20); do echo "{\"a\":$i}"; done
		echo '{"a":21,"b":"new"}'
		for i in $(seq 22 40); do echo "{\"b\":\"b$i\",\"a\":$i}"; done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run inlet-commit --quiet --db t.db --table t < in
	assert_success
	run sql t.db "SELECT count(*), count(b), min(CASE WHEN b IS NOT NULL THEN a END),
		sum(a), group_concat(b, '') FROM t"
	assert_output "40|20|21|820|new$(printf 'b%s' $(seq 22 40))"
	run sql t.db 'SELECT count(*) FROM t WHERE rowid != a'
	assert_output 0
}

@test "sqlite: a NaN in a REAL column among a statement's rows is kept as text and counted" {
	{
		echo '{"_inlet":"begin","batch":0}'
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"x","type":"DOUBLE"}]}'
		for i in $(seq 1 70); do
			case $i in 5|37|70) echo '{"x":"NaN"}' ;; 6) echo '{"x":"Infinity"}' ;; *) echo "{\"x\":$i.5}" ;; esac
		done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run --separate-stderr inlet-commit --quiet --db t.db --table t < in
	assert_success
	[[ $stderr == *"3 NaN values kept as the text 'NaN'"* ]]
	run sql t.db "SELECT group_concat(rowid || typeof(x), ' ') FROM t WHERE typeof(x) != 'real'"
	assert_output '5text 37text 70text'
	run sql t.db "SELECT x FROM t WHERE rowid IN (4, 6)"
	assert_output $'4.5\nInf'
}

@test "sqlite: an input cut inside a batch leaves none of its rows, not even those of full statements" {
	mkdir ck
	batch 0 '{"a":1}' > in
	inlet-commit --quiet --checkpoint ck --db t.db --table t < in
	{
		echo '{"_inlet":"begin","batch":1}'
		for i in $(seq 1 100); do echo "{\"a\":$i}"; done
	} > cut
	run inlet-commit --quiet --checkpoint ck --db t.db --table t < cut
	assert_failure 74
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 1
	[ ! -e ck/commits/1 ]
}

@test "sqlite: upsert rows of one batch still update one another in order" {
	{
		echo '{"_inlet":"begin","batch":0}'
		for i in $(seq 1 70); do echo "{\"k\":$((i % 5)),\"v\":$i}"; done
		echo '{"_inlet":"end","batch":0}'
	} > in
	run inlet-commit --quiet --db t.db --table t --mode upsert --key k < in
	assert_success
	run sql t.db "SELECT group_concat(k || '=' || v, ' ') FROM (SELECT k, v FROM t ORDER BY k)"
	assert_output '0=70 1=66 2=67 3=68 4=69'
}
