#!/usr/bin/env bats
# inlet-window --partial and --merge: a stream split across shards, each
# aggregated to partial states, merged back into the rows one stage writes.
# The global watermark is the minimum of the shards' (Spark's default
# spark.sql.streaming.multipleWatermarkPolicy, "min"; "max" is its other
# value: https://spark.apache.org/docs/latest/structured-streaming-programming-guide.html#policy-for-handling-multiple-watermarks).
load helpers

T0=1709294400	# 2024-03-01T12:00:00Z

# gen BATCHES: batches of 6 files of 7 rows each (epoch seconds in ts).
# File f's last row is at its batch's latest time, with key Cf, so every
# shard of any split below sees each batch's latest time; from batch 2 on
# one row per file is 75 s late.  Amounts mix integers, decimal strings,
# null, text, 2 and 2.00 (a tie for min and max), and missing ones.  The
# last batch is marked last, as an available-now run marks it.
gen() {
	awk -v batches="$1" -v t0="$T0" 'BEGIN {
		for (b = 0; b < batches; b++) {
			base = t0 + b * 40
			printf "{\"_inlet\":\"begin\",\"batch\":%d%s}\n", b, b == batches - 1 ? ",\"last\":true" : ""
			for (f = 0; f < 6; f++) {
				printf "{\"_inlet\":\"file\",\"batch\":%d,\"path\":\"/land/%d-%d.json\"}\n", b, b, f
				for (j = 0; j < 7; j++) {
					t = base + ((f * 7 + j) * 3) % 37
					if (j == 2 && b >= 2) t = base - 75
					key = (f + j) % 6
					if (j == 6) { t = base + 39; key = f }
					m = (b + f + j) % 7
					if (m == 0) a = f * j
					else if (m == 1) a = sprintf("\"%d.%02d\"", b + j, (f * 13) % 100)
					else if (m == 2) a = "null"
					else if (m == 3) a = "\"n/a\""
					else if (m == 4) a = "1.50"
					else if (m == 5) a = f % 2 ? "2.00" : "2"
					else a = ""
					printf "{\"ts\":%d,\"c\":\"C%d\"%s,\"u\":\"u%d\"}\n", t, key,
						a == "" ? "" : ",\"a\":" a, (b * f * j) % 13
				}
			}
			printf "{\"_inlet\":\"end\",\"batch\":%d}\n", b
		}
	}'
}

# split HOW N K < STREAM: shard K of N of the stream, by row (round robin
# within each batch), by file or by key; every shard gets every batch.
split_stream() {
	awk -v how="$1" -v n="$2" -v k="$3" '
		/^\{"_inlet":"begin"/ { row = 0; file = -1; print; next }
		/^\{"_inlet":"end"/ { print; next }
		/^\{"_inlet":"file"/ { file++; if (how != "file" || file % n == k) print; next }
		{
			if (how == "row") mine = row % n == k
			else if (how == "file") mine = file % n == k
			else { match($0, /"c":"C[0-9]+"/); mine = substr($0, RSTART + 6, RLENGTH - 7) % n == k }
			row++
			if (mine) print
		}'
}

# interleave FILE...: one stream whose batch N holds every FILE's rows of
# batch N (the files' own control records other than begin/end left out).
interleave() {
	awk '
		/^\{"_inlet":"begin"/ { match($0, /"batch":[0-9]+/); cur = substr($0, RSTART + 8, RLENGTH - 8)
			if (!(cur in begin)) { begin[cur] = $0; order[nb++] = cur }; next }
		/^\{"_inlet":"end"/ { end_[cur] = $0; next }
		/^\{"_inlet":/ { next }
		{ rows[cur] = rows[cur] $0 "\n" }
		END { for (i = 0; i < nb; i++) { b = order[i]; print begin[b]; printf "%s", rows[b]; print end_[b] } }' "$@"
}

AGGS=(--agg count --agg sum:a --agg avg:a --agg min:a --agg max:a --agg approx_count_distinct:u)

# check_split HOW N POLICY MODE OPTS...: partial on each shard, merge,
# compare byte for byte with one window stage over the whole stream.
check_split() {
	local how=$1 n=$2 policy=$3 mode=$4 k parts=()
	shift 4
	inlet-window -q --time ts "$@" --output-mode "$mode" < stream |
		grep -v '^{"_inlet":"file"' > single
	for ((k = 0; k < n; k++)); do
		split_stream "$how" "$n" "$k" < stream |
			inlet-window -q --time ts "$@" --partial --shard "$k/$n" > "p$k" ||
			fail "partial $k/$n failed"
		parts=("p$k" "${parts[@]}")	# merged last shard first
	done
	interleave "${parts[@]}" | inlet-window -q "$@" --output-mode "$mode" --merge \
		--watermark-policy "$policy" > merged || fail "merge of $how/$n failed"
	[ -s single ] || fail "no output"
	diff single merged || fail "split by $how $n ways, policy $policy, $mode $*: merged rows differ"
}

@test "partial rows merged give byte for byte one stage's rows: every aggregate, mode and split" {
	gen 6 > stream
	# The stream has late rows, windows closed between batches and a last batch.
	inlet-window --time ts --window 30s --watermark 10s --output-mode update < stream 2> err > /dev/null
	grep -q ' [1-9][0-9]* late rows dropped' err
	for mode in update append complete; do
		for win in "--window 30s" "--window 30s --slide 10s"; do
			for how in row file key; do
				for n in 2 3; do
					for policy in min max; do
						# shellcheck disable=SC2086
						check_split "$how" "$n" "$policy" "$mode" $win \
							--watermark 10s --group-by c "${AGGS[@]}"
					done
				done
			done
		done
	done
	# Without a watermark (no row is late, no window closes), in update mode.
	for how in row key; do
		check_split "$how" 3 min update --window 1m --group-by c "${AGGS[@]}"
	done
	# The test could fail: the merge sees rows a split sends nowhere else.
	grep -q '"sum_a":null' single
	grep -q '"min_a":"n/a"\|"max_a":"n/a"' single
}

# last_batch: the rows of the last batch of standard input.
last_batch() {
	awk '/^\{"_inlet":"begin"/ { n = 0; next } /^\{"_inlet":/ { next } { row[n++] = $0 }
		END { for (i = 0; i < n; i++) print row[i] }'
}

@test "shards' streams one after another, or as FILE arguments, give the same windows; a checkpoint refuses repeated batch numbers" {
	gen 3 > stream
	opts=(--window 30s --group-by c "${AGGS[@]}")
	for k in 0 1; do
		split_stream key 2 "$k" < stream | inlet-window -q --time ts "${opts[@]}" \
			--partial --shard "$k/2" > "p$k"
	done
	inlet-window -q --time ts "${opts[@]}" --output-mode complete < stream | last_batch > single
	[ "$(wc -l < single)" -ge 12 ]
	cat p0 p1 | inlet-window -q "${opts[@]}" --output-mode complete --merge | last_batch > cat
	diff single cat
	inlet-window -q "${opts[@]}" --output-mode complete --merge p1 p0 | last_batch > args
	diff single args
	run inlet-window -q --checkpoint ck "${opts[@]}" --merge p0 p1
	assert_equal "$status" 65
	assert_output --partial "'p1' line 1: batch 0 after batch 2: with --checkpoint the merge needs batches numbered once"
}

@test "the partial row shape: shard, watermark, delay, slide, window, keys, rows and each aggregate's state" {
	printf '%s\n' '{"_inlet":"begin","batch":0}' \
		"{\"ts\":$((T0 + 5)),\"c\":\"C1\",\"a\":\"1.10\",\"u\":1}" \
		"{\"ts\":$((T0 + 7)),\"c\":\"C1\",\"a\":2,\"u\":1}" \
		"{\"ts\":$((T0 + 9)),\"c\":\"C1\",\"a\":null}" \
		'{"_inlet":"end","batch":0}' > in
	run inlet-window --time ts --window 30s --watermark 10s --group-by c "${AGGS[@]}" \
		--partial --shard 1/3 < in
	assert_success
	assert_output '{"_inlet":"begin","batch":0}
{"partial":1,"shard":"1/3","watermark":"2024-03-01T11:59:59Z","delay_us":10000000,"slide_us":30000000,"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"keys":{"c":"C1"},"rows":3,"aggs":{"count":3,"sum_a":{"sum":"3.10","n":2},"avg_a":{"sum":"3.10","n":2},"min_a":"1.10","max_a":2,"approx_count_distinct_u":{"exact":["'"$(inlet-window --time ts --window 30s --agg approx_count_distinct:u --partial --shard 0/1 < in | grep -o '[0-9a-f]\{16\}')"'"]}}}
{"_inlet":"end","batch":0}'
	# A shard keeps no windows: the next batch holds only its own rows' states.
	printf '%s\n' '{"_inlet":"begin","batch":1}' "{\"ts\":$((T0 + 8)),\"c\":\"C1\"}" \
		'{"_inlet":"end","batch":1}' >> in
	run inlet-window --time ts --window 30s --watermark 10s --partial --shard 0/1 < in
	assert_line --index 4 --partial '"rows":1,"aggs":{"count":1}}'
}

@test "the sketch: merging shards' registers equals the single stage's sketch, exact and HyperLogLog mixed" {
	# 3000 distinct values in one window: shard 0 and 1 get over 1024 each
	# (HyperLogLog), shard 2 only 300 (an exact set); the merge is exact for the sketch.
	awk -v t0="$T0" 'BEGIN { print "{\"_inlet\":\"begin\",\"batch\":0}"
		for (i = 0; i < 3000; i++) printf "{\"ts\":%d,\"u\":\"v%d\",\"s\":%d}\n", t0 + i % 60, i, i < 1350 ? 0 : i < 2700 ? 1 : 2
		print "{\"_inlet\":\"end\",\"batch\":0}" }' > in
	opts=(--window 1m --agg approx_count_distinct:u --output-mode complete)
	inlet-window --checkpoint cks --time ts "${opts[@]}" < in > single
	for k in 0 1 2; do
		grep -v "\"s\":[^$k]}" in | inlet-window --time ts --window 1m \
			--agg approx_count_distinct:u --partial --shard "$k/3" > "p$k"
	done
	grep -q '"hll":"' p0 && grep -q '"hll":"' p1 && grep -q '"exact":\[' p2
	interleave p2 p0 p1 | inlet-window --checkpoint ckm "${opts[@]}" --merge > merged
	diff single merged
	# The registers themselves: one state line each, the same sketch.
	diff <(tail -1 cks/state/0) <(tail -1 ckm/state/0)
	grep -q '"hll":"' ckm/state/0
	# Registers by maximum: the estimate is not a sum of the shards' estimates.
	n=$(grep -o '"approx_count_distinct_u":[0-9]*' merged | cut -d: -f2)
	[ "$n" -ge 2900 ] && [ "$n" -le 3100 ]
}

# shard_stream K N SECONDS...: shard K of N's partial rows of batches 0, 1,
# ..., one row each, of key CK, at T0 + SECONDS; watermark delay 0.
shard_stream() {
	local k=$1 n=$2 b=0 t
	shift 2
	for t; do
		printf '%s\n' "{\"_inlet\":\"begin\",\"batch\":$b}" "{\"ts\":$((T0 + t)),\"c\":\"C$k\"}" \
			"{\"_inlet\":\"end\",\"batch\":$b}"
		b=$((b + 1))
	done | inlet-window --time ts --window 30s --watermark 0s --group-by c --partial --shard "$k/$n"
}

@test "the global watermark is the shards' minimum: a late shard holds it back, a silent one too" {
	opts=(--window 30s --watermark 0s --group-by c --output-mode append)
	shard_stream 0 2 5 95 > p0	# shard 0 reaches 12:01:35
	shard_stream 1 2 6 8 > p1	# shard 1 stays at 12:00:08
	# Shard 0 alone: shard 1 has sent nothing, so no window closes.
	{ cat p0; printf '%s\n' '{"_inlet":"begin","batch":2}' '{"_inlet":"end","batch":2}'; } > alone
	run inlet-window "${opts[@]}" --merge --checkpoint ck1 < alone
	assert_success
	refute_output --partial '"window"'
	run head -1 ck1/state/2
	assert_output --partial '"watermark":"1970-01-01T00:00:00Z"'
	assert_output --partial '"shards":["2024-03-01T12:01:35Z",null]'
	# Both: the minimum, 12:00:08, closes no window after batch 1 either.
	{ interleave p0 p1; printf '%s\n' '{"_inlet":"begin","batch":2}' '{"_inlet":"end","batch":2}'; } > both
	run inlet-window "${opts[@]}" --merge --checkpoint ck2 < both
	assert_success
	refute_output --partial '"window"'
	run head -1 ck2/state/2
	assert_output --partial '"watermark":"2024-03-01T12:00:08Z"'
	# --watermark-policy max: 12:01:35 closes [12:00:00,12:00:30) in batch 2.
	run inlet-window "${opts[@]}" --merge --watermark-policy max < both
	assert_success
	assert_line --index 5 '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"c":"C0","count":1}'
	assert_line --index 6 '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"c":"C1","count":2}'
	[ "${#lines[@]}" -eq 8 ]
	# When shard 1 catches up, the minimum moves and the windows close.
	shard_stream 1 2 6 70 > p1
	{ interleave p0 p1; printf '%s\n' '{"_inlet":"begin","batch":2}' '{"_inlet":"end","batch":2}'; } > both
	run inlet-window "${opts[@]}" --merge < both
	assert_success
	assert_line --index 6 '{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:00:30Z"},"c":"C1","count":1}'
	[ "${#lines[@]}" -eq 8 ]
}

@test "states of windows the global watermark closed are dropped and counted" {
	shard_stream 0 2 5 95 10 > p0
	# Shard 1's batch 2 brings a state for [12:00:00,12:00:30): the global
	# watermark, 12:01:30, closed it; shard 0's own late row is dropped too.
	shard_stream 1 2 6 90 10 > p1
	run --separate-stderr inlet-window --window 30s --watermark 0s --group-by c --merge \
		< <(interleave p0 p1)
	assert_success
	[[ $stderr == *"6 partial rows in 3 batches, 2 of closed windows dropped (2 rows)"* ]]
	refute_output --partial '"count":2}'
	assert_line --index 1 --partial '"c":"C0","count":1}'
}

@test "partial rows of other options are refused with 65 naming the difference" {
	gen 1 > stream
	inlet-window --time ts --window 30s --watermark 10s --group-by c --agg count --agg sum:a \
		--partial --shard 0/2 < stream 2> /dev/null | grep -v '"_inlet":"file"' > p
	base=(--watermark 10s --group-by c --agg count --agg sum:a --merge)
	run inlet-window --window 30s "${base[@]}" < p
	assert_success
	run inlet-window --window 1m "${base[@]}" < p
	assert_equal "$status" 65
	assert_output --partial "'standard input' line 2: the partial row was made with --window 30s, this merge has --window 60s"
	run inlet-window --window 30s --slide 10s "${base[@]}" < p
	assert_equal "$status" 65
	assert_output --partial "made with --slide 30s, this merge has --slide 10s"
	run inlet-window --window 30s --watermark 10s --group-by c --agg count --agg avg:a --merge < p
	assert_equal "$status" 65
	assert_output --partial "the partial row's aggregates are 'count,sum_a', this merge's --agg gives 'count,avg_a'"
	run inlet-window --window 30s --watermark 10s --group-by c,u --agg count --agg sum:a --merge < p
	assert_equal "$status" 65
	assert_output --partial "the partial row's group keys are 'c', this merge's --group-by gives 'c,u'"
	run inlet-window --window 30s --watermark 20s --group-by c --agg count --agg sum:a --merge < p
	assert_equal "$status" 65
	assert_output --partial "made with --watermark 10s, this merge has --watermark 20s"
	run inlet-window --window 30s --group-by c --agg count --agg sum:a --merge < p
	assert_equal "$status" 65
	assert_output --partial "made with --watermark, this merge runs without it"
	# Shards that disagree on N, and a row that is not a partial one.
	sed 's|"shard":"0/2"|"shard":"1/3"|' p > other
	run inlet-window --window 30s "${base[@]}" p other
	assert_equal "$status" 65
	assert_output --partial "partial row of shard \"1/3\", but earlier ones came from 2 shards"
	run inlet-window --window 30s "${base[@]}" < stream
	assert_equal "$status" 65
	assert_output --partial "line 3: not a partial row of inlet-window --partial"
	sed '2s/"sum":"[^"]*"/"sum":"1x"/' p > bad
	run inlet-window --window 30s "${base[@]}" < bad
	assert_equal "$status" 65
	assert_output --partial "line 2: partial row's state of sum_a is malformed"
}

@test "options: --partial needs --shard, and each side refuses the other's options" {
	run inlet-window --time ts --window 30s --partial
	assert_equal "$status" 64
	assert_output --partial "--partial needs --shard K/N"
	run inlet-window --time ts --window 30s --partial --shard 2/2
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --partial --merge --shard 0/1
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --merge
	assert_equal "$status" 64
	assert_output --partial "--time does not apply to --merge"
	run inlet-window --time ts --window 30s --partial --shard 0/1 --output-mode complete
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --partial --shard 0/1 --late-records x
	assert_equal "$status" 64
	run inlet-window --window 30s --merge --watermark-policy median
	assert_equal "$status" 64
	run inlet-window --time ts --window 30s --watermark-policy max
	assert_equal "$status" 64
	run inlet-window --window 30s --merge --output-mode append
	assert_equal "$status" 64
	run inlet-window --window 30s --merge --watermark 1s --watermark-policy max --check-options
	assert_success
}

@test "the merge restarts from its checkpoint after kill -9 and the table is the uninterrupted one" {
	gen 4 > stream
	opts=(--window 30s --watermark 10s --group-by c "${AGGS[@]}" --output-mode update)
	for k in 0 1; do
		split_stream key 2 "$k" < stream | inlet-window -q --time ts "${opts[@]:0:18}" \
			--partial --shard "$k/2" > "p$k"
	done
	interleave p0 p1 > merged_in
	commit=(inlet-commit --checkpoint ck --db t.db --table t --mode upsert --key window_start,c --quiet)
	inlet-window -q --time ts "${opts[@]}" < stream | inlet-commit --db ref.db --table t \
		--mode upsert --key window_start,c --quiet
	batches() { awk -v from="$1" '/^\{"_inlet":"begin"/ { match($0, /"batch":[0-9]+/); b = substr($0, RSTART + 8, RLENGTH - 8) + 0 } b >= from' merged_in; }
	batches 0 | awk '/"batch":2/ { exit } { print }' | inlet-window -q --checkpoint ck "${opts[@]}" --merge | "${commit[@]}"
	[ -e ck/commits/1 ] && [ ! -e ck/commits/2 ]
	crashed() {
		batches 2 | INLET_CRASH_AT=$1 inlet-window -q --checkpoint ck "${opts[@]}" --merge | "${commit[@]}"
		return "${PIPESTATUS[1]}"
	}
	for point in window-before-state window-after-state; do
		run crashed $point
		assert_equal "$status" 137
		[ ! -e ck/commits/2 ]
	done
	[ -e ck/state/2 ]
	grep -q '"shards":\["2024-' ck/state/2
	batches 2 | inlet-window -q --checkpoint ck "${opts[@]}" --merge | "${commit[@]}"
	q='SELECT window_start, c, count, sum_a, avg_a, min_a, max_a, approx_count_distinct_u FROM t ORDER BY 1, 2'
	run sql t.db "$q"
	assert_output "$(sql ref.db "$q")"
	[ "${#lines[@]}" -ge 8 ]
	# A merge state restored under other options is refused.
	run inlet-window --checkpoint ck --window 30s --watermark 10s --group-by c --merge < /dev/null
	assert_equal "$status" 64
	assert_output --partial "holds the state of other options"
}

@test "a shard restarts from its checkpoint: a replayed batch gives the same partial rows, its watermark restored" {
	printf '%s\n' '{"_inlet":"begin","batch":0}' "{\"ts\":$((T0 + 100)),\"c\":\"C1\"}" '{"_inlet":"end","batch":0}' > b0
	printf '%s\n' '{"_inlet":"begin","batch":1}' "{\"ts\":$((T0 + 5)),\"c\":\"C1\"}" '{"_inlet":"end","batch":1}' > b1
	popts=(--time ts --window 30s --watermark 10s --group-by c --partial --shard 1/2)
	cat b0 b1 | inlet-window -q --checkpoint ck "${popts[@]}" > first
	# The row of batch 1 is older than batch 0's: its rows carry the watermark
	# of batch 0 (12:01:30), which only the restored state can know.
	grep -q '"watermark":"2024-03-01T12:01:30Z".*"start":"2024-03-01T12:00:00Z"' first
	mkdir -p ck/commits && touch ck/commits/0
	run inlet-window -q --checkpoint ck "${popts[@]}" < b1
	assert_success
	assert_output "$(tail -3 first)"
	run inlet-window -q --checkpoint ck "${popts[@]/1\/2/0/2}" < b1
	assert_equal "$status" 64
	assert_output --partial "holds the state of other options"
}
