#!/bin/bash
# 5.6 Stream-static join: the Auto Loader stream (df_enriched) LEFT JOIN the
# static customers_batch table, written in append mode while batches 12 and
# 13 arrive, then stopped.
#
# The pipeline is the one inlet autoload builds, with inlet-join before the
# commit.  inlet-join reads the static side again at a batch boundary when
# it changed, as Spark reads the static table each micro-batch.  The SELECT
# list is the second inlet-cast: --map picks the columns, --schema types
# them.  Spark's memory sink ("enriched_orders") is a table in shop.db
# here; like the notebook, the join reads every file in the stream source
# since its checkpoint is new.
. "$(dirname "$0")/lib.sh"

SCHEMA_AL=$SCHEMA_BASE_PATH/autoloader
CHECKPOINT_JOIN=$CHECKPOINT_BASE_PATH/join_demo_3

cell "df_static_customers = spark.table(TABLE_CUSTOMERS); display(df_static_customers)"
sql "SELECT customer_id, first_name, last_name, email FROM $TABLE_CUSTOMERS
     ORDER BY customer_id LIMIT 5"
echo "($(count $TABLE_CUSTOMERS) rows)"

cell "DROP TABLE IF EXISTS enriched_orders"
value "DROP TABLE IF EXISTS enriched_orders"
rm -rf "$CHECKPOINT_JOIN"

cell "SELECT o.order_id, o.total_amount, c.first_name, c.last_name, c.email, o._processing_time FROM enriched_orders_stream o LEFT JOIN static_customers c ON o.customer_id = c.customer_id; writeStream ... .start()"
join_stream() {
	discover_bg --checkpoint "$CHECKPOINT_JOIN" --trigger every:1s --quiet "$STREAM_SOURCE_PATH" \
	| inlet-parse --format json --metadata --quiet \
	| inlet-rescue --schema-location "$SCHEMA_AL" --infer-column-types \
		--schema-evolution-mode add-new-columns --quiet \
	| inlet-cast --quiet --map '. + {_processing_time: $__batch.time,
		_source_file: ._metadata.file_path}' \
	| inlet-join --static "sqlite:$DB:$TABLE_CUSTOMERS" --on customer_id --type left \
		--select first_name,last_name,email --quiet \
	| inlet-cast --quiet \
		--map '{order_id, total_amount, first_name, last_name, email, _processing_time}' \
		--schema 'order_id STRING, total_amount DOUBLE, first_name STRING, last_name STRING,
			email STRING, _processing_time TIMESTAMP' \
	| inlet-commit --checkpoint "$CHECKPOINT_JOIN" --db "$DB" --table enriched_orders --quiet
}
start_stream join_stream
echo "Join stream started (trigger every:1s)."

cell "Simulate arrival of batches 12 and 13"
echo "Starting data simulation..."
for i in 11 12; do
	n=$(printf %02d $((i + 1)))
	printf 'Arriving: Batch %s... ' "$n"
	write_df "$DATASET_PATH/stream_source/batch_$n" "$STREAM_SOURCE_PATH/batch_$n" \
		"2025-01-15 10:15:00Z + $(( (i - 11) * 4 )) seconds"
	echo "Done. Waiting for stream..."
	sleep 0.2
done
echo "All batches arrived."
wait_for "SELECT count(*) FROM enriched_orders" "$(lines "$STREAM_SOURCE_PATH"/*/*.json)"

cell "display(spark.table(\"enriched_orders\"))"
sql "SELECT order_id, total_amount, first_name, last_name, email FROM enriched_orders
     ORDER BY order_id LIMIT 5"
sqlite3 -batch "$DB" '.schema enriched_orders'

cell "query_join.stop()"
stop_stream

cell "SELECT count(1) FROM enriched_orders"
sql "SELECT count(1) FROM enriched_orders"
# every order found its customer: customers_batch holds them all
sql "SELECT count(*) AS orders, count(first_name) AS with_customer,
       count(DISTINCT order_id) AS distinct_orders FROM enriched_orders"
