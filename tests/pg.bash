# A throw-away PostgreSQL for the Bats files that test the PostgreSQL sink:
# a cluster from Debian's postgresql package, started for the file that
# loads this (after helpers) and stopped after it (unix socket only, no
# TCP).  Each test gets its own database: $DB, reached at $URI.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# as_pg CMD...: run CMD as the server's owner.  PostgreSQL refuses to run
# as root, so under root (CI) the server belongs to nobody.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

setup_file() {
	[ -x "$PGBIN/initdb" ] || {
		echo "no PostgreSQL server in $PGBIN: run 'make deps' (package postgresql)" >&2
		return 1
	}
	# A short path under /tmp: a socket path is at most 107 bytes, and
	# nobody must reach it, which root's Bats folders do not let it.
	PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/inlet-pg.XXXXXX")
	export PGROOT
	chmod 755 "$PGROOT"
	[ "$(id -u)" != 0 ] || chown nobody "$PGROOT"
	as_pg "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres > "$PGROOT/initdb.log" 2>&1 || {
		cat "$PGROOT/initdb.log" >&2
		return 1
	}
	as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -o "-k $PGROOT -h '' -F" \
		-l "$PGROOT/server.log" -w start > /dev/null || {
		cat "$PGROOT/server.log" >&2
		return 1
	}
}

teardown_file() {
	as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop > /dev/null || true
	rm -rf "$PGROOT"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	DB=t$BATS_TEST_NUMBER
	URI="postgresql:///$DB?host=$PGROOT&user=postgres"
	psql "postgresql:///postgres?host=$PGROOT&user=postgres" -Xq \
		-c "CREATE DATABASE $DB"
}

# pg QUERY: the query's result, unaligned, '|' between columns.
pg() {
	psql "$URI" -XAtq -v ON_ERROR_STOP=1 -c "$1"
}
