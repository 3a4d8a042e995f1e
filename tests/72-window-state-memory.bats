#!/usr/bin/env bats
# inlet-window's state in little memory: 32-byte entries with short group
# keys inside them, 16-byte sort refs ranking window starts in slides, and
# the hash table's slots given up while a batch's list of windows is sorted
# and written, then built again for the next.
load helpers

# keys N FROM [BATCH]: batch BATCH (default 0) of N rows at 12:00:01, one
# per group key kFROM, kFROM+1, ...
keys() {
	awk -v n="$1" -v from="$2" -v b="${3:-0}" 'BEGIN {
		printf "{\"_inlet\":\"begin\",\"batch\":%d}\n", b
		for (i = from; i < from + n; i++)
			printf "{\"ts\":\"2024-03-01T12:00:01Z\",\"c\":\"k%d\"}\n", i
		printf "{\"_inlet\":\"end\",\"batch\":%d}\n", b }'
}

# Is the inlet-window under test built with AddressSanitizer?  Its redzones
# and quarantine make resident memory say nothing of the state's size.
sanitized() {
	grep -q __asan_init "$INLET_BIN/inlet-window"
}

# peak_kb FILE ARG...: inlet-window ARG... on FILE, its peak RSS in kB.
peak_kb() {
	local in=$1
	shift
	/usr/bin/time -f %M -o rss inlet-window "$@" < "$in" > out
	cat rss
}

@test "group keys either side of the entry's 12 bytes group, sort and survive a restart alike" {
	# JSON texts of 11, 12 and 13 bytes; the first 8 bytes of each kind are
	# equal, so ordering them reads the keys themselves, in the entry or not.
	gen() {
		local k rows=()
		for k in '"abcdefghij"' 12345678901 '"abcdefghijk"' 1234567890123 \
			 '"abcdefghi"' 123456789012; do
			rows+=("{\"ts\":\"2024-03-01T12:00:0$1Z\",\"c\":$k}")
		done
		batch "$1" "${rows[@]}"
	}
	opts=(--time ts --window 1m --group-by c --output-mode complete)
	{ gen 0; gen 1; } | inlet-window "${opts[@]}" > straight
	w='{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:01:00Z"}'
	assert_equal "$(sed -n '/"batch":1/,$p' straight)" "$(batch 1 \
		"$w,\"c\":\"abcdefghi\",\"count\":2}" \
		"$w,\"c\":\"abcdefghij\",\"count\":2}" \
		"$w,\"c\":\"abcdefghijk\",\"count\":2}" \
		"$w,\"c\":12345678901,\"count\":2}" \
		"$w,\"c\":123456789012,\"count\":2}" \
		"$w,\"c\":1234567890123,\"count\":2}")"
	gen 0 | inlet-window --checkpoint ck "${opts[@]}" > /dev/null
	grep -qxF '{"start":"2024-03-01T12:00:00Z","keys":{"c":"abcdefghijk"},"rows":1,"aggs":[1]}' ck/state/0
	mkdir -p ck/commits && touch ck/commits/0
	gen 1 | inlet-window --checkpoint ck "${opts[@]}" > restarted
	diff <(sed -n '/"batch":1/,$p' straight) restarted
}

@test "complete mode: a batch after one whose list took the slots' place adds to the same windows" {
	# 4000 windows, then 6000, every one listed: the slots (8,192, then
	# 16,384) go while each batch is written, and come back for the next.
	{ keys 4000 0 0; keys 4000 2000 1; } > in
	inlet-window --time ts --window 1m --group-by c --output-mode complete < in > out
	sed -n '/"batch":1/,$p' out | grep -v '"_inlet"' > second
	# k0..k1999 once, k2000..k3999 twice, k4000..k5999 once: no window twice.
	assert_equal "$(wc -l < second)" 6000
	assert_equal "$(grep -c '"count":2}$' second)" 2000
	assert_equal "$(grep -c '"count":1}$' second)" 4000
	grep -qF ',"c":"k2000","count":2}' second
	grep -qF ',"c":"k3999","count":2}' second
	grep -qF ',"c":"k4000","count":1}' second
	assert_equal "$(sed 's/.*"c":\("[^"]*"\).*/\1/' second | sort -u | wc -l)" 6000
	sed 's/.*"c":\("[^"]*"\).*/\1/' second | LC_ALL=C sort -c
}

@test "update mode: after a large batch, the next writes only the windows it changed" {
	{ keys 4000 0 0
	  batch 1 '{"ts":"2024-03-01T12:00:02Z","c":"k7"}' \
		  '{"ts":"2024-03-01T12:00:03Z","c":"k2999"}' \
		  '{"ts":"2024-03-01T12:00:04Z","c":"k7"}' \
		  '{"ts":"2024-03-01T12:00:05Z","c":"new"}'
	  batch 2
	  batch 3 '{"ts":"2024-03-01T12:00:06Z","c":"k0"}'; } > in
	run inlet-window --time ts --window 1m --group-by c < in
	assert_success
	w='{"window":{"start":"2024-03-01T12:00:00Z","end":"2024-03-01T12:01:00Z"}'
	assert_equal "$(sed -n '/"batch":1}$/,$p' <<<"$output")" "$(batch 1 \
		"$w,\"c\":\"k2999\",\"count\":2}" \
		"$w,\"c\":\"k7\",\"count\":3}" \
		"$w,\"c\":\"new\",\"count\":1}")
$(batch 2)
$(batch 3 "$w,\"c\":\"k0\",\"count\":2}")"
}

@test "append mode: memory does not grow with a stream of closed windows" {
	sanitized && skip "AddressSanitizer's quarantine holds freed memory"
	command -v /usr/bin/time > /dev/null || fail "no /usr/bin/time"
	gen() {	# gen BATCHES: 4000 long group keys a minute, one minute a batch,
		# then a last batch an hour later, whose watermark closes them all
		awk -v n="$1" 'BEGIN {
			for (b = 0; b < n; b++) {
				printf "{\"_inlet\":\"begin\",\"batch\":%d}\n", b
				for (i = 0; i < 4000; i++)
					printf "{\"ts\":%d,\"c\":\"customer-%06d\",\"a\":%d}\n",
						b * 60 + i % 60, (b * 4000 + i) % 1000003, i % 10
				printf "{\"_inlet\":\"end\",\"batch\":%d}\n", b
			}
			printf "{\"_inlet\":\"begin\",\"batch\":%d,\"last\":true}\n", n
			printf "{\"ts\":%d,\"c\":\"later\"}\n", n * 60 + 3600
			printf "{\"_inlet\":\"end\",\"batch\":%d}\n", n }'
	}
	gen 20 > short
	gen 100 > long
	opts=(--time ts --window 30s --watermark 0s --group-by c --agg count
	      --agg sum:a --agg max:a --output-mode append)
	small=$(peak_kb short "${opts[@]}")
	large=$(peak_kb long "${opts[@]}")
	# Every row comes out once, in the window it fell in.
	assert_equal "$(grep -c '"count":1,' out)" 400000
	# 320,000 more keys came and went: at 32 bytes each, 10 MB more.
	echo "peak RSS: $small kB over 20 batches, $large kB over 100" >&2
	[ "$large" -le $((small + 1024)) ]
}

@test "complete mode: at most 64 bytes of memory per open key" {
	sanitized && skip "AddressSanitizer's redzones make every allocation larger"
	command -v /usr/bin/time > /dev/null || fail "no /usr/bin/time"
	# 500,000 (30 s window, customer) pairs, all different: the benchmark's
	# million halved, its hash table as full (2^20 slots, not 2^21), and the
	# buffers a run of rows fills (about 2 MB) spread thin enough.
	awk 'BEGIN { for (i = 0; i < 500000; i++)
		printf "{\"order_timestamp\":%d,\"customer_id\":\"C%07d\"}\n",
			int(i / 1000) * 30, (i * 7919) % 1000000 }' > in
	opts=(--time order_timestamp --window 30s --group-by customer_id
	      --output-mode complete)
	empty=$(peak_kb /dev/null "${opts[@]}")
	full=$(peak_kb in "${opts[@]}")
	assert_equal "$(grep -c '"count":1}$' out)" 500000
	echo "peak RSS: $empty kB on no input, $full kB on 500,000 keys" >&2
	[ $(((full - empty) * 1024 / 500000)) -le 64 ]
}

@test "complete mode: doubling the hash table does not hold the old slots beside the new" {
	sanitized && skip "AddressSanitizer's redzones make every allocation larger"
	command -v /usr/bin/time > /dev/null || fail "no /usr/bin/time"
	# 367,001 keys fill 2^19 slots to 70 %: the next doubles them (4 MB
	# of slots to 8).  Moved whole, old and new held together would be
	# 12 MB at once; given back as they move, the peak grows by about
	# the new table's extra 4 MB.
	opts=(--time order_timestamp --window 30s --group-by customer_id
	      --output-mode complete)
	for n in 367000 367100; do
		awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
			printf "{\"order_timestamp\":%d,\"customer_id\":\"C%07d\"}\n",
				int(i / 1000) * 30, (i * 7919) % 1000000 }' > in.$n
	done
	before=$(peak_kb in.367000 "${opts[@]}")
	after=$(peak_kb in.367100 "${opts[@]}")
	assert_equal "$(grep -c '"count":1}$' out)" 367100
	echo "peak RSS: $before kB at 367,000 keys, $after kB at 367,100" >&2
	[ $((after - before)) -le 4096 ]
}

# starts_and_keys: "START KEYTEXT" of each output row in $output.
starts_and_keys() {
	rows | sed 's/^{"window":{"start":"\([^"]*\)".*"c":\([^,]*\),"count".*/\1 \2/'
}

@test "rows sort by start, then key, with starts ranked in slides (20 s), before 1970 too" {
	# 5,000 rows from 1969-12-31T23:18:20 to 1970-01-01T00:41:39, each in 3 windows.
	awk 'BEGIN { for (i = 0; i < 5000; i++)
		printf "{\"ts\":%d,\"c\":\"C%d\"}\n", (i * 7919) % 5000 - 2500, i % 37 }' > in
	want=$(awk 'BEGIN { for (i = 0; i < 5000; i++) {
		t = (i * 7919) % 5000 - 2500
		s = t - (t % 20 + 20) % 20
		for (k = 0; k < 3; k++) seen[s - 20 * k " C" i % 37] = 1 }
		n = 0; for (p in seen) n++; print n }')
	run --separate-stderr inlet-window --time ts --window 1m --slide 20s --group-by c \
		--output-mode complete < in
	assert_success
	assert_equal "$(rows | wc -l)" "$want"
	assert_equal "$(rows | sed 's/.*"count":\([0-9]*\)}$/\1/' | awk '{ n += $1 } END { print n }')" 15000
	starts_and_keys | LC_ALL=C sort -c
	assert_equal "$(starts_and_keys | head -1)" '1969-12-31T23:17:40Z "C0"'
}

@test "starts more than 2^32 slides apart are ordered by the entries' own starts" {
	# --window 1us over two hours: 7.2e9 slides, past a 32-bit rank.  Every
	# start has 6 digits after the second, so its text sorts as it does.
	awk 'BEGIN { for (i = 0; i < 3000; i++) {
		k = (i * 7919) % 1500
		printf "{\"ts\":%.0f,\"c\":\"%s%d\"}\n", 1709294400000000 + k * 4800002 + 1,
			i < 1500 ? "s" : "a long group key ", k }
	}' > in
	run --separate-stderr inlet-window --time ts --time-unit us --window 1us --group-by c \
		--output-mode complete < in
	assert_success
	assert_equal "$(rows | wc -l)" 3000
	assert_equal "$(rows | grep -c '"count":1}$')" 3000
	starts_and_keys | LC_ALL=C sort -c
	# Each start's two keys: the long one sorts first.
	assert_equal "$(starts_and_keys | head -2)" '2024-03-01T12:00:00.000001Z "a long group key 0"
2024-03-01T12:00:00.000001Z "s0"'
}
