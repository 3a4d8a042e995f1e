#!/bin/bash
# 5.2-5.3 Configuration and data preparation.
#
# The notebook's variables become paths under the work folder (see lib.sh),
# the catalog's bronze schema one SQLite file, shop.db.  gen-shop writes the
# "real" dataset; its day folders stand for the notebook's randomSplit of the
# customers into four days, its stream batches for the 20-way randomSplit of
# the orders.  Writing one of those DataFrames (df.write...) is copying its
# folder into ingestion_demo/ (write_df), stamped with the notebook's clock.
. "$(dirname "$0")/lib.sh"

cell "Cleanup from previous runs"
# dbutils.fs.rm(DEMO_BASE_PATH, True), and the tables of earlier runs
rm -rf "$DEMO_BASE_PATH" "$DATASET_PATH" "$DB" "$DB.inlet"
echo "Demo environment prepared at: $DEMO_BASE_PATH"

cell "Configuration verification"
printf '%-24s %s\n' Variable Value \
	CATALOG.BRONZE_SCHEMA "$DB" \
	CUSTOMERS_CSV "$SOURCE_CUSTOMERS" \
	BATCH_SOURCE_PATH "$BATCH_SOURCE_PATH" \
	STREAMING_SOURCE_PATH "$STREAM_SOURCE_PATH" \
	CHECKPOINT_BASE_PATH "$CHECKPOINT_BASE_PATH" \
	SCHEMA_BASE_PATH "$SCHEMA_BASE_PATH" \
	BAD_RECORDS_PATH "$BAD_RECORDS_PATH"

cell "DATA PREPARATION (SIMULATION)"
"$NB/../gen-shop" --customers $CUSTOMERS --orders $ORDERS --order-files $ORDER_FILES \
	--days $DAYS "$DATASET_PATH"
echo "customers.csv: $(csvrows "$SOURCE_CUSTOMERS") customers"
for d in "$DATASET_PATH"/batch_source/day*; do
	echo "df_batch_${d##*/}: $(csvrows "$d"/*.csv) customers"
done
echo "orders: $(lines "$DATASET_PATH"/stream_source/*/*.json) in $ORDER_FILES stream batches of $((ORDERS / ORDER_FILES))"

# 1. Save Day 1 immediately
write_df "$DATASET_PATH/batch_source/day1" "$BATCH_SOURCE_PATH/day1" '2025-01-15 10:00:00Z'
echo "Batch Data: Day 1 ready at $BATCH_SOURCE_PATH/day1"
# 2. Save Batch 1 immediately to start the stream
write_df "$DATASET_PATH/stream_source/batch_01" "$STREAM_SOURCE_PATH/batch_01" '2025-01-15 10:00:00Z'
echo "Stream Data: Batch 1 ready at $STREAM_SOURCE_PATH/batch_01"
find "$DEMO_BASE_PATH" -type f | sort
