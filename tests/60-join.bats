#!/usr/bin/env bats
# inlet-join: join types, keys, columns, static sources, and a static side
# that changes while the stream runs.
load helpers
load join

customers() {	# the notebook's static table, as CSV
	printf 'customer_id,first_name,email\nC1,Ann,ann@x.org\nC2,Bob,bob@x.org\n'
}

replace() {	# replace FILE: standard input becomes FILE atomically (tmp + mv)
	cat > ".$1.tmp" && mv ".$1.tmp" "$1"
}

teardown() {
	join_teardown
}

orders() {
	batch 0 '{"order_id":1,"customer_id":"C1"}' '{"order_id":2,"customer_id":"C9"}' \
		'{"order_id":3,"customer_id":"C2"}'
}

# ---- join types ----

@test "inner (the default): rows without a match are dropped" {
	customers > c.csv
	orders > in
	run --separate-stderr inlet-join --static c.csv --on customer_id < in
	assert_success
	assert_output - <<'EOF'
{"_inlet":"begin","batch":0}
{"order_id":1,"customer_id":"C1","first_name":"Ann","email":"ann@x.org"}
{"order_id":3,"customer_id":"C2","first_name":"Bob","email":"bob@x.org"}
{"_inlet":"end","batch":0}
EOF
}

@test "left: rows without a match get nulls for the static columns" {
	customers > c.csv
	orders > in
	run --separate-stderr inlet-join --static c.csv --on customer_id --type left < in
	assert_success
	assert_line --index 2 '{"order_id":2,"customer_id":"C9","first_name":null,"email":null}'
	assert_line --index 1 '{"order_id":1,"customer_id":"C1","first_name":"Ann","email":"ann@x.org"}'
	[ "${#lines[@]}" -eq 5 ]
}

@test "semi: rows with a match, unchanged, once each" {
	printf 'customer_id,first_name\nC1,Ann\nC1,Annie\n' > c.csv
	orders > in
	run --separate-stderr inlet-join --static c.csv --on customer_id --type semi < in
	assert_success
	assert_output $'{"_inlet":"begin","batch":0}\n{"order_id":1,"customer_id":"C1"}\n{"_inlet":"end","batch":0}'
}

@test "anti: rows without a match, unchanged" {
	customers > c.csv
	orders > in
	run --separate-stderr inlet-join --static c.csv --on customer_id --type anti < in
	assert_success
	assert_output $'{"_inlet":"begin","batch":0}\n{"order_id":2,"customer_id":"C9"}\n{"_inlet":"end","batch":0}'
}

@test "semi and anti add no columns, so --select, --prefix and --rename are usage errors" {
	customers > c.csv
	run inlet-join --static c.csv --on customer_id --type semi --select email < /dev/null
	assert_equal "$status" 64
	run inlet-join --static c.csv --on customer_id --type anti --prefix c_ < /dev/null
	assert_equal "$status" 64
}

# ---- keys ----

@test "composite keys match only when every part matches" {
	printf 'region,id,name\nEU,1,berlin\nUS,1,boston\n' > c.csv
	printf '%s\n' '{"region":"US","id":"1"}' '{"region":"EU","id":"2"}' '{"id":"1","region":"EU"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on region,id --type left < in
	assert_success
	assert_output - <<'EOF'
{"region":"US","id":"1","name":"boston"}
{"region":"EU","id":"2","name":null}
{"id":"1","region":"EU","name":"berlin"}
EOF
}

@test "stream_key=static_key joins columns of different names" {
	customers > c.csv
	echo '{"cust":"C2","n":1}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on cust=customer_id < in
	assert_success
	assert_output '{"cust":"C2","n":1,"first_name":"Bob","email":"bob@x.org"}'
}

# Spark casts the string side of string = number to the number's type
# (TypeCoercion, "Atomic and String, cast as Atomic type"); keys of one type
# keep comparing by text (42 and 42.0 differ).  More in 62-join-key-types.
@test "keys of one type compare by JSON text; a string meets a number by value" {
	printf '%s\n' '{"id":42,"kind":"number"}' '{"id":"42","kind":"string"}' > s.ndjson
	printf '%s\n' '{"id":"42"}' '{"id":42}' '{"id":42.0}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":"42","kind":"string"}
{"id":"42","kind":"number"}
{"id":42,"kind":"number"}
{"id":42,"kind":"string"}
{"id":42.0,"kind":"string"}
EOF
}

@test "string keys compare by their characters, whatever their escapes" {
	customers > c.csv
	echo '{"customer_id":"\u0043\u0031"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --select first_name < in
	assert_success
	assert_output '{"customer_id":"\u0043\u0031","first_name":"Ann"}'
}

@test "null and missing keys never match, on either side" {
	printf '%s\n' '{"k":null,"v":"static null"}' '{"v":"static missing"}' '{"k":"a","v":"A"}' > s.ndjson
	printf '%s\n' '{"k":null}' '{"x":1}' '{"k":"a"}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on k --type left < in
	assert_success
	assert_output $'{"k":null,"v":null}\n{"x":1,"v":null}\n{"k":"a","v":"A"}'
	[[ $stderr == *"1 row, 1 column to add"*"2 with a null key left out"* ]]
	run_framed --separate-stderr inlet-join --static s.ndjson --on k < in
	assert_success
	assert_output '{"k":"a","v":"A"}'
	run_framed --separate-stderr inlet-join --static s.ndjson --on k --type anti < in
	assert_success
	assert_output $'{"k":null}\n{"x":1}'
}

@test "duplicate static keys: inner and left emit every match, in static order" {
	printf 'customer_id,address\nC1,home\nC2,work\nC1,office\n' > c.csv
	echo '{"customer_id":"C1"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id < in
	assert_success
	assert_output $'{"customer_id":"C1","address":"home"}\n{"customer_id":"C1","address":"office"}'
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --type left < in
	assert_success
	assert_output $'{"customer_id":"C1","address":"home"}\n{"customer_id":"C1","address":"office"}'
}

# ---- columns ----

@test "--select adds only the named static columns, in that order" {
	customers > c.csv
	echo '{"customer_id":"C1"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --select email,first_name < in
	assert_success
	assert_output '{"customer_id":"C1","email":"ann@x.org","first_name":"Ann"}'
}

@test "--prefix goes before every added column's name" {
	customers > c.csv
	echo '{"customer_id":"C1","email":"order@x.org"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --prefix c_ < in
	assert_success
	assert_output '{"customer_id":"C1","email":"order@x.org","c_first_name":"Ann","c_email":"ann@x.org"}'
}

@test "--rename OLD=NEW names one added column, and wins over --prefix" {
	customers > c.csv
	echo '{"customer_id":"C1","email":"order@x.org"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --prefix c_ \
		--rename email=customer_email --rename first_name=name < in
	assert_success
	assert_output '{"customer_id":"C1","email":"order@x.org","name":"Ann","customer_email":"ann@x.org"}'
}

@test "a static column that would overwrite a stream column is an error naming it" {
	customers > c.csv
	batch 0 '{"customer_id":"C1","n":1}' '{"customer_id":"C1","Email":"order@x.org"}' > in
	run --separate-stderr inlet-join --static c.csv --on customer_id < in
	assert_equal "$status" 65
	[[ $stderr == *"line 3: the static column 'email' would overwrite the stream column 'Email'; use --prefix or --rename"* ]]
}

@test "a schema record shows a collision before any row" {
	customers > c.csv
	echo '{"_inlet":"schema","version":0,"fields":[{"name":"customer_id","type":"STRING"},{"name":"first_name","type":"STRING"}]}' > in
	run --separate-stderr inlet-join --static c.csv --on customer_id < in
	assert_equal "$status" 65
	[[ $stderr == *"line 1: the static column 'first_name' would overwrite the stream column 'first_name'"* ]]
}

@test "collisions the options alone make are found when the static side loads" {
	customers > c.csv
	run inlet-join --static c.csv --on cid=customer_id --select customer_id,email --rename email=cid < /dev/null
	assert_equal "$status" 65
	assert_output --partial "its column 'email' would overwrite the stream column 'cid'"
	run inlet-join --static c.csv --on customer_id --rename email=first_name < /dev/null
	assert_equal "$status" 65
	assert_output --partial "two added columns would be named 'first_name'"
}

@test "a key or selected column the static side lacks is an error at start" {
	customers > c.csv
	run inlet-join --static c.csv --on id < /dev/null
	assert_equal "$status" 65
	assert_output --partial "cannot read static 'c.csv': it has no column 'id' (--on)"
	run inlet-join --static c.csv --on customer_id --select emial < /dev/null
	assert_equal "$status" 65
	assert_output --partial "no column 'emial' (--select)"
}

# ---- static sources ----

@test "CSV static side: read through inlet-parse, values are strings" {
	printf 'id,qty,note\n7,3,"a, b"\n' > c.csv
	echo '{"id":"7"}' > in
	run_framed --separate-stderr inlet-join --static c.csv --on id < in
	assert_success
	assert_output '{"id":"7","qty":"3","note":"a, b"}'
}

@test "NDJSON static side: values keep their JSON text and type" {
	echo '{"id":7,"price":19.990,"tags":["a"],"big":9007199254740993,"ok":true}' > s.jsonl
	echo '{"id":7}' > in
	run_framed --separate-stderr inlet-join --static s.jsonl --on id < in
	assert_success
	assert_output '{"id":7,"price":19.990,"tags":["a"],"big":9007199254740993,"ok":true}'
}

@test "NDJSON static side: columns are all those any row has, null where a row lacks one" {
	printf '%s\n' '{"id":1,"a":"x"}' '{"id":2,"b":"y"}' > s.ndjson
	printf '%s\n' '{"id":1}' '{"id":2}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on id < in
	assert_success
	assert_output $'{"id":1,"a":"x","b":null}\n{"id":2,"a":null,"b":"y"}'
}

@test "folder static side: CSV and NDJSON files by extension; hidden, _ and other names skipped" {
	mkdir dim
	printf 'k,v\n1,from-csv\n' > dim/a.csv
	echo '{"k":"2","v":"from-json"}' > dim/b.json
	echo '{"k":"3","v":"hidden"}' > dim/.c.json
	echo '{"k":"3","v":"underscore"}' > dim/_d.json
	echo 'k,v' > dim/notes.txt
	printf '%s\n' '{"k":"1"}' '{"k":"2"}' '{"k":"3"}' > in
	run_framed --separate-stderr inlet-join --static dim --on k --type left < in
	assert_success
	assert_output $'{"k":"1","v":"from-csv"}\n{"k":"2","v":"from-json"}\n{"k":"3","v":null}'
}

@test "an empty folder is an empty static table, until files arrive" {
	mkdir dim
	start_join --static dim --on k --type left --select v
	wait_for err "loaded static 'dim': 0 rows"
	batch 0 '{"k":"1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	printf 'k,v\n1,one\n' > dim/a.csv
	batch 1 '{"k":"1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"k":"1","v":null}\n{"k":"1","v":"one"}'
}

@test "compressed static files are read like plain ones" {
	customers | gzip > c.csv.gz
	echo '{"customer_id":"C2"}' > in
	run_framed --separate-stderr inlet-join --static c.csv.gz --on customer_id --select first_name < in
	assert_success
	assert_output '{"customer_id":"C2","first_name":"Bob"}'
}

# inlet-commit stores a DOUBLE's infinities as REAL infinities in SQLite
# (inlet-commit(1)); JSON has none, so they come back as the strings
# inlet-cast writes for them, not as null: nothing is lost on the way.
@test "sqlite static side: a REAL infinity reads back as the string inlet-cast writes" {
	printf '%s\n' '{"id":1,"x":"Infinity"}' '{"id":2,"x":"-Infinity"}' '{"id":3,"x":1.5}' |
		inlet-cast --quiet --schema 'id INT, x DOUBLE' | inlet-commit --quiet --db s.db --table c
	run sql s.db "SELECT group_concat(typeof(x)) FROM c"
	assert_output real,real,real
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' > in
	run_framed --separate-stderr inlet-join --static sqlite:s.db:c --on id < in
	assert_success
	assert_output $'{"id":1,"x":"Infinity"}\n{"id":2,"x":"-Infinity"}\n{"id":3,"x":1.5}'
}

@test "sqlite static side: TEXT, INTEGER, REAL, NULL and BLOB as JSON" {
	sql s.db "CREATE TABLE c (id INTEGER, name TEXT, score REAL, big INTEGER, n, pic BLOB);
		INSERT INTO c VALUES (1, 'Ann \"A\"', 0.1, 9007199254740993, NULL, x'00ff10'),
		                     (2, 'Bob', 5.0, -1, NULL, x'');"
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":"1"}' > in
	run_framed --separate-stderr inlet-join --static sqlite:s.db:c --on id --type left < in
	assert_success
	assert_output - <<'EOF'
{"id":1,"name":"Ann \"A\"","score":0.1,"big":9007199254740993,"n":null,"pic":"AP8Q"}
{"id":2,"name":"Bob","score":5.0,"big":-1,"n":null,"pic":""}
{"id":"1","name":"Ann \"A\"","score":0.1,"big":9007199254740993,"n":null,"pic":"AP8Q"}
EOF
}

@test "a static file whose format its name does not tell is a usage error" {
	customers > c.txt
	run inlet-join --static c.txt --on customer_id < /dev/null
	assert_equal "$status" 64
	assert_output --partial "cannot tell the format of static 'c.txt'"
	run inlet-join --static sqlite:nodb --on id < /dev/null
	assert_equal "$status" 64
}

@test "a static side that cannot be read at start exits 66" {
	run inlet-join --static missing.csv --on id < /dev/null
	assert_equal "$status" 66
	assert_output --partial "cannot open static 'missing.csv'"
	sql s.db 'CREATE TABLE other (id)'
	run inlet-join --static sqlite:s.db:c --on id < /dev/null
	assert_equal "$status" 66
	assert_output --partial "no such table: c"
	printf 'id,v\n1,"open\n' > bad.csv
	run inlet-join --static bad.csv --on id < /dev/null
	assert_equal "$status" 66
	assert_output --partial "inlet-parse exited with status 65"
}

# ---- the static side changes while the stream runs ----

@test "a static file replaced atomically mid-stream: each batch sees one version, the next batch the new one" {
	printf 'customer_id,first_name\nC1,v1\n' > c.csv
	start_join --static c.csv --on customer_id
	wait_for err "loaded static"
	printf 'customer_id,first_name\nC1,v2\n' | replace c.csv
	echo '{"_inlet":"begin","batch":0}' >&7
	wait_for err "reloaded static"		# batch 0 is on version 2
	echo '{"order":1,"customer_id":"C1"}' >&7
	printf 'customer_id,first_name\nC1,v3\n' | replace c.csv
	echo '{"order":2,"customer_id":"C1"}' >&7
	echo '{"_inlet":"end","batch":0}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	batch 1 '{"order":3,"customer_id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run cat out
	assert_output - <<'EOF'
{"_inlet":"begin","batch":0}
{"order":1,"customer_id":"C1","first_name":"v2"}
{"order":2,"customer_id":"C1","first_name":"v2"}
{"_inlet":"end","batch":0}
{"_inlet":"begin","batch":1}
{"order":3,"customer_id":"C1","first_name":"v3"}
{"_inlet":"end","batch":1}
EOF
	[ "$(grep -c 'reloaded static' err)" -eq 2 ]
}

@test "an unchanged static side is read once, however many batches" {
	customers > c.csv
	{ batch 0 '{"customer_id":"C1"}'; batch 1 '{"customer_id":"C2"}'; batch 2 '{"customer_id":"C1"}'; } > in
	run --separate-stderr inlet-join --static c.csv --on customer_id < in
	assert_success
	[ "${#lines[@]}" -eq 9 ]
	[[ $stderr == "inlet-join: loaded static 'c.csv': 2 rows, 2 columns to add, "*" bytes ("*" MiB)" ]]
}

@test "a folder's static side changes when a file is added" {
	mkdir dim
	printf 'k,v\n1,one\n' > dim/a.csv
	start_join --static dim --on k --type left
	wait_for err "loaded static"
	batch 0 '{"k":"2"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	printf 'k,v\n2,two\n' > dim/_b.csv.tmp && mv dim/_b.csv.tmp dim/b.csv
	batch 1 '{"k":"2"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"k":"2","v":null}\n{"k":"2","v":"two"}'
}

@test "sqlite table updated between batches (WAL: seen through data_version)" {
	sql s.db "PRAGMA journal_mode=WAL; CREATE TABLE c (id TEXT, tier TEXT);
		INSERT INTO c VALUES ('C1', 'silver');" > /dev/null
	start_join --static sqlite:s.db:c --on id
	wait_for err "loaded static"
	batch 0 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	sql s.db "UPDATE c SET tier = 'gold'"
	batch 1 '{"id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"id":"C1","tier":"silver"}\n{"id":"C1","tier":"gold"}'
	grep -q "reloaded static 'sqlite:s.db:c': 1 row" err
}

@test "sqlite database file replaced between batches is opened again" {
	sql s.db "CREATE TABLE c (id TEXT, tier TEXT); INSERT INTO c VALUES ('C1', 'silver');"
	start_join --static sqlite:s.db:c --on id
	wait_for err "loaded static"
	batch 0 '{"id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	sql new.db "CREATE TABLE c (id TEXT, tier TEXT); INSERT INTO c VALUES ('C1', 'gold');"
	mv new.db s.db
	batch 1 '{"id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"id":"C1","tier":"silver"}\n{"id":"C1","tier":"gold"}'
}

@test "a static side unreadable at a later batch: a warning, and the last good version" {
	customers > c.csv
	start_join --static c.csv --on customer_id --select first_name
	wait_for err "loaded static"
	rm c.csv
	batch 0 '{"customer_id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":0}'
	printf 'customer_id,first_name\nC1,"broken\n' | replace c.csv
	batch 1 '{"customer_id":"C1"}' >&7
	batch 2 '{"customer_id":"C1"}' >&7
	wait_for out '{"_inlet":"end","batch":2}'
	customers | sed 's/Ann/Anna/' | replace c.csv
	batch 3 '{"customer_id":"C1"}' >&7
	stop_join
	assert_equal "$join_status" 0
	run grep -v _inlet out
	assert_output $'{"customer_id":"C1","first_name":"Ann"}\n{"customer_id":"C1","first_name":"Ann"}\n{"customer_id":"C1","first_name":"Ann"}\n{"customer_id":"C1","first_name":"Anna"}'
	run cat err
	assert_line --index 1 --regexp "^inlet-join: warning: cannot read static 'c.csv' again: No such file or directory; batch 0 is joined with the version read at 20"
	assert_line --partial "warning: cannot read static 'c.csv' again: 'c.csv': inlet-parse exited with status 65; batch 1"
	refute_line --partial "batch 2 is joined"	# a failed version warns once
	assert_line --partial "reloaded static 'c.csv': 2 rows"
}

# ---- the stream ----

@test "control records pass through unchanged and in order" {
	customers > c.csv
	{
		echo '{"_inlet":"begin","batch":4}'
		echo '{"_inlet":"file","batch":4,"path":"/x/o.csv","size":1,"mtime":"2024-01-01T00:00:00Z"}'
		echo '{"customer_id":"C1"}'
		echo '{ "_inlet" : "future-event", "x" : [1, 2] }'
		echo '{"_inlet":"skip","batch":4,"path":"/x/p.csv","reason":"gone"}'
		echo '{"_inlet":"end","batch":4}'
	} > in
	run --separate-stderr inlet-join --static c.csv --on customer_id --type semi < in
	assert_success
	assert_output "$(cat in)"
}

@test "a stream without control records is joined as one batch" {
	customers > c.csv
	printf '%s\n' '{"customer_id":"C2"}' '  {"customer_id":"C1"}  ' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --select first_name < in
	assert_success
	assert_output $'{"customer_id":"C2","first_name":"Bob"}\n  {"customer_id":"C1","first_name":"Ann"}'
}

@test "lossless: stream and static numbers keep their exact text" {
	echo '{"k":1e400,"big":9007199254740993,"price":19.990,"e":-0.0}' > s.ndjson
	echo '{"k":1e400,"id":12345678901234567890123,"amount":1.10}' > in
	run_framed --separate-stderr inlet-join --static s.ndjson --on k < in
	assert_success
	assert_output '{"k":1e400,"id":12345678901234567890123,"amount":1.10,"big":9007199254740993,"price":19.990,"e":-0.0}'
}

@test "an empty stream row gets the static columns without a stray comma" {
	customers > c.csv
	echo '{ }' > in
	run_framed --separate-stderr inlet-join --static c.csv --on customer_id --type left < in
	assert_success
	assert_output '{ "first_name":null,"email":null}'
}

@test "the static table's size is reported on stderr, unless --quiet" {
	customers > c.csv
	run --separate-stderr inlet-join --static c.csv --on customer_id < /dev/null
	assert_success
	[[ $stderr =~ ^"inlet-join: loaded static 'c.csv': 2 rows, 2 columns to add, "[0-9]+" bytes (0.0 MiB)"$ ]]
	run --separate-stderr inlet-join --static c.csv --on customer_id --quiet < /dev/null
	assert_equal "$stderr" ""
}

@test "1,000,000 static rows of 10 short columns take well under 1 GiB" {
	awk 'BEGIN { for (i = 0; i < 1000000; i++)
		printf "{\"id\":\"C%07d\",\"a\":\"alpha\",\"b\":%d,\"c\":\"c%d\",\"d\":true,\"e\":\"2024-01-01\",\"f\":null,\"g\":\"gg\",\"h\":%d.5,\"i\":\"x\"}\n", i, i, i % 97, i % 1000 }' > big.ndjson
	echo '{"id":"C0999999"}' > in
	run_framed --separate-stderr inlet-join --static big.ndjson --on id < in
	assert_success
	assert_output '{"id":"C0999999","a":"alpha","b":999999,"c":"c26","d":true,"e":"2024-01-01","f":null,"g":"gg","h":999.5,"i":"x"}'
	bytes=$(sed -n 's/.* columns to add, \([0-9]*\) bytes.*/\1/p' <<< "$stderr")
	echo "# static table: $bytes bytes" >&3
	[ "$bytes" -lt $((256 * 1024 * 1024)) ]
}

# ---- the notebook's join cell ----

@test "notebook: discover, parse, join customers, commit; a customer added between batches" {
	mkdir landing
	printf 'order_id,customer_id,total_amount\n1,C1,10.50\n2,C3,7.25\n' > landing/orders-1.csv
	customers > customers.csv
	pipeline() {
		inlet-discover --checkpoint ck --trigger once --quiet landing \
			| inlet-parse --format csv \
			| inlet-join --static customers.csv --on customer_id --type left \
				--select first_name,email --quiet \
			| inlet-commit --checkpoint ck --db shop.db --table enriched_orders --quiet
	}
	pipeline
	# C3 signs up; then their next order arrives.
	{ customers; echo 'C3,Cy,cy@x.org'; } | replace customers.csv
	printf 'order_id,customer_id,total_amount\n3,C3,99.00\n' > landing/orders-2.csv
	pipeline
	run sql shop.db 'SELECT order_id, customer_id, total_amount, coalesce(first_name, "NULL"), coalesce(email, "NULL") FROM enriched_orders ORDER BY order_id'
	assert_output - <<'EOF'
1|C1|10.50|Ann|ann@x.org
2|C3|7.25|NULL|NULL
3|C3|99.00|Cy|cy@x.org
EOF
	[ -f ck/commits/0 ] && [ -f ck/commits/1 ]
}

# ---- the command line ----

@test "--help prints the usage; --version the version" {
	run inlet-join --help
	assert_success
	assert_line --index 0 'usage: inlet-join --static SOURCE --on KEYS [options] [FILE...]'
	run inlet-join --version
	assert_output --regexp '^inlet-join \(inlet\) [0-9.]+$'
}

@test "bad options exit 64 with one line on stderr" {
	run --separate-stderr inlet-join --no-such-option
	assert_equal "$status" 64
	[[ $stderr == "inlet-join: unknown option '--no-such-option'; try 'inlet join --help'" ]]
	run inlet-join --static c.csv < /dev/null
	assert_equal "$status" 64
	assert_output --partial "--static and --on are required"
	run inlet-join --static c.csv --on id --type outer < /dev/null
	assert_equal "$status" 64
	assert_output --partial "invalid value 'outer' for --type"
	run inlet-join --static c.csv --on a,,b < /dev/null
	assert_equal "$status" 64
	run inlet-join --static c.csv --on id --rename email < /dev/null
	assert_equal "$status" 64
	assert_output --partial "expected OLD=NEW"
}
