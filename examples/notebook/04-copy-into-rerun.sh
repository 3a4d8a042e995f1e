#!/bin/bash
# M05_T5.2 Idempotency: running COPY INTO again, over every day folder
# (FROM 'batch_source/*'), adds no duplicates: the files it loaded before
# are in its checkpoint, so it loads nothing and says zeros.
. "$(dirname "$0")/lib.sh"

count_before=$(count $TABLE_CUSTOMERS)

cell "Re-run COPY INTO (FROM 'batch_source/*')"
copy_into "$BATCH_SOURCE_PATH/*"

count_after=$(count $TABLE_CUSTOMERS)

cell "display(count_after)"
echo "$count_after"

cell "Comparison"
printf '%-12s %s\n' State Count Before "$count_before" After "$count_after" \
	Difference $((count_after - count_before))
