#!/bin/bash
# A Hive-style partitioned landing zone, land/date=YYYY-MM-DD/country=CC/,
# loaded with inlet autoload into SQLite: the folders become the date and
# country columns of every row (Spark's partition discovery, Auto Loader's
# cloudFiles.partitionColumns), typed by inference (date is a DATE).
#
#   ./load.sh [OUT]      load into OUT/sales.db (default: ./out), print the
#                        rows per date and country
#
# The inlet binaries are taken from PATH, else from ../../bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
export PATH=$PATH:$here/../../bin

rm -rf "$out"
mkdir -p "$out"
inlet autoload --checkpoint "$out/ck" --db "$out/sales.db" --table sales --quiet \
	-o cloudFiles.format=csv \
	-o cloudFiles.schemaLocation="$out/ck" \
	-o cloudFiles.inferColumnTypes=true \
	-o cloudFiles.partitionColumns=date,country \
	"$here/land"
sqlite3 -batch "$out/sales.db" \
	'SELECT date, country, count(*) FROM sales GROUP BY date, country ORDER BY date, country'
