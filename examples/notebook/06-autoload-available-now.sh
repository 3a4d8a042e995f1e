#!/bin/bash
# 5.5 Auto Loader: readStream.format("cloudFiles") with the notebook's
# options, _processing_time and _source_file added (df_enriched), written
# with trigger(availableNow=True) to orders_autoloader.
#
# inlet autoload takes the Databricks option names with -o and builds the
# pipeline discover | parse | rescue | cast | commit.  withColumn is --map:
# current_timestamp() is $__batch.time, col("_metadata.file_path") is
# ._metadata.file_path; as in Spark, _metadata itself is hidden: cast
# leaves it out unless the --map names it as a key.
# _processing_time differs on every run, so only its form is shown.
. "$(dirname "$0")/lib.sh"

TARGET_TABLE_AL=orders_autoloader
CHECKPOINT_AL=$CHECKPOINT_BASE_PATH/autoloader
SCHEMA_AL=$SCHEMA_BASE_PATH/autoloader

cell "Cleanup: checkpoints, schemas, bad records; DROP TABLE IF EXISTS orders_autoloader"
rm -rf "$CHECKPOINT_BASE_PATH" "$SCHEMA_BASE_PATH" "$BAD_RECORDS_PATH"
value "DROP TABLE IF EXISTS $TARGET_TABLE_AL"
echo "$TARGET_TABLE_AL: $(count $TARGET_TABLE_AL)"

cell "readStream cloudFiles (json, schemaLocation, inferColumnTypes, addNewColumns) + _processing_time, _source_file; writeStream trigger(availableNow=True).toTable(\"orders_autoloader\")"
inlet autoload --checkpoint "$CHECKPOINT_AL" --db "$DB" --table "$TARGET_TABLE_AL" \
	-o cloudFiles.format=json \
	-o cloudFiles.schemaLocation="$SCHEMA_AL" \
	-o cloudFiles.inferColumnTypes=true \
	-o cloudFiles.schemaEvolutionMode=addNewColumns \
	--map '. + {_processing_time: $__batch.time, _source_file: ._metadata.file_path}' \
	--trigger available-now --quiet "$STREAM_SOURCE_PATH"
echo "$TARGET_TABLE_AL: $(count $TARGET_TABLE_AL) rows"

cell "The inferred schema (schemaLocation: $SCHEMA_AL/schemas/0)"
jq -r '.fields[] | "  \(.name): \(.type)"' "$SCHEMA_AL/schemas/0"

cell "display(spark.table(\"orders_autoloader\"))"
sql "SELECT order_id, customer_id, order_timestamp, total_amount, quantity, status,
       campaign_id, $(relsql _source_file)
     FROM $TARGET_TABLE_AL ORDER BY order_id LIMIT 5"
sql "SELECT count(*) AS rows,
       sum(_processing_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z') AS with_processing_time
     FROM $TARGET_TABLE_AL"

cell "Auto Loader results"
printf '%-16s %s\n' Metric Value \
	"Records Loaded" "$(count $TARGET_TABLE_AL)" \
	"Source Files" "$(value "SELECT count(DISTINCT _source_file) FROM $TARGET_TABLE_AL")"
