#!/bin/bash
# 5.7.2 Error handling with badRecordsPath: a CSV with a date that does not
# parse, read with a schema that declares _corrupt_record, and
# badRecordsPath set.
#
#   .schema("... registration_date DATE, _corrupt_record STRING")
#                          inlet-cast --schema (the DATE does the parsing)
#   .option("columnNameOfCorruptRecord", "_corrupt_record")
#                          --column-name-of-corrupt-record (that is the default)
#   .option("badRecordsPath", BAD_RECORDS_PATH)
#                          --bad-records-path: the row that does not convert
#                          leaves the stream for BAD_RECORDS_PATH/<time>/bad_records/
#   .withColumn("_ingestion_timestamp", F.current_timestamp())
#                          a second inlet-cast --map, after the bad rows are out
#
# Without --bad-records-path the bad row would stay, with registration_date
# null and its whole record in _corrupt_record (see the end of the cell).
# Like the notebook, the cell displays the DataFrame and leaves the table it
# created, customers_with_validation, empty; `inlet-commit --db shop.db
# --table customers_with_validation` in place of --stdout would load it.
# The record in a bad-records file is the row as inlet saw it, a JSON
# object, where Databricks keeps the CSV line.
. "$(dirname "$0")/lib.sh"

TABLE_ERRORS=customers_with_validation

cell "DROP TABLE IF EXISTS customers_with_validation; CREATE TABLE customers_with_validation (...)"
value "DROP TABLE IF EXISTS $TABLE_ERRORS"
value "CREATE TABLE $TABLE_ERRORS (
  customer_id TEXT, first_name TEXT, last_name TEXT, email TEXT, phone TEXT,
  city TEXT, state TEXT, country TEXT, registration_date TEXT,
  customer_segment TEXT, _corrupt_record TEXT, _ingestion_timestamp TEXT
)"
echo "$TABLE_ERRORS: $(count $TABLE_ERRORS) rows"

cell "Create a CSV with a bad row"
mkdir -p "$DATASET_PATH/bad_csv"
printf '%s\n' customer_id,first_name,registration_date 999,Eve,2023-01-03 \
	888,Frank,NOT_A_DATE > "$DATASET_PATH/bad_csv/part-00000.csv"
write_df "$DATASET_PATH/bad_csv" "$BATCH_SOURCE_PATH/bad_csv" '2025-01-15 10:30:00Z'
cat "$BATCH_SOURCE_PATH/bad_csv/part-00000.csv"

SCHEMA='customer_id STRING, first_name STRING, registration_date DATE, _corrupt_record STRING'
cell "spark.read.format(\"csv\").option(\"header\", \"true\").option(\"columnNameOfCorruptRecord\", \"_corrupt_record\").option(\"badRecordsPath\", BAD_RECORDS_PATH).schema(...).load(\"bad_csv\").withColumn(\"_ingestion_timestamp\", ...); display(df_with_errors)"
rm -rf "$BAD_RECORDS_PATH"
# A batch read: nothing to remember, so no checkpoint.  The rows go to the
# console sink; _ingestion_timestamp differs on every run and is shown as
# <now> when it is an ISO-8601 time to the microsecond, the batch's.
inlet-discover --no-checkpoint --quiet "$BATCH_SOURCE_PATH/bad_csv" \
	| inlet-parse --format csv --header true --quiet \
	| inlet-cast --schema "$SCHEMA" --column-name-of-corrupt-record _corrupt_record \
		--bad-records-path "$BAD_RECORDS_PATH" --quiet \
	| inlet-cast --map '. + {_ingestion_timestamp: $__batch.time}' --quiet \
	| inlet-commit --stdout --quiet \
	| jq -c '._ingestion_timestamp |= (if test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z$") then "<now>" else . end)'

cell "Bad records statistics: the files under BAD_RECORDS_PATH"
# <time> stands for the folder's timestamp, yyyyMMddTHHmmss
find "$BAD_RECORDS_PATH" -type f | sed 's|/[0-9]\{8\}T[0-9]\{6\}/|/<time>/|' | sort

cell "spark.read.format(\"json\").schema(\"path, record, reason\").load(files); display(df_bad_records)"
find "$BAD_RECORDS_PATH" -type f -exec cat {} + \
	| jq -r '"path:   \(.path)", "record: \(.record)", "reason: \(.reason)"' | rel

cell "The same read without badRecordsPath: PERMISSIVE, the record in _corrupt_record"
inlet-discover --no-checkpoint --quiet "$BATCH_SOURCE_PATH/bad_csv" \
	| inlet-parse --format csv --header true --quiet \
	| inlet-cast --schema "$SCHEMA" --quiet \
	| inlet-commit --stdout --quiet
