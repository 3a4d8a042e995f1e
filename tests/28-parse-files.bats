#!/usr/bin/env bats
# inlet-parse and the files it is given: a FILE argument that cannot be
# read fails the run at its end, as cat does, while a file that vanished
# after discover listed it fails the batch unless --ignore-missing-files; the format of each file
# comes from its name (.csv, .tsv, .json, .ndjson, .jsonl, .txt, also under
# .gz and .zst), a .tsv file being CSV with a tab for delimiter.
load helpers

# rows: the row objects of $output, control records dropped.
rows() {
	grep -v '"_inlet"' <<<"$output" || true
}

@test "a FILE that cannot be opened is reported, the files after it are read, exit 66 at the end" {
	printf 'a,b\n1,2\n' > other.csv
	printf '{"n":1}\n' > last.json
	run_framed --separate-stderr inlet-parse nosuch.csv other.csv last.json
	assert_equal "$status" 66
	[[ $stderr == *"inlet-parse: cannot open 'nosuch.csv': No such file or directory"* ]] ||
		fail "stderr: $stderr"
	# Both files after it, whole and in order, and the batch is ended.
	assert_equal "$(rows)" '{"a":"1","b":"2"}
{"n":1}'
	# Still a counted skip downstream, as every file left out is.
	assert_line '{"_inlet":"skip","path":"nosuch.csv","reason":"No such file or directory"}'
	[[ $stderr == *"1 unreadable files"* ]] || fail "stderr: $stderr"
	# Each kind of unreadable FILE is the same failure: a folder, a file cut short.
	mkdir dir.json
	seq 1 20000 | sed 's/.*/{"n":&}/' | gzip -c | head -c 20000 > cut.json.gz
	run --separate-stderr inlet-parse dir.json other.csv
	assert_equal "$status" 66
	[[ $stderr == *"cannot open 'dir.json': Is a directory"* ]] || fail "stderr: $stderr"
	run --separate-stderr inlet-parse cut.json.gz other.csv
	assert_equal "$status" 66
	[[ $stderr == *"cannot read 'cut.json.gz': truncated gzip stream"* ]] || fail "stderr: $stderr"
	assert_line '{"a":"1","b":"2"}'
	# Files that all read are still 0.
	run --separate-stderr inlet-parse other.csv last.json
	assert_success
}

@test "a pipeline over a missing FILE fails under pipefail, after loading the others" {
	printf 'a\n1\n' > other.csv
	run bash -o pipefail -c 'inlet-parse -q nosuch.csv other.csv | inlet-commit --db t.db --table t --quiet'
	assert_equal "$status" 66
	assert_equal "$(sql t.db 'SELECT a FROM t')" 1
}

# Spark's ignoreMissingFiles: https://spark.apache.org/docs/latest/sql-data-sources-generic-options.html
@test "a file listed by discover that vanished before parse fails the batch (66), or with --ignore-missing-files stays a counted skip, exit 0" {
	mkdir land
	printf 'a\n1\n' > land/1.csv
	printf 'a\n2\n' > land/2.csv
	inlet-discover --no-checkpoint --quiet "$PWD/land" > listing
	rm land/1.csv
	run --separate-stderr inlet-parse < listing
	assert_equal "$status" 66
	[[ $stderr == *"cannot open '$PWD/land/1.csv'"*"--ignore-missing-files"* ]] || fail "stderr: $stderr"
	run --separate-stderr inlet-parse --ignore-missing-files < listing
	assert_success
	assert_line --regexp "^\\{\"_inlet\":\"skip\",.*\"path\":\"$PWD/land/1.csv\",\"reason\":\"No such file or directory\"\\}$"
	assert_line '{"a":"2"}'
	[[ $stderr == *"warning: skipping '$PWD/land/1.csv'"*"1 unreadable files"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr != *"cannot open"* ]] || fail "stderr: $stderr"
}

@test "a .tsv file is read with tabs and a .csv file with commas, each its own in one run" {
	printf 'id\tname\n1\tAnn, Lee\n' > people.tsv
	printf 'id,name\n2,Bo\tB\n' > more.csv
	run_framed inlet-parse people.tsv more.csv
	assert_success
	assert_equal "$(rows)" '{"id":"1","name":"Ann, Lee"}
{"id":"2","name":"Bo\tB"}'
	# TSV is CSV with another delimiter: the file record says csv.
	assert_line --regexp "^\\{\"_inlet\":\"file\",\"path\":\"$PWD/people.tsv\",.*,\"format\":\"csv\"\\}$"
	# The same from a listing of a folder holding both.
	mkdir land
	mv people.tsv more.csv land/
	run bash -c "inlet-discover --no-checkpoint --quiet '$PWD/land' | inlet-parse --rows-only | sort"
	assert_success
	assert_output '{"id":"1","name":"Ann, Lee"}
{"id":"2","name":"Bo\tB"}'
}

@test "the format comes from the name past .gz and .zst, in any case of letters" {
	printf 'x\ty\n1\t2\n' > plain.tsv
	gzip -c plain.tsv > a.tsv.gz
	zstd -q -c plain.tsv > b.TSV.zst
	printf 'x,y\n3,4\n' | gzip -c > c.csv.gz
	printf '{"x":5}\n' | zstd -q -c > d.ndjson.zst
	printf '{"x":6}\n' | gzip -c > e.jsonl.gz
	printf '{"x":7}\n' > f.JSON
	printf 'x=8\n' | zstd -q -c > g.txt.zst
	run_framed inlet-parse a.tsv.gz b.TSV.zst c.csv.gz d.ndjson.zst e.jsonl.gz f.JSON g.txt.zst
	assert_success
	assert_equal "$(rows)" '{"x":"1","y":"2"}
{"x":"1","y":"2"}
{"x":"3","y":"4"}
{"x":5}
{"x":6}
{"x":7}
{"value":"x=8"}'
	run inlet-parse plain.tsv.bak
	assert_equal "$status" 64
	assert_output --partial "cannot tell the format of 'plain.tsv.bak'"
}

@test "--format tsv reads with a tab whatever the name; --delimiter overrides it" {
	printf 'a;x\tb\n1;2\t3\n' > data.txt
	run_framed inlet-parse --format tsv data.txt
	assert_success
	assert_equal "$(rows)" '{"a;x":"1;2","b":"3"}'
	assert_line --partial '"format":"csv"'
	run_framed inlet-parse --format tsv --delimiter ';' data.txt
	assert_success
	assert_equal "$(rows)" '{"a":"1","x\tb":"2\t3"}'
	# -f takes it too, and standard input needs it.
	run_framed inlet-parse -f tsv - < data.txt
	assert_equal "$(rows)" '{"a;x":"1;2","b":"3"}'
	run inlet-parse --format psv data.txt
	assert_equal "$status" 64
	assert_output --partial "expected csv, tsv, json or text"
}

@test "--format csv and --delimiter apply to every file, a .tsv one included" {
	printf 'a\tb,c\n1,2\t3\n' > t.tsv
	run_framed inlet-parse --format csv t.tsv
	assert_success
	assert_equal "$(rows)" '{"a\tb":"1","c":"2\t3"}'
	printf 'a|b\n1|2\n' > p.tsv
	printf 'a|b\n3|4\n' > p.csv
	run_framed inlet-parse --delimiter '|' p.tsv p.csv
	assert_success
	assert_equal "$(rows)" '{"a":"1","b":"2"}
{"a":"3","b":"4"}'
}

@test "a quote or comment character that is a file's delimiter is a usage error before any output" {
	printf 'a\tb\n1\t2\n' > t.tsv
	printf 'a,b\n1,2\n' > c.csv
	run --separate-stderr inlet-parse --quote '\t' c.csv t.tsv
	assert_equal "$status" 64
	assert_output ''
	[[ $stderr == *"--quote is the delimiter of 't.tsv' (a tab, as for tsv); give --delimiter"* ]] ||
		fail "stderr: $stderr"
	# The same quote is fine for the CSV file alone, and with a delimiter given.
	run_framed inlet-parse --quote '\t' c.csv
	assert_success
	run_framed inlet-parse --quote '\t' --delimiter , c.csv
	assert_success
	run --separate-stderr inlet-parse --format tsv --comment tab c.csv
	assert_equal "$status" 64
	[[ $stderr == *"--comment is the delimiter of --format tsv"* ]] || fail "stderr: $stderr"
}

@test "completions offer tsv for parse's --format" {
	run bash --norc --noprofile -c '
		. "$1"
		COMP_WORDS=(inlet-parse --format t) COMP_CWORD=2
		COMP_LINE="inlet-parse --format t" COMP_POINT=${#COMP_LINE}
		spec=$(complete -p inlet-parse); fn=${spec#*-F }; fn=${fn%% *}
		"$fn" inlet-parse t --format
		printf "%s\n" "${COMPREPLY[@]}"' bash "$INLET_ROOT/completions/inlet.bash"
	assert_success
	assert_line tsv
	assert_line text
	# zsh and fish take the values from the same --complete line.
	run inlet-parse --complete
	assert_line --regexp $'^--format\t-f\tFMT\t([a-z]+ )*tsv( |\t)'
}
