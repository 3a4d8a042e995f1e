#!/bin/bash
# run-shards.sh N LAND URI CHECKPOINTS [TABLE]: the N shards of shard.sh at
# once under GNU parallel, one job a shard, on the machines of $HOSTS
# (parallel's --sshlogin list; default ':', this machine alone).
#
#   run-shards.sh 4 /data/land 'postgresql:///shop?host=/run/postgresql' /data/ck
#   HOSTS=host1,host2 run-shards.sh 4 /shared/land postgresql://db.lan/shop /shared/ck
#
# With real hosts, what every host must share:
#   - LAND at the same path (an NFS or SMB mount, a cluster file system):
#     a file's shard is its path below LAND, the ledger's key its path;
#   - this folder (shard.sh) and the inlet binaries at the same paths
#     (or BIN, passed on);
#   - URI: one PostgreSQL server every host reaches (host=, port=,
#     user=; a password in ~/.pgpass on each host, not in the URI);
#   - CHECKPOINTS on the shared file system too: parallel gives a job to
#     whichever host is free, so shard K may run on another host next time.
#     A checkpoint left behind on another host costs nothing but time: the
#     ledger leaves out the files its shard already loaded, and says so.
# Each line of output is tagged with its shard's K.  The exit status is
# parallel's: the number of shards that failed (0: all in).
set -eu -o pipefail
[ $# -ge 4 ] && [ $# -le 5 ] || {
	echo "usage: run-shards.sh N LAND URI CHECKPOINTS [TABLE]" >&2
	exit 64
}
n=$1 land=$2 uri=$3 cks=$4 table=${5:-orders}
case $n in ''|*[!0-9]*|0) echo "run-shards.sh: N must be a positive number, not '$n'" >&2; exit 64 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v parallel > /dev/null || {
	echo "run-shards.sh: GNU parallel not found (apt-get install -y parallel)" >&2
	exit 69
}
# Absolute paths: a job on another host starts in its home folder.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
land=$(abs "$land") cks=$(abs "$cks")
hosts=${HOSTS:-:}
nhosts=$(tr ',' '\n' <<< "$hosts" | grep -c .)
# --will-cite: no citation notice, no prompt (which would wait on a
# terminal).  --jobs: enough slots a host that all N shards run at once.
# --quote: the URI's & and ? reach shard.sh as they are.  --halt never:
# a failed shard does not stop the others (each is restartable on its
# own).  --tag: lines prefixed with the shard.
exec parallel --will-cite --sshlogin "$hosts" --jobs $(((n + nhosts - 1) / nhosts)) \
	--quote --halt never --line-buffer --tag ${BIN:+--env BIN} \
	"$here/shard.sh" {}/"$n" "$land" "$uri" "$cks" "$table" ::: $(seq 0 $((n - 1)))
