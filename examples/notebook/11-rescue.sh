#!/bin/bash
# 5.7.1 Schema evolution & rescued data: Auto Loader with a partial schema
# and schemaEvolutionMode "rescue", over the stream source plus one bad row
# (a new column, and a text where a number belongs).
#
# Columns the schema does not name, and values that do not fit its types,
# go to _rescued_data (a JSON object, with the _file_path they came from);
# the row itself is kept.
. "$(dirname "$0")/lib.sh"

TARGET_TABLE_RESCUE=orders_rescued
CHECKPOINT_RESCUE=$CHECKPOINT_BASE_PATH/rescue
SCHEMA_RESCUE=$SCHEMA_BASE_PATH/rescue

cell "DROP TABLE IF EXISTS orders_rescued"
value "DROP TABLE IF EXISTS $TARGET_TABLE_RESCUE"
rm -rf "$CHECKPOINT_RESCUE" "$SCHEMA_RESCUE"

cell "Create BAD data (Extra column + Type mismatch)"
mkdir -p "$DATASET_PATH/bad_data"
echo '{"order_id": 99999, "total_amount": "INVALID_NUMBER", "new_col": "surprise"}' \
	> "$DATASET_PATH/bad_data/part-00000.json"
write_df "$DATASET_PATH/bad_data" "$STREAM_SOURCE_PATH/bad_data" '2025-01-15 10:25:00Z'
cat "$STREAM_SOURCE_PATH/bad_data/part-00000.json"

cell "readStream cloudFiles (json, schemaLocation, schemaEvolutionMode=rescue).schema(partial_schema); trigger(availableNow=True).toTable(\"orders_rescued\")"
inlet autoload --checkpoint "$CHECKPOINT_RESCUE" --db "$DB" --table "$TARGET_TABLE_RESCUE" \
	-o cloudFiles.format=json \
	-o cloudFiles.schemaLocation="$SCHEMA_RESCUE" \
	-o cloudFiles.schemaEvolutionMode=rescue \
	--schema 'order_id STRING, customer_id STRING, total_amount DOUBLE' \
	--trigger available-now "$STREAM_SOURCE_PATH" |
	jq -c 'select(has("num_affected_rows"))'

cell "spark.table(\"orders_rescued\").printSchema()"
sqlite3 -batch "$DB" "SELECT '|-- ' || name || ': ' || type FROM pragma_table_info('$TARGET_TABLE_RESCUE')"

cell "display(spark.table(\"orders_rescued\").limit(5))"
sql "SELECT order_id, customer_id, total_amount, $(relsql _rescued_data)
     FROM $TARGET_TABLE_RESCUE ORDER BY order_id LIMIT 5"

cell "The bad row: order_id kept (as STRING), total_amount null, the rest rescued"
sql "SELECT order_id, customer_id, total_amount, $(relsql _rescued_data)
     FROM $TARGET_TABLE_RESCUE WHERE order_id = '99999'"

cell "Rows with rescued data"
sql "SELECT count(*) AS rows, count(_rescued_data) AS with_rescued_data,
       sum(json_extract(_rescued_data, '$.new_col') IS NOT NULL) AS with_new_col,
       count(total_amount) AS with_total_amount
     FROM $TARGET_TABLE_RESCUE"
