#!/bin/bash
# The notebook's continuous processing cell (trigger(processingTime=...)):
# an Auto Loader stream runs in the background while order batches 3..10
# arrive 0.2 s apart; the table grows as they land; then query.stop().
#
#   examples/continuous.sh [OUTDIR]      (default examples/out/continuous)
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PATH=$here/../bin:$PATH
out=${1:-$here/out/continuous}
table=orders_autoloader_continuous

rm -rf "$out" && mkdir -p "$out" && cd "$out"
"$here/gen-shop" --customers 50 --orders 2000 --order-files 10 data/_staging > /dev/null
mkdir -p data/stream_source
mv data/_staging/stream_source/batch_01 data/_staging/stream_source/batch_02 data/stream_source/
expected=$(cat data/_staging/stream_source/*/*.json data/stream_source/*/*.json | wc -l)

count() { sqlite3 shop.db "SELECT count(*) FROM $table" 2>/dev/null || echo 0; }
wait_for_count() {	# wait_for_count N SECONDS
	local deadline=$((SECONDS + $2))
	until [ "$(count)" -ge "$1" ]; do
		[ $SECONDS -lt $deadline ] || { echo "continuous: timed out at $(count) rows" >&2; exit 1; }
		sleep 0.1
	done
}

echo "== Stream started (trigger every:1s) ... waiting for initialization"
inlet autoload --trigger every:1s --checkpoint ck --db shop.db --table "$table" \
	-o cloudFiles.format=json -o cloudFiles.schemaLocation=ck \
	-o cloudFiles.inferColumnTypes=true --quiet \
	--map '. + {_source_file: ._metadata.file_path}' data/stream_source 2> autoload.log &
stream=$!
wait_for_count 1 30
echo "rows: $(count)"

echo "== Starting data simulation..."
for n in 03 04 05 06 07 08 09 10; do
	mv "data/_staging/stream_source/batch_$n" data/stream_source/
	echo "Arriving: Batch $n... Done. rows so far: $(count)"
	sleep 0.2
done
echo "All batches arrived."
wait_for_count "$expected" 30
echo "rows: $(count) (source lines: $expected)"

echo "== query_continuous.stop()"
kill -TERM "$stream"
wait "$stream"
echo "stopped with status $?"
sqlite3 -header -column shop.db \
	"SELECT count(*) AS records, count(DISTINCT _source_file) AS source_files FROM $table"
[ "$(count)" -eq "$expected" ]
