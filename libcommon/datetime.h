#ifndef INLET_DATETIME_H
#define INLET_DATETIME_H
/*
 * Time, one way: calendar arithmetic, the text forms inlet writes and reads
 * (a format/scan pair per representation), Spark's date/time patterns, and
 * the one duration grammar every option that takes a duration uses.
 * Instants are microseconds since the Unix epoch, UTC, as Spark keeps a
 * TIMESTAMP; calendar arithmetic is proleptic Gregorian (Howard Hinnant's
 * algorithms), exact over the whole 64-bit range used.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define US_PER_SEC 1000000LL

/* floor(A / B) for B > 0. */
long long floor_div(long long a, long long b);

/* ---- calendar ---- */

/* Days since 1970-01-01 of the date Y-M-D. */
long long days_from_civil(long long y, unsigned m, unsigned d);
/* The date of day DAYS since 1970-01-01. */
void civil_from_days(long long days, long long *y, unsigned *m, unsigned *d);
/* 28 to 31: the days of month M (1-12) of year Y. */
unsigned days_in_month(long long y, unsigned m);

/* ---- ISO 8601 with microseconds: checkpoints, file records, progress ---- */

/*
 * SEC/NSEC as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into OUT (at least 32 bytes;
 * the fraction always has six digits, nanoseconds are truncated).  Years
 * outside 0000-9999 get ISO 8601's expanded form ("-0001", "10000").
 */
void iso8601_utc(char *out, long long sec, long nsec);
/* Now, as iso8601_utc writes it. */
void iso8601_now(char *out);
/*
 * The inverse of iso8601_utc: the N bytes at S as microseconds in *US.
 * Only that exact form is accepted; false otherwise.
 */
bool iso8601_scan_us(const char *s, size_t n, long long *us);
/* Monotonic clock in nanoseconds. */
long long monotonic_ns(void);

/* ---- TIMESTAMP values: cast, window ---- */

/* EPOCH_US as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only when not 0). */
void timestamp_format(long long epoch_us, struct buf *out);
/*
 * Parse TEXT as a date/time with a Spark PATTERN (NULL: ISO 8601, date
 * alone allowed).  On success *EPOCH_US is microseconds since the epoch,
 * UTC (text without an offset is taken as UTC).  0 or -1.
 */
int datetime_parse(const char *text, size_t n, const char *pattern, long long *epoch_us);
/*
 * As datetime_parse, but text without an offset is a local time in ZONE
 * (NULL: UTC), as Spark reads it in its timeZone option or session zone.
 */
struct time_zone;
int datetime_parse_in(const char *text, size_t n, const char *pattern,
		      const struct time_zone *zone, long long *epoch_us);
/*
 * An epoch count ("1709294405", "-5", "1709294405.5"; no exponent) of
 * units of UNIT_US microseconds.  0 and *US, or -1 when not such a number
 * or outside the years 0001 to 9999.
 */
int timestamp_parse_epoch(const char *s, size_t len, long long unit_us, long long *us);

/* ---- time zones: Spark's timeZone ---- */

/*
 * The zone NAME as Spark's timeZone takes it: "UTC", "Z", "GMT", a fixed
 * offset ("+02:00", "-0530", "+2", "UTC+01:00", "GMT-3"), or a tz database
 * name ("Europe/Paris"), read from the TZif file under $TZDIR or
 * /usr/share/zoneinfo, its POSIX TZ footer taking over after its last
 * transition.  A new zone the caller frees with time_zone_free; NULL and
 * the reason ("unknown time zone 'X'...") in ERR.  No process-wide state
 * (TZ, tzset) is read or changed.
 */
struct time_zone *time_zone_load(const char *name, struct buf *err);
void time_zone_free(struct time_zone *zone);
/* Seconds east of UTC in ZONE at the instant SEC (seconds since the epoch). */
long time_zone_offset_at(const struct time_zone *zone, long long sec);
/*
 * The instant (seconds since the epoch) of LOCAL, seconds since
 * 1970-01-01T00:00 on ZONE's clocks, as java.time's ZonedDateTime.ofLocal
 * gives it: a local time in a gap (clocks put forward) moves forward by
 * the gap's length; one in an overlap takes the earlier offset.
 */
long long time_zone_to_utc(const struct time_zone *zone, long long local);

/* ---- durations ---- */

/*
 * The duration grammar of every option: one or more NUMBER UNIT pairs,
 * spaces between them optional ("30s", "1m30s", "1.5s", "500ms",
 * "10 seconds", "1 minute 30 seconds", "1 week"), or a bare NUMBER alone,
 * which is seconds.  NUMBER is decimal digits with an optional fraction;
 * units are us, ms, s, m, h, d, w and Spark's words for them (singular or
 * plural, any case).  Microseconds (a fraction below one microsecond is
 * dropped), or -1 when TEXT is not such a duration or exceeds
 * DURATION_MAX_US.
 */
#define DURATION_MAX_US (100000LL * 86400 * US_PER_SEC)
long long duration_scan(const char *text);

#endif
