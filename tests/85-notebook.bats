#!/usr/bin/env bats
# examples/notebook: the Databricks notebook, cell by cell.  The whole
# notebook runs once (setup_file, about 15 s) into a temporary folder; the
# tests check that every cell printed its .expected and what the tables hold.
load helpers

NB=$INLET_ROOT/examples/notebook

setup_file() {
	export NB_OUT=$BATS_FILE_TMPDIR/nb
	make -s -C "$NB" cells OUT="$NB_OUT" BIN="$INLET_BIN" \
		> "$BATS_FILE_TMPDIR/make.log" 2>&1
	echo $? > "$BATS_FILE_TMPDIR/make.status"
}

# cells: the numbered cell scripts, as NN-name.
cells() {
	local c
	for c in "$NB"/[0-9][0-9]-*.sh; do basename "$c" .sh; done
}

# q QUERY: a query on the notebook's database.
q() {
	sql "$NB_OUT/shop.db" "$1"
}

@test "notebook: every cell runs and prints its .expected" {
	run cat "$BATS_FILE_TMPDIR/make.log"
	[ "$(cat "$BATS_FILE_TMPDIR/make.status")" = 0 ] || fail "make cells failed: $output"
	[ "$(cells | wc -l)" -eq 13 ]
	for n in $(cells); do
		assert_line --regexp "^$n +ok\$"
		[ -f "$NB/$n.expected" ]
	done
	assert_line 'notebook: every cell as expected'
	refute_output --partial DIFFERS
}

@test "notebook: each output equals its .expected byte for byte" {
	for n in $(cells); do
		cmp "$NB/$n.expected" "$NB_OUT/$n.out" || fail "$n.out differs from $n.expected"
	done
	# and no .expected is without its cell
	for e in "$NB"/*.expected; do
		[ -f "${e%.expected}.sh" ] || fail "$e has no cell"
	done
}

@test "notebook: the outputs hold nothing that changes from run to run" {
	for n in $(cells); do
		# the only times are those of the data set (2024-03-01) and of the
		# notebook's clock (2025-01-15), never the time of the run
		run bash -c "grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}' '$NB/$n.expected' |
			cut -c1-10 | sort -u | grep -vxE '2024-03-01|2025-01-15'"
		assert_output ''
		run grep -nE "$BATS_FILE_TMPDIR|$INLET_ROOT|duration_ms|rows_per_sec|\"id\":" "$NB/$n.expected"
		assert_output ''
	done
}

@test "notebook: CTAS and COPY INTO: every customer once, the rerun loads nothing" {
	[ "$(q 'SELECT count(*) FROM customer_cts')" = 50 ]
	[ "$(q 'SELECT count(*) FROM customer_cts_copy')" = 50 ]
	[ "$(q 'SELECT count(*), count(DISTINCT customer_id) FROM customers_batch')" = '50|50' ]
	grep -qx '{"num_affected_rows":0,"num_inserted_rows":0,"num_skipped_corrupt_files":0}' \
		"$NB_OUT/04-copy-into-rerun.out"
	grep -qx 'Difference   0' "$NB_OUT/04-copy-into-rerun.out"
	# TO_DATE and current_timestamp() of the SELECT list
	[ "$(q "SELECT count(*) FROM customers_batch
		WHERE registration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND _ingestion_timestamp GLOB '20[0-9][0-9]-*T*Z'")" = 50 ]
	# day6 was written before day3 and day4, and all three were loaded
	[ -d "$NB_OUT/ingestion_demo/batch_source/day6" ]
	grep -qx '{"num_affected_rows":35,"num_inserted_rows":35,"num_skipped_corrupt_files":0}' \
		"$NB_OUT/05-more-days.out"
}

@test "notebook: Auto Loader, continuous stream, join and rescue hold every order once" {
	[ "$(q 'SELECT count(*), count(DISTINCT _source_file) FROM orders_autoloader')" = '200|2' ]
	[ "$(q 'SELECT count(*), count(DISTINCT order_id) FROM orders_autoloader_continuous')" = '1000|1000' ]
	[ "$(q 'SELECT count(*), count(first_name) FROM enriched_orders')" = '1200|1200' ]
	[ "$(q 'SELECT count(*) FROM orders_rescued')" = 1401 ]
	[ "$(q "SELECT customer_id IS NULL, total_amount IS NULL,
		json_extract(_rescued_data, '\$.total_amount'), json_extract(_rescued_data, '\$.new_col')
		FROM orders_rescued WHERE order_id = '99999'")" = '1|1|INVALID_NUMBER|surprise' ]
	grep -qx 'stopped with status 0' "$NB_OUT/08-continuous.out"
	grep -qx 'stopped with status 0' "$NB_OUT/09-stream-static-join.out"
}

@test "notebook: windowed counts add up to the orders, one row per window and customer" {
	[ "$(q 'SELECT sum(CAST(count AS INTEGER)) FROM orders_counts')" = 1400 ]
	[ "$(q 'SELECT count(*) = count(DISTINCT window_start || customer_id) FROM orders_counts')" = 1 ]
	[ "$(q "SELECT count(*) FROM orders_counts
		WHERE strftime('%s', window_end) - strftime('%s', window_start) != 30")" = 0 ]
	grep -qx 'stopped with status 0' "$NB_OUT/10-windowed-counts.out"
}

@test "notebook: the bad CSV row goes to badRecordsPath, the good one through" {
	run find "$NB_OUT/ingestion_demo/bad_records" -type f
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ /bad_records/[0-9]{8}T[0-9]{6}/bad_records/part-[0-9]+$ ]]
	run cat "${lines[0]}"
	assert_output --partial 'NOT_A_DATE'
	assert_output --partial '"reason":'
	refute_output --partial 'Eve'
	grep -q '"first_name":"Eve"' "$NB_OUT/12-bad-records.out"
	[ "$(q 'SELECT count(*) FROM customers_with_validation')" = 0 ]
}

@test "notebook: the closing summary lists the notebook's tables" {
	run cat "$NB_OUT/13-status.out"
	assert_line --regexp '^customers_batch +EXISTS +50$'
	assert_line --regexp '^orders_rescued +EXISTS +1401$'
	assert_line --regexp '^customers_with_validation +EXISTS +0$'
	assert_line --regexp '^orders_trigger_test +NOT FOUND +-$'
}

@test "notebook: the plot is a PNG (gnuplot)" {
	command -v gnuplot > /dev/null || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
	run make -s -C "$NB" plot OUT="$NB_OUT" BIN="$INLET_BIN"
	assert_success
	assert_output "plot: wrote $NB_OUT/orders-per-window.png"
	[ "$(head -c 8 "$NB_OUT/orders-per-window.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	[ "$(wc -l < "$NB_OUT/orders-per-window.dat")" -eq 6 ]	# header + 5 windows
	# the copy the README shows is committed and small
	[ -f "$NB/orders-per-window.png" ]
	[ "$(wc -c < "$NB/orders-per-window.png")" -lt 102400 ]
}

@test "notebook: without gnuplot the plot is skipped with a message" {
	mkdir nognuplot
	for t in bash sqlite3 jq dirname basename cat sed mkdir rm tr wc awk; do
		ln -s "$(command -v $t)" nognuplot/
	done
	run env PATH="$PWD/nognuplot" OUT="$NB_OUT" BIN="$INLET_BIN" bash "$NB/plot.sh"
	assert_success
	assert_output --partial 'gnuplot is not installed'
}

@test "notebook: an output that differs from its .expected fails the run" {
	mkdir -p copy/examples
	cp -R "$NB" copy/examples/notebook
	cp "$INLET_ROOT/examples/gen-shop" copy/examples/
	rm -rf copy/examples/notebook/out
	sed -i 's/^customers.csv: 50 customers$/customers.csv: 51 customers/' \
		copy/examples/notebook/01-setup.expected
	run make -s -C copy/examples/notebook cells CELLS='01-setup.sh 02-ctas.sh' \
		OUT="$PWD/out" BIN="$INLET_BIN"
	assert_failure
	assert_line --regexp '^01-setup +DIFFERS from 01-setup.expected:$'
	assert_line '-customers.csv: 51 customers'
	assert_line '+customers.csv: 50 customers'
	assert_line --regexp '^02-ctas +ok$'
	assert_output --partial 'notebook: 1 cells differ from their .expected'
}

@test "notebook: a cell that fails stops the run" {
	mkdir -p copy/examples
	cp -R "$NB" copy/examples/notebook
	cp "$INLET_ROOT/examples/gen-shop" copy/examples/
	rm -rf copy/examples/notebook/out
	echo 'inlet ctas --db shop.db --table t --format csv no/such/file.csv' \
		>> copy/examples/notebook/02-ctas.sh
	run make -s -C copy/examples/notebook cells CELLS='01-setup.sh 02-ctas.sh 03-copy-into-day1.sh' \
		OUT="$PWD/out" BIN="$INLET_BIN"
	assert_failure
	assert_line --regexp '^02-ctas +FAILED with status [1-9][0-9]*; its standard error:$'
	refute_output --partial 03-copy-into-day1
}
