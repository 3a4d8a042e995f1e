#!/usr/bin/env bats
# inlet status --db postgresql://...: the table's rows and the marks of
# "_inlet_commits" read from a real server, a throw-away cluster as in
# tests/pg.bash (unix socket only, no TCP).
load helpers
load pg

# Batch 0 committed into TABLE (3 rows), batch 1 written ahead only.
stream() {
	mkdir -p land
	printf '{"id":1}\n{"id":2}\n' > land/a.json
	echo '{"id":3}' > land/b.json
	echo '{"id":4}' > land/c.json
	inlet-discover --checkpoint ck --max-files-per-trigger 2 land | head -n 4 \
		| inlet-parse --format json | inlet-commit --checkpoint ck --db "$URI" --table "$1" --quiet
	inlet-discover --checkpoint ck --max-files-per-trigger 2 land > /dev/null
}

@test "status --db postgresql://: the table's rows and the sink's last batch, from the server" {
	stream orders
	run --separate-stderr inlet status ck --db "$URI" --table orders --json
	assert_success
	assert_output --regexp '"last_committed_batch":0,"last_offset":1,"batches_ahead":1,"files_ahead":1,"files_seen":3,.*"table":"orders","rows":3,"sink_last_batch":0,"problems":\[\]\}$'
	# The marks are read, not assumed: another checkpoint's marks do not count.
	pg "UPDATE _inlet_commits SET checkpoint_id = 'someone-else'"
	run --separate-stderr inlet status ck --db "$URI" --table orders
	assert_equal "$status" 65
	assert_line --regexp "^sink's last batch +-1$"
	assert_output --partial "says batch 0 is durable in '$URI', but it holds no mark of it"
	# A table the server does not have: no rows.
	pg "UPDATE _inlet_commits SET checkpoint_id = '$(jq -r .id ck/metadata)'"
	run --separate-stderr inlet status ck --db "$URI" --table nosuch --json
	assert_success
	assert_output --partial '"table":"nosuch","rows":0,"sink_last_batch":0,'
}

@test "status --db postgresql:// alone lists the tables of the current schema, names as JSON" {
	local t=$'odd\t"name\\'
	stream "$t"
	pg 'CREATE TABLE other (x int); INSERT INTO other VALUES (1), (2)'
	pg 'CREATE SCHEMA hidden; CREATE TABLE hidden.nope (x int)'
	run --separate-stderr inlet status --db "$URI" --json
	assert_success
	echo "$output" | jq -e . > /dev/null
	# (inlet's own tables, the marks and any other, aside.)
	[ "$(echo "$output" | jq -c '[.tables[] | select(.table | startswith("_inlet_") | not) | [.table, .rows]]')" = '[["odd\t\"name\\",3],["other",2]]' ]
	[ "$(echo "$output" | jq -c '[.tables[] | select(.table == "_inlet_commits") | .rows]')" = '[1]' ]
	run --separate-stderr inlet status --db "$URI"
	assert_success
	assert_line --regexp '^other +2$'
}

@test "status --db postgresql://: a server that cannot be reached is 74, naming it" {
	run --separate-stderr inlet status --db "postgresql:///nosuchdb?host=$PGROOT&user=postgres"
	assert_equal "$status" 74
	[[ $stderr == "inlet-status: cannot connect to PostgreSQL at $PGROOT:5432: "*nosuchdb* ]] ||
		fail "stderr: $stderr"
	[ "$(echo "$stderr" | wc -l)" = 1 ]
}

@test "status --db postgresql://: libpq that cannot be loaded is 69, naming it" {
	INLET_LIBPQ=/nonexistent/libpq.so.5 run --separate-stderr inlet status --db "$URI"
	assert_equal "$status" 69
	assert_equal "$stderr" "inlet-status: cannot load libpq, which PostgreSQL needs (Debian's package libpq5): /nonexistent/libpq.so.5: cannot open shared object file: No such file or directory"
}
