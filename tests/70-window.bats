#!/usr/bin/env bats
# inlet-window: event-time windows, aggregates, watermark, output modes, state.
load helpers

order() {	# order HH:MM:SS CUSTOMER [AMOUNT]: one order row on 2024-03-01
	echo "{\"ts\":\"2024-03-01T$1Z\",\"customer_id\":\"$2\"${3:+,\"amount\":$3}}"
}

win() {		# win HH:MM:SS HH:MM:SS: the window object of an output row
	echo "{\"window\":{\"start\":\"2024-03-01T$1Z\",\"end\":\"2024-03-01T$2Z\"}"
}

@test "tumbling windows count rows, aligned to the epoch, start inclusive, end exclusive" {
	{ order 12:00:00 C1; order 12:00:29 C1; order 12:00:30 C1; order 11:59:59.999 C1; } > in
	run_framed inlet-window --time ts --window 30s < in
	assert_success
	assert_output "$(win 11:59:30 12:00:00),\"count\":1}
$(win 12:00:00 12:00:30),\"count\":2}
$(win 12:00:30 12:01:00),\"count\":1}"
}

@test "sliding windows put a row in every window that holds it" {
	order 12:00:25 C1 > in
	run_framed inlet-window --time ts --window 30s --slide 10s < in
	assert_success
	assert_output "$(win 12:00:00 12:00:30),\"count\":1}
$(win 12:00:10 12:00:40),\"count\":1}
$(win 12:00:20 12:00:50),\"count\":1}"
}

@test "group keys are compared and written as their exact JSON text; missing is null" {
	printf '%s\n' '{"ts":"2024-03-01T12:00:01Z","c":"C1","r":"EU"}' \
		'{"ts":"2024-03-01T12:00:02Z","c":"C1","r":"EU"}' \
		'{"ts":"2024-03-01T12:00:03Z","c":1,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:04Z","c":1.0,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:05Z","r":"EU"}' > in
	run_framed inlet-window --time ts --window 1m --group-by c,r < in
	assert_success
	assert_output "$(win 12:00:00 12:01:00),\"c\":\"C1\",\"r\":\"EU\",\"count\":2}
$(win 12:00:00 12:01:00),\"c\":1,\"r\":\"EU\",\"count\":1}
$(win 12:00:00 12:01:00),\"c\":1.0,\"r\":\"EU\",\"count\":1}
$(win 12:00:00 12:01:00),\"c\":null,\"r\":\"EU\",\"count\":1}"
}

@test "rows come out by window start, then by the group keys' output text, short or long" {
	printf '%s\n' '{"ts":"2024-03-01T12:00:01Z","c":12,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:02Z","c":1,"r":"EU-west, a region name longer than most"}' \
		'{"ts":"2024-03-01T12:00:03Z","c":1,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:04Z","c":1.5,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:05Z","c":-1,"r":"EU"}' \
		'{"ts":"2024-03-01T12:00:06Z","c":"a string key of more than forty bytes, too","r":null}' \
		'{"ts":"2024-03-01T12:00:07Z","c":[1,2],"r":{"x":1}}' \
		'{"ts":"2024-03-01T12:00:08Z","c":12,"r":"EU"}' \
		'{"ts":"2024-03-01T11:59:59Z","c":12,"r":"EU"}' > in
	run_framed inlet-window --time ts --window 1m --group-by c,r < in
	assert_success
	[ "${#lines[@]}" -eq 8 ]
	printf '%s\n' "$output" > got
	LC_ALL=C sort got | diff - got
	assert_line --index 0 "$(win 11:59:00 12:00:00),\"c\":12,\"r\":\"EU\",\"count\":1}"
	assert_line "$(win 12:00:00 12:01:00),\"c\":12,\"r\":\"EU\",\"count\":2}"
	assert_line --partial ',"c":"a string key of more than forty bytes, too","r":null,"count":1}'
	assert_line --partial ',"c":[1,2],"r":{"x":1},"count":1}'
}

@test "every aggregate, named count, sum_F, avg_F, min_F, max_F, approx_count_distinct_F" {
	{ order 12:00:01 C1 2; order 12:00:02 C1 '"3"'; order 12:00:03 C1 null; order 12:00:04 C1 2; order 12:00:05 C1; } > in
	run_framed inlet-window --time ts --window 1m --group-by customer_id --agg count \
		--agg sum:amount --agg avg:amount --agg min:amount --agg max:amount \
		--agg approx_count_distinct:amount < in
	assert_success
	assert_output "$(win 12:00:00 12:01:00),\"customer_id\":\"C1\",\"count\":5,\"sum_amount\":7,\"avg_amount\":2.3333,\"min_amount\":2,\"max_amount\":\"3\",\"approx_count_distinct_amount\":2}"
}

@test "aggregates over no values are null (count and approx_count_distinct are 0)" {
	order 12:00:01 C1 null > in
	run_framed inlet-window --time ts --window 1m --agg sum:amount --agg avg:amount \
		--agg min:amount --agg approx_count_distinct:amount < in
	assert_output "$(win 12:00:00 12:01:00),\"sum_amount\":null,\"avg_amount\":null,\"min_amount\":null,\"approx_count_distinct_amount\":0}"
}

@test "sums are exact decimal arithmetic on the text, never doubles" {
	{ order 12:00:01 A 0.1; order 12:00:02 A 0.2; order 12:00:01 B '"19.990"'; order 12:00:02 B 0.010
	  order 12:00:01 C 9007199254740993; order 12:00:02 C 1; order 12:00:01 D -1.5; order 12:00:02 D 1.25
	  order 12:00:01 E 1e400; order 12:00:02 E -1e400; order 12:00:03 E 2.5E-3; } > in
	run_framed inlet-window --time ts --window 1m --group-by customer_id --agg sum:amount --agg avg:amount < in
	assert_success
	assert_line --index 0 --partial '"customer_id":"A","sum_amount":0.3,"avg_amount":0.15000}'
	assert_line --index 1 --partial '"customer_id":"B","sum_amount":20.000,"avg_amount":10.0000000}'
	assert_line --index 2 --partial '"customer_id":"C","sum_amount":9007199254740994,"avg_amount":4503599627370497.0000}'
	assert_line --index 3 --partial '"customer_id":"D","sum_amount":-0.25,"avg_amount":-0.125000}'
	assert_line --index 4 --partial '"customer_id":"E","sum_amount":0.0025,"avg_amount":0.00083333}'
}

@test "avg rounds half away from zero at the input scale plus 4" {
	{ order 12:00:01 A 1; order 12:00:02 A 1; order 12:00:03 A 0
	  order 12:00:01 B -1; order 12:00:02 B -1; order 12:00:03 B 0; } > in
	run_framed inlet-window --time ts --window 1m --group-by customer_id --agg avg:amount < in
	assert_line --index 0 --partial '"avg_amount":0.6667}'
	assert_line --index 1 --partial '"avg_amount":-0.6667}'
}

@test "min and max: numbers (and numeric strings) exactly, before other strings" {
	{ order 12:00:01 N 10; order 12:00:02 N '"9.5"'; order 12:00:03 N 100.00
	  order 12:00:01 S '"pear"'; order 12:00:02 S '"apple"'; order 12:00:03 S '"Zebra"'
	  order 12:00:01 M '"pear"'; order 12:00:02 M 7; } > in
	run_framed inlet-window --time ts --window 1m --group-by customer_id --agg min:amount --agg max:amount < in
	assert_success
	assert_line --index 0 --partial '"customer_id":"M","min_amount":7,"max_amount":"pear"}'
	assert_line --index 1 --partial '"customer_id":"N","min_amount":"9.5","max_amount":100.00}'
	assert_line --index 2 --partial '"customer_id":"S","min_amount":"Zebra","max_amount":"pear"}'
}

@test "sum and avg leave non-numeric values out and report them with the line" {
	{ order 12:00:01 A 1; order 12:00:02 A '"n/a"'; } > in
	run_framed --separate-stderr inlet-window --time ts --window 1m --agg sum:amount < in
	assert_success
	assert_output --partial '"sum_amount":1}'
	[[ $stderr == *"line 2: 'amount' value \"n/a\" is not a decimal number; left out of sum_amount"* ]]
}

@test "approx_count_distinct is exact up to 1024 values, then within 3%" {
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"ts\":%d,\"v\":\"u%d\"}\n", i % 60, i % 1000 }' > small
	run_framed inlet-window --time ts --window 1m --agg approx_count_distinct:v < small
	assert_output --partial '"approx_count_distinct_v":1000}'
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "{\"ts\":%d,\"v\":%d}\n", i % 60, i % 20000 }' > big
	run_framed inlet-window --time ts --window 1m --agg approx_count_distinct:v < big
	n=${output##*:}; n=${n%\}}
	[ "$n" -ge 19400 ] && [ "$n" -le 20600 ]
}

three_batches() {
	batch 0 "$(order 12:00:05 C1)" "$(order 12:00:35 C1)"
	batch 1 "$(order 12:00:40 C1)" "$(order 12:01:10 C2)"
	batch 2 "$(order 12:01:50 C2)"
}

@test "update mode emits the windows changed in each batch, inside the batch" {
	three_batches > in
	run inlet-window --time ts --window 30s --watermark 10s --group-by customer_id \
		--output-mode update < in
	assert_success
	assert_output "$(batch 0 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":1}")
$(batch 1 "$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}" \
		"$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}")
$(batch 2 "$(win 12:01:30 12:02:00),\"customer_id\":\"C2\",\"count\":1}")"
}

@test "complete mode emits every window in each batch" {
	three_batches > in
	run inlet-window --time ts --window 30s --watermark 10s --group-by customer_id \
		--output-mode complete < in
	assert_success
	assert_output "$(batch 0 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":1}")
$(batch 1 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}" \
		"$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}")
$(batch 2 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}" \
		"$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}" \
		"$(win 12:01:30 12:02:00),\"customer_id\":\"C2\",\"count\":1}")"
}

@test "append mode emits each window once, one batch after the watermark passes its end" {
	three_batches > in
	opts=(--time ts --window 30s --watermark 10s --group-by customer_id --output-mode append)
	# Watermarks: batch 0 runs under epoch 0, batch 1 under 12:00:25, batch 2
	# under 12:01:00, a batch 3 under 12:01:40, which closes [12:01:00,12:01:30).
	{ three_batches; batch 3; } > more
	run inlet-window "${opts[@]}" < more
	assert_success
	assert_output "$(batch 0)
$(batch 1)
$(batch 2 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}")
$(batch 3 "$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}")"
	# Without batch 3, and no batch marked last, the stream may go on: the
	# window waits in the state for the next batch; none is made up for it.
	run inlet-window --checkpoint ck "${opts[@]}" < in
	assert_success
	assert_output "$(batch 0)
$(batch 1)
$(batch 2 "$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}" \
		"$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}")"
	grep -qxF '{"start":"2024-03-01T12:01:00Z","keys":{"customer_id":"C2"},"rows":1,"aggs":[1]}' ck/state/2
	mkdir -p ck/commits && touch ck/commits/0 ck/commits/1 ck/commits/2
	batch 3 > next
	run inlet-window --checkpoint ck "${opts[@]}" < next
	assert_success
	assert_output "$(batch 3 "$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}")"
	# Batch 2 marked last ends a finite run: it also releases what the final
	# watermark (12:01:40) closes, [12:01:00,12:01:30) but not [12:01:30,12:02:00).
	sed 's/^{"_inlet":"begin","batch":2}$/{"_inlet":"begin","batch":2,"last":true}/' in > finite
	[ "$(grep -c '"last":true' finite)" -eq 1 ]
	run inlet-window "${opts[@]}" < finite
	assert_success
	assert_output "$(batch 0)
$(batch 1)
{\"_inlet\":\"begin\",\"batch\":2,\"last\":true}
$(win 12:00:00 12:00:30),\"customer_id\":\"C1\",\"count\":1}
$(win 12:00:30 12:01:00),\"customer_id\":\"C1\",\"count\":2}
$(win 12:01:00 12:01:30),\"customer_id\":\"C2\",\"count\":1}
{\"_inlet\":\"end\",\"batch\":2}"
}

@test "a stream without control records is one batch; append flushes what the final watermark closes" {
	{ order 12:00:05 C1; order 12:00:35 C1; order 12:01:50 C1; } > in
	run_framed inlet-window --time ts --window 30s --watermark 10s --output-mode append < in
	assert_success
	assert_output "$(win 12:00:00 12:00:30),\"count\":1}
$(win 12:00:30 12:01:00),\"count\":1}"
}

# The window rows aggregate every file of the batch: they come before the
# batch's file records, so that inlet-commit's file ledger counts them as
# no one file's rows.
@test "control records pass through unchanged and in order, after the window rows; input rows and their schema do not" {
	{ echo '{"_inlet":"begin","batch":4}'
	  echo '{"_inlet":"file","batch":4,"path":"/in/a.json","size":10,"mtime":"x"}'
	  order 12:00:05 C1
	  echo '{"_inlet":"schema","version":0,"fields":[]}'
	  echo '{"_inlet":"future-thing","x":[1]}'
	  order 12:00:06 C1
	  echo '{"_inlet":"end","batch":4}'; } > in
	run inlet-window --time ts --window 30s < in
	assert_success
	assert_output '{"_inlet":"begin","batch":4}
{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"count":2}
{"_inlet":"file","batch":4,"path":"/in/a.json","size":10,"mtime":"x"}
{"_inlet":"future-thing","x":[1]}
{"_inlet":"end","batch":4}'
}

@test "watermark: Spark's example, 12:14 with a 10 minute delay gives 12:04 for the next batch" {
	{ batch 0 "$(order 12:07:00 dog)" "$(order 12:14:00 dog)"
	  batch 1 "$(order 12:09:00 cat)" "$(order 12:15:00 cat)"
	  batch 2 "$(order 12:21:00 owl)"
	  batch 3 "$(order 12:04:00 donkey)"; } > in
	run inlet-window --checkpoint ck --time ts --window 10m --watermark 10m \
		--output-mode append < in
	assert_success
	run head -1 ck/state/0
	assert_output --partial '"watermark":"2024-03-01T12:04:00Z"'
	run head -1 ck/state/1
	assert_output --partial '"watermark":"2024-03-01T12:05:00Z"'
	run head -1 ck/state/2
	assert_output --partial '"watermark":"2024-03-01T12:11:00Z"'
	# 12:09 is late but its window is open under 12:04: counted.  [12:00,12:10)
	# is final in the batch after the watermark reaches 12:11; 12:04 is dropped.
	run inlet-window -q --time ts --window 10m --watermark 10m --output-mode append < in
	assert_output "$(batch 0)
$(batch 1)
$(batch 2)
$(batch 3 "$(win 12:00:00 12:10:00),\"count\":2}")"
}

@test "the watermark never moves back" {
	{ batch 0 "$(order 12:10:00 a)"; batch 1 "$(order 12:01:00 a)"; } > in
	inlet-window --checkpoint ck --time ts --window 1m --watermark 1m < in > /dev/null
	run head -1 ck/state/1
	assert_output --partial '"watermark":"2024-03-01T12:09:00Z"'
}

@test "late rows are dropped, counted, and written to --late-records" {
	{ batch 0 "$(order 12:00:40 C1)"; batch 1 "$(order 12:00:10 C1)" "$(order 12:00:50 C1)"; } > in
	run --separate-stderr inlet-window --time ts --window 30s --watermark 0s \
		--late-records late.ndjson < in
	assert_success
	assert_output "$(batch 0 "$(win 12:00:30 12:01:00),\"count\":1}")
$(batch 1 "$(win 12:00:30 12:01:00),\"count\":2}")"
	[[ $stderr == *"3 rows in 2 batches, 1 late rows dropped"* ]]
	run cat late.ndjson
	assert_output "$(order 12:00:10 C1)"
}

@test "with --slide a row is late only when all its windows are closed" {
	{ batch 0 "$(order 12:00:40 C1)"; batch 1 "$(order 12:00:25 C1)"; } > in
	run --separate-stderr inlet-window --time ts --window 30s --slide 10s \
		--watermark 0s --output-mode update < in
	assert_success
	# Under 12:00:40 only [12:00:20,12:00:50) of 12:00:25's windows is open.
	assert_line --index 6 "$(win 12:00:20 12:00:50),\"count\":2}"
	[ "${#lines[@]}" -eq 8 ]
}

@test "restart restores the last committed batch's state and replays the next with identical output" {
	three_batches > in
	opts=(--time ts --window 30s --watermark 10s --group-by customer_id --output-mode update)
	inlet-window --checkpoint ck "${opts[@]}" < in > first
	# inlet-commit marks batches 0 and 1 as durable; batch 2 was lost.
	mkdir -p ck/commits
	echo '{"batch":0}' > ck/commits/0
	echo '{"batch":1}' > ck/commits/1
	batch 2 "$(order 12:01:50 C2)" > replay
	run inlet-window --checkpoint ck "${opts[@]}" < replay
	assert_success
	assert_output "$(sed -n '/"batch":2/,$p' first)"
	# Batches already committed pass through without output.
	run inlet-window --checkpoint ck "${opts[@]}" < in
	assert_output "$(batch 0)
$(batch 1)
$(sed -n '/"batch":2/,$p' first)"
}

@test "every aggregate's state survives a restart, HyperLogLog included" {
	gen() {	# gen BATCH FROM TO: orders of two customers, amounts with decimals
		awk -v b="$1" -v from="$2" -v to="$3" 'BEGIN {
			printf "{\"_inlet\":\"begin\",\"batch\":%d}\n", b
			for (i = from; i < to; i++)
				printf "{\"ts\":%d,\"c\":\"C%d\",\"a\":\"%d.%02d\",\"u\":\"u%d\"}\n", i % 50, i % 2, i % 97, i % 100, i
			printf "{\"_inlet\":\"end\",\"batch\":%d}\n", b }'
	}
	{ gen 0 0 3000; gen 1 3000 6000; } > both
	opts=(--time ts --window 1m --group-by c --agg count --agg sum:a --agg avg:a
	      --agg min:a --agg max:a --agg approx_count_distinct:u --agg approx_count_distinct:c)
	inlet-window "${opts[@]}" < both > straight
	gen 0 0 3000 | inlet-window --checkpoint ck "${opts[@]}" > /dev/null
	mkdir -p ck/commits && touch ck/commits/0
	gen 1 3000 6000 | inlet-window --checkpoint ck "${opts[@]}" > restarted
	diff <(tail -4 straight) restarted
	grep -q '"hll":"' ck/state/0
}

@test "long group keys survive eviction and a restart" {
	gen() {	# gen BATCH: a minute of rows, 50 long keys, every other row 10 s late
		awk -v b="$1" 'BEGIN {
			printf "{\"_inlet\":\"begin\",\"batch\":%d}\n", b
			for (i = b * 1200; i < (b + 1) * 1200; i++)
				printf "{\"ts\":%d,\"c\":\"customer with a long name %d\",\"a\":%d}\n",
					int(i / 20) - (i % 2) * 10, i % 50, i % 7
			printf "{\"_inlet\":\"end\",\"batch\":%d}\n", b }'
	}
	opts=(--time ts --window 10s --watermark 20s --group-by c,a --agg count --agg sum:a
	      --output-mode update)
	{ gen 0; gen 1; gen 2; gen 3; } | inlet-window "${opts[@]}" > straight
	{ gen 0; gen 1; gen 2; } | inlet-window --checkpoint ck "${opts[@]}" > /dev/null
	mkdir -p ck/commits && touch ck/commits/0 ck/commits/1 ck/commits/2
	gen 3 | inlet-window --checkpoint ck "${opts[@]}" > restarted
	diff <(sed -n '/"batch":3/,$p' straight) restarted
	grep -q '"c":"customer with a long name 49","a":0,"count":' restarted
}

@test "killed between its state and its rows, a rerun gives the table an uninterrupted run gives" {
	three_batches > in
	opts=(--time ts --window 30s --watermark 10s --group-by customer_id --agg count --output-mode update)
	commit=(inlet-commit --checkpoint ck --db t.db --table t --mode upsert --key window_start,customer_id --quiet)
	pipeline() { inlet-window --checkpoint ck "${opts[@]}" | "${commit[@]}"; }
	inlet-window "${opts[@]}" < in | inlet-commit --db ref.db --table t --mode upsert \
		--key window_start,customer_id --quiet
	head -4 in | pipeline				# batch 0 committed
	crashed() {
		tail -n +5 in | INLET_CRASH_AT=$1 inlet-window --checkpoint ck "${opts[@]}" | "${commit[@]}"
		return "${PIPESTATUS[1]}"
	}
	for point in window-before-state window-after-state; do
		run crashed $point
		assert_equal "$status" 137		# SIGKILL
		[ ! -e ck/commits/1 ]
	done
	[ -e ck/state/1 ]				# written, never committed
	tail -n +5 in | pipeline			# discover would replay 1 and 2
	run sql t.db 'SELECT window_start, customer_id, count FROM t ORDER BY 1, 2'
	assert_output "$(sql ref.db 'SELECT window_start, customer_id, count FROM t ORDER BY 1, 2')"
	assert_output --partial '2024-03-01T12:00:30Z|C1|2'
}

@test "snapshots: plain NDJSON, the last two kept and none the commit still needs" {
	{ three_batches; batch 3 "$(order 12:02:00 C3)"; } > in
	inlet-window --checkpoint ck --time ts --window 30s --watermark 10s --group-by customer_id < in > /dev/null
	run ls ck/state
	assert_output $'0\n1\n2\n3'
	mkdir -p ck/commits && touch ck/commits/0
	batch 4 "$(order 12:02:10 C3)" > in2
	inlet-window --checkpoint ck --time ts --window 30s --watermark 10s --group-by customer_id < in2 > /dev/null
	run ls ck/state
	assert_output $'0\n1\n2\n3\n4'
	touch ck/commits/4
	batch 5 "$(order 12:02:20 C3)" > in3
	inlet-window --checkpoint ck --time ts --window 30s --watermark 10s --group-by customer_id < in3 > /dev/null
	run ls ck/state
	assert_output $'4\n5'
	run cat ck/state/5
	assert_output '{"layout":1,"batch":5,"watermark":"2024-03-01T12:02:10Z","windows":1,"options":"time=ts window=30000000us slide=30000000us group-by=customer_id agg=count output-mode=update"}
{"start":"2024-03-01T12:02:00Z","keys":{"customer_id":"C3"},"rows":2,"aggs":[2]}'
}

@test "a malformed snapshot exits 65 naming the file" {
	batch 0 "$(order 12:00:05 C1)" > in
	inlet-window --checkpoint ck --time ts --window 30s < in > /dev/null
	mkdir -p ck/commits && touch ck/commits/0
	head -c 20 ck/state/0 > ck/state/.x && mv ck/state/.x ck/state/0
	run inlet-window --checkpoint ck --time ts --window 30s < /dev/null
	assert_equal "$status" 65
	assert_output --partial "checkpoint file 'ck/state/0' line 1 is malformed"
	printf '%s\n' '{"layout":1,"batch":0,"watermark":null,"options":"time=ts window=30000000us slide=30000000us group-by= agg=count output-mode=update"}' \
		'{"start":"2024-03-01T12:00:00Z","keys":{},"rows":"many","aggs":[1]}' > ck/state/0
	run inlet-window --checkpoint ck --time ts --window 30s < /dev/null
	assert_equal "$status" 65
	assert_output --partial "checkpoint file 'ck/state/0' line 2 is malformed (bad row count)"
}

@test "a snapshot written with other options is refused" {
	batch 0 "$(order 12:00:05 C1)" > in
	inlet-window --checkpoint ck --time ts --window 30s < in > /dev/null
	mkdir -p ck/commits && touch ck/commits/0
	run inlet-window --checkpoint ck --time ts --window 1m < /dev/null
	assert_equal "$status" 64
	assert_output --partial "holds the state of other options"
}

@test "a second window stage on the same checkpoint exits 75" {
	mkdir ck
	mkfifo pipe
	inlet-window --checkpoint ck --time ts --window 30s < pipe > /dev/null &
	exec 8> pipe	# bats owns fd 3
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s ck/.lock-window ] && break; sleep 0.1; done
	run inlet-window --checkpoint ck --time ts --window 30s < /dev/null
	exec 8>&-
	wait
	assert_equal "$status" 75
	assert_output --partial "is in use by pid"
}

@test "input that ends inside a batch exits 74 and releases nothing of it" {
	{ batch 0 "$(order 12:00:05 C1)"; echo '{"_inlet":"begin","batch":1}'; order 12:00:06 C1; } > in
	run --separate-stderr inlet-window --checkpoint ck --time ts --window 30s < in
	assert_equal "$status" 74
	assert_output "$(batch 0 "$(win 12:00:00 12:00:30),\"count\":1}")
{\"_inlet\":\"begin\",\"batch\":1}"
	[ ! -e ck/state/1 ]
}

@test "epoch times: seconds by default, --time-unit ms, fractions exact" {
	printf '%s\n' '{"t":1709294405}' '{"t":"1709294429.5"}' > s
	run_framed inlet-window --time t --window 30s < s
	assert_output "$(win 12:00:00 12:00:30),\"count\":2}"
	printf '%s\n' '{"t":1709294405000}' '{"t":1709294430000}' '{"t":1709294429999.9}' > ms
	run_framed inlet-window --time t --time-unit ms --window 30s --agg count --agg min:t < ms
	assert_output "$(win 12:00:00 12:00:30),\"count\":2,\"min_t\":1709294405000}
$(win 12:00:30 12:01:00),\"count\":1,\"min_t\":1709294430000}"
}

@test "ISO-8601 forms: offsets, fractions, a space, a date alone" {
	printf '%s\n' '{"t":"2024-03-01T13:00:05+01:00"}' '{"t":"2024-03-01 12:00:06"}' \
		'{"t":"2024-03-01T07:00:07.123456789-05:00"}' '{"t":"2024-03-01T12:00:08,5Z"}' \
		'{"t":"2024-03-01"}' > in
	run_framed inlet-window --time t --window 1h --agg count < in
	assert_success
	assert_output "{\"window\":{\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T01:00:00Z\"},\"count\":1}
$(win 12:00:00 13:00:00),\"count\":4}"
}

@test "rows without a valid time are counted and reported with their line, never fatal" {
	printf '%s\n' '{"t":"2024-03-01T12:00:01Z"}' '{"x":1}' '{"t":null}' '{"t":"yesterday"}' \
		'{"t":"2024-02-30T00:00:00Z"}' '{"t":true}' '{"t":"2024-03-01T12:00:02Z"}' > in
	run_framed --separate-stderr inlet-window --time t --window 1m < in
	assert_success
	assert_output "$(win 12:00:00 12:01:00),\"count\":2}"
	[[ $stderr == *"'standard input' line 2: no 't' field; row skipped"* ]]
	[[ $stderr == *"line 3: 't' is null; row skipped"* ]]
	[[ $stderr == *"line 4: cannot read 't' value \"yesterday\" as a timestamp; row skipped"* ]]
	[[ $stderr == *"line 5: cannot read 't' value \"2024-02-30T00:00:00Z\""* ]]
	[[ $stderr == *"line 6: cannot read 't' value true"* ]]
	[[ $stderr == *"2 rows in 1 batches, 0 late rows dropped, 5 rows without a valid time"* ]]
	run_framed --separate-stderr inlet-window --quiet --time t --window 1m < in
	[[ $stderr != *"rows in"* ]]
}

@test "only the first 10 problems are shown; all are counted" {
	for i in $(seq 25); do echo '{"t":"bad"}'; done > in
	run_framed --separate-stderr inlet-window --time t --window 1m < in
	assert_success
	[ "$(grep -c 'row skipped' <<< "$stderr")" -eq 10 ]
	[[ $stderr == *"(further ones are counted, not shown)"* ]]
	[[ $stderr == *"25 rows without a valid time"* ]]
}

@test "durations take Spark's words and compound forms" {
	order 12:00:05 C1 > in
	run_framed inlet-window --time ts --window '1 minute' --watermark '1h30m' < in
	assert_output "$(win 12:00:00 12:01:00),\"count\":1}"
	run_framed inlet-window --time ts --window 500ms < in
	assert_output '{"window":{"start":"2024-03-01T12:00:05Z","end":"2024-03-01T12:00:05.5Z"},"count":1}'
}

@test "usage errors exit 64 naming the option" {
	run inlet-window --window 30s
	assert_equal "$status" 64
	run inlet-window --time ts --window 30x
	assert_equal "$status" 64
	assert_output --partial "'30x' for --window"
	run inlet-window --time ts --window 30s --slide 1m
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --output-mode append
	assert_equal "$status" 64
	assert_output --partial "append needs --watermark"
	run inlet-window --time ts --window 30s --agg median:x
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --agg count --agg count
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --time-unit ns
	assert_equal "$status" 64
	run --separate-stderr inlet-window --no-such-option
	assert_equal "$status" 64
	[[ $stderr == "inlet-window: unknown option '--no-such-option'; try 'inlet window --help'" ]]
	run inlet-window --help
	assert_success
	assert_output --partial "usage: inlet-window"
}
