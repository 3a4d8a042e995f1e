#!/bin/bash
# shard.sh K/N LAND URI CHECKPOINTS [TABLE]: one worker of the notebook's
# Auto Loader flow, split N ways.  It takes the order files of shard K of N
# under the landing folder LAND (inlet-discover --shard), gives them the
# orders' schema, adds _processing_time and _source_file as the notebook's
# df_enriched does, and commits each micro-batch exactly once into TABLE
# (default orders) of the PostgreSQL database URI, with its own checkpoint
# CHECKPOINTS/shard-K-of-N.  Trigger available-now: it stops when the
# shard's files are in.
#
# Every worker runs this same line with its own K; the shard of a file is
# a function of its path below LAND alone, and the file ledger of
# inlet-commit (_inlet_files) keeps a file version out of TABLE once it is
# there, whichever checkpoint loaded it (see README.md).
#
#   MAX_FILES   files a micro-batch (cloudFiles.maxFilesPerTrigger; default 1)
#   BIN         the inlet binaries (default: bin/ of this source tree when
#               built, else those in PATH)
set -eu -o pipefail
[ $# -ge 4 ] && [ $# -le 5 ] || {
	echo "usage: shard.sh K/N LAND URI CHECKPOINTS [TABLE]" >&2
	exit 64
}
shard=$1 land=$2 uri=$3 cks=$4 table=${5:-orders}
# inlet-discover checks K < N; the name of the checkpoint needs the form.
case $shard in
[0-9]*/[0-9]*) ;;
*) echo "shard.sh: '$shard' is not K/N" >&2; exit 64 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${BIN:-}" ] && [ -x "$here/../../bin/inlet-commit" ]; then BIN=$here/../../bin; fi
[ -z "${BIN:-}" ] || export PATH=$BIN:$PATH
# The same schema on every shard: each would otherwise infer its own from
# the files it happens to take, and one table holds them all.
schema='order_id STRING, customer_id STRING, order_timestamp TIMESTAMP,
  total_amount DECIMAL(10,2), quantity INT, payment_method STRING,
  status STRING, product_id STRING, campaign_id STRING'
ck=$cks/shard-${shard%/*}-of-${shard#*/}
mkdir -p "$cks"
inlet-discover --checkpoint "$ck" --shard "$shard" --quiet \
		--max-files-per-trigger "${MAX_FILES:-1}" "$land" \
	| inlet-parse --format json --metadata \
	| inlet-rescue --schema "$schema" \
	| inlet-cast --map '. + {_processing_time: $__batch.time, _source_file: ._metadata.file_path}' \
	| inlet-commit --checkpoint "$ck" --db "$uri" --table "$table" --summary-only
