#!/usr/bin/env bats
# Schema evolution through the whole pipeline, into SQLite.
load helpers

# day N ROW...: one file per batch, mtimes in order.
day() {
	local n=$1; shift
	mkdir -p land
	printf '%s\n' "$@" > "land/b$n.json"
	touch -d "2024-01-01 00:00:0$n" "land/b$n.json"
}

pipeline() {	# pipeline MODE
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land \
		| inlet-parse --format json \
		| inlet-rescue --schema-location ck --schema-evolution-mode "$1" --quiet \
		| inlet-cast \
		| inlet-commit --checkpoint ck --db shop.db --table orders --quiet
}

@test "add-new-columns: batch 3 adds a column to schemas/1 and the table; nothing restarts or is lost" {
	day 0 '{"id":1,"amt":1.50}'
	day 1 '{"id":2,"amt":2.50}'
	day 2 '{"id":3,"amt":3.50}'
	day 3 '{"id":4,"amt":4.50,"coupon":"SAVE"}'
	run pipeline add-new-columns
	assert_success
	grep -q '"coupon"' ck/schemas/1
	run sql shop.db 'SELECT id, amt, coalesce(coupon, "null") FROM orders ORDER BY id'
	assert_output $'1|1.5|null\n2|2.5|null\n3|3.5|null\n4|4.5|SAVE'
	run sql shop.db "SELECT type FROM pragma_table_info('orders') WHERE name = 'id'"
	assert_output INTEGER
}

@test "fail-on-new-columns: exit 65, batches 0-2 committed, a rerun with the column continues" {
	day 0 '{"id":1}'
	day 1 '{"id":2}'
	day 2 '{"id":3}'
	day 3 '{"id":4,"coupon":"SAVE"}'
	run bash -c 'inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json | inlet-rescue --schema-location ck --schema-evolution-mode fail-on-new-columns | inlet-commit --checkpoint ck --db shop.db --table orders --quiet; echo "status ${PIPESTATUS[*]}"'
	assert_output --partial "new column 'coupon'"
	assert_output --partial "status 0 0 65 74"
	run sql shop.db 'SELECT group_concat(id) FROM orders'
	assert_output 1,2,3
	inlet-discover --checkpoint ck --max-files-per-trigger 1 land | inlet-parse --format json \
		| inlet-rescue --schema-location ck --schema-evolution-mode fail-on-new-columns --schema-hints 'coupon STRING' \
		| inlet-commit --checkpoint ck --db shop.db --table orders --quiet
	run sql shop.db 'SELECT group_concat(id), group_concat(coupon) FROM orders'
	assert_output '1,2,3,4|SAVE'
}

@test "the notebook's rescue cell over several order files" {
	day 0 '{"order_id":"O1","customer_id":"C1","total_amount":10.5,"status":"new"}'
	day 1 '{"order_id":99999,"total_amount":"INVALID_NUMBER","new_col":"surprise"}'
	inlet-discover --checkpoint ck land | inlet-parse --format json \
		| inlet-rescue --schema-location ck --schema 'order_id STRING, customer_id STRING, total_amount DOUBLE' --schema-evolution-mode rescue --quiet \
		| inlet-cast --quiet \
		| inlet-commit --checkpoint ck --db shop.db --table orders_rescued --quiet
	run sql shop.db 'SELECT order_id, total_amount IS NULL, _rescued_data FROM orders_rescued ORDER BY order_id'
	assert_output "99999|1|{\"total_amount\":\"INVALID_NUMBER\",\"new_col\":\"surprise\",\"_file_path\":\"$PWD/land/b1.json\"}
O1|0|{\"status\":\"new\",\"_file_path\":\"$PWD/land/b0.json\"}"
	run sql shop.db "SELECT group_concat(name || ':' || type) FROM pragma_table_info('orders_rescued')"
	assert_output 'order_id:TEXT,customer_id:TEXT,total_amount:REAL,_rescued_data:TEXT'
}
