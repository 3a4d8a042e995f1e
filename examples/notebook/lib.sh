# Sourced by every NN-*.sh cell: the notebook's variables as paths under the
# work folder, and a few helpers.  The cells run in order, each in $OUT.
#
#   OUT   the work folder (default examples/notebook/out)
#   BIN   the inlet binaries (default bin/ at the top of the source tree,
#         else the folder of the inlet in PATH)
# shellcheck disable=SC2034  # the variables are for the cells that source this
set -eu -o pipefail
export LC_ALL=C
NB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${OUT:=$NB/out}"
if [ -z "${BIN:-}" ]; then
	if [ -x "$NB/../../bin/inlet" ]; then BIN=$NB/../../bin
	else BIN=$(dirname "$(command -v inlet)"); fi
fi
BIN=$(cd "$BIN" && pwd)
export PATH=$BIN:$PATH
mkdir -p "$OUT"
cd "$OUT"

# The data set: gen-shop's deterministic e-commerce shop.
CUSTOMERS=50 ORDERS=2000 ORDER_FILES=20 DAYS=4

# === SOURCE DATA (the "real" dataset: gen-shop writes it) ===
DATASET_PATH=dataset
SOURCE_CUSTOMERS=$DATASET_PATH/customers/customers.csv
# === DEMO PATHS (SIMULATED ARRIVAL) ===
DEMO_BASE_PATH=ingestion_demo
BATCH_SOURCE_PATH=$DEMO_BASE_PATH/batch_source
STREAM_SOURCE_PATH=$DEMO_BASE_PATH/stream_source
# === TECHNICAL PATHS ===
CHECKPOINT_BASE_PATH=$DEMO_BASE_PATH/checkpoints
SCHEMA_BASE_PATH=$DEMO_BASE_PATH/schemas
BAD_RECORDS_PATH=$DEMO_BASE_PATH/bad_records
# The catalog's bronze schema: one SQLite file.
DB=shop.db

# The customers_batch table of M05_T5.1 and the SELECT list of its COPY INTO.
TABLE_CUSTOMERS=customers_batch
CUSTOMERS_SCHEMA='customer_id STRING, first_name STRING, last_name STRING, email STRING,
  phone STRING, city STRING, state STRING, country STRING, registration_date DATE,
  customer_segment STRING, _ingestion_timestamp TIMESTAMP'
CUSTOMERS_SELECT='{customer_id, first_name, last_name, email, phone, city, state,
  country, registration_date, customer_segment, _ingestion_timestamp: $__batch.time}'

# copy_into SOURCE...: the notebook's COPY INTO customers_batch statement,
# with the SELECT list as --schema and --map (see 03-copy-into-day1.sh).
copy_into() {
	inlet copy-into --db "$DB" --table "$TABLE_CUSTOMERS" --format csv --header true \
		--schema "$CUSTOMERS_SCHEMA" --date-format yyyy-MM-dd \
		--map "$CUSTOMERS_SELECT" "$@"
}

# cell TITLE: a heading naming the notebook cell.
cell() {
	[ -z "${_cells:-}" ] || echo
	_cells=1
	printf '== %s\n' "$*"
}

# sql QUERY: a result table, as display() shows it.  value QUERY: one value.
sql() { sqlite3 -batch -header -column -nullvalue null "$DB" "$1" | sed 's/ *$//'; }
value() { sqlite3 -batch "$DB" "$1"; }
# count TABLE: its rows, or "-" when it does not exist.
count() {
	if [ -n "$(value "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '$1'")" ]
	then value "SELECT count(*) FROM \"$1\""; else echo -; fi
}
# rel: absolute paths under the work folder made relative, so that the
# output does not depend on where the work folder is.
# relsql COLUMN: the same in SQL, before display() lines up the columns.
rel() { sed "s|$PWD/||g"; }
relsql() { printf "replace(%s, '%s/', '') AS %s" "$1" "${PWD//\'/\'\'}" "$1"; }

# write_df FROM TO TIME: the notebook's df.write.mode("overwrite") of a
# DataFrame (a folder of gen-shop's data set) to the folder TO.  The files
# appear at once (written under a "_" name, which discovery ignores as Spark
# does, then renamed into place), with TIME, the notebook's clock, as their
# modification time: the moment they arrived.
write_df() {
	local tmp
	tmp=$(dirname "$2")/_tmp-$(basename "$2")
	rm -rf "$2" "$tmp"
	mkdir -p "$(dirname "$2")"
	cp -R "$1" "$tmp"
	find "$tmp" -type f -exec touch -d "$3" {} +
	mv "$tmp" "$2"
}

# lines FILE...: JSON lines; csvrows FILE...: CSV data rows (no multi-line fields).
lines() { cat "$@" | wc -l | tr -d ' '; }
csvrows() { awk 'FNR > 1 { n++ } END { print n + 0 }' "$@"; }

# wait_for QUERY N: until QUERY (a number) reaches N, for at most 30 s.
wait_for() {
	local deadline=$((SECONDS + 30)) n
	while :; do
		n=$(value "$1" 2>/dev/null) || n=0
		[ "${n:-0}" -lt "$2" ] || return 0
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out waiting for $1 to reach $2 (at ${n:-0})" >&2
			return 1
		fi
		sleep 0.1
	done
}

# A stream in the background (writeStream.start()): start_stream CMD...
# runs CMD, either `inlet autoload ...` or a function holding a pipeline whose
# first stage is `discover_bg ...` (inlet-discover noting its pid), and
# stop_stream (query.stop()) sends SIGTERM to that inlet-discover, or to
# inlet autoload, which passes it on: discover finishes its batch and
# exits, and the later stages commit that batch and end.  A cell that fails
# stops its stream too.
_stream='' _discover_pid=''
discover_bg() {
	echo "$BASHPID" > "$_discover_pid"
	exec inlet-discover "$@"
}
start_stream() {
	_discover_pid=$(mktemp "$OUT/.discover-pid.XXXXXX")
	"$@" &
	_stream=$!
	trap '_stop_on_exit' EXIT
}
stop_stream() {
	local pid rc=0
	pid=$(cat "$_discover_pid" 2>/dev/null) || true
	kill -TERM "${pid:-$_stream}" 2>/dev/null || true
	wait "$_stream" || rc=$?
	rm -f "$_discover_pid"
	_stream=
	echo "stopped with status $rc"
	return "$rc"
}
_stop_on_exit() {
	[ -n "$_stream" ] || return 0
	stop_stream > /dev/null 2>&1 || true
}
