#!/bin/bash
# 5.9-5.10 Created resources verification: the tables the notebook lists,
# whether they exist and their rows, from `inlet status --db`; the state of
# the streams from their checkpoints; and the cleanup flag.
#
# _inlet_commits, inlet's log of committed batches, has one row per
# micro-batch; how many the background streams of cells 08-10 ran depends
# on timing, so its count is left out here, and so is _inlet_files, the
# ledger of the files each table loaded: inlet's bookkeeping too.
. "$(dirname "$0")/lib.sh"

cell "inlet status --db shop.db (every table and its rows)"
inlet status --db "$DB" | grep -Ev '^_inlet_(commits|files) '

cell "Created resources verification (created_tables)"
inlet status --db "$DB" --json > status.json
printf '%-28s %-10s %s\n' Table Status Records
for table in customers_batch orders_autoloader orders_rescued customers_with_validation \
	orders_trigger_test; do
	rows=$(jq -r --arg t "$table" '.tables[] | select(.table == $t) | .rows' status.json)
	if [ -n "$rows" ]; then
		printf '%-28s %-10s %s\n' "$table" EXISTS "$rows"
	else
		printf '%-28s %-10s %s\n' "$table" "NOT FOUND" -
	fi
done
rm -f status.json

cell "The streams: inlet status CHECKPOINT --db shop.db --table TABLE --json"
stream() {	# stream CHECKPOINT TABLE
	inlet status "$CHECKPOINT_BASE_PATH/$1" --db "$DB" --table "$2" --json |
		jq -c '{checkpoint, batches_ahead, files_seen, table, rows}'
}
stream autoloader orders_autoloader
stream autoloader_continuous orders_autoloader_continuous
stream join_demo_3 enriched_orders
stream rescue orders_rescued
stream agg_demo orders_counts

cell "CLEANUP_ENABLED"
CLEANUP_ENABLED=${CLEANUP_ENABLED:-false}
if [ "$CLEANUP_ENABLED" = true ]; then
	printf '%-28s %s\n' Resource Status
	for table in customers_batch orders_autoloader orders_rescued customers_with_validation \
		orders_trigger_test; do
		value "DROP TABLE IF EXISTS $table"
		printf '%-28s %s\n' "$table" DROPPED
	done
	rm -rf "$CHECKPOINT_BASE_PATH" "$DB.inlet"
	printf '%-28s %s\n' checkpoints REMOVED
else
	printf '%-16s %s\n' Setting Value CLEANUP_ENABLED false \
		Action "Run with CLEANUP_ENABLED=true to delete resources"
fi
