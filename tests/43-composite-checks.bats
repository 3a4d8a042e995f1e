#!/usr/bin/env bats
# The composites on their prelude (inlet.sh-setup): options checked by the
# stages before anything runs, one-line usage errors, the status of the
# stage that failed for a reason, nothing created on a refusal, COPY INTO's
# history with the table, the SELECT list, options reaching the stages,
# and Ctrl-C.
load helpers

# listing: what the test folder holds, one name a line (nothing created
# means nothing beyond the sources).
listing() {
	ls -A | grep -v '^separate-stderr-' | LC_ALL=C sort
}

# day DIR ID...: a CSV of customers with those ids.
day() {
	local dir=$1; shift
	mkdir -p "$dir"
	{
		echo 'customer_id,first_name,registration_date'
		for id in "$@"; do echo "$id,Name $id,2023-01-0${id: -1}"; done
	} > "$dir/part-00000.csv"
}

# big FILE N: a CSV of N rows, enough for a batch to take a while.
big() {
	mkdir -p "$(dirname "$1")"
	seq 1 "$2" | awk 'BEGIN { print "id,name" } { print $1 ",name" $1 }' > "$1"
}

# wait_exists PATH: until PATH exists (10 s at most).  Not helpers.bash's
# wait_for FILE TEXT, which waits for a line.
wait_exists() {
	local i
	for i in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "'$1' never appeared"
}

# group_gone PGID: no process of the group is left (2 s for the last to be
# reaped).
group_gone() {
	local i
	for i in $(seq 1 40); do
		[ -z "$(pgrep -g "$1" || true)" ] && return 0
		sleep 0.05
	done
	fail "processes left in group $1: $(pgrep -a -g "$1")"
}

@test "usage errors: one line and a pointer to the help, exit 64, in every composite" {
	for c in copy-into ctas autoload status; do
		run --separate-stderr inlet "$c" --bogus
		assert_equal "$status" 64
		assert_equal "$stderr" "inlet-$c: unknown option '--bogus'; try 'inlet $c --help'"
		assert_equal "$output" ""
	done
	run --separate-stderr inlet copy-into --db x.db --table t --mode
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-copy-into: option '--mode' requires an argument; try 'inlet copy-into --help'"
	run --separate-stderr inlet ctas --table t src
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-ctas: --db FILE is required; try 'inlet ctas --help'"
	assert_equal "$(listing)" ""
}

@test "copy-into --table _inlet_commits is 64 (the stage's refusal), never 141, nothing created" {
	day src C1
	run --separate-stderr inlet copy-into --db shop.db --table _inlet_commits src
	assert_equal "$status" 64
	assert_equal "$output" ""
	assert_equal "$stderr" "inlet-copy-into: --table '_inlet_commits' is reserved: inlet keeps its commit marks in _inlet_commits, and SQLite owns the sqlite_ names"
	assert_equal "$(listing)" src
}

@test "a second copy-into on a table in use is 75 (the stage that failed), with no summary" {
	day src/day1 C1
	inlet copy-into --db shop.db --table t src > /dev/null
	day src/day2 C2
	# The running copy-into holds the commit lock: discover and parse of
	# the second one may die of SIGPIPE (141) once commit refuses.
	(exec 9> shop.db.inlet/t/.lock-commit; flock -x 9; exec sleep 5) 3>&- &
	holder=$!
	sleep 0.3
	run --separate-stderr inlet copy-into --db shop.db --table t src
	kill "$holder"
	wait "$holder" || true
	assert_equal "$status" 75
	assert_equal "$output" ""
	assert_regex "$stderr" "^inlet-commit: checkpoint 'shop.db.inlet/t' is in use by .* \\(lock 'shop.db.inlet/t/.lock-commit'\\); another pipeline is running on it$"
	# Held on discover's lock: 75 again, and no zero summary.
	(exec 9> shop.db.inlet/t/.lock-discover; flock -x 9; exec sleep 5) 3>&- &
	holder=$!
	sleep 0.3
	run --separate-stderr inlet copy-into --db shop.db --table t src
	kill "$holder"
	wait "$holder" || true
	assert_equal "$status" 75
	assert_equal "$output" ""
	run inlet copy-into --db shop.db --table t src
	assert_output '{"num_affected_rows":1,"num_inserted_rows":1,"num_skipped_corrupt_files":0}'
}

@test "a bad value is 64 naming the option as typed, and nothing is created" {
	mkdir land
	echo '{"a":"1"}' > land/a.json
	al() { inlet autoload -c ck --db shop.db --table t -o cloudFiles.schemaLocation=ck "$@" land; }
	# Found: inferColumnTypes=maybe printed an error, loaded the data and
	# exited 0 (the check ran inside $(...)).
	run --separate-stderr al -o cloudFiles.inferColumnTypes=maybe
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-autoload: -o cloudFiles.inferColumnTypes=maybe: expected true or false"
	run --separate-stderr al -o cloudFiles.schemaEvolutionMode=addNewColumn
	assert_equal "$status" 64
	assert_regex "$stderr" "^inlet-autoload: -o cloudFiles.schemaEvolutionMode=addNewColumn: expected [^;]*none$"
	# Spark 3's sep takes several characters ('||'); inlet up to 16 bytes.
	run --separate-stderr al -o 'sep=|||||||||||||||||'
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-autoload: -o sep=|||||||||||||||||: expected 1 to 16 bytes of UTF-8 text on one line"
	run --separate-stderr al -o encoding=latin-9000
	assert_equal "$status" 64
	assert_regex "$stderr" "^inlet-autoload: -o encoding=latin-9000: "
	for o in mode=bogus cloudFiles.maxFilesPerTrigger=x cloudFiles.format=xml \
		cloudFiles.includeExistingFiles=maybe cloudFiles.backfillInterval=soon \
		cloudFiles.schemaHints='a NOTATYPE'; do
		run --separate-stderr al -o "$o"
		assert_equal "$status" 64
		[[ $stderr == "inlet-autoload: -o $o: "* ]] || fail "-o $o: $stderr"
		[ "$(wc -l <<< "$stderr")" = 1 ] || fail "-o $o: more than one line: $stderr"
	done
	run --separate-stderr inlet autoload -c ck --db shop.db --table t --trigger "processingTime='soon'" land
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-autoload: --trigger processingTime='soon': expected a duration such as 500ms, 30s, 1m30s, 1.5h or \"10 seconds\""
	run --separate-stderr inlet copy-into --db shop.db --table t --header maybe land
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-copy-into: invalid value 'maybe' for --header: expected true or false"
	run --separate-stderr inlet ctas --db shop.db --table t --schema 'a NOTATYPE' land
	assert_equal "$status" 64
	[[ $stderr == "inlet-ctas: "*"NOTATYPE"* ]] || fail "$stderr"
	run --separate-stderr inlet ctas --db shop.db --table t --map '{' land
	assert_equal "$status" 64
	assert_equal "$(listing)" land
}

@test "a PostgreSQL --db without a loadable libpq is 69, as the stage says, and nothing is created" {
	mkdir land
	echo '{"a":"1"}' > land/a.json
	local uri='postgresql:///nosuch?host=/nonexistent' why
	why="cannot load libpq, which PostgreSQL needs (Debian's package libpq5): /nonexistent/libpq.so.5: cannot open shared object file: No such file or directory"
	export INLET_LIBPQ=/nonexistent/libpq.so.5
	run --separate-stderr inlet copy-into --checkpoint ck --db "$uri" --table t land
	assert_equal "$status" 69
	assert_equal "$stderr" "inlet-copy-into: $why"
	run --separate-stderr inlet ctas --db "$uri" --table t land
	assert_equal "$status" 69
	assert_equal "$stderr" "inlet-ctas: $why"
	run --separate-stderr inlet autoload -c ck --db "$uri" --table t land
	assert_equal "$status" 69
	# Checked with the whole of inlet-commit's options: the stage is named.
	assert_equal "$stderr" "inlet-autoload: inlet-commit: $why"
	assert_equal "$(listing)" land
}

@test "composites take the values the stages take: no narrower copy in shell" {
	day src C1 C2
	# parse takes yes/no for a boolean as it takes true/false.
	run inlet copy-into --db shop.db --table t --format csv --header yes src
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run inlet ctas --db shop.db --table u --header no src
	assert_success
	run sql shop.db 'SELECT count(*) FROM u'
	assert_output 3
}

@test "a missing source is 66 with nothing created, in copy-into, ctas and autoload" {
	run --separate-stderr inlet copy-into --db shop.db --table t nosuch
	assert_equal "$status" 66
	assert_equal "$output" ""
	assert_equal "$stderr" "inlet-copy-into: cannot read source 'nosuch': No such file or directory"
	run inlet ctas --db shop.db --table t nosuch
	assert_equal "$status" 66
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=json nosuch
	assert_equal "$status" 66
	assert_equal "$(listing)" ""
}

@test "copy-into --format csv on JSON files counts num_malformed_rows; failfast exits 65" {
	mkdir src
	printf '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n{"id":3}\n' > src/a.json
	# Databricks' COPY INTO summary has three counts; the malformed rows
	# of PERMISSIVE mode stand beside them.
	run --separate-stderr inlet copy-into --db shop.db --table t --format csv src
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0,"num_malformed_rows":2}'
	run --separate-stderr inlet copy-into --db other.db --table t --format csv --mode failfast src
	assert_equal "$status" 65
	assert_equal "$output" ""
	run sql other.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
}

@test "copy-into and ctas --schema DDL --map JQ: the SELECT list (TO_DATE, current_timestamp())" {
	# COPY INTO ... FROM (SELECT TO_DATE(registration_date, 'dd/MM/yyyy'),
	# current_timestamp() AS _ingestion_timestamp FROM ...):
	# https://docs.databricks.com/en/sql/language-manual/delta-copy-into.html
	mkdir src
	printf 'customer_id,registration_date\nC1,05/01/2023\nC2,06/01/2023\n' > src/a.csv
	schema='customer_id STRING, registration_date DATE, _ingestion_timestamp TIMESTAMP'
	map='{customer_id, registration_date, _ingestion_timestamp: (now | todate)}'
	for c in copy-into ctas; do
		run inlet "$c" --db shop.db --table "t_${c/-/_}" --format csv --schema "$schema" \
			--date-format dd/MM/yyyy --map "$map" src
		assert_success
		assert_output --partial '"num_inserted_rows":2'
		run sql shop.db "SELECT customer_id, registration_date,
			_ingestion_timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z' FROM t_${c/-/_} ORDER BY 1"
		assert_output $'C1|2023-01-05|1\nC2|2023-01-06|1'
	done
	# A value that does not convert follows --mode in cast too.
	printf 'customer_id,registration_date\nC3,NOT_A_DATE\n' > src/b.csv
	run inlet copy-into --db shop.db --table t_copy_into --format csv --schema "$schema" \
		--date-format dd/MM/yyyy --mode failfast src
	assert_equal "$status" 65
	run sql shop.db "SELECT count(*) FROM t_copy_into"
	assert_output 2
	run --separate-stderr inlet copy-into --db shop.db --table t --date-format dd/MM/yyyy src
	assert_equal "$status" 64
	assert_equal "$stderr" "inlet-copy-into: --date-format needs --schema; try 'inlet copy-into --help'"
}

@test "copy-into: DROP TABLE, then COPY INTO loads the files again; the old history is set aside" {
	# Databricks keeps COPY INTO's load history in the table's log, so a
	# dropped table starts with none:
	# https://docs.databricks.com/en/ingestion/copy-into/index.html
	day src/day1 C1 C2
	inlet copy-into --db shop.db --table t src > /dev/null
	sql shop.db 'DROP TABLE t'
	run --separate-stderr inlet copy-into --db shop.db --table t src
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	assert_regex "$stderr" "^inlet-copy-into: table 't' in 'shop.db' is not the table 'shop.db.inlet/t' loaded \(dropped or created anew\): its load history is set aside as 'shop.db.inlet/t.set-aside-[0-9TZ]+-[0-9]+', and the files load again$"
	aside=$(ls -d shop.db.inlet/t.set-aside-*)
	[ -f "$aside/commits/0" ]
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 2
	# The new history is kept: a rerun loads nothing.
	run inlet copy-into --db shop.db --table t src
	assert_output '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}'
	# DROP TABLE and CREATE TABLE again (the notebook's cell): a new table.
	sql shop.db 'DROP TABLE t; CREATE TABLE t (customer_id TEXT, first_name TEXT, registration_date TEXT)'
	run inlet copy-into --db shop.db --table t src
	assert_output --partial '"num_inserted_rows":2'
	[ "$(ls -d shop.db.inlet/t.set-aside-* | wc -l)" = 2 ]
	# A table emptied of nothing (a load of zero rows) keeps its history.
	run inlet copy-into --db shop.db --table t src
	assert_output --partial '"num_inserted_rows":0'
	[ "$(ls -d shop.db.inlet/t.set-aside-* | wc -l)" = 2 ]
}

@test "copy-into: a checkpoint given for another table is not that table's history" {
	day src C1
	inlet copy-into --db shop.db --table a --checkpoint ck src > /dev/null
	run inlet copy-into --db shop.db --table b --checkpoint ck src
	assert_output --partial '"num_inserted_rows":1'
	run sql shop.db 'SELECT count(*) FROM b'
	assert_output 1
}

@test "copy-into takes parse's reader flags: --multiline, --null-value, --skip-rows, --format tsv by name" {
	mkdir j c
	printf '[{"id":"1"},\n {"id":"2"}]\n' > j/a.json
	run inlet copy-into --db shop.db --table j --format json --multiline j
	assert_output --partial '"num_inserted_rows":2'
	printf 'junk line\nid,v\n1,NA\n2, x\n' > c/a.csv
	run inlet copy-into --db shop.db --table c --format csv --skip-rows 1 --null-value NA \
		--ignore-leading-white-space c
	assert_success
	run sql shop.db "SELECT id, coalesce(v, 'null') FROM c ORDER BY id"
	assert_output $'1|null\n2|x'
}

@test "autoload: mode=FAILFAST and DROPMALFORMED reach cast (a value that does not convert)" {
	# mode governs type-conversion failures as well as parse errors:
	# https://spark.apache.org/docs/latest/sql-data-sources-csv.html
	mkdir land
	printf 'id,d\n1,2023-01-05\n888,NOT_A_DATE\n' > land/a.csv
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=csv \
		--schema 'id INT, d DATE' -o mode=FAILFAST --quiet land
	assert_equal "$status" 65
	run sql shop.db "SELECT count(*) FROM sqlite_master WHERE name = 't'"
	assert_output 0
	run inlet autoload -c ck2 --db shop.db --table t -o cloudFiles.format=csv \
		--schema 'id INT, d DATE' -o mode=DROPMALFORMED --quiet land
	assert_success
	run sql shop.db 'SELECT id, d FROM t'
	assert_output '1|2023-01-05'
	run inlet autoload -c ck3 --db shop.db --table u -o cloudFiles.format=csv \
		--schema 'id INT, d DATE, bad STRING' -o columnNameOfCorruptRecord=bad --quiet land
	assert_success
	run sql shop.db 'SELECT id FROM u WHERE bad IS NOT NULL'
	assert_output 888
}

@test "autoload: the reader options the stages implement, Databricks' spellings" {
	# https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/options.html
	mkdir land
	printf 'skip me\nid, d ,n\n1, 05/01/2023 ,NA\n' > land/a.csv
	run inlet autoload -c ck --db shop.db --table t -o cloudFiles.format=csv \
		--schema 'id INT, d DATE, n STRING' -o skipRows=1 -o ignoreLeadingWhiteSpace=true \
		-o ignoreTrailingWhiteSpace=true -o nullValue=NA -o dateFormat=dd/MM/yyyy \
		-o timestampFormat=yyyy-MM-dd -o quote='"' -o escape='\' -o comment='#' \
		-o rescuedDataColumn=_rescue --trigger availableNow --quiet land
	assert_success
	run sql shop.db "SELECT id, d, coalesce(n, 'null') FROM t"
	assert_output '1|2023-01-05|null'
	mkdir land2
	echo '{"a":1}' > land2/a.json
	run inlet autoload -c ck2 --db shop.db --table t2 -o cloudFiles.format=json \
		-o cloudFiles.schemaLocation=ck2 -o cloudFiles.schemaInference.sampleSize.numFiles=5 \
		-o cloudFiles.schemaHints='a BIGINT' --quiet land2
	assert_success
	run sql shop.db 'SELECT a FROM t2'
	assert_output 1
}

@test "autoload: processingTime='50 milliseconds' runs a stream until stopped" {
	mkdir land
	echo '{"a":1}' > land/a.json
	setsid env --default-signal=INT inlet-autoload -c ck --db shop.db --table t \
		-o cloudFiles.format=json --trigger "processingTime='50 milliseconds'" --quiet land 3>&- &
	pid=$!
	wait_exists ck/commits/0
	echo '{"a":2}' > land/b.json
	wait_exists ck/commits/1
	kill -INT -- "-$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	run sql shop.db 'SELECT group_concat(a) FROM t'
	assert_output 1,2
}

@test "Ctrl-C in copy-into finishes the batch in flight and says so: exit 0" {
	big src/a.csv 1000000
	# setsid: copy-into leads its own process group, as at a terminal,
	# where Ctrl-C reaches every process of the group.
	setsid env --default-signal=INT inlet-copy-into --db shop.db --table t src \
		> out 2> err 3>&- &
	pid=$!
	wait_exists shop.db.inlet/t/offsets/0
	kill -INT -- "-$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	grep -qx 'inlet-copy-into: finishing batch 0, Ctrl-C again to abort' err || fail "$(cat err)"
	assert_equal "$(cat out)" '{"num_affected_rows":1000000,"num_inserted_rows":1000000,"num_skipped_corrupt_files":0}'
	run sql shop.db 'SELECT count(*) FROM t'
	assert_output 1000000
}

@test "Ctrl-C in autoload while --each-batch runs: the command finishes, the batch is committed, exit 0" {
	mkdir land
	echo '{"a":1}' > land/a.json
	# The command waits for the Ctrl-C, then takes its time: it ends only
	# if the Ctrl-C did not kill it.
	setsid env --default-signal=INT inlet-autoload -c ck --db shop.db --table t \
		-o cloudFiles.format=json --trigger every:50ms --quiet \
		--each-batch "touch '$PWD/started'; while [ ! -e '$PWD/sent' ]; do sleep 0.05; done; sleep 0.3; touch '$PWD/done'" \
		land 2> err 3>&- &
	pid=$!
	wait_exists started
	kill -INT -- "-$pid"
	touch sent
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	[ -e done ] || fail "the command was cut: $(cat err)"
	[ -e ck/commits/0 ] || fail "batch 0 not committed: $(cat err)"
	grep -qx 'inlet-autoload: finishing batch 0, Ctrl-C again to abort' err || fail "$(cat err)"
	run sql shop.db 'SELECT a FROM t'
	assert_output 1
}

@test "a second Ctrl-C aborts without committing: exit 130; a rerun loads the batch once" {
	big src/a.csv 1000000
	setsid env --default-signal=INT inlet-copy-into --db shop.db --table t src \
		> out 2> err 3>&- &
	pid=$!
	wait_exists shop.db.inlet/t/offsets/0
	# inlet-commit held still until the second Ctrl-C, so that the batch
	# cannot commit between the two (on a fast machine it could).
	wait_until 10 pgrep -g "$pid" -x inlet-commit > /dev/null || fail "no inlet-commit: $(cat err)"
	commit=$(pgrep -g "$pid" -x inlet-commit)
	kill -STOP "$commit"
	kill -INT -- "-$pid"
	# The second Ctrl-C once the first is acknowledged: a fixed sleep let
	# it land inside the first one's handler on a loaded machine.
	wait_until 10 grep -q 'Ctrl-C again to abort' err || fail "the first Ctrl-C was not said: $(cat err)"
	kill -INT -- "-$pid"
	kill -CONT "$commit" 2> /dev/null || true
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	grep -qx 'inlet-copy-into: aborting: the batch in flight is not committed' err || fail "$(cat err)"
	# Its two lines, the stop and the abort: no notice from bash of the
	# stages the abort killed.
	run grep -c . err
	assert_output 2
	assert_equal "$(cat out)" ""
	[ ! -e shop.db.inlet/t/commits/0 ]
	grep -q 'input ended' err && fail "commit saw its input cut: $(cat err)"
	group_gone "$pid"
	run inlet copy-into --db shop.db --table t src
	assert_output '{"num_affected_rows":1000000,"num_inserted_rows":1000000,"num_skipped_corrupt_files":0}'
	run sql shop.db 'SELECT count(*), count(DISTINCT id) FROM t'
	assert_output '1000000|1000000'
}

# int_delivered PID: no SIGINT (bit 2, value 2) pending for PID, in
# /proc/PID/status's SigPnd and ShdPnd.
int_delivered() {
	local k v pending=0
	# Read to the end: an early return leaves the rest of the file unread.
	while read -r k v; do
		[[ $k == SigPnd: || $k == ShdPnd: ]] && ((0x$v & 2)) && pending=1
	done < /proc/"$1"/status
	[ "$pending" = 0 ]
}

@test "two Ctrl-Cs at once: the second aborts, said once and last; exit 130, nothing committed" {
	big src/a.csv 1000000
	setsid env --default-signal=INT inlet-copy-into --db shop.db --table t src \
		> out 2> err 3>&- &
	pid=$!
	wait_exists shop.db.inlet/t/offsets/0
	# The second as soon as the first has left the kernel (two of a kind
	# pending are one), so that it lands while the first one's handler
	# runs, or just after.
	kill -INT -- "-$pid"
	wait_until 10 int_delivered "$pid"
	kill -INT -- "-$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	# Its last word is the abort, said once; a first stop said before it
	# names the batch.
	assert_equal "$(grep -c '^inlet-copy-into: aborting' err)" 1
	assert_equal "$(grep '^inlet-copy-into:' err | tail -n 1)" 'inlet-copy-into: aborting: the batch in flight is not committed'
	! grep '^inlet-copy-into: finishing' err | grep -vqx 'inlet-copy-into: finishing batch 0, Ctrl-C again to abort'
	[ ! -e shop.db.inlet/t/commits/0 ]
	group_gone "$pid"
	run inlet copy-into --db shop.db --table t src
	assert_output '{"num_affected_rows":1000000,"num_inserted_rows":1000000,"num_skipped_corrupt_files":0}'
}

@test "Ctrl-C in autoload's watch mode without a schema location: a clean stop, exit 0" {
	mkdir land
	echo '{"a":1}' > land/a.json
	setsid env --default-signal=INT inlet-autoload -c ck --db shop.db --table t \
		-o cloudFiles.format=json --trigger watch --quiet land 2> err 3>&- &
	pid=$!
	wait_exists ck/commits/0
	# The FIFO run_pipeline sleeps on is its shells' alone: no stage, no
	# command a stage runs, holds it.
	holders=
	for p in $(pgrep -g "$pid"); do
		runs "$p" bash && continue
		ls -l "/proc/$p/fd" 2> /dev/null | grep -q '/wake$' && holders+=" $(cat "/proc/$p/comm")"
	done
	[ -z "$holders" ] || { pkill -KILL -g "$pid"; fail "the FIFO held by:$holders"; }
	kill -INT -- "-$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	grep -qx 'inlet-autoload: stopping: no batch in flight' err || fail "$(cat err)"
	group_gone "$pid"
}

@test "a FIFO that cannot be made: 73, said, nothing run or committed, no temporary folder left" {
	big src/a.csv 10
	mkdir fake tmp
	printf '#!/bin/sh\necho "mkfifo: refused" >&2; exit 1\n' > fake/mkfifo
	chmod +x fake/mkfifo
	TMPDIR=$PWD/tmp PATH=$PWD/fake:$PATH run inlet copy-into --db shop.db --table t src
	assert_equal "$status" 73
	assert_output --partial "inlet-copy-into: cannot create a FIFO in '$PWD/tmp/"
	[ ! -e shop.db.inlet/t/offsets/0 ] || fail "a batch was started"
	assert_equal "$(ls -A tmp)" ""
}

@test "run_pipeline: the stage that failed for a reason, never an upstream 141" {
	# The prelude as the composites source it.
	run bash -c 'prog=inlet-test; . "$1/inlet.sh-setup"
		a=(yes) b=(head -n 1) c=(bash -c "cat > /dev/null; exit 75") d=(bash -c "exit 3")
		run_pipeline a d; echo "$? ${pipeline_statuses[*]}"
		run_pipeline a b c; echo "$? ${pipeline_statuses[*]}"
		run_pipeline a b > /dev/null; echo "$? ${pipeline_statuses[*]}"
		e=(bash -c "kill -PIPE \$\$") f=(cat)
		run_pipeline e f; echo "$? ${pipeline_statuses[*]}"' _ "$INLET_BIN"
	assert_success
	# yes dies of SIGPIPE once d exits: 3 is the status.
	assert_line --index 0 '3 141 3'
	# head ends early, c fails: 75, not the 141 of yes.
	assert_line --index 1 '75 141 0 75'
	# Only a 141 with no other failure is reported as it is.
	assert_line --index 2 '141 141 0'
	assert_line --index 3 '141 141 0'
}
