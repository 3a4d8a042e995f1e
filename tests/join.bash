# A running inlet-join the tests feed batch by batch, so the static side can
# change between batches: start_join ARGS... runs it reading the fifo 'in'
# (fd 7 writes to it; bats has 3) and writing 'out' and 'err'; stop_join
# closes the stream and leaves its exit status in $join_status.  The file
# that loads this one calls join_teardown from its teardown.

start_join() {
	mkfifo in
	inlet-join "$@" < in > out 2> err &
	JOIN_PID=$!
	exec 7> in
}

stop_join() {
	exec 7>&-
	join_status=0
	wait "$JOIN_PID" || join_status=$?
	JOIN_PID=
}

# A test that failed with inlet-join still running: stop it.
join_teardown() {
	if [ -n "${JOIN_PID:-}" ]; then
		exec 7>&-
		kill "$JOIN_PID" 2> /dev/null || true
	fi
}
