#!/bin/bash
# 5.3.2 CTAS (CREATE TABLE AS SELECT): a one-time load, no file tracking;
# running it again replaces the table.
#
# Spark's csv.`path` reads without a header unless told (columns _c0, _c1,
# ... and the header line as a row); inlet ctas reads CSV with --header true
# by default, which is what the cell means.  --header false gives Spark's
# _c0 form.
. "$(dirname "$0")/lib.sh"

cell "CREATE OR REPLACE TABLE customer_cts AS SELECT * FROM csv.\`customers.csv\`"
inlet ctas --db "$DB" --table customer_cts --format csv "$SOURCE_CUSTOMERS"

cell "%sql select * from customer_cts"
sql 'SELECT * FROM customer_cts ORDER BY customer_id LIMIT 5'
echo "($(count customer_cts) rows)"

cell "CREATE OR REPLACE TABLE customer_cts_copy AS SELECT * FROM customer_cts"
inlet ctas --db "$DB" --table customer_cts_copy "sqlite:$DB:customer_cts"

cell "%sql select * from customer_cts_copy"
sql 'SELECT * FROM customer_cts_copy ORDER BY customer_id LIMIT 5'
echo "($(count customer_cts_copy) rows)"

cell "CTAS again: the table is replaced, not appended to"
inlet ctas --db "$DB" --table customer_cts --format csv "$SOURCE_CUSTOMERS"
echo "customer_cts: $(count customer_cts) rows"
