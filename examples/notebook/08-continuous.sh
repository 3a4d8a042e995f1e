#!/bin/bash
# 5.5.4 Continuous processing (trigger(processingTime="10 seconds")): the
# same Auto Loader query runs in the background into
# orders_autoloader_continuous while batches 3 to 10 arrive, then stops.
#
# --trigger every:1s is processingTime="1 second" (the notebook's 10 s would
# only make the cell slower); arrivals are 0.2 s apart instead of 4 s, but
# stamped 4 s apart on the notebook's clock.  Which micro-batch takes which
# file depends on timing, so the cell shows counts once the stream has
# caught up, not while it runs.
. "$(dirname "$0")/lib.sh"

TARGET_TABLE_AL=orders_autoloader
CHECKPOINT_AL=$CHECKPOINT_BASE_PATH/autoloader
SCHEMA_AL=$SCHEMA_BASE_PATH/autoloader
TABLE=${TARGET_TABLE_AL}_continuous

cell "DROP TABLE IF EXISTS orders_autoloader_continuous"
value "DROP TABLE IF EXISTS $TABLE"
rm -rf "${CHECKPOINT_AL}_continuous"

cell "Start stream in background: trigger(processingTime=...).toTable(\"orders_autoloader_continuous\")"
start_stream inlet autoload --checkpoint "${CHECKPOINT_AL}_continuous" --db "$DB" --table "$TABLE" \
	-o cloudFiles.format=json \
	-o cloudFiles.schemaLocation="$SCHEMA_AL" \
	-o cloudFiles.inferColumnTypes=true \
	-o cloudFiles.schemaEvolutionMode=addNewColumns \
	--map '. + {_processing_time: $__batch.time, _source_file: ._metadata.file_path}' \
	--trigger every:1s --quiet "$STREAM_SOURCE_PATH"
echo "Stream started... Waiting for initialization."
wait_for "SELECT count(*) FROM $TABLE" 200

cell "display(spark.table(\"orders_autoloader_continuous\").count())"
count $TABLE

cell "Simulate arrival of remaining batches (3 to 10)"
echo "Starting data simulation..."
for i in $(seq 2 9); do
	n=$(printf %02d $((i + 1)))
	printf 'Arriving: Batch %s... ' "$n"
	write_df "$DATASET_PATH/stream_source/batch_$n" "$STREAM_SOURCE_PATH/batch_$n" \
		"2025-01-15 10:12:00Z + $(( (i - 2) * 4 )) seconds"
	echo "Done. Waiting for stream..."
	sleep 0.2
done
echo "All batches arrived."
wait_for "SELECT count(*) FROM $TABLE" "$(lines "$STREAM_SOURCE_PATH"/*/*.json)"

cell "display(spark.table(\"orders_autoloader_continuous\").count()); display(...)"
count $TABLE
sql "SELECT $(relsql _source_file), count(*) AS records FROM $TABLE GROUP BY 1 ORDER BY 1"

cell "query_continuous.stop()"
stop_stream
sql "SELECT count(*) AS records, count(DISTINCT order_id) AS orders,
       count(DISTINCT _source_file) AS source_files FROM $TABLE"
