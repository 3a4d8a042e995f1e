#ifndef INLET_METER_H
#define INLET_METER_H
/*
 * A progress line on standard error, redrawn in place ("\r", erase to the
 * end of the line): the batch in flight, files, rows, megabytes per
 * second.  Only for a person watching: on when standard error is a
 * terminal (or when forced), never otherwise, so logs and pipes get no
 * control characters.  Redrawn at most five times a second; adding rows
 * costs a few instructions.
 */
#include <stdbool.h>

struct meter {
	bool on;
	const char *what;		/* "batch" label's owner, e.g. "inlet-commit" */
	long long batch;		/* in flight, -1: none or unnumbered */
	long long files, rows, bytes;
	long long started_ns, drawn_ns;
	unsigned ticks;			/* rows since the clock was last read */
	bool shown;			/* a line is on the screen */
};

/*
 * Start a meter for WHAT (borrowed): on when FORCE, or when standard error
 * is a terminal and not QUIET.
 */
void meter_init(struct meter *m, const char *what, bool force, bool quiet);
/* Batch ID (-1: unnumbered) is in flight; redraws. */
void meter_batch(struct meter *m, long long id);
/* A file of the batch in flight. */
void meter_file(struct meter *m);
/* Redraw when the line is old enough (meter_row's slow path). */
void meter_tick(struct meter *m);
/* A row of LEN bytes; redraws now and then. */
static inline void meter_row(struct meter *m, unsigned long len)
{
	m->rows++;
	m->bytes += (long long)len + 1;
	if (m->on && ++m->ticks >= 1024)
		meter_tick(m);
}
/* Erase the line, before another message or at the end of the run. */
void meter_clear(struct meter *m);
/* The last state on its own line, then stop: the run is over. */
void meter_finish(struct meter *m);

#endif
