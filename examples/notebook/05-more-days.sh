#!/bin/bash
# M05_T5.3 Checking results after adding more days.
#
# In the notebook the "load all days" COPY INTO comes before the cells that
# write the later days, so it finds nothing new, and the count it displays
# is still day1's.  Here that COPY INTO runs as written (zeros), the days
# arrive in the notebook's order -- df_batch_day2 to *day6*, then day3,
# day4, names that sort before day6 -- and COPY INTO runs once more, which is
# what the section sets out to show: every new file is found and loaded once.
. "$(dirname "$0")/lib.sh"

cell "COPY INTO customers_batch FROM 'batch_source/*' ... COPY_OPTIONS ('mergeSchema' = 'true')"
copy_into --merge-schema "$BATCH_SOURCE_PATH/*"

cell "df_batch_day2 -> day6, df_batch_day3 -> day3, df_batch_day4 -> day4"
write_df "$DATASET_PATH/batch_source/day2" "$BATCH_SOURCE_PATH/day6" '2025-01-15 10:05:00Z'
write_df "$DATASET_PATH/batch_source/day3" "$BATCH_SOURCE_PATH/day3" '2025-01-15 10:05:10Z'
write_df "$DATASET_PATH/batch_source/day4" "$BATCH_SOURCE_PATH/day4" '2025-01-15 10:05:20Z'
for d in day6 day3 day4; do
	echo "$BATCH_SOURCE_PATH/$d: $(csvrows "$BATCH_SOURCE_PATH/$d"/*.csv) customers"
done

cell "COPY INTO customers_batch FROM 'batch_source/*' (after the new days arrived)"
copy_into "$BATCH_SOURCE_PATH/*"

cell "display(spark.table(TABLE_CUSTOMERS).count()); display(spark.table(TABLE_CUSTOMERS))"
count $TABLE_CUSTOMERS
sql "SELECT customer_id, first_name, last_name, city, registration_date, customer_segment
     FROM $TABLE_CUSTOMERS ORDER BY customer_id LIMIT 5"
# every customer exactly once, though four COPY INTO ran over day1
sql "SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers,
       (SELECT count(*) FROM customer_cts) AS in_customers_csv
     FROM $TABLE_CUSTOMERS"
