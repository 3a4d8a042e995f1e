#!/bin/bash
# 5.4 COPY INTO, M05_T5.1: create customers_batch, then COPY INTO it from
# day1 with the notebook's SELECT list.
#
# copy_into (in lib.sh) runs inlet copy-into with the SELECT list:
#   inlet copy-into --db shop.db --table customers_batch --format csv --header true
#     --schema '...' --date-format yyyy-MM-dd
#     --map '{..., _ingestion_timestamp: $__batch.time}' SOURCE...
#   TO_DATE(registration_date, 'yyyy-MM-dd')  the DATE type of --schema with
#                                             --date-format yyyy-MM-dd
#   current_timestamp() AS _ingestion_timestamp
#                                             $__batch.time in --map
# The checkpoint that remembers the loaded files lives beside the database,
# shop.db.inlet/customers_batch; as COPY INTO's history lives in the
# table's log, a table dropped or created anew starts with none (the old
# checkpoint is set aside).  COPY_OPTIONS ('mergeSchema' = 'true') is
# --merge-schema, said as the notebook says it; the SELECT list gives the
# table's columns, so nothing evolves (without it, a column the table
# lacks would stop the load).
. "$(dirname "$0")/lib.sh"

cell "DROP TABLE IF EXISTS customers_batch; CREATE TABLE customers_batch (...)"
# Dropping a table forgets what COPY INTO loaded into it: inlet copy-into
# sees the table created anew and sets its old history aside.
value "DROP TABLE IF EXISTS $TABLE_CUSTOMERS"
# SQLite has no DATE or TIMESTAMP type: they are ISO-8601 text, as
# inlet-commit would have created them from the schema on the first load.
value "CREATE TABLE IF NOT EXISTS $TABLE_CUSTOMERS (
  customer_id TEXT, first_name TEXT, last_name TEXT, email TEXT, phone TEXT,
  city TEXT, state TEXT, country TEXT,
  registration_date TEXT,     -- DATE, yyyy-MM-dd
  customer_segment TEXT,
  _ingestion_timestamp TEXT   -- TIMESTAMP, ISO-8601 UTC
)"
sqlite3 -batch "$DB" ".schema $TABLE_CUSTOMERS"

cell "COPY INTO customers_batch FROM (SELECT ..., TO_DATE(registration_date, 'yyyy-MM-dd'), current_timestamp() AS _ingestion_timestamp FROM 'batch_source/day1') FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true', 'inferSchema' = 'false')"
copy_into --merge-schema "$BATCH_SOURCE_PATH/day1"

cell "display(spark.table(TABLE_CUSTOMERS))"
sql "SELECT customer_id, first_name, last_name, city, country, registration_date, customer_segment
     FROM $TABLE_CUSTOMERS ORDER BY customer_id LIMIT 5"
echo "($(count $TABLE_CUSTOMERS) rows)"
# _ingestion_timestamp differs on every run: check its form, not its value.
sql "SELECT count(_ingestion_timestamp) AS with_ingestion_timestamp,
       sum(_ingestion_timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z') AS iso_8601_utc,
       sum(registration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]') AS dates
     FROM $TABLE_CUSTOMERS"
