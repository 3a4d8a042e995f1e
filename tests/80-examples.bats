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
		"== COPY INTO customers_batch FROM batch_source/day1" \
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
	assert_line '   ok: orders_autoloader source files (distinct _metadata.file_path): 4'
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
