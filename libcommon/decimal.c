#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "die.h"

#define BASE 1000000000u

static const unsigned powers_of_ten[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};

static void reserve(struct decimal *d, size_t n)
{
	if (n <= d->cap)
		return;
	d->cap = n < 4 ? 4 : n * 2;
	d->limb = xrealloc(d->limb, d->cap * sizeof(*d->limb));
}

/* Drop the high zero limbs (a zero keeps its sign for now). */
static void trim_magnitude(struct decimal *d)
{
	while (d->n && !d->limb[d->n - 1])
		d->n--;
}

static void trim(struct decimal *d)
{
	trim_magnitude(d);
	if (!d->n)
		d->neg = false;
}

/* D = D * MUL + ADD, with MUL <= 10^9 and ADD < 10^9. */
static void mul_add(struct decimal *d, unsigned mul, unsigned add)
{
	unsigned long long carry = add;

	for (size_t i = 0; i < d->n; i++) {
		carry += (unsigned long long)d->limb[i] * mul;
		d->limb[i] = (unsigned)(carry % BASE);
		carry /= BASE;
	}
	while (carry) {
		reserve(d, d->n + 1);
		d->limb[d->n++] = (unsigned)(carry % BASE);
		carry /= BASE;
	}
}

/* Raise D's scale to SCALE (>= its own) without changing its value. */
static void rescale(struct decimal *d, int scale)
{
	int diff = scale - d->scale;

	for (; d->n && diff >= 9; diff -= 9)
		mul_add(d, BASE, 0);
	if (d->n && diff > 0)
		mul_add(d, powers_of_ten[diff], 0);
	d->scale = scale;
}

static int mag_cmp(const struct decimal *a, const struct decimal *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i-- > 0;)
		if (a->limb[i] != b->limb[i])
			return a->limb[i] < b->limb[i] ? -1 : 1;
	return 0;
}

/* |A| += |B| */
static void mag_add(struct decimal *a, const struct decimal *b)
{
	size_t n = a->n > b->n ? a->n : b->n;
	unsigned carry = 0;

	reserve(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned long long s = carry;
		s += i < a->n ? a->limb[i] : 0;
		s += i < b->n ? b->limb[i] : 0;
		a->limb[i] = (unsigned)(s % BASE);
		carry = (unsigned)(s / BASE);
	}
	a->n = n;
	if (carry)
		a->limb[a->n++] = carry;
}

/* |A| = |BIG| - |SMALL|, where |BIG| >= |SMALL|; A may be either. */
static void mag_sub(struct decimal *a, const struct decimal *big,
		    const struct decimal *small)
{
	size_t n = big->n;
	long long borrow = 0;

	reserve(a, n);
	for (size_t i = 0; i < n; i++) {
		long long v = (long long)big->limb[i] - borrow -
			(i < small->n ? (long long)small->limb[i] : 0);
		borrow = v < 0;
		a->limb[i] = (unsigned)(v < 0 ? v + BASE : v);
	}
	a->n = n;
}

int decimal_parse(struct decimal *d, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *ip, *fp = NULL;
	size_t int_len, frac_len = 0;
	long exp = 0;
	bool neg = false;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (ip = p; p < end && *p >= '0' && *p <= '9'; p++)
		;
	int_len = (size_t)(p - ip);
	if (p < end && *p == '.') {
		for (fp = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		frac_len = (size_t)(p - fp);
	}
	if (int_len + frac_len == 0 || int_len + frac_len > (size_t)INT_MAX / 2)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool exp_neg = false;
		if (++p < end && (*p == '+' || *p == '-'))
			exp_neg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			exp = exp * 10 + (*p - '0');
			if (exp > DECIMAL_MAX_EXPONENT)
				return -1;
		}
		if (exp_neg)
			exp = -exp;
	}
	if (p != end)
		return -1;

	/* Nine digits a limb, from the last: linear in the length of TEXT. */
	size_t total = int_len + frac_len;
	reserve(d, (total + 8) / 9);
	d->n = 0;
	for (size_t hi = total; hi > 0;) {
		size_t lo = hi > 9 ? hi - 9 : 0;
		unsigned limb = 0;
		for (size_t i = lo; i < hi; i++)
			limb = limb * 10 + (unsigned)((i < int_len ? ip[i] : fp[i - int_len]) - '0');
		d->limb[d->n++] = limb;
		hi = lo;
	}
	d->scale = (int)((long)frac_len - exp);
	d->neg = neg;
	trim(d);
	return 0;
}

size_t decimal_digits(const struct decimal *d)
{
	size_t digits;

	if (!d->n)
		return 0;
	digits = 9 * (d->n - 1);
	for (unsigned top = d->limb[d->n - 1]; top; top /= 10)
		digits++;
	return digits;
}

/* D = D / DIV (<= 10^9), truncated; returns the remainder. */
static unsigned div_small(struct decimal *d, unsigned div)
{
	unsigned long long rem = 0;

	for (size_t i = d->n; i-- > 0;) {
		unsigned long long cur = rem * BASE + d->limb[i];
		d->limb[i] = (unsigned)(cur / div);
		rem = cur % div;
	}
	trim_magnitude(d);
	return (unsigned)rem;
}

bool decimal_rescale(struct decimal *d, int scale)
{
	bool exact = true;
	unsigned last;

	if (scale >= d->scale) {
		rescale(d, scale);
		return true;
	}
	/* Drop all but the last of DROP digits, noting any that is not 0... */
	long drop = (long)d->scale - scale;
	d->scale = scale;
	if ((size_t)drop > decimal_digits(d)) {
		exact = !d->n;
		d->n = 0;
		d->neg = false;
		return exact;
	}
	/* Whole limbs go at once: dividing by 10^9 drops the lowest limb. */
	size_t limbs = (size_t)(drop - 1) / 9;
	for (size_t i = 0; i < limbs && i < d->n; i++)
		exact &= d->limb[i] == 0;
	if (limbs) {
		d->n = limbs < d->n ? d->n - limbs : 0;
		memmove(d->limb, d->limb + limbs, d->n * sizeof(*d->limb));
	}
	drop -= 1 + (long)limbs * 9;
	if (drop > 0)
		exact &= div_small(d, powers_of_ten[drop]) == 0;
	/* ...and the last decides the rounding, half away from zero. */
	last = div_small(d, 10);
	exact &= last == 0;
	if (last >= 5)
		mul_add(d, 1, 1);
	trim(d);
	return exact;
}

void decimal_add(struct decimal *acc, struct decimal *x)
{
	if (x->scale > acc->scale)
		rescale(acc, x->scale);
	else if (acc->scale > x->scale)
		rescale(x, acc->scale);
	if (!x->n)
		return;
	if (acc->neg == x->neg || !acc->n) {
		if (!acc->n)
			acc->neg = x->neg;
		mag_add(acc, x);
	} else if (mag_cmp(acc, x) >= 0) {
		mag_sub(acc, acc, x);
	} else {
		mag_sub(acc, x, acc);
		acc->neg = x->neg;
	}
	trim(acc);
}

int decimal_cmp(struct decimal *a, struct decimal *b)
{
	int c;

	if (a->scale < b->scale)
		rescale(a, b->scale);
	else if (b->scale < a->scale)
		rescale(b, a->scale);
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	c = mag_cmp(a, b);
	return a->neg ? -c : c;
}

static void insert(struct buf *out, size_t pos, char c, size_t count)
{
	buf_grow(out, count);
	memmove(out->data + pos + count, out->data + pos, out->len - pos + 1);
	memset(out->data + pos, c, count);
	out->len += count;
}

void decimal_format(const struct decimal *d, struct buf *out)
{
	size_t start = out->len, digits;

	if (!d->n)
		buf_addc(out, '0');
	else
		buf_printf(out, "%u", d->limb[d->n - 1]);
	for (size_t i = d->n - (d->n > 0); i-- > 0;)
		buf_printf(out, "%09u", d->limb[i]);
	digits = out->len - start;
	if (d->scale < 0 && d->n) {
		buf_grow(out, (size_t)-(long)d->scale);
		memset(out->data + out->len, '0', (size_t)-(long)d->scale);
		out->len += (size_t)-(long)d->scale;
		out->data[out->len] = '\0';
	}
	if (d->scale > 0) {
		size_t scale = (size_t)d->scale;
		if (digits <= scale)
			insert(out, start, '0', scale + 1 - digits);
		insert(out, out->len - scale, '.', 1);
	}
	if (d->neg)
		insert(out, start, '-', 1);
}

/* Copy SRC into DST (DST's memory is reused). */
static void decimal_copy(struct decimal *dst, const struct decimal *src)
{
	reserve(dst, src->n);
	if (src->n)
		memcpy(dst->limb, src->limb, src->n * sizeof(*src->limb));
	dst->n = src->n;
	dst->scale = src->scale;
	dst->neg = src->neg;
}

void decimal_format_quotient(const struct decimal *d, unsigned long long divisor,
			     int extra, struct buf *out)
{
	struct decimal q = DECIMAL_INIT;
	unsigned __int128 rem = 0;

	decimal_copy(&q, d);
	rescale(&q, d->scale + extra);
	for (size_t i = q.n; i-- > 0;) {
		unsigned __int128 cur = rem * BASE + q.limb[i];
		q.limb[i] = (unsigned)(cur / divisor);
		rem = cur % divisor;
	}
	if (rem * 2 >= divisor)
		mul_add(&q, 1, 1);
	trim(&q);
	decimal_format(&q, out);
	decimal_free(&q);
}

void decimal_free(struct decimal *d)
{
	free(d->limb);
	*d = (struct decimal)DECIMAL_INIT;
}
