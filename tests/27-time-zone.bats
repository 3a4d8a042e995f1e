#!/usr/bin/env bats
# Spark's timeZone: a TIMESTAMP written without an offset is a local time
# in that zone.  DataFrameReader options
# (https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrameReader.option.html):
# "timeZone: sets the string that indicates a time zone ID to be used to
# parse timestamps in the JSON/CSV datasources or partition values.
# Region-based zone ID: 'area/city', such as 'America/Los_Angeles'.  Zone
# offset: '(+|-)HH:mm', for example '-08:00' or '+01:00'.  Also 'UTC' and
# 'Z' are supported as aliases of '+00:00'.  If it isn't set, the current
# value of the SQL config spark.sql.session.timeZone is used."  A value
# that carries its own offset keeps it (SPARK-18937: "we should respect
# the timezone in the values").  Local times that do not exist or exist
# twice are resolved as java.time's ZonedDateTime.of does
# (https://docs.oracle.com/javase/8/docs/api/java/time/ZonedDateTime.html#of-java.time.LocalDateTime-java.time.ZoneId-):
# "In the case of an overlap, when clocks are set back, there are two
# valid offsets.  This method uses the earlier offset ...  In the case of
# a gap, when clocks jump forward, there is no valid offset.  Instead, the
# local date-time is adjusted to be later by the length of the gap."
load helpers

# ts ZONE TEXT...: the TIMESTAMP inlet-cast --time-zone ZONE makes of each TEXT.
ts() {
	local zone=$1
	shift
	printf '{"t":"%s"}\n' "$@" | inlet-cast --rows-only -s 't TIMESTAMP' ${zone:+--time-zone "$zone"} |
		jq -r .t
}

@test "cast --time-zone Europe/Paris: winter is +01:00, summer +02:00" {
	run ts Europe/Paris '2024-01-15 12:00:00' '2024-07-15T12:00:00' '2024-07-15 12:00:00.25'
	assert_success
	assert_output $'2024-01-15T11:00:00Z\n2024-07-15T10:00:00Z\n2024-07-15T10:00:00.25Z'
}

@test "cast --time-zone: a local time in the spring gap moves forward by the gap (java.time)" {
	# Paris, 2024-03-31: 02:00 jumps to 03:00; 02:30 does not exist and is
	# 03:30+02:00, that is 01:30Z.  Either side of the gap for contrast.
	run ts Europe/Paris '2024-03-31 01:59:59' '2024-03-31 02:30:00' '2024-03-31 03:00:00'
	assert_success
	assert_output $'2024-03-31T00:59:59Z\n2024-03-31T01:30:00Z\n2024-03-31T01:00:00Z'
}

@test "cast --time-zone: a local time in the autumn overlap takes the earlier offset (java.time)" {
	# Paris, 2024-10-27: 03:00 goes back to 02:00; 02:30 happens at
	# 00:30Z (+02:00) and at 01:30Z (+01:00): the earlier offset, +02:00.
	run ts Europe/Paris '2024-10-27 01:59:59' '2024-10-27 02:30:00' '2024-10-27 03:00:00'
	assert_success
	assert_output $'2024-10-26T23:59:59Z\n2024-10-27T00:30:00Z\n2024-10-27T02:00:00Z'
}

@test "cast --time-zone: a value with its own offset keeps it" {
	run ts Europe/Paris '2024-07-15T12:00:00Z' '2024-07-15T12:00:00+05:30' '2024-07-15 12:00 UTC+0'
	assert_success
	assert_output $'2024-07-15T12:00:00Z\n2024-07-15T06:30:00Z\n2024-07-15T12:00:00Z'
}

@test "cast: without --time-zone a local time is UTC, as before" {
	run ts '' '2024-07-15 12:00:00'
	assert_output '2024-07-15T12:00:00Z'
	run ts UTC '2024-07-15 12:00:00'
	assert_output '2024-07-15T12:00:00Z'
	run ts Z '2024-07-15 12:00:00'
	assert_output '2024-07-15T12:00:00Z'
}

@test "cast --time-zone: fixed offsets as Spark writes them" {
	for z in +02:00 +02 +0200 UTC+2 GMT+02:00; do
		run ts "$z" '2024-01-15 12:00:00'
		assert_output '2024-01-15T10:00:00Z'
	done
	run ts -05:30 '2024-01-15 12:00:00'
	assert_output '2024-01-15T17:30:00Z'
}

@test "cast --time-zone: past the zone file's last transition its POSIX rule decides, north and south" {
	# The tz database lists transitions to 2037; later years follow the
	# rule at the file's end (CET-1CEST,M3.5.0,M10.5.0/3 for Paris).
	run ts Europe/Paris '2060-01-15 12:00' '2060-07-15 12:00' '2060-03-28 02:30'
	assert_output $'2060-01-15T11:00:00Z\n2060-07-15T10:00:00Z\n2060-03-28T01:30:00Z'
	# Sydney's summer is January: +11:00, winter +10:00.
	run ts Australia/Sydney '2060-01-15 12:00' '2060-07-15 12:00'
	assert_output $'2060-01-15T01:00:00Z\n2060-07-15T02:00:00Z'
	run ts America/New_York '2024-03-10 02:30' '2024-11-03 01:30' '2060-07-01 12:00'
	assert_output $'2024-03-10T07:30:00Z\n2024-11-03T05:30:00Z\n2060-07-01T16:00:00Z'
}

@test "cast --time-zone: a --timestamp-format pattern without an offset is local too; one with X is not" {
	run bash -c "printf '{\"t\":\"15/07/2024 12:00\"}\n' |
		inlet-cast --rows-only -s 't TIMESTAMP' --time-zone Europe/Paris --timestamp-format 'dd/MM/yyyy HH:mm'"
	assert_output '{"t":"2024-07-15T10:00:00Z"}'
	run bash -c "printf '{\"t\":\"15/07/2024 12:00 +00:00\"}\n' |
		inlet-cast --rows-only -s 't TIMESTAMP' --time-zone Europe/Paris --timestamp-format 'dd/MM/yyyy HH:mm XXX'"
	assert_output '{"t":"2024-07-15T12:00:00Z"}'
}

@test "cast --time-zone: a DATE is a calendar day, not moved by the zone" {
	run bash -c "printf '{\"d\":\"2024-07-15\"}\n' | inlet-cast --rows-only -s 'd DATE' --time-zone Pacific/Kiritimati"
	assert_output '{"d":"2024-07-15"}'
}

@test "cast --time-zone: an unknown zone is 64, named, before any row is read" {
	for z in Mars/Olympus Europe ../../etc/passwd /usr/share/zoneinfo/UTC '' +25:00 'Europe/Paris '; do
		run inlet-cast -s 't TIMESTAMP' --time-zone "$z" < /dev/null
		assert_equal "$status" 64
		assert_output --partial "invalid value '$z' for --time-zone: unknown time zone"
	done
}

@test "cast --time-zone: zones come from TZDIR when set; a file that is not TZif is refused" {
	mkdir -p zones/Test
	cp /usr/share/zoneinfo/Asia/Tokyo zones/Test/Here
	echo 'not a zone' > zones/Test/Bad
	TZDIR=$PWD/zones run ts Test/Here '2024-07-15 12:00'
	assert_output '2024-07-15T03:00:00Z'
	TZDIR=$PWD/zones run inlet-cast -s 't TIMESTAMP' --time-zone Test/Bad < /dev/null
	assert_equal "$status" 64
	assert_output --partial "'Test/Bad'"
	assert_output --partial 'not a TZif file'
	TZDIR=$PWD/zones run inlet-cast -s 't TIMESTAMP' --time-zone Europe/Paris < /dev/null
	assert_equal "$status" 64
}

# land: a CSV with a summer, a winter and a gap time, local to Paris.
land() {
	mkdir -p land
	printf 'id,t\n1,2024-07-15 12:00:00\n2,2024-01-15 12:00:00\n3,2024-03-31 02:30:00\n' > land/a.csv
}

@test "autoload -o timeZone and spark.sql.session.timeZone reach cast; the table holds UTC" {
	land
	run inlet autoload -c ck --db a.db --table t -q -s 'id INT, t TIMESTAMP' -o timeZone=Europe/Paris land
	assert_success
	run sql a.db 'SELECT t FROM t ORDER BY id'
	assert_output $'2024-07-15T10:00:00Z\n2024-01-15T11:00:00Z\n2024-03-31T01:30:00Z'
	run inlet autoload -c ck2 --db b.db --table t -q -s 'id INT, t TIMESTAMP' \
		-o spark.sql.session.timeZone=America/New_York land
	assert_success
	run sql b.db 'SELECT t FROM t WHERE id = 1'
	assert_output '2024-07-15T16:00:00Z'
}

@test "autoload -o timeZone with inferred TIMESTAMP columns (inferColumnTypes)" {
	land
	run inlet autoload -c ck --db a.db --table t -q -o cloudFiles.schemaLocation=ck \
		-o cloudFiles.inferColumnTypes=true -o timeZone=+02:00 land
	assert_success
	run sql a.db 'SELECT t FROM t ORDER BY id'
	assert_output $'2024-07-15T10:00:00Z\n2024-01-15T10:00:00Z\n2024-03-31T00:30:00Z'
}

@test "autoload -o timeZone: an unknown zone is 64 before anything runs" {
	land
	run inlet autoload -c ck --db a.db --table t -o timeZone=Nowhere/Land land
	assert_equal "$status" 64
	assert_output --partial "-o timeZone=Nowhere/Land: unknown time zone 'Nowhere/Land'"
	[ ! -e ck ] && [ ! -e a.db ]
}

@test "copy-into --time-zone and FORMAT_OPTIONS timeZone; ctas --time-zone and -o timeZone" {
	land
	run inlet copy-into --db c.db --table t -q -s 'id INT, t TIMESTAMP' --time-zone Europe/Paris land
	assert_success
	run inlet copy-into --db d.db --table t -q -s 'id INT, t TIMESTAMP' --format-option timeZone=Europe/Paris land
	assert_success
	run inlet ctas --db e.db --table t -q -s 'id INT, t TIMESTAMP' --time-zone Europe/Paris land
	assert_success
	run inlet ctas --db f.db --table t -q -s 'id INT, t TIMESTAMP' -o TIMEZONE=Europe/Paris land
	assert_success
	for db in c d e f; do
		run sql $db.db 'SELECT t FROM t ORDER BY id'
		assert_output $'2024-07-15T10:00:00Z\n2024-01-15T11:00:00Z\n2024-03-31T01:30:00Z'
	done
}

@test "copy-into and ctas: --time-zone needs --schema, and a bad zone is 64" {
	land
	run inlet copy-into --db c.db --table t --time-zone Europe/Paris land
	assert_equal "$status" 64
	assert_output --partial '--time-zone needs --schema'
	run inlet ctas --db c.db --table t -s 't TIMESTAMP' -o timeZone=Europe/Nowhere land
	assert_equal "$status" 64
	assert_output --partial "-o timeZone=Europe/Nowhere: unknown time zone 'Europe/Nowhere'"
	[ ! -e c.db ]
}
