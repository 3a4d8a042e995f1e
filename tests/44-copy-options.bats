#!/usr/bin/env bats
# COPY INTO's two option lists, and recursiveFileLookup in copy-into and
# ctas.  Databricks, COPY INTO
# (https://docs.databricks.com/en/sql/language-manual/delta-copy-into.html):
# "FORMAT_OPTIONS: Options to be passed to the Apache Spark data source
# reader for the specified format" and "COPY_OPTIONS: Options to control
# the operation of the COPY INTO command: force ... mergeSchema"; inlet
# takes the first as --format-option KEY=VALUE and the second as -o.
# Spark, Generic File Source Options
# (https://spark.apache.org/docs/latest/sql-data-sources-generic-options.html#recursive-file-lookup):
# "recursiveFileLookup is used to recursively load files and it disables
# partition inferring ... If data source explicitly specifies the
# partitionSpec when recursiveFileLookup is true, exception will be thrown."
load helpers

# semi: a header-less, ';'-separated CSV that needs FORMAT_OPTIONS to read.
semi() {
	mkdir -p land
	printf '1;ann\n2;bob\n' > land/a.csv
}

@test "copy-into --format-option: sep and header by Spark's names, any case" {
	semi
	run inlet copy-into --db s.db --table t --format-option sep=';' --format-option HEADER=false land
	assert_success
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run sql s.db 'SELECT _c0 || "=" || _c1 FROM t ORDER BY 1'
	assert_output $'1=ann\n2=bob'
	# Without them the same file is one column named by its first line.
	run inlet copy-into --db u.db --table t land
	run sql u.db "SELECT name FROM pragma_table_info('t')"
	assert_output '1;ann'
}

@test "copy-into --format-option: boolean reader options and the JSON leniencies" {
	mkdir -p land
	printf '[{"a":1},\n {"a":2}]\n' > land/m.json
	printf "{'a':3}\n" > land/q.json
	run inlet copy-into --db m.db --table t --format-option multiLine=TRUE land/m.json
	assert_success
	run sql m.db 'SELECT a FROM t ORDER BY a'
	assert_output $'1\n2'
	run inlet copy-into --db q.db --table t --format-option allowSingleQuotes=false \
		--format-option mode=FAILFAST land/q.json
	assert_equal "$status" 65
	run inlet copy-into --db q2.db --table t --format-option allowSingleQuotes=true land/q.json
	assert_success
	run sql q2.db 'SELECT a FROM t'
	assert_output 3
}

@test "copy-into --format-option: dateFormat, timestampFormat and nullValue reach the stages" {
	mkdir -p land
	printf 'd,t,n\n15/07/2024,15/07/2024 12:00,NA\n' > land/a.csv
	run inlet copy-into --db d.db --table t -s 'd DATE, t TIMESTAMP, n STRING' \
		--format-option dateFormat=dd/MM/yyyy --format-option 'timestampFormat=dd/MM/yyyy HH:mm' \
		--format-option nullValue=NA land
	assert_success
	run sql d.db 'SELECT d, t, n IS NULL FROM t'
	assert_output '2024-07-15|2024-07-15T12:00:00Z|1'
}

@test "copy-into -o with a FORMAT_OPTIONS key is 64 and says to use --format-option; nothing is created" {
	semi
	run inlet copy-into --db s.db --table t -o sep=';' land
	assert_equal "$status" 64
	assert_output --partial "'sep' is one of FORMAT_OPTIONS, not COPY_OPTIONS: give it with --format-option sep=;"
	run inlet copy-into --db s.db --table t -o timeZone=UTC land
	assert_equal "$status" 64
	assert_output --partial "'timeZone' is one of FORMAT_OPTIONS"
	[ ! -e s.db ] && [ ! -e s.db.inlet ]
}

@test "copy-into --format-option with a COPY_OPTIONS key is 64 and says to use -o" {
	semi
	run inlet copy-into --db s.db --table t --format-option force=true land
	assert_equal "$status" 64
	assert_output --partial "'force' is one of COPY_OPTIONS, not FORMAT_OPTIONS: give it with -o force=true"
	run inlet copy-into --db s.db --table t --format-option mergeSchema=true land
	assert_equal "$status" 64
	assert_output --partial "give it with -o mergeSchema=true"
	[ ! -e s.db ]
}

@test "copy-into --format-option: unknown keys, bad values and inferSchema=true are 64, named as typed" {
	semi
	run inlet copy-into --db s.db --table t --format-option bogus=1 land
	assert_equal "$status" 64
	assert_output --partial "unknown or unsupported FORMAT_OPTIONS key 'bogus'"
	run inlet copy-into --db s.db --table t --format-option header=maybe land
	assert_equal "$status" 64
	assert_output --partial '--format-option header=maybe: expected true or false'
	run inlet copy-into --db s.db --table t --format-option maxColumns=x land
	assert_equal "$status" 64
	assert_output --partial '--format-option maxColumns=x'
	run inlet copy-into --db s.db --table t --format-option sep land
	assert_equal "$status" 64
	assert_output --partial "expected KEY=VALUE"
	run inlet copy-into --db s.db --table t --format-option inferSchema=true land
	assert_equal "$status" 64
	assert_output --partial 'give their types with --schema'
	[ ! -e s.db ]
	run inlet copy-into --db s.db --table t -q --format-option inferSchema=false land
	assert_success
}

@test "copy-into -o keeps COPY_OPTIONS: force and mergeSchema" {
	semi
	inlet copy-into --db s.db --table t -q --format-option header=false --format-option sep=';' land
	run inlet copy-into --db s.db --table t --format-option header=false --format-option sep=';' -o force=true land
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run sql s.db 'SELECT count(*) FROM t'
	assert_output 4
}

# tree: a landing zone with files at the top, in a partition folder, in
# a folder inside it and in a plain sub-folder.
tree() {
	mkdir -p land/batch_01 land/date=2024-01-01/extra
	echo '{"f":"top"}' > land/top.json
	echo '{"f":"batch"}' > land/batch_01/b.json
	echo '{"f":"day"}' > land/date=2024-01-01/d.json
	echo '{"f":"extra"}' > land/date=2024-01-01/extra/x.json
}

# loaded DB: the table's rows, f and the partition column when there is one.
loaded() {
	if sql "$1" "SELECT 1 FROM pragma_table_info('t') WHERE name = 'date'" | grep -q 1; then
		sql "$1" "SELECT f || ':' || coalesce(date, '-') FROM t ORDER BY f"
	else
		sql "$1" 'SELECT f FROM t ORDER BY f'
	fi
}

@test "recursiveFileLookup=false: the top folder and its partition folders only, in copy-into and ctas" {
	tree
	run inlet copy-into --db a.db --table t -q --recursive-file-lookup false land
	assert_success
	run loaded a.db
	assert_output $'day:2024-01-01\ntop:-'
	run inlet copy-into --db b.db --table t -q --format-option recursiveFileLookup=FALSE land
	run loaded b.db
	assert_output $'day:2024-01-01\ntop:-'
	run inlet ctas --db c.db --table t -q -o recursiveFileLookup=false land
	run loaded c.db
	assert_output $'day:2024-01-01\ntop:-'
	run inlet ctas --db d.db --table t -q --recursive-file-lookup false land
	run loaded d.db
	assert_output $'day:2024-01-01\ntop:-'
}

@test "recursiveFileLookup=false in copy-into: the folders left out are not marked loaded" {
	tree
	inlet copy-into --db a.db --table t -q --recursive-file-lookup false land
	run inlet copy-into --db a.db --table t land
	assert_output '{"num_affected_rows":2,"num_inserted_rows":2,"num_skipped_corrupt_files":0}'
	run sql a.db 'SELECT f FROM t ORDER BY f'
	assert_output $'batch\nday\nextra\ntop'
}

@test "recursiveFileLookup=true: every sub-folder and no partition columns (Spark: it disables partition inferring)" {
	tree
	run inlet copy-into --db a.db --table t -q --format-option recursiveFileLookup=true land
	assert_success
	run loaded a.db
	assert_output $'batch\nday\nextra\ntop'
	run inlet ctas --db b.db --table t -q -o recursiveFileLookup=true land
	run loaded b.db
	assert_output $'batch\nday\nextra\ntop'
	# Not given: every sub-folder, with the partition column.
	run inlet ctas --db c.db --table t -q land
	run loaded c.db
	assert_output $'batch:-\nday:2024-01-01\nextra:2024-01-01\ntop:-'
}

@test "recursiveFileLookup=true with partition columns given is 64 (Spark throws), nothing created" {
	tree
	run inlet copy-into --db a.db --table t --recursive-file-lookup true --partition-columns date land
	assert_equal "$status" 64
	assert_output --partial "--recursive-file-lookup true turns partition columns off: it cannot go with --partition-columns date"
	run inlet ctas --db a.db --table t -o recursiveFileLookup=true -o partitionColumns=date land
	assert_equal "$status" 64
	run inlet ctas --db a.db --table t -o recursiveFileLookup=yes land
	assert_equal "$status" 64
	assert_output --partial '-o recursiveFileLookup=yes: expected true or false'
	[ ! -e a.db ]
}

@test "ctas -o: reader options by Spark's names; an unknown one is 64" {
	semi
	run inlet ctas --db s.db --table t -o sep=';' -o header=false land
	assert_success
	run sql s.db 'SELECT _c1 FROM t ORDER BY 1'
	assert_output $'ann\nbob'
	run inlet ctas --db s.db --table t -o force=true land
	assert_equal "$status" 64
	assert_output --partial "unknown or unsupported option 'force'"
}
