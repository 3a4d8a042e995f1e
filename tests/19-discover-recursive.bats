#!/usr/bin/env bats
# recursiveFileLookup.  Spark, Generic File Source Options
# (https://spark.apache.org/docs/latest/sql-data-sources-generic-options.html#recursive-file-lookup):
# "recursiveFileLookup is used to recursively load files and it disables
# partition inferring.  Its default value is false.  If data source
# explicitly specifies the partitionSpec when recursiveFileLookup is true,
# exception will be thrown."  With false, Spark reads a folder's own files
# and, by partition discovery, its KEY=VALUE folders
# (https://spark.apache.org/docs/latest/sql-data-sources-parquet.html#partition-discovery).
# Auto Loader lists every sub-folder of its path (the notebook's batch_01/
# folders), and so does inlet-discover unless --no-recursive, which
# -o recursiveFileLookup=false gives.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p land/batch_01 land/date=2024-01-01/extra land/date=2024-01-01/country=FR
	echo '{"f":"top"}' > land/top.json
	echo '{"f":"batch"}' > land/batch_01/b.json
	echo '{"f":"day"}' > land/date=2024-01-01/d.json
	echo '{"f":"extra"}' > land/date=2024-01-01/extra/x.json
	echo '{"f":"fr"}' > land/date=2024-01-01/country=FR/fr.json
}

teardown() {
	[ -z "${pid:-}" ] || kill "$pid" 2> /dev/null || true
}

# listed ARGS...: the paths below land/ discover lists, sorted.
listed() {
	inlet-discover "$@" land | jq -r 'select(._inlet == "file") | .path' |
		sed "s|^$PWD/land/||" | sort
}

@test "discover: every sub-folder by default, as Auto Loader lists them" {
	run listed --no-checkpoint
	assert_output $'batch_01/b.json\ndate=2024-01-01/country=FR/fr.json\ndate=2024-01-01/d.json\ndate=2024-01-01/extra/x.json\ntop.json'
}

@test "discover --no-recursive: the top folder and its partition folders only" {
	run listed --no-checkpoint --no-recursive
	assert_output $'date=2024-01-01/country=FR/fr.json\ndate=2024-01-01/d.json\ntop.json'
}

@test "discover --no-recursive: the folders not listed are counted, and nothing in them is marked seen" {
	run script -qec "inlet-discover -c ck --no-recursive land > /dev/null" /dev/null
	assert_output --partial '3 new files in 1 batches; 2 sub-folders not listed (--no-recursive)'
	commit_all ck
	# A later run without it takes them: they were never taken.
	run listed -c ck
	assert_output $'batch_01/b.json\ndate=2024-01-01/extra/x.json'
}

@test "discover --no-recursive: each folder a glob matches is a top folder" {
	mkdir -p other/deep
	echo '{}' > other/o.json
	echo '{}' > other/deep/p.json
	run bash -c "inlet-discover --no-checkpoint --no-recursive 'land/batch_*' 'oth*' |
		jq -r 'select(._inlet == \"file\") | .path' | sed 's|^$PWD/||' | sort"
	assert_output $'land/batch_01/b.json\nother/o.json'
}

@test "discover --no-recursive --trigger watch: a new plain sub-folder is not watched, a partition folder is" {
	inlet-discover --no-checkpoint --no-recursive --trigger watch land > out 3>&- &
	pid=$!
	sleep 0.5
	mkdir -p land/later land/date=2024-01-02
	sleep 0.3
	echo '{}' > land/later/l.json
	echo '{}' > land/date=2024-01-02/n.json
	echo '{}' > land/new.json
	wait_until 10 grep -q '/new.json' out
	wait_until 10 grep -q '/n.json' out
	sleep 0.5
	kill "$pid"
	wait "$pid" || true
	pid=
	run grep -c 'later/l.json' out
	assert_output 0
}

@test "autoload: recursiveFileLookup=false reads the top folder and its partitions, with their columns" {
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o recursiveFileLookup=false --quiet land
	assert_success
	run sql t.db "SELECT f, coalesce(date, '-'), coalesce(country, '-') FROM t ORDER BY f"
	assert_output $'day|2024-01-01|-\nfr|2024-01-01|FR\ntop|-|-'
}

@test "autoload: recursiveFileLookup=true reads every sub-folder and infers no partition columns" {
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o recursiveFileLookup=true --quiet land
	assert_success
	run sql t.db "SELECT count(*) FROM t"
	assert_output 5
	run sql t.db "SELECT group_concat(name) FROM pragma_table_info('t')"
	assert_output f
}

@test "autoload: recursiveFileLookup=true with cloudFiles.partitionColumns, or not a boolean, is 64 before anything runs" {
	run inlet autoload -c ck --db t.db --table t -o cloudFiles.format=json \
		-o recursiveFileLookup=true -o cloudFiles.partitionColumns=date land
	assert_failure 64
	assert_output --partial 'recursiveFileLookup=true turns partition columns off'
	run inlet autoload -c ck --db t.db --table t -o recursiveFileLookup=maybe land
	assert_failure 64
	assert_output --partial 'recursiveFileLookup=maybe: expected true or false'
	[ ! -e ck ]
}

# The folders right below a source are shared between two listers on two
# threads: whatever their timing, each file is listed once and each thing
# left out is said once.
@test "discover: 200 sub-folders listed by two threads: each file once, each left-out entry said once, the counts summed" {
	rm -rf land
	for d in $(seq 200); do
		mkdir -p "land/d$d/deep" "land/k=$d/plain"
		echo '{"i":1}' > "land/d$d/a.json"
		echo '{"i":2}' > "land/d$d/deep/b.json"
		mkfifo "land/d$d/pipe.json"
	done
	echo '{"i":0}' > land/top.json
	# --no-recursive: the partition folders are listed, by either thread;
	# the plain folders in them are counted by whichever listed them.
	run script -qec "inlet-discover -c ck --no-recursive land > /dev/null" /dev/null
	assert_output --partial '1 new files in 1 batches; 400 sub-folders not listed (--no-recursive)'
	run --separate-stderr inlet-discover --checkpoint ck2 land
	assert_success
	[ "$(jq -r 'select(._inlet == "file") | .path' <<<"$output" | wc -l)" = 401 ]
	[ "$(jq -r 'select(._inlet == "file") | .path' <<<"$output" | sort -u | wc -l)" = 401 ]
	[ "$(grep -c "leaving out '$PWD/land/d[0-9]*/pipe.json': not a regular file (a FIFO)" <<<"$stderr")" = 200 ]
	[ "$(grep -c 'leaving out' <<<"$stderr")" = 200 ]
	commit_all ck2
	# Incremental: a new file in every other folder, and nothing else.
	for d in $(seq 2 2 200); do echo '{"i":3}' > "land/d$d/deep/c.json"; done
	run --separate-stderr inlet-discover --checkpoint ck2 land
	assert_success
	[ "$(jq -r 'select(._inlet == "file") | .path' <<<"$output" | grep -c '/deep/c.json$')" = 100 ]
	[ "$(jq -r 'select(._inlet == "file") | .path' <<<"$output" | wc -l)" = 100 ]
}
