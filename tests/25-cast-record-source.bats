#!/usr/bin/env bats
# The record a row came from: inlet-parse --record-source gives each row
# its first line in the file and its exact text (_inlet_source), and
# inlet-cast uses them.  Spark: a CSV record that fails a conversion is kept
# as "the malformed string" in columnNameOfCorruptRecord (DataFrameReader.csv,
# mode PERMISSIVE) and in badRecordsPath's "record" (Databricks, "Handle bad
# records and files"): the line as the file has it, not the row as JSON.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'id,name,d\n1,"a b",2024-01-01\n888,"Frank\nJr",NOT_A_DATE\n' > a.csv
}

@test "parse --record-source: each row's first line in its file and its exact text" {
	run inlet-parse --record-source --rows-only a.csv
	assert_success
	assert_output - <<'OUT'
{"id":"1","name":"a b","d":"2024-01-01","_inlet_source":{"line":2,"text":"1,\"a b\",2024-01-01"}}
{"id":"888","name":"Frank\nJr","d":"NOT_A_DATE","_inlet_source":{"line":3,"text":"888,\"Frank\nJr\",NOT_A_DATE"}}
OUT
	printf '{"a":1}\n\n{"a":2}\n' > b.json
	run inlet-parse --record-source --rows-only b.json
	assert_output $'{"a":1,"_inlet_source":{"line":1,"text":"{\\"a\\":1}"}}\n{"a":2,"_inlet_source":{"line":3,"text":"{\\"a\\":2}"}}'
}

@test "cast: _corrupt_record holds the CSV record as the file has it" {
	run bash -c "inlet-parse --record-source a.csv | inlet-cast --quiet --rows-only --schema 'id INT, name STRING, d DATE, _corrupt_record STRING'"
	assert_success
	assert_output $'{"id":1,"name":"a b","d":"2024-01-01"}\n{"id":888,"name":"Frank\\nJr","d":null,"_corrupt_record":"888,\\"Frank\\nJr\\",NOT_A_DATE"}'
}

@test "cast: the bad-records record is the CSV record, and failfast names the file's line" {
	run bash -c "inlet-parse --record-source a.csv | inlet-cast --rows-only --schema 'id INT, name STRING, d DATE' --bad-records-path bad"
	assert_success
	run jq -r .record bad/*/bad_records/*
	assert_output $'888,"Frank\nJr",NOT_A_DATE'
	run bash -c "inlet-parse --record-source a.csv | inlet-cast --schema 'id INT, name STRING, d DATE' --mode failfast"
	assert_failure 65
	assert_output --partial "inlet-cast: '$PWD/a.csv' line 3: column 'd': cannot convert \"NOT_A_DATE\" to DATE"
	# Without the record's source, the line is the stream's, and says so.
	run bash -c "inlet-parse a.csv | inlet-cast --schema 'id INT, name STRING, d DATE' --mode failfast"
	assert_failure 65
	assert_output --partial "'$PWD/a.csv' record 2 (line 4 of the stream)"
}

@test "_inlet_source never leaves cast, and rescue neither infers nor rescues it" {
	for args in "--schema 'id INT'" "--map '. + {x: 1}'" "--map '{id}' --schema 'id INT'" ""; do
		run bash -c "inlet-parse --record-source a.csv | inlet-cast --rows-only $args"
		assert_success
		refute_output --partial _inlet_source
	done
	mkdir loc
	run bash -c "inlet-parse --record-source a.csv | inlet-rescue --schema-location loc --quiet | inlet-cast --rows-only"
	assert_success
	refute_output --partial _inlet_source
	run cat loc/schemas/0
	refute_output --partial _inlet_source
}

@test "composites: copy-into and autoload give cast the record (mode FAILFAST, badRecordsPath, the corrupt-record column)" {
	mkdir land
	printf 'id,d\n1,2024-01-01\n888,NOT_A_DATE\n' > land/a.csv
	run inlet copy-into --db shop.db --table t --format csv --schema 'id INT, d DATE, _corrupt_record STRING' land
	assert_success
	run sql shop.db "SELECT _corrupt_record FROM t WHERE id = 888"
	assert_output '888,NOT_A_DATE'
	run inlet autoload -c ck --db al.db --table t -o cloudFiles.format=csv -o header=true \
		-o mode=FAILFAST --schema 'id INT, d DATE' --quiet land
	assert_failure 65
	assert_output --partial "'$PWD/land/a.csv' line 3: column 'd'"
	run inlet autoload -c ck2 --db al.db --table t2 -o cloudFiles.format=csv -o header=true \
		-o badRecordsPath=bad2 --schema 'id INT, d DATE' --quiet land
	assert_success
	run jq -r .record bad2/*/bad_records/*
	assert_output '888,NOT_A_DATE'
}

# The adversary: data that holds a member named _inlet_source.  inlet-cast
# removes that member and reads it as the record's line, so parse must not
# let data carry it (as it does not let data carry "_inlet"): a JSON record
# holding it is malformed, with the reason; a CSV column so named is read
# as _cN and said so.  Nothing is lost without a word.
@test "data cannot pose as a record's source: a JSON member _inlet_source is a malformed record" {
	printf '{"a":1,"_inlet_source":{"line":9,"text":"forged"}}\n{"a":2}\n' > f.json
	run --separate-stderr inlet-parse --rows-only f.json
	assert_success
	assert_line --index 0 '{"_corrupt_record":"{\"a\":1,\"_inlet_source\":{\"line\":9,\"text\":\"forged\"}}"}'
	assert_line --index 1 '{"a":2}'
	run inlet-parse --rows-only --mode failfast f.json
	assert_failure 65
	assert_output --partial "'$PWD/f.json' line 1: reserved key \"_inlet_source\""
	# A lenient line and a whole-file JSON array are held to the same rule.
	printf "{'_inlet_source':1}\n" > l.json
	run --separate-stderr inlet-parse --rows-only l.json
	assert_output --partial '_corrupt_record'
	printf '[{"_inlet_source":1},{"b":2}]' > w.json
	run inlet-parse --rows-only --multiline w.json
	assert_output --partial '_corrupt_record'
	# Through cast, the forged text never becomes the row's corrupt record.
	run bash -c "inlet-parse --record-source f.json 2>/dev/null | inlet-cast --quiet --rows-only --schema 'a INT, _corrupt_record STRING'"
	assert_success
	assert_output - <<'OUT'
{"_corrupt_record":"{\"a\":1,\"_inlet_source\":{\"line\":9,\"text\":\"forged\"}}"}
{"a":2}
OUT
}

@test "data cannot pose as a record's source: a CSV column _inlet_source is read as _cN, with a warning" {
	printf 'a,_inlet_source,_inlet\n1,2,3\n' > h.csv
	run --separate-stderr inlet-parse --rows-only h.csv
	assert_success
	assert_output '{"a":"1","_c1":"2","_c2":"3"}'
	[[ $stderr == *"'$PWD/h.csv': column 2 is named \"_inlet_source\", a name inlet reserves: read as _c1"* ]]
	[[ $stderr == *"column 3 is named \"_inlet\""* ]]
	run bash -c "inlet-parse --record-source h.csv 2>/dev/null | inlet-cast --quiet --rows-only"
	assert_output '{"a":"1","_c1":"2","_c2":"3"}'
}
