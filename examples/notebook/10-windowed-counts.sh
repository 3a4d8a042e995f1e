#!/bin/bash
# 5.6.1-5.6.2 Streaming aggregation in update mode: orders per 30-second
# window and customer, with a 1-minute watermark, while batches 15 and 16
# arrive; then stopped.
#
#   .withWatermark("_processing_time", "1 minutes")   --watermark 1m
#   .groupBy(F.window("_processing_time", "30 seconds"), "customer_id")
#                                                      --window 30s --group-by customer_id
#   .count()                                           --agg count
#   .outputMode("update")                              --output-mode update, and
#                                                      inlet-commit --mode upsert
#                                                      --key window_start,customer_id
#
# The notebook windows on _processing_time = current_timestamp(), which is
# the moment a micro-batch ran: different on every run, so no two runs give
# the same table.  Here _processing_time is the moment each file arrived
# (its modification time, which write_df sets from the notebook's clock):
# the same grouping -- the orders of an arrival fall in one window -- and the
# same numbers every time.  --time order_timestamp would window on event
# time instead.  The console sink of the notebook is the SQLite table
# orders_counts (queryName "orders_counts"), which `make` plots.
. "$(dirname "$0")/lib.sh"

CHECKPOINT_AGG=$CHECKPOINT_BASE_PATH/agg_demo

cell "DROP TABLE IF EXISTS orders_counts"
value "DROP TABLE IF EXISTS orders_counts"
rm -rf "$CHECKPOINT_AGG"

cell "windowed_counts ... writeStream.outputMode(\"update\").trigger(processingTime=...).start()"
agg_stream() {
	discover_bg --checkpoint "$CHECKPOINT_AGG" --trigger every:1s --quiet "$STREAM_SOURCE_PATH" \
	| inlet-parse --format json --metadata --quiet \
	| inlet-cast --quiet \
		--map '{customer_id, _processing_time: ._metadata.file_modification_time}' \
	| inlet-window --checkpoint "$CHECKPOINT_AGG" --time _processing_time \
		--window 30s --watermark 1m --group-by customer_id --agg count \
		--output-mode update --quiet \
	| inlet-commit --checkpoint "$CHECKPOINT_AGG" --db "$DB" --table orders_counts \
		--mode upsert --key window_start,customer_id --quiet
}
start_stream agg_stream
echo "Aggregation stream started..."

cell "Simulate arrival of batches 15 and 16"
echo "Starting data simulation..."
for i in 14 15; do
	n=$(printf %02d $((i + 1)))
	printf 'Arriving: Batch %s... ' "$n"
	write_df "$DATASET_PATH/stream_source/batch_$n" "$STREAM_SOURCE_PATH/batch_$n" \
		"2025-01-15 10:20:00Z + $(( (i - 14) * 4 )) seconds"
	echo "Done. Waiting for stream..."
	sleep 0.2
done
echo "All batches arrived."
# update mode: each window's count so far, upserted; caught up when the
# counts add up to the orders in the source
wait_for "SELECT sum(CAST(count AS INTEGER)) FROM orders_counts" \
	"$(lines "$STREAM_SOURCE_PATH"/*/*.json)"

cell "display(windowed_counts)"
sql "SELECT window_start, window_end, customer_id, count FROM orders_counts
     ORDER BY window_start, CAST(count AS INTEGER) DESC, customer_id LIMIT 10"
echo "($(count orders_counts) rows)"

cell "Orders per window (sum over customers)"
sql "SELECT window_start, window_end, count(*) AS customers,
       sum(CAST(count AS INTEGER)) AS orders
     FROM orders_counts GROUP BY 1, 2 ORDER BY 1"

cell "query_agg.stop()"
stop_stream
