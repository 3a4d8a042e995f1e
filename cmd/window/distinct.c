#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "distinct.h"
#include "json.h"

unsigned long long hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	/* murmur3's fmix64: FNV-1a alone leaves the top bits (the HLL index) weak. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void hll_add(unsigned char *reg, unsigned long long h)
{
	unsigned idx = (unsigned)(h >> (64 - HLL_BITS));
	unsigned long long rest = (h << HLL_BITS) | (1ULL << (HLL_BITS - 1));
	unsigned char rank = (unsigned char)(__builtin_clzll(rest) + 1);

	if (rank > reg[idx])
		reg[idx] = rank;
}

static void set_put(struct distinct *d, unsigned long long h)
{
	size_t mask = d->cap - 1, i = h & mask;

	while (d->set[i] && d->set[i] != h)
		i = (i + 1) & mask;
	if (!d->set[i]) {
		d->set[i] = h;
		d->count++;
	}
}

static void set_grow(struct distinct *d)
{
	unsigned long long *old = d->set;
	size_t old_cap = d->cap;

	d->cap = old_cap ? old_cap * 2 : 16;
	d->set = xmalloc(d->cap * sizeof(*d->set));
	memset(d->set, 0, d->cap * sizeof(*d->set));
	d->count = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			set_put(d, old[i]);
	free(old);
}

void distinct_add(struct distinct *d, unsigned long long hash)
{
	if (!hash)
		hash = 1;	/* 0 marks an empty slot */
	if (d->reg) {
		hll_add(d->reg, hash);
		return;
	}
	if ((d->count + 1) * 2 > d->cap)
		set_grow(d);
	set_put(d, hash);
	if (d->count <= DISTINCT_EXACT_MAX)
		return;
	d->reg = xmalloc(HLL_REGISTERS);
	memset(d->reg, 0, HLL_REGISTERS);
	for (size_t i = 0; i < d->cap; i++)
		if (d->set[i])
			hll_add(d->reg, d->set[i]);
	free(d->set);
	d->set = NULL;
	d->count = d->cap = 0;
}

/* Natural logarithm of X >= 1, without libm: ln 2 per halving, then atanh. */
static double natural_log(double x)
{
	double y, y2, term, sum = 0;
	int halvings = 0;

	for (; x >= 2; x /= 2)
		halvings++;
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= y2;
	}
	return 2 * sum + halvings * 0.69314718055994530942;
}

long long distinct_estimate(const struct distinct *d)
{
	double m = HLL_REGISTERS, sum = 0, e;
	int zeros = 0;

	if (!d->reg)
		return (long long)d->count;
	for (int i = 0; i < HLL_REGISTERS; i++) {
		sum += 1.0 / (double)(1ULL << d->reg[i]);
		zeros += !d->reg[i];
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	/* Small range: linear counting (Flajolet et al. 2007). */
	if (e <= 2.5 * m && zeros)
		e = m * natural_log(m / zeros);
	return (long long)(e + 0.5);
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The registers as base64 (RFC 4648, padded): 5464 bytes instead of 8192 in hex. */
static void registers_format(const unsigned char *reg, struct buf *out)
{
	buf_grow(out, 4 * ((HLL_REGISTERS + 2) / 3));
	for (int i = 0; i < HLL_REGISTERS; i += 3) {
		unsigned v = (unsigned)reg[i] << 16;
		int n = HLL_REGISTERS - i < 3 ? HLL_REGISTERS - i : 3;
		if (n > 1)
			v |= (unsigned)reg[i + 1] << 8;
		if (n > 2)
			v |= reg[i + 2];
		buf_addc(out, b64[v >> 18 & 63]);
		buf_addc(out, b64[v >> 12 & 63]);
		buf_addc(out, n > 1 ? b64[v >> 6 & 63] : '=');
		buf_addc(out, n > 2 ? b64[v & 63] : '=');
	}
}

void distinct_format(const struct distinct *d, struct buf *out)
{
	bool first = true;

	if (d->reg) {
		buf_adds(out, "{\"hll\":\"");
		registers_format(d->reg, out);
		buf_adds(out, "\"}");
		return;
	}
	buf_adds(out, "{\"exact\":[");
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->set[i])
			continue;
		buf_printf(out, "%s\"%016llx\"", first ? "" : ",", d->set[i]);
		first = false;
	}
	buf_adds(out, "]}");
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* N hex digits at P into *OUT; 0 or -1. */
static int hex_value(const char *p, size_t n, unsigned long long *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		int v = hex_digit(p[i]);
		if (v < 0)
			return -1;
		*out = *out << 4 | (unsigned)v;
	}
	return 0;
}

static int b64_digit(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* The registers from base64 (RAW: its N characters) or, as layout 1 wrote them, hex. */
static int registers_parse(unsigned char *reg, const char *raw, size_t n)
{
	unsigned long long h;

	if (n == 2 * HLL_REGISTERS) {
		for (int i = 0; i < HLL_REGISTERS; i++) {
			if (hex_value(raw + 2 * i, 2, &h) < 0)
				return -1;
			reg[i] = (unsigned char)h;
		}
	} else if (n == 4 * ((HLL_REGISTERS + 2) / 3)) {
		for (size_t i = 0, o = 0; i < n; i += 4) {
			unsigned v = 0;
			for (int k = 0; k < 4; k++) {
				int x = b64_digit(raw[i + k]);
				if (x < 0 && !(raw[i + k] == '=' && o + (size_t)k > HLL_REGISTERS))
					return -1;
				v = v << 6 | (unsigned)(x < 0 ? 0 : x);
			}
			for (int k = 0; k < 3 && o < HLL_REGISTERS; k++)
				reg[o++] = (unsigned char)(v >> (16 - 8 * k));
		}
	} else {
		return -1;
	}
	for (int i = 0; i < HLL_REGISTERS; i++)
		if (reg[i] > 64 - HLL_BITS + 1)
			return -1;
	return 0;
}

int distinct_parse(struct distinct *d, const char *text, size_t len)
{
	struct json_iter it;
	const char *v;
	size_t n;
	unsigned long long h;
	int r;

	if (json_object_get(text, len, "hll", &v, &n) == 1) {
		if (n < 2 || v[0] != '"' || v[n - 1] != '"')
			return -1;
		d->reg = xmalloc(HLL_REGISTERS);
		return registers_parse(d->reg, v + 1, n - 2);
	}
	if (json_object_get(text, len, "exact", &v, &n) != 1 ||
	    json_array_open(&it, v, n, NULL) < 0)
		return -1;
	while ((r = json_array_next(&it, &v, &n, NULL)) == 1) {
		if (n != 18 || v[0] != '"' || hex_value(v + 1, 16, &h) < 0)
			return -1;
		distinct_add(d, h);
	}
	return r;
}

void distinct_merge(struct distinct *into, const struct distinct *from)
{
	if (from->reg && !into->reg) {
		/* Become a HyperLogLog first: what into's set holds is added to it. */
		struct distinct mine = *into;
		into->reg = xmalloc(HLL_REGISTERS);
		memcpy(into->reg, from->reg, HLL_REGISTERS);
		into->set = NULL;
		into->count = into->cap = 0;
		for (size_t i = 0; i < mine.cap; i++)
			if (mine.set[i])
				hll_add(into->reg, mine.set[i]);
		free(mine.set);
		return;
	}
	if (from->reg) {
		for (int i = 0; i < HLL_REGISTERS; i++)
			if (from->reg[i] > into->reg[i])
				into->reg[i] = from->reg[i];
		return;
	}
	for (size_t i = 0; i < from->cap; i++)
		if (from->set[i])
			distinct_add(into, from->set[i]);
}

void distinct_free(struct distinct *d)
{
	free(d->set);
	free(d->reg);
	memset(d, 0, sizeof(*d));
}
