#!/usr/bin/env bats
# inlet-commit: sinks, modes, batches, marks, and hostile names.
load helpers

@test "sqlite: the table is created on first write, all columns TEXT, values exact" {
	batch 0 '{"id":9007199254740993,"amt":"19.990","x":19.990,"b":true,"n":null,"o":{"a":[1,2]}}' > in
	run inlet-commit --db t.db --table orders < in
	assert_success
	run sql t.db 'SELECT id, typeof(id), amt, x, typeof(x), b, n IS NULL, o FROM orders'
	assert_output '9007199254740993|text|19.990|19.990|text|true|1|{"a":[1,2]}'
	run sql t.db "SELECT group_concat(type) FROM pragma_table_info('orders')"
	assert_output 'TEXT,TEXT,TEXT,TEXT,TEXT,TEXT'
}

@test "sqlite: a column that appears later is added" {
	batch 0 '{"a":"1"}' '{"a":"2","b":"new"}' > in
	inlet-commit --db t.db --table t < in > /dev/null
	run sql t.db 'SELECT a, coalesce(b, "-") FROM t ORDER BY a'
	assert_output $'1|-\n2|new'
}

@test "sqlite: hostile column and table names are just names" {
	batch 0 '{"x\"); DROP TABLE t; --":"1","ok":"2"}' > in
	inlet-commit --db t.db --table 'we"ird; DROP TABLE x' < in > /dev/null
	run sql t.db 'SELECT "x""); DROP TABLE t; --", ok FROM "we""ird; DROP TABLE x"'
	assert_output '1|2'
}

@test "sqlite: keys with escapes are decoded into column names" {
	batch 0 '{"caf\u00e9":"1","a\"b":"2"}' > in
	inlet-commit --db t.db --table t < in > /dev/null
	run sql t.db "SELECT group_concat(name, '|') FROM pragma_table_info('t')"
	assert_output 'café|a"b'
}

@test "a batch already in the sink is skipped and reported as such" {
	mkdir ck
	batch 0 '{"a":"1"}' '{"a":"2"}' > in
	inlet-commit --checkpoint ck --db t.db --table t < in > /dev/null
	rm ck/commits/0
	run inlet-commit --checkpoint ck --db t.db --table t < in
	assert_success
	assert_line --index 0 --partial '"already_committed":true'
	assert_line --index 1 '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 2
	[ -f ck/commits/0 ]
}

@test "the mark names the checkpoint: another checkpoint's batch 0 is new" {
	batch 0 '{"a":"1"}' > in
	inlet-commit --checkpoint ck1 --db t.db --table t < in > /dev/null
	inlet-commit --checkpoint ck2 --db t.db --table t < in > /dev/null
	run sql t.db 'SELECT count(*), count(DISTINCT checkpoint_id) FROM _inlet_commits'
	assert_output '2|2'
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 2
}

@test "commits/N is written after the sink, with the batch's row count" {
	batch 3 '{"a":"1"}' '{"a":"2"}' > in
	inlet-commit --checkpoint ck --db t.db --table t < in > /dev/null
	run cat ck/commits/3
	assert_output --regexp '^\{"batch":3,"rows":2,"committed":"[0-9T:.Z-]+"\}$'
}

@test "one progress object per batch, then the COPY INTO summary" {
	{ batch 0 '{"a":"1"}'; batch 1 '{"a":"2"}' '{"a":"3"}'; } > in
	run inlet-commit --db t.db --table t < in
	assert_success
	assert_line --index 0 --regexp '^\{"batch":0,"sink":"sqlite:t.db:t","files":0,"rows":1,"inserted":1,"already_committed":false,'
	assert_line --index 1 --partial '"batch":1,'
	assert_line --index 2 '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run inlet-commit --db t.db --table t --summary-only < in
	assert_output '{"num_affected_rows":3,"num_inserted_rows":3,"num_skipped_corrupt_files":0}'
	run inlet-commit --db t.db --table t --quiet < in
	assert_output ''
}

@test "skip records count as skipped corrupt files" {
	batch 0 '{"_inlet":"skip","batch":0,"path":"/x","reason":"gone"}' '{"a":"1"}' > in
	run inlet-commit --db t.db --table t --summary-only < in
	assert_output '{"num_affected_rows":1,"num_inserted_rows":1,"num_skipped_corrupt_files":1}'
}

@test "a stream without control records is one unnumbered batch ending at EOF" {
	printf '{"a":"1"}\n{"a":"2"}\n' > in
	run inlet-commit --checkpoint ck --db t.db --table t < in
	assert_success
	assert_line --index 0 --partial '"batch":null,'
	# Nothing replays an unnumbered batch: it takes no number of the checkpoint.
	[ -z "$(ls ck/commits)" ]
	inlet-commit --checkpoint ck --db t.db --table t < in > /dev/null
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 4
}

@test "an unnumbered stream never takes the number of a pending batch" {
	mkdir land
	echo '{"a":"from-file"}' > land/f.json
	# discover writes offsets/0 ahead; the pipeline dies before commit.
	inlet-discover --checkpoint ck land > /dev/null
	[ -f ck/offsets/0 ]
	echo '{"a":"plain"}' | inlet-commit --checkpoint ck --db t.db --table t --quiet
	[ ! -f ck/commits/0 ]
	inlet-discover --checkpoint ck land | inlet-parse | inlet-commit --checkpoint ck \
		--db t.db --table t --quiet
	run sql t.db 'SELECT a FROM t ORDER BY a'
	assert_output $'from-file\nplain'
}

@test "discover --no-checkpoint batches are unnumbered: a checkpointed commit never takes them for done" {
	mkdir land
	echo '{"a":"1"}' > land/f1.json
	inlet-discover --no-checkpoint land | inlet-parse | inlet-commit --checkpoint ck \
		--db t.db --table t --quiet
	echo '{"a":"2"}' > land/f2.json
	inlet-discover --no-checkpoint land | inlet-parse | inlet-commit --checkpoint ck \
		--db t.db --table t --quiet
	# --no-checkpoint remembers nothing: f1 twice, and f2 never lost.
	run sql t.db 'SELECT a FROM t ORDER BY a'
	assert_output $'1\n1\n2'
}

@test "batches of a checkpoint need commit's --checkpoint: 64, nothing appended twice" {
	mkdir land
	echo '{"a":"1"}' > land/f.json
	inlet-discover --checkpoint ck land > batch
	run inlet-commit --db t.db --table t < batch
	assert_equal "$status" 64
	assert_output --partial "comes from checkpoint"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "batches of another checkpoint are refused with 64 naming both" {
	mkdir land
	echo '{"a":"1"}' > land/f.json
	inlet-discover --checkpoint ck1 land | inlet-parse > batch
	run inlet-commit --checkpoint ck2 --db t.db --table t < batch
	assert_equal "$status" 64
	assert_output --partial "comes from checkpoint $(jq -r .id ck1/metadata)"
	assert_output --partial "is checkpoint $(jq -r .id ck2/metadata)"
}

@test "a checkpoint of another sink is refused with 64 naming both" {
	echo '{"a":"1"}' | inlet-commit --checkpoint ck --db t.db --table t --quiet
	run inlet-commit --checkpoint ck --db t.db --table other < /dev/null
	assert_equal "$status" 64
	assert_output --partial "belongs to sink 'sqlite:$PWD/t.db:t', not 'sqlite:$PWD/t.db:other'"
	run inlet-commit --checkpoint ck --dir out < /dev/null
	assert_equal "$status" 64
}

@test "a sink deleted or emptied under a checkpoint is refused at start (65), never refilled from later batches" {
	mkdir land
	echo '{"a":"1"}' > land/f1.json
	inlet-discover --checkpoint ck land | inlet-parse | inlet-commit --checkpoint ck \
		--db t.db --table t --quiet
	[ -f ck/commits/0 ]
	rm t.db
	echo '{"a":"2"}' > land/f2.json
	touch -d '+1 minute' land/f2.json
	run bash -c 'inlet-discover --checkpoint ck land | inlet-parse | inlet-commit --checkpoint ck --db t.db --table t --quiet'
	assert_equal "$status" 65
	assert_output --partial "ck/commits/0' says batch 0 is durable in sqlite:t.db:t, but it holds no mark of it"
	run sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
	# The --dir table the same way.
	inlet-discover --checkpoint ck2 land | inlet-parse | inlet-commit --checkpoint ck2 \
		--dir out --quiet
	rm -r out
	run inlet-commit --checkpoint ck2 --dir out < /dev/null
	assert_equal "$status" 65
}

@test "a checkpoint whose metadata is gone while batches remain is refused (65)" {
	mkdir land
	echo '{"a":"1"}' > land/f.json
	inlet-discover --checkpoint ck land > /dev/null
	rm ck/metadata
	run inlet-discover --checkpoint ck land
	assert_equal "$status" 65
	assert_output --partial "ck/metadata' is missing"
	[ ! -f ck/metadata ]
}

@test "a batch whose end never arrives is not committed; exit 74" {
	{ batch 0 '{"a":"1"}'; echo '{"_inlet":"begin","batch":1}'; echo '{"a":"2"}'; } > in
	run inlet-commit --checkpoint ck --db t.db --table t < in
	assert_equal "$status" 74
	assert_output --partial "input ended inside batch 1"
	run sql t.db 'SELECT group_concat(a) FROM t'
	assert_output 1
	[ -f ck/commits/0 ]
	[ ! -f ck/commits/1 ]
}

@test "overwrite replaces the table atomically, schema included" {
	batch 0 '{"a":"1","old":"x"}' > in
	inlet-commit --db t.db --table t < in > /dev/null
	batch 0 '{"a":"2"}' '{"a":"3"}' > in2
	inlet-commit --db t.db --table t --mode overwrite < in2 > /dev/null
	run sql t.db 'SELECT group_concat(a) FROM t'
	assert_output 2,3
	run sql t.db "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'old'"
	assert_output 0
}

@test "a schema record creates typed columns" {
	{
		echo '{"_inlet":"begin","batch":0}'
		echo '{"_inlet":"schema","version":0,"fields":[{"name":"id","type":"BIGINT"},{"name":"price","type":"DECIMAL(10,2)"},{"name":"ok","type":"BOOLEAN"},{"name":"score","type":"DOUBLE"}]}'
		echo '{"id":9007199254740993,"price":"19.990","ok":true,"score":1.5}'
		echo '{"_inlet":"end","batch":0}'
	} > in
	inlet-commit --db t.db --table t < in > /dev/null
	run sql t.db "SELECT group_concat(type) FROM pragma_table_info('t')"
	assert_output 'INTEGER,TEXT,INTEGER,REAL'
	run sql t.db 'SELECT id, typeof(id), price, ok, score FROM t'
	assert_output '9007199254740993|integer|19.990|1|1.5'
}

@test "dir sink: one part file per batch and a manifest, readable with cat" {
	{ batch 0 '{"id":9007199254740993,"v":"19.990"}'; batch 1 '{"id":2}'; } > in
	run inlet-commit --checkpoint ck --dir out < in
	assert_success
	[ "$(ls out/part-* | wc -l)" -eq 2 ]
	run cat out/part-*
	assert_output $'{"id":9007199254740993,"v":"19.990"}\n{"id":2}'
	[ "$(wc -l < out/_manifest)" -eq 2 ]
	grep -q '"batch":1,"rows":1' out/_manifest
}

@test "dir sink: a replayed batch is skipped" {
	batch 0 '{"a":1}' > in
	inlet-commit --checkpoint ck --dir out < in > /dev/null
	rm ck/commits/0
	run inlet-commit --checkpoint ck --dir out < in
	assert_line --index 0 --partial '"already_committed":true'
	[ "$(cat out/part-* | wc -l)" -eq 1 ]
}

@test "dir sink: overwrite keeps only the last batch" {
	{ batch 0 '{"a":1}'; batch 1 '{"a":2}'; } > in
	inlet-commit --checkpoint ck --dir out --mode overwrite < in > /dev/null
	run cat out/part-*
	assert_output '{"a":2}'
	[ "$(wc -l < out/_manifest)" -eq 1 ]
}

@test "stdout sink: rows on stdout, progress on stderr" {
	batch 0 '{"a":1}' '{"b":2}' > in
	run --separate-stderr inlet-commit --stdout < in
	assert_success
	assert_output $'{"a":1}\n{"b":2}'
	[[ $stderr == *'"num_inserted_rows":2'* ]]
}

@test "a second commit on the same checkpoint exits 75" {
	mkdir ck
	exec 9> ck/.lock-commit
	flock 9
	run inlet-commit --checkpoint ck --db t.db --table t < /dev/null
	exec 9>&-
	assert_equal "$status" 75
	assert_output --partial "is in use"
}

@test "exactly one sink must be named" {
	run inlet-commit < /dev/null
	assert_equal "$status" 64
	run inlet-commit --db t.db < /dev/null
	assert_equal "$status" 64
	run inlet-commit --stdout --dir x < /dev/null
	assert_equal "$status" 64
}

@test "an end without its begin is an error" {
	echo '{"_inlet":"end","batch":0}' > in
	run inlet-commit --db t.db --table t < in
	assert_equal "$status" 65
}

@test "a database that cannot be created exits 73" {
	run inlet-commit --db /nonexistent/dir/t.db --table t < /dev/null
	assert_equal "$status" 73
}

@test "upsert: rows with the same key replace each other; window flattens to window_start/window_end" {
	{
		batch 0 '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"customer_id":"C1","count":1}' \
			'{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"customer_id":"C2","count":5}'
		batch 1 '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"customer_id":"C1","count":3}'
	} > in
	run inlet-commit --db t.db --table counts --mode upsert --key window_start,customer_id < in
	assert_success
	run sql t.db 'SELECT window_start, window_end, customer_id, count FROM counts ORDER BY customer_id'
	assert_output $'2024-03-01T12:00:00Z|2024-03-01T12:00:30Z|C1|3\n2024-03-01T12:00:00Z|2024-03-01T12:00:30Z|C2|5'
}

@test "upsert needs --key, and its columns must exist" {
	run inlet-commit --db t.db --table t --mode upsert < /dev/null
	assert_equal "$status" 64
	batch 0 '{"a":"1"}' > in
	run inlet-commit --db t.db --table t --mode upsert --key nope < in
	assert_equal "$status" 65
	assert_output --partial "upsert key column 'nope'"
}

@test "a schema change SQLite cannot apply is refused and nothing is committed" {
	batch 0 '{"id":"x"}' > in
	inlet-commit --db t.db --table t < in > /dev/null
	{
		echo '{"_inlet":"begin","batch":1}'
		echo '{"_inlet":"schema","version":1,"fields":[{"name":"id","type":"BIGINT"}]}'
		echo '{"id":5}'
		echo '{"_inlet":"end","batch":1}'
	} > in2
	run inlet-commit --db t.db --table t < in2
	assert_equal "$status" 65
	assert_output --partial "cannot change column 'id'"
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 1
}

# COPY INTO without mergeSchema refuses a column the table lacks
# (Databricks, COPY INTO: COPY_OPTIONS mergeSchema, default false).
@test "--no-new-columns: a column the table lacks is 65 and nothing of the batch is written; a new table takes the batch's columns" {
	batch 0 '{"a":1,"c":2}' | inlet-commit -c ck --db shop.db --table t --no-new-columns -q
	run inlet-commit -c ck --db shop.db --table t --no-new-columns -q < <(batch 1 '{"a":2}' '{"a":3,"b":4}')
	assert_failure 65
	assert_output --partial "'standard input' line 3: column 'b' is not in sqlite:shop.db:t"
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 1
	run sql shop.db "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'b'"
	assert_output 0
}

# The check that the sink still holds commits/'s newest batch comes before
# anything is done on the strength of commits/: --clean-source's queue of
# a committed batch is not cleaned when the sink turns out to be lost, so
# the files are still there to load again (inlet-commit(1): "restore it,
# or start a new checkpoint to load everything again").
@test "a sink lost under a checkpoint: the start refuses it (65) before --clean-source deletes the queued files of committed batches" {
	mkdir land
	echo '{"a":"1"}' > land/f1.json
	INLET_CRASH_AT=commit-after-mark run bash -c 'inlet-discover --checkpoint ck land | inlet-parse | inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0'
	assert_failure
	[ -f ck/commits/0 ]
	grep -q "\"batch\":0,\"path\":\"$PWD/land/f1.json\"" ck/clean-pending
	[ -f land/f1.json ]
	mkdir kept && mv t.db* kept/
	run inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0 < /dev/null
	assert_equal "$status" 65
	assert_output --partial "ck/commits/0' says batch 0 is durable in sqlite:t.db:t, but it holds no mark of it"
	[ -f land/f1.json ]
	grep -q "\"batch\":0,\"path\":\"$PWD/land/f1.json\"" ck/clean-pending
	# The sink restored, the start cleans what the crash left queued.
	rm -f t.db*
	mv kept/* .
	run inlet-commit --checkpoint ck --db t.db --table t --quiet --clean-source delete --clean-retention 0 < /dev/null
	assert_success
	[ ! -e land/f1.json ]
	[ ! -e ck/clean-pending ]
}

# A batch fed again by hand after it was marked: the sink holds it (nothing
# written twice) and commits/N keeps saying when the sink took it and how
# many rows it had, not the second stream's time and count.
@test "a marked batch fed again by hand leaves its commits/N as it was" {
	batch 0 '{"a":1}' '{"a":2}' > s
	inlet-commit --checkpoint ck --db t.db --table t --quiet < s
	cp ck/commits/0 mark0
	sleep 0.01
	batch 0 '{"a":1}' > s2
	run inlet-commit --checkpoint ck --db t.db --table t < s2
	assert_success
	assert_output --partial '"already_committed":true'
	cmp ck/commits/0 mark0
	run sql t.db 'SELECT count(*) FROM t'
	assert_output 2
}

@test "a stop between batches: at once when caught; ignored at start (as a composite starts commit), the batch still on its way is committed" {
	mkfifo in
	# Both caught: the stop ends the run before a batch reaches commit.
	env --default-signal=INT inlet-commit --db t.db --table t --quiet < in 2> err &
	pid=$!
	exec 6> in
	wait_until 10 catches "$pid" 2 inlet-commit || fail "inlet-commit never set its handler: $(cat err)"
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 6>&-
	assert_equal "$rc" 0
	[ ! -e t.db ] || [ "$(sql t.db "SELECT count(*) FROM sqlite_master WHERE name = 't'")" = 0 ]
	# SIGTERM ignored at start stays ignored: commit reads on to the end of
	# its input and commits the batch that came after the stop.
	bash -c "trap '' TERM; exec env --default-signal=INT inlet-commit --db t.db --table t --quiet" < in 2> err &
	pid=$!
	exec 6> in
	wait_until 10 catches "$pid" 2 inlet-commit || fail "inlet-commit never set its handler: $(cat err)"
	signal_masks "$pid" 15
	assert_equal "$sig_ignored" 1
	kill -TERM "$pid"
	batch 0 '{"a":"1"}' '{"a":"2"}' >&6
	exec 6>&-
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	run sql t.db 'SELECT group_concat(a) FROM t'
	assert_output 1,2
}
