#!/usr/bin/env bats
# inlet autoload: Databricks option names over the whole pipeline.
load helpers

orders() {	# orders FILE ID...: one order per id
	local f=$1; shift
	mkdir -p "$(dirname "$f")"
	for id in "$@"; do echo "{\"order_id\":\"$id\",\"total_amount\":1.50}"; done > "$f"
}

@test "autoload: the notebook's readStream options load every file once" {
	orders land/batch_01/part-0.json O1 O2
	run inlet autoload --checkpoint ck --db shop.db --table orders_autoloader \
		-o cloudFiles.format=json -o cloudFiles.schemaLocation=ck \
		-o cloudFiles.inferColumnTypes=true -o cloudFiles.schemaEvolutionMode=addNewColumns \
		--map '. + {_source_file: ._metadata.file_path}' --quiet land
	assert_success
	orders land/batch_02/part-0.json O3
	inlet autoload --checkpoint ck --db shop.db --table orders_autoloader \
		-o cloudFiles.format=json -o cloudFiles.schemaLocation=ck --quiet \
		--map '. + {_source_file: ._metadata.file_path}' land
	run sql shop.db 'SELECT count(*), count(DISTINCT _source_file), typeof(total_amount) FROM orders_autoloader'
	assert_output '3|2|real'
	[ -f ck/schemas/0 ]
}

@test "autoload: maxFilesPerTrigger makes batches; option names are case-insensitive" {
	for i in 1 2 3; do orders "land/f$i.json" "O$i"; done
	run inlet autoload -c ck --db shop.db --table t -o CLOUDFILES.FORMAT=json \
		-o cloudFiles.maxFilesPerTrigger=1 land
	assert_success
	[ "$(grep -c '"batch":' <<<"$output")" -eq 3 ]
}

@test "autoload: CSV options header and sep, and pathGlobFilter" {
	mkdir land
	printf 'a;b\n1;2\n' > land/x.csv
	printf 'a;b\n3;4\n' > land/y.txt
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=csv \
		-o header=true -o sep=';' -o pathGlobFilter='*.csv' --quiet land
	assert_success
	run sql shop.db 'SELECT a, b FROM t'
	assert_output '1|2'
}

@test "autoload: an unknown or unsupported option is an error naming it" {
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.queueName=q land
	assert_equal "$status" 64
	assert_output --partial "'cloudFiles.queueName'"
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=parquet land
	assert_equal "$status" 64
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.useNotifications=true land
	assert_equal "$status" 64
	assert_output --partial "--trigger watch"
	run inlet autoload -c ck --db shop.db --table t --trigger sometimes land
	assert_equal "$status" 64
	run inlet autoload --db shop.db --table t land
	assert_equal "$status" 64
}

@test "autoload: the first stage that fails gives the exit status" {
	orders land/a.json O1
	echo '{"order_id":"O2","new_col":1}' > land/b.json
	touch -d '+1 min' land/b.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.schemaEvolutionMode=failOnNewColumns \
		-o cloudFiles.maxFilesPerTrigger=1 --quiet land
	assert_equal "$status" 65
	assert_output --partial "new column 'new_col' in '$PWD/land/b.json' record 1"
	run sql shop.db 'SELECT order_id FROM t'
	assert_output O1
}

@test "autoload: SIGTERM stops a running stream cleanly; a restart loses and doubles nothing" {
	for i in $(seq 1 20); do orders "land/f$i.json" "O$i"; done
	inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		--trigger every:50ms --quiet land 3>&- &
	pid=$!
	sleep 0.5
	for i in $(seq 21 30); do orders "land/f$i.json" "O$i"; done
	sleep 0.2
	kill -TERM "$pid"
	wait "$pid"
	inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json --quiet land
	run sql shop.db 'SELECT count(*), count(DISTINCT order_id) FROM t'
	assert_output '30|30'
}

@test "autoload: SIGTERM to the whole process group stops every stage cleanly with 0" {
	for i in $(seq 1 10); do orders "land/f$i.json" "O$i"; done
	# setsid: autoload leads a process group of its own, as under a
	# service manager or a terminal's Ctrl-C.  Without a schema location
	# there is no rescue stage, and no stand-in process to die either.
	setsid inlet-autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		--trigger every:50ms --quiet land 3>&- &
	pid=$!
	sleep 0.5
	for i in $(seq 11 20); do orders "land/f$i.json" "O$i"; done
	sleep 0.3
	kill -TERM -- "-$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	[ -z "$(pgrep -g "$pid" || true)" ]
	inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json --quiet land
	run sql shop.db 'SELECT count(*), count(DISTINCT order_id) FROM t'
	assert_output '20|20'
}

@test "autoload: cleanSource=MOVE moves committed files" {
	orders land/a.json O1
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.cleanSource=MOVE -o cloudFiles.cleanSource.moveDestination=archive --quiet land
	assert_success
	[ ! -e land/a.json ]
	[ -f "archive$PWD/land/a.json" ]
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.cleanSource=MOVE land
	assert_equal "$status" 64
}

# Spark's JSON inference types JSON numbers, not JSON strings: n is a number.
@test "autoload: badRecordsPath, multiLine and inferSchema carry over" {
	mkdir land
	printf '[{"id":"1","n":7},\n {"id":"2","n":8}]\n' > land/a.json
	printf '{"id":"3","n":"x"}\n' > land/b.json
	touch -d '+1 min' land/b.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.maxFilesPerTrigger=1 -o multiLine=true -o cloudFiles.schemaLocation=ck -o inferSchema=true \
		-o badRecordsPath=bad -o cloudFiles.useIncrementalListing=auto --quiet land
	assert_success
	run sql shop.db 'SELECT id, n, typeof(n) FROM t ORDER BY id'
	assert_output $'1|7|integer\n2|8|integer'
	run cat bad/*/bad_records/part-*
	assert_output --partial 'b.json'
}

# Databricks' modifiedAfter / modifiedBefore (generic file source options,
# also taken with the cloudFiles. prefix) reach discover.
@test "autoload: -o modifiedAfter and cloudFiles.modifiedBefore take only files in the range" {
	mkdir -p land
	echo '{"id":1}' > land/old.json
	echo '{"id":2}' > land/mid.json
	echo '{"id":3}' > land/new.json
	touch -d '2024-01-01T00:00:00Z' land/old.json
	touch -d '2024-06-01T00:00:00Z' land/mid.json
	touch -d '2025-01-01T00:00:00Z' land/new.json
	run inlet-autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o 'modifiedAfter=2024-03-01 00:00:00.000000 UTC+0' \
		-o cloudFiles.modifiedBefore=2024-09-01T00:00:00Z --quiet land
	assert_success
	run sql shop.db 'SELECT id FROM t'
	assert_output 2
	run inlet-autoload -c ck2 --db shop.db --table t2 -o cloudFiles.format=json \
		-o modifiedAfter=soon --quiet land
	assert_failure 64
	assert_output --partial "modifiedAfter=soon"
	[ ! -e shop.db ] || [ -z "$(sql shop.db "SELECT name FROM sqlite_master WHERE name = 't2'")" ]
}
