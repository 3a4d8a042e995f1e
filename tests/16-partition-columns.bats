#!/usr/bin/env bats
# Hive-style partition columns: key=value folders between a file's source
# folder and the file become columns of its rows.
#  Spark, partition discovery:
#   https://spark.apache.org/docs/latest/sql-data-sources-parquet.html#partition-discovery
#  Databricks Auto Loader, cloudFiles.partitionColumns (an empty list turns
#  them off; a listed column absent from a path is null):
#   https://docs.databricks.com/en/ingestion/cloud-object-storage/auto-loader/options.html
load helpers

# land: a small partitioned landing zone under land/.
land() {
	mkdir -p land/date=2024-01-01/country=FR land/date=2024-01-02/country=US
	printf 'id,amount\n1,10\n2,20\n' > land/date=2024-01-01/country=FR/part-0.csv
	printf 'id,amount\n3,30\n' > land/date=2024-01-02/country=US/part-0.csv
}

@test "discover's file record names the source folder the path is below, a glob's included" {
	land
	run inlet-discover --no-checkpoint --quiet land
	assert_success
	assert_line --partial "\"path\":\"$PWD/land/date=2024-01-01/country=FR/part-0.csv\""
	[ "$(grep -c "\"source\":\"$PWD/land\"" <<<"$output")" -eq 2 ]
	# A glob's matches keep the folder before the wildcard as their source,
	# so date= stays a partition folder.
	run inlet-discover --no-checkpoint --quiet 'land/date=*'
	[ "$(grep -c "\"source\":\"$PWD/land\"" <<<"$output")" -eq 2 ]
}

@test "parse appends every key=value folder as a string column, by default" {
	land
	inlet-discover --no-checkpoint --quiet land > listing
	run inlet-parse < listing
	assert_success
	assert_line '{"id":"1","amount":"10","date":"2024-01-01","country":"FR"}'
	assert_line '{"id":"3","amount":"30","date":"2024-01-02","country":"US"}'
	# The file record says which columns came from folders.
	assert_line --partial '"format":"csv","partition_columns":["date","country"]}'
	# JSON rows get them too, byte for byte otherwise.
	mkdir -p j/k=v
	printf '{"n":9007199254740993,"x":1.50}\n' > j/k=v/a.json
	run bash -c 'inlet-discover --no-checkpoint --quiet j | inlet-parse --rows-only'
	assert_output '{"n":9007199254740993,"x":1.50,"k":"v"}'
}

@test "values are URL-unescaped; __HIVE_DEFAULT_PARTITION__ is null; a folder that is not key=value is no column" {
	mkdir -p 'src/city=New%20York/day=__HIVE_DEFAULT_PARTITION__' src/plain/t=1 'src/a%3Db=x%2Fy'
	echo '{"i":1}' > 'src/city=New%20York/day=__HIVE_DEFAULT_PARTITION__/f.json'
	echo '{"i":2}' > src/plain/t=1/f.json
	echo '{"i":3}' > 'src/a%3Db=x%2Fy/f.json'
	run bash -c 'inlet-discover --no-checkpoint --quiet src | inlet-parse --rows-only'
	assert_success
	assert_line '{"i":1,"city":"New York","day":null}'
	assert_line '{"i":2,"t":"1"}'
	# Spark splits at the first '=' of the folder name, then unescapes each side.
	assert_line '{"i":3,"a=b":"x/y"}'
	[ "${#lines[@]}" -eq 3 ]
}

@test "a data column named as a partition column takes the folder's value, in its place (Spark)" {
	# Spark (SPARK-22245): partition columns in the data keep their position
	# but "pick the value from partition directories".
	mkdir -p land/country=FR
	printf 'id,country\n1,XX\n' > land/country=FR/a.csv
	echo '{"country":"YY","id":2}' > land/country=FR/b.json
	run bash -c 'inlet-discover --no-checkpoint --quiet land | inlet-parse --rows-only'
	assert_line '{"id":"1","country":"FR"}'
	assert_line '{"country":"FR","id":2}'
	refute_output --partial XX
	refute_output --partial YY
}

@test "--partition-columns picks the columns; one a path lacks is null; '' turns them off" {
	mkdir -p land/year=2022/week=1 land/year=2022/month=2/day=3
	echo '{"i":1}' > land/year=2022/week=1/f1.json
	echo '{"i":2}' > land/year=2022/month=2/day=3/f2.json
	inlet-discover --no-checkpoint --quiet land > listing
	# Databricks' own example: year,month,day over these two layouts.
	run inlet-parse --rows-only --partition-columns year,month,day < listing
	assert_success
	assert_line '{"i":1,"year":"2022","month":null,"day":null}'
	assert_line '{"i":2,"year":"2022","month":"2","day":"3"}'
	refute_output --partial week
	run inlet-parse --rows-only --partition-columns '' < listing
	assert_line '{"i":1}'
	assert_line '{"i":2}'
	[ "${#lines[@]}" -eq 2 ]
	run inlet-parse --partition-columns 'a,,b'
	assert_equal "$status" 64
	assert_output --partial "empty name"
}

@test "a file given as an argument has no source folder: no partition columns" {
	land
	run inlet-parse --rows-only land/date=2024-01-01/country=FR/part-0.csv
	assert_success
	assert_line '{"id":"1","amount":"10"}'
}

@test "inference: strings without inferColumnTypes; with it, Spark's partition types (no BOOLEAN)" {
	# Spark: spark.sql.sources.partitionColumnTypeInference.enabled types
	# integers, doubles and dates; Auto Loader types them only with
	# cloudFiles.inferColumnTypes.
	mkdir -p 'land/date=2024-01-01/n=5/flag=true'
	echo '{"v":"a"}' > 'land/date=2024-01-01/n=5/flag=true/f.json'
	inlet-discover --no-checkpoint --quiet land > listing
	inlet-parse < listing | inlet-rescue -q --schema-location s1 > /dev/null
	run cat s1/schemas/0
	assert_output --partial '{"name":"date","type":"STRING"},{"name":"n","type":"STRING"},{"name":"flag","type":"STRING"}'
	inlet-parse < listing | inlet-rescue -q --schema-location s2 --infer-column-types | inlet-cast > out
	run cat s2/schemas/0
	assert_output --partial '{"name":"date","type":"DATE"},{"name":"n","type":"INT"},{"name":"flag","type":"STRING"}'
	# A JSON file's partition value is folder text: cast converts it, it is
	# no JSON string given for an INT.
	run grep -v '"_inlet"' out
	assert_output '{"v":"a","date":"2024-01-01","n":5,"flag":"true"}'
}

@test "autoload: partition columns by default, typed with inferColumnTypes; a layout without one is null" {
	land
	mkdir -p land/flat
	printf 'id,amount\n4,40\n' > land/flat/part-0.csv
	run inlet autoload --checkpoint ck --db t.db --table t -q \
		-o cloudFiles.format=csv -o cloudFiles.schemaLocation=ck \
		-o cloudFiles.inferColumnTypes=true land
	assert_success
	run sql t.db 'SELECT id, date, country, typeof(date), typeof(id) FROM t ORDER BY id'
	assert_output '1|2024-01-01|FR|text|integer
2|2024-01-01|FR|text|integer
3|2024-01-02|US|text|integer
4|||null|integer'
	grep -q '"name":"date","type":"DATE"' ck/schemas/0
}

@test "autoload: cloudFiles.partitionColumns picks them, an empty list turns them off" {
	land
	run inlet autoload --checkpoint ck1 --db t.db --table a -q \
		-o cloudFiles.format=csv -o cloudFiles.partitionColumns=country land
	assert_success
	run sql t.db 'SELECT group_concat(name) FROM pragma_table_info("a")'
	assert_output 'id,amount,country'
	run inlet autoload --checkpoint ck2 --db t.db --table b -q \
		-o cloudFiles.format=csv -o cloudFiles.partitionColumns= land
	assert_success
	run sql t.db 'SELECT group_concat(name) FROM pragma_table_info("b")'
	assert_output 'id,amount'
}

@test "copy-into and ctas: --partition-columns, partition columns by default" {
	land
	run inlet copy-into --db t.db --table c --format csv -q land
	assert_success
	run sql t.db 'SELECT id, date, country FROM c ORDER BY id'
	assert_output '1|2024-01-01|FR
2|2024-01-01|FR
3|2024-01-02|US'
	run inlet ctas --db t.db --table d --format csv -q --partition-columns date land
	assert_success
	run sql t.db 'SELECT group_concat(name) FROM pragma_table_info("d")'
	assert_output 'id,amount,date'
	run inlet copy-into --db t.db --table e --format csv -q --partition-columns '' land
	run sql t.db 'SELECT group_concat(name) FROM pragma_table_info("e")'
	assert_output 'id,amount'
}

@test "examples/partitioned: the landing zone loads with its partition columns" {
	run "$INLET_ROOT/examples/partitioned/load.sh" "$PWD/out"
	assert_success
	assert_output --partial '2024-01-01|FR|2'
	run sql out/sales.db 'SELECT count(*), count(DISTINCT date), count(DISTINCT country) FROM sales'
	assert_output '6|2|3'
}
