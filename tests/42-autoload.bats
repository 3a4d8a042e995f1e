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
	inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.schemaEvolutionMode=failOnNewColumns --quiet land
	# A column that arrives after the first start is new to the stored schema.
	echo '{"order_id":"O2","new_col":1}' > land/b.json
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
	# Running, a batch committed: this one is a stop mid-stream (the first
	# moments are tests/44's).
	wait_until 20 test -e ck/commits/0
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
	wait_until 20 test -e ck/commits/0
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
		-o cloudFiles.cleanSource=MOVE -o cloudFiles.cleanSource.moveDestination=archive \
		-o "cloudFiles.cleanSource.retentionDuration=0 seconds" --quiet land
	assert_success
	[ ! -e land/a.json ]
	[ -f "archive$PWD/land/a.json" ]
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.cleanSource=MOVE land
	assert_equal "$status" 64
}

# Spark's JSON inference types JSON numbers, not JSON strings: n is a number.
# The sample is the first file only (sampleSize.numFiles=1), so b.json's "x"
# does not widen n to STRING and goes to badRecordsPath.
@test "autoload: badRecordsPath, multiLine and inferSchema carry over" {
	mkdir land
	printf '[{"id":"1","n":7},\n {"id":"2","n":8}]\n' > land/a.json
	printf '{"id":"3","n":"x"}\n' > land/b.json
	touch -d '+1 min' land/b.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.maxFilesPerTrigger=1 -o multiLine=true -o cloudFiles.schemaLocation=ck -o inferSchema=true \
		-o cloudFiles.schemaInference.sampleSize.numFiles=1 -o badRecordsPath=bad -o cloudFiles.useIncrementalListing=auto --quiet land
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

# Databricks, "Configure schema inference and evolution in Auto Loader":
# inference at the first start samples up to
# cloudFiles.schemaInference.sampleSize.numFiles files (default 1000) among
# all those found, not only the first micro-batch.  Found: with
# maxFilesPerTrigger=1, {"a":1} then {"a":1.5} inferred BIGINT and rescued 1.5.
@test "autoload: the first start infers from every file found, not the first batch" {
	mkdir land
	echo '{"a":1}' > land/1.json
	echo '{"a":1.5}' > land/2.json
	touch -d '+1 min' land/2.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true \
		-o cloudFiles.maxFilesPerTrigger=1 --quiet land
	assert_success
	run sql shop.db 'SELECT a, typeof(a), _rescued_data IS NULL FROM t ORDER BY a'
	assert_output $'1.0|real|1\n1.5|real|1'
	run ls ck/schemas
	assert_output 0
	# A later start keeps the stored version: the sample is taken once.
	echo '{"a":"x"}' > land/3.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true --quiet land
	assert_success
	run ls ck/schemas
	assert_output 0
	run sql shop.db "SELECT _rescued_data FROM t WHERE a IS NULL"
	assert_output --partial '"a":"x"'
}

# The sample is read for inference only: nothing is marked seen by it, and
# a bad record in it reaches badRecordsPath once, from the pipeline.
@test "autoload: the inference pass marks nothing and writes no bad record" {
	mkdir land
	printf '{"a":1}\n{"a":\n' > land/1.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true \
		-o badRecordsPath=bad --quiet land
	assert_success
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 1
	run bash -c 'cat bad/*/bad_records/part-* | wc -l'
	assert_output 1
}

# Databricks: "By default, Auto Loader schema inference ... infers all
# columns as strings (including nested fields in JSON files)" unless
# cloudFiles.inferColumnTypes; the text stays exact.
@test "autoload: without inferColumnTypes every JSON column is STRING, its text exact" {
	mkdir land
	echo '{"n":7,"x":1.50,"b":true,"s":"02134"}' > land/1.json
	echo '{"n":12,"x":2,"b":false,"s":"x"}' > land/2.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck --quiet land
	assert_success
	run cat ck/schemas/0
	assert_output '{"_inlet":"schema","version":0,"fields":[{"name":"n","type":"STRING"},{"name":"x","type":"STRING"},{"name":"b","type":"STRING"},{"name":"s","type":"STRING"},{"name":"_rescued_data","type":"JSON"}]}'
	run sql shop.db 'SELECT x, typeof(x), b, s FROM t ORDER BY s'
	assert_output $'1.50|text|true|02134\n2|text|false|x'
}

# cloudFiles.includeExistingFiles=false: the files already there are not
# processed, so they are not sampled either; the first batch is inferred.
@test "autoload: includeExistingFiles=false samples nothing at the first start" {
	mkdir land
	echo '{"a":"old"}' > land/1.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true \
		-o cloudFiles.includeExistingFiles=false --quiet land
	assert_success
	[ ! -e ck/schemas/0 ]
	echo '{"a":5}' > land/2.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true \
		-o cloudFiles.includeExistingFiles=false --quiet land
	assert_success
	run sql shop.db 'SELECT a, typeof(a) FROM t'
	assert_output '5|integer'
}

# The notebook keeps its schemas in a folder of their own
# (cloudFiles.schemaLocation away from checkpointLocation); inlet status on
# the checkpoint shows their version.  Found: -1.
@test "autoload: a schema location of its own is recorded for inlet status" {
	orders land/a.json O1
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=schemas/orders --quiet land
	assert_success
	run inlet status ck --json
	assert_success
	run jq -r .schema_version <<<"$output"
	assert_output 0
}

# One landing zone, N workers: --shard K/N takes each file in exactly one
# shard (inlet-discover --shard), each with its own checkpoint.
@test "autoload --shard: two workers load every file once into one table" {
	for i in $(seq 1 20); do orders "land/f$i.json" "O$i"; done
	run inlet autoload -c ck0 --db shop.db --table t --shard 0/2 --quiet land
	assert_success
	run inlet autoload -c ck1 --db shop.db --table t --shard 1/2 --quiet land
	assert_success
	run sql shop.db 'SELECT count(*), count(DISTINCT order_id) FROM t'
	assert_output '20|20'
	run inlet autoload -c ck2 --db shop.db --table t --shard 2/2 --quiet land
	assert_failure 64
}

# Spark's JSON inference options (DataFrameReader.json: prefersDecimal,
# dropFieldIfAllNull) through -o, as a Databricks user passes them.
@test "autoload -o prefersDecimal and dropFieldIfAllNull reach inference" {
	mkdir land
	echo '{"a":1.50,"n":null}' > land/1.json
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck -o cloudFiles.inferColumnTypes=true \
		-o prefersDecimal=true -o dropFieldIfAllNull=true --quiet land
	assert_success
	run cat ck/schemas/0
	assert_output '{"_inlet":"schema","version":0,"fields":[{"name":"a","type":"DECIMAL(3,2)"},{"name":"_rescued_data","type":"JSON"}]}'
	run inlet autoload -c ck2 --db shop.db --table t2 -o prefersDecimal=maybe land
	assert_failure 64
}
