/*
 * The progress line: see meter.h.
 */
#include <stdio.h>
#include <unistd.h>

#include "datetime.h"
#include "meter.h"

#define REDRAW_NS 200000000LL	/* five times a second */

void meter_init(struct meter *m, const char *what, bool force, bool quiet)
{
	*m = (struct meter){ .what = what, .batch = -1 };
	m->on = force || (!quiet && isatty(STDERR_FILENO));
	m->started_ns = m->drawn_ns = monotonic_ns();
}

static void draw(struct meter *m, long long now)
{
	double secs = (double)(now - m->started_ns) / 1e9;
	double mbs = secs > 0 ? (double)m->bytes / 1e6 / secs : 0;

	fprintf(stderr, "\r\033[K%s: ", m->what);
	if (m->batch >= 0)
		fprintf(stderr, "batch %lld, ", m->batch);
	fprintf(stderr, "%lld files, %lld rows, %.1f MB/s", m->files, m->rows, mbs);
	fflush(stderr);
	m->drawn_ns = now;
	m->shown = true;
}

void meter_tick(struct meter *m)
{
	long long now = monotonic_ns();

	m->ticks = 0;
	if (now - m->drawn_ns >= REDRAW_NS)
		draw(m, now);
}

void meter_batch(struct meter *m, long long id)
{
	m->batch = id;
	if (m->on)
		draw(m, monotonic_ns());
}

void meter_file(struct meter *m)
{
	m->files++;
}

void meter_clear(struct meter *m)
{
	if (m->on && m->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		m->shown = false;
	}
}

void meter_finish(struct meter *m)
{
	if (!m->on)
		return;
	m->batch = -1;
	draw(m, monotonic_ns());
	fputc('\n', stderr);
	fflush(stderr);
	m->on = false;
	m->shown = false;
}
