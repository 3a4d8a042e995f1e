#!/bin/bash
# 5.5 "Add new data and re-run stream with availableNow trigger": batch 2
# arrives, and the same Auto Loader query, started again on its checkpoint,
# loads only the new file.
. "$(dirname "$0")/lib.sh"

TARGET_TABLE_AL=orders_autoloader
CHECKPOINT_AL=$CHECKPOINT_BASE_PATH/autoloader
SCHEMA_AL=$SCHEMA_BASE_PATH/autoloader

cell "stream_batches[1].write.json(STREAM_SOURCE_PATH/batch_02)"
write_df "$DATASET_PATH/stream_source/batch_02" "$STREAM_SOURCE_PATH/batch_02" '2025-01-15 10:10:00Z'
echo "$STREAM_SOURCE_PATH/batch_02: $(lines "$STREAM_SOURCE_PATH"/batch_02/*.json) orders"

cell "The same query again: trigger(availableNow=True)"
# Without --quiet: one progress object per micro-batch, then the COPY
# INTO-style summary; the progress is cut to the fields that do not change
# from run to run (no timings).
inlet autoload --checkpoint "$CHECKPOINT_AL" --db "$DB" --table "$TARGET_TABLE_AL" \
	-o cloudFiles.format=json \
	-o cloudFiles.schemaLocation="$SCHEMA_AL" \
	-o cloudFiles.inferColumnTypes=true \
	-o cloudFiles.schemaEvolutionMode=addNewColumns \
	--map '. + {_processing_time: $__batch.time, _source_file: ._metadata.file_path}' \
	--trigger available-now "$STREAM_SOURCE_PATH" |
	jq -c 'if has("batch") then {batch, files, rows, inserted, already_committed} else . end'

cell "Auto Loader results"
printf '%-16s %s\n' Metric Value \
	"Records Loaded" "$(count $TARGET_TABLE_AL)" \
	"Source Files" "$(value "SELECT count(DISTINCT _source_file) FROM $TARGET_TABLE_AL")"
sql "SELECT $(relsql _source_file), count(*) AS records FROM $TARGET_TABLE_AL
     GROUP BY 1 ORDER BY 1"

cell "The checkpoint: inlet status $CHECKPOINT_AL --db $DB --table $TARGET_TABLE_AL"
# (query.lastProgress in spirit; --json, and only the fields that do not
# change from run to run)
inlet status "$CHECKPOINT_AL" --db "$DB" --table "$TARGET_TABLE_AL" --json |
	jq '{last_committed_batch, batches_ahead, files_seen, table, rows, sink_last_batch}'
