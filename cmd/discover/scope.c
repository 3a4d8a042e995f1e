/*
 * What this worker takes of the sources: its shard (--shard K/N) and the
 * range of modification times (--modified-after, --modified-before).
 *
 * The shard of a file is a pure function of its path below its source,
 * so that N workers on N machines, each with its own checkpoint and its
 * own mount point, split a landing zone without talking to each other.
 * The function is part of inlet's interface (inlet-discover(1)) and must
 * never change: a worker of a newer inlet that put a file in another
 * shard would take it a second time, or never.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "die.h"
#include "discover.h"

/* FNV-1a, 64 bits: offset basis 14695981039346656037, prime 1099511628211. */
unsigned long long shard_hash(unsigned long long h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * The shard of the key hashed to H.  FNV-1a's low bits depend only on the
 * low bits of the input bytes, so H is mixed (MurmurHash3's fmix64)
 * before taking it modulo N.
 */
long long shard_of(unsigned long long h, long long n)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (long long)(h % (unsigned long long)n);
}

bool shard_takes(unsigned long long h)
{
	return opt.shard_n <= 1 || shard_of(h, opt.shard_n) == opt.shard_k;
}

long long parse_time_arg(const char *name, const char *value)
{
	long long us;

	if (datetime_parse(value, strlen(value), NULL, &us) < 0)
		usage_error("invalid value '%s' for %s: expected an ISO 8601 timestamp "
			    "such as 2024-06-01T13:00:00 (UTC) or 2024-06-01T13:00:00+02:00",
			    value, name);
	return us;
}

bool in_time_range(const struct timespec *mtime)
{
	long long us = mtime_us(mtime);

	/* Spark's ModifiedAfterFilter and ModifiedBeforeFilter: both strict. */
	if (opt.modified_after && !(us > opt.modified_after_us))
		return false;
	if (opt.modified_before && !(us < opt.modified_before_us))
		return false;
	return true;
}

/*
 * Claim the checkpoint for this shard.  An unsharded checkpoint records
 * nothing (older ones could not), so one that already holds work and no
 * "shard" took every file: it is 0/1.
 */
void claim_shard(struct state *st)
{
	struct buf have = BUF_INIT;
	char want[48];
	bool had = ckpt_metadata_get(&st->ck, "shard", &have);
	const char *was = had ? have.data : "0/1";

	snprintf(want, sizeof(want), "%lld/%lld", opt.shard_k, opt.shard_n);
	if ((had || !st->first_start) && strcmp(was, want))
		die(EX_USAGE, "checkpoint '%s' belongs to shard %s%s, not %s%s: each "
		    "shard keeps its own checkpoint; to re-shard, give every worker a "
		    "new checkpoint", st->ck.dir, was, had ? "" : " (no --shard: every file)",
		    want, opt.shard_n > 1 ? "" : " (no --shard: every file)");
	if (opt.shard_n > 1 && !had)
		ckpt_claim(&st->ck, "shard", want);
	buf_free(&have);
}
