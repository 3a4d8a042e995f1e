#!/usr/bin/env bats
# examples/: the gen-shop data generator and the e-commerce demo
# (make -C examples demo), run against a temporary output folder.
load helpers

GEN=$INLET_ROOT/examples/gen-shop
HEADER=customer_id,first_name,last_name,email,phone,city,state,country,registration_date,customer_segment

# gen DIR: a small data set.
gen() {
	"$GEN" --customers 50 --orders 500 --order-files 5 --days 3 "$1"
}

@test "gen-shop: two runs into two folders give identical files" {
	run gen a
	assert_success
	run gen b
	assert_success
	diff -r a b
	for f in $(cd a && find . -type f); do
		cmp "a/$f" "b/$f"
	done
	# a different seed gives different data
	"$GEN" --customers 50 --orders 500 --order-files 5 --days 3 --seed 7 c
	run cmp -s a/customers/customers.csv c/customers/customers.csv
	assert_failure
}

@test "gen-shop: the same bytes on every machine (pinned checksum)" {
	gen a
	run bash -c 'cd a && find . -type f | LC_ALL=C sort | xargs cat | cksum'
	assert_output '3062385606 121992'
}

@test "gen-shop: the folder layout the notebook uses" {
	gen a
	run bash -c 'cd a && find . -type f | LC_ALL=C sort'
	assert_output "./batch_source/day1/part-00000.csv
./batch_source/day2/part-00000.csv
./batch_source/day3/part-00000.csv
./customers/customers.csv
./stream_source/batch_01/part-00000.json
./stream_source/batch_02/part-00000.json
./stream_source/batch_03/part-00000.json
./stream_source/batch_04/part-00000.json
./stream_source/batch_05/part-00000.json"
}

@test "gen-shop: CSV header is exact, days split the customers exactly once" {
	gen a
	for f in a/customers/customers.csv a/batch_source/day*/part-00000.csv; do
		[ "$(head -n 1 "$f")" = "$HEADER" ]
	done
	[ "$(tail -n +2 a/customers/customers.csv | wc -l)" -eq 50 ]
	# every customer in exactly one day, ids C00001..C00050
	diff <(tail -q -n +2 a/batch_source/day*/part-00000.csv | sort) \
		<(tail -n +2 a/customers/customers.csv | sort)
	[ "$(tail -n +2 a/customers/customers.csv | cut -d, -f1 | sort -u | wc -l)" -eq 50 ]
	[ "$(sed -n 2p a/customers/customers.csv | cut -d, -f1)" = C00001 ]
	# a quoted field with a comma inside, and ISO dates
	grep -q ',"Washington, D.C.",' a/customers/customers.csv
	run grep -cvE ',[0-9]{4}-[0-9]{2}-[0-9]{2},[A-Za-z]+$' a/customers/customers.csv
	assert_output 1 # only the header
}

@test "gen-shop: CTAS reads customers.csv back field for field" {
	gen a
	run inlet ctas --db t.db --table c --format csv a/customers/customers.csv
	assert_success
	assert_output '{"num_affected_rows":50,"num_inserted_rows":50,"num_skipped_corrupt_files":0}'
	[ "$(sql t.db "SELECT count(*) FROM c WHERE city = 'Washington, D.C.' AND state = 'DC'")" -gt 0 ]
}

@test "gen-shop: order lines are JSON objects with the listed keys" {
	command -v jq >/dev/null || skip "jq not installed"
	gen a
	cat a/stream_source/batch_*/part-00000.json > all.json
	[ "$(wc -l < all.json)" -eq 500 ]
	# 100 orders in each of the 5 files
	for f in a/stream_source/batch_*/part-00000.json; do [ "$(wc -l < "$f")" -eq 100 ]; done
	run jq -e -s 'all(.[];
		type == "object"
		and keys_unsorted == ["order_id","customer_id","order_timestamp","total_amount",
			"quantity","payment_method","status","product_id","campaign_id"]
		and (.order_id | type) == "string"
		and (.customer_id | test("^C[0-9]{5}$"))
		and (.order_timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))
		and (.total_amount | type) == "number"
		and (.quantity | type) == "number" and .quantity == (.quantity | floor)
		and (.payment_method | type) == "string"
		and (.status | type) == "string"
		and (.product_id | type) == "string"
		and (.campaign_id == null or (.campaign_id | type) == "string"))' all.json
	assert_success
	# some orders without a campaign, most with one
	nulls=$(jq -s 'map(select(.campaign_id == null)) | length' all.json)
	[ "$nulls" -gt 0 ]
	[ "$nulls" -lt 500 ]
	# order ids unique; timestamps strictly increasing across the files
	[ "$(jq -r .order_id all.json | sort -u | wc -l)" -eq 500 ]
	jq -r .order_timestamp all.json | LC_ALL=C sort -c -u
	# customers exist in customers.csv
	jq -r .customer_id all.json | sort -u > ids
	[ -z "$(comm -23 ids <(tail -n +2 a/customers/customers.csv | cut -d, -f1 | sort))" ]
}

@test "gen-shop: total_amount keeps two decimals as text (129.90, not 129.9)" {
	gen a
	cat a/stream_source/batch_*/part-00000.json > all.json
	run grep -cvE '"total_amount":[0-9]+\.[0-9]{2},' all.json
	assert_output 0
	grep -qE '"total_amount":[0-9]+\.[0-9]0,' all.json
}

@test "gen-shop: usage errors and --help" {
	run "$GEN" --help
	assert_success
	assert_output --partial 'usage: gen-shop'
	run "$GEN"
	[ "$status" -eq 64 ]
	run "$GEN" --orders many out
	[ "$status" -eq 64 ]
	assert_output --partial 'not a whole number'
	run "$GEN" --days 0 out
	[ "$status" -eq 64 ]
	run "$GEN" --bogus out
	[ "$status" -eq 64 ]
	[ ! -e out ]
}

@test "gen-shop: a million orders in a few seconds" {
	SECONDS=0
	run "$GEN" --orders 1000000 big
	assert_success
	elapsed=$SECONDS
	[ "$(cat big/stream_source/*/part-00000.json | wc -l)" -eq 1000000 ]
	[ "$(tail -n 1 big/stream_source/batch_10/part-00000.json | cut -c1-25)" = '{"order_id":"ORD1000000",' ]
	[ "$elapsed" -le 30 ] || fail "took ${elapsed}s"
}

# demo ARGS...: the example's flow into $BATS_TEST_TMPDIR/out, small sizes.
demo() {
	run make -s -C "$INLET_ROOT/examples" demo OUT="$BATS_TEST_TMPDIR/out" BIN="$INLET_BIN" \
		CUSTOMERS=40 ORDERS=300 ORDER_FILES=4 DAYS=4 "$@"
}

@test "make demo: the notebook's flow loads every row once and says so" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	demo
	assert_success
	for h in "== CTAS customer_cts " "== CTAS customer_cts_copy " \
		"== COPY INTO customers_batch FROM (SELECT ..., TO_DATE(registration_date, 'yyyy-MM-dd'), current_timestamp() AS _ingestion_timestamp FROM batch_source/day1)" \
		"== COPY INTO customers_batch again" \
		"== day2's customers arrive as day6" "== day3..day4 arrive" \
		"== Auto Loader, trigger available-now: batch_01" \
		"== batch_02 arrives" "== batch_03..batch_04 arrive" "== Summary"; do
		assert_output --partial "$h"
	done
	assert_output --partial '{"num_affected_rows":40,"num_inserted_rows":40,"num_skipped_corrupt_files":0}'
	assert_output --partial '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	assert_line --regexp '^ +customer_cts +40 rows$'
	assert_line --regexp '^ +customer_cts_copy +40 rows$'
	assert_line --regexp '^ +customers_batch +40 rows$'
	assert_line --regexp '^ +orders_autoloader +300 rows$'
	assert_line '   ok: orders_autoloader source files (distinct _source_file): 4'
	refute_output --partial FAILED
	assert_line 'demo: all counts match'

	db=$BATS_TEST_TMPDIR/out/shop.db
	[ "$(sql "$db" 'SELECT count(*), count(DISTINCT customer_id) FROM customers_batch')" = '40|40' ]
	[ "$(sql "$db" 'SELECT count(*), count(DISTINCT order_id) FROM orders_autoloader')" = '300|300' ]
	# day2's customers sit in day6, as in the notebook
	[ -d "$BATS_TEST_TMPDIR/out/data/batch_source/day6" ]
	[ ! -e "$BATS_TEST_TMPDIR/out/data/batch_source/day2" ]
	# the order amounts arrived as text, trailing zeros kept
	diff <(sql "$db" 'SELECT total_amount FROM orders_autoloader ORDER BY order_id') \
		<(cat "$BATS_TEST_TMPDIR"/out/data/stream_source/batch_*/part-00000.json |
			sed 's/.*"total_amount":\([^,]*\),.*/\1/')
}

# printed CMD: the last "$ inlet CMD ..." the demo printed (in $output),
# its continuation lines included, as a script.
printed() {
	awk -v cmd="\$ inlet $1 " '
		index($0, cmd) == 1 { s = ""; on = 1 }
		on { l = $0; if (index(l, "$ ") == 1) l = substr(l, 3); s = s l "\n"
		     if ($0 !~ /\\$/) { on = 0; last = s } }
		END { printf "%s", last }' <<<"$output"
}

@test "make demo: the printed commands are the composites, and run again as printed" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	demo
	assert_success
	# no raw pipeline: each cell is one command a notebook user would write
	refute_output --partial '$ inlet discover'
	refute_output --partial '| inlet '
	ctas=$(printed 'ctas --db shop.db --table customer_cts --format')
	copy=$(printed copy-into)
	auto=$(printed autoload)
	[ -n "$ctas" ] && [ -n "$copy" ] && [ -n "$auto" ]
	[[ $ctas == *"--schema '"*"registration_date DATE"* ]]
	[[ $copy == *"registration_date DATE"*"_ingestion_timestamp TIMESTAMP"* ]]
	[[ $copy == *"--date-format yyyy-MM-dd"* ]]
	[[ $copy == *'_ingestion_timestamp: $__batch.time}'* ]]
	[[ $auto == *"-o cloudFiles.inferColumnTypes=true"* ]]
	[[ $auto == *'_processing_time: $__batch.time'* ]]
	[[ $auto == *'_source_file: ._metadata.file_path'* ]]
	db=$BATS_TEST_TMPDIR/out/shop.db
	before=$(sql "$db" 'SELECT (SELECT count(*) FROM customers_batch), (SELECT count(*) FROM orders_autoloader)')
	[ "$before" = '40|300' ]
	# COPY INTO and Auto Loader, run again as printed, load nothing.
	cd "$BATS_TEST_TMPDIR/out"
	run bash -c "$copy"
	assert_success
	assert_output '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	run bash -c "$auto"
	assert_success
	assert_output '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	[ "$(sql "$db" 'SELECT (SELECT count(*) FROM customers_batch), (SELECT count(*) FROM orders_autoloader)')" = "$before" ]
	# A new order file is loaded by the printed command, once.
	mkdir data/stream_source/batch_99
	printf '{"order_id":"ORDX","customer_id":"C00001","order_timestamp":"2024-03-09T00:00:00Z","total_amount":12.10,"quantity":2,"payment_method":"cash","status":"pending","product_id":"P1","campaign_id":null}\n' \
		> data/stream_source/batch_99/part-00000.json
	run bash -c "$auto"
	assert_success
	assert_line '{"num_affected_rows":1,"num_inserted_rows":1,"num_skipped_corrupt_files":0}'
	[ "$(sql "$db" "SELECT total_amount, typeof(quantity), _source_file LIKE '%/batch_99/part-00000.json' FROM orders_autoloader WHERE order_id = 'ORDX'")" = '12.10|integer|1' ]
	# CTAS, run again as printed, replaces the table: the same 40 rows.
	run bash -c "$ctas"
	assert_success
	assert_output '{"num_affected_rows":40,"num_inserted_rows":40,"num_skipped_corrupt_files":0}'
	[ "$(sql "$db" 'SELECT count(*) FROM customer_cts')" = 40 ]
}

@test "make demo: the tables have the notebook's columns and types" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	demo
	assert_success
	out=$BATS_TEST_TMPDIR/out
	db=$out/shop.db
	cols() { sql "$db" "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('$1')"; }
	customers='customer_id TEXT, first_name TEXT, last_name TEXT, email TEXT, phone TEXT, city TEXT, state TEXT, country TEXT, registration_date TEXT, customer_segment TEXT'
	[ "$(cols customer_cts)" = "$customers" ]
	[ "$(cols customer_cts_copy)" = "$customers" ]
	# the notebook's CREATE TABLE customers_batch, DATE and TIMESTAMP as text
	[ "$(cols customers_batch)" = "$customers, _ingestion_timestamp TEXT" ]
	# The Auto Loader cell's columns: inferred, with _rescued_data, the two
	# withColumn columns, and no _metadata (Spark hides it unless selected).
	[ "$(cols orders_autoloader)" = 'order_id TEXT, customer_id TEXT, order_timestamp TEXT, total_amount TEXT, quantity INTEGER, payment_method TEXT, status TEXT, product_id TEXT, campaign_id TEXT, _rescued_data TEXT, _processing_time TEXT, _source_file TEXT' ]
	# the schema the first start inferred, kept in the schema location
	grep -q '{"name":"total_amount","type":"DECIMAL(10,2)"},{"name":"quantity","type":"BIGINT"}' \
		"$out/checkpoints/orders_autoloader/schemas/0"
	# registration_date: a DATE in ISO text, the source's date, in every row
	for t in customer_cts customers_batch; do
		[ "$(sql "$db" "SELECT count(*) FROM $t WHERE typeof(registration_date) = 'text' AND date(registration_date) = registration_date")" = 40 ]
	done
	diff <(sql "$db" "SELECT customer_id || ',' || registration_date FROM customers_batch ORDER BY 1") \
		<(awk -F, 'FNR > 1 { print $1 "," $(NF - 1) }' "$out"/data/batch_source/*/*.csv | sort)
	# one _ingestion_timestamp per COPY INTO that loaded rows (day1, day6,
	# day3..day4), ISO-8601 UTC
	[ "$(sql "$db" "SELECT count(DISTINCT _ingestion_timestamp) FROM customers_batch WHERE _ingestion_timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'")" = 3 ]
	[ "$(sql "$db" 'SELECT count(*) FROM customers_batch WHERE _ingestion_timestamp IS NULL')" = 0 ]
	# total_amount keeps its exact text (129.90, not 129.9); quantity is an integer
	[ "$(sql "$db" "SELECT count(*) FROM orders_autoloader WHERE typeof(total_amount) = 'text' AND typeof(quantity) = 'integer'")" = 300 ]
	[ "$(sql "$db" "SELECT count(*) FROM orders_autoloader WHERE total_amount GLOB '*.[0-9]0'")" -gt 0 ]
	# one _processing_time per micro-batch: one file each
	[ "$(sql "$db" 'SELECT count(DISTINCT _processing_time), count(DISTINCT _source_file), count(DISTINCT _source_file || _processing_time) FROM orders_autoloader')" = '4|4|4' ]
	# the demo says so
	assert_line --regexp '^   ok: orders_autoloader total_amount: TEXT column, .*: TEXT same$'
	assert_line '   ok: customers_batch distinct _ingestion_timestamp = COPY INTO runs that loaded rows: 3'
}

@test "make demo: total_amount stored as a number fails the demo" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	# The same binaries, but inlet-autoload drops the schema hint, so
	# total_amount is inferred DOUBLE and stored as REAL (129.9).
	mkdir fake
	cp "$INLET_BIN/inlet" fake/
	for f in "$INLET_BIN"/inlet-*; do ln -s "$f" fake/; done
	rm fake/inlet-autoload
	cat > fake/inlet-autoload <<-EOF
	#!/bin/bash
	args=()
	for a in "\$@"; do
		case \$a in cloudFiles.schemaHints=*) unset 'args[\${#args[@]}-1]' ;; *) args+=("\$a") ;; esac
	done
	exec "$INLET_BIN/inlet-autoload" "\${args[@]}"
	EOF
	chmod +x fake/inlet-autoload
	demo BIN="$PWD/fake"
	assert_failure
	assert_line --regexp '^   FAILED: type of total_amount \(the hint\): got DOUBLE, expected DECIMAL\(10,2\)$'
	assert_line --regexp '^   FAILED: orders_autoloader total_amount: TEXT column, .*: got REAL [0-9]+ lines differ, expected TEXT same$'
	refute_line 'demo: all counts match'
}

@test "make demo: a rerun starts from scratch and gives the same counts" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	demo
	assert_success
	demo
	assert_success
	assert_line --regexp '^ +orders_autoloader +300 rows$'
	assert_line 'demo: all counts match'
	run make -s -C "$INLET_ROOT/examples" clean OUT="$BATS_TEST_TMPDIR/out"
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "make demo: a count that does not match fails the demo" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	# The same binaries, but inlet-ctas loses a row of customer_cts.
	mkdir fake
	cp "$INLET_BIN/inlet" fake/
	for f in "$INLET_BIN"/inlet-*; do ln -s "$f" fake/; done
	rm fake/inlet-ctas
	cat > fake/inlet-ctas <<-EOF
	#!/bin/bash
	"$INLET_BIN/inlet-ctas" "\$@" || exit
	[ "\$4" != customer_cts ] || sqlite3 "\$2" 'DELETE FROM customer_cts WHERE rowid = 1'
	EOF
	chmod +x fake/inlet-ctas
	demo BIN="$PWD/fake"
	assert_failure
	assert_line '   FAILED: customer_cts rows = customers.csv rows: got 39, expected 40'
	refute_line 'demo: all counts match'
}
